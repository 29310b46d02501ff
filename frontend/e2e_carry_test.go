package frontend_test

// Browser tests of issue 13's review carry and ageing (server/README
// "Per-article review carry", "Ageing"): a legal reviewer who approved
// version 1 of the reference agreement sees in her review of version 2
// exactly the articles that changed, each to its place and its own redline,
// ticks some as re-read, and approves with carried_from, after which the
// sign-off says what it carried; the list and the room say how long open
// issues have waited on each party, oldest first, the days counted from
// dates the test fixes.

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"mra/diff/difftest"
)

// carryEdit is how the second version differs from the reference text: a
// word replaced in Article 7, a sentence added to four others, Article
// 1200 removed and a new Article 1400.1 after Article 1400.
type carryEdit struct {
	text    string
	changed []string // in text order
	added   []string
	removed []string
}

const goodFaith = "Each party shall act in good faith. "

func carryPair(t *testing.T, old string) carryEdit {
	t.Helper()
	head := func(n int) int {
		i := strings.Index(old, fmt.Sprintf("\nArticle %d\n", n))
		if i < 0 {
			t.Fatalf("no Article %d", n)
		}
		return i + 1
	}
	s := old
	// from the end backwards, so earlier offsets stay right
	for _, n := range []int{1999, 1500} {
		i := head(n) + len(fmt.Sprintf("Article %d\n\n1. ", n))
		s = s[:i] + goodFaith + s[i:]
	}
	i := head(1401)
	s = s[:i] + "Article 1400.1\n\n1. The parties shall review this Arrangement together every two years.\n\n" + s[i:]
	s = s[:head(1200)] + s[head(1201):]
	i = head(1001) + len("Article 1001\n\n1. ")
	s = s[:i] + goodFaith + s[i:]
	i = head(300) + len("Article 300\n\n1. ")
	s = s[:i] + goodFaith + s[i:]
	i = head(7) + len("Article 7\n\n1. ")
	word := s[i : i+strings.IndexByte(s[i:], ' ')]
	s = s[:i] + "Participation" + s[i+len(word):]
	return carryEdit{text: s,
		changed: []string{"Article 7", "Article 300", "Article 1001", "Article 1500", "Article 1999"},
		added:   []string{"Article 1400.1"}, removed: []string{"Article 1200"}}
}

// carryRead is the review-carry read (server/README).
type carryRead struct {
	Version int `json:"version"`
	From    *struct {
		Version int `json:"version"`
	} `json:"from"`
	Articles []struct {
		Index int    `json:"index"`
		Title string `json:"title"`
		Start int    `json:"start"`
		End   int    `json:"end"`
		State string `json:"state"`
	} `json:"articles"`
	Unchanged int      `json:"unchanged"`
	Changed   int      `json:"changed"`
	Added     int      `json:"added"`
	Removed   []string `json:"removed"`
}

// signOffCarry is SIGN_OFF's carry.
type signOffCarry struct {
	From       int      `json:"from"`
	FromSHA256 string   `json:"from_sha256"`
	Unchanged  int      `json:"unchanged"`
	Changed    []string `json:"changed"`
	Added      []string `json:"added"`
	Removed    []string `json:"removed"`
}

// signOffOf reads a reviewer's sign-off on a version from the snapshot.
func signOffOf(c *client, id, user string, version int) (at string, carry *signOffCarry) {
	c.T.Helper()
	var snap struct {
		SignOffs []struct {
			User     string        `json:"user"`
			Version  int           `json:"version"`
			Decision string        `json:"decision"`
			At       string        `json:"at"`
			Carry    *signOffCarry `json:"carry"`
		} `json:"sign_offs"`
	}
	c.GetJSON("/api/negotiations/"+id, &snap)
	for _, s := range snap.SignOffs {
		if s.User == user && s.Version == version && s.Decision == "approve" {
			return s.At, s.Carry
		}
	}
	return "", nil
}

// headingOf is an article title's heading ("Article 7 · Scope" → "Article 7").
func headingOf(title string) string {
	h, _, _ := strings.Cut(title, " · ")
	return strings.TrimSpace(h)
}

func headings(titles []string) []string {
	out := make([]string, len(titles))
	for i, t := range titles {
		out[i] = headingOf(t)
	}
	return out
}

// showSide picks one of the room's side tabs (threads, readiness, ageing).
func (p *pg) showSide(tab string) {
	p.t.Helper()
	p.click(`#col-right [role=tab][data-tab="` + tab + `"]`)
	p.waitJS("the "+tab+" tab", `!document.querySelector('#side-`+tab+`').hidden`, 5*time.Second)
}

// At the size of a real agreement: the carry view lists exactly the
// changed and new articles (and the removed one), each links to its place
// in the text and shows its own redline; a re-read tick outlasts a reload;
// "Approve version 2" sends carried_from and the sign-off shows what it
// carried. A reviewer without an earlier approval gets the ordinary review.
func TestReviewCarryAtRealSize(t *testing.T) {
	e := newEnv(t)
	old := difftest.Agreement(2000).Old
	edit := carryPair(t, old)
	usNeg, usLegal, sgLegal := e.api("us-neg"), e.api("us-legal"), e.api("sg-legal")
	id := usNeg.negotiation("Reference arrangement", old)
	v1 := usNeg.snapshot(id).Versions[0]
	usLegal.do("sign_off", map[string]any{"negotiation": id, "version": 1, "sha256": v1.SHA256, "decision": "approve"})
	usNeg.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": edit.text, "note": "five articles changed, one new, one removed"})

	// the contract's read, which the page draws
	var read carryRead
	usLegal.GetJSON("/api/negotiations/"+id+"/review-carry", &read)
	if read.From == nil || read.From.Version != 1 || read.Version != 2 {
		t.Fatalf("review-carry: version %d from %+v; want 2 from 1", read.Version, read.From)
	}
	var changedTitles, addedTitles []string
	var todo []string // changed and new, in text order
	for _, a := range read.Articles {
		switch a.State {
		case "changed":
			changedTitles = append(changedTitles, a.Title)
		case "new":
			addedTitles = append(addedTitles, a.Title)
		}
		if a.State != "unchanged" {
			todo = append(todo, a.Title)
		}
	}
	if got := headings(changedTitles); !reflect.DeepEqual(got, edit.changed) {
		t.Fatalf("review-carry changed %v, want %v", got, edit.changed)
	}
	if got := headings(addedTitles); !reflect.DeepEqual(got, edit.added) {
		t.Fatalf("review-carry new %v, want %v", got, edit.added)
	}
	if read.Unchanged != 1994 || read.Changed != 5 || read.Added != 1 || !reflect.DeepEqual(headings(read.Removed), edit.removed) {
		t.Fatalf("review-carry counts %d unchanged, %d changed, %d new, removed %v; want 1994, 5, 1, %v", read.Unchanged, read.Changed, read.Added, read.Removed, edit.removed)
	}

	p := e.page("us-legal")
	p.login("us-legal")
	p.room(id)
	p.showSide("readiness")
	p.waitText("#carry-summary", "1,994 articles unchanged since your approval of version 1; 5 changed, 1 new, 1 removed.", 20*time.Second)
	listed := evalIn[[][]string](p, `[...document.querySelectorAll('#carry-list .carry-item')].map((li) => [li.dataset.title, li.dataset.state])`)
	var want [][]string
	for _, a := range read.Articles {
		if a.State != "unchanged" {
			want = append(want, []string{a.Title, a.State})
		}
	}
	if !reflect.DeepEqual(listed, want) {
		t.Fatalf("the carry view lists %v, want exactly the changed and new articles %v", listed, want)
	}
	if got := p.text("#carry-removed-list"); headingOf(got) != "Article 1200" {
		t.Errorf("removed: %q, want Article 1200", got)
	}
	if !strings.Contains(p.text("#carry-note"), "this browser only") {
		t.Errorf("the re-read note does not say it is local: %q", p.text("#carry-note"))
	}
	p.shot("01-carry", "#carry")

	// Article 7's own redline: the word replaced, nothing of its neighbours
	item := func(heading string) string {
		for _, a := range read.Articles {
			if headingOf(a.Title) == heading {
				return fmt.Sprintf(`#carry-list .carry-item[data-index="%d"]`, a.Index)
			}
		}
		t.Fatalf("no %s in the carry", heading)
		return ""
	}
	p.click(item("Article 7") + " .carry-show")
	p.waitJS("Article 7's redline", `(() => { const r = document.querySelector('`+item("Article 7")+` .carry-redline'); return r && !r.hasAttribute('aria-busy') && r.querySelector('ins'); })()`, 20*time.Second)
	rl := evalIn[[]string](p, `(() => { const r = document.querySelector('`+item("Article 7")+` .carry-redline');
		return [r.textContent, [...r.querySelectorAll('ins')].map((x) => x.textContent).join('|'), [...r.querySelectorAll('del')].map((x) => x.textContent).join('|')]; })()`)
	if !strings.HasPrefix(rl[0], "Article 7") || strings.Contains(rl[0], "Article 6\n") || strings.Contains(rl[0], "Article 8\n") {
		t.Errorf("Article 7's redline holds more or less than the article: starts %q", rl[0][:min(len(rl[0]), 60)])
	}
	if !strings.Contains(rl[1], "Participation") || rl[2] == "" {
		t.Errorf("Article 7's redline: inserted %q, deleted %q; want the word replaced", rl[1], rl[2])
	}
	if got := p.text(item("Article 7") + " .carry-rl-counts"); !strings.Contains(got, "1 insertion, 1 deletion") {
		t.Errorf("Article 7's redline says %q", got)
	}
	p.click(item("Article 300") + " .carry-show")
	p.waitJS("Article 300's redline", `!!document.querySelector('`+item("Article 300")+` .carry-redline ins')`, 20*time.Second)
	if got := p.text(item("Article 300") + " .carry-redline ins"); !strings.Contains(got, "good faith") {
		t.Errorf("Article 300's redline inserts %q", got)
	}

	// the link takes her to the article in the text
	p.click(item("Article 1500") + " .carry-go")
	p.waitJS("Article 1500 in the text", `(() => { const a = document.activeElement; return a && a.closest('#doc') && a.textContent.startsWith('Article 1500'); })()`, 10*time.Second)
	if !evalIn[bool](p, `(() => { const w = document.querySelector('#view-text .doc-wrap'), r = document.activeElement.getBoundingClientRect(), b = w.getBoundingClientRect(); return r.top >= b.top - 1 && r.top < b.bottom; })()`) {
		t.Error("Article 1500's heading is focused but not in view")
	}

	// a re-read tick, kept in this browser over a reload
	p.showSide("readiness")
	p.click(item("Article 7") + ` input[type=checkbox]`)
	p.waitText("#carry-progress", "1 of 6 changed or new articles re-read.", time.Second)
	p.room(id)
	p.showSide("readiness")
	p.waitText("#carry-summary", "1,994 articles unchanged", 20*time.Second)
	if !evalIn[bool](p, `document.querySelector('`+item("Article 7")+` input[type=checkbox]').checked`) {
		t.Error("the re-read tick is gone after a reload")
	}
	p.waitText("#carry-progress", "1 of 6", time.Second)

	// Approve version 2: carried_from 1, and the sign-off says what it carried
	if got := p.text("#approve"); got != "Approve version 2" {
		t.Errorf("the approve button says %q", got)
	}
	p.click("#approve")
	p.waitJS("the review's summary", `document.activeElement && document.activeElement.classList.contains('r-since')`, 10*time.Second)
	at, carry := signOffOf(usLegal, id, "us-legal", 2)
	if at == "" || carry == nil {
		t.Fatalf("us-legal's approval of version 2: at %q, carry %v; want one carried from version 1", at, carry)
	}
	if carry.From != 1 || carry.FromSHA256 != v1.SHA256 || carry.Unchanged != 1994 || !reflect.DeepEqual(headings(carry.Changed), edit.changed) ||
		!reflect.DeepEqual(headings(carry.Added), edit.added) || !reflect.DeepEqual(headings(carry.Removed), edit.removed) {
		t.Errorf("the sign-off's carry is %+v", *carry)
	}
	wantLine := fmt.Sprintf("Carried the review of version 1: 1,994 articles unchanged; changed (5): %s; new (1): %s; removed (1): %s.",
		strings.Join(carry.Changed, ", "), strings.Join(carry.Added, ", "), strings.Join(carry.Removed, ", "))
	p.waitText("#carry-done", wantLine, time.Second)
	p.waitText(`#decisions li[data-user="us-legal"][data-version="2"] .carry-line`, wantLine, time.Second)
	if evalIn[bool](p, `!document.querySelector('#carry').hidden`) {
		t.Error("the carry view still shows after approving the latest version")
	}
	p.shot("02-carried", "#review-h")

	// approving again replaces the sign-off, and carries as the first did
	evalIn[chromedp.Void](p, `document.activeElement.blur()`)
	p.click("#approve")
	p.waitJS("the review's summary again", `document.activeElement && document.activeElement.classList.contains('r-since')`, 10*time.Second)
	if again, carry := signOffOf(usLegal, id, "us-legal", 2); again == at || carry == nil || carry.From != 1 {
		t.Errorf("approving again: at %q (first %q), carry %+v; want a new sign-off carried from version 1", again, at, carry)
	}

	// SG's reviewer approved nothing before: the ordinary review
	s := e.page("sg-legal")
	s.login("sg-legal")
	s.room(id)
	s.showSide("readiness")
	s.waitText("#review-target", "You are reviewing version 2", 5*time.Second)
	if !evalIn[bool](s, `document.querySelector('#carry').hidden`) {
		t.Error("a reviewer with no earlier approval sees a carry")
	}
	s.waitText(`#decisions li[data-user="us-legal"][data-version="2"] .carry-line`, wantLine, time.Second)
	s.click("#approve")
	s.waitJS("SG's decision", `document.activeElement && document.activeElement.classList.contains('r-since')`, 10*time.Second)
	if at, carry := signOffOf(sgLegal, id, "sg-legal", 2); at == "" || carry != nil {
		t.Errorf("sg-legal's approval: at %q, carry %+v; want an approval without carry", at, carry)
	}
}

// utc makes the page count dates in UTC, so that dates the test fixes at
// noon UTC are the same days in the page.
func (p *pg) utc() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "UTC"}); err != nil {
		p.t.Fatal(err)
	}
}

// ageingWorld makes a negotiation whose open issues have waited known
// days: on US, SG's issue of 23 days ago and SG's of 5 days ago; on SG,
// US's of 10 days ago and SG's own of 2 days ago, answered by US yesterday.
// A consensus waiting on SG, a resolved issue and an internal one are no
// open issues waiting. daysAgo(n) counts the days since n days ago at the
// time of asking (the test may cross midnight).
type ageingWorld struct {
	id                   string
	oldest, usB, sgC, sg string // thread ids
	daysAgo              func(n int) int
}

func newAgeingWorld(t *testing.T, e *env) ageingWorld {
	t.Helper()
	start := time.Now().UTC()
	day := func(n int) time.Time {
		d := start.AddDate(0, 0, -n)
		return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.UTC)
	}
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	e.w.SetNow(day(30))
	var w ageingWorld
	w.id = usNeg.negotiation("Ageing arrangement", text1)
	at := func(n int, c *client, quote, kind, vis, body string) string {
		e.w.SetNow(day(n))
		return c.comment(w.id, 1, text1, quote, kind, vis, body)
	}
	w.oldest = at(23, sgNeg, "validation findings", "open_issue", "shared", "SG: which findings count?")
	resolved := at(20, sgNeg, "facilitate trade", "open_issue", "shared", "SG: settled later.")
	e.w.SetNow(day(19))
	sgNeg.do("resolve", map[string]any{"negotiation": w.id, "thread": resolved})
	w.usB = at(10, usNeg, "within 30 days", "open_issue", "shared", "US: is thirty days enough?")
	at(8, usNeg, "contact point", "consensus", "shared", "US: agreed wording.")
	at(7, usNeg, "secure the supply chain", "open_issue", "internal", "US only: check with counsel.")
	w.sgC = at(5, sgNeg, "every language", "open_issue", "shared", "SG: which languages?")
	w.sg = at(2, sgNeg, "own names", "open_issue", "shared", "SG: names as registered?")
	e.w.SetNow(day(1))
	usNeg.do("reply", map[string]any{"negotiation": w.id, "thread": w.sg, "body": "US: yes, as registered."})
	e.w.SetNow(start)
	w.daysAgo = func(n int) int {
		today := time.Now().UTC()
		a := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
		b := day(n)
		return int(a.Sub(time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
	}
	return w
}

var daysRE = regexp.MustCompile(`\s+`)

// The list says per negotiation how many open issues wait on each party
// and the oldest's days, as the server's `waiting` holds; the room's
// Ageing tab lists them per party, oldest first, each a link to its thread.
func TestAgeingOnTheListAndInTheRoom(t *testing.T) {
	e := newEnv(t)
	w := newAgeingWorld(t, e)

	// the server's word first
	var list struct {
		Negotiations []struct {
			ID      string `json:"id"`
			Waiting map[string]struct {
				OpenIssues  int       `json:"open_issues"`
				OldestSince time.Time `json:"oldest_since"`
			} `json:"waiting"`
		} `json:"negotiations"`
	}
	e.api("us-neg").GetJSON("/api/negotiations", &list)
	if len(list.Negotiations) != 1 || list.Negotiations[0].Waiting["US"].OpenIssues != 2 || list.Negotiations[0].Waiting["SG"].OpenIssues != 2 {
		t.Fatalf("the list's waiting: %+v; want 2 on US, 2 on SG", list.Negotiations)
	}

	us := e.page("us-neg")
	us.utc()
	us.login("us-neg")
	us.waitJS("the list", `!!document.querySelector('#negotiations td.ageing')`, 10*time.Second)
	cell := func(p *pg) string {
		return daysRE.ReplaceAllString(p.text(`#negotiations tr[data-id="`+w.id+`"] td.ageing`), " ")
	}
	want := fmt.Sprintf("Waiting on you (US): 2, oldest %d daysWaiting on SG: 2, oldest %d days", w.daysAgo(23), w.daysAgo(10))
	if got := cell(us); got != want {
		t.Errorf("US's list says %q, want %q", got, want)
	}
	us.shot("03-ageing-list", "#negotiations")
	sg := e.page("sg-neg")
	sg.utc()
	sg.login("sg-neg")
	sg.waitJS("the list", `!!document.querySelector('#negotiations td.ageing')`, 10*time.Second)
	want = fmt.Sprintf("Waiting on you (SG): 2, oldest %d daysWaiting on US: 2, oldest %d days", w.daysAgo(10), w.daysAgo(23))
	if got := cell(sg); got != want {
		t.Errorf("SG's list says %q, want %q", got, want)
	}

	// the room: per party, oldest first, with days
	us.room(w.id)
	us.showSide("ageing")
	us.waitJS("the ageing lists", `document.querySelectorAll('#side-ageing .ageing-item').length === 4`, 5*time.Second)
	got := evalIn[[][]string](us, `[...document.querySelectorAll('#side-ageing .ageing-party')].map((s) =>
		[s.dataset.party, s.querySelector('h3').textContent, ...[...s.querySelectorAll('.ageing-item')].map((li) => li.dataset.thread + ' ' + li.querySelector('.ageing-days').textContent)])`)
	wantRoom := [][]string{
		{"US", fmt.Sprintf("Waiting on you (US) · 2 open issues, oldest %d days", w.daysAgo(23)),
			fmt.Sprintf("%s %d days", w.oldest, w.daysAgo(23)), fmt.Sprintf("%s %d days", w.sgC, w.daysAgo(5))},
		{"SG", fmt.Sprintf("Waiting on SG · 2 open issues, oldest %d days", w.daysAgo(10)),
			fmt.Sprintf("%s %d days", w.usB, w.daysAgo(10)), fmt.Sprintf("%s %d day", w.sg, w.daysAgo(1))},
	}
	if !reflect.DeepEqual(got, wantRoom) {
		t.Errorf("the Ageing tab shows\n%v\nwant\n%v", got, wantRoom)
	}
	// named by its article once the text is read (the room reads it as it opens)
	link := `#side-ageing .ageing-item[data-thread="` + w.oldest + `"] .ageing-link`
	if err := us.tryJS(`document.querySelector('`+link+`').textContent === "Article 1 · Purpose: “validation findings”"`, 5*time.Second); err != nil {
		t.Errorf("the oldest issue's link says %q", us.text(link))
	}
	if got := us.text(`#col-right [role=tab][data-tab="ageing"]`); got != "Ageing (4)" {
		t.Errorf("the tab says %q", got)
	}
	us.shot("04-ageing-room", "#side-ageing")

	// a link opens the thread
	us.click(`#side-ageing .ageing-item[data-thread="` + w.usB + `"] .ageing-link`)
	us.waitJS("the thread's card", `document.activeElement && document.activeElement.closest('.thread')?.dataset.thread === `+jsString(w.usB), 5*time.Second)

	// live: SG answers its oldest issue on US's page → it now waits on SG, since now
	sgNeg := e.api("sg-neg")
	us.live()
	sgNeg.do("reply", map[string]any{"negotiation": w.id, "thread": w.sgC, "body": "SG: and the annexes?"})
	e.api("us-neg").do("reply", map[string]any{"negotiation": w.id, "thread": w.sgC, "body": "US: English and Malay."})
	us.showSide("ageing")
	us.waitJS("the issue moved to SG", `!!document.querySelector('#side-ageing .ageing-party[data-party="SG"] .ageing-item[data-thread="`+w.sgC+`"]')`, live)
	if got := us.text(`#side-ageing .ageing-party[data-party="SG"] .ageing-item:last-child .ageing-days`); got != "Today" {
		t.Errorf("the answered issue, now waiting on SG, says %q; want Today (it waits from now, the newest)", got)
	}
}

// Keyboard only at 800 px, with axe: the carry view from the side tabs, an
// article's link into the text, a re-read tick, an article's redline, the
// approval and its summary.
func TestReviewCarryByKeyboard(t *testing.T) {
	e := newEnv(t)
	usNeg, usLegal := e.api("us-neg"), e.api("us-legal")
	id := usNeg.negotiation("Keyboard arrangement", text1)
	v1 := usNeg.snapshot(id).Versions[0]
	usLegal.do("sign_off", map[string]any{"negotiation": id, "version": 1, "sha256": v1.SHA256, "decision": "approve"})
	usNeg.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": strings.Replace(text1, "within 30 days", "within 60 days", 1), "note": "sixty days"})

	p := e.page("us-legal")
	p.viewport(800, 900)
	p.login("us-legal")
	p.room(id)
	p.tabTo("#pane-text", "#pane-right", 3)
	p.press("\r")
	p.tabTo("#pane-right", `#col-right [role=tab][aria-selected=true]`, 10)
	p.press(kb.ArrowRight) // Readiness
	if !p.focused(`[role=tab][data-tab="readiness"]`) {
		t.Fatal("the arrow did not move to the Readiness tab")
	}
	p.waitText("#carry-summary", "4 articles unchanged since your approval of version 1; 1 changed, 0 new.", 10*time.Second)
	p.tabTo(`[role=tab][data-tab="readiness"]`, "#carry-list .carry-go", 25)
	if got := evalIn[string](p, `document.activeElement.textContent`); headingOf(got) != "Article 2" {
		t.Fatalf("the first changed article is %q, want Article 2", got)
	}
	p.checkA11y("the review carry at 800 px")
	p.press("\r")
	p.waitJS("Article 2 in the text", `(() => { const a = document.activeElement; return a && a.closest('#doc') && a.textContent.startsWith('Article 2'); })()`, 5*time.Second)
	if got := evalIn[string](p, `document.querySelector('.room').dataset.pane`); got != "text" {
		t.Errorf("the pane shown is %q, want the text", got)
	}

	// back to the review: the tick and the approval
	p.tabTo("#pane-text", "#pane-right", 3)
	p.press("\r")
	p.tabTo("#pane-right", "#carry-list input[type=checkbox]", 30)
	p.press(" ")
	p.waitText("#carry-progress", "1 of 1 changed or new article re-read.", time.Second)
	p.tabTo("#carry-list input[type=checkbox]", `#carry-list .carry-show`, 3)
	p.press("\r")
	p.waitJS("the article's redline", `!!document.querySelector('#carry-list .carry-redline ins')`, 5*time.Second)
	if got := p.text("#carry-list .carry-redline ins"); !strings.Contains(got, "60") {
		t.Errorf("the redline inserts %q", got)
	}
	p.checkA11y("the carry with a redline open")
	p.tabTo("#carry-list .carry-show", "#approve", 25)
	p.press("\r")
	p.waitJS("the review's summary", `document.activeElement && document.activeElement.classList.contains('r-since')`, 10*time.Second)
	p.waitText("#carry-done", "Carried the review of version 1: 4 articles unchanged; changed (1):", time.Second)
	p.checkA11y("after a carried approval")
	p.fitsWidth("the review at 800 px")
}

// Keyboard only at 800 px, with axe: the list's ageing, then the room's
// Ageing tab and an issue's link to its card.
func TestAgeingByKeyboard(t *testing.T) {
	e := newEnv(t)
	id := e.api("us-neg").negotiation("Keyboard arrangement", text1)
	e.api("sg-neg").comment(id, 1, text1, "contact point", "open_issue", "shared", "SG: one contact point or two?")
	n := e.page("us-neg")
	n.viewport(800, 900)
	n.login("us-neg")
	n.waitJS("the list", `!!document.querySelector('#negotiations td.ageing li')`, 10*time.Second)
	if got := daysRE.ReplaceAllString(n.text(`#negotiations td.ageing`), " "); got != "Waiting on you (US): 1, oldest since today" {
		t.Errorf("the list says %q", got)
	}
	n.checkA11y("the list with ageing at 800 px")
	n.fitsWidth("the list with ageing at 800 px")
	n.room(id)
	n.tabTo("#pane-text", "#pane-right", 3)
	n.press("\r")
	n.tabTo("#pane-right", `#col-right [role=tab][aria-selected=true]`, 10)
	n.press(kb.ArrowRight)
	n.press(kb.ArrowRight) // Ageing
	if !n.focused(`[role=tab][data-tab="ageing"]`) {
		t.Fatal("the arrows did not reach the Ageing tab")
	}
	n.tabTo(`[role=tab][data-tab="ageing"]`, "#side-ageing .ageing-link", 10)
	n.checkA11y("the Ageing tab at 800 px")
	n.press("\r")
	n.waitJS("the issue's card", `document.activeElement && !!document.activeElement.closest('.thread')`, 5*time.Second)
	n.fitsWidth("the Ageing tab at 800 px")
}

// A version proposed while the reviewer reads the carry: the view follows
// it live (the articles changed since her approval, now in either
// revision), and the approval carries onto the new version.
func TestReviewCarryFollowsANewVersion(t *testing.T) {
	e := newEnv(t)
	usNeg, usLegal := e.api("us-neg"), e.api("us-legal")
	id := usNeg.negotiation("Live arrangement", text1)
	v1 := usNeg.snapshot(id).Versions[0]
	usLegal.do("sign_off", map[string]any{"negotiation": id, "version": 1, "sha256": v1.SHA256, "decision": "approve"})
	v2 := strings.Replace(text1, "within 30 days", "within 60 days", 1)
	usNeg.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": v2, "note": "sixty days"})

	p := e.page("us-legal")
	p.login("us-legal")
	p.room(id)
	p.live()
	p.showSide("readiness")
	p.waitText("#carry-summary", "4 articles unchanged since your approval of version 1; 1 changed, 0 new.", 10*time.Second)
	v3 := strings.Replace(v2, "designate a contact point", "designate one contact point", 1) + "\nArticle 5\nEntry into force\n\n1. This Arrangement enters into force on signature.\n"
	usNeg.do("propose_version", map[string]any{"negotiation": id, "base": 2, "text": v3, "note": "one contact point; entry into force"})
	p.waitText("#carry-summary", "3 articles unchanged since your approval of version 1; 2 changed, 1 new.", 5*time.Second)
	got := evalIn[[]string](p, `[...document.querySelectorAll('#carry-list .carry-item')].map((li) => li.dataset.state + ' ' + li.dataset.title)`)
	if want := []string{"changed Article 2 · Exchange of information", "changed Article 4 · Contact points", "new Article 5 · Entry into force"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after version 3 the carry lists %v, want %v", got, want)
	}
	p.waitText("#approve", "Approve version 3", time.Second)
	p.click("#approve")
	p.waitJS("the review's summary", `document.activeElement && document.activeElement.classList.contains('r-since')`, 10*time.Second)
	if at, carry := signOffOf(usLegal, id, "us-legal", 3); at == "" || carry == nil || carry.From != 1 || len(carry.Changed) != 2 || len(carry.Added) != 1 {
		t.Errorf("the approval of version 3: at %q, carry %+v; want it carried from version 1 (2 changed, 1 new)", at, carry)
	}
}
