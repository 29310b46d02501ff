package export

import (
	"net/url"
	"strings"
	"testing"

	"mra/server/mra"
)

// TestBrackets: overlapping and touching ranges merge; ranges are clipped;
// removing the brackets gives the text; code points, not bytes; an open
// issue's options stand after its present words, and offsets into the
// text land past what was put in before them.
func TestBrackets(t *testing.T) {
	text := "αβγ one two three four five"
	r := func(s, e int, options ...string) BracketRange {
		return BracketRange{Start: s, End: e, Options: options}
	}
	for _, c := range []struct {
		ranges []BracketRange
		want   string
	}{
		{nil, text},
		{[]BracketRange{r(0, 3)}, "[αβγ] one two three four five"},
		{[]BracketRange{r(4, 7), r(8, 11)}, "αβγ [one] [two] three four five"},
		{[]BracketRange{r(4, 7), r(7, 11)}, "αβγ [one two] three four five"},  // touching
		{[]BracketRange{r(8, 17), r(4, 10)}, "αβγ [one two three] four five"}, // overlapping, out of order
		{[]BracketRange{r(4, 22), r(8, 11)}, "αβγ [one two three four] five"}, // inside another
		{[]BracketRange{r(23, 99)}, "αβγ one two three four [five]"},          // clipped
		{[]BracketRange{r(4, 4)}, "αβγ []one two three four five"},            // a point
		{[]BracketRange{r(8, 11, "2", "deux")}, "αβγ one [two / 2 / deux] three four five"},
		{[]BracketRange{r(8, 11, "")}, "αβγ one [two / \u2014] three four five"}, // an option to delete
		{[]BracketRange{r(4, 7, "uno"), r(7, 11, "dos")}, "αβγ [one two / uno / dos] three four five"},
	} {
		got := Brackets(text, c.ranges)
		if got.Text != c.want {
			t.Errorf("%v: %q, want %q", c.ranges, got.Text, c.want)
		}
		plain := strings.NewReplacer("[", "", "]", "").Replace(got.Text)
		for _, rg := range c.ranges {
			for _, o := range rg.Options {
				if o == "" {
					o = "\u2014"
				}
				plain = strings.Replace(plain, optionGap+o, "", 1)
			}
		}
		if plain != text {
			t.Errorf("%v: without brackets and options %q", c.ranges, plain)
		}
	}
	for _, bc := range []struct {
		ranges []BracketRange
		cases  []struct{ s, e, ws, we int }
	}{
		{[]BracketRange{r(4, 7), r(8, 11)}, []struct{ s, e, ws, we int }{
			{4, 7, 5, 8},     // the bracketed range itself: inside its brackets
			{0, 3, 0, 3},     // before
			{8, 11, 11, 14},  // the second
			{12, 17, 16, 21}, // after both
			{4, 4, 5, 5},     // a point where a bracket opens: inside it
		}},
		{[]BracketRange{r(4, 7, "uno", "eins"), r(8, 11)}, []struct{ s, e, ws, we int }{
			{4, 7, 5, 8},     // the present words, before the options
			{8, 11, 24, 27},  // past " / uno / eins]"
			{12, 17, 29, 34}, // after both
		}},
	} {
		bt := Brackets(text, bc.ranges)
		rs := []rune(bt.Text)
		for _, c := range bc.cases {
			s, e := bt.shift(c.s, c.e)
			if s != c.ws || e != c.we {
				t.Errorf("%v: shift(%d, %d) = %d, %d, want %d, %d", bc.ranges, c.s, c.e, s, e, c.ws, c.we)
				continue
			}
			if got, want := string(rs[s:e]), string([]rune(text)[c.s:c.e]); got != want {
				t.Errorf("%v: shift(%d, %d) lands on %q, want %q", bc.ranges, c.s, c.e, got, want)
			}
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
