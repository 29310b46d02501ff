package diff

import (
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// checkRedline fails t unless ops rebuild both texts, hold no empty op and
// no two neighbours that could be one, never split a word of either text, and
// hold each move as checkMoves says.
func checkRedline(t testing.TB, old, new string, ops []Op) {
	t.Helper()
	if got := Old(ops); got != old {
		t.Fatalf("equal+delete = %q, want %q", got, old)
	}
	if got := New(ops); got != new {
		t.Fatalf("equal+insert = %q, want %q", got, new)
	}
	for k, op := range ops {
		if op.Text == "" {
			t.Fatalf("op %d is empty", k)
		}
		if k > 0 && ops[k-1].Op == op.Op && ops[k-1].Move == op.Move && ops[k-1].Edit == op.Edit {
			t.Fatalf("ops %d and %d could be one: %+v %+v", k-1, k, ops[k-1], op)
		}
		if op.Op == Equal && (op.Move != 0 || op.Edit) || op.Edit && op.Move == 0 {
			t.Fatalf("op %d marks what it cannot: %+v", k, op)
		}
	}
	checkMoves(t, ops)
	checkWhole(t, old, ops, Insert)
	checkWhole(t, new, ops, Delete)
}

// checkMoves fails t unless each move id marks one run of neighbouring
// deletes and one of neighbouring inserts whose texts without Edit are the
// same and hold a word; a move without Edit is one delete and one insert of
// the same text, and a move with Edit changes its text.
func checkMoves(t testing.TB, ops []Op) {
	t.Helper()
	type side struct {
		first, last int // op indices
		all, kept   strings.Builder
		edits, n    int
	}
	moves := map[int]*[2]side{}
	for k, op := range ops {
		if op.Move == 0 {
			continue
		}
		m := moves[op.Move]
		if m == nil {
			m = &[2]side{{first: -1}, {first: -1}}
			moves[op.Move] = m
		}
		s := &m[0]
		if op.Op == Insert {
			s = &m[1]
		}
		if s.first < 0 {
			s.first = k
		} else if s.last != k-1 {
			t.Fatalf("move %d's %s ops are not neighbours: %+v", op.Move, op.Op, ops[s.last:k+1])
		}
		s.last = k
		s.n++
		s.all.WriteString(op.Text)
		if op.Edit {
			s.edits++
		} else {
			s.kept.WriteString(op.Text)
		}
	}
	for id, m := range moves {
		d, i := &m[0], &m[1]
		switch {
		case d.n == 0 || i.n == 0:
			t.Fatalf("move %d lacks a side: %d deletes, %d inserts", id, d.n, i.n)
		case d.kept.String() != i.kept.String():
			t.Fatalf("move %d keeps %q where it left but %q where it arrived", id, d.kept.String(), i.kept.String())
		case Words(d.kept.String()) == 0:
			t.Fatalf("move %d keeps no word: %q -> %q", id, d.all.String(), i.all.String())
		case d.edits+i.edits == 0 && (d.n != 1 || i.n != 1):
			t.Fatalf("unchanged move %d is %d deletes and %d inserts, want one of each", id, d.n, i.n)
		case d.edits+i.edits > 0 && d.all.String() == i.all.String():
			t.Fatalf("move %d is marked edited but its text is the same: %q", id, d.all.String())
		}
	}
}

// checkWhole fails unless every op boundary on one side of the redline (the
// side without the skipped kind) falls between word tokens of text.
func checkWhole(t testing.TB, text string, ops []Op, skip Kind) {
	t.Helper()
	inside := map[int]bool{} // byte offsets strictly inside a word token
	p := 0
	for _, tok := range Tokens(text) {
		if isWord(tok) {
			for q := p + 1; q < p+len(tok); q++ {
				inside[q] = true
			}
		}
		p += len(tok)
	}
	p = 0
	for _, op := range ops {
		if op.Op == skip {
			continue
		}
		p += len(op.Text)
		if inside[p] {
			t.Fatalf("an op ends inside a word at byte %d of %q", p, text)
		}
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"The Party shall,  within 30 days.", []string{"The", " ", "Party", " ", "shall", ",", "  ", "within", " ", "30", " ", "days", "."}},
		{"co-operation", []string{"co", "-", "operation"}},
		{"税关当局", []string{"税", "关", "当", "局"}},
		{"日本の税関", []string{"日", "本", "の", "税", "関"}},
		{"ศุลกากร", []string{"ศุ", "ล", "ก", "า", "ก", "ร"}},
		{"café déjà", []string{"café", " ", "déjà"}},
		{"cafe\u0301 x", []string{"cafe\u0301", " ", "x"}},
		{"🇺🇸🇸🇬", []string{"🇺🇸", "🇸🇬"}},
		{"a👩‍⚖️b", []string{"a", "👩‍⚖️", "b"}},
		{"👍🏽!", []string{"👍🏽", "!"}},
		{"الجمارك والحدود", []string{"الجمارك", " ", "والحدود"}},
		{"מכס ישראל", []string{"מכס", " ", "ישראל"}},
		{"line\n\nnext", []string{"line", "\n\n", "next"}},
	}
	for _, tt := range tests {
		got := Tokens(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestRedlineGolden compares the redline of each testdata/redline/NAME.old and
// NAME.new with NAME.golden (wdiff style; -update rewrites it).
func TestRedlineGolden(t *testing.T) {
	olds, err := filepath.Glob(filepath.Join("testdata", "redline", "*.old"))
	if err != nil || len(olds) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, oldPath := range olds {
		name := strings.TrimSuffix(oldPath, ".old")
		t.Run(filepath.Base(name), func(t *testing.T) {
			old, new := mustRead(t, oldPath), mustRead(t, name+".new")
			ops := Redline(old, new)
			checkRedline(t, old, new, ops)
			got := Text(ops)
			if *update {
				if err := os.WriteFile(name+".golden", []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := mustRead(t, name+".golden"); got != want {
				t.Errorf("redline:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRedlineCases(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"both empty", "", "", ""},
		{"identical", "Article 1\nSame.", "Article 1\nSame.", "Article 1\nSame."},
		{"from empty", "", "New text.", "{+New text.+}"},
		{"to empty", "Old text.", "", "[-Old text.-]"},
		{"whole words", "The Party shall notify.", "The Party may notify.", "The Party [-shall-]{+may+} notify."},
		{"never a partial word", "recognise", "recognize", "[-recognise-]{+recognize+}"},
		{"adjacent words join", "to exchange information now", "to share data now", "to [-exchange information-]{+share data+} now"},
		{"insertion", "within days", "within 30 days", "within {+30 +}days"},
		{"crlf kept as given", "a\r\nb", "a\r\nc", "a\r\n[-b-]{+c+}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := Redline(tt.old, tt.new)
			checkRedline(t, tt.old, tt.new, ops)
			if got := Text(ops); got != tt.want {
				t.Errorf("Redline = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRedlineMoves(t *testing.T) {
	p1 := "1. Each Party shall recognise the validation findings of the other."
	p2 := "2. The customs administrations shall exchange membership information."
	p3 := "3. This Arrangement enters into force on signature."
	old := p1 + "\n\n" + p2 + "\n\n" + p3 + "\n"
	new := p2 + "\n\n" + p3 + "\n\n" + p1 + "\n"
	ops := Redline(old, new)
	checkRedline(t, old, new, ops)
	var del, ins *Op
	for k := range ops {
		if ops[k].Move != 0 && ops[k].Op == Delete {
			del = &ops[k]
		}
		if ops[k].Move != 0 && ops[k].Op == Insert {
			ins = &ops[k]
		}
	}
	if del == nil || ins == nil || del.Text != p1 || ins.Text != p1 || del.Move != ins.Move {
		t.Fatalf("moved paragraph not marked as one move: %s", Text(ops))
	}

	// Two consecutive paragraphs moved together form one move.
	p4 := "4. Each Party shall designate a contact point."
	p5 := "5. Either Party may terminate this Arrangement."
	old2 := strings.Join([]string{p1, p2, p3, p4, p5}, "\n\n")
	new2 := strings.Join([]string{p3, p4, p5, p1, p2}, "\n\n")
	ops = Redline(old2, new2)
	checkRedline(t, old2, new2, ops)
	ids := map[int]bool{}
	for _, op := range ops {
		if op.Move != 0 {
			ids[op.Move] = true
			if op.Text != p1+"\n\n"+p2 {
				t.Errorf("move text = %q, want both paragraphs", op.Text)
			}
		}
	}
	if len(ids) != 1 {
		t.Errorf("got %d moves, want 1: %s", len(ids), Text(ops))
	}

	// A short line is not a move, and an edited paragraph is not a move.
	old3 := "Yes.\n\n" + p1 + "\n\n" + p2 + "\n"
	new3 := p2 + "\n\nYes.\n\n" + strings.Replace(p1, "shall", "may", 1) + "\n"
	for _, op := range Redline(old3, new3) {
		if op.Move != 0 && op.Text != p2 {
			t.Errorf("unexpected move of %q", op.Text)
		}
	}
}

// TestRedlineRandomEdits is the round-trip property on random texts with
// random word edits, moves and multi-byte characters.
func TestRedlineRandomEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := []string{"the", "Party", "shall", "customs", "ÅEO", "税关", "é", "🇺🇸", "👩‍⚖️", "الجمارك", "e\u0301", "ศุลกากร", ",", ".", "(a)", "Article 7"}
	sep := []string{" ", " ", " ", "\n", "\n\n", "  "}
	for iter := 0; iter < 300; iter++ {
		var words []string
		for n := rng.IntN(200); n > 0; n-- {
			words = append(words, vocab[rng.IntN(len(vocab))], sep[rng.IntN(len(sep))])
		}
		old := strings.Join(words, "")
		edited := append([]string(nil), words...)
		for n := rng.IntN(12); n > 0 && len(edited) > 0; n-- {
			k := rng.IntN(len(edited))
			switch rng.IntN(4) {
			case 0:
				edited[k] = vocab[rng.IntN(len(vocab))]
			case 1:
				edited = append(edited[:k], edited[k+1:]...)
			case 2:
				edited = append(edited[:k], append([]string{vocab[rng.IntN(len(vocab))] + " "}, edited[k:]...)...)
			case 3: // move a stretch elsewhere
				j := rng.IntN(len(edited))
				lo, hi := min(k, j), max(k, j)
				chunk := append([]string(nil), edited[lo:hi]...)
				rest := append(append([]string(nil), edited[:lo]...), edited[hi:]...)
				at := rng.IntN(len(rest) + 1)
				edited = append(append(append([]string(nil), rest[:at]...), chunk...), rest[at:]...)
			}
		}
		new := strings.Join(edited, "")
		checkRedline(t, old, new, Redline(old, new))
	}
}

// TestRedlineReferenceNotCoarse checks the budget's quality bar: on the
// reference pair the redline marks at most 1.2 times the words the generator
// changed (each replaced word counts as one deleted and one inserted).
func TestRedlineReferenceNotCoarse(t *testing.T) {
	if testing.Short() {
		t.Skip("reference pair is 3 MB")
	}
	ops := Redline(reference.Old, reference.New)
	checkRedline(t, reference.Old, reference.New, ops)
	marked := 0
	for _, op := range ops {
		if op.Op != Equal {
			marked += Words(op.Text)
		}
	}
	ratio := float64(marked) / float64(reference.ChangedWords)
	t.Logf("marked %d words, generator changed %d: ratio %.3f", marked, reference.ChangedWords, ratio)
	if ratio > 1.2 || ratio < 1 {
		t.Errorf("redline marks %d words for %d changed (ratio %.3f), want 1 to 1.2", marked, reference.ChangedWords, ratio)
	}
}

// TestRedlineUnrelatedLarge makes sure unrelated large texts take the
// bounded path: the test would time out if alignment were quadratic.
func TestRedlineUnrelatedLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	gen := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString([]string{"a", "b", "c", "d", "e"}[rng.IntN(5)])
			if rng.IntN(7) == 0 {
				b.WriteString(".\n")
			} else {
				b.WriteString(" ")
			}
		}
		return b.String()
	}
	old, new := gen(200_000), gen(200_000)
	ops := Redline(old, new)
	checkRedline(t, old, new, ops)
	oneLine := strings.Repeat("x y ", 50_000)
	other := strings.Repeat("y x z ", 40_000)
	checkRedline(t, oneLine, other, Redline(oneLine, other))
}

func TestCodePointsNotBytes(t *testing.T) {
	old := "税关 shall 🇺🇸 act."
	new := "税关 may 🇺🇸 act."
	// "act" starts at code point 13 in old ("税关 shall 🇺🇸 " is 2+1+5+1+2+1+1... counted below).
	start := utf8.RuneCountInString("税关 shall 🇺🇸 ")
	got := Carry(old, new, []Range{{start, start + 3}})
	want := utf8.RuneCountInString("税关 may 🇺🇸 ")
	if got[0] != (Anchor{want, want + 3, Moved}) {
		t.Errorf("carry = %+v, want {%d %d moved}", got[0], want, want+3)
	}
}

// TestWriteJSONMatchesEncodingJSON: the streamed ops are the bytes
// encoding/json writes for the same value, for awkward text too.
func TestWriteJSONMatchesEncodingJSON(t *testing.T) {
	ops := []Op{
		{Op: Equal, Text: "plain \"quoted\" back\\slash <tag> & amp\n\r\t\b\f\x01\x1f"},
		{Op: Delete, Text: "line\u2028para\u2029 税关 🇺🇸", Move: 3},
		{Op: Insert, Text: "é\u0301", Move: 3},
		{Op: Insert, Text: "edited", Move: 3, Edit: true},
		{Op: Delete, Text: "kept", Move: 4},
		{Op: Insert, Text: "bad \xff byte"},
		// Longer than the pieces a text is escaped in, multi-byte and bad bytes across their ends.
		{Op: Equal, Text: strings.Repeat("税关 \xff é\u2028<&>\"\n", 9000) + "\xe2\x80"},
	}
	var got strings.Builder
	if err := WriteJSON(&got, ops); err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("WriteJSON = %s\nwant        %s", got.String(), want)
	}
	big := Redline(reference.Old[:200_000], reference.New[:200_000])
	got.Reset()
	if err := WriteJSON(&got, big); err != nil {
		t.Fatal(err)
	}
	if want, _ := json.Marshal(big); got.String() != string(want) {
		t.Errorf("WriteJSON differs from encoding/json on a long redline")
	}
}

// TestRedlineDenseEdits: the stretches of hunks refined on different cores
// put their ops in rooms of one buffer, sized for one op per sixty-four
// bytes, and are joined where they lie unless one outgrew its room. Here the
// first half of a long text has every other word of every other line
// replaced (far more ops than that), the second half a word in a line now
// and then, and one variant is dense throughout: every redline is whole, its
// neighbours never alike, with an op for each replaced word on each side.
func TestRedlineDenseEdits(t *testing.T) {
	const lines, perLine = 8000, 10
	text := func(change func(line, word int) bool) string {
		var b strings.Builder
		for l := 0; l < lines; l++ {
			for w := 0; w < perLine; w++ {
				if w > 0 {
					b.WriteByte(' ')
				}
				if change(l, w) {
					b.WriteString("x")
				}
				b.WriteString("w" + strconv.Itoa((l*perLine+w)%977))
			}
			b.WriteByte('\n')
		}
		return b.String()
	}
	old := text(func(int, int) bool { return false })
	for _, c := range []struct {
		name    string
		change  func(line, word int) bool
		changed int
	}{
		{"half dense", func(l, w int) bool { return l < lines/2 && l%2 == 0 && w%2 == 1 || l >= lines/2 && l%10 == 3 && w == 4 }, lines/4*perLine/2 + lines/20},
		{"dense", func(l, w int) bool { return l%2 == 0 && w%2 == 1 }, lines / 2 * perLine / 2},
	} {
		new := text(c.change)
		ops := Redline(old, new)
		checkRedline(t, old, new, ops)
		deletes := 0
		for _, op := range ops {
			if op.Op == Delete {
				deletes++
			}
		}
		if deletes != c.changed {
			t.Errorf("%s: %d deletes, want one for each of the %d replaced words", c.name, deletes, c.changed)
		}
	}
}

// TestRedlineConcurrent: redlines computed at once on many goroutines, which
// share the pooled aligners one after another, read exactly as each does
// alone: nothing an aligner kept from one text shows in another's.
func TestRedlineConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	words := strings.Fields("the Party shall recognise findings of customs administrations within days 税关 é")
	text := func(n int) string {
		var b strings.Builder
		for k := 0; k < n; k++ {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteString([]string{" ", " ", ". ", "\n\n"}[rng.IntN(4)])
		}
		return b.String()
	}
	type pair struct {
		old, new string
		want     []Op
	}
	pairs := make([]pair, 12)
	for k := range pairs {
		p := &pairs[k]
		p.old, p.new = text(200+k*300), text(200+k*300)
		p.want = Redline(p.old, p.new)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for r := 0; r < 3; r++ {
				for k := range pairs {
					p := pairs[(k+g)%len(pairs)]
					if got := Redline(p.old, p.new); !slices.Equal(got, p.want) {
						t.Errorf("pair %d on goroutine %d: the redline differs from the one computed alone", (k+g)%len(pairs), g)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestRedlineSameOnAnyCores: the redline does not depend on how many cores
// share it out (stretches of hunks, of moves and of lines, taken as they
// come): the heavy rewrite reads the same on one core as on two, three or
// eight.
func TestRedlineSameOnAnyCores(t *testing.T) {
	if testing.Short() {
		t.Skip("the heavy rewrite is 3 MB")
	}
	h := heavyRewrite()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	want := Redline(h.Old, h.New)
	for _, procs := range []int{2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		if got := Redline(h.Old, h.New); !slices.Equal(got, want) {
			t.Errorf("on %d cores the redline differs from the one on one core", procs)
		}
	}
}
