// partnership.js: partnerships (server/README "Partnerships", issue 12):
// the list of the user's party's partnerships (#/partnerships) with where
// each stands in the nine stages of the MR process, the "New partnership"
// form (create_partnership), and a partnership's page (#/p/ID): the stages
// in order with their status, who marked it when and their notes (shared,
// or the party's own internal ones), status controls (mark_stage), a note
// form whose visibility starts internal (stage_note), and the linked
// negotiations (link_negotiation). It reads the partnership again after
// each action, on each of its live events (the other side's marks and
// notes), when the tab comes back into view, and on "Read again".

import { Live } from './socket.js';
import { api } from './api.js';
import { h, replace, errorBox, field, describeError, announce, when, radios, select } from './dom.js';
import { STATUS_LABEL } from './state.js';

// STAGES are the nine stages of the MR process, in order, with a line on
// what each holds (PRODUCT.md).
export const STAGES = [
  ['evaluation', 'Evaluation', 'Each program against the four prerequisites: an operational program, a strong validation process, a strong security component, a Customs Mutual Assistance Agreement in force.'],
  ['work_plan', 'Joint work plan', 'The steps both sides agree to take, and when.'],
  ['benefits', 'Identification of benefits', 'What recognition brings each side’s operators.'],
  ['criteria', 'Program and criteria comparison', 'The two programs’ minimum security criteria side by side.'],
  ['validation', 'Validation observations', 'Each side observes the other’s validations, by business sector.'],
  ['negotiation', 'Formalization and negotiation', 'The text of the arrangement, negotiated in its rooms.'],
  ['signing', 'Signing', 'The senior leaders sign the agreed text.'],
  ['implementation', 'Implementation', 'The information-sharing procedures.'],
  ['maintenance', 'Maintenance', 'Periodic reviews, and amendments.'],
];
const STAGE_NAME = Object.fromEntries(STAGES.map(([id, name]) => [id, name]));
const STAGE_NUMBER = Object.fromEntries(STAGES.map(([id], i) => [id, i + 1]));

export const STAGE_STATUS = [['not_started', 'Not started'], ['in_progress', 'In progress'], ['done', 'Done']];
const STAGE_STATUS_LABEL = Object.fromEntries(STAGE_STATUS);
// a mark beside the words, so the status is never told by colour alone
const STAGE_STATUS_MARK = { not_started: '○', in_progress: '◐', done: '✓' };

const has = (user, role) => (user.roles || []).includes(role);

// counts says how many of the nine stages are done and in progress.
function counts(stages) {
  const c = { done: 0, in_progress: 0, not_started: 0 };
  for (const s of stages || []) c[s.status] = (c[s.status] || 0) + 1;
  return c;
}

function countsText(stages) {
  const c = counts(stages);
  return `${c.done} of 9 done · ${c.in_progress} in progress`;
}

// currentText names where a partnership stands: the first stage not done
// (the server's `current`), or that every stage is done.
function currentText(p) {
  const cur = (p.stages || []).find((s) => s.stage === p.current);
  const name = STAGE_NAME[p.current] || p.current;
  if (cur && cur.status === 'done') return `${name} (every stage done)`;
  return `Stage ${STAGE_NUMBER[p.current] || '?'} of 9: ${name}`;
}

function setCrumbs(...children) {
  const crumbs = document.getElementById('crumbs');
  if (!crumbs) return;
  crumbs.mraKey = '';
  replace(crumbs, ...children);
}

const sameParties = (a, b) => a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');

// ---- the list (#/partnerships) ----

export async function showPartnerships(app, main) {
  document.title = 'Partnerships — MRA';
  setCrumbs(h('span', null, 'Partnerships'));
  const heading = h('h1', { tabindex: '-1', id: 'page-title' }, 'Partnerships');
  const body = h('div', { class: 'pp-list-body' }, h('p', { class: 'loading' }, 'Loading…'));
  const canCreate = has(app.user, 'negotiator');
  const side = h('div', { class: 'list-side' });
  replace(main, h('div', { class: 'page list-page pp-list-page' },
    h('div', { class: 'list-main' }, heading,
      h('p', { class: 'muted' }, `Partnerships in which ${app.user.party} takes part, and where each stands in the nine stages of the MR process.`), body), side));
  heading.focus({ preventScroll: true });

  const refresh = async () => {
    let partnerships;
    try {
      ({ partnerships } = await api.partnerships());
    } catch (err) {
      if (main.contains(heading)) replace(body, h('p', { class: 'error', role: 'alert' }, describeError(err)));
      return;
    }
    if (!main.contains(heading)) return; // the user moved on
    replace(body, partnerships.length ? listTable(partnerships)
      : h('p', { class: 'empty', id: 'partnerships-empty' }, canCreate ? 'None yet. Create the first one.' : 'None yet. A negotiator of your administration creates one.'));
  };
  const onVisible = () => {
    if (!main.contains(heading)) document.removeEventListener('visibilitychange', onVisible);
    else if (document.visibilityState === 'visible') refresh();
  };
  document.addEventListener('visibilitychange', onVisible);
  const [, parties] = await Promise.all([refresh(), canCreate ? api.parties().then((r) => r.parties).catch(() => null) : null]);
  if (!main.contains(heading)) return;
  if (canCreate && parties) side.append(createForm(app, parties));
}

function listTable(partnerships) {
  return h('table', { class: 'negotiations partnerships', id: 'partnerships' },
    h('caption', { class: 'sr-only' }, 'Partnerships'),
    h('thead', null, h('tr', null, ['Title', 'Parties', 'Where it stands', 'Stages', 'Negotiations'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, partnerships.map((p) => {
      const c = counts(p.stages);
      const n = (p.negotiations || []).length;
      return h('tr', { dataset: { partnership: p.id, current: p.current, done: String(c.done), inProgress: String(c.in_progress) } },
        h('td', null, h('a', { href: `#/p/${encodeURIComponent(p.id)}` }, p.title)),
        h('td', null, (p.parties || []).join(' · ')),
        h('td', { class: 'pp-current' }, currentText(p)),
        h('td', { class: 'pp-counts' }, countsText(p.stages)),
        h('td', null, n === 0 ? 'None linked' : `${n} linked`));
    })));
}

function createForm(app, parties) {
  const title = h('input', { id: 'new-partnership-title', required: true, maxlength: '200' });
  const others = parties.filter((p) => p.id !== app.user.party);
  const boxes = others.map((p) => h('input', { type: 'checkbox', value: p.id, id: `pp-party-${p.id}` }));
  const err = errorBox();
  err.el.id = 'new-partnership-error';
  const submit = h('button', { type: 'submit', class: 'primary', id: 'new-partnership-submit' }, 'Create partnership');
  const form = h('form', { class: 'card create pp-create', id: 'new-partnership', 'aria-labelledby': 'new-partnership-h', novalidate: true },
    h('h2', { id: 'new-partnership-h' }, 'New partnership'),
    field('Title', title),
    h('fieldset', null, h('legend', null, 'Partner parties'),
      h('p', { class: 'muted' }, `${app.user.party} (your administration) is always one of them.`),
      others.length ? others.map((p, k) => h('label', { class: 'radio pp-party', for: boxes[k].id }, boxes[k], ' ', h('strong', null, p.id), ` — ${p.name}`))
        : h('p', null, 'No other administration is registered yet.')),
    err.el, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.clear();
    if (!title.value.trim()) { err.show('Give the partnership a title.'); title.focus(); return; }
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!chosen.length) { err.show('Choose at least one partner party.'); if (boxes[0]) boxes[0].focus(); return; }
    submit.disabled = true;
    try {
      const r = await api.command('create_partnership', { title: title.value.trim(), parties: [app.user.party, ...chosen] });
      location.hash = `#/p/${encodeURIComponent(r.partnership)}`;
      announce(`Partnership “${r.title}” created.`);
    } catch (e2) {
      err.show(e2);
      title.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// ---- a partnership's page (#/p/ID) ----

export function showPartnership(app, main, id) {
  const view = new PartnershipView(app, main, id);
  view.load({ focus: 'heading' });
  return view;
}

class PartnershipView {
  constructor(app, main, id) {
    this.app = app;
    this.main = main;
    this.id = id;
    this.party = app.user.party;
    this.canMark = has(app.user, 'negotiator');
    this.canNote = has(app.user, 'negotiator') || has(app.user, 'legal');
    this.data = null;
    this.candidates = [];
    // drafts keeps the note forms' state by stage, so a redraw after a read
    // loses no one's words: {open, body, visibility}
    this.drafts = new Map();
    this.root = h('div', { class: 'page pp-page', id: 'partnership' }, h('p', { class: 'loading' }, 'Loading…'));
    document.title = 'Partnership — MRA';
    setCrumbs(h('a', { href: '#/partnerships' }, 'Partnerships'));
    replace(main, this.root);
    this.onVisible = () => {
      if (!this.shown) document.removeEventListener('visibilitychange', this.onVisible);
      else if (document.visibilityState === 'visible' && this.data) this.load({ keep: true });
    };
    document.addEventListener('visibilitychange', this.onVisible);
  }

  get shown() { return this.main.contains(this.root); }

  // startLive subscribes to the partnership's events: each one (the other
  // side's marks and notes, during a call) reads the partnership again.
  // It starts from the heads as they are (no replay: the read has it all)
  // and, after a drop, resumes from the last event seen.
  startLive() {
    const far = Number.MAX_SAFE_INTEGER;
    this.heads = null;
    this.live = new Live(this.id, {
      field: 'partnership',
      since: () => this.heads || { shared: far, internal: far },
      message: (m) => {
        if (m.type !== 'event' || !this.heads) return;
        this.heads[m.stream === 'internal' ? 'internal' : 'shared'] = m.seq;
        // the page reads itself after its own commands already: a second
        // redraw would only move things under the user's hands
        if (m.actor && m.actor.user === this.app.user.id) return;
        this.soon();
      },
      state: () => {},
      synced: (heads) => {
        // what happened between the read and the subscription, or while
        // the socket was down, is read now (the read says its heads)
        const read = (this.data && this.data.heads) || {};
        this.heads = { shared: heads.shared || 0, internal: heads.internal || 0 };
        if (read.shared !== this.heads.shared || read.internal !== this.heads.internal) this.soon();
      },
      dropped: () => { api.me().catch(() => {}); },
    });
    this.live.start();
  }

  // soon reads the partnership again, once for a burst of events.
  soon() {
    clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => { if (this.shown) this.load({ keep: true }); else this.close(); }, 150);
  }

  // close stops the live updates (the app calls it when the view goes).
  close() {
    clearTimeout(this.soonTimer);
    if (this.live) this.live.stop();
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  // who names a user by full name, as the read's names give them, with the
  // login name when the name is not known.
  who(id) {
    const name = this.data && this.data.names && this.data.names[id];
    return name && name !== id ? `${name}` : id;
  }

  // load reads the partnership (and, for a negotiator, the negotiations it
  // could link) and draws it. focus: 'heading', or a function run after
  // the draw; keep: put the focus back where it was (by element id).
  async load({ focus, keep } = {}) {
    let data;
    let negotiations = [];
    try {
      [data, negotiations] = await Promise.all([
        api.partnership(this.id),
        this.canMark ? api.negotiations().then((r) => r.negotiations || []).catch(() => []) : [],
      ]);
    } catch (err) {
      if (!this.shown) return;
      if (err.code === 'not_found') this.notFound();
      else {
        replace(this.root, h('h1', { tabindex: '-1', id: 'page-title' }, 'Partnership'),
          h('p', { class: 'error', role: 'alert', id: 'pp-load-error' }, describeError(err)));
      }
      return;
    }
    if (!this.shown) return;
    const before = keep ? document.activeElement && document.activeElement.id : null;
    this.data = data;
    const p = data.partnership;
    const linked = new Set(p.negotiations || []);
    this.candidates = negotiations.filter((n) => !linked.has(n.id) && sameParties(n.parties || [], p.parties || []));
    this.draw();
    if (!this.live) this.startLive();
    if (focus === 'heading') this.heading.focus({ preventScroll: true });
    else if (typeof focus === 'function') focus();
    else if (before) { const el = document.getElementById(before); if (el) el.focus({ preventScroll: true }); }
  }

  notFound() {
    document.title = 'Partnership not found — MRA';
    const heading = h('h1', { tabindex: '-1', id: 'page-title' }, 'Partnership not found');
    replace(this.root, heading,
      h('p', { id: 'pp-not-found' }, `There is no partnership here that ${this.party} takes part in.`),
      h('p', null, h('a', { href: '#/partnerships' }, 'Back to the partnerships')));
    heading.focus({ preventScroll: true });
  }

  draw() {
    const p = this.data.partnership;
    document.title = `${p.title} — Partnership — MRA`;
    setCrumbs(h('a', { href: '#/partnerships' }, 'Partnerships'), ' / ', h('span', null, p.title));
    this.heading = h('h1', { tabindex: '-1', id: 'page-title' }, p.title);
    this.actionErr = errorBox();
    this.actionErr.el.id = 'pp-error';
    const c = counts(p.stages);
    const others = (p.parties || []).filter((x) => x !== this.party);
    replace(this.root,
      h('div', { class: 'pp-head' },
        this.heading,
        h('p', { class: 'pp-meta' }, `${(p.parties || []).join(' · ')} · created by ${this.who(p.created_by)} on `, when(p.created_at)),
        h('p', { class: 'pp-where', id: 'pp-where' },
          h('strong', null, 'Now at '), currentText(p), ` · ${c.done} done, ${c.in_progress} in progress, ${c.not_started} not started`),
        h('div', { class: 'pp-refresh' },
          h('button', { type: 'button', class: 'small secondary', id: 'pp-reload', onclick: () => this.reload() }, 'Read again'),
          h('span', { class: 'muted', id: 'pp-read-at' }, ` Read at ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}. `,
            `Changes by ${others.join(', ') || 'others'} show as they happen.`))),
      this.actionErr.el,
      this.strip(p),
      h('div', { class: 'pp-body' },
        h('section', { class: 'pp-stages', 'aria-labelledby': 'pp-stages-h' },
          h('h2', { id: 'pp-stages-h' }, 'Stages'),
          h('ol', { class: 'pp-stage-list' }, (p.stages || []).map((s) => this.stageItem(p, s)))),
        this.negotiationsSection(p)));
  }

  async reload() {
    await this.load({ focus: () => { const b = document.getElementById('pp-reload'); if (b) b.focus(); } });
    if (this.shown && this.data) announce('Read again.');
  }

  // strip: the nine stages at a glance, the current one marked.
  strip(p) {
    return h('ol', { class: 'pp-strip', id: 'pp-strip', 'aria-label': 'Progress through the nine stages' },
      (p.stages || []).map((s) => {
        const cur = s.stage === p.current && s.status !== 'done';
        return h('li', { class: `pp-step pp-${s.status}${cur ? ' pp-is-current' : ''}`, dataset: { stage: s.stage, status: s.status }, 'aria-current': cur ? 'step' : null },
          h('span', { class: 'pp-step-mark', 'aria-hidden': 'true' }, STAGE_STATUS_MARK[s.status] || ''),
          h('span', { class: 'pp-step-name' }, `${STAGE_NUMBER[s.stage]}. ${STAGE_NAME[s.stage] || s.stage}`),
          h('span', { class: 'pp-step-status' }, cur ? `${STAGE_STATUS_LABEL[s.status]} · current` : STAGE_STATUS_LABEL[s.status] || s.status));
      }));
  }

  stageItem(p, s) {
    const [, name, about] = STAGES.find(([id]) => id === s.stage) || [s.stage, s.stage, ''];
    const cur = s.stage === p.current && s.status !== 'done';
    const headId = `pp-h-${s.stage}`;
    const status = h('p', { class: 'pp-status', id: `pp-status-${s.stage}`, tabindex: '-1' },
      h('span', { class: `pp-badge pp-${s.status}` }, h('span', { 'aria-hidden': 'true' }, `${STAGE_STATUS_MARK[s.status] || ''} `), STAGE_STATUS_LABEL[s.status] || s.status),
      s.by ? [` · marked by ${this.who(s.by)} (${s.party}) on `, when(s.at)] : ' · never marked');
    return h('li', { class: `pp-stage pp-${s.status}${cur ? ' pp-is-current' : ''}`, id: `pp-stage-${s.stage}`, dataset: { stage: s.stage, status: s.status, by: s.by || '' }, 'aria-current': cur ? 'step' : null },
      h('section', { 'aria-labelledby': headId },
        h('h3', { id: headId }, `${STAGE_NUMBER[s.stage]}. ${name}`, cur ? h('span', { class: 'pp-current-tag' }, ' Current stage') : null),
        h('p', { class: 'muted pp-about' }, about),
        status,
        this.contentLink(p, s),
        this.canMark ? this.markControl(s, name) : null,
        this.notesList(s, name),
        this.canNote ? this.noteArea(p, s, name) : null));
  }

  // contentLink leads to what belongs to a stage, on its own view: the
  // criteria side by side, or the stage's items (#/p/ID/criteria, /work).
  contentLink(p, s) {
    const base = `#/p/${encodeURIComponent(p.id)}`;
    if (s.stage === 'criteria') {
      const rows = (s.comparisons || []).reduce((n, c) => n + (c.rows || []).length, 0);
      const set = Object.keys(s.criteria || {}).length;
      return h('p', { class: 'pp-content' }, h('a', { href: `${base}/criteria`, id: 'pp-open-criteria' }, 'Compare the criteria side by side'),
        rows ? ` · ${rows} rows` : ` · ${set} of ${(p.parties || []).length} parties’ criteria set`);
    }
    if (!['evaluation', 'work_plan', 'benefits', 'validation', 'implementation'].includes(s.stage)) return null;
    const n = (s.items || []).length;
    const missing = s.stage === 'validation' && s.coverage && (s.coverage.missing || []).length
      ? ` · sectors still missing: ${s.coverage.missing.join(', ')}` : '';
    return h('p', { class: 'pp-content' }, h('a', { href: `${base}/work`, id: `pp-open-work-${s.stage}` },
      n ? `${n} item${n === 1 ? '' : 's'}` : 'Add items'), missing);
  }

  markControl(s, name) {
    const sel = select(STAGE_STATUS, s.status, { id: `pp-mark-${s.stage}`, class: 'pp-mark-select' });
    const err = errorBox();
    err.el.id = `pp-mark-error-${s.stage}`;
    const button = h('button', { type: 'button', class: 'small', id: `pp-mark-set-${s.stage}` }, 'Set status', h('span', { class: 'sr-only' }, ` of ${name}`));
    button.addEventListener('click', async () => {
      err.clear();
      this.actionErr.clear();
      const status = sel.value;
      button.disabled = true;
      try {
        await api.command('mark_stage', { partnership: this.id, stage: s.stage, status });
      } catch (e) {
        button.disabled = false;
        err.show(e);
        sel.focus();
        return;
      }
      await this.load({ focus: () => { const el = document.getElementById(`pp-status-${s.stage}`); if (el) el.focus(); } });
      if (!this.data) return;
      const p = this.data.partnership;
      announce(`${name} marked ${STAGE_STATUS_LABEL[status].toLowerCase()}. Now at ${currentText(p)}.`);
    });
    return h('div', { class: 'pp-mark' },
      h('label', { for: sel.id }, 'Status', h('span', { class: 'sr-only' }, ` of ${name}`)), sel, button, err.el);
  }

  notesList(s, name) {
    const notes = s.notes || [];
    if (!notes.length) return h('p', { class: 'muted pp-no-notes' }, 'No notes yet.');
    return h('ul', { class: 'pp-notes', 'aria-label': `Notes on ${name}` }, notes.map((n) => {
      const internal = n.visibility === 'internal';
      return h('li', { class: `pp-note ${internal ? 'internal' : 'shared'}`, id: `pp-note-${n.id}`, tabindex: '-1', dataset: { note: n.id, visibility: n.visibility } },
        h('p', { class: 'pp-note-head' },
          internal ? h('span', { class: 'pill internal' }, `Internal: only ${n.party} sees this`)
            : h('span', { class: 'pill shared' }, 'Shared with all parties'),
          ` ${this.who(n.author)} (${n.party}) · `, when(n.at)),
        h('p', { class: 'pp-note-body' }, n.body));
    }));
  }

  // noteArea: "Write a note" opens the stage's note form (built only when
  // asked for, so nine idle forms add no Tab stops); its visibility starts
  // internal, said in words on the form and its button.
  noteArea(p, s, name) {
    const d = this.drafts.get(s.stage);
    const open = h('button', { type: 'button', class: 'small', id: `pp-note-open-${s.stage}`, 'aria-expanded': d && d.open ? 'true' : 'false' }, 'Write a note', h('span', { class: 'sr-only' }, ` on ${name}`));
    const slot = h('div', { class: 'pp-note-slot' });
    const area = h('div', { class: 'pp-note-area' }, open, slot);
    const build = () => {
      const draft = this.drafts.get(s.stage) || { open: true, body: '', visibility: 'internal' };
      draft.open = true;
      this.drafts.set(s.stage, draft);
      open.hidden = true;
      open.setAttribute('aria-expanded', 'true');
      replace(slot, this.noteForm(p, s, name, draft, () => {
        this.drafts.delete(s.stage);
        replace(slot);
        open.hidden = false;
        open.setAttribute('aria-expanded', 'false');
        open.focus();
      }));
      return slot.querySelector('textarea');
    };
    open.addEventListener('click', () => build().focus());
    if (d && d.open) build();
    return area;
  }

  noteForm(p, s, name, draft, close) {
    const others = (p.parties || []).filter((x) => x !== this.party);
    const all = [...p.parties || []].sort().join(' and ');
    const body = h('textarea', { id: `pp-note-body-${s.stage}`, rows: '3', maxlength: '20000', required: true, value: draft.body });
    const vis = radios(`pp-vis-${s.stage}`, [
      ['internal', `Internal: only ${this.party} sees this`, 'our own assessment (the default)'],
      ['shared', 'Shared with all parties', `${others.join(', ')} will see it too`],
    ], draft.visibility);
    const audience = h('p', { class: 'audience pp-audience', id: `pp-audience-${s.stage}` });
    const err = errorBox();
    err.el.id = `pp-note-error-${s.stage}`;
    const submit = h('button', { type: 'submit', class: 'primary small', id: `pp-note-submit-${s.stage}` });
    const cancel = h('button', { type: 'button', class: 'small secondary', id: `pp-note-cancel-${s.stage}`, onclick: close }, 'Cancel');
    const form = h('form', { class: 'pp-note-form composer', id: `pp-note-form-${s.stage}`, 'aria-label': `Note on ${name}`, novalidate: true },
      field(`Note on ${name}`, body),
      h('fieldset', { class: 'vis-choice' }, h('legend', null, 'Who will see it'), vis.el),
      audience, err.el, h('div', { class: 'buttons' }, submit, cancel));
    const show = () => {
      const v = vis.value();
      draft.visibility = v;
      form.classList.toggle('vis-internal', v === 'internal');
      form.classList.toggle('vis-shared', v === 'shared');
      audience.textContent = v === 'internal' ? `Only ${this.party} will see this.` : `${all} will see this.`;
      submit.textContent = v === 'internal' ? `Post internal note (${this.party} only)` : 'Post shared note (all parties)';
    };
    for (const input of vis.inputs.values()) input.addEventListener('change', show);
    body.addEventListener('input', () => { draft.body = body.value; });
    show();
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !body.value.trim()) { e.preventDefault(); close(); } });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.clear();
      const text = body.value.trim();
      if (!text) { err.show('Write the note first.'); body.focus(); return; }
      const visibility = vis.value();
      submit.disabled = true;
      let r;
      try {
        r = await api.command('stage_note', { partnership: this.id, stage: s.stage, visibility, body: text });
      } catch (e2) {
        submit.disabled = false;
        err.show(e2);
        body.focus();
        return;
      }
      this.drafts.delete(s.stage);
      await this.load({ focus: () => { const el = document.getElementById(`pp-note-${r.note}`); if (el) el.focus(); } });
      announce(visibility === 'internal' ? `Internal note posted on ${name}: only ${this.party} sees it.` : `Shared note posted on ${name}.`);
    });
    return form;
  }

  // negotiationsSection lists the linked negotiations with their status,
  // and which one's signed text is in force (the read's `in_force`: signed,
  // and not replaced by a signed amendment among them).
  negotiationsSection(p) {
    const negs = this.data.negotiations || [];
    const inForce = this.data.in_force || null;
    const signed = new Set(negs.filter((n) => n.status === 'signed').map((n) => n.id));
    const forced = negs.find((n) => n.id === inForce);
    const list = negs.length
      ? h('ul', { class: 'pp-negotiations', id: 'pp-negotiations' }, negs.map((n) => {
        const replaced = n.id !== inForce && (n.amended_by || []).some((a) => signed.has(a));
        return h('li', { dataset: { negotiation: n.id, status: n.status }, class: n.id === inForce ? 'pp-in-force' : null },
          h('a', { href: `#/n/${encodeURIComponent(n.id)}`, id: `pp-neg-${n.id}` }, n.title), ' ',
          h('span', { class: `badge st-${n.status}` }, STATUS_LABEL[n.status] || n.status),
          n.id === inForce ? h('span', { class: 'pill pp-force-pill' }, 'In force') : null,
          replaced ? h('span', { class: 'pill pp-replaced-pill' }, 'Replaced by an amendment') : null,
          h('span', { class: 'muted' }, ` · ${n.latest_version ? `version ${n.latest_version}` : 'no version yet'}`));
      }))
      : h('p', { class: 'muted', id: 'pp-negotiations-none' }, 'No negotiation linked yet.');
    // the signing record of the text in force, and its next periodic review
    const record = forced && h('a', { id: 'pp-signing-record',
      href: `/api/negotiations/${encodeURIComponent(forced.id)}/export?kind=record&format=html` }, 'signing record');
    const review = forced && (forced.review_due
      ? (forced.review_overdue ? h('strong', { class: 'pill overdue' }, `Review overdue since ${forced.review_due}`) : `Next review due ${forced.review_due}`)
      : 'No periodic review scheduled');
    const force = forced
      ? h('p', { class: 'pp-force', id: 'pp-in-force' }, h('strong', null, 'Text in force: '),
        h('a', { href: `#/n/${encodeURIComponent(forced.id)}` }, forced.title),
        forced.latest_version ? `, signed version ${forced.latest_version}` : '', ' (', record, '). ', review, '.')
      : h('p', { class: 'muted pp-force', id: 'pp-in-force' }, 'No text in force yet: none of the linked negotiations is signed.');
    return h('section', { class: 'pp-links card', 'aria-labelledby': 'pp-links-h' },
      h('h2', { id: 'pp-links-h' }, 'Negotiations'),
      h('p', { class: 'muted' }, 'The texts negotiated for this partnership, with their status.'),
      force,
      list,
      this.canMark ? this.linkForm(p) : null);
  }

  linkForm(p) {
    if (!this.candidates.length) {
      return h('p', { class: 'muted', id: 'pp-link-none' }, `No other negotiation of ${(p.parties || []).join(' · ')} to link. A negotiation with exactly these parties can be linked once it exists.`);
    }
    const sel = select(this.candidates.map((n) => [n.id, `${n.title} (${STATUS_LABEL[n.status] || n.status})`]), this.candidates[0].id, { id: 'pp-link-select' });
    const err = errorBox();
    err.el.id = 'pp-link-error';
    const submit = h('button', { type: 'submit', class: 'small', id: 'pp-link-submit' }, 'Link negotiation');
    const form = h('form', { class: 'pp-link-form', id: 'pp-link-form', 'aria-label': 'Link a negotiation' },
      field('Negotiation to link', sel, `Negotiations of ${(p.parties || []).join(' · ')} not linked yet.`), err.el, submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.clear();
      const neg = sel.value;
      const title = (this.candidates.find((n) => n.id === neg) || {}).title || neg;
      submit.disabled = true;
      try {
        await api.command('link_negotiation', { partnership: this.id, negotiation: neg });
      } catch (e2) {
        submit.disabled = false;
        err.show(e2);
        sel.focus();
        return;
      }
      await this.load({ focus: () => { const el = document.getElementById(`pp-neg-${neg}`); if (el) el.focus(); } });
      announce(`Negotiation “${title}” linked.`);
    });
    return form;
  }
}
