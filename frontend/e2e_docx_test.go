package frontend_test

// Word in, Word out in the page (issue 10): "Import a Word document" in the
// propose view and the Export menu of the text and compare views, against
// the real server's POST /api/import and GET …/export.

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"mra/diff/difftest"
	"mra/server/docx"
	"mra/server/mra"
)

const (
	docxV1 = "Article 1 Purpose\nThe Parties shall recognise each other’s authorised operators within thirty days.\n\nArticle 2 Information\nEach Party shall share the list of its operators every quarter.\n"
	// docxV2 is what the Word document below reads as, its tracked changes accepted.
	docxV2 = "Article 1 Purpose\nThe Parties shall recognise each other’s authorised operators within sixty days.\n\nArticle 2 Information\nEach Party shall share the list of its operators every month.\nArticle 3 Review\nThe Parties shall review this Arrangement every two years."
)

// wordFile writes a .docx made by the docx package into the test's
// temporary directory and returns its path and bytes.
func wordFile(t *testing.T, name string, d docx.Document) (string, []byte) {
	t.Helper()
	if d.Date.IsZero() {
		d.Date = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	}
	var b bytes.Buffer
	if err := docx.Write(&b, d); err != nil {
		t.Fatalf("docx.Write: %v", err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b.Bytes()
}

// importAnswer is POST /api/import's answer, asked over the contract.
type importAnswer struct {
	Text           string `json:"text"`
	Paragraphs     int    `json:"paragraphs"`
	TrackedChanges int    `json:"tracked_changes"`
}

func (c *client) importDocx(body []byte) (int, importAnswer, []byte) {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.W.URL()+"/api/import", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	status, raw := c.Do(req)
	var a importAnswer
	if status == http.StatusOK {
		if err := json.Unmarshal(raw, &a); err != nil {
			c.T.Fatalf("import answer %s: %v", raw, err)
		}
	}
	return status, a, raw
}

// versionText is a stored version's text and sha256, over the contract.
func (c *client) versionText(id string, n int) (text, sha string) {
	c.T.Helper()
	var v struct {
		Text   string `json:"text"`
		SHA256 string `json:"sha256"`
	}
	c.GetJSON(fmt.Sprintf("/api/negotiations/%s/versions/%d", id, n), &v)
	return v.Text, v.SHA256
}

// openPropose opens the propose view and waits for the draft to start
// from the latest version (n characters).
func (p *pg) openPropose(n int) {
	p.t.Helper()
	p.click(`.tab[data-tab="propose"]`)
	p.waitJS("the draft, started from the latest version", fmt.Sprintf(`document.querySelector('#draft').value.length === %d && document.querySelector('#draft-base').textContent !== ''`, n), 10*time.Second)
}

// previewCurrent waits until the preview shows the draft as it stands.
func (p *pg) previewCurrent(timeout time.Duration) {
	p.t.Helper()
	p.waitJS("the preview of the draft as it stands", `document.querySelector('#preview').dataset.state === 'current' && document.querySelector('#preview').dataset.rev === document.querySelector('#draft').dataset.rev`, timeout)
}

// TestImportWordDocument: a Word document with tracked changes, chosen in
// the propose view by keyboard, replaces the draft with its text (Word's
// changes accepted), says what came in, and is previewed as the server's
// redline against the latest version; proposed, the new version's text and
// sha256 are the imported text's.
func TestImportWordDocument(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("Word import", docxV1)
	path, raw := wordFile(t, "SG revision.docx", docx.Document{
		Title: "SG revision", Creator: "Singapore", Author: "Singapore",
		Segments: []docx.Segment{
			{Kind: docx.Same, Text: "Article 1 Purpose\nThe Parties shall recognise each other’s authorised operators within "},
			{Kind: docx.Delete, Text: "thirty"}, {Kind: docx.Insert, Text: "sixty"},
			{Kind: docx.Same, Text: " days.\n\nArticle 2 Information\nEach Party shall share the list of its operators every "},
			{Kind: docx.Delete, Text: "quarter"}, {Kind: docx.Insert, Text: "month"},
			{Kind: docx.Same, Text: ".\nArticle 3 Review\nThe Parties shall review this Arrangement every two years."},
		},
	})
	// What the server reads in it, over the contract.
	status, want, body := usNeg.importDocx(raw)
	if status != http.StatusOK || want.Text != docxV2 || want.TrackedChanges == 0 {
		t.Fatalf("POST /api/import: %d %s", status, body)
	}

	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.openPropose(len([]rune(docxV1)))
	us.tabTo(`.tab[data-tab="propose"]`, "#draft-import", 8)
	if name := evalIn[string](us, `document.querySelector('#draft-import').labels[0].textContent`); name != "Import a Word document" {
		t.Errorf("the file input is labelled %q", name)
	}
	if accept := evalIn[string](us, `document.querySelector('#draft-import').accept`); !strings.Contains(accept, ".docx") || !strings.Contains(accept, "wordprocessingml.document") {
		t.Errorf("the file input accepts %q", accept)
	}
	rev := evalIn[string](us, `document.querySelector('#draft').dataset.rev`)
	us.run("choose the Word document", chromedp.SetUploadFiles(chromedp.CSS("#draft-import"), []string{path}))
	us.waitText("#draft-imported", "Imported “SG revision.docx”", 10*time.Second)
	if got := evalIn[string](us, `document.querySelector('#draft').value`); got != docxV2 {
		t.Fatalf("the draft after the import is %q", got)
	}
	if evalIn[string](us, `document.querySelector('#draft').dataset.rev`) == rev {
		t.Error("the import did not mark the draft as edited")
	}
	said := us.text("#draft-imported")
	for _, s := range []string{
		fmt.Sprintf("%d paragraphs", want.Paragraphs),
		fmt.Sprintf("%d tracked changes were accepted", want.TrackedChanges),
		"against version 1",
	} {
		if !strings.Contains(said, s) {
			t.Errorf("the import says %q, without %q", said, s)
		}
	}
	if role := evalIn[string](us, `document.querySelector('#draft-imported').getAttribute('role')`); role != "status" {
		t.Errorf("what was imported is said in a %q, not a status", role)
	}

	// The preview is the server's redline of the import against version 1.
	us.previewCurrent(10 * time.Second)
	ins := evalIn[[]string](us, `[...document.querySelectorAll('#preview ins')].map(e => e.textContent.trim()).filter(Boolean)`)
	del := evalIn[[]string](us, `[...document.querySelectorAll('#preview del')].map(e => e.textContent.trim()).filter(Boolean)`)
	joinedIns, joinedDel := strings.Join(ins, " | "), strings.Join(del, " | ")
	for _, w := range []string{"sixty", "month", "Article 3 Review"} {
		if !strings.Contains(joinedIns, w) {
			t.Errorf("the preview's insertions %q lack %q", joinedIns, w)
		}
	}
	for _, w := range []string{"thirty", "quarter"} {
		if !strings.Contains(joinedDel, w) {
			t.Errorf("the preview's deletions %q lack %q", joinedDel, w)
		}
	}
	if strings.Contains(joinedIns, "thirty") || strings.Contains(joinedDel, "sixty") {
		t.Errorf("the preview inserts %q and deletes %q: Word's tracked changes were not taken as accepted", joinedIns, joinedDel)
	}
	if s := us.text("#preview-summary"); !strings.Contains(s, "Against version 1") {
		t.Errorf("the preview summary says %q", s)
	}
	us.checkA11y("propose view after a Word import")
	us.screenshot("docx-01-imported")

	// Proposed like any draft, with a note.
	us.setValue("#draft-note", "SG revision, from Word")
	us.click("#propose-submit")
	us.waitJS("version 2", `[...document.querySelectorAll('#version-select option')].some(o => o.textContent.startsWith('Version 2'))`, 20*time.Second)
	s := usNeg.snapshot(id)
	if len(s.Versions) != 2 || s.Versions[1].Note != "SG revision, from Word" {
		t.Fatalf("versions after proposing the import: %+v", s.Versions)
	}
	text, sha := usNeg.versionText(id, 2)
	if text != mra.NormalizeText(docxV2) || sha != mra.SHA256(mra.NormalizeText(docxV2)) || s.Versions[1].SHA256 != sha {
		t.Fatalf("version 2 is %q (sha256 %s), not the imported text", text, sha)
	}
}

// TestImportBadWordDocument: a file that is not a Word document shows the
// server's reason in the form's error place and changes nothing: not the
// draft, not its preview, not the negotiation.
func TestImportBadWordDocument(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("Word import, bad file", docxV1)
	bad := filepath.Join(t.TempDir(), "minutes.docx")
	if err := os.WriteFile(bad, []byte("These are the minutes of the call, not a Word document."), 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, why := usNeg.importDocx([]byte("These are the minutes of the call, not a Word document."))
	if status != http.StatusBadRequest {
		t.Fatalf("POST /api/import of a text file: %d %s", status, why)
	}

	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.openPropose(len([]rune(docxV1)))
	us.setValue("#draft", docxV1+"A line of my own.")
	us.previewCurrent(10 * time.Second)
	rev := evalIn[string](us, `document.querySelector('#draft').dataset.rev`)

	us.run("choose a file that is not a Word document", chromedp.SetUploadFiles(chromedp.CSS("#draft-import"), []string{bad}))
	us.waitJS("the import's error", `[...document.querySelectorAll('.propose-form .error[role=alert]')].some(e => !e.hidden && e.textContent.includes('not imported'))`, 10*time.Second)
	msg := evalIn[string](us, `[...document.querySelectorAll('.propose-form .error[role=alert]')].find(e => !e.hidden).textContent`)
	if !strings.Contains(msg, "“minutes.docx”") || !strings.Contains(strings.ToLower(msg), "not a zip") || !strings.Contains(msg, "Your draft is unchanged") {
		t.Errorf("the error says %q", msg)
	}
	if strings.Contains(msg, "docx:") {
		t.Errorf("the error shows the reader's prefix: %q", msg)
	}
	if got := evalIn[string](us, `document.querySelector('#draft').value`); got != docxV1+"A line of my own." {
		t.Errorf("a failed import changed the draft to %q", got)
	}
	if got := evalIn[string](us, `document.querySelector('#draft').dataset.rev + ' ' + document.querySelector('#preview').dataset.state`); got != rev+" current" {
		t.Errorf("a failed import touched the preview: rev and state %q, want %q", got, rev+" current")
	}
	if us.text("#draft-imported") != "" {
		t.Errorf("after a failed import the page says %q", us.text("#draft-imported"))
	}
	if evalIn[bool](us, `document.querySelector('#draft-import').disabled`) {
		t.Error("the file input stays disabled after a failed import")
	}
	us.screenshot("docx-02-bad-file")

	// A file over the contract's 16 MiB is refused in the page, unsent.
	huge := filepath.Join(t.TempDir(), "scan.docx")
	if err := os.WriteFile(huge, bytes.Repeat([]byte{'x'}, 17<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	us.run("choose a 17 MiB file", chromedp.SetUploadFiles(chromedp.CSS("#draft-import"), []string{huge}))
	us.waitJS("the size error", `[...document.querySelectorAll('.propose-form .error[role=alert]')].some(e => !e.hidden && e.textContent.includes('“scan.docx” was not imported') && e.textContent.includes('at most 16 MiB'))`, 10*time.Second)
	if got := evalIn[string](us, `document.querySelector('#draft').value + '|' + document.querySelector('#draft').dataset.rev`); got != docxV1+"A line of my own.|"+rev {
		t.Errorf("a refused file changed the draft: %q", got)
	}
	if s := usNeg.snapshot(id); len(s.Versions) != 1 {
		t.Fatalf("a failed import changed the negotiation: %+v", s.Versions)
	}
}

// TestImportLongWordDocumentFolds: a 3 MB Word document takes the paste's
// road: the editor folds away before the text is laid out, says what was
// imported, and the preview is the server's against version 1.
func TestImportLongWordDocumentFolds(t *testing.T) {
	pair := difftest.Agreement(2000)
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("Reference agreement, from Word", pair.Old)
	path, _ := wordFile(t, "reference.docx", docx.Document{Title: "Reference", Creator: "Singapore", Segments: []docx.Segment{{Kind: docx.Same, Text: pair.New}}})

	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.openPropose(len(pair.Old))
	// The editor shown (the 3 MB draft starts folded), as before a paste.
	us.click("#draft-show")
	us.waitJS("the editor shown", `!document.querySelector('#draft').hidden`, 5*time.Second)
	us.run("choose the 3 MB Word document", chromedp.SetUploadFiles(chromedp.CSS("#draft-import"), []string{path}))
	us.waitText("#draft-imported", "Imported “reference.docx”", 30*time.Second)
	if !evalIn[bool](us, `document.querySelector('#draft').hidden && document.querySelector('#draft').getClientRects().length === 0`) {
		t.Fatal("after a 3 MB import the editor is laid out")
	}
	us.waitText("#draft-folded", fmt.Sprintf("You imported a text of %s characters", commas(len([]rune(pair.New)))), 2*time.Second)
	us.previewCurrent(30 * time.Second)
	if s := us.text("#preview-summary"); strings.Contains(s, "No changes") || !strings.Contains(s, "Against version 1") {
		t.Errorf("the preview summary says %q", s)
	}
	if n := evalIn[int](us, `document.querySelectorAll('#preview ins, #preview del').length`); n < 100 {
		t.Errorf("the preview of the 3 MB import shows %d changes", n)
	}
	if got := evalIn[string](us, `document.querySelector('#draft').value`); got != pair.New {
		t.Fatalf("the draft holds %d characters, not the %d imported", len(got), len(pair.New))
	}
}

// download is what a link of the Export menu answers, fetched by the page.
type download struct {
	Href        string `json:"href"`
	Status      int    `json:"status"`
	Disposition string `json:"disposition"`
	Type        string `json:"type"`
	Body64      string `json:"body"`
	body        []byte
}

// fetchLink fetches the href of the link matching sel as the page would
// follow it (its cookie, its origin).
func (p *pg) fetchLink(sel string) download {
	p.t.Helper()
	d := evalIn[download](p, fmt.Sprintf(`(async () => {
		const a = document.querySelector(%s);
		const r = await fetch(a.href, {credentials: 'same-origin'});
		const b = new Uint8Array(await r.arrayBuffer());
		let s = '';
		for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
		return {href: a.getAttribute('href'), status: r.status, disposition: r.headers.get('Content-Disposition') || '', type: r.headers.get('Content-Type') || '', body: btoa(s)};
	})()`, jsString(sel)))
	b, err := base64.StdEncoding.DecodeString(d.Body64)
	if err != nil {
		p.t.Fatal(err)
	}
	d.body = b
	return d
}

// filename is the file name the answer's Content-Disposition gives.
func (d download) filename() string {
	_, params, err := mime.ParseMediaType(d.Disposition)
	if err != nil {
		return ""
	}
	return params["filename"]
}

// allText is every part of a docx (unzipped) or the body of anything else.
func allText(t *testing.T, format string, body []byte) string {
	t.Helper()
	if format != "docx" {
		return string(body)
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the docx is no zip: %v", err)
	}
	var all strings.Builder
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		fmt.Fprintf(&all, "\n== %s\n%s", f.Name, b)
	}
	return all.String()
}

// waitFile waits up to 10 s for the browser to finish saving a download
// (Chromium writes a .crdownload file and renames it when done).
func waitFile(t *testing.T, path string) []byte {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return b
		}
	}
	return nil
}

var exportTypes = map[string]string{
	"txt":  "text/plain",
	"html": "text/html",
	"json": "application/json",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// exportWorld: a US–SG negotiation with version 1 by US and version 2 by
// SG, a shared open issue on version 2 (for the brackets), and an internal
// thread of each party whose bodies must never leave their party, but US's
// may go into US's own exports when asked.
const (
	usSecret = "US-ONLY fallback: we accept forty-five days"
	sgSecret = "SG-ONLY fallback: Singapore accepts ninety days"
)

func exportWorld(t *testing.T, e *env) (id, v2 string) {
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	id = usNeg.negotiation("Word out", docxV1)
	sgNeg.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": docxV2, "note": "SG revision"})
	v2, _ = usNeg.versionText(id, 2)
	sgNeg.comment(id, 2, v2, "sixty days", "open_issue", "shared", "SG: sixty days, as our law requires.")
	usNeg.comment(id, 2, v2, "every month", "note", "internal", usSecret)
	sgNeg.comment(id, 2, v2, "every two years", "note", "internal", sgSecret)
	return id, v2
}

// TestExportMenuText: the text view's Export menu, by keyboard: it opens on
// "Export", offers every kind for the version shown, each a link the
// browser downloads with the server's file name; "Include our internal
// notes" is off by default and adds US's internal notes (never SG's) to the
// docx and html of the clean, redline and bracketed text only; Escape
// closes it and gives the focus back; it follows the version shown, and an
// old version 1 has no redline.
func TestExportMenuText(t *testing.T) {
	e := newEnv(t)
	id, v2 := exportWorld(t, e)
	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.live()
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(us.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: chromedp.FromContext(us.ctx).BrowserContextID, DownloadPath: dir,
	}); err != nil {
		t.Fatalf("set the download directory: %v", err)
	}

	// Keyboard: Tab to "Export", Enter opens, Down goes to the first link.
	us.tabTo("#print-text", "#export-text-button", 4)
	if evalIn[bool](us, `document.querySelector('#export-text').open`) {
		t.Fatal("the Export menu is open before it is asked for")
	}
	us.press("\r")
	us.waitJS("the Export menu open", `document.querySelector('#export-text').open`, 2*time.Second)
	us.press(kb.ArrowDown)
	if !us.focused(`#export-text a[data-kind="clean"][data-format="txt"]`) {
		t.Fatalf("Down in the open menu focuses %s", evalIn[string](us, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	us.checkA11y("text view, Export menu open")
	us.screenshot("docx-03-export-menu")

	links := evalIn[[]string](us, `[...document.querySelectorAll('#export-text a[data-kind]')].filter(a => a.getClientRects().length).map(a => a.dataset.kind + '.' + a.dataset.format)`)
	wantLinks := "clean.txt clean.docx clean.html redline.docx redline.html bracketed.txt bracketed.docx bracketed.html record.json record.html"
	if strings.Join(links, " ") != wantLinks {
		t.Fatalf("the menu offers %v, want %s", links, wantLinks)
	}
	if evalIn[bool](us, `document.querySelector('#export-text-internal').checked`) {
		t.Fatal("\"Include our internal notes\" is ticked by default")
	}
	if l := us.text(`label[for="export-text-internal"]`); !strings.Contains(l, "Include our internal notes (US only)") {
		t.Errorf("the internal checkbox is labelled %q", l)
	}

	// Choose the clean text by keyboard: the browser saves it under the server's name.
	us.press("\r")
	clean := us.fetchLink(`#export-text a[data-kind="clean"][data-format="txt"]`)
	name := clean.filename()
	if name == "" || !strings.HasSuffix(name, ".txt") {
		t.Fatalf("the clean text's Content-Disposition is %q", clean.Disposition)
	}
	if got := waitFile(t, filepath.Join(dir, name)); string(got) != v2 {
		entries, _ := os.ReadDir(dir)
		t.Fatalf("Enter on the clean text saved %q as %s; the directory holds %v", got, name, entries)
	}

	check := func(internal bool) {
		t.Helper()
		for _, kf := range strings.Fields(wantLinks) {
			kind, format, _ := strings.Cut(kf, ".")
			d := us.fetchLink(fmt.Sprintf(`#export-text a[data-kind=%q][data-format=%q]`, kind, format))
			where := fmt.Sprintf("%s (internal %v)", d.Href, internal)
			if !strings.HasPrefix(d.Href, "/api/negotiations/"+id+"/export?kind="+kind+"&format="+format+"&version=2") {
				t.Errorf("%s: the link is %s", where, d.Href)
			}
			if (kind == "redline") != strings.Contains(d.Href, "&from=1") {
				t.Errorf("%s: the redline is not from version 1", where)
			}
			adds := internal && kind != "record" && format != "txt"
			if strings.Contains(d.Href, "internal=1") != adds {
				t.Errorf("%s: internal=1 should be there: %v", where, adds)
			}
			if d.Status != http.StatusOK || !strings.HasPrefix(d.Disposition, "attachment") || !strings.HasSuffix(d.filename(), "."+format) || !strings.HasPrefix(d.Type, exportTypes[format]) {
				t.Errorf("%s: %d, %q, %q", where, d.Status, d.Disposition, d.Type)
				continue
			}
			all := allText(t, format, d.body)
			if strings.Contains(all, sgSecret) {
				t.Errorf("%s holds SG's internal note", where)
			}
			if strings.Contains(all, usSecret) != adds {
				t.Errorf("%s: US's internal note should be in it: %v", where, adds)
			}
			switch kf {
			case "clean.txt":
				if string(d.body) != v2 {
					t.Errorf("%s is %q, not version 2", where, d.body)
				}
			case "bracketed.txt":
				if !strings.Contains(string(d.body), "[sixty days]") || strings.NewReplacer("[", "", "]", "").Replace(string(d.body)) != v2 {
					t.Errorf("%s is %q", where, d.body)
				}
			case "record.json":
				var rec map[string]any
				if err := json.Unmarshal(d.body, &rec); err != nil || !strings.Contains(string(d.body), mra.SHA256(v2)) {
					t.Errorf("%s is %s (%v)", where, d.body, err)
				}
			case "redline.docx":
				if !strings.Contains(all, "<w:ins") || !strings.Contains(all, "<w:del") {
					t.Errorf("%s has no tracked changes", where)
				}
			case "clean.docx", "clean.html", "bracketed.docx", "bracketed.html", "redline.html":
				if !strings.Contains(all, "Article 3 Review") {
					t.Errorf("%s lacks the text", where)
				}
			}
		}
	}
	check(false)

	// A click on the clean docx saves, under the server's name, the very
	// bytes the link answers (an export made twice is the same file).
	word := us.fetchLink(`#export-text a[data-kind="clean"][data-format="docx"]`)
	us.click(`#export-text a[data-kind="clean"][data-format="docx"]`)
	if b := waitFile(t, filepath.Join(dir, word.filename())); !bytes.Equal(b, word.body) {
		t.Errorf("the clicked clean docx saved %d bytes as %q, not the %d the link answers", len(b), word.filename(), len(word.body))
	}
	if !evalIn[bool](us, `document.querySelector('#export-text').open`) {
		t.Error("choosing an export closed the menu")
	}

	// End goes to the checkbox; Space ticks it; the links it changes say so.
	us.press(kb.End)
	if !us.focused("#export-text-internal") {
		t.Fatalf("End in the menu focuses %s", evalIn[string](us, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	us.press(" ")
	us.waitJS("the internal links", `document.querySelectorAll('#export-text a[data-internal]').length === 6`, 2*time.Second)
	if w := us.text("#export-text .export-warning"); !strings.Contains(w, "internal notes") || !strings.Contains(w, "SG") {
		t.Errorf("with internal notes ticked the menu warns %q", w)
	}
	if l := evalIn[string](us, `document.querySelector('#export-text a[data-kind="clean"][data-format="docx"]').textContent`); !strings.Contains(l, "with US internal notes") {
		t.Errorf("the clean docx link reads %q with internal notes ticked", l)
	}
	check(true)
	us.screenshot("docx-04-export-internal")

	// Escape closes the menu and gives the focus back; it reopens unticked.
	us.press(kb.Escape)
	if evalIn[bool](us, `document.querySelector('#export-text').open`) || !us.focused("#export-text-button") {
		t.Fatal("Escape did not close the menu with the focus back on Export")
	}
	us.press("\r")
	us.waitJS("the menu open again", `document.querySelector('#export-text').open`, 2*time.Second)
	if evalIn[bool](us, `document.querySelector('#export-text-internal').checked || !!document.querySelector('#export-text a[href*="internal=1"]')`) {
		t.Error("the menu reopened with the internal notes still ticked")
	}

	// It follows the version shown: a version 3 arrives while it is open.
	e.api("sg-neg").do("propose_version", map[string]any{"negotiation": id, "base": 2, "text": docxV2 + "\nArticle 4 Entry into force", "note": "v3"})
	us.waitJS("the menu on version 3", `document.querySelector('#export-text a[data-kind="clean"][data-format="txt"]').getAttribute('href').endsWith('&version=3') && document.querySelector('#export-text a[data-kind="redline"][data-format="html"]').getAttribute('href').endsWith('&version=3&from=2')`, 10*time.Second)
	if !evalIn[bool](us, `document.querySelector('#export-text').open`) {
		t.Error("a new version closed the open menu")
	}
	us.press(kb.Escape)

	// An old version 1: no version before it, so no redline.
	us.setValue("#version-select", "1")
	us.waitJS("version 1 shown", `document.querySelector('#version-meta').textContent.startsWith('Version 1,')`, 10*time.Second)
	us.click("#export-text-button")
	us.waitJS("the menu on version 1", `document.querySelector('#export-text a[data-kind="clean"][data-format="txt"]').getAttribute('href').endsWith('&version=1')`, 2*time.Second)
	if evalIn[bool](us, `!!document.querySelector('#export-text li[data-kind="redline"]').getClientRects().length`) {
		t.Error("version 1 is offered a redline")
	}
	if d := us.fetchLink(`#export-text a[data-kind="clean"][data-format="txt"]`); string(d.body) != docxV1 {
		t.Errorf("version 1's clean text is %q", d.body)
	}
	// A click elsewhere closes it.
	us.click("#doc")
	if evalIn[bool](us, `document.querySelector('#export-text').open`) {
		t.Error("a click in the text left the menu open")
	}
}

// TestExportMenuCompare: the compare view's menu exports the pair shown
// (from → to): the redline from → to, the rest of "to"; it follows a new
// pair; and at 800 px (the half-screen layout) both menus are reached and
// fit.
func TestExportMenuCompare(t *testing.T) {
	e := newEnv(t)
	id, _ := exportWorld(t, e)
	e.api("us-neg").do("propose_version", map[string]any{"negotiation": id, "base": 2, "text": docxV2 + "\nArticle 4 Entry into force", "note": "v3"})
	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.click(`.tab[data-tab="compare"]`)
	us.waitJS("the redline 2 → 3", `document.querySelector('#compare-summary').textContent.startsWith('Version 2 → version 3')`, 10*time.Second)
	us.tabTo(`.tab[data-tab="compare"]`, "#export-compare-button", 12)
	us.press(" ")
	us.waitJS("the compare Export menu open", `document.querySelector('#export-compare').open`, 2*time.Second)
	hrefs := evalIn[map[string]string](us, `Object.fromEntries([...document.querySelectorAll('#export-compare a[data-kind]')].filter(a => a.getClientRects().length).map(a => [a.dataset.kind + '.' + a.dataset.format, a.getAttribute('href')]))`)
	base := "/api/negotiations/" + id + "/export?kind="
	for kf, want := range map[string]string{
		"redline.docx": base + "redline&format=docx&version=3&from=2", "redline.html": base + "redline&format=html&version=3&from=2",
		"clean.txt": base + "clean&format=txt&version=3", "bracketed.html": base + "bracketed&format=html&version=3", "record.json": base + "record&format=json&version=3",
	} {
		if hrefs[kf] != want {
			t.Errorf("compare 2 → 3: %s links to %q, want %q", kf, hrefs[kf], want)
		}
	}
	if len(hrefs) != 10 {
		t.Errorf("the compare menu offers %d links: %v", len(hrefs), hrefs)
	}
	if h := us.text("#export-compare .export-what"); h != "Export: version 2 → version 3" {
		t.Errorf("the compare menu is headed %q", h)
	}
	d := us.fetchLink(`#export-compare a[data-kind="redline"][data-format="html"]`)
	if d.Status != http.StatusOK || !strings.Contains(string(d.body), "Article 4 Entry into force") {
		t.Errorf("the compare menu's redline html: %d %q %.200s", d.Status, d.Disposition, d.body)
	}
	us.checkA11y("compare view, Export menu open")

	// Another pair, while it is open: the links follow.
	us.setValue("#compare-from", "1")
	us.waitJS("the menu on 1 → 3", `document.querySelector('#export-compare a[data-kind="redline"][data-format="docx"]').getAttribute('href').endsWith('&version=3&from=1')`, 5*time.Second)
	us.press(kb.Escape)

	// Half-screen: the text pane shows the views; both menus are reached
	// by keyboard, open, and fit the window.
	us.viewport(800, 900)
	us.click("#pane-text")
	for _, view := range []string{"text", "compare"} {
		us.click(fmt.Sprintf(`.tab[data-tab=%q]`, view))
		us.tabTo(fmt.Sprintf(`.tab[data-tab=%q]`, view), "#export-"+view+"-button", 14)
		us.press("\r")
		us.waitJS("the menu open at 800 px", fmt.Sprintf(`document.querySelector('#export-%s').open`, view), 2*time.Second)
		box := evalIn[[]float64](us, fmt.Sprintf(`(() => { const r = document.querySelector('#export-%s .export-panel').getBoundingClientRect(); return [r.left, r.right, innerWidth]; })()`, view))
		if box[0] < 0 || box[1] > box[2] {
			t.Errorf("%s view at 800 px: the menu spans %.0f–%.0f px of %.0f", view, box[0], box[1], box[2])
		}
		if n := evalIn[int](us, fmt.Sprintf(`[...document.querySelectorAll('#export-%s a[data-kind]')].filter(a => a.getClientRects().length).length`, view)); n != 10 {
			t.Errorf("%s view at 800 px: %d links shown", view, n)
		}
		us.fitsWidth(view + " view at 800 px, Export menu open")
		us.checkA11y(view + " view at 800 px, Export menu open")
		us.screenshot("docx-05-export-800-" + view)
		us.press(kb.Escape)
		if !us.focused("#export-" + view + "-button") {
			t.Errorf("%s view at 800 px: Escape left the focus elsewhere", view)
		}
	}
}

// TestImportLibreOfficeDocument: a Word document LibreOffice saved (the
// reader's committed testdata: numbered articles, a table, notes, a
// comment, a header and tracked changes) comes into the draft as the
// server reads it, Word's pending changes accepted, and is previewed
// against the version it revises (its text with the changes rejected).
func TestImportLibreOfficeDocument(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "server", "docx", "testdata", "read-libreoffice.docx"))
	if err != nil {
		t.Fatalf("the LibreOffice document of the docx reader's tests: %v", err)
	}
	rejected, err := docx.Read(raw, docx.Options{Reject: true})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("LibreOffice import", rejected.Text)
	status, want, body := usNeg.importDocx(raw)
	if status != http.StatusOK || want.TrackedChanges == 0 || want.Text == rejected.Text {
		t.Fatalf("POST /api/import of LibreOffice's document: %d %s", status, body)
	}
	path := filepath.Join(t.TempDir(), "Arrangement (LibreOffice).docx")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}

	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.openPropose(len([]rune(rejected.Text)))
	us.run("choose LibreOffice's document", chromedp.SetUploadFiles(chromedp.CSS("#draft-import"), []string{path}))
	us.waitText("#draft-imported", "Imported “Arrangement (LibreOffice).docx”", 10*time.Second)
	if got := evalIn[string](us, `document.querySelector('#draft').value`); got != want.Text {
		t.Fatalf("the draft is %q, the server read %q", got, want.Text)
	}
	if s := us.text("#draft-imported"); !strings.Contains(s, fmt.Sprintf("%d paragraphs", want.Paragraphs)) || !strings.Contains(s, fmt.Sprintf("%d tracked changes were accepted", want.TrackedChanges)) {
		t.Errorf("the import says %q (the server: %d paragraphs, %d tracked changes)", s, want.Paragraphs, want.TrackedChanges)
	}
	us.previewCurrent(10 * time.Second)
	ins := evalIn[string](us, `[...document.querySelectorAll('#preview ins')].map(e => e.textContent).join('|')`)
	del := evalIn[string](us, `[...document.querySelectorAll('#preview del')].map(e => e.textContent).join('|')`)
	if !strings.Contains(ins, "may") || !strings.Contains(ins, "Inserted paragraph") || !strings.Contains(del, "shall") {
		t.Errorf("the preview inserts %q and deletes %q", ins, del)
	}
	for _, part := range []string{"HEADER", "FOOTER", "FOOTNOTE", "COMMENT"} {
		if strings.Contains(want.Text, part) {
			t.Errorf("the imported text holds the document's %s", strings.ToLower(part))
		}
	}
}
