// outline.js: the articles of the shown version, each coloured (and
// labelled in words) by what its threads say: void consensus, open issue,
// consensus proposed, agreed, new in this version (and not agreed),
// discussed (notes or settled issues only), or untouched; with who of the
// others is looking at it. A render touches only the entries whose state
// changed, so 2,000 articles stay cheap.

import { h, replace } from './dom.js';
import { articleAt } from './text.js';

export const ARTICLE_STATE = {
  void: 'Void consensus',
  open: 'Open issue',
  proposed: 'Consensus proposed',
  agreed: 'Agreed',
  new: 'New in this version',
  discussed: 'Discussed',
  untouched: 'Untouched',
};
// CHUNK: outline items built per task.
const CHUNK = 250;
const ORDER = ['void', 'open', 'proposed', 'agreed', 'new', 'discussed', 'untouched'];

// threadState says what one thread makes of the articles it is on.
function threadState(t) {
  if (t.kind === 'consensus') return t.status === 'void' ? 'void' : t.status === 'agreed' ? 'agreed' : 'proposed';
  if (t.kind === 'open_issue' && t.status === 'open') return 'open';
  return 'discussed';
}

// states returns each entry's state: the most pressing of its threads',
// "new" for a new article no thread makes more of than discussed.
function states(entries, threads, fresh) {
  const rank = (s) => ORDER.indexOf(s);
  const out = entries.map((e, k) => (fresh && fresh.has(k) ? 'new' : 'untouched'));
  for (const t of threads) {
    const a = t.anchor;
    const s = threadState(t);
    // entries overlapping [a.start, a.end) (a point: the one holding it)
    let k = firstAfter(entries, a.start) - 1;
    if (k < 0) k = 0;
    for (; k < entries.length; k++) {
      const e = entries[k];
      if (a.start === a.end ? e.start > a.start : e.start >= a.end) break;
      const inside = a.start === a.end ? a.start >= e.start && a.start < e.end : a.start < e.end && e.start < a.end;
      if (inside && rank(s) < rank(out[k])) out[k] = s;
    }
  }
  return out;
}

// firstAfter returns the index of the first entry starting after cp.
function firstAfter(entries, cp) {
  let lo = 0, hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].start <= cp) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export class Outline {
  constructor(room) {
    this.room = room;
    this.list = h('ol', { class: 'outline-list' });
    this.items = [];
    this.entries = null;
    this.readingIndex = -1;
    const legend = h('details', { class: 'legend' }, h('summary', null, 'Legend'),
      h('ul', null, ORDER.map((s) => h('li', { class: `ol-state st-${s}` }, h('span', { class: 'swatch' }), ARTICLE_STATE[s]))));
    this.el = h('section', { class: 'outline', 'aria-labelledby': 'outline-h' },
      h('h2', { id: 'outline-h' }, 'Outline'), this.list, legend);
  }

  render() {
    const shown = this.room.reader.shown;
    const entries = shown ? shown.outline : [];
    if (entries !== this.entries) {
      this.entries = entries;
      this.items = [];
      this.built = 0;
      this.list.replaceChildren();
      if (!entries.length) this.list.append(h('li', { class: 'muted' }, shown ? 'No headings found.' : 'No text yet.'));
      this.build(entries);
    }
    const threads = shown ? [...this.room.st.threads.values()].filter((t) =>
      t.anchor && t.anchor.version === shown.version && t.status !== 'withdrawn') : [];
    const looking = new Map(); // entry index → [user ids]
    for (const u of this.room.people.others()) {
      const f = u.focus;
      if (!f || !shown || f.version !== shown.version) continue;
      const e = articleAt(entries, f.start);
      if (e) looking.set(e.index, [...(looking.get(e.index) || []), this.room.st.userName(u.user)]);
    }
    this.states = states(entries, threads, shown && shown.fresh);
    this.looking = looking;
    this.items.forEach((it, k) => this.paint(it, k));
    this.setReading(this.readingIndex);
  }

  // build adds the entries' items in slices of CHUNK, one task each, so
  // that 2,000 articles never hold the page up.
  build(entries) {
    clearTimeout(this.buildTimer);
    if (entries !== this.entries) return;
    const frag = document.createDocumentFragment();
    const end = Math.min(entries.length, this.items.length + CHUNK);
    for (let k = this.items.length; k < end; k++) {
      const e = entries[k];
      const b = h('button', { type: 'button', class: 'ol-item', dataset: { index: String(e.index) }, onclick: () => { this.room.showPane('text'); this.room.reader.scrollToArticle(e); } },
        h('span', { class: 'ol-title' }, e.title));
      const it = { e, li: h('li', null, b), b, key: '' };
      this.items.push(it);
      if (this.states) this.paint(it, k);
      frag.append(it.li);
    }
    this.list.append(frag);
    if (this.readingIndex >= 0) this.setReading(this.readingIndex);
    if (this.items.length < entries.length) this.buildTimer = setTimeout(() => this.build(entries), 0);
  }

  // paint shows item k's state and who reads it (only when they changed).
  paint(it, k) {
    const s = (this.states && this.states[k]) || 'untouched';
    const who = (this.looking && this.looking.get(it.e.index)) || [];
    const key = `${s}|${who.join(',')}`;
    if (it.key === key) return;
    it.key = key;
    it.b.className = `ol-item st-${s}`;
    if (s !== 'untouched' && !it.state) it.state = it.b.appendChild(h('span', { class: 'ol-badge' }));
    if (it.state) it.state.textContent = s === 'untouched' ? '' : ARTICLE_STATE[s];
    if (who.length && !it.people) it.people = it.b.appendChild(h('span', { class: 'ol-people' }));
    if (it.people) {
      it.people.textContent = who.length ? `reading: ${who.join(', ')}` : '';
      it.people.title = who.length ? `Reading now: ${who.join(', ')}` : '';
    }
  }

  setReading(index) {
    const was = this.items[this.readingIndex];
    if (was && this.readingIndex !== index) was.b.removeAttribute('aria-current');
    this.readingIndex = index;
    const it = this.items[index];
    if (it && !it.b.hasAttribute('aria-current')) it.b.setAttribute('aria-current', 'location');
  }
}
