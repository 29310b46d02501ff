package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
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
	starts, ends, refs map[int]int // refs: where each comment's reference is
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
func walk(t testing.TB, doc []byte) walked { t.Helper(); return walkXML(t, doc, true) }

// walkXML is walk; strict checks what this package always writes (every
// element in the w namespace, xml:space="preserve" on every text), which
// another writer need not.
func walkXML(t testing.TB, doc []byte, strict bool) walked {
	t.Helper()
	w := walked{starts: map[int]int{}, ends: map[int]int{}, refs: map[int]int{}}
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
			if e.Name.Space != wordNS {
				if strict {
					t.Fatalf("element %v outside the w namespace", e.Name)
				}
				continue
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
				if strict && attr(e, "space") != "preserve" {
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
				w.refs[atoi(attr(e, "id"))] = pos
			}
		case xml.EndElement:
			if e.Name.Space != wordNS {
				continue
			}
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

// resolveCases are redlines whose paragraph marks are hard to get right.
var resolveCases = []struct {
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
}

func TestWriteAcceptReject(t *testing.T) {
	for _, tc := range resolveCases {
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

// movedAgreement is a small agreement and a version of it with one paragraph
// moved unchanged and one edited and moved to the end, and its redline,
// which holds both moves.
func movedAgreement(t testing.TB) (old, new string, segs []Segment) {
	t.Helper()
	old = difftest.Agreement(12).New
	lines := strings.Split(old, "\n")
	var long []int
	for i, l := range lines {
		if len(l) > 200 {
			long = append(long, i)
		}
	}
	still, edited := long[2], long[9]
	var out []string
	for i, l := range lines {
		if i == long[6] {
			out = append(out, lines[still])
		}
		if i != still && i != edited {
			out = append(out, l)
		}
	}
	out = append(out, strings.Replace(lines[edited], " the ", " THE NEW ", 1))
	new = strings.Join(out, "\n")
	segs = segmentsOf(diff.Redline(old, new))
	moves := map[int]bool{}
	for _, s := range segs {
		if s.Kind == MoveFrom {
			moves[s.Move] = true
		}
	}
	if len(moves) < 2 {
		t.Fatalf("the redline has %d moves, want 2", len(moves))
	}
	return old, new, segs
}

func TestWriteAcceptRejectMoves(t *testing.T) {
	old, new, segs := movedAgreement(t)
	w := checkResolves(t, segs)
	if w.accepted() != new || w.rejected() != old {
		t.Fatal("the moved agreement does not resolve to its versions")
	}
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

// sample is a document with a bit of everything: tracked changes of each
// kind, paragraph marks, a move, comments across paragraphs and changes.
func sample() Document {
	return Document{
		Title: "MRA <draft> & \"v3\"", Creator: "Singapore Customs", Author: "Singapore Customs", Date: testDate,
		Segments: []Segment{
			{Same, "Article 1\nThe ", 0}, {Delete, "old", 0}, {Insert, "new", 0}, {Same, " text.\n", 0},
			{MoveFrom, "Moved paragraph.\n", 1}, {Same, "Middle.\n", 0}, {Insert, "Inserted paragraph.\n", 0},
			{Delete, "Deleted paragraph.\n", 0}, {MoveTo, "Moved paragraph.\n", 1}, {Same, "End", 0},
		},
		Comments: []Comment{
			{Start: 10, End: 30, Author: "United States CBP", Initials: "US", Date: testDate, Text: "Why <new>?\nSecond line"},
			{Start: 14, End: 14, Author: "Singapore Customs", Initials: "SG", Date: testDate.Add(time.Hour), Text: "a point"},
		},
	}
}

func TestWriteParts(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    Document
		want []string
	}{
		{"clean", Document{Segments: []Segment{{Same, "a", 0}}}, []string{
			"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/settings.xml",
			"word/_rels/document.xml.rels", "docProps/core.xml", "docProps/app.xml"}},
		{"with comments", sample(), []string{
			"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/settings.xml",
			"word/_rels/document.xml.rels", "docProps/core.xml", "docProps/app.xml", "word/comments.xml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mustWrite(t, tc.d)
			parts, names := unzip(t, b)
			if !slices.Equal(names, tc.want) {
				t.Fatalf("parts %q, want %q", names, tc.want)
			}
			z, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			for _, f := range z.File {
				if !f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("%s dated %v, want 1980-01-01", f.Name, f.Modified)
				}
			}
			for name, data := range parts {
				wellFormed(t, name, data)
				if bytes.Contains(bytes.ToLower(data), []byte("rsid")) {
					t.Errorf("%s holds an rsid", name)
				}
			}
			// Every part but the content types and the package
			// relationships has a content type override, and every
			// relationship's target is a part.
			var types struct {
				Override []struct {
					PartName    string `xml:"PartName,attr"`
					ContentType string `xml:"ContentType,attr"`
				}
				Default []struct {
					Extension string `xml:"Extension,attr"`
				}
			}
			if err := xml.Unmarshal(parts["[Content_Types].xml"], &types); err != nil {
				t.Fatal(err)
			}
			over := map[string]string{}
			for _, o := range types.Override {
				over[strings.TrimPrefix(o.PartName, "/")] = o.ContentType
			}
			for _, name := range names {
				if strings.HasSuffix(name, ".rels") || name == "[Content_Types].xml" {
					continue
				}
				if over[name] == "" {
					t.Errorf("%s has no content type", name)
				}
				delete(over, name)
			}
			if len(over) > 0 {
				t.Errorf("content types for parts not in the package: %v", over)
			}
			if over := types.Override; !slices.ContainsFunc(over, func(o struct {
				PartName    string `xml:"PartName,attr"`
				ContentType string `xml:"ContentType,attr"`
			}) bool {
				return o.PartName == "/word/document.xml" && o.ContentType == "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
			}) {
				t.Error("word/document.xml is not the main document")
			}
			for rels, base := range map[string]string{"_rels/.rels": "", "word/_rels/document.xml.rels": "word/"} {
				var r struct {
					Relationship []struct {
						Target string `xml:"Target,attr"`
					}
				}
				if err := xml.Unmarshal(parts[rels], &r); err != nil {
					t.Fatal(err)
				}
				for _, rel := range r.Relationship {
					if parts[base+rel.Target] == nil {
						t.Errorf("%s points at %s, not in the package", rels, base+rel.Target)
					}
				}
				if rels == "word/_rels/document.xml.rels" && len(r.Relationship) != len(names)-6 {
					t.Errorf("document relationships %v, want one per word/ part", r.Relationship)
				}
			}
		})
	}
}

func TestWriteDeterministic(t *testing.T) {
	a, b := mustWrite(t, sample()), mustWrite(t, sample())
	if !bytes.Equal(a, b) {
		t.Fatal("the same document gave different bytes")
	}
	d := sample()
	d.Date = d.Date.Add(time.Second)
	if bytes.Equal(a, mustWrite(t, d)) {
		t.Fatal("another date gave the same bytes")
	}
}

func TestWriteCoreProperties(t *testing.T) {
	parts, _ := unzip(t, mustWrite(t, sample()))
	var got []string
	d := xml.NewDecoder(bytes.NewReader(parts["docProps/core.xml"]))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				got = append(got, e.Name.Local)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 2 {
				got[len(got)-1] += "=" + string(e)
			}
		}
	}
	want := []string{"title=MRA <draft> & \"v3\"", "creator=Singapore Customs", "lastModifiedBy=Singapore Customs",
		"created=2026-11-30T09:30:00Z", "modified=2026-11-30T09:30:00Z"}
	if !slices.Equal(got, want) {
		t.Errorf("core properties %q, want %q", got, want)
	}
	parts, _ = unzip(t, mustWrite(t, Document{}))
	if s := string(parts["docProps/core.xml"]); strings.Contains(s, "<dc:") || strings.Contains(s, "<dcterms:") || strings.Contains(s, "<cp:last") {
		t.Errorf("an empty document's core properties hold something: %s", s)
	}
	if s := string(parts["docProps/app.xml"]); !strings.HasSuffix(s, `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>mra</Application></Properties>`) {
		t.Errorf("app properties: %s", s)
	}
}

func TestWriteEscape(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("ab <>&\"'\t\n\r\x00\x01\x1f\u0085é中😀\ufffd\ufffe\uffff\U0010FFFF")
	for range 2000 {
		var s strings.Builder
		for range r.IntN(10) {
			s.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		var want bytes.Buffer
		xml.EscapeText(&want, []byte(s.String()))
		if got := appendEscaped(nil, s.String()); string(got) != want.String() {
			t.Fatalf("escape %q: got %q, want %q (encoding/xml)", s.String(), got, want.String())
		}
	}
	// In text and in attributes, what is escaped reads back as written.
	d := Document{Author: `a"b'<c>&d`, Date: testDate, Segments: []Segment{{Insert, `x<y>&"z'`, 0}}}
	parts, _ := unzip(t, mustWrite(t, d))
	if got := walk(t, parts["word/document.xml"]).accepted(); got != `x<y>&"z'` {
		t.Errorf("text %q", got)
	}
	for _, a := range changes(t, parts["word/document.xml"]) {
		if a["author"] != d.Author {
			t.Errorf("author %q, want %q", a["author"], d.Author)
		}
	}
}

// changes returns the attributes (by local name, and "element") of every
// tracked change, paragraph mark and move range start in doc.
func changes(t testing.TB, doc []byte) []map[string]string {
	t.Helper()
	var out []map[string]string
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := tok.(xml.StartElement); ok {
			switch e.Name.Local {
			case "ins", "del", "moveFrom", "moveTo", "moveFromRangeStart", "moveToRangeStart", "moveFromRangeEnd", "moveToRangeEnd":
				a := map[string]string{"element": e.Name.Local}
				for _, at := range e.Attr {
					a[at.Name.Local] = at.Value
				}
				out = append(out, a)
			}
		}
	}
}

func TestWriteTrackedChangeAttributes(t *testing.T) {
	d := sample()
	parts, _ := unzip(t, mustWrite(t, d))
	doc := parts["word/document.xml"]
	ids := map[string]string{}
	count := map[string]int{}
	names := map[string][]string{} // move range name → the elements that start a range with it
	open := map[string]string{}    // range id → element
	for _, a := range changes(t, doc) {
		el := a["element"]
		count[el]++
		if strings.HasSuffix(el, "RangeEnd") {
			start := strings.TrimSuffix(el, "End") + "Start"
			if open[a["id"]] != start {
				t.Errorf("%s id %s ends no open %s", el, a["id"], start)
			}
			delete(open, a["id"])
			continue
		}
		if a["id"] == "" || ids[a["id"]] != "" {
			t.Errorf("%s: id %q missing or already used by %s", el, a["id"], ids[a["id"]])
		}
		ids[a["id"]] = el
		if a["author"] != "Singapore Customs" || a["date"] != "2026-11-30T09:30:00Z" {
			t.Errorf("%s: author %q, date %q", el, a["author"], a["date"])
		}
		if strings.HasSuffix(el, "RangeStart") {
			open[a["id"]] = el
			names[a["name"]] = append(names[a["name"]], el)
		}
	}
	if len(open) > 0 {
		t.Errorf("ranges never ended: %v", open)
	}
	if got := names["move1"]; !slices.Equal(got, []string{"moveFromRangeStart", "moveToRangeStart"}) || len(names) != 1 {
		t.Errorf("move ranges %v, want move1 from and to", names)
	}
	// sample: del+ins in a paragraph, a moved paragraph (runs and mark) on
	// each side, an inserted and a deleted paragraph (runs and mark); the
	// first comment ends inside the moved text, which splits its run.
	want := map[string]int{"ins": 3, "del": 3, "moveFrom": 3, "moveTo": 2,
		"moveFromRangeStart": 1, "moveFromRangeEnd": 1, "moveToRangeStart": 1, "moveToRangeEnd": 1}
	if !maps.Equal(count, want) {
		t.Errorf("changes %v, want %v", count, want)
	}
	// Comment ids are their own: none is a change's.
	for i := range d.Comments {
		if ids[strconv.Itoa(i)] != "" {
			t.Errorf("comment id %d is also a change's", i)
		}
	}
	var settings = string(parts["word/settings.xml"])
	if !strings.Contains(settings, "<w:trackRevisions/>") {
		t.Error("a redline does not track further changes")
	}
	parts, _ = unzip(t, mustWrite(t, Document{Segments: []Segment{{Same, "a", 0}, {Insert, "", 0}}}))
	if strings.Contains(string(parts["word/settings.xml"]), "trackRevisions") {
		t.Error("a clean text tracks changes")
	}
}

// commentsOf reads word/comments.xml: each comment's attributes and text
// (its paragraphs joined by LF).
func commentsOf(t testing.TB, data []byte) []map[string]string {
	t.Helper()
	var out []map[string]string
	d := xml.NewDecoder(bytes.NewReader(data))
	inT, paras := false, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "comment":
				c := map[string]string{}
				for _, a := range e.Attr {
					c[a.Name.Local] = a.Value
				}
				out, paras = append(out, c), 0
			case "p":
				if paras > 0 {
					out[len(out)-1]["text"] += "\n"
				}
				paras++
			case "t":
				inT = true
			case "tab":
				out[len(out)-1]["text"] += "\t"
			case "sym":
				r, _ := strconv.ParseUint(e.Attr[1].Value, 16, 32)
				out[len(out)-1]["text"] += string(rune(r))
			}
		case xml.EndElement:
			if e.Name.Local == "t" {
				inT = false
			}
		case xml.CharData:
			if inT {
				out[len(out)-1]["text"] += string(e)
			}
		}
	}
}

// checkComments writes d and checks that each comment covers its range of
// the whole text (clamped), has a reference, and holds its metadata and text.
func checkComments(t *testing.T, d Document) {
	t.Helper()
	parts, _ := unzip(t, mustWrite(t, d))
	w := walk(t, parts["word/document.xml"])
	all := []rune(w.all())
	for i, c := range d.Comments {
		s := min(max(c.Start, 0), len(all))
		e := min(max(c.End, s), len(all))
		gs, okS := w.starts[i]
		ge, okE := w.ends[i]
		ref, okR := w.refs[i]
		if !okS || !okE || !okR || ref != ge {
			t.Fatalf("comment %d: start %v, end %v, reference %v at %d", i, okS, okE, okR, ref)
		}
		if gs != s || ge != e {
			t.Errorf("comment %d covers %q [%d,%d), want %q [%d,%d)", i, string(all[gs:ge]), gs, ge, string(all[s:e]), s, e)
		}
	}
	got := commentsOf(t, parts["word/comments.xml"])
	if len(got) != len(d.Comments) {
		t.Fatalf("%d comments in comments.xml, want %d", len(got), len(d.Comments))
	}
	for i, c := range d.Comments {
		want := map[string]string{"id": strconv.Itoa(i), "author": c.Author, "text": c.Text}
		if !c.Date.IsZero() {
			want["date"] = c.Date.UTC().Format(time.RFC3339)
		}
		if c.Initials != "" {
			want["initials"] = c.Initials
		}
		if got[i]["text"] == "" && c.Text == "" {
			got[i]["text"] = ""
		}
		if !maps.Equal(got[i], want) {
			t.Errorf("comment %d: %q, want %q", i, got[i], want)
		}
	}
}

func TestWriteComments(t *testing.T) {
	checkComments(t, sample())
	segs := []Segment{{Same, "one\ntwo ", 0}, {Delete, "three\n", 0}, {Insert, "four", 0}, {Same, "\nfive", 0}}
	checkComments(t, Document{Segments: segs, Comments: []Comment{
		{Start: 2, End: 12, Author: "A", Text: "across a paragraph and into a deletion"},
		{Start: 4, End: 4, Author: "B", Text: "at a paragraph's start"},
		{Start: 3, End: 3, Author: "C", Text: "before a paragraph mark"},
		{Start: 8, End: 18, Author: "D", Text: "over a deleted mark\n\nand an insertion\tétoile <&> 中 عربي \x01"},
		{Start: -5, End: 100, Author: "E", Text: "clamped to the text"},
		{Start: 9, End: 2, Author: "F", Text: "end before start: a point"},
		{Start: 23, End: 23, Author: "G", Text: "at the very end"},
		{Start: 0, End: 0, Author: "H", Text: ""},
	}})
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		segs := randomSegments(r)
		_, _, all := texts(segs)
		n := utf8.RuneCountInString(all)
		var cs []Comment
		for range r.IntN(4) {
			s := r.IntN(n + 1)
			cs = append(cs, Comment{Start: s, End: s + r.IntN(n+1-s), Author: "Party", Initials: "P", Date: testDate, Text: "c\nd"})
		}
		if !t.Run(strconv.Itoa(i), func(t *testing.T) { checkComments(t, Document{Segments: segs, Comments: cs}) }) {
			break
		}
	}
}

func TestWriteScripts(t *testing.T) {
	const text = "Article 7 第七条 协定\nالمادة 7 من الاتفاق\nסעיף 7 להסדר\nmixed: the العربية word, עברית.\n😀👍🏽 🇸🇬\n"
	parts, _ := unzip(t, mustWrite(t, Document{Segments: []Segment{{Same, text, 0}}}))
	doc := parts["word/document.xml"]
	if got := walk(t, doc).accepted(); got != text {
		t.Fatalf("text %q, want %q", got, text)
	}
	// Each run of right-to-left script is a w:rtl run, and no other run is;
	// a paragraph is right-to-left when its first strong character is.
	d := xml.NewDecoder(bytes.NewReader(doc))
	var rtlRuns, ltrRuns []string
	var bidi []int // paragraphs (from 0) that are right-to-left
	right, inT, para := false, false, -1
	var run strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "p":
				para++
			case "bidi":
				bidi = append(bidi, para)
			case "r":
				right = false
				run.Reset()
			case "rtl":
				right = true
			case "t":
				inT = true
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "r":
				if right {
					rtlRuns = append(rtlRuns, run.String())
				} else {
					ltrRuns = append(ltrRuns, run.String())
				}
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				run.WriteString(string(e))
			}
		}
	}
	if want := []string{"المادة 7 من الاتفاق", "סעיף 7 להסדר", "العربية", "עברית"}; !slices.Equal(rtlRuns, want) {
		t.Errorf("right-to-left runs %q, want %q", rtlRuns, want)
	}
	// The Arabic and the Hebrew paragraph are right-to-left paragraphs;
	// the one that starts in English is not, nor the one of emoji.
	if want := []int{1, 2}; !slices.Equal(bidi, want) {
		t.Errorf("right-to-left paragraphs %v, want %v", bidi, want)
	}
	for _, r := range ltrRuns {
		for _, c := range r {
			if rtl(c) {
				t.Errorf("left-to-right run %q holds %q", r, c)
			}
		}
	}
}

func TestWriteControlCharacters(t *testing.T) {
	// Every character XML 1.0 cannot hold is a w:sym with its code point.
	var b strings.Builder
	for r := rune(0); r < 0x20; r++ {
		b.WriteRune(r)
		b.WriteString("x")
	}
	b.WriteString("\uFFFE\uFFFF\u0085\uFFFD")
	text := b.String()
	parts, _ := unzip(t, mustWrite(t, Document{Segments: []Segment{{Same, text, 0}, {Delete, text, 0}}}))
	w := walk(t, parts["word/document.xml"])
	if w.accepted() != text || w.rejected() != text+text {
		t.Errorf("accepted %q, rejected %q", w.accepted(), w.rejected())
	}
	if n := bytes.Count(parts["word/document.xml"], []byte("<w:sym ")); n != 2*(0x20-2+2) {
		t.Errorf("%d w:sym, want %d", n, 2*(0x20-2+2))
	}
}

func TestWriteRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    Document
		want string
	}{
		{"invalid UTF-8", Document{Segments: []Segment{{Same, "ok", 0}, {Insert, "a\xffb", 0}}}, "segment 1 is not valid UTF-8"},
		{"unknown kind", Document{Segments: []Segment{{Kind(9), "a", 0}}}, "segment 0 has unknown kind 9"},
		{"comment", Document{Comments: []Comment{{Text: "\xc3"}}}, "comment 0 is not valid UTF-8"},
		{"metadata", Document{Title: "\xe2\x82"}, "metadata is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Write(&b, tc.d)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes written", b.Len())
			}
		})
	}
}

// TestWriteReadRoundTrip: a text written clean reads back the same, to the
// byte; a redline read with its changes accepted is the new text, rejected
// the old. (The demo's texts are checked in cmd/mra, where they live.)
func TestWriteReadRoundTrip(t *testing.T) {
	ref := difftest.Agreement(2000)
	for name, text := range map[string]string{
		"reference":     ref.New,
		"CJK":           "第一条 本安排的目的\n海关当局应当承认对方的认证结果。\n\n第二条\t定义",
		"RTL":           "المادة 1\nتعترف إدارة الجمارك بنتائج التحقق.\nסעיף 2: הגדרות\n(א) \"מפעיל\" – גורם מורשה",
		"emoji":         "👍🏽 agreed 🇸🇬🇺🇸 👨‍👩‍👧 😀\n",
		"markup":        officeText,
		"empty":         "",
		"empty lines":   "\n\n",
		"spaces":        "  leading and trailing  \n \t ",
		"C1 and others": "\u0085\u00a0\u200b\u200f\u2028\u2029\ufeff\ufffd\U0010ffff",
	} {
		t.Run(name, func(t *testing.T) {
			rep, err := Read(mustWrite(t, Document{Title: name, Segments: []Segment{{Same, text, 0}}}), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Text != text {
				t.Errorf("read back %q, want %q", shorten(rep.Text), shorten(text))
			}
			if want := strings.Count(text, "\n") + 1; rep.Paragraphs != want || rep.TrackedChanges != 0 || rep.Comments != 0 {
				t.Errorf("report %+v, want %d paragraphs and nothing else", rep, want)
			}
		})
	}
	_, _, moved := movedAgreement(t)
	redlines := map[string][]Segment{
		"sample":    sample().Segments,
		"moves":     moved,
		"reference": segmentsOf(diff.Redline(ref.Old, ref.New)),
	}
	for _, tc := range resolveCases {
		redlines[tc.name] = tc.segs
	}
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 200 {
		redlines[fmt.Sprintf("random %d", i)] = randomSegments(r)
	}
	for name, segs := range redlines {
		t.Run("redline "+name, func(t *testing.T) {
			b := mustWrite(t, Document{Author: "Singapore Customs", Date: testDate, Segments: segs, Comments: sample().Comments})
			acc, rej, _ := texts(segs)
			for opt, want := range map[Options]string{{}: acc, {Reject: true}: rej} {
				rep, err := Read(b, opt)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Text != want {
					t.Errorf("read with %+v: %q, want %q", opt, shorten(rep.Text), shorten(want))
				}
				if rep.Comments != 2 {
					t.Errorf("%d comments reported, want 2", rep.Comments)
				}
			}
		})
	}
}

// shorten is s, or its start and end when it is long.
func shorten(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:100]) + " … " + string(r[len(r)-100:])
	}
	return s
}

// TestWriteReadControlCharacters: a stored text may hold any character but
// CR (mra.NormalizeText), so the control characters XML cannot hold, written
// as w:sym, must read back as themselves.
func TestWriteReadControlCharacters(t *testing.T) {
	var b strings.Builder
	for r := rune(0); r < 0x20; r++ {
		if r != '\r' {
			b.WriteString("x")
			b.WriteRune(r)
		}
	}
	b.WriteString("\uFFFE\uFFFF")
	text := b.String()
	rep, err := Read(mustWrite(t, Document{Segments: []Segment{{Same, text, 0}}}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Text != text {
		t.Errorf("read back %q, want %q", rep.Text, text)
	}
}

// FuzzWriteResolves: for any segments (the input split at '|', each piece's
// first byte giving its kind and move id), Write refuses invalid UTF-8 and
// otherwise writes well-formed parts whose changes accept to the new text
// and reject to the old.
func FuzzWriteResolves(f *testing.F) {
	for _, seed := range []string{"", "\x00a\nb|\x01c\n|\x02\n", "\x03moved\n|\x00x\n|\x04moved\n", "\x08a|\x09b|\x00\t<&>\x01\uffff", "\x01\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var segs []Segment
		for _, p := range strings.Split(in, "|") {
			if p == "" {
				continue
			}
			segs = append(segs, Segment{Kind: Kind(p[0] % 5), Move: int(p[0] / 5 % 3), Text: p[1:]})
		}
		var b bytes.Buffer
		err := Write(&b, Document{Author: "A", Segments: segs, Comments: []Comment{{Start: 1, End: 3, Author: "B", Text: "c"}}})
		valid := true
		for _, s := range segs {
			valid = valid && utf8.ValidString(s.Text)
		}
		if !valid {
			if err == nil {
				t.Fatal("invalid UTF-8 written")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		parts, _ := unzip(t, b.Bytes())
		for name, data := range parts {
			wellFormed(t, name, data)
		}
		w := walk(t, parts["word/document.xml"])
		acc, rej, _ := texts(segs)
		if w.accepted() != acc || w.rejected() != rej {
			t.Fatalf("accepted %q, rejected %q; want %q, %q", w.accepted(), w.rejected(), acc, rej)
		}
	})
}
