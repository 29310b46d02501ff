// items.js: what belongs to a partnership's stages (#/p/ID/work;
// server/README "What belongs to the stages"): the evaluation's four
// prerequisites per partner program (met or not yet, with the evidence)
// and its other factors, the joint work plan's steps, the benefits and who
// agreed them, the validation observations by sector with the sectors
// still missing, and the implementation's procedures. A negotiator adds
// each kind (add_item), ticks steps and procedures done and sets a
// prerequisite met with its evidence (update_item, or add_item the first
// time), and agrees a benefit for its party (agree_item); everyone else
// reads. Partnerships have no live events: the view reads GET
// /api/partnerships/{id} again after each command and keeps the focus on
// what the action touched.

import { api } from './api.js';
import { h, replace, errorBox, field, select, announce, describeError, nextId } from './dom.js';
import { stagesNotFound, stagesCrumbs, partyNames, partyLabel } from './criteria.js';

const PREREQUISITES = [
  ['operational_program', 'An operational program'],
  ['validation_process', 'A validation process'],
  ['security_component', 'A security component (minimum criteria)'],
  ['cmaa', 'A customs mutual assistance agreement (CMAA)'],
];
const FACTORS = [['trade_volume', 'Trade volume'], ['maturity', 'Maturity of the program'], ['risk', 'Risk'], ['other', 'Other']];
const SECTORS = [['importer', 'Importer'], ['consolidator', 'Consolidator'], ['carrier', 'Carrier'], ['exporter', 'Exporter'],
  ['manufacturer', 'Manufacturer'], ['broker', 'Broker'], ['warehouse', 'Warehouse'], ['other', 'Other']];
const label = (pairs, v) => (pairs.find(([k]) => k === v) || [v, v])[1];

const has = (user, role) => (user.roles || []).includes(role);

// andList joins words as a sentence does: "a", "a and b", "a, b and c".
function andList(words) {
  if (words.length < 2) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

export function showWork(app, main, id) {
  const v = new WorkView(app, main, id);
  v.load();
  return v;
}

class WorkView {
  constructor(app, main, id) {
    this.app = app;
    this.main = main;
    this.id = id;
    this.party = app.user.party;
    this.neg = has(app.user, 'negotiator');
    this.parties = {};
    this.heading = h('h1', { tabindex: '-1', id: 'page-title' }, 'Work on the stages');
    this.err = errorBox();
    this.err.el.id = 'work-error';
    this.slots = {};
    const section = (stage, title, intro) => {
      this.slots[stage] = h('div', { class: 'stage-items' }, h('p', { class: 'loading' }, 'Loading…'));
      this.slots[stage + '-form'] = h('div');
      return h('section', { class: 'card stages-section', id: `stage-${stage}`, 'aria-labelledby': `stage-${stage}-h` },
        h('h2', { id: `stage-${stage}-h` }, title), h('p', { class: 'muted' }, intro), this.slots[stage], this.slots[stage + '-form']);
    };
    this.root = h('div', { class: 'page stages-page work-page' },
      h('p', { class: 'stages-crumb' }, h('a', { href: `#/p/${encodeURIComponent(id)}`, id: 'stages-back' }, 'Back to the partnership')),
      this.heading, this.err.el,
      section('evaluation', 'Evaluation', 'The four prerequisites of mutual recognition, for each partner’s program, and the other factors weighed.'),
      section('work_plan', 'Joint work plan', 'The steps agreed, who does each, and by when.'),
      section('benefits', 'Benefits', 'What each side’s certified traders get; a benefit stands once every party agrees it.'),
      section('validation', 'Validation observations', 'Joint visits to certified companies, by sector.'),
      section('implementation', 'Implementation', 'The procedures for sharing information, once the arrangement is signed.'));
    document.title = 'Work on the stages — MRA';
    stagesCrumbs(id, '', 'Work on the stages');
    replace(main, this.root);
    this.heading.focus({ preventScroll: true });
  }

  get shown() { return this.main.contains(this.heading); }

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
    this.stages = Object.fromEntries((this.p.stages || []).map((s) => [s.stage, s]));
    this.render();
    if (focus) focus();
  }

  items(stage, kind) {
    return ((this.stages[stage] || {}).items || []).filter((it) => !kind || it.kind === kind);
  }

  render() {
    document.title = `Work on the stages — ${this.p.title} — MRA`;
    this.heading.textContent = `Work on the stages: ${this.p.title}`;
    stagesCrumbs(this.id, this.p.title, 'Work on the stages');
    replace(this.slots.evaluation, this.evaluation());
    replace(this.slots.work_plan, this.workPlan());
    replace(this.slots.benefits, this.benefits());
    replace(this.slots.validation, this.validation());
    replace(this.slots.implementation, this.implementation());
    if (this.neg && !this.formsBuilt) {
      this.formsBuilt = true;
      replace(this.slots['evaluation-form'], this.factorForm());
      replace(this.slots['work_plan-form'], this.stepForm());
      replace(this.slots['benefits-form'], this.benefitForm());
      replace(this.slots['validation-form'], this.observationForm());
      replace(this.slots['implementation-form'], this.procedureForm());
    }
  }

  focusItem(id, sel) {
    return () => {
      const el = this.root.querySelector(`[data-item="${CSS.escape(id)}"]`);
      const want = el && (sel ? el.querySelector(sel) : el);
      if (want) want.focus();
    };
  }

  // act sends a command from a control outside the add forms (a checkbox,
  // Agree, a prerequisite's Save), reads the partnership again and puts
  // the focus back; a refusal is shown in the error place inside where (a
  // selector), else at the top, and read out.
  async act(type, item, focus, said, where) {
    this.err.clear();
    let failed = null;
    try {
      await api.command(type, { partnership: this.id, item });
    } catch (err) {
      failed = err;
    }
    await this.load(focus);
    if (!failed) {
      announce(said);
      return true;
    }
    const box = where && this.root.querySelector(`${where} .error`);
    if (box) {
      box.removeAttribute('role'); // drawn anew by the read: said once, below
      box.textContent = describeError(failed);
      box.hidden = false;
    } else {
      this.err.show(failed);
    }
    announce(describeError(failed));
    return false;
  }

  // ---- evaluation ----

  evaluation() {
    const prereqs = this.items('evaluation', 'prerequisite');
    const programs = this.p.parties;
    const grid = h('table', { class: 'prereq-grid', id: 'prerequisites' },
      h('caption', null, 'The four prerequisites, per partner program'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Prerequisite'),
        programs.map((party) => h('th', { scope: 'col' }, partyLabel(this.parties, party))))),
      h('tbody', null, PREREQUISITES.map(([key, name]) => h('tr', null,
        h('th', { scope: 'row' }, name),
        programs.map((party) => this.prereqCell(party, key, name, prereqs.find((it) => it.program === party && it.prerequisite === key)))))));
    const factors = this.items('evaluation', 'factor');
    return [grid,
      h('h3', null, 'Other factors'),
      factors.length ? h('ul', { class: 'items', id: 'factors' }, factors.map((it) => h('li', { dataset: { item: it.id }, tabindex: '-1' },
        h('strong', null, label(FACTORS, it.factor)), ': ', it.text, h('span', { class: 'muted' }, ` · ${it.party}`), ' ', this.edit(it, 'factor'))))
        : h('p', { class: 'empty' }, 'No factor noted yet.')];
  }

  prereqCell(party, key, name, it) {
    const prog = partyLabel(this.parties, party);
    const state = it && it.met ? 'Met' : 'Not yet';
    const words = h('p', { class: `prereq-state ${it && it.met ? 'met' : 'not-met'}` }, h('strong', null, state),
      it && it.evidence ? h('span', { class: 'prereq-evidence' }, ` · Evidence: ${it.evidence}`) : null);
    const cell = h('td', { dataset: { program: party, prerequisite: key, item: it ? it.id : null } }, words);
    if (!this.neg) return cell;
    const what = `${prog}: ${name.charAt(0).toLowerCase()}${name.slice(1)}`;
    const met = h('input', { type: 'checkbox', class: 'prereq-met', checked: !!(it && it.met) });
    const evidence = h('input', { type: 'text', id: nextId('evidence'), class: 'prereq-evidence-input', value: (it && it.evidence) || '' });
    const err = errorBox();
    const save = h('button', { type: 'submit', class: 'small', 'aria-label': `Save ${what}` }, 'Save');
    const form = h('form', { class: 'prereq-form' },
      h('label', { class: 'check' }, met, h('span', null, 'Met'), h('span', { class: 'sr-only' }, `: ${what}`)),
      h('label', { class: 'prereq-evidence-label', for: evidence.id }, 'Evidence', h('span', { class: 'sr-only' }, ` for ${what}`)), evidence, save, err.el);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      save.disabled = true;
      const item = it ? { id: it.id, met: met.checked, evidence: evidence.value }
        : { kind: 'prerequisite', program: party, prerequisite: key, met: met.checked, evidence: evidence.value };
      const where = `td[data-program="${CSS.escape(party)}"][data-prerequisite="${key}"]`;
      const focus = () => {
        const cb = this.root.querySelector(`${where} .prereq-met`);
        if (cb) cb.focus();
      };
      this.act(it ? 'update_item' : 'add_item', item, focus, `${what}: ${met.checked ? 'met' : 'not yet'}.`, where)
        .finally(() => { save.disabled = false; });
    });
    cell.append(form);
    return cell;
  }

  factorForm() {
    const factor = select(FACTORS, 'trade_volume', { id: 'factor-kind' });
    const text = h('textarea', { id: 'factor-text', rows: '2', required: true });
    return this.addForm('factor', 'Note a factor', [field('Factor', factor), field('What was found', text)], text,
      () => ({ kind: 'factor', factor: factor.value, text: text.value }), [text], 'Factor noted.');
  }

  // ---- work plan ----

  workPlan() {
    const steps = this.items('work_plan', 'step');
    if (!steps.length) return h('p', { class: 'empty' }, 'No step planned yet.');
    return h('table', { class: 'items-table', id: 'steps' },
      h('caption', { class: 'sr-only' }, 'The steps of the joint work plan'),
      h('thead', null, h('tr', null, ['Step', 'Owner', 'Due', 'Done'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, steps.map((it) => h('tr', { dataset: { item: it.id }, tabindex: '-1', class: it.done ? 'done' : '' },
        h('td', null, h('span', { class: 'step-text' }, it.text), ' ', this.edit(it, 'step')), h('td', null, it.owner || ''), h('td', null, it.due || h('span', { class: 'muted' }, 'no date')),
        h('td', null, this.doneBox(it))))));
  }

  // doneBox is a step's or procedure's done: a checkbox for a negotiator,
  // the words for everyone else.
  doneBox(it) {
    if (!this.neg) return h('span', { class: it.done ? 'is-done' : 'not-done' }, it.done ? 'Done' : 'Not done');
    const cb = h('input', { type: 'checkbox', class: 'done-box', checked: !!it.done, 'aria-label': `Done: ${it.text}` });
    cb.addEventListener('change', () => {
      cb.disabled = true;
      this.act('update_item', { id: it.id, done: cb.checked }, this.focusItem(it.id, '.done-box'),
        `${cb.checked ? 'Done' : 'Not done'}: ${it.text}.`);
    });
    return h('label', { class: 'check' }, cb, h('span', null, 'Done'));
  }

  stepForm() {
    const text = h('textarea', { id: 'step-text', rows: '2', required: true });
    const owner = select(this.p.parties.map((p) => [p, partyLabel(this.parties, p)]), this.party, { id: 'step-owner' });
    const due = h('input', { type: 'date', id: 'step-due' });
    return this.addForm('step', 'Add a step', [field('Step', text), field('Owner', owner), field('Due (optional)', due)], text,
      () => ({ kind: 'step', text: text.value, owner: owner.value, ...(due.value ? { due: due.value } : {}) }), [text, due], 'Step added.');
  }

  // ---- benefits ----

  benefits() {
    const list = this.items('benefits', 'benefit');
    if (!list.length) return h('p', { class: 'empty' }, 'No benefit proposed yet.');
    const all = this.p.parties;
    return h('ul', { class: 'items', id: 'benefits' }, list.map((it) => {
      const agreed = it.agreed_by || [];
      const waiting = all.filter((p) => !agreed.includes(p));
      const full = waiting.length === 0;
      return h('li', { dataset: { item: it.id, agreed: full ? 'all' : '' }, tabindex: '-1', class: full ? 'agreed' : '' },
        h('p', { class: 'benefit-text' }, it.text, ' ', this.edit(it, 'benefit')),
        h('p', { class: 'benefit-state' },
          full ? h('span', { class: 'pill status-agreed' }, 'Agreed') : h('span', { class: 'pill status-open' }, 'Not yet agreed'), ' ',
          `Agreed by ${andList(agreed)}`, full ? ' (all parties).' : `; waiting for ${andList(waiting)}.`),
        this.neg && !agreed.includes(this.party)
          ? h('button', { type: 'button', class: 'small agree', 'aria-label': `Agree as ${this.party}: ${it.text}`,
            onclick: () => this.act('agree_item', { id: it.id }, this.focusItem(it.id), `${this.party} agreed: ${it.text}.`) }, 'Agree')
          : null);
    }));
  }

  benefitForm() {
    const text = h('textarea', { id: 'benefit-text', rows: '2', required: true });
    return this.addForm('benefit', 'Propose a benefit', [field('Benefit', text, `Agreed by ${this.party} when added; the other parties agree it in turn.`)], text,
      () => ({ kind: 'benefit', text: text.value }), [text], 'Benefit added.');
  }

  // ---- validation ----

  validation() {
    const obs = this.items('validation', 'observation');
    const cov = (this.stages.validation || {}).coverage;
    const coverage = h('p', { id: 'coverage', class: cov && !(cov.missing || []).length ? 'notice' : 'notice warn' }, this.coverageWords());
    const sectors = SECTORS.filter(([s]) => obs.some((it) => it.sector === s));
    return [coverage,
      sectors.length ? sectors.map(([s, name]) => {
        const these = obs.filter((it) => it.sector === s);
        return h('div', { class: 'sector', dataset: { sector: s } },
          h('h3', null, `${name} (${these.length})`),
          h('ul', { class: 'items' }, these.map((it) => h('li', { dataset: { item: it.id }, tabindex: '-1' },
            h('p', null, h('strong', null, it.date), it.place ? ` · ${it.place}` : '', ` · observed by ${it.observer}`),
            h('p', null, 'Findings: ', it.findings),
            it.outcome ? h('p', null, 'Outcome: ', it.outcome) : null, this.edit(it, 'observation')))));
      }) : h('p', { class: 'empty' }, 'No observation yet.')];
  }

  // coverageWords says which of the sectors every partnership must cover
  // no observation covers yet, and the count of each sector observed.
  coverageWords() {
    const cov = (this.stages.validation || {}).coverage || { by_sector: {}, missing: ['importer', 'consolidator', 'carrier'] };
    const missing = cov.missing || [];
    const seen = SECTORS.filter(([s]) => (cov.by_sector || {})[s]).map(([s, name]) => `${name.toLowerCase()} ${cov.by_sector[s]}`);
    return (missing.length ? `Still missing: ${andList(missing.map((s) => label(SECTORS, s).toLowerCase()))}. Importer, consolidator and carrier each need an observation.`
      : 'Importer, consolidator and carrier are each covered.') + (seen.length ? ` Observed so far: ${seen.join(', ')}.` : '');
  }

  observationForm() {
    const date = h('input', { type: 'date', id: 'obs-date', required: true });
    const place = h('input', { id: 'obs-place' });
    const sector = select(SECTORS, 'importer', { id: 'obs-sector' });
    const observer = select(this.p.parties.map((p) => [p, partyLabel(this.parties, p)]), this.party, { id: 'obs-observer' });
    const findings = h('textarea', { id: 'obs-findings', rows: '3', required: true });
    const outcome = h('input', { id: 'obs-outcome' });
    return this.addForm('observation', 'Record an observation',
      [field('Date', date), field('Place (optional)', place), field('Sector', sector), field('Observer', observer), field('Findings', findings), field('Outcome (optional)', outcome)],
      date, () => ({ kind: 'observation', date: date.value, sector: sector.value, observer: observer.value, findings: findings.value,
        ...(place.value.trim() ? { place: place.value } : {}), ...(outcome.value.trim() ? { outcome: outcome.value } : {}) }),
      [place, findings, outcome], () => `Observation recorded. ${this.coverageWords()}`, () => {
        if (!date.value) return [date, 'Give the date of the visit.'];
        if (!findings.value.trim()) return [findings, 'Write the findings.'];
        return null;
      });
  }

  // ---- implementation ----

  implementation() {
    const list = this.items('implementation', 'procedure');
    if (!list.length) return h('p', { class: 'empty' }, 'No procedure listed yet.');
    return h('ul', { class: 'items', id: 'procedures' }, list.map((it) => h('li', { dataset: { item: it.id }, tabindex: '-1', class: it.done ? 'done' : '' },
      h('span', { class: 'procedure-text' }, it.text), ' ', this.doneBox(it), ' ', this.edit(it, 'procedure'))));
  }

  procedureForm() {
    const text = h('textarea', { id: 'procedure-text', rows: '2', required: true });
    return this.addForm('procedure', 'Add a procedure', [field('Procedure', text)], text,
      () => ({ kind: 'procedure', text: text.value }), [text], 'Procedure added.');
  }

  // ---- changing an item ----

  // edit is an item's "Change" for a negotiator, or, while it is being
  // changed, the form with the fields its kind may change (update_item).
  edit(it, kind) {
    if (!this.neg) return null;
    const what = it.text || it.findings || '';
    if (this.editing !== it.id) {
      return h('button', { type: 'button', class: 'link small item-edit', 'aria-label': `Change ${kind}: ${what}`,
        onclick: () => { this.editing = it.id; this.render(); this.focusItem(it.id, '.item-edit-form textarea, .item-edit-form input')(); } }, 'Change');
    }
    const fields = [];
    const get = [];
    const text = (name, labelText, value, required) => {
      const c = h('textarea', { rows: '2', class: `edit-${name}`, value: value || '', required: required || null });
      fields.push(field(labelText, c));
      get.push(() => ({ [name]: c.value }));
      return c;
    };
    if (kind === 'observation') {
      const place = h('input', { class: 'edit-place', value: it.place || '' });
      fields.push(field('Place', place));
      get.push(() => ({ place: place.value }));
      text('findings', 'Findings', it.findings, true);
      const outcome = h('input', { class: 'edit-outcome', value: it.outcome || '' });
      fields.push(field('Outcome', outcome));
      get.push(() => ({ outcome: outcome.value }));
    } else {
      text('text', { factor: 'What was found', step: 'Step', benefit: 'Benefit', procedure: 'Procedure' }[kind], it.text, true);
    }
    if (kind === 'step') {
      const owner = select(this.p.parties.map((p) => [p, partyLabel(this.parties, p)]), it.owner || this.party, { class: 'edit-owner' });
      const due = h('input', { type: 'date', class: 'edit-due', value: it.due || '' });
      fields.push(field('Owner', owner), field('Due', due));
      get.push(() => ({ owner: owner.value, ...(due.value ? { due: due.value } : {}) }));
    }
    const err = errorBox();
    const close = () => { this.editing = null; this.render(); this.focusItem(it.id, '.item-edit')(); };
    const form = h('form', { class: 'item-edit-form', 'aria-label': `Change ${kind}` },
      fields,
      kind === 'benefit' && (it.agreed_by || []).length > 1 ? h('p', { class: 'hint' }, `New words must be agreed again: only ${this.party} stands by them at first.`) : null,
      err.el,
      h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary small item-edit-save' }, 'Save the change'),
        h('button', { type: 'button', class: 'secondary small', onclick: close }, 'Cancel')));
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); close(); } });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.clear();
      const item = Object.assign({ id: it.id }, ...get.map((g) => g()));
      try {
        await api.command('update_item', { partnership: this.id, item });
      } catch (e2) {
        err.show(e2);
        return;
      }
      this.editing = null;
      await this.load(this.focusItem(it.id));
      announce(`The ${kind} is changed.`);
    });
    return form;
  }

  // ---- the add forms ----

  // addForm builds a negotiator's form that adds an item of kind: fields,
  // the first control (the focus goes back there on a refusal), the item
  // to send, the controls to clear once added and what to announce. check
  // may return [control, message] for what the page can say itself.
  addForm(kind, title, fields, first, item, clear, said, check) {
    const err = errorBox();
    err.el.id = `add-${kind}-error`;
    const submit = h('button', { type: 'submit', class: 'primary small', id: `add-${kind}` }, title);
    const form = h('form', { class: 'add-item', id: `add-${kind}-form`, 'aria-label': title }, fields, err.el, h('div', { class: 'buttons' }, submit));
    const box = h('details', { class: 'add-item-box', dataset: { kind } }, h('summary', null, title), form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.clear();
      const bad = check ? check() : (!first.value.trim() ? [first, 'This field is required.'] : null);
      if (bad) { err.show(bad[1]); bad[0].focus(); return; }
      submit.disabled = true;
      try {
        const res = await api.command('add_item', { partnership: this.id, item: item() });
        for (const c of clear) c.value = '';
        const id = res && res.item && res.item.id;
        await this.load(id ? this.focusItem(id) : null);
        announce(typeof said === 'function' ? said() : said);
      } catch (e2) {
        err.show(e2);
        first.focus();
      } finally {
        submit.disabled = false;
      }
    });
    return box;
  }
}
