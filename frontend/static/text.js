// text.js: a version's text in the page. The contract's offsets are Unicode
// code points; JavaScript strings index UTF-16 units. CodePoints converts
// between the two; renderText draws the text with thread highlights and
// headings as spans that each know their UTF-16 start (data-u), so a DOM
// selection maps back to code points exactly.

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
    if (line.length > 120 || !HEADING.test(line)) continue;
    let title = line.trim().replace(/^#+\s*/, '');
    let headEnd = b;
    const next = lines[k + 1];
    if (next && !/^#/.test(line)) {
      const sub = s.slice(next[0], next[1]).trim();
      if (sub && sub.length <= 80 && !/^[\d(]/.test(sub) && !/[.;:]$/.test(sub) && !HEADING.test(sub)) {
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

// renderText fills el with the text. marks: [{id, start, end, kind, status,
// internal, label}] in code points (start === end draws a point marker);
// headings: outline entries. Returns nothing; spans carry data-u (UTF-16
// start), data-threads (ids, best first) and ids "h-<index>" on headings.
export function renderText(el, cps, marks, headings) {
  const s = cps.text;
  const cuts = new Set([0, s.length]);
  const ranges = [];
  const points = [];
  for (const m of marks) {
    const a = cps.toUnit(m.start), b = cps.toUnit(m.end);
    if (a >= b) { points.push({ ...m, u: a }); cuts.add(a); continue; }
    ranges.push({ ...m, a, b });
    cuts.add(a); cuts.add(b);
  }
  const heads = headings.map((e) => ({ index: e.index, a: cps.toUnit(e.headStart), b: cps.toUnit(e.headEnd) }));
  for (const e of heads) { cuts.add(e.a); cuts.add(e.b); }
  const sorted = [...cuts].sort((x, y) => x - y);
  ranges.sort((x, y) => x.a - y.a);
  points.sort((x, y) => x.u - y.u);

  const frag = document.createDocumentFragment();
  let active = [];
  let ri = 0, pi = 0, hi = 0;
  const firstSeen = new Set();
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
      if (head.a === a) span.id = `h-${head.index}`;
    }
    if (active.length) {
      const best = active.slice().sort((x, y) => priority(x) - priority(y));
      const top = best[0];
      span.classList.add('hl', `hl-${top.kind}-${top.status}`);
      if (top.internal) span.classList.add('hl-internal');
      if (best.length > 1) span.classList.add('hl-multi');
      span.dataset.threads = best.map((m) => m.id).join(' ');
      span.title = best.map((m) => m.label).join('\n');
      if (!firstSeen.has(top.id)) { // one tab stop per thread, on its first piece
        firstSeen.add(top.id);
        span.tabIndex = 0;
        span.setAttribute('role', 'button');
      }
    }
    frag.append(span);
  }
  while (pi < points.length) frag.append(pointMarker(points[pi++]));
  el.replaceChildren(frag);
}

function pointMarker(m) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `point hl-${m.kind}-${m.status}` + (m.internal ? ' hl-internal' : '');
  b.dataset.threads = m.id;
  b.dataset.u = String(m.u);
  b.dataset.point = '';
  b.title = m.label;
  b.setAttribute('aria-label', `${m.label}: open the thread`);
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
function unitAt(root, node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const span = node.parentElement && node.parentElement.closest('[data-u]');
    if (!span || !root.contains(span)) return null;
    if (span.dataset.point !== undefined) return Number(span.dataset.u);
    return Number(span.dataset.u) + offset;
  }
  const el = node;
  if (el === root) {
    const child = root.childNodes[offset];
    if (child) return Number(child.dataset.u);
    const last = root.lastChild;
    return last ? endOf(last) : 0;
  }
  const span = el.closest('[data-u]');
  if (!span) return null;
  return offset === 0 ? Number(span.dataset.u) : endOf(span);
}

function endOf(span) {
  if (span.dataset.point !== undefined) return Number(span.dataset.u);
  return Number(span.dataset.u) + span.textContent.length;
}

// spanAt returns the rendered span holding code point cp (for scrolling).
export function spanAt(el, cps, cp) {
  const u = cps.toUnit(cp);
  let best = null;
  for (const span of el.querySelectorAll('[data-u]')) {
    if (Number(span.dataset.u) <= u) best = span; else break;
  }
  return best;
}
