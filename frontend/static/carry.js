// carry.js: per-article review carry (server/README "Per-article review
// carry"). A legal reviewer who approved an earlier version sees, in her
// review of the latest, which articles are unchanged since that approval
// and which changed, are new or were removed (from GET …/review-carry);
// each changed or new article links to its place in the text and shows its
// own redline against the approved version (a slice of the stored diff).
// Ticking "Re-read" is an aid kept in this browser only. The review's
// approve then sends `carried_from`, and a sign-off that carried one shows
// what it carried (SIGN_OFF's `carry`, carryWords).

import { api } from './api.js';
import { h, replace, setText, describeError } from './dom.js';
import { renderOps, describeCounts } from './redline.js';
import { articleAt } from './text.js';

const num = (n) => Number(n || 0).toLocaleString('en-GB');
const plural = (n, one, many) => `${num(n)} ${n === 1 ? one : many}`;

// carryCounts says the counts of a carry (a review-carry read or a
// SIGN_OFF's carry): "1,994 unchanged since your approval of version 3;
// 5 changed, 1 new, 1 removed".
function carryCounts(unchanged, changed, added, removed) {
  const rest = [`${num(changed)} changed`, `${num(added)} new`];
  if (removed) rest.push(`${num(removed)} removed`);
  return [`${plural(unchanged, 'article', 'articles')} unchanged`, rest.join(', ')];
}

// carryWords is what a sign-off with a `carry` says of it, in one line:
// "Carried the review of version 3: 1,994 articles unchanged; changed:
// Article 5, Article 9; new: Article 2001; removed: Article 17."
export function carryWords(c) {
  if (!c) return '';
  const changed = c.changed || [], added = c.added || [], removed = c.removed || [];
  const parts = [`${plural(c.unchanged, 'article', 'articles')} unchanged`];
  parts.push(changed.length ? `changed (${num(changed.length)}): ${changed.join(', ')}` : 'none changed');
  if (added.length) parts.push(`new (${num(added.length)}): ${added.join(', ')}`);
  if (removed.length) parts.push(`removed (${num(removed.length)}): ${removed.join(', ')}`);
  return `Carried the review of version ${c.from}: ${parts.join('; ')}.`;
}

// cpLength counts the code points of a string.
function cpLength(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { const d = s.charCodeAt(i + 1); if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; } }
  }
  return n;
}

// cpSlice cuts a string by code points.
function cpSlice(s, a, b) {
  if (cpLength(s) === s.length) return s.slice(a, b);
  return Array.from(s).slice(a, b).join('');
}

// sliceOps returns the redline ops of the stretch [start, end) (code points
// of the newer version) of a diff: the equal and inserted text inside it
// and the deletions made inside it or at its end (a deletion at its start
// belongs to the article before).
export function sliceOps(ops, start, end) {
  const out = [];
  let pos = 0;
  for (const op of ops) {
    if (op.op === 'delete') {
      if (pos > start && pos <= end) out.push(op);
      continue;
    }
    const len = cpLength(op.text);
    const a = Math.max(start, pos), b = Math.min(end, pos + len);
    if (a < b) out.push(a === pos && b === pos + len ? op : { ...op, text: cpSlice(op.text, a - pos, b - pos) });
    pos += len;
    if (pos > end) break;
  }
  return out.length ? out : [{ op: 'equal', text: '' }];
}

export class Carry {
  constructor(room) {
    this.room = room;
    this.key = '';
    this.data = null; // the review-carry read for `key`, once answered
    this.diffs = new Map(); // "from-to" → Promise<ops>
    this.heading = h('h4', { id: 'carry-h' }, 'What changed since your approval');
    this.summary = h('p', { class: 'carry-summary', id: 'carry-summary' });
    this.progress = h('p', { class: 'carry-progress', id: 'carry-progress', 'aria-live': 'polite' });
    this.note = h('p', { class: 'hint', id: 'carry-note' }, 'The “Re-read” ticks are an aid for you in this browser only: they are not sent and nobody else sees them.');
    this.list = h('ul', { class: 'carry-list', id: 'carry-list', 'aria-labelledby': 'carry-h' });
    this.removed = h('div', { class: 'carry-removed', id: 'carry-removed' });
    this.unchanged = h('details', { class: 'carry-unchanged', id: 'carry-unchanged' });
    this.unchanged.addEventListener('toggle', () => this.drawUnchanged());
    this.el = h('section', { class: 'carry', id: 'carry', 'aria-labelledby': 'carry-h', hidden: true },
      this.heading, this.summary, this.list, this.progress, this.note, this.removed, this.unchanged);
  }

  // from is the version the approval would carry the review from, or 0.
  from() {
    const d = this.data;
    return d && d.from && d.version === (this.room.st.latest() || {}).version ? d.from.version : 0;
  }

  // render shows the carry from the reviewer's latest approval before the
  // latest version (last), reading it again only when the pair changed.
  render(latest, last) {
    const on = !!(latest && last && last.version < latest.version);
    this.el.hidden = !on;
    if (!on) { this.key = ''; this.data = null; return; }
    const key = `${last.version}-${latest.version}-${latest.sha256}`;
    if (key === this.key) return;
    this.key = key;
    this.data = null;
    setText(this.summary, `Listing the articles changed since your approval of version ${last.version}…`);
    replace(this.list); replace(this.removed); replace(this.unchanged); setText(this.progress, '');
    api.reviewCarry(this.room.id, latest.version, last.version).then((d) => {
      if (this.key !== key || this.room.closed) return;
      this.data = d;
      this.draw();
      this.room.changed();
    }, (err) => {
      if (this.key !== key) return;
      setText(this.summary, `The articles changed since version ${last.version} could not be listed: ${describeError(err)} Approving works as usual.`);
    });
  }

  draw() {
    const d = this.data;
    const from = d.from ? d.from.version : 0;
    const arts = d.articles || [];
    const removed = d.removed || [];
    if (!from) { setText(this.summary, 'Every article is new to you: there is no earlier approval to carry from.'); return; }
    const [first, rest] = carryCounts(d.unchanged, d.changed, d.added, removed.length);
    setText(this.summary, `${first} since your approval of version ${from}; ${rest}.`);
    this.summary.dataset.unchanged = String(d.unchanged);
    const todo = arts.filter((a) => a.state !== 'unchanged');
    replace(this.list, todo.map((a) => this.item(a, from, d.version)));
    if (!todo.length) replace(this.list, h('li', { class: 'muted' }, `No article changed since version ${from}.`));
    this.showProgress();
    replace(this.removed, removed.length ? [h('p', null, `Removed since version ${from}:`),
      h('ul', { id: 'carry-removed-list' }, removed.map((t) => h('li', null, t)))] : null);
    this.unchanged.hidden = !d.unchanged;
    replace(this.unchanged, h('summary', null, `${plural(d.unchanged, 'article', 'articles')} approved in version ${from}, unchanged`));
  }

  // item is one changed or new article: its state, a link to it in the
  // text, the re-read tick and its own redline on demand.
  item(a, from, to) {
    const changed = a.state === 'changed';
    const box = h('input', { type: 'checkbox', id: `carry-read-${a.index}`, checked: this.isRead(a) });
    box.addEventListener('change', () => { this.markRead(a, box.checked); li.classList.toggle('read', box.checked); this.showProgress(); });
    const out = h('div', { class: 'redline carry-redline', role: 'document', tabindex: '0', 'aria-label': `Redline of ${a.title} since version ${from}` });
    const wrap = h('div', { class: 'carry-rl', id: `carry-rl-${a.index}`, hidden: true }, h('p', { class: 'muted carry-rl-counts' }), out);
    const toggle = h('button', { type: 'button', class: 'link carry-show', 'aria-expanded': 'false', 'aria-controls': wrap.id, onclick: () => this.toggleRedline(a, from, to, wrap, toggle) },
      `Show its changes since version ${from}`);
    const li = h('li', { class: `carry-item ${a.state}${box.checked ? ' read' : ''}`, dataset: { index: String(a.index), state: a.state, title: a.title } },
      h('span', { class: `pill carry-${a.state}` }, changed ? `Changed since v${from}` : 'New'), ' ',
      h('button', { type: 'button', class: 'link carry-go', onclick: () => this.goTo(a) }, a.title),
      h('div', { class: 'carry-actions' }, h('label', { class: 'check', for: box.id }, box, ' Re-read'), ' ', toggle),
      wrap);
    return li;
  }

  async toggleRedline(a, from, to, wrap, btn) {
    const open = wrap.hidden;
    const out = wrap.querySelector('.carry-redline');
    const counts = wrap.querySelector('.carry-rl-counts');
    wrap.hidden = !open;
    btn.setAttribute('aria-expanded', String(open));
    setText(btn, open ? `Hide its changes since version ${from}` : `Show its changes since version ${from}`);
    if (!open || wrap.dataset.drawn) return;
    setText(counts, 'Reading the redline…');
    const key = `${from}-${to}`;
    if (!this.diffs.has(key)) {
      const p = api.diff(this.room.id, from, to).then((r) => r.ops || []);
      p.catch(() => this.diffs.delete(key));
      this.diffs.set(key, p);
    }
    try {
      const ops = sliceOps(await this.diffs.get(key), a.start, a.end);
      const drawing = renderOps(out, ops);
      wrap.dataset.drawn = '1';
      setText(counts, `Version ${from} → version ${to}, this article: ${describeCounts(drawing.counts)}`);
      await drawing.done;
    } catch (err) {
      setText(counts, `The redline could not be read: ${describeError(err)}`);
    }
  }

  // goTo shows the article in the text view of the latest version, with
  // the focus on its heading.
  async goTo(a) {
    const room = this.room;
    const latest = room.st.latest();
    room.showView('text', false);
    room.showPane('text');
    const r = room.reader;
    if (!r.shown || r.shown.version !== latest.version) await r.show(null);
    if (!r.shown) return;
    const entry = r.shown.outline.find((e) => e.start === a.start) || articleAt(r.shown.outline, a.start);
    if (!entry) return;
    r.scrollToArticle(entry);
    const head = r.doc.querySelector(`#h-${entry.index}`);
    if (head) { head.tabIndex = -1; head.focus({ preventScroll: true }); } else r.doc.focus({ preventScroll: true });
  }

  // the re-read ticks, in this browser's storage, by reviewer, negotiation
  // and version pair
  storeKey() { return `mra-reread:${this.room.user.id}:${this.room.id}:${this.key}`; }

  readSet() {
    try { return new Set(JSON.parse(localStorage.getItem(this.storeKey()) || '[]')); } catch { return new Set(); }
  }

  isRead(a) { return this.readSet().has(a.title); }

  markRead(a, on) {
    const s = this.readSet();
    if (on) s.add(a.title); else s.delete(a.title);
    try { localStorage.setItem(this.storeKey(), JSON.stringify([...s])); } catch { /* storage refused: the tick lasts as long as the page */ }
  }

  showProgress() {
    const boxes = [...this.list.querySelectorAll('input[type=checkbox]')];
    if (!boxes.length) { setText(this.progress, ''); return; }
    setText(this.progress, `${num(boxes.filter((b) => b.checked).length)} of ${plural(boxes.length, 'changed or new article', 'changed or new articles')} re-read.`);
  }

  // drawUnchanged lists the unchanged articles once the list is opened
  // (2,000 lines nobody needs until asked).
  drawUnchanged() {
    if (!this.unchanged.open || !this.data || this.unchanged.querySelector('ul')) return;
    const from = this.data.from ? this.data.from.version : 0;
    this.unchanged.append(h('ul', { class: 'carry-same', id: 'carry-unchanged-list', tabindex: '0', 'aria-label': 'Unchanged articles' },
      (this.data.articles || []).filter((a) => a.state === 'unchanged').map((a) => h('li', null, a.title, h('span', { class: 'muted' }, ` · approved in v${from}, unchanged`)))));
  }
}
