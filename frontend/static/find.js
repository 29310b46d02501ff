// find.js: find in the whole text of the shown version and in the threads.
// The reader draws only the articles near the view, so the browser's own
// find sees only those; this one searches the text itself (case-blind),
// counts ("3 of 41"), and goes to the next or previous match: it draws the
// match's article, scrolls to it and marks it (a CSS highlight, which
// leaves the text's nodes alone). Matches in threads come after the text's
// and open their thread. Ctrl+F (⌘F) in the text view opens it.

import { h, announce } from './dom.js';
import { articleAt } from './text.js';

// MAX: matches counted at most (a query of one common letter stops there).
const MAX = 20000;

export class Find {
  constructor(reader) {
    this.reader = reader;
    this.matches = []; // [{a, b} UTF-16 units in the text | {thread}]
    this.at = -1;
    this.query = '';
    this.input = h('input', { type: 'search', id: 'find-input', autocomplete: 'off', placeholder: 'Find in the text and threads', 'aria-describedby': 'find-count' });
    this.count = h('span', { class: 'find-count', id: 'find-count', 'aria-live': 'polite' });
    this.prev = h('button', { type: 'button', class: 'small', id: 'find-prev', onclick: () => this.go(-1) }, 'Previous');
    this.next = h('button', { type: 'button', class: 'small', id: 'find-next', onclick: () => this.go(1) }, 'Next');
    this.el = h('div', { class: 'find-bar', role: 'search', 'aria-label': 'Find in the agreement' },
      h('label', { for: 'find-input', class: 'find-label' }, 'Find'), this.input, this.prev, this.next, this.count);
    this.input.addEventListener('input', () => { clearTimeout(this.timer); this.timer = setTimeout(() => this.search(), 120); });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); this.search(true); this.go(e.shiftKey ? -1 : 1); }
      if (e.key === 'Escape') { this.input.value = ''; this.search(); }
    });
    this.onKey = (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'f' && reader.room.view === 'text' && !reader.room.closed) {
        e.preventDefault();
        reader.room.showPane && reader.room.showPane('text');
        this.input.focus();
        this.input.select();
      }
    };
    document.addEventListener('keydown', this.onKey);
    this.update();
  }

  close() {
    document.removeEventListener('keydown', this.onKey);
    clearTimeout(this.timer);
    if (window.CSS && CSS.highlights) CSS.highlights.delete('mra-find');
  }

  // search finds the query again (in the text and the threads); with
  // keep, an unchanged query keeps its place.
  search(keep = false) {
    const q = this.input.value;
    const shown = this.reader.shown;
    const key = `${q}\u0000${shown ? shown.version : 0}`;
    if (keep && key === this.key) return;
    this.key = key;
    this.query = q;
    this.matches = [];
    this.at = -1;
    this.more = false;
    if (q.trim() && shown) {
      const s = shown.text;
      const re = new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
      let m;
      while ((m = re.exec(s)) && this.matches.length < MAX) {
        this.matches.push({ a: m.index, b: m.index + m[0].length });
        if (!m[0].length) re.lastIndex++;
      }
      if (m) this.more = true;
      const lq = q.toLowerCase();
      for (const t of this.reader.room.st.sortedThreads()) {
        if (t.status === 'withdrawn') continue;
        if ((t.messages || []).some((x) => (x.body || '').toLowerCase().includes(lq))) this.matches.push({ thread: t.id });
      }
    }
    this.mark();
    this.update();
  }

  // go moves to the next (1) or previous (-1) match.
  go(dir) {
    if (this.input.value !== this.query || !this.reader.shown || this.key !== `${this.input.value}\u0000${this.reader.shown.version}`) this.search();
    const n = this.matches.length;
    if (!n) { this.update(); return; }
    this.at = this.at < 0 ? (dir > 0 ? 0 : n - 1) : (this.at + dir + n) % n;
    const m = this.matches[this.at];
    if (m.thread) {
      this.reader.room.openThread(m.thread);
    } else {
      this.reader.room.showPane && this.reader.room.showPane('text');
      this.reader.scrollToUnits(m.a, m.b);
    }
    this.mark();
    this.update();
    announce(this.describe());
  }

  // mark highlights the current match in the text, if it is drawn.
  mark() {
    if (!(window.CSS && CSS.highlights)) return;
    const m = this.matches[this.at];
    if (!m || m.thread) { CSS.highlights.delete('mra-find'); return; }
    const r = this.reader.rangeOf(m.a, m.b);
    if (r) CSS.highlights.set('mra-find', new Highlight(r));
    else CSS.highlights.delete('mra-find');
  }

  // repaint marks the current match again after its block was redrawn.
  repaint(bl) {
    const m = this.matches[this.at];
    if (m && !m.thread && m.a < bl.b && bl.a <= m.a) this.mark();
  }

  describe() {
    const n = this.matches.length;
    if (!this.query.trim()) return '';
    if (!n) return 'No matches';
    const total = `${n.toLocaleString('en')}${this.more ? '+' : ''}`;
    if (this.at < 0) return `${total} match${n === 1 ? '' : 'es'}`;
    const m = this.matches[this.at];
    let where = '';
    const shown = this.reader.shown;
    if (m.thread) where = ', in a thread';
    else if (shown) {
      const e = articleAt(shown.outline, shown.cps.toCp(m.a));
      if (e) where = `, in ${e.opening ? 'the opening' : e.title.split(' · ')[0]}`;
    }
    return `${(this.at + 1).toLocaleString('en')} of ${total}${where}`;
  }

  update() {
    this.count.textContent = this.describe();
    const none = this.matches.length === 0;
    this.prev.disabled = none;
    this.next.disabled = none;
  }
}
