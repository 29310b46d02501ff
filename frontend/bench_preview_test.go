package frontend_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mra/diff/difftest"
	"mra/frontend"
	"mra/server/servertest"
)

// benchPage is a headless Chromium tab logged in to a test world's page,
// for the benchmarks (the browser tests' helpers want a *testing.T).
func benchPage(b *testing.B, w *servertest.World, user string) context.Context {
	b.Helper()
	chrome := findChrome(b)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(b.TempDir()), chromedp.WindowSize(1440, 900), chromedp.Flag("lang", "en-GB"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	b.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser on ctx itself
		b.Fatal(err)
	}
	benchRun(b, ctx, chromedp.EmulateViewport(1440, 900), chromedp.Navigate(w.URL()+"/"),
		chromedp.WaitVisible("#login-user"), chromedp.SendKeys("#login-user", user),
		chromedp.SendKeys("#login-password", servertest.Password), chromedp.Click("#login-submit"),
		chromedp.WaitVisible("#logout"))
	return ctx
}

func benchRun(b *testing.B, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	b.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		b.Fatal(err)
	}
}

// benchMeasure runs an in-page action (JS that starts it) and waits, in the
// page, until done (a JS condition) holds: the milliseconds it took and the
// longest main-thread task meanwhile (PerformanceObserver "longtask": 50 ms
// or more; 0 when none).
func benchMeasure(b *testing.B, ctx context.Context, start, done string) (ms, longest float64) {
	b.Helper()
	v := benchMeasure2(b, ctx, start, "false", done)
	return v[1], v[2]
}

// benchMeasure2 is benchMeasure that also says when first (a JS condition)
// first held, and when the page first painted after start: [first ms (-1
// if never), done ms, longest task ms, first frame ms].
func benchMeasure2(b *testing.B, ctx context.Context, start, first, done string) []float64 {
	b.Helper()
	js := fmt.Sprintf(`new Promise((resolve) => {
		let longest = 0;
		const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longest = Math.max(longest, e.duration); });
		obs.observe({ type: 'longtask' });
		const t0 = performance.now();
		let firstAt = -1, frameAt = -1;
		(() => { %s })();
		requestAnimationFrame(() => setTimeout(() => { frameAt = performance.now() - t0; }, 0));
		const poll = () => {
			if (firstAt < 0 && (%s)) firstAt = performance.now() - t0;
			if (%s) { const ms = performance.now() - t0; setTimeout(() => { obs.disconnect(); resolve([firstAt, ms, longest, frameAt]); }, 100); } else setTimeout(poll, 5);
		};
		poll();
	})`, start, first, done)
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[[]float64](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// BenchmarkPreviewReference: in headless Chromium, from pasting the 3 MB
// reference revision over version 1 in the editor to its preview drawn and
// current. A paste is sent at once, without the typing pause, and a long
// one folds the editor away before the browser lays its text out (about a
// second for 3 MB, in one task the page cannot split). It reports that
// whole time; the time from the first frame after the paste; when the
// preview's first part shows; and the longest main-thread task meanwhile.
func BenchmarkPreviewReference(b *testing.B) {
	pair := difftest.Agreement(2000)
	w := servertest.New(b, servertest.Options{Page: frontend.FS()})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, pair.Old)
	ctx := benchPage(b, w, "us-neg")
	benchRun(b, ctx, chromedp.Navigate(w.URL()+"/#/n/"+neg), chromedp.WaitVisible(`.tab[data-tab="propose"]`),
		chromedp.Click(`.tab[data-tab="propose"]`), chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector('#draft').value.length === %d`, len(pair.Old))))
	benchRun(b, ctx, chromedp.Evaluate[chromedp.Void](`window.__texts = [`+jsString(pair.Old)+`, `+jsString(pair.New)+`]`))
	current := `document.querySelector('#preview').dataset.state === 'current' && document.querySelector('#preview').dataset.rev === document.querySelector('#draft').dataset.rev`
	var times, firsts, tasks, afterEditor []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Back to version 1's text (no request: no changes), then the revision.
		benchMeasure(b, ctx, `const d = document.querySelector('#draft'); d.value = window.__texts[0]; d.dispatchEvent(new Event('input', {bubbles: true}));`, current)
		v := benchMeasure2(b, ctx, `const d = document.querySelector('#draft'); d.value = window.__texts[1]; d.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'}));`,
			`document.querySelector('#preview').dataset.state === 'drawing'`, current)
		firsts, times, tasks = append(firsts, v[0]), append(times, v[1]), append(tasks, v[2])
		afterEditor = append(afterEditor, v[1]-v[3])
	}
	b.StopTimer()
	b.ReportMetric(median(times), "ms/preview")
	b.ReportMetric(median(afterEditor), "ms/preview-after-first-frame")
	b.ReportMetric(median(firsts), "ms/preview-first-part")
	b.ReportMetric(median(tasks), "ms-longest-task")
}

// BenchmarkCompareOpen: in headless Chromium, from opening "Compare
// versions" in a freshly loaded room (versions 1 → 2 of the reference pair)
// to the redline drawn, and the longest main-thread task meanwhile; then
// "Changes only" switched on, drawn again.
func BenchmarkCompareOpen(b *testing.B) {
	pair := difftest.Agreement(2000)
	w := servertest.New(b, servertest.Options{Page: frontend.FS()})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, pair.Old)
	us.Propose(neg, 1, pair.New)
	ctx := benchPage(b, w, "us-neg")
	drawn := `!document.querySelector('#view-compare').hidden && document.querySelector('#compare-summary').textContent.includes('version 2:') && !document.querySelector('#redline').hasAttribute('aria-busy')`
	var open, openTask, only, onlyTask []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		benchRun(b, ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(w.URL()+"/#/n/"+neg),
			chromedp.Poll[chromedp.Void](`document.querySelector('#doc [data-u]') !== null`), chromedp.Sleep(300*time.Millisecond))
		b.StartTimer()
		ms, long := benchMeasure(b, ctx, `document.querySelector('.tab[data-tab="compare"]').click();`, drawn)
		open, openTask = append(open, ms), append(openTask, long)
		ms, long = benchMeasure(b, ctx, `document.querySelector('#changes-only').click();`, `!!document.querySelector('#redline .fold') && `+drawn)
		only, onlyTask = append(only, ms), append(onlyTask, long)
	}
	b.StopTimer()
	b.ReportMetric(median(open), "ms/open")
	b.ReportMetric(median(openTask), "ms-longest-task-open")
	b.ReportMetric(median(only), "ms/changes-only")
	b.ReportMetric(median(onlyTask), "ms-longest-task-changes-only")
}
