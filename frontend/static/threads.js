// threads.js: the threads panel: filters (kind, status, party, visibility,
// also applied to the highlights), the comment form, and one card per
// thread with its messages and the actions this user may take (reply,
// concur, resolve, reopen, withdraw). Cards update in place, so a reply
// being typed survives live changes. Each open issue and each proposed or
// void consensus says whose turn it is and since when; "Previous / Next
// open issue" (keys [ and ]) walk the open issues in the order of the text.

import { h, replace, setText, when, errorBox, field, select, nextId, radios, waited, announce } from './dom.js';
import { KIND_LABEL, THREAD_STATUS_LABEL } from './state.js';
import { articleAt } from './text.js';
import { OptionsBlock, PackagesPanel } from './options.js';

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
    this.list = h('div', { class: 'thread-list', id: 'thread-list', tabindex: '-1', role: 'region', 'aria-label': 'Thread cards' });
    // next / previous open issue, in the order of the text
    this.prevBtn = h('button', { type: 'button', class: 'small secondary', id: 'prev-issue', 'aria-keyshortcuts': '[', onclick: () => this.step(-1, false) }, '‹ Previous');
    this.nextBtn = h('button', { type: 'button', class: 'small secondary', id: 'next-issue', 'aria-keyshortcuts': ']', onclick: () => this.step(1, false) }, 'Next ›');
    this.navCount = h('span', { class: 'nav-count', id: 'issue-count' }); // each step is announced
    this.passageBtn = h('button', { type: 'button', class: 'small secondary', id: 'comment-passage', onclick: () => this.composer.open(null, true) }, 'Comment on a passage…');
    this.waitingBtn = h('button', { type: 'button', class: 'link', id: 'waiting-on-us', onclick: () => this.showWaiting() });
    this.nav = h('div', { class: 'issue-nav', role: 'group', 'aria-label': 'Open issues in the text' },
      h('span', { class: 'nav-label' }, 'Open issues'), this.prevBtn, this.navCount, this.nextBtn, this.waitingBtn);
    this.el = h('div', { class: 'side threads' },
      h('h2', { class: 'sr-only', id: 'threads-h', tabindex: '-1' }, 'Threads'),
      this.nav, h('div', { class: 'passage-row' }, this.passageBtn),
      (this.packages = new PackagesPanel(this)).el,
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
    // an option's rationale note shows with its option (options.js)
    const threads = st.sortedThreads().filter((t) => !st.isRationale(t.id));
    for (const [id, card] of this.cards) if (st.isRationale(id)) { card.el.remove(); this.cards.delete(id); }
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
    setText(this.count, threads.length === 0
      ? 'No threads yet. Select text to comment on it.'
      : `Showing ${shown} of ${threads.length} thread${threads.length === 1 ? '' : 's'}.`);
    this.passageBtn.hidden = !this.room.may.comment;
    this.renderNav();
    this.composer.render();
    this.packages.render();
  }

  // openOption opens an option's issue and puts the focus on the option.
  openOption(id) {
    const o = this.room.st.options.get(id);
    if (!o) return;
    this.room.openThread(o.thread, { focus: false });
    const card = this.cards.get(o.thread);
    if (card && !card.options.focusOption(id)) card.el.focus();
  }

  // openIssues lists the open issues this user sees, in the order of the
  // text (general notes have no place, and cannot be open issues).
  openIssues() {
    return this.room.st.sortedThreads().filter((t) => t.kind === 'open_issue' && t.status === 'open' && t.anchor);
  }

  renderNav() {
    const issues = this.openIssues();
    const i = issues.findIndex((t) => t.id === this.current);
    this.prevBtn.disabled = this.nextBtn.disabled = issues.length === 0;
    const me = this.room.user.party;
    const w = this.room.st.waitingCount(me);
    this.waitingBtn.hidden = w === 0;
    setText(this.waitingBtn, `${w} wait${w === 1 ? 's' : ''} on us (${me})`);
    setText(this.navCount, issues.length === 0 ? 'none'
      : i >= 0 ? `${i + 1} of ${issues.length}` : `${issues.length} in all`);
  }

  // showWaiting opens the first thread (in the order of the text) that
  // waits on this user's party.
  showWaiting() {
    const me = this.room.user.party;
    const t = this.room.st.sortedThreads().find((x) => (x.waiting_on || []).includes(me));
    if (t) this.room.openThread(t.id);
  }

  // step opens the next (dir 1) or previous (-1) open issue after the
  // current thread, or after the place being read when none is current;
  // it wraps around. byKey: focus goes to the card (a button keeps it).
  step(dir, byKey) {
    const issues = this.openIssues();
    if (!issues.length) { announce('No open issues.'); return; }
    const n = issues.length;
    const ci = issues.findIndex((t) => t.id === this.current);
    let k;
    if (ci >= 0) {
      k = (ci + dir + n) % n;
    } else {
      // from the current thread's place, or the top of the article being read
      const cur = this.room.st.threads.get(this.current);
      const reader = this.room.reader;
      const from = cur && cur.anchor ? cur.anchor.start + (dir > 0 ? 1 : 0) : reader && reader.reading ? reader.reading.start : 0;
      if (dir > 0) {
        k = issues.findIndex((t) => t.anchor.start >= from);
        if (k < 0) k = 0;
      } else {
        k = n - 1;
        while (k >= 0 && issues[k].anchor.start >= from) k -= 1;
        if (k < 0) k = n - 1;
      }
    }
    const t = issues[k];
    this.room.openThread(t.id, { focus: byKey });
    this.renderNav();
    announce(`Open issue ${k + 1} of ${issues.length}: “${cut(t.anchor.quote, 80)}”, raised by ${t.party}.`);
  }

  // open shows a thread's card, clearing filters that hide it; focus
  // (default true) moves the keyboard focus to it.
  open(id, focus = true) {
    const t = this.room.st.threads.get(id);
    if (!t) return;
    const o = this.room.st.optionOfRationale(id); // a rationale: its option, under its issue
    if (o && this.room.st.threads.has(o.thread)) {
      this.open(o.thread, false);
      const card = this.cards.get(o.thread);
      if (focus && card && !card.options.focusOption(o.id)) card.el.focus();
      return;
    }
    if (!this.matches(t)) {
      for (const s of [this.kindSel, this.partySel, this.visSel]) s.value = '';
      this.statusSel.value = '';
      this.filter = { kind: '', status: '', party: '', visibility: '' };
      this.room.render();
    }
    this.current = id;
    for (const c of this.cards.values()) c.el.classList.toggle('current', c.id === id);
    this.renderNav();
    const card = this.cards.get(id);
    if (!card) return;
    card.el.scrollIntoView({ block: 'nearest' });
    if (focus) card.el.focus({ preventScroll: true });
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
    // No default visibility: the user picks, and sees who will read it.
    const me = room.user.party;
    this.vis = radios('visibility', [
      ['internal', `Internal: ${me} only`, `only ${me} sees it`],
      ['shared', 'Shared with every party', `${audience(room, 'shared')} see it`],
    ], null);
    for (const input of this.vis.inputs.values()) input.addEventListener('change', () => { this.err.clear(); this.showAudience(); });
    this.audience = h('p', { class: 'audience', id: 'composer-audience', 'aria-live': 'polite' });
    this.passage = h('input', { id: 'composer-passage', autocomplete: 'off' });
    this.passage.addEventListener('input', () => { this.allowKinds(); this.findMatches(); });
    this.matchStatus = h('p', { class: 'count', id: 'composer-match-status', 'aria-live': 'polite' });
    this.matches = h('div', { class: 'matches', id: 'composer-matches' });
    this.passageField = h('div', { class: 'passage' },
      field('Passage', this.passage, 'Type words of the passage; pick the place you mean below (those in the article you are reading come first).'),
      this.matchStatus, this.matches);
    this.body = h('textarea', { id: 'composer-body', rows: '4', required: true });
    this.body.setAttribute('aria-describedby', this.audience.id);
    this.err = errorBox();
    this.submit = h('button', { type: 'submit', class: 'primary', id: 'composer-submit' }, 'Post comment');
    this.visSet = h('fieldset', { class: 'vis-choice' }, h('legend', null, 'Who will see it (choose one)'), this.vis.el);
    this.el = h('form', { class: 'composer card', id: 'composer', hidden: true, novalidate: true, 'aria-labelledby': 'composer-h' },
      this.title, this.quote, this.passageField,
      h('fieldset', null, h('legend', null, 'Kind'), this.kinds.el),
      this.visSet,
      field('Comment', this.body), this.audience, this.err.el,
      h('div', { class: 'buttons' }, this.submit, h('button', { type: 'button', class: 'secondary', id: 'composer-cancel', onclick: () => this.cancel() }, 'Cancel')));
    this.el.addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    this.el.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.cancel(); });
  }

  // showAudience makes the chosen visibility unmistakable while typing:
  // the form's colour, border and a line naming who will see it.
  showAudience() {
    const v = this.vis.value();
    this.el.classList.toggle('vis-internal', v === 'internal');
    this.el.classList.toggle('vis-shared', v === 'shared');
    this.el.dataset.visibility = v || '';
    this.audience.textContent = v ? `${audience(this.panel.room, v)} will see this.` : 'Choose who will see this comment.';
    this.submit.textContent = v === 'internal' ? `Post internal comment (${this.panel.room.user.party} only)` : v === 'shared' ? 'Post shared comment' : 'Post comment';
  }

  // allowKinds offers consensus and open issue only for a passage.
  allowKinds() {
    const anchored = !!this.range || !!this.pick;
    for (const [value, input] of this.kinds.inputs) input.disabled = !anchored && value !== 'note';
    if (!anchored) this.kinds.set('note');
  }

  // open opens the form on a selected range, or (range null) a general
  // note; find: on a passage the user finds by typing its words.
  open(range, find = false) {
    const from = document.activeElement;
    if (from && from !== document.body && !this.el.contains(from)) this.opener = from;
    this.range = range;
    this.find = !range && find;
    this.pick = null;
    this.found = [];
    this.err.clear();
    if (range) {
      const q = range.quote.length > 400 ? range.quote.slice(0, 400) + '…' : range.quote;
      replace(this.quote, h('span', { class: 'muted' }, `Version ${range.version}: `), `“${q}”`);
    } else if (this.find) {
      replace(this.quote, h('span', { class: 'muted' }, 'A comment on a passage of the latest version.'));
    } else {
      replace(this.quote, h('span', { class: 'muted' }, 'A general note on the whole text (not tied to a passage).'));
    }
    this.title.textContent = range || this.find ? 'New comment' : 'New general note';
    this.passage.value = '';
    this.matchStatus.textContent = '';
    replace(this.matches);
    this.passageField.hidden = !this.find;
    this.allowKinds();
    this.vis.set(null); // every comment: the user chooses who sees it
    this.showAudience();
    this.el.hidden = false;
    this.el.scrollIntoView({ block: 'nearest' });
    (this.find ? this.passage : this.body).focus();
  }

  // cancel closes the form and gives the focus back to what opened it
  // (or, when that is gone, the thread list), never to the page.
  cancel() {
    this.close();
    const back = this.opener && this.opener.isConnected && this.opener.getClientRects().length && !this.opener.disabled ? this.opener : this.panel.list;
    back.focus({ preventScroll: true });
  }

  close() {
    const had = !this.el.hidden;
    this.el.hidden = true;
    this.range = null;
    this.pick = null;
    this.body.value = '';
    this.err.clear();
    return had;
  }

  // findMatches lists where the typed words occur in the latest version:
  // first in the article being read, then the others in the order of the
  // text, each with its article and the words around it. One choice is
  // made for the user only when there is a single place, or a single one
  // in the article being read.
  async findMatches() {
    const room = this.panel.room;
    const words = this.passage.value.trim();
    const latest = room.st.latest();
    this.pick = null;
    this.found = [];
    this.allowKinds();
    if (words.length < 2 || !latest) { replace(this.matches); this.matchStatus.textContent = ''; return; }
    const t = await room.text(latest.version);
    if (this.passage.value.trim() !== words) return; // typed on meanwhile
    const all = [];
    for (let at = t.text.indexOf(words); at >= 0 && all.length < 500; at = t.text.indexOf(words, at + 1)) {
      const start = t.cps.toCp(at), end = t.cps.toCp(at + words.length);
      all.push({ version: latest.version, start, end, quote: t.cps.slice(start, end), at, article: articleAt(t.outline, start) });
    }
    const reading = room.reader && room.reader.shown && room.reader.shown.version === latest.version && room.reader.reading
      ? room.reader.reading.index : -1;
    const here = all.filter((m) => m.article && m.article.index === reading);
    const rest = all.filter((m) => !(m.article && m.article.index === reading));
    this.found = [...here, ...rest];
    if (!this.found.length) {
      replace(this.matches);
      this.matchStatus.textContent = `Those words are not in version ${latest.version}.`;
      return;
    }
    const shown = this.found.slice(0, 30);
    const name = nextId('match');
    const choose = (m) => { this.pick = m; this.err.clear(); this.allowKinds(); };
    const auto = this.found.length === 1 ? this.found[0] : here.length === 1 ? here[0] : null;
    const items = shown.map((m, k) => {
      const input = h('input', { type: 'radio', name, id: `${name}-${k}`, value: String(k), checked: m === auto, onchange: () => choose(m) });
      // up to 40 characters each side, cut at a word
      const before = t.text.slice(Math.max(0, m.at - 40), m.at).replace(/\s+/g, ' ').replace(m.at > 40 ? /^\S*\s/ : /^$/, '');
      const after = t.text.slice(m.at + words.length, m.at + words.length + 40).replace(/\s+/g, ' ').replace(/\s\S*$/, ' ');
      return h('label', { class: 'radio match', for: input.id }, input, ' ',
        h('strong', null, m.article ? m.article.title : 'Opening'), m.article && m.article.index === reading ? ' (where you are reading)' : '', ': ',
        h('span', { class: 'muted' }, '…', before), h('mark', null, cut(words, 60)), h('span', { class: 'muted' }, after, '…'));
    });
    this.matchStatus.textContent = this.found.length === 1 ? 'Found in one place.' : `Found in ${this.found.length}${all.length >= 500 ? '+' : ''} places${here.length ? `, ${here.length} in the article you are reading` : ''}. Pick one:`;
    replace(this.matches,
      h('div', { class: 'radios', role: 'radiogroup', 'aria-label': 'Where the words are' }, items),
      this.found.length > shown.length ? h('p', { class: 'muted' }, `${this.found.length - shown.length} more: type more words to narrow them down.`) : null);
    if (auto) choose(auto);
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
    if (!range && this.find) {
      if (!this.pick) {
        this.err.show(this.found.length ? `The words are in ${this.found.length} places: pick the one you mean.` : 'Type words of the passage and pick where they are.');
        (this.matches.querySelector('input') || this.passage).focus();
        return;
      }
      range = this.pick;
    }
    const visibility = this.vis.value();
    if (!visibility) {
      this.err.show(`Choose who will see this comment: only ${room.user.party} (internal), or every party (shared).`);
      this.vis.inputs.get('internal').focus();
      return;
    }
    const fields = { kind: this.kinds.value(), visibility, body, version: range ? range.version : latest.version };
    if (range) Object.assign(fields, { start: range.start, end: range.end, quote: range.quote });
    this.submit.disabled = true;
    try {
      const r = await room.run('comment', fields);
      this.close();
      this.panel.list.focus({ preventScroll: true }); // not the body while the card comes
      await room.settle(() => room.st.threads.has(r.thread));
      room.render();
      room.openThread(r.thread);
    } catch (err) {
      this.err.show(err);
    } finally {
      this.submit.disabled = false;
    }
  }

}

// audience names who sees something of this visibility: "Only US", or
// "SG and US" (the others first, this user's party last).
function audience(room, visibility) {
  const me = room.user.party;
  if (visibility === 'internal') return `Only ${me}`;
  const others = (room.st.meta.parties || []).filter((p) => p !== me);
  const all = [...others, me];
  return all.length === 1 ? all[0] : `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}`;
}
export { audience };

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
    this.turn = h('p', { class: 't-turn', hidden: true });
    this.anchor = h('div', { class: 't-anchor' });
    this.consent = h('p', { class: 't-consent' });
    this.msgs = h('ol', { class: 't-msgs' });
    this.actions = h('div', { class: 't-actions' });
    this.err = errorBox();
    this.form = null; // built when first opened (see buildForm)
    this.options = new OptionsBlock(this); // a shared open issue's bracket options
    this.el = h('article', { class: 'thread', tabindex: '-1', dataset: { thread: id }, 'aria-labelledby': headId },
      this.head, this.turn, this.anchor, this.consent, this.msgs, this.actions, this.err.el, this.options.el);
  }

  // buildForm adds the card's reply / confirm form on first use: 250 idle
  // forms in the page would make the browser's form scanning (autofill)
  // walk and lay out every card after each new comment.
  buildForm() {
    if (this.form) return;
    this.formLabel = h('label');
    this.text = h('textarea', { rows: '3', class: 't-text' });
    this.formLabel.htmlFor = this.text.id = nextId('reply');
    this.formSubmit = h('button', { type: 'submit', class: 'primary' });
    this.confirmText = h('p', { class: 't-confirm', tabindex: '-1', id: nextId('confirm') });
    this.form = h('form', { class: 't-form', hidden: true, novalidate: true }, this.confirmText, this.formLabel, this.text,
      h('div', { class: 'buttons' }, this.formSubmit, h('button', { type: 'button', class: 'secondary', onclick: () => this.cancelForm() }, 'Cancel')));
    this.form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); this.cancelForm(); } });
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    this.options.el.before(this.form);
  }

  update(t) {
    const room = this.panel.room;
    this.options.update(t);
    const wait = waited(t.waiting_since);
    const sig = JSON.stringify([t.status, t.concurred, t.anchor, t.messages.length, room.st.frozen, room.st.versions.length, t.waiting_on, wait]);
    if (sig === this.sig) return;
    this.sig = sig;
    const internal = t.visibility === 'internal';
    this.el.className = `thread k-${t.kind} s-${t.status}${internal ? ' internal' : ''}${this.el.classList.contains('current') ? ' current' : ''}`;
    replace(this.head,
      h('span', { class: `pill kind-${t.kind}` }, KIND_LABEL[t.kind] || t.kind),
      t.kind === 'note' && t.status === 'open' ? null : h('span', { class: `pill status-${t.status}` }, THREAD_STATUS_LABEL[t.status] || t.status),
      internal ? h('span', { class: 'pill internal' }, `Internal · ${t.party} only`) : null,
      h('span', { class: 't-who' }, `raised by ${t.party}`));

    this.renderTurn(t, wait);
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
      may.concur(t) ? btn('concur', t.status === 'void' ? 'Concur again' : 'Concur', () => this.openForm('concur')) : null,
      may.resolve(t) ? btn('resolve', 'Resolve', () => this.openForm('resolve')) : null,
      may.reopen(t) ? btn('reopen', 'Reopen', () => this.openForm('reopen')) : null,
      may.withdraw(t) ? btn('withdraw', 'Withdraw', () => this.openForm('withdraw')) : null);
    if (this.mode && !this.actions.querySelector(`[data-action="${this.mode}"]`)) this.closeForm();
  }

  // renderTurn says which party must act and since when: "Waiting on SG ·
  // 3 days"; a wait on this user's own party stands out ("Waiting on us").
  renderTurn(t, wait) {
    const me = this.panel.room.user.party;
    const on = t.waiting_on || [];
    this.turn.hidden = on.length === 0;
    this.el.classList.toggle('waits-on-us', on.includes(me));
    if (!on.length) { replace(this.turn); delete this.turn.dataset.waitingOn; return; }
    this.turn.dataset.waitingOn = on.join(' ');
    const names = on.map((p) => (p === me ? `us (${p})` : p));
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    replace(this.turn,
      on.includes(me) ? [h('strong', { class: 'pill turn-us' }, 'Your turn'), ' '] : null,
      `Waiting on ${list}`,
      t.waiting_since ? [' · ', h('time', { datetime: t.waiting_since, title: `since ${t.waiting_since.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}` }, wait)] : null);
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
    const me = this.panel.room.user.party;
    const labels = {
      reply: ['Reply', 'Send reply'],
      resolve: ['Comment (optional)', 'Resolve'],
      reopen: ['Why reopen it? (required)', 'Reopen'],
      withdraw: ['Comment (optional)', 'Withdraw'],
      concur: ['', `Concur as ${me}`],
    };
    this.mode = mode;
    this.buildForm();
    this.formLabel.textContent = labels[mode][0];
    this.formSubmit.textContent = labels[mode][1];
    this.formSubmit.dataset.submit = mode;
    this.text.required = mode === 'reply' || mode === 'reopen';
    // concurring cannot be taken back: it asks first, and Enter alone
    // does not confirm (the focus is on the question, not the button)
    const confirm = mode === 'concur';
    this.formLabel.hidden = this.text.hidden = confirm;
    this.confirmText.hidden = !confirm;
    if (confirm) {
      const t = this.panel.room.st.threads.get(this.id);
      const others = t ? this.panel.room.st.meta.parties.filter((p) => p !== me && !t.concurred.includes(p)) : [];
      this.confirmText.textContent = `Concur on behalf of ${me} that this text is agreed? A concurrence cannot be taken back.` +
        (others.length ? ` It is agreed once ${others.join(' and ')} concur${others.length === 1 ? 's' : ''} too.` : ' Every other party has concurred: it becomes agreed.');
    }
    this.form.hidden = false;
    this.err.clear();
    (confirm ? this.confirmText : this.text).focus();
  }

  // cancelForm closes the form, the focus back on the action that opened it.
  cancelForm() {
    const mode = this.mode;
    this.closeForm();
    (this.actions.querySelector(`[data-action="${mode}"]`) || this.el).focus();
  }

  closeForm() {
    this.mode = '';
    if (!this.form) return;
    this.form.hidden = true;
    this.text.value = '';
  }

  async send() {
    if (this.mode === 'concur') { await this.act('concur'); return; }
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
    let ok = false;
    try {
      const before = room.st.heads.shared + room.st.heads.internal;
      await room.run(type, fields);
      this.closeForm();
      this.el.focus({ preventScroll: true }); // while the change comes: the card, not the page
      ok = true;
      await room.settle(() => room.st.heads.shared + room.st.heads.internal > before);
    } catch (err) {
      this.err.show(err);
    } finally {
      for (const b of this.el.querySelectorAll('button')) b.disabled = false;
      this.sig = '';
      room.render();
      // the focus stays on this card: on the same action if it is still
      // offered, else on its first action, else on the card itself
      if (ok) {
        const next = this.actions.querySelector(`[data-action="${type}"]`) || this.actions.querySelector('button');
        (next || this.el).focus();
        if (type === 'concur') announce(`Concurred as ${room.user.party}.`);
      } else if (!this.form || this.form.hidden) {
        this.el.focus();
      }
    }
  }
}
