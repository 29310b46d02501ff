package frontend_test

// Browser tests of sign-offs and signatures: an internal sign-off's comment
// stays with its party; a standing signature blocks proposals until its
// signatory withdraws it.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// An internal sign-off with a comment: the reviewer's own party sees the
// comment and "internal", the other party sees the decision and never the
// comment, live and after a reload. A shared one is every party's.
func TestInternalSignOffCommentStaysWithItsParty(t *testing.T) {
	e := newEnv(t)
	id := e.api("us-neg").negotiation("US–SG arrangement", text1)
	const secret = "Check the 30 days against our notice-and-comment rules before we approve."
	const open = "Approved: the text is consistent with our statutes."

	legal, us, sg := e.page("us-legal"), e.page("us-neg"), e.page("sg-neg")
	for p, user := range map[*pg]string{legal: "us-legal", us: "us-neg", sg: "sg-neg"} {
		p.login(user)
		p.room(id)
		p.live()
		p.click(`.tab[data-tab="readiness"]`)
	}
	legal.waitText("#review-target", "version 1", 5*time.Second)
	if evalIn[bool](legal, `!!document.querySelector('input[name="signoff-visibility"]:checked')`) {
		t.Error("a sign-off's comment should have no default visibility")
	}
	legal.waitText(".r-visibility", "The decision is always visible to every party; an internal comment is not.", time.Second)

	// keyboard only: the comment, the visibility (chosen: internal), then
	// "Request changes"
	legal.setValue("#review-body", secret)
	legal.tabTo("#review-body", `input[name="signoff-visibility"]`, 1)
	if !legal.focused(`input[value="internal"]`) {
		t.Error("Tab from the comment should land on the first visibility, internal")
	}
	legal.press(" ")
	legal.waitText("#review-audience", "Only US will see your comment.", time.Second)
	legal.tabTo(`input[name="signoff-visibility"]:checked`, "#request-changes", 2)
	legal.press("\r")
	legal.waitJS("the internal decision in the list", `[...document.querySelectorAll('#decisions li.internal')].some(li => li.textContent.includes('requested changes to version 1') && li.textContent.includes(`+jsString(secret)+`) && li.textContent.includes('Internal · US only'))`, 5*time.Second)

	ownSees := `[...document.querySelectorAll('#decisions li.internal')].some(li => li.textContent.includes('US Legal') && li.textContent.includes('requested changes to version 1') && li.textContent.includes(` + jsString(secret) + `) && li.textContent.includes('Internal · US only'))`
	otherSees := `[...document.querySelectorAll('#decisions li.internal')].some(li => li.textContent.includes('US Legal') && li.textContent.includes('requested changes to version 1') && li.textContent.includes('Internal · any comment stays with US') && !li.querySelector('.m-body'))`
	leak := fmt.Sprintf(`document.documentElement.outerHTML.includes(%s)`, jsString("notice-and-comment"))
	us.waitJS("the comment on US's page", ownSees, live)
	sg.waitJS("the decision on SG's page", otherSees, live)
	sg.waitText("#checklist", "changes requested by US Legal", live)
	if evalIn[bool](sg, leak) {
		t.Fatal("the internal sign-off's comment reached the other party's page")
	}
	for _, w := range []int64{1280, 800} {
		sg.viewport(w, 900)
		sg.fitsWidth("readiness, another party's internal sign-off")
		sg.checkA11y("readiness, another party's internal sign-off")
		sg.shot(fmt.Sprintf("13-signoff-internal-other-party-%d", w), "#decisions")
		legal.viewport(w, 900)
		legal.fitsWidth("legal review form")
		legal.checkA11y("legal review form")
		legal.shot(fmt.Sprintf("14-review-form-%d", w), ".r-review")
	}
	legal.shot("15-signoff-internal-own-party", "#decisions")
	sg.viewport(1440, 900)
	legal.viewport(1440, 900)

	// after a reload, from the snapshot
	us.room(id)
	us.click(`.tab[data-tab="readiness"]`)
	us.waitJS("the comment on US's page after a reload", ownSees, 5*time.Second)
	sg.room(id)
	sg.click(`.tab[data-tab="readiness"]`)
	sg.waitJS("the decision on SG's page after a reload", otherSees, 5*time.Second)
	if evalIn[bool](sg, leak) {
		t.Fatal("the internal sign-off's comment reached the other party's page after a reload")
	}

	// a shared approval replaces it, comment and all, on every page
	legal.setValue("#review-body", open)
	legal.tabTo("#review-body", `input[name="signoff-visibility"]`, 1)
	legal.press(kb.ArrowDown)
	if !legal.focused(`input[value="shared"]:checked`) {
		t.Fatal("the arrow key did not choose Shared")
	}
	legal.tabTo(`input[name="signoff-visibility"]:checked`, "#approve", 2)
	legal.press(" ")
	shared := `[...document.querySelectorAll('#decisions li')].length === 1 && [...document.querySelectorAll('#decisions li:not(.internal)')].some(li => li.textContent.includes('approved version 1') && li.textContent.includes(` + jsString(open) + `) && li.textContent.includes('Shared'))`
	sg.waitJS("the shared approval on SG's page", shared, live)
	us.waitJS("the shared approval replacing the internal decision on US's page", shared+` && !document.documentElement.outerHTML.includes('notice-and-comment')`, live)
	// The reviewer's own form resets when its answer comes, which may be
	// after the other pages saw the event.
	legal.waitJS("the next comment to have no visibility chosen again", `!document.querySelector('input[name="signoff-visibility"]:checked') && !document.querySelector('#review-body').value`, live)
}

// A signatory signs; the other side's propose view says that signature
// blocks proposals, and a proposal sent anyway is explained, not failed
// generically. The signatory withdraws it, with a reason and a confirmation;
// the other side sees why and can propose again, live.
func TestSignatureBlocksProposalsUntilWithdrawn(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("US–SG arrangement", text1)
	sha := usNeg.snapshot(id).Versions[0].SHA256
	for _, u := range []string{"us-legal", "sg-legal"} {
		e.api(u).do("sign_off", map[string]any{"negotiation": id, "version": 1, "sha256": sha, "decision": "approve"})
	}
	signer, sg := e.page("us-sign"), e.page("sg-neg")
	signer.login("us-sign")
	signer.room(id)
	signer.live()
	sg.login("sg-neg")
	sg.room(id)
	sg.live()

	sg.click(`.tab[data-tab="propose"]`)
	sg.waitJS("the editor", `document.querySelector('#draft').value === `+jsString(text1), 5*time.Second)
	draft := strings.Replace(text1, "within 30 days", "within 45 days", 1)
	sg.setValue("#draft", draft)
	if !evalIn[bool](sg, `document.querySelector('#propose-blocked').hidden`) {
		t.Fatal("proposals are said to be blocked before anyone signed")
	}

	signer.click(`.tab[data-tab="readiness"]`)
	signer.waitText("#sign-target", sha, 2*time.Second)
	if !evalIn[bool](signer, `document.querySelector('#withdraw-signature').hidden`) {
		t.Error("withdrawing is offered before signing")
	}
	signer.click("#sign")
	signer.click("#confirm-sign")
	signer.waitText("#sign-target", "While this signature stands, no new version can be proposed.", live)

	// the other side is told before it sends anything
	blocked := `!document.querySelector('#propose-blocked').hidden && document.querySelector('#propose-blocked').textContent.includes('Proposals are blocked while a signature stands. U.S. Customs and Border Protection (US) signed version 1 (US Signatory, ')
		&& document.querySelector('#propose-blocked').textContent.includes('only after US’s signatory withdraws that signature')`
	sg.waitJS("the propose view blocked by US's signature", blocked, live)
	if got := evalIn[string](sg, `document.querySelector('#propose-submit').getAttribute('aria-describedby')`); got != "propose-blocked" {
		t.Errorf("the propose button is described by %q, want the notice", got)
	}
	sg.waitText("#checklist", "While US’s signature stands, no new version can be proposed", live)
	for _, w := range []int64{1280, 800} {
		sg.viewport(w, 900)
		sg.fitsWidth("propose, blocked")
		sg.checkA11y("propose, blocked")
		sg.shot(fmt.Sprintf("16-propose-blocked-%d", w), "#view-propose")
	}
	sg.viewport(1440, 900)

	// sent anyway: the server's `signing`, explained; the draft is kept
	sg.click("#propose-submit")
	sg.waitText("#view-propose .error", "Not proposed: US has signed version 1, and no new version can be proposed while that signature stands. US’s signatory must withdraw it first. Your draft is kept.", 5*time.Second)
	if got := evalIn[string](sg, `document.querySelector('#draft').value`); got != draft {
		t.Error("the draft was lost")
	}
	if n := len(usNeg.snapshot(id).Versions); n != 1 {
		t.Fatalf("%d versions while US's signature stands", n)
	}

	// keyboard only: withdraw, first without a reason, then with one
	signer.tabTo("#sign-target", "#withdraw-signature", 2)
	signer.press("\r")
	signer.waitJS("the withdrawal dialog", `document.querySelector('#withdraw-dialog').open && document.activeElement === document.querySelector('#withdraw-reason')`, 2*time.Second)
	signer.waitText("#withdraw-dialog", sha, time.Second)
	signer.tabTo("#withdraw-reason", "#confirm-withdraw", 1)
	signer.press("\r")
	signer.waitText("#withdraw-dialog .error", "Give the reason for withdrawing first", time.Second)
	if !evalIn[bool](signer, `document.querySelector('#withdraw-dialog').open`) || !usNeg.snapshot(id).Readiness.Signatures["US"] {
		t.Fatal("a withdrawal without a reason went ahead")
	}
	const reason = "Our minister asks for 45 days; we will sign the revised text."
	signer.run("type the reason", chromedp.SendKeys(chromedp.CSS("#withdraw-reason"), reason))
	for _, w := range []int64{1280, 800} {
		signer.viewport(w, 900)
		signer.checkA11y("withdrawal dialog")
		signer.screenshot(fmt.Sprintf("17-withdraw-dialog-%d", w))
	}
	signer.viewport(1440, 900)
	signer.tabTo("#withdraw-reason", "#confirm-withdraw", 1)
	signer.press(" ")
	signer.waitJS("the signature withdrawn", `!document.querySelector('#withdraw-dialog').open && document.querySelector('#withdraw-signature').hidden && !document.querySelector('#sign').hidden`, live)

	// the other side sees why, and may propose again, live
	sg.waitJS("the propose view open again", `document.querySelector('#propose-blocked').hidden && document.querySelector('#view-propose .error').hidden`, live)
	sg.waitText(".activity", "withdrew US’s signature of version 1: “"+reason+"”", live)
	sg.waitText("#status-badge", "Ready to sign", live)
	sg.click("#propose-submit")
	sg.waitJS("version 2, proposed", `!document.querySelector('#view-compare').hidden && [...document.querySelectorAll('#redline ins')].some(e => e.textContent.includes('45'))`, 5*time.Second)
	if n := len(usNeg.snapshot(id).Versions); n != 2 {
		t.Errorf("%d versions after the withdrawal, want 2", n)
	}
	signer.waitText("#sign-target", "Signing opens when the status is “Ready to sign”", live)
}
