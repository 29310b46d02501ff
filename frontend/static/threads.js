// threads.js: the threads panel: filters (kind, status, party, visibility,
// also applied to the highlights), the comment form, and one card per
// thread with its messages and the actions this user may take (reply,
// concur, resolve, reopen, withdraw). Cards update in place, so a reply
// being typed survives live changes.

import { h, replace, when, errorBox, field, select, nextId, radios } from './dom.js';
import { KIND_LABEL, THREAD_STATUS_LABEL } from './state.js';

const STATUS_FILTER = [
  ['active', 'Any but withdrawn'], ['', 'Any status'], ['open', 'Open'], ['proposed', 'Proposed'],
  ['agreed', 'Agreed'], ['void', 'Void'], ['resolved', 'Resolved'], ['withdrawn', 'Withdrawn'],
];

export class ThreadsPanel {
  constructor(room) {
    this.room = room;
    this.cards = new Map();
    this.filter = { kind: '', status: 'active', party: '', visibility: '' };
    const onFilter = () => {
      this.filter = { kind: this.kindSel.value, status: this.statusSel.value, party: this.partySel.value, visibility: this.visSel.value };
      this.room.changed();
    };
    this.kindSel = select([['', 'All kinds'], ['open_issue', 'Open issue'], ['consensus', 'Consensus'], ['note', 'Note']], '', { id: 'filter-kind', onchange: onFilter });
    this.statusSel = select(STATUS_FILTER, 'active', { id: 'filter-status', onchange: onFilter });
    this.partySel = select([['', 'All parties']], '', { id: 'filter-party', onchange: onFilter });
    this.visSel = select([['', 'Any visibility'], ['shared', 'Shared'], ['internal', 'Internal']], '', { id: 'filter-visibility', onchange: onFilter });
    this.count = h('p', { class: 'count muted', id: 'thread-count' });
    this.composer = new Composer(this);
    this.list = h('div', { class: 'thread-list', id: 'thread-list' });
    this.el = h('div', { class: 'side threads' },
      h('details', { class: 'filters', open: true },
        h('summary', null, 'Filter'),
        h('div', { class: 'filter-grid' }, field('Kind', this.kindSel), field('Status', this.statusSel), field('Raised by', this.partySel), field('Visibility', this.visSel))),
      this.count, this.composer.el, this.list);
  }

  matches(t) {
    const f = this.filter;
    if (f.kind && t.kind !== f.kind) return false;
    if (f.status === 'active' ? t.status === 'withdrawn' : f.status && t.status !== f.status) return false;
    if (f.party && t.party !== f.party) return false;
    if (f.visibility && t.visibility !== f.visibility) return false;
    return true;
  }

  render() {
    const st = this.room.st;
    if (this.partySel.options.length === 1) {
      for (const p of st.parties) this.partySel.append(h('option', { value: p.id }, p.id));
    }
    const threads = st.sortedThreads();
    let shown = 0;
    let prev = null;
    for (const t of threads) {
      let card = this.cards.get(t.id);
      if (!card) {
        card = new Card(this, t.id);
        this.cards.set(t.id, card);
      }
      card.update(t);
      card.el.hidden = !this.matches(t);
      if (!card.el.hidden) shown += 1;
      const want = prev ? prev.nextSibling : this.list.firstChild;
      if (card.el !== want) this.list.insertBefore(card.el, want);
      prev = card.el;
    }
    this.count.textContent = threads.length === 0
      ? 'No threads yet. Select text to comment on it.'
      : `Showing ${shown} of ${threads.length} thread${threads.length === 1 ? '' : 's'}.`;
    this.composer.render();
  }

  // open shows a thread's card, clearing filters that hide it.
  open(id) {
    const t = this.room.st.threads.get(id);
    if (!t) return;
    if (!this.matches(t)) {
      for (const s of [this.kindSel, this.partySel, this.visSel]) s.value = '';
      this.statusSel.value = '';
      this.filter = { kind: '', status: '', party: '', visibility: '' };
      this.room.render();
    }
    for (const c of this.cards.values()) c.el.classList.toggle('current', c.id === id);
    const card = this.cards.get(id);
    if (!card) return;
    card.el.scrollIntoView({ block: 'nearest' });
    card.el.focus({ preventScroll: true });
  }

  compose(range) { this.composer.open(range); }
}

// Composer is the form for a new comment on a selected range (or a general
// note when range is null).
class Composer {
  constructor(panel) {
    this.panel = panel;
    this.range = null;
    const room = panel.room;
    this.title = h('h3', { id: 'composer-h' }, 'New comment');
    this.quote = h('blockquote', { class: 'quote' });
    this.kinds = radios('kind', [
      ['open_issue', 'Open issue', 'needs resolution'],
      ['consensus', 'Consensus', 'this text is agreed'],
      ['note', 'Note', 'a remark'],
    ], 'open_issue');
    this.vis = radios('visibility', [
      ['shared', 'Shared', 'every party sees it'],
      ['internal', 'Internal', `only ${room.user.party} sees it`],
    ], 'shared');
    this.passage = h('input', { id: 'composer-passage', autocomplete: 'off' });
    this.passage.addEventListener('input', () => this.allowKinds());
    this.passageField = field('Passage (optional)', this.passage, 'Type or paste the exact words to comment on; leave empty for a note on the whole text.');
    this.body = h('textarea', { id: 'composer-body', rows: '4', required: true });
    this.err = errorBox();
    this.submit = h('button', { type: 'submit', class: 'primary', id: 'composer-submit' }, 'Post comment');
    this.el = h('form', { class: 'composer card', id: 'composer', hidden: true, novalidate: true, 'aria-labelledby': 'composer-h' },
      this.title, this.quote, this.passageField,
      h('fieldset', null, h('legend', null, 'Kind'), this.kinds.el),
      h('fieldset', null, h('legend', null, 'Visible to'), this.vis.el),
      field('Comment', this.body), this.err.el,
      h('div', { class: 'buttons' }, this.submit, h('button', { type: 'button', class: 'secondary', onclick: () => this.close() }, 'Cancel')));
    this.el.addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    this.el.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.close(); });
  }

  // allowKinds offers consensus and open issue only for a passage.
  allowKinds() {
    const anchored = !!this.range || this.passage.value.trim() !== '';
    for (const [value, input] of this.kinds.inputs) input.disabled = !anchored && value !== 'note';
    if (!anchored) this.kinds.set('note');
  }

  open(range) {
    const room = this.panel.room;
    this.range = range;
    this.err.clear();
    if (range) {
      const q = range.quote.length > 400 ? range.quote.slice(0, 400) + '…' : range.quote;
      replace(this.quote, h('span', { class: 'muted' }, `Version ${range.version}: `), `“${q}”`);
    } else {
      replace(this.quote, h('span', { class: 'muted' }, 'A general note on the whole text (not tied to a passage).'));
    }
    this.passage.value = '';
    this.passageField.hidden = !!range;
    this.allowKinds();
    if (!this.chosen) this.vis.set(room.may.isLegal && !room.may.isNegotiator ? 'internal' : 'shared');
    this.el.hidden = false;
    this.el.scrollIntoView({ block: 'nearest' });
    (range ? this.body : this.passage).focus();
  }

  close() {
    this.el.hidden = true;
    this.range = null;
    this.body.value = '';
    this.err.clear();
  }

  render() {
    if (!this.el.hidden && !this.panel.room.may.comment) this.close();
  }

  async send() {
    const room = this.panel.room;
    const body = this.body.value;
    if (!body.trim()) { this.err.show('Write a comment first.'); this.body.focus(); return; }
    const latest = room.st.latest();
    if (!latest) return;
    let range = this.range;
    if (!range && this.passage.value.trim()) {
      range = await this.find(this.passage.value.trim(), latest.version);
      if (!range) return;
    }
    const fields = { kind: this.kinds.value(), visibility: this.vis.value(), body, version: range ? range.version : latest.version };
    if (range) Object.assign(fields, { start: range.start, end: range.end, quote: range.quote });
    this.submit.disabled = true;
    try {
      const r = await room.run('comment', fields);
      this.chosen = true; // later comments keep the visibility chosen
      this.close();
      await room.settle(() => room.st.threads.has(r.thread));
      room.openThread(r.thread);
    } catch (err) {
      this.err.show(err);
    } finally {
      this.submit.disabled = false;
    }
  }

  // find anchors typed words on their first occurrence in a version.
  async find(words, version) {
    const t = await this.panel.room.text(version);
    const at = t.text.indexOf(words);
    if (at < 0) {
      this.err.show(`Those words are not in version ${version}. Copy them exactly from the text.`);
      this.passage.focus();
      return null;
    }
    const start = t.cps.toCp(at);
    const end = t.cps.toCp(at + words.length);
    return { version, start, end, quote: t.cps.slice(start, end) };
  }
}

// cut shortens s to n code points (never half an emoji), with "…".
function cut(s, n) {
  const cps = [...s];
  return cps.length > n ? cps.slice(0, n).join('') + '…' : s;
}

// Card is one thread.
class Card {
  constructor(panel, id) {
    this.panel = panel;
    this.id = id;
    this.sig = '';
    this.mode = '';
    const headId = nextId('thread');
    this.head = h('header', { class: 't-head', id: headId });
    this.anchor = h('div', { class: 't-anchor' });
    this.consent = h('p', { class: 't-consent' });
    this.msgs = h('ol', { class: 't-msgs' });
    this.actions = h('div', { class: 't-actions' });
    this.err = errorBox();
    this.formLabel = h('label');
    this.text = h('textarea', { rows: '3', class: 't-text' });
    this.formLabel.htmlFor = this.text.id = nextId('reply');
    this.formSubmit = h('button', { type: 'submit', class: 'primary' });
    this.form = h('form', { class: 't-form', hidden: true, novalidate: true }, this.formLabel, this.text,
      h('div', { class: 'buttons' }, this.formSubmit, h('button', { type: 'button', class: 'secondary', onclick: () => this.closeForm() }, 'Cancel')));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    this.el = h('article', { class: 'thread', tabindex: '-1', dataset: { thread: id }, 'aria-labelledby': headId },
      this.head, this.anchor, this.consent, this.msgs, this.actions, this.err.el, this.form);
  }

  update(t) {
    const room = this.panel.room;
    const sig = JSON.stringify([t.status, t.concurred, t.anchor, t.messages.length, room.st.frozen, room.st.versions.length]);
    if (sig === this.sig) return;
    this.sig = sig;
    const internal = t.visibility === 'internal';
    this.el.className = `thread k-${t.kind} s-${t.status}${internal ? ' internal' : ''}${this.el.classList.contains('current') ? ' current' : ''}`;
    replace(this.head,
      h('span', { class: `pill kind-${t.kind}` }, KIND_LABEL[t.kind] || t.kind),
      t.kind === 'note' && t.status === 'open' ? null : h('span', { class: `pill status-${t.status}` }, THREAD_STATUS_LABEL[t.status] || t.status),
      internal ? h('span', { class: 'pill internal' }, `Internal · ${t.party} only`) : null,
      h('span', { class: 't-who' }, `raised by ${t.party}`));

    this.renderAnchor(t);

    if (t.kind === 'consensus') {
      const waiting = room.st.meta.parties.filter((p) => !t.concurred.includes(p));
      replace(this.consent,
        t.status === 'void' ? h('strong', { class: 'flag' }, 'Void: its clause changed in a later version, so this consensus must be confirmed again. Concurring again restarts it. ') : null,
        t.concurred.length ? `${t.status === 'void' ? 'Concurred before the change' : 'Concurred'}: ${t.concurred.join(', ')}.` : '',
        t.status === 'proposed' && waiting.length ? ` Waiting for: ${waiting.join(', ')}.` : '');
      this.consent.hidden = false;
    } else {
      this.consent.hidden = true;
    }

    replace(this.msgs, t.messages.map((m) => h('li', null,
      h('p', { class: 'm-meta' }, h('strong', null, room.st.userName(m.author)), ` (${m.party}) · `, when(m.at)),
      h('p', { class: 'm-body' }, m.body))));

    const may = room.may;
    const btn = (action, label, f) => h('button', { type: 'button', class: 'small', dataset: { action }, onclick: f }, label);
    replace(this.actions,
      may.reply(t) ? btn('reply', 'Reply', () => this.openForm('reply')) : null,
      may.concur(t) ? btn('concur', t.status === 'void' ? 'Concur again' : 'Concur', () => this.act('concur')) : null,
      may.resolve(t) ? btn('resolve', 'Resolve', () => this.openForm('resolve')) : null,
      may.reopen(t) ? btn('reopen', 'Reopen', () => this.openForm('reopen')) : null,
      may.withdraw(t) ? btn('withdraw', 'Withdraw', () => this.openForm('withdraw')) : null);
    if (this.mode && !this.actions.querySelector(`[data-action="${this.mode}"]`)) this.closeForm();
  }

  // renderAnchor shows the words the thread stands on now and, when they
  // are not the words it was raised on (flag changed or outdated), those
  // original words and their version, labelled in text, not by colour.
  renderAnchor(t) {
    const room = this.panel.room;
    const a = t.anchor;
    if (!a) { replace(this.anchor, h('p', { class: 'muted' }, 'General note on the whole text.')); return; }
    const o = a.original || { version: a.version, quote: a.quote };
    const latest = room.st.latest();
    const differs = a.flag === 'changed' || a.flag === 'outdated';
    const now = a.start === a.end ? null :
      h('button', { type: 'button', class: 'quote', title: 'Show in the text', onclick: () => room.reader.markCurrent(t.id) },
        `“${cut(a.quote, 280)}”`);
    const compare = (t.status === 'void' || differs) && latest && o.version < latest.version
      ? h('button', { type: 'button', class: 'link small-link', dataset: { compare: `${o.version}-${latest.version}` }, onclick: () => room.compare.show(o.version, latest.version) },
        `Compare version ${o.version} with version ${latest.version}`)
      : null;
    if (!differs) {
      replace(this.anchor, now || h('p', { class: 'muted' }, 'A point in the text.'), compare);
      return;
    }
    replace(this.anchor,
      a.flag === 'changed'
        ? [h('p', { class: 'flag t-flag', dataset: { flag: 'changed' } }, h('span', { 'aria-hidden': 'true' }, '⚠ '), 'Changed: the words here are not the ones it was raised on.'),
          h('p', { class: 't-label' }, `Now, in version ${a.version}:`), now]
        : [h('p', { class: 'flag t-flag', dataset: { flag: 'outdated' } }, h('span', { 'aria-hidden': 'true' }, '⚠ '), 'Outdated: the words it was raised on are gone.'),
          h('p', { class: 'muted t-gone' }, `Version ${a.version} no longer holds them; the thread is kept where they stood.`)],
      h('div', { class: 't-original' },
        h('p', { class: 't-label' }, `Raised on version ${o.version} on:`),
        this.foldedQuote(o.quote)),
      compare);
  }

  // foldedQuote shows a long quote folded, with a button that expands it
  // (and keeps it expanded across live updates).
  foldedQuote(quote) {
    const limit = 280;
    const q = h('blockquote', { class: 'quote original' });
    const n = [...quote].length;
    if (n <= limit) { q.textContent = `“${quote}”`; return q; }
    q.id = nextId('orig');
    const btn = h('button', { type: 'button', class: 'link small-link', 'aria-controls': q.id });
    const show = () => {
      q.textContent = this.expanded ? `“${quote}”` : `“${cut(quote, limit)}”`;
      btn.textContent = this.expanded ? 'Show less' : `Show all ${n} characters`;
      btn.setAttribute('aria-expanded', String(!!this.expanded));
    };
    btn.addEventListener('click', () => { this.expanded = !this.expanded; show(); });
    show();
    return h('div', null, q, btn);
  }

  openForm(mode) {
    const labels = {
      reply: ['Reply', 'Send reply'],
      resolve: ['Comment (optional)', 'Resolve'],
      reopen: ['Why reopen it? (required)', 'Reopen'],
      withdraw: ['Comment (optional)', 'Withdraw'],
    };
    this.mode = mode;
    this.formLabel.textContent = labels[mode][0];
    this.formSubmit.textContent = labels[mode][1];
    this.formSubmit.dataset.submit = mode;
    this.text.required = mode === 'reply' || mode === 'reopen';
    this.form.hidden = false;
    this.err.clear();
    this.text.focus();
  }

  closeForm() {
    this.mode = '';
    this.form.hidden = true;
    this.text.value = '';
  }

  async send() {
    const body = this.text.value;
    if (this.text.required && !body.trim()) { this.err.show('Write a message first.'); return; }
    const fields = { thread: this.id };
    if (body.trim()) fields.body = body;
    await this.act(this.mode, fields);
  }

  async act(type, fields = { thread: this.id }) {
    const room = this.panel.room;
    this.err.clear();
    for (const b of this.el.querySelectorAll('button')) b.disabled = true;
    try {
      const before = room.st.heads.shared + room.st.heads.internal;
      await room.run(type, fields);
      this.closeForm();
      await room.settle(() => room.st.heads.shared + room.st.heads.internal > before);
    } catch (err) {
      this.err.show(err);
    } finally {
      for (const b of this.el.querySelectorAll('button')) b.disabled = false;
      this.sig = '';
      room.changed();
    }
  }
}
