package mra

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// pfixture runs partnership commands as the engine does: Decide, Seal,
// Apply; the partnership is US–SG.
type pfixture struct {
	t      *testing.T
	p      *Partnership
	now    time.Time
	ids    int
	linked map[NegotiationID]*Negotiation
	events []*Event
}

func newPFixture(t *testing.T) *pfixture {
	f := &pfixture{t: t, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), linked: map[NegotiationID]*Negotiation{}}
	f.must("us-neg", Command{Type: CmdCreatePartnership, Title: "CTPAT and STP", Parties: []PartyID{"US", "SG"}})
	return f
}

func (f *pfixture) do(user UserID, cmd Command) (any, *Error) {
	f.t.Helper()
	f.now = f.now.Add(time.Second)
	f.ids++
	cmd.ID = fmt.Sprintf("c%d", f.ids)
	if f.p != nil {
		cmd.Partnership = f.p.ID
	}
	in := PartnershipInput{Actor: fixtureUsers[user], Now: f.now, Parties: fixtureParties,
		NewID: func() string { f.ids++; return fmt.Sprintf("%04d", f.ids) }}
	if n := f.linked[cmd.Negotiation]; n != nil && n.Member(in.Actor.Party) {
		in.Linked = n
	}
	var before string
	if f.p != nil {
		before = views(f.p)
	}
	out, err := DecidePartnership(f.p, &cmd, in)
	if err != nil {
		if f.p != nil && views(f.p) != before {
			f.t.Fatal("a refused command changed the partnership")
		}
		e, ok := err.(*Error)
		if !ok {
			f.t.Fatalf("%s as %s: not a contract error: %v", cmd.Type, user, err)
		}
		return nil, e
	}
	if f.p == nil {
		f.p = NewPartnership(out.Events[0].Partnership)
	}
	if err := f.p.Seal(out.Events); err != nil {
		f.t.Fatal(err)
	}
	for _, e := range out.Events {
		if err := f.p.Apply(e); err != nil {
			f.t.Fatal(err)
		}
	}
	f.events = append(f.events, out.Events...)
	return out.Result(f.p), nil
}

// views is what each party sees of p, as JSON.
func views(p *Partnership) string {
	b, _ := json.Marshal([]PartnershipView{p.View("US"), p.View("SG")})
	return string(b)
}

func (f *pfixture) must(user UserID, cmd Command) any {
	f.t.Helper()
	r, err := f.do(user, cmd)
	if err != nil {
		f.t.Fatalf("%s as %s: %v", cmd.Type, user, err)
	}
	return r
}

func TestPartnershipRules(t *testing.T) {
	signed := newFixture(t, 1, clauses)
	other := newFixture(t, 1, clauses)
	other.n.Parties = []PartyID{"US", "EX"}
	for _, tc := range []struct {
		name string
		user UserID
		cmd  Command
		code Code
	}{
		{"create by a legal reviewer", "us-legal", Command{Type: CmdCreatePartnership, Title: "x", Parties: []PartyID{"US", "SG"}}, CodeForbidden},
		{"create without own party", "us-neg", Command{Type: CmdCreatePartnership, Title: "x", Parties: []PartyID{"SG", "EX"}}, CodeBadRequest},
		{"create with one party", "us-neg", Command{Type: CmdCreatePartnership, Title: "x", Parties: []PartyID{"US"}}, CodeBadRequest},
		{"create with an unknown party", "us-neg", Command{Type: CmdCreatePartnership, Title: "x", Parties: []PartyID{"US", "ZZ"}}, CodeBadRequest},
		{"create twice listed", "us-neg", Command{Type: CmdCreatePartnership, Title: "x", Parties: []PartyID{"US", "US"}}, CodeBadRequest},
		{"create without a title", "us-neg", Command{Type: CmdCreatePartnership, Title: "  ", Parties: []PartyID{"US", "SG"}}, CodeBadRequest},
		{"mark by a non-partner", "ex-neg", Command{Type: CmdMarkStage, Stage: StageEvaluation, StageStatus: StageDone}, CodeNotFound},
		{"mark by a legal reviewer", "us-legal", Command{Type: CmdMarkStage, Stage: StageEvaluation, StageStatus: StageDone}, CodeForbidden},
		{"mark an unknown stage", "us-neg", Command{Type: CmdMarkStage, Stage: "lunch", StageStatus: StageDone}, CodeBadRequest},
		{"mark an unknown status", "us-neg", Command{Type: CmdMarkStage, Stage: StageEvaluation, StageStatus: "nearly"}, CodeBadRequest},
		{"note by a signatory", "us-sign", Command{Type: CmdStageNote, Stage: StageEvaluation, Visibility: Shared, Body: ptr("x")}, CodeForbidden},
		{"note without a body", "us-legal", Command{Type: CmdStageNote, Stage: StageEvaluation, Visibility: Shared, Body: ptr(" ")}, CodeBadRequest},
		{"note too long", "us-legal", Command{Type: CmdStageNote, Stage: StageEvaluation, Visibility: Shared, Body: ptr(strings.Repeat("x", MaxBodyChars+1))}, CodeBadRequest},
		{"note without visibility", "us-legal", Command{Type: CmdStageNote, Stage: StageEvaluation, Body: ptr("x")}, CodeBadRequest},
		{"note by a non-partner", "ex-neg", Command{Type: CmdStageNote, Stage: StageEvaluation, Visibility: Shared, Body: ptr("x")}, CodeNotFound},
		{"link nothing", "us-neg", Command{Type: CmdLinkNegotiation, Negotiation: "n-none"}, CodeNotFound},
		{"link other parties' negotiation", "us-neg", Command{Type: CmdLinkNegotiation, Negotiation: other.n.ID}, CodeBadRequest},
		{"link by a legal reviewer", "us-legal", Command{Type: CmdLinkNegotiation, Negotiation: signed.n.ID}, CodeForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newPFixture(t)
			f.linked[signed.n.ID], f.linked[other.n.ID] = signed.n, other.n
			if _, err := f.do(tc.user, tc.cmd); err == nil || err.Code != tc.code {
				t.Errorf("got %v, want %s", err, tc.code)
			}
		})
	}
}

// Stages, notes (a party's internal ones seen by it alone) and links, and
// the fold of the sealed events gives the same partnership.
func TestPartnershipLife(t *testing.T) {
	f := newPFixture(t)
	neg := newFixture(t, 1, clauses)
	f.linked[neg.n.ID] = neg.n
	v := f.p.View("SG")
	if len(v.Stages) != 9 || v.Current != StageEvaluation || v.Stages[0].Status != StageNotStarted || v.Stages[0].At != nil {
		t.Fatalf("a new partnership: %+v", v)
	}
	f.must("us-neg", Command{Type: CmdMarkStage, Stage: StageEvaluation, StageStatus: StageDone})
	f.must("sg-neg", Command{Type: CmdMarkStage, Stage: StageWorkPlan, StageStatus: StageInProgress})
	n := len(f.events)
	f.must("sg-neg", Command{Type: CmdMarkStage, Stage: StageWorkPlan, StageStatus: StageInProgress}) // no change, no event
	if len(f.events) != n {
		t.Error("marking a stage as it stands made an event")
	}
	f.must("us-legal", Command{Type: CmdStageNote, Stage: StageEvaluation, Visibility: Shared, Body: ptr("CMAA in force since 2008-06-26.")})
	f.must("us-legal", Command{Type: CmdStageNote, Stage: StageCriteria, Visibility: Internal, Body: ptr("Their criteria on IT security look weaker than ours.")})
	f.must("sg-neg", Command{Type: CmdStageNote, Stage: StageCriteria, Visibility: Internal, Body: ptr("SG only.")})
	f.must("us-neg", Command{Type: CmdLinkNegotiation, Negotiation: neg.n.ID})
	n = len(f.events)
	f.must("sg-neg", Command{Type: CmdLinkNegotiation, Negotiation: neg.n.ID}) // linked already
	if len(f.events) != n {
		t.Error("linking twice made an event")
	}

	us, sg := f.p.View("US"), f.p.View("SG")
	if us.Current != StageWorkPlan || us.Stages[0].Status != StageDone || us.Stages[0].By != "us-neg" || us.Stages[1].Party != "SG" {
		t.Errorf("stages: %+v", us.Stages[:2])
	}
	notes := func(v PartnershipView, s int) (out []string) {
		for _, n := range v.Stages[s].Notes {
			out = append(out, n.Body)
		}
		return out
	}
	if got := notes(us, 3); len(got) != 1 || !strings.Contains(got[0], "IT security") {
		t.Errorf("US's criteria notes: %q", got)
	}
	if got := notes(sg, 3); len(got) != 1 || got[0] != "SG only." {
		t.Errorf("SG's criteria notes: %q (US's internal note must not be among them)", got)
	}
	if got := notes(sg, 0); len(got) != 1 {
		t.Errorf("SG's evaluation notes: %q", got)
	}
	for _, e := range f.events {
		if e.Kind == EvStageNoted && e.Data.(*StageNoted).Visibility == Internal && (e.Stream != Internal || e.Owner != e.Actor.Party) {
			t.Errorf("an internal note on the %s stream of %q", e.Stream, e.Owner)
		}
		if strings.Contains(string(e.JSON), `"negotiation":`) && e.Kind != EvNegotiationLinked {
			t.Errorf("a partnership event names a negotiation: %s", e.JSON)
		}
	}
	if len(us.Negotiations) != 1 || us.Negotiations[0] != neg.n.ID {
		t.Errorf("negotiations: %v", us.Negotiations)
	}

	checkFold(t, f)
}

// checkFold checks the stored bytes of every event of f and folds them
// back: the same partnership, as each party sees it.
func checkFold(t *testing.T, f *pfixture) {
	t.Helper()
	var decoded []*Event
	prev := map[StreamKey]string{}
	for _, e := range f.events {
		h, err := CheckEvent(prev[e.Key()], e.JSON)
		if err != nil {
			t.Fatal(err)
		}
		if h.Partnership != f.p.ID || h.Negotiation != "" {
			t.Fatalf("head %+v", h)
		}
		prev[e.Key()] = h.Hash
		d, err := DecodeChecked(e.JSON, h)
		if err != nil {
			t.Fatal(err)
		}
		decoded = append(decoded, d)
	}
	fold, err := FoldPartnership(f.p.ID, decoded)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := views(fold), views(f.p); got != want {
		t.Errorf("fold %s\nwant %s", got, want)
	}
}
