package mra

import (
	"unicode"
	"unicode/utf8"

	"mra/diff"
)

// A consensus guards its clause: the sentences its range touches. A
// sentence ends at '.', ';', '!' or '?' followed by whitespace, or at a line
// break. A new version voids the consensus when it changes a word of the
// clause, inserts one into it, or puts one next to either edge of the range
// on its line; a change of whitespace alone voids nothing.

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r >= '\t' && r <= '\r'
	}
	return unicode.IsSpace(r)
}

func isTerminator(r rune) bool { return r == '.' || r == ';' || r == '!' || r == '?' }

// cursor walks a text's code points both ways: b is a byte offset, p the
// code point there.
type cursor struct {
	s    string
	b, p int
}

func (t *Text) cursor(p int) cursor { return cursor{t.s, t.byteAt(p), p} }

func (c *cursor) peekPrev() (rune, bool) {
	if c.b == 0 {
		return 0, false
	}
	if ch := c.s[c.b-1]; ch < utf8.RuneSelf {
		return rune(ch), true
	}
	r, _ := utf8.DecodeLastRuneInString(c.s[:c.b])
	return r, true
}

func (c *cursor) peekNext() (rune, bool) {
	if c.b == len(c.s) {
		return 0, false
	}
	if ch := c.s[c.b]; ch < utf8.RuneSelf {
		return rune(ch), true
	}
	r, _ := utf8.DecodeRuneInString(c.s[c.b:])
	return r, true
}

func (c *cursor) back() {
	n := 1
	if c.s[c.b-1] >= utf8.RuneSelf {
		_, n = utf8.DecodeLastRuneInString(c.s[:c.b])
	}
	c.b -= n
	c.p--
}

func (c *cursor) forward() {
	n := 1
	if c.s[c.b] >= utf8.RuneSelf {
		_, n = utf8.DecodeRuneInString(c.s[c.b:])
	}
	c.b += n
	c.p++
}

// inLineSpace is whitespace that does not end a line.
func inLineSpace(r rune) bool { return r != '\n' && isSpace(r) }

// clause is where a range stands among the sentences of a text, in code
// points: the range without its edge whitespace [s, e), the clause [gs, ge)
// (from the first character of its first sentence to the last of its last),
// the nearest characters before s and after e on the same line (-1 at a line
// edge), and a span [lo, hi) that holds all of these and the line edges they
// stop at.
type clause struct {
	s, e, gs, ge  int
	before, after int
	lo, hi        int
}

// clauseOf returns the clause of range [s, e) of t.
func clauseOf(t *Text, s, e int) clause {
	a, z := t.cursor(s), t.cursor(e)
	for a.p < z.p {
		if r, _ := a.peekNext(); !isSpace(r) {
			break
		}
		a.forward()
	}
	for z.p > a.p {
		if r, _ := z.peekPrev(); !isSpace(r) {
			break
		}
		z.back()
	}
	c := clause{s: a.p, e: z.p}

	g := a // back to the start of the first sentence
	for {
		r, ok := g.peekPrev()
		if !ok || r == '\n' {
			break
		}
		if isSpace(r) {
			h := g
			for {
				if r, ok := h.peekPrev(); !ok || !inLineSpace(r) {
					break
				}
				h.back()
			}
			if r, ok := h.peekPrev(); !ok || r == '\n' || isTerminator(r) {
				break
			}
			g = h
			continue
		}
		g.back()
	}
	c.gs = g.p

	g = z // on to the end of the last sentence
	if r, ok := g.peekPrev(); !ok || g.p == a.p || !isTerminator(r) || !spaceOrEnd(&g) {
		for {
			r, ok := g.peekNext()
			if !ok || r == '\n' {
				break
			}
			g.forward()
			if isTerminator(r) && spaceOrEnd(&g) {
				break
			}
		}
		for g.p > z.p {
			if r, _ := g.peekPrev(); !isSpace(r) {
				break
			}
			g.back()
		}
	}
	c.ge = g.p

	var edge int
	c.before, edge = neighbour(a, false)
	c.lo = min(c.gs, edge)
	if c.before >= 0 {
		c.lo = min(c.lo, c.before)
	}
	c.after, edge = neighbour(z, true)
	c.hi = max(c.ge, edge)
	if c.after >= 0 {
		c.hi = max(c.hi, c.after+1)
	}
	return c
}

// spaceOrEnd reports whether whitespace or the end of the text follows c.
func spaceOrEnd(c *cursor) bool {
	r, ok := c.peekNext()
	return !ok || isSpace(r)
}

// neighbour returns the nearest character before c (after c, when forward)
// on the same line, past whitespace, or -1 at the line's edge; and the edge
// of what it looked at: that character, or the line break (or text edge)
// where it stopped, as a bound of a span that includes it.
func neighbour(c cursor, forward bool) (pos, edge int) {
	for {
		var r rune
		var ok bool
		if forward {
			r, ok = c.peekNext()
		} else {
			r, ok = c.peekPrev()
		}
		switch {
		case !ok:
			return -1, c.p
		case r == '\n':
			if forward {
				return -1, c.p + 1
			}
			return -1, c.p - 1
		case !isSpace(r):
			if forward {
				return c.p, c.p + 1
			}
			return c.p - 1, c.p - 1
		}
		if forward {
			c.forward()
		} else {
			c.back()
		}
	}
}

// clauseChanged reports whether the redline (indexed by idx) from old to nt
// voids a consensus on [s, e) of old (see the rule above).
func clauseChanged(old, nt *Text, idx *diff.Index, s, e int) bool {
	if lo, hi := old.line(s, e); idx.Kept(lo, hi) {
		return false // its lines did not change: no need to find its clause
	}
	return clauseVoided(old, nt, idx, s, e)
}

// clauseVoided is clauseChanged without the shortcut of unchanged lines.
func clauseVoided(old, nt *Text, idx *diff.Index, s, e int) bool {
	c := clauseOf(old, s, e)
	if idx.Kept(c.lo, c.hi) {
		return false // no change at all around it
	}
	if c.s == c.e {
		return true // a range of whitespace: nothing to compare, so be safe
	}
	a, b := idx.Map(c.gs), idx.Map(c.ge-1)
	if b < a {
		return true
	}
	n := clauseOf(nt, a, b+1)
	oldClause, _ := old.Slice(c.gs, c.ge)
	newClause, _ := nt.Slice(n.gs, n.ge)
	if !sameTokens(oldClause, newClause) {
		return true
	}
	before, _ := neighbour(nt.cursor(idx.Map(c.s)), false)
	after, _ := neighbour(nt.cursor(idx.Map(c.e-1)+1), true)
	return !sameNeighbour(old, nt, idx, c.before, before) || !sameNeighbour(old, nt, idx, c.after, after)
}

// sameNeighbour reports whether no word was put next to a range edge: the
// new neighbour q is a line edge (-1), or is the old neighbour p kept.
func sameNeighbour(old, nt *Text, idx *diff.Index, p, q int) bool {
	if q < 0 {
		return true // a line break, or nothing, stands next to it now
	}
	if p < 0 {
		return false
	}
	if idx.Map(p) != q {
		return false
	}
	x, _ := old.Slice(p, p+1)
	y, _ := nt.Slice(q, q+1)
	return x == y
}

// sameTokens reports whether a and b hold the same words and marks, whatever
// the whitespace between them.
func sameTokens(a, b string) bool {
	ta, tb := diff.Tokens(a), diff.Tokens(b)
	i, j := 0, 0
	for {
		for i < len(ta) && diff.SpaceToken(ta[i]) {
			i++
		}
		for j < len(tb) && diff.SpaceToken(tb[j]) {
			j++
		}
		if i == len(ta) || j == len(tb) {
			return i == len(ta) && j == len(tb)
		}
		if ta[i] != tb[j] {
			return false
		}
		i, j = i+1, j+1
	}
}
