package diff

import "sort"

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
// the new text, in the order given (see Index.Carry).
func CarryOps(ops []Op, ranges []Range) []Anchor {
	x := NewIndex(ops)
	out := make([]Anchor, len(ranges))
	for k, r := range ranges {
		out[k] = x.Carry(r)
	}
	return out
}

// Carry returns the new place of a range of the old text. The range is
// clamped to the old text first. A range whose text is intact is Moved, to
// its new place; one whose text was all deleted with nothing put in its place
// is Outdated; any other edit within it, or text that replaced it entirely,
// makes it Changed, and its new range then covers the replacement. An empty
// range is a point: Moved where its place survives, Outdated where it was
// deleted.
//
// A range within a moved passage is carried with it, by the same rules
// applied to the passage's own alignment: Moved when its words are all in
// what the edit kept, Changed covering their replacement when the edit
// touched them, Outdated (empty, where they were) when the edit removed them
// all. A range that holds more than half of its text in one moved passage
// and the rest outside it is Changed, covering the part in the passage, at
// its new place; any other range that holds moved text is carried where it
// was, the moved text counting as deleted there, but for one that would be
// Outdated: it follows, Changed, the moved passage at its start, middle or
// end that keeps the most of it.
func (x *Index) Carry(r Range) Anchor {
	total := x.OldLen()
	s, e := min(max(r.Start, 0), total), min(max(r.End, 0), total)
	if e <= s {
		return x.point(s)
	}
	k1, k2 := x.at(s), x.at(e-1)
	if x.changes[k2+1]-x.changes[k1] == 0 {
		p := x.ob[k1] + s - x.oa[k1]
		return Anchor{p, p + e - s, Moved} // Equal ops that were not merged
	}
	if m := x.moveAt(k1); m != nil && m == x.moveAt(k2) {
		return x.carryMoved(m, s, e)
	}
	// A moved passage holding more than half of the range holds its middle.
	if a, n := x.carryPart(x.moveAt(x.at(s+(e-s)/2)), s, e); 2*n > e-s {
		return a
	}
	if x.kept[k2+1]-x.kept[k1] == 0 { // only deletes
		ns, ne, ok := x.replacement(int(x.lo[k1]), int(x.hi[k2]))
		if ok {
			return Anchor{ns, ne, Changed}
		}
		// Nothing replaced it here: it follows what survives of it elsewhere, if anything.
		best, most := Anchor{x.ob[k1], x.ob[k1], Outdated}, 0
		for _, k := range [...]int{k1, x.at(s + (e-s)/2), k2} {
			if a, n := x.carryPart(x.moveAt(k), s, e); n > most {
				best, most = a, n
			}
		}
		return best
	}
	a := Anchor{Flag: Changed}
	if x.ops[k1].Op == Equal {
		a.Start = x.ob[k1] + s - x.oa[k1]
	} else {
		a.Start = x.ob[x.lo[k1]]
	}
	if x.ops[k2].Op == Equal {
		a.End = x.ob[k2] + e - x.oa[k2]
	} else {
		a.End = x.ob[x.hi[k2]+1]
	}
	return a
}

// carryPart carries the part of old range [s, e) within moved passage m (if
// any) to the passage's new place, Changed, and returns how many code points
// that part holds; none when the edit of the passage removed them all.
func (x *Index) carryPart(m *moved, s, e int) (Anchor, int) {
	if m == nil {
		return Anchor{}, 0
	}
	ms, me := max(s, x.oa[m.d0]), min(e, x.oa[m.d1+1])
	a := x.carryMoved(m, ms, me)
	if a.Flag == Outdated {
		return Anchor{}, 0
	}
	a.Flag = Changed
	return a, me - ms
}

// carryMoved carries old range [s, e), within moved passage m, to the
// passage's new place.
func (x *Index) carryMoved(m *moved, s, e int) Anchor {
	base, nb := x.oa[m.d0], x.ob[m.i0]
	if m.inner == nil {
		return Anchor{nb + s - base, nb + e - base, Moved}
	}
	a := m.inner.Carry(Range{s - base, e - base})
	return Anchor{nb + a.Start, nb + a.End, a.Flag}
}

// point carries an empty range.
func (x *Index) point(p int) Anchor {
	q, kept := x.place(p)
	if kept {
		return Anchor{q, q, Moved}
	}
	return Anchor{q, q, Outdated}
}

// replacement returns the new range covered by the plain (not moved) inserts
// of ops g..h, if there are any.
func (x *Index) replacement(g, h int) (int, int, bool) {
	before, all := x.plain[g], x.plain[h+1]
	if all == before {
		return 0, 0, false
	}
	first := g + sort.Search(h+1-g, func(k int) bool { return x.plain[g+k+1] > before })
	last := g + sort.Search(h+1-g, func(k int) bool { return x.plain[g+k+1] == all })
	return x.ob[first], x.ob[last+1], true
}
