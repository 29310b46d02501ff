package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"
)

// Options changes how Read reads tracked changes.
type Options struct {
	// Reject reads the document as if every tracked change were rejected
	// (insertions dropped, deletions kept); the default accepts them all.
	Reject bool
}

// Bounds on what Read reads (see Read).
const (
	maxEntries  = 2000     // zip entries
	maxUnzipped = 64 << 20 // bytes decompressed, all parts read together, counted as read
	maxDepth    = 256      // XML element nesting, and complex fields nested
	maxText     = 8 << 20  // the text, as mra.MaxTextBytes (read_test checks they agree)
)

const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsStrict  = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	nsMC      = "http://schemas.openxmlformats.org/markup-compatibility/2006"
	nsMath    = "http://schemas.openxmlformats.org/officeDocument/2006/math"
	nsXML     = "http://www.w3.org/XML/1998/namespace"
	relNS     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	relStrict = "http://purl.oclc.org/ooxml/officeDocument/relationships/"
	oleMagic  = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"

	strictReason = "strict OOXML is not supported; save as Word Document (.docx)"
)

// Read reads a .docx package's body text (word/document.xml, found through
// the package's relationships).
//
// Text has one line per body paragraph, tables' cells' paragraphs in
// reading order (nested tables too), joined by LF with no LF after the last:
// every paragraph counts, empty ones too, so a document whose last paragraph
// is empty ends with LF, and the paragraphs of strings.Split(text, "\n")
// read back as text exactly. Within a paragraph: runs' text (leading and
// trailing spaces of a w:t without xml:space="preserve" dropped, as Word
// does), w:tab as TAB, a line break (w:br, w:cr) as LF (Word shows a new
// line; a page or column break adds nothing), w:noBreakHyphen as U+2011,
// w:softHyphen as U+00AD, w:sym as its character, fields' visible result
// (never their instructions), hyperlinks', smart tags', content controls'
// and equations' text, and one branch of an mc:AlternateContent (the first
// choice, else the fallback). Hidden text (a run with w:vanish) is left out,
// as Word shows and prints the document, and counted in Hidden: a drafter's
// hidden note must not slip into a proposal the other side reads.
// Text boxes, drawings, embedded objects and w:altChunk parts are left out,
// as are headers, footers, footnotes, endnotes and comments, which are only
// counted; a footnote's reference mark adds nothing.
//
// Tracked changes are accepted (w:ins and w:moveTo kept, w:del and
// w:moveFrom dropped), or all rejected with opt.Reject. A paragraph whose
// mark is deleted (inserted, when rejecting) joins the next one, which gives
// the joined paragraph its numbering; a deleted table row (inserted, when
// rejecting) goes with its paragraphs, and a merged cell reads once, with
// the first cell's paragraphs (as Word shows it). Formatting changes (w:rPrChange,
// w:pPrChange...) change nothing. TrackedChanges counts the body's w:ins,
// w:del, w:moveFrom and w:moveTo elements, around runs, on paragraph marks
// and on table rows, each once, whichever way they are read.
//
// Automatic numbering is prefixed as Word shows it ("Article 7\t", "1.\t",
// "(a) ") with its suffix; a bullet reads as its character (• for symbol
// fonts' private code points) and its suffix.
//
// Paragraphs counts the body paragraphs in Text (paragraphs joined through
// a deleted mark count once; line breaks add none). Headers and Footers
// count the document's header and footer parts; Footnotes, Endnotes and
// Comments their notes (separators aside) and comments.
//
// A document Read cannot read honestly is an *Error: not a zip, no main
// document, an OLE file (encrypted, or a legacy .doc), strict OOXML, a zip
// bomb (over 64 MiB decompressed, counted while reading, or over 2,000
// entries), a DTD or entity, nesting deeper than 256, text over 8 MiB,
// XML that is not well-formed or not UTF-8.
func Read(data []byte, opt Options) (Report, error) {
	if strings.HasPrefix(string(data[:min(len(data), 8)]), oleMagic) {
		return Report{}, oleError(data)
	}
	// Count the central directory's headers before archive/zip makes a
	// File of each (a header's signature in compressed data only overcounts).
	tooMany := bad(fmt.Sprintf("the zip has more than %d entries: refused as a possible zip bomb", maxEntries))
	if bytes.Count(data, []byte("PK\x01\x02")) > maxEntries {
		return Report{}, tooMany
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return Report{}, bad("not a zip file: a .docx is a zip package")
	}
	if len(zr.File) > maxEntries {
		return Report{}, tooMany
	}
	p := &pkg{files: map[string]*zip.File{}, budget: maxUnzipped}
	for _, f := range zr.File {
		name := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		if _, dup := p.files[name]; !dup {
			p.files[name] = f
		}
	}
	main, err := p.mainPart()
	if err != nil {
		return Report{}, err
	}
	rels, err := p.rels(main)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	num := newNumbering()
	dir := path.Dir(main)
	part := func(typ, fallback string) string {
		if t := rels.first(typ); t != "" {
			return t
		}
		if rels.found {
			return ""
		}
		return path.Join(dir, fallback)
	}
	if name := part("styles", "styles.xml"); p.has(name) {
		if err := p.decode(name, num.readStyles); err != nil {
			return Report{}, err
		}
	}
	if name := part("numbering", "numbering.xml"); p.has(name) {
		if err := p.decode(name, num.readNumbering); err != nil {
			return Report{}, err
		}
	}
	b := &body{opt: opt, num: num}
	if err := p.decode(main, b.read); err != nil {
		return Report{}, err
	}
	rep.Text, rep.Paragraphs, rep.TrackedChanges, rep.Hidden = b.out.String(), b.paras, b.changes, b.vanish
	if !utf8.ValidString(rep.Text) {
		return Report{}, bad("the document's text is not valid UTF-8")
	}
	rep.Headers, rep.Footers = rels.count(p, "header"), rels.count(p, "footer")
	for _, c := range []struct {
		typ, fallback, elem string
		n                   *int
	}{
		{"footnotes", "footnotes.xml", "footnote", &rep.Footnotes},
		{"endnotes", "endnotes.xml", "endnote", &rep.Endnotes},
		{"comments", "comments.xml", "comment", &rep.Comments},
	} {
		name := part(c.typ, c.fallback)
		if !p.has(name) {
			continue
		}
		if err := p.decode(name, func(s *xmlStream) error { return countNotes(s, c.elem, c.n) }); err != nil {
			return Report{}, err
		}
	}
	return rep, nil
}

func bad(reason string) *Error { return &Error{Reason: reason} }

// body reads word/document.xml's body, one token at a time.
type body struct {
	opt     Options
	num     *numbering
	s       *xmlStream
	out     strings.Builder // the paragraphs written
	group   strings.Builder // paragraphs joined through deleted marks, not yet written
	cur     []byte          // the paragraph being read
	joining bool            // group holds text waiting for the next paragraph
	paras   int
	changes int
	inPara  bool
	para    paraProps
	drop    int    // tracked-change containers around here whose text is dropped
	fields  []bool // open complex fields: true while in the instruction
	hidden  int    // a dropped table row, a merged cell's continuation or a hidden run around here: its text is not read
	inRun   bool
	vanish  int // hidden runs left out
}

type paraProps struct {
	num     paraNum
	markIns bool // the paragraph mark is inserted (w:ins, w:moveTo)
	markDel bool // the paragraph mark is deleted (w:del, w:moveFrom)
}

func (b *body) read(s *xmlStream) error {
	b.s = s
	for {
		t, err := s.next()
		if err != nil {
			if err == io.EOF {
				return bad("the main document is empty")
			}
			return err
		}
		st, ok := t.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case st.Name.Space == nsStrict:
			return bad(strictReason)
		case st.Name.Space != nsW || st.Name.Local != "document":
			return bad("the main part is not a Word document")
		}
		return s.children(func(c xml.StartElement) error {
			if c.Name.Space != nsW || c.Name.Local != "body" {
				return s.skip()
			}
			if err := b.walk(); err != nil {
				return err
			}
			return b.flush()
		})
	}
}

// walk reads the content of the element just started, to its end.
func (b *body) walk() error {
	return b.s.children(b.element)
}

// dropped says whether text here is left out.
func (b *body) dropped() bool {
	if b.drop > 0 || b.hidden > 0 || !b.inPara {
		return true
	}
	for _, instr := range b.fields { // a field's result inside another's instruction is not shown
		if instr {
			return true
		}
	}
	return false
}

func (b *body) emit(s string) error {
	if b.dropped() {
		return nil
	}
	if b.out.Len()+b.group.Len()+len(b.cur)+len(s) > maxText {
		return bad(fmt.Sprintf("the document's text is over %d MiB", maxText>>20))
	}
	b.cur = append(b.cur, s...)
	return nil
}

func (b *body) element(t xml.StartElement) error {
	s := b.s
	switch t.Name.Space {
	case nsW:
	case nsMC:
		if t.Name.Local == "AlternateContent" {
			return b.alternate()
		}
		return s.skip()
	case nsMath:
		if t.Name.Local == "t" {
			return b.text(true, true)
		}
		return b.walk()
	default:
		return s.skip() // drawings, VML, other vendors' markup
	}
	switch t.Name.Local {
	case "p":
		return b.paragraph()
	case "pPr":
		if !b.inPara {
			return s.skip()
		}
		return b.pPr()
	case "t":
		return b.text(true, attrSpace(t))
	case "delText":
		return b.text(b.opt.Reject, attrSpace(t))
	case "tab", "ptab":
		return b.emitSkip("\t")
	case "br":
		if typ, _ := wattr(t, "type"); typ == "page" || typ == "column" {
			return s.skip()
		}
		return b.emitSkip("\n")
	case "cr":
		return b.emitSkip("\n")
	case "noBreakHyphen":
		return b.emitSkip("\u2011")
	case "softHyphen":
		return b.emitSkip("\u00ad")
	case "sym":
		return b.emitSkip(symChar(t))
	case "fldChar":
		typ, _ := wattr(t, "fldCharType")
		switch typ {
		case "begin":
			if len(b.fields) >= maxDepth {
				return bad(fmt.Sprintf("fields nest deeper than %d", maxDepth))
			}
			b.fields = append(b.fields, true)
		case "separate":
			if len(b.fields) > 0 {
				b.fields[len(b.fields)-1] = false
			}
		case "end":
			if len(b.fields) > 0 {
				b.fields = b.fields[:len(b.fields)-1]
			}
		}
		return s.skip()
	case "ins", "moveTo":
		return b.change(b.opt.Reject)
	case "del", "moveFrom":
		return b.change(!b.opt.Reject)
	case "r":
		saved := b.hidden
		b.inRun = true
		err := b.walk()
		b.inRun, b.hidden = false, saved
		return err
	case "rPr":
		if !b.inRun {
			return s.skip()
		}
		return s.children(func(c xml.StartElement) error {
			if c.Name.Space == nsW && c.Name.Local == "vanish" {
				if v, _ := wval(c); v != "0" && v != "false" && v != "off" {
					b.hidden++
					b.vanish++
				}
			}
			return s.skip()
		})
	case "tr", "tc":
		saved := b.hidden
		err := b.walk()
		b.hidden = saved
		return err
	case "tcPr":
		return s.children(func(c xml.StartElement) error {
			if c.Name.Space == nsW && (c.Name.Local == "vMerge" || c.Name.Local == "hMerge") {
				if v, _ := wval(c); v != "restart" {
					b.hidden++ // Word shows a merged cell once, with the first cell's text
				}
			}
			return s.skip()
		})
	case "trPr":
		return s.children(func(c xml.StartElement) error {
			if c.Name.Space == nsW {
				switch c.Name.Local {
				case "ins":
					b.changes++
					if b.opt.Reject {
						b.hidden++
					}
				case "del":
					b.changes++
					if !b.opt.Reject {
						b.hidden++
					}
				}
			}
			return s.skip()
		})
	case "sectPr", "tblPr", "tblGrid", "tblPrEx", "sdtPr", "sdtEndPr",
		"instrText", "delInstrText", "fldData", "ffData", "rt", "drawing", "pict", "object",
		"txbxContent", "customXmlPr", "smartTagPr", "altChunk", "subDoc", "control",
		"footnoteReference", "endnoteReference", "commentReference", "annotationRef",
		"footnoteRef", "endnoteRef", "separator", "continuationSeparator", "background":
		return s.skip()
	}
	if strings.HasSuffix(t.Name.Local, "Change") { // rPrChange, pPrChange, numberingChange...
		return s.skip()
	}
	return b.walk() // hyperlink, smartTag, sdt, sdtContent, fldSimple, customXml, tbl, tc, r, dir, bdo...
}

func (b *body) emitSkip(text string) error {
	if err := b.emit(text); err != nil {
		return err
	}
	return b.s.skip()
}

// change reads a tracked-change container (w:ins, w:del, w:moveFrom,
// w:moveTo) around runs; drop says its text is left out.
func (b *body) change(drop bool) error {
	b.changes++
	if drop {
		b.drop++
		defer func() { b.drop-- }()
	}
	return b.walk()
}

// alternate reads an mc:AlternateContent: its first mc:Choice, else its
// mc:Fallback, never both.
func (b *body) alternate() error {
	taken := false
	return b.s.children(func(c xml.StartElement) error {
		if c.Name.Space == nsMC && (c.Name.Local == "Choice" || c.Name.Local == "Fallback") && !taken {
			taken = true
			return b.walk()
		}
		return b.s.skip()
	})
}

func attrSpace(t xml.StartElement) bool {
	for _, a := range t.Attr {
		if a.Name.Local == "space" && a.Name.Space == nsXML {
			return a.Value == "preserve"
		}
	}
	return false
}

// symChar is a w:sym's character (w:char, hexadecimal), whatever it is: the
// writer writes the characters XML cannot hold (controls, U+FFFE, U+FFFF) so.
// Nothing when w:char is not a character.
func symChar(t xml.StartElement) string {
	v, _ := wattr(t, "char")
	var r rune
	if len(v) == 0 || len(v) > 6 {
		return ""
	}
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | (c - '0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | (c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | (c - 'A' + 10)
		default:
			return ""
		}
	}
	if !utf8.ValidRune(r) {
		return ""
	}
	return string(r)
}

// text reads a w:t, w:delText or m:t; keep says whether its text counts.
// Without xml:space="preserve", leading and trailing white space is dropped
// (Word shows none); a line feed inside reads as a space.
func (b *body) text(keep, preserve bool) error {
	keep = keep && !b.dropped()
	start := len(b.cur)
	for {
		t, err := b.s.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := t.(type) {
		case xml.CharData:
			if keep {
				if len(b.cur)+len(t)+b.out.Len()+b.group.Len() > maxText {
					return bad(fmt.Sprintf("the document's text is over %d MiB", maxText>>20))
				}
				b.cur = append(b.cur, t...)
			}
		case xml.StartElement:
			if err := b.s.skip(); err != nil {
				return err
			}
		case xml.EndElement:
			if !keep {
				return nil
			}
			piece := b.cur[start:]
			if !preserve {
				piece = bytes.Trim(piece, " \t\r\n")
				n := copy(b.cur[start:], piece)
				b.cur = b.cur[:start+n]
				piece = b.cur[start:]
			}
			for i, c := range piece {
				if c == '\n' || c == '\r' {
					piece[i] = ' '
				}
			}
			return nil
		}
	}
}

// paragraph reads a w:p. A paragraph inside a paragraph (not valid
// WordprocessingML) is skipped.
func (b *body) paragraph() error {
	if b.inPara {
		return b.s.skip()
	}
	b.inPara, b.para = true, paraProps{}
	b.cur = b.cur[:0]
	err := b.walk()
	b.inPara = false
	if err != nil {
		return err
	}
	if b.hidden > 0 {
		return nil
	}
	b.group.Write(b.cur)
	if b.para.markDel && !b.opt.Reject || b.para.markIns && b.opt.Reject {
		b.joining = true
		return nil
	}
	return b.write()
}

// write writes the group of paragraphs read as one paragraph, numbered as
// the last of them (whose mark remains).
func (b *body) write() error {
	label := b.num.label(b.para.num)
	if b.out.Len()+len(label)+b.group.Len()+1 > maxText {
		return bad(fmt.Sprintf("the document's text is over %d MiB", maxText>>20))
	}
	if b.paras > 0 {
		b.out.WriteByte('\n')
	}
	b.out.WriteString(label)
	b.out.WriteString(b.group.String())
	b.group.Reset()
	b.joining = false
	b.paras++
	return nil
}

// flush writes what the body's last paragraph left joining.
func (b *body) flush() error {
	if b.joining {
		return b.write()
	}
	return nil
}

// pPr reads a paragraph's properties: its style, numbering and mark.
func (b *body) pPr() error {
	s := b.s
	return s.children(func(c xml.StartElement) error {
		if c.Name.Space != nsW {
			return s.skip()
		}
		switch c.Name.Local {
		case "pStyle":
			b.para.num.style, _ = wval(c)
		case "numPr":
			n := &b.para.num
			return readNumPr(s, &n.numID, &n.hasNumID, &n.ilvl, &n.hasIlvl)
		case "rPr":
			return s.children(func(m xml.StartElement) error {
				if m.Name.Space == nsW {
					switch m.Name.Local {
					case "ins", "moveTo":
						b.changes++
						b.para.markIns = true
					case "del", "moveFrom":
						b.changes++
						b.para.markDel = true
					}
				}
				return s.skip()
			})
		}
		return s.skip()
	})
}
