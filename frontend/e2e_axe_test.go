package frontend_test

// axe-core on every view of the page, at a wide and a half-screen width:
// no serious or critical violation anywhere. The views are filled the way
// a real negotiation fills them (threads of every kind and state, a moved
// and edited passage, an internal note, a conflict, a signature).

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeWorld is one negotiation with something of everything on it, and one
// ready to sign.
type axeWorld struct {
	rich, ready string
	text2       string
}

func newAxeWorld(e *env) axeWorld {
	usNeg, sgNeg, usLegal := e.api("us-neg"), e.api("sg-neg"), e.api("us-legal")
	rich := usNeg.negotiation("US–SG arrangement", text1)
	sgNeg.comment(rich, 1, text1, "within 30 days", "open_issue", "shared", "Thirty days is too short; sixty, please.")
	agreed := usNeg.comment(rich, 1, text1, "designate a contact point", "consensus", "shared", "Standard contact point article.")
	sgNeg.do("concur", map[string]any{"negotiation": rich, "thread": agreed})
	usNeg.comment(rich, 1, text1, "recognise the validation findings", "consensus", "shared", "Recognition as drafted.")
	usLegal.comment(rich, 1, text1, "Programs keep their own names", "note", "internal", "Legal: check the program names against the notice.")
	sgNeg.comment(rich, 1, text1, "in every language", "note", "shared", "Translations to follow.")
	usNeg.do("comment", map[string]any{"negotiation": rich, "version": 1, "kind": "note", "visibility": "shared", "body": "A general note on the whole text."})
	// version 2: Article 2 moves below Article 4 with an edit, the agreed
	// words change (void), the noted words go (outdated)
	para := "1. The Customs Administrations shall exchange information on the members of their programs within 30 days of a change in membership status.\n"
	text2 := strings.Replace(text1, "\n"+para, "", 1)
	text2 = strings.Replace(text2, "Article 4\n", strings.Replace(para, "30 days", "60 days", 1)+"\nArticle 4\n", 1)
	text2 = strings.Replace(text2, "designate a contact point", "designate a single contact point", 1)
	text2 = strings.Replace(text2, ", in every language", "", 1)
	usNeg.do("propose_version", map[string]any{"negotiation": rich, "base": 1, "text": text2, "note": "sixty days; one contact point"})

	ready := usNeg.negotiation("US–SG arrangement, ready", text1)
	sha := usNeg.snapshot(ready).Versions[0].SHA256
	for _, u := range []string{"us-legal", "sg-legal"} {
		e.api(u).do("sign_off", map[string]any{"negotiation": ready, "version": 1, "sha256": sha, "decision": "approve"})
	}
	return axeWorld{rich: rich, ready: ready, text2: text2}
}

// The check itself: axe-core, injected into the page under its CSP, finds
// a violation there and names it.
func TestAxeFindsWhatIsWrong(t *testing.T) {
	e := newEnv(t)
	needAxe(t)
	p := e.page("us-neg")
	p.open("/")
	p.waitJS("the login form", `!!document.querySelector('#login-user')`, 10*time.Second)
	if v := p.axe(); len(v) != 0 {
		t.Fatalf("the login page has violations: %+v", v)
	}
	evalIn[chromedp.Void](p, `document.querySelector('#login-form').append(Object.assign(document.createElement('button'), {id: 'nameless'}))`)
	v := p.axe()
	if len(v) != 1 || v[0].ID != "button-name" || v[0].Impact != "critical" || len(v[0].Targets) != 1 || !strings.Contains(v[0].Targets[0], "#nameless") {
		t.Fatalf("axe found %+v, want button-name (critical) on #nameless", v)
	}
	if got := evalIn[[]string](p, `window.__csp || []`); len(got) != 0 {
		t.Errorf("axe-core broke the page's CSP: %v", got)
	}
}

func TestAxeEveryView(t *testing.T) {
	e := newEnv(t)
	needAxe(t)
	for _, width := range []int64{1280, 800} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			axeViews(t, e, newAxeWorld(e), width)
		})
	}
}

func axeViews(t *testing.T, e *env, w axeWorld, width int64) {
	at := func(view string) string { return fmt.Sprintf("%s at %d px", view, width) }
	neg := e.page(fmt.Sprintf("us-neg-%d", width))
	neg.t = t
	neg.viewport(width, 900)

	neg.open("/")
	neg.waitJS("the login form", `!!document.querySelector('#login-user')`, 10*time.Second)
	neg.checkAxe(at("login"))
	neg.setValue("#login-user", "us-neg")
	neg.setValue("#login-password", "wrong")
	neg.click("#login-submit")
	neg.waitText("#login-form .error", "Unknown user or wrong password", 5*time.Second)
	neg.checkAxe(at("login, failed"))

	neg.login("us-neg")
	neg.waitJS("the list and the new negotiation form", `!!document.querySelector('#negotiations') && !!document.querySelector('#create-submit')`, 5*time.Second)
	neg.checkAxe(at("list and new negotiation"))

	neg.room(w.rich)
	neg.live()
	neg.waitJS("the threads", `document.querySelectorAll('#thread-list .thread').length >= 6`, 5*time.Second)
	neg.checkAxe(at("room: text and threads"))
	if width == 1280 { // the top bar says so; once is enough
		e.ln.cut(true)
		neg.waitJS("the reconnecting state", `document.querySelector('#conn').dataset.state === 'reconnecting'`, 5*time.Second)
		neg.checkAxe(at("room: reconnecting"))
		e.ln.resume()
		neg.live()
	}

	neg.column("left")
	neg.checkAxe(at("room: the outline"))

	neg.column("text")
	neg.click("#doc .hl-open_issue-open")
	neg.waitJS("the thread opened", `!!document.querySelector('.thread.current')`, 2*time.Second)
	neg.column("right")
	neg.click(`.thread.current [data-action="reply"]`)
	neg.checkAxe(at("room: a thread open, replying"))

	neg.column("text")
	neg.selectText("recognise the validation findings", 0)
	neg.checkAxe(at("room: a selection"))
	neg.click("#comment-selection")
	neg.waitJS("the comment form", `!document.querySelector('#composer').hidden`, 5*time.Second)
	neg.column("right")
	neg.checkAxe(at("room: the comment form"))
	neg.setValue("#composer-body", "")
	neg.click("#composer-submit")
	neg.waitText("#composer .error", "Write a comment first", 2*time.Second)
	neg.checkAxe(at("room: the comment form with an error"))

	neg.column("text")
	neg.click("#print-text")
	neg.waitJS("the print dialog", `document.querySelector('#print-dialog').open`, 2*time.Second)
	neg.checkAxe(at("room: the print dialog"))
	neg.click("#print-dialog button.secondary")
	neg.waitJS("the print dialog closed", `!document.querySelector('#print-dialog').open && document.activeElement.id === 'print-text'`, 2*time.Second)

	neg.setValue("#version-select", "1")
	neg.waitJS("the old version's notice", `!!document.querySelector('.reader .notice:not([hidden])')`, 5*time.Second)
	neg.checkAxe(at("room: an older version"))

	neg.click(`.tab[data-tab="compare"]`)
	neg.waitJS("the redline", `!document.querySelector('#view-compare').hidden && !!document.querySelector('#redline ins.moved')`, 5*time.Second)
	neg.checkAxe(at("room: compare"))

	neg.click(`.tab[data-tab="propose"]`)
	neg.waitJS("the editor", `document.querySelector('#draft').value === `+jsString(w.text2), 5*time.Second)
	neg.setValue("#draft", strings.Replace(w.text2, "60 days", "90 days", 1))
	neg.waitJS("the preview", `[...document.querySelectorAll('#preview ins')].some(e => e.textContent.includes('90'))`, 5*time.Second)
	neg.checkAxe(at("room: propose, with a preview"))
	e.api("sg-neg").do("propose_version", map[string]any{"negotiation": w.rich, "base": 2, "text": w.text2 + "\nArticle 5\nFinal provisions\n", "note": "crossing"})
	neg.click("#propose-submit")
	neg.waitJS("the way through the conflict", `!document.querySelector('#draft-warning').hidden`, 5*time.Second)
	neg.checkAxe(at("room: propose, a conflict"))

	neg.column("right")
	neg.click(`.tab[data-tab="readiness"]`)
	neg.waitJS("the checklist", `!!document.querySelector('#checklist li')`, 5*time.Second)
	neg.checkAxe(at("room: readiness (negotiator)"))

	legal := e.page(fmt.Sprintf("us-legal-%d", width))
	legal.t = t
	legal.viewport(width, 900)
	legal.login("us-legal")
	legal.room(w.rich)
	legal.column("right")
	legal.click(`.tab[data-tab="readiness"]`)
	legal.waitText("#review-target", "version 3", 5*time.Second)
	legal.checkAxe(at("room: readiness (legal review)"))

	sign := e.page(fmt.Sprintf("us-sign-%d", width))
	sign.t = t
	sign.viewport(width, 900)
	sign.login("us-sign")
	sign.room(w.ready)
	sign.column("right")
	sign.click(`.tab[data-tab="readiness"]`)
	sign.waitText("#status-badge", "Ready to sign", 5*time.Second)
	sign.checkAxe(at("room: readiness (signatory)"))
	sign.click("#sign")
	sign.waitJS("the sign dialog", `document.querySelector('dialog.confirm').open`, 2*time.Second)
	sign.checkAxe(at("room: the sign dialog"))
	sign.click("#confirm-sign")
	sign.waitJS("the withdrawal offered", `!document.querySelector('#withdraw-signature').hidden`, 5*time.Second)
	sign.checkAxe(at("room: signed by one party"))
	sign.click("#withdraw-signature")
	sign.waitJS("the withdraw dialog", `document.querySelector('#withdraw-dialog').open`, 2*time.Second)
	sign.click("#confirm-withdraw")
	sign.waitText("#withdraw-dialog .error", "Give the reason", 2*time.Second)
	sign.checkAxe(at("room: the withdraw dialog, with an error"))
	sign.run("close the dialog", chromedp.Evaluate[chromedp.Void](`document.querySelector('#withdraw-dialog').close()`))
	sha := e.api("sg-sign").snapshot(w.ready).Versions[0].SHA256
	e.api("sg-sign").do("sign", map[string]any{"negotiation": w.ready, "version": 1, "sha256": sha})
	sign.waitText("#status-badge", "Signed", 5*time.Second)
	sign.waitJS("the signed banner", `!document.querySelector('.signed-banner').hidden`, 5*time.Second)
	sign.checkAxe(at("room: signed, frozen"))

	sign.open("/#/n/no-such-negotiation")
	sign.waitText("main h1", "Negotiation not found", 5*time.Second)
	sign.checkAxe(at("a negotiation that is not there"))
}

// column shows one column of the room ("left": outline, "text", "right":
// threads and readiness). A half-screen window may show one at a time,
// each behind a pane button (#pane-NAME); where all show, it does nothing.
func (p *pg) column(name string) {
	p.t.Helper()
	if evalIn[bool](p, fmt.Sprintf(`!!document.querySelector('#pane-%s')?.checkVisibility()`, name)) {
		p.click("#pane-" + name)
	}
}
