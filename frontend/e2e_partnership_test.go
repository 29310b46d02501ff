package frontend_test

// Browser tests of the partnership pages (issue 12; server/README
// "Partnerships"): the list (#/partnerships) and the New partnership form,
// a partnership's page (#/p/ID) with its nine stages, their status and
// notes (internal ones kept to their party), and its linked negotiations.
// Real Chromium, the real server; what the page shows is checked against
// what GET /api/partnerships/{id} holds for the same user.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"mra/server/mra"
)

// ppRead is GET /api/partnerships/{id}.
type ppRead struct {
	Partnership  mra.PartnershipView   `json:"partnership"`
	Negotiations []mra.NegotiationView `json:"negotiations"`
}

// partnership reads a partnership as this client, with the raw answer.
func (c *client) partnership(id string) (ppRead, string) {
	c.T.Helper()
	status, body := c.Get("/api/partnerships/" + id)
	if status != http.StatusOK {
		c.T.Fatalf("GET partnership %s as %s: %d %s", id, c.User, status, body)
	}
	var r ppRead
	if err := json.Unmarshal(body, &r); err != nil {
		c.T.Fatal(err)
	}
	return r, string(body)
}

// newPartnership creates a partnership of parties over the contract.
func (c *client) newPartnership(title string, parties ...string) string {
	c.T.Helper()
	r := c.do("create_partnership", map[string]any{"title": title, "parties": parties})
	return r["partnership"].(string)
}

// openPartnership loads the page afresh on #/p/ID and waits for it (its
// stages, or the not-found message).
func (p *pg) openPartnership(id string) {
	p.t.Helper()
	p.open("/")
	p.open("/#/p/" + id)
	p.waitJS("the partnership "+id, `!!document.querySelector('#pp-strip, #pp-not-found')`, 10*time.Second)
}

// stageOf is a stage's data-status on the page, or "".
func (p *pg) stageOf(stage string) string {
	p.t.Helper()
	return evalIn[string](p, fmt.Sprintf(`document.querySelector('#pp-stage-%s')?.dataset.status || ''`, stage))
}

// currentStage is the stage the page marks current (aria-current=step).
func (p *pg) currentStage() string {
	p.t.Helper()
	return evalIn[string](p, `[...document.querySelectorAll('.pp-stage[aria-current=step]')].map(e => e.dataset.stage).join(',')`)
}

func (p *pg) announced() string {
	p.t.Helper()
	return strings.Join(evalIn[[]string](p, `window.__announced`), " | ")
}

// waitAnnounced waits until the live region has said words.
func (p *pg) waitAnnounced(words string) {
	p.t.Helper()
	if err := p.tryJS(fmt.Sprintf(`window.__announced.some(a => a.includes(%s))`, jsString(words)), 3*time.Second); err != nil {
		p.t.Errorf("page %s: %q never announced (said: %q)", p.name, words, p.announced())
	}
}

func (p *pg) pageText() string {
	p.t.Helper()
	return evalIn[string](p, `document.body.innerText`)
}

// A US negotiator creates a partnership with SG in the page and marks
// evaluation done; SG's page (a fresh load) shows it done by the US
// negotiator, the current stage moved on, and SG's list says where it
// stands. At 1280 px.
func TestPartnershipCreateAndMark(t *testing.T) {
	e := newEnv(t)
	us := e.page("us-neg")
	us.viewport(1280, 900)
	us.login("us-neg")
	us.click("#partnerships-link")
	us.waitJS("the new partnership form", `!!document.querySelector('#new-partnership-title') && !!document.querySelector('#partnerships-empty')`, 10*time.Second)
	if !us.focused("h1") || us.text("h1") != "Partnerships" {
		t.Errorf("the list does not start on its heading: %q", us.text("h1"))
	}
	if n := evalIn[int](us, `document.querySelectorAll('#new-partnership input[type=checkbox]').length`); n != 2 {
		t.Errorf("%d partner checkboxes, want 2 (EX and SG; US is always in)", n)
	}
	us.fitsWidth("list at 1280 px")
	us.checkA11y("list at 1280 px")

	// a title the server refuses: its reason, said in the form
	us.setValue("#new-partnership-title", strings.Repeat("x", 201))
	us.click("#pp-party-SG")
	us.click("#new-partnership-submit")
	us.waitText("#new-partnership-error", "at most 200 characters", 5*time.Second)
	if role := evalIn[string](us, `document.querySelector('#new-partnership-error').getAttribute('role')`); role != "alert" {
		t.Errorf("the error is not announced (role %q)", role)
	}

	us.setValue("#new-partnership-title", "CTPAT and STP")
	us.click("#new-partnership-submit")
	us.waitJS("the new partnership's page", `location.hash.startsWith('#/p/') && !!document.querySelector('#pp-strip')`, 10*time.Second)
	id := strings.TrimPrefix(evalIn[string](us, `location.hash`), "#/p/")
	if us.text("h1") != "CTPAT and STP" || !us.focused("h1") {
		t.Errorf("the page shows %q (focused %v)", us.text("h1"), us.focused("h1"))
	}
	got, _ := e.api("us-neg").partnership(id)
	if got.Partnership.Title != "CTPAT and STP" || strings.Join(partyStrings(got.Partnership.Parties), ",") != "US,SG" {
		t.Fatalf("created %+v", got.Partnership)
	}
	// nine stages in order, none started, the first current
	stages := evalIn[[]string](us, `[...document.querySelectorAll('.pp-stage')].map(e => e.dataset.stage + ':' + e.dataset.status)`)
	want := []string{"evaluation", "work_plan", "benefits", "criteria", "validation", "negotiation", "signing", "implementation", "maintenance"}
	if len(stages) != 9 {
		t.Fatalf("stages %v", stages)
	}
	for i, s := range want {
		if stages[i] != s+":not_started" {
			t.Errorf("stage %d: %s, want %s:not_started", i+1, stages[i], s)
		}
	}
	if cur := us.currentStage(); cur != "evaluation" {
		t.Errorf("current %q, want evaluation", cur)
	}
	for _, words := range []string{"1. Evaluation", "9. Maintenance", "Program and criteria comparison", "Not started", "Current stage"} {
		if !strings.Contains(us.text("#partnership"), words) {
			t.Errorf("the page does not say %q", words)
		}
	}
	us.fitsWidth("partnership at 1280 px")
	us.checkA11y("partnership at 1280 px")
	us.screenshot("pp-01-new-1280")

	us.setValue("#pp-mark-evaluation", "done")
	us.click("#pp-mark-set-evaluation")
	us.waitJS("evaluation done", `document.querySelector('#pp-stage-evaluation')?.dataset.status === 'done'`, 10*time.Second)
	if !us.focused("#pp-status-evaluation") {
		t.Error("after marking, the focus is not on the stage's status")
	}
	us.waitAnnounced("Evaluation marked done. Now at Stage 2 of 9: Joint work plan.")
	if cur := us.currentStage(); cur != "work_plan" {
		t.Errorf("US page: current %q after evaluation is done, want work_plan", cur)
	}

	// over the contract, as SG
	sgAPI := e.api("sg-neg")
	r, _ := sgAPI.partnership(id)
	if r.Partnership.Current != mra.StageWorkPlan || r.Partnership.Stages[0].Status != mra.StageDone || r.Partnership.Stages[0].By != "us-neg" {
		t.Errorf("as SG: %+v", r.Partnership.Stages[0])
	}

	sg := e.page("sg-neg")
	sg.viewport(1280, 900)
	sg.login("sg-neg")
	sg.openPartnership(id)
	if s := sg.stageOf("evaluation"); s != "done" {
		t.Errorf("SG sees evaluation %q", s)
	}
	status := sg.text("#pp-status-evaluation")
	if !strings.Contains(status, "Done") || !strings.Contains(status, "marked by US Negotiator (US)") {
		t.Errorf("SG's evaluation says %q", status)
	}
	if cur := sg.currentStage(); cur != "work_plan" {
		t.Errorf("SG page: current %q, want work_plan", cur)
	}
	if w := sg.text("#pp-where"); !strings.Contains(w, "Stage 2 of 9: Joint work plan") || !strings.Contains(w, "1 done") {
		t.Errorf("SG's summary %q", w)
	}
	if step := evalIn[string](sg, `document.querySelector('#pp-strip [aria-current=step]')?.dataset.stage || ''`); step != "work_plan" {
		t.Errorf("the strip marks %q current", step)
	}
	// SG takes the next stage in hand, from its page
	sg.setValue("#pp-mark-work_plan", "in_progress")
	sg.click("#pp-mark-set-work_plan")
	sg.waitJS("work plan in progress", `document.querySelector('#pp-stage-work_plan')?.dataset.status === 'in_progress'`, 10*time.Second)
	sg.screenshot("pp-02-sg-1280")

	// SG's list says where it stands
	sg.click("#partnerships-link")
	sg.waitJS("the list", `!!document.querySelector('#partnerships tbody tr')`, 10*time.Second)
	row := evalIn[string](sg, fmt.Sprintf(`document.querySelector('#partnerships tr[data-partnership=%s]')?.innerText || ''`, jsString(id)))
	for _, words := range []string{"CTPAT and STP", "US · SG", "Stage 2 of 9: Joint work plan", "1 of 9 done · 1 in progress"} {
		if !strings.Contains(row, words) {
			t.Errorf("SG's list row %q lacks %q", row, words)
		}
	}
	if cl := evalIn[string](sg, `document.querySelector('#crumbs').textContent`); cl != "Partnerships" {
		t.Errorf("crumbs %q", cl)
	}
	if cur := evalIn[string](sg, `document.querySelector('#partnerships-link').getAttribute('aria-current') || ''`); cur != "page" {
		t.Errorf("the header's Partnerships is not marked current on the list (%q)", cur)
	}
	if evalIn[bool](sg, `!!document.querySelector('#new-partnership')`) != true {
		t.Error("SG's negotiator gets no New partnership form")
	}
	sg.fitsWidth("list with a partnership at 1280 px")
	sg.checkA11y("list with a partnership at 1280 px")
	sg.click(fmt.Sprintf(`#partnerships tr[data-partnership=%q] a`, id))
	sg.waitJS("the page from the list", `!!document.querySelector('#pp-strip')`, 10*time.Second)
}

func partyStrings(ps []mra.PartyID) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

// A US legal reviewer's internal note on the criteria stage never reaches
// SG (its page and its GET), and the US page marks it internal; a shared
// note shows on both. The note form starts internal.
func TestPartnershipNotes(t *testing.T) {
	e := newEnv(t)
	id := e.api("us-neg").newPartnership("CTPAT and STP", "US", "SG")

	legal := e.page("us-legal")
	legal.login("us-legal")
	legal.openPartnership(id)
	legal.click("#pp-note-open-criteria")
	legal.waitJS("the note form", `document.activeElement?.id === 'pp-note-body-criteria'`, 5*time.Second)
	if v := evalIn[string](legal, `document.querySelector('#pp-note-form-criteria input[type=radio]:checked')?.value || ''`); v != "internal" {
		t.Errorf("the note form starts %q, want internal", v)
	}
	if s := legal.text("#pp-note-submit-criteria"); s != "Post internal note (US only)" {
		t.Errorf("the button says %q", s)
	}
	if s := legal.text("#pp-audience-criteria"); s != "Only US will see this." {
		t.Errorf("the form says %q", s)
	}
	legal.checkA11y("note form")
	legal.shot("pp-03a-note-form", "#pp-stage-criteria")
	legal.setValue("#pp-note-body-criteria", "US-ONLY their IT criteria look weak")
	legal.click("#pp-note-submit-criteria")
	legal.waitJS("the internal note", `!!document.querySelector('#pp-stage-criteria .pp-note[data-visibility=internal]')`, 10*time.Second)
	if !legal.focused("#pp-stage-criteria .pp-note[data-visibility=internal]") {
		t.Error("the posted note does not have the focus")
	}
	if s := legal.text("#pp-stage-criteria .pp-note.internal"); !strings.Contains(s, "Internal: only US sees this") || !strings.Contains(s, "US-ONLY their IT criteria") || !strings.Contains(s, "US Legal (US)") {
		t.Errorf("the internal note shows %q", s)
	}
	legal.waitAnnounced("Internal note posted on Program and criteria comparison: only US sees it.")

	// a shared one, chosen explicitly
	legal.click("#pp-note-open-criteria")
	legal.waitJS("the note form", `document.activeElement?.id === 'pp-note-body-criteria'`, 5*time.Second)
	if legal.text("#pp-note-body-criteria") != "" {
		t.Error("the form kept the posted note's words")
	}
	legal.setValue("#pp-note-body-criteria", "Both sides compare annex B next week.")
	legal.click(`#pp-note-form-criteria input[value=shared]`)
	if s := legal.text("#pp-note-submit-criteria"); s != "Post shared note (all parties)" {
		t.Errorf("the button says %q", s)
	}
	if s := legal.text("#pp-audience-criteria"); s != "SG and US will see this." {
		t.Errorf("the form says %q", s)
	}
	legal.click("#pp-note-submit-criteria")
	legal.waitJS("the shared note", `!!document.querySelector('#pp-stage-criteria .pp-note[data-visibility=shared]')`, 10*time.Second)

	// over the contract
	usR, usRaw := e.api("us-neg").partnership(id)
	sgR, sgRaw := e.api("sg-neg").partnership(id)
	if n := len(usR.Partnership.Stages[3].Notes); n != 2 {
		t.Errorf("US reads %d notes on criteria, want 2", n)
	}
	if n := len(sgR.Partnership.Stages[3].Notes); n != 1 || sgR.Partnership.Stages[3].Notes[0].Visibility != mra.Shared {
		t.Errorf("SG reads %+v on criteria, want the shared note only", sgR.Partnership.Stages[3].Notes)
	}
	if strings.Contains(sgRaw, "US-ONLY") || !strings.Contains(usRaw, "US-ONLY") {
		t.Errorf("the internal note in SG's read %v, in US's %v", strings.Contains(sgRaw, "US-ONLY"), strings.Contains(usRaw, "US-ONLY"))
	}

	sg := e.page("sg-neg")
	sg.login("sg-neg")
	sg.openPartnership(id)
	text := sg.pageText()
	if strings.Contains(text, "US-ONLY") || strings.Contains(sg.text("body"), "US-ONLY") {
		t.Error("SG's page shows the US internal note")
	}
	if !strings.Contains(sg.text("#pp-stage-criteria"), "Both sides compare annex B") || !strings.Contains(sg.text("#pp-stage-criteria"), "Shared with all parties") {
		t.Errorf("SG's criteria stage: %q", sg.text("#pp-stage-criteria"))
	}
	if n := evalIn[int](sg, `document.querySelectorAll('.pp-note.internal').length`); n != 0 {
		t.Errorf("SG's page has %d internal notes", n)
	}
	sg.shot("pp-03-sg-notes", "#pp-stage-criteria")

	neg := e.page("us-neg")
	neg.login("us-neg")
	neg.openPartnership(id)
	if s := neg.text("#pp-stage-criteria"); !strings.Contains(s, "Internal: only US sees this") || !strings.Contains(s, "US-ONLY") || !strings.Contains(s, "Both sides compare annex B") {
		t.Errorf("the US negotiator's criteria stage: %q", s)
	}
	neg.shot("pp-04-us-notes", "#pp-stage-criteria")
}

// A negotiation of the same parties is linked from the page and shows with
// its status, linking to its room; one of other parties is not offered.
func TestPartnershipLinksNegotiation(t *testing.T) {
	e := newEnv(t)
	usAPI := e.api("us-neg")
	id := usAPI.newPartnership("CTPAT and STP", "US", "SG")
	neg := usAPI.negotiation("The arrangement", "Article 1. The parties recognise each other's programs.\n")
	other := usAPI.do("create_negotiation", map[string]any{"title": "With EX", "parties": []string{"US", "EX"}})["negotiation"].(string)

	us := e.page("us-neg")
	us.login("us-neg")
	us.openPartnership(id)
	if !strings.Contains(us.text("#partnership"), "No negotiation linked yet") {
		t.Error("the page does not say no negotiation is linked")
	}
	options := evalIn[[]string](us, `[...document.querySelectorAll('#pp-link-select option')].map(o => o.value)`)
	if len(options) != 1 || options[0] != neg {
		t.Errorf("offered %v, want only %s (not %s)", options, neg, other)
	}
	us.click("#pp-link-submit")
	us.waitJS("the linked negotiation", fmt.Sprintf(`!!document.querySelector('#pp-negotiations li[data-negotiation=%s]')`, jsString(neg)), 10*time.Second)
	link := fmt.Sprintf(`#pp-negotiations li[data-negotiation=%q] a`, neg)
	if !us.focused(link) {
		t.Error("the focus is not on the linked negotiation")
	}
	snap := usAPI.snapshot(neg)
	wantStatus := map[string]string{"drafting": "Drafting", "negotiating": "Negotiating", "legal_review": "Legal review", "ready_to_sign": "Ready to sign", "signed": "Signed"}[string(snap.Readiness.Status)]
	item := us.text(fmt.Sprintf(`#pp-negotiations li[data-negotiation=%q]`, neg))
	if !strings.Contains(item, "The arrangement") || !strings.Contains(item, wantStatus) || wantStatus == "" {
		t.Errorf("the linked negotiation shows %q, want its status %q", item, wantStatus)
	}
	if href := evalIn[string](us, fmt.Sprintf(`document.querySelector(%s).getAttribute('href')`, jsString(link))); href != "#/n/"+neg {
		t.Errorf("the link goes to %q", href)
	}
	if us.text("#pp-link-none") == "" {
		t.Error("the form still offers a negotiation when none is left")
	}
	r, _ := usAPI.partnership(id)
	if len(r.Partnership.Negotiations) != 1 || string(r.Partnership.Negotiations[0]) != neg || len(r.Negotiations) != 1 || string(r.Negotiations[0].Status) != string(snap.Readiness.Status) {
		t.Errorf("the contract: %+v / %+v", r.Partnership.Negotiations, r.Negotiations)
	}
	// SG sees it too, and follows it into the room
	sg := e.page("sg-neg")
	sg.login("sg-neg")
	sg.openPartnership(id)
	sg.click(link)
	sg.waitJS("the room", `document.querySelector('#doc [data-u]') !== null`, 10*time.Second)
	if !strings.Contains(evalIn[string](sg, `location.hash`), neg) {
		t.Error("the link did not open the room")
	}
	// and the room links back to the partnership
	sg.waitText("#room-partnership", "Part of the partnership", 5*time.Second)
	sg.click("#room-partnership a")
	sg.waitJS("the partnership again", `location.hash === '#/p/`+id+`'`, 5*time.Second)
}

// A legal reviewer gets notes but no status or link controls; a signatory
// neither; another party's user, and anyone on a missing id, a plain "not
// found" that names nothing of it.
func TestPartnershipRolesAndStrangers(t *testing.T) {
	e := newEnv(t)
	id := e.api("us-neg").newPartnership("CTPAT and STP secret title", "US", "SG")

	legal := e.page("us-legal")
	legal.login("us-legal")
	legal.openPartnership(id)
	if n := evalIn[int](legal, `document.querySelectorAll('.pp-mark, .pp-mark-select, #pp-link-form, #pp-link-none').length`); n != 0 {
		t.Errorf("the legal reviewer gets %d status or link controls", n)
	}
	if n := evalIn[int](legal, `document.querySelectorAll('[id^=pp-note-open-]').length`); n != 9 {
		t.Errorf("the legal reviewer gets %d note buttons, want 9", n)
	}
	sign := e.page("us-sign")
	sign.login("us-sign")
	sign.openPartnership(id)
	if n := evalIn[int](sign, `document.querySelectorAll('.pp-mark, [id^=pp-note-open-], #pp-link-form').length`); n != 0 {
		t.Errorf("the signatory gets %d controls", n)
	}
	sign.click("#partnerships-link")
	sign.waitJS("the list", `!!document.querySelector('#partnerships tbody tr')`, 10*time.Second)
	if evalIn[bool](sign, `!!document.querySelector('#new-partnership')`) {
		t.Error("a signatory is offered the New partnership form")
	}

	ex := e.page("ex-neg")
	ex.login("ex-neg")
	for _, target := range []string{id, "p-missing"} {
		ex.openPartnership(target)
		if ex.text("h1") != "Partnership not found" || !strings.Contains(ex.text("#pp-not-found"), "no partnership here that EX takes part in") {
			t.Errorf("EX at %s: %q / %q", target, ex.text("h1"), ex.text("#pp-not-found"))
		}
		if strings.Contains(ex.pageText(), "secret title") || evalIn[bool](ex, `!!document.querySelector('#pp-strip')`) {
			t.Errorf("EX at %s sees the partnership", target)
		}
	}
	ex.checkA11y("not found")
	ex.click("#partnerships-link")
	ex.waitJS("the list", `!!document.querySelector('#partnerships-empty')`, 10*time.Second)
	if strings.Contains(ex.pageText(), "secret title") {
		t.Error("EX's list shows the partnership")
	}
}

// Everything by keyboard alone at 800 px, with axe: the list and the New
// partnership form (a missing partner refused in the form), a stage
// marked, a shared note chosen by the arrows, a negotiation linked.
func TestPartnershipByKeyboard(t *testing.T) {
	needAxe(t)
	e := newEnv(t)
	neg := e.api("us-neg").negotiation("The arrangement", "Article 1. Mutual recognition.\n")
	us := e.page("us-neg")
	us.viewport(800, 900)
	us.login("us-neg")
	us.tabTo(".brand", "#partnerships-link", 10)
	us.press("\r")
	us.waitJS("the form", `!!document.querySelector('#new-partnership-title')`, 10*time.Second)
	if !us.focused("h1") {
		t.Error("the list does not start on its heading")
	}
	us.fitsWidth("list at 800 px")
	us.checkA11y("list at 800 px")
	us.screenshot("pp-05-list-800")

	us.tabTo("h1", "#new-partnership-title", 20)
	us.press("Keyboard partnership")
	us.tabTo("#new-partnership-title", "#new-partnership-submit", 6)
	us.press("\r")
	us.waitText("#new-partnership-error", "at least one partner party", 5*time.Second)
	if !us.focused("#pp-party-EX") {
		t.Error("a missing partner does not put the focus on the partners")
	}
	us.tabTo("#pp-party-EX", "#pp-party-SG", 3)
	us.press(" ")
	us.tabTo("#pp-party-SG", "#new-partnership-submit", 3)
	us.press("\r")
	us.waitJS("the partnership", `!!document.querySelector('#pp-strip')`, 10*time.Second)
	if !us.focused("h1") || us.text("h1") != "Keyboard partnership" {
		t.Errorf("the new page's heading %q (focused %v)", us.text("h1"), us.focused("h1"))
	}
	us.fitsWidth("partnership at 800 px")
	us.checkA11y("partnership at 800 px")
	us.screenshot("pp-06-page-800")

	// mark evaluation in progress, then done, by the select's keys
	us.tabTo("h1", "#pp-mark-evaluation", 10)
	us.press(kb.ArrowDown)
	us.tabTo("#pp-mark-evaluation", "#pp-mark-set-evaluation", 2)
	us.press("\r")
	us.waitJS("evaluation in progress", `document.querySelector('#pp-stage-evaluation')?.dataset.status === 'in_progress'`, 10*time.Second)
	if !us.focused("#pp-status-evaluation") {
		t.Error("after marking, the focus is not on the stage's status")
	}
	us.tabTo("#pp-status-evaluation", "#pp-mark-evaluation", 3)
	us.press(kb.ArrowDown)
	us.tabTo("#pp-mark-evaluation", "#pp-mark-set-evaluation", 2)
	us.press("\r")
	us.waitJS("evaluation done", `document.querySelector('#pp-stage-evaluation')?.dataset.status === 'done'`, 10*time.Second)
	if us.currentStage() != "work_plan" {
		t.Errorf("current %q", us.currentStage())
	}

	// a shared note on the work plan: the arrows choose shared
	us.tabTo("#pp-status-evaluation", "#pp-note-open-work_plan", 12)
	us.press("\r")
	us.waitJS("the note form", `document.activeElement?.id === 'pp-note-body-work_plan'`, 5*time.Second)
	us.press("Steps agreed on the call.")
	us.press("\t")
	if !us.focused(`#pp-note-form-work_plan input[value=internal]`) {
		t.Fatal("Tab from the note does not reach the visibility choice at internal")
	}
	us.press(kb.ArrowDown)
	if !us.focused(`#pp-note-form-work_plan input[value=shared]:checked`) {
		t.Fatal("the arrow does not choose shared")
	}
	us.checkA11y("note form at 800 px")
	us.tabTo(`#pp-note-form-work_plan input[value=shared]`, "#pp-note-submit-work_plan", 2)
	us.press("\r")
	us.waitJS("the shared note", `!!document.querySelector('#pp-stage-work_plan .pp-note[data-visibility=shared]')`, 10*time.Second)
	if !us.focused("#pp-stage-work_plan .pp-note") {
		t.Error("the posted note does not have the focus")
	}
	r, _ := e.api("sg-neg").partnership(strings.TrimPrefix(evalIn[string](us, `location.hash`), "#/p/"))
	if n := r.Partnership.Stages[1].Notes; len(n) != 1 || n[0].Body != "Steps agreed on the call." || n[0].Visibility != mra.Shared {
		t.Errorf("SG reads the work plan's notes %+v", n)
	}

	// link the negotiation
	us.tabTo("#pp-stage-work_plan .pp-note", "#pp-link-select", 60)
	us.tabTo("#pp-link-select", "#pp-link-submit", 2)
	us.press("\r")
	us.waitJS("the link", fmt.Sprintf(`!!document.querySelector('#pp-negotiations li[data-negotiation=%s]')`, jsString(neg)), 10*time.Second)
	if !us.focused(fmt.Sprintf(`#pp-negotiations li[data-negotiation=%q] a`, neg)) {
		t.Error("the focus is not on the linked negotiation")
	}
	us.fitsWidth("partnership after the actions at 800 px")
	us.checkA11y("partnership after the actions at 800 px")
	us.screenshot("pp-07-done-800")
}

// The other side's change arrives live while a note is being written: the
// redraw keeps the note and the focus in it; Cancel gives the focus back
// to "Write a note".
func TestPartnershipReadAgainKeepsDraft(t *testing.T) {
	e := newEnv(t)
	usAPI := e.api("us-neg")
	id := usAPI.newPartnership("CTPAT and STP", "US", "SG")
	sg := e.page("sg-neg")
	sg.login("sg-neg")
	sg.openPartnership(id)
	sg.click("#pp-note-open-benefits")
	sg.waitJS("the note form", `document.activeElement?.id === 'pp-note-body-benefits'`, 5*time.Second)
	sg.press("Half-written thought")
	sg.click(`#pp-note-form-benefits input[value=shared]`)

	evalIn[chromedp.Void](sg, `document.querySelector('#pp-note-body-benefits').focus()`)
	usAPI.do("mark_stage", map[string]any{"partnership": id, "stage": "evaluation", "status": "done"})
	// live: the page reads itself again, focus and draft kept
	sg.waitJS("evaluation done", `document.querySelector('#pp-stage-evaluation')?.dataset.status === 'done'`, 10*time.Second)
	if v := evalIn[string](sg, `document.querySelector('#pp-note-body-benefits')?.value ?? 'no form'`); v != "Half-written thought" {
		t.Errorf("the draft after a redraw: %q", v)
	}
	if v := evalIn[string](sg, `document.querySelector('#pp-note-form-benefits input:checked')?.value || ''`); v != "shared" {
		t.Errorf("the draft's visibility after a redraw: %q", v)
	}
	if !sg.focused("#pp-note-body-benefits") {
		t.Error("the redraw took the focus out of the note")
	}

	usAPI.do("mark_stage", map[string]any{"partnership": id, "stage": "work_plan", "status": "in_progress"})
	sg.click("#pp-reload")
	sg.waitJS("work plan in progress", `document.querySelector('#pp-stage-work_plan')?.dataset.status === 'in_progress'`, 10*time.Second)
	if !sg.focused("#pp-reload") {
		t.Error("Read again lost the focus")
	}
	if s := sg.text("#pp-status-work_plan"); !strings.Contains(s, "marked by US Negotiator (US)") {
		t.Errorf("work plan: %q", s)
	}
	sg.click("#pp-note-cancel-benefits")
	if !sg.focused("#pp-note-open-benefits") || evalIn[bool](sg, `!!document.querySelector('#pp-note-form-benefits')`) {
		t.Error("Cancel did not close the form and give the focus to Write a note")
	}
	// Escape closes a form with nothing written (and only then)
	sg.press("\r")
	sg.waitJS("the note form again", `document.activeElement?.id === 'pp-note-body-benefits'`, 5*time.Second)
	if v := evalIn[string](sg, `document.querySelector('#pp-note-body-benefits').value`); v != "" {
		t.Errorf("a cancelled draft came back: %q", v)
	}
	sg.press("x")
	sg.press(kb.Escape)
	if !sg.focused("#pp-note-body-benefits") {
		t.Error("Escape threw away written words")
	}
	sg.press(kb.Backspace)
	sg.press(kb.Escape)
	if !sg.focused("#pp-note-open-benefits") {
		t.Error("Escape on an empty note does not close it")
	}
	if r, _ := e.api("sg-neg").partnership(id); len(r.Partnership.Stages[2].Notes) != 0 {
		t.Errorf("a cancelled draft was sent: %+v", r.Partnership.Stages[2].Notes)
	}
}

// The text in force (the read's in_force): none before a linked
// negotiation is signed; the signed one; then its signed amendment, the
// original marked replaced.
func TestPartnershipTextInForce(t *testing.T) {
	e := newEnv(t)
	usAPI := e.api("us-neg")
	id := usAPI.newPartnership("CTPAT and STP", "US", "SG")
	us := e.page("us-neg")
	us.login("us-neg")
	us.openPartnership(id)
	if s := us.text("#pp-in-force"); !strings.Contains(s, "No text in force yet") {
		t.Errorf("before any signing: %q", s)
	}

	text := "Article 1. The parties recognise each other's programs.\n"
	orig, sha := e.w.Signed(text)
	usAPI.do("link_negotiation", map[string]any{"partnership": id, "negotiation": orig})
	us.openPartnership(id)
	if s := us.text("#pp-in-force"); !strings.Contains(s, "Text in force:") || !strings.Contains(s, "signed version 1") {
		t.Errorf("after signing: %q", s)
	}
	if href := evalIn[string](us, `document.querySelector('#pp-in-force a')?.getAttribute('href') || ''`); href != "#/n/"+orig {
		t.Errorf("the text in force links to %q, want #/n/%s", href, orig)
	}
	// its signing record, served as the export path serves it, and its review
	if s := us.text("#pp-in-force"); !strings.Contains(s, "No periodic review scheduled") {
		t.Errorf("the text in force without a review: %q", s)
	}
	rec := evalIn[string](us, `fetch(document.querySelector('#pp-signing-record').href).then(r => r.ok ? r.text() : 'status ' + r.status)`)
	if !strings.Contains(rec, sha) {
		t.Errorf("the signing record link gave %.200q, want the record with the signed SHA-256", rec)
	}
	due := time.Now().UTC().AddDate(0, 6, 0).Format("2006-01-02")
	usAPI.do("schedule_review", map[string]any{"negotiation": orig, "due": due})
	us.openPartnership(id)
	if s := us.text("#pp-in-force"); !strings.Contains(s, "Next review due "+due) {
		t.Errorf("the text in force with a review: %q", s)
	}

	amend := usAPI.do("create_negotiation", map[string]any{"title": "Amendment 1", "parties": []string{"US", "SG"}, "amends": orig})["negotiation"].(string)
	for _, u := range []string{"us-legal", "sg-legal"} {
		e.api(u).do("sign_off", map[string]any{"negotiation": amend, "version": 1, "sha256": sha, "decision": "approve"})
	}
	for _, u := range []string{"us-sign", "sg-sign"} {
		e.api(u).do("sign", map[string]any{"negotiation": amend, "version": 1, "sha256": sha})
	}
	usAPI.do("link_negotiation", map[string]any{"partnership": id, "negotiation": amend})
	var raw struct {
		InForce *string `json:"in_force"`
	}
	usAPI.GetJSON("/api/partnerships/"+id, &raw)
	if raw.InForce == nil || *raw.InForce != amend {
		t.Fatalf("the server's in_force %v, want %s", raw.InForce, amend)
	}
	us.openPartnership(id)
	if href := evalIn[string](us, `document.querySelector('#pp-in-force a')?.getAttribute('href') || ''`); href != "#/n/"+amend {
		t.Errorf("after the amendment the text in force links to %q, want #/n/%s", href, amend)
	}
	if s := us.text(fmt.Sprintf(`#pp-negotiations li[data-negotiation=%q]`, amend)); !strings.Contains(s, "In force") || !strings.Contains(s, "Signed") {
		t.Errorf("the amendment shows %q", s)
	}
	if s := us.text(fmt.Sprintf(`#pp-negotiations li[data-negotiation=%q]`, orig)); !strings.Contains(s, "Replaced by an amendment") || strings.Contains(s, "In force") {
		t.Errorf("the original shows %q", s)
	}
	us.checkA11y("text in force")
	us.shot("pp-08-in-force", "#pp-links-h")
}

// During a call: what one side marks or notes shows on the other side's
// open partnership page at once, without a reload; another party's
// internal note never does.
func TestPartnershipLive(t *testing.T) {
	e := newEnv(t)
	usAPI := e.api("us-neg")
	id := usAPI.do("create_partnership", map[string]any{"title": "CTPAT and STP", "parties": []string{"US", "SG"}})["partnership"].(string)
	sg := e.page("sg-neg")
	sg.login("sg-neg")
	sg.openPartnership(id)
	sg.waitJS("the partnership's page", `!!document.querySelector('#pp-stage-evaluation')`, 5*time.Second)
	// whether or not the subscription is made yet: a change in between is
	// read when it is
	usAPI.do("mark_stage", map[string]any{"partnership": id, "stage": "evaluation", "status": "done"})
	sg.waitJS("the other side's mark, live", `document.querySelector('#pp-stage-evaluation').dataset.status === 'done'`, live)
	e.api("us-legal").do("stage_note", map[string]any{"partnership": id, "stage": "criteria", "visibility": "internal", "body": "US-ONLY live note"})
	e.api("us-legal").do("stage_note", map[string]any{"partnership": id, "stage": "criteria", "visibility": "shared", "body": "A shared live note"})
	sg.waitText("#pp-stage-criteria", "A shared live note", live)
	if strings.Contains(sg.text("#partnership"), "US-ONLY") {
		t.Error("SG's page shows US's internal note")
	}
	// leaving the page closes its socket: no more reads of it
	sg.open("/#/")
	sg.waitJS("the list", `!!document.querySelector('#negotiations, .empty, main h1')`, 5*time.Second)
}

// The partnership page leads to what belongs to its stages: the criteria
// side by side and the stages' items, with counts.
func TestPartnershipLeadsToStages(t *testing.T) {
	e := newEnv(t)
	usAPI := e.api("us-neg")
	id := usAPI.do("create_partnership", map[string]any{"title": "CTPAT and STP", "parties": []string{"US", "SG"}})["partnership"].(string)
	usAPI.do("add_item", map[string]any{"partnership": id, "item": map[string]any{"kind": "observation", "date": "2027-05-04", "sector": "importer", "observer": "SG", "findings": "Seals checked"}})
	usAPI.do("set_criteria", map[string]any{"partnership": id, "text": "Seals on every loaded container.\n"})
	us := e.page("us-neg")
	us.login("us-neg")
	us.openPartnership(id)
	if s := us.text("#pp-stage-validation .pp-content"); !strings.Contains(s, "1 item") || !strings.Contains(s, "consolidator, carrier") {
		t.Errorf("the validation stage's link: %q", s)
	}
	if s := us.text("#pp-stage-criteria .pp-content"); !strings.Contains(s, "1 of 2 parties") {
		t.Errorf("the criteria stage's link: %q", s)
	}
	us.click("#pp-open-criteria")
	us.waitJS("the criteria view", `location.hash === '#/p/`+id+`/criteria'`, 5*time.Second)
	us.openPartnership(id)
	us.click("#pp-open-work-validation")
	us.waitJS("the items view", `location.hash.startsWith('#/p/`+id+`/work') && !!document.querySelector('#stage-validation')`, 5*time.Second)
	us.checkA11y("the items view from the partnership page")
}
