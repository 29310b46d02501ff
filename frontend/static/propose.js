// propose.js: proposing a new version. The editor starts from the latest
// text; a redline preview follows the edits: a pause in typing sends the
// draft to the server's draft diff (POST …/diff), which answers the very
// ops the stored redline will have (moves included) and the consensus
// threads the proposal would void, listed before the Send button. Each edit
// marks the preview out of date at once (data-state "stale", then
// "drawing", "current" only for the draft as it stands), and an answer for
// an earlier draft is dropped, so a stale preview never passes for
// current. The command carries `base`, the version the draft started
// from; if someone proposed meanwhile the server answers `conflict`, and the
// page offers to merge the user's edits onto the new latest version
// (merge.js), to compare, or to start again. While a party's signature
// stands on the latest version the server refuses proposals (`signing`):
// the view says so, and who signed, before anyone types. The draft is never
// lost.

import { api } from './api.js';
import { h, replace, update, errorBox, field, announce, when, describeError } from './dom.js';
import { renderOps, describeCounts, ChangeNav } from './redline.js';
import { merge3 } from './merge.js';
import { DocImport } from './docimport.js';
import { optionLabel } from './options.js';

// cut shortens s to n code points, with "…".
const cut = (s, n) => { const c = [...(s || '')]; return c.length > n ? c.slice(0, n).join('') + '…' : s || ''; };

const PREVIEW_PAUSE_MS = 250; // a pause in typing this long asks for a preview
const BIG_EDIT_CHARS = 2000; // an edit that changes the length this much is no typing
// A pasted text this long is folded away until asked for: the browser lays
// out the whole of an editor's text (about a second for a 3 MB text), and
// the preview shows the text anyway.
const FOLD_PASTE_CHARS = 200000;

export class Propose {
  constructor(room) {
    this.room = room;
    this.started = false;
    this.base = 0;
    this.baseText = '';
    this.conflict = false;
    this.editor = h('textarea', { id: 'draft', class: 'editor', rows: '16', spellcheck: 'true', placeholder: 'Type or paste the proposed text.' });
    this.rev = 0; // edits of the draft so far; the preview says which it shows
    this.editor.addEventListener('input', (e) => this.edited(false, e.inputType));
    this.showText = h('button', { type: 'button', class: 'secondary', id: 'draft-show', onclick: () => this.unfold(true) }, 'Show the text to edit it');
    this.folded = h('div', { class: 'notice draft-folded', id: 'draft-folded', role: 'status', hidden: true },
      h('p', { id: 'draft-folded-what' }), this.showText);
    // A paste while the editor is folded (the focus on its button) replaces
    // the draft, still folded.
    this.folded.addEventListener('paste', (e) => {
      const text = e.clipboardData && e.clipboardData.getData('text/plain');
      if (!text) return;
      e.preventDefault();
      this.replaceDraft(text);
    });
    this.note = h('input', { id: 'draft-note', maxlength: '2000', placeholder: 'e.g. Singapore revision: sixty days' });
    this.baseInfo = h('p', { class: 'muted', id: 'draft-base' });
    this.blocked = h('div', { class: 'notice warn', id: 'propose-blocked', role: 'status', hidden: true });
    this.warn = h('div', { class: 'notice warn', id: 'draft-warning', role: 'alert', tabindex: '-1', hidden: true });
    this.err = errorBox();
    this.importer = new DocImport(this); // "Import a Word document" (docimport.js)
    // bracket options: the next text from the agreed options (GET …/next-text)
    this.fromOptions = h('button', { type: 'button', class: 'secondary', id: 'draft-from-options', hidden: true, onclick: () => this.startFromOptions() }, 'Start from agreed options');
    this.optionsInfo = h('div', { class: 'notice draft-options', id: 'draft-options', role: 'status', tabindex: '-1', hidden: true });
    this.applied = []; // the option ids the draft takes in: sent as propose_version's options
    this.submitBtn = h('button', { type: 'submit', class: 'primary', id: 'propose-submit' });
    this.changesOnly = h('input', { type: 'checkbox', id: 'preview-changes-only', checked: true });
    this.changesOnly.addEventListener('change', () => this.drawPreview());
    this.summary = h('p', { class: 'summary', id: 'preview-summary', 'aria-live': 'polite' });
    this.preview = h('div', { class: 'doc redline', id: 'preview', tabindex: '0', role: 'document', 'aria-label': 'Preview of your changes', 'data-state': 'stale' });
    this.voids = h('div', { class: 'notice warn draft-voids', id: 'draft-voids', role: 'status', hidden: true });
    this.nav = new ChangeNav('preview');
    this.form = h('form', { class: 'propose-form' },
      this.blocked, this.baseInfo, this.warn, this.importer.el,
      h('div', { class: 'draft-from-options' }, this.fromOptions), this.optionsInfo,
      field('Proposed text', this.editor), this.folded,
      field('Note for the other side', this.note, 'Say what this revision does; it is shown with the version.'),
      this.voids, this.err.el,
      h('div', { class: 'buttons' }, this.submitBtn,
        h('button', { type: 'button', class: 'secondary', onclick: () => this.start(true) }, 'Start again from the latest version')));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    this.el = h('div', { class: 'view propose' },
      h('div', { class: 'propose-grid' },
        this.form,
        h('section', { class: 'preview-pane', 'aria-labelledby': 'preview-h' },
          h('div', { class: 'toolbar' }, h('h2', { id: 'preview-h' }, 'Your changes'),
            h('label', { class: 'check', for: 'preview-changes-only' }, this.changesOnly, ' Changes only'), this.nav.el),
          this.summary, h('div', { class: 'doc-wrap' }, this.preview))));
    this.nav.keys(this.preview);
  }

  activate() {
    if (!this.started) this.start(false);
  }

  // start begins a draft from the latest version (asking first when a
  // changed draft would be dropped).
  async start(ask) {
    if (ask && this.started && this.editor.value !== this.baseText &&
      !window.confirm('Drop your draft and start again from the latest version?')) return;
    const latest = this.room.st.latest();
    this.base = latest ? latest.version : 0;
    this.baseText = latest ? (await this.room.text(latest.version)).text : '';
    // A long text starts folded: it is set while the editor is hidden, so
    // the browser never lays it out unless asked.
    const long = this.baseText.length >= FOLD_PASTE_CHARS;
    if (long) this.editor.hidden = true;
    else this.unfold();
    this.editor.value = this.baseText;
    if (long) {
      this.fold(this.baseText.length, `Your draft starts as version ${this.base}’s text, ${this.baseText.length.toLocaleString('en')} characters, not shown here so that the page stays quick. Paste a revised text here (Ctrl+V), or show the text to edit it.`);
    }
    this.edited(true);
    this.started = true;
    this.applied = [];
    this.optionsInfo.hidden = true;
    this.conflict = false;
    this.merged = false;
    this.warn.hidden = true;
    this.err.clear();
    this.render();
  }

  render() {
    this.renderBlocked();
    const agreed = [...this.room.st.options.values()].some((o) => o.status === 'agreed');
    this.fromOptions.hidden = !agreed && !this.applied.length;
    const latest = this.room.st.latest();
    const n = latest ? latest.version : 0;
    this.submitBtn.textContent = this.base === 0 ? 'Propose the first version' : `Propose version ${this.base + 1}`;
    this.baseInfo.textContent = !this.started ? '' : this.base === 0 ? 'This will be the first version.'
      : `Your draft starts from version ${this.base}${this.base === n ? ' (the latest)' : ''}.`;
    if (this.started && this.base !== n) {
      const v = latest;
      update(this.warn, `${this.conflict}:${this.base}:${n}`, () => [
        h('p', null, h('strong', null, this.conflict ? 'Not proposed: someone proposed meanwhile. ' : 'A newer version exists. '),
          `Version ${n} was proposed by ${this.room.st.userName(v.author)} (${v.party})${v.note ? ` — “${v.note}”` : ''} while you were editing from version ${this.base}. Your draft is kept.`),
        h('div', { class: 'buttons' },
          h('button', { type: 'button', class: 'primary', id: 'merge-draft', onclick: () => this.mergeOnto() }, `Apply my changes onto version ${n}`),
          h('button', { type: 'button', class: 'secondary', onclick: () => this.room.compare.show(this.base, n) }, `See what changed in version ${n}`),
          h('button', { type: 'button', class: 'secondary', onclick: () => this.start(true) }, `Drop my draft, start from version ${n}`))]);
      this.warn.hidden = false;
    } else if (!this.merged) {
      this.warn.hidden = true;
    }
  }

  // renderBlocked says, above the editor, which parties' signatures stand
  // on the latest version and so block every proposal until withdrawn.
  renderBlocked() {
    const st = this.room.st;
    const signed = st.frozen ? [] : st.signedParties();
    const latest = st.latest();
    if (!signed.length || !latest) {
      this.blocked.hidden = true;
      this.describeSubmit();
      if (this.signingErr) { this.err.clear(); this.signingErr = false; }
      return;
    }
    const own = this.room.user.party;
    const sigs = signed.map((p) => st.signatureOf(p) || { party: p });
    update(this.blocked, JSON.stringify([latest.version, sigs]), () => [
      h('p', null, h('strong', null, 'Proposals are blocked while a signature stands. '),
        sigs.map((s, i) => [i ? '; ' : '', `${st.partyName(s.party)} (${s.party}) signed version ${latest.version}`,
          s.user ? [` (${st.userName(s.user)}, `, when(s.at), ')'] : null]), '.'),
      h('p', null, signed.length === 1
        ? `A new version can be proposed only after ${signed[0] === own ? 'your administration' : signed[0]}’s signatory withdraws that signature (in Readiness). Your draft can still be edited meanwhile.`
        : `A new version can be proposed only after the signatories of ${signed.join(' and ')} withdraw their signatures (in Readiness). Your draft can still be edited meanwhile.`)]);
    this.blocked.hidden = false;
    this.describeSubmit();
  }

  // replaceDraft puts a whole new text in the draft as a paste does (a
  // paste onto the folded notice, an imported Word document): the preview
  // is asked for at once, and a long text folds the editor before the
  // browser lays it out. how says what the user did ("pasted", "imported").
  replaceDraft(text, how = 'pasted') {
    this.editor.value = text;
    this.edited(false, 'insertFromPaste', how);
  }

  // edited marks the preview out of date at once, and asks for a new one
  // after a pause in typing (now, when asked).
  edited(now = false, inputType = '', how = 'pasted') {
    this.rev++;
    this.editor.dataset.rev = String(this.rev);
    this.shown = null;
    if (this.preview.mraDrawing) this.preview.mraDrawing.stop();
    this.preview.dataset.state = 'stale';
    this.preview.setAttribute('aria-busy', 'true');
    this.nav.set(null);
    const msg = 'Your draft changed: the preview below is out of date until it is computed again…';
    if (this.summary.textContent !== msg) this.summary.textContent = msg; // said once, not at every key
    this.renderVoids();
    clearTimeout(this.timer);
    // A paste or a replaced text (not typing) is asked for at once, before
    // the browser lays the new text out in the editor, which takes about a
    // second for a 3 MB text: the server computes meanwhile.
    const length = this.editor.value.length;
    const pasted = /^(insertFromPaste|insertFromDrop)/.test(inputType);
    const jump = pasted || inputType === 'deleteByCut' || Math.abs(length - (this.lastLength ?? length)) >= BIG_EDIT_CHARS;
    this.lastLength = length;
    // A long paste folds the editor; one onto the folded editor says what it now holds.
    if (pasted && (length >= FOLD_PASTE_CHARS || this.editor.hidden)) this.fold(length, '', how);
    if (jump) this.updatePreview();
    else this.timer = setTimeout(() => this.updatePreview(), now ? 0 : PREVIEW_PAUSE_MS);
  }

  // fold hides the editor after a long paste, before the browser lays the
  // text out, and says so; the focus goes to the way back to the text.
  fold(length, say = '', how = 'pasted') {
    const had = document.activeElement === this.editor;
    this.editor.hidden = true;
    this.folded.querySelector('#draft-folded-what').textContent = say ||
      `You ${how} a text of ${length.toLocaleString('en')} characters. It is not shown here, so that the page stays quick; the preview beside it shows it with your changes. It is sent as ${how}.`;
    this.folded.hidden = false;
    if (had) this.showText.focus();
  }

  // unfold shows the editor again (and puts the cursor in it, when asked).
  unfold(focus = false) {
    if (!this.editor.hidden) return;
    this.editor.hidden = false;
    this.folded.hidden = true;
    if (focus) this.editor.focus();
  }

  // updatePreview asks for the redline of the draft as it now stands.
  async updatePreview() {
    clearTimeout(this.timer);
    const rev = this.rev, base = this.base, text = this.editor.value;
    let answer;
    if (text === this.baseText) answer = { ops: [{ op: 'equal', text }], voids: [] };
    else if (!base) answer = { ops: [{ op: 'insert', text }], voids: [] };
    else {
      this.summary.textContent = `Computing the preview against version ${base}…`;
      try {
        answer = await api.draftDiff(this.room.id, base, text);
      } catch (err) {
        if (rev === this.rev) this.summary.textContent = `The preview could not be computed: ${describeError(err)}`;
        return;
      }
    }
    if (rev !== this.rev || base !== this.base) return; // for an earlier draft: never shown
    this.shown = { rev, base, ops: answer.ops, voids: answer.voids || [] };
    this.drawPreview();
  }

  // drawPreview draws the preview of this.shown, which is the draft as it stands.
  async drawPreview() {
    const shown = this.shown;
    if (!shown) return;
    this.preview.dataset.state = 'drawing';
    this.preview.dataset.rev = String(shown.rev);
    const drawing = renderOps(this.preview, shown.ops, { changesOnly: this.changesOnly.checked });
    this.nav.set(drawing);
    this.summary.textContent = `Against version ${shown.base || '(none)'}: ${describeCounts(drawing.counts)}`;
    this.renderVoids();
    if (await drawing.done && this.shown === shown) this.preview.dataset.state = 'current';
  }

  // renderVoids says, before the Send button, which agreed (or proposed)
  // consensus threads the proposal would make void, each linking to its
  // thread; while the preview is out of date, that it is being checked.
  renderVoids() {
    const box = this.voids;
    const shown = this.shown;
    const key = shown ? `${shown.rev}:${JSON.stringify(shown.voids)}` : 'checking';
    if (shown && !shown.voids.length) {
      box.hidden = true;
      this.describeSubmit();
      return;
    }
    if (!shown && (!this.started || this.editor.value === this.baseText || !this.base)) {
      box.hidden = true;
      this.describeSubmit();
      return;
    }
    update(box, key, () => {
      if (!shown) return [h('p', { class: 'muted' }, 'Checking whether this draft changes agreed text…')];
      const agreed = shown.voids.filter((v) => v.status === 'agreed').length;
      const proposed = shown.voids.length - agreed;
      const what = [agreed ? `${agreed} agreed clause${agreed === 1 ? '' : 's'}` : '',
        proposed ? `${proposed} proposed consensus${proposed === 1 ? '' : ' threads'}` : ''].filter(Boolean).join(' and ');
      return [
        h('p', null, h('strong', null, `This proposal voids ${what}: `),
          shown.voids.length === 1 ? 'it changes the clause it stands on, so it must be confirmed again once this is proposed.'
            : 'it changes the clauses they stand on, so they must be confirmed again once this is proposed.'),
        h('ul', { class: 'void-list' }, shown.voids.map((v) => h('li', null,
          h('a', { href: `#/n/${encodeURIComponent(this.room.id)}/t/${encodeURIComponent(v.thread)}` },
            `${v.status === 'agreed' ? 'Agreed' : 'Proposed'}${v.visibility === 'internal' ? ' (internal)' : ''}: `,
            h('q', null, v.quote.length > 120 ? v.quote.slice(0, 117) + '…' : v.quote)))))];
    });
    box.hidden = false;
    this.describeSubmit();
  }

  // describeSubmit points the Send button at what it should be read with:
  // the signatures that block it, the threads it would void.
  describeSubmit() {
    const ids = [this.blocked, this.shown && this.shown.voids.length ? this.voids : null].filter((e) => e && !e.hidden).map((e) => e.id);
    if (ids.length) this.submitBtn.setAttribute('aria-describedby', ids.join(' '));
    else this.submitBtn.removeAttribute('aria-describedby');
  }

  async submit() {
    const room = this.room;
    const text = this.editor.value;
    this.err.clear();
    if (!text.trim()) { this.err.show('The text is empty.'); return; }
    if (this.base && text === this.baseText) { this.err.show(`The draft is the same as version ${this.base}. Change the text first.`); return; }
    this.submitBtn.disabled = true;
    try {
      const fields = { base: this.base, text, note: this.note.value };
      if (this.applied.length) fields.options = this.applied;
      const r = await room.run('propose_version', fields);
      const from = this.base;
      this.started = false;
      this.applied = [];
      this.optionsInfo.hidden = true;
      this.note.value = '';
      this.warn.hidden = true;
      announce(`Version ${r.version} proposed.`);
      await room.settle(() => !!room.st.version(r.version));
      room.reader.show(null);
      if (from) room.compare.show(from, r.version);
      else room.showView('text');
    } catch (err) {
      if (err.code === 'conflict') {
        this.conflict = true;
        this.merged = false;
        await room.catchUpQuietly();
        this.render();
        this.warn.focus();
      } else if (err.code === 'signing') {
        await room.catchUpQuietly(); // the signature, if the page had not seen it yet
        this.render();
        this.err.show(`Not proposed: ${describeError(err)} Your draft is kept.`);
        this.signingErr = true;
      } else {
        this.err.show(err);
      }
    } finally {
      this.submitBtn.disabled = false;
    }
  }

  // startFromOptions puts the server's next text (the latest version with
  // each agreed option's words in place of its issue's range) into the
  // draft as a paste does, so the preview shows it at once, and says which
  // options it applied and which it skipped, and why. Proposing then sends
  // the applied ones as `options`: they become incorporated in the version.
  async startFromOptions() {
    const room = this.room;
    this.err.clear();
    if (this.started && this.editor.value !== this.baseText &&
      !window.confirm('Replace your draft with the latest version and the agreed options?')) return;
    this.fromOptions.disabled = true;
    let r;
    try {
      r = await api.nextText(room.id);
    } catch (err) {
      this.err.show(err);
      this.fromOptions.disabled = false;
      return;
    }
    this.fromOptions.disabled = false;
    this.base = r.base;
    this.baseText = r.base ? (await room.text(r.base)).text : '';
    this.started = true;
    this.conflict = false;
    this.merged = false;
    this.warn.hidden = true;
    this.unfold();
    this.replaceDraft(r.text, 'loaded');
    this.applied = (r.applied || []).slice();
    this.showApplied(r);
    this.render();
    this.optionsInfo.focus();
  }

  // showApplied names the options the next text applied and skipped.
  showApplied(r) {
    const st = this.room.st;
    const name = (id) => {
      const o = st.options.get(id);
      if (!o) return id;
      const t = st.threads.get(o.thread);
      return `${optionLabel(st, o)} (${o.party}) on “${cut(t && t.anchor ? t.anchor.quote : '', 60)}”: “${cut(o.text, 80) || '(delete the words)'}”`;
    };
    const applied = r.applied || [], skipped = r.skipped || [];
    this.optionsInfo.mraKey = '';
    replace(this.optionsInfo,
      h('p', null, h('strong', null, applied.length
        ? `Your draft is version ${r.base} with ${applied.length} agreed option${applied.length === 1 ? '' : 's'} in place. `
        : `No agreed option could be applied: your draft is version ${r.base} as it is. `),
      applied.length ? 'Proposing it records them as incorporated in the new version.' : ''),
      applied.length ? [h('p', { class: 't-label' }, 'Applied:'), h('ul', { class: 'opt-applied' }, applied.map((id) => h('li', { dataset: { option: id } }, name(id))))] : null,
      skipped.length ? [h('p', { class: 't-label' }, 'Skipped:'), h('ul', { class: 'opt-skipped' }, skipped.map((s) => h('li', { dataset: { option: s.option } }, name(s.option), ' — ', s.reason)))] : null);
    this.optionsInfo.hidden = false;
  }

  // mergeOnto replays the user's edits onto the latest version.
  async mergeOnto() {
    const latest = this.room.st.latest();
    const theirs = (await this.room.text(latest.version)).text;
    const res = merge3(this.baseText, this.editor.value, theirs);
    const from = this.base;
    this.base = latest.version;
    this.baseText = theirs;
    this.conflict = false;
    this.merged = true;
    this.warn.mraKey = '';
    if (res.text != null) {
      this.editor.value = res.text;
      replace(this.warn, h('p', null, `Your changes were applied onto version ${latest.version}. The preview now compares your draft with version ${latest.version}; check it and propose again.`));
    } else {
      replace(this.warn,
        h('p', null, `Your changes and version ${latest.version} change the same passages (${res.conflicts.length}). Your draft is kept as you wrote it; the preview now compares it with version ${latest.version}, so it also shows where your draft would undo their changes. Edit the draft, then propose.`),
        h('ul', null, res.conflicts.slice(0, 5).map((c) => h('li', null, h('q', null, c.trim())))));
    }
    this.warn.hidden = false;
    announce(`Draft moved from version ${from} onto version ${latest.version}.`);
    this.edited(true);
    this.render();
  }
}
