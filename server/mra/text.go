package mra

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// MaxTextBytes is the largest version text accepted (8 MiB).
const MaxTextBytes = 8 << 20

// NormalizeText returns s as it is stored: CRLF and lone CR become LF.
func NormalizeText(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// SHA256 is the lowercase hex SHA-256 of s's UTF-8 bytes.
func SHA256(s string) string {
	sum := sha256.Sum256(unsafe.Slice(unsafe.StringData(s), len(s))) // read only: no copy of a long text
	return hex.EncodeToString(sum[:])
}

// Text is one version's text with an index from code points to bytes, so
// that slicing a long text by code-point offsets costs little.
type Text struct {
	s     string
	n     int   // length in code points
	marks []int // marks[k]: byte offset of code point k*textStride
}

const textStride = 256

// NewText indexes s, which must be valid UTF-8.
func NewText(s string) *Text {
	t := &Text{s: s}
	if isASCII(s) {
		t.n = len(s)
		return t
	}
	for i := range s { // i walks code points
		if t.n%textStride == 0 {
			t.marks = append(t.marks, i)
		}
		t.n++
	}
	return t
}

// String returns the whole text.
func (t *Text) String() string { return t.s }

// Len returns the length in code points.
func (t *Text) Len() int { return t.n }

// byteAt returns the byte offset of code point p (0 <= p <= Len).
func (t *Text) byteAt(p int) int {
	if t.marks == nil {
		return p
	}
	if p == t.n {
		return len(t.s)
	}
	i := t.marks[p/textStride]
	for k := p % textStride; k > 0; k-- {
		_, n := utf8.DecodeRuneInString(t.s[i:])
		i += n
	}
	return i
}

// Slice returns the text at code points [start, end), and false when the
// range is not within the text.
func (t *Text) Slice(start, end int) (string, bool) {
	if start < 0 || end < start || end > t.n {
		return "", false
	}
	return t.s[t.byteAt(start):t.byteAt(end)], true
}

// pointAt returns the code point at byte offset b (0 <= b <= len), which
// must start a code point.
func (t *Text) pointAt(b int) int {
	if t.marks == nil {
		return b
	}
	k, _ := slices.BinarySearch(t.marks, b+1) // marks[k-1] <= b < marks[k]
	p, i := (k-1)*textStride, t.marks[k-1]
	for ; i < b; p++ {
		_, n := utf8.DecodeRuneInString(t.s[i:])
		i += n
	}
	return p
}

// line returns the span [lo, hi) in code points from the line break before
// code point s (or the text's start) to just after the one after e (or
// the text's end): what the clause of [s, e) can reach.
func (t *Text) line(s, e int) (lo, hi int) {
	bs, be := t.byteAt(s), t.byteAt(e)
	if i := strings.LastIndexByte(t.s[:bs], '\n'); i >= 0 {
		lo = t.pointAt(i)
	}
	hi = t.n
	if j := strings.IndexByte(t.s[be:], '\n'); j >= 0 {
		hi = t.pointAt(be+j) + 1
	}
	return lo, hi
}
