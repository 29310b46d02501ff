// outline.js: the articles of the shown version, each coloured (and
// labelled in words) by what its threads say: void consensus, open issue,
// consensus proposed, agreed, discussed (notes or settled issues only), or
// untouched; with who of the others is looking at it.

import { h, replace } from './dom.js';
import { articleAt } from './text.js';

export const ARTICLE_STATE = {
  void: 'Void consensus',
  open: 'Open issue',
  proposed: 'Consensus proposed',
  agreed: 'Agreed',
  discussed: 'Discussed',
  untouched: 'Untouched',
};
const ORDER = ['void', 'open', 'proposed', 'agreed', 'discussed', 'untouched'];

// stateOf says what the threads on [start, end) make of an article.
function stateOf(threads, e) {
  let best = 'untouched';
  const rank = (s) => ORDER.indexOf(s);
  for (const t of threads) {
    const a = t.anchor;
    const inside = a.start === a.end ? a.start >= e.start && a.start < e.end : a.start < e.end && e.start < a.end;
    if (!inside) continue;
    let s = 'discussed';
    if (t.kind === 'consensus') s = t.status === 'void' ? 'void' : t.status === 'agreed' ? 'agreed' : 'proposed';
    else if (t.kind === 'open_issue' && t.status === 'open') s = 'open';
    if (rank(s) < rank(best)) best = s;
  }
  return best;
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
      this.items = entries.map((e) => {
        const state = h('span', { class: 'ol-badge' });
        const people = h('span', { class: 'ol-people' });
        const b = h('button', { type: 'button', class: 'ol-item', onclick: () => this.room.reader.scrollToArticle(e) },
          h('span', { class: 'ol-title' }, e.title), ' ', state, ' ', people); // the name: these words, spaced
        return { e, li: h('li', null, b), b, state, people };
      });
      replace(this.list, this.items.map((it) => it.li));
      if (!entries.length) this.list.append(h('li', { class: 'muted' }, shown ? 'No headings found.' : 'No text yet.'));
    }
    const threads = shown ? [...this.room.st.threads.values()].filter((t) =>
      t.anchor && t.anchor.version === shown.version && t.status !== 'withdrawn') : [];
    const looking = new Map(); // entry index → [user ids]
    for (const u of this.room.people.others()) {
      const f = u.focus;
      if (!f || !shown || f.version !== shown.version) continue;
      const e = articleAt(entries, f.start);
      if (e) looking.set(e.index, [...(looking.get(e.index) || []), u.user]);
    }
    for (const it of this.items) {
      const s = stateOf(threads, it.e);
      it.b.className = `ol-item st-${s}`;
      it.state.textContent = s === 'untouched' ? '' : ARTICLE_STATE[s];
      const who = looking.get(it.e.index) || [];
      it.people.textContent = who.length ? `reading: ${who.join(', ')}` : '';
      it.people.title = who.length ? `Reading now: ${who.join(', ')}` : '';
    }
    this.setReading(this.readingIndex);
  }

  setReading(index) {
    this.readingIndex = index;
    for (const it of this.items) {
      if (it.e.index === index) it.b.setAttribute('aria-current', 'location');
      else it.b.removeAttribute('aria-current');
    }
  }
}
