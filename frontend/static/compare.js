// compare.js: the redline of any two stored versions, from the server's
// diff endpoint (word level, moved passages marked), drawn in slices (see
// redline.js); next / previous change with a count; "Changes only" keeps
// each change's article heading; and "changes since the version I approved"
// for legal reviewers.

import { api } from './api.js';
import { h, replace, field, select, describeError } from './dom.js';
import { renderOps, describeCounts, ChangeNav } from './redline.js';

export class Compare {
  constructor(room) {
    this.room = room;
    this.cache = new Map(); // "from-to" → Promise<ops>
    this.from = 0;
    this.to = 0;
    this.count = -1;
    this.fromSel = select([], '', { id: 'compare-from' });
    this.toSel = select([], '', { id: 'compare-to' });
    const pick = () => this.show(Number(this.fromSel.value), Number(this.toSel.value), false);
    this.fromSel.addEventListener('change', pick);
    this.toSel.addEventListener('change', pick);
    this.changesOnly = h('input', { type: 'checkbox', id: 'changes-only' });
    this.changesOnly.addEventListener('change', () => this.draw());
    this.sinceBtn = h('button', { type: 'button', class: 'secondary', id: 'since-approval', onclick: () => this.sinceApproval() }, 'Changes since my approval');
    this.summary = h('p', { class: 'summary', id: 'compare-summary', 'aria-live': 'polite' });
    this.out = h('div', { class: 'doc redline', id: 'redline', tabindex: '0', role: 'document', 'aria-label': 'Redline' });
    this.nav = new ChangeNav('compare');
    this.el = h('div', { class: 'view compare' },
      h('div', { class: 'toolbar' },
        field('From', this.fromSel), field('To', this.toSel),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.show(this.to, this.from, false) }, 'Swap'),
        h('label', { class: 'check', for: 'changes-only' }, this.changesOnly, ' Changes only'),
        this.sinceBtn, this.nav.el),
      h('p', { class: 'legend-line muted' }, h('ins', null, 'inserted'), ' ', h('del', null, 'deleted'), ' ', h('ins', { class: 'moved' }, 'moved')),
      this.summary, h('div', { class: 'doc-wrap' }, this.out));
    this.nav.keys(this.el);
  }

  render() {
    const st = this.room.st;
    if (st.versions.length !== this.count) {
      this.count = st.versions.length;
      const opts = st.versions.map((v) => h('option', { value: String(v.version) }, `Version ${v.version} — ${st.userName(v.author)} (${v.party})`));
      this.fromSel.replaceChildren(...opts.map((o) => o.cloneNode(true)));
      this.toSel.replaceChildren(...opts);
      if (this.from) { this.fromSel.value = String(this.from); this.toSel.value = String(this.to); }
    }
    const may = this.room.may;
    const last = st.lastApproval(this.room.user.id);
    const latest = st.latest();
    this.sinceBtn.hidden = !may.isLegal;
    this.sinceBtn.disabled = !last || !latest || last.version >= latest.version;
    this.sinceBtn.title = !last ? 'You have not approved a version yet.' : this.sinceBtn.disabled ? 'You approved the latest version.' : `Version ${last.version} → ${latest.version}`;
  }

  // activate picks the default pair (the last two versions) on first use.
  activate() {
    const st = this.room.st;
    if (this.from || st.versions.length === 0) {
      if (!st.versions.length) replace(this.out, h('p', { class: 'muted' }, 'No versions to compare yet.'));
      return;
    }
    const n = st.versions.length;
    this.show(Math.max(1, n - 1), n, false);
  }

  sinceApproval() {
    const st = this.room.st;
    const last = st.lastApproval(this.room.user.id);
    const latest = st.latest();
    if (last && latest) this.show(last.version, latest.version);
  }

  // show compares versions from → to, and switches to this view.
  async show(from, to, switchView = true) {
    this.from = from;
    this.to = to;
    if (switchView) this.room.showView('compare', false);
    this.fromSel.value = String(from);
    this.toSel.value = String(to);
    if (this.room.exportCompare) this.room.exportCompare.refresh(); // the Export menu follows the pair shown
    if (from === to) {
      this.ops = [{ op: 'equal', text: '' }];
      this.summary.textContent = 'Pick two different versions.';
      if (this.out.mraDrawing) this.out.mraDrawing.stop();
      replace(this.out);
      this.nav.set(null);
      return;
    }
    const key = `${from}-${to}`;
    if (!this.cache.has(key)) {
      const p = api.diff(this.room.id, from, to).then((r) => r.ops);
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    this.summary.textContent = `Comparing version ${from} with version ${to}…`;
    try {
      const ops = await this.cache.get(key);
      if (this.from !== from || this.to !== to) return;
      this.ops = ops;
      this.draw();
    } catch (err) {
      this.summary.textContent = describeError(err);
    }
  }

  draw() {
    if (!this.ops) return;
    const drawing = renderOps(this.out, this.ops, { changesOnly: this.changesOnly.checked });
    this.nav.set(drawing);
    const counts = drawing.counts;
    const own = this.room.st.lastApproval(this.room.user.id);
    this.summary.textContent = `Version ${this.from} → version ${this.to}: ${describeCounts(counts)}` +
      (own && own.version === this.from && this.room.may.isLegal ? ` These are the changes since the version you approved.` : '');
  }
}
