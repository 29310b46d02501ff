package frontend_test

// Browser tests of the page: the real server on a temp database, headless
// Chromium, two browser contexts as two parties. Screenshots of each main
// view go to $MRA_SCREENSHOTS (or the test's temp dir); the paths are logged.

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const text1 = `Mutual Recognition Arrangement between U.S. Customs and Border Protection and Singapore Customs

Article 1
Purpose

1. The Customs Administrations shall recognise the validation findings of each other's Authorized Economic Operator program, in order to facilitate trade and secure the supply chain.

Article 2
Exchange of information

1. The Customs Administrations shall exchange information on the members of their programs within 30 days of a change in membership status.

Article 3
Names 🇸🇬 and 日本語

1. Programs keep their own names: 新加坡海关 “Secure Trade Partnership” 👍🏽 and CTPAT, in every language.

Article 4
Contact points

1. Each Customs Administration shall designate a contact point for the implementation of this Arrangement.
`

// Within a second (live), allowing for a slow CI machine only in setup.
const live = time.Second

func TestLoginListAndCreate(t *testing.T) {
	e := newEnv(t)
	p := e.page("us-neg")
	p.open("/")
	p.waitJS("the login form", `!!document.querySelector('#login-user')`, 10*time.Second)
	p.screenshot("01-login")
	p.checkA11y("login")

	p.setValue("#login-user", "us-neg")
	p.setValue("#login-password", "wrong")
	p.click("#login-submit")
	p.waitText("#login-form .error", "Unknown user or wrong password", 5*time.Second)

	p.login("us-neg")
	p.waitText("main", "None yet", 5*time.Second)
	p.setValue("#new-title", "Arrangement <b>with</b> Singapore")
	p.click("#party-SG") // the test world has a third party, EX
	p.click("#create-submit")
	p.waitJS("the new room", `location.hash.startsWith('#/n/') && !!document.querySelector('.room-title')`, 5*time.Second)
	p.waitText(".room-title", "Arrangement <b>with</b> Singapore", 5*time.Second)
	p.waitText("#status-badge", "Drafting", 5*time.Second)

	// the first version, from the propose view
	p.click(`.tab[data-tab="propose"]`)
	p.waitJS("the editor", `!!document.querySelector('#draft') && document.querySelector('#propose-submit').textContent.includes('first')`, 5*time.Second)
	p.setValue("#draft", text1)
	p.setValue("#draft-note", "U.S. proposed text")
	p.click("#propose-submit")
	p.waitJS("version 1 in the text view", `document.querySelector('#doc')?.textContent.includes('Exchange of information')`, 5*time.Second)
	p.waitText("#status-badge", "Legal review", 5*time.Second)

	p.open("/#/")
	p.waitText("#negotiations", "Arrangement <b>with</b> Singapore", 5*time.Second)
	p.waitText("#negotiations", "Version 1", 5*time.Second)
	if n := evalIn[int](p, `document.querySelectorAll('#negotiations b').length`); n != 0 {
		t.Errorf("the title was parsed as HTML: %d <b> elements", n)
	}
	p.screenshot("02-negotiations")
	p.checkA11y("list")

	p.logout()
}

// One party comments; the other sees it within a second, without
// reloading; answers; marks the article agreed; and the outline follows.
func TestCommentSeenLiveByTheOtherParty(t *testing.T) {
	e := newEnv(t)
	id := e.api("us-neg").negotiation("US–SG arrangement", text1)

	us, sg := e.livePages(id)

	// SG raises an open issue on a selection
	sg.selectText("within 30 days", 0)
	sg.click("#comment-selection")
	sg.waitJS("the comment form", `!document.querySelector('#composer').hidden`, 5*time.Second)
	sg.click(`#composer input[value="open_issue"]`)
	sg.click(`#composer input[value="shared"]`)
	sg.setValue("#composer-body", "Thirty days is too short for our partner agencies; we propose sixty.")
	sg.click("#composer-submit")
	sg.waitText("#thread-list .thread", "Thirty days is too short", 5*time.Second)
	start := time.Now()
	us.waitText("#thread-list .thread", "Thirty days is too short", live)
	t.Logf("the other party saw the comment %v after the author's page showed it", time.Since(start))
	us.waitJS("the highlight", `[...document.querySelectorAll('#doc .hl-open_issue-open')].map(e => e.textContent).join('') === 'within 30 days'`, live)
	us.waitText(".ol-item.st-open", "Article 2", live)

	// US answers on the thread, opened by clicking its highlight
	us.click("#doc .hl-open_issue-open")
	us.waitJS("the thread opened", `document.querySelector('.thread.current')?.textContent.includes('Thirty days')`, 2*time.Second)
	us.click(`.thread.current [data-action="reply"]`)
	us.setValue(".thread.current .t-form textarea", "We can accept sixty days if suspensions are notified at once.")
	us.click(`.thread.current .t-form button[type="submit"]`)
	sg.waitText("#thread-list .thread", "We can accept sixty days", live)

	// US proposes a consensus on Article 4; SG concurs: agreed
	us.selectText("Each Customs Administration shall designate a contact point", 0)
	us.click("#comment-selection")
	us.click(`#composer input[value="consensus"]`)
	us.click(`#composer input[value="shared"]`)
	us.setValue("#composer-body", "Standard contact point article.")
	us.click("#composer-submit")
	sg.waitText(".ol-item.st-proposed", "Article 4", live)
	sg.waitJS("the concur button", `[...document.querySelectorAll('.thread')].some(c => c.textContent.includes('Standard contact point') && c.querySelector('[data-action="concur"]'))`, live)
	sg.click(`.thread.k-consensus [data-action="concur"]`)
	sg.click(`.thread.k-consensus [data-submit="concur"]`) // concurring asks first
	us.waitText(".ol-item.st-agreed", "Article 4", live)
	us.waitJS("the agreed highlight", `!!document.querySelector('#doc .hl-consensus-agreed')`, live)
	if us.text("#status-badge") != "Negotiating" {
		t.Errorf("status badge %q, want Negotiating", us.text("#status-badge"))
	}
	// who is online, and where: by name, in the list and in the outline
	us.waitText(".people-list", "SG Negotiator", live)
	us.waitJS("SG's reader named in the outline", `[...document.querySelectorAll('.ol-people')].some((e) => e.textContent === 'reading: SG Negotiator')`, live)
	sg.screenshot("03-room-text-and-threads")
	sg.checkA11y("room")
}

// An internal note reaches its own party live, and never the other party:
// not live, not after a reload, not in the page's markup.
func TestInternalNoteNeverReachesTheOtherParty(t *testing.T) {
	e := newEnv(t)
	id := e.api("us-neg").negotiation("US–SG arrangement", text1)
	legal, us, sg := e.page("us-legal"), e.page("us-neg"), e.page("sg-neg")
	for p, user := range map[*pg]string{legal: "us-legal", us: "us-neg", sg: "sg-neg"} {
		p.login(user)
		p.room(id)
		p.live()
	}
	const secret = "Legal: check recognition against our notice-and-comment obligations."
	legal.selectText("recognise the validation findings", 0)
	legal.click("#comment-selection")
	if evalIn[bool](legal, `!!document.querySelector('#composer input[name="visibility"]:checked')`) {
		t.Error("a comment's visibility should have no default")
	}
	legal.click(`#composer input[value="note"]`)
	legal.setValue("#composer-body", secret)
	legal.click("#composer-submit")
	legal.waitText("#composer .error", "Choose who will see this comment", 2*time.Second)
	legal.click(`#composer input[value="internal"]`)
	legal.click("#composer-submit")
	legal.waitText("#thread-list .thread.internal", secret, 5*time.Second)
	us.waitText("#thread-list .thread.internal", secret, live)
	us.waitJS("the internal highlight", `!!document.querySelector('#doc .hl-internal')`, live)
	us.waitText("#thread-list .thread.internal .pill.internal", "Internal · US only", live)
	legal.screenshot("04-internal-note")

	// A shared comment after it is a barrier: once SG shows it, SG has
	// seen everything before it that it may see.
	us.selectText("Each Customs Administration", 0)
	us.click("#comment-selection")
	us.click(`#composer input[value="note"]`)
	us.click(`#composer input[value="shared"]`)
	us.setValue("#composer-body", "Shared after the internal note.")
	us.click("#composer-submit")
	sg.waitText("#thread-list .thread", "Shared after the internal note.", live)
	leak := fmt.Sprintf(`document.documentElement.outerHTML.includes(%s) || !!document.querySelector('.hl-internal, .thread.internal')`, jsString("notice-and-comment"))
	if evalIn[bool](sg, leak) {
		t.Fatal("the internal note reached the other party's page")
	}
	sg.room(id)
	sg.waitText("#thread-list .thread", "Shared after the internal note.", 5*time.Second)
	if evalIn[bool](sg, leak) {
		t.Fatal("the internal note reached the other party's page after a reload")
	}
	if got := sg.text("#thread-count"); !strings.Contains(got, "of 1 thread") {
		t.Errorf("SG counts %q, want one thread", got)
	}
}

// A negotiator proposes a revision with a live redline preview, then sees
// the stored redline; the other side gets the version live. A proposal that
// crosses someone else's has a clear way through.
func TestProposeWithPreviewRedlineAndConflict(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("US–SG arrangement", text1)
	sgNeg := e.api("sg-neg")
	agreed := usNeg.comment(id, 1, text1, "within 30 days", "consensus", "shared", "Thirty days is agreed.")
	sgNeg.do("concur", map[string]any{"negotiation": id, "thread": agreed})
	us, sg := e.livePages(id)

	us.click(`.tab[data-tab="propose"]`)
	us.waitJS("the editor, prefilled with version 1", `document.querySelector('#draft').value === `+jsString(text1), 5*time.Second)
	draft := strings.Replace(text1, "within 30 days", "within 60 days", 1)
	us.setValue("#draft", draft)
	us.setValue("#draft-note", "Sixty days, as agreed on the call")
	us.waitJS("the preview redline", `[...document.querySelectorAll('#preview ins')].some(e => e.textContent.includes('60')) && [...document.querySelectorAll('#preview del')].some(e => e.textContent.includes('30'))`, 5*time.Second)
	us.screenshot("05-propose-preview")
	us.checkA11y("propose")
	us.click("#propose-submit")
	us.waitJS("the stored redline", `!document.querySelector('#view-compare').hidden && [...document.querySelectorAll('#redline ins')].some(e => e.textContent.includes('60'))`, 5*time.Second)
	sg.waitJS("version 2, live", `document.querySelector('#doc').textContent.includes('within 60 days')`, live)
	sg.waitText("#version-meta", "Version 2", live)
	sg.waitText("#version-meta", "Sixty days, as agreed on the call", live)
	// the agreed text changed: its consensus is void until confirmed again
	sg.waitText(".ol-item.st-void", "Article 2", live)
	sg.waitText("#status-badge", "Negotiating", live)
	sg.click(`.thread.s-void [data-action="concur"]`)
	sg.click(`.thread.s-void [data-submit="concur"]`)
	us.waitJS("the consensus proposed again", `!!document.querySelector('.thread.k-consensus.s-proposed [data-action="concur"]')`, live)

	// Crossing proposals: US edits from version 2 while SG proposes version 3.
	us.click(`.tab[data-tab="propose"]`)
	us.waitJS("the editor, prefilled with version 2", `document.querySelector('#draft').value === `+jsString(draft), 5*time.Second)
	mine := strings.Replace(draft, "shall designate a contact point", "shall designate a single contact point", 1)
	us.setValue("#draft", mine)
	theirs := strings.Replace(draft, "in order to facilitate trade", "in order to facilitate legitimate trade", 1)
	sgNeg.do("propose_version", map[string]any{"negotiation": id, "base": 2, "text": theirs, "note": "legitimate trade"})
	us.click("#propose-submit")
	us.waitJS("the way through the conflict", `!document.querySelector('#draft-warning').hidden && !!document.querySelector('#merge-draft')`, 5*time.Second)
	us.screenshot("06-propose-conflict")
	us.click("#merge-draft")
	us.waitJS("the merged draft", `document.querySelector('#draft').value.includes('legitimate trade') && document.querySelector('#draft').value.includes('single contact point')`, 5*time.Second)
	us.waitText("#propose-submit", "Propose version 4", time.Second)
	us.click("#propose-submit")
	sg.waitJS("version 4, with both changes", `document.querySelector('#doc').textContent.includes('single contact point') && document.querySelector('#doc').textContent.includes('legitimate trade')`, live)
	if n := len(usNeg.snapshot(id).Versions); n != 4 {
		t.Errorf("%d versions, want 4", n)
	}
}

// A legal reviewer sees exactly what changed since the version she last
// approved, moved passages included.
func TestLegalSeesChangesSinceHerApproval(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("US–SG arrangement", text1)
	sha1 := usNeg.snapshot(id).Versions[0].SHA256
	e.api("us-legal").do("sign_off", map[string]any{"negotiation": id, "version": 1, "sha256": sha1, "decision": "approve"})
	para4 := "1. Each Customs Administration shall designate a contact point for the implementation of this Arrangement.\n"
	text2 := strings.Replace(strings.Replace(text1, "within 30 days", "within 60 days", 1), "\n"+para4, "", 1)
	text2 = strings.Replace(text2, "Article 2\n", para4+"\nArticle 2\n", 1)
	usNeg.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": text2, "note": "sixty days; contact points moved up"})

	p := e.page("us-legal")
	p.login("us-legal")
	p.room(id)
	p.click(`.tab[data-tab="readiness"]`)
	p.waitText("#review-target", "version 2", 5*time.Second)
	p.waitText(".r-since", "You last approved version 1", 5*time.Second)
	p.click("#changes-since-approval")
	p.waitJS("the redline since the approval", `!document.querySelector('#view-compare').hidden && document.querySelector('#compare-summary').textContent.includes('since the version you approved')`, 5*time.Second)
	p.waitJS("insertions, deletions and a move", `[...document.querySelectorAll('#redline ins')].some(e => e.textContent.includes('60')) && [...document.querySelectorAll('#redline del')].some(e => e.textContent.includes('30')) && !!document.querySelector('#redline .moved .move-tag')`, 5*time.Second)
	if evalIn[bool](p, `document.querySelector('#since-approval').disabled`) {
		t.Error(`"Changes since my approval" is disabled`)
	}
	p.screenshot("07-compare-since-approval")
	p.checkA11y("compare")
}

// A paragraph moved and edited on the way is one moved passage on each side
// of the redline, tagged once, with the words changed inside it.
func TestCompareShowsAnEditedMove(t *testing.T) {
	e := newEnv(t)
	us := e.api("us-neg")
	id := us.negotiation("US–SG arrangement", text1)
	para := "1. The Customs Administrations shall exchange information on the members of their programs within 30 days of a change in membership status.\n"
	edited := strings.Replace(para, "within 30 days", "within 60 days", 1)
	text2 := strings.Replace(text1, "\n"+para, "", 1)
	text2 = strings.Replace(text2, "Article 4\n", edited+"\nArticle 4\n", 1)
	us.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": text2, "note": "information exchange moved down, sixty days"})

	p := e.page("us-neg")
	p.login("us-neg")
	p.room(id)
	p.click(`.tab[data-tab="compare"]`)
	p.waitJS("the redline of versions 1 and 2", `!document.querySelector('#view-compare').hidden && !!document.querySelector('#redline ins.moved')`, 5*time.Second)
	got := evalIn[map[string]any](p, `(() => {
		const r = document.querySelector('#redline');
		const shown = (e) => [...e.childNodes].filter(n => !n.classList || !n.classList.contains('sr-only')).map(n => n.textContent).join('');
		const text = (sel) => [...r.querySelectorAll(sel)].map(shown);
		return {
			tags: text('.move-tag'),
			left: r.querySelectorAll('del.moved').length, arrived: r.querySelectorAll('ins.moved').length,
			removed: text('del.moved del.edit'), added: text('ins.moved ins.edit'),
			plain: text('ins:not(.moved):not(.edit), del:not(.moved):not(.edit)').filter(t => /\S/.test(t)),
			summary: document.querySelector('#compare-summary').textContent,
		};
	})()`)
	want := map[string]any{
		"tags": []any{"moved ⟶1", "moved here ⟵1"}, "left": 1.0, "arrived": 1.0,
		"removed": []any{"30"}, "added": []any{"60"},
		"plain": []any{}, "summary": "Version 1 → version 2: 1 moved passage.",
	}
	for k, w := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	p.screenshot("18-compare-edited-move")
	p.checkA11y("compare")
}

// Resolve the last open issue, approve on both sides, see "ready to sign",
// sign on both sides, see the text frozen.
func TestReviewApproveAndSign(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("US–SG arrangement", text1)
	e.api("sg-neg").comment(id, 1, text1, "within 30 days", "open_issue", "shared", "Sixty days, please.")
	sha := usNeg.snapshot(id).Versions[0].SHA256

	us, sg := e.page("us"), e.page("sg")
	sg.login("sg-neg")
	sg.room(id)
	sg.live()
	us.login("us-legal")
	us.room(id)
	us.live()
	us.waitText("#status-badge", "Negotiating", 2*time.Second)

	// SG resolves the issue its party raised
	sg.click(`.thread.k-open_issue [data-action="resolve"]`)
	sg.setValue(".thread.k-open_issue .t-form textarea", "Settled on the call: thirty days stand.")
	sg.click(`.thread.k-open_issue .t-form button[type="submit"]`)
	us.waitText("#status-badge", "Legal review", live)

	// each side's legal reviewer approves the exact version, seeing its hash
	us.click(`.tab[data-tab="readiness"]`)
	us.waitText("#review-target", sha, 2*time.Second)
	us.waitText("#approve", "Approve version 1", time.Second)
	us.click("#approve")
	us.waitText("#checklist", "US legal approval: 1 of 1", live)
	sg.logout()
	sg.login("sg-legal")
	sg.room(id)
	sg.live()
	sg.click(`.tab[data-tab="readiness"]`)
	sg.waitText("#review-target", sha, 2*time.Second)
	sg.click("#approve")
	sg.waitText("#status-badge", "Ready to sign", live)
	us.waitText("#status-badge", "Ready to sign", live)
	us.screenshot("08-readiness-ready-to-sign")
	us.checkA11y("readiness")

	// each side's signatory signs, confirming version and hash
	for _, s := range []struct {
		p    *pg
		user string
	}{{us, "us-sign"}, {sg, "sg-sign"}} {
		s.p.logout()
		s.p.login(s.user)
		s.p.room(id)
		s.p.live()
		s.p.click(`.tab[data-tab="readiness"]`)
		s.p.waitText("#sign-target", sha, 2*time.Second)
		s.p.click("#sign")
		s.p.waitJS("the confirmation", `document.querySelector('dialog.confirm').open`, 2*time.Second)
		s.p.waitText("dialog.confirm", sha, time.Second)
		s.p.click("#confirm-sign")
		if s.user == "us-sign" { // the first signature: it may still be withdrawn
			s.p.waitJS("the withdrawal offered", `!document.querySelector('#withdraw-signature').hidden && document.querySelector('#sign').hidden`, live)
		}
	}
	us.waitText("#status-badge", "Signed", live)
	us.waitJS("no withdrawal once every party signed", `document.querySelector('#withdraw-signature').hidden`, live)
	sg.waitText("#status-badge", "Signed", live)
	us.waitJS("the signed banner", `!document.querySelector('.signed-banner').hidden && document.querySelector('.signed-banner').textContent.includes(`+jsString(sha)+`)`, live)

	// frozen: a negotiator is offered no change at all
	neg := e.page("us-neg")
	neg.login("us-neg")
	neg.room(id)
	neg.waitText("#status-badge", "Signed", 2*time.Second)
	if !evalIn[bool](neg, `document.querySelector('#comment-selection').hidden && document.querySelector('#general-note').hidden && document.querySelector('.tab[data-tab="propose"]').hidden && document.querySelectorAll('[data-action]').length === 0`) {
		t.Error("a signed negotiation still offers changes")
	}
	neg.screenshot("09-signed-frozen")
	if got := usNeg.snapshot(id).Negotiation.Status; got != "signed" {
		t.Errorf("status %q, want signed", got)
	}
}

// Text that looks like markup is shown as text, wherever it comes from.
func TestUserTextIsNeverMarkup(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation(`<img src=x onerror="window.__pwned=3">Arrangement`, text1)
	body := `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & <b>bold</b>`
	usNeg.comment(id, 1, text1, "Each Customs Administration", "note", "shared", body)
	text2 := text1 + "\nArticle 5\n<script>window.__pwned=5</script>\n"
	usNeg.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": text2, "note": `<img src=y onerror="window.__pwned=4">`})

	p := e.page("sg-neg")
	p.login("sg-neg")
	p.room(id)
	p.waitText("#thread-list .m-body", body, 5*time.Second)
	p.waitText("#doc", "<script>window.__pwned=5</script>", 5*time.Second)
	p.waitText("#version-meta", `<img src=y onerror="window.__pwned=4">`, 5*time.Second)
	p.waitText(".room-title", `<img src=x onerror="window.__pwned=3">Arrangement`, 5*time.Second)
	if got := evalIn[string](p, `String(window.__pwned) + ' ' + document.querySelectorAll('#main img, #main script, #main b, .topbar img').length`); got != "undefined 0" {
		t.Fatalf("user text became markup: __pwned, elements = %s", got)
	}
	p.open("/#/")
	p.waitText("#negotiations", `<img src=x onerror="window.__pwned=3">Arrangement`, 5*time.Second)
	if n := evalIn[int](p, `document.querySelectorAll('#main img').length`); n != 0 {
		t.Errorf("the list holds %d images", n)
	}
}

// Offsets are code points: a selection after emoji and CJK anchors exactly.
func TestSelectionOffsetsAreCodePoints(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("US–SG arrangement", text1)
	p := e.page("us-neg")
	p.login("us-neg")
	p.room(id)
	for _, quote := range []string{"“Secure Trade Partnership” 👍🏽 and CTPAT", "日本語", "designate a contact point"} {
		p.selectText(quote, 0)
		p.click("#comment-selection")
		p.click(`#composer input[value="note"]`)
		p.click(`#composer input[value="shared"]`)
		p.setValue("#composer-body", "On "+quote)
		p.click("#composer-submit")
		p.waitText("#thread-list .thread", "On "+quote, 5*time.Second)
	}
	i := strings.Index(text1, "“Secure Trade")
	want := len([]rune(text1[:i]))
	found := 0
	for _, th := range usNeg.snapshot(id).Threads {
		a := th.Anchor
		if a == nil || strings.TrimPrefix(th.Messages[0].Body, "On ") != a.Quote {
			t.Errorf("thread %s: anchor %+v does not hold the quote its comment names (%q)", th.ID, a, th.Messages[0].Body)
			continue
		}
		found++
		if strings.HasPrefix(a.Quote, "“Secure") && a.Start != want {
			t.Errorf("start %d, want %d (code points)", a.Start, want)
		}
	}
	if found != 3 {
		t.Errorf("%d anchored threads, want 3", found)
	}
	p.waitJS("the three highlights", `[...document.querySelectorAll('#doc .hl')].map(e => e.textContent).join('|') === `+
		jsString("日本語|“Secure Trade Partnership” 👍🏽 and CTPAT|designate a contact point"), 2*time.Second)

	// Without a mouse: the comment form finds typed words in the text.
	p.click("#comment-passage")
	p.setValue("#composer-passage", "validation findings")
	p.waitJS("the one place, picked", `document.querySelector('#composer-matches input:checked') !== null`, 2*time.Second)
	p.click(`#composer input[value="open_issue"]`)
	p.click(`#composer input[value="shared"]`)
	p.setValue("#composer-body", "Typed, not selected.")
	p.click("#composer-submit")
	p.waitJS("the typed passage's thread", `[...document.querySelectorAll('#thread-list .thread.k-open_issue')].some(c => c.textContent.includes('“validation findings”') && c.textContent.includes('Typed, not selected.'))`, 5*time.Second)
}

// The page survives the server dropping its socket: it shows that it is
// reconnecting, comes back with backoff, and receives exactly what it missed.
func TestReconnectsAndResumesWithSince(t *testing.T) {
	e := newEnv(t)
	id := e.api("us-neg").negotiation("US–SG arrangement", text1)
	p := e.page("us-neg")
	p.login("us-neg")
	p.room(id)
	p.live()
	said := func() string { return strings.Join(evalIn[[]string](p, `window.__announced`), " | ") }
	if s := said(); strings.Contains(s, "Connected again") {
		t.Errorf("opening the room announced a reconnection: %s", s)
	}

	e.ln.cut(true) // every connection dropped, new ones refused
	p.waitJS("the reconnecting state", `document.querySelector('#conn').dataset.state === 'reconnecting' && document.querySelector('#conn').textContent.includes('Reconnecting')`, 5*time.Second)
	p.screenshot("10-reconnecting")
	i := strings.Index(text1, "within 30 days")
	start := len([]rune(text1[:i]))
	e.execAs("sg-neg", "comment", map[string]any{"negotiation": id, "version": 1, "kind": "open_issue", "visibility": "shared",
		"body": "Posted while you were away.", "start": start, "end": start + len([]rune("within 30 days")), "quote": "within 30 days"})
	time.Sleep(300 * time.Millisecond)
	e.ln.resume()
	p.waitText("#thread-list .thread", "Posted while you were away.", 20*time.Second)
	p.live()
	if n := evalIn[int](p, `[...document.querySelectorAll('#thread-list .thread')].filter(c => c.textContent.includes('Posted while you were away.')).length`); n != 1 {
		t.Errorf("the missed comment shows %d times, want once", n)
	}
	p.waitText("#status-badge", "Negotiating", time.Second)
	// the announcement follows the state by a moment (announce waits for the region to clear)
	p.waitJS("the return announced", `window.__announced.some(s => s.includes('Connected again'))`, 2*time.Second)
	if s := said(); !strings.Contains(s, "Connection lost") {
		t.Errorf("the drop was not announced: %s", s)
	}

	// A plain drop (the server restarts the socket): straight back, and live again.
	e.ln.cut(false)
	p.waitJS("reconnected", `document.querySelector('#conn').dataset.state === 'live'`, 20*time.Second)
	e.execAs("sg-neg", "reply", map[string]any{"negotiation": id, "thread": evalIn[string](p, `document.querySelector('#thread-list .thread').dataset.thread`), "body": "And this one live."})
	p.waitText("#thread-list .thread", "And this one live.", live)
}

// Each thread offers only the actions the user's roles and party allow,
// and the actions work: reopen (with its reason) and withdraw.
func TestThreadActionsFollowRolesAndParties(t *testing.T) {
	e := newEnv(t)
	usNeg, sgNeg, usLegal := e.api("us-neg"), e.api("sg-neg"), e.api("us-legal")
	id := usNeg.negotiation("US–SG arrangement", text1)
	usNeg.comment(id, 1, text1, "within 30 days", "open_issue", "shared", "US issue")
	sgIssue := sgNeg.comment(id, 1, text1, "validation findings", "open_issue", "shared", "SG issue")
	sgNeg.do("resolve", map[string]any{"negotiation": id, "thread": sgIssue})
	sgNeg.comment(id, 1, text1, "designate a contact point", "consensus", "shared", "SG consensus")
	usLegal.comment(id, 1, text1, "Programs keep their own names", "note", "internal", "US internal note")

	actions := func(p *pg) map[string]string {
		return evalIn[map[string]string](p, `Object.fromEntries([...document.querySelectorAll('#thread-list .thread:not([hidden])')].map(c =>
			[c.querySelector('.m-body').textContent, [...c.querySelectorAll('[data-action]')].map(b => b.dataset.action).join(',')]))`)
	}
	check := func(p *pg, who string, want map[string]string) {
		t.Helper()
		got := actions(p)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s is offered %v, want %v", who, got, want)
		}
	}
	us, sg := e.page("us"), e.page("sg")
	us.login("us-neg")
	us.room(id)
	us.live()
	check(us, "us-neg", map[string]string{
		"US issue": "reply,resolve,withdraw", "SG issue": "reply,reopen", "SG consensus": "reply,concur", "US internal note": "reply,withdraw"})
	sg.login("sg-neg")
	sg.room(id)
	sg.live()
	check(sg, "sg-neg", map[string]string{
		"US issue": "reply", "SG issue": "reply,reopen,withdraw", "SG consensus": "reply,withdraw"})

	// SG reopens its issue, saying why; US withdraws its own
	sg.click(`.thread.s-resolved [data-action="reopen"]`)
	sg.click(`.thread.s-resolved .t-form button[type="submit"]`)
	sg.waitText(".thread.s-resolved .error", "Write a message first", time.Second)
	sg.setValue(".thread.s-resolved .t-form textarea", "Reopened: the finding period is still unclear.")
	sg.click(`.thread.s-resolved .t-form button[type="submit"]`)
	us.waitText(".thread.k-open_issue.s-open", "Reopened: the finding period is still unclear.", live)
	us.click(`.thread.k-open_issue.s-open:not(:has(.t-msgs li + li)) [data-action="withdraw"]`)
	us.click(`.thread .t-form:not([hidden]) button[type="submit"]`)
	sg.waitJS("the withdrawn issue leaves the default view", `![...document.querySelectorAll('#thread-list .thread:not([hidden])')].some(c => c.textContent.includes('US issue'))`, live)
	sg.setValue("#filter-status", "withdrawn")
	sg.waitJS("the withdrawn filter", `[...document.querySelectorAll('#thread-list .thread:not([hidden])')].map(c => c.querySelector('.m-body').textContent).join() === 'US issue'`, time.Second)

	sg.logout()
	sg.login("sg-legal")
	sg.room(id)
	check(sg, "sg-legal", map[string]string{"SG issue": "reply,withdraw", "SG consensus": "reply,withdraw"})
	sg.logout()
	sg.login("sg-sign")
	sg.room(id)
	check(sg, "sg-sign", map[string]string{"SG issue": "", "SG consensus": ""})
	if evalIn[bool](sg, `!document.querySelector('#comment-selection').hidden`) {
		t.Error("a signatory is offered to comment")
	}
}
