package frontend_test

// Browser tests of meetings (server/README "Meetings"; meeting.js): a whole
// meeting between US and SG in two pages, the follower's page moving with
// the chair, stepping away and following again, each kind of outcome, the
// minutes on both sides, their approvals and downloads; and the same by
// keyboard alone at 800 px, checked by axe.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// meetingRoom makes a US–SG negotiation on text1 with three shared open
// issues in the order of the text (SG's on Article 1, US's on Article 2,
// SG's on Article 4) and returns its id and the issues' ids.
func meetingRoom(e *env) (id string, issues [3]string) {
	e.t.Helper()
	us, sg := e.api("us-neg"), e.api("sg-neg")
	id = us.negotiation("MRA CTPAT–STP", text1)
	issues[0] = sg.comment(id, 1, text1, "validation findings", "open_issue", "shared", "Which findings: all of them, or the latest?")
	issues[1] = us.comment(id, 1, text1, "within 30 days", "open_issue", "shared", "30 days is too short for us.")
	issues[2] = sg.comment(id, 1, text1, "designate a contact point", "open_issue", "shared", "One contact point, or one per port?")
	return id, issues
}

// meetingView is what these tests check of a snapshot's MEETING.
type meetingView struct {
	ID        string `json:"id"`
	Running   bool   `json:"running"`
	SHA256    string `json:"sha256"`
	Approved  bool   `json:"approved"`
	Approvals []struct {
		User, Party, Decision string
	} `json:"approvals"`
	Dispositions []struct {
		ID, Thread, Outcome, Owner, Due, Body, Confirmed string
		Parties                                          []string
	} `json:"dispositions"`
}

// meetingsOf reads the snapshot's meetings as a user sees them.
func meetingsOf(e *env, user, id string) []meetingView {
	e.t.Helper()
	var s struct {
		Meetings []meetingView `json:"meetings"`
	}
	if err := json.Unmarshal(e.api(user).snapshot(id).Raw, &s); err != nil {
		e.t.Fatal(err)
	}
	if len(s.Meetings) == 0 {
		e.t.Fatalf("the snapshot of %s as %s holds no meeting", id, user)
	}
	return s.Meetings
}

// followed is true when the page shows a thread as the chair took it up:
// its text marked current and its card the current one.
func followed(thread string) string {
	return fmt.Sprintf(`!!document.querySelector('#doc .current[data-threads~=%s]') && !!document.querySelector('.thread.current[data-thread=%s]')`, jsString(thread), jsString(thread))
}

// announced is true when the live region has said something holding s.
func announced(s string) string {
	return fmt.Sprintf(`window.__announced.some(a => a.includes(%s))`, jsString(s))
}

// sideTab shows a side panel by clicking its tab.
func (p *pg) sideTab(name string) {
	p.t.Helper()
	p.click(fmt.Sprintf(`.tab[data-tab=%q]`, name))
	p.waitJS("the "+name+" panel", fmt.Sprintf(`!document.querySelector('#side-%s').hidden`, name), 5*time.Second)
}

// activate clicks the element matching sel where it is now (a mouse click
// aims at where it was a moment ago, which a live render above it may
// have moved).
func (p *pg) activate(sel string) {
	p.t.Helper()
	p.waitJS(sel, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(sel)), 5*time.Second)
	evalIn[chromedp.Void](p, fmt.Sprintf(`document.querySelector(%s).click()`, jsString(sel)))
}

// record fills the focused issue's outcome form in the meeting bar and
// sends it, waiting until the bar shows the outcome.
func (p *pg) record(outcome string, fill func(), want string) {
	p.t.Helper()
	p.activate("#mt-record")
	p.waitJS("the outcome form", `!document.querySelector('#mt-dispose-form').hidden && document.activeElement.id === 'mt-form-h'`, 5*time.Second)
	radio := fmt.Sprintf(`input[name="mt-outcome"][value=%q]`, outcome)
	p.activate(radio)
	p.waitJS(outcome+" chosen", fmt.Sprintf(`document.querySelector(%s).checked`, jsString(radio)), time.Second)
	if fill != nil {
		fill()
	}
	p.activate("#mt-dispose-submit")
	p.waitText("#mt-focus", want, 5*time.Second)
	p.waitJS("the form closed, focus on the bar's line", `document.querySelector('#mt-dispose-form').hidden && document.activeElement.id === 'mt-focus'`, 5*time.Second)
}

// A whole meeting in two pages: US starts it and chairs; SG's page follows
// the chair through two issues (without losing a reply being typed), steps
// away and is not moved, follows again; outcomes of every kind are
// recorded by both sides and show on both; the meeting ends; both see the
// minutes, the ad referendum is confirmed after it, both approve (SG
// after asking for changes), and the downloads answer.
func TestMeetingWhole(t *testing.T) {
	e := newEnv(t)
	// The clock stands still at the present second (not at a fixed date: a
	// session cookie expires on the client's clock), and the action's due
	// date is some weeks after it.
	now := time.Now().UTC().Truncate(time.Second)
	e.w.SetNow(now)
	due := now.AddDate(0, 1, 14).Format("2006-01-02")
	id, is := meetingRoom(e)
	us, sg := e.livePages(id)

	if evalIn[bool](us, `!document.querySelector('#meeting-bar').hidden`) {
		t.Fatal("the meeting bar shows before any meeting")
	}
	us.sideTab("meetings")
	us.waitText("#mt-list", "No meetings yet.", time.Second)
	if !evalIn[bool](us, `document.querySelector('#mt-start-US').checked && document.querySelector('#mt-start-US').disabled && document.querySelector('#mt-start-SG').checked`) {
		t.Error("the start form does not have every party present by default, with US's own fixed")
	}
	us.setValue("#mt-start-title", "Round 4 (video call)")
	us.click("#mt-start-submit")
	for _, p := range []*pg{us, sg} {
		p.waitText("#mt-title", "Meeting: Round 4 (video call)", live)
		p.waitText("#mt-who", "Chaired by", live)
		p.waitText("#mt-who", "(US) · present: US and SG", live)
	}
	sg.waitText("#mt-follow-state", "Following the chair.", live)
	sg.waitText("#mt-follow", "Step away", live)
	if evalIn[bool](us, `!document.querySelector('#mt-follow').closest('.mt-follow').hidden`) || !evalIn[bool](sg, `document.querySelector('.mt-chair').hidden && document.querySelector('#mt-end').hidden`) {
		t.Error("the chair is offered to step away, or SG (not the chair's party) gets the chair's controls")
	}
	sg.waitJS("SG announced of the start", announced("started the meeting “Round 4 (video call)”"), live)

	// SG's page is on the Readiness panel; the chair takes up the first issue
	sg.sideTab("readiness")
	us.click("#mt-next")
	us.waitJS("US's own page on issue 1", followed(is[0]), live)
	sg.waitJS("SG's page following to issue 1", followed(is[0])+` && !document.querySelector('#side-threads').hidden`, live)
	sg.waitJS("the move read out", announced("The chair took up open issue 1 of 3: “validation findings”, raised by SG."), live)
	sg.waitText("#mt-focus", "Now: open issue 1 of 3: “validation findings”, raised by SG. No outcome recorded yet.", live)

	// SG types a reply on issue 1; the chair moves on: the page follows
	// (text and card) but the focus and the words stay
	sg.click(fmt.Sprintf(`.thread[data-thread=%q] [data-action=reply]`, is[0]))
	sg.waitJS("the reply form", `document.activeElement.tagName === 'TEXTAREA'`, 5*time.Second)
	sg.press("All of them")
	us.click("#mt-next")
	sg.waitJS("SG's page following to issue 2", followed(is[1]), live)
	if !evalIn[bool](sg, fmt.Sprintf(`document.activeElement.tagName === 'TEXTAREA' && document.activeElement.value === 'All of them' && !!document.activeElement.closest('[data-thread=%q]')`, is[0])) {
		t.Error("following the chair took the focus (or the words) from SG's reply")
	}
	sg.press(kb.Escape)

	// SG steps away: the chair's move to issue 3 does not move its page
	sg.click("#mt-follow")
	sg.waitText("#mt-follow-state", "You stepped away", time.Second)
	sg.waitText("#mt-follow", "Follow again", time.Second)
	us.click("#mt-next")
	us.waitJS("US on issue 3", followed(is[2]), live)
	sg.waitText("#mt-focus", "Now: open issue 3 of 3", live)
	sg.waitJS("the move read out to SG, away", announced("You stepped away: “Follow again” goes there."), live)
	if evalIn[bool](sg, followed(is[2])) || !evalIn[bool](sg, followed(is[1])) {
		t.Error("SG's page moved with the chair after stepping away")
	}
	if !evalIn[bool](us, `document.querySelector('#mt-next').disabled && !document.querySelector('#mt-prev').disabled`) {
		t.Error("at the last open issue, Next issue is not disabled (or Previous is)")
	}
	sg.screenshot("mt-01-stepped-away")
	sg.click("#mt-follow")
	sg.waitJS("SG following again, on issue 3", followed(is[2]), time.Second)
	sg.waitText("#mt-follow-state", "Following the chair.", time.Second)
	// a page opened during the meeting shows the issue the chair is on
	late := e.page("sg-legal")
	late.login("sg-legal")
	late.room(id)
	late.waitJS("the late page on issue 3", followed(is[2]), 5*time.Second)
	if evalIn[bool](late, `!!document.querySelector('#mt-record') && !document.querySelector('#mt-record').hidden`) {
		t.Error("a legal reviewer is offered to record an outcome")
	}

	// outcomes: on issue 3 an action for SG, then agreed by both (by US)
	us.record("action", func() {
		us.setValue("#mt-owner", "SG")
		us.setValue("#mt-due", due)
		us.setValue("#mt-body", "Send the list of ports")
	}, "Action for SG, due "+due+": Send the list of ports.")
	us.record("agreed", nil, "Outcome: Agreed by US and SG.")
	sg.waitText("#mt-focus", "Outcome: Agreed by US and SG. Action for SG, due "+due+": Send the list of ports.", live)
	sg.waitText(fmt.Sprintf(`.thread[data-thread=%q] .t-meeting`, is[2]), "Meeting “Round 4 (video call)”: Agreed by US and SG. Action for SG, due "+due+": Send the list of ports.", live)
	// a missing field is the page's to say, and nothing is sent
	us.click("#mt-record")
	us.click(`input[name="mt-outcome"][value="action"]`)
	us.click("#mt-dispose-submit")
	us.waitText("#mt-form-error", "Choose the party that acts.", time.Second)
	us.click("#mt-dispose-cancel")

	// issue 2: SG keeps the bracket; the chair goes back by the picker
	us.click("#mt-prev")
	sg.waitJS("SG on issue 2", followed(is[1]), live)
	sg.record("bracket_kept", func() { sg.setValue("#mt-body", "SG needs 60 days") }, "Outcome: Bracket kept.")
	us.waitText("#mt-focus", "Outcome: Bracket kept.", live)
	us.setValue("#mt-pick", is[0])
	us.click("#mt-take")
	sg.waitJS("SG on issue 1", followed(is[0]), live)
	// issue 1: agreed ad referendum, SG's capital to confirm
	us.record("ad_referendum", func() { us.setValue("#mt-capital", "SG") }, "Outcome: Agreed ad referendum, pending confirmation by SG’s capital.")
	sg.waitText("#mt-pending", "“validation findings” — Agreed ad referendum, pending confirmation by SG’s capital", live)
	if evalIn[bool](us, `!!document.querySelector('#mt-pending [data-action=confirm]')`) {
		t.Error("US is offered to confirm SG's capital's referendum")
	}
	ds := meetingsOf(e, "sg-neg", id)[0].Dispositions
	want := [][2]string{{is[2], "action"}, {is[2], "agreed"}, {is[1], "bracket_kept"}, {is[0], "ad_referendum"}}
	if len(ds) != len(want) {
		t.Fatalf("the snapshot holds %d dispositions, want %d: %+v", len(ds), len(want), ds)
	}
	for k, w := range want {
		if ds[k].Thread != w[0] || ds[k].Outcome != w[1] {
			t.Errorf("disposition %d: %s %s, want %s %s", k, ds[k].Thread, ds[k].Outcome, w[0], w[1])
		}
	}
	if d := ds[0]; d.Owner != "SG" || d.Due != due || d.Body != "Send the list of ports" {
		t.Errorf("the action: %+v", d)
	}
	if d := ds[1]; strings.Join(d.Parties, ",") != "US,SG" {
		t.Errorf("agreed by %v, want US and SG", d.Parties)
	}
	if d := ds[3]; d.Owner != "SG" || d.Confirmed != "pending" {
		t.Errorf("the ad referendum: %+v", d)
	}

	// SG writes a note on the referendum in the Meetings panel; the chair
	// moves on: the text follows, but the panel, the focus and the words stay
	sg.sideTab("meetings")
	note := "#mt-ref-note-" + ds[3].ID
	sg.click(note)
	sg.press("Asking the capital")
	us.setValue("#mt-pick", is[2])
	us.click("#mt-take")
	sg.waitText("#mt-focus", "Now: open issue 3 of 3", live)
	sg.waitJS("the move read out, the page held", announced("Your page stays where you are working"), live)
	if !evalIn[bool](sg, fmt.Sprintf(`!document.querySelector('#side-meetings').hidden && document.activeElement === document.querySelector(%s) && document.activeElement.value === 'Asking the capital'`, jsString(note))) {
		t.Error("following the chair hid the panel SG was typing in, or took its focus or words")
	}
	if !evalIn[bool](sg, `!!document.querySelector('#doc .current[data-threads~=`+jsString(is[2])+`]')`) {
		t.Error("the text did not follow the chair while SG typed in the panel")
	}

	// a version proposed during the meeting goes into its minutes
	e.api("sg-neg").do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": text1 + "\nArticle 5\nPorts\n\n1. The ports are listed in Annex I.\n", "note": "ports"})
	us.waitText(".room-meta", "version 2 of 2", live)

	// the end, confirmed first: both see the minutes
	us.click("#mt-end")
	us.waitJS("the question, focused", `document.activeElement.id === 'mt-end-q'`, time.Second)
	us.click("#mt-end-no")
	if !evalIn[bool](us, `document.querySelector('#mt-end-confirm').hidden && document.activeElement.id === 'mt-end'`) || !meetingsOf(e, "us-neg", id)[0].Running {
		t.Fatal("Cancel did not leave the meeting running, the focus on End meeting")
	}
	us.click("#mt-end")
	us.click("#mt-end-yes")
	m := meetingsOf(e, "us-neg", id)
	us.waitJS("the minutes, focused", fmt.Sprintf(`document.querySelector('#meeting-bar').hidden && !document.querySelector('#side-meetings').hidden && document.activeElement.id === %s`, jsString("mt-h-"+m[0].ID)), 5*time.Second)
	sg.waitJS("the bar gone on SG's page", `document.querySelector('#meeting-bar').hidden`, live)
	sg.waitJS("SG told of the end", announced("ended. Its minutes are in the Meetings panel."), live)
	sg.sideTab("meetings")
	if evalIn[bool](sg, `document.querySelector('#mt-start').open`) {
		t.Error("the start form is still unfolded on SG's page once there is a meeting")
	}
	minutes := fmt.Sprintf(`[data-meeting=%q]`, m[0].ID)
	for _, p := range []*pg{us, sg} {
		p.waitText(minutes+" h3", "Minutes: Round 4 (video call)", live)
		for _, s := range []string{
			"Present: ", "(US)", "(SG)",
			"validation findings", "Outcome: Agreed ad referendum, pending confirmation by SG’s capital.",
			"within 30 days", "Outcome: Bracket kept.",
			"designate a contact point", "Outcome: Agreed by US and SG.",
			"Actions by party", "Due " + due + ": Send the list of ports (on “designate a contact point”)",
			"Versions proposed", "Version 2 by SG: ports",
			"Minutes SHA-256 " + m[0].SHA256, "US: not yet", "SG: not yet", "Not yet approved by every party present.",
		} {
			if !strings.Contains(p.text(minutes), s) {
				t.Errorf("page %s: the minutes do not say %q: %s", p.name, s, p.text(minutes))
			}
		}
	}
	sg.screenshot("mt-02-minutes")

	// after the meeting, SG's capital confirms the referendum
	sg.setValue(fmt.Sprintf("#mt-ref-note-%s", ds[3].ID), "Confirmed by Singapore on 1 December")
	sg.click("#mt-pending [data-action=confirm]")
	for _, p := range []*pg{us, sg} {
		p.waitText(minutes, "Outcome: Agreed: ad referendum, confirmed by SG’s capital (after the meeting).", live)
		p.waitJS("no referendum pending", `!document.querySelector('#mt-pending-h')`, live)
	}
	if d := meetingsOf(e, "us-neg", id)[0].Dispositions[3]; d.Confirmed != "confirmed" {
		t.Errorf("the ad referendum after confirming: %+v", d)
	}

	// approvals: US approves; SG asks for changes (a reason is needed), then approves
	us.click(minutes + " [data-action=approve]")
	us.waitText(minutes+" .mt-approvals", "US: approved by", live)
	sg.waitText(minutes+" .mt-approvals", "US: approved by", live)
	sg.click(minutes + " [data-action=request-changes]")
	sg.click(minutes + " [data-action=send-changes]")
	sg.waitText(minutes, "Say what should change.", time.Second)
	sg.setValue("#mt-changes-"+m[0].ID, "Name the ports in the action")
	sg.click(minutes + " [data-action=send-changes]")
	us.waitText(minutes+" .mt-approvals", "SG: requested changes by", live)
	us.waitText(minutes+" .mt-approvals", "Name the ports in the action", live)
	if evalIn[bool](us, fmt.Sprintf(`document.querySelector(%s).classList.contains('ok')`, jsString("#mt-approved-"+m[0].ID))) {
		t.Error("the minutes show approved while SG asks for changes")
	}
	sg.click(minutes + " [data-action=approve]")
	for _, p := range []*pg{us, sg} {
		p.waitText("#mt-approved-"+m[0].ID, "✓ Approved by every party present.", live)
	}
	if got := meetingsOf(e, "sg-neg", id)[0]; !got.Approved || len(got.Approvals) != 2 {
		t.Errorf("the snapshot's minutes: approved %v, approvals %+v", got.Approved, got.Approvals)
	}

	// the downloads answer with the minutes, in the right type
	for format, typ := range map[string]string{"html": "text/html", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"} {
		link := minutes + ` .mt-downloads a[data-format=` + format + `]`
		if !evalIn[bool](sg, fmt.Sprintf(`document.querySelector(%s).hasAttribute('download')`, jsString(link))) {
			t.Errorf("the %s link is no download", format)
		}
		d := sg.fetchLink(link)
		body := d.body
		if !strings.Contains(d.Href, "kind=minutes") || !strings.Contains(d.Href, "meeting="+m[0].ID) || d.Status != http.StatusOK || !strings.HasPrefix(d.Type, typ) {
			t.Errorf("%s: %d %q", d.Href, d.Status, d.Type)
		}
		if format == "html" && !strings.Contains(string(body), "Round 4 (video call)") {
			t.Errorf("the html minutes do not name the meeting: %.300s", body)
		}
		if format == "docx" && !strings.HasPrefix(string(body), "PK") {
			t.Errorf("the docx minutes are not a zip: %.20q", body)
		}
	}

	// a fresh load shows the same meeting as the live fold did
	before := sg.text("#side-meetings")
	sg.room(id)
	sg.sideTab("meetings")
	sg.waitText(minutes, "✓ Approved by every party present.", 5*time.Second)
	if after := sg.text("#side-meetings"); after != before {
		t.Errorf("the Meetings panel after a reload differs from the live one:\n live: %s\n load: %s", before, after)
	}
	if err := e.w.Verify(); err != nil {
		t.Error(err)
	}
}

// The same by keyboard alone at 800 px: US starts a meeting, takes up an
// issue, records an ad referendum outcome, ends it (the question first) and approves
// the minutes, and withdraws an ad referendum after it; SG steps away and
// follows again; axe at each view.
func TestMeetingByKeyboard(t *testing.T) {
	needAxe(t)
	e := newEnv(t)
	e.w.SetNow(time.Now().UTC().Truncate(time.Second)) // the present (a session cookie expires on the client's clock)
	id, is := meetingRoom(e)
	us, sg := e.livePages(id)
	for _, p := range []*pg{us, sg} {
		p.viewport(800, 900)
	}

	// to the Meetings panel: the Threads pane, then the side tabs' arrows
	us.tabTo(".room-title", "#pane-right", 20)
	us.press("\r")
	us.tabTo("#pane-right", `.tab[aria-selected="true"]`, 20)
	for !us.focused(`.tab[data-tab="meetings"]`) {
		us.press(kb.ArrowRight)
		if us.focused(`.tab[data-tab="threads"]`) {
			t.Fatal("the Meetings tab is not among the side tabs")
		}
	}
	us.waitJS("the Meetings panel", `!document.querySelector('#side-meetings').hidden`, time.Second)
	us.checkA11y("the Meetings panel, none yet")
	us.tabTo(`.tab[data-tab="meetings"]`, "#mt-start-title", 10)
	us.press("Round 5")
	us.tabTo("#mt-start-title", "#mt-start-SG", 5)
	us.press(" ") // SG is not present…
	us.tabTo("#mt-start-SG", "#mt-start-submit", 5)
	us.press("\r")
	us.waitText("#mt-start-error", "A meeting needs at least two parties present.", time.Second)
	us.tabTo("#mt-start-title", "#mt-start-SG", 5)
	us.press(" ") // …it is after all
	us.tabTo("#mt-start-SG", "#mt-start-submit", 5)
	us.press("\r")
	us.waitJS("the bar, focused", `!document.querySelector('#meeting-bar').hidden && document.activeElement.id === 'mt-title'`, live)
	sg.waitText("#mt-title", "Meeting: Round 5", live)

	// the chair takes up the first issue; the focus stays on Next issue
	us.tabTo("#mt-title", "#mt-next", 10)
	us.press("\r")
	us.waitText("#mt-focus", "Now: open issue 1 of 3", live)
	if !us.focused("#mt-next") {
		t.Error("Next issue lost the focus")
	}
	sg.waitJS("SG's page on issue 1 (its text column)", `!!document.querySelector('#doc .current[data-threads~=`+jsString(is[0])+`]')`, live)
	sg.waitJS("read out", announced("The chair took up open issue 1 of 3"), live)
	us.checkA11y("the meeting bar, chair")
	us.fitsWidth("the meeting bar, chair")
	us.screenshot("mt-04-bar-chair-800")
	sg.screenshot("mt-05-bar-follower-800")
	sg.checkA11y("the meeting bar, follower")

	// SG steps away and follows again by keyboard
	sg.tabTo(".room-title", "#mt-follow", 20)
	sg.press("\r")
	sg.waitText("#mt-follow-state", "You stepped away", time.Second)
	if !sg.focused("#mt-follow") {
		t.Error("Step away lost the focus")
	}
	us.press("\r") // the chair: next issue (2)
	sg.waitText("#mt-focus", "Now: open issue 2 of 3", live)
	if evalIn[bool](sg, `!!document.querySelector('#doc .current[data-threads~=`+jsString(is[1])+`]')`) {
		t.Error("SG's page moved while it stepped away")
	}
	sg.press("\r")
	sg.waitJS("SG following again", `!!document.querySelector('#doc .current[data-threads~=`+jsString(is[1])+`]')`, time.Second)
	sg.checkA11y("following again")

	// the outcome by keyboard: the form opens on its heading, the arrows pick
	us.tabTo("#mt-next", "#mt-record", 10)
	us.press("\r")
	us.waitJS("the form's heading", `document.activeElement.id === 'mt-form-h'`, time.Second)
	us.checkA11y("the outcome form")
	us.tabTo("#mt-form-h", `input[name="mt-outcome"]`, 5)
	us.press(kb.ArrowDown)
	us.waitJS("ad referendum chosen", `document.querySelector('input[name="mt-outcome"][value="ad_referendum"]').checked && !document.querySelector('#mt-capital').closest('.field').hidden`, time.Second)
	us.tabTo(`input[name="mt-outcome"]`, "#mt-capital", 5)
	if got := evalIn[string](us, `document.querySelector('#mt-capital').value`); got != "US" {
		t.Errorf("the capital to confirm is %q by default, want the recorder's own (US)", got)
	}
	us.tabTo("#mt-capital", "#mt-body", 5)
	us.press("45 days, if Washington agrees")
	us.tabTo("#mt-body", "#mt-dispose-submit", 5)
	us.press("\r")
	us.waitText("#mt-focus", "Outcome: Agreed ad referendum, pending confirmation by US’s capital.", live)
	sg.waitText("#mt-focus", "Outcome: Agreed ad referendum, pending confirmation by US’s capital.", live)

	// the end, by keyboard: the question takes the focus, Enter on it ends nothing
	us.tabTo("#mt-focus", "#mt-end", 10)
	us.press("\r")
	us.waitJS("the question", `document.activeElement.id === 'mt-end-q'`, time.Second)
	us.press("\r")
	if !meetingsOf(e, "us-neg", id)[0].Running {
		t.Fatal("Enter on the question ended the meeting")
	}
	us.checkA11y("the end question")
	us.tabTo("#mt-end-q", "#mt-end-yes", 3)
	us.press("\r")
	m := meetingsOf(e, "us-neg", id)
	us.waitJS("the minutes, focused", `document.activeElement.id === `+jsString("mt-h-"+m[0].ID), 5*time.Second)
	us.fitsWidth("the minutes")
	us.checkA11y("the minutes")
	minutes := fmt.Sprintf(`[data-meeting=%q]`, m[0].ID)
	us.tabTo("#mt-h-"+m[0].ID, minutes+" [data-action=approve]", 20)
	us.press("\r")
	us.waitText(minutes+" .mt-approvals", "US: approved by", live)
	us.waitJS("the focus on the approved line", `document.activeElement.id === `+jsString("mt-approved-"+m[0].ID), time.Second)
	us.screenshot("mt-03-keyboard-minutes-800")

	// after the meeting, Washington says no: US withdraws the agreement by keyboard
	us.tabTo("#meetings-h", "#mt-pending input", 10)
	us.press("Washington keeps the bracket")
	us.tabTo("#mt-pending input", "#mt-pending [data-action=withdraw]", 3)
	us.press("\r")
	us.waitText(minutes, "Outcome: Bracket kept: ad referendum withdrawn by US (after the meeting).", live)
	us.waitJS("the focus on the panel's heading", `document.activeElement.id === 'meetings-h'`, time.Second)
	if d := meetingsOf(e, "sg-neg", id)[0].Dispositions[0]; d.Outcome != "ad_referendum" || d.Confirmed != "withdrawn" || d.Owner != "US" {
		t.Errorf("the ad referendum after its withdrawal: %+v", d)
	}
	sg.click("#pane-right")
	sg.sideTab("meetings")
	sg.waitText(minutes+" .mt-approvals", "US: approved by", live)
	sg.waitText(minutes, "Outcome: Bracket kept: ad referendum withdrawn by US (after the meeting).", live)
	if evalIn[bool](sg, `!!document.querySelector('#mt-pending [data-action]')`) {
		t.Error("SG is offered to settle US's capital's referendum")
	}
	sg.fitsWidth("the minutes")
	sg.checkA11y("the minutes, SG")
}

// The page's fold of meeting events (state.js), run in the browser on
// events shaped as the server sends them: each sets what it says, and any
// event folded again changes nothing; a later decision on the minutes by
// the same user replaces the earlier, in its place.
func TestMeetingFold(t *testing.T) {
	foldInPage(t, `
		const snap = { negotiation: { id: 'n-1', title: 'T', parties: ['US', 'SG'], required_approvals: 1 },
			parties: [{ id: 'US' }, { id: 'SG' }], versions: [], threads: [], sign_offs: [], signatures: [], heads: { shared: 0, internal: 0 } };
		const us = { user: 'us-neg', party: 'US' }, sg = { user: 'sg-neg', party: 'SG' };
		const d1 = { id: 'd-1', thread: 't-1', outcome: 'ad_referendum', parties: [], owner: 'SG', due: '', body: '', by: 'us-neg', party: 'US', at: 'T2', confirmed: 'pending' };
		const minutes = { title: 'R4', chair: 'us-neg', parties: ['US', 'SG'], issues: [{ thread: 't-1', outcome: 'ad_referendum', dispositions: [d1] }], actions: [], versions: [] };
		let seq = 0;
		const ev = (kind, actor, at, data) => ({ stream: 'shared', kind, actor, at, data });
		const evs = [
			ev('meeting_started', us, 'T1', { meeting: 'g-1', title: 'R4', parties: ['US', 'SG'] }),
			ev('meeting_focused', us, 'T2', { meeting: 'g-1', thread: 't-1' }),
			ev('issue_disposed', us, 'T2', { meeting: 'g-1', disposition: d1 }),
			ev('meeting_focused', us, 'T3', { meeting: 'g-1', thread: 't-2' }),
			ev('meeting_focused', us, 'T3', { meeting: 'g-1', thread: 't-1' }),
			ev('meeting_ended', us, 'T4', { meeting: 'g-1', minutes, sha256: 'abc' }),
			ev('referendum_confirmed', sg, 'T5', { meeting: 'g-1', disposition: 'd-1', decision: 'confirm', body: '' }),
			ev('minutes_approved', sg, '2026-01-01T00:00:01Z', { meeting: 'g-1', sha256: 'abc', decision: 'request_changes', body: 'why' }),
			ev('minutes_approved', us, '2026-01-01T00:00:02Z', { meeting: 'g-1', sha256: 'abc', decision: 'approve', body: '' }),
			ev('minutes_approved', sg, '2026-01-01T00:00:03Z', { meeting: 'g-1', sha256: 'abc', decision: 'approve', body: '' }),
		];
		const n = new Negotiation(snap);
		for (const e of evs) n.apply({ ...structuredClone(e), seq: ++seq });
		const m = n.meetings[0];
		check('one meeting', n.meetings.length, 1);
		check('its chair', [m.chair, m.chair_party, m.started_at], ['us-neg', 'US', 'T1']);
		check('discussed in the order first taken up', m.discussed, ['t-1', 't-2']);
		check('ended', [m.running, m.ended_at, m.sha256, m.minutes.title], [false, 'T4', 'abc', 'R4']);
		check('no focus once ended', m.focus, '');
		check('the referendum confirmed', m.dispositions.map((d) => [d.id, d.confirmed]), [['d-1', 'confirmed']]);
		check('the minutes as made', m.minutes.issues[0].dispositions[0].confirmed, 'pending');
		check('approvals: SG replaced in its place', m.approvals.map((a) => [a.user, a.decision]), [['sg-neg', 'approve'], ['us-neg', 'approve']]);
		check('approved', m.approved, true);
		const before = JSON.stringify(n.meetings);
		for (const e of evs) n.apply({ ...structuredClone(e), seq: ++seq });
		check('every event folded again', JSON.stringify(n.meetings), before);
		// an older decision arriving late replaces nothing
		n.apply({ ...ev('minutes_approved', sg, '2026-01-01T00:00:01Z', { meeting: 'g-1', sha256: 'abc', decision: 'request_changes', body: 'why' }), seq: ++seq });
		check('a late older decision', JSON.stringify(n.meetings), before);
		// the snapshot's meetings are taken as they come
		const m2 = new Negotiation({ ...snap, meetings: [{ ...m, focus: null }] }).meetings[0];
		check('from the snapshot', [m2.focus, m2.approved, m2.dispositions.length], ['', true, 1]);
	`)
}
