package frontend_test

// Browser tests of focus and keys: next / previous open issue, where the
// focus goes after each action, the skip links, one Tab stop for the
// outline and for the text's highlights, finding a passage in the article
// being read, concur that asks first, and a sign dialog whose Enter cancels.

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// articles builds an agreement of n articles; each holds the words
// "shall cooperate" once, and article k the words "paragraph k".
func articles(n int) string {
	var b strings.Builder
	b.WriteString("Arrangement between the Customs Administrations\n\n")
	for k := 1; k <= n; k++ {
		fmt.Fprintf(&b, "Article %d\nSubject %d\n\n1. The Customs Administrations shall cooperate under paragraph %d of this Arrangement.\n\n", k, k, k)
	}
	return b.String()
}

// commentOn anchors a comment on the nth (0-based) occurrence of quote.
func (c *client) commentOn(id string, version int, text, quote string, nth int, kind, visibility, body string) string {
	c.T.Helper()
	at := -1
	for k := 0; k <= nth; k++ {
		i := strings.Index(text[at+1:], quote)
		if i < 0 {
			c.T.Fatalf("%q has no occurrence %d", quote, nth)
		}
		at += 1 + i
	}
	start := utf8.RuneCountInString(text[:at])
	r := c.do("comment", map[string]any{"negotiation": id, "version": version, "kind": kind, "visibility": visibility, "body": body,
		"start": start, "end": start + utf8.RuneCountInString(quote), "quote": quote})
	return r["thread"].(string)
}

// activeInside reports whether the focus is inside (or on) the element sel.
func activeInside(p *pg, sel string) bool {
	p.t.Helper()
	return evalIn[bool](p, fmt.Sprintf(`(() => { const el = document.querySelector(%s); return !!el && el.contains(document.activeElement); })()`, jsString(sel)))
}

// inView reports whether the element sel is within the window and within
// every scrolling box around it.
func inView(p *pg, sel string) bool {
	p.t.Helper()
	return evalIn[bool](p, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s); if (!el) return false;
		const r = el.getBoundingClientRect();
		if (r.bottom <= 0 || r.top >= innerHeight) return false;
		for (let a = el.parentElement; a; a = a.parentElement) {
			const s = getComputedStyle(a);
			if (!/(auto|scroll)/.test(s.overflowY)) continue;
			const b = a.getBoundingClientRect();
			if (r.bottom <= b.top || r.top >= b.bottom) return false;
		}
		return true;
	})()`, jsString(sel)))
}

// Next / previous open issue walk the open issues in the order of the text
// (not of their raising), with a count, by button and by key; a posted
// comment's card is scrolled into view and focused; after a reply the focus
// stays on the card; concur asks first, and Enter alone does not confirm.
func TestNextOpenIssueAndFocusAfterActions(t *testing.T) {
	e := newEnv(t)
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	text := articles(40)
	id := usNeg.negotiation("US–SG arrangement", text)
	// raised out of the order of the text: article 30, then 5, then 18
	i30 := sgNeg.commentOn(id, 1, text, "paragraph 30 ", 0, "open_issue", "shared", "Issue in article 30.")
	i5 := sgNeg.commentOn(id, 1, text, "paragraph 5 ", 0, "open_issue", "shared", "Issue in article 5.")
	i18 := usNeg.commentOn(id, 1, text, "paragraph 18 ", 0, "open_issue", "shared", "Issue in article 18.")
	cons := usNeg.commentOn(id, 1, text, "paragraph 12 ", 0, "consensus", "shared", "Article 12 is agreed.")
	usNeg.commentOn(id, 1, text, "paragraph 8 ", 0, "note", "shared", "A note on article 8.")

	sg := e.page("sg-neg")
	sg.login("sg-neg")
	sg.room(id)
	sg.live()
	sg.waitText("#issue-count", "3 in all", 5*time.Second)
	current := func() string {
		return evalIn[string](sg, `document.querySelector('#thread-list .thread.current')?.dataset.thread || ''`)
	}
	for k, want := range []string{i5, i18, i30, i5} {
		sg.click("#next-issue")
		sg.waitJS(fmt.Sprintf("open issue %d", k+1), `document.querySelector('#thread-list .thread.current')?.dataset.thread === `+jsString(want), 2*time.Second)
		if got, wantN := sg.text("#issue-count"), fmt.Sprintf("%d of 3", []int{1, 2, 3, 1}[k]); got != wantN {
			t.Errorf("step %d: the count says %q, want %q", k, got, wantN)
		}
		if !sg.focused("#next-issue") {
			t.Errorf("step %d: the button lost the focus", k)
		}
		if !inView(sg, `.thread[data-thread="`+want+`"]`) {
			t.Errorf("step %d: the card of the open issue is not in view", k)
		}
	}
	sg.click("#prev-issue")
	sg.waitJS("back to the last", `document.querySelector('#thread-list .thread.current')?.dataset.thread === `+jsString(i30), 2*time.Second)
	// keys, from the text: ] and [ ; the focus goes to the card
	evalIn[chromedp.Void](sg, `document.querySelector('#doc').focus()`)
	sg.press("]")
	sg.waitJS("] wraps to the first", `document.querySelector('#thread-list .thread.current')?.dataset.thread === `+jsString(i5), 2*time.Second)
	if !sg.focused(`.thread[data-thread="` + i5 + `"]`) {
		t.Error("] did not focus the open issue's card")
	}
	sg.press("]")
	sg.waitJS("] to the next", `document.querySelector('#thread-list .thread.current')?.dataset.thread === `+jsString(i18), 2*time.Second)
	sg.press("[")
	sg.waitJS("[ to the previous", `document.querySelector('#thread-list .thread.current')?.dataset.thread === `+jsString(i5), 2*time.Second)
	sg.waitText("#issue-count", "1 of 3", time.Second)
	// typing ] in a field types it
	sg.click(`.thread[data-thread="` + i5 + `"] [data-action="reply"]`)
	sg.press("]")
	if got := current(); got != i5 {
		t.Errorf("] typed in a reply moved to %s", got)
	}
	if got := evalIn[string](sg, `document.activeElement.value`); got != "]" {
		t.Errorf("the reply holds %q, want the typed ]", got)
	}

	// a reply: the focus stays on the card's Reply button, not the page
	sg.setValue(`.thread[data-thread="`+i5+`"] .t-form textarea`, "Our answer on article 5.")
	sg.click(`.thread[data-thread="` + i5 + `"] [data-submit="reply"]`)
	sg.waitText(`.thread[data-thread="`+i5+`"] .t-msgs`, "Our answer on article 5.", 5*time.Second)
	sg.waitJS("the focus on the card's reply button", `document.activeElement?.matches('.thread[data-thread="`+i5+`"] [data-action="reply"]')`, 2*time.Second)

	// concur asks first: Enter on the question sends nothing, Cancel keeps it proposed
	c := `.thread[data-thread="` + cons + `"]`
	sg.click(c + ` [data-action="concur"]`)
	sg.waitText(c+" .t-confirm", "Concur on behalf of SG that this text is agreed? A concurrence cannot be taken back.", time.Second)
	if !sg.focused(c + " .t-confirm") {
		t.Error("the concur question does not hold the focus")
	}
	sg.press("\r")
	time.Sleep(300 * time.Millisecond)
	if st := usNeg.snapshot(id).Thread(cons).Status; st != "proposed" {
		t.Fatalf("Enter on the question concurred: %s", st)
	}
	sg.checkA11y("concur question")
	sg.screenshot("keys-01-concur-question")
	sg.click(c + ` .t-form button.secondary`)
	if evalIn[bool](sg, `!document.querySelector('`+c+` .t-form').hidden`) {
		t.Error("Cancel did not close the question")
	}
	if !sg.focused(c + ` [data-action="concur"]`) {
		t.Error("after Cancel the focus is not back on Concur")
	}
	// by keyboard: Tab from the question to "Concur as SG", Enter
	sg.click(c + ` [data-action="concur"]`)
	sg.tabTo(c+" .t-confirm", c+` [data-submit="concur"]`, 2)
	if got := sg.text(c + ` [data-submit="concur"]`); got != "Concur as SG" {
		t.Errorf("the confirming button says %q", got)
	}
	sg.press("\r")
	sg.waitJS("agreed", `!!document.querySelector('`+c+`.s-agreed')`, 5*time.Second)
	if st := usNeg.snapshot(id).Thread(cons).Status; st != "agreed" {
		t.Errorf("after confirming, the consensus is %s", st)
	}
	sg.waitJS("the focus on the agreed card's first action", `document.activeElement?.matches('`+c+` .t-actions button')`, 2*time.Second)
	if !activeInside(sg, c) {
		t.Errorf("after concurring the focus left the card: %s", evalIn[string](sg, `document.activeElement.outerHTML.slice(0, 80)`))
	}

	// a posted comment: its card is focused and in view, at 800 px too
	for _, w := range []int64{1280, 800} {
		sg.viewport(w, 900)
		body := fmt.Sprintf("Posted at %d px.", w)
		// a half-screen layout with panes shows one column at a time: the text's
		evalIn[chromedp.Void](sg, `(() => { const b = document.querySelector('#pane-text'); if (b && b.getClientRects().length) b.click(); })()`)
		sg.selectText("paragraph 39 ", 0)
		sg.click("#comment-selection")
		sg.click(`#composer input[value="note"]`)
		sg.click(`#composer input[value="shared"]`)
		sg.setValue("#composer-body", body)
		sg.click("#composer-submit")
		sg.waitJS("the new card focused", `document.activeElement?.matches('#thread-list .thread') && document.activeElement.textContent.includes(`+jsString(body)+`)`, 5*time.Second)
		if !inView(sg, `#thread-list .thread.current`) {
			t.Errorf("at %d px the new card is not in view", w)
		}
		sg.fitsWidth("after posting")
	}
	sg.viewport(1440, 900)
}

// "General note" puts the cursor in the comment, and the note posts; a
// passage is found by typing, among the places in the article being read
// first, and the one picked is the one anchored.
func TestGeneralNoteAndPassageInTheArticleBeingRead(t *testing.T) {
	e := newEnv(t)
	usNeg := e.api("us-neg")
	text := articles(12)
	id := usNeg.negotiation("US–SG arrangement", text)
	us := e.page("us-neg")
	us.login("us-neg")
	us.room(id)
	us.live()

	us.click("#general-note")
	us.press(kb.Escape)
	if !us.focused("#general-note") || evalIn[bool](us, `!document.querySelector('#composer').hidden`) {
		t.Error("Escape did not close the form and give the focus back to General note")
	}
	us.click("#general-note")
	if !us.focused("#composer-body") {
		t.Errorf("General note put the cursor in %s", evalIn[string](us, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	if evalIn[bool](us, `!document.querySelector('#composer .passage').hidden`) {
		t.Error("a general note offers a passage field")
	}
	us.run("type a note", chromedp.SendKeys(chromedp.CSS("#composer-body"), "A note on the whole text."))
	us.click(`#composer input[value="shared"]`)
	us.click("#composer-submit")
	us.waitText("#thread-list .thread", "A note on the whole text.", 5*time.Second)
	if th := usNeg.snapshot(id).Threads; len(th) != 1 || th[0].Anchor != nil {
		t.Fatalf("the general note: %+v", th)
	}

	// read article 7, then find "shall cooperate" (once in every article)
	evalIn[chromedp.Void](us, `[...document.querySelectorAll('.ol-item')].find((b) => b.textContent.startsWith('Article 7 ')).click()`)
	us.waitJS("article 7 being read", `document.querySelector('.ol-item[aria-current]')?.textContent.startsWith('Article 7 ')`, 3*time.Second)
	us.click("#comment-passage")
	if !us.focused("#composer-passage") {
		t.Error("Comment on a passage did not focus the passage field")
	}
	us.run("type the words", chromedp.SendKeys(chromedp.CSS("#composer-passage"), "shall cooperate"))
	us.waitText("#composer-match-status", "Found in 12 places, 1 in the article you are reading. Pick one:", 3*time.Second)
	first := strings.TrimSpace(us.text("#composer-matches .match"))
	if !strings.HasPrefix(first, "Article 7 · Subject 7 (where you are reading)") {
		t.Errorf("the first place offered is %q", first)
	}
	if !evalIn[bool](us, `document.querySelector('#composer-matches .match input').checked`) {
		t.Error("the one place in the article being read is not picked")
	}
	// keyboard: the arrow picks the next place (article 1 comes after)
	evalIn[chromedp.Void](us, `document.querySelector('#composer-matches input:checked').focus()`)
	us.press(kb.ArrowDown)
	if got := evalIn[string](us, `document.querySelector('#composer-matches input:checked').closest('label').textContent.trim()`); !strings.HasPrefix(got, "Article 1 ") {
		t.Errorf("ArrowDown picked %q", got)
	}
	us.press(kb.ArrowUp)
	us.click(`#composer input[value="open_issue"]`)
	us.click(`#composer input[value="shared"]`)
	us.setValue("#composer-body", "Cooperation in article 7.")
	us.checkA11y("passage finder")
	us.screenshot("keys-02-passage-finder")
	us.click("#composer-submit")
	us.waitText("#thread-list .thread", "Cooperation in article 7.", 5*time.Second)
	want := utf8.RuneCountInString(text[:strings.Index(text, "Article 7\n")])
	var got *int
	for _, th := range usNeg.snapshot(id).Threads {
		if th.Anchor != nil {
			got = &th.Anchor.Start
		}
	}
	next := utf8.RuneCountInString(text[:strings.Index(text, "Article 8\n")])
	if got == nil || *got < want || *got >= next {
		t.Errorf("the passage was anchored at %v, want inside article 7 [%d, %d)", got, want, next)
	}
}

// The skip links reach the text, the threads and the outline; the outline
// and the text's highlights are one Tab stop each, whatever their number
// (arrows move inside); the sign dialog's Enter cancels.
func TestSkipLinksTabStopsAndSignDialog(t *testing.T) {
	e := newEnv(t)
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	text := articles(300)
	id := usNeg.negotiation("US–SG arrangement", text)
	for k := 0; k < 20; k++ {
		sgNeg.commentOn(id, 1, text, "shall cooperate", k, "note", "shared", fmt.Sprintf("Note %d.", k))
	}
	us := e.page("us-sign")
	us.login("us-sign")
	us.room(id)
	us.live()

	// skip links: after the page's own, before the top bar
	evalIn[chromedp.Void](us, `document.querySelector('body > a.skip').focus()`)
	us.press("\t")
	if got := evalIn[string](us, `document.activeElement.textContent`); got != "Skip to the text" {
		t.Fatalf("Tab from the page's skip link reaches %q", got)
	}
	us.press("\r")
	if !us.focused("#doc") {
		t.Error("Skip to the text did not reach the text")
	}
	for _, c := range []struct{ link, want string }{{"Skip to the threads", "#threads-h"}, {"Skip to the outline", ".ol-item"}} {
		evalIn[chromedp.Void](us, fmt.Sprintf(`[...document.querySelectorAll('.skip-links a')].find((a) => a.textContent === %s).focus()`, jsString(c.link)))
		us.press("\r")
		if !us.focused(c.want) {
			t.Errorf("%s reached %s", c.link, evalIn[string](us, `document.activeElement.outerHTML.slice(0, 80)`))
		}
	}

	// the outline: one stop; arrows move; Tab leaves it
	evalIn[chromedp.Void](us, `document.querySelector('.ol-item').focus()`)
	us.press(kb.ArrowDown)
	us.press(kb.ArrowDown)
	if got := evalIn[string](us, `document.activeElement.textContent`); !strings.HasPrefix(got, "Article 2 ") {
		t.Errorf("two ArrowDowns from the opening reach %q", got)
	}
	us.press(kb.End)
	if got := evalIn[string](us, `document.activeElement.textContent`); !strings.HasPrefix(got, "Article 300 ") {
		t.Errorf("End reaches %q", got)
	}
	us.press("\t")
	if activeInside(us, ".outline-list") {
		t.Error("Tab stays in the outline")
	}
	// from the breadcrumb to the text: a few stops, not 300 articles
	us.tabTo("#crumbs a", "#doc", 25)
	// Tab leaves the text, past its 20 highlights; Alt+ArrowDown walks them
	us.press("\t")
	if activeInside(us, "#doc") {
		t.Error("Tab from the text lands on a highlight")
	}
	evalIn[chromedp.Void](us, `document.querySelector('#doc').focus()`)
	us.run("Alt+ArrowDown", chromedp.KeyEvent(kb.ArrowDown, chromedp.KeyModifiers(chromedp.ModifierAlt)))
	if !evalIn[bool](us, `document.activeElement.matches('#doc [data-threads]')`) {
		t.Errorf("Alt+ArrowDown reaches %s", evalIn[string](us, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	us.checkA11y("room with 300 articles")

	// the sign dialog: Cancel is the default, Enter cancels
	usLegal, sgLegal := e.api("us-legal"), e.api("sg-legal")
	sha := usNeg.snapshot(id).Versions[0].SHA256
	for _, l := range []*client{usLegal, sgLegal} {
		l.do("sign_off", map[string]any{"negotiation": id, "version": 1, "sha256": sha, "decision": "approve"})
	}
	us.click(`.tab[data-tab="readiness"]`)
	us.waitJS("ready to sign", `!document.querySelector('#sign').disabled`, 5*time.Second)
	us.click("#sign")
	us.waitJS("the dialog", `document.querySelector('dialog.confirm').open`, 2*time.Second)
	if !us.focused("#cancel-sign") {
		t.Errorf("the dialog opens on %s, want Cancel", evalIn[string](us, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	us.screenshot("keys-03-sign-dialog")
	us.press("\r")
	us.waitJS("the dialog closed", `!document.querySelector('dialog.confirm').open`, 2*time.Second)
	time.Sleep(300 * time.Millisecond)
	if s := usNeg.snapshot(id).Signatures; len(s) != 0 {
		t.Fatalf("Enter in the sign dialog signed: %+v", s)
	}
	if !us.focused("#sign") {
		t.Error("after Cancel the focus is not back on Sign")
	}
	us.click("#sign")
	us.click("#confirm-sign")
	us.waitText("#sign-target", "US has signed version 1", 5*time.Second)
	if s := usNeg.snapshot(id).Signatures; len(s) != 1 {
		t.Errorf("signatures after confirming: %+v", s)
	}
	if !us.focused("#sign-target") {
		t.Errorf("after signing the focus is on %s", evalIn[string](us, `document.activeElement.outerHTML.slice(0, 80)`))
	}
}
