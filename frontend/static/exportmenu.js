// exportmenu.js: the Export menu of the text view (the version shown) and
// of the compare view (the pair shown, from → to). It is a disclosure
// (<details>): Enter or Space on "Export" opens it, Escape closes it and
// puts the focus back on "Export", the arrows (Home, End) and Tab move
// through it, and a click or the focus going elsewhere closes it. Each
// export is a plain link to GET /api/negotiations/{id}/export (PROTOCOL.md
// "Exports") with `download`, so the browser saves the file under the
// server's name: clean text (txt, docx, html), redline (docx with tracked
// changes, html; in the text view from the version before, when there is
// one), bracketed text (txt, docx, html) and signing record (json, html).
// "Include our internal notes" adds `internal=1` to the html and docx of
// the clean, redline and bracketed text, the only files it applies to; it
// is off each time the menu opens, and the links it changes say so.
// The links are set when the menu opens and when the version or pair
// shown changes: nothing here runs when the room renders.

import { h, nextId, announce, shortHash } from './dom.js';

const KINDS = [
  { kind: 'clean', label: 'Clean text', formats: ['txt', 'docx', 'html'] },
  { kind: 'redline', label: 'Redline', formats: ['docx', 'html'] },
  { kind: 'bracketed', label: 'Bracketed text', formats: ['txt', 'docx', 'html'] },
  { kind: 'record', label: 'Signing record', formats: ['json', 'html'] },
];

const FORMAT_LABEL = { txt: 'Plain text (.txt)', docx: 'Word (.docx)', html: 'Web page (.html)', json: 'Data (.json)' };

// internalApplies says which files may hold our internal notes.
const internalApplies = (kind, format) => kind !== 'record' && (format === 'docx' || format === 'html');

export class ExportMenu {
  // where: 'text' or 'compare'; pick() answers what is shown:
  // {version, from} (from 0: no redline), or null when nothing is.
  constructor(room, where, pick) {
    this.room = room;
    this.pick = pick;
    this.where = where;
    const id = `export-${where}`;
    this.summary = h('summary', { class: 'export-button', id: `${id}-button` }, 'Export');
    this.heading = h('p', { class: 'export-what', id: nextId('export-what') });
    this.empty = h('p', { class: 'muted', hidden: true });
    this.rows = new Map();
    this.links = [];
    const list = h('ul', { class: 'export-list' }, KINDS.map((k) => {
      const name = h('span', { class: 'export-kind' }, k.label);
      const links = k.formats.map((f) => {
        const a = h('a', { download: '', dataset: { kind: k.kind, format: f } }); // its href once the menu opens
        a.mraLabel = k.kind === 'redline' && f === 'docx' ? 'Word, tracked changes (.docx)' : FORMAT_LABEL[f];
        a.textContent = a.mraLabel;
        this.links.push(a);
        return a;
      });
      const row = h('li', { dataset: { kind: k.kind } }, name, h('span', { class: 'export-links' }, links));
      this.rows.set(k.kind, { row, name });
      return row;
    }));
    this.internal = h('input', { type: 'checkbox', id: `${id}-internal` });
    const party = room.user.party;
    this.internalText = h('span', null, `Include our internal notes (${party} only)`);
    this.internalHint = h('span', { class: 'hint', id: nextId('hint') },
      `Off unless you tick it. Adds ${party}’s own internal threads, marked internal, to the Word and web-page files of the clean text, redline and bracketed text (never another party’s). Files are often sent on: such a file is for ${party} alone.`);
    this.internal.setAttribute('aria-describedby', this.internalHint.id);
    this.internal.addEventListener('change', () => this.refresh());
    this.warning = h('p', { class: 'export-warning', role: 'status' });
    this.panel = h('div', { class: 'export-panel', role: 'group', 'aria-labelledby': this.heading.id },
      this.heading, this.empty, list,
      h('div', { class: 'export-internal' },
        h('label', { class: 'check', for: this.internal.id }, this.internal, ' ', this.internalText), this.internalHint),
      this.warning);
    this.el = h('details', { class: 'export-menu', id }, this.summary, this.panel);

    // Opened: listen for a click elsewhere. Closed, by any way: the
    // internal notes are unticked at once, links included.
    this.el.addEventListener('toggle', () => {
      if (this.el.open) {
        this.refresh();
        document.addEventListener('pointerdown', this.outside, true);
      } else {
        this.shut();
      }
    });
    this.outside = (e) => { if (!this.el.contains(e.target)) this.shut(); };
    this.el.addEventListener('focusout', (e) => {
      if (this.el.open && e.relatedTarget && !this.el.contains(e.relatedTarget)) this.shut();
    });
    this.el.addEventListener('keydown', (e) => this.key(e));
    this.panel.addEventListener('click', (e) => {
      const a = e.target.closest('a[data-kind]');
      if (a) announce(`Downloading ${a.getAttribute('aria-label') || a.textContent}.`);
    });
  }

  // shut closes the menu and unticks the internal notes.
  shut() {
    document.removeEventListener('pointerdown', this.outside, true);
    this.el.open = false;
    if (this.internal.checked) {
      this.internal.checked = false;
      this.refresh();
    }
  }

  // close shuts the menu, the focus back on "Export" when it was inside.
  close() {
    const inside = this.el.contains(document.activeElement);
    this.shut();
    if (inside) this.summary.focus();
  }

  key(e) {
    if (!this.el.open) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.close();
      return;
    }
    const moves = { ArrowDown: 1, ArrowUp: -1, Home: 'first', End: 'last' };
    if (!(e.key in moves) || e.altKey || e.ctrlKey || e.metaKey) return;
    const items = [...this.panel.querySelectorAll('a[href], input')].filter((el) => el.getClientRects().length > 0);
    if (!items.length) return;
    const i = items.indexOf(document.activeElement);
    const m = moves[e.key];
    const j = m === 'first' ? 0 : m === 'last' ? items.length - 1
      : i < 0 ? (m > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, i + m));
    e.preventDefault();
    items[j].focus();
  }

  // refresh sets the links for what the view shows now: when the menu
  // opens, when the version or pair shown changes (never on a render).
  refresh() {
    const what = this.pick();
    const st = this.room.st;
    const party = this.room.user.party;
    const others = (st.meta.parties || []).filter((p) => p !== party);
    const v = what ? st.version(what.version) : null;
    this.empty.hidden = !!v;
    for (const { row } of this.rows.values()) row.hidden = !v;
    this.internal.closest('.export-internal').hidden = !v;
    if (!v) {
      this.heading.textContent = 'Export';
      this.empty.textContent = 'No text has been proposed yet, so there is nothing to export.';
      this.warning.textContent = '';
      return;
    }
    const from = what.from && what.from !== v.version && st.version(what.from) ? what.from : 0;
    const pair = this.where === 'compare' && from;
    if (pair) this.heading.replaceChildren(`Export: version ${from} → version ${v.version}`);
    else this.heading.replaceChildren(`Export version ${v.version} (SHA-256 `, shortHash(v.sha256), ')');
    for (const k of KINDS) {
      const { row, name } = this.rows.get(k.kind);
      if (k.kind === 'redline') {
        row.hidden = !from;
        name.textContent = from ? `Redline, version ${from} → ${v.version}` : 'Redline';
      } else {
        name.textContent = pair ? `${k.label}, version ${v.version}` : k.label;
      }
    }
    const internal = this.internal.checked;
    const enc = encodeURIComponent;
    for (const a of this.links) {
      const { kind, format } = a.dataset;
      const adds = internal && internalApplies(kind, format);
      a.href = `/api/negotiations/${enc(this.room.id)}/export?kind=${kind}&format=${format}&version=${v.version}` +
        (kind === 'redline' ? `&from=${from}` : '') + (adds ? '&internal=1' : '');
      a.textContent = adds ? `${a.mraLabel} · with ${party} internal notes` : a.mraLabel;
      const of = kind === 'redline' ? `from version ${from} to version ${v.version}` : `of version ${v.version}`;
      a.setAttribute('aria-label', `${KINDS.find((k) => k.kind === kind).label} ${of}, ${a.textContent}`);
      if (adds) a.dataset.internal = ''; else delete a.dataset.internal;
    }
    this.warning.textContent = internal
      ? `The Word and web-page files above now hold ${party}’s internal notes. Do not send them to ${others.length ? others.join(' or ') : 'the other side'}.`
      : '';
  }
}
