package diff

// Index answers questions about one redline's old and new texts, in code
// points. (A stand-in until edited moves land; same API.)
type Index struct{ x *opIndex }

// NewIndex indexes a redline's ops.
func NewIndex(ops []Op) *Index { return &Index{newOpIndex(ops)} }

// Carry returns the new place of a range of the old text (see CarryOps).
func (x *Index) Carry(r Range) Anchor { return x.x.carry(r) }

// OldLen and NewLen are the lengths of the two texts.
func (x *Index) OldLen() int { return x.x.oa[len(x.x.ops)] }
func (x *Index) NewLen() int { return x.x.ob[len(x.x.ops)] }

// Map returns where old code point p stands in the new text: its new offset
// when kept, else where the change that removed it stands.
func (x *Index) Map(p int) int {
	if p >= x.OldLen() {
		return x.NewLen()
	}
	k := x.x.at(p)
	if q, ok := x.x.intact(k, p); ok {
		return q
	}
	return x.x.ob[k]
}

// Kept reports whether old [lo, hi) lies within one kept (equal) op with no
// insertion at either end: nothing there changed. It may say false when
// nothing changed; never true when something did.
func (x *Index) Kept(lo, hi int) bool {
	if lo >= hi {
		return false
	}
	k1, k2 := x.x.at(lo), x.x.at(hi-1)
	if k1 != k2 || x.x.ops[k1].Op != Equal {
		return false
	}
	if lo == x.x.oa[k1] && k1 > 0 || hi == x.x.oa[k1+1] && k1+1 < len(x.x.ops) {
		return false // a change touches its edge
	}
	return true
}
