package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mra/diff/difftest"
	"mra/server/mra"

	"mra/server/docx/docxtest"
)

// A tiny package builder: enough of a .docx for Read, built in the test.

const (
	testContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	testRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
	testNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:v="urn:schemas-microsoft-com:vml"`
)

// zipOf zips name, content pairs in order, deflated.
func zipOf(t testing.TB, pairs ...string) []byte {
	t.Helper()
	return zipWith(t, zip.Deflate, pairs...)
}

// zipWith zips name, content pairs in order with method (a deflated entry
// dated 2026-01-01, a stored one undated, as the committed seeds were made).
func zipWith(t testing.TB, method uint16, pairs ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(pairs); i += 2 {
		h := &zip.FileHeader{Name: pairs[i], Method: method}
		if method == zip.Deflate {
			h.Modified = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(pairs[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// docWith makes a package whose body is body, with extra parts (name,
// content pairs; a "word/_rels/document.xml.rels" among them is the
// document's relationships).
func docWith(t testing.TB, body string, extra ...string) []byte {
	t.Helper()
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:document ` + testNS + `><w:body>` + body + `<w:sectPr/></w:body></w:document>`
	pairs := append([]string{"[Content_Types].xml", testContentTypes, "_rels/.rels", testRootRels, "word/document.xml", doc}, extra...)
	return zipOf(t, pairs...)
}

// p is a paragraph of plain runs.
func p(runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	for _, r := range runs {
		fmt.Fprintf(&b, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, r)
	}
	b.WriteString("</w:p>")
	return b.String()
}

func mustRead(t testing.TB, data []byte, opt Options) Report {
	t.Helper()
	rep, err := Read(data, opt)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return rep
}

func TestReadElements(t *testing.T) {
	tests := []struct {
		name           string
		body           string
		accept, reject string
		changes        int
	}{
		{"paragraphs", p("One") + p("Two") + p("Three"), "One\nTwo\nThree", "", 0},
		{"runs", p("The ", "Party ", "shall"), "The Party shall", "", 0},
		{"empty paragraphs", p("a") + "<w:p/>" + p("b") + "<w:p/>", "a\n\nb\n", "", 0},
		{"only an empty paragraph", "<w:p/>", "", "", 0},
		{"no paragraphs", "", "", "", 0},
		{"spaces without preserve", `<w:p><w:r><w:t> a </w:t></w:r><w:r><w:t xml:space="preserve"> b </w:t></w:r></w:p>`, "a b ", "", 0},
		{"line feed inside w:t", "<w:p><w:r><w:t>a\nb</w:t></w:r></w:p>", "a b", "", 0},
		{"tab", `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>1.</w:t><w:tab/><w:t>Scope</w:t></w:r></w:p>`, "1.\tScope", "", 0},
		{"line break", `<w:p><w:r><w:t>Article 1</w:t><w:br/><w:t>Scope</w:t><w:cr/><w:t>x</w:t></w:r></w:p>`, "Article 1\nScope\nx", "", 0},
		{"page break", `<w:p><w:r><w:t>a</w:t><w:br w:type="page"/><w:t>b</w:t></w:r></w:p>`, "ab", "", 0},
		{"hyphens", `<w:p><w:r><w:t>co</w:t><w:noBreakHyphen/><w:t>op</w:t><w:softHyphen/><w:t>eration</w:t></w:r></w:p>`, "co\u2011op\u00aderation", "", 0},
		{"sym", `<w:p><w:r><w:sym w:font="Symbol" w:char="03B1"/><w:sym w:char="zz"/><w:sym w:char="D800"/><w:sym w:char="1234567"/><w:sym w:char="0001"/><w:sym w:char="FFFF"/></w:r></w:p>`, "α\x01\uffff", "", 0},
		{"fldSimple", `<w:p><w:r><w:t xml:space="preserve">See page </w:t></w:r><w:fldSimple w:instr=" PAGEREF _Ref1 \h "><w:r><w:t>7</w:t></w:r></w:fldSimple></w:p>`, "See page 7", "", 0},
		{"complex field", `<w:p><w:r><w:t xml:space="preserve">Article </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> REF _Ref2 \r </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>12</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>.</w:t></w:r></w:p>`, "Article 12.", "", 0},
		{"nested fields", `<w:p><w:r><w:fldChar w:fldCharType="begin"/><w:instrText>IF </w:instrText><w:fldChar w:fldCharType="begin"/><w:instrText>PAGE</w:instrText><w:fldChar w:fldCharType="separate"/><w:t>3</w:t><w:fldChar w:fldCharType="end"/><w:instrText> = 3 "x" "y"</w:instrText><w:fldChar w:fldCharType="separate"/><w:t>x</w:t><w:fldChar w:fldCharType="end"/></w:r></w:p>`, "x", "", 0},
		{"field across paragraphs", `<w:p><w:r><w:fldChar w:fldCharType="begin"/><w:instrText>TOC</w:instrText><w:fldChar w:fldCharType="separate"/><w:t>Scope 1</w:t></w:r></w:p><w:p><w:r><w:t>Terms 2</w:t><w:fldChar w:fldCharType="end"/></w:r></w:p>`, "Scope 1\nTerms 2", "", 0},
		{"hyperlink", `<w:p><w:hyperlink r:id="rId9" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:r><w:t>WCO</w:t></w:r></w:hyperlink></w:p>`, "WCO", "", 0},
		{"smart tag and custom XML", `<w:p><w:smartTag w:uri="u" w:element="place"><w:smartTagPr><w:attr w:name="n" w:val="v"/></w:smartTagPr><w:r><w:t>Singapore</w:t></w:r></w:smartTag><w:customXml w:element="x"><w:r><w:t>!</w:t></w:r></w:customXml></w:p>`, "Singapore!", "", 0},
		{"content controls", `<w:sdt><w:sdtPr><w:alias w:val="Party"/><w:placeholder><w:docPart w:val="x"/></w:placeholder></w:sdtPr><w:sdtContent>` + p("Block") + `</w:sdtContent></w:sdt><w:p><w:sdt><w:sdtPr/><w:sdtContent><w:r><w:t>inline</w:t></w:r></w:sdtContent></w:sdt></w:p>`, "Block\ninline", "", 0},
		{"alternate content once", `<w:p><w:r><w:t>a</w:t></w:r><mc:AlternateContent><mc:Choice Requires="w14"><w:r><w:t>B</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>b</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>`, "aB", "", 0},
		{"alternate fallback only", `<w:p><mc:AlternateContent><mc:Fallback><w:r><w:t>f</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>`, "f", "", 0},
		{"text box left out", `<w:p><w:r><w:t>body</w:t></w:r><w:r><w:drawing><wp:inline><w:txbxContent><w:p><w:r><w:t>box</w:t></w:r></w:p></w:txbxContent></wp:inline></w:drawing></w:r><w:r><w:pict><v:shape><v:textbox><w:txbxContent>` + p("vml") + `</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>`, "body", "", 0},
		{"ruby base only", `<w:p><w:r><w:ruby><w:rt><w:r><w:t>かん</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>漢</w:t></w:r></w:rubyBase></w:ruby></w:r></w:p>`, "漢", "", 0},
		{"equation", `<w:p><w:r><w:t xml:space="preserve">x </w:t></w:r><m:oMath><m:r><m:t>a+b</m:t></m:r></m:oMath></w:p>`, "x a+b", "", 0},
		{"footnote reference adds nothing", `<w:p><w:r><w:t>Customs</w:t></w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r><w:r><w:t>.</w:t></w:r><w:commentRangeStart w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>`, "Customs.", "", 0},
		{"table in reading order", `<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc><w:tcPr/>` + p("A1") + p("A1b") + `</w:tc><w:tc>` + p("B1") + `</w:tc></w:tr><w:tr><w:tc>` + p("A2") + `</w:tc><w:tc><w:tbl><w:tr><w:tc>` + p("nested") + `</w:tc></w:tr></w:tbl>` + p("B2") + `</w:tc></w:tr></w:tbl>` + p("after"), "A1\nA1b\nB1\nA2\nnested\nB2\nafter", "", 0},
		{"merged cells read once", `<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>` + p("merged") + `</w:tc><w:tc>` + p("B1") + `</w:tc></w:tr><w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:tcPr><w:gridSpan w:val="1"/></w:tcPr>` + p("B2") + `</w:tc></w:tr></w:tbl>`, "merged\nB1\nB2", "", 0},
		{"Word's other markup adds nothing", `<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:p w14:paraId="1A2B3C4D" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"><w:pPr><w:pStyle w:val="Heading1"/><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs><w:rPr><w:rFonts w:ascii="Arial"/></w:rPr><w:sectPr><w:headerReference w:type="default" r:id="rId8" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:pPr><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:rtl/><w:lang w:val="ar-SA"/></w:rPr><w:lastRenderedPageBreak/><w:t>x</w:t></w:r><w:proofErr w:type="spellEnd"/><w:bookmarkEnd w:id="0"/><w:permStart w:id="1"/><w:r><w:object><w:control r:id="rId3" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></w:object></w:r><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:textInput><w:default w:val="dflt"/></w:textInput></w:ffData></w:fldChar></w:r><w:r><w:instrText>FORMTEXT</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>y</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:commentRangeEnd w:id="3"/><w:r><w:annotationRef/></w:r><w:r><w:footnoteRef/><w:separator/><w:continuationSeparator/><w:pgNum/></w:r></w:p><w:customXml w:element="c"><w:customXmlPr><w:attr w:name="a" w:val="b"/></w:customXmlPr>` + p("z") + `</w:customXml><w:altChunk r:id="rId5" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>`, "xy\nz", "", 0},
		{"hidden text left out", `<w:p><w:r><w:t xml:space="preserve">The Party </w:t></w:r><w:r><w:rPr><w:b/><w:vanish/></w:rPr><w:t>[drafting note: concede if pressed]</w:t></w:r><w:r><w:rPr><w:vanish w:val="false"/></w:rPr><w:t>shall</w:t></w:r><w:r><w:t xml:space="preserve"> act.</w:t></w:r></w:p>`, "The Party shall act.", "", 0},
		{"CJK RTL emoji", p("海关当局") + p("الجمارك") + p("🇸🇬👩‍⚖️"), "海关当局\nالجمارك\n🇸🇬👩‍⚖️", "", 0},

		{"insertion and deletion", `<w:p><w:r><w:t xml:space="preserve">The Party </w:t></w:r><w:del w:id="1" w:author="US"><w:r><w:delText>shall</w:delText></w:r></w:del><w:ins w:id="2" w:author="US"><w:r><w:t>may</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> act.</w:t></w:r></w:p>`,
			"The Party may act.", "The Party shall act.", 2},
		{"moves", p("A") + `<w:p><w:moveFromRangeStart w:id="1" w:name="move1"/><w:moveFrom w:id="2"><w:r><w:t>moved</w:t></w:r></w:moveFrom><w:moveFromRangeEnd w:id="1"/></w:p>` + `<w:p><w:moveToRangeStart w:id="3" w:name="move1"/><w:moveTo w:id="4"><w:r><w:t>moved</w:t></w:r></w:moveTo><w:moveToRangeEnd w:id="3"/></w:p>`,
			"A\n\nmoved", "A\nmoved\n", 2},
		{"deleted paragraph mark joins", `<w:p><w:pPr><w:rPr><w:del w:id="1" w:author="SG"/></w:rPr></w:pPr><w:r><w:t xml:space="preserve">one </w:t></w:r></w:p>` + p("two") + p("three"),
			"one two\nthree", "one \ntwo\nthree", 1},
		{"deleted paragraph whole", p("a") + `<w:p><w:pPr><w:rPr><w:del w:id="1"/></w:rPr></w:pPr><w:del w:id="2"><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>` + p("b"),
			"a\nb", "a\ngone\nb", 2},
		{"inserted paragraph whole", p("a") + `<w:p><w:pPr><w:rPr><w:ins w:id="1"/></w:rPr></w:pPr><w:ins w:id="2"><w:r><w:t>new</w:t></w:r></w:ins></w:p>` + p("b"),
			"a\nnew\nb", "a\nb", 2},
		{"moved paragraph marks", `<w:p><w:pPr><w:rPr><w:moveFrom w:id="1"/></w:rPr></w:pPr><w:moveFrom w:id="2"><w:r><w:t>m</w:t></w:r></w:moveFrom></w:p>` + p("x") + `<w:p><w:pPr><w:rPr><w:moveTo w:id="3"/></w:rPr></w:pPr><w:moveTo w:id="4"><w:r><w:t>m</w:t></w:r></w:moveTo></w:p>` + p("y"),
			"x\nm\ny", "m\nx\ny", 4},
		{"last paragraph's mark deleted", p("a") + `<w:p><w:pPr><w:rPr><w:del w:id="1"/></w:rPr></w:pPr><w:r><w:t>end</w:t></w:r></w:p>`,
			"a\nend", "a\nend", 1},
		{"formatting changes change nothing", `<w:p><w:pPr><w:pStyle w:val="Normal"/><w:pPrChange w:id="1"><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:pPrChange></w:pPr><w:r><w:rPr><w:b/><w:rPrChange w:id="2"><w:rPr/></w:rPrChange></w:rPr><w:t>bold</w:t></w:r></w:p>`,
			"bold", "bold", 0},
		{"deleted field", `<w:p><w:r><w:t xml:space="preserve">p. </w:t></w:r><w:del w:id="1"><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:delInstrText>PAGE</w:delInstrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:delText>4</w:delText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:del></w:p>`,
			"p. ", "p. 4", 1},
		{"tracked change in a hyperlink and a table", `<w:tbl><w:tr><w:tc><w:p><w:hyperlink><w:ins w:id="1"><w:r><w:t>in</w:t></w:r></w:ins></w:hyperlink></w:p></w:tc></w:tr></w:tbl>`,
			"in", "", 1},
		{"deleted table row", `<w:tbl><w:tr><w:tc>` + p("keep") + `</w:tc></w:tr><w:tr><w:trPr><w:del w:id="1"/></w:trPr><w:tc><w:p><w:del w:id="2"><w:r><w:delText>row</w:delText></w:r></w:del></w:p></w:tc></w:tr><w:tr><w:trPr><w:ins w:id="3"/></w:trPr><w:tc><w:p><w:ins w:id="4"><w:r><w:t>added</w:t></w:r></w:ins></w:p></w:tc></w:tr></w:tbl>` + p("z"),
			"keep\nadded\nz", "keep\nrow\nz", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := docWith(t, tt.body)
			rep := mustRead(t, data, Options{})
			if rep.Text != tt.accept {
				t.Errorf("accepted: got %q, want %q", rep.Text, tt.accept)
			}
			if rep.TrackedChanges != tt.changes {
				t.Errorf("tracked changes: got %d, want %d", rep.TrackedChanges, tt.changes)
			}
			want := tt.reject
			if want == "" && tt.changes == 0 {
				want = tt.accept
			}
			if want == "" {
				return
			}
			rej := mustRead(t, data, Options{Reject: true})
			if rej.Text != want {
				t.Errorf("rejected: got %q, want %q", rej.Text, want)
			}
			if rej.TrackedChanges != tt.changes {
				t.Errorf("rejected: tracked changes: got %d, want %d", rej.TrackedChanges, tt.changes)
			}
		})
	}
}

// TestReadCountsHidden: hidden runs are left out and counted, so a user
// importing a document learns that something they cannot see was not taken.
func TestReadCountsHidden(t *testing.T) {
	data := docWith(t, `<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>note 1</w:t></w:r><w:r><w:t>Text</w:t></w:r></w:p>`+
		`<w:p><w:r><w:rPr><w:vanish w:val="1"/></w:rPr><w:t>note 2</w:t></w:r><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>shown</w:t></w:r></w:p>`)
	rep := mustRead(t, data, Options{})
	if rep.Text != "Text\nshown" || rep.Hidden != 2 {
		t.Errorf("got %q with %d hidden runs, want %q with 2", rep.Text, rep.Hidden, "Text\nshown")
	}
}

func TestReadParagraphCount(t *testing.T) {
	data := docWith(t, p("a")+`<w:p><w:pPr><w:rPr><w:del w:id="1"/></w:rPr></w:pPr><w:r><w:t>b</w:t><w:br/><w:t>c</w:t></w:r></w:p>`+p("d")+`<w:tbl><w:tr><w:tc>`+p("e")+`</w:tc></w:tr></w:tbl><w:p/>`)
	rep := mustRead(t, data, Options{})
	if rep.Text != "a\nb\ncd\ne\n" || rep.Paragraphs != 4 {
		t.Errorf("got %q, %d paragraphs; want %q, 4", rep.Text, rep.Paragraphs, "a\nb\ncd\ne\n")
	}
}

// TestReadRoundTrip: the paragraphs of strings.Split(text, "\n") read back
// as text, for empty lines at either end too.
func TestReadRoundTrip(t *testing.T) {
	for _, text := range []string{"", "\n", "a", "a\n", "\na", "a\n\n\nb\n\n", "  lead and trail  ", "\ttab", "<&>\"'", "海关\nالجمارك\n👩‍⚖️"} {
		var b strings.Builder
		for _, line := range strings.Split(text, "\n") {
			b.WriteString(paraXML(line))
		}
		rep := mustRead(t, docWith(t, b.String()), Options{})
		if rep.Text != text {
			t.Errorf("got %q, want %q", rep.Text, text)
		}
		if n := strings.Count(text, "\n") + 1; rep.Paragraphs != n {
			t.Errorf("%q: got %d paragraphs, want %d", text, rep.Paragraphs, n)
		}
	}
}

// paraXML is a minimal writer's paragraph for one line: tabs as w:tab.
func paraXML(line string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	for i, piece := range strings.Split(line, "\t") {
		if i > 0 {
			b.WriteString("<w:r><w:tab/></w:r>")
		}
		if piece != "" {
			var esc bytes.Buffer
			_ = xml.EscapeText(&esc, []byte(piece))
			b.WriteString(`<w:r><w:t xml:space="preserve">` + esc.String() + `</w:t></w:r>`)
		}
	}
	b.WriteString("</w:p>")
	return b.String()
}

func TestReadNumbering(t *testing.T) {
	const numbering = `<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="Article %1"/><w:suff w:val="space"/><w:pStyle w:val="ArticleHeading"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%3)"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="(%2)"/><w:lvlRestart w:val="0"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="` + "\uF0B7" + `"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/><w:lvlText w:val="–"/><w:suff w:val="space"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:start w:val="8"/><mc:AlternateContent><mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="001, 002, 003, ..."/></mc:Choice><mc:Fallback><w:numFmt w:val="decimalZero"/></mc:Fallback></mc:AlternateContent><w:lvlText w:val="%1"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="4"><w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="25"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1-%2"/><w:isLgl/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="5"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="ordinal"/><w:lvlText w:val="%1"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="21"/><w:numFmt w:val="cardinalText"/><w:lvlText w:val="%2"/></w:lvl><w:lvl w:ilvl="2"><w:start w:val="12"/><w:numFmt w:val="ordinalText"/><w:lvlText w:val="%3"/></w:lvl><w:lvl w:ilvl="3"><w:numFmt w:val="none"/><w:lvlText w:val=""/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
<w:num w:numId="5"><w:abstractNumId w:val="2"/></w:num>
<w:num w:numId="6"><w:abstractNumId w:val="3"/></w:num>
<w:num w:numId="7"><w:abstractNumId w:val="4"/></w:num>
<w:num w:numId="8"><w:abstractNumId w:val="5"/></w:num>
<w:num w:numId="9"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:start w:val="5"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1)"/></w:lvl></w:lvlOverride></w:num>
</w:numbering>`
	const styles = `<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="ArticleHeading"><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ArticleHeadingBold"><w:basedOn w:val="ArticleHeading"/></w:style>
<w:style w:type="paragraph" w:styleId="Clause"><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Loop1"><w:basedOn w:val="Loop2"/></w:style><w:style w:type="paragraph" w:styleId="Loop2"><w:basedOn w:val="Loop1"/></w:style>
</w:styles>`
	rels := `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="/word/styles.xml"/></Relationships>`
	np := func(numID, ilvl int, text string) string {
		return fmt.Sprintf(`<w:p><w:pPr><w:numPr><w:ilvl w:val="%d"/><w:numId w:val="%d"/></w:numPr></w:pPr><w:r><w:t>%s</w:t></w:r></w:p>`, ilvl, numID, text)
	}
	sp := func(style, text string) string {
		return fmt.Sprintf(`<w:p><w:pPr><w:pStyle w:val="%s"/></w:pPr><w:r><w:t>%s</w:t></w:r></w:p>`, style, text)
	}
	tests := []struct {
		name, body, want string
	}{
		{"articles", np(1, 0, "Scope") + np(1, 0, "Terms"), "Article 1 Scope\nArticle 2 Terms"},
		{"multi-level and letters", np(1, 0, "Scope") + np(1, 1, "One") + np(1, 2, "a") + np(1, 2, "b") + np(1, 1, "Two") + np(1, 2, "a again") + np(1, 0, "Next") + np(1, 1, "restarts"),
			"Article 1 Scope\n1.1\tOne\n(a)a\n(b)b\n1.2\tTwo\n(a)a again\nArticle 2 Next\n2.1\trestarts"},
		{"decimal and roman, no restart", np(2, 0, "x") + np(2, 1, "i") + np(2, 1, "ii") + np(2, 0, "y") + np(2, 1, "iii"), "1.\tx\n(i)\ti\n(ii)\tii\n2.\ty\n(iii)\tiii"},
		{"nums share an abstract's counters", np(2, 0, "a") + p("plain") + np(3, 0, "b"), "1.\ta\nplain\n2.\tb"},
		{"startOverride restarts", np(2, 0, "a") + np(2, 0, "b") + np(4, 0, "c") + np(4, 0, "d"), "1.\ta\n2.\tb\n1.\tc\n2.\td"},
		{"level override", np(9, 0, "e") + np(9, 0, "f"), "E)\te\nF)\tf"},
		{"numId 0 is none", np(0, 0, "none") + `<w:p><w:pPr><w:pStyle w:val="ArticleHeading"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr><w:r><w:t>off</w:t></w:r></w:p>`, "none\noff"},
		{"unknown numId", np(42, 0, "x"), "x"},
		{"style-linked", sp("ArticleHeading", "Scope") + sp("Clause", "first") + sp("Clause", "second") + sp("ArticleHeadingBold", "Terms"),
			"Article 1 Scope\n1.1\tfirst\n1.2\tsecond\nArticle 2 Terms"},
		{"paragraph ilvl over style", sp("ArticleHeading", "S") + `<w:p><w:pPr><w:pStyle w:val="ArticleHeading"/><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr><w:r><w:t>c</w:t></w:r></w:p>`, "Article 1 S\n1.1\tc"},
		{"basedOn loop", sp("Loop1", "x"), "x"},
		{"bullets", np(5, 0, "dot") + np(5, 1, "dash"), "•\tdot\n– dash"},
		{"decimalZero from the fallback", np(6, 0, "x") + np(6, 0, "y") + np(6, 0, "z"), "08\tx\n09\ty\n10\tz"},
		{"upper roman, legal, letters", np(7, 0, "x") + np(7, 1, "y") + np(7, 1, "z") + np(7, 1, "w"), "III\tx\n3-25\ty\n3-26\tz\n3-27\tw"},
		{"ordinal and text", np(8, 0, "a") + np(8, 1, "b") + np(8, 2, "c") + np(8, 3, "d") + np(8, 0, "e"), "1st\ta\nTwenty-one\tb\nTwelfth\tc\nd\n2nd\te"},
		{"numbered paragraph in a table", `<w:tbl><w:tr><w:tc>` + np(2, 0, "cell") + `</w:tc></w:tr></w:tbl>` + np(2, 0, "after"), "1.\tcell\n2.\tafter"},
		{"deleted numbered paragraph", np(2, 0, "a") + `<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr><w:rPr><w:del w:id="1"/></w:rPr></w:pPr><w:del w:id="2"><w:r><w:delText>b</w:delText></w:r></w:del></w:p>` + np(2, 0, "c"), "1.\ta\n2.\tc"},
		{"inserted article, rejected", p("intro") + `<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr><w:rPr><w:ins w:id="1"/></w:rPr></w:pPr><w:ins w:id="2"><w:r><w:t>New</w:t></w:r></w:ins></w:p>` + p("body"), "intro\nbody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := docWith(t, tt.body, "word/_rels/document.xml.rels", rels, "word/numbering.xml", numbering, "word/styles.xml", styles)
			rep := mustRead(t, data, Options{Reject: strings.Contains(tt.name, "rejected")})
			if rep.Text != tt.want {
				t.Errorf("got %q, want %q", rep.Text, tt.want)
			}
		})
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		n      int
		format string
		want   string
	}{
		{27, "lowerLetter", "aa"}, {52, "upperLetter", "ZZ"}, {1994, "upperRoman", "MCMXCIV"}, {4000, "lowerRoman", "4000"},
		{1 << 30, "lowerLetter", "1073741824"}, {0, "lowerLetter", "0"}, {11, "ordinal", "11th"}, {22, "ordinal", "22nd"}, {103, "ordinal", "103rd"},
		{0, "cardinalText", "Zero"}, {1100, "cardinalText", "One thousand one hundred"}, {40, "ordinalText", "Fortieth"}, {3, "ordinalText", "Third"},
		{7, "chineseCounting", "7"}, {10, "decimalZero", "10"}, {-2, "decimalZero", "-2"}, {5, "none", ""},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.n, tt.format); got != tt.want {
			t.Errorf("formatNumber(%d, %s): got %q, want %q", tt.n, tt.format, got, tt.want)
		}
	}
}

func TestReadReportsParts(t *testing.T) {
	rels := `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>` +
		`<Relationship Id="r2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/>` +
		`<Relationship Id="r3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>` +
		`<Relationship Id="r4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>` +
		`<Relationship Id="r5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes" Target="endnotes.xml"/>` +
		`<Relationship Id="r6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/>` +
		`<Relationship Id="r7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/" TargetMode="External"/>` +
		`</Relationships>`
	hdr := `<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:r><w:t>HEADER SECRET</w:t></w:r></w:p></w:hdr>`
	ftr := `<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:r><w:t>FOOTER</w:t></w:r></w:p></w:ftr>`
	notes := func(el string) string {
		return `<w:` + el + `s xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:` + el + ` w:type="separator" w:id="-1"><w:p/></w:` + el + `><w:` + el + ` w:type="continuationSeparator" w:id="0"><w:p/></w:` + el + `>` +
			`<w:` + el + ` w:id="1"><w:p><w:r><w:t>NOTE TEXT</w:t></w:r></w:p></w:` + el + `><w:` + el + ` w:id="2"><w:p><w:r><w:t>NOTE TEXT</w:t></w:r></w:p></w:` + el + `></w:` + el + `s>`
	}
	comments := `<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="SG"><w:p><w:r><w:t>COMMENT TEXT</w:t></w:r></w:p></w:comment></w:comments>`
	body := `<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>Body</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:endnoteReference w:id="1"/></w:r></w:p>`
	data := docWith(t, body, "word/_rels/document.xml.rels", rels, "word/header1.xml", hdr, "word/header2.xml", hdr, "word/footer1.xml", ftr,
		"word/footnotes.xml", notes("footnote"), "word/endnotes.xml", notes("endnote"), "word/comments.xml", comments)
	rep := mustRead(t, data, Options{})
	want := Report{Text: "Body", Paragraphs: 1, Headers: 2, Footers: 1, Footnotes: 2, Endnotes: 2, Comments: 1}
	if rep != want {
		t.Errorf("got %+v, want %+v", rep, want)
	}
}

func TestReadFindsMainDocument(t *testing.T) {
	doc := `<w:document ` + testNS + `><w:body>` + p("found") + `</w:body></w:document>`
	rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/Main/Doc.XML"/></Relationships>`
	ct := `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/other/d.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	for _, tt := range []struct {
		name string
		pkg  []string
	}{
		{"through the relationship", []string{"_rels/.rels", rels, "main/doc.xml", doc, "word/document.xml", "<nonsense"}},
		{"through the content types", []string{"[Content_Types].xml", ct, "other/d.xml", doc}},
		{"word/document.xml without either", []string{"word/document.xml", doc}},
	} {
		rep, err := Read(zipOf(t, tt.pkg...), Options{})
		if err != nil || rep.Text != "found" {
			t.Errorf("%s: got %q, %v; want %q", tt.name, rep.Text, err, "found")
		}
	}
}

// badCases are documents Read refuses, with a word the reason must hold;
// the fuzz target starts from them too. heavy adds the zip bomb and the
// 9 MiB text, which take seconds to build and read.
func badCases(t testing.TB, heavy bool) []struct {
	name   string
	data   []byte
	reason string
} {
	ole := func(stream string) []byte {
		b := []byte(oleMagic + strings.Repeat("\x00", 504))
		for _, c := range stream {
			b = append(b, byte(c), 0)
		}
		return b
	}
	deep := strings.Repeat("<w:sdt><w:sdtContent>", 200) + p("x") + strings.Repeat("</w:sdtContent></w:sdt>", 200)
	many := make([]string, 0, 2*2001)
	for i := range 2001 {
		many = append(many, fmt.Sprintf("f%d", i), "")
	}
	bomb := func() []byte {
		if !heavy {
			return nil
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("word/document.xml")
		_, _ = w.Write([]byte(`<w:document ` + testNS + `><w:body><w:p><w:r><w:t>`))
		chunk := bytes.Repeat([]byte("a"), 1<<20)
		for range 65 {
			_, _ = w.Write(chunk)
		}
		_, _ = w.Write([]byte(`</w:t></w:r></w:p></w:body></w:document>`))
		_ = zw.Close()
		return buf.Bytes()
	}()
	big := func() []byte { // 9 MiB of text in 1 KiB paragraphs
		if !heavy {
			return nil
		}
		var b strings.Builder
		line := p(strings.Repeat("x", 1023))
		for range 9 << 10 {
			b.WriteString(line)
		}
		return docWith(t, b.String())
	}()
	strictDoc := `<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body>` + p("x") + `</w:body></w:document>`
	strictRels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
	cases := []struct {
		name   string
		data   []byte
		reason string
	}{
		{"empty", nil, "not a zip"},
		{"plain text", []byte("The Party shall act."), "not a zip"},
		{"truncated zip", docWith(t, p("x"))[:100], "not a zip"},
		{"no main document", zipOf(t, "hello.txt", "hi"), "no main document"},
		{"a spreadsheet", zipOf(t, "_rels/.rels", strings.ReplaceAll(testRootRels, "word/document.xml", "xl/workbook.xml"), "xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`), "not a Word document"},
		{"encrypted", ole("EncryptedPackage"), "encrypted or password-protected"},
		{"legacy doc", ole("WordDocument"), "legacy Word 97-2003"},
		{"other OLE", ole("Workbook"), "encrypted or password-protected document, or a legacy .doc"},
		{"strict", zipOf(t, "_rels/.rels", strictRels, "word/document.xml", strictDoc), "strict OOXML is not supported; save as Word Document (.docx)"},
		{"strict without its document", zipOf(t, "_rels/.rels", strictRels), "strict OOXML"},
		{"zip bomb", bomb, "zip bomb"},
		{"too many entries", zipOf(t, many...), "more than 2000 entries"},
		{"doctype", zipOf(t, "word/document.xml", `<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaa">]><w:document `+testNS+`><w:body>`+p("&a;")+`</w:body></w:document>`), "DTD"},
		{"undefined entity", docWith(t, p("&lol;")), "entities are refused"},
		{"deep nesting", docWith(t, deep), "deeper than 256"},
		{"text over 8 MiB", big, "over 8 MiB"},
		{"invalid UTF-8", docWith(t, p("caf\xe9")), "not valid UTF-8"},
		{"not well-formed", docWith(t, "<w:p><w:r></w:p>"), "not well-formed"},
		{"truncated XML", zipOf(t, "word/document.xml", `<w:document `+testNS+`><w:body><w:p>`), "not well-formed"},
		{"UTF-16", zipOf(t, "word/document.xml", `<?xml version="1.0" encoding="UTF-16"?><w:document `+testNS+`/>`), "not in UTF-8"},
		{"empty document part", zipOf(t, "word/document.xml", ""), "empty"},
		{"bad styles", docWith(t, p("x"), "word/styles.xml", "<w:styles"), "word/styles.xml is not well-formed"},
		{"odd part name", zipOf(t, "_rels/.rels", strings.ReplaceAll(testRootRels, "word/document.xml", "xxx\u00e9.xml"), "xxx\u00e9.xml", "<w:document"), "a part is not well-formed"},
	}
	if !heavy {
		cases = slices.DeleteFunc(cases, func(c struct {
			name   string
			data   []byte
			reason string
		}) bool {
			return c.data == nil && c.name != "empty"
		})
	}
	return cases
}

func TestReadRefuses(t *testing.T) {
	for _, tt := range badCases(t, true) {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Read(tt.data, Options{})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %+v, %v; want an *Error", rep, err)
			}
			if !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("reason %q does not say %q", e.Reason, tt.reason)
			}
			if strings.Contains(e.Reason, "xxx") || strings.Contains(e.Reason, "caf") || strings.Contains(e.Reason, "aaaa") {
				t.Errorf("reason %q holds document content", e.Reason)
			}
			if rep != (Report{}) {
				t.Errorf("got %+v with the error, want nothing", rep)
			}
		})
	}
}

// TestReadCountsWhatItDecompresses: the budget is spent by the bytes read,
// across parts, whatever the headers say.
func TestReadCountsWhatItDecompresses(t *testing.T) {
	p := &pkg{budget: 10}
	for i, want := range []error{nil, errBudget} {
		br := &budgetReader{r: strings.NewReader(strings.Repeat("x", 6)), p: p}
		_, err := io.ReadAll(br)
		if !errors.Is(err, want) || br.over != (want != nil) {
			t.Errorf("part %d: got %v (over %v), want %v", i, err, br.over, want)
		}
	}
	if p.budget != 0 {
		t.Errorf("budget left %d, want 0", p.budget)
	}
}

func TestReadLimitsAgree(t *testing.T) {
	if maxText != mra.MaxTextBytes {
		t.Errorf("maxText %d, mra.MaxTextBytes %d: the reader must refuse what the server refuses", maxText, mra.MaxTextBytes)
	}
	// Text of exactly the limit reads.
	var b strings.Builder
	line := strings.Repeat("x", 1023)
	for range 8 << 10 {
		b.WriteString(p(line))
	}
	rep := mustRead(t, docWith(t, b.String()), Options{})
	if len(rep.Text) != 8<<20-1 {
		t.Errorf("got %d bytes, want %d", len(rep.Text), 8<<20-1)
	}
}

// BenchmarkRead reads a clean docx of the reference agreement's new text
// (3 MB, 2,000 articles).
func BenchmarkRead(b *testing.B) {
	text := difftest.Agreement(2000).New
	var body strings.Builder
	for _, line := range strings.Split(text, "\n") {
		body.WriteString(paraXML(line))
	}
	data := docWith(b, body.String())
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		rep, err := Read(data, Options{})
		if err != nil || rep.Text != text {
			b.Fatalf("Read: %v (text equal: %v)", err, rep.Text == text)
		}
	}
}

// libreOfficeFODT is a Flat ODT with what lawyers' documents hold: numbered
// articles and clauses, a lettered list restarted and continued, an article
// list starting at 7, a bullet, a table, a footnote, an
// endnote, a comment, a header and a footer, and tracked changes (a word
// replaced, a paragraph break deleted, a paragraph inserted).
const libreOfficeFODT = `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles>
  <text:list-style style:name="LArticle">
   <text:list-level-style-number text:level="1" style:num-prefix="Article " style:num-suffix="" style:num-format="1"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="space"/></style:list-level-properties></text:list-level-style-number>
   <text:list-level-style-number text:level="2" style:num-suffix="." style:num-format="1" text:display-levels="2"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab"/></style:list-level-properties></text:list-level-style-number>
  </text:list-style>
  <text:list-style style:name="LLetter">
   <text:list-level-style-number text:level="1" style:num-prefix="(" style:num-suffix=")" style:num-format="a"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab"/></style:list-level-properties></text:list-level-style-number>
  </text:list-style>
  <text:list-style style:name="LBullet">
   <text:list-level-style-bullet text:level="1" text:bullet-char="•"><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab"/></style:list-level-properties></text:list-level-style-bullet>
  </text:list-style>
  <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"/><style:header-style/><style:footer-style/></style:page-layout>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1"><style:header><text:p>HEADER TEXT</text:p></style:header><style:footer><text:p>FOOTER TEXT</text:p></style:footer></style:master-page>
 </office:master-styles>
 <office:body>
  <office:text>
   <text:tracked-changes text:track-changes="true">
    <text:changed-region xml:id="ct1" text:id="ct1">
     <text:insertion><office:change-info><dc:creator>Singapore Customs</dc:creator><dc:date>2026-01-01T00:00:00</dc:date></office:change-info></text:insertion>
    </text:changed-region>
    <text:changed-region xml:id="ct2" text:id="ct2">
     <text:deletion><office:change-info><dc:creator>Singapore Customs</dc:creator><dc:date>2026-01-01T00:00:00</dc:date></office:change-info><text:p>shall</text:p></text:deletion>
    </text:changed-region>
    <text:changed-region xml:id="ct3" text:id="ct3">
     <text:deletion><office:change-info><dc:creator>Singapore Customs</dc:creator><dc:date>2026-01-01T00:00:00</dc:date></office:change-info><text:p>tail</text:p><text:p/></text:deletion>
    </text:changed-region>
    <text:changed-region xml:id="ct4" text:id="ct4">
     <text:insertion><office:change-info><dc:creator>Singapore Customs</dc:creator><dc:date>2026-01-01T00:00:00</dc:date></office:change-info></text:insertion>
    </text:changed-region>
   </text:tracked-changes>
   <text:p>Mutual Recognition Arrangement</text:p>
   <text:list text:style-name="LArticle">
    <text:list-item><text:p>Scope</text:p>
     <text:list><text:list-item><text:p>The Party <text:change text:change-id="ct2"/><text:change-start text:change-id="ct1"/>may<text:change-end text:change-id="ct1"/> act.<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>FOOTNOTE TEXT</text:p></text:note-body></text:note></text:p></text:list-item>
      <text:list-item><text:p>Second clause.<office:annotation><dc:creator>Singapore Customs</dc:creator><dc:date>2026-01-01T00:00:00</dc:date><text:p>COMMENT TEXT</text:p></office:annotation></text:p></text:list-item></text:list>
    </text:list-item>
    <text:list-item><text:p>Definitions<text:note text:id="edn1" text:note-class="endnote"><text:note-citation>i</text:note-citation><text:note-body><text:p>ENDNOTE TEXT</text:p></text:note-body></text:note></text:p></text:list-item>
   </text:list>
   <text:list text:style-name="LLetter">
    <text:list-item><text:p>first</text:p></text:list-item>
    <text:list-item><text:p>second</text:p></text:list-item>
   </text:list>
   <text:p>mid</text:p>
   <text:list text:style-name="LLetter"><text:list-item><text:p>again</text:p></text:list-item></text:list>
   <text:list text:style-name="LLetter" text:continue-numbering="true"><text:list-item><text:p>continued</text:p></text:list-item></text:list>
   <text:list text:style-name="LArticle"><text:list-item text:start-value="7"><text:p>Seventh</text:p></text:list-item></text:list>
   <text:list text:style-name="LBullet"><text:list-item><text:p>bullet</text:p></text:list-item></text:list>
   <table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>
    <table:table-row><table:table-cell office:value-type="string"><text:p>A1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>B1</text:p></table:table-cell></table:table-row>
    <table:table-row><table:table-cell office:value-type="string"><text:p>A2</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>B2</text:p></table:table-cell></table:table-row>
   </table:table>
   <text:p>Joined<text:change text:change-id="ct3"/> here.</text:p>
   <text:p>Before.<text:change-start text:change-id="ct4"/></text:p><text:p>Inserted paragraph.<text:change-end text:change-id="ct4"/></text:p>
   <text:p>End.</text:p>
  </office:text>
 </office:body>
</office:document>
`

// checkLibreOfficeDocx checks what Read finds in LibreOffice's .docx of
// libreOfficeFODT, accepted and rejected.
func checkLibreOfficeDocx(t *testing.T, data []byte) {
	t.Helper()
	const head = "Mutual Recognition Arrangement\nArticle 1 Scope\n"
	const tail = "1.2.\tSecond clause.\nArticle 2 Definitions\n(a)\tfirst\n(b)\tsecond\nmid\n(a)\tagain\n(b)\tcontinued\nArticle 7 Seventh\n•\tbullet\nA1\nB1\nA2\nB2\n"
	accept := head + "1.1.\tThe Party may act.\n" + tail + "Joined here.\nBefore.\nInserted paragraph.\nEnd."
	reject := head + "1.1.\tThe Party shall act.\n" + tail + "Joinedtail\n here.\nBefore.\nEnd."
	for _, c := range []struct {
		opt  Options
		want string
	}{{Options{}, accept}, {Options{Reject: true}, reject}} {
		rep := mustRead(t, data, c.opt)
		if rep.Text != c.want {
			t.Errorf("reject=%v: got\n%q\nwant\n%q", c.opt.Reject, rep.Text, c.want)
		}
		if n := strings.Count(c.want, "\n") + 1; rep.Paragraphs != n {
			t.Errorf("reject=%v: got %d paragraphs, want %d", c.opt.Reject, rep.Paragraphs, n)
		}
		// "may" inserted, "shall" deleted, the deleted "tail" and its paragraph
		// mark, the inserted paragraph's mark and its text.
		if rep.TrackedChanges != 6 {
			t.Errorf("reject=%v: got %d tracked changes, want 6", c.opt.Reject, rep.TrackedChanges)
		}
		if rep.Headers != 1 || rep.Footers != 1 || rep.Footnotes != 1 || rep.Endnotes != 1 || rep.Comments != 1 {
			t.Errorf("reject=%v: got headers %d, footers %d, footnotes %d, endnotes %d, comments %d; want 1 each",
				c.opt.Reject, rep.Headers, rep.Footers, rep.Footnotes, rep.Endnotes, rep.Comments)
		}
		for _, s := range []string{"HEADER", "FOOTER", "FOOTNOTE", "ENDNOTE", "COMMENT"} {
			if strings.Contains(rep.Text, s) {
				t.Errorf("reject=%v: the text holds the %s", c.opt.Reject, strings.ToLower(s))
			}
		}
	}
}

// TestReadLibreOfficeFile reads the .docx and .doc LibreOffice made of
// libreOfficeFODT, committed so the test runs without LibreOffice.
func TestReadLibreOfficeFile(t *testing.T) {
	data, err := os.ReadFile("testdata/read-libreoffice.docx")
	if err != nil {
		t.Fatal(err)
	}
	checkLibreOfficeDocx(t, data)
	legacy, err := os.ReadFile("testdata/read-libreoffice.doc")
	if err != nil {
		t.Fatal(err)
	}
	checkLegacyDoc(t, legacy)
}

// checkLegacyDoc: a Word 97-2003 .doc is refused as one.
func checkLegacyDoc(t *testing.T, data []byte) {
	t.Helper()
	rep, err := Read(data, Options{})
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Reason, "legacy Word 97-2003 document (.doc): save it as Word Document (.docx)") {
		t.Errorf("a .doc: got %+v, %v; want the legacy .doc reason", rep, err)
	}
}

// TestReadLibreOfficeLive has LibreOffice make the .docx (and a Word 97-2003
// .doc) now, so a newer LibreOffice's output is read too.
// MRA_UPDATE_TESTDATA=1 stores them as testdata/read-libreoffice.*.
func TestReadLibreOfficeLive(t *testing.T) {
	soffice := docxtest.Soffice(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "read-libreoffice.fodt")
	if err := os.WriteFile(src, []byte(libreOfficeFODT), 0o600); err != nil {
		t.Fatal(err)
	}
	data := convert(t, soffice, src, "docx")
	checkLibreOfficeDocx(t, data)
	legacy := convert(t, soffice, src, "doc")
	checkLegacyDoc(t, legacy)
	if os.Getenv("MRA_UPDATE_TESTDATA") == "1" {
		for name, b := range map[string][]byte{"read-libreoffice.docx": data, "read-libreoffice.doc": legacy} {
			if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// convert has soffice convert src to format, with its own profile, and
// returns the result's bytes.
func convert(t *testing.T, soffice, src, format string) []byte {
	t.Helper()
	out := docxtest.Convert(t, soffice, filepath.Join(t.TempDir(), "profile"), format, filepath.Dir(src), src)
	res := strings.TrimSuffix(src, filepath.Ext(src)) + "." + format
	data, err := os.ReadFile(res)
	if err != nil {
		t.Fatalf("soffice made no %s: %v\n%s", format, err, out)
	}
	return data
}
