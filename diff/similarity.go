package diff

import (
	"math/bits"
	"slices"
	"sort"
	"unicode/utf8"
)

// A paragraph that moves may be edited on the way: a line deleted in one hunk
// is paired with a similar line inserted in another.
//
// Two lines are similar when the Dice coefficient of their word pairs (each
// word with the next one, punctuation and white space skipped), counted as
// multisets, is at least simNum/simDen: 2·|A∩B| ≥ (|A|+|B|)/2. Word pairs,
// not single words, because order is what makes a paragraph itself: two
// unrelated clauses of one treaty share most of their words ("the", "shall",
// "Party", ...) but few of their pairs, and a paragraph whose words were
// reshuffled reads as rewritten, not as edited. One word replaced breaks at
// most two pairs, so the bar admits about a quarter of the words replaced
// here and there, or half of them replaced as one phrase, while most of the
// paragraph still reads the same inside the move. A line of one word has no
// pairs and is similar to nothing. In scripts written without spaces the
// pairs are of characters, the usual measure there.
const simNum, simDen = 1, 2

// A word pair held by more than maxPostings of the inserted lines still to be
// paired is too common to find a paragraph by; a deleted line is compared with
// at most maxCompared inserted lines, those sharing the most uncommon pairs
// with it (then the closest in length). Both bound the work per line whatever
// the text: a paragraph is found by the pairs of words it does not share with
// many others.
const (
	maxPostings = 32
	maxCompared = 8
)

// line is a line of one side of the diff: its hunk and its index.
type line struct{ hunk, idx int }

// pair is a deleted line a paired as moved with an inserted line b.
type pair struct{ a, b line }

// similarPairs pairs deleted lines dels with inserted lines inss (lines not
// paired as exact moves, long enough to move) that are similar; each line
// pairs at most once, the most similar pairs first. A line similar to a line
// of the other side in its own hunk is an edit in place: found cheaply when
// the two stand at the same place in the hunk (see inPlace), else among the
// lines compared with it; but of such pairs within one hunk, those that
// cross the longest chain of them in order are moves (a paragraph moved two
// places down among renumbered neighbours). Only then are lines of
// different hunks paired.
func similarPairs(la, lb []string, hunks []hunk, dels, inss []line) []pair {
	if len(dels) == 0 || len(inss) == 0 {
		return nil
	}
	pa, pb := newPairCache(la, hunks, true), newPairCache(lb, hunks, false)
	takenA, takenB := inPlace(pa, pb, hunks, dels, inss)
	dels = slices.DeleteFunc(slices.Clone(dels), func(l line) bool { return takenA[l.idx] })
	inss = slices.DeleteFunc(slices.Clone(inss), func(l line) bool { return takenB[l.idx] })
	if len(dels) == 0 || len(inss) == 0 {
		return nil
	}
	// Every line left is looked up by its pairs: those not yet computed
	// are, on every core (each line's entry is its own).
	computePairs(pa, dels)
	computePairs(pb, inss)
	matches := newPairIndex(pb, inss).matches(pa, dels)
	sort.Slice(matches, func(x, y int) bool {
		p, q := matches[x], matches[y]
		if p.sim != q.sim {
			return p.sim > q.sim
		}
		if p.a.idx != q.a.idx {
			return p.a.idx < q.a.idx
		}
		return p.b.idx < q.b.idx
	})
	// Each line once: with a line of its own hunk first, then of another.
	var paired []pair
	for _, own := range []bool{true, false} {
		for _, m := range matches {
			if (m.a.hunk == m.b.hunk) == own && !takenA[m.a.idx] && !takenB[m.b.idx] {
				paired = append(paired, pair{m.a, m.b})
				takenA[m.a.idx], takenB[m.b.idx] = true, true
			}
		}
	}
	return crossing(la, lb, paired)
}

// crossing returns the pairs that are moves: those of different hunks, and
// those of one hunk outside the longest chain of its pairs in the same order
// on both sides (the chain's are edits where they stand) when both lines are
// paragraphs of their own, between blank lines: a wrapped line of a
// reflowed paragraph that resembles another is no move.
func crossing(la, lb []string, pairs []pair) []pair {
	var out []pair
	byHunk := map[int][]run{} // a pair as a run: i, j its lines; n its index in pairs
	for k, p := range pairs {
		if p.a.hunk != p.b.hunk {
			out = append(out, p)
			continue
		}
		byHunk[p.a.hunk] = append(byHunk[p.a.hunk], run{p.a.idx, p.b.idx, k})
	}
	for _, rs := range byHunk {
		sort.Slice(rs, func(x, y int) bool { return rs[x].i < rs[y].i })
		inChain := map[int]bool{}
		for _, r := range increasing(rs) {
			inChain[r.n] = true
		}
		for _, r := range rs {
			if !inChain[r.n] && paragraph(la, r.i) && paragraph(lb, r.j) {
				out = append(out, pairs[r.n])
			}
		}
	}
	return out
}

// paragraph reports whether line k of ls stands alone between blank lines
// (or the text's ends).
func paragraph(ls []string, k int) bool {
	return (k == 0 || isBlank(ls[k-1])) && (k+1 == len(ls) || isBlank(ls[k+1]))
}

// inPlace marks, by line index on each side, the lines of dels and inss
// similar or nearly the same (see nearlySame) as the line of the other side
// that stands at their place in their hunk: as far from the hunk's start, or
// from its end.
func inPlace(pa, pb *pairCache, hunks []hunk, dels, inss []line) (a, b []bool) {
	freeA, freeB := make([]bool, len(pa.lines)), make([]bool, len(pb.lines))
	for _, l := range dels {
		freeA[l.idx] = true
	}
	for _, l := range inss {
		freeB[l.idx] = true
	}
	a, b = touched(make([]bool, len(pa.lines))), touched(make([]bool, len(pb.lines)))
	// Each hunk's lines are its own: the hunks are shared out among the
	// cores, each with scratch of its own, and write disjoint entries.
	ends := stretches(len(hunks), func(h int) int {
		hk := hunks[h]
		return bytesOf(pa.lines[hk.a0:hk.a1]) + bytesOf(pb.lines[hk.b0:hk.b1])
	})
	inStretches(ends, func(_, from, to int) {
		var sa, sc []pairHash // the lines' pairs in order, before they are kept sorted
		try := func(i, j int) {
			if !freeA[i] || !freeB[j] || a[i] && b[j] {
				return
			}
			if nearlySame(pa.lines[i], pb.lines[j]) || pa.ofWith(i, &sa).similar(pb.ofWith(j, &sc)) {
				a[i], b[j] = true, true
			}
		}
		for _, hk := range hunks[from:to] {
			for k := 0; k < min(hk.a1-hk.a0, hk.b1-hk.b0); k++ {
				try(hk.a0+k, hk.b0+k)
				if hk.a1-hk.a0 != hk.b1-hk.b0 { // else the same lines as from the start
					try(hk.a1-1-k, hk.b1-1-k)
				}
			}
		}
	})
	return a, b
}

func bytesOf(lines []string) int {
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	return n
}

// nearlySame reports whether lines a and c share a start and an end (cut
// between words) that hold at least half the bytes of each: an edit in place
// whatever the measure says, and a cheap test that settles most of them.
func nearlySame(a, c string) bool {
	p, q := commonEnds(a, c)
	return 2*(p+q) >= max(len(a), len(c))
}

// pairIndex finds inserted lines by the word pairs they hold.
type pairIndex struct {
	lines []line
	pairs []wordPairs // of each line
	// The lines holding each pair, as a chain through posts from its last
	// one, and how many they are (chained no further than maxPostings+1).
	heads chains
	posts []posting
}

type chain struct{ last, n int32 } // last: index in posts, plus one

type posting struct{ line, prev int32 } // prev: as chain.last

func newPairIndex(pb *pairCache, inss []line) *pairIndex {
	x := &pairIndex{lines: inss, pairs: make([]wordPairs, len(inss))}
	n := 0
	for k, l := range inss {
		x.pairs[k] = pb.of(l.idx)
		n += len(x.pairs[k])
	}
	x.posts = make([]posting, 0, n)
	x.heads.init(n / 4)
	for k, p := range x.pairs {
		p.each(func(key pairHash, _ int) {
			if c := x.heads.at(key); c.n <= maxPostings {
				x.posts = append(x.posts, posting{int32(k), c.last})
				*c = chain{int32(len(x.posts)), c.n + 1}
				if c.n == 1 {
					x.heads.added()
				}
			}
		})
	}
	return x
}

// chains maps word pairs to their chains of postings: open addressing in
// two slices, cheaper than a map for the hundreds of thousands of lookups of
// a long rewrite. A slot whose chain is empty (n == 0) is free.
type chains struct {
	keys  []pairHash
	vals  []chain
	shift uint // 64 minus log2 of the slots
	used  int
}

func (t *chains) init(n int) {
	size, shift := 1024, uint(64-10)
	for size < 2*n {
		size, shift = 2*size, shift-1
	}
	t.keys, t.vals, t.shift, t.used = touched(make([]pairHash, size)), touched(make([]chain, size)), shift, 0
}

// slot returns where key is, or the free slot where it would go.
func (t *chains) slot(key pairHash) int {
	mask := len(t.keys) - 1
	for i := int(uint64(key) * 0x9E3779B97F4A7C15 >> t.shift); ; i = (i + 1) & mask {
		if t.vals[i].n == 0 || t.keys[i] == key {
			return i
		}
	}
}

// get returns key's chain, empty if it has none.
func (t *chains) get(key pairHash) chain { return t.vals[t.slot(key)] }

// at returns key's chain to be set, in place; after setting a new key's
// first posting the caller calls added.
func (t *chains) at(key pairHash) *chain {
	i := t.slot(key)
	t.keys[i] = key
	return &t.vals[i]
}

// added counts a key taking a slot, and doubles the table past half full.
func (t *chains) added() {
	if t.used++; 2*t.used <= len(t.keys) {
		return
	}
	keys, vals := t.keys, t.vals
	t.init(len(keys))
	for i, c := range vals {
		if c.n > 0 {
			j := t.slot(keys[i])
			t.keys[j], t.vals[j] = keys[i], c
			t.used++
		}
	}
}

// alike is a deleted line a similar to an inserted line b; sim is their
// Dice coefficient.
type alike struct {
	a, b line
	sim  float64
}

// matches returns, for each deleted line of dels, the inserted lines of the
// index it is similar to, among those compared with it.
func (x *pairIndex) matches(pa *pairCache, dels []line) []alike {
	// Each deleted line's candidates are its own: the lines are shared
	// out among the cores in stretches, and their matches joined in order.
	ends := stretches(len(dels), func(k int) int { return len(pa.lines[dels[k].idx]) })
	parts := make([][]alike, len(ends))
	inStretches(ends, func(w, from, to int) { parts[w] = x.matchesOf(pa, dels[from:to]) })
	return slices.Concat(parts...)
}

// matchesOf is matches for some deleted lines, on one goroutine.
func (x *pairIndex) matchesOf(pa *pairCache, dels []line) []alike {
	var out []alike
	acc := make([]int, len(x.lines)) // per inserted line: the deleted line's pairs it may share
	var touched, cands []int32
	for _, d := range dels {
		dp := pa.of(d.idx)
		common := 0 // the deleted line's pairs too common to look up
		dp.each(func(key pairHash, n int) {
			c := x.heads.get(key)
			if c.n > maxPostings {
				common += n
				return
			}
			for p := c.last; p > 0; p = x.posts[p-1].prev {
				k := x.posts[p-1].line
				if acc[k] == 0 {
					touched = append(touched, k)
				}
				acc[k] += n
			}
		})
		// The maxCompared best candidates, best first: most uncommon pairs
		// shared, then closest in length (the first of the index breaks a
		// tie), kept by insertion as the lines are seen, not by sorting all.
		gap := func(k int32) int { return abs(len(x.pairs[k]) - len(dp)) }
		better := func(p, q int32) bool {
			if acc[p] != acc[q] {
				return acc[p] > acc[q]
			}
			if gp, gq := gap(p), gap(q); gp != gq {
				return gp < gq
			}
			return p < q
		}
		cands = cands[:0]
		for _, k := range touched {
			// acc[k]+common bounds the pairs shared: skip the lines that cannot be similar.
			if !similarCount(min(acc[k]+common, len(dp), len(x.pairs[k])), len(dp), len(x.pairs[k])) {
				continue
			}
			if len(cands) == maxCompared && !better(k, cands[maxCompared-1]) {
				continue
			}
			if len(cands) < maxCompared {
				cands = append(cands, k)
			}
			at := len(cands) - 1
			for ; at > 0 && better(k, cands[at-1]); at-- {
				cands[at] = cands[at-1]
			}
			cands[at] = k
		}
		for _, k := range cands {
			if shared := dp.shared(x.pairs[k], needed(len(dp), len(x.pairs[k]))); similarCount(shared, len(dp), len(x.pairs[k])) {
				out = append(out, alike{d, x.lines[k], float64(2*shared) / float64(len(dp)+len(x.pairs[k]))})
			}
		}
		for _, k := range touched {
			acc[k] = 0
		}
		touched = touched[:0]
	}
	return out
}

// similarCount reports whether lines with na and nc word pairs, shared of
// them in common, are similar.
func similarCount(shared, na, nc int) bool {
	return na+nc > 0 && shared >= needed(na, nc)
}

func abs(n int) int { return max(n, -n) }

// needed returns how many word pairs lines with na and nc of them must share
// to be similar.
func needed(na, nc int) int {
	return (simNum*(na+nc) + 2*simDen - 1) / (2 * simDen)
}

// pairCache holds the word pairs of the changed lines of one side, each
// computed once: the entry of line idx, pairs[at[idx]], is nil until it is.
// Only the lines of hunks have an entry (a light edit of a long text
// changes a line in six). Entries of different lines may be filled at once
// by different goroutines.
type pairCache struct {
	lines []string
	at    []int32 // by line: its entry in pairs, or -1 outside the hunks
	pairs []wordPairs
}

// newPairCache returns the cache of the lines of one side (old when old is
// set, else new), whose hunks hold lines [a0, a1) or [b0, b1).
func newPairCache(lines []string, hunks []hunk, old bool) *pairCache {
	c := &pairCache{lines: lines, at: make([]int32, len(lines))}
	n := int32(0)
	prev := 0
	for _, hk := range hunks {
		from, to := hk.b0, hk.b1
		if old {
			from, to = hk.a0, hk.a1
		}
		for ; prev < from; prev++ {
			c.at[prev] = -1
		}
		for ; prev < to; prev++ {
			c.at[prev] = n
			n++
		}
	}
	for ; prev < len(lines); prev++ {
		c.at[prev] = -1
	}
	c.pairs = touched(make([]wordPairs, n))
	return c
}

func (c *pairCache) of(idx int) wordPairs {
	e := &c.pairs[c.at[idx]]
	if *e == nil {
		*e = pairsOf(c.lines[idx])
	}
	return *e
}

// computePairs fills c's entries for lines, in stretches, one per core.
func computePairs(c *pairCache, lines []line) {
	ends := stretches(len(lines), func(k int) int { return len(c.lines[lines[k].idx]) })
	inStretches(ends, func(_, from, to int) {
		for _, l := range lines[from:to] {
			c.of(l.idx)
		}
	})
}

// ofWith is of, computing the pairs in order into scratch first.
func (c *pairCache) ofWith(idx int, scratch *[]pairHash) wordPairs {
	if p := c.pairs[c.at[idx]]; p != nil {
		return p
	}
	*scratch = appendPairs((*scratch)[:0], c.lines[idx])
	return c.keep(idx, *scratch)
}

// keep returns the word pairs of line idx, given them in order (as
// appendPairs returns them) if they are not held yet.
func (c *pairCache) keep(idx int, ordered []pairHash) wordPairs {
	e := &c.pairs[c.at[idx]]
	if *e == nil {
		*e = make(wordPairs, len(ordered))
		sortPairs(*e, ordered)
	}
	return *e
}

// wordPairs holds the hashes of a line's word pairs, sorted.
type wordPairs []pairHash

// pairHash is the hash of a word pair: the top half of a 64-bit hash of the
// two words' hashes, as many bits as telling a line's pairs from another's
// needs, in half the memory.
type pairHash uint32

// pairsOf returns the word pairs of s.
func pairsOf(s string) wordPairs {
	var buf [maxBucketed]pairHash
	ordered := appendPairs(buf[:0], s)
	p := make(wordPairs, len(ordered))
	sortPairs(p, ordered)
	return p
}

// sortPairs sets dst to the word pairs ordered sorted (the same length;
// ordered is left as it is unless it is dst). They are hashes, spread
// evenly, so up to a paragraph's worth are put into about as many buckets
// as there are pairs by their top bits, then sorted by insertion, which
// moves each only within its bucket: several times faster than a
// comparison sort at the sizes of a line. Longer lines take the comparison
// sort.
func sortPairs(dst, ordered []pairHash) {
	n := len(ordered)
	switch {
	case n > maxBucketed || n > 16 && &dst[0] == &ordered[0]:
		copy(dst, ordered)
		slices.Sort(dst)
		return
	case n > 16:
		var at [2*maxBucketed + 1]uint16 // where each bucket starts in dst
		shift := 32 - bits.Len(uint(n))  // 2n buckets at most
		for _, x := range ordered {
			at[x>>shift+1]++
		}
		for b := 1; b <= 1<<(32-shift); b++ {
			at[b] += at[b-1]
		}
		for _, x := range ordered {
			dst[at[x>>shift]] = x
			at[x>>shift]++
		}
	default:
		copy(dst, ordered)
	}
	for i := 1; i < n; i++ {
		x := dst[i]
		j := i
		for ; j > 0 && dst[j-1] > x; j-- {
			dst[j] = dst[j-1]
		}
		dst[j] = x
	}
}

// maxBucketed is the most word pairs sortPairs sorts by buckets.
const maxBucketed = 256

// appendPairs appends the hashes of the word pairs of s to dst, in order.
func appendPairs(dst []pairHash, s string) []pairHash {
	var prev uint64
	have := false
	for i := 0; i < len(s); {
		c := s[i]
		var h uint64
		switch {
		case c >= utf8.RuneSelf || i+1 < len(s) && s[i+1] >= utf8.RuneSelf:
			end := tokenEnd(s, i) // not plain ASCII: the general rules
			t := s[i:end]
			i = end
			if !isWord(t) {
				continue
			}
			h = hashString(t)
		case !isASCIIWord(c):
			i++ // white space or a mark, alone
			continue
		default:
			j, hw := asciiWordEnd(s, i)
			if j < len(s) && s[j] >= utf8.RuneSelf {
				j = tokenEnd(s, i) // a word that may go on
				hw = hashString(s[i:j])
			}
			h, i = hw, j
		}
		if have {
			dst = append(dst, pairHash((prev*0x9E3779B97F4A7C15^h)>>32))
		}
		prev, have = h, true
	}
	return dst
}

// asciiWordEnd returns the end of the run of ASCII letters and digits that
// starts at byte i of s, and the run's hash as hashString computes it: read
// and hashed eight bytes at a time while they are ASCII (see wordBytes).
func asciiWordEnd(s string, i int) (int, uint64) {
	var h uint64
	j := i
	for j+8 <= len(s) {
		x := load8(s, j)
		if x&high8 != 0 {
			break
		}
		if n := bits.TrailingZeros64(^wordBytes(x)&high8) >> 3; n < 8 {
			v := x & (1<<(8*n) - 1)
			return j + n, mix64(h ^ v ^ uint64(j+n-i)<<56)
		}
		h = mix64(h ^ x)
		j += 8
	}
	// Near the end, or past ASCII: find the end, and hash the word whole.
	for j < len(s) && isASCIIWord(s[j]) {
		j++
	}
	return j, hashString(s[i:j])
}

// hashString hashes a word: its bytes eight at a time, each block mixed in
// by a bijection, the last with the word's length in its top byte; words
// shorter than eight bytes therefore never collide.
func hashString(s string) uint64 {
	var h, v uint64
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * (i & 7))
		if i&7 == 7 {
			h, v = mix64(h^v), 0
		}
	}
	return mix64(h ^ v ^ uint64(len(s))<<56)
}

func mix64(x uint64) uint64 {
	x *= 0x9E3779B97F4A7C15
	return x ^ x>>29
}

// each calls f with each distinct pair of w and how many times it occurs.
func (w wordPairs) each(f func(key pairHash, n int)) {
	for i := 0; i < len(w); {
		j := i + 1
		for j < len(w) && w[j] == w[i] {
			j++
		}
		f(w[i], j-i)
		i = j
	}
}

// similar reports whether lines with word pairs w and v are similar.
func (w wordPairs) similar(v wordPairs) bool {
	return similarCount(w.shared(v, needed(len(w), len(v))), len(w), len(v))
}

// shared returns the size of the multiset intersection of w and v, or, once
// it cannot reach need, some smaller number.
func (w wordPairs) shared(v wordPairs, need int) int {
	// The steps of the merge take no branch on the values: which side steps
	// on is as good as random, and a mispredicted branch a step cost more
	// than all the rest of it.
	n, i, j := 0, 0, 0
	for i < len(w) && j < len(v) {
		if n+min(len(w)-i, len(v)-j) < need {
			return n
		}
		d := int64(w[i]) - int64(v[j])
		le := int(uint64(d-1) >> 63)  // 1 when w[i] <= v[j]
		ge := int(uint64(-d-1) >> 63) // 1 when w[i] >= v[j]
		n += le & ge
		i += le
		j += ge
	}
	return n
}
