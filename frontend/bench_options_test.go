package frontend_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mra/frontend"
	"mra/server/servertest"
)

// BenchmarkOptionsAccept: in headless Chromium, a room with 300 shared open
// issues holding two options each (600 option items under their cards);
// from US's acceptance of an option (sent from the page, folded from the
// socket like any event) to the option saying who accepted it, and the
// longest main-thread task meanwhile. Each iteration accepts or withdraws
// the acceptance in turn. A card redraws its options only when they, or
// the other members of their packages, changed:
//
//	MRA_E2E=1 go test ./frontend -run '^$' -bench OptionsAccept -benchtime 5x
func BenchmarkOptionsAccept(b *testing.B) {
	w := servertest.New(b, servertest.Options{Page: frontend.FS()})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	var text strings.Builder
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&text, "Article %d. Title %d\nThe parties shall act within term%d days.\n\n", i, i, i)
	}
	neg := us.Create(1)
	us.Propose(neg, 0, text.String())
	var last string
	for i := 1; i <= 300; i++ {
		th := us.Comment(neg, 1, text.String(), fmt.Sprintf("term%d days", i), "open_issue", "shared")
		var r struct{ Option string }
		us.Must(map[string]any{"type": "add_option", "negotiation": neg, "thread": th, "text": fmt.Sprintf("term%d weeks", i), "body": "ours"}, &r)
		sg.Must(map[string]any{"type": "add_option", "negotiation": neg, "thread": th, "text": fmt.Sprintf("term%d months", i), "body": "theirs"}, &r)
		last = r.Option
	}
	ctx := benchPage(b, w, "us-neg")
	benchRun(b, ctx, chromedp.Navigate(w.URL()+"/#/n/"+neg), chromedp.Poll[chromedp.Void](`document.querySelectorAll('.opt[data-option]').length === 600 && document.querySelector('#conn')?.dataset.state === 'live'`))
	accepted := fmt.Sprintf(`document.querySelector('.opt[data-option=%q] .opt-accepted').textContent.startsWith('Accepted by SG and US')`, last)
	var times, tasks []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		typ, done := "accept_option", accepted
		if i%2 == 1 {
			typ, done = "withdraw_acceptance", "!("+accepted+")"
		}
		ms, longest := benchMeasure(b, ctx, fmt.Sprintf(`fetch('/api/command', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({id: 'bench-%d', type: %q, negotiation: %q, option: %q})});`, i, typ, neg, last), done)
		times, tasks = append(times, ms), append(tasks, longest)
	}
	b.StopTimer()
	b.ReportMetric(median(times), "ms/accept-shown")
	b.ReportMetric(median(tasks), "ms-longest-task")
}
