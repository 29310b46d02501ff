package diff

import (
	"sort"
	"unicode/utf8"
)

// Range is the half-open range [Start, End) of code points in one text.
type Range struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Flag says what became of a carried range's text.
type Flag string

// The flags of a carried range, as they appear on the wire.
const (
	// Moved: the same text, where it was or elsewhere (a moved paragraph).
	Moved Flag = "moved"
	// Changed: some of the text was edited; the new range covers the edit.
	Changed Flag = "changed"
	// Outdated: all of the text was deleted; the new range is empty, where it was.
	Outdated Flag = "outdated"
)

// Anchor is where a range of the old text stands in the new text.
type Anchor struct {
	Start int  `json:"start"`
	End   int  `json:"end"`
	Flag  Flag `json:"flag"`
}

// Carry returns, for each range of old, its place in new (see CarryOps).
func Carry(old, new string, ranges []Range) []Anchor {
	return CarryOps(Redline(old, new), ranges)
}

// CarryOps returns, for each range of the redline's old text, its place in
// the new text, in the order given. A range is clamped to the old text first.
// A range whose text is intact is Moved, to its new place; one whose text was
// all deleted with nothing put in its place is Outdated; any other edit
// within it, or text that replaced it entirely, makes it Changed, and its new
// range then covers the replacement. An empty range is a point: Moved where
// its place survives, Outdated where it was deleted.
func CarryOps(ops []Op, ranges []Range) []Anchor {
	idx := newOpIndex(ops)
	out := make([]Anchor, len(ranges))
	for k, r := range ranges {
		out[k] = idx.carry(r)
	}
	return out
}

// opIndex holds each op's place in both texts, in code points.
type opIndex struct {
	ops      []Op
	oa, ob   []int // start of op k in the old and in the new text; the totals last
	changes  []int // changes[k]: how many of ops[:k] are not Equal
	inserted map[int]int
}

func newOpIndex(ops []Op) *opIndex {
	x := &opIndex{
		ops:      ops,
		oa:       make([]int, len(ops)+1),
		ob:       make([]int, len(ops)+1),
		changes:  make([]int, len(ops)+1),
		inserted: map[int]int{},
	}
	for k, op := range ops {
		n := utf8.RuneCountInString(op.Text)
		x.oa[k+1], x.ob[k+1], x.changes[k+1] = x.oa[k], x.ob[k], x.changes[k]
		switch op.Op {
		case Equal:
			x.oa[k+1] += n
			x.ob[k+1] += n
		case Delete:
			x.oa[k+1] += n
			x.changes[k+1]++
		case Insert:
			x.ob[k+1] += n
			x.changes[k+1]++
			if op.Move != 0 {
				x.inserted[op.Move] = k
			}
		}
	}
	return x
}

// at returns the op that holds old code point p (len(ops) past the end).
func (x *opIndex) at(p int) int {
	return sort.Search(len(x.ops), func(k int) bool { return x.oa[k+1] > p })
}

func (x *opIndex) carry(r Range) Anchor {
	total := x.oa[len(x.ops)]
	s, e := min(max(r.Start, 0), total), min(max(r.End, 0), total)
	if e <= s {
		return x.point(s)
	}
	k1, k2 := x.at(s), x.at(e-1)
	if k1 == k2 {
		if p, ok := x.intact(k1, s); ok {
			return Anchor{p, p + e - s, Moved}
		}
	}
	if x.changes[k2+1]-x.changes[k1] == 0 {
		p := x.ob[k1] + s - x.oa[k1]
		return Anchor{p, p + e - s, Moved} // Equal ops that were not merged
	}
	deletedOnly := true
	for k := k1; k <= k2; k++ {
		if x.ops[k].Op != Delete {
			deletedOnly = false
			break
		}
	}
	g, h := x.group(k1, k2)
	if deletedOnly {
		ns, ne, ok := x.replacement(g, h)
		if !ok {
			return Anchor{x.ob[k1], x.ob[k1], Outdated}
		}
		return Anchor{ns, ne, Changed}
	}
	var a Anchor
	a.Flag = Changed
	if x.ops[k1].Op == Equal {
		a.Start = x.ob[k1] + s - x.oa[k1]
	} else {
		a.Start = x.ob[g]
	}
	if x.ops[k2].Op == Equal {
		a.End = x.ob[k2] + e - x.oa[k2]
	} else {
		a.End = x.ob[h+1]
	}
	return a
}

// intact returns where old code point p of op k stands in the new text, when
// the op keeps its text (Equal, or a moved Delete whose Insert is known).
func (x *opIndex) intact(k, p int) (int, bool) {
	op := x.ops[k]
	switch {
	case op.Op == Equal:
		return x.ob[k] + p - x.oa[k], true
	case op.Op == Delete && op.Move != 0:
		if ins, ok := x.inserted[op.Move]; ok {
			return x.ob[ins] + p - x.oa[k], true
		}
	}
	return 0, false
}

// point carries an empty range.
func (x *opIndex) point(p int) Anchor {
	k := x.at(p)
	if k == len(x.ops) {
		return Anchor{x.ob[k], x.ob[k], Moved}
	}
	if q, ok := x.intact(k, p); ok {
		return Anchor{q, q, Moved}
	}
	return Anchor{x.ob[k], x.ob[k], Outdated}
}

// group widens ops k1..k2 to the whole change around them: the ops between
// the nearest Equal ops on either side.
func (x *opIndex) group(k1, k2 int) (g, h int) {
	g, h = k1, k2
	for g > 0 && x.ops[g-1].Op != Equal {
		g--
	}
	for h+1 < len(x.ops) && x.ops[h+1].Op != Equal {
		h++
	}
	return g, h
}

// replacement returns the new range covered by the plain (not moved) inserts
// of ops g..h, if there are any.
func (x *opIndex) replacement(g, h int) (int, int, bool) {
	first, last := -1, -1
	for k := g; k <= h; k++ {
		if x.ops[k].Op == Insert && x.ops[k].Move == 0 {
			if first < 0 {
				first = k
			}
			last = k
		}
	}
	if first < 0 {
		return 0, 0, false
	}
	return x.ob[first], x.ob[last+1], true
}
