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
// choice, else the fallback). Text boxes, drawings and embedded objects are
// left out, as are headers, footers, footnotes, endnotes and comments, which
// are only counted; a footnote's reference mark adds nothing.
//
// Tracked changes are accepted (w:ins and w:moveTo kept, w:del and
// w:moveFrom dropped), or all rejected with opt.Reject. A paragraph whose
// mark is deleted (inserted, when rejecting) joins the next one, which gives
// the joined paragraph its numbering; a deleted table row (inserted, when
// rejecting) goes with its paragraphs. Formatting changes (w:rPrChange,
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
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return Report{}, bad("not a zip file: a .docx is a zip package")
	}
	if len(zr.File) > maxEntries {
		return Report{}, bad(fmt.Sprintf("the zip has %d entries, more than %d: refused as a possible zip bomb", len(zr.File), maxEntries))
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
	rep.Text, rep.Paragraphs, rep.TrackedChanges = b.out.String(), b.paras, b.changes
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

// oleError names what an OLE compound file is: Word saves an encrypted
// .docx as one (with an EncryptedPackage stream), and a legacy .doc is one
// (with a WordDocument stream). Stream names are UTF-16LE in the directory.
func oleError(data []byte) error {
	utf16 := func(s string) []byte {
		b := make([]byte, 0, 2*len(s))
		for i := range len(s) {
			b = append(b, s[i], 0)
		}
		return b
	}
	switch {
	case bytes.Contains(data, utf16("EncryptedPackage")) || bytes.Contains(data, utf16("EncryptionInfo")):
		return bad("the document is encrypted or password-protected: remove the password in Word and save it again")
	case bytes.Contains(data, utf16("WordDocument")):
		return bad("a legacy Word 97-2003 document (.doc): save it as Word Document (.docx)")
	}
	return bad("an OLE compound file, not a .docx: an encrypted or password-protected document, or a legacy .doc")
}

// pkg is the zip package being read, with the decompression budget left.
type pkg struct {
	files  map[string]*zip.File // by lower-case part name, no leading slash
	budget int64
}

func (p *pkg) has(name string) bool { return name != "" && p.files[strings.ToLower(name)] != nil }

var errBudget = errors.New("docx: decompression budget spent")

// budgetReader counts bytes read against the package's budget.
type budgetReader struct {
	r    io.Reader
	p    *pkg
	over bool
}

func (b *budgetReader) Read(q []byte) (int, error) {
	if b.p.budget <= 0 {
		b.over = true
		return 0, errBudget
	}
	if int64(len(q)) > b.p.budget {
		q = q[:b.p.budget]
	}
	n, err := b.r.Read(q)
	b.p.budget -= int64(n)
	return n, err
}

// decode streams the part name through fn, with the bounds applied, and
// turns what goes wrong into an *Error naming the part.
func (p *pkg) decode(name string, fn func(*xmlStream) error) error {
	f := p.files[strings.ToLower(name)]
	if f == nil {
		return bad("no " + name + " in the package")
	}
	if f.Flags&1 != 0 {
		return bad("the zip's entries are encrypted: remove the password and save it again")
	}
	rc, err := f.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return bad(name + " uses a zip compression method that is not supported")
		}
		return bad(name + " cannot be read from the zip: the file is damaged")
	}
	defer rc.Close()
	br := &budgetReader{r: rc, p: p}
	d := xml.NewDecoder(br)
	s := &xmlStream{d: d, part: name}
	err = fn(s)
	switch {
	case br.over:
		return bad(fmt.Sprintf("the package decompresses to more than %d MiB: refused as a possible zip bomb", maxUnzipped>>20))
	case err == nil:
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if strings.Contains(se.Msg, "invalid UTF-8") {
			return bad(fmt.Sprintf("%s is not valid UTF-8 (line %d)", name, se.Line))
		}
		return bad(fmt.Sprintf("%s is not well-formed XML (line %d)", name, se.Line))
	}
	if strings.Contains(err.Error(), "CharsetReader") {
		return bad(name + " is not in UTF-8")
	}
	return bad(name + " cannot be read from the zip: the file is damaged")
}

// xmlStream is a token stream with the nesting bound and no directives.
type xmlStream struct {
	d     *xml.Decoder
	part  string
	depth int
}

func (s *xmlStream) next() (xml.Token, error) {
	t, err := s.d.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case xml.StartElement:
		s.depth++
		if s.depth > maxDepth {
			return nil, bad(fmt.Sprintf("%s nests elements deeper than %d", s.part, maxDepth))
		}
	case xml.EndElement:
		s.depth--
	case xml.Directive:
		_ = t
		return nil, bad(s.part + " has a DTD or entity declarations (<!DOCTYPE ...>), which are refused")
	}
	return t, nil
}

// skip reads to the end of the element just started.
func (s *xmlStream) skip() error {
	for depth := 1; depth > 0; {
		t, err := s.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// children calls fn for each child element of the element just started, up
// to its end; fn must consume the child (s.skip() at least).
func (s *xmlStream) children(fn func(xml.StartElement) error) error {
	for {
		t, err := s.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// unexpectedEOF: inside an element, the end of the part is a syntax error.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return &xml.SyntaxError{Msg: "unexpected EOF", Line: 0}
	}
	return err
}

// eofOK: at the top level, the end of the part ends the reading.
func eofOK(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

// readAll reads a small part whole, through the budget.
func (p *pkg) readRels(name string, fn func(xml.StartElement)) error {
	return p.decode(name, func(s *xmlStream) error {
		for {
			t, err := s.next()
			if err != nil {
				return eofOK(err)
			}
			if st, ok := t.(xml.StartElement); ok {
				fn(st)
			}
		}
	})
}

func attr(st xml.StartElement, local string) string {
	for _, a := range st.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// mainPart finds the main document: the package's officeDocument
// relationship, else [Content_Types].xml's main document part, else
// word/document.xml.
func (p *pkg) mainPart() (string, error) {
	var candidates []string
	strict := false
	if p.has("_rels/.rels") {
		err := p.readRels("_rels/.rels", func(st xml.StartElement) {
			if st.Name.Local != "Relationship" || attr(st, "TargetMode") == "External" {
				return
			}
			switch attr(st, "Type") {
			case relNS + "officeDocument":
				candidates = append(candidates, resolveTarget("", attr(st, "Target")))
			case relStrict + "officeDocument":
				strict = true
			}
		})
		if err != nil {
			return "", err
		}
	}
	if p.has("[content_types].xml") {
		err := p.readRels("[Content_Types].xml", func(st xml.StartElement) {
			if st.Name.Local != "Override" {
				return
			}
			ct := attr(st, "ContentType")
			if strings.HasPrefix(ct, "application/vnd.openxmlformats-officedocument.wordprocessingml.") && strings.HasSuffix(ct, ".main+xml") ||
				strings.HasPrefix(ct, "application/vnd.ms-word.") && strings.HasSuffix(ct, ".main+xml") {
				candidates = append(candidates, resolveTarget("", attr(st, "PartName")))
			}
		})
		if err != nil {
			return "", err
		}
	}
	candidates = append(candidates, "word/document.xml")
	for _, c := range candidates {
		if p.has(c) {
			return c, nil
		}
	}
	if strict {
		return "", bad(strictReason)
	}
	return "", bad("no main document (word/document.xml) in the zip: not a Word document")
}

// resolveTarget resolves a relationship target against the source part's
// folder; the result has no leading slash.
func resolveTarget(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(path.Join("/", dir, target)), "/")
}

// relations are the main document's relationships, by type's last segment.
type relations struct {
	found   bool // the document has a relationships part
	targets map[string][]string
}

func (r relations) first(typ string) string {
	if t := r.targets[typ]; len(t) > 0 {
		return t[0]
	}
	return ""
}

// count counts the distinct existing parts of one type.
func (r relations) count(p *pkg, typ string) int {
	seen := map[string]bool{}
	for _, t := range r.targets[typ] {
		if p.has(t) {
			seen[strings.ToLower(t)] = true
		}
	}
	return len(seen)
}

func (p *pkg) rels(main string) (relations, error) {
	r := relations{targets: map[string][]string{}}
	dir, file := path.Split(main)
	name := dir + "_rels/" + file + ".rels"
	if !p.has(name) {
		return r, nil
	}
	r.found = true
	err := p.readRels(name, func(st xml.StartElement) {
		if st.Name.Local != "Relationship" || attr(st, "TargetMode") == "External" {
			return
		}
		typ := attr(st, "Type")
		if !strings.HasPrefix(typ, relNS) && !strings.HasPrefix(typ, relStrict) {
			return
		}
		typ = typ[strings.LastIndexByte(typ, '/')+1:]
		r.targets[typ] = append(r.targets[typ], resolveTarget(path.Dir(main), attr(st, "Target")))
	})
	return r, err
}

// countNotes counts the top-level notes or comments of a part, leaving out
// footnote separators.
func countNotes(s *xmlStream, elem string, n *int) error {
	for {
		t, err := s.next()
		if err != nil {
			return eofOK(err)
		}
		st, ok := t.(xml.StartElement)
		if !ok || s.depth != 2 || st.Name.Space != nsW || st.Name.Local != elem {
			continue
		}
		if typ, _ := wattr(st, "type"); typ == "" || typ == "normal" {
			*n++
		}
		if err := s.skip(); err != nil {
			return err
		}
	}
}

// body reads word/document.xml's body, one token at a time.
type body struct {
	opt     Options
	num     *numbering
	s       *xmlStream
	out     strings.Builder // the paragraphs written
	group   strings.Builder // paragraphs joined through deleted marks, not yet written
	cur     strings.Builder // the paragraph being read
	joining bool            // group holds text waiting for the next paragraph
	paras   int
	changes int
	inPara  bool
	para    paraProps
	drop    int    // tracked-change containers around here whose text is dropped
	fields  []bool // open complex fields: true while in the instruction
	rowDrop int    // dropped table rows around here
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
	if b.drop > 0 || b.rowDrop > 0 || !b.inPara {
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
	if b.out.Len()+b.group.Len()+b.cur.Len()+len(s) > maxText {
		return bad(fmt.Sprintf("the document's text is over %d MiB", maxText>>20))
	}
	b.cur.WriteString(s)
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
	case "tr":
		saved := b.rowDrop
		err := b.walk()
		b.rowDrop = saved
		return err
	case "trPr":
		return s.children(func(c xml.StartElement) error {
			if c.Name.Space == nsW {
				switch c.Name.Local {
				case "ins":
					b.changes++
					if b.opt.Reject {
						b.rowDrop++
					}
				case "del":
					b.changes++
					if !b.opt.Reject {
						b.rowDrop++
					}
				}
			}
			return s.skip()
		})
	case "rPr", "sectPr", "tblPr", "tblGrid", "tcPr", "tblPrEx", "sdtPr", "sdtEndPr",
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

// symChar is a w:sym's character (w:char, hexadecimal), or nothing when it
// is not a character.
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
	if r < ' ' || !utf8.ValidRune(r) {
		return ""
	}
	return string(r)
}

// text reads a w:t, w:delText or m:t; keep says whether its text counts.
// Without xml:space="preserve", leading and trailing white space is dropped
// (Word shows none); a line feed inside reads as a space.
func (b *body) text(keep, preserve bool) error {
	keep = keep && !b.dropped()
	var buf []byte
	for {
		t, err := b.s.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := t.(type) {
		case xml.CharData:
			if keep {
				if len(buf)+len(t)+b.out.Len()+b.group.Len()+b.cur.Len() > maxText {
					return bad(fmt.Sprintf("the document's text is over %d MiB", maxText>>20))
				}
				buf = append(buf, t...)
			}
		case xml.StartElement:
			if err := b.s.skip(); err != nil {
				return err
			}
		case xml.EndElement:
			if !keep {
				return nil
			}
			if !preserve {
				buf = bytes.Trim(buf, " \t\r\n")
			}
			for i, c := range buf {
				if c == '\n' || c == '\r' {
					buf[i] = ' '
				}
			}
			return b.emit(string(buf))
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
	b.cur.Reset()
	err := b.walk()
	b.inPara = false
	if err != nil {
		return err
	}
	if b.rowDrop > 0 {
		return nil
	}
	b.group.WriteString(b.cur.String())
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
