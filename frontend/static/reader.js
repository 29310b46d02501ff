// reader.js: the text view. It shows one version (the latest unless the
// user picks another) with every visible thread highlighted on its range;
// a click on a highlight opens its thread; a selection can be commented on.
// Thread anchors live on the latest version, so older versions show plain.

import { h, replace, update, when, shortHash, field, select } from './dom.js';
import { renderText, selectionIn, spanAt } from './text.js';
import { KIND_LABEL, THREAD_STATUS_LABEL } from './state.js';

export class Reader {
  constructor(room) {
    this.room = room;
    this.shown = null; // {version, text, cps, outline}
    this.following = true; // follow the latest version as new ones arrive
    this.want = 0;
    this.sel = null;
    this.marksKey = '';
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
    this.el = h('div', { class: 'view reader' },
      h('div', { class: 'toolbar' }, field('Version', this.versionSel), h('div', { class: 'toolbar-actions' }, this.commentBtn, this.noteBtn)),
      this.meta, this.notice, this.wrap);

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
      if (this.scrollTimer) return;
      this.scrollTimer = setTimeout(() => { this.scrollTimer = 0; this.updateReading(); }, 200);
    });
  }

  close() {
    document.removeEventListener('selectionchange', this.onSelection);
  }

  // show displays version v (null: the latest, and follow new ones).
  async show(v) {
    const latest = this.room.st.latest();
    this.following = v == null || (latest && v === latest.version);
    const n = v ?? (latest ? latest.version : 0);
    this.want = n;
    if (!n) {
      this.shown = null;
      this.room.changed();
      return;
    }
    let t;
    try {
      t = await this.room.text(n);
    } catch (err) {
      replace(this.doc, h('p', { class: 'error' }, `Version ${n} could not be loaded: ${err.message}`));
      return;
    }
    if (this.want !== n || this.room.closed) return;
    this.shown = t;
    this.marksKey = null;
    this.draw();
    this.updateReading();
    this.room.changed();
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
    const marks = this.marks();
    const key = JSON.stringify(marks);
    if (key !== this.marksKey) {
      if (this.sel) this.pending = true; // do not pull the text from under a selection
      else this.draw(marks, key);
    }
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

  draw(marks, key) {
    if (!this.shown) return;
    marks = marks || this.marks();
    this.marksKey = key || JSON.stringify(marks);
    this.pending = false;
    renderText(this.doc, this.shown.cps, marks, this.shown.outline);
    this.doc.mraKey = '';
    this.headEls = this.shown.outline.map((e) => this.doc.querySelector(`#h-${e.index}`));
    if (this.current) this.markCurrent(this.current, false);
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
      if (this.pending) this.draw();
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
    if (this.pending) this.draw();
  }

  // updateReading finds the article at the top of the view.
  updateReading() {
    if (!this.shown || !this.headEls) return;
    const top = this.wrap.scrollTop + 24;
    let cur = this.shown.outline[0] || null;
    this.shown.outline.forEach((e, k) => {
      const el = this.headEls[k];
      if (el && el.offsetTop <= top) cur = e;
    });
    this.reading = cur;
    this.room.outline.setReading(cur ? cur.index : -1);
    if (!this.sel && cur) this.room.setFocus({ version: this.shown.version, start: cur.start, end: cur.end });
  }

  scrollToArticle(entry) {
    const el = this.headEls && this.headEls[entry.index];
    if (el) this.wrap.scrollTop = Math.max(0, el.offsetTop - 12);
    else this.scrollToCp(entry.start);
  }

  scrollToCp(cp) {
    if (!this.shown) return;
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
    const pieces = this.doc.querySelectorAll(`[data-threads~="${CSS.escape(id)}"]`);
    for (const el of pieces) el.classList.add('current');
    if (scroll && pieces.length) pieces[0].scrollIntoView({ block: 'center' });
  }
}
