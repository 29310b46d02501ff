package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// moveTexts returns, for each move id of ops, its old and new text and its
// edits, wdiff style: "old -> new".
func moveTexts(ops []Op) map[int]string {
	var dels, inss = map[int]*strings.Builder{}, map[int]*strings.Builder{}
	for _, op := range ops {
		if op.Move == 0 {
			continue
		}
		side := dels
		open, close := "[-", "-]"
		if op.Op == Insert {
			side, open, close = inss, "{+", "+}"
		}
		if side[op.Move] == nil {
			side[op.Move] = &strings.Builder{}
		}
		if op.Edit {
			side[op.Move].WriteString(open + op.Text + close)
		} else {
			side[op.Move].WriteString(op.Text)
		}
	}
	out := map[int]string{}
	for id, d := range dels {
		out[id] = d.String() + " -> " + inss[id].String()
	}
	return out
}

func TestRedlineEditedMoves(t *testing.T) {
	p1 := "1. Each Party shall recognise the validation findings of the other Party."
	p2 := "2. The customs administrations shall exchange membership information."
	p3 := "3. This Arrangement enters into force on the date of the last signature."
	p4 := "4. Each Party shall designate a contact point for this Arrangement."
	join := func(ps ...string) string { return strings.Join(ps, "\n\n") + "\n" }
	tests := []struct {
		name     string
		old, new string
		want     []string // each move, as moveTexts writes it
	}{
		{"moved and edited", join(p1, p2, p3), join(p2, p3, strings.Replace(p1, "shall", "may", 1)),
			[]string{"1. Each Party [-shall-] recognise the validation findings of the other Party. -> 1. Each Party {+may+} recognise the validation findings of the other Party."}},
		{"moved unchanged", join(p1, p2, p3), join(p2, p3, p1),
			[]string{p1 + " -> " + p1}},
		{"first and last words", join(p1, p2, p3), join(p2, p3, "One. Each Party shall recognise the validation findings of the other Administration"),
			[]string{"[-1-]. Each Party shall recognise the validation findings of the other [-Party.-] -> {+One+}. Each Party shall recognise the validation findings of the other {+Administration+}"}},
		{"two paragraphs, one edited, move as one", join(p1, p2, p3, p4), join(p3, p4, p1, strings.Replace(p2, "membership", "AEO membership", 1)),
			[]string{p1 + "\n\n" + "2. The customs administrations shall exchange membership information. -> " + p1 + "\n\n" + "2. The customs administrations shall exchange {+AEO +}membership information."}},
		{"too different to be the same paragraph", join(p1, p2, p3), join(p2, p3, "1. Either Party may terminate the arrangement by written notice to the other Party."),
			nil},
		{"edited in place, not moved", join(p1, p2, p3), join(strings.Replace(p1, "shall", "may", 1), p2, p3), nil},
		{"a short line never moves", "x y z w\n\n" + join(p1, p2), join(p1, p2) + "\nx y z v\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := Redline(tt.old, tt.new)
			checkRedline(t, tt.old, tt.new, ops)
			got := moveTexts(ops)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d moves, want %d: %s", len(got), len(tt.want), Text(ops))
			}
			for k, w := range tt.want {
				if got[k+1] != w {
					t.Errorf("move %d = %q\nwant      %q", k+1, got[k+1], w)
				}
			}
		})
	}
}

// TestRedlineEditedMoveInPlaceWins: a deleted paragraph similar to an
// inserted one of its own hunk is an edit there, even when a similar
// paragraph is also inserted elsewhere, whether or not the two stand at the
// same place in the hunk.
func TestRedlineEditedMoveInPlaceWins(t *testing.T) {
	a := "Each Party shall recognise the validation findings of the other Party without delay."
	edited := strings.Replace(a, "shall", "may", 1)
	other := strings.Replace(a, "without delay", "promptly", 1)
	stay := "Article 2 stays where it is, unchanged, between the two."
	tests := []struct{ name, old, new string }{
		{"at the same place", a + "\n" + stay + "\nEnd of the first part.\n", edited + "\n" + stay + "\n" + other + "\n"},
		{"elsewhere in its hunk", a + "\nA line that goes away entirely now.\n" + stay + "\nEnd of the first part.\n",
			"A wholly new line takes the first place.\n" + edited + "\n" + stay + "\n" + other + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := Redline(tt.old, tt.new)
			checkRedline(t, tt.old, tt.new, ops)
			if m := moveTexts(ops); len(m) != 0 {
				t.Errorf("got moves %v, want none: %s", m, Text(ops))
			}
		})
	}
}

// TestRedlineEditedMoveBestMatch: a deleted paragraph pairs with the most
// similar of the inserted ones, and an inserted one is taken once.
func TestRedlineEditedMoveBestMatch(t *testing.T) {
	p := "Each Party shall recognise the validation findings of the other Party and act on them."
	close := strings.Replace(p, "act on", "rely on", 1)
	far := strings.Replace(strings.Replace(p, "act on them", "inform its operators", 1), "Each", "Either", 1)
	mid := "Article 5 separates the two places and stays."
	old := p + "\n" + mid + "\n" + "Another article, also unchanged.\n"
	new := mid + "\n" + far + "\n" + "Another article, also unchanged.\n" + close + "\n"
	ops := Redline(old, new)
	checkRedline(t, old, new, ops)
	m := moveTexts(ops)
	if len(m) != 1 || !strings.Contains(m[1], "{+rely+}") {
		t.Fatalf("want one move to the closer paragraph, got %v: %s", m, Text(ops))
	}

	// Two deleted paragraphs similar to one inserted: one move.
	twin := strings.Replace(p, "the other", "each other", 1)
	old2 := p + "\n" + mid + "\n" + twin + "\n" + "Another article, also unchanged.\n"
	new2 := mid + "\n" + "Another article, also unchanged.\n" + close + "\n"
	ops = Redline(old2, new2)
	checkRedline(t, old2, new2, ops)
	if m := moveTexts(ops); len(m) != 1 {
		t.Fatalf("want one move, got %v: %s", m, Text(ops))
	}
}

// TestRedlineRandomParagraphMoves is the round-trip property on texts whose
// paragraphs move, some edited on the way; it also checks that edited moves
// are found at all.
func TestRedlineRandomParagraphMoves(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var vocab []string
	for k := 0; k < 400; k++ {
		vocab = append(vocab, fmt.Sprintf("w%d", k))
	}
	vocab = append(vocab, "税", "关", "é", "🇺🇸", ",", ".", "(a)")
	para := func() string {
		var ws []string
		for n := 3 + rng.IntN(25); n > 0; n-- {
			ws = append(ws, vocab[rng.IntN(len(vocab))])
		}
		return strings.Join(ws, " ")
	}
	edit := func(p string) string {
		ws := strings.Split(p, " ")
		for n := rng.IntN(3); n >= 0; n-- {
			k := rng.IntN(len(ws))
			switch rng.IntN(3) {
			case 0:
				ws[k] = vocab[rng.IntN(len(vocab))]
			case 1:
				ws = append(ws[:k], ws[k+1:]...)
			default:
				ws = append(ws[:k], append([]string{vocab[rng.IntN(len(vocab))]}, ws[k:]...)...)
			}
		}
		return strings.Join(ws, " ")
	}
	edited := 0
	for iter := 0; iter < 300; iter++ {
		var ps []string
		for n := 1 + rng.IntN(12); n > 0; n-- {
			ps = append(ps, para())
		}
		nps := append([]string(nil), ps...)
		for n := rng.IntN(4); n > 0; n-- {
			from, to := rng.IntN(len(nps)), rng.IntN(len(nps))
			p := nps[from]
			if rng.IntN(2) == 0 {
				p = edit(p)
			}
			nps = append(nps[:from], nps[from+1:]...)
			nps = append(nps[:to], append([]string{p}, nps[to:]...)...)
		}
		if rng.IntN(3) == 0 {
			k := rng.IntN(len(nps))
			nps[k] = edit(nps[k])
		}
		sep := []string{"\n", "\n\n", "\n \n"}[rng.IntN(3)]
		old, new := strings.Join(ps, sep), strings.Join(nps, sep)
		ops := Redline(old, new)
		checkRedline(t, old, new, ops)
		for _, op := range ops {
			if op.Edit {
				edited++
				break
			}
		}
		checkIndex(t, old, new, ops)
	}
	if edited < 30 {
		t.Errorf("only %d of 300 redlines hold an edited move", edited)
	}
}

// TestRedlineMoveWithinOneChange: in a stretch of paragraphs all changed
// (renumbered), the one that left the order of the others is the move; the
// others are edits where they stand; and a wrapped line of a reflowed
// paragraph that resembles another line is no move.
func TestRedlineMoveWithinOneChange(t *testing.T) {
	a := "Either Party may terminate this Arrangement by giving ninety days' written notice to the other."
	b := "This Arrangement may be amended by mutual written consent of the Customs Administrations."
	c := "Any dispute arising from this Arrangement shall be settled by consultation between the Parties."
	old := "1. " + a + "\n\n2. " + b + "\n\n3. " + c + "\n"
	new := "1. " + b + "\n\n2. " + c + "\n\n3. " + strings.Replace(a, "ninety", "one hundred and eighty", 1) + "\n"
	ops := Redline(old, new)
	checkRedline(t, old, new, ops)
	moves := moveTexts(ops)
	if len(moves) != 1 {
		t.Fatalf("got %d moves, want the one paragraph that left the order: %s", len(moves), Text(ops))
	}
	for _, m := range moves {
		if !strings.Contains(m, "terminate") || !strings.Contains(m, "[-ninety-]") || !strings.Contains(m, "{+one hundred and eighty+}") {
			t.Errorf("move = %q, want the termination paragraph with its edit marked", m)
		}
	}

	// The same stretch renumbered but in order: no move at all.
	inOrder := "2. " + a + "\n\n3. " + b + "\n\n4. " + c + "\n"
	if ops := Redline(old, inOrder); len(moveTexts(ops)) != 0 {
		t.Errorf("renumbered in order, yet moves: %s", Text(ops))
	}

	// Wrapped lines of one paragraph, all changed and reflowed: lines
	// resemble lines out of order, but none is a paragraph of its own.
	wrapped := "The Parties shall exchange information on the operators\ncertified under their programs without delay and\nshall notify the suspension of any operator to the other Party.\n"
	reflowed := "shall notify the suspension of any operator to the other Party;\nthe Parties shall exchange information on the operators\ncertified under their programs promptly.\n"
	if ops := Redline(wrapped, reflowed); len(moveTexts(ops)) != 0 {
		t.Errorf("wrapped lines taken for moves: %s", Text(ops))
	}
}
