// text.js: a version's text in the page. The contract's offsets are Unicode
// code points; JavaScript strings index UTF-16 units. CodePoints converts
// between the two; renderRange draws a stretch of the text (the reader
// draws it article by article) with thread highlights and headings as spans
// that each know their UTF-16 start (data-u), so a DOM selection maps back
// to code points exactly, whatever part of the text is drawn.

export class CodePoints {
  constructor(s) {
    this.text = s;
    this.astral = []; // UTF-16 index of each character outside the BMP
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { this.astral.push(i); i++; }
      }
    }
    this.length = s.length - this.astral.length; // in code points
  }

  // toCp converts a UTF-16 index to a code point offset (an index inside a
  // surrogate pair snaps to the pair's start).
  toCp(u) {
    return u - countBelow(this.astral, u);
  }

  // toUnit converts a code point offset to a UTF-16 index.
  toUnit(cp) {
    // astral code point offsets are astral[k] - k: strictly increasing
    let lo = 0, hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid] - mid < cp) lo = mid + 1; else hi = mid;
    }
    return cp + lo;
  }

  // slice returns the text at code points [start, end).
  slice(start, end) {
    return this.text.slice(this.toUnit(start), this.toUnit(end));
  }
}

// countBelow counts the sorted values strictly below x.
function countBelow(sorted, x) {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// Headings: "Article 7", "ANNEX II", "Chapter 2: Scope", "Preamble", or a
// Markdown heading "# Title". "Article 3 shall apply" is a sentence, not one.
const HEADING = new RegExp('^\\s{0,3}(?:(?:Article|ARTICLE|Art\\.|Annex|ANNEX|Appendix|APPENDIX|Chapter|CHAPTER|Section|SECTION|Part|PART|Schedule|SCHEDULE)' +
  '\\s+(?:[0-9]+|[IVXLC]+|[A-Z])(?:\\.[0-9]+)*\\.?(?:\\s*[-\u2013\u2014:.]\\s*\\S.{0,80})?|Preamble|PREAMBLE|#{1,6}\\s+\\S.*)\\s*$');

// isHeading reports whether a line of the text is a heading.
export const isHeading = (line) => line.length <= 120 && HEADING.test(line);

// isTitleLine reports whether the (trimmed) line after a heading is its
// short title: "Exchange of information", not a numbered paragraph.
export const isTitleLine = (sub) => !!sub && sub.length <= 80 && !/^[\d(]/.test(sub) && !/[.;:]$/.test(sub) && !HEADING.test(sub);

// outline returns the text's articles, in code points: the heading (with a
// short title line after it), and the stretch it governs up to the next.
// Text before the first heading is an "Opening" entry when it holds words.
export function outline(cps) {
  const s = cps.text;
  const entries = [];
  let pos = 0;
  const lines = [];
  while (pos <= s.length) {
    let nl = s.indexOf('\n', pos);
    if (nl < 0) nl = s.length;
    lines.push([pos, nl]);
    pos = nl + 1;
  }
  for (let k = 0; k < lines.length; k++) {
    const [a, b] = lines[k];
    const line = s.slice(a, b);
    if (!isHeading(line)) continue;
    let title = line.trim().replace(/^#+\s*/, '');
    let headEnd = b;
    const next = lines[k + 1];
    if (next && !/^#/.test(line)) {
      const sub = s.slice(next[0], next[1]).trim();
      if (isTitleLine(sub)) {
        title += ' · ' + sub;
        headEnd = next[1];
      }
    }
    entries.push({ title, headStart: a, headEnd, start: a });
  }
  if (entries.length === 0 || s.slice(0, entries[0].start).trim()) {
    const first = s.slice(0, entries.length ? entries[0].start : s.length).trim().split('\n')[0] || '';
    if (first) {
      const a = s.indexOf(first);
      entries.unshift({ title: first.length > 60 ? first.slice(0, 57) + '…' : first, headStart: a, headEnd: a + first.length, start: 0, opening: true });
    }
  }
  for (let k = 0; k < entries.length; k++) entries[k].end = k + 1 < entries.length ? entries[k + 1].start : s.length;
  // to code points
  return entries.map((e, k) => ({
    index: k, title: e.title, opening: !!e.opening,
    start: cps.toCp(e.start), end: cps.toCp(e.end),
    headStart: cps.toCp(e.headStart), headEnd: cps.toCp(e.headEnd),
  }));
}

// articleAt returns the outline entry holding code point cp.
export function articleAt(entries, cp) {
  let found = null;
  for (const e of entries) if (e.start <= cp) found = e; else break;
  return found;
}

// Highlight priority when threads overlap: what needs attention wins.
const PRIORITY = ['open_issue:open', 'consensus:void', 'consensus:proposed', 'consensus:agreed', 'note:open', 'open_issue:resolved'];
export function priority(t) {
  const i = PRIORITY.indexOf(`${t.kind}:${t.status}`);
  return i < 0 ? PRIORITY.length : i;
}

// renderText fills el with the whole text (see renderRange).
export function renderText(el, cps, marks, headings) {
  const frag = renderRange(cps, marks, headings, 0, cps.text.length, new Set());
  el.replaceChildren(frag);
}

// renderRange draws the text's UTF-16 units [from, to) as a fragment.
// marks: [{id, start, end, kind, status, internal, label}] in code points
// (start === end draws a point marker), clipped here to the range;
// headings: outline entries. Spans carry data-u (UTF-16 start),
// data-threads (ids, best first) and ids "h-<index>" on headings. A
// thread's first piece (its id not yet in seen) is its one tab stop: a
// button named by the agreement's own words, described by the element
// "hd-<id>" (the caller keeps those descriptions, outside the text).
export function renderRange(cps, marks, headings, from, to, seen) {
  const s = cps.text;
  const cuts = new Set([from, to]);
  const ranges = [];
  const points = [];
  for (const m of marks) {
    const a = cps.toUnit(m.start), b = cps.toUnit(m.end);
    if (a >= b) {
      if (a >= from && (a < to || (a === to && to === s.length))) { points.push({ ...m, u: a }); cuts.add(a); }
      continue;
    }
    if (b <= from || a >= to) continue;
    ranges.push({ ...m, a: Math.max(a, from), b: Math.min(b, to) });
    cuts.add(Math.max(a, from)); cuts.add(Math.min(b, to));
  }
  const heads = [];
  for (const e of headings) {
    const a = cps.toUnit(e.headStart), b = cps.toUnit(e.headEnd);
    if (b <= from || a >= to) continue;
    heads.push({ index: e.index, a: Math.max(a, from), b: Math.min(b, to), first: a >= from });
    cuts.add(Math.max(a, from)); cuts.add(Math.min(b, to));
  }
  const sorted = [...cuts].sort((x, y) => x - y);
  ranges.sort((x, y) => x.a - y.a);
  points.sort((x, y) => x.u - y.u);

  const frag = document.createDocumentFragment();
  let active = [];
  let ri = 0, pi = 0, hi = 0;
  for (let k = 0; k + 1 < sorted.length || (k === 0 && sorted.length === 1); k++) {
    const a = sorted[k], b = sorted[k + 1] ?? a;
    while (pi < points.length && points[pi].u === a) frag.append(pointMarker(points[pi++]));
    if (a >= b) break;
    active = active.filter((m) => m.b > a);
    while (ri < ranges.length && ranges[ri].a <= a) { if (ranges[ri].b > a) active.push(ranges[ri]); ri++; }
    while (hi < heads.length && heads[hi].b <= a) hi++;
    const span = document.createElement('span');
    span.dataset.u = String(a);
    span.textContent = s.slice(a, b);
    const head = heads[hi] && heads[hi].a <= a && a < heads[hi].b ? heads[hi] : null;
    if (head) {
      span.classList.add('hd');
      if (head.a === a && head.first) span.id = `h-${head.index}`;
    }
    if (active.length) {
      const best = active.slice().sort((x, y) => priority(x) - priority(y));
      const top = best[0];
      span.classList.add('hl', `hl-${top.kind}-${top.status}`);
      if (top.internal) span.classList.add('hl-internal');
      if (best.length > 1) span.classList.add('hl-multi');
      span.dataset.threads = best.map((m) => m.id).join(' ');
      span.title = best.map((m) => m.label).join('\n');
      if (!seen.has(top.id)) { // one tab stop per thread, on its first piece
        seen.add(top.id);
        span.tabIndex = 0;
        span.setAttribute('role', 'button');
        span.setAttribute('aria-describedby', `hd-${top.id}`);
      }
    }
    frag.append(span);
  }
  while (pi < points.length) frag.append(pointMarker(points[pi++]));
  return frag;
}

// describeMark returns what a highlight's description says.
export function describeMark(m) {
  return `${m.label}: open the thread`;
}

function pointMarker(m) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `point hl-${m.kind}-${m.status}` + (m.internal ? ' hl-internal' : '');
  b.dataset.threads = m.id;
  b.dataset.u = String(m.u);
  b.dataset.point = '';
  b.title = m.label;
  b.setAttribute('aria-label', describeMark(m));
  b.textContent = '⚑';
  return b;
}

// selectionIn returns the user's selection inside el as code points
// {start, end, quote}, trimmed of surrounding white space, or null.
export function selectionIn(el, cps) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const r = sel.getRangeAt(0);
  if (!el.contains(r.commonAncestorContainer)) return null;
  let a = unitAt(el, r.startContainer, r.startOffset);
  let b = unitAt(el, r.endContainer, r.endOffset);
  if (a == null || b == null) return null;
  if (a > b) [a, b] = [b, a];
  const s = cps.text;
  while (a < b && /\s/.test(s[a])) a++;
  while (b > a && /\s/.test(s[b - 1])) b--;
  if (a >= b) return null;
  const start = cps.toCp(a), end = cps.toCp(b);
  return { start, end, quote: cps.slice(start, end) };
}

// unitAt maps a DOM position inside the rendered text to a UTF-16 index.
// The text may be drawn in blocks (elements with data-u and data-end, the
// UTF-16 range they stand for, drawn or not yet).
function unitAt(root, node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const span = node.parentElement && node.parentElement.closest('[data-u]');
    if (!span || !root.contains(span)) return null;
    if (span.dataset.point !== undefined) return Number(span.dataset.u);
    if (span.dataset.end !== undefined) return Number(span.dataset.u); // a stray text node in a block
    return Number(span.dataset.u) + offset;
  }
  const el = node;
  if (el === root || (el.dataset && el.dataset.end !== undefined)) {
    const child = el.childNodes[offset];
    if (child && child.dataset && child.dataset.u !== undefined) return Number(child.dataset.u);
    if (el !== root) return Number(el.dataset.end);
    const last = root.lastElementChild;
    return last ? endOf(last) : 0;
  }
  const span = el.closest('[data-u]');
  if (!span || !root.contains(span)) return null;
  return offset === 0 ? Number(span.dataset.u) : endOf(span);
}

function endOf(span) {
  if (span.dataset.end !== undefined) return Number(span.dataset.end);
  if (span.dataset.point !== undefined) return Number(span.dataset.u);
  return Number(span.dataset.u) + span.textContent.length;
}

// spanAt returns the rendered span holding code point cp (for scrolling),
// among the drawn ones.
export function spanAt(el, cps, cp) {
  const u = cps.toUnit(cp);
  let best = null;
  for (const span of el.querySelectorAll('[data-u]:not([data-end])')) {
    if (Number(span.dataset.u) <= u) best = span; else break;
  }
  return best;
}

// rangeIn returns a DOM Range over the UTF-16 units [a, b) of the text drawn
// in el, or null when that part is not drawn.
export function rangeIn(el, a, b) {
  const at = (u, isEnd) => {
    for (const span of el.querySelectorAll('[data-u]:not([data-end]):not([data-point])')) {
      const s = Number(span.dataset.u), n = span.textContent.length;
      if (u < s + n || (isEnd && u === s + n)) {
        if (u < s) return null;
        return [span.firstChild, u - s];
      }
    }
    return null;
  };
  const x = at(a, false), y = at(b, true);
  if (!x || !y || !x[0] || !y[0]) return null;
  const r = document.createRange();
  r.setStart(x[0], x[1]);
  r.setEnd(y[0], y[1]);
  return r;
}
