// docimport.js: "Import a Word document" in the propose view. The file's
// bytes go to POST /api/import (PROTOCOL.md "Exports"), which changes
// nothing and answers the document's text, one line per paragraph, with
// Word's tracked insertions kept and its tracked deletions dropped. That
// text then replaces the draft exactly as a paste does
// (Propose.replaceDraft): the preview is asked for at once from the
// server's draft diff against the version the draft starts from, and a
// long text folds the editor away before the browser lays it out. The
// view says what came in (file, paragraphs, tracked changes taken as
// accepted); an error shows in the form's error place and leaves the
// draft as it was. Nothing here runs when the room renders.

import { api, DOCX } from './api.js';
import { h, nextId, describeError } from './dom.js';

// MAX_BYTES: the contract's limit on an imported document (16 MiB).
const MAX_BYTES = 16 << 20;

export class DocImport {
  // propose is the view (propose.js): its replaceDraft and error box.
  constructor(propose) {
    this.propose = propose;
    this.input = h('input', { type: 'file', id: 'draft-import', class: 'import-file', accept: `.docx,${DOCX}` });
    const hint = h('span', { class: 'hint', id: nextId('hint') },
      'A .docx file. Its text replaces the draft, one line per paragraph, and is previewed against the version your draft starts from before anything is proposed. Word’s tracked changes in it are taken as accepted; its comments, headers and footnotes are left out.');
    this.input.setAttribute('aria-describedby', hint.id);
    this.status = h('p', { class: 'import-status', id: 'draft-imported', role: 'status' });
    this.input.addEventListener('change', () => this.pick());
    this.el = h('div', { class: 'field draft-import' },
      h('label', { for: this.input.id }, 'Import a Word document'), this.input, hint, this.status);
  }

  // pick imports the chosen file.
  async pick() {
    const file = this.input.files && this.input.files[0];
    if (!file) return;
    const p = this.propose;
    const name = file.name;
    p.err.clear();
    this.status.textContent = '';
    if (file.size > MAX_BYTES) {
      this.fail(name, `it is ${(file.size / (1 << 20)).toFixed(1)} MiB, and a document may be at most 16 MiB.`);
      return;
    }
    this.input.disabled = true;
    this.status.textContent = `Reading “${name}”…`;
    let r;
    try {
      r = await api.importDocx(await file.arrayBuffer());
    } catch (err) {
      this.status.textContent = '';
      this.fail(name, describeError(err));
      return;
    } finally {
      this.input.disabled = false;
      this.input.value = ''; // the same file can be chosen again
    }
    if (!r || typeof r.text !== 'string' || !r.text.trim()) {
      this.status.textContent = '';
      this.fail(name, 'it holds no text.');
      return;
    }
    p.replaceDraft(r.text, 'imported');
    const n = r.tracked_changes || 0;
    const said = `Imported “${name}”: ${count(r.paragraphs, 'paragraph')}, ${count([...r.text].length, 'character')}.` +
      (n > 0 ? ` ${n === 1 ? '1 tracked change was' : `${n.toLocaleString('en')} tracked changes were`} accepted (Word’s insertions kept, its deletions dropped).` : '') +
      (r.hidden > 0 ? ` ${r.hidden === 1 ? '1 passage of hidden text was' : `${r.hidden.toLocaleString('en')} passages of hidden text were`} left out.` : '') +
      (p.base ? ` The preview shows it against version ${p.base}; check it, then propose it.` : ' Check it, then propose it.');
    this.status.textContent = said;
  }

  // fail says why a file was not imported, in the form's error place.
  fail(name, why) {
    const msg = `“${name}” was not imported: ${why.replace(/[.\s]*$/, '')}. Your draft is unchanged.`;
    this.propose.err.show(msg);
    this.propose.err.el.scrollIntoView({ block: 'nearest' }); // the form's error place is below the editor
  }
}

function count(n, what) {
  n = n || 0;
  return `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`;
}
