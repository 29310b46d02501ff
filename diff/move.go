package diff

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A paragraph moves when a line deleted in one place is inserted, unchanged
// or similar (see similarPairs), in another. Lines shorter than minMoveRunes
// (or without a letter or digit) are too common to be told apart and are
// never matched as moves.
const minMoveRunes = 8

// span is moved text at byte offsets [start, end) of the whole old or new
// text, with its move id. The pieces of an edited move (nil when it moved
// unchanged) are its ops on this side, without the id: their texts
// concatenate to the span's, and those without Edit read the same on both
// sides.
type span struct {
	start, end, move int
	pieces           []Op
}

// hunkMoves lists the moved spans of one hunk, on each side, in text order.
type hunkMoves struct{ old, new []span }

// findMoves pairs lines deleted in one hunk with identical lines inserted in
// any hunk, then with similar lines inserted in another hunk, and joins
// consecutive pairs separated only by identical blank lines into one move. It
// returns the moves of each hunk.
func findMoves(al *aligner, old, new string, la, lb []string, offA, offB []int, hunks []hunk) []hunkMoves {
	pairs, dels, inss := exactPairs(la, lb, hunks)
	pairs = append(pairs, similarPairs(la, lb, hunks, dels, inss)...)
	sort.Slice(pairs, func(x, y int) bool { return pairs[x].a.idx < pairs[y].a.idx })

	type move struct {
		spans [2]span // old, new
		hunks [2]int
	}
	var moves []move
	var curEnd pair // the last pair of the move being grown, moves[len(moves)-1]
	for _, p := range pairs {
		as, ae := contentSpan(la[p.a.idx], offA[p.a.idx])
		bs, be := contentSpan(lb[p.b.idx], offB[p.b.idx])
		if n := len(moves); n > 0 {
			cur := &moves[n-1]
			if p.a.hunk == cur.hunks[0] && p.b.hunk == cur.hunks[1] &&
				p.a.idx > curEnd.a.idx && p.b.idx > curEnd.b.idx &&
				blankBetween(la, curEnd.a.idx, p.a.idx) && blankBetween(lb, curEnd.b.idx, p.b.idx) &&
				old[cur.spans[0].end:as] == new[cur.spans[1].end:bs] {
				cur.spans[0].end, cur.spans[1].end = ae, be
				curEnd = p
				continue
			}
		}
		id := len(moves) + 1
		moves = append(moves, move{[2]span{{start: as, end: ae, move: id}, {start: bs, end: be, move: id}}, [2]int{p.a.hunk, p.b.hunk}})
		curEnd = p
	}
	// The edits of each move are its own: refined on every core, in
	// stretches of moves, each with an aligner of its own.
	ends := stretches(len(moves), func(k int) int {
		sp := moves[k].spans
		return sp[0].end - sp[0].start + sp[1].end - sp[1].start
	})
	inStretches(ends, func(w, from, to int) {
		al := al
		if w < len(ends)-1 {
			al = newAligner()
			defer al.release()
		}
		for k := from; k < to; k++ {
			sp := &moves[k].spans
			if a, c := old[sp[0].start:sp[0].end], new[sp[1].start:sp[1].end]; a != c {
				sp[0].pieces, sp[1].pieces = editPieces(al, a, c)
			}
		}
	})
	out := make([]hunkMoves, len(hunks))
	for _, m := range moves {
		out[m.hunks[0]].old = append(out[m.hunks[0]].old, m.spans[0])
		out[m.hunks[1]].new = append(out[m.hunks[1]].new, m.spans[1])
	}
	for h := range out {
		sort.Slice(out[h].new, func(x, y int) bool { return out[h].new[x].start < out[h].new[y].start })
	}
	return out
}

// exactPairs pairs lines deleted in one hunk with identical lines inserted in
// any hunk but at the same place in the same hunk. It returns the pairs and
// the lines long enough to move left unpaired on each side.
func exactPairs(la, lb []string, hunks []hunk) (pairs []pair, dels, inss []line) {
	// The deleted lines that may move (cands), in order, chained by their
	// key: first and last of each key (by its id), next of each line.
	var keys interner
	n := 0
	for _, hk := range hunks {
		n += hk.a1 - hk.a0
	}
	keys.size(n)
	cands := make([]line, 0, n)
	next := make([]int32, 0, n)
	var first, last []int32
	for h, hk := range hunks {
		for k := hk.a0; k < hk.a1; k++ {
			key := moveKey(la[k])
			if key == "" {
				continue
			}
			id := keys.id(key)
			if int(id) == len(first) {
				first, last = append(first, -1), append(last, -1)
			}
			c := int32(len(cands))
			cands, next = append(cands, line{h, k}), append(next, -1)
			if last[id] < 0 {
				first[id] = c
			} else {
				next[last[id]] = c
			}
			last[id] = c
		}
	}
	paired := make([]bool, len(cands))
	for h, hk := range hunks {
		for k := hk.b0; k < hk.b1; k++ {
			key := moveKey(lb[k])
			if key == "" {
				continue
			}
			found := false
			if id, ok := keys.find(key); ok {
				for c, prev := first[id], int32(-1); c >= 0; c, prev = next[c], c {
					d := cands[c]
					if d.hunk == h && (d.idx-hk.a0 == k-hk.b0 || hk.a1-d.idx == hk.b1-k) {
						continue // the same line in the same place: an edit, not a move
					}
					pairs = append(pairs, pair{d, line{h, k}})
					paired[c] = true
					if prev < 0 { // out of its key's chain
						first[id] = next[c]
					} else {
						next[prev] = next[c]
					}
					found = true
					break
				}
			}
			if !found {
				inss = append(inss, line{h, k})
			}
		}
	}
	for c, d := range cands {
		if !paired[c] {
			dels = append(dels, d)
		}
	}
	return pairs, dels, inss
}

// editPieces returns the pieces of a paragraph moved from a to c and edited
// on the way (see span): the word-level redline of a against c, its equal
// text on both sides, its deletions as edits of a, its insertions of c.
func editPieces(al *aligner, a, c string) (old, new []Op) {
	sub := builder{al: al, texts: [2]string{a, c}, ops: make([]Op, 0, opsFor(len(a)+len(c)))}
	sub.refine(a, c, sentenceLevel)
	for _, op := range sub.finish() {
		switch op.Op {
		case Equal:
			old = append(old, Op{Op: Delete, Text: op.Text})
			new = append(new, Op{Op: Insert, Text: op.Text})
		case Delete:
			old = append(old, Op{Op: Delete, Text: op.Text, Edit: true})
		case Insert:
			new = append(new, Op{Op: Insert, Text: op.Text, Edit: true})
		}
	}
	return old, new
}

// moveKey is the text by which a line is matched as moved, or "" when the
// line cannot move: its content without surrounding whitespace.
func moveKey(l string) string {
	k := strings.TrimSpace(l)
	if len(k) < 4*minMoveRunes && utf8.RuneCountInString(k) < minMoveRunes || strings.IndexFunc(k, isLetterOrDigit) < 0 {
		return ""
	}
	return k
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// contentSpan returns the byte span of line l's content without surrounding
// whitespace, l starting at byte off.
func contentSpan(l string, off int) (int, int) {
	lead := len(l) - len(strings.TrimLeftFunc(l, unicode.IsSpace))
	return off + lead, off + lead + len(strings.TrimSpace(l))
}

// blankBetween reports whether every line strictly between i and j is blank.
func blankBetween(ls []string, i, j int) bool {
	for k := i + 1; k < j; k++ {
		if strings.TrimSpace(ls[k]) != "" {
			return false
		}
	}
	return true
}

// hunk appends the redline of one changed stretch: a (starting at byte offA
// of the old text) against c (at offC of the new), with its moved spans
// emitted as move ops where they stand and the rest refined word by word.
func (b *builder) hunk(a, c string, offA, offC int, mv hunkMoves) {
	if len(mv.old) == 0 && len(mv.new) == 0 {
		b.refine(a, c, sentenceLevel)
		return
	}
	restA, cutsA := cutOut(a, offA, mv.old, Delete)
	restC, cutsC := cutOut(c, offC, mv.new, Insert)
	sub := builder{al: b.aligner(), texts: [2]string{restA, restC}, ops: make([]Op, 0, opsFor(len(restA)+len(restC)))}
	sub.refine(restA, restC, sentenceLevel)
	splice(b, sub.finish(), cutsA, cutsC)
}

// cut is moved text taken out of a hunk: its ops go back at byte at of the rest.
type cut struct {
	at  int
	ops []Op
}

// cutOut removes the spans (absolute offsets, s starting at off) from s and
// returns the rest with where each span stood in it, as ops of kind k.
func cutOut(s string, off int, spans []span, k Kind) (string, []cut) {
	var rest strings.Builder
	cuts := make([]cut, 0, len(spans))
	p := 0
	for _, sp := range spans {
		st, en := sp.start-off, sp.end-off
		rest.WriteString(s[p:st])
		ops := []Op{{Op: k, Text: s[st:en]}}
		if sp.pieces != nil {
			ops = slices.Clone(sp.pieces)
		}
		for x := range ops {
			ops[x].Move = sp.move
		}
		cuts = append(cuts, cut{rest.Len(), ops})
		p = en
	}
	rest.WriteString(s[p:])
	return rest.String(), cuts
}

// splice appends ops to b with the cut-out moves put back: old-side cuts as
// moved deletes at their place in the old text, new-side cuts as moved
// inserts at their place in the new text.
func splice(b *builder, ops []Op, cutsA, cutsC []cut) {
	pa, pc := 0, 0 // bytes of the rest consumed on each side
	emit := func() {
		for len(cutsA) > 0 && cutsA[0].at == pa {
			for _, op := range cutsA[0].ops {
				b.put(op)
			}
			cutsA = cutsA[1:]
		}
		for len(cutsC) > 0 && cutsC[0].at == pc {
			for _, op := range cutsC[0].ops {
				b.put(op)
			}
			cutsC = cutsC[1:]
		}
	}
	for _, op := range ops {
		text := op.Text
		for text != "" {
			emit()
			n := len(text) // how much of text to emit before the next cut
			if op.Op != Insert && len(cutsA) > 0 && cutsA[0].at-pa < n {
				n = cutsA[0].at - pa
			}
			if op.Op != Delete && len(cutsC) > 0 && cutsC[0].at-pc < n {
				n = cutsC[0].at - pc
			}
			b.add(op.Op, text[:n], 0)
			text = text[n:]
			if op.Op != Insert {
				pa += n
			}
			if op.Op != Delete {
				pc += n
			}
		}
	}
	emit()
}
