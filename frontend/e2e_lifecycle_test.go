package frontend_test

// Browser tests of the lifecycle after signing (PROTOCOL "Lifecycle after
// signing"): an amendment started from the signed room, periodic reviews
// scheduled live and shown overdue, who may do what, and the keys.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
)

// hashRoom is the negotiation id in the page's #/n/ID route (empty if none).
const hashRoom = `((location.hash.match(/^#\/n\/([^/]+)/) || [])[1] || '')`

// An amendment started in the signed room, by keyboard: its form is
// prefilled, the new room opens on version 1 = the signed text (the same
// SHA-256 over the contract) and links back; the signed room lists it.
func TestAmendmentFromTheSignedRoom(t *testing.T) {
	e := newEnv(t)
	signed, sha := e.w.Signed(text1)
	us := e.page("us-neg")
	us.login("us-neg")
	us.room(signed)
	us.live()
	us.waitText("#lifecycle-bar", "No periodic review scheduled. No amendments.", 5*time.Second)
	if evalIn[bool](us, `!document.querySelector('#amends-line').hidden`) {
		t.Error("a signed negotiation that amends nothing shows an Amends line")
	}

	// keyboard: the bar's button opens the Signed panel with the focus on its heading
	us.tabTo(".room-title", "#lifecycle-open", 10)
	us.press("\r")
	us.waitJS("the Signed panel", `!document.querySelector('#side-lifecycle').hidden && document.activeElement.id === 'lifecycle-h'`, 5*time.Second)
	if got := evalIn[string](us, `document.querySelector('#lc-amend-title').value`); got != "Amendment 1 to MRA CTPAT–STP" {
		t.Errorf("the amendment's title is prefilled %q", got)
	}
	us.waitText("#lc-amendments", "None yet.", time.Second)
	us.waitText("#lc-amend-hint", "between US and SG", time.Second)
	us.tabTo("#lifecycle-h", "#lc-amend-title", 10)
	us.press(kb.End)
	us.press(" (ports)")
	us.tabTo("#lc-amend-title", "#lc-amend-submit", 2)
	us.press("\r")
	us.waitJS("the amendment's room", hashRoom+` !== `+jsString(signed)+` && !!document.querySelector('#doc [data-u]') && !document.querySelector('#amends-line').hidden`, 10*time.Second)
	amend := evalIn[string](us, hashRoom)
	us.waitText("#amends-line", "Amends MRA CTPAT–STP (Signed). Version 1 is its signed text.", 5*time.Second)
	if !us.focused(".room-title") || us.text(".room-title") != "Amendment 1 to MRA CTPAT–STP (ports)" {
		t.Errorf("the new room: title %q, focus on the title %v", us.text(".room-title"), us.focused(".room-title"))
	}
	if evalIn[bool](us, `!document.querySelector('#lifecycle-bar').hidden || !document.querySelector('.tab[data-tab="lifecycle"]').hidden`) {
		t.Error("an amendment that is not signed shows the Signed bar or tab")
	}

	// over the contract: version 1 is the signed text, on the creator's behalf
	snap := e.api("sg-neg").snapshot(amend)
	if string(snap.Negotiation.Amends) != signed || len(snap.Versions) != 1 || snap.Versions[0].SHA256 != sha || snap.Versions[0].Author != "us-neg" {
		t.Fatalf("the amendment %s (of %s) snapshot: amends %q, versions %+v", amend, signed, snap.Negotiation.Amends, snap.Versions)
	}
	if !strings.Contains(us.text("#doc"), "Article 4") || !strings.Contains(us.text(".room-meta"), "version 1 of 1") {
		t.Errorf("the amendment's room does not show the signed text as version 1: %q", us.text(".room-meta"))
	}
	if evalIn[bool](us, `!!document.querySelector('#amends-redline')`) {
		t.Error("an amendment with only the signed text offers its redline")
	}
	// a revision arrives: the line offers the amendment's redline against the signed text
	e.api("sg-neg").do("propose_version", map[string]any{"negotiation": amend, "base": 1, "text": text1 + "\nArticle 5\nPorts of entry\n\n1. Each Customs Administration shall name its ports of entry.\n", "note": "ports"})
	us.waitText("#amends-redline", "Show what it changes (version 1 → 2)", live)
	us.tabTo("#amends-link", "#amends-redline", 1)
	us.press("\r")
	us.waitJS("the amendment's redline", `!document.querySelector('#view-compare').hidden && [...document.querySelectorAll('#redline ins')].some(e => e.textContent.includes('Ports of entry'))`, 5*time.Second)
	for _, w := range []int64{1280, 800} {
		us.viewport(w, 900)
		us.fitsWidth("the amendment's room")
		us.checkA11y("the amendment's room")
		us.screenshot(fmt.Sprintf("lc-01-amendment-room-%d", w))
	}
	us.viewport(1440, 900)

	// back to the signed room by its link: it lists the amendment, with its status
	us.click("#amends-link")
	us.waitJS("the signed room again", hashRoom+` === `+jsString(signed)+` && document.querySelector('#lifecycle-bar')?.hidden === false`, 10*time.Second)
	us.waitText("#lifecycle-bar", "1 amendment.", 5*time.Second)
	us.click("#lifecycle-open")
	listed := fmt.Sprintf(`[...document.querySelectorAll('#lc-amendments li')].some(li => li.dataset.id === %s && li.querySelector('a').getAttribute('href') === %s && li.textContent.includes('Amendment 1 to MRA CTPAT–STP (ports)') && li.textContent.includes('Legal review'))`,
		jsString(amend), jsString("#/n/"+amend))
	us.waitJS("the amendment listed in the signed room", listed, 5*time.Second)
	if got := evalIn[string](us, `document.querySelector('#lc-amend-title').value`); got != "Amendment 2 to MRA CTPAT–STP" {
		t.Errorf("the next amendment's title is prefilled %q", got)
	}
	us.shot("lc-02-signed-panel-amendment", "#side-lifecycle")

	// the other party's page, after a reload, from amended_by
	sg := e.page("sg-neg")
	sg.login("sg-neg")
	sg.room(signed)
	sg.click("#lifecycle-open")
	sg.waitJS("the amendment listed on SG's page", listed, 5*time.Second)
	// and the list says what each is
	sg.list()
	row := func(id string) string {
		return evalIn[string](sg, fmt.Sprintf(`(document.querySelector('#negotiations tr[data-id=%s]') || {}).textContent || ''`, jsString(id)))
	}
	if r := row(amend); !strings.Contains(r, "amends MRA CTPAT–STP") {
		t.Errorf("the amendment's row: %q", r)
	}
	if r := row(signed); !strings.Contains(r, "1 amendment") || !strings.Contains(r, "Signed") {
		t.Errorf("the signed row: %q", r)
	}
}

// A review scheduled in one tab appears live in the other, with its note,
// and is read out there; the list marks one due within 30 days, and once
// its day has passed (the server's clock) the room and the list say it is
// overdue; the list puts either first.
func TestReviewScheduledLiveThenOverdue(t *testing.T) {
	e := newEnv(t)
	signed, _ := e.w.Signed(text1)
	other := e.api("us-neg").negotiation("US–SG customs cooperation", text1) // listed first by the server: newer
	us, sg := e.livePages(signed)
	due := time.Now().UTC().AddDate(0, 0, 200).Format("2006-01-02")
	const note = "First yearly review: check the contact points."

	us.click("#lifecycle-open")
	sg.click("#lifecycle-open")
	sg.waitText("#lc-review-due", "No periodic review is scheduled yet.", time.Second)
	us.setValue("#lc-review-date", due)
	us.setValue("#lc-review-note-input", note)
	us.tabTo("#lc-review-note-input", "#lc-review-submit", 2)
	us.press("\r")
	us.waitText("#lc-review-due", "Next review due "+due+".", 5*time.Second)
	us.waitJS("the focus on the review's date", `document.activeElement.id === 'lc-review-due'`, 5*time.Second)
	sg.waitText("#lc-review-due", "Next review due "+due+".", live)
	sg.waitText("#lc-review-note", note, live)
	sg.waitText("#lc-review-note", "Scheduled by", live)
	sg.waitText("#lifecycle-bar", "Review due "+due+".", live)
	sg.waitJS("the review read out on SG's page", `window.__announced.some(a => a.includes('(US) scheduled the next review: due `+due+`'))`, live)
	if evalIn[bool](us, `window.__announced.some(a => a.includes('(US) scheduled the next review'))`) {
		t.Error("the scheduler's own page read out her review as another's")
	}
	sg.shot("lc-03-review-scheduled-other-tab", "#side-lifecycle")

	// a review scheduled while SG's page is cut off reaches it on its return
	// (the socket resumes from its heads), note and all
	e.ln.cut(true)
	sg.waitJS("SG's page reconnecting", `document.querySelector('#conn').dataset.state === 'reconnecting'`, 5*time.Second)
	moved := time.Now().UTC().AddDate(0, 0, 250).Format("2006-01-02")
	e.execAs("us-neg", "schedule_review", map[string]any{"negotiation": signed, "due": moved, "body": "Moved: the ministers meet in the summer."})
	e.ln.resume()
	sg.waitText("#lc-review-due", "Next review due "+moved+".", 20*time.Second)
	sg.waitText("#lc-review-note", "Moved: the ministers meet in the summer.", time.Second)
	us.live()

	// the list: due, not overdue, not soon (200 days ahead)
	sg.list()
	sg.waitText(fmt.Sprintf("#negotiations tr[data-id=%s]", jsString(signed)), "Review due "+moved, time.Second)
	if evalIn[bool](sg, `!!document.querySelector('#reviews-attention, tr.review-overdue, tr.review-soon')`) {
		t.Error("a review 200 days ahead is marked as needing attention")
	}
	if first := evalIn[string](sg, `document.querySelector('#negotiations tbody tr').dataset.id`); first != other {
		t.Errorf("the first row is %s, want the newer negotiation %s", first, other)
	}

	// a review within 30 days: marked as coming up, listed first
	soon := time.Now().UTC().AddDate(0, 0, 10).Format("2006-01-02")
	e.api("sg-neg").do("schedule_review", map[string]any{"negotiation": signed, "due": soon, "body": ""})
	sg.list()
	sg.waitText("#reviews-attention", "1 is due within 30 days. It is listed first.", 5*time.Second)
	if first := evalIn[[]string](sg, `(() => { const r = document.querySelector('#negotiations tbody tr'); return [r.dataset.id, r.className, r.querySelector('.lc-review')?.textContent || '']; })()`); first[0] != signed || !strings.Contains(first[1], "review-soon") || first[2] != "In 10 days Review due "+soon {
		t.Errorf("the first row with a review in 10 days: %v", first)
	}

	// the day after the due day: overdue (sessions of months ago have ended)
	d, _ := time.Parse("2006-01-02", soon)
	e.w.SetNow(d.AddDate(0, 0, 1).Add(time.Second))
	us.login("us-neg")
	us.room(signed)
	us.waitText("#lifecycle-bar", "Review overdue since "+soon+".", 5*time.Second)
	us.click("#lifecycle-open")
	us.waitText("#lc-review-due", "Overdue The periodic review is overdue since "+soon+".", 5*time.Second)
	// who scheduled it comes from the snapshot too, not only from an event
	us.waitText("#lc-review-note", "Scheduled by SG Negotiator (SG)", time.Second)
	if !evalIn[bool](us, `!!document.querySelector('#lc-review-due .pill.overdue') && document.querySelector('#lifecycle-bar').classList.contains('overdue')`) {
		t.Error("the overdue review is not marked")
	}
	us.shot("lc-04-review-overdue-room", "#side-lifecycle")
	us.list()
	us.waitText("#reviews-attention", "1 periodic review is overdue. It is listed first.", 5*time.Second)
	first := evalIn[[]string](us, `(() => { const r = document.querySelector('#negotiations tbody tr'); return [r.dataset.id, r.className, r.querySelector('.lc-review')?.textContent || '']; })()`)
	if first[0] != signed || !strings.Contains(first[1], "review-overdue") || first[2] != "Overdue Review overdue since "+soon {
		t.Errorf("the first row: %v", first)
	}
	for _, w := range []int64{1280, 800} {
		us.viewport(w, 900)
		us.fitsWidth("the list with an overdue review")
		us.checkA11y("the list with an overdue review")
		us.screenshot(fmt.Sprintf("lc-05-list-overdue-%d", w))
	}
}

// list loads the page afresh on the list of negotiations and waits for it.
func (p *pg) list() {
	p.t.Helper()
	p.open("/")
	p.waitJS("the list", `!!document.querySelector('#negotiations')`, 5*time.Second)
}

// A legal reviewer sees the review and the amendments but neither form; a
// date the server refuses shows its message, in the form, read out; the
// whole panel by keyboard at 800 px, with axe.
func TestLifecycleRolesErrorsAndKeys(t *testing.T) {
	e := newEnv(t)
	signed, _ := e.w.Signed(text1)
	legal := e.page("us-legal")
	legal.login("us-legal")
	legal.room(signed)
	legal.click("#lifecycle-open")
	legal.waitText("#lc-review-due", "No periodic review is scheduled yet.", 5*time.Second)
	if evalIn[bool](legal, `[...document.querySelectorAll('#lc-review-form, #lc-amend-form, #lc-review-date, #lc-amend-submit')].some(el => el.getClientRects().length > 0)`) {
		t.Error("a legal reviewer is offered to schedule a review or start an amendment")
	}
	legal.checkA11y("the Signed panel, legal reviewer")

	us := e.page("us-neg")
	us.login("us-neg")
	us.viewport(800, 900)
	us.room(signed)
	us.live()
	// keyboard only: the bar's button → the panel (its column, at 800 px)
	us.tabTo(".room-title", "#lifecycle-open", 10)
	us.press(" ")
	us.waitJS("the Signed panel in its column", `document.querySelector('.room').dataset.pane === 'right' && !document.querySelector('#side-lifecycle').hidden && document.activeElement.id === 'lifecycle-h'`, 5*time.Second)
	us.fitsWidth("the Signed panel at 800 px")
	us.checkA11y("the Signed panel at 800 px")
	us.screenshot("lc-06-signed-panel-800")

	// no date: said in the page, the focus on the date
	us.tabTo("#lifecycle-h", "#lc-review-submit", 10)
	us.press("\r")
	us.waitText("#lc-review-error", "Choose the date of the next review.", time.Second)
	if !us.focused("#lc-review-date") {
		t.Error("the focus is not on the date after a missing date")
	}
	// a date that has passed: the server's own message
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	us.setValue("#lc-review-date", yesterday)
	us.tabTo("#lc-review-date", "#lc-review-submit", 6) // the date has a Tab stop per part
	us.press("\r")
	us.waitText("#lc-review-error", "Due "+yesterday+" has passed; a review is due today or later", 5*time.Second)
	if !us.focused("#lc-review-date") || us.text("#lc-review-due") != "No periodic review is scheduled yet." {
		t.Errorf("after a refused date: focus on the date %v, review %q", us.focused("#lc-review-date"), us.text("#lc-review-due"))
	}
	if evalIn[string](us, `document.querySelector('#lc-review-error').getAttribute('role')`) != "alert" {
		t.Error("the error is not announced (role=alert)")
	}
	us.checkA11y("a refused review date at 800 px")
	us.screenshot("lc-07-review-refused-800")
	// today is accepted; the note typed by keys
	today := time.Now().UTC().Format("2006-01-02")
	us.setValue("#lc-review-date", today)
	us.tabTo("#lc-review-date", "#lc-review-note-input", 5)
	us.press("Due on the day.")
	us.tabTo("#lc-review-note-input", "#lc-review-submit", 2)
	us.press(" ")
	us.waitText("#lc-review-due", "Next review due "+today+" today.", 5*time.Second)
	us.waitJS("the focus on the review's date", `document.activeElement.id === 'lc-review-due'`, 5*time.Second)
	if evalIn[bool](us, `!document.querySelector('#lc-review-error').hidden`) {
		t.Error("the error still shows after the review was scheduled")
	}
	us.waitText("#lifecycle-bar", "Review due "+today+".", time.Second)

	// no title: said in the page; then the amendment, by keys
	us.tabTo("#lc-review-due", "#lc-amend-title", 10)
	evalIn[any](us, `document.querySelector('#lc-amend-title').select()`)
	us.press(kb.Delete)
	us.tabTo("#lc-amend-title", "#lc-amend-submit", 2)
	us.press("\r")
	us.waitText("#lc-amend-error", "Give the amendment a title.", time.Second)
	if !us.focused("#lc-amend-title") {
		t.Error("the focus is not on the title after a missing title")
	}
	us.press("Amendment on ports")
	us.tabTo("#lc-amend-title", "#lc-amend-submit", 2)
	us.press("\r")
	us.waitJS("the amendment's room", hashRoom+` !== `+jsString(signed)+` && !!document.querySelector('#doc [data-u]')`, 10*time.Second)
	us.waitText("#amends-line", "Amends MRA CTPAT–STP", 5*time.Second)
	us.tabTo(".room-title", "#amends-link", 3)
	us.fitsWidth("the amendment's room at 800 px")
	us.checkA11y("the amendment's room at 800 px")
	us.press("\r")
	us.waitJS("the signed room by the link", hashRoom+` === `+jsString(signed)+` && document.querySelector('#lifecycle-bar')?.hidden === false`, 10*time.Second)
	us.waitText("#lifecycle-bar", "1 amendment.", 5*time.Second)
}
