package mra

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// meetingFixture is a US–SG negotiation with version 1 (clauses), a shared
// open issue raised by US, a shared consensus, SG's shared open issue, and
// an internal US open issue.
type meetingFixture struct {
	*fixture
	issue, consensus, sgIssue, internal ThreadID
}

func newMeetingFixture(t *testing.T) *meetingFixture {
	t.Helper()
	f := newFixture(t, 1, clauses)
	return &meetingFixture{
		fixture:   f,
		issue:     f.comment("us-neg", 1, "within 30 days", KindOpenIssue, Shared),
		consensus: f.comment("us-neg", 1, "contact point", KindConsensus, Shared),
		sgIssue:   f.comment("sg-neg", 1, "importers", KindOpenIssue, Shared),
		internal:  f.comment("us-neg", 1, "validation findings", KindOpenIssue, Internal),
	}
}

func (f *meetingFixture) start(user UserID) Meeting {
	f.t.Helper()
	return f.must(user, Command{Type: CmdStartMeeting, Title: "Round 3", Parties: []PartyID{"US", "SG"}}).(Meeting)
}

func (f *meetingFixture) dispose(user UserID, m MeetingID, th ThreadID, c Command) MeetingResult {
	f.t.Helper()
	c.Type, c.Meeting, c.Thread = CmdDispose, m, th
	return f.must(user, c).(MeetingResult)
}

// TestMeetingWhole: a meeting from start to approved minutes, as the
// contract says each step looks.
func TestMeetingWhole(t *testing.T) {
	f := newMeetingFixture(t)
	m := f.start("us-neg")
	if !strings.HasPrefix(string(m.ID), "g-") || m.Title != "Round 3" || m.Chair != "us-neg" || m.ChairParty != "US" ||
		!m.Running || m.EndedAt != nil || m.Focus != nil || !slices.Equal(m.Parties, []PartyID{"US", "SG"}) ||
		len(m.Discussed) != 0 || m.Minutes != nil || m.Approved {
		t.Fatalf("started %+v", m)
	}
	if e := f.events[0]; len(f.events) != 1 || e.Kind != EvMeetingStarted || e.Stream != Shared {
		t.Fatalf("events %v", f.events)
	}

	got := f.must("us-neg", Command{Type: CmdFocusIssue, Meeting: m.ID, Thread: f.sgIssue}).(Meeting)
	if got.Focus == nil || *got.Focus != f.sgIssue || !slices.Equal(got.Discussed, []ThreadID{f.sgIssue}) {
		t.Fatalf("focused %+v", got)
	}
	// SG's issue: agreed by all present (the default).
	r := f.dispose("sg-neg", m.ID, f.sgIssue, Command{Outcome: OutcomeAgreed, Body: ptr("  as drafted  ")})
	if !strings.HasPrefix(string(r.Disposition), "d-") || r.Meeting != m.ID {
		t.Fatalf("result %+v", r)
	}
	// US's issue: ad referendum for SG's capital, an action for US, then
	// an action for SG due earlier.
	ref := f.dispose("us-neg", m.ID, f.issue, Command{Outcome: OutcomeAdReferendum, Owner: "SG"}).Disposition
	f.dispose("us-neg", m.ID, f.issue, Command{Outcome: OutcomeAction, Owner: "US", Due: "2026-12-20", Body: ptr("Send the revised article")})
	f.dispose("sg-neg", m.ID, f.issue, Command{Outcome: OutcomeAction, Owner: "SG", Due: "2026-12-10", Body: ptr("Consult the ministry")})
	f.dispose("sg-neg", m.ID, f.issue, Command{Outcome: OutcomeAction, Owner: "US", Due: "2026-12-05", Body: ptr("Check the 30 days")})
	if s := f.status(f.issue); s != StatusOpen {
		t.Errorf("a disposition changed the issue's status to %s", s)
	}
	f.must("us-neg", Command{Type: CmdFocusIssue, Meeting: m.ID, Thread: f.consensus})
	// A version proposed while the meeting runs.
	v2 := strings.Replace(clauses, "30 days", "45 days", 1)
	f.propose("sg-neg", v2)

	end := f.must("us-neg", Command{Type: CmdEndMeeting, Meeting: m.ID}).(Meeting)
	if end.Running || end.EndedAt == nil || !end.EndedAt.Equal(f.now.UTC().Truncate(1e6)) || end.Focus != nil || end.Minutes == nil {
		t.Fatalf("ended %+v", end)
	}
	mins := end.Minutes
	if mins.Title != "Round 3" || mins.Negotiation != f.n.ID || mins.Chair != "us-neg" || !mins.StartedAt.Equal(m.StartedAt) ||
		!mins.EndedAt.Equal(*end.EndedAt) || !slices.Equal(mins.Parties, []PartyID{"US", "SG"}) {
		t.Errorf("minutes head %+v", mins)
	}
	// Issues in the order first taken up; outcomes the latest that is not
	// an action; the consensus, only focused, has none.
	var order []ThreadID
	for _, is := range mins.Issues {
		order = append(order, is.Thread)
	}
	if !slices.Equal(order, []ThreadID{f.sgIssue, f.issue, f.consensus}) {
		t.Fatalf("issues %v", order)
	}
	sg, us, cons := mins.Issues[0], mins.Issues[1], mins.Issues[2]
	if sg.RaisedBy != "SG" || sg.Quote != "importers" || sg.Statement != "about importers" || sg.Outcome != OutcomeAgreed ||
		len(sg.Dispositions) != 1 || sg.Dispositions[0].Body != "as drafted" || !slices.Equal(sg.Dispositions[0].Parties, []PartyID{"US", "SG"}) {
		t.Errorf("SG's issue %+v", sg)
	}
	if us.RaisedBy != "US" || us.Outcome != OutcomeAdReferendum || len(us.Dispositions) != 4 || us.Dispositions[0].Confirmed != RefPending ||
		us.Dispositions[0].Owner != "SG" {
		t.Errorf("US's issue %+v", us)
	}
	if us.Quote != "within 45 days" && us.Quote != "within 30 days" {
		t.Errorf("quote %q", us.Quote)
	}
	if cons.Outcome != "" || len(cons.Dispositions) != 0 {
		t.Errorf("the consensus %+v", cons)
	}
	// Actions by owner, then due.
	var acts []string
	for _, a := range mins.Actions {
		acts = append(acts, string(a.Owner)+" "+a.Due+" "+a.Body)
	}
	if want := []string{"SG 2026-12-10 Consult the ministry", "US 2026-12-05 Check the 30 days", "US 2026-12-20 Send the revised article"}; !slices.Equal(acts, want) {
		t.Errorf("actions %q, want %q", acts, want)
	}
	if len(mins.Versions) != 1 || mins.Versions[0].Version != 2 || mins.Versions[0].Party != "SG" || mins.Versions[0].SHA256 != SHA256(v2) {
		t.Errorf("versions %+v", mins.Versions)
	}
	// The minutes' SHA-256 is that of the canonical JSON of the event's
	// minutes, as any reader of the shared log computes it.
	var ev struct {
		Data struct {
			Minutes json.RawMessage `json:"minutes"`
			SHA256  string          `json:"sha256"`
		} `json:"data"`
	}
	if err := json.Unmarshal(f.events[0].JSON, &ev); err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := unmarshalNumbers(ev.Data.Minutes, &generic); err != nil {
		t.Fatal(err)
	}
	if sha := SHA256(string(Canonical(generic))); sha != end.SHA256 || ev.Data.SHA256 != sha {
		t.Errorf("sha256 %s, event %s, canonical %s", end.SHA256, ev.Data.SHA256, sha)
	}

	// After the end: no focus or disposition; the referendum can still be
	// confirmed, which the minutes (made once) do not follow.
	f.fails(CodeBadRequest, "us-neg", Command{Type: CmdFocusIssue, Meeting: m.ID, Thread: f.issue})
	f.fails(CodeBadRequest, "us-neg", Command{Type: CmdDispose, Meeting: m.ID, Thread: f.issue, Outcome: OutcomeBracketKept})
	f.fails(CodeBadRequest, "us-neg", Command{Type: CmdEndMeeting, Meeting: m.ID})
	f.fails(CodeForbidden, "us-neg", Command{Type: CmdConfirmReferendum, Meeting: m.ID, Disposition: ref, Decision: Confirm})
	f.must("sg-neg", Command{Type: CmdConfirmReferendum, Meeting: m.ID, Disposition: ref, Decision: Confirm, Body: ptr("capital agrees")})
	after := f.n.Meeting(m.ID)
	if after.Dispositions[1].Confirmed != RefConfirmed || after.Dispositions[1].Effective() != OutcomeAgreed ||
		after.Minutes.Issues[1].Dispositions[0].Confirmed != RefPending || after.SHA256 != end.SHA256 {
		t.Errorf("after confirm: %+v", after.Dispositions[1])
	}
	f.fails(CodeBadRequest, "sg-neg", Command{Type: CmdConfirmReferendum, Meeting: m.ID, Disposition: ref, Decision: Withdraw})

	// Approvals: bound to the sha256; a later decision replaces the
	// earlier; approved once each present party approves.
	f.fails(CodeStale, "us-legal", Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: SHA256("other"), Decision: Approve})
	f.must("us-legal", Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: strings.ToUpper(end.SHA256), Decision: Approve})
	got = f.must("sg-neg", Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: end.SHA256, Decision: RequestChanges, Body: ptr("Item 2 reads wrong")}).(Meeting)
	if got.Approved || len(got.Approvals) != 2 {
		t.Fatalf("approvals %+v", got.Approvals)
	}
	got = f.must("sg-neg", Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: end.SHA256, Decision: Approve}).(Meeting)
	if !got.Approved || len(got.Approvals) != 2 || got.Approvals[1].User != "sg-neg" || got.Approvals[1].Decision != Approve {
		t.Fatalf("approvals %+v, approved %v", got.Approvals, got.Approved)
	}
	got = f.must("us-legal", Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: end.SHA256, Decision: RequestChanges, Body: ptr("on reflection")}).(Meeting)
	if got.Approved {
		t.Error("approved while US's only decision requests changes")
	}
	// A second meeting may start once the first has ended.
	if m2 := f.start("sg-neg"); m2.ID == m.ID || len(f.n.Meetings) != 2 || f.n.Meetings[1].ID != m2.ID {
		t.Errorf("second meeting %+v", m2)
	}
}

// TestMeetingRefusals: every rule's refusal, by role, party and field; each
// changes nothing.
func TestMeetingRefusals(t *testing.T) {
	f := newMeetingFixture(t)
	// Before any meeting.
	f.fails(CodeNotFound, "us-neg", Command{Type: CmdFocusIssue, Meeting: "g-none", Thread: f.issue})
	f.fails(CodeBadRequest, "us-neg", Command{Type: CmdFocusIssue, Thread: f.issue})
	for _, tc := range []struct {
		name, user string
		cmd        Command
		code       Code
	}{
		{"a legal reviewer", "us-legal", Command{Title: "x", Parties: []PartyID{"US", "SG"}}, CodeForbidden},
		{"not a member", "ex-neg", Command{Title: "x", Parties: []PartyID{"US", "SG"}}, CodeNotFound},
		{"no title", "us-neg", Command{Title: "  ", Parties: []PartyID{"US", "SG"}}, CodeBadRequest},
		{"a long title", "us-neg", Command{Title: strings.Repeat("x", MaxTitleChars+1), Parties: []PartyID{"US", "SG"}}, CodeBadRequest},
		{"one party", "us-neg", Command{Title: "x", Parties: []PartyID{"US"}}, CodeBadRequest},
		{"a party twice", "us-neg", Command{Title: "x", Parties: []PartyID{"US", "US"}}, CodeBadRequest},
		{"not a member party", "us-neg", Command{Title: "x", Parties: []PartyID{"US", "EX"}}, CodeBadRequest},
	} {
		t.Run("start/"+tc.name, func(t *testing.T) {
			f.t = t
			tc.cmd.Type = CmdStartMeeting
			f.fails(tc.code, UserID(tc.user), tc.cmd)
		})
	}
	f.t = t
	m := f.start("us-neg")
	f.fails(CodeBadRequest, "sg-neg", Command{Type: CmdStartMeeting, Title: "another", Parties: []PartyID{"US", "SG"}})
	f.must("us-neg", Command{Type: CmdFocusIssue, Meeting: m.ID, Thread: f.issue})
	focus := func(th ThreadID) Command { return Command{Type: CmdFocusIssue, Meeting: m.ID, Thread: th} }
	disp := func(th ThreadID, c Command) Command {
		c.Type, c.Meeting, c.Thread = CmdDispose, m.ID, th
		if c.Outcome == "" {
			c.Outcome = OutcomeBracketKept
		}
		return c
	}
	for _, tc := range []struct {
		name, user string
		cmd        Command
		code       Code
	}{
		{"focus: another party's negotiator", "sg-neg", focus(f.issue), CodeForbidden},
		{"focus: a legal reviewer of the chair's party", "us-legal", focus(f.issue), CodeForbidden},
		{"focus: no thread", "us-neg", focus(""), CodeBadRequest},
		{"focus: no such thread", "us-neg", focus("t-none"), CodeNotFound},
		{"focus: an internal thread", "us-neg", focus(f.internal), CodeBadRequest},
		{"focus: another party's internal thread", "sg-neg", focus(f.internal), CodeNotFound},
		{"focus: another meeting", "us-neg", Command{Type: CmdFocusIssue, Meeting: "g-x", Thread: f.issue}, CodeNotFound},
		{"dispose: a legal reviewer", "us-legal", disp(f.issue, Command{}), CodeForbidden},
		{"dispose: an internal issue", "us-neg", disp(f.internal, Command{}), CodeBadRequest},
		{"dispose: another party's internal issue", "sg-neg", disp(f.internal, Command{}), CodeNotFound},
		{"dispose: a consensus", "us-neg", disp(f.consensus, Command{}), CodeBadRequest},
		{"dispose: no outcome", "us-neg", disp(f.issue, Command{Outcome: "x"}), CodeBadRequest},
		{"dispose: agreed by an absent party", "us-neg", disp(f.issue, Command{Outcome: OutcomeAgreed, Parties: []PartyID{"EX"}}), CodeBadRequest},
		{"dispose: agreed by nobody", "us-neg", disp(f.issue, Command{Outcome: OutcomeAgreed, Parties: []PartyID{}}), CodeBadRequest},
		{"dispose: agreed twice by one", "us-neg", disp(f.issue, Command{Outcome: OutcomeAgreed, Parties: []PartyID{"US", "US"}}), CodeBadRequest},
		{"dispose: agreed with an owner", "us-neg", disp(f.issue, Command{Outcome: OutcomeAgreed, Owner: "US"}), CodeBadRequest},
		{"dispose: a kept bracket with parties", "us-neg", disp(f.issue, Command{Parties: []PartyID{"US"}}), CodeBadRequest},
		{"dispose: a kept bracket with a due date", "us-neg", disp(f.issue, Command{Due: "2027-01-01"}), CodeBadRequest},
		{"dispose: ad referendum for an absent party", "us-neg", disp(f.issue, Command{Outcome: OutcomeAdReferendum, Owner: "EX"}), CodeBadRequest},
		{"dispose: action without owner", "us-neg", disp(f.issue, Command{Outcome: OutcomeAction, Due: "2027-01-01", Body: ptr("x")}), CodeBadRequest},
		{"dispose: action for a non-member", "us-neg", disp(f.issue, Command{Outcome: OutcomeAction, Owner: "EX", Due: "2027-01-01", Body: ptr("x")}), CodeBadRequest},
		{"dispose: action without due", "us-neg", disp(f.issue, Command{Outcome: OutcomeAction, Owner: "SG", Body: ptr("x")}), CodeBadRequest},
		{"dispose: action due not a date", "us-neg", disp(f.issue, Command{Outcome: OutcomeAction, Owner: "SG", Due: "2027-1-01", Body: ptr("x")}), CodeBadRequest},
		{"dispose: action due yesterday", "us-neg", disp(f.issue, Command{Outcome: OutcomeAction, Owner: "SG", Due: "2026-11-30", Body: ptr("x")}), CodeBadRequest},
		{"dispose: action without body", "us-neg", disp(f.issue, Command{Outcome: OutcomeAction, Owner: "SG", Due: "2027-01-01", Body: ptr("  ")}), CodeBadRequest},
		{"dispose: a body too long", "us-neg", disp(f.issue, Command{Body: ptr(strings.Repeat("x", MaxBodyChars+1))}), CodeBadRequest},
		{"end: another party's negotiator", "sg-neg", Command{Type: CmdEndMeeting, Meeting: m.ID}, CodeForbidden},
		{"approve: while running", "us-neg", Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: "x", Decision: Approve}, CodeBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			f.fails(tc.code, UserID(tc.user), tc.cmd)
		})
	}
	f.t = t
	// A withdrawn issue takes no disposition; a resolved one does.
	f.must("sg-neg", Command{Type: CmdWithdraw, Thread: f.sgIssue})
	f.fails(CodeBadRequest, "us-neg", disp(f.sgIssue, Command{}))
	f.must("us-neg", Command{Type: CmdResolve, Thread: f.issue})
	f.dispose("us-neg", m.ID, f.issue, Command{Outcome: OutcomeAgreed, Parties: []PartyID{"SG"}})
	ref := f.dispose("us-neg", m.ID, f.issue, Command{Outcome: OutcomeAdReferendum}).Disposition // owner: the actor's party
	kept := f.dispose("us-neg", m.ID, f.issue, Command{Outcome: OutcomeBracketKept}).Disposition
	if x := f.n.Meeting(m.ID).Dispositions; x[0].Owner != "" || x[1].Owner != "US" || x[1].Confirmed != RefPending || x[2].Confirmed != "" {
		t.Errorf("dispositions %+v", x)
	}
	conf := func(id DispositionID, d Decision) Command {
		return Command{Type: CmdConfirmReferendum, Meeting: m.ID, Disposition: id, Decision: d}
	}
	f.fails(CodeNotFound, "us-neg", conf("d-none", Confirm))
	f.fails(CodeBadRequest, "us-neg", conf("", Confirm))
	f.fails(CodeForbidden, "sg-neg", conf(ref, Confirm))
	f.fails(CodeForbidden, "us-legal", conf(ref, Confirm))
	f.fails(CodeBadRequest, "us-neg", conf(kept, Confirm))
	f.fails(CodeBadRequest, "us-neg", conf(ref, Approve))
	f.must("us-neg", conf(ref, Withdraw))
	if x := f.n.Meeting(m.ID).Dispositions[1]; x.Confirmed != RefWithdrawn || x.Effective() != OutcomeBracketKept {
		t.Errorf("withdrawn referendum %+v", x)
	}
	// The chair's party's other negotiator may end it (us-neg2 is not in
	// the fixture's users: a second US negotiator).
	fixtureUsers["us-neg2"] = User{ID: "us-neg2", Party: "US", Roles: []Role{Negotiator}}
	defer delete(fixtureUsers, "us-neg2")
	end := f.must("us-neg2", Command{Type: CmdEndMeeting, Meeting: m.ID}).(Meeting)
	if end.Minutes.Issues[0].Outcome != OutcomeBracketKept {
		t.Errorf("outcome %s, want the latest disposition's (bracket_kept)", end.Minutes.Issues[0].Outcome)
	}
	ap := func(user string, sha string, d Decision, body *string) (UserID, Command) {
		return UserID(user), Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: sha, Decision: d, Body: body}
	}
	for _, tc := range []struct {
		name string
		user UserID
		cmd  Command
		code Code
	}{
		{"a signatory", "us-sign", Command{}, CodeForbidden},
		{"no sha256", "us-neg", Command{}, CodeBadRequest},
		{"another sha256", "us-neg", Command{}, CodeStale},
		{"no decision", "us-neg", Command{}, CodeBadRequest},
		{"changes without a body", "us-neg", Command{}, CodeBadRequest},
	} {
		t.Run("approve/"+tc.name, func(t *testing.T) {
			f.t = t
			var u UserID
			var c Command
			switch tc.name {
			case "a signatory":
				u, c = ap("us-sign", end.SHA256, Approve, nil)
			case "no sha256":
				u, c = ap("us-neg", "", Approve, nil)
			case "another sha256":
				u, c = ap("us-neg", SHA256("x"), Approve, nil)
			case "no decision":
				u, c = ap("us-neg", end.SHA256, "", nil)
			case "changes without a body":
				u, c = ap("us-neg", end.SHA256, RequestChanges, ptr(" "))
			}
			f.fails(tc.code, u, c)
		})
	}
	f.t = t
	f.fails(CodeNotFound, "us-neg", Command{Type: CmdApproveMinutes, Meeting: "g-none", SHA256: end.SHA256, Decision: Approve})
}

// TestMeetingAbsentParty: in a three-party negotiation, a party not
// present neither disposes nor approves, but may own an action, and the
// minutes are approved by the present parties alone.
func TestMeetingAbsentParty(t *testing.T) {
	f := newFixture(t, 1, "")
	f.n = nil
	f.must("us-neg", Command{Type: CmdCreateNegotiation, Title: "Three", Parties: []PartyID{"US", "SG", "EX"}})
	f.propose("us-neg", clauses)
	issue := f.comment("sg-neg", 1, "importers", KindOpenIssue, Shared)
	f.fails(CodeBadRequest, "ex-neg", Command{Type: CmdStartMeeting, Title: "Without EX", Parties: []PartyID{"SG", "US"}})
	m := f.must("sg-neg", Command{Type: CmdStartMeeting, Title: "Bilateral", Parties: []PartyID{"SG", "US"}}).(Meeting)
	f.fails(CodeForbidden, "ex-neg", Command{Type: CmdDispose, Meeting: m.ID, Thread: issue, Outcome: OutcomeBracketKept})
	f.must("sg-neg", Command{Type: CmdDispose, Meeting: m.ID, Thread: issue, Outcome: OutcomeAction, Owner: "EX", Due: "2026-12-01", Body: ptr("Tell EX")})
	end := f.must("sg-neg", Command{Type: CmdEndMeeting, Meeting: m.ID}).(Meeting)
	f.fails(CodeForbidden, "ex-neg", Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: end.SHA256, Decision: Approve})
	f.must("sg-legal", Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: end.SHA256, Decision: Approve})
	got := f.must("us-neg", Command{Type: CmdApproveMinutes, Meeting: m.ID, SHA256: end.SHA256, Decision: Approve}).(Meeting)
	if !got.Approved || len(end.Minutes.Actions) != 1 || end.Minutes.Actions[0].Owner != "EX" {
		t.Errorf("approved %v, actions %+v", got.Approved, end.Minutes.Actions)
	}
}

// TestMeetingFrozen: a signed negotiation takes no meeting command.
func TestMeetingFrozen(t *testing.T) {
	f := newFixture(t, 1, clauses)
	signAll(f)
	f.fails(CodeFrozen, "us-neg", Command{Type: CmdStartMeeting, Title: "After", Parties: []PartyID{"US", "SG"}})
}

// TestMeetingFoldAndRestore: the fold of a meeting's events and the
// restore of its records are the state, byte for byte, meetings in the
// order started; and a clone taken before a change keeps what it saw.
func TestMeetingFoldAndRestore(t *testing.T) {
	f := newMeetingFixture(t)
	m1 := f.start("us-neg")
	f.dispose("us-neg", m1.ID, f.issue, Command{Outcome: OutcomeAdReferendum, Owner: "SG"})
	f.must("us-neg", Command{Type: CmdEndMeeting, Meeting: m1.ID})
	m2 := f.start("sg-neg")
	f.must("sg-neg", Command{Type: CmdFocusIssue, Meeting: m2.ID, Thread: f.sgIssue})

	before := f.n.Clone(false)
	seen, _ := json.Marshal(before.Snapshot("US", nil).Meetings)
	snap := f.n.Snapshot("SG", nil)
	snapSeen, _ := json.Marshal(snap.Meetings)
	f.dispose("sg-neg", m2.ID, f.sgIssue, Command{Outcome: OutcomeAgreed})
	end := f.must("sg-neg", Command{Type: CmdEndMeeting, Meeting: m2.ID}).(Meeting)
	f.must("us-neg", Command{Type: CmdApproveMinutes, Meeting: m2.ID, SHA256: end.SHA256, Decision: Approve})
	f.must("sg-neg", Command{Type: CmdConfirmReferendum, Meeting: m1.ID, Disposition: m1ID(f, m1.ID), Decision: Confirm})
	if now, _ := json.Marshal(before.Snapshot("US", nil).Meetings); string(now) != string(seen) {
		t.Errorf("a clone's meetings changed:\nbefore %s\nnow    %s", seen, now)
	}
	if now, _ := json.Marshal(snap.Meetings); string(now) != string(snapSeen) {
		t.Errorf("a snapshot's meetings changed")
	}

	folded, err := Fold(f.n.ID, f.eventsSoFar)
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.n.AllRecords()
	if err != nil {
		t.Fatal(err)
	}
	got, err := folded.AllRecords()
	if err != nil {
		t.Fatal(err)
	}
	if d := DiffRecords(got, want); d != "" {
		t.Fatalf("fold: %s", d)
	}
	// Restore keeps the order started whatever the order of the records.
	reversed := slices.Clone(want)
	slices.Reverse(reversed)
	restored, err := Restore(Stored{ID: f.n.ID, Records: reversed, Heads: f.n.Heads})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(f.n.Snapshot("US", nil))
	b, _ := json.Marshal(folded.Snapshot("US", nil))
	c, _ := json.Marshal(restored.Snapshot("US", nil))
	if string(a) != string(b) || string(a) != string(c) {
		t.Fatalf("snapshots differ:\nstate    %s\nfold     %s\nrestored %s", a, b, c)
	}
	if r, _ := restored.AllRecords(); DiffRecords(r, want) != "" {
		t.Errorf("restored records: %s", DiffRecords(r, want))
	}
	if ids := []MeetingID{restored.Meetings[0].ID, restored.Meetings[1].ID}; ids[0] != m1.ID || ids[1] != m2.ID {
		t.Errorf("restored order %v", ids)
	}
	// Every meeting event is shared.
	for _, e := range f.eventsSoFar {
		if strings.HasPrefix(string(e.Kind), "meeting_") && e.Stream != Shared {
			t.Errorf("%s on %s", e.Kind, e.Stream)
		}
	}
}

func m1ID(f *meetingFixture, id MeetingID) DispositionID {
	return f.n.Meeting(id).Dispositions[0].ID
}

// TestMeetingRandomFold: after random histories of meeting commands mixed
// with thread changes and versions (most valid, some refused), the fold of
// the events, in any interleaving, and the restore of the records are the
// state, byte for byte; a clone taken midway keeps what it saw.
func TestMeetingRandomFold(t *testing.T) {
	kinds := map[EventKind]int{}
	for seed := range uint64(20) {
		f := newMeetingFixture(t)
		rng := rand.New(rand.NewPCG(seed, 7))
		users := []UserID{"us-neg", "sg-neg", "us-neg", "sg-neg", "us-legal", "sg-legal", "us-sign"}
		threads := []ThreadID{f.issue, f.sgIssue, f.issue, f.sgIssue, f.consensus, f.internal, "t-none"}
		outcomes := []IssueOutcome{OutcomeAgreed, OutcomeAdReferendum, OutcomeBracketKept, OutcomeAction, "x"}
		var clone *Negotiation
		var cloneSeen []byte
		for k := range 200 {
			if k == 100 {
				clone = f.n.Clone(false)
				cloneSeen, _ = json.Marshal(clone.Snapshot("US", nil))
			}
			user := users[rng.IntN(len(users))]
			var meeting MeetingID = "g-none"
			var disp DispositionID = "d-none"
			if len(f.n.Meetings) > 0 {
				m := f.n.Meetings[rng.IntN(len(f.n.Meetings))]
				if r := f.n.RunningMeeting(); r != nil && rng.IntN(4) > 0 {
					m = r
				}
				meeting = m.ID
				if len(m.Dispositions) > 0 {
					disp = m.Dispositions[rng.IntN(len(m.Dispositions))].ID
				}
			}
			th := threads[rng.IntN(len(threads))]
			var cmd Command
			switch rng.IntN(11) {
			case 0:
				cmd = Command{Type: CmdStartMeeting, Title: fmt.Sprint("Round ", k), Parties: []PartyID{"US", "SG"}}
			case 1, 2:
				cmd = Command{Type: CmdFocusIssue, Meeting: meeting, Thread: th}
			case 3, 4, 9:
				o := outcomes[rng.IntN(len(outcomes))]
				cmd = Command{Type: CmdDispose, Meeting: meeting, Thread: th, Outcome: o, Body: ptr(fmt.Sprint("note ", k))}
				if o == OutcomeAction {
					cmd.Owner, cmd.Due = []PartyID{"US", "SG"}[rng.IntN(2)], "2027-01-0"+fmt.Sprint(1+rng.IntN(9))
				}
			case 5:
				cmd = Command{Type: CmdConfirmReferendum, Meeting: meeting, Disposition: disp, Decision: []Decision{Confirm, Withdraw}[rng.IntN(2)]}
			case 6:
				if rng.IntN(3) > 0 {
					continue // let meetings run a while
				}
				if m := f.n.Meeting(meeting); m != nil && rng.IntN(2) == 0 {
					user = m.Chair
				}
				cmd = Command{Type: CmdEndMeeting, Meeting: meeting}
			case 7, 10:
				sha := ""
				if m := f.n.Meeting(meeting); m != nil {
					sha = m.SHA256
				}
				cmd = Command{Type: CmdApproveMinutes, Meeting: meeting, SHA256: sha, Decision: []Decision{Approve, RequestChanges}[rng.IntN(2)], Body: ptr("b")}
			case 8:
				if rng.IntN(2) == 0 {
					cmd = Command{Type: CmdProposeVersion, Base: ptr(f.latest()), Text: ptr(clauses + fmt.Sprint(k))}
				} else {
					cmd = Command{Type: CmdReply, Thread: th, Body: ptr("a reply")}
				}
			}
			f.do(user, cmd)
		}
		events := slices.Clone(f.eventsSoFar)
		shuffle := rand.New(rand.NewPCG(seed, 8))
		shuffle.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		folded, err := Fold(f.n.ID, events)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		want, _ := f.n.AllRecords()
		got, _ := folded.AllRecords()
		if d := DiffRecords(got, want); d != "" {
			t.Fatalf("seed %d: fold: %s", seed, d)
		}
		restored, err := Restore(Stored{ID: f.n.ID, Records: want, Heads: f.n.Heads})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(f.n.Snapshot("SG", nil))
		b, _ := json.Marshal(folded.Snapshot("SG", nil))
		c, _ := json.Marshal(restored.Snapshot("SG", nil))
		if string(a) != string(b) || string(a) != string(c) {
			t.Fatalf("seed %d: snapshots differ", seed)
		}
		if now, _ := json.Marshal(clone.Snapshot("US", nil)); string(now) != string(cloneSeen) {
			t.Fatalf("seed %d: a clone changed", seed)
		}
		for _, e := range f.eventsSoFar {
			kinds[e.Kind]++
		}
	}
	// The histories did hold every kind of meeting event, many times.
	t.Logf("events: %v", kinds)
	for _, k := range []EventKind{EvMeetingStarted, EvMeetingFocused, EvIssueDisposed, EvReferendumConfirmed, EvMeetingEnded, EvMinutesApproved} {
		if kinds[k] < 10 {
			t.Errorf("only %d %s in the histories", kinds[k], k)
		}
	}
}

// TestMeetingDispositionCap: a meeting takes at most MaxDispositions, so
// its record and minutes stay bounded.
func TestMeetingDispositionCap(t *testing.T) {
	f := newMeetingFixture(t)
	m := f.start("us-neg")
	kept := Command{Type: CmdDispose, Meeting: m.ID, Thread: f.issue, Outcome: OutcomeBracketKept}
	for range MaxDispositions {
		f.must("us-neg", kept)
	}
	f.fails(CodeBadRequest, "us-neg", kept)
	f.must("us-neg", Command{Type: CmdEndMeeting, Meeting: m.ID}) // and it still ends
}
