package diff

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text renders a redline in the style of wdiff: "[-deleted-]" and
// "{+inserted+}". A moved passage is marked with its move id where it left,
// "[->1 text-]", and where it arrived, "{+<1 text+}". When it was edited on
// the way, the words the edit removed are marked inside the first,
// "[->1 The Parties [-shall-] act-]", and the words it added inside the
// second, "{+<1 The Parties {+may+} act+}".
func Text(ops []Op) string {
	var b strings.Builder
	for k := 0; k < len(ops); k++ {
		op := ops[k]
		if op.Op == Equal {
			b.WriteString(op.Text)
			continue
		}
		open, close, dir := "[-", "-]", ">"
		if op.Op == Insert {
			open, close, dir = "{+", "+}", "<"
		}
		b.WriteString(open)
		if op.Move == 0 {
			b.WriteString(op.Text)
			b.WriteString(close)
			continue
		}
		b.WriteString(dir + strconv.Itoa(op.Move) + " ")
		for ; k < len(ops) && ops[k].Op == op.Op && ops[k].Move == op.Move; k++ {
			if ops[k].Edit {
				b.WriteString(open + ops[k].Text + close)
			} else {
				b.WriteString(ops[k].Text)
			}
		}
		k--
		b.WriteString(close)
	}
	return b.String()
}

// Old returns the old text of a redline: its equal and delete ops.
func Old(ops []Op) string { return side(ops, Delete) }

// New returns the new text of a redline: its equal and insert ops.
func New(ops []Op) string { return side(ops, Insert) }

func side(ops []Op, k Kind) string {
	var b strings.Builder
	for _, op := range ops {
		if op.Op == Equal || op.Op == k {
			b.WriteString(op.Text)
		}
	}
	return b.String()
}

// WriteJSON writes ops as the JSON array of the diff endpoint's "ops" field,
// streaming: the same bytes encoding/json would write, without holding the
// whole document in memory a second time.
func WriteJSON(w io.Writer, ops []Op) error {
	buf := make([]byte, 0, 64<<10)
	buf = append(buf, '[')
	for k, op := range ops {
		if k > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"op":"`...)
		buf = append(buf, op.Op...)
		buf = append(buf, `","text":"`...)
		// A long text is escaped piece by piece, so the buffer stays small.
		for text := op.Text; text != ""; {
			n := pieceEnd(text, 32<<10)
			buf = appendJSONChars(buf, text[:n])
			text = text[n:]
			if len(buf) >= 48<<10 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		buf = append(buf, '"')
		if op.Move != 0 {
			buf = append(buf, `,"move":`...)
			buf = strconv.AppendInt(buf, int64(op.Move), 10)
		}
		if op.Edit {
			buf = append(buf, `,"edit":true`...)
		}
		buf = append(buf, '}')
		if len(buf) >= 48<<10 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, ']')
	_, err := w.Write(buf)
	return err
}

// jsonPlain says which bytes a JSON string holds as they are: ASCII but
// for control characters, the quote, the backslash and <, >, &.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it by default (control characters, quote, backslash, <, >, &,
// U+2028 and U+2029; invalid UTF-8 becomes U+FFFD).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	return append(appendJSONChars(dst, s), '"')
}

// pieceEnd returns where to cut s to take about n bytes of it, never inside
// a UTF-8 sequence.
func pieceEnd(s string, n int) int {
	if len(s) <= n {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	if n == 0 {
		return len(s)
	}
	return n
}

// appendJSONChars appends s escaped for a JSON string, without the quotes.
func appendJSONChars(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && jsonPlain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, `\b`...)
			case '\f':
				dst = append(dst, `\f`...)
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			case '\t':
				dst = append(dst, `\t`...)
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	return append(dst, s[start:]...)
}
