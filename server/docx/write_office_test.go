package docx

// Tests against LibreOffice: the text it reads in our files, the copy it
// saves of a redline, and its own accepting and rejecting of every change.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mra/diff"
	"mra/diff/difftest"

	"mra/server/docx/docxtest"
)

// The text of every kind of paragraph, to be seen by LibreOffice.
const officeText = "Article 1\n\nThe <customs> & \"parties\"\tshall 'recognise'.\n第七条 协定\nالمادة 7 من الاتفاق\nסעיף 7 להסדר\n😀 🇸🇬\n\nend"

// TestWriteLibreOffice checks docx files against LibreOffice, with one
// profile for its three runs: the text it reads, the copy it saves, and
// its accepting and rejecting all changes.
func TestWriteLibreOffice(t *testing.T) {
	soffice, profile := docxtest.Soffice(t), t.TempDir()
	t.Run("text and copy", func(t *testing.T) { readByLibreOffice(t, soffice, profile) })
	t.Run("accept and reject", func(t *testing.T) { resolvedByLibreOffice(t, soffice, profile) })
}

// readByLibreOffice checks the text LibreOffice reads in a clean docx and a
// redline, and the redline as LibreOffice saves it again.
func readByLibreOffice(t *testing.T, soffice, profile string) {
	dir := t.TempDir()
	clean := Document{Title: "Clean", Creator: "Singapore Customs", Date: testDate, Segments: []Segment{{Same, officeText, 0}}}
	red := sample()
	files := map[string][]byte{"clean.docx": mustWrite(t, clean), "redline.docx": mustWrite(t, red)}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	txt := filepath.Join(dir, "txt")
	docxtest.Convert(t, soffice, profile, "txt:Text", txt, filepath.Join(dir, "clean.docx"), filepath.Join(dir, "redline.docx"))
	// LibreOffice's text filter writes UTF-8 with a byte order mark and
	// ends the last paragraph with a line feed: only those are taken off.
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(txt, name))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.TrimPrefix(string(b), "\uFEFF")
		return strings.TrimSuffix(s, "\n")
	}
	if got := read("clean.txt"); got != officeText {
		t.Errorf("LibreOffice reads the clean docx as\n%q\nwant\n%q", got, officeText)
	}
	// With changes shown, LibreOffice's text export holds every tracked
	// change's text: deleted and inserted, moved away and moved to.
	_, _, all := texts(red.Segments)
	if got := read("redline.txt"); got != all {
		t.Errorf("LibreOffice reads the redline as\n%q\nwant\n%q", got, all)
	}

	// Saved again by LibreOffice, the redline keeps every tracked change,
	// by its author, and still accepts and rejects to the two texts.
	resaved := filepath.Join(dir, "resaved")
	docxtest.Convert(t, soffice, profile, "docx:MS Word 2007 XML", resaved, filepath.Join(dir, "redline.docx"))
	b, err := os.ReadFile(filepath.Join(resaved, "redline.docx"))
	if err != nil {
		t.Fatal(err)
	}
	parts, _ := unzip(t, b)
	doc := parts["word/document.xml"]
	w := walkXML(t, doc, false)
	acc, rej, _ := texts(red.Segments)
	if w.accepted() != acc || w.rejected() != rej {
		t.Errorf("LibreOffice's copy accepts to %q, rejects to %q;\nwant %q and %q", w.accepted(), w.rejected(), acc, rej)
	}
	count := map[string]int{}
	for _, a := range changes(t, doc) {
		count[a["element"]]++
		if a["author"] != red.Author && !strings.HasSuffix(a["element"], "RangeEnd") {
			t.Errorf("LibreOffice's copy has a %s by %q", a["element"], a["author"])
		}
	}
	// Ours has 3 of each but moveFrom, whose run a comment splits;
	// LibreOffice joins what it can.
	for _, el := range []string{"ins", "del", "moveFrom", "moveTo", "moveFromRangeStart", "moveToRangeStart"} {
		if count[el] == 0 {
			t.Errorf("LibreOffice's copy has no %s: %v", el, count)
		}
	}
	if count["ins"] != 3 || count["del"] != 3 {
		t.Errorf("LibreOffice's copy has %d w:ins and %d w:del, want 3 and 3", count["ins"], count["del"])
	}
	// The comments keep their author, text and range (LibreOffice may
	// number them anew, and marks a point by its reference alone).
	got := commentsOf(t, parts["word/comments.xml"])
	if len(got) != len(red.Comments) {
		t.Fatalf("LibreOffice's copy has comments %q", got)
	}
	for _, c := range got {
		id, _ := strconv.Atoi(c["id"])
		s, okS := w.starts[id]
		e, okE := w.ends[id]
		if !okS && !okE {
			s, e = w.refs[id], w.refs[id]
		}
		found := false
		for _, want := range red.Comments {
			found = found || want.Author == c["author"] && want.Text == c["text"] && want.Start == s && want.End == e
		}
		if !found {
			t.Errorf("LibreOffice's copy has comment %q over [%d,%d), not one of ours", c, s, e)
		}
	}
	t.Logf("LibreOffice's copy: %v", count)
}

// resolveMacro is a LibreOffice Basic module: ResolveAll("url|url|...")
// opens each document, accepts (then, opened again, rejects) every tracked
// change with LibreOffice's own commands and saves the text beside it as
// URL.Accept.txt and URL.Reject.txt.
const resolveMacro = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub ResolveAll(files As String)
	Dim hidden(0) As New com.sun.star.beans.PropertyValue
	hidden(0).Name = "Hidden"
	hidden(0).Value = True
	Dim text(0) As New com.sun.star.beans.PropertyValue
	text(0).Name = "FilterName"
	text(0).Value = "Text"
	disp = createUnoService("com.sun.star.frame.DispatchHelper")
	For Each f In Split(files, "|")
		For Each how In Array("Accept", "Reject")
			doc = StarDesktop.loadComponentFromURL(f, "_blank", 0, hidden())
			disp.executeDispatch(doc.CurrentController.Frame, ".uno:" &amp; how &amp; "AllTrackedChanges", "", 0, Array())
			doc.storeToURL(f &amp; "." &amp; how &amp; ".txt", text())
			doc.close(True)
		Next
	Next
End Sub
</script:module>
`

// withMacro puts resolveMacro in the Standard library of the LibreOffice
// profile in dir, first having LibreOffice make the profile if it has not
// yet (it replaces a library it did not make).
func withMacro(t *testing.T, soffice, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "user", "basic", "Standard", "Module1.xba")); err != nil {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		profile := (&url.URL{Scheme: "file", Path: dir}).String()
		if out, err := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "--terminate_after_init", "-env:UserInstallation="+profile).CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, out)
		}
	}
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	libraries := head + `<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink"><library:library library:name="Standard" library:link="false"/></library:libraries>`
	library := func(elements string) string {
		return head + `<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" library:passwordprotected="false">` + elements + `</library:library>`
	}
	basic := filepath.Join(dir, "user", "basic")
	for name, data := range map[string]string{
		"script.xlc":           libraries,
		"dialog.xlc":           libraries,
		"Standard/script.xlb":  library(`<library:element library:name="Module1"/>`),
		"Standard/dialog.xlb":  library(""),
		"Standard/Module1.xba": resolveMacro,
	} {
		p := filepath.Join(basic, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// resolvedByLibreOffice has LibreOffice itself accept and reject every
// tracked change of redlines with hard paragraph marks, moves and comments,
// and of a small agreement's redlines (words edited; paragraphs moved):
// accepted, each reads as the new text; rejected, as the old.
func resolvedByLibreOffice(t *testing.T, soffice, profile string) {
	dir := t.TempDir()
	withMacro(t, soffice, profile)
	type doc struct {
		name string
		segs []Segment
	}
	docs := []doc{{"sample", sample().Segments}}
	for i, tc := range resolveCases {
		if tc.name == "tabs and specials" {
			continue // control characters: what LibreOffice makes of a w:sym is its own
		}
		docs = append(docs, doc{fmt.Sprintf("case%d", i), tc.segs})
	}
	p := difftest.Agreement(12)
	_, _, moved := movedAgreement(t)
	docs = append(docs, doc{"agreement", segmentsOf(diff.Redline(p.Old, p.New))}, doc{"moves", moved})
	var urls []string
	for _, d := range docs {
		path := filepath.Join(dir, d.name+".docx")
		if err := os.WriteFile(path, mustWrite(t, Document{Author: "Singapore Customs", Date: testDate, Segments: d.segs}), 0o644); err != nil {
			t.Fatal(err)
		}
		urls = append(urls, (&url.URL{Scheme: "file", Path: path}).String())
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore",
		"-env:UserInstallation="+(&url.URL{Scheme: "file", Path: profile}).String(),
		`macro:///Standard.Module1.ResolveAll("`+strings.Join(urls, "|")+`")`)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	for _, d := range docs {
		acc, rej, _ := texts(d.segs)
		for how, want := range map[string]string{"Accept": acc, "Reject": rej} {
			b, err := os.ReadFile(filepath.Join(dir, d.name+".docx."+how+".txt"))
			if err != nil {
				t.Fatalf("%s: LibreOffice wrote no text: %v", d.name, err)
			}
			// The text filter's byte order mark and last line feed.
			got := strings.TrimSuffix(strings.TrimPrefix(string(b), "\uFEFF"), "\n")
			if got != want {
				t.Errorf("%s, LibreOffice's %s all:\n got %q\nwant %q", d.name, how, got, want)
			}
		}
	}
}
