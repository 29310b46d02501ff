package docx

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Write writes d as a .docx package to w: the parts [Content_Types].xml,
// _rels/.rels, word/document.xml, word/styles.xml, word/settings.xml,
// word/_rels/document.xml.rels, docProps/core.xml, docProps/app.xml and,
// only when d has comments, word/comments.xml, in that order, each deflated
// and dated 1980-01-01 00:00 UTC (a fixed time that says nothing about when
// the file was made), so the same Document always gives the same bytes.
//
// Each LF of the segments' text ends a paragraph; the text after the last LF
// is the last paragraph (an empty text is one empty paragraph). An LF inside
// a tracked segment is a tracked paragraph mark, so accepting every change
// gives the concatenation of the Same, Insert and MoveTo texts and rejecting
// every change that of the Same, Delete and MoveFrom texts. A MoveFrom or
// MoveTo whose Move id is zero, or has no segment on the other side, is
// written as a plain deletion or insertion.
//
// A character XML 1.0 cannot hold (U+0000–U+001F but TAB and LF, U+FFFE,
// U+FFFF) is written as <w:sym w:char="XXXX"/> with its code point, so a
// reader that maps w:char back gives the text exactly; in metadata and
// comments' authors it becomes U+FFFD. A comment's range is clamped to the
// text (End below Start is taken as Start). Write refuses, with an error and
// nothing written, a text that is not valid UTF-8 or a segment of unknown Kind.
func Write(w io.Writer, d Document) error {
	if err := check(d); err != nil {
		return err
	}
	moves := pairedMoves(d.Segments)
	tracked := false
	for _, s := range d.Segments {
		if s.Kind != Same && s.Text != "" {
			tracked = true
			break
		}
	}
	type part struct {
		name  string
		write func(*bufio.Writer)
	}
	parts := []part{
		{"[Content_Types].xml", func(b *bufio.Writer) { writeContentTypes(b, len(d.Comments) > 0) }},
		{"_rels/.rels", func(b *bufio.Writer) { b.WriteString(packageRels) }},
		{"word/document.xml", func(b *bufio.Writer) { writeDocument(b, &d, moves) }},
		{"word/styles.xml", func(b *bufio.Writer) { b.WriteString(styles) }},
		{"word/settings.xml", func(b *bufio.Writer) { writeSettings(b, tracked) }},
		{"word/_rels/document.xml.rels", func(b *bufio.Writer) { writeDocumentRels(b, len(d.Comments) > 0) }},
		{"docProps/core.xml", func(b *bufio.Writer) { writeCore(b, &d) }},
		{"docProps/app.xml", func(b *bufio.Writer) { b.WriteString(appProps) }},
	}
	if len(d.Comments) > 0 {
		parts = append(parts, part{"word/comments.xml", func(b *bufio.Writer) { writeComments(b, &d) }})
	}
	z := zip.NewWriter(w)
	// BestSpeed: a 3 MB text deflates in a few milliseconds instead of tens.
	// One compressor serves every part (each costs a megabyte to make).
	var fl *flate.Writer
	z.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if fl == nil {
			var err error
			fl, err = flate.NewWriter(out, flate.BestSpeed)
			return fl, err
		}
		fl.Reset(out)
		return fl, nil
	})
	var b *bufio.Writer
	for _, p := range parts {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return fmt.Errorf("docx: %w", err)
		}
		if b == nil {
			b = bufio.NewWriterSize(fw, 64<<10)
		} else {
			b.Reset(fw)
		}
		p.write(b)
		if err := b.Flush(); err != nil {
			return fmt.Errorf("docx: %w", err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("docx: %w", err)
	}
	return nil
}

// zipTime is every zip entry's time: the earliest a zip can say.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// check refuses a Document Write cannot write faithfully.
func check(d Document) error {
	for i, s := range d.Segments {
		if s.Kind > MoveTo {
			return fmt.Errorf("docx: segment %d has unknown kind %d", i, s.Kind)
		}
		if !utf8.ValidString(s.Text) {
			return fmt.Errorf("docx: segment %d is not valid UTF-8", i)
		}
	}
	for i, c := range d.Comments {
		if !utf8.ValidString(c.Text) || !utf8.ValidString(c.Author) || !utf8.ValidString(c.Initials) {
			return fmt.Errorf("docx: comment %d is not valid UTF-8", i)
		}
	}
	if !utf8.ValidString(d.Title) || !utf8.ValidString(d.Creator) || !utf8.ValidString(d.Author) {
		return errors.New("docx: metadata is not valid UTF-8")
	}
	return nil
}

// pairedMoves returns the move ids that have both a MoveFrom and a MoveTo
// segment with text.
func pairedMoves(segs []Segment) map[int]bool {
	var from, to map[int]bool
	for _, s := range segs {
		if s.Move == 0 || s.Text == "" {
			continue
		}
		switch s.Kind {
		case MoveFrom:
			if from == nil {
				from = map[int]bool{}
			}
			from[s.Move] = true
		case MoveTo:
			if to == nil {
				to = map[int]bool{}
			}
			to[s.Move] = true
		}
	}
	paired := map[int]bool{}
	for id := range from {
		if to[id] {
			paired[id] = true
		}
	}
	return paired
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const wordNS = `http://schemas.openxmlformats.org/wordprocessingml/2006/main`

func writeContentTypes(b *bufio.Writer, comments bool) {
	b.WriteString(xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
		`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
		`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>`)
	if comments {
		b.WriteString(`<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>`)
	}
	b.WriteString(`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
		`</Types>`)
}

const packageRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
	`</Relationships>`

func writeDocumentRels(b *bufio.Writer, comments bool) {
	b.WriteString(xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>`)
	if comments {
		b.WriteString(`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/>`)
	}
	b.WriteString(`</Relationships>`)
}

// The font is a serif every office suite has or substitutes metrically
// (LibreOffice: Liberation Serif); 12 pt, a little space after paragraphs.
const styles = xmlHeader + `<w:styles xmlns:w="` + wordNS + `">` +
	`<w:docDefaults><w:rPrDefault><w:rPr>` +
	`<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>` +
	`<w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-GB"/>` +
	`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="CommentText"><w:name w:val="annotation text"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>` +
	`<w:style w:type="character" w:styleId="CommentReference"><w:name w:val="annotation reference"/><w:basedOn w:val="DefaultParagraphFont"/><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>` +
	`</w:styles>`

// writeSettings turns track changes on in a document that holds tracked
// changes, so that whoever edits a redline further leaves tracked changes too.
func writeSettings(b *bufio.Writer, tracked bool) {
	b.WriteString(xmlHeader + `<w:settings xmlns:w="` + wordNS + `">`)
	if tracked {
		b.WriteString(`<w:trackRevisions/>`)
	}
	b.WriteString(`<w:defaultTabStop w:val="720"/>` +
		`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
		`</w:settings>`)
}

const appProps = xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>mra</Application></Properties>`

// writeCore writes the core properties: the title, creator and last modifier
// and the two dates, each only when the Document has it.
func writeCore(b *bufio.Writer, d *Document) {
	var p []byte
	p = append(p, xmlHeader+`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`...)
	elem := func(name, v string) {
		if v == "" {
			return
		}
		p = append(p, '<')
		p = append(p, name...)
		p = append(p, '>')
		p = appendEscaped(p, v)
		p = append(p, "</"...)
		p = append(p, name...)
		p = append(p, '>')
	}
	elem("dc:title", d.Title)
	elem("dc:creator", d.Creator)
	elem("cp:lastModifiedBy", d.Creator)
	if !d.Date.IsZero() {
		t := formatDate(d.Date)
		p = append(p, `<dcterms:created xsi:type="dcterms:W3CDTF">`+t+`</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">`+t+`</dcterms:modified>`...)
	}
	p = append(p, `</cp:coreProperties>`...)
	b.Write(p)
}

// formatDate is t in UTC to the second, as W3CDTF and w:date want it.
func formatDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// changeAttrs is ` w:author="…" w:date="…"` for every tracked change.
func changeAttrs(author string, date time.Time) []byte {
	a := []byte(` w:author="`)
	a = appendEscaped(a, author)
	a = append(a, '"')
	if !date.IsZero() {
		a = append(a, ` w:date="`+formatDate(date)+`"`...)
	}
	return a
}

// appendEscaped appends s escaped as encoding/xml.EscapeText does, for text
// and attribute values alike: &<>"' as entities, TAB, LF and CR as character
// references, and characters XML cannot hold as U+FFFD.
func appendEscaped(p []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			var esc string
			switch c {
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '"':
				esc = "&#34;"
			case '\'':
				esc = "&#39;"
			case '\t':
				esc = "&#x9;"
			case '\n':
				esc = "&#xA;"
			case '\r':
				esc = "&#xD;"
			default:
				if c >= 0x20 {
					i++
					continue
				}
				esc = "\uFFFD"
			}
			p = append(p, s[last:i]...)
			p = append(p, esc...)
			i++
			last = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError && n == 1 {
			p = append(p, s[last:i]...)
			p = append(p, "\uFFFD"...)
			i += n
			last = i
			continue
		}
		i += n
	}
	return append(p, s[last:]...)
}

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
