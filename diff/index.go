package diff

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Index answers questions about one redline's old and new texts, in code
// points: built once (NewIndex), queried many times, each query in time
// logarithmic in the number of ops (plus the size of a moved passage's own
// alignment when it is asked about an edited move). It never changes once
// built, so it may be queried concurrently.
type Index struct {
	ops     []Op
	oa, ob  []int   // start of op k in the old and in the new text; the totals last
	changes []int32 // changes[k]: how many of ops[:k] are not Equal
	kept    []int32 // kept[k]: how many of ops[:k] are not Delete
	plain   []int32 // plain[k]: how many of ops[:k] are inserts of no move
	lo, hi  []int32 // the first and last op of the change that op k is in
	moves   map[int]*moved
}

// moved is one moved passage of the redline: its delete ops d0..d1 and
// insert ops i0..i1 (both inclusive and neighbours), and, when it was edited,
// the alignment of its old text with its new one.
type moved struct {
	d0, d1, i0, i1 int
	inner          *Index // nil when the passage moved unchanged
}

// NewIndex indexes ops. A move id whose deletes or inserts are missing, not
// neighbours, or whose text without Edit differs on the two sides is taken
// for plain deletes and inserts.
func NewIndex(ops []Op) *Index {
	n := len(ops)
	x := &Index{
		ops:     ops,
		oa:      make([]int, n+1),
		ob:      make([]int, n+1),
		changes: make([]int32, n+1),
		kept:    make([]int32, n+1),
		plain:   make([]int32, n+1),
		lo:      make([]int32, n),
		hi:      make([]int32, n),
	}
	changing := make([]bool, n) // not Equal (an op of no known kind changes nothing)
	for k, op := range ops {
		x.oa[k+1], x.ob[k+1] = x.oa[k], x.ob[k]
		x.changes[k+1], x.kept[k+1], x.plain[k+1] = x.changes[k], x.kept[k]+1, x.plain[k]
		switch op.Op {
		case Equal:
			r := utf8.RuneCountInString(op.Text)
			x.oa[k+1] += r
			x.ob[k+1] += r
		case Delete:
			x.oa[k+1] += utf8.RuneCountInString(op.Text)
			x.kept[k+1]--
			x.changes[k+1]++
			changing[k] = true
		case Insert:
			x.ob[k+1] += utf8.RuneCountInString(op.Text)
			x.changes[k+1]++
			changing[k] = true
			if op.Move == 0 {
				x.plain[k+1]++
			}
		}
	}
	for k := 0; k < n; k++ {
		x.lo[k] = int32(k)
		if k > 0 && changing[k] && changing[k-1] {
			x.lo[k] = x.lo[k-1]
		}
	}
	for k := n - 1; k >= 0; k-- {
		x.hi[k] = int32(k)
		if k+1 < n && changing[k] && changing[k+1] {
			x.hi[k] = x.hi[k+1]
		}
	}
	x.moves = indexMoves(ops)
	return x
}

// indexMoves finds the well-formed moves of ops (see NewIndex).
func indexMoves(ops []Op) map[int]*moved {
	type sides struct {
		d0, d1, i0, i1 int
		broken, edited bool
	}
	seen := map[int]*sides{}
	for k, op := range ops {
		if op.Move == 0 || op.Op == Equal {
			continue
		}
		s := seen[op.Move]
		if s == nil {
			s = &sides{-1, -1, -1, -1, false, false}
			seen[op.Move] = s
		}
		first, last := &s.d0, &s.d1
		if op.Op == Insert {
			first, last = &s.i0, &s.i1
		}
		switch {
		case *first < 0:
			*first = k
		case *last != k-1:
			s.broken = true
		}
		*last = k
		s.edited = s.edited || op.Edit
	}
	moves := make(map[int]*moved, len(seen))
	for id, s := range seen {
		if s.broken || s.d0 < 0 || s.i0 < 0 {
			continue
		}
		m := &moved{d0: s.d0, d1: s.d1, i0: s.i0, i1: s.i1}
		switch {
		case !s.edited && s.d1 == s.d0 && s.i1 == s.i0:
			if ops[s.d0].Text != ops[s.i0].Text {
				continue
			}
		default:
			inner, ok := alignMove(ops[s.d0:s.d1+1], ops[s.i0:s.i1+1])
			if !ok {
				continue
			}
			m.inner = NewIndex(inner)
		}
		moves[id] = m
	}
	return moves
}

// alignMove returns the redline of a moved passage's old text (dels) against
// its new text (inss): the text without Edit is equal, the rest deleted or
// inserted. It reports false when the two sides do not keep the same text.
func alignMove(dels, inss []Op) ([]Op, bool) {
	var b builder
	var ka, kc strings.Builder
	for _, op := range dels {
		if !op.Edit {
			ka.WriteString(op.Text)
		}
	}
	for _, op := range inss {
		if !op.Edit {
			kc.WriteString(op.Text)
		}
	}
	if ka.String() != kc.String() {
		return nil, false
	}
	var ta, tc string // what is left of the current op on each side
	for len(dels) > 0 || len(inss) > 0 || ta != "" || tc != "" {
		switch {
		case ta == "" && len(dels) > 0 && dels[0].Edit:
			b.add(Delete, dels[0].Text, 0)
			dels = dels[1:]
		case tc == "" && len(inss) > 0 && inss[0].Edit:
			b.add(Insert, inss[0].Text, 0)
			inss = inss[1:]
		case ta == "" && len(dels) > 0:
			ta, dels = dels[0].Text, dels[1:]
		case tc == "" && len(inss) > 0:
			tc, inss = inss[0].Text, inss[1:]
		default: // both sides hold kept text, the same text
			n := min(len(ta), len(tc))
			if n == 0 {
				return nil, false
			}
			b.add(Equal, ta[:n], 0)
			ta, tc = ta[n:], tc[n:]
		}
	}
	return b.finish(), true
}

// OldLen returns the length of the old text.
func (x *Index) OldLen() int { return x.oa[len(x.ops)] }

// NewLen returns the length of the new text.
func (x *Index) NewLen() int { return x.ob[len(x.ops)] }

// at returns the op that holds old code point p (len(ops) past the end).
func (x *Index) at(p int) int {
	return sort.Search(len(x.ops), func(k int) bool { return x.oa[k+1] > p })
}

// moveAt returns the move whose delete op k is, if any.
func (x *Index) moveAt(k int) *moved {
	if k < len(x.ops) && x.ops[k].Op == Delete && x.ops[k].Move != 0 {
		return x.moves[x.ops[k].Move]
	}
	return nil
}

// Map returns where old code point p (0 <= p < old length) stands in the new
// text: its new offset when the text there is kept (equal, or moved: the
// unchanged words of an edited move included), else the new offset where the
// change that removed it stands. p == old length maps to the new length; p
// out of range is clamped first.
func (x *Index) Map(p int) int {
	q, _ := x.place(min(max(p, 0), x.OldLen()))
	return q
}

// place returns where old code point p stands in the new text, and whether
// its text is kept there.
func (x *Index) place(p int) (int, bool) {
	k := x.at(p)
	switch {
	case k == len(x.ops):
		return x.NewLen(), true
	case x.ops[k].Op == Equal:
		return x.ob[k] + p - x.oa[k], true
	}
	if m := x.moveAt(k); m != nil {
		base, nb := x.oa[m.d0], x.ob[m.i0]
		if m.inner == nil {
			return nb + p - base, true
		}
		q, ok := m.inner.place(p - base)
		return nb + q, ok
	}
	return x.ob[k], false
}

// Kept reports whether old [lo, hi) lies within one equal op with no change
// at either end of it: nothing there, nor right next to it, changed. It may
// say false when nothing changed (a caller then looks closer); never true
// when something did.
func (x *Index) Kept(lo, hi int) bool {
	if lo < 0 || lo >= hi || hi > x.OldLen() {
		return false
	}
	k1, k2 := x.at(lo), x.at(hi-1)
	if k1 != k2 || x.ops[k1].Op != Equal {
		return false
	}
	return (lo > x.oa[k1] || k1 == 0) && (hi < x.oa[k1+1] || k1+1 == len(x.ops))
}
