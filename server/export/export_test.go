package export

import (
	"net/url"
	"strings"
	"testing"
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
