package export

import (
	"net/url"
	"strings"
	"testing"

	"mra/server/mra"
)

// TestBrackets: overlapping and touching ranges merge; ranges are clipped;
// removing the brackets gives the text; code points, not bytes.
func TestBrackets(t *testing.T) {
	text := "αβγ one two three four five"
	for _, c := range []struct {
		ranges [][2]int
		want   string
	}{
		{nil, text},
		{[][2]int{{0, 3}}, "[αβγ] one two three four five"},
		{[][2]int{{4, 7}, {8, 11}}, "αβγ [one] [two] three four five"},
		{[][2]int{{4, 7}, {7, 11}}, "αβγ [one two] three four five"},  // touching
		{[][2]int{{8, 17}, {4, 10}}, "αβγ [one two three] four five"}, // overlapping, out of order
		{[][2]int{{4, 22}, {8, 11}}, "αβγ [one two three four] five"}, // inside another
		{[][2]int{{23, 99}}, "αβγ one two three four [five]"},         // clipped
		{[][2]int{{4, 4}}, "αβγ []one two three four five"},           // a point
	} {
		got := Brackets(text, c.ranges)
		if got.Text != c.want {
			t.Errorf("%v: %q, want %q", c.ranges, got.Text, c.want)
		}
		if strings.NewReplacer("[", "", "]", "").Replace(got.Text) != text {
			t.Errorf("%v: without brackets %q", c.ranges, got.Text)
		}
	}
	bt := Brackets(text, [][2]int{{4, 7}, {8, 11}})
	for _, c := range []struct{ s, e, ws, we int }{
		{4, 7, 5, 8},     // the bracketed range itself: inside its brackets
		{0, 3, 0, 3},     // before
		{8, 11, 11, 14},  // the second
		{12, 17, 16, 21}, // after both
		{4, 4, 5, 5},     // a point where a bracket opens: inside it
	} {
		if s, e := bt.shift(c.s, c.e); s != c.ws || e != c.we {
			t.Errorf("shift(%d, %d) = %d, %d, want %d, %d", c.s, c.e, s, e, c.ws, c.we)
		}
	}
}

func TestASCIIName(t *testing.T) {
	for in, want := range map[string]string{
		"MRA CTPAT–STP v2 clean.txt": "MRA-CTPAT-STP-v2-clean.txt",
		"第一条 v1 record.json":         "v1-record.json",
		"\"quoted\"; evil\r\n.html":  "quoted-evil.html",
		"….docx":                     "export.docx",
	} {
		if got := asciiName(in); got != want {
			t.Errorf("asciiName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	q, _ := url.ParseQuery("kind=redline&format=docx&version=3&from=1&internal=1")
	r, err := ParseQuery(q)
	if err != nil || r != (Request{Kind: Redline, Format: DOCX, Version: 3, From: 1, Internal: true}) {
		t.Errorf("%+v %v", r, err)
	}
}

func TestDisposition(t *testing.T) {
	f := File{Name: `a "b"; c=d/é.txt`, ASCIIName: "a-b-c-d.txt"}
	want := `attachment; filename="a-b-c-d.txt"; filename*=UTF-8''a%20%22b%22%3B%20c%3Dd%2F%C3%A9.txt`
	if got := f.Disposition(); got != want {
		t.Errorf("%s, want %s", got, want)
	}
}

// TestRedlineHTMLMoves: a moved paragraph is marked at both ends with its
// number, told apart from plain insertions and deletions; text is escaped.
func TestRedlineHTMLMoves(t *testing.T) {
	old := "Article 1\n\nThe <b>first</b> paragraph stays here for good.\n\nA paragraph that will move to the end of the text, unchanged.\n\nArticle 2\n\nThe last paragraph.\n"
	nw := "Article 1\n\nThe <b>first</b> paragraph stays here for good.\n\nArticle 2\n\nThe last paragraph, amended.\n\nA paragraph that will move to the end of the text, unchanged.\n"
	texts := []string{old, nw}
	v := View{
		Snapshot: mra.Snapshot{
			Negotiation: mra.NegotiationView{ID: "n-1", Title: "T"},
			Parties:     []mra.Party{{ID: "US", Name: "US Customs"}, {ID: "SG", Name: "SG Customs"}},
			Versions:    []mra.Version{{Number: 1, Party: "US"}, {Number: 2, Party: "SG"}},
		},
		Party: "US",
		Text:  func(n int) (string, error) { return texts[n-1], nil },
	}
	f, err := Make(v, Request{Kind: Redline, Format: HTML})
	if err != nil {
		t.Fatal(err)
	}
	page := string(f.Body)
	for _, s := range []string{`<del class="move" title="move 1"><span class="mark">↦1</span>A paragraph`,
		`<ins class="move" title="move 1"><span class="mark">⇥1</span>A paragraph`, `<ins>, amended</ins>`,
		"The &lt;b&gt;first&lt;/b&gt;", `class="legend"`, "changes by SG Customs"} {
		if !strings.Contains(page, s) {
			t.Errorf("redline html lacks %q", s)
		}
	}
	if strings.Contains(page, "<b>") {
		t.Errorf("text not escaped")
	}
}
