// print.js: printing the text view. The reader may draw only the articles
// near the screen, so a printout never comes from it: printing builds a
// print-only container (#print-doc, shown by print.css instead of the room)
// from the whole text of the version shown, with its passages commented on
// marked by a note number and, after each article, those notes. It holds
// the shared threads only, unless the user ticks "Include our internal
// notes" in the Print… dialog; the browser's own Print (Ctrl+P) gets the
// shared ones. The container goes again after printing (afterprint).

import { h, field, when, nextId } from './dom.js';
import { KIND_LABEL, THREAD_STATUS_LABEL } from './state.js';

export class Printer {
  constructor(room) {
    this.room = room;
    this.loaded = null; // the shown version's {version, text, cps, outline}, once fetched
    this.button = h('button', { type: 'button', class: 'secondary', id: 'print-text', 'aria-haspopup': 'dialog', onclick: () => this.ask() }, 'Print…');
    this.internal = h('input', { type: 'checkbox', id: 'print-internal' });
    this.internalLabel = h('label', { for: this.internal.id, class: 'check' }, this.internal, ' ', h('span'));
    const hint = h('p', { class: 'hint', id: nextId('hint') });
    this.internal.setAttribute('aria-describedby', hint.id);
    this.hint = hint;
    this.what = h('p');
    this.go = h('button', { type: 'submit', class: 'primary', id: 'print-go' }, 'Print');
    const form = h('form', { method: 'dialog' }, this.what, this.internalLabel, hint,
      h('div', { class: 'buttons' }, this.go, h('button', { type: 'button', class: 'secondary', onclick: () => this.dialog.close() }, 'Cancel')));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.print(this.internal.checked); });
    this.dialog = h('dialog', { class: 'print-dialog', id: 'print-dialog', 'aria-labelledby': 'print-dialog-h' },
      h('h2', { id: 'print-dialog-h' }, 'Print the text'), form);
    this.dialog.addEventListener('close', () => { if (this.button.isConnected && !this.button.hidden) this.button.focus(); });
    this.before = () => this.beforePrint();
    this.after = () => this.clear();
    window.addEventListener('beforeprint', this.before);
    window.addEventListener('afterprint', this.after);
  }

  close() {
    window.removeEventListener('beforeprint', this.before);
    window.removeEventListener('afterprint', this.after);
    this.clear();
  }

  // shownVersion is the version the text view shows (the latest until the
  // reader has one).
  shownVersion() {
    const shown = this.room.reader && this.room.reader.shown;
    if (shown && shown.version) return shown.version;
    const latest = this.room.st.latest();
    return latest ? latest.version : 0;
  }

  render() {
    const v = this.shownVersion();
    this.button.hidden = !v;
    if (v && (!this.loaded || this.loaded.version !== v) && this.loading !== v) {
      this.loading = v;
      this.room.text(v).then((t) => { if (this.loading === v) this.loaded = { ...t, version: v }; }, () => { this.loading = 0; });
    }
  }

  ask() {
    const v = this.shownVersion();
    if (!v) return;
    const party = this.room.user.party;
    this.what.textContent = `The whole of version ${v}, with the shared comments as numbered notes.`;
    this.internalLabel.lastChild.textContent = `Include our internal notes (${party} only)`;
    this.hint.textContent = `Off unless you tick it: a printout travels, and internal notes are for ${party} alone.`;
    this.internal.checked = false;
    this.dialog.showModal();
    this.internal.focus();
  }

  async print(internal) {
    const v = this.shownVersion();
    this.go.disabled = true;
    try {
      const t = await this.room.text(v);
      this.build({ ...t, version: v }, internal);
    } finally {
      this.go.disabled = false;
    }
    this.dialog.close();
    this.keep = true; // the browser's beforeprint must not rebuild it without the notes chosen
    window.print();
  }

  // beforePrint serves the browser's own Print: in the text view, the
  // container with the shared notes (unless the Print… action built one).
  beforePrint() {
    if (this.keep && document.getElementById('print-doc')) return;
    if (this.room.closed || this.room.view !== 'text') return;
    const v = this.shownVersion();
    if (this.loaded && this.loaded.version === v) this.build(this.loaded, false);
  }

  clear() {
    const mine = this.keep;
    this.keep = false;
    const old = document.getElementById('print-doc');
    if (old) old.remove();
    document.body.classList.remove('printing');
    // after the Print… action, focus goes back to it, not to the page body
    if (mine && (!document.activeElement || document.activeElement === document.body) && this.button.isConnected) this.button.focus();
  }

  // build puts the printout of t (a version's text) into the page.
  build(t, internal) {
    this.clear();
    const st = this.room.st;
    const ver = st.version(t.version);
    const party = this.room.user.party;
    const threads = st.sortedThreads().filter((th) => th.status !== 'withdrawn' && (th.visibility === 'shared' || (internal && th.visibility === 'internal')));
    const anchored = threads.filter((th) => th.anchor && th.anchor.version === t.version);
    const general = threads.filter((th) => !th.anchor);
    const elsewhere = threads.length - anchored.length - general.length;
    const notes = [...anchored, ...general].map((th, k) => ({ n: k + 1, t: th }));
    const numbered = notes.slice(0, anchored.length);

    const cps = t.cps;
    const s = t.text;
    // article boundaries (UTF-16), the whole text from its first character
    const entries = (t.outline && t.outline.length ? t.outline : [{ start: 0, end: cps.length, headStart: 0, headEnd: 0 }]);
    const arts = entries.map((e, k) => ({
      a: k === 0 ? 0 : cps.toUnit(e.start), b: k + 1 < entries.length ? cps.toUnit(entries[k + 1].start) : s.length,
      ha: cps.toUnit(e.headStart), hb: cps.toUnit(e.headEnd), notes: [],
    }));
    const marks = numbered.map(({ n, t: th }) => ({
      n, a: cps.toUnit(th.anchor.start), b: cps.toUnit(th.anchor.end), internal: th.visibility === 'internal', th,
    }));
    const artAt = (u) => { let lo = 0, hi = arts.length - 1; while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (arts[mid].a <= u) lo = mid; else hi = mid - 1; } return arts[lo]; };
    for (const m of marks) artAt(Math.max(m.a, m.b - 1)).notes.push(m);

    const body = h('div', { class: 'p-body' });
    for (const art of arts) {
      const cuts = new Set([art.a, art.b]);
      if (art.hb > art.ha && art.ha >= art.a && art.hb <= art.b) { cuts.add(art.ha); cuts.add(art.hb); }
      const inside = marks.filter((m) => m.a < art.b && m.b > art.a || (m.a === m.b && m.a >= art.a && m.a < art.b));
      for (const m of inside) { if (m.a > art.a) cuts.add(m.a); if (m.b < art.b) cuts.add(m.b); }
      const sorted = [...cuts].sort((x, y) => x - y);
      const text = h('div', { class: 'p-text' });
      const refsAt = (u, point) => inside.filter((m) => (point ? m.a === m.b : m.a < m.b) && m.b === u);
      for (let k = 0; k + 1 < sorted.length; k++) {
        const a = sorted[k], b = sorted[k + 1];
        for (const m of refsAt(a, true)) text.append(ref(m));
        const on = inside.filter((m) => m.a <= a && m.b >= b && m.a < m.b);
        const words = s.slice(a, b);
        const head = a >= art.ha && b <= art.hb && art.hb > art.ha;
        let piece = head ? h('strong', { class: 'p-hd' }, words) : document.createTextNode(words);
        if (on.length) piece = h('mark', { class: `p-hl${on.some((m) => m.internal) ? ' p-internal' : ''}` }, piece);
        text.append(piece);
        for (const m of refsAt(b, false)) text.append(ref(m));
      }
      for (const m of refsAt(art.b, true)) if (art.b === s.length) text.append(ref(m));
      body.append(h('section', { class: 'p-article' }, text,
        art.notes.length ? h('ol', { class: 'p-notes', 'aria-label': 'Notes' }, art.notes.map((m) => this.note(m.n, m.th, party))) : null));
    }
    const generalList = general.length
      ? h('section', { class: 'p-general' }, h('h2', null, 'General notes'),
        h('ol', { class: 'p-notes' }, notes.slice(anchored.length).map(({ n, t: th }) => this.note(n, th, party))))
      : null;

    const el = h('div', { id: 'print-doc', class: 'print-doc', dataset: { version: String(t.version), internal: internal ? 'yes' : 'no' } },
      h('header', { class: 'p-head' },
        h('h1', null, st.meta.title),
        h('p', null, `Version ${t.version} of ${st.versions.length}`, ver ? [`, proposed by ${st.userName(ver.author)} (${ver.party}) `, when(ver.at)] : null, '.'),
        ver ? h('p', null, 'SHA-256 ', h('code', null, ver.sha256)) : null,
        h('p', null, `Printed `, when(new Date().toISOString()), ` by ${st.userName(this.room.user.id)} (${party}). `,
          `${notes.length} comment${notes.length === 1 ? '' : 's'} as numbered notes. `,
          internal ? h('strong', { class: 'p-warn' }, `Holds ${party}’s internal notes: for ${party} only.`) : 'Shared comments only.',
          elsewhere ? ` ${elsewhere} thread${elsewhere === 1 ? ' stands' : 's stand'} on another version and ${elsewhere === 1 ? 'is' : 'are'} not printed here.` : null)),
      body, generalList);
    document.body.append(el);
    document.body.classList.add('printing');
    return el;
  }

  // note is one numbered note: what it is, the words it was raised on,
  // and its messages.
  note(n, th, party) {
    const internal = th.visibility === 'internal';
    const st = this.room.st;
    const status = th.kind === 'note' && th.status === 'open' ? '' : ` · ${THREAD_STATUS_LABEL[th.status] || th.status}`;
    const a = th.anchor;
    return h('li', { class: `p-note${internal ? ' p-internal' : ''}`, value: String(n), id: `p-note-${n}`, dataset: { thread: th.id } },
      h('p', { class: 'p-note-head' }, h('span', { class: 'p-num' }, `[${n}]`), ' ', h('strong', null, `${KIND_LABEL[th.kind] || th.kind}${status}`),
        ` — raised by ${th.party}`, internal ? [' — ', h('strong', null, `Internal · ${party} only`)] : ' — shared'),
      a && a.start < a.end ? h('p', { class: 'p-quote' }, `“${cut(a.quote, 200)}”`) : null,
      a && (a.flag === 'changed' || a.flag === 'outdated') && a.original ? h('p', { class: 'p-quote' }, `Raised on version ${a.original.version} on: “${cut(a.original.quote, 200)}”`) : null,
      th.messages.map((m) => h('div', { class: 'p-msg' },
        h('p', { class: 'p-meta' }, `${st.userName(m.author)} (${m.party}), `, when(m.at)),
        h('p', { class: 'p-text-msg' }, m.body))));
  }
}

function ref(m) {
  return h('sup', { class: `p-ref${m.internal ? ' p-internal' : ''}` }, `[${m.n}]`);
}

// cut shortens s to n code points, with "…".
function cut(s, n) {
  const cps = [...(s || '')];
  return cps.length > n ? cps.slice(0, n).join('') + '…' : s || '';
}
