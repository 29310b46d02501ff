package docx

// The body of word/document.xml (paragraphs, runs, tracked changes, move
// ranges, comment ranges) and word/comments.xml, written as bytes appended
// to a paragraph's buffer: no XML tree is built.

import (
	"bufio"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// symbol reports whether r cannot stand in XML 1.0 text and is written as a
// w:sym (TAB and LF are handled before).
func symbol(r rune) bool { return r < 0x20 || r == 0xFFFE || r == 0xFFFF }

// rtl reports whether r is a strong right-to-left character: Hebrew, Arabic,
// Syriac, Thaana, NKo, Samaritan, Mandaic and their presentation forms, and
// the right-to-left scripts of the supplementary planes.
func rtl(r rune) bool {
	switch {
	case r < 0x0590:
		return false
	case r <= 0x08FF:
		return true
	case r < 0xFB1D:
		return r == 0x200F // RIGHT-TO-LEFT MARK
	case r <= 0xFDFF:
		return true
	case r >= 0xFE70 && r <= 0xFEFF:
		return true
	case r >= 0x10800 && r <= 0x10FFF:
		return true
	case r >= 0x1E800 && r <= 0x1EFFF:
		return true
	}
	return false
}

// ltr reports whether r is a strong left-to-right character, as far as
// splitting runs needs: a letter of any other script. ASCII letters are
// handled by the caller.
func ltr(r rune) bool {
	if r < 0x80 {
		return r|0x20 >= 'a' && r|0x20 <= 'z'
	}
	return !rtl(r) && unicode.IsLetter(r)
}

// appendRuns appends s (no LF) as runs: split where the direction of its
// script changes (right-to-left runs get w:rtl, the text is unchanged), each
// run's text in w:t (w:delText when del) pieces, tabs as w:tab and the
// characters XML cannot hold as w:sym.
func appendRuns(p []byte, s string, del bool) []byte {
	start, end, right := 0, 0, false // the open run starts at start; a right-to-left one's strong text ends at end
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if right && c|0x20 >= 'a' && c|0x20 <= 'z' {
				p = appendRun(p, s[start:end], true, del)
				start, right = end, false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if rtl(r) {
			if !right {
				if i > start {
					p = appendRun(p, s[start:i], false, del)
				}
				start, right = i, true
			}
			end = i + n
		} else if right && ltr(r) {
			p = appendRun(p, s[start:end], true, del)
			start, right = end, false
		}
		i += n
	}
	if right {
		p = appendRun(p, s[start:end], true, del)
		start = end
	}
	if start < len(s) {
		p = appendRun(p, s[start:], false, del)
	}
	return p
}

// appendRun appends one run holding s.
func appendRun(p []byte, s string, right, del bool) []byte {
	p = append(p, "<w:r>"...)
	if right {
		p = append(p, "<w:rPr><w:rtl/></w:rPr>"...)
	}
	open, end := `<w:t xml:space="preserve">`, "</w:t>"
	if del {
		open, end = `<w:delText xml:space="preserve">`, "</w:delText>"
	}
	last := 0
	text := func(i int) {
		if i > last {
			p = append(p, open...)
			p = appendEscaped(p, s[last:i])
			p = append(p, end...)
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := rune(c), 1
		if c >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case r == '\t':
			text(i)
			p = append(p, "<w:tab/>"...)
		case symbol(r):
			text(i)
			p = append(p, `<w:sym w:font="Times New Roman" w:char="`...)
			p = appendHex4(p, r)
			p = append(p, `"/>`...)
		default:
			i += n
			continue
		}
		i += n
		last = i
	}
	text(len(s))
	return append(p, "</w:r>"...)
}

// appendHex4 appends r (at most U+FFFF) as four upper-case hex digits.
func appendHex4(p []byte, r rune) []byte {
	const hex = "0123456789ABCDEF"
	return append(p, hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
}

// A marker is a comment's boundary in the text, at a code point offset.
type marker struct {
	pos  int
	kind uint8 // markEnd, markPoint, markStart: in this order at one offset
	id   int
}

const (
	markEnd uint8 = iota
	markPoint
	markStart
)

// docWriter writes word/document.xml's paragraphs. A paragraph's content is
// gathered in p and written once its mark (and so the mark's kind, which
// goes first, in w:pPr) is known.
type docWriter struct {
	out     *bufio.Writer
	p       []byte
	open    Kind   // the tracked-change container open in p; Same: none
	attrs   []byte // author and date of every change
	id      int    // next w:id of a change or range
	marks   []marker
	mi      int // next marker to write
	pos     int // code points written
	rangeID int // the move range open, if rangeKind is MoveFrom or MoveTo
	rangeK  Kind
	rangeM  int
}

var containerTag = [...]string{Insert: "w:ins", Delete: "w:del", MoveFrom: "w:moveFrom", MoveTo: "w:moveTo"}

func writeDocument(out *bufio.Writer, d *Document, moves map[int]bool) {
	out.WriteString(xmlHeader + `<w:document xmlns:w="` + wordNS + `"><w:body>`)
	w := &docWriter{out: out, p: make([]byte, 0, 4096), attrs: changeAttrs(d.Author, d.Date), id: len(d.Comments)}
	if len(d.Comments) > 0 {
		total := 0
		for _, s := range d.Segments {
			total += utf8.RuneCountInString(s.Text)
		}
		for i, c := range d.Comments {
			s := min(max(c.Start, 0), total)
			e := min(max(c.End, s), total)
			if s == e {
				w.marks = append(w.marks, marker{s, markPoint, i})
			} else {
				w.marks = append(w.marks, marker{s, markStart, i}, marker{e, markEnd, i})
			}
		}
		slices.SortStableFunc(w.marks, func(a, b marker) int {
			if a.pos != b.pos {
				return a.pos - b.pos
			}
			return int(a.kind) - int(b.kind)
		})
	}
	for _, s := range d.Segments {
		if s.Text == "" {
			continue
		}
		k := s.Kind
		move := (k == MoveFrom || k == MoveTo) && moves[s.Move]
		if !move && k == MoveFrom {
			k = Delete
		} else if !move && k == MoveTo {
			k = Insert
		}
		if w.rangeK != Same && (w.rangeK != k || w.rangeM != s.Move) {
			w.closeRange()
		}
		w.markers(w.pos)
		if move && w.rangeK == Same {
			w.openRange(k, s.Move)
		}
		w.text(k, s.Text)
	}
	w.closeRange()
	w.markers(int(^uint(0) >> 1))
	w.paragraph(Same)
	out.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>` +
		`<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/>` +
		`</w:sectPr></w:body></w:document>`)
}

// text writes s as kind k, ending a paragraph at each LF and placing the
// comment markers that fall inside it.
func (w *docWriter) text(k Kind, s string) {
	for len(s) > 0 {
		w.markers(w.pos)
		limit := -1 // code points to the next marker
		if w.mi < len(w.marks) {
			limit = w.marks[w.mi].pos - w.pos
		}
		j, n := 0, 0
		for j < len(s) && s[j] != '\n' && n != limit {
			if s[j] < utf8.RuneSelf {
				j++
			} else {
				_, size := utf8.DecodeRuneInString(s[j:])
				j += size
			}
			n++
		}
		if j > 0 {
			w.container(k)
			w.p = appendRuns(w.p, s[:j], k == Delete)
			w.pos += n
			s = s[j:]
		}
		if len(s) > 0 && s[0] == '\n' {
			w.markers(w.pos)
			w.paragraph(k)
			w.pos++
			s = s[1:]
		}
	}
}

// container makes k's tracked-change container the open one.
func (w *docWriter) container(k Kind) {
	if w.open == k {
		return
	}
	w.closeContainer()
	if k == Same {
		return
	}
	w.p = append(w.p, '<')
	w.p = append(w.p, containerTag[k]...)
	w.p = w.appendID()
	w.p = append(w.p, w.attrs...)
	w.p = append(w.p, '>')
	w.open = k
}

func (w *docWriter) closeContainer() {
	if w.open == Same {
		return
	}
	w.p = append(w.p, "</"...)
	w.p = append(w.p, containerTag[w.open]...)
	w.p = append(w.p, '>')
	w.open = Same
}

// appendID appends ` w:id="N"` with a new id.
func (w *docWriter) appendID() []byte {
	w.p = append(w.p, ` w:id="`...)
	w.p = strconv.AppendInt(w.p, int64(w.id), 10)
	w.id++
	return append(w.p, '"')
}

func (w *docWriter) openRange(k Kind, move int) {
	w.closeContainer()
	w.rangeK, w.rangeM, w.rangeID = k, move, w.id
	w.p = append(w.p, '<')
	w.p = append(w.p, containerTag[k]...)
	w.p = append(w.p, "RangeStart"...)
	w.p = w.appendID()
	w.p = append(w.p, w.attrs...)
	w.p = append(w.p, ` w:name="move`...)
	w.p = strconv.AppendInt(w.p, int64(move), 10)
	w.p = append(w.p, `"/>`...)
}

func (w *docWriter) closeRange() {
	if w.rangeK == Same {
		return
	}
	w.closeContainer()
	w.p = append(w.p, '<')
	w.p = append(w.p, containerTag[w.rangeK]...)
	w.p = append(w.p, `RangeEnd w:id="`...)
	w.p = strconv.AppendInt(w.p, int64(w.rangeID), 10)
	w.p = append(w.p, `"/>`...)
	w.rangeK = Same
}

// markers writes the comment markers at offsets up to pos.
func (w *docWriter) markers(pos int) {
	for w.mi < len(w.marks) && w.marks[w.mi].pos <= pos {
		m := w.marks[w.mi]
		w.mi++
		w.closeContainer()
		if m.kind == markStart || m.kind == markPoint {
			w.p = append(w.p, `<w:commentRangeStart w:id="`...)
			w.p = strconv.AppendInt(w.p, int64(m.id), 10)
			w.p = append(w.p, `"/>`...)
		}
		if m.kind == markEnd || m.kind == markPoint {
			w.p = append(w.p, `<w:commentRangeEnd w:id="`...)
			w.p = strconv.AppendInt(w.p, int64(m.id), 10)
			w.p = append(w.p, `"/><w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="`...)
			w.p = strconv.AppendInt(w.p, int64(m.id), 10)
			w.p = append(w.p, `"/></w:r>`...)
		}
	}
}

// paragraph writes the open paragraph, its mark tracked as mark.
func (w *docWriter) paragraph(mark Kind) {
	w.closeContainer()
	w.out.WriteString("<w:p>")
	if mark != Same {
		var pPr []byte
		pPr = append(pPr, "<w:pPr><w:rPr><"...)
		pPr = append(pPr, containerTag[mark]...)
		pPr = append(pPr, ` w:id="`...)
		pPr = strconv.AppendInt(pPr, int64(w.id), 10)
		w.id++
		pPr = append(pPr, '"')
		pPr = append(pPr, w.attrs...)
		pPr = append(pPr, "/></w:rPr></w:pPr>"...)
		w.out.Write(pPr)
	}
	w.out.Write(w.p)
	w.out.WriteString("</w:p>")
	w.p = w.p[:0]
}

// writeComments writes word/comments.xml: each comment's author, initials,
// date and text, a paragraph per line.
func writeComments(out *bufio.Writer, d *Document) {
	out.WriteString(xmlHeader + `<w:comments xmlns:w="` + wordNS + `">`)
	var p []byte
	for i, c := range d.Comments {
		p = append(p[:0], `<w:comment w:id="`...)
		p = strconv.AppendInt(p, int64(i), 10)
		p = append(p, `" w:author="`...)
		p = appendEscaped(p, c.Author)
		p = append(p, '"')
		if !c.Date.IsZero() {
			p = append(p, ` w:date="`+formatDate(c.Date)+`"`...)
		}
		if c.Initials != "" {
			p = append(p, ` w:initials="`...)
			p = appendEscaped(p, c.Initials)
			p = append(p, '"')
		}
		p = append(p, '>')
		text := c.Text
		for first := true; ; first = false {
			line, rest, more := strings.Cut(text, "\n")
			p = append(p, `<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>`...)
			if first {
				p = append(p, `<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r>`...)
			}
			p = appendRuns(p, line, false)
			p = append(p, "</w:p>"...)
			if !more {
				break
			}
			text = rest
		}
		p = append(p, "</w:comment>"...)
		out.Write(p)
	}
	out.WriteString(`</w:comments>`)
}
