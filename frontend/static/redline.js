// redline.js: drawing a redline, and the client-side word diff behind the
// live preview of an unsaved draft. Stored versions are compared by the
// server (GET …/diff, with moved paragraphs); a draft exists only in the
// page, so its preview is diffed here: lines first, then words within the
// changed lines (the server's tokens: words, white space runs, single other
// characters, one token per character in scripts written without spaces).
// The preview shows no moves; the stored redline after proposing does.

import { h } from './dom.js';

// renderOps fills el with ops [{op, text, move?, edit?}]. A moved passage is
// one block on each side, tagged once, with the words its edit removed
// (where it left) or added (where it arrived) marked inside. With
// changesOnly, long unchanged stretches fold to a few lines of context, with
// a button to show them. Returns counts {insert, delete, move}.
export function renderOps(el, ops, { changesOnly = false } = {}) {
  const frag = document.createDocumentFragment();
  const counts = { insert: 0, delete: 0, move: 0 };
  const moves = new Set();
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k];
    if (op.op === 'equal') {
      frag.append(changesOnly ? foldEqual(op.text, k === 0, k === ops.length - 1) : document.createTextNode(op.text));
      continue;
    }
    const ins = op.op === 'insert';
    const tag = ins ? 'ins' : 'del';
    if (!op.move) {
      if (/\S/.test(op.text)) counts[op.op] += 1;
      frag.append(h(tag, null, h('span', { class: 'sr-only' }, ins ? ' [inserted: ' : ' [deleted: '), op.text, h('span', { class: 'sr-only' }, '] ')));
      continue;
    }
    moves.add(op.move);
    const node = h(tag, { class: 'moved' },
      h('span', { class: 'move-tag' }, ins ? `moved here ⟵${op.move}` : `moved ⟶${op.move}`), ' ',
      h('span', { class: 'sr-only' }, ins ? ' [inserted: ' : ' [deleted: '));
    for (; k < ops.length && ops[k].op === op.op && ops[k].move === op.move; k++) {
      const part = ops[k];
      node.append(part.edit
        ? h(tag, { class: 'edit' }, h('span', { class: 'sr-only' }, ins ? ' [added on the way: ' : ' [removed on the way: '), part.text, h('span', { class: 'sr-only' }, '] '))
        : document.createTextNode(part.text));
    }
    k--;
    node.append(h('span', { class: 'sr-only' }, '] '));
    frag.append(node);
  }
  counts.move = moves.size;
  el.replaceChildren(frag);
  return counts;
}

// foldEqual keeps three lines of context around changes.
function foldEqual(text, first, last) {
  const lines = text.split('\n');
  const keep = 3;
  if (lines.length <= keep * 2 + 2) return document.createTextNode(text);
  const head = first ? [] : lines.slice(0, keep);
  const tail = last ? [] : lines.slice(lines.length - keep);
  const hidden = lines.slice(head.length, lines.length - tail.length);
  const span = h('span');
  const more = h('button', { type: 'button', class: 'fold' }, `⋯ ${hidden.length} unchanged lines ⋯`);
  more.addEventListener('click', () => span.replaceChildren(document.createTextNode(text)));
  span.append(head.length ? head.join('\n') + '\n' : '', more, tail.length ? '\n' + tail.join('\n') : '');
  return span;
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

// ---- the client-side diff ----

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
