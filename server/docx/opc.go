package docx

// The package around the document: the zip, read from memory within a
// decompression budget; the relationships and content types that name the
// parts; and the token stream every part is read through, which refuses
// directives (a DTD, entities) and nesting deeper than maxDepth.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

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
func (p *pkg) decode(part string, fn func(*xmlStream) error) error {
	f := p.files[strings.ToLower(part)]
	name := shownName(part)
	if f == nil {
		return bad("no " + name + " in the package")
	}
	bomb := bad(fmt.Sprintf("the package decompresses to more than %d MiB: refused as a possible zip bomb", maxUnzipped>>20))
	if f.UncompressedSize64 > uint64(max(p.budget, 0)) {
		return bomb // archive/zip never reads past the declared size, so a smaller one is counted below
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
		return bomb
	case err == nil:
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		switch {
		case strings.Contains(se.Msg, "invalid UTF-8"):
			return bad(fmt.Sprintf("%s is not valid UTF-8 (line %d)", name, se.Line))
		case strings.Contains(se.Msg, "entity"):
			return bad(fmt.Sprintf("%s is not well-formed XML: an entity XML does not define (line %d); entities are refused", name, se.Line))
		}
		return bad(fmt.Sprintf("%s is not well-formed XML (line %d)", name, se.Line))
	}
	if strings.Contains(err.Error(), "CharsetReader") {
		return bad(name + " is not in UTF-8")
	}
	return bad(name + " cannot be read from the zip: the file is damaged")
}

// shownName is a part's name as a reason shows it: names come from the
// document's relationships, so a long or odd one is only "a part".
func shownName(part string) string {
	if len(part) > 64 {
		return "a part"
	}
	for i := range len(part) {
		if c := part[i]; c < ' ' || c > '~' {
			return "a part"
		}
	}
	return part
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
