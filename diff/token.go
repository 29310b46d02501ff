package diff

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The units the redline aligns, from coarse to fine: lines, sentences, tokens.
// Every splitter returns substrings of its input that concatenate back to it.

// splitLines cuts s after every '\n'; the last line may lack one.
func splitLines(s string) []string {
	out := make([]string, 0, strings.Count(s, "\n")+1)
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// splitSentences cuts s after each sentence-final mark and the whitespace that
// follows it, and after each newline.
func splitSentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		i = nextMayEnd(s, i) // most bytes end nothing
		if i == len(s) {
			break
		}
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		i += n
		if !isSentenceEnd(r) && !(r == '\n' && blankLineAt(s, i)) {
			continue
		}
		for i < len(s) {
			r2, n2 := rune(s[i]), 1
			if r2 >= utf8.RuneSelf {
				r2, n2 = utf8.DecodeRuneInString(s[i:])
			}
			if !unicode.IsSpace(r2) {
				break
			}
			i += n2
		}
		if r != '\n' && !hasWords(s[start:i], minSentenceWords) {
			continue // "1.", "(a)", "Art. 5.": a number, not a sentence
		}
		out = append(out, s[start:i])
		start = i
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// nextMayEnd returns the index of the first byte from i that may end a
// sentence (see mayEnd), or len(s). Eight bytes are tested at once for
// those that might (below 'A' but not a space, or past ASCII), each found
// then looked up: in prose only digits and marks stop the scan.
func nextMayEnd(s string, i int) int {
	for i+8 <= len(s) {
		x := load8(s, i)
		x7 := x &^ high8               // each byte's low seven bits: no sum below carries
		low := ^(x7 + (0x80-'A')*ones) // top bit set where below 'A'
		t := x7 ^ ' '*ones             // zero where a space
		notSpace := t + 0x7f*ones | t  // top bit set where not
		if m := (low&notSpace | x) & high8; m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if mayEnd[s[i]] {
				return i
			}
			i++
			continue
		}
		i += 8
	}
	for i < len(s) && !mayEnd[s[i]] {
		i++
	}
	return i
}

// minSentenceWords is the fewest words of a sentence: a shorter one is
// part of the next.
const minSentenceWords = 3

// hasWords reports whether s holds at least n words (see Words).
func hasWords(s string, n int) bool {
	for i := 0; i < len(s) && n > 0; {
		end := tokenEnd(s, i)
		if isWord(s[i:end]) {
			n--
		}
		i = end
	}
	return n <= 0
}

// blankLineAt reports whether the line that starts at byte i of s is blank:
// the newline before it ends a paragraph.
func blankLineAt(s string, i int) bool {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return true
		case ' ', '\t', '\r':
		default:
			return false
		}
	}
	return true
}

// mayEnd marks the bytes that may start a sentence's end (see isSentenceEnd)
// or a paragraph's: the ASCII marks, a newline, and the first byte of every
// wide mark.
var mayEnd = func() (t [256]bool) {
	for _, r := range ".!?;\n。！？；" {
		var b [utf8.UTFMax]byte
		utf8.EncodeRune(b[:], r)
		t[b[0]] = true
	}
	return t
}()

func isSentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', ';', '。', '！', '？', '；':
		return true
	}
	return false
}

// Tokens splits s into the units a redline is made of: words (letters and
// digits with their combining marks), runs of whitespace, and single other
// characters. Characters of scripts written without spaces (Han, Kana, Thai,
// Lao, Khmer, Myanmar, ...) are one token each. A character is a base rune
// with what extends it (combining marks, variation selectors, emoji
// modifiers, zero-width joiner sequences, regional-indicator pairs), so no
// token ever splits a flag, an emoji sequence or an accented letter.
func Tokens(s string) []string {
	out := make([]string, 0, len(s)/4+1)
	for i := 0; i < len(s); {
		end := tokenEnd(s, i)
		out = append(out, s[i:end])
		i = end
	}
	return out
}

// tokenEnd returns the end of the token (see Tokens) that starts at byte i of s.
func tokenEnd(s string, i int) int {
	// ASCII letters, digits and white space are the usual case: they are
	// scanned a byte at a time, and the general rules take over at the last
	// ASCII character before any other.
	switch c := s[i]; {
	case isASCIIWord(c):
		j := i + 1
		for j < len(s) && isASCIIWord(s[j]) {
			j++
		}
		if j == len(s) || s[j] < utf8.RuneSelf {
			return j
		}
		i = j - 1
	case isASCIISpace(c):
		j := i + 1
		for j < len(s) && isASCIISpace(s[j]) {
			j++
		}
		if j == len(s) || s[j] < utf8.RuneSelf {
			return j
		}
		i = j - 1
	}
	r, n := rune(s[i]), 1
	if r >= utf8.RuneSelf {
		r, n = utf8.DecodeRuneInString(s[i:])
	}
	switch {
	case unicode.IsSpace(r):
		i += n
		for i < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r2) {
				break
			}
			i += n2
		}
	case isWordRune(r):
		i = clusterEnd(s, i)
		for i < len(s) {
			r2, _ := utf8.DecodeRuneInString(s[i:])
			if !isWordRune(r2) {
				break
			}
			i = clusterEnd(s, i)
		}
	default:
		i = clusterEnd(s, i)
	}
	return i
}

func isASCIIWord(c byte) bool { return asciiWord[c] }

// ones and high8 hold, in each of eight bytes, 1 and the top bit.
const (
	ones  = 0x0101010101010101
	high8 = 0x8080808080808080
)

// isASCIISpace reports whether c is ASCII white space, which tokenEnd takes
// as a run without the general rules.
func isASCIISpace(c byte) bool { return isSpaceByte(c) || c == '\v' || c == '\f' }

// load8 returns the eight bytes of s from i as one little-endian word.
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// wordBytes returns, for eight ASCII bytes x (none with its top bit set),
// the top bit of each byte that is an ASCII letter or digit (see
// asciiWord), all eight tested at once: for a byte v below 0x80, v+0x80-lo
// has its top bit set when v >= lo, and v+0x7f-hi when v > hi, and no sum
// carries into the next byte.
func wordBytes(x uint64) uint64 {
	f := x | 0x20*ones // letters folded to lower case
	letter := (f + (0x80-'a')*ones) &^ (f + (0x7f-'z')*ones)
	digit := (x + (0x80-'0')*ones) &^ (x + (0x7f-'9')*ones)
	return (letter | digit) & high8
}

// asciiWord marks the ASCII letters and digits, looked up rather than
// compared in the loops that scan every byte of a text.
var asciiWord = func() (t [256]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// isWordRune reports whether r starts or continues a space-separated word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) && !isSpaceless(r)
}

// spaceless lists scripts written without spaces between words.
var spaceless = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao,
	unicode.Khmer, unicode.Myanmar, unicode.Tibetan, unicode.Yi, unicode.Bopomofo,
}

func isSpaceless(r rune) bool {
	return unicode.IsOneOf(spaceless, r)
}

// clusterEnd returns the end of the character (base rune plus extenders) that
// starts at byte i of s.
func clusterEnd(s string, i int) int {
	r, n := utf8.DecodeRuneInString(s[i:])
	i += n
	if isRegionalIndicator(r) && i < len(s) {
		if r2, n2 := utf8.DecodeRuneInString(s[i:]); isRegionalIndicator(r2) {
			i += n2
		}
	}
	for i < len(s) {
		if s[i] < utf8.RuneSelf {
			return i // no ASCII character extends another
		}
		r2, n2 := utf8.DecodeRuneInString(s[i:])
		switch {
		case r2 == 0x200D: // zero-width joiner: takes a following symbol along
			i += n2
			if i < len(s) {
				if r3, n3 := utf8.DecodeRuneInString(s[i:]); r3 >= utf8.RuneSelf && !unicode.IsSpace(r3) {
					i += n3
				}
			}
		case isExtender(r2):
			i += n2
		default:
			return i
		}
	}
	return i
}

func isRegionalIndicator(r rune) bool { return 0x1F1E6 <= r && r <= 0x1F1FF }

// isExtender reports whether r belongs to the character before it.
func isExtender(r rune) bool {
	if r < 0x300 {
		return false
	}
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Mc, r) ||
		r == 0x200C || // zero-width non-joiner
		0xFE00 <= r && r <= 0xFE0F || 0xE0100 <= r && r <= 0xE01EF || // variation selectors
		0x1F3FB <= r && r <= 0x1F3FF || // emoji skin tones
		0xE0020 <= r && r <= 0xE007F // emoji tag sequences
}

// isWord reports whether token t is a word (as opposed to whitespace or a
// punctuation mark); characters of spaceless scripts count as words.
func isWord(t string) bool {
	if t != "" && t[0] < utf8.RuneSelf {
		return isASCIIWord(t[0])
	}
	r, _ := utf8.DecodeRuneInString(t)
	return isWordRune(r) || isSpaceless(r)
}

// SpaceToken reports whether t, a token of Tokens, is a run of whitespace.
func SpaceToken(t string) bool { return isSpaceToken(t) }

// isSpaceToken reports whether t is a run of whitespace.
func isSpaceToken(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return len(t) > 0 && unicode.IsSpace(r)
}

// Words counts the word tokens in s (see Tokens).
func Words(s string) int {
	n := 0
	for i := 0; i < len(s); {
		end := tokenEnd(s, i)
		if isWord(s[i:end]) {
			n++
		}
		i = end
	}
	return n
}
