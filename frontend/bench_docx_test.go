package frontend_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mra/diff/difftest"
	"mra/frontend"
	"mra/server/docx"
	"mra/server/servertest"
)

// BenchmarkImportReference: in headless Chromium, from choosing the 3 MB
// reference revision as a Word document in the propose view (version 1 is
// the reference text) to its preview drawn and current: the upload, the
// server's read of the docx, the draft diff and the drawing. It reports
// that time, when the text is in the draft (the server's answer), and the
// longest main-thread task meanwhile.
func BenchmarkImportReference(b *testing.B) {
	pair := difftest.Agreement(2000)
	var doc bytes.Buffer
	if err := docx.Write(&doc, docx.Document{Title: "Reference", Date: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), Segments: []docx.Segment{{Kind: docx.Same, Text: pair.New}}}); err != nil {
		b.Fatal(err)
	}
	w := servertest.New(b, servertest.Options{Page: frontend.FS()})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, pair.Old)
	ctx := benchPage(b, w, "us-neg")
	benchRun(b, ctx, chromedp.Navigate(w.URL()+"/#/n/"+neg), chromedp.WaitVisible(`.tab[data-tab="propose"]`),
		chromedp.Click(`.tab[data-tab="propose"]`), chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector('#draft').value.length === %d`, len(pair.Old))))
	benchRun(b, ctx, chromedp.Evaluate[chromedp.Void](`window.__old = `+jsString(pair.Old)+`; window.__docx = Uint8Array.from(atob(`+jsString(base64.StdEncoding.EncodeToString(doc.Bytes()))+`), (c) => c.charCodeAt(0));`))
	current := `document.querySelector('#preview').dataset.state === 'current' && document.querySelector('#preview').dataset.rev === document.querySelector('#draft').dataset.rev`
	choose := `const dt = new DataTransfer(); dt.items.add(new File([window.__docx], 'reference.docx', {type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'}));
		const input = document.querySelector('#draft-import'); input.files = dt.files; input.dispatchEvent(new Event('change', {bubbles: true}));`
	var times, inDraft, tasks []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Back to version 1's text (no request: no changes).
		benchMeasure(b, ctx, `document.querySelector('#draft-imported').textContent = ''; const d = document.querySelector('#draft'); d.value = window.__old; d.dispatchEvent(new Event('input', {bubbles: true}));`, current)
		b.StartTimer()
		v := benchMeasure2(b, ctx, choose, `document.querySelector('#draft-imported').textContent.startsWith('Imported')`,
			`document.querySelector('#draft-imported').textContent.startsWith('Imported') && `+current)
		inDraft, times, tasks = append(inDraft, v[0]), append(times, v[1]), append(tasks, v[2])
	}
	b.StopTimer()
	b.ReportMetric(median(times), "ms/import-to-preview")
	b.ReportMetric(median(inDraft), "ms/import-to-draft")
	b.ReportMetric(median(tasks), "ms-longest-task")
}
