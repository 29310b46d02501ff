package diff

import (
	"math"
	"sort"
	"sync"
	"unicode/utf8"
)

// run is a stretch of n equal units starting at a[i] and b[j].
type run struct{ i, j, n int }

// An aligner finds the units two sequences share, the way a careful reader
// would and in time close to linear whatever the texts:
//
//  1. The common start and end are taken as they are.
//  2. Units that occur exactly once on each side anchor the alignment
//     (patience diff): the longest chain of them in the same order on both
//     sides is kept, and the gaps between anchors are aligned in turn, each
//     with the units unique within it. A word or a paragraph found once in
//     each version is the same word or paragraph, so the redline never
//     pairs a rewritten sentence's "the" with a "the" three paragraphs away
//     when a rarer word places it.
//  3. What has no anchor is aligned by Myers's algorithm over the units
//     found on both sides (see shared), exactly (a longest common
//     subsequence) while the edit script is short, and past maxCost(n)
//     edits by taking the diagonal that got furthest and aligning each half
//     again: a coarser but still exact redline, bounded by work counted in
//     edits, never by a clock.
//
// Units are interned as int32 ids once; its buffers are reused from one
// alignment to the next, so an aligner serves a whole redline, and then
// another (see aligners).
type aligner struct {
	ids      interner // lines and sentences
	tids     interner // tokens: a small, hot table of their own, and small ids
	xa, xb   []int32  // the ids of the sequences being aligned
	na, nb   []int32  // per id: occurrences in a, in b (zero between uses)
	pb       []int32  // per id: the last position in b
	kf, kb   []int32  // Myers's furthest points per diagonal, forward and backward
	cands    []run
	anchored int // units examined for anchors in this alignment
	budget   int // units that may be examined before anchors are no longer sought

	atA, atB, idA, idB []int32 // shared's units kept: where they stand, and their ids
	sub                []run

	ta, tc        tokenized // the texts builder.tokens aligns
	words, spaced []run     // its runs of words, and of all tokens
}

// aligners keeps aligners from one redline to the next: their tables and
// buffers, grown to a long text's size, are used again rather than
// allocated, faulted in and collected again at every redline.
var aligners = sync.Pool{New: func() any { return new(aligner) }}

func newAligner() *aligner { return aligners.Get().(*aligner) }

// release forgets the units al interned (it keeps no text alive) and gives
// it back for another redline to use.
func (al *aligner) release() {
	al.ids.reset()
	al.tids.reset()
	aligners.Put(al)
}

// tokenized is a text cut into tokens (see Tokens), each interned.
type tokenized struct {
	ends  []int32 // the byte offset where each token ends
	ids   []int32 // each token's id
	words []int32 // the indices of the tokens that are not whitespace
	wids  []int32 // and their ids
}

// start returns the byte offset where token k starts (the text's end for
// k == len(t.ids)).
func (t *tokenized) start(k int) int {
	if k == 0 {
		return 0
	}
	return int(t.ends[k-1])
}

// tokenize cuts s into t, reusing t's buffers. Plain ASCII words and single
// spaces, most of any text, are cut and hashed in one pass (see
// asciiWordEnd); any other token by the general rules (tokenEnd).
func (al *aligner) tokenize(t *tokenized, s string) {
	t.ends, t.ids, t.words, t.wids = t.ends[:0], t.ids[:0], t.words[:0], t.wids[:0]
	if n := len(s)/2 + 16; cap(t.ends) < n { // prose has a token per three bytes, a word per six
		n = max(n, 2*cap(t.ends))
		t.ends, t.ids = make([]int32, 0, n), make([]int32, 0, n)
		t.words, t.wids = make([]int32, 0, n/2), make([]int32, 0, n/2)
	}
	space := al.tids.idHashed(" ", hashString(" ")) // the commonest token, looked up once
	for i := 0; i < len(s); {
		c := s[i]
		end, id, word := 0, space, true
		switch {
		case c == ' ' && (i+1 == len(s) || s[i+1] < utf8.RuneSelf && !isASCIISpace(s[i+1])):
			end, word = i+1, false
		case isASCIIWord(c):
			var h uint64
			if end, h = asciiWordEnd(s, i); end < len(s) && s[end] >= utf8.RuneSelf {
				end = tokenEnd(s, i) // a word that may go on
				h = hashString(s[i:end])
			}
			id = al.tids.idHashed(s[i:end], h)
		default:
			end = tokenEnd(s, i)
			tok := s[i:end]
			id = al.tids.idHashed(tok, hashString(tok))
			word = !isSpaceByte(c) && !isSpaceToken(tok)
		}
		if word {
			t.words = append(t.words, int32(len(t.ids)))
			t.wids = append(t.wids, id)
		}
		t.ends = append(t.ends, int32(end))
		t.ids = append(t.ids, id)
		i = end
	}
}

// matchIDs appends to runs the runs of a and b, sequences of ids interned by
// this aligner, and returns them.
func (al *aligner) matchIDs(runs []run, a, b []int32) []run {
	al.ensure()
	al.anchored, al.budget = 0, 16*(len(a)+len(b))
	m := matcher{al: al, runs: runs}
	m.align(a, b, 0, 0)
	return m.runs
}

// ensure sizes the per-id counts for every id interned so far.
func (al *aligner) ensure() {
	if n := max(al.ids.len(), al.tids.len()); n > len(al.na) {
		grow := max(n, 2*len(al.na))
		al.na, al.nb, al.pb = touched(make([]int32, grow)), touched(make([]int32, grow)), touched(make([]int32, grow))
	}
}

// anchorMin is the size (len(a)+len(b), in units) from which anchors are
// sought before Myers: below it Myers alone is cheap and exact.
const anchorMin = 64

// match appends to runs the runs of units a and b share, increasing in both,
// and returns them.
func (al *aligner) match(runs []run, a, b []string) []run {
	al.ids.size(al.ids.len() + len(a) + len(b))
	al.xa, al.xb = al.intern(al.xa[:0], a), al.intern(al.xb[:0], b)
	return al.matchIDs(runs, al.xa, al.xb)
}

func (al *aligner) intern(dst []int32, units []string) []int32 {
	for _, u := range units {
		dst = append(dst, al.ids.id(u))
	}
	return dst
}

// matcher collects the runs of one alignment.
type matcher struct {
	al   *aligner
	runs []run
}

func (m *matcher) add(r run) { m.runs = addRun(m.runs, r) }

// addRun appends r to runs, joined to the last run when it continues it.
func addRun(runs []run, r run) []run {
	if r.n == 0 {
		return runs
	}
	if k := len(runs) - 1; k >= 0 {
		if p := &runs[k]; p.i+p.n == r.i && p.j+p.n == r.j {
			p.n += r.n
			return runs
		}
	}
	return append(runs, r)
}

// align aligns a and b, which start at units ai and bj of the whole input.
func (m *matcher) align(a, b []int32, ai, bj int) {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	m.add(run{ai, bj, p})
	a, b, ai, bj = a[p:], b[p:], ai+p, bj+p
	s := 0
	for s < len(a) && s < len(b) && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	a, b = a[:len(a)-s], b[:len(b)-s]
	if len(a) > 0 && len(b) > 0 && (len(a)+len(b) < anchorMin || !m.anchor(a, b, ai, bj)) {
		m.shared(a, b, ai, bj)
	}
	m.add(run{ai + len(a), bj + len(b), s})
}

// anchor aligns a and b on the units that occur exactly once in each, and
// the gaps between them in turn; it reports false, having done nothing,
// when there is no such unit or the alignment has spent its budget for
// anchors.
func (m *matcher) anchor(a, b []int32, ai, bj int) bool {
	al := m.al
	if al.anchored += len(a) + len(b); al.anchored > al.budget {
		return false
	}
	for _, u := range a {
		al.na[u]++
	}
	for k, u := range b {
		al.nb[u]++
		al.pb[u] = int32(k)
	}
	cands := al.cands[:0] // in a's order; n unused
	for k, u := range a {
		if al.na[u] == 1 && al.nb[u] == 1 {
			cands = append(cands, run{i: k, j: int(al.pb[u])})
		}
	}
	for _, u := range a {
		al.na[u] = 0
	}
	for _, u := range b {
		al.nb[u] = 0
	}
	if len(cands) == 0 {
		al.cands = cands
		return false
	}
	anchors := increasing(cands)
	al.cands = cands
	pa, pb := 0, 0
	for _, x := range anchors {
		m.align(a[pa:x.i], b[pb:x.j], ai+pa, bj+pb)
		m.add(run{ai + x.i, bj + x.j, 1})
		pa, pb = x.i+1, x.j+1
	}
	m.align(a[pa:], b[pb:], ai+pa, bj+pb)
	return true
}

// shared aligns a and b by Myers's search over only the units that occur on
// both sides: a unit found on one side only can never be aligned, and
// leaving it out of the search (as xdiff does with lines) costs nothing in
// exactness, while in rewritten text it leaves most units out.
func (m *matcher) shared(a, b []int32, ai, bj int) {
	al := m.al
	for _, u := range a {
		al.na[u]++
	}
	for _, u := range b {
		al.nb[u]++
	}
	ka, kb := al.atA[:0], al.atB[:0]
	ra, rb := al.idA[:0], al.idB[:0]
	for k, u := range a {
		if al.nb[u] > 0 {
			ka, ra = append(ka, int32(k)), append(ra, u)
		}
	}
	for k, u := range b {
		if al.na[u] > 0 {
			kb, rb = append(kb, int32(k)), append(rb, u)
		}
	}
	for _, u := range a {
		al.na[u] = 0
	}
	for _, u := range b {
		al.nb[u] = 0
	}
	al.atA, al.atB, al.idA, al.idB = ka, kb, ra, rb
	switch {
	case len(ka) == 0 || len(kb) == 0:
		return // nothing in common
	case len(ka) == len(a) && len(kb) == len(b):
		m.myers(a, b, ai, bj, maxCost(len(a)+len(b)))
		return
	}
	sub := matcher{al: al, runs: al.sub[:0]}
	sub.myers(ra, rb, 0, 0, maxCost(len(ra)+len(rb)))
	for _, r := range sub.runs {
		for k := 0; k < r.n; k++ {
			m.add(run{ai + int(ka[r.i+k]), bj + int(kb[r.j+k]), 1})
		}
	}
	al.sub = sub.runs
}

// maxCost is the number of edits past which Myers's search in n units stops
// looking for the shortest script and takes the diagonal that got furthest:
// the square root of n, and no fewer than costMin, so that the redline of a
// paragraph edited here and there is a longest common subsequence.
func maxCost(n int) int { return max(costMin, int(math.Sqrt(float64(n)))) }

// costMin is the fewest edits Myers's search makes before it may cut short.
const costMin = 64

// snakeMin is how many equal units in a row make a diagonal worth splitting
// once the search has gone past costMin edits.
const snakeMin = 20

// myers appends the runs of a and b (no common start or end needed), an
// alignment whose search stops at cost edits per split (see maxCost).
func (m *matcher) myers(a, b []int32, ai, bj, cost int) {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		m.add(run{ai, bj, 1})
		a, b, ai, bj = a[1:], b[1:], ai+1, bj+1
	}
	s := 0
	for s < len(a) && s < len(b) && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	a, b = a[:len(a)-s], b[:len(b)-s]
	if len(a) > 0 && len(b) > 0 {
		x, y, exactLo, exactHi := m.split(a, b, cost)
		if x == 0 && y == 0 || x == len(a) && y == len(b) {
			// No split point inside: a and b are unrelated here.
			m.add(run{ai + len(a), bj + len(b), s})
			return
		}
		m.myers(a[:x], b[:y], ai, bj, halfCost(exactLo, cost))
		m.myers(a[x:], b[y:], ai+x, bj+y, halfCost(exactHi, cost))
	}
	m.add(run{ai + len(a), bj + len(b), s})
}

// halfCost is the cost bound of a half of a split: none when the split found
// that half's shortest script already lies within the bound.
func halfCost(exact bool, cost int) int {
	if exact {
		return math.MaxInt
	}
	return cost
}

// split returns a point (x, y) through which an alignment of a and b passes:
// the middle of a shortest edit script (Myers's middle snake), found by
// searching from both ends at once; or, when the script needs more than cost
// edits, the end of a long diagonal run or the furthest point either search
// reached. exactLo and exactHi report whether the halves before and after
// the point are known to need no more than the edits already searched.
// Neither a nor b is empty, and they share neither their first nor their
// last unit.
func (m *matcher) split(a, b []int32, cost int) (x, y int, exactLo, exactHi bool) {
	n, mm := len(a), len(b)
	// Diagonal k holds the points with x-y == k, from -mm to n; both arrays
	// are indexed by k+off, with a sentinel on each side.
	off := mm + 1
	size := n + mm + 3
	al := m.al
	if cap(al.kf) < size {
		al.kf, al.kb = make([]int32, size), make([]int32, size)
	}
	kf, kb := al.kf[:size], al.kb[:size]
	fmid, bmid := 0, n-mm
	odd := (fmid-bmid)&1 != 0
	fmin, fmax, bmin, bmax := fmid, fmid, bmid, bmid
	dmin, dmax := -mm, n
	kf[fmid+off] = 0
	kb[bmid+off] = int32(n)
	for ec := 1; ; ec++ {
		snake := false
		// Forward: the furthest x on each diagonal reachable with ec edits.
		if fmin > dmin {
			fmin--
			kf[fmin-1+off] = -1
		} else {
			fmin++
		}
		if fmax < dmax {
			fmax++
			kf[fmax+1+off] = -1
		} else {
			fmax--
		}
		for k := fmax; k >= fmin; k -= 2 {
			var i int
			if kf[k-1+off] >= kf[k+1+off] {
				i = int(kf[k-1+off]) + 1
			} else {
				i = int(kf[k+1+off])
			}
			i = min(i, n, mm+k) // never past the box's right or bottom edge
			start := i
			j := i - k
			for i < n && j < mm && a[i] == b[j] {
				i, j = i+1, j+1
			}
			if i-start > snakeMin {
				snake = true
			}
			kf[k+off] = int32(i)
			if odd && bmin <= k && k <= bmax && int(kb[k+off]) <= i {
				return i, j, true, true
			}
		}
		// Backward: the furthest x (smallest) on each diagonal from the end.
		if bmin > dmin {
			bmin--
			kb[bmin-1+off] = math.MaxInt32
		} else {
			bmin++
		}
		if bmax < dmax {
			bmax++
			kb[bmax+1+off] = math.MaxInt32
		} else {
			bmax--
		}
		for k := bmax; k >= bmin; k -= 2 {
			var i int
			if kb[k-1+off] < kb[k+1+off] {
				i = int(kb[k-1+off])
			} else {
				i = int(kb[k+1+off]) - 1
			}
			i = max(i, 0, k) // never past the box's left or top edge
			start := i
			j := i - k
			for i > 0 && j > 0 && a[i-1] == b[j-1] {
				i, j = i-1, j-1
			}
			if start-i > snakeMin {
				snake = true
			}
			kb[k+off] = int32(i)
			if !odd && fmin <= k && k <= fmax && i <= int(kf[k+off]) {
				return i, j, true, true
			}
		}
		if ec < costMin || ec < cost && !snake {
			continue
		}
		if snake {
			// A point after a long run of equal units, far along its
			// diagonal, is a good place to cut: what precedes it is known.
			best := 0
			for k := fmax; k >= fmin; k -= 2 {
				i := int(kf[k+off])
				j := i - k
				v := i + j - abs(k-fmid)
				if v > 4*ec && v > best && snakeMin <= i && i < n && snakeMin <= j && j < mm && runBefore(a, b, i, j) {
					best, x, y = v, i, j
				}
			}
			if best > 0 {
				return x, y, true, false
			}
			for k := bmax; k >= bmin; k -= 2 {
				i := int(kb[k+off])
				j := i - k
				v := (n - i) + (mm - j) - abs(k-bmid)
				if v > 4*ec && v > best && 0 < i && i <= n-snakeMin && 0 < j && j <= mm-snakeMin && runAfter(a, b, i, j) {
					best, x, y = v, i, j
				}
			}
			if best > 0 {
				return x, y, false, true
			}
		}
		if ec < cost {
			continue
		}
		// Past the bound: cut at the point either search took furthest.
		fbest, fx := -1, 0
		for k := fmax; k >= fmin; k -= 2 {
			i := min(int(kf[k+off]), n)
			j := i - k
			if j > mm {
				i, j = mm+k, mm
			}
			if i+j > fbest {
				fbest, fx = i+j, i
			}
		}
		bbest, bx := math.MaxInt, 0
		for k := bmax; k >= bmin; k -= 2 {
			i := max(int(kb[k+off]), 0)
			j := i - k
			if j < 0 {
				i, j = k, 0
			}
			if i+j < bbest {
				bbest, bx = i+j, i
			}
		}
		if n+mm-bbest < fbest {
			return fx, fbest - fx, true, false
		}
		return bx, bbest - bx, false, true
	}
}

// runBefore reports whether the snakeMin units before a[i] and b[j] are equal.
func runBefore(a, b []int32, i, j int) bool {
	for k := 1; k <= snakeMin; k++ {
		if a[i-k] != b[j-k] {
			return false
		}
	}
	return true
}

// runAfter reports whether the snakeMin units from a[i] and b[j] are equal.
func runAfter(a, b []int32, i, j int) bool {
	for k := 0; k < snakeMin; k++ {
		if a[i+k] != b[j+k] {
			return false
		}
	}
	return true
}

// increasing returns the longest subsequence of cands (ordered by i) whose j
// also increases, by patience sorting.
func increasing(cands []run) []run {
	if len(cands) == 0 {
		return nil
	}
	tops := []int{}                 // tops[k]: index in cands of the smallest tail of a chain of length k+1
	prev := make([]int, len(cands)) // predecessor of each candidate in its chain
	for k, c := range cands {
		p := sort.Search(len(tops), func(x int) bool { return cands[tops[x]].j >= c.j })
		if p > 0 {
			prev[k] = tops[p-1]
		} else {
			prev[k] = -1
		}
		if p == len(tops) {
			tops = append(tops, k)
		} else {
			tops[p] = k
		}
	}
	out := make([]run, len(tops))
	for k, x := len(tops)-1, tops[len(tops)-1]; k >= 0; k, x = k-1, prev[x] {
		out[k] = cands[x]
	}
	return out
}
