// merge.js: the way through a `conflict` (someone proposed while this user
// edited). Three-way merge on words: the user's edits (base → draft) are
// replayed onto the new latest version (base → theirs) when the two touch
// different words; otherwise the places where both changed are reported and
// the user decides.

import { wordDiff } from './redline.js';

// edits lists the changes from base to x as {start, end, text} on base (UTF-16).
function edits(base, x) {
  const out = [];
  let pos = 0;
  for (const op of wordDiff(base, x)) {
    if (op.op === 'equal') { pos += op.text.length; continue; }
    const last = out[out.length - 1];
    const joined = last && last.end === pos;
    if (op.op === 'delete') {
      if (joined && last.text === '') last.end += op.text.length;
      else out.push({ start: pos, end: pos + op.text.length, text: '' });
      pos += op.text.length;
    } else if (joined) {
      last.text += op.text;
    } else {
      out.push({ start: pos, end: pos, text: op.text });
    }
  }
  return out;
}

const clash = (a, b) => (a.start < b.end && b.start < a.end) || a.start === b.start;
const same = (a, b) => a.start === b.start && a.end === b.end && a.text === b.text;

// merge3 returns {text} with both sides' edits applied, or {conflicts} with
// the passages of base (as text) that both sides changed differently.
export function merge3(base, mine, theirs) {
  const em = edits(base, mine), et = edits(base, theirs);
  const conflicts = [];
  const all = [...et];
  for (const e of em) {
    const other = et.find((t) => clash(e, t));
    if (!other) { all.push(e); continue; }
    if (same(e, other)) continue;
    const s = Math.min(e.start, other.start), t = Math.max(e.end, other.end);
    conflicts.push(base.slice(Math.max(0, s - 30), Math.min(base.length, t + 30)));
  }
  if (conflicts.length) return { conflicts };
  all.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '', pos = 0;
  for (const e of all) {
    out += base.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return { text: out + base.slice(pos) };
}
