package frontend_test

// The stages' content in the page (issue 12): the criteria comparison
// (#/p/ID/criteria, criteria.js) and the stages' items (#/p/ID/work,
// items.js), against the real server and Chromium. Partnerships have no
// live events, so "the other side's page" means one loaded afresh.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mra/frontend"
	"mra/server/mra"
	"mra/server/servertest"
)

// stagesPartnership creates a US–SG partnership and returns its id.
func stagesPartnership(e *env, title string) string {
	e.t.Helper()
	r := e.api("us-neg").do("create_partnership", map[string]any{"title": title, "parties": []string{"US", "SG"}})
	return r["partnership"].(string)
}

// stagesView loads the page afresh on a partnership's view ("criteria" or
// "work") and waits until it is drawn.
func (p *pg) stagesView(id, view string) {
	p.t.Helper()
	p.run("open "+view+" of "+id, chromedp.Navigate("about:blank"), chromedp.Navigate(p.e.w.URL()+"/#/p/"+id+"/"+view))
	want := map[string]string{"criteria": "Criteria compared: ", "work": "Work on the stages: "}[view]
	p.waitJS("the "+view+" view", fmt.Sprintf(`(document.querySelector('#page-title')?.textContent || '').startsWith(%s) || !!document.querySelector('#stages-not-found')`, jsString(want)), 10*time.Second)
}

// partnershipRead reads the partnership over the contract as a user.
type stagesRead struct {
	Partnership struct {
		Stages []mra.StageView `json:"stages"`
	} `json:"partnership"`
}

func (c *client) stage(id string, s mra.Stage) mra.StageView {
	c.T.Helper()
	var r stagesRead
	c.GetJSON("/api/partnerships/"+id, &r)
	for _, v := range r.Partnership.Stages {
		if v.Stage == s {
			return v
		}
	}
	c.T.Fatalf("no stage %s", s)
	return mra.StageView{}
}

// rowWith is a JS expression: the comparison row whose text holds words.
func rowWith(words string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('table.cmp tbody tr[data-row]')].find(tr => tr.textContent.includes(%s))`, jsString(words))
}

const (
	sgCriteria = "Container seals are verified at the stuffing point by written procedure.\n" +
		"Personnel are screened before hiring.\n" +
		"Agricultural contaminants are inspected on every conveyance."
	usCriteria = "Written procedures verify the integrity of container seals at the stuffing point.\n" +
		"Employees are screened before hiring by background checks.\n" +
		"Information technology accounts use strong passwords."
)

func TestStagesCriteria(t *testing.T) {
	e := newEnv(t)
	id := stagesPartnership(e, "CTPAT and STP")
	e.api("sg-neg").do("set_criteria", map[string]any{"partnership": id, "text": sgCriteria})

	us := e.page("us-neg")
	us.login("us-neg")
	us.stagesView(id, "criteria")
	us.waitText("#criteria-of-SG", "set by sg-neg", 5*time.Second)
	if got := us.text("#criteria-of-US"); !strings.Contains(got, "not set yet") {
		t.Errorf("US before setting: %q", got)
	}
	us.waitText("#comparison-none", "Only SG has set its criteria", 5*time.Second)
	if got := us.text("#stages-back"); got != "Back to the partnership" || evalIn[string](us, `document.querySelector('#stages-back').getAttribute('href')`) != "#/p/"+id {
		t.Errorf("back link %q", got)
	}
	us.waitText("#crumbs", "Partnerships / CTPAT and STP / Criteria compared", 5*time.Second)
	us.checkA11y("criteria, one side set")

	// US sets its criteria in the page's form
	us.setValue("#criteria-text", usCriteria)
	us.click("#criteria-submit")
	us.waitJS("the comparison", `document.querySelectorAll('table.cmp tbody tr[data-row]').length > 0`, 5*time.Second)
	us.waitJS("the focus on US's line", `document.activeElement?.id === 'criteria-of-US'`, 5*time.Second)
	if got := us.text("#criteria-of-US"); !strings.Contains(got, "set by us-neg") {
		t.Errorf("US after setting: %q", got)
	}
	cmp := e.api("us-neg").stage(id, mra.StageCriteria).Comparisons
	if len(cmp) != 1 || strings.Join([]string{string(cmp[0].Parties[0]), string(cmp[0].Parties[1])}, " ") != "SG US" {
		t.Fatalf("comparisons %+v", cmp)
	}
	rows := cmp[0].Rows
	if n := evalIn[int](us, `document.querySelectorAll('table.cmp tbody tr[data-row]').length`); n != len(rows) {
		t.Errorf("%d rows drawn, the server has %d", n, len(rows))
	}
	// a known pair lands on one row, each side in its column
	cells := evalIn[[]string](us, `[...`+rowWith("Container seals are verified")+`.querySelectorAll('td.cmp-text')].map(td => td.textContent)`)
	if len(cells) != 2 || !strings.HasPrefix(cells[0], "Container seals are verified") || !strings.HasPrefix(cells[1], "Written procedures verify the integrity of container seals") {
		t.Errorf("the seals row: %q", cells)
	}
	if heads := evalIn[[]string](us, `[...document.querySelectorAll('table.cmp thead th')].map(th => th.textContent)`); strings.Join(heads, "|") != "Row|SG (STP)|US (CTPAT)|Marks" {
		t.Errorf("columns %q", heads)
	}
	// a paragraph with nothing comparable: the other cell says so
	if got := evalIn[string](us, rowWith("Information technology")+`.querySelector('td.cmp-text .nothing')?.textContent || ''`); got != "nothing comparable" {
		t.Errorf("the lone US paragraph's other cell: %q", got)
	}
	var sealRow string
	for _, r := range rows {
		if r.A != nil && strings.HasPrefix(*r.A, "Container seals") {
			sealRow = r.Row
		}
	}
	if sealRow == "" {
		t.Fatalf("no seals row in %+v", rows)
	}
	n := len(rows)
	us.waitText("#criteria-summary [data-party=US]", fmt.Sprintf("US: 0 equivalent, 0 partly, 0 gap, %d not marked", n), time.Second)
	us.shot("stages-01-criteria", "#page-title")

	// US marks the seals row equivalent in the page
	us.click(fmt.Sprintf(`tr[data-row=%q] .mark-buttons button[data-mark=equivalent]`, sealRow))
	us.waitText("#criteria-summary [data-party=US]", fmt.Sprintf("US: 1 equivalent, 0 partly, 0 gap, %d not marked", n-1), 5*time.Second)
	us.waitJS("the focus on the pressed mark", fmt.Sprintf(`document.activeElement?.matches('tr[data-row=%q] button[data-mark=equivalent][aria-pressed=true]')`, sealRow), 5*time.Second)
	if got := us.text(fmt.Sprintf(`tr[data-row=%q] .mark-line[data-party=US]`, sealRow)); got != "US: equivalent" {
		t.Errorf("US's mark in words: %q", got)
	}

	// SG marks the same row partly in its page; US sees it after a reload
	sg := e.page("sg-neg")
	sg.login("sg-neg")
	sg.stagesView(id, "criteria")
	sg.waitJS("SG's comparison", `!!`+rowWith("Container seals are verified"), 5*time.Second)
	if got := sg.text(fmt.Sprintf(`tr[data-row=%q] .mark-line[data-party=US]`, sealRow)); got != "US: equivalent" {
		t.Errorf("US's mark in SG's page: %q", got)
	}
	sg.click(fmt.Sprintf(`tr[data-row=%q] .mark-buttons button[data-mark=partly]`, sealRow))
	sg.waitText("#criteria-summary [data-party=SG]", fmt.Sprintf("SG: 0 equivalent, 1 partly, 0 gap, %d not marked", n-1), 5*time.Second)
	us.stagesView(id, "criteria")
	us.waitText(fmt.Sprintf(`tr[data-row=%q] .mark-line[data-party=SG]`, sealRow), "SG: partly equivalent", 5*time.Second)
	us.waitText("#criteria-summary [data-party=SG]", "SG: 0 equivalent, 1 partly", time.Second)
	if got := e.api("sg-legal").stage(id, mra.StageCriteria).Comparisons[0].Summary; got["SG"]["partly"] != 1 || got["US"]["equivalent"] != 1 {
		t.Errorf("the server's summary %v", got)
	}

	// the row's thread: an internal note (the default) and a shared one
	addNote := func(body string, shared bool) {
		t.Helper()
		us.click(fmt.Sprintf(`button.note-open[data-row=%q]`, sealRow))
		us.waitJS("the note form", `document.activeElement?.id === 'row-note-text'`, 5*time.Second)
		if checked := evalIn[string](us, `document.querySelector('#row-note-form input[type=radio]:checked').value`); checked != "internal" {
			t.Errorf("the note's visibility by default: %s", checked)
		}
		us.setValue("#row-note-text", body)
		if shared {
			us.click(`#row-note-form input[value=shared]`)
		}
		us.click("#row-note-submit")
		us.waitJS("the note under its row", fmt.Sprintf(`[...document.querySelectorAll('tr.thread-row[data-thread-of=%q] li[data-note]')].some(li => li.textContent.includes(%s) && li === document.activeElement)`, sealRow, jsString(body)), 5*time.Second)
	}
	addNote("Our seal standard asks for more: keep to ours.", false)
	addNote("Both sides verify seals at stuffing.", true)
	if got := us.text(fmt.Sprintf(`tr.thread-row[data-thread-of=%q]`, sealRow)); !strings.Contains(got, "Internal · US only") || !strings.Contains(got, "Shared") {
		t.Errorf("US's thread: %q", got)
	}
	// the thread row follows its row directly
	if next := evalIn[string](us, rowWith("Container seals are verified")+`.nextElementSibling.dataset.threadOf`); next != sealRow {
		t.Errorf("the thread follows row %q", next)
	}
	us.checkA11y("criteria with a thread")
	us.screenshot("stages-02-criteria-thread")
	sg.stagesView(id, "criteria")
	sg.waitText(fmt.Sprintf(`tr.thread-row[data-thread-of=%q]`, sealRow), "Both sides verify seals at stuffing.", 5*time.Second)
	if evalIn[bool](sg, `document.body.textContent.includes('Our seal standard asks for more')`) {
		t.Error("US's internal note is in SG's page")
	}
	// SG's form shows its own criteria again, to be replaced
	if got := evalIn[string](sg, `document.querySelector('#criteria-text').value`); got != sgCriteria {
		t.Errorf("SG's criteria in its form: %q", got)
	}
	if got := sg.text("#criteria-submit"); got != "Replace our criteria" {
		t.Errorf("SG's submit: %q", got)
	}

	// a legal reviewer marks and writes notes, but sets no criteria
	legal := e.page("us-legal")
	legal.login("us-legal")
	legal.stagesView(id, "criteria")
	legal.waitJS("the legal reviewer's marks", fmt.Sprintf(`!!document.querySelector('tr[data-row=%q] .mark-buttons button[aria-pressed=true][data-mark=equivalent]')`, sealRow), 5*time.Second)
	if evalIn[bool](legal, `!!document.querySelector('#criteria-form') || !document.querySelector('button.note-open')`) {
		t.Error("the legal reviewer has the criteria form, or no note button")
	}

	// a stranger gets a plain "not found"
	ex := e.page("ex-neg")
	ex.login("ex-neg")
	ex.stagesView(id, "criteria")
	ex.waitText("#stages-not-found h1", "Not found", 5*time.Second)
	if evalIn[bool](ex, `document.body.textContent.includes('CTPAT and STP')`) {
		t.Error("the stranger's page names the partnership")
	}
}

// 400 rows (the server test's size): drawn, and a keyboard user reaches the
// next row its party has not marked.
func TestStagesCriteria400(t *testing.T) {
	e := newEnv(t)
	id := stagesPartnership(e, "CTPAT and STP")
	var usText, sgText strings.Builder
	for i := range 400 {
		fmt.Fprintf(&usText, "Criterion %d on container seals number %d: written procedures verify seal integrity of containers at stuffing point %d, as the members' security officers record each inspection in the log.\n", i, i, i)
		fmt.Fprintf(&sgText, "Requirement %d for seals number %d: the integrity of container seals is verified by procedure at stuffing point %d.\n", i, i, i)
	}
	usAPI := e.api("us-neg")
	usAPI.do("set_criteria", map[string]any{"partnership": id, "text": usText.String()})
	e.api("sg-neg").do("set_criteria", map[string]any{"partnership": id, "text": sgText.String()})
	rows := usAPI.stage(id, mra.StageCriteria).Comparisons[0].Rows
	for _, k := range []int{0, 1, 3} {
		usAPI.do("mark_criterion", map[string]any{"partnership": id, "row": rows[k].Row, "mark": "gap"})
	}

	us := e.page("us-neg")
	us.login("us-neg")
	us.stagesView(id, "criteria")
	us.waitJS("400 rows", `document.querySelectorAll('table.cmp tbody tr[data-row]').length === 400`, 10*time.Second)
	us.waitText("#criteria-summary [data-party=US]", "US: 0 equivalent, 0 partly, 3 gap, 397 not marked", time.Second)
	if got := us.text(`table.cmp tbody tr[data-row]:nth-child(8) td.cmp-text`); !strings.HasPrefix(got, "Requirement 7 ") {
		t.Errorf("row 8's SG cell: %q", got)
	}
	focusedRow := func() string {
		return evalIn[string](us, `document.activeElement?.closest('tr[data-row]')?.dataset.n || ''`)
	}
	// the button: the first row not marked (rows 1 and 2 are)
	us.tabTo("#stages-back", "#next-unmarked", 40)
	us.press("\r")
	if got := focusedRow(); got != "3" {
		t.Errorf("next unmarked from the button: row %q, want 3", got)
	}
	// Alt+N skips the marked row 4
	us.run("Alt+N", chromedp.KeyEvent("n", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	if got := focusedRow(); got != "5" {
		t.Errorf("Alt+N from row 3: row %q, want 5", got)
	}
	us.run("Alt+P", chromedp.KeyEvent("p", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	if got := focusedRow(); got != "3" {
		t.Errorf("Alt+P from row 5: row %q, want 3", got)
	}
	// from the row, Tab reaches its marks; Enter marks it
	us.press("\t")
	if !us.focused(`tr[data-row] button[data-mark=equivalent]`) || focusedRow() != "3" {
		t.Fatalf("Tab from row 3: focus on %s", evalIn[string](us, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	evalIn[chromedp.Void](us, `window.__row100 = document.querySelector('table.cmp tbody tr[data-row]:nth-child(100)')`)
	us.press("\r")
	us.waitText("#criteria-summary [data-party=US]", "US: 1 equivalent, 0 partly, 3 gap, 396 not marked", 5*time.Second)
	// only the marked row is drawn again: the others stay the same nodes
	if !evalIn[bool](us, `window.__row100.isConnected && window.__row100 === document.querySelector('table.cmp tbody tr[data-row]:nth-child(100)')`) {
		t.Error("a mark redrew the other rows")
	}
	us.waitJS("the focus kept on row 3's mark", `document.activeElement?.matches('button[data-mark=equivalent][aria-pressed=true]') && document.activeElement.closest('tr').dataset.n === '3'`, 5*time.Second)
	if got := usAPI.stage(id, mra.StageCriteria).Comparisons[0].Rows[2].Marks["US"]; got != mra.MarkEquivalent {
		t.Errorf("row 3's US mark on the server: %q", got)
	}
	us.run("Alt+N", chromedp.KeyEvent("n", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	if got := focusedRow(); got != "5" {
		t.Errorf("Alt+N after marking row 3: row %q, want 5", got)
	}
	// from nowhere in particular (the focus on the page's body): the first
	evalIn[chromedp.Void](us, `document.activeElement.blur()`)
	us.run("Alt+N", chromedp.KeyEvent("n", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	if got := focusedRow(); got != "5" {
		t.Errorf("Alt+N from the body: row %q, want 5 (1 to 4 are marked)", got)
	}
	us.viewport(800, 900)
	us.fitsWidth("400 rows at 800 px")
	us.checkA11y("400 rows at 800 px")
	us.screenshot("stages-03-criteria-400-800")
}

func TestStagesWork(t *testing.T) {
	e := newEnv(t)
	id := stagesPartnership(e, "CTPAT and STP")
	usAPI := e.api("us-neg")

	us := e.page("us-neg")
	us.login("us-neg")
	us.stagesView(id, "work")
	for _, s := range []string{"evaluation", "work_plan", "benefits", "validation", "implementation"} {
		us.waitJS("the section "+s, fmt.Sprintf(`!!document.querySelector('#stage-%s h2')`, s), 5*time.Second)
	}
	us.waitText("#coverage", "Still missing: importer, consolidator and carrier.", 5*time.Second)

	// a step, then ticked done
	us.click(`details[data-kind=step] summary`)
	us.setValue("#step-text", "Exchange the criteria")
	us.setValue("#step-owner", "SG")
	us.setValue("#step-due", "2027-03-31")
	us.click("#add-step")
	us.waitJS("the step", `[...document.querySelectorAll('#steps tbody tr')].some(tr => tr.textContent.includes('Exchange the criteria') && tr === document.activeElement)`, 5*time.Second)
	if got := us.text("#steps tbody tr"); !strings.Contains(got, "SG") || !strings.Contains(got, "2027-03-31") {
		t.Errorf("the step's row: %q", got)
	}
	if v := evalIn[string](us, `document.querySelector('#step-text').value`); v != "" {
		t.Errorf("the step form keeps %q", v)
	}
	us.click("#steps .done-box")
	us.waitJS("the step done, the focus on its box", `document.activeElement?.matches('#steps .done-box') && document.activeElement.checked && document.activeElement.closest('tr').classList.contains('done')`, 5*time.Second)
	if s := usAPI.stage(id, mra.StageWorkPlan).Items; len(s) != 1 || !s[0].Done || s[0].Owner != "SG" || s[0].Due != "2027-03-31" {
		t.Errorf("the step on the server: %+v", s)
	}

	// a benefit as US, agreed as SG in SG's page
	us.click(`details[data-kind=benefit] summary`)
	us.setValue("#benefit-text", "Fewer examinations at the border")
	us.click("#add-benefit")
	us.waitText("#benefits li", "waiting for SG", 5*time.Second)
	if evalIn[bool](us, `!!document.querySelector('#benefits button.agree')`) {
		t.Error("US may agree its own benefit again")
	}
	sg := e.page("sg-neg")
	sg.login("sg-neg")
	sg.stagesView(id, "work")
	sg.waitText("#benefits li", "Agreed by US; waiting for SG.", 5*time.Second)
	sg.click("#benefits button.agree")
	sg.waitJS("agreed by all, the focus on it", `document.activeElement?.matches('#benefits li[data-agreed=all]')`, 5*time.Second)
	if got := sg.text("#benefits li"); !strings.Contains(got, "Agreed by US and SG (all parties).") || !strings.Contains(got, "Agreed") {
		t.Errorf("SG's benefit: %q", got)
	}
	us.stagesView(id, "work")
	us.waitText("#benefits li[data-agreed=all]", "Agreed by US and SG (all parties).", 5*time.Second)
	// new words: agreed again, by US alone at first
	us.click("#benefits button.item-edit")
	us.waitJS("the change form, focused", `document.activeElement?.matches('#benefits .item-edit-form textarea.edit-text')`, 5*time.Second)
	if got := us.text("#benefits .item-edit-form .hint"); !strings.Contains(got, "New words must be agreed again") {
		t.Errorf("the change form's warning: %q", got)
	}
	us.setValue("#benefits .item-edit-form textarea.edit-text", "Fewer examinations at the border and priority after a disruption")
	us.click("#benefits .item-edit-save")
	us.waitJS("the changed benefit, focused", `document.activeElement?.matches('#benefits li') && document.activeElement.textContent.includes('priority after a disruption')`, 5*time.Second)
	if got := us.text("#benefits li"); !strings.Contains(got, "Agreed by US; waiting for SG.") {
		t.Errorf("the changed benefit: %q", got)
	}
	if b := usAPI.stage(id, mra.StageBenefits).Items; len(b) != 1 || len(b[0].AgreedBy) != 1 || b[0].AgreedBy[0] != "US" {
		t.Errorf("the changed benefit on the server: %+v", b)
	}

	// observations of two sectors: the coverage names the one missing
	addObs := func(date, sector, findings string) {
		t.Helper()
		if !evalIn[bool](us, `document.querySelector('details[data-kind=observation]').open`) {
			us.click(`details[data-kind=observation] summary`)
		}
		us.setValue("#obs-date", date)
		us.setValue("#obs-sector", sector)
		us.setValue("#obs-place", "Port of Singapore")
		us.setValue("#obs-findings", findings)
		us.click("#add-observation")
		us.waitJS("the observation", fmt.Sprintf(`document.activeElement?.matches('.sector[data-sector=%s] li') && document.activeElement.textContent.includes(%s)`, sector, jsString(findings)), 5*time.Second)
	}
	addObs("2027-05-04", "importer", "Seals checked at the dock")
	addObs("2027-05-05", "carrier", "Drivers' logs kept")
	us.waitText("#coverage", "Still missing: consolidator. Importer, consolidator and carrier each need an observation. Observed so far: importer 1, carrier 1.", 5*time.Second)
	us.waitJS("the coverage read out", `window.__announced.some(a => a.startsWith('Observation recorded. Still missing: consolidator.'))`, 5*time.Second)
	if c := usAPI.stage(id, mra.StageValidation).Coverage; c == nil || strings.Join(c.Missing, ",") != "consolidator" {
		t.Errorf("coverage on the server: %+v", c)
	}
	// a refusal the page cannot foresee (a browser without a date picker
	// lets any words through): the server's words, announced
	evalIn[chromedp.Void](us, `document.querySelector('#obs-date').type = 'text'`)
	us.setValue("#obs-date", "2027-02-30")
	us.setValue("#obs-findings", "A day that is not one")
	us.click("#add-observation")
	us.waitText("#add-observation-error", "Item.date must be a date, YYYY-MM-DD", 5*time.Second)
	if role := evalIn[string](us, `document.querySelector('#add-observation-error').getAttribute('role')`); role != "alert" {
		t.Errorf("the refusal's role %q: not read out", role)
	}
	if !us.focused("#obs-date") {
		t.Error("the focus is not on the form after a refusal")
	}

	// a prerequisite set met with its evidence
	cell := `td[data-program=US][data-prerequisite=operational_program]`
	us.click(cell + " .prereq-met")
	us.setValue(cell+" .prereq-evidence-input", "CTPAT since 2001, 11,000 members")
	us.click(cell + " button[type=submit]")
	us.waitJS("the prerequisite met, the focus on its box", `document.activeElement?.matches('`+cell+` .prereq-met') && document.activeElement.checked`, 5*time.Second)
	if got := us.text(cell + " .prereq-state"); got != "Met · Evidence: CTPAT since 2001, 11,000 members" {
		t.Errorf("the prerequisite's cell: %q", got)
	}
	us.shot("stages-04a-evaluation", "#stage-evaluation")
	// a stale page adds what another tab added meanwhile: the server's reason shows
	usAPI.do("add_item", map[string]any{"partnership": id, "item": map[string]any{"kind": "prerequisite", "program": "US", "prerequisite": "cmaa", "met": true}})
	cmaa := `td[data-program=US][data-prerequisite=cmaa]`
	us.click(cmaa + " button[type=submit]")
	us.waitText(cmaa+" .error", "US's cmaa is listed already", 5*time.Second)
	us.waitJS("the refusal announced", `window.__announced.some(a => a.includes("US's cmaa is listed already"))`, 5*time.Second)
	var prereqs []mra.Item
	for _, it := range usAPI.stage(id, mra.StageEvaluation).Items {
		if it.Kind == mra.ItemPrerequisite {
			prereqs = append(prereqs, it)
		}
	}
	if len(prereqs) != 2 || prereqs[0].Prerequisite != "operational_program" || !prereqs[0].Met || prereqs[0].Evidence != "CTPAT since 2001, 11,000 members" {
		t.Errorf("prerequisites on the server: %+v", prereqs)
	}

	// user text is text, never markup
	markup := `<img src=x id=injected> & <b>bold</b>`
	usAPI.do("add_item", map[string]any{"partnership": id, "item": map[string]any{"kind": "factor", "factor": "other", "text": markup}})
	us.stagesView(id, "work")
	us.waitText("#factors li", markup, 5*time.Second)
	if evalIn[bool](us, `!!document.querySelector('#injected, #factors b')`) {
		t.Error("a factor's text became markup")
	}

	// a procedure, done
	us.click(`details[data-kind=procedure] summary`)
	us.setValue("#procedure-text", "Share the lists of certified members monthly")
	us.click("#add-procedure")
	us.waitJS("the procedure", `document.activeElement?.matches('#procedures li')`, 5*time.Second)
	us.click("#procedures .done-box")
	us.waitJS("the procedure done", `document.activeElement?.matches('#procedures .done-box') && document.activeElement.checked`, 5*time.Second)
	us.checkA11y("work, everything added")
	us.screenshot("stages-04-work")

	// a legal reviewer reads everything and gets no form
	legal := e.page("us-legal")
	legal.login("us-legal")
	legal.stagesView(id, "work")
	legal.waitText("#steps", "Exchange the criteria", 5*time.Second)
	if n := evalIn[int](legal, `document.querySelectorAll('.add-item-box, .done-box, .prereq-form, button.agree, button.item-edit').length`); n != 0 {
		t.Errorf("the legal reviewer has %d forms or controls", n)
	}
	if got := legal.text("#steps tbody tr td:last-child"); got != "Done" {
		t.Errorf("the step's done for the legal reviewer: %q", got)
	}
	if got := legal.text(cell + " .prereq-state"); !strings.HasPrefix(got, "Met") {
		t.Errorf("the prerequisite for the legal reviewer: %q", got)
	}
	legal.checkA11y("work as legal reviewer")

	ex := e.page("ex-neg")
	ex.login("ex-neg")
	ex.stagesView(id, "work")
	ex.waitText("#stages-not-found h1", "Not found", 5*time.Second)
}

// Keyboard only at 800 px, with axe, on both views.
func TestStagesKeyboard(t *testing.T) {
	e := newEnv(t)
	id := stagesPartnership(e, "CTPAT and STP")
	e.api("sg-neg").do("set_criteria", map[string]any{"partnership": id, "text": sgCriteria})
	us := e.page("us-neg")
	us.viewport(800, 900)
	us.login("us-neg")

	us.stagesView(id, "criteria")
	us.waitText("#criteria-of-SG", "set by sg-neg", 5*time.Second)
	us.tabTo("#stages-back", "#criteria-text", 10)
	us.press("Seals are verified at stuffing by written procedure.\rStaff are screened before hiring.")
	us.tabTo("#criteria-text", "#criteria-submit", 2)
	us.press("\r")
	us.waitJS("the focus on US's line", `document.activeElement?.id === 'criteria-of-US'`, 5*time.Second)
	if n := evalIn[int](us, `document.querySelectorAll('table.cmp tbody tr[data-row]').length`); n == 0 {
		t.Fatal("no comparison rows")
	}
	us.tabTo("#criteria-of-US", "#next-unmarked", 10)
	us.press("\r")
	us.press("\t")
	us.press("\t") // Equivalent, Partly
	us.press(" ")
	us.waitText("#criteria-summary [data-party=US]", "US: 0 equivalent, 1 partly", 5*time.Second)
	us.waitJS("the focus on the mark", `document.activeElement?.matches('button[data-mark=partly][aria-pressed=true]')`, 5*time.Second)
	us.tabTo(`button[data-mark=partly][aria-pressed=true]`, "button.note-open", 3)
	us.press("\r")
	us.waitJS("the note form", `document.activeElement?.id === 'row-note-text'`, 5*time.Second)
	us.press("Close to ours.")
	us.tabTo("#row-note-text", "#row-note-submit", 4)
	us.press("\r")
	us.waitJS("the note, focused", `document.activeElement?.matches('tr.thread-row li[data-note]')`, 5*time.Second)
	us.fitsWidth("criteria at 800 px")
	us.checkA11y("criteria by keyboard at 800 px")
	us.screenshot("stages-05-criteria-800")

	us.stagesView(id, "work")
	us.tabTo("#stages-back", "details[data-kind=step] summary", 40)
	us.press("\r")
	us.tabTo("details[data-kind=step] summary", "#step-text", 1)
	us.press("Agree the validation plan")
	us.tabTo("#step-text", "#add-step", 8)
	us.press("\r")
	us.waitJS("the step, focused", `document.activeElement?.matches('#steps tbody tr')`, 5*time.Second)
	us.tabTo("#steps tbody tr", "#steps .done-box", 2)
	us.press(" ")
	us.waitJS("the step done", `document.activeElement?.matches('#steps .done-box') && document.activeElement.checked`, 5*time.Second)
	us.tabTo("#steps .done-box", "details[data-kind=benefit] summary", 20) // the open step form, its date a stop per part
	us.press("\r")
	us.tabTo("details[data-kind=benefit] summary", "#benefit-text", 1)
	us.press("Priority at the border")
	us.tabTo("#benefit-text", "#add-benefit", 2)
	us.press("\r")
	us.waitJS("the benefit, focused", `document.activeElement?.matches('#benefits li')`, 5*time.Second)
	us.fitsWidth("work at 800 px")
	us.checkA11y("work by keyboard at 800 px")
	us.screenshot("stages-06-work-800")
	us.viewport(1280, 900)
	us.fitsWidth("work at 1280 px")
	us.checkA11y("work at 1280 px")
	us.stagesView(id, "criteria")
	us.fitsWidth("criteria at 1280 px")
	us.checkA11y("criteria at 1280 px")
}

// BenchmarkStagesCriteria400: in headless Chromium, the criteria view of
// two 400-paragraph criteria (the server test's texts): from the route
// opened (out of the list) to its 400 rows drawn, and from a mark pressed
// to the summary counting it (the command, the read again, the rows
// redrawn, the focus back); with the longest main-thread task of each.
func BenchmarkStagesCriteria400(b *testing.B) {
	w := servertest.New(b, servertest.Options{Page: frontend.FS()})
	us := w.Login("us-neg")
	var created struct {
		Partnership string `json:"partnership"`
	}
	us.Must(map[string]any{"type": "create_partnership", "title": "CTPAT and STP", "parties": []string{"US", "SG"}}, &created)
	id := created.Partnership
	var usText, sgText strings.Builder
	for i := range 400 {
		fmt.Fprintf(&usText, "Criterion %d on container seals number %d: written procedures verify seal integrity of containers at stuffing point %d, as the members' security officers record each inspection in the log.\n", i, i, i)
		fmt.Fprintf(&sgText, "Requirement %d for seals number %d: the integrity of container seals is verified by procedure at stuffing point %d.\n", i, i, i)
	}
	us.Must(map[string]any{"type": "set_criteria", "partnership": id, "text": usText.String()}, nil)
	w.Login("sg-neg").Must(map[string]any{"type": "set_criteria", "partnership": id, "text": sgText.String()}, nil)
	ctx := benchPage(b, w, "us-neg")
	rows := `document.querySelectorAll('table.cmp tbody tr[data-row]').length === 400`
	var open, openTask, mark, markTask []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		benchRun(b, ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(w.URL()+"/#/"), chromedp.WaitVisible("#logout"), chromedp.Sleep(300*time.Millisecond))
		b.StartTimer()
		ms, long := benchMeasure(b, ctx, `location.hash = '#/p/`+id+`/criteria';`, rows)
		open, openTask = append(open, ms), append(openTask, long)
		m := []string{"equivalent", "gap"}[i%2]
		want := map[string]string{"equivalent": "US: 1 equivalent, 0 partly, 0 gap", "gap": "US: 0 equivalent, 0 partly, 1 gap"}[m]
		ms, long = benchMeasure(b, ctx, `document.querySelector('table.cmp tbody tr:nth-child(200) button[data-mark=`+m+`]').click();`,
			`document.querySelector('#criteria-summary [data-party=US]').textContent.startsWith(`+jsString(want)+`) && document.activeElement.matches('button[aria-pressed=true]')`)
		mark, markTask = append(mark, ms), append(markTask, long)
	}
	b.StopTimer()
	b.ReportMetric(median(open), "ms/open")
	b.ReportMetric(median(openTask), "ms-longest-task-open")
	b.ReportMetric(median(mark), "ms/mark")
	b.ReportMetric(median(markTask), "ms-longest-task-mark")
}

// A party's own criteria come back into its form from the read, also
// before the other party has set theirs (no comparison yet).
func TestStagesCriteriaOwnText(t *testing.T) {
	e := newEnv(t)
	usAPI := e.api("us-neg")
	id := usAPI.do("create_partnership", map[string]any{"title": "CTPAT and STP", "parties": []string{"US", "SG"}})["partnership"].(string)
	text := "Seals on every loaded container.\nBadges for every visitor."
	usAPI.do("set_criteria", map[string]any{"partnership": id, "text": text + "\n"})
	us := e.page("us-neg")
	us.login("us-neg")
	us.open("/#/p/" + id + "/criteria")
	us.waitJS("the form", `!!document.querySelector('#criteria-text')`, 10*time.Second)
	if got := evalIn[string](us, `document.querySelector('#criteria-text').value`); strings.TrimSpace(got) != text {
		t.Errorf("the form holds %q, want our criteria", got)
	}
}
