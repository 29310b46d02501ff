// criteria.js: the program and criteria comparison of a partnership
// (#/p/ID/criteria; server/README "The criteria comparison"). Each party's
// minimum security criteria (who set them when; a negotiator sets or
// replaces its own party's), and each comparison of two parties' criteria
// side by side: one row per aligned pair of paragraphs, each party's mark
// on it in words, the summary counts per party, and each row's thread (the
// criteria stage's notes that name the row). Partnerships have no live
// events: the view reads GET /api/partnerships/{id} (api.partnership) again after each of its
// commands. The rows are drawn plainly (a few hundred at most), and Alt+N /
// Alt+P (or the button) move to the next / previous row one's party has
// not marked.

import { api } from './api.js';
import { h, replace, errorBox, field, radios, announce, describeError, when } from './dom.js';

const MARK_WORDS = { equivalent: 'equivalent', partly: 'partly equivalent', gap: 'gap' };
const MARK_BUTTONS = [['equivalent', 'Equivalent'], ['partly', 'Partly'], ['gap', 'Gap']];

const has = (user, role) => (user.roles || []).includes(role);

// stagesNotFound is what a stranger (or anyone, for an id that names no
// partnership of theirs) gets: a plain "not found".
export function stagesNotFound(main, what) {
  document.title = 'Not found — MRA';
  const crumbs = document.getElementById('crumbs');
  if (crumbs) { replace(crumbs); crumbs.mraKey = ''; }
  const heading = h('h1', { tabindex: '-1', id: 'page-title' }, 'Not found');
  replace(main, h('div', { class: 'page stages-page', id: 'stages-not-found' }, heading,
    h('p', null, `There is no ${what} here that your administration takes part in.`),
    h('p', null, h('a', { href: '#/' }, 'Back to the negotiations'))));
  heading.focus({ preventScroll: true });
}

// partyNames reads every party once (GET /api/parties) for the labels
// "SG (STP)"; without it the ids alone are shown.
export async function partyNames() {
  try {
    const { parties } = await api.parties();
    return Object.fromEntries((parties || []).map((p) => [p.id, p]));
  } catch {
    return {};
  }
}

// stagesCrumbs sets the top bar's breadcrumb: Partnerships / the
// partnership / the view.
export function stagesCrumbs(id, title, view) {
  const crumbs = document.getElementById('crumbs');
  if (!crumbs) return;
  crumbs.mraKey = '';
  replace(crumbs, h('a', { href: '#/partnerships' }, 'Partnerships'), ' / ',
    title ? h('a', { href: `#/p/${encodeURIComponent(id)}` }, title) : null, title ? ' / ' : null, h('span', null, view));
}

export function partyLabel(parties, id) {
  const p = parties[id];
  return p && p.program ? `${id} (${p.program})` : id;
}

// summaryLine says a party's counts in words: "US: 3 equivalent, 1 partly,
// 1 gap, 2 not marked".
export function summaryLine(party, s) {
  s = s || {};
  return `${party}: ${s.equivalent || 0} equivalent, ${s.partly || 0} partly, ${s.gap || 0} gap, ${s.unmarked || 0} not marked`;
}

export function showCriteria(app, main, id) {
  const v = new CriteriaView(app, main, id);
  v.load();
  return v;
}

class CriteriaView {
  constructor(app, main, id) {
    this.app = app;
    this.main = main;
    this.id = id;
    this.party = app.user.party;
    this.parties = {};
    this.noteFor = null; // the row whose note form is open
    this.heading = h('h1', { tabindex: '-1', id: 'page-title' }, 'Criteria compared');
    this.back = h('a', { href: `#/p/${encodeURIComponent(id)}`, id: 'stages-back' }, 'Back to the partnership');
    this.err = errorBox();
    this.err.el.id = 'criteria-error';
    this.setList = h('ul', { class: 'criteria-set', id: 'criteria-set' });
    this.formSlot = h('div');
    this.cmpWrap = h('div', { id: 'comparisons' }, h('p', { class: 'loading' }, 'Loading…'));
    this.root = h('div', { class: 'page stages-page criteria-page' },
      h('p', { class: 'stages-crumb' }, this.back), this.heading,
      h('p', { class: 'muted' }, 'Each party’s minimum security criteria, paragraph by paragraph beside the other party’s on the same subject. Each party marks each row equivalent, partly equivalent or a gap.'),
      this.err.el,
      h('section', { class: 'card stages-section', 'aria-labelledby': 'criteria-set-h' },
        h('h2', { id: 'criteria-set-h' }, 'Each party’s criteria'), this.setList, this.formSlot),
      this.cmpWrap);
    document.title = 'Criteria compared — MRA';
    stagesCrumbs(id, '', 'Criteria compared');
    replace(main, this.root);
    // Alt+N / Alt+P wherever the focus is (the page's body too), while
    // this view is shown; by code: Alt+N on a Mac types a character
    const onKey = (e) => {
      if (!this.shown) { document.removeEventListener('keydown', onKey); return; }
      const dir = { KeyN: 1, KeyP: -1 }[e.code];
      if (!e.altKey || e.ctrlKey || e.metaKey || !dir) return;
      e.preventDefault();
      this.nextUnmarked(dir, e.target);
    };
    document.addEventListener('keydown', onKey);
    this.heading.focus({ preventScroll: true });
  }

  get shown() { return this.main.contains(this.heading); }

  // load reads the partnership again and redraws; then focus() (if given)
  // puts the focus where the last action leaves it.
  async load(focus) {
    let r;
    try {
      const [read, parties] = await Promise.all([api.partnership(this.id), this.partiesRead || (this.partiesRead = partyNames())]);
      r = read;
      this.parties = parties;
    } catch (err) {
      if (!this.shown) return;
      if (err.code === 'not_found') { stagesNotFound(this.main, 'partnership'); return; }
      this.err.show(err);
      return;
    }
    if (!this.shown) return;
    this.p = r.partnership;
    this.stage = (this.p.stages || []).find((s) => s.stage === 'criteria') || { notes: [], criteria: {}, comparisons: [] };
    this.render();
    if (focus) focus();
  }

  render() {
    const p = this.p;
    document.title = `Criteria compared — ${p.title} — MRA`;
    this.heading.textContent = `Criteria compared: ${p.title}`;
    stagesCrumbs(this.id, p.title, 'Criteria compared');
    const set = this.stage.criteria || {};
    replace(this.setList, p.parties.map((party) => {
      const c = set[party];
      return h('li', { dataset: { party }, tabindex: '-1', id: `criteria-of-${party}` },
        h('strong', null, partyLabel(this.parties, party)), ': ',
        c ? ['set by ', c.by, ' on ', when(c.at)] : h('span', { class: 'muted' }, 'not set yet'));
    }));
    if (has(this.app.user, 'negotiator') && !this.form) {
      // folded once the party has set its criteria: the comparison is what
      // is read then
      this.form = this.criteriaForm();
      replace(this.formSlot, h('details', { class: 'criteria-box', id: 'criteria-box', open: !set[this.party] },
        h('summary', null, set[this.party] ? `Replace the criteria of ${this.party}` : `Set the criteria of ${this.party}`), this.form));
    }
    if (this.form) this.prefill();
    this.drawComparisons();
  }

  // ---- setting one's own criteria ----

  criteriaForm() {
    const party = this.party;
    this.text = h('textarea', { id: 'criteria-text', name: 'text', rows: '12', spellcheck: 'true', required: true });
    this.text.addEventListener('input', () => { this.text.dataset.touched = '1'; });
    const err = errorBox();
    err.el.id = 'criteria-form-error';
    this.submit = h('button', { type: 'submit', class: 'primary', id: 'criteria-submit' }, 'Set our criteria');
    const form = h('form', { id: 'criteria-form', class: 'criteria-form', 'aria-labelledby': 'criteria-form-h' },
      h('h3', { id: 'criteria-form-h', class: 'sr-only' }, `${party}’s minimum security criteria`),
      field(`The criteria of ${party}`, this.text, 'One criterion per line: each line that is not empty is one criterion (at most 1,000). Setting them again replaces the ones set before; the rows whose words changed are then unmarked.'),
      err.el, h('div', { class: 'buttons' }, this.submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.clear();
      if (!this.text.value.trim()) {
        err.show('Write at least one criterion, one per line.');
        this.text.focus();
        return;
      }
      this.submit.disabled = true;
      try {
        const res = await api.command('set_criteria', { partnership: this.id, text: this.text.value });
        delete this.text.dataset.touched;
        const n = res && res.paragraphs;
        await this.load(() => {
          const li = document.getElementById(`criteria-of-${party}`);
          if (li) li.focus();
        });
        announce(`The criteria of ${party} are set${n ? `: ${n} criteria` : ''}.`);
      } catch (e2) {
        err.show(e2);
        this.text.focus();
      } finally {
        this.submit.disabled = false;
      }
    });
    return form;
  }

  // prefill puts the own party's criteria (the read gives the reader's own
  // text) in the form when it holds nothing the user typed.
  prefill() {
    const mine = (this.stage.criteria || {})[this.party];
    this.submit.textContent = mine ? 'Replace our criteria' : 'Set our criteria';
    if (this.text.dataset.touched || !mine) return;
    this.text.value = mine.text || '';
  }

  // ---- the comparisons ----

  drawComparisons() {
    const cmps = this.stage.comparisons || [];
    if (!cmps.length) {
      const set = Object.keys(this.stage.criteria || {});
      replace(this.cmpWrap, h('section', { class: 'card stages-section', id: 'comparison-none' },
        h('h2', null, 'Side by side'),
        h('p', null, set.length ? `Only ${set.join(', ')} has set its criteria; the comparison appears once two parties have set theirs.`
          : 'No party has set its criteria yet; the comparison appears once two parties have set theirs.')));
      return;
    }
    const byRow = new Map();
    for (const n of this.stage.notes || []) {
      if (!n.row) continue;
      if (!byRow.has(n.row)) byRow.set(n.row, []);
      byRow.get(n.row).push(n);
    }
    // The same rows as drawn (a mark, a note): only the rows whose marks or
    // thread changed are drawn again, so an action on one of 400 rows lays
    // out one row, not the table.
    const sig = cmps.map((c) => `${c.parties.join('+')}:${c.rows.map((r) => r.row).join(',')}`).join('|');
    if (this.drawn && this.drawn.sig === sig && this.cmpWrap.contains(this.drawn.sections[0].summary)) {
      cmps.forEach((c, i) => {
        const d = this.drawn.sections[i];
        replace(d.summary, this.summaryItems(c));
        c.rows.forEach((r, k) => {
          const notes = byRow.get(r.row) || [];
          const key = this.rowKey(r, notes);
          const old = d.rows.get(r.row);
          if (old.key === key) return;
          const els = this.rowEls(c, r, k + 1, notes);
          old.els[0].replaceWith(...els);
          for (const el of old.els.slice(1)) el.remove();
          d.rows.set(r.row, { key, els });
        });
      });
      return;
    }
    this.drawn = { sig, sections: [] };
    replace(this.cmpWrap, cmps.map((c, i) => this.comparison(c, i, byRow)));
  }

  rowKey(r, notes) {
    return JSON.stringify([r.marks || {}, notes.map((n) => n.id), this.noteFor === r.row]);
  }

  // rowEls are a row's table rows: the row, and its thread under it when
  // it has notes or its note form is open.
  rowEls(c, r, n, notes) {
    const els = [this.row(c, r, n)];
    if (notes.length || this.noteFor === r.row) els.push(this.threadRow(c, r, n, notes));
    return els;
  }

  summaryItems(c) {
    return c.parties.map((party) => h('li', { dataset: { party } }, summaryLine(party, c.summary && c.summary[party])));
  }

  mayMark(c) {
    const u = this.app.user;
    return (has(u, 'negotiator') || has(u, 'legal')) && c.parties.includes(this.party);
  }

  comparison(c, i, byRow) {
    const [a, b] = c.parties;
    const mine = c.parties.includes(this.party);
    const hid = `cmp-h-${i}`;
    const tools = mine ? h('div', { class: 'cmp-tools' },
      h('button', { type: 'button', class: 'small', id: i === 0 ? 'next-unmarked' : null, dataset: { cmp: String(i) }, onclick: (e) => this.nextUnmarked(1, e.currentTarget) },
        `Next row not marked by ${this.party}`),
      h('span', { class: 'hint' }, 'Alt+N: next row not marked by your party; Alt+P: the one before.')) : null;
    const rows = [];
    const drawn = { summary: h('ul', { class: 'criteria-summary', id: i === 0 ? 'criteria-summary' : null }, this.summaryItems(c)), rows: new Map() };
    c.rows.forEach((r, k) => {
      const notes = byRow.get(r.row) || [];
      const els = this.rowEls(c, r, k + 1, notes);
      drawn.rows.set(r.row, { key: this.rowKey(r, notes), els });
      rows.push(els);
    });
    this.drawn.sections.push(drawn);
    return h('section', { class: 'card stages-section comparison', dataset: { cmp: String(i), parties: c.parties.join(' ') }, 'aria-labelledby': hid },
      h('h2', { id: hid }, `${a} and ${b} side by side`),
      drawn.summary,
      tools,
      h('table', { class: 'cmp' },
        h('caption', { class: 'sr-only' }, `The criteria of ${a} and ${b}, one row per subject, with each party’s mark`),
        h('colgroup', null, h('col', { class: 'cmp-n' }), h('col'), h('col'), h('col', { class: 'cmp-m' })),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Row'),
          h('th', { scope: 'col' }, partyLabel(this.parties, a)),
          h('th', { scope: 'col' }, partyLabel(this.parties, b)),
          h('th', { scope: 'col' }, 'Marks'))),
        h('tbody', null, rows)));
  }

  row(c, r, n) {
    const cell = (text) => h('td', { class: 'cmp-text' }, text == null ? h('span', { class: 'nothing' }, 'nothing comparable') : text);
    const own = (r.marks || {})[this.party] || '';
    const marks = h('td', { class: 'cmp-marks' },
      c.parties.map((party) => {
        const m = (r.marks || {})[party];
        return h('p', { class: `mark-line mark-${m || 'none'}`, dataset: { party, mark: m || '' } },
          `${party}: `, h('strong', null, m ? MARK_WORDS[m] : 'not marked'));
      }),
      this.mayMark(c) ? h('div', { class: 'mark-buttons', role: 'group', 'aria-label': `${this.party}’s mark on row ${n}` },
        MARK_BUTTONS.map(([m, label]) => h('button', {
          type: 'button', class: 'small', 'aria-pressed': String(own === m), dataset: { mark: m },
          onclick: () => this.mark(r, n, m),
        }, label))) : null,
      (has(this.app.user, 'negotiator') || has(this.app.user, 'legal')) && c.parties.includes(this.party)
        ? h('button', { type: 'button', class: 'link note-open', dataset: { row: r.row }, 'aria-label': `Add a note on row ${n}`, onclick: () => this.openNote(r.row) }, 'Add a note')
        : null);
    return h('tr', { dataset: { row: r.row, own, n: String(n) }, class: own ? '' : 'unmarked' },
      h('th', { scope: 'row', tabindex: '-1', class: 'cmp-num' }, h('span', { class: 'sr-only' }, 'Row '), String(n)),
      cell(r.a), cell(r.b), marks);
  }

  threadRow(c, r, n, notes) {
    const list = notes.length ? h('ul', { class: 'row-notes', 'aria-label': `Notes on row ${n}` }, notes.map((note) =>
      h('li', { dataset: { note: note.id, visibility: note.visibility }, tabindex: '-1' },
        h('span', { class: `pill ${note.visibility}` }, note.visibility === 'internal' ? `Internal · ${note.party} only` : 'Shared'),
        ' ', h('strong', null, note.party), ' · ', note.author, ' · ', when(note.at),
        h('p', { class: 'note-body' }, note.body)))) : null;
    return h('tr', { class: 'thread-row', dataset: { threadOf: r.row } },
      h('td', { colspan: '4' }, list, this.noteFor === r.row ? this.noteForm(r, n) : null));
  }

  openNote(row) {
    this.noteFor = row;
    this.drawComparisons();
    const ta = this.cmpWrap.querySelector('#row-note-text');
    if (ta) ta.focus();
  }

  noteForm(r, n) {
    const body = h('textarea', { id: 'row-note-text', rows: '3', required: true });
    const vis = radios('row-note-vis', [
      ['internal', `Internal to ${this.party} (default)`, 'only your administration sees it'],
      ['shared', 'Shared with all parties', 'every party of the partnership sees it'],
    ], 'internal');
    const err = errorBox();
    const submit = h('button', { type: 'submit', class: 'primary small', id: 'row-note-submit' }, 'Add the note');
    const cancel = h('button', { type: 'button', class: 'secondary small', onclick: () => this.closeNote(r.row) }, 'Cancel');
    const form = h('form', { class: 'row-note-form', id: 'row-note-form', 'aria-label': `A note on row ${n}` },
      field(`Note on row ${n}`, body),
      h('fieldset', null, h('legend', null, 'Who sees this note'), vis.el),
      err.el, h('div', { class: 'buttons' }, submit, cancel));
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); this.closeNote(r.row); } });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.clear();
      if (!body.value.trim()) { err.show('Write the note first.'); body.focus(); return; }
      submit.disabled = true;
      try {
        const res = await api.command('stage_note', { partnership: this.id, stage: 'criteria', row: r.row, visibility: vis.value(), body: body.value });
        this.noteFor = null;
        await this.load(() => {
          const li = res && this.cmpWrap.querySelector(`li[data-note="${CSS.escape(res.note)}"]`);
          if (li) li.focus();
        });
        announce(`Note added to row ${n}.`);
      } catch (e2) {
        err.show(e2);
        body.focus();
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  closeNote(row) {
    this.noteFor = null;
    this.drawComparisons();
    const b = this.cmpWrap.querySelector(`button.note-open[data-row="${CSS.escape(row)}"]`);
    if (b) b.focus();
  }

  async mark(r, n, m) {
    this.err.clear();
    try {
      await api.command('mark_criterion', { partnership: this.id, row: r.row, mark: m });
    } catch (err) {
      this.err.show(err);
      announce(describeError(err));
      return;
    }
    await this.load(() => {
      const tr = this.cmpWrap.querySelector(`tr[data-row="${CSS.escape(r.row)}"]`);
      const b = tr && tr.querySelector(`.mark-buttons button[data-mark="${m}"]`);
      if (b) b.focus();
    });
    announce(`Row ${n}: ${this.party} marked it ${MARK_WORDS[m]}.`);
  }

  // nextUnmarked moves the focus to the next (dir 1) or previous (-1) row
  // of a comparison of one's party that the party has not marked, from the
  // row holding from (or the start), wrapping around.
  nextUnmarked(dir, from) {
    const mine = (s) => s && s.dataset.parties.split(' ').includes(this.party);
    const near = from && from.closest ? from.closest('section.comparison') : null;
    const section = mine(near) ? near : [...this.cmpWrap.querySelectorAll('section.comparison')].find(mine);
    if (!section) return;
    const rows = [...section.querySelectorAll('tbody tr[data-row]')];
    const at = from && from.closest ? rows.indexOf(from.closest('tr[data-row]')) : -1;
    const start = at < 0 ? (dir > 0 ? -1 : rows.length) : at;
    for (let k = 1; k <= rows.length; k++) {
      const i = (start + dir * k + rows.length * 2) % rows.length;
      if (!rows[i].dataset.own) {
        rows[i].querySelector('th').focus();
        rows[i].scrollIntoView({ block: 'center' });
        return;
      }
    }
    announce(`Every row is marked by ${this.party}.`);
  }
}
