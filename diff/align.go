package diff

import (
	"sort"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// run is a stretch of n equal units starting at a[i] and b[j].
type run struct{ i, j, n int }

// myersBudget bounds len(a)+len(b) for one exact (Myers) alignment: its worst
// case, on unrelated inputs, grows with the square of that sum. Larger inputs
// are first cut at anchors (units that occur once on each side).
const myersBudget = 6000

// match returns the runs of units a and b share, increasing in both. It is a
// longest common subsequence when len(a)+len(b) fits the budget; beyond that
// it anchors on units unique to both sides (patience diff) and aligns the
// gaps between anchors exactly; a gap too large and without anchors is left
// unmatched, for the caller to refine at a finer level.
func match(a, b []string) []run {
	var m matcher
	m.match(a, b, 0, 0)
	return m.runs
}

type matcher struct {
	runs []run
	dmp  *diffmatchpatch.DiffMatchPatch
}

func (m *matcher) add(r run) {
	if r.n == 0 {
		return
	}
	if k := len(m.runs) - 1; k >= 0 {
		if p := &m.runs[k]; p.i+p.n == r.i && p.j+p.n == r.j {
			p.n += r.n
			return
		}
	}
	m.runs = append(m.runs, r)
}

// match aligns a and b, which start at units ai and bj of the whole input.
func (m *matcher) match(a, b []string, ai, bj int) {
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
	if len(a) > 0 && len(b) > 0 {
		if len(a)+len(b) <= myersBudget {
			m.myers(a, b, ai, bj)
		} else {
			m.patience(a, b, ai, bj)
		}
	}
	m.add(run{ai + len(a), bj + len(b), s})
}

// myers aligns a and b exactly with go-diff, each distinct unit mapped to one
// rune. The budget keeps the number of distinct units far below the surrogate
// range, so every rune survives go-diff's string round trip.
func (m *matcher) myers(a, b []string, ai, bj int) {
	ids := make(map[string]rune, len(a)+len(b))
	intern := func(units []string) []rune {
		rs := make([]rune, len(units))
		for k, u := range units {
			id, ok := ids[u]
			if !ok {
				id = rune(len(ids) + 1)
				ids[u] = id
			}
			rs[k] = id
		}
		return rs
	}
	ra, rb := intern(a), intern(b)
	if m.dmp == nil {
		m.dmp = diffmatchpatch.New()
		m.dmp.DiffTimeout = 0 // never a result degraded by a deadline
	}
	i, j := ai, bj
	for _, d := range m.dmp.DiffMainRunes(ra, rb, false) {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			m.add(run{i, j, n})
			i, j = i+n, j+n
		case diffmatchpatch.DiffDelete:
			i += n
		case diffmatchpatch.DiffInsert:
			j += n
		}
	}
}

// patience anchors a and b on the units that occur exactly once in each,
// keeps the longest chain of anchors that is increasing on both sides, and
// aligns the gaps between them.
func (m *matcher) patience(a, b []string, ai, bj int) {
	type seen struct{ na, nb, ib int }
	idx := make(map[string]int32, len(a))
	seens := make([]seen, 0, len(a))
	for _, u := range a {
		if x, ok := idx[u]; ok {
			seens[x].na++
		} else {
			idx[u] = int32(len(seens))
			seens = append(seens, seen{na: 1})
		}
	}
	for k, u := range b {
		if x, ok := idx[u]; ok {
			seens[x].nb++
			seens[x].ib = k
		}
	}
	var cands []run // anchor candidates in a's order, n unused
	for k, u := range a {
		if c := seens[idx[u]]; c.na == 1 && c.nb == 1 {
			cands = append(cands, run{i: k, j: c.ib})
		}
	}
	anchors := increasing(cands)
	if len(anchors) == 0 {
		return // nothing to anchor on: the caller refines this gap
	}
	pa, pb := 0, 0
	for _, x := range anchors {
		m.match(a[pa:x.i], b[pb:x.j], ai+pa, bj+pb)
		m.add(run{ai + x.i, bj + x.j, 1})
		pa, pb = x.i+1, x.j+1
	}
	m.match(a[pa:], b[pb:], ai+pa, bj+pb)
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
