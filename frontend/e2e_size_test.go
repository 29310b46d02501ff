package frontend_test

// The page at the size of a real agreement: the reference text
// (difftest.Agreement(2000), about 3 MB, 2,000 articles), drawn article by
// article. Each test would fail on a page that draws the whole text at
// once, redraws it for a comment, stacks the columns at half-screen, or
// leaves find to the browser.

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"mra/diff/difftest"
)

// bigText is the reference agreement's first version.
var bigText = difftest.Agreement(2000).Old

// articleQuote returns words of article n's first paragraph (unique in
// text) and their code point offsets.
func articleQuote(t *testing.T, text string, n int) (quote string, start, end int) {
	t.Helper()
	head := fmt.Sprintf("Article %d\n\n1. ", n)
	i := strings.Index(text, head)
	if i < 0 {
		t.Fatalf("no article %d", n)
	}
	i += len(head)
	for l := 30; ; l += 10 {
		quote = strings.TrimSpace(text[i : i+l])
		if strings.Count(text, quote) == 1 {
			break
		}
	}
	start = utf8.RuneCountInString(text[:i])
	return quote, start, start + utf8.RuneCountInString(quote)
}

// commentAt opens a thread on article n's first words as user and
// returns its id.
func (c *client) commentAt(t *testing.T, id string, version int, text string, n int, kind, visibility, body string) string {
	t.Helper()
	quote, start, end := articleQuote(t, text, n)
	r := c.do("comment", map[string]any{"negotiation": id, "version": version, "kind": kind, "visibility": visibility,
		"body": body, "start": start, "end": end, "quote": quote})
	return r["thread"].(string)
}

// bigRoom creates the reference negotiation with a few threads spread over it.
func bigRoom(t *testing.T, e *env) string {
	t.Helper()
	us := e.api("us-neg")
	id := us.negotiation("Reference arrangement", bigText)
	for _, n := range []int{2, 500, 1200} {
		us.commentAt(t, id, 1, bigText, n, "open_issue", "shared", fmt.Sprintf("Issue on article %d.", n))
	}
	return id
}

// drawn counts the article blocks in the page that are drawn.
const drawnJS = `[...document.querySelectorAll('#doc .blk')].filter(b => b.firstChild).length`

func TestLargeCommentRedrawsOnlyItsArticle(t *testing.T) {
	e := newEnv(t)
	id := bigRoom(t, e)
	us, sg := e.livePages(id)

	for _, p := range []*pg{us, sg} {
		blocks := evalIn[[]int](p, `[document.querySelectorAll('#doc .blk').length, `+drawnJS+`]`)
		if blocks[0] < 2000 || blocks[1] == 0 || blocks[1] > 200 {
			t.Fatalf("page %s: %d blocks, %d drawn; want one per article, only those near the view drawn", p.name, blocks[0], blocks[1])
		}
		// a marker on a node of another drawn article (Article 1)
		evalIn[chromedp.Void](p, `(() => { window.__marker = document.querySelector('#h-0'); window.__marker.__mra = 'kept'; })()`)
	}

	// SG comments on Article 3 through the page
	quote, start, end := articleQuote(t, bigText, 3)
	sg.selectText(quote, 0)
	sg.click("#comment-selection")
	sg.waitJS("the comment form", `!document.querySelector('#composer').hidden`, 5*time.Second)
	sg.click(`#composer input[value="open_issue"]`)
	sg.click(`#composer input[value="shared"]`)
	sg.setValue("#composer-body", "Article 3 needs a transition period.")
	sg.click("#composer-submit")
	for _, p := range []*pg{sg, us} {
		p.waitText("#thread-list .thread", "Article 3 needs a transition period", live)
		p.waitJS("the highlight on Article 3", `[...document.querySelectorAll('#doc .hl-open_issue-open')].some(e => e.textContent === `+jsString(quote)+`)`, live)
		if !evalIn[bool](p, `document.contains(window.__marker) && window.__marker.__mra === 'kept'`) {
			t.Errorf("page %s: Article 1 was redrawn for a comment on Article 3", p.name)
		}
	}
	snap := e.api("us-neg").snapshot(id)
	found := false
	for _, th := range snap.Threads {
		if th.Anchor != nil && th.Anchor.Start == start && th.Anchor.End == end {
			found = true
		}
	}
	if !found {
		t.Errorf("no thread on [%d, %d) (%q)", start, end, quote)
	}

	// a highlight is named by the agreement's words; what it is and that it
	// opens the thread is its description (axe: label-content-name-mismatch)
	bad := evalIn[[]string](us, `[...document.querySelectorAll('#doc .hl[role=button]')].filter(el =>
		el.hasAttribute('aria-label') || !(document.getElementById(el.getAttribute('aria-describedby'))?.textContent || '').endsWith(': open the thread')).map(el => el.outerHTML.slice(0, 120))`)
	if len(bad) > 0 {
		t.Errorf("highlights whose name is not their words, or without a description: %v", bad)
	}
	if got := evalIn[string](us, `document.getElementById(document.querySelector('#doc .hl[role=button]').getAttribute('aria-describedby')).textContent`); !strings.HasPrefix(got, "Open issue, open") {
		t.Errorf("a highlight's description is %q", got)
	}
	us.checkA11y("large room")
}

func TestHalfScreenPutsTheTextFirst(t *testing.T) {
	e := newEnv(t)
	id := bigRoom(t, e)
	p := e.page("sg-neg")
	p.login("sg-neg")
	p.viewport(800, 900)
	p.room(id)
	p.fitsWidth("room at 800 px")
	top := evalIn[float64](p, `document.querySelector('#doc .blk').getBoundingClientRect().top`)
	if top < 0 || top > 900 {
		t.Fatalf("the text starts %v px down at 800 px wide, want within the first screen", top)
	}
	if evalIn[bool](p, `document.querySelector('#col-left').getClientRects().length > 0 || document.querySelector('#col-right').getClientRects().length > 0`) {
		t.Error("outline or threads shown above or beside the text at 800 px")
	}
	p.screenshot("size-01-800-text")

	// the outline, one action away by keyboard: Tab from the title
	p.tabTo("h1.room-title", "#pane-left", 3)
	p.press("\r")
	p.waitJS("the outline shown", `document.querySelector('#col-left').getClientRects().length > 0 && document.querySelector('#col-center').getClientRects().length === 0`, 2*time.Second)
	if got := evalIn[string](p, `document.querySelector('#pane-left').getAttribute('aria-pressed')`); got != "true" {
		t.Errorf("the outline button says aria-pressed=%q", got)
	}
	p.checkA11y("outline at 800 px")
	p.screenshot("size-02-800-outline")
	// an article far down, from the outline: the text again, there
	p.click(`.ol-item[data-index="1499"]`)
	p.waitJS("Article 1500 at the top of the text", `(() => {
		const h = document.querySelector('#h-1499'), w = document.querySelector('.doc-wrap');
		if (!h || !w || w.getClientRects().length === 0) return false;
		const a = h.getBoundingClientRect(), b = w.getBoundingClientRect();
		return a.top >= b.top - 2 && a.top < b.top + 200;
	})()`, 3*time.Second)

	// the threads, one action away
	p.tabTo("h1.room-title", "#pane-right", 4)
	p.press(" ")
	p.waitJS("the threads shown", `document.querySelector('#thread-list').getClientRects().length > 0`, 2*time.Second)
	p.waitText("#thread-list .thread", "Issue on article 500", live)
	p.fitsWidth("threads at 800 px")
	p.screenshot("size-03-800-threads")

	// nothing lost at 1280: three columns side by side, no pane buttons
	p.viewport(1280, 900)
	if got := evalIn[[]bool](p, `['#col-left', '#col-center', '#col-right', '.pane-bar'].map(s => document.querySelector(s).getClientRects().length > 0)`); !got[0] || !got[1] || !got[2] || got[3] {
		t.Errorf("at 1280 px: outline, text, threads, pane bar shown = %v; want the columns and no bar", got)
	}
}

func TestFindOverTheWholeTextAndThreads(t *testing.T) {
	e := newEnv(t)
	id := bigRoom(t, e)
	us := e.api("us-neg")
	if strings.Contains(strings.ToLower(bigText), "zebra") {
		t.Fatal("the reference text says zebra")
	}
	us.commentAt(t, id, 1, bigText, 40, "note", "shared", "A zebra crossing is no customs matter.")
	p := e.page("sg-neg")
	p.login("sg-neg")
	p.room(id)
	p.live()
	if evalIn[bool](p, `!!document.querySelector('#h-1989')`) {
		t.Fatal("Article 1990 is drawn at the top of the text")
	}

	// Ctrl+F opens the find box of the page, not the browser's
	p.run("Ctrl+F", chromedp.KeyEvent("f", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	p.waitJS("the find box focused", `document.activeElement === document.querySelector('#find-input')`, 2*time.Second)
	want := 1 + 10 + 100 // Article 19, 190–199, 1900–1999
	p.run("type the query", chromedp.SendKeys(chromedp.CSS("#find-input"), "article 19"))
	p.waitText("#find-count", fmt.Sprintf("%d matches", want), 3*time.Second)
	p.press("\r")
	p.waitText("#find-count", fmt.Sprintf("1 of %d, in Article 19", want), 3*time.Second)
	p.run("next", chromedp.Click(chromedp.CSS("#find-next")))
	p.waitText("#find-count", fmt.Sprintf("2 of %d, in Article 190", want), 3*time.Second)
	p.run("previous", chromedp.Click(chromedp.CSS("#find-prev")))
	p.waitText("#find-count", fmt.Sprintf("1 of %d, in Article 19", want), 3*time.Second)
	// backwards from the first: the last match, Article 1999, not drawn before
	p.run("previous", chromedp.Click(chromedp.CSS("#find-prev")))
	p.waitText("#find-count", fmt.Sprintf("%d of %d, in Article 1999", want, want), 3*time.Second)
	marked := `(() => {
		const hl = CSS.highlights.get('mra-find'); if (!hl || hl.size !== 1) return '';
		const r = [...hl][0], a = r.getBoundingClientRect(), w = document.querySelector('.doc-wrap').getBoundingClientRect();
		return a.top >= w.top && a.bottom <= w.bottom ? r.toString() + '|' + (r.startContainer.parentElement.closest('.blk').contains(document.querySelector('#h-1998')) ? 'in 1999' : 'elsewhere') : 'off screen';
	})()`
	if err := p.tryJS(marked+` === 'Article 19|in 1999'`, 3*time.Second); err != nil {
		t.Fatalf("the match is not marked in view: %s", evalIn[string](p, marked))
	}
	p.screenshot("size-04-find")

	// a match in a thread opens it
	p.setValue("#find-input", "ZEBRA")
	p.waitText("#find-count", "1 match", 3*time.Second)
	p.click("#find-next")
	p.waitText("#find-count", "1 of 1, in a thread", 3*time.Second)
	p.waitJS("the thread opened", `document.querySelector('.thread.current')?.textContent.includes('A zebra crossing')`, 3*time.Second)
	p.checkA11y("find")
}

func TestFarSelectionAndThreadLinkDrawTheirArticle(t *testing.T) {
	e := newEnv(t)
	id := bigRoom(t, e)
	us := e.api("us-neg")
	far := us.commentAt(t, id, 1, bigText, 1950, "consensus", "shared", "Agreed wording for article 1950.")
	p := e.page("sg-neg")
	p.login("sg-neg")

	// a link to a thread on Article 1950 draws that article and shows it
	p.open("/#/n/" + id + "/t/" + far)
	quote, _, _ := articleQuote(t, bigText, 1950)
	p.waitJS("the thread's words, marked and in view", `(() => {
		const el = document.querySelector('#doc .hl.current'), w = document.querySelector('.doc-wrap');
		if (!el) return false;
		const a = el.getBoundingClientRect(), b = w.getBoundingClientRect();
		return el.textContent === `+jsString(quote)+` && a.top >= b.top && a.bottom <= b.bottom;
	})()`, 10*time.Second)
	p.waitJS("the card opened", `document.querySelector('.thread.current')?.textContent.includes('Agreed wording for article 1950')`, 3*time.Second)

	// select words of Article 1800 (scrolled to from the outline), comment
	p.click(`.ol-item[data-index="1799"]`)
	p.waitJS("Article 1800 drawn", `!!document.querySelector('#h-1799')`, 3*time.Second)
	// the reading position follows (presence)
	if err := p.tryJS(`document.querySelector('.ol-item[aria-current]')?.dataset.index === '1799'`, 3*time.Second); err != nil {
		t.Fatalf("reading %s, want Article 1800", evalIn[string](p, `document.querySelector('.ol-item[aria-current]')?.textContent`))
	}
	q, start, end := articleQuote(t, bigText, 1800)
	p.selectText(q, 0)
	p.click("#comment-selection")
	p.waitJS("the comment form", `!document.querySelector('#composer').hidden`, 5*time.Second)
	p.click(`#composer input[value="note"]`)
	p.click(`#composer input[value="shared"]`)
	p.setValue("#composer-body", "A note far down.")
	p.click("#composer-submit")
	p.waitText("#thread-list .thread", "A note far down.", live)
	var got []int
	for _, th := range us.snapshot(id).Threads {
		if th.Anchor != nil && len(th.Messages) > 0 && th.Messages[0].Body == "A note far down." {
			got = []int{th.Anchor.Start, th.Anchor.End}
		}
	}
	if len(got) != 2 || got[0] != start || got[1] != end {
		t.Errorf("the note is anchored on %v, want [%d %d] (%q)", got, start, end, q)
	}
}

func TestNewArticleShowsAsNew(t *testing.T) {
	e := newEnv(t)
	id := bigRoom(t, e)
	us := e.api("us-neg")
	const added = "Article 1000.1\nElectronic seals\n\n1. Qualified electronic seals applied by either Administration carry the presumption of integrity guaranteed under domestic legislation.\n\n2. Neither Administration requires notarisation of sealed documents."
	at := strings.Index(bigText, "\n\nArticle 1001\n")
	v2 := bigText[:at] + "\n\n" + added + bigText[at:]
	us.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": v2, "note": "electronic seals"})
	p := e.page("sg-neg")
	p.login("sg-neg")
	p.room(id)
	p.click(`.ol-item[data-index="1000"]`)
	p.waitJS("the new article marked new", `(() => {
		const b = document.querySelector('.ol-item[data-index="1000"]');
		return b && b.textContent.includes('Article 1000.1') && b.classList.contains('st-new') && b.textContent.includes('New in this version');
	})()`, 10*time.Second)
	if n := evalIn[int](p, `document.querySelectorAll('.ol-item.st-new').length`); n != 1 {
		t.Errorf("%d articles marked new, want 1", n)
	}
	if got := evalIn[string](p, `document.querySelector('.ol-item[data-index="999"]').className`); strings.Contains(got, "st-new") {
		t.Errorf("Article 1000 (edited, not new) is %q", got)
	}
	// once agreed, it is agreed
	quote := "Qualified electronic seals applied by either Administration"
	i := strings.Index(v2, quote)
	start := utf8.RuneCountInString(v2[:i])
	th := us.do("comment", map[string]any{"negotiation": id, "version": 2, "kind": "consensus", "visibility": "shared",
		"body": "Agreed.", "start": start, "end": start + utf8.RuneCountInString(quote), "quote": quote})["thread"].(string)
	e.api("sg-neg").do("concur", map[string]any{"negotiation": id, "thread": th})
	p.waitJS("the new article agreed", `document.querySelector('.ol-item[data-index="1000"]').classList.contains('st-agreed')`, live)
}

// TestLiveCommentsTouchOnlyWhatChanged: a burst of the other side's
// comments adds their cards and highlights and leaves the rest of the page
// alone, and no card carries an idle form (the browser's form scanning
// walks and lays out every card holding one after each new comment: a
// 200 ms task with 200 threads).
func TestLiveCommentsTouchOnlyWhatChanged(t *testing.T) {
	e := newEnv(t)
	id := bigRoom(t, e)
	us := e.api("us-neg")
	for n := 10; n < 70; n++ {
		us.commentAt(t, id, 1, bigText, n*25, "note", "shared", fmt.Sprintf("Note on article %d.", n*25))
	}
	sg := e.page("sg-neg") // alone: no one else's presence changes the online list meanwhile
	sg.login("sg-neg")
	sg.room(id)
	sg.live()
	sg.waitJS("63 cards", `document.querySelectorAll('#thread-list .thread').length === 63`, live)
	if n := evalIn[int](sg, `document.querySelectorAll('#thread-list form, #thread-list textarea').length`); n != 0 {
		t.Errorf("%d forms or text areas in 63 idle cards; want none until a card's action opens one", n)
	}
	// the online list settled (this page's own presence has come back)
	sg.waitJS("the online list settled", `(() => {
		const t = document.querySelector('.people-list').textContent;
		if (t !== window.__people) { window.__people = t; window.__since = Date.now(); }
		return t.includes('(you)') && Date.now() - window.__since > 1000;
	})()`, 10*time.Second)
	evalIn[chromedp.Void](sg, `(() => {
		window.__mutated = [];
		for (const sel of ['.people-list', '#status-badge', '#issue-count', '#waiting-on-us']) {
			const el = document.querySelector(sel);
			new MutationObserver(() => window.__mutated.push(sel)).observe(el, { childList: true, subtree: true, characterData: true });
		}
	})()`)
	for k := 0; k < 5; k++ {
		us.commentAt(t, id, 1, bigText, 1500+k, "note", "shared", fmt.Sprintf("Burst note %d.", k))
	}
	sg.waitText("#thread-list", "Burst note 4.", live)
	if got := evalIn[[]string](sg, `window.__mutated`); len(got) > 0 {
		t.Errorf("five new notes redrew parts of the page that did not change: %v", got)
	}

	// a card's form is made when its action is chosen, and works
	card := `.thread[data-thread]:has(.m-body)`
	sg.click(card + ` [data-action="reply"]`)
	sg.waitJS("the reply form", `!!document.querySelector('`+card+` .t-form:not([hidden]) textarea')`, 5*time.Second)
	if !sg.focused(card + ` .t-form textarea`) {
		t.Error("the reply box does not have the focus")
	}
	sg.setValue(card+` .t-form textarea`, "Our reply.")
	sg.click(card + ` .t-form button[type="submit"]`)
	sg.waitText("#thread-list", "Our reply.", live)
}
