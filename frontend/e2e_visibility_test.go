package frontend_test

// Browser tests of slips that leak: who will see a comment is a choice
// with no default, and an internal draft looks internal while it is typed.

import (
	"testing"
	"time"
)

// A comment cannot be posted before its visibility is chosen; once chosen,
// the form names who will see it and an internal one is drawn unlike a
// shared one (border, colour, label, button); the other party never gets
// the internal one. A legal reviewer's comment works alike.
func TestVisibilityIsAChoiceAndLooksIt(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	id := usNeg.negotiation("US–SG arrangement", text1)
	us, sg, legal := e.page("us-neg"), e.page("sg-neg"), e.page("us-legal")
	for p, user := range map[*pg]string{us: "us-neg", sg: "sg-neg", legal: "us-legal"} {
		p.login(user)
		p.room(id)
		p.live()
	}

	us.selectText("within 30 days", 0)
	us.click("#comment-selection")
	if evalIn[bool](us, `!!document.querySelector('#composer input[name="visibility"]:checked')`) {
		t.Fatal("a visibility is chosen before the user chose one")
	}
	us.waitText("#composer-audience", "Choose who will see this comment.", time.Second)
	const secret = "Our fallback is forty-five days."
	us.setValue("#composer-body", secret)
	us.click("#composer-submit")
	us.waitText("#composer .error", "Choose who will see this comment: only US (internal), or every party (shared).", 2*time.Second)
	if !us.focused(`#composer input[value="internal"]`) {
		t.Error("the error does not lead to the choice")
	}
	if n := len(usNeg.snapshot(id).Threads); n != 0 {
		t.Fatalf("a comment without a chosen visibility was sent: %d threads", n)
	}

	style := func() [4]string {
		v := evalIn[[]string](us, `(() => { const f = document.querySelector('#composer'), s = getComputedStyle(f);
			return [f.dataset.visibility, s.borderTopStyle + ' ' + s.backgroundColor, document.querySelector('#composer-audience').textContent, document.querySelector('#composer-submit').textContent]; })()`)
		return [4]string{v[0], v[1], v[2], v[3]}
	}
	us.click(`#composer input[value="shared"]`)
	shared := style()
	if shared[0] != "shared" || shared[2] != "SG and US will see this." || shared[3] != "Post shared comment" {
		t.Errorf("shared: %q", shared)
	}
	us.shot("vis-01-shared", "#composer")
	us.click(`#composer input[value="internal"]`)
	internal := style()
	if internal[0] != "internal" || internal[2] != "Only US will see this." || internal[3] != "Post internal comment (US only)" {
		t.Errorf("internal: %q", internal)
	}
	if internal[1] == shared[1] || internal[1][:6] != "dashed" {
		t.Errorf("an internal draft is drawn %q, a shared one %q: want them unlike, internal dashed", internal[1], shared[1])
	}
	if got := evalIn[string](us, `getComputedStyle(document.querySelector('#composer-audience'), '::before').content`); got != `"Internal · "` {
		t.Errorf("the internal label says %s", got)
	}
	if evalIn[bool](us, `!document.querySelector('#composer .error').hidden`) {
		t.Error("the error stays after the choice was made")
	}
	us.checkA11y("internal draft")
	us.shot("vis-02-internal", "#composer")
	us.click("#composer-submit")
	us.waitText("#thread-list .thread.internal", secret, 5*time.Second)

	// the next comment starts with no choice again
	us.selectText("designate a contact point", 0)
	us.click("#comment-selection")
	if evalIn[bool](us, `!!document.querySelector('#composer input[name="visibility"]:checked')`) {
		t.Error("the next comment starts with a visibility chosen")
	}
	us.click(`#composer input[value="shared"]`)
	us.setValue("#composer-body", "Shared after the internal one.")
	us.click("#composer-submit")
	sg.waitText("#thread-list .thread", "Shared after the internal one.", live)
	if evalIn[bool](sg, `document.documentElement.outerHTML.includes('forty-five')`) {
		t.Fatal("the internal comment reached SG")
	}

	// the legal reviewer: with a comment, the choice is required and named
	legal.click(`.tab[data-tab="readiness"]`)
	legal.setValue("#review-body", "Internal view: consistent with our statutes.")
	legal.waitText("#review-audience", "Choose who will see your comment.", time.Second)
	legal.click("#approve")
	legal.waitText("#reviews .error, .r-review .error", "Choose who will see your comment", 2*time.Second)
	if n := len(usNeg.snapshot(id).SignOffs); n != 0 {
		t.Fatalf("a sign-off without a chosen visibility for its comment was sent: %d", n)
	}
	legal.click(`input[name="signoff-visibility"][value="shared"]`)
	legal.waitText("#review-audience", "SG and US will see your comment.", time.Second)
	legal.click(`input[name="signoff-visibility"][value="internal"]`)
	legal.waitText("#review-audience", "Only US will see your comment.", time.Second)
	if got := evalIn[string](legal, `document.querySelector('.r-review').dataset.visibility + ' ' + getComputedStyle(document.querySelector('.r-review')).borderTopStyle`); got != "internal dashed" {
		t.Errorf("the internal review comment is drawn %q", got)
	}
	legal.checkA11y("legal review, internal comment")
	legal.shot("vis-03-review-internal", ".r-review")
	legal.click("#approve")
	sg.click(`.tab[data-tab="readiness"]`)
	sg.waitText("#decisions", "approved version 1", live)
	if evalIn[bool](sg, `document.documentElement.outerHTML.includes('consistent with our statutes')`) {
		t.Fatal("the internal review comment reached SG")
	}
	// without a comment no choice is needed: the decision is every party's
	legal.click("#request-changes")
	sg.waitText("#decisions", "requested changes to version 1", live)
}
