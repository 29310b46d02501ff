package frontend_test

// The browser tests' world: the server's shared test world (servertest: a
// real server over a bbolt file in t.TempDir, its parties and users),
// serving frontend.FS on a loopback listener the test can cut; its HTTP
// client for setting things up; and headless Chromium pages, each in its own
// browser context (its own cookie jar).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"mra/frontend"
	"mra/server/mra"
	"mra/server/servertest"
)

// findChrome returns the Chromium to drive. Without one the test is skipped
// loudly, or fails when MRA_E2E=1 (as in CI).
func findChrome(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("MRA_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "!!! NO CHROMIUM FOUND: the browser tests and benchmarks of the page did NOT run. Install Debian's `chromium` (or set MRA_CHROME) to run them."
	if os.Getenv("MRA_E2E") == "1" {
		t.Fatal(msg + " MRA_E2E=1 demands them.")
	}
	t.Skip(msg)
	return ""
}

// livePages logs US's and SG's negotiators in, each in a page of its own,
// opens the room of negotiation id in both and waits until both are live.
func (e *env) livePages(id string) (us, sg *pg) {
	us, sg = e.page("us-neg"), e.page("sg-neg")
	us.login("us-neg")
	sg.login("sg-neg")
	us.room(id)
	sg.room(id)
	us.live()
	sg.live()
	return us, sg
}

// env is one test's server and browser.
type env struct {
	t       *testing.T
	w       *servertest.World
	ln      *cutListener
	browser context.Context
	shots   string
}

// parallel holds the tests that have asked to run in parallel already (a
// test with two envs asks once).
var parallel sync.Map

// newEnv starts a test's server and browser. The browser tests run two at
// a time (go test's -parallel, GOMAXPROCS by default): each has its own
// server, bbolt file and browser, and they spend most of their time
// waiting on each other, so two at once take about half as long.
func newEnv(t *testing.T) *env {
	t.Helper()
	if _, asked := parallel.LoadOrStore(t, true); !asked {
		t.Parallel()
	}
	chrome := findChrome(t)
	e := &env{t: t, shots: screenshotDir(t)}
	e.w = servertest.New(t, servertest.Options{Page: frontend.FS(), Listen: func(l net.Listener) net.Listener {
		e.ln = &cutListener{Listener: l, conns: map[*trackedConn]struct{}{}}
		return e.ln
	}})
	// Runs before the world stops (cleanups run last first): the pages'
	// sockets go, so the server need not wait for them.
	t.Cleanup(func() { e.ln.cut(false) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "en-GB"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(browser); err != nil { // starts the browser, with no timeout
		t.Fatalf("start %s: %v", chrome, err)
	}
	e.browser = browser
	return e
}

func screenshotDir(t *testing.T) string {
	if d := os.Getenv("MRA_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// cutListener lets a test drop every open connection (sockets included)
// and refuse new ones for a while: the server "going away".
type cutListener struct {
	net.Listener
	mu      sync.Mutex
	conns   map[*trackedConn]struct{}
	refused bool
}

type trackedConn struct {
	net.Conn
	l *cutListener
}

func (c *trackedConn) Close() error {
	c.l.mu.Lock()
	delete(c.l.conns, c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}

func (l *cutListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if l.refused {
			l.mu.Unlock()
			c.Close()
			continue
		}
		tc := &trackedConn{Conn: c, l: l}
		l.conns[tc] = struct{}{}
		l.mu.Unlock()
		return tc, nil
	}
}

// cut closes every connection; refuse keeps refusing new ones until resume.
func (l *cutListener) cut(refuse bool) {
	l.mu.Lock()
	l.refused = refuse
	conns := l.conns
	l.conns = map[*trackedConn]struct{}{}
	l.mu.Unlock()
	for c := range conns {
		c.Conn.Close()
	}
}

func (l *cutListener) resume() {
	l.mu.Lock()
	l.refused = false
	l.mu.Unlock()
}

// ---- the HTTP API, for setting things up ----

// client is servertest's client with the few short-hands these tests use.
type client struct{ *servertest.Client }

func (e *env) api(user string) *client {
	e.t.Helper()
	return &client{e.w.Login(mra.UserID(user))}
}

// do runs a command and returns its result; it fails the test on an error.
func (c *client) do(typ string, fields map[string]any) map[string]any {
	c.T.Helper()
	cmd := map[string]any{"type": typ}
	for k, v := range fields {
		cmd[k] = v
	}
	var r map[string]any
	c.Must(cmd, &r)
	return r
}

func (c *client) snapshot(id string) servertest.Snapshot {
	c.T.Helper()
	return c.Snapshot(id)
}

// negotiation creates a US–SG negotiation with a first version and
// returns its id.
func (c *client) negotiation(title, text string) string {
	c.T.Helper()
	r := c.do("create_negotiation", map[string]any{"title": title, "parties": []string{"US", "SG"}})
	id := r["negotiation"].(string)
	c.do("propose_version", map[string]any{"negotiation": id, "base": 0, "text": text, "note": "first draft"})
	return id
}

// comment anchors a comment on quote's first occurrence in text (code
// points) and returns the thread id.
func (c *client) comment(id string, version int, text, quote, kind, visibility, body string) string {
	c.T.Helper()
	cmd := servertest.CommentCmd(id, version, text, quote, mra.ThreadKind(kind), mra.Visibility(visibility))
	cmd["body"] = body
	var r mra.CommentResult
	c.Must(cmd, &r)
	return string(r.Thread)
}

// execAs runs a command as a user through the server's command path
// directly, for moments when the test has cut the network.
func (e *env) execAs(user string, typ string, fields map[string]any) {
	e.t.Helper()
	var u mra.User
	for _, x := range servertest.Users {
		if string(x.ID) == user {
			u = x
		}
	}
	if u.ID == "" {
		e.t.Fatalf("no test user %s", user)
	}
	cmd := map[string]any{"id": e.w.NextID(), "type": typ}
	for k, v := range fields {
		cmd[k] = v
	}
	raw, _ := json.Marshal(cmd)
	if answer, code := e.w.Srv.Execute(u, raw); code != "" {
		e.t.Fatalf("%s as %s: %s", typ, user, answer)
	}
}

// ---- pages ----

// pg is one browser tab in its own browser context (own cookies).
type pg struct {
	t    *testing.T
	e    *env
	name string
	ctx  context.Context

	mu       sync.Mutex
	problems []string
}

// page opens a tab. Uncaught exceptions, console errors and CSP violations
// in it fail the test.
func (e *env) page(name string) *pg {
	e.t.Helper()
	p := &pg{t: e.t, e: e, name: name}
	ctx, cancel := chromedp.NewContext(e.browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.listen))
	p.ctx = ctx
	e.t.Cleanup(func() {
		if v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`)); err == nil && len(v) > 0 {
			p.problem("CSP violations: " + strings.Join(v, "; "))
		}
		cancel()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, msg := range p.problems {
			e.t.Errorf("page %s: %s", name, msg)
		}
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
		e.t.Fatal(err)
	}
	// Report CSP violations: DevTools scripts run before the page's own and
	// are not bound by its policy. Record every announcement of the live
	// region in window.__announced.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `document.addEventListener('securitypolicyviolation', e => (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));
window.__announced = [];
document.addEventListener('DOMContentLoaded', () => { const a = document.getElementById('announcer');
  if (a) new MutationObserver(() => { if (a.textContent) window.__announced.push(a.textContent); }).observe(a, {childList: true, characterData: true, subtree: true}); });`,
	}); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (p *pg) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		p.problem("uncaught exception: " + msg)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			p.problem("console.error: " + strings.Join(parts, " "))
		}
	}
}

func (p *pg) problem(msg string) {
	p.mu.Lock()
	p.problems = append(p.problems, msg)
	p.mu.Unlock()
}

// run runs actions with a timeout, failing the test on an error.
func (p *pg) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("page %s: %s: %v", p.name, what, err)
	}
}

func evalIn[T any](p *pg, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("page %s: eval %s: %v", p.name, js, err)
	}
	return v
}

// waitJS waits until the expression is truthy.
func (p *pg) waitJS(what, js string, timeout time.Duration) {
	p.t.Helper()
	if err := p.tryJS(js, timeout); err != nil {
		p.screenshot("FAILED-" + p.name)
		p.t.Fatalf("page %s: waiting %s for %s: %v", p.name, timeout, what, err)
	}
}

func (p *pg) tryJS(js string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(p.ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if errors.Is(err, chromedp.ErrPollingTimeout) {
		return fmt.Errorf("timed out")
	}
	return err
}

// waitText waits until an element matching sel holds text.
func (p *pg) waitText(sel, text string, timeout time.Duration) {
	p.t.Helper()
	p.waitJS(fmt.Sprintf("%q in %s", text, sel),
		fmt.Sprintf(`[...document.querySelectorAll(%s)].some(e => e.textContent.includes(%s))`, jsString(sel), jsString(text)), timeout)
}

func (p *pg) click(sel string) {
	p.t.Helper()
	p.run("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// setValue sets a field's value as typing would (an input event follows).
func (p *pg) setValue(sel, value string) {
	p.t.Helper()
	p.waitJS(sel, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(sel)), 5*time.Second)
	evalIn[chromedp.Void](p, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = %s; el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); })()`,
		jsString(sel), jsString(value)))
}

func (p *pg) text(sel string) string {
	p.t.Helper()
	return evalIn[string](p, fmt.Sprintf(`(document.querySelector(%s) || {}).textContent || ''`, jsString(sel)))
}

func (p *pg) open(path string) {
	p.t.Helper()
	p.run("open "+path, chromedp.Navigate(p.e.w.URL()+path))
}

// login logs in through the login form and waits for the list or room.
func (p *pg) login(user string) {
	p.t.Helper()
	p.open("/")
	p.waitJS("the login form", `!!document.querySelector('#login-user')`, 10*time.Second)
	p.run("log in as "+user,
		chromedp.SendKeys(chromedp.CSS("#login-user"), user),
		chromedp.SendKeys(chromedp.CSS("#login-password"), servertest.Password),
		chromedp.Click(chromedp.CSS("#login-submit")))
	p.waitJS("logged in as "+user, `!!document.querySelector('#logout')`, 10*time.Second)
}

func (p *pg) logout() {
	p.t.Helper()
	p.click("#logout")
	p.waitJS("the login form after logout", `!!document.querySelector('#login-user')`, 10*time.Second)
}

// room loads the page afresh on a negotiation (a real reload, even when
// the tab shows that room already: a navigation that changes only the hash
// would keep the page's state) and waits for its text.
func (p *pg) room(id string) {
	p.t.Helper()
	p.run("open the room "+id, chromedp.Navigate("about:blank"), chromedp.Navigate(p.e.w.URL()+"/#/n/"+id))
	p.waitJS("the text of "+id, `document.querySelector('#doc [data-u]') !== null`, 10*time.Second)
}

// live waits until the page's socket is subscribed.
func (p *pg) live() {
	p.t.Helper()
	p.waitJS("the live connection", `document.querySelector('#conn')?.dataset.state === 'live'`, 15*time.Second)
}

// selectText selects the nth (0-based) occurrence of quote in the text
// view, as a user dragging the mouse would, and waits for the page to
// offer a comment on it.
func (p *pg) selectText(quote string, nth int) {
	p.t.Helper()
	ok := evalIn[bool](p, fmt.Sprintf(`(() => {
		const doc = document.querySelector('#doc');
		const nodes = []; let all = '';
		const walk = document.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
		while (walk.nextNode()) { if (walk.currentNode.parentElement.closest('[data-point]')) continue; nodes.push([walk.currentNode, all.length]); all += walk.currentNode.data; }
		let at = -1;
		for (let k = 0; k <= %d; k++) { at = all.indexOf(%s, at + 1); if (at < 0) return false; }
		const end = at + %s.length;
		const find = (i, isEnd) => { for (const [n, off] of nodes) { if (i < off + n.data.length || (isEnd && i === off + n.data.length)) return [n, i - off]; } };
		const [sn, so] = find(at, false), [en, eo] = find(end, true);
		const r = document.createRange(); r.setStart(sn, so); r.setEnd(en, eo);
		const s = getSelection(); s.removeAllRanges(); s.addRange(r);
		return true;
	})()`, nth, jsString(quote), jsString(quote)))
	if !ok {
		p.t.Fatalf("page %s: %q is not in the text", p.name, quote)
	}
	p.waitJS("the comment button", `!document.querySelector('#comment-selection').disabled`, 5*time.Second)
}

// screenshot writes the viewport as a PNG and logs where.
func (p *pg) screenshot(name string) {
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(p.e.shots, name+".png")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p.t.Logf("screenshot: %s", path)
}

// checkA11y fails the test for visible controls without an accessible
// name, for a view without exactly one h1 and, with $MRA_AXE, for every
// serious or critical axe-core violation (checkAxe) on a page of at most
// axeMaxElements elements.
func (p *pg) checkA11y(where string) {
	p.t.Helper()
	bad := evalIn[[]string](p, `(() => {
		const named = (el) => {
			const by = el.getAttribute('aria-labelledby');
			const parts = [el.getAttribute('aria-label'), by && by.split(' ').map(id => document.getElementById(id)?.textContent || '').join(' '),
				el.labels && [...el.labels].map(l => l.textContent).join(' '),
				(el.tagName === 'BUTTON' || el.tagName === 'A' || el.getAttribute('role')) ? el.textContent : '', el.title];
			return parts.some(x => x && x.trim());
		};
		const shown = (el) => el.getClientRects().length > 0;
		const out = [...document.querySelectorAll('input, select, textarea, button, a[href], [role=button], [role=tab], [tabindex="0"]')]
			.filter(el => shown(el) && !named(el)).map(el => 'unnamed: ' + el.outerHTML.slice(0, 100));
		const h1 = [...document.querySelectorAll('h1')].filter(shown).length;
		if (h1 !== 1) out.push(h1 + ' visible h1 elements');
		return out;
	})()`)
	for _, b := range bad {
		p.t.Errorf("page %s (%s): %s", p.name, where, b)
	}
	// axe-core takes about 20 s on a 50,000-element page (the 3 MB
	// redline); such views are checked at a small size by TestAxeEveryView.
	if n := evalIn[int](p, `document.getElementsByTagName('*').length`); n <= axeMaxElements {
		p.checkAxe(where)
	} else if src, _ := axeSource(); src != "" {
		p.t.Logf("page %s (%s): axe-core not run on %d elements (more than %d)", p.name, where, n, axeMaxElements)
	}
}

// axeMaxElements bounds the pages checkA11y runs axe-core on.
const axeMaxElements = 10000

// ---- axe-core ----

// axeSource is axe-core's axe.min.js, read from the file $MRA_AXE names
// (.ci/axe fetches a pinned release, checked by its SHA-256). The tests
// inject it into the page; it is never part of the page we ship.
var axeSource = sync.OnceValues(func() (string, error) {
	path := os.Getenv("MRA_AXE")
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("MRA_AXE: %w", err)
	}
	if !strings.Contains(string(b[:min(len(b), 200)]), "axe v") {
		return "", fmt.Errorf("MRA_AXE=%s does not look like axe-core's axe.min.js", path)
	}
	return string(b), nil
})

// needAxe skips the test loudly without axe-core ($MRA_AXE), or fails it
// when MRA_E2E=1 (as in CI), as findChrome does for the browser.
func needAxe(t *testing.T) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	if src != "" {
		return
	}
	const msg = "!!! NO AXE-CORE: the axe-core checks of the page did NOT run. Set MRA_AXE to axe.min.js (MRA_AXE=$(.ci/axe) fetches the pinned release)."
	if os.Getenv("MRA_E2E") == "1" {
		t.Fatal(msg + " MRA_E2E=1 demands them.")
	}
	t.Skip(msg)
}

// axeViolation is one rule axe-core found broken, with its first nodes.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Count   int      `json:"count"`
	Targets []string `json:"targets"`
	Summary string   `json:"summary"`
}

// axe runs axe-core (WCAG 2 A/AA and best practices) on the page as it is
// now and returns its serious and critical violations. The source goes in
// through DevTools' Runtime.evaluate, which the page's CSP does not bind.
func (p *pg) axe() []axeViolation {
	p.t.Helper()
	src, err := axeSource()
	if err != nil {
		p.t.Fatal(err)
	}
	if src == "" {
		p.t.Fatal("axe: no axe-core (call needAxe first)")
	}
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err == nil && !loaded {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src))
	}
	if err != nil {
		p.t.Fatalf("page %s: inject axe-core: %v", p.name, err)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
		.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => ({id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
			targets: v.nodes.slice(0, 4).map(n => n.target.map(String).join(' >>> ') + '  ' + n.html.slice(0, 140)),
			summary: (v.nodes[0] && v.nodes[0].failureSummary || '').replace(/\s+/g, ' ').slice(0, 300)})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("page %s: axe.run: %v", p.name, err)
	}
	return v
}

// checkAxe fails the test for each serious or critical axe-core violation
// on the page as it is now, naming the rule, its impact and the first
// nodes. Without $MRA_AXE it does nothing: the tests that must run it call
// needAxe.
func (p *pg) checkAxe(where string) {
	p.t.Helper()
	if src, err := axeSource(); err == nil && src == "" {
		return
	}
	for _, v := range p.axe() {
		p.t.Errorf("page %s (%s): axe %s (%s, %d nodes): %s; %s\n\t%s", p.name, where, v.ID, v.Impact, v.Count, v.Help, v.Summary, strings.Join(v.Targets, "\n\t"))
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// viewport resizes the page's window (CSS pixels).
func (p *pg) viewport(width, height int64) {
	p.t.Helper()
	p.run(fmt.Sprintf("resize to %dx%d", width, height), chromedp.EmulateViewport(width, height))
}

// press sends keys (kb.Tab "\t", kb.Enter "\r", " ") to the focused element.
func (p *pg) press(keys string) {
	p.t.Helper()
	p.run(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// tabTo focuses from, then presses Tab until the focused element matches
// sel, as a keyboard user would; it fails if sel is not reached within
// max presses (not in the tab order, hidden, or disabled).
func (p *pg) tabTo(from, sel string, max int) {
	p.t.Helper()
	evalIn[chromedp.Void](p, fmt.Sprintf(`document.querySelector(%s).focus()`, jsString(from)))
	for i := 0; i < max; i++ {
		p.press("\t")
		if evalIn[bool](p, fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%s)`, jsString(sel))) {
			return
		}
	}
	p.screenshot("FAILED-tab-" + p.name)
	p.t.Fatalf("page %s: %s is not reached by %d Tabs from %s (focus on %s)", p.name, sel, max, from,
		evalIn[string](p, `document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : 'nothing'`))
}

// focused reports whether the focused element matches sel.
func (p *pg) focused(sel string) bool {
	p.t.Helper()
	return evalIn[bool](p, fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%s)`, jsString(sel)))
}

// shot scrolls the element matching sel into view (its panel scrolls on
// a wide window, the page on a narrow one) and writes the viewport as a PNG.
func (p *pg) shot(name, sel string) {
	p.t.Helper()
	evalIn[chromedp.Void](p, fmt.Sprintf(`document.querySelector(%s).scrollIntoView({block: 'start'})`, jsString(sel)))
	p.screenshot(name)
}

// fitsWidth fails the test if the page scrolls sideways at its width.
func (p *pg) fitsWidth(where string) {
	p.t.Helper()
	if w := evalIn[[]int](p, `[document.documentElement.scrollWidth, innerWidth]`); w[0] > w[1] {
		p.t.Errorf("page %s (%s): %d px wide in a %d px window", p.name, where, w[0], w[1])
	}
}
