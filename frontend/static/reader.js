// reader.js: the text view. It shows one version (the latest unless the
// user picks another) with every visible thread highlighted on its range;
// a click on a highlight opens its thread; a selection can be commented on.
// Thread anchors live on the latest version, so older versions show plain.
//
// The text is drawn article by article: each article is a block that stands
// in with an estimated height until it comes near the view (or something
// needs it: a thread, a find, an outline jump), and a change of highlights
// redraws only the blocks whose highlights changed.

import { h, replace, update, when, shortHash, field, select } from './dom.js';
import { renderRange, selectionIn, spanAt, rangeIn, describeMark } from './text.js';
import { KIND_LABEL, THREAD_STATUS_LABEL } from './state.js';
import { Find } from './find.js';

// EAGER: a text up to this many UTF-16 units is drawn whole at once.
const EAGER = 150000;
// NEAR: how far (px) beyond the view blocks are drawn ahead of scrolling.
const NEAR = 1500;

export class Reader {
  constructor(room) {
    this.room = room;
    this.shown = null; // {version, text, cps, outline}
    this.following = true; // follow the latest version as new ones arrive
    this.want = 0;
    this.sel = null;
    this.current = null;
    this.versionCount = -1;

    this.versionSel = select([], '', { id: 'version-select' });
    this.versionSel.addEventListener('change', () => this.show(Number(this.versionSel.value)));
    this.commentBtn = h('button', { type: 'button', id: 'comment-selection', disabled: true, onclick: () => this.commentOnSelection() }, 'Comment on selection');
    this.commentBtn.addEventListener('mousedown', (e) => e.preventDefault()); // keep the selection
    this.noteBtn = h('button', { type: 'button', id: 'general-note', class: 'secondary', onclick: () => this.room.compose(null) }, 'General note');
    this.meta = h('p', { class: 'vmeta', id: 'version-meta' });
    this.notice = h('div', { class: 'notice', hidden: true });
    this.doc = h('div', { class: 'doc', id: 'doc', tabindex: '0', role: 'document', 'aria-label': 'Agreement text' });
    this.float = h('button', { type: 'button', class: 'float-comment', hidden: true }, 'Comment');
    this.float.addEventListener('mousedown', (e) => e.preventDefault()); // keep the selection
    this.float.addEventListener('click', () => this.commentOnSelection());
    this.wrap = h('div', { class: 'doc-wrap' }, this.doc, this.float);
    this.desc = h('div', { hidden: true, id: 'hl-descriptions' }); // "hd-<thread>": what each highlight is
    this.blocks = [];
    this.find = new Find(this);
    this.el = h('div', { class: 'view reader' },
      h('div', { class: 'toolbar' }, field('Version', this.versionSel), h('div', { class: 'toolbar-actions' }, this.commentBtn, this.noteBtn)),
      this.find.el, this.meta, this.notice, this.wrap, this.desc);
    this.onResize = () => this.drawNear();
    window.addEventListener('resize', this.onResize);

    this.doc.addEventListener('click', (e) => this.onClick(e));
    this.doc.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target.matches('[data-threads][role=button]')) {
        e.preventDefault();
        this.onClick(e);
      }
    });
    this.onSelection = () => { clearTimeout(this.selTimer); this.selTimer = setTimeout(() => this.updateSelection(), 60); };
    document.addEventListener('selectionchange', this.onSelection);
    this.wrap.addEventListener('scroll', () => {
      if (!this.nearFrame) this.nearFrame = requestAnimationFrame(() => { this.nearFrame = 0; this.drawNear(); });
      if (this.scrollTimer) return;
      this.scrollTimer = setTimeout(() => { this.scrollTimer = 0; this.updateReading(); }, 200);
    });
  }

  close() {
    document.removeEventListener('selectionchange', this.onSelection);
    window.removeEventListener('resize', this.onResize);
    this.find.close();
  }

  // show displays version v (null: the latest, and follow new ones).
  async show(v) {
    const latest = this.room.st.latest();
    this.following = v == null || (latest && v === latest.version);
    const n = v ?? (latest ? latest.version : 0);
    if (n && this.want === n && this.loading) return this.loading;
    this.want = n;
    if (!n) {
      this.shown = null;
      this.room.changed();
      return;
    }
    let t;
    try {
      this.loading = this.room.text(n);
      t = await this.loading;
    } catch (err) {
      replace(this.doc, h('p', { class: 'error' }, `Version ${n} could not be loaded: ${err.message}`));
      return;
    } finally {
      this.loading = null;
    }
    if (this.want !== n || this.room.closed) return;
    if (this.shown === t) return;
    this.shown = t;
    if (this.room.exportText) this.room.exportText.refresh(); // the Export menu follows the version shown
    this.layout();
    this.updateReading();
    this.room.changed();
    this.room.newArticles(t);
  }

  render() {
    const st = this.room.st;
    const latest = st.latest();
    if (st.versions.length !== this.versionCount) {
      this.versionCount = st.versions.length;
      this.versionSel.replaceChildren(...[...st.versions].reverse().map((v) =>
        h('option', { value: String(v.version) }, `Version ${v.version}${v === latest ? ' (latest)' : ''} — ${st.userName(v.author)} (${v.party})`)));
      this.versionSel.disabled = st.versions.length === 0;
    }
    if (this.following && latest && this.want !== latest.version) this.show(null);
    if (this.shown) this.versionSel.value = String(this.shown.version);

    const may = this.room.may;
    this.commentBtn.hidden = !may.comment;
    this.noteBtn.hidden = !may.comment;
    if (!latest) {
      this.meta.textContent = '';
      this.notice.hidden = true;
      update(this.doc, `empty:${may.propose}`, () => h('div', { class: 'empty' },
        h('p', null, 'No text has been proposed yet.'),
        may.propose ? h('button', { type: 'button', class: 'primary', onclick: () => this.room.showView('propose') }, 'Propose the first version') : h('p', null, 'A negotiator proposes the first text.')));
      return;
    }
    if (!this.shown) return;
    const v = st.version(this.shown.version);
    update(this.meta, v.sha256 + v.version, () => [`Version ${v.version}, proposed by ${st.userName(v.author)} (${v.party}) `, when(v.at),
      v.note ? [' — ', h('q', null, v.note)] : null, ' — SHA-256 ', shortHash(v.sha256)]);
    const old = this.shown.version !== latest.version;
    this.notice.hidden = !old;
    if (old) {
      update(this.notice, `${this.shown.version}/${latest.version}`, () => [
        `You are reading version ${this.shown.version}; the latest is version ${latest.version}. Threads are anchored on the latest version. `,
        h('button', { type: 'button', class: 'link', onclick: () => this.show(null) }, 'Read the latest'), ' · ',
        h('button', { type: 'button', class: 'link', onclick: () => this.room.compare.show(this.shown.version, latest.version) }, `Compare with version ${latest.version}`)]);
    }
    this.placeMarks(this.marks());
  }

  // marks lists the highlights on the shown version, as the filters allow.
  marks() {
    if (!this.shown) return [];
    const out = [];
    for (const t of this.room.st.sortedThreads()) {
      const a = t.anchor;
      if (!a || a.version !== this.shown.version || t.status === 'withdrawn' || !this.room.threads.matches(t)) continue;
      const internal = t.visibility === 'internal';
      const status = t.kind === 'note' ? '' : `, ${(THREAD_STATUS_LABEL[t.status] || t.status).toLowerCase()}`;
      const label = `${KIND_LABEL[t.kind]}${status}${internal ? `, internal to ${t.party}` : ''}, raised by ${t.party}`;
      out.push({ id: t.id, start: a.start, end: a.end, kind: t.kind, status: t.status, internal, label });
    }
    return out;
  }

  // layout puts the shown version's blocks in the page: one per article
  // (and one for any text before the first), drawn at once for a short
  // text, otherwise standing in with an estimated height until near.
  layout() {
    const t = this.shown;
    const cps = t.cps, len = cps.text.length;
    const cuts = [0];
    for (const e of t.outline) {
      const u = cps.toUnit(e.start);
      if (u > cuts[cuts.length - 1] && u < len) cuts.push(u);
    }
    cuts.push(len);
    const lineChars = Math.max(30, Math.floor((Math.min(this.doc.clientWidth || 736, 736) - 64) / 8.4));
    const lineH = 28.8; // 1.06rem × 1.7
    this.blocks = [];
    const els = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const a = cuts[k], b = cuts[k + 1];
      const el = document.createElement('div');
      el.className = 'blk';
      el.setAttribute('data-u', a);
      el.setAttribute('data-end', b);
      let lines = 0;
      for (let i = cps.text.indexOf('\n', a); i >= 0 && i < b; i = cps.text.indexOf('\n', i + 1)) lines++;
      const est = Math.ceil((lines + (b - a) / lineChars) * lineH * 0.75);
      this.blocks.push({ index: k, a, b, cpA: cps.toCp(a), cpB: cps.toCp(b), el, drawn: false, marks: [], key: '', est });
      els.push(el);
    }
    this.entryBlock = t.outline.map((e) => this.blockAt(cps.toUnit(e.start)));
    this.blockEntry = this.blocks.map(() => -1);
    t.outline.forEach((e, k) => { const b = this.entryBlock[k]; if (this.blockEntry[b] < 0) this.blockEntry[b] = k; });
    this.doc.replaceChildren(...els);
    this.doc.mraKey = '';
    this.distribute(this.marks());
    if (len <= EAGER) {
      for (const b of this.blocks) this.drawBlock(b.index);
    } else {
      for (const b of this.blocks) b.el.style.minHeight = `${b.est}px`;
      this.drawNear();
    }
    if (this.current) this.markCurrent(this.current, false);
  }

  // drawNear draws the blocks in the view and up to NEAR px around it.
  drawNear() {
    if (!this.blocks.length || !this.wrap.clientHeight) return;
    const top = this.wrap.scrollTop - NEAR, bottom = this.wrap.scrollTop + this.wrap.clientHeight + NEAR;
    let lo = 0, hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid].el.offsetTop <= top) lo = mid; else hi = mid - 1;
    }
    const todo = [];
    for (let k = lo; k < this.blocks.length; k++) {
      const bl = this.blocks[k];
      if (!bl.drawn) todo.push(k);
      if (bl.el.offsetTop > bottom) break;
    }
    for (const k of todo) this.drawBlock(k);
    // drawn blocks take their own height: look again once they have
    if (todo.length && !this.nearFrame) this.nearFrame = requestAnimationFrame(() => { this.nearFrame = 0; this.drawNear(); });
  }

  // blockAt returns the index of the block holding UTF-16 unit u.
  blockAt(u) {
    let lo = 0, hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid].a <= u) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // distribute gives each block the marks that fall on it, and a key that
  // says whether they changed; it returns the blocks whose marks changed.
  distribute(marks) {
    const cps = this.shown.cps;
    const per = this.blocks.map(() => []);
    for (const m of marks) {
      const a = cps.toUnit(m.start), b = cps.toUnit(m.end);
      const first = this.blockAt(a), last = a === b ? first : this.blockAt(Math.max(a, b - 1));
      for (let k = first; k <= last; k++) per[k].push(m);
    }
    const changed = [];
    const seen = new Map(); // thread → block index it begins in
    for (const m of marks) seen.set(m.id, this.blockAt(cps.toUnit(m.start)));
    per.forEach((ms, k) => {
      const bl = this.blocks[k];
      const key = ms.length ? JSON.stringify(ms.map((m) => [m.id, m.start, m.end, m.kind, m.status, m.internal, m.label, seen.get(m.id) < k])) : '';
      bl.marks = ms;
      bl.before = new Set(ms.filter((m) => seen.get(m.id) < k).map((m) => m.id));
      if (key !== bl.key) { bl.key = key; changed.push(bl); }
    });
    // the descriptions the highlights point at
    const want = new Map(marks.map((m) => [`hd-${m.id}`, describeMark(m)]));
    this.descs = this.descs || new Map(); // id → element
    for (const [id, el] of this.descs) if (!want.has(id)) { el.remove(); this.descs.delete(id); }
    for (const [id, text] of want) {
      let el = this.descs.get(id);
      if (!el) { el = h('span', { id }); this.desc.append(el); this.descs.set(id, el); }
      if (el.textContent !== text) el.textContent = text;
    }
    return changed;
  }

  // placeMarks redraws the drawn blocks whose highlights changed; a block
  // under the user's selection waits until the selection is let go.
  placeMarks(marks) {
    if (!this.shown || !this.blocks.length) return;
    const changed = this.distribute(marks);
    for (const bl of changed) if (bl.drawn) this.redraw(bl);
  }

  redraw(bl) {
    if (this.sel && this.sel.start < bl.cpB && bl.cpA < this.sel.end) { bl.pending = true; return; }
    this.paint(bl);
  }

  // drawBlock draws block k if it is not drawn yet.
  drawBlock(k) {
    const bl = this.blocks[k];
    if (!bl || bl.drawn) return;
    bl.drawn = true;
    this.paint(bl);
    bl.el.style.minHeight = '';
  }

  paint(bl) {
    const t = this.shown;
    bl.pending = false;
    const heads = [];
    for (let e = this.blockEntry[bl.index]; e >= 0 && e < t.outline.length && this.entryBlock[e] === bl.index; e++) heads.push(t.outline[e]);
    bl.el.replaceChildren(renderRange(t.cps, bl.marks, heads, bl.a, bl.b, new Set(bl.before)));
    if (this.current) for (const el of bl.el.querySelectorAll(`[data-threads~="${CSS.escape(this.current)}"]`)) el.classList.add('current');
    this.find.repaint(bl);
  }

  // drawUnits draws the blocks over UTF-16 units [a, b].
  drawUnits(a, b) {
    if (!this.blocks.length) return;
    for (let k = this.blockAt(a), last = this.blockAt(b); k <= last; k++) this.drawBlock(k);
  }

  // rangeOf returns a DOM Range over UTF-16 units [a, b), drawing them first.
  rangeOf(a, b) {
    this.drawUnits(a, Math.max(a, b - 1));
    const first = this.blocks[this.blockAt(a)];
    return first ? rangeIn(first.el.parentNode, a, b) : null;
  }

  // scrollToUnits brings units [a, b) to the middle of the view.
  scrollToUnits(a, b) {
    const r = this.rangeOf(a, b);
    if (!r) return;
    const box = r.getBoundingClientRect(), w = this.wrap.getBoundingClientRect();
    this.wrap.scrollTop += box.top - w.top - this.wrap.clientHeight / 3;
  }

  onClick(e) {
    const target = e.target.closest('[data-threads]');
    if (!target) return;
    const ids = target.dataset.threads.split(' ');
    // a second click on a piece with several threads opens the next one
    const i = ids.indexOf(this.current);
    this.room.openThread(ids[(i + 1) % ids.length] || ids[0]);
  }

  updateSelection() {
    if (!this.shown || this.room.view !== 'text') return;
    const sel = selectionIn(this.doc, this.shown.cps);
    this.sel = sel;
    this.commentBtn.disabled = !sel;
    if (sel && this.room.may.comment) {
      const rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
      const w = this.wrap.getBoundingClientRect();
      this.float.style.top = `${rect.bottom - w.top + this.wrap.scrollTop + 6}px`;
      this.float.style.left = `${Math.max(8, Math.min(rect.left - w.left, w.width - 140))}px`;
      this.float.hidden = false;
    } else {
      this.float.hidden = true;
    }
    if (sel) this.room.setFocus({ version: this.shown.version, start: sel.start, end: sel.end });
    else {
      this.updateReading();
      this.flushPending();
    }
  }

  // commentOnSelection opens the comment form on the selection as it is
  // now, and lets go of the selection (the form shows the quote).
  commentOnSelection() {
    if (!this.shown) return;
    const sel = selectionIn(this.doc, this.shown.cps) || this.sel;
    if (!sel) return;
    this.float.hidden = true;
    this.room.compose({ version: this.shown.version, ...sel });
    window.getSelection().removeAllRanges();
    this.sel = null;
    this.commentBtn.disabled = true;
    this.flushPending();
  }

  flushPending() {
    if (this.sel) return;
    for (const bl of this.blocks) if (bl.pending) this.paint(bl);
  }

  // updateReading finds the article at the top of the view.
  updateReading() {
    if (!this.shown || !this.blocks.length) return;
    const top = this.wrap.scrollTop + 24;
    let lo = 0, hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid].el.offsetTop <= top) lo = mid; else hi = mid - 1;
    }
    let e = -1;
    for (let k = lo; k >= 0 && e < 0; k--) e = this.blockEntry[k];
    const cur = e >= 0 ? this.shown.outline[e] : this.shown.outline[0] || null;
    this.reading = cur;
    this.room.outline.setReading(cur ? cur.index : -1);
    if (!this.sel && cur) this.room.setFocus({ version: this.shown.version, start: cur.start, end: cur.end });
  }

  scrollToArticle(entry) {
    const k = this.entryBlock && this.entryBlock[entry.index];
    if (k == null) return;
    this.drawBlock(k);
    const el = this.doc.querySelector(`#h-${entry.index}`) || this.blocks[k].el;
    this.wrap.scrollTop = Math.max(0, el.offsetTop - 12);
    this.updateReading();
  }

  scrollToCp(cp) {
    if (!this.shown) return;
    const u = this.shown.cps.toUnit(cp);
    this.drawUnits(u, u);
    const span = spanAt(this.doc, this.shown.cps, cp);
    if (span) span.scrollIntoView({ block: 'center' });
  }

  // markCurrent outlines the open thread's text, and shows it.
  markCurrent(id, scroll = true) {
    this.current = id;
    for (const el of this.doc.querySelectorAll('.current')) el.classList.remove('current');
    const t = this.room.st.threads.get(id);
    if (!t || !t.anchor) return;
    if (this.shown && t.anchor.version !== this.shown.version && scroll) {
      this.show(null).then(() => this.markCurrent(id));
      return;
    }
    if (this.shown && this.blocks.length && t.anchor.version === this.shown.version) {
      const cps = this.shown.cps;
      const a = cps.toUnit(t.anchor.start), b = cps.toUnit(t.anchor.end);
      if (scroll) this.drawUnits(a, Math.max(a, b - 1));
    }
    const pieces = this.doc.querySelectorAll(`[data-threads~="${CSS.escape(id)}"]`);
    for (const el of pieces) el.classList.add('current');
    if (scroll && pieces.length) pieces[0].scrollIntoView({ block: 'center' });
  }
}
