// options.js: bracket options (server/README "Bracket options"). Under a
// shared open issue's card: its options, each as a small redline against
// the issue's present words, with who offered and who accepted it, its
// status in words (open, agreed, conditional on its package, withdrawn,
// incorporated in version N) and its rationale thread (the note the server
// opened with it: its messages and a reply form); "Offer an option",
// "Accept", "Withdraw acceptance" and "Withdraw option" as the rules allow.
// The threads panel's "Packages" section lists the packages ("nothing is
// agreed until everything is agreed") and links open options into one.
// Every form is built only when asked for (idle forms in many cards make the
// browser's form scanning slow), and a live render leaves an open form and
// the focus alone.

import { h, replace, update, errorBox, field, nextId, when, announce } from './dom.js';
import { wordDiff } from './redline.js';

const MAX_OPTIONS = 20; // an issue holds at most 20 options
const MAX_TEXT = 20000;

// optionRules says what this user may do with options (the server checks
// again): negotiators act, while the negotiation is not signed, on options
// of a shared issue that is open and options that are still open or agreed.
export function optionRules(room) {
  const user = room.user;
  const neg = (user.roles || []).includes('negotiator') && !room.st.frozen;
  const issueOpen = (t) => !!t && t.kind === 'open_issue' && t.visibility === 'shared' && t.status === 'open';
  const live = (o) => o.status === 'open' || o.status === 'agreed';
  return {
    offer: (t) => neg && issueOpen(t) && room.st.optionsOf(t.id).length < MAX_OPTIONS,
    accept: (o, t) => neg && issueOpen(t) && live(o) && !o.accepted_by.includes(user.party),
    unaccept: (o, t) => neg && issueOpen(t) && live(o) && o.accepted_by.includes(user.party),
    withdraw: (o, t) => neg && issueOpen(t) && live(o) && o.party === user.party,
    link: (o) => neg && live(o) && !o.package && issueOpen(room.st.threads.get(o.thread)),
  };
}

// optionLabel names an option by its place among its issue's options:
// "Option A", "Option B", … (withdrawn ones keep their letters).
export function optionLabel(st, o) {
  const i = st.optionsOf(o.thread).findIndex((x) => x.id === o.id);
  return `Option ${i < 26 ? String.fromCharCode(65 + i) : i + 1}`;
}

// lower starts a label with a small letter: "option A".
const lower = (s) => s.charAt(0).toLowerCase() + s.slice(1);

// cut shortens s to n code points, with "…".
function cut(s, n) {
  const cps = [...(s || '')];
  return cps.length > n ? cps.slice(0, n).join('') + '…' : s || '';
}

// list joins names: "US", "SG and US", "EX, SG and US".
function list(xs) {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

// smallRedline draws an option's words against the issue's present words
// (the page's word diff: these are a few lines), insertions and deletions
// also said in words for screen readers.
export function smallRedline(from, to) {
  const el = h('div', { class: 'opt-redline' });
  if (to === '') {
    el.append(h('span', { class: 'muted' }, 'Deletes the words: '), h('del', null, h('span', { class: 'sr-only' }, ' [deleted: '), from, h('span', { class: 'sr-only' }, '] ')));
    return el;
  }
  if (from === to) { el.append(h('span', { class: 'muted' }, 'The present words, unchanged: '), to); return el; }
  for (const op of wordDiff(from, to)) {
    if (op.op === 'equal') el.append(op.text);
    else {
      const ins = op.op === 'insert';
      el.append(h(ins ? 'ins' : 'del', null, h('span', { class: 'sr-only' }, ins ? ' [inserted: ' : ' [deleted: '), op.text, h('span', { class: 'sr-only' }, '] ')));
    }
  }
  return el;
}

// statusText says where an option stands, in words.
export function statusText(st, o, me) {
  const parties = st.meta.parties || [];
  if (o.status === 'incorporated') return `Incorporated in version ${o.version}`;
  if (o.status === 'withdrawn') return 'Withdrawn';
  if (o.status === 'agreed') return 'Agreed by every party';
  const k = st.packages.get(o.package);
  if (o.conditional && k) {
    const waits = packageWaits(st, k, me);
    return `Conditional: part of package “${packageTitle(k)}”${waits.length ? `: waiting for ${waits.join('; ')}` : ''}`;
  }
  const missing = parties.filter((p) => !o.accepted_by.includes(p)).map((p) => (p === me ? `us (${p})` : p));
  return missing.length ? `Open: waiting for ${list(missing)} to accept it` : 'Open';
}

function packageTitle(k) { return k.title || `Package ${k.id}`; }

// packageWaits lists who must still accept which member of a package:
// "US to accept option B on “…”".
function packageWaits(st, k, me) {
  const parties = st.meta.parties || [];
  const out = [];
  for (const id of k.options) {
    const m = st.options.get(id);
    if (!m) continue;
    const missing = parties.filter((p) => !m.accepted_by.includes(p)).map((p) => (p === me ? `us (${p})` : p));
    if (!missing.length) continue;
    const issue = st.threads.get(m.thread);
    out.push(`${list(missing)} to accept ${lower(optionLabel(st, m))}${issue && issue.anchor ? ` on “${cut(issue.anchor.quote, 40)}”` : ''}`);
  }
  return out;
}

// OptionsBlock is the options part of one open issue's card.
export class OptionsBlock {
  constructor(card) {
    this.card = card;
    this.room = card.panel.room;
    this.sig = '';
    this.items = new Map(); // option id → OptionItem
    this.headId = nextId('opts');
    this.list = h('ol', { class: 'opt-list' });
    this.offerBtn = h('button', { type: 'button', class: 'small', dataset: { opt: 'offer-option' }, onclick: () => this.openOffer() }, 'Offer an option');
    this.heading = h('h4', { class: 'opt-h', id: this.headId });
    this.err = errorBox();
    this.offer = null; // the offer form, built when first asked for
    this.el = h('section', { class: 'opt-block', 'aria-labelledby': this.headId, hidden: true },
      this.heading, this.list, h('div', { class: 'opt-actions' }, this.offerBtn), this.err.el);
  }

  update(t) {
    const st = this.room.st;
    const opts = st.optionsOf(t.id);
    const rules = optionRules(this.room);
    const show = t.kind === 'open_issue' && t.visibility === 'shared' && (opts.length > 0 || rules.offer(t));
    this.el.hidden = !show;
    if (!show) return;
    // what this card shows: its options, and the acceptances of the other
    // members of their packages (never every option: each card asks)
    const pkgs = [...new Set(opts.map((o) => o.package).filter(Boolean))].map((id) => {
      const k = st.packages.get(id);
      return k ? [k.complete, k.options.map((m) => (st.options.get(m) || {}).accepted_by)] : 0;
    });
    const sig = JSON.stringify([t.status, t.anchor && t.anchor.quote, st.frozen, st.meta.parties, st.versions.length,
      opts.map((o) => [o.status, o.accepted_by, o.conditional, o.package, o.version, (st.threads.get(o.rationale) || { messages: [] }).messages.length]),
      pkgs]);
    if (sig === this.sig) return;
    this.sig = sig;
    const live = opts.filter((o) => o.status === 'open' || o.status === 'agreed').length;
    this.heading.textContent = opts.length === 0 ? 'Options: none offered yet'
      : `Options (${opts.length}${live !== opts.length ? `, ${live} standing` : ''})`;
    let prev = null;
    for (const o of opts) {
      let item = this.items.get(o.id);
      if (!item) { item = new OptionItem(this, o.id); this.items.set(o.id, item); }
      item.update(o, t);
      const want = prev ? prev.nextSibling : this.list.firstChild;
      if (item.el !== want) this.list.insertBefore(item.el, want);
      prev = item.el;
    }
    this.offerBtn.hidden = !rules.offer(t);
    if (this.offer && !this.offer.hidden && !rules.offer(t)) this.closeOffer();
  }

  // focusOption moves the focus to an option's item (after an action, or
  // from its rationale's highlight in the text).
  focusOption(id) {
    const item = this.items.get(id);
    if (!item) return false;
    item.el.scrollIntoView({ block: 'nearest' });
    item.el.focus({ preventScroll: true });
    return true;
  }

  buildOffer() {
    if (this.offer) return;
    this.words = h('textarea', { rows: '4', class: 'opt-words', maxlength: String(MAX_TEXT) });
    this.why = h('textarea', { rows: '3', class: 'opt-why', required: true });
    this.draftLine = h('div', { class: 'opt-draft', 'aria-live': 'off' });
    this.offerErr = errorBox();
    this.words.addEventListener('input', () => this.drawDraft());
    this.offerSubmit = h('button', { type: 'submit', class: 'primary', dataset: { submit: 'offer-option' } }, 'Offer this option');
    const formH = nextId('offer-h');
    this.offer = h('form', { class: 'opt-offer', novalidate: true, hidden: true, 'aria-labelledby': formH },
      h('h5', { id: formH }, 'Offer an option'),
      h('p', { class: 'hint' }, 'An alternative wording for the words of this issue. Every party sees it; your party accepts it as you offer it. Leave the wording empty to offer deleting the words.'),
      field('Wording', this.words, 'It starts as the present words: change them.'),
      h('p', { class: 't-label' }, 'Against the present words:'), this.draftLine,
      field('Why this wording? (required)', this.why, 'The rationale opens the option’s own thread, which both sides can answer.'),
      this.offerErr.el,
      h('div', { class: 'buttons' }, this.offerSubmit, h('button', { type: 'button', class: 'secondary', onclick: () => this.cancelOffer() }, 'Cancel')));
    this.offer.addEventListener('submit', (e) => { e.preventDefault(); this.sendOffer(); });
    this.offer.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); this.cancelOffer(); } });
    this.err.el.before(this.offer);
  }

  openOffer() {
    const t = this.room.st.threads.get(this.card.id);
    this.buildOffer();
    this.words.value = t && t.anchor ? t.anchor.quote : '';
    this.why.value = '';
    this.offerErr.clear();
    this.drawDraft();
    this.offer.hidden = false;
    this.offerBtn.hidden = true;
    this.words.focus();
  }

  drawDraft() {
    const t = this.room.st.threads.get(this.card.id);
    const from = t && t.anchor ? t.anchor.quote : '';
    replace(this.draftLine, smallRedline(from, this.words.value));
  }

  closeOffer() {
    if (!this.offer) return;
    this.offer.hidden = true;
    this.offerBtn.hidden = false;
  }

  cancelOffer() {
    this.closeOffer();
    (this.offerBtn.hidden ? this.card.el : this.offerBtn).focus();
  }

  async sendOffer() {
    const room = this.room;
    const body = this.why.value;
    this.offerErr.clear();
    if (!body.trim()) { this.offerErr.show('Say why this wording: the rationale is required.'); this.why.focus(); return; }
    const t = room.st.threads.get(this.card.id);
    if (t && t.anchor && this.words.value === t.anchor.quote) { this.offerErr.show('Change the wording first: an option is other words than the present ones.'); this.words.focus(); return; }
    if ([...this.words.value].length > MAX_TEXT) { this.offerErr.show(`The wording is longer than ${MAX_TEXT.toLocaleString('en')} characters.`); this.words.focus(); return; }
    this.offerSubmit.disabled = true;
    try {
      const r = await room.run('add_option', { thread: this.card.id, text: this.words.value, body });
      this.closeOffer();
      this.card.el.focus({ preventScroll: true }); // while the option comes
      await room.settle(() => room.st.options.has(r.option));
      this.sig = '';
      room.render();
      const o = room.st.options.get(r.option);
      announce(`${o ? optionLabel(room.st, o) : 'The option'} offered.`);
      this.focusOption(r.option);
    } catch (err) {
      this.offerErr.show(err);
    } finally {
      this.offerSubmit.disabled = false;
    }
  }
}

// OptionItem is one option under its issue.
class OptionItem {
  constructor(block, id) {
    this.block = block;
    this.room = block.room;
    this.id = id;
    this.mode = '';
    const headId = nextId('opt');
    this.head = h('p', { class: 'opt-head', id: headId });
    this.status = h('p', { class: 'opt-status' });
    this.words = h('div', { class: 'opt-words-shown' });
    this.accepted = h('p', { class: 'opt-accepted' });
    this.msgs = h('ol', { class: 'opt-msgs' });
    this.actions = h('div', { class: 'opt-actions' });
    this.err = errorBox();
    this.form = null;
    this.rationaleHead = h('p', { class: 't-label' }, 'Rationale and replies:');
    this.el = h('li', { class: 'opt', tabindex: '-1', dataset: { option: id }, 'aria-labelledby': headId },
      this.head, this.status, this.words, this.accepted, this.rationaleHead, this.msgs, this.actions, this.err.el);
  }

  update(o, t) {
    const st = this.room.st;
    const me = this.room.user.party;
    const conditional = o.conditional && o.status === 'open'; // withdrawn and incorporated say so
    this.el.className = `opt o-${o.status}${conditional ? ' o-conditional' : ''}`;
    this.el.dataset.status = conditional ? 'conditional' : o.status;
    const pill = conditional ? 'Conditional' : { open: 'Open', agreed: 'Agreed', withdrawn: 'Withdrawn', incorporated: 'Incorporated' }[o.status] || o.status;
    replace(this.head, h('strong', null, optionLabel(st, o)), ' ',
      h('span', { class: `pill opt-pill o-${conditional ? 'conditional' : o.status}` }, pill),
      h('span', { class: 't-who' }, ` offered by ${o.party}`), ' · ', when(o.at));
    this.status.textContent = statusText(st, o, me);
    const present = t.anchor ? t.anchor.quote : '';
    update(this.words, JSON.stringify([o.status, present, o.text]), () => (o.status === 'incorporated' || !t.anchor
      ? [h('p', { class: 't-label' }, o.status === 'incorporated' ? 'Its words:' : 'Wording:'), h('blockquote', { class: 'quote' }, o.text === '' ? '(delete the words)' : `“${o.text}”`)]
      : [h('p', { class: 't-label' }, 'Against the present words:'), smallRedline(present, o.text)]));
    const parties = st.meta.parties || [];
    const missing = parties.filter((p) => !o.accepted_by.includes(p));
    this.accepted.textContent = `Accepted by ${o.accepted_by.length ? list(o.accepted_by) : 'no party'}` +
      (missing.length && (o.status === 'open' || o.status === 'agreed') ? `; not yet by ${list(missing)}.` : '.');
    const r = st.threads.get(o.rationale);
    const msgs = r ? r.messages : [];
    this.rationaleHead.hidden = !msgs.length;
    update(this.msgs, JSON.stringify(msgs.map((m) => m.id)), () => msgs.map((m, i) => h('li', null,
      h('p', { class: 'm-meta' }, h('strong', null, st.userName(m.author)), ` (${m.party})`, i === 0 ? ' · rationale · ' : ' · ', when(m.at)),
      h('p', { class: 'm-body' }, m.body))));
    const rules = optionRules(this.room);
    const may = this.room.may;
    const btn = (action, label, f) => h('button', { type: 'button', class: 'small', dataset: { opt: action }, onclick: f }, label);
    const key = JSON.stringify([rules.accept(o, t), rules.unaccept(o, t), rules.withdraw(o, t), !!r && may.reply(r)]);
    update(this.actions, key, () => [
      rules.accept(o, t) ? btn('accept-option', `Accept as ${me}`, () => this.act('accept_option')) : null,
      r && may.reply(r) ? btn('reply-rationale', 'Reply', () => this.openForm('reply')) : null,
      rules.unaccept(o, t) ? btn('withdraw-acceptance', 'Withdraw acceptance', () => this.openForm('withdraw_acceptance')) : null,
      rules.withdraw(o, t) ? btn('withdraw-option', 'Withdraw option', () => this.openForm('withdraw_option')) : null]);
    this.actions.hidden = !this.actions.firstChild;
    if (this.mode && !this.actions.querySelector(`[data-opt="${ACTION[this.mode]}"]`)) this.closeForm();
  }

  buildForm() {
    if (this.form) return;
    this.formLabel = h('label');
    this.text = h('textarea', { rows: '3', class: 'opt-text' });
    this.formLabel.htmlFor = this.text.id = nextId('opt-text');
    this.formSay = h('p', { class: 'hint' });
    this.formSubmit = h('button', { type: 'submit', class: 'primary' });
    this.form = h('form', { class: 'opt-form', hidden: true, novalidate: true }, this.formSay, this.formLabel, this.text,
      h('div', { class: 'buttons' }, this.formSubmit, h('button', { type: 'button', class: 'secondary', onclick: () => this.cancelForm() }, 'Cancel')));
    this.form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); this.cancelForm(); } });
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    this.err.el.before(this.form);
  }

  openForm(mode) {
    const me = this.room.user.party;
    const o = this.room.st.options.get(this.id);
    const name = o ? lower(optionLabel(this.room.st, o)) : 'the option';
    const forms = {
      reply: ['Reply to the rationale', 'Send reply', ''],
      withdraw_acceptance: ['Comment (optional)', `Withdraw ${me}’s acceptance`, `${me} will no longer accept ${name}; it can accept it again later.`],
      withdraw_option: ['Comment (optional)', 'Withdraw option', `Withdrawing ${name} ends it for every party${o && o.package ? ' and takes it out of its package' : ''}. It cannot be offered again as it is.`],
    };
    this.mode = mode;
    this.buildForm();
    const [label, submit, say] = forms[mode];
    this.formLabel.textContent = label;
    this.formSubmit.textContent = submit;
    this.formSubmit.dataset.submit = ACTION[mode];
    this.formSay.textContent = say;
    this.formSay.hidden = !say;
    this.text.required = mode === 'reply';
    this.text.value = '';
    this.form.hidden = false;
    this.err.clear();
    this.text.focus();
  }

  cancelForm() {
    const mode = this.mode;
    this.closeForm();
    (this.actions.querySelector(`[data-opt="${ACTION[mode]}"]`) || this.el).focus();
  }

  closeForm() {
    this.mode = '';
    if (this.form) { this.form.hidden = true; this.text.value = ''; }
  }

  async send() {
    const body = this.text.value;
    if (this.mode === 'reply') {
      if (!body.trim()) { this.err.show('Write a message first.'); this.text.focus(); return; }
      const o = this.room.st.options.get(this.id);
      await this.act('reply', { thread: o.rationale, body });
      return;
    }
    const fields = { option: this.id };
    if (body.trim()) fields.body = body;
    await this.act(this.mode, fields);
  }

  // act sends one command; the focus stays on this option (on the same
  // action if it is still offered, else its first action, else the item).
  async act(type, fields = { option: this.id }) {
    const room = this.room;
    this.err.clear();
    const buttons = [...this.el.querySelectorAll('button')];
    for (const b of buttons) b.disabled = true;
    let ok = false;
    try {
      const before = room.st.heads.shared;
      await room.run(type, fields);
      this.closeForm();
      this.el.focus({ preventScroll: true });
      ok = true;
      await room.settle(() => room.st.heads.shared > before);
    } catch (err) {
      this.err.show(err);
    } finally {
      for (const b of buttons) b.disabled = false;
      this.block.sig = '';
      room.render();
      if (ok) {
        const again = this.actions.querySelector(`[data-opt="${ACTION[type]}"]`) || this.actions.querySelector('button');
        (again || this.el).focus();
        const o = room.st.options.get(this.id);
        if (o && type !== 'reply') announce(`${optionLabel(room.st, o)}: ${statusText(room.st, o, room.user.party)}.`);
      } else if (!this.form || this.form.hidden) {
        this.el.focus();
      }
    }
  }
}

// ACTION maps a command (or form mode) to its button's data-opt.
const ACTION = {
  accept_option: 'accept-option', reply: 'reply-rationale',
  withdraw_acceptance: 'withdraw-acceptance', withdraw_option: 'withdraw-option',
};

// PackagesPanel is the threads panel's "Packages" section: every package
// with its members and whether it is complete, and the form that links
// open options of any issues into a new one.
export class PackagesPanel {
  constructor(panel) {
    this.panel = panel;
    this.room = panel.room;
    this.sig = '';
    this.list = h('ul', { class: 'pkg-list', id: 'package-list' });
    this.linkBtn = h('button', { type: 'button', class: 'small secondary', id: 'link-package', onclick: () => this.openForm() }, 'Link options into a package…');
    this.intro = h('p', { class: 'hint', id: 'packages-intro' });
    this.err = errorBox();
    this.form = null;
    this.el = h('section', { class: 'packages', id: 'packages', 'aria-labelledby': 'packages-h', hidden: true },
      h('h3', { id: 'packages-h', tabindex: '-1' }, 'Packages of options'), this.intro, this.list, this.linkBtn, this.err.el);
  }

  render() {
    const st = this.room.st;
    const rules = optionRules(this.room);
    const linkable = [...st.options.values()].filter((o) => rules.link(o));
    this.el.hidden = st.options.size === 0;
    if (this.el.hidden) return;
    const sig = JSON.stringify([st.optionsRev, st.threads.size, st.versions.length, linkable.map((o) => o.id)]);
    this.linkBtn.hidden = linkable.length < 2 || (this.form && !this.form.hidden);
    if (sig === this.sig) return;
    this.sig = sig;
    this.intro.textContent = st.packages.size === 0
      ? 'No package yet. A package ties options of several issues: nothing is agreed until everything is agreed.'
      : 'In a package nothing is agreed until everything is agreed: each option in it stays conditional until every party accepts every one of them.';
    const me = this.room.user.party;
    replace(this.list, [...st.packages.values()].map((k) => {
      const waits = packageWaits(st, k, me);
      return h('li', { class: `pkg${k.complete ? ' complete' : ''}`, tabindex: '-1', dataset: { package: k.id } },
        h('p', { class: 'pkg-head' }, h('strong', null, packageTitle(k)), ' ',
          h('span', { class: `pill ${k.complete ? 'status-agreed' : 'status-open'}` }, k.complete ? 'Complete' : 'Not yet agreed'),
          h('span', { class: 't-who' }, ` linked by ${k.party}`)),
        h('p', { class: 'pkg-state' }, k.complete ? 'Every option in it is agreed by every party.'
          : `Nothing in it is agreed until everything is: waiting for ${waits.join('; ') || 'nobody'}.`),
        h('ul', { class: 'pkg-members' }, k.options.map((id) => {
          const o = st.options.get(id);
          if (!o) return null;
          const t = st.threads.get(o.thread);
          return h('li', null, h('button', { type: 'button', class: 'link', onclick: () => this.panel.openOption(id) },
            `${optionLabel(st, o)} on “${cut(t && t.anchor ? t.anchor.quote : '', 50)}”`),
          ` (${o.party}): “${cut(o.text, 60) || '(delete the words)'}” — accepted by ${list(o.accepted_by) || 'no party'}`);
        })));
    }));
    if (this.form && !this.form.hidden) this.fillChoices(linkable);
  }

  buildForm() {
    if (this.form) return;
    this.choices = h('div', { class: 'pkg-choices' });
    this.title = h('input', { id: 'package-title', maxlength: '200', autocomplete: 'off' });
    this.submit = h('button', { type: 'submit', class: 'primary', id: 'package-submit' }, 'Link into a package');
    this.form = h('form', { class: 'pkg-form', id: 'package-form', novalidate: true, hidden: true, 'aria-labelledby': 'package-form-h' },
      h('h4', { id: 'package-form-h' }, 'Link options into a package'),
      h('fieldset', null, h('legend', null, 'Options to link (choose two or more)'), this.choices),
      field('Title (optional)', this.title, 'e.g. “Data exchange and confidentiality”'),
      this.err.el,
      h('div', { class: 'buttons' }, this.submit, h('button', { type: 'button', class: 'secondary', id: 'package-cancel', onclick: () => this.cancel() }, 'Cancel')));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    this.form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); this.cancel(); } });
    this.linkBtn.after(this.form);
  }

  // fillChoices lists the options that can be linked, keeping what is ticked.
  fillChoices(linkable) {
    const st = this.room.st;
    const ticked = new Set([...this.choices.querySelectorAll('input:checked')].map((i) => i.value));
    update(this.choices, JSON.stringify(linkable.map((o) => [o.id, o.accepted_by])), () => linkable.map((o) => {
      const t = st.threads.get(o.thread);
      const input = h('input', { type: 'checkbox', value: o.id, id: nextId('pkg-opt'), checked: ticked.has(o.id) });
      return h('label', { class: 'check pkg-choice', for: input.id }, input, ' ',
        h('strong', null, `${optionLabel(st, o)} on “${cut(t && t.anchor ? t.anchor.quote : '', 50)}”`),
        ` (${o.party}): “${cut(o.text, 60) || '(delete the words)'}”`);
    }));
  }

  openForm() {
    this.buildForm();
    this.err.clear();
    this.title.value = '';
    this.choices.mraKey = '';
    replace(this.choices);
    this.fillChoices([...this.room.st.options.values()].filter((o) => optionRules(this.room).link(o)));
    this.form.hidden = false;
    this.linkBtn.hidden = true;
    const first = this.choices.querySelector('input');
    (first || this.title).focus();
  }

  close() {
    if (this.form) this.form.hidden = true;
    this.sig = '';
    this.render();
  }

  cancel() {
    this.close();
    (this.linkBtn.hidden ? document.getElementById('packages-h') : this.linkBtn).focus();
  }

  async send() {
    const room = this.room;
    const options = [...this.choices.querySelectorAll('input:checked')].map((i) => i.value);
    this.err.clear();
    if (options.length < 2) { this.err.show('Choose two or more options to link.'); (this.choices.querySelector('input') || this.title).focus(); return; }
    const issues = options.map((id) => (room.st.options.get(id) || {}).thread);
    if (new Set(issues).size < issues.length) { this.err.show('A package takes one option of each issue: choose options of different issues.'); this.choices.querySelector('input:checked').focus(); return; }
    const fields = { options };
    if (this.title.value.trim()) fields.title = this.title.value.trim();
    this.submit.disabled = true;
    try {
      const r = await room.run('link_package', fields);
      this.form.hidden = true;
      await room.settle(() => room.st.packages.has(r.package));
      this.sig = '';
      room.render();
      const el = this.list.querySelector(`[data-package="${CSS.escape(r.package)}"]`);
      announce(`Package linked: ${options.length} options. Nothing in it is agreed until everything is.`);
      (el || document.getElementById('packages-h')).focus();
    } catch (err) {
      this.err.show(err);
    } finally {
      this.submit.disabled = false;
    }
  }
}
