package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"mra/diff"
	"mra/diff/difftest"
)

var testDate = time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)

// MustWrite writes d and fails the test on error.
func mustWrite(t testing.TB, d Document) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

// unzip returns the package's parts by name and their names in zip order.
func unzip(t testing.TB, b []byte) (map[string][]byte, []string) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	parts := map[string][]byte{}
	var names []string
	for _, f := range z.File {
		if f.Method != zip.Deflate {
			t.Errorf("%s: method %d, want Deflate", f.Name, f.Method)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		parts[f.Name] = data
		names = append(names, f.Name)
	}
	return parts, names
}

// wellFormed decodes all of data strictly.
func wellFormed(t testing.TB, name string, data []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", name, err)
		}
	}
}

// piece is a part of the text as document.xml holds it: a paragraph mark is
// the piece "\n" with the mark's kind.
type piece struct {
	kind Kind
	text string
}

// walked is what walk read in document.xml.
type walked struct {
	pieces []piece
	// comment ranges, in code points of the whole text (every piece)
	starts, ends map[int]int
	refs         map[int]bool
}

func (w walked) text(keep ...Kind) string {
	var b strings.Builder
	for _, p := range w.pieces {
		if slices.Contains(keep, p.kind) {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// accepted is the text with every tracked change accepted: deleted and
// moved-away text dropped, deleted paragraph marks joining their paragraph
// to the next.
func (w walked) accepted() string { return w.text(Same, Insert, MoveTo) }

// rejected is the text with every tracked change rejected.
func (w walked) rejected() string { return w.text(Same, Delete, MoveFrom) }

// all is every piece: the concatenated segment texts.
func (w walked) all() string { return w.text(Same, Insert, Delete, MoveFrom, MoveTo) }

var kindOf = map[string]Kind{"ins": Insert, "del": Delete, "moveFrom": MoveFrom, "moveTo": MoveTo}

// walk reads document.xml the way an office suite resolves tracked changes,
// and checks the structure on the way: text of w:del in w:delText, all other
// text in w:t, containers not nested, paragraphs not nested.
func walk(t testing.TB, doc []byte) walked {
	t.Helper()
	w := walked{starts: map[int]int{}, ends: map[int]int{}, refs: map[int]bool{}}
	d := xml.NewDecoder(bytes.NewReader(doc))
	var (
		inP, inPPr, inT bool
		cont, mark      = Same, Same
		pos, paras      int
		para            []piece
		textTag         string
		prevMark        piece // the mark of the paragraph before, written once another follows
	)
	add := func(s string) {
		if n := len(para); n > 0 && para[n-1].kind == cont {
			para[n-1].text += s
		} else {
			para = append(para, piece{cont, s})
		}
		pos += utf8.RuneCountInString(s)
	}
	attr := func(e xml.StartElement, name string) string {
		for _, a := range e.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("bad w:id %q", s)
		}
		return n
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("document.xml: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Space != nsW {
				t.Fatalf("element %v outside the w namespace", e.Name)
			}
			switch n := e.Name.Local; n {
			case "p":
				if inP {
					t.Fatal("nested w:p")
				}
				inP, mark, para = true, Same, nil
			case "pPr":
				inPPr = true
			case "ins", "del", "moveFrom", "moveTo":
				if inPPr {
					mark = kindOf[n]
				} else {
					if cont != Same {
						t.Fatalf("w:%s inside another change", n)
					}
					cont = kindOf[n]
				}
			case "t", "delText":
				if want := map[bool]string{true: "delText", false: "t"}[cont == Delete]; n != want {
					t.Fatalf("w:%s in a %v container", n, cont)
				}
				if attr(e, "space") != "preserve" {
					t.Fatalf("w:%s without xml:space=preserve", n)
				}
				inT, textTag = true, n
			case "tab":
				add("\t")
			case "sym":
				r, err := strconv.ParseUint(attr(e, "char"), 16, 32)
				if err != nil {
					t.Fatalf("w:sym char %q", attr(e, "char"))
				}
				add(string(rune(r)))
			case "commentRangeStart":
				w.starts[atoi(attr(e, "id"))] = pos
			case "commentRangeEnd":
				w.ends[atoi(attr(e, "id"))] = pos
			case "commentReference":
				w.refs[atoi(attr(e, "id"))] = true
			}
		case xml.EndElement:
			switch n := e.Name.Local; n {
			case "p":
				if paras > 0 {
					w.pieces = append(w.pieces, prevMark)
				}
				w.pieces = append(w.pieces, para...)
				prevMark = piece{mark, "\n"}
				pos++ // the mark, in the text if another paragraph follows
				paras++
				inP = false
			case "pPr":
				inPPr = false
			case "ins", "del", "moveFrom", "moveTo":
				if !inPPr {
					cont = Same
				}
			case "t", "delText":
				if n != textTag {
					t.Fatal("mismatched text element")
				}
				inT = false
			}
		case xml.CharData:
			if inT {
				add(string(e))
			}
		}
	}
	if paras == 0 {
		t.Fatal("no paragraph")
	}
	if prevMark.kind != Same {
		t.Fatalf("the last paragraph mark is tracked (%v): nothing can follow it", prevMark.kind)
	}
	return w
}

// segmentsOf maps a redline to segments: equal to Same, insert to Insert
// (MoveTo when moved), delete to Delete (MoveFrom when moved).
func segmentsOf(ops []diff.Op) []Segment {
	segs := make([]Segment, len(ops))
	for i, op := range ops {
		s := Segment{Text: op.Text, Move: op.Move}
		switch {
		case op.Op == diff.Insert && op.Move != 0:
			s.Kind = MoveTo
		case op.Op == diff.Insert:
			s.Kind = Insert
		case op.Op == diff.Delete && op.Move != 0:
			s.Kind = MoveFrom
		case op.Op == diff.Delete:
			s.Kind = Delete
		}
		segs[i] = s
	}
	return segs
}

// texts returns what accepting and rejecting every change of segs gives.
func texts(segs []Segment) (accepted, rejected, all string) {
	var a, r, l strings.Builder
	for _, s := range segs {
		l.WriteString(s.Text)
		switch s.Kind {
		case Same:
			a.WriteString(s.Text)
			r.WriteString(s.Text)
		case Insert, MoveTo:
			a.WriteString(s.Text)
		case Delete, MoveFrom:
			r.WriteString(s.Text)
		}
	}
	return a.String(), r.String(), l.String()
}

// checkResolves writes segs and checks, by reading document.xml, that
// accepting every change gives the new text, rejecting every one the old,
// and that the document holds every segment's text.
func checkResolves(t *testing.T, segs []Segment) walked {
	t.Helper()
	parts, _ := unzip(t, mustWrite(t, Document{Author: "Singapore Customs", Date: testDate, Segments: segs}))
	w := walk(t, parts["word/document.xml"])
	acc, rej, all := texts(segs)
	if got := w.accepted(); got != acc {
		t.Errorf("accepted:\n got %q\nwant %q\n(segments %+v)", got, acc, segs)
	}
	if got := w.rejected(); got != rej {
		t.Errorf("rejected:\n got %q\nwant %q\n(segments %+v)", got, rej, segs)
	}
	if got := w.all(); got != all {
		t.Errorf("all text:\n got %q\nwant %q", got, all)
	}
	return w
}

func TestWriteAcceptReject(t *testing.T) {
	for _, tc := range []struct {
		name string
		segs []Segment
	}{
		{"empty", nil},
		{"one line", []Segment{{Same, "Article 1", 0}}},
		{"empty lines", []Segment{{Same, "\n\na\n\n", 0}}},
		{"inserted word", []Segment{{Same, "The ", 0}, {Insert, "customs ", 0}, {Same, "party", 0}}},
		{"deleted word", []Segment{{Same, "The ", 0}, {Delete, "customs ", 0}, {Same, "party", 0}}},
		{"replaced", []Segment{{Same, "a ", 0}, {Delete, "old", 0}, {Insert, "new", 0}, {Same, " b", 0}}},
		{"inserted paragraph", []Segment{{Same, "a\n", 0}, {Insert, "b\n", 0}, {Same, "c", 0}}},
		{"deleted paragraph", []Segment{{Same, "a\n", 0}, {Delete, "b\n", 0}, {Same, "c", 0}}},
		{"deleted last paragraph", []Segment{{Same, "a", 0}, {Delete, "\nb", 0}}},
		{"inserted last paragraph", []Segment{{Same, "a", 0}, {Insert, "\nb", 0}}},
		{"inserted final LF", []Segment{{Same, "a", 0}, {Insert, "\n", 0}}},
		{"deleted final LF", []Segment{{Same, "a", 0}, {Delete, "\n", 0}}},
		{"all inserted", []Segment{{Insert, "a\nb\n", 0}}},
		{"all deleted", []Segment{{Delete, "a\nb\n", 0}}},
		{"split paragraph", []Segment{{Same, "ab", 0}, {Insert, "\n", 0}, {Same, "cd", 0}}},
		{"joined paragraphs", []Segment{{Same, "ab", 0}, {Delete, "\n", 0}, {Same, "cd", 0}}},
		{"moved paragraph", []Segment{{MoveFrom, "moved\n", 1}, {Same, "a\nb\n", 0}, {MoveTo, "moved\n", 1}, {Same, "end", 0}}},
		{"edited move", []Segment{{Same, "x\n", 0}, {MoveFrom, "one two\n", 1}, {Same, "y\n", 0}, {MoveTo, "one ", 1}, {MoveTo, "three ", 1}, {MoveTo, "two\n", 1}}},
		{"adjacent moves", []Segment{{MoveFrom, "a\n", 1}, {MoveFrom, "b\n", 2}, {Same, "c\n", 0}, {MoveTo, "b\n", 2}, {MoveTo, "a\n", 1}}},
		{"unpaired move", []Segment{{MoveFrom, "gone\n", 3}, {Same, "x", 0}, {MoveTo, "\ncome", 0}}},
		{"tabs and specials", []Segment{{Same, "a\tb <&>\"'", 0}, {Delete, "\t\x01\x0b\x0c\x1f\uffff", 0}, {Insert, "\uFFFE\x00", 0}}},
		{"scripts", []Segment{{Same, "中文 العربية עברית 😀", 0}, {Insert, " مرحبا", 0}, {Delete, " שלום", 0}}},
		{"empty segments", []Segment{{Insert, "", 0}, {Same, "a", 0}, {Delete, "", 0}, {MoveTo, "", 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkResolves(t, tc.segs) })
	}
}

// randomSegments is a random redline over a small alphabet that has what is
// hard: line feeds, tabs, markup characters, control characters, scripts of
// both directions, emoji, and moves (paired or not).
func randomSegments(r *rand.Rand) []Segment {
	alphabet := []string{"a", "b", " ", "\n", "\n", "\t", "<", "&", "é", "中", "ب", "ש", "😀", "\x01", "\u200f", "1"}
	n := r.IntN(12)
	segs := make([]Segment, n)
	for i := range segs {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		segs[i] = Segment{Kind: Kind(r.IntN(5)), Text: b.String()}
		if segs[i].Kind >= MoveFrom {
			segs[i].Move = r.IntN(3)
		}
	}
	return segs
}

func TestWriteAcceptRejectRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 1000 {
		segs := randomSegments(r)
		ok := t.Run(strconv.Itoa(i), func(t *testing.T) { checkResolves(t, segs) })
		if !ok {
			break
		}
	}
}

func TestWriteAcceptRejectReference(t *testing.T) {
	if testing.Short() {
		t.Skip("the 3 MB reference pair")
	}
	p := difftest.Agreement(2000)
	ops := diff.Redline(p.Old, p.New)
	segs := segmentsOf(ops)
	moves := 0
	for _, s := range segs {
		if s.Kind == MoveFrom {
			moves++
		}
	}
	w := checkResolves(t, segs)
	if w.accepted() != p.New || w.rejected() != p.Old {
		t.Fatal("the reference redline does not resolve to its versions")
	}
	t.Logf("%d segments, %d of them moved away", len(segs), moves)
}

// BenchmarkWriteRedline writes the reference agreement's redline (3 MB,
// about 10,000 segments) as a docx with tracked changes.
func BenchmarkWriteRedline(b *testing.B) {
	p := difftest.Agreement(2000)
	d := Document{Title: "Reference agreement", Creator: "Singapore Customs", Author: "Singapore Customs", Date: testDate,
		Segments: segmentsOf(diff.Redline(p.Old, p.New))}
	var out bytes.Buffer
	for b.Loop() {
		out.Reset()
		if err := Write(&out, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	b.ReportMetric(float64(out.Len()), "bytes")
}
