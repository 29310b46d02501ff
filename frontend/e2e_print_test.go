package frontend_test

// Printing the text view: the whole text of the version shown (however
// little of it the reader draws), without the app's chrome or cards, its
// shared comments as numbered notes, and internal notes only when chosen.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"mra/diff/difftest"
)

// printArticles sizes the generated agreement (2,000 is the 3 MB reference).
const printArticles = 2000

// passage returns the offsets (code points; the generated text is ASCII)
// and words of n characters of paragraph para of article a.
func passage(text string, a, para, n int) (int, int, string) {
	head := fmt.Sprintf("Article %d\n\n", a)
	i := strings.Index(text, head)
	if i < 0 {
		panic("no " + head)
	}
	p := strings.Index(text[i:], fmt.Sprintf("%d. ", para))
	start := i + p + 3
	return start, start + n, text[start : start+n]
}

// printedNote is one note of the printout, as the page holds it.
type printedNote struct {
	N        int    `json:"n"`
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
	Head     string `json:"head"`
	Marked   string `json:"marked"`   // the words marked with its number ("" for a general note)
	Together bool   `json:"together"` // its number in the text and the note in one article
}

// printout is what prints: the printout's text, its notes, and what of
// the page is rendered under print media.
type printout struct {
	Text     string        `json:"text"`
	Notes    []printedNote `json:"notes"`
	Printed  string        `json:"printed"` // everything rendered (innerText under print media)
	Chrome   []string      `json:"chrome"`  // chrome or cards rendered
	Internal string        `json:"internal"`
	Marks    int           `json:"marks"` // passages marked
}

const readPrintout = `(() => {
	const doc = document.querySelector('#print-doc');
	if (!doc) return null;
	const text = [...doc.querySelectorAll('.p-text')].map(el => {
		let s = '';
		const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		while (walk.nextNode()) if (!walk.currentNode.parentElement.closest('.p-ref')) s += walk.currentNode.data;
		return s;
	}).join('');
	const refs = new Map([...doc.querySelectorAll('.p-ref')].map(r => [r.textContent, r]));
	const notes = [...doc.querySelectorAll('.p-note')].map(li => {
		const n = Number(li.value);
		const ref = refs.get('[' + n + ']');
		const prev = ref && ref.previousSibling;
		return {n, body: [...li.querySelectorAll('.p-text-msg')].map(m => m.textContent).join(' | '),
			internal: li.classList.contains('p-internal'), head: li.querySelector('.p-note-head').textContent,
			marked: prev && prev.nodeName === 'MARK' ? prev.textContent : '',
			together: !!ref && ref.closest('.p-article') === li.closest('.p-article')};
	});
	const chrome = ['.topbar', '.skip', '#main', '.tabs', '.toolbar', '.col-right', '.thread', '#print-dialog']
		.filter(sel => [...document.querySelectorAll(sel)].some(el => el.checkVisibility()));
	return {text, notes, printed: document.body.innerText, chrome, internal: doc.dataset.internal, marks: doc.querySelectorAll('mark').length};
})()`

func TestPrintTheWholeTextWithNumberedSharedNotes(t *testing.T) {
	e := newEnv(t)
	text := difftest.Agreement(printArticles).Old
	usNeg, sgNeg, usLegal := e.api("us-neg"), e.api("sg-neg"), e.api("us-legal")
	id := usNeg.negotiation("US–SG arrangement", text)
	comment := func(c *client, a, para int, kind, vis, body string) (string, string) {
		start, end, quote := passage(text, a, para, 40)
		var r struct{ Thread string }
		c.Must(map[string]any{"type": "comment", "negotiation": id, "version": 1, "kind": kind, "visibility": vis,
			"body": body, "start": start, "end": end, "quote": quote}, &r)
		return r.Thread, quote
	}
	const secret = "LEGAL ONLY: the recognition clause needs our notice-and-comment review."
	last := printArticles
	_, q1 := comment(sgNeg, 1, 1, "open_issue", "shared", "SG: thirty days is too short.")
	_, qInternal := comment(usLegal, last/2, 1, "note", "internal", secret)
	agreed, q2 := comment(usNeg, last/2, 2, "consensus", "shared", "US: recognition as drafted.")
	sgNeg.do("concur", map[string]any{"negotiation": id, "thread": agreed})
	_, q3 := comment(sgNeg, last, 3, "note", "shared", "SG: the last paragraph stands.")
	gone, _ := comment(usNeg, 2, 1, "note", "shared", "Withdrawn, so never printed.")
	usNeg.do("withdraw", map[string]any{"negotiation": id, "thread": gone})
	usNeg.do("comment", map[string]any{"negotiation": id, "version": 1, "kind": "note", "visibility": "shared", "body": "US: a note on the whole text."})

	p := e.page("us-neg")

	p.login("us-neg")
	p.room(id)
	p.live()
	p.waitJS("the threads", `document.querySelectorAll('#thread-list .thread').length === 6`, 10*time.Second)
	// headless Chromium has no print dialog: the page's window.print only counts
	evalIn[chromedp.Void](p, `window.print = () => { window.__printed = (window.__printed || 0) + 1; }`)

	// By keyboard: Print… opens the choice, internal notes off by default.
	p.tabTo("#general-note", "#print-text", 5)
	p.press("\r")
	p.waitJS("the print dialog", `document.querySelector('#print-dialog').open && document.activeElement.id === 'print-internal'`, 2*time.Second)
	if evalIn[bool](p, `document.querySelector('#print-internal').checked`) {
		t.Error("internal notes are included by default")
	}
	p.screenshot("20-print-dialog") // axe checks the dialog in TestAxeEveryView
	p.press("\t")
	p.press("\r")
	p.waitJS("the printout, and print called", `window.__printed === 1 && !!document.querySelector('#print-doc')`, 10*time.Second)
	if !evalIn[bool](p, `!document.querySelector('#print-doc').checkVisibility()`) {
		t.Error("the printout shows on screen")
	}

	media := func(m string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
		defer cancel()
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			t.Fatal(err)
		}
	}
	read := func() printout {
		t.Helper()
		return evalIn[printout](p, readPrintout)
	}
	media("print")
	got := read()
	if len(got.Chrome) != 0 {
		t.Errorf("printing renders the app's %v", got.Chrome)
	}
	if got.Text != text {
		t.Errorf("the printout holds %d characters, not the %d of version 1 (first difference at %d)", len(got.Text), len(text), firstDifference(got.Text, text))
	}
	for _, want := range []string{"Article 1\n", fmt.Sprintf("Article %d\n", last), text[len(text)-60:], "SHA-256"} {
		if !strings.Contains(got.Printed, want) {
			t.Errorf("what prints lacks %q", want)
		}
	}
	for _, leak := range []string{secret, "Withdrawn, so never printed", "Internal ·"} {
		if strings.Contains(got.Printed, leak) {
			t.Errorf("what prints holds %q, internal or withdrawn", leak)
		}
	}
	if got.Marks != 3 {
		t.Errorf("%d passages marked, want the 3 of the shared threads", got.Marks)
	}
	want := []printedNote{
		{N: 1, Body: "SG: thirty days is too short.", Marked: q1, Together: true},
		{N: 2, Body: "US: recognition as drafted.", Marked: q2, Together: true},
		{N: 3, Body: "SG: the last paragraph stands.", Marked: q3, Together: true},
		{N: 4, Body: "US: a note on the whole text."},
	}
	checkNotes(t, "shared only", got.Notes, want)

	// after printing, the printout goes (the page itself never left the screen)
	media("")
	evalIn[chromedp.Void](p, `window.dispatchEvent(new Event('afterprint'))`)
	if evalIn[bool](p, `!!document.querySelector('#print-doc') || document.body.classList.contains('printing')`) {
		t.Error("the printout stays after printing")
	}
	p.waitJS("focus back on Print…", `document.activeElement.id === 'print-text'`, 5*time.Second)

	// Chosen: our internal notes too, marked as such.
	p.click("#print-text")
	p.click("#print-internal")
	p.click("#print-go")
	p.waitJS("the second printout", `window.__printed === 2 && document.querySelector('#print-doc')?.dataset.internal === 'yes'`, 10*time.Second)
	media("print")
	got = read()
	if got.Marks != 4 {
		t.Errorf("%d passages marked, want 4 with the internal note", got.Marks)
	}
	checkNotes(t, "with internal notes", got.Notes, []printedNote{
		want[0],
		{N: 2, Body: secret, Internal: true, Marked: qInternal, Together: true},
		{N: 3, Body: want[1].Body, Marked: q2, Together: true},
		{N: 4, Body: want[2].Body, Marked: q3, Together: true},
		{N: 5, Body: want[3].Body},
	})
	if !strings.Contains(got.Printed, secret) || !strings.Contains(got.Printed, "Internal · US only") || !strings.Contains(got.Printed, "Holds US’s internal notes") {
		t.Error("the chosen internal note does not print, labelled internal")
	}
	if got.Text != text {
		t.Errorf("the printout with notes holds %d characters, not the %d of version 1", len(got.Text), len(text))
	}
	p.screenshot("21-print-with-internal-notes")
	media("")
	evalIn[chromedp.Void](p, `window.dispatchEvent(new Event('afterprint'))`)
	media("print")

	// The browser's own Print (Ctrl+P): the same printout, shared only.
	evalIn[chromedp.Void](p, `window.dispatchEvent(new Event('beforeprint'))`)
	got = read()
	if got.Internal != "no" || got.Text != text || strings.Contains(got.Printed, secret) || len(got.Chrome) != 0 {
		t.Errorf("the browser's Print gives internal=%q, %d of %d characters, chrome %v, the secret: %v", got.Internal, len(got.Text), len(text), got.Chrome, strings.Contains(got.Printed, secret))
	}
	checkNotes(t, "the browser's Print", got.Notes, want)
	media("")
	evalIn[chromedp.Void](p, `window.dispatchEvent(new Event('afterprint'))`)
	if evalIn[bool](p, `!!document.querySelector('#print-doc')`) {
		t.Error("the printout stays after the browser's Print")
	}

	// A real print (to PDF): Chromium lays the printout out and fires
	// afterprint, which takes it away again.
	p.click("#print-text")
	p.click("#print-go")
	p.waitJS("the printout for the PDF", `window.__printed === 3 && !!document.querySelector('#print-doc')`, 10*time.Second)
	ctx, cancel := context.WithTimeout(p.ctx, 120*time.Second)
	pdf, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PageRanges: "1-2"})
	cancel()
	if err != nil || !strings.HasPrefix(string(pdf.Data), "%PDF") {
		t.Errorf("print to PDF: %v (%d bytes)", err, len(pdf.Data))
	} else if path := filepath.Join(e.shots, "22-print.pdf"); os.WriteFile(path, pdf.Data, 0o644) == nil {
		t.Logf("printout: %s", path)
	}
	p.waitJS("the printout gone after printing, focus on Print…", `!document.querySelector('#print-doc') && document.activeElement.id === 'print-text'`, 5*time.Second)
}

func checkNotes(t *testing.T, what string, got, want []printedNote) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d notes, want %d: %+v", what, len(got), len(want), got)
		return
	}
	for k := range want {
		g, w := got[k], want[k]
		if g.N != w.N || g.Body != w.Body || g.Internal != w.Internal || g.Marked != w.Marked || g.Together != w.Together {
			t.Errorf("%s: note %d is %+v, want %+v", what, k+1, g, w)
		}
		if !strings.HasPrefix(g.Head, fmt.Sprintf("[%d]", w.N)) {
			t.Errorf("%s: note %d is headed %q", what, k+1, g.Head)
		}
	}
}

func firstDifference(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// An older version shown prints as itself: its own whole text, with the
// threads that stand on the latest version left out and said to be.
func TestPrintTheVersionShown(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("US–SG arrangement", text1)
	usNeg.comment(id, 1, text1, "within 30 days", "open_issue", "shared", "Sixty days?")
	text2 := strings.Replace(text1, "within 30 days", "within 60 days", 1)
	usNeg.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": text2, "note": "sixty days"})

	p := e.page("us-neg")
	p.login("us-neg")
	p.room(id)
	evalIn[chromedp.Void](p, `window.print = () => { window.__printed = (window.__printed || 0) + 1; }`)
	p.setValue("#version-select", "1")
	p.waitJS("version 1 shown", `document.querySelector('#doc').textContent.includes('within 30 days')`, 5*time.Second)
	p.click("#print-text")
	p.waitText("#print-dialog", "The whole of version 1", 2*time.Second)
	p.click("#print-go")
	p.waitJS("the printout", `window.__printed === 1 && !!document.querySelector('#print-doc')`, 5*time.Second)
	got := evalIn[printout](p, readPrintout)
	if got.Text != text1 || len(got.Notes) != 0 || got.Marks != 0 {
		t.Errorf("printing version 1 gives %d of its %d characters (text 2: %v), %d notes, %d marks", len(got.Text), len(text1), got.Text == text2, len(got.Notes), got.Marks)
	}
	if head := p.text("#print-doc .p-head"); !strings.Contains(head, "Version 1 of 2") || !strings.Contains(head, "1 thread stands on another version") {
		t.Errorf("the printout is headed %q", head)
	}
}
