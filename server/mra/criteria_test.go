package mra

import (
	"strings"
	"testing"
)

const usCriteria = `Business partner requirements: members must have written procedures to screen new business partners.
Container security: container integrity must be maintained; high security seals must be affixed to loaded containers.

Cybersecurity: members must have written policies protecting information technology systems.
`

const sgCriteria = "Trading partner security: the company shall screen its trading partners by written procedures.\r\n" +
	"Cargo security: the integrity of containers is maintained and tamper-evident seals are affixed to every loaded container.\r\n" +
	"Conveyance security: vehicles are inspected for hidden compartments before loading.\r\n"

func TestCriteriaComparison(t *testing.T) {
	f := newPFixture(t)
	f.must("us-neg", Command{Type: CmdSetCriteria, Text: ptr(usCriteria)})
	if cs := f.p.Comparisons(); len(cs) != 0 {
		t.Fatalf("a comparison with one side's criteria: %+v", cs)
	}
	f.must("sg-neg", Command{Type: CmdSetCriteria, Text: ptr(sgCriteria)})
	cs := f.p.Comparisons()
	if len(cs) != 1 || cs[0].Parties != [2]PartyID{"SG", "US"} {
		t.Fatalf("comparisons %+v", cs)
	}
	rows := cs[0].Rows
	side := func(s *string) string {
		if s == nil {
			return "-"
		}
		return strings.SplitN(*s, ":", 2)[0]
	}
	var got []string
	for _, r := range rows {
		got = append(got, side(r.A)+" | "+side(r.B))
	}
	want := []string{"Trading partner security | Business partner requirements", "Cargo security | Container security",
		"Conveyance security | -", "- | Cybersecurity"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(*rows[0].A, "\r") {
		t.Error("a CR was kept in the criteria")
	}

	// Marks by each side, counted; a mark on a row of no comparison is not_found.
	f.must("us-neg", Command{Type: CmdMarkCriterion, Row: rows[1].Row, Mark: MarkEquivalent})
	f.must("us-legal", Command{Type: CmdMarkCriterion, Row: rows[3].Row, Mark: MarkGap})
	f.must("sg-neg", Command{Type: CmdMarkCriterion, Row: rows[1].Row, Mark: MarkPartly})
	for _, tc := range []struct {
		user UserID
		cmd  Command
		code Code
	}{
		{"us-neg", Command{Type: CmdMarkCriterion, Row: "r-nothing", Mark: MarkGap}, CodeNotFound},
		{"us-neg", Command{Type: CmdMarkCriterion, Row: rows[0].Row, Mark: "fine"}, CodeBadRequest},
		{"us-sign", Command{Type: CmdMarkCriterion, Row: rows[0].Row, Mark: MarkGap}, CodeForbidden},
		{"ex-neg", Command{Type: CmdMarkCriterion, Row: rows[0].Row, Mark: MarkGap}, CodeNotFound},
		{"us-legal", Command{Type: CmdSetCriteria, Text: ptr("x")}, CodeForbidden},
		{"us-neg", Command{Type: CmdSetCriteria, Text: ptr(" \n \n")}, CodeBadRequest},
		{"us-neg", Command{Type: CmdSetCriteria}, CodeBadRequest},
		{"us-neg", Command{Type: CmdSetCriteria, Text: ptr(strings.Repeat("criterion\n", MaxCriteriaParagraphs+1))}, CodeBadRequest},
	} {
		if _, err := f.do(tc.user, tc.cmd); err == nil || err.Code != tc.code {
			t.Errorf("%s %s: got %v, want %s", tc.user, tc.cmd.Type, err, tc.code)
		}
	}
	c := f.p.Comparisons()[0]
	if c.Rows[1].Marks["US"] != MarkEquivalent || c.Rows[1].Marks["SG"] != MarkPartly || c.Rows[3].Marks["US"] != MarkGap {
		t.Errorf("marks %+v", c.Rows)
	}
	if s := c.Summary["US"]; s["equivalent"] != 1 || s["gap"] != 1 || s["unmarked"] != 2 {
		t.Errorf("US summary %v", s)
	}
	if s := c.Summary["SG"]; s["partly"] != 1 || s["unmarked"] != 3 {
		t.Errorf("SG summary %v", s)
	}

	// New words in a row make it another row: its marks no longer apply.
	f.must("us-neg", Command{Type: CmdSetCriteria, Text: ptr(strings.Replace(usCriteria, "high security seals", "ISO 17712 high security seals", 1))})
	c = f.p.Comparisons()[0]
	if len(c.Rows[1].Marks) != 0 || c.Rows[3].Marks["US"] != MarkGap {
		t.Errorf("after US changed its container criterion: %+v", c.Rows)
	}
	n := len(f.events)
	f.must("us-neg", Command{Type: CmdSetCriteria, Text: ptr(strings.Replace(usCriteria, "high security seals", "ISO 17712 high security seals", 1))})
	if len(f.events) != n {
		t.Error("setting the same criteria again made an event")
	}
	v := f.p.View("SG")
	if cr := v.Stages[3]; cr.Stage != StageCriteria || len(cr.Comparisons) != 1 || cr.Criteria["US"].By != "us-neg" ||
		cr.Criteria["US"].Text != "" || !strings.HasPrefix(cr.Criteria["SG"].Text, "Trading partner security") {
		t.Errorf("criteria stage view as SG (its own text only): %+v", cr.Criteria)
	}
	// A note on a row: a thread of the comparison.
	row := c.Rows[0].Row
	f.must("sg-neg", Command{Type: CmdStageNote, Stage: StageCriteria, Visibility: Shared, Body: ptr("Is screening yearly on both sides?"), Row: row})
	if _, err := f.do("sg-neg", Command{Type: CmdStageNote, Stage: StageCriteria, Visibility: Shared, Body: ptr("x"), Row: "r-none"}); err == nil || err.Code != CodeNotFound {
		t.Errorf("a note on no row: %v", err)
	}
	if _, err := f.do("sg-neg", Command{Type: CmdStageNote, Stage: StageBenefits, Visibility: Shared, Body: ptr("x"), Row: row}); err == nil {
		t.Error("a note on a row of another stage")
	}
	if notes := f.p.View("US").Stages[3].Notes; len(notes) != 1 || notes[0].Row != row {
		t.Errorf("notes %+v", notes)
	}
	checkFold(t, f)
}
