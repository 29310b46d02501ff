// redline.js: drawing a redline, and the client-side word diff that the
// three-way merge (merge.js) replays. Every redline on the page comes from
// the server (GET …/diff for stored versions, POST …/diff for a draft's
// preview), moved paragraphs included, so the preview shows exactly the ops
// the stored redline will have.
//
// A redline of the reference agreement has some 12,000 ops over 3 MB; it is
// drawn in slices of a few milliseconds, yielding between them, into blocks
// that the browser lays out only near the viewport (content-visibility), so
// no task freezes the page. Each change (a run of deletions and insertions,
// or one side of a moved passage) is numbered for next / previous.

import { h } from './dom.js';
import { isHeading, isTitleLine } from './text.js'; // the headings as the outline finds them

const SLICE_MS = 8; // drawing work per task
const PART_OPS = 60; // ops per block, broken at a line end


// countOps returns {insert, delete, move} (ops with words; moved passages
// once each) and the number of changes that renderOps numbers.
export function countOps(ops) {
  const counts = { insert: 0, delete: 0, move: 0 };
  const moves = new Set();
  let changes = 0, open = false;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k];
    if (op.op === 'equal') { open = false; continue; }
    if (op.move) {
      moves.add(op.move);
      const prev = ops[k - 1];
      if (!prev || prev.op !== op.op || prev.move !== op.move) changes++;
      open = false;
      continue;
    }
    if (/\S/.test(op.text)) counts[op.op] += 1;
    if (!open && numberedRun(ops, k)) { changes++; open = true; }
  }
  counts.move = moves.size;
  return { counts, changes };
}

// renderOps draws ops [{op, text, move?, edit?}] into el, replacing what it
// held (and stopping a drawing still under way there). A moved passage is
// one block on each side, tagged once, with the words its edit removed
// (where it left) or added (where it arrived) marked inside. With
// changesOnly, long unchanged stretches fold to a few lines of context (a
// button shows them), keeping the heading of the article the next change
// stands in. Returns a drawing: {counts, total, changes (the elements of
// each numbered change, filled as it draws), done (a promise, true once all
// is drawn, false if stopped)}. el is aria-busy while it draws.
export function renderOps(el, ops, { changesOnly = false } = {}) {
  if (el.mraDrawing) el.mraDrawing.stop();
  const { counts, changes: total } = countOps(ops);
  const drawing = { counts, total, changes: [], stopped: false, drawn: false };
  drawing.stop = () => { drawing.stopped = true; };
  el.mraDrawing = drawing;
  el.replaceChildren();
  el.setAttribute('aria-busy', 'true');
  drawing.done = draw(el, ops, changesOnly, drawing).then((ok) => {
    if (ok) { drawing.drawn = true; el.removeAttribute('aria-busy'); }
    return ok;
  });
  return drawing;
}

const nextTask = () => new Promise((resolve) => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => resolve();
  ch.port2.postMessage(0);
});

async function draw(el, ops, changesOnly, drawing) {
  let part = h('div', { class: 'rl-part' });
  el.append(part);
  let inPart = 0;
  let open = null; // the change being drawn (its elements), while a run lasts
  let t0 = performance.now();
  for (let k = 0; k < ops.length; k++) {
    if ((k & 31) === 0 && performance.now() - t0 > SLICE_MS) {
      await nextTask();
      if (drawing.stopped) return false;
      t0 = performance.now();
    }
    const op = ops[k];
    if (op.op === 'equal') {
      open = null;
      let text = op.text;
      if (inPart >= PART_OPS && k > 0) {
        const nl = text.indexOf('\n');
        if (nl >= 0) {
          part.append(text.slice(0, nl + 1));
          text = text.slice(nl + 1);
          part = h('div', { class: 'rl-part' });
          el.append(part);
          inPart = 0;
        }
      }
      inPart++;
      if (!text) continue;
      part.append(changesOnly ? foldEqual(text, k === 0, k === ops.length - 1) : text);
      continue;
    }
    inPart++;
    const ins = op.op === 'insert';
    const tag = ins ? 'ins' : 'del';
    if (!op.move) {
      const node = h(tag, null, h('span', { class: 'sr-only' }, ins ? ' [inserted: ' : ' [deleted: '), op.text, h('span', { class: 'sr-only' }, '] '));
      part.append(node);
      if (open) open.push(node);
      else if (numberedRun(ops, k)) { node.dataset.change = String(drawing.changes.length); open = [node]; drawing.changes.push(open); }
      continue;
    }
    open = null;
    const node = h(tag, { class: 'moved' },
      h('span', { class: 'move-tag' }, ins ? `moved here ⟵${op.move}` : `moved ⟶${op.move}`), ' ',
      h('span', { class: 'sr-only' }, ins ? ' [inserted: ' : ' [deleted: '));
    for (; k < ops.length && ops[k].op === op.op && ops[k].move === op.move; k++) {
      const p = ops[k];
      node.append(p.edit
        ? h(tag, { class: 'edit' }, h('span', { class: 'sr-only' }, ins ? ' [added on the way: ' : ' [removed on the way: '), p.text, h('span', { class: 'sr-only' }, '] '))
        : p.text);
    }
    k--;
    node.append(h('span', { class: 'sr-only' }, '] '));
    part.append(node);
    node.dataset.change = String(drawing.changes.length);
    drawing.changes.push([node]);
  }
  return true;

  // foldEqual keeps three lines of context around changes, and the last
  // heading that the fold would hide (the next change stands under it).
  function foldEqual(text, first, last) {
    const lines = text.split('\n');
    const keep = 3;
    if (lines.length <= keep * 2 + 2) return text;
    const head = first ? [] : lines.slice(0, keep);
    const tail = last ? [] : lines.slice(lines.length - keep);
    const hidden = lines.slice(head.length, lines.length - tail.length);
    let at = -1;
    if (!last) for (let i = hidden.length - 1; i >= 0 && at < 0; i--) if (isHeading(hidden[i])) at = i; // a change follows
    const span = h('span', { class: 'folded' });
    const more = (n) => {
      const b = h('button', { type: 'button', class: 'fold' }, `⋯ ${n} unchanged line${n === 1 ? '' : 's'} ⋯`);
      b.addEventListener('click', () => span.replaceWith(text));
      return b;
    };
    span.append(head.length ? head.join('\n') + '\n' : '');
    if (at < 0) span.append(more(hidden.length));
    else {
      let end = at + 1; // the heading, and a short title line after it
      const sub = hidden[end];
      if (sub !== undefined && isTitleLine(sub.trim())) end++;
      if (at > 0) span.append(more(at), '\n');
      span.append(h('span', { class: 'rl-heading' }, hidden.slice(at, end).join('\n')));
      if (end < hidden.length) span.append('\n', more(hidden.length - end));
    }
    span.append(tail.length ? '\n' + tail.join('\n') : '');
    return span;
  }
}

// numberedRun reports whether the run of plain changes from ops[k] holds
// words (a run of whitespace alone is drawn but not numbered).
function numberedRun(ops, k) {
  for (let j = k; j < ops.length && ops[j].op !== 'equal' && !ops[j].move; j++) if (/\S/.test(ops[j].text)) return true;
  return false;
}

// ChangeNav is next / previous change over a drawing, with a count
// ("Change 12 of 5,813"), by its buttons or by the keys n and p (Gerrit's)
// anywhere in the view it serves: the change is scrolled to, marked and
// focused, and its number announced.
export class ChangeNav {
  constructor(prefix) {
    this.drawing = null;
    this.at = -1;
    this.status = h('span', { class: 'change-count', id: `${prefix}-change-count`, 'aria-live': 'polite' });
    this.prev = h('button', { type: 'button', class: 'secondary', id: `${prefix}-prev-change`, 'aria-keyshortcuts': 'p', title: 'Previous change (p)', onclick: () => this.go(-1) }, '↑ Previous change');
    this.next = h('button', { type: 'button', class: 'secondary', id: `${prefix}-next-change`, 'aria-keyshortcuts': 'n', title: 'Next change (n)', onclick: () => this.go(1) }, 'Next change ↓');
    this.el = h('div', { class: 'change-nav', role: 'group', 'aria-label': 'Changes' }, this.prev, this.next, this.status);
    this.set(null);
  }

  // keys makes n and p work in el (not while typing in a field or list).
  keys(el) {
    el.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest('textarea, select, [contenteditable], input:not([type=checkbox]):not([type=radio])')) return;
      if (e.key === 'n' || e.key === 'p') { e.preventDefault(); this.go(e.key === 'n' ? 1 : -1); }
    });
  }

  // set follows a new drawing (null: none).
  set(drawing) {
    this.drawing = drawing;
    this.at = -1;
    this.render();
  }

  render() {
    const d = this.drawing;
    const n = d ? d.total : 0;
    this.prev.disabled = !n || this.at <= 0;
    this.next.disabled = !n || this.at >= n - 1;
    const say = !d ? '' : !n ? 'No changes' : this.at < 0 ? `${n.toLocaleString('en')} change${n === 1 ? '' : 's'}`
      : `Change ${(this.at + 1).toLocaleString('en')} of ${n.toLocaleString('en')}`;
    if (this.status.textContent !== say) this.status.textContent = say; // a live region: only news
  }

  async go(step) {
    const d = this.drawing;
    if (!d || !d.total) return;
    const to = Math.max(0, Math.min(d.total - 1, this.at + step));
    if (to >= d.changes.length && !(await d.done)) return; // not drawn yet: wait for it
    if (this.drawing !== d || !d.changes[to]) return;
    if (this.at >= 0 && d.changes[this.at]) for (const n of d.changes[this.at]) n.classList.remove('current-change');
    this.at = to;
    const nodes = d.changes[to];
    for (const n of nodes) n.classList.add('current-change');
    nodes[0].tabIndex = -1;
    nodes[0].scrollIntoView({ block: 'center' });
    nodes[0].focus({ preventScroll: true });
    this.render();
  }
}

// describeCounts says what a redline holds, in words.
export function describeCounts(c) {
  if (!c.insert && !c.delete && !c.move) return 'No changes.';
  const parts = [];
  if (c.insert) parts.push(`${c.insert} insertion${c.insert === 1 ? '' : 's'}`);
  if (c.delete) parts.push(`${c.delete} deletion${c.delete === 1 ? '' : 's'}`);
  if (c.move) parts.push(`${c.move} moved passage${c.move === 1 ? '' : 's'}`);
  return parts.join(', ') + '.';
}

// ---- the client-side word diff (merge.js's) ----

const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]|[\p{L}\p{N}\p{M}]+|\s+|[\s\S]/gu;

export function tokens(s) {
  return s.match(TOKEN) || [];
}

// wordDiff returns the ops turning a into b; equal+delete rebuild a and
// equal+insert rebuild b.
export function wordDiff(a, b) {
  const la = splitLines(a), lb = splitLines(b);
  const out = [];
  for (const [op, x, y] of alignRuns(la, lb)) {
    if (op === 'equal') push(out, 'equal', x.join(''));
    else diffWords(x.join(''), y.join(''), out);
  }
  return out;
}

function splitLines(s) {
  return s.match(/[^\n]*\n|[^\n]+$/g) || [];
}

// alignRuns aligns two sequences and yields [op, xs, ys] runs where op is
// "equal" or "change" (xs replaced by ys).
function alignRuns(xs, ys) {
  const script = myers(xs, ys);
  const runs = [];
  let i = 0, j = 0;
  const flush = (ci, cj) => { if (ci > i || cj > j) runs.push(['change', xs.slice(i, ci), ys.slice(j, cj)]); };
  for (const [si, sj, len] of script) { // common blocks
    flush(si, sj);
    if (len) runs.push(['equal', xs.slice(si, si + len), ys.slice(sj, sj + len)]);
    i = si + len; j = sj + len;
  }
  flush(xs.length, ys.length);
  return runs;
}

function diffWords(a, b, out) {
  const ta = tokens(a), tb = tokens(b);
  for (const [op, x, y] of alignRuns(ta, tb)) {
    if (op === 'equal') { push(out, 'equal', x.join('')); continue; }
    push(out, 'delete', x.join(''));
    push(out, 'insert', y.join(''));
  }
}

function push(out, op, text) {
  if (!text) return;
  const last = out[out.length - 1];
  if (last && last.op === op) last.text += text;
  else if (last && op === 'delete' && last.op === 'insert') {
    // keep deletions before insertions in a change
    const prev = out[out.length - 2];
    if (prev && prev.op === 'delete') prev.text += text; else out.splice(out.length - 1, 0, { op, text });
  } else out.push({ op, text });
}

const MAX_D = 2000; // beyond this many edits, a stretch is shown as replaced whole

// myers returns the common blocks [i, j, len] of xs and ys (Myers' O(ND)
// algorithm after trimming the common prefix and suffix), in order.
function myers(xs, ys) {
  let pre = 0;
  while (pre < xs.length && pre < ys.length && xs[pre] === ys[pre]) pre++;
  let suf = 0;
  while (suf < xs.length - pre && suf < ys.length - pre && xs[xs.length - 1 - suf] === ys[ys.length - 1 - suf]) suf++;
  const a = xs.slice(pre, xs.length - suf), b = ys.slice(pre, ys.length - suf);
  const blocks = [];
  if (pre) blocks.push([0, 0, pre]);
  // intern to ints for speed
  const ids = new Map();
  const id = (t) => { let v = ids.get(t); if (v === undefined) { v = ids.size; ids.set(t, v); } return v; };
  const A = Int32Array.from(a, id), B = Int32Array.from(b, id);
  const n = A.length, m = B.length;
  const max = Math.min(n + m, MAX_D);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace = [];
  let found = -1;
  if (n === 0 || m === 0) found = -2;
  for (let d = 0; d <= max && found === -1; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = (k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && A[x] === B[y]) { x++; y++; }
      v[off + k] = x;
      if (x >= n && y >= m) { found = d; break; }
    }
  }
  const mid = [];
  if (found >= 0) {
    // walk back through the trace
    let x = n, y = m;
    for (let d = found; d > 0; d--) {
      const t = trace[d]; // v before step d, window [-(d)-1 .. d+1]
      const at = (k) => t[k + d + 1];
      const k = x - y;
      const prevK = (k === -d || (k !== d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
      const px = at(prevK), py = px - prevK;
      const sx = prevK === k + 1 ? px : px + 1; // after the edit step
      const sy = sx - k;
      if (x > sx) mid.push([sx, sy, x - sx]);
      x = px; y = py;
    }
    if (x > 0) mid.push([0, 0, x]);
    mid.reverse();
  }
  for (const [i, j, len] of mid) blocks.push([pre + i, pre + j, len]);
  if (suf) blocks.push([xs.length - suf, ys.length - suf, suf]);
  return blocks;
}
