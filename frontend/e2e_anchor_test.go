package frontend_test

// Browser tests of honest anchors: a thread card shows the words it was
// raised on when the words at its anchor are other words, or gone.

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// longClause is a passage of more than 280 characters, folded on a card.
const longClause = "1. Each Customs Administration shall treat information received under this Arrangement as confidential, shall use it only for the purposes of its Authorized Economic Operator program, shall not disclose it to any third party without the prior written consent of the Customs Administration that provided it, and shall protect it at least as it protects its own information of the same kind."

// A consensus on words that a later version changes is void, flagged
// changed, and shows the words it was raised on; it still does after a
// third version that leaves those words alone, and after a reload. A thread
// whose words were deleted is outdated and shows them too, folded when long.
func TestCardsShowTheWordsTheyWereRaisedOn(t *testing.T) {
	e := newEnv(t)
	usNeg, sgNeg := e.api("us-neg"), e.api("sg-neg")
	v1 := text1 + "\nArticle 5\nConfidentiality\n\n" + longClause + "\n"
	id := usNeg.negotiation("US–SG arrangement", v1)
	agreed := usNeg.comment(id, 1, v1, "within 30 days", "consensus", "shared", "Thirty days is agreed.")
	sgNeg.do("concur", map[string]any{"negotiation": id, "thread": agreed})
	gone := sgNeg.comment(id, 1, v1, longClause, "note", "shared", "Confidentiality, as in our other arrangements.")

	sg := e.page("sg-neg")
	sg.login("sg-neg")
	sg.room(id)
	sg.live()
	card := func(thread string) string { return `.thread[data-thread="` + thread + `"]` }
	if evalIn[bool](sg, `!!document.querySelector('.t-original, .t-flag')`) {
		t.Fatal("a card shows original words before any version changed them")
	}

	// version 2 changes the agreed words and deletes the long clause
	v2 := strings.Replace(strings.Replace(v1, "within 30 days", "within 60 days", 1), "\nArticle 5\nConfidentiality\n\n"+longClause+"\n", "", 1)
	usNeg.do("propose_version", map[string]any{"negotiation": id, "base": 1, "text": v2, "note": "sixty days; no confidentiality article"})
	checkChanged := func(version string) {
		t.Helper()
		c := card(agreed)
		sg.waitJS("the void consensus on version "+version, `(() => { const c = document.querySelector(`+jsString(c)+`);
			return !!c && c.querySelector('.pill.status-void')?.textContent === 'Void'
				&& c.querySelector('.t-consent').textContent.includes('its clause changed')
				&& c.querySelector('[data-flag="changed"]')?.textContent.includes('Changed')
				&& c.querySelector('.t-original').textContent === 'Raised on version 1 on:“within 30 days”'
				&& [...c.querySelectorAll('.t-label')].some(l => l.textContent === 'Now, in version `+version+`:')
				&& c.querySelector('.t-anchor button.quote').textContent === '“within 60 days”'; })()`, 5*time.Second)
	}
	checkOutdated := func() {
		t.Helper()
		c := card(gone)
		sg.waitJS("the outdated note", `(() => { const c = document.querySelector(`+jsString(c)+`);
			return !!c && c.querySelector('[data-flag="outdated"]')?.textContent.includes('Outdated: the words it was raised on are gone.')
				&& c.querySelector('.t-original .t-label').textContent === 'Raised on version 1 on:'
				&& c.querySelector('.quote.original').textContent === `+jsString("“"+string([]rune(longClause)[:280])+"…”")+`
				&& !c.querySelector('.t-anchor button.quote'); })()`, 5*time.Second)
	}
	checkChanged("2")
	checkOutdated()
	sg.waitText(".ol-item.st-void", "Article 2", live)

	// keyboard only: the fold is the first stop on its card; Enter opens
	// it, Space closes it
	fold := card(gone) + ` .t-original button.link`
	sg.tabTo(card(gone), fold, 1)
	if got, want := sg.text(fold), fmt.Sprintf("Show all %d characters", len([]rune(longClause))); got != want {
		t.Errorf("the fold's button says %q", got)
	}
	sg.press("\r")
	sg.waitJS("the whole clause", `document.querySelector(`+jsString(card(gone)+` .quote.original`)+`).textContent === `+jsString("“"+longClause+"”")+
		` && document.querySelector(`+jsString(fold)+`).getAttribute('aria-expanded') === 'true'`, time.Second)
	sg.press(" ")
	checkOutdated()
	if !sg.focused(fold) {
		t.Error("the fold's button lost the focus")
	}
	sg.press("\r") // open again: it stays open across live updates

	// version 3 leaves the agreed words alone: still changed, still void,
	// still raised on version 1's words
	v3 := strings.Replace(v2, "shall designate a contact point", "shall designate a single contact point", 1)
	sgNeg.do("propose_version", map[string]any{"negotiation": id, "base": 2, "text": v3, "note": "a single contact point"})
	sg.waitText("#version-meta", "Version 3", live)
	checkChanged("3")
	sg.waitJS("the clause still whole", `document.querySelector(`+jsString(card(gone)+` .quote.original`)+`).textContent === `+jsString("“"+longClause+"”"), time.Second)
	for _, w := range []int64{1280, 800} {
		sg.viewport(w, 900)
		sg.fitsWidth("void consensus card")
		sg.checkA11y("void consensus card")
		sg.shot(fmt.Sprintf("11-card-void-changed-%d", w), card(agreed))
		sg.shot(fmt.Sprintf("12-card-outdated-%d", w), card(gone))
	}
	sg.viewport(1440, 900)

	// what the card says is what the server says
	th := sgNeg.snapshot(id).Thread(agreed)
	if th.Anchor.Flag != "changed" || th.Anchor.Original.Version != 1 || th.Anchor.Original.Quote != "within 30 days" || th.Status != "void" {
		t.Errorf("the server's thread: status %s, anchor %+v", th.Status, th.Anchor)
	}

	// after a reload, from the snapshot alone
	sg.room(id)
	checkChanged("3")
	checkOutdated()

	// the card's way to the change: the redline from the version it was raised on
	sg.click(card(agreed) + ` [data-compare="1-3"]`)
	sg.waitJS("the redline of versions 1 to 3", `!document.querySelector('#view-compare').hidden && [...document.querySelectorAll('#redline ins')].some(e => e.textContent.includes('60')) && [...document.querySelectorAll('#redline del')].some(e => e.textContent.includes('30'))`, 5*time.Second)
}
