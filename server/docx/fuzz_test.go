package docx

import (
	"archive/zip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are small packages for FuzzRead: valid documents with each
// element Read knows, and the cheap bad cases (the zip bomb and the 9 MiB
// text are left to TestReadRefuses: each takes seconds). Their entries are
// stored, not deflated, so that mutations reach the XML.
func fuzzSeeds(t testing.TB) map[string][]byte {
	seeds := map[string][]byte{}
	body := p("Article 1") + `<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr><w:rPr><w:del w:id="1"/></w:rPr></w:pPr>` +
		`<w:r><w:t xml:space="preserve">The Party </w:t></w:r><w:del w:id="2"><w:r><w:delText>shall</w:delText></w:r></w:del><w:ins w:id="3"><w:r><w:t>may</w:t><w:tab/><w:br/><w:noBreakHyphen/><w:softHyphen/><w:sym w:char="03B1"/></w:r></w:ins>` +
		`<w:r><w:fldChar w:fldCharType="begin"/><w:instrText>PAGE</w:instrText><w:fldChar w:fldCharType="separate"/><w:t>7</w:t><w:fldChar w:fldCharType="end"/></w:r>` +
		`<w:fldSimple w:instr="REF x"><w:r><w:t>x</w:t></w:r></w:fldSimple><w:hyperlink><w:r><w:t>h</w:t></w:r></w:hyperlink>` +
		`<mc:AlternateContent><mc:Choice Requires="w14"><w:r><w:t>c</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>f</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>` +
		`<w:tbl><w:tr><w:trPr><w:ins w:id="4"/></w:trPr><w:tc>` + p("cell") + `</w:tc></w:tr></w:tbl>` +
		`<w:p><w:pPr><w:pStyle w:val="H"/></w:pPr><w:moveFrom w:id="5"><w:r><w:t>m</w:t></w:r></w:moveFrom><w:moveTo w:id="6"><w:r><w:t>m</w:t></w:r></w:moveTo></w:p>` +
		`<w:sdt><w:sdtContent>` + p("sdt") + `</w:sdtContent></w:sdt>`
	numbering := `<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0">` +
		`<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="Article %1"/><w:suff w:val="space"/></w:lvl>` +
		`<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/><w:lvlRestart w:val="0"/></w:lvl></w:abstractNum>` +
		`<w:num w:numId="1"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="1"><w:startOverride w:val="3"/></w:lvlOverride></w:num></w:numbering>`
	styles := `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:styleId="H"><w:basedOn w:val="H"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>`
	doc := `<w:document ` + testNS + `><w:body>` + body + `</w:body></w:document>`
	seeds["valid"] = storedZip(t, "[Content_Types].xml", testContentTypes, "_rels/.rels", testRootRels, "word/document.xml", doc,
		"word/numbering.xml", numbering, "word/styles.xml", styles,
		"word/footnotes.xml", `<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1"><w:p/></w:footnote></w:footnotes>`)
	seeds["minimal"] = storedZip(t, "word/document.xml", `<w:document `+testNS+`><w:body>`+p("a")+`<w:p/></w:body></w:document>`)
	for _, c := range badCases(t, false) {
		if len(c.data) > 64<<10 {
			continue
		}
		seeds["bad-"+strings.ReplaceAll(c.name, " ", "-")] = c.data
	}
	return seeds
}

// storedZip is zipOf with stored entries.
func storedZip(t testing.TB, pairs ...string) []byte {
	t.Helper()
	return zipWith(t, zip.Store, pairs...)
}

// FuzzRead: Read never panics, refuses only with an *Error that has a
// reason and no report, and what it reads is valid UTF-8 within the text
// limit, with at least one line per paragraph. Each input is read as a
// package, and as the main document of a package, so that mutations reach
// the XML reader past the zip's checksums.
func FuzzRead(f *testing.F) {
	for _, data := range fuzzSeeds(f) {
		f.Add(data)
	}
	f.Add([]byte(`<w:document ` + testNS + `><w:body>` + p("x") + `</w:body></w:document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, pkg := range [][]byte{data, storedZip(t, "word/document.xml", string(data))} {
			for _, opt := range []Options{{}, {Reject: true}} {
				checkRead(t, pkg, opt)
			}
		}
	})
}

func checkRead(t *testing.T, data []byte, opt Options) {
	rep, err := Read(data, opt)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Reason == "" {
			t.Fatalf("error %v is not an *Error with a reason", err)
		}
		if rep != (Report{}) {
			t.Fatalf("a report %+v with the error %v", rep, err)
		}
		return
	}
	if !utf8.ValidString(rep.Text) {
		t.Fatalf("text %q is not valid UTF-8", rep.Text)
	}
	if len(rep.Text) > maxText {
		t.Fatalf("text of %d bytes, over the limit", len(rep.Text))
	}
	if lines := strings.Count(rep.Text, "\n") + 1; rep.Paragraphs > lines || rep.Paragraphs == 0 && rep.Text != "" {
		t.Fatalf("%d paragraphs for %d lines", rep.Paragraphs, lines)
	}
	if rep.TrackedChanges < 0 || rep.Headers < 0 || rep.Footnotes < 0 || rep.Comments < 0 {
		t.Fatalf("negative counts: %+v", rep)
	}
}

// TestFuzzSeedsCommitted: the seeds are committed under
// testdata/fuzz/FuzzRead (MRA_UPDATE_TESTDATA=1 writes them again).
func TestFuzzSeedsCommitted(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	seeds := fuzzSeeds(t)
	if os.Getenv("MRA_UPDATE_TESTDATA") == "1" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range seeds {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name := range seeds {
		if _, err := os.Stat(filepath.Join(dir, "seed-"+name)); err != nil {
			t.Errorf("seed %s not committed: %v (run with MRA_UPDATE_TESTDATA=1)", name, err)
		}
	}
}
