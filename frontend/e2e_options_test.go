package frontend_test

// Browser tests of bracket options (server/README "Bracket options"; the
// page's options.js): offered, accepted and withdrawn under an open issue's
// card, live on the other side's page; packages, whose options stay
// conditional until every party accepts every one; the next version from
// the agreed options in the propose view, and the options incorporated in
// it; the bracketed export with the options; all of it by keyboard at 800 px.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const optionsText = "Article 1. Purpose\nThe Customs Administrations shall exchange information within thirty days of a request.\n\n" +
	"Article 2. Confidentiality\nInformation exchanged shall be used only for customs purposes.\n\n" +
	"Article 3. Entry into force\nThis Arrangement enters into force on signature.\n"

// optionsWorld makes a US–SG negotiation on optionsText with two shared
// open issues: US's on "within thirty days", SG's on "only for customs
// purposes".
func optionsWorld(e *env) (id, i1, i2 string) {
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	id = usNeg.negotiation("Options MRA", optionsText)
	i1 = usNeg.comment(id, 1, optionsText, "within thirty days", "open_issue", "shared", "Thirty days is too short for us.")
	i2 = sgNeg.comment(id, 1, optionsText, "only for customs purposes", "open_issue", "shared", "We need a law-enforcement exception.")
	return id, i1, i2
}

// serverOption is an option as the server's snapshot holds it, read by the
// test's own client.
type serverOption struct {
	ID          string   `json:"id"`
	Thread      string   `json:"thread"`
	Party       string   `json:"party"`
	Text        string   `json:"text"`
	Rationale   string   `json:"rationale"`
	AcceptedBy  []string `json:"accepted_by"`
	Conditional bool     `json:"conditional"`
	Package     string   `json:"package"`
	Status      string   `json:"status"`
	Version     int      `json:"version"`
}

type serverPackage struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Options  []string `json:"options"`
	Complete bool     `json:"complete"`
}

func serverOptions(c *client, id string) ([]serverOption, []serverPackage) {
	c.T.Helper()
	var s struct {
		Options  []serverOption  `json:"options"`
		Packages []serverPackage `json:"packages"`
	}
	c.GetJSON("/api/negotiations/"+id, &s)
	return s.Options, s.Packages
}

// optionSel is the CSS selector of an option's item under its issue's card.
func optionSel(thread, option string) string {
	return fmt.Sprintf(`.thread[data-thread=%q] .opt[data-option=%q]`, thread, option)
}

// optionsDisagree lists where the page's options differ from the server's
// snapshot (read by the page itself): each option's shown status
// (conditional counts as its own), who accepted it, and each package's
// completeness. "" when they agree.
func optionsDisagree(p *pg, id string) string {
	p.t.Helper()
	return evalIn[string](p, fmt.Sprintf(`(async () => {
		const r = await fetch('/api/negotiations/' + encodeURIComponent(%s)).then((r) => r.json());
		const out = [];
		for (const o of r.options || []) {
			const el = document.querySelector('.thread[data-thread="' + CSS.escape(o.thread) + '"] .opt[data-option="' + CSS.escape(o.id) + '"]');
			if (!el) { out.push(o.id + ': not shown'); continue; }
			const want = o.conditional && o.status === 'open' ? 'conditional' : o.status;
			if (el.dataset.status !== want) out.push(o.id + ': page ' + el.dataset.status + ', server ' + want);
			const acc = el.querySelector('.opt-accepted').textContent;
			for (const p of o.accepted_by) if (!acc.includes(p)) out.push(o.id + ': ' + p + ' accepted it, the page says ' + acc);
		}
		for (const k of r.packages || []) {
			const el = document.querySelector('#package-list [data-package="' + CSS.escape(k.id) + '"]');
			if (!el) { out.push(k.id + ': package not shown'); continue; }
			if (el.classList.contains('complete') !== k.complete) out.push(k.id + ': complete on the page ' + el.classList.contains('complete') + ', server ' + k.complete);
		}
		return out.join('; ');
	})()`, jsString(id)))
}

// agreeOnOptions waits until every page shows the server's options.
func agreeOnOptions(t *testing.T, step, id string, pages ...*pg) {
	t.Helper()
	for _, p := range pages {
		deadline := time.Now().Add(5 * time.Second)
		for {
			d := optionsDisagree(p, id)
			if d == "" {
				break
			}
			if time.Now().After(deadline) {
				p.screenshot("FAILED-options-" + p.name)
				t.Fatalf("%s: page %s disagrees with the server: %s", step, p.name, d)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// openCard opens a thread's card in the threads panel, as its highlight or
// link does.
func openCard(p *pg, id, thread string) {
	p.t.Helper()
	p.run("open the thread", chromedp.Navigate(p.e.w.URL()+"/#/n/"+id+"/t/"+thread))
	p.waitJS("the card "+thread, fmt.Sprintf(`document.querySelector('#thread-list .thread.current')?.dataset.thread === %s`, jsString(thread)), 10*time.Second)
}

// An option offered in US's page shows at once in SG's, which accepts it and
// answers its rationale; US's page shows both live; the next version starts
// from the agreed option (its words in the preview), is proposed with it,
// and both pages show it incorporated in version 2.
func TestOptionsOfferAcceptAndIncorporate(t *testing.T) {
	e := newEnv(t)
	id, i1, _ := optionsWorld(e)
	usNeg := e.api("us-neg")
	us, sg := e.livePages(id)
	openCard(us, id, i1)
	openCard(sg, id, i1)
	card := fmt.Sprintf(`.thread[data-thread=%q]`, i1)

	// "Offer an option": the wording starts as the present words
	us.click(card + ` [data-opt="offer-option"]`)
	if got := evalIn[string](us, `document.querySelector('`+card+` .opt-words').value`); got != "within thirty days" {
		t.Fatalf("the wording starts as %q, want the issue's words", got)
	}
	if !us.focused(card + " .opt-words") {
		t.Error("the cursor is not in the wording")
	}
	// the present words are no option
	us.setValue(card+" .opt-why", "Unchanged.")
	us.click(card + ` [data-submit="offer-option"]`)
	us.waitText(card+" .opt-offer .error", "Change the wording first", 2*time.Second)
	us.setValue(card+" .opt-why", "")
	us.setValue(card+" .opt-words", "within sixty days")
	us.waitJS("the draft's redline", `document.querySelector('`+card+` .opt-draft ins')?.textContent.includes('sixty') && document.querySelector('`+card+` .opt-draft del')?.textContent.includes('thirty')`, 2*time.Second)
	// the rationale is required
	us.click(card + ` [data-submit="offer-option"]`)
	us.waitText(card+" .opt-offer .error", "the rationale is required", 2*time.Second)
	if o, _ := serverOptions(usNeg, id); len(o) != 0 {
		t.Fatalf("an option without a rationale was sent: %+v", o)
	}
	us.setValue(card+" .opt-why", "Sixty days matches our statute on requests.")
	us.click(card + ` [data-submit="offer-option"]`)
	us.waitJS("the option under the issue", `!!document.querySelector('`+card+` .opt[data-option]')`, 5*time.Second)
	opts, _ := serverOptions(usNeg, id)
	if len(opts) != 1 || opts[0].Text != "within sixty days" || opts[0].Thread != i1 || opts[0].Party != "US" || strings.Join(opts[0].AcceptedBy, " ") != "US" || opts[0].Status != "open" {
		t.Fatalf("the server holds %+v", opts)
	}
	o := opts[0]
	sel := optionSel(i1, o.ID)
	us.waitJS("the focus on the new option", `document.activeElement?.matches('`+sel+`')`, 2*time.Second)
	for _, want := range []string{"Option A", "offered by US", "Open: waiting for SG to accept it", "Accepted by US; not yet by SG.", "Sixty days matches our statute", "rationale"} {
		us.waitText(sel, want, 2*time.Second)
	}
	if got := us.text(sel + " .opt-redline ins"); !strings.Contains(got, "sixty") {
		t.Errorf("the option's redline inserts %q", got)
	}

	// SG's page shows it without a reload, and its rationale only with it
	sg.waitJS("the option in SG's page", `!!document.querySelector('`+sel+`')`, 5*time.Second)
	sg.waitText(sel+" .opt-status", "Open: waiting for us (SG) to accept it", 2*time.Second)
	sg.waitText(sel+" .opt-msgs", "Sixty days matches our statute", 2*time.Second)
	// SG's recent activity says an option was offered, not that a note was
	// opened (the rationale note opens in the same commit).
	sg.waitJS("the offer in SG's activity", `[...document.querySelectorAll('.activity li')].some((li) => li.textContent.includes('offered an option on an open issue'))`, 5*time.Second)
	if evalIn[bool](sg, `[...document.querySelectorAll('.activity li')].some((li) => li.textContent.includes('opened a note'))`) {
		t.Error("SG's activity names the option's rationale as a note opened")
	}
	for _, p := range []*pg{us, sg} {
		if evalIn[bool](p, `!!document.querySelector('#thread-list .thread[data-thread=`+jsString(o.Rationale)+`]')`) {
			t.Errorf("page %s lists the rationale note among the threads", p.name)
		}
		if got := p.text("#thread-count"); got != "Showing 2 of 2 threads." {
			t.Errorf("page %s counts %q", p.name, got)
		}
	}
	if evalIn[bool](sg, `!!document.querySelector('`+sel+` [data-opt="withdraw-option"]')`) {
		t.Error("SG may withdraw US's option")
	}

	// a link to the rationale note opens its option, under its issue
	sg.run("open the rationale's link", chromedp.Navigate(sg.e.w.URL()+"/#/n/"+id+"/t/"+o.Rationale))
	sg.waitJS("the focus on the option", `document.activeElement?.matches('`+sel+`')`, 5*time.Second)

	// SG answers the rationale; US's page shows the reply live
	sg.click(sel + ` [data-opt="reply-rationale"]`)
	sg.setValue(sel+" .opt-form textarea", "Sixty is long; could we meet at forty-five?")
	sg.click(sel + ` [data-submit="reply-rationale"]`)
	us.waitText(sel+" .opt-msgs", "could we meet at forty-five?", 5*time.Second)

	// SG accepts: agreed on both pages, live
	sg.click(sel + ` [data-opt="accept-option"]`)
	sg.waitJS("agreed in SG's page", `document.querySelector('`+sel+`')?.dataset.status === 'agreed'`, 5*time.Second)
	sg.waitJS("the focus on the option's first action", `document.activeElement?.matches('`+sel+` .opt-actions button')`, 2*time.Second)
	us.waitJS("agreed in US's page", `document.querySelector('`+sel+`')?.dataset.status === 'agreed'`, 5*time.Second)
	us.waitText(sel+" .opt-status", "Agreed by every party", time.Second)
	agreeOnOptions(t, "accepted", id, us, sg)
	us.screenshot("options-01-agreed")

	// the next version from the agreed options
	us.click(`[role=tab][data-tab="propose"]`)
	us.waitJS("Start from agreed options", `!document.querySelector('#draft-from-options').hidden`, 5*time.Second)
	us.click("#draft-from-options")
	us.waitJS("the options applied", `!document.querySelector('#draft-options').hidden`, 5*time.Second)
	us.waitText("#draft-options .opt-applied", "Option A (US) on “within thirty days”: “within sixty days”", time.Second)
	if got := evalIn[string](us, `document.querySelector('#draft').value`); got != strings.Replace(optionsText, "within thirty days", "within sixty days", 1) {
		t.Fatalf("the draft is %q", got)
	}
	us.waitJS("the preview current", `document.querySelector('#preview').dataset.state === 'current'`, 10*time.Second)
	if ins, del := us.text("#preview ins"), us.text("#preview del"); !strings.Contains(ins, "sixty") || !strings.Contains(del, "thirty") {
		t.Errorf("the preview inserts %q and deletes %q", ins, del)
	}
	us.screenshot("options-02-next-text")
	us.setValue("#draft-note", "Sixty days, as agreed")
	us.click("#propose-submit")
	us.waitJS("version 2", `document.querySelector('.room-meta')?.textContent.includes('version 2 of 2')`, 10*time.Second)

	opts, _ = serverOptions(usNeg, id)
	if opts[0].Status != "incorporated" || opts[0].Version != 2 {
		t.Fatalf("after the proposal the server holds %+v", opts[0])
	}
	for _, p := range []*pg{us, sg} {
		p.waitText(sel+" .opt-status", "Incorporated in version 2", 5*time.Second)
		if evalIn[bool](p, `!!document.querySelector('`+sel+` .opt-actions button[data-opt$="option"], `+sel+` [data-opt="withdraw-acceptance"]')`) {
			t.Errorf("page %s offers actions on an incorporated option", p.name)
		}
	}
	agreeOnOptions(t, "incorporated", id, us, sg)
	// a fresh load shows the same
	sg.room(id)
	openCard(sg, id, i1)
	sg.waitText(sel+" .opt-status", "Incorporated in version 2", 5*time.Second)
	sg.waitText(sel+" .opt-msgs", "could we meet at forty-five?", time.Second)
}

// Two agreed options on one issue: the next text takes the first and
// skips the other, and the propose view says so, with the server's reason.
func TestOptionsNextTextSaysWhatItSkipped(t *testing.T) {
	e := newEnv(t)
	id, i1, _ := optionsWorld(e)
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	a := usNeg.do("add_option", map[string]any{"negotiation": id, "thread": i1, "text": "within sixty days", "body": "Ours."})["option"].(string)
	b := sgNeg.do("add_option", map[string]any{"negotiation": id, "thread": i1, "text": "within forty-five days", "body": "Theirs."})["option"].(string)
	sgNeg.do("accept_option", map[string]any{"negotiation": id, "option": a})
	usNeg.do("accept_option", map[string]any{"negotiation": id, "option": b})
	var next struct {
		Applied []string `json:"applied"`
		Skipped []struct {
			Option string `json:"option"`
			Reason string `json:"reason"`
		} `json:"skipped"`
	}
	usNeg.GetJSON("/api/negotiations/"+id+"/next-text", &next)
	if len(next.Applied) != 1 || len(next.Skipped) != 1 || next.Skipped[0].Reason == "" {
		t.Fatalf("the server's next text: %+v", next)
	}
	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.click(`[role=tab][data-tab="propose"]`)
	us.waitJS("Start from agreed options", `!document.querySelector('#draft-from-options').hidden`, 5*time.Second)
	us.click("#draft-from-options")
	us.waitJS("the options listed", `!!document.querySelector('#draft-options .opt-skipped li')`, 5*time.Second)
	if got := evalIn[[]string](us, `[...document.querySelectorAll('#draft-options .opt-applied li')].map((li) => li.dataset.option)`); strings.Join(got, " ") != next.Applied[0] {
		t.Errorf("the page lists as applied %v, the server %v", got, next.Applied)
	}
	skipped := fmt.Sprintf(`#draft-options .opt-skipped li[data-option=%q]`, next.Skipped[0].Option)
	us.waitText(skipped, next.Skipped[0].Reason, time.Second)
	us.waitText("#draft-options", "Your draft is version 1 with 1 agreed option in place.", time.Second)
	if !us.focused("#draft-options") {
		t.Error("the focus is not on what the draft took in")
	}
	us.checkA11y("the next text from options")
	// starting again from the latest version drops them
	evalIn[chromedp.Void](us, `window.confirm = () => true`)
	us.click("#propose-submit ~ button.secondary")
	us.waitJS("the options dropped", `document.querySelector('#draft-options').hidden`, 5*time.Second)
}

// A package of two options on two issues: each stays conditional until
// every party accepts both; the package says whom it waits for, then that
// it is complete, on both pages live. Withdrawing an acceptance makes them
// conditional again.
func TestOptionsPackage(t *testing.T) {
	e := newEnv(t)
	id, i1, i2 := optionsWorld(e)
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	a := usNeg.do("add_option", map[string]any{"negotiation": id, "thread": i1, "text": "within forty-five days", "body": "A middle way."})["option"].(string)
	b := sgNeg.do("add_option", map[string]any{"negotiation": id, "thread": i2, "text": "only for customs and law-enforcement purposes", "body": "Our law requires it."})["option"].(string)
	us, sg := e.livePages(id)
	openCard(us, id, i1)

	// US links the two into a package
	us.waitJS("Link options into a package", `!document.querySelector('#link-package').hidden`, 5*time.Second)
	us.click("#link-package")
	us.waitJS("the choices", `document.querySelectorAll('#package-form input[type=checkbox]').length === 2`, 2*time.Second)
	// one option is not enough
	us.click(fmt.Sprintf(`#package-form input[value=%q]`, a))
	us.click("#package-submit")
	us.waitText("#package-form .error", "Choose two or more options", 2*time.Second)
	us.click(fmt.Sprintf(`#package-form input[value=%q]`, b))
	us.setValue("#package-title", "Time limits and use of information")
	us.click("#package-submit")
	us.waitJS("the package listed", `!!document.querySelector('#package-list [data-package]')`, 5*time.Second)
	_, pkgs := serverOptions(usNeg, id)
	if len(pkgs) != 1 || pkgs[0].Title != "Time limits and use of information" || strings.Join(pkgs[0].Options, " ") != a+" "+b || pkgs[0].Complete {
		t.Fatalf("the server holds the packages %+v", pkgs)
	}
	k := pkgs[0].ID
	us.waitJS("the focus on the package", `document.activeElement?.dataset.package === `+jsString(k), 2*time.Second)
	for _, p := range []*pg{us, sg} {
		p.waitText("#package-list", "Time limits and use of information", 5*time.Second)
		p.waitText("#package-list", "Nothing in it is agreed until everything is", time.Second)
	}
	agreeOnOptions(t, "linked", id, us, sg)

	// SG accepts US's option: accepted by both, but conditional on the other
	openCard(sg, id, i1)
	sg.click(optionSel(i1, a) + ` [data-opt="accept-option"]`)
	for _, p := range []*pg{us, sg} {
		p.waitText(optionSel(i1, a)+" .opt-accepted", "Accepted by US and SG.", 5*time.Second)
		if got := evalIn[string](p, `document.querySelector('`+optionSel(i1, a)+`').dataset.status`); got != "conditional" {
			t.Errorf("page %s: accepted by both but in an incomplete package, the option is %s", p.name, got)
		}
	}
	us.waitText(optionSel(i1, a)+" .opt-status", "Conditional: part of package “Time limits and use of information”: waiting for us (US) to accept option A on “only for customs purposes”", 2*time.Second)
	sg.waitText(optionSel(i1, a)+" .opt-status", "waiting for US to accept option A on “only for customs purposes”", 2*time.Second)
	agreeOnOptions(t, "one accepted", id, us, sg)
	opts, _ := serverOptions(usNeg, id)
	for _, o := range opts {
		if o.Status != "open" || !o.Conditional || o.Package != k {
			t.Errorf("after SG's acceptance the server holds %+v", o)
		}
	}
	sg.screenshot("options-03-conditional")

	// US accepts SG's: both agreed, the package complete, live on SG's page
	openCard(us, id, i2)
	us.click(optionSel(i2, b) + ` [data-opt="accept-option"]`)
	for _, p := range []*pg{us, sg} {
		p.waitJS("the package complete", `document.querySelector('#package-list [data-package=`+jsString(k)+`]')?.classList.contains('complete')`, 5*time.Second)
		p.waitText("#package-list", "Every option in it is agreed by every party.", time.Second)
	}
	openCard(sg, id, i2)
	sg.waitJS("agreed", `document.querySelector('`+optionSel(i2, b)+`')?.dataset.status === 'agreed'`, 5*time.Second)
	agreeOnOptions(t, "both accepted", id, us, sg)

	// SG withdraws its acceptance of US's option: conditional again
	openCard(sg, id, i1)
	sg.click(optionSel(i1, a) + ` [data-opt="withdraw-acceptance"]`)
	sg.setValue(optionSel(i1, a)+" .opt-form textarea", "On reflection, not yet.")
	sg.click(optionSel(i1, a) + ` [data-submit="withdraw-acceptance"]`)
	for _, p := range []*pg{us, sg} {
		p.waitJS("not complete", `!document.querySelector('#package-list [data-package=`+jsString(k)+`]')?.classList.contains('complete')`, 5*time.Second)
	}
	agreeOnOptions(t, "acceptance withdrawn", id, us, sg)
	opts, _ = serverOptions(usNeg, id)
	for _, o := range opts {
		if o.Status != "open" || !o.Conditional {
			t.Errorf("after SG withdrew its acceptance the server holds %+v", o)
		}
	}

	// US withdraws its option: withdrawn on both pages, out of the package
	openCard(us, id, i1)
	us.click(optionSel(i1, a) + ` [data-opt="withdraw-option"]`)
	us.click(optionSel(i1, a) + ` [data-submit="withdraw-option"]`)
	for _, p := range []*pg{us, sg} {
		p.waitJS("withdrawn", `document.querySelector('`+optionSel(i1, a)+`')?.dataset.status === 'withdrawn'`, 5*time.Second)
	}
	agreeOnOptions(t, "option withdrawn", id, us, sg)
}

// The bracketed text of the Export menu stands the open options after the
// present words: [present / option A / option B], and an empty option as —.
func TestOptionsBracketedExport(t *testing.T) {
	e := newEnv(t)
	id, i1, i2 := optionsWorld(e)
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	usNeg.do("add_option", map[string]any{"negotiation": id, "thread": i1, "text": "within sixty days", "body": "Our statute."})
	sgNeg.do("add_option", map[string]any{"negotiation": id, "thread": i1, "text": "within forty-five days", "body": "A middle way."})
	sgNeg.do("add_option", map[string]any{"negotiation": id, "thread": i2, "text": "", "body": "Drop the limit altogether."})
	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.click("#export-text-button")
	us.waitJS("the Export menu open", `document.querySelector('#export-text').open && !!document.querySelector('#export-text a[data-kind="bracketed"][data-format="txt"]').getAttribute('href')`, 2*time.Second)
	d := us.fetchLink(`#export-text a[data-kind="bracketed"][data-format="txt"]`)
	body := string(d.body)
	for _, want := range []string{
		"[within thirty days / within sixty days / within forty-five days]",
		"[only for customs purposes / —]",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the bracketed text lacks %q:\n%s", want, body)
		}
	}
}

// The fold of option events in state.js, on events shaped as the server
// sends them: the offering party accepts as it offers, a package makes its
// members conditional until every party accepts every one, a withdrawn
// option leaves its package, a version incorporates; every event folded
// again changes nothing.
func TestOptionsFold(t *testing.T) {
	foldInPage(t, `
		const snap = {
			negotiation: { id: 'n-1', title: 'T', parties: ['US', 'SG'], required_approvals: 1 },
			parties: [{ id: 'US' }, { id: 'SG' }],
			versions: [{ version: 1, sha256: 'a1' }],
			threads: [
				{ id: 't-1', kind: 'open_issue', visibility: 'shared', party: 'US', status: 'open', messages: [], anchor: { version: 1, start: 0, end: 6, quote: 'thirty', flag: 'moved' } },
				{ id: 't-2', kind: 'open_issue', visibility: 'shared', party: 'SG', status: 'open', messages: [], anchor: { version: 1, start: 10, end: 16, quote: 'custom', flag: 'moved' } },
			],
			sign_offs: [], signatures: [], heads: { shared: 2, internal: 0 },
		};
		const us = { user: 'us-neg', party: 'US' }, sg = { user: 'sg-neg', party: 'SG' };
		const at = '2026-01-02T03:04:05Z';
		let seq = 2;
		const ev = (actor, kind, data) => ({ stream: 'shared', seq: ++seq, kind, actor, at, data });
		const n = new Negotiation(snap);
		const evs = [
			ev(us, 'thread_opened', { thread: 't-3', kind: 'note', visibility: 'shared', party: 'US', status: 'open', anchor: null, message: { id: 'm-1', author: 'us-neg', party: 'US', body: 'why A', at } }),
			ev(us, 'option_added', { option: 'o-1', thread: 't-1', text: 'sixty', rationale: 't-3' }),
			ev(sg, 'thread_opened', { thread: 't-4', kind: 'note', visibility: 'shared', party: 'SG', status: 'open', anchor: null, message: { id: 'm-2', author: 'sg-neg', party: 'SG', body: 'why B', at } }),
			ev(sg, 'option_added', { option: 'o-2', thread: 't-2', text: '', rationale: 't-4' }),
		];
		for (const e of evs) n.apply(e);
		const view = () => [...n.options.values()].map((o) => [o.id, o.status, o.conditional, o.accepted_by.join(' '), o.package || '', o.version || 0]);
		const all = () => JSON.stringify([view(), [...n.packages.values()], [...n.threads.keys()]]);
		check('offered', view(), [['o-1', 'open', false, 'US', '', 0], ['o-2', 'open', false, 'SG', '', 0]]);
		check('the rationale is known', [n.isRationale('t-3'), n.isRationale('t-1'), n.optionOfRationale('t-4').id], [true, false, 'o-2']);
		const more = [
			ev(us, 'package_linked', { package: 'k-1', options: ['o-1', 'o-2'], title: 'P' }),
			ev(sg, 'option_accepted', { option: 'o-1', party: 'SG' }),
		];
		for (const e of more) n.apply(e);
		check('one accepted by both: conditional', view(), [['o-1', 'open', true, 'US SG', 'k-1', 0], ['o-2', 'open', true, 'SG', 'k-1', 0]]);
		const acc = ev(us, 'option_accepted', { option: 'o-2', party: 'US' });
		n.apply(acc);
		check('both accepted by both: agreed', view(), [['o-1', 'agreed', false, 'US SG', 'k-1', 0], ['o-2', 'agreed', false, 'SG US', 'k-1', 0]]);
		check('the package complete', n.packages.get('k-1').complete, true);
		let before = all();
		for (const e of [...evs, ...more, acc]) n.foldOption(structuredClone(e));
		check('folded again', all(), before);
		n.apply(ev(sg, 'option_acceptance_withdrawn', { option: 'o-1', party: 'SG', body: 'not yet' }));
		check('an acceptance withdrawn', view(), [['o-1', 'open', true, 'US', 'k-1', 0], ['o-2', 'open', true, 'SG US', 'k-1', 0]]);
		n.apply(ev(sg, 'option_withdrawn', { option: 'o-2', body: '' }));
		check('withdrawn: out of its package', [view(), n.packages.get('k-1').options], [[['o-1', 'open', true, 'US', 'k-1', 0], ['o-2', 'withdrawn', false, 'SG US', '', 0]], ['o-1']]);
		n.apply(ev(sg, 'option_accepted', { option: 'o-1', party: 'SG' }));
		n.apply(ev(us, 'version_proposed', { version: 2, base: 1, sha256: 'b2', note: '', length: 9, options: ['o-1'] }));
		check('incorporated', view()[0], ['o-1', 'incorporated', false, 'US SG', 'k-1', 2]);
		before = all();
		n.foldOption(ev(us, 'version_proposed', { version: 2, options: ['o-1'] }));
		check('incorporated again', all(), before);
	`)
}

// Everything by keyboard at 800 px, with axe: SG offers an option on US's
// issue, US accepts it, US offers one on SG's and links the two into a
// package.
func TestOptionsByKeyboard(t *testing.T) {
	e := newEnv(t)
	id, i1, i2 := optionsWorld(e)
	usNeg := e.api("us-neg")
	us, sg := e.livePages(id)
	for _, p := range []*pg{us, sg} {
		p.viewport(800, 900)
	}

	// SG: ] to the first open issue (its card gets the focus), Tab to "Offer an option"
	c1 := fmt.Sprintf(`.thread[data-thread=%q]`, i1)
	sg.tabTo("#crumbs a", "#doc", 25)
	sg.press("]")
	sg.waitJS("the first issue's card focused", `document.activeElement?.matches('`+c1+`')`, 5*time.Second)
	sg.tabTo(c1, c1+` [data-opt="offer-option"]`, 12)
	sg.press("\r")
	if !sg.focused(c1 + " .opt-words") {
		t.Fatal("Offer an option does not put the cursor in the wording")
	}
	// "thirty days" becomes "ninety days"
	sg.press(kb.End)
	for range len("thirty days") {
		sg.press(kb.Backspace)
	}
	sg.press("ninety days")
	sg.tabTo(c1+" .opt-words", c1+" .opt-why", 2)
	sg.press("Our procedure takes ninety days.")
	sg.checkA11y("the offer form")
	sg.fitsWidth("the offer form")
	sg.screenshot("options-04-offer-800")
	sg.tabTo(c1+" .opt-why", c1+` [data-submit="offer-option"]`, 2)
	sg.press("\r")
	sg.waitJS("the focus on the new option", `document.activeElement?.matches('`+c1+` .opt[data-option]')`, 5*time.Second)
	opts, _ := serverOptions(usNeg, id)
	if len(opts) != 1 || opts[0].Text != "within ninety days" || opts[0].Party != "SG" {
		t.Fatalf("the server holds %+v", opts)
	}
	a := opts[0].ID
	sg.checkA11y("an option")

	// US: ] to the first issue, ] again to SG's, and offers one there
	us.waitJS("SG's option in US's page", `!!document.querySelector('`+optionSel(i1, a)+`')`, 5*time.Second)
	us.tabTo("#crumbs a", "#doc", 25)
	us.press("]")
	us.waitJS("the first issue's card focused", `document.activeElement?.matches('`+c1+`')`, 5*time.Second)
	c2 := fmt.Sprintf(`.thread[data-thread=%q]`, i2)
	us.press("]")
	us.waitJS("the second issue's card focused", `document.activeElement?.matches('`+c2+`')`, 5*time.Second)
	us.tabTo(c2, c2+` [data-opt="offer-option"]`, 12)
	us.press("\r")
	us.press(kb.End)
	us.press(" and for law enforcement")
	us.tabTo(c2+" .opt-words", c2+" .opt-why", 2)
	us.press("Matches SG's law.")
	us.tabTo(c2+" .opt-why", c2+` [data-submit="offer-option"]`, 2)
	us.press("\r")
	us.waitJS("the focus on the new option", `document.activeElement?.matches('`+c2+` .opt[data-option]')`, 5*time.Second)
	opts, _ = serverOptions(usNeg, id)
	if len(opts) != 2 || opts[1].Text != "only for customs purposes and for law enforcement" {
		t.Fatalf("the server holds %+v", opts)
	}
	b := opts[1].ID

	// and links both into a package: the form by keyboard
	us.tabTo("#crumbs a", "#link-package", 60)
	us.press("\r")
	if !us.focused("#package-form input[type=checkbox]") {
		t.Fatal("the package form does not start on its first choice")
	}
	us.press(" ")
	us.press("\t")
	us.press(" ")
	us.press("\t")
	if !us.focused("#package-title") {
		t.Fatalf("after the two choices the focus is on %s", evalIn[string](us, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	us.press("Both together")
	us.checkA11y("the package form")
	us.fitsWidth("the package form")
	us.screenshot("options-05-package-800")
	us.tabTo("#package-title", "#package-submit", 2)
	us.press("\r")
	us.waitJS("the focus on the package", `!!document.activeElement?.dataset.package`, 5*time.Second)
	_, pkgs := serverOptions(usNeg, id)
	if len(pkgs) != 1 || strings.Join(pkgs[0].Options, " ") != a+" "+b || pkgs[0].Title != "Both together" {
		t.Fatalf("the server holds the packages %+v", pkgs)
	}
	us.checkA11y("a package")

	// US accepts SG's option: conditional, for SG has not accepted US's
	us.press("]")
	us.waitJS("the first issue's card focused", `document.activeElement?.matches('`+c1+`')`, 5*time.Second)
	us.tabTo(c1, optionSel(i1, a)+` [data-opt="accept-option"]`, 15)
	us.press("\r")
	us.waitText(optionSel(i1, a)+" .opt-accepted", "Accepted by SG and US.", 5*time.Second)
	us.waitJS("the focus kept on the option", `document.activeElement?.closest('`+optionSel(i1, a)+`') !== null`, 2*time.Second)
	us.waitText(optionSel(i1, a)+" .opt-status", "Conditional: part of package “Both together”: waiting for SG to accept option A on “only for customs purposes”", 2*time.Second)

	// SG accepts US's: both agreed, the package complete on both pages
	sg.press("]")
	sg.waitJS("the second issue's card focused", `document.activeElement?.matches('`+c2+`')`, 5*time.Second)
	sg.tabTo(c2, optionSel(i2, b)+` [data-opt="accept-option"]`, 15)
	sg.press("\r")
	for _, p := range []*pg{us, sg} {
		p.waitJS("the package complete", `!!document.querySelector('#package-list .pkg.complete')`, 5*time.Second)
	}
	agreeOnOptions(t, "by keyboard", id, us, sg)
	sg.checkA11y("a complete package")
	sg.fitsWidth("a complete package")
}
