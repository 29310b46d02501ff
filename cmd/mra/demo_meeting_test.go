package main

import (
	"strings"
	"testing"

	"mra/server/mra"
	"mra/server/servertest"
)

// TestDemoMeeting: the demo negotiation holds one ended meeting whose
// minutes both sides approved, with one action, and its minutes export.
func TestDemoMeeting(t *testing.T) {
	mei, neg := demoRoom(t, "mei")
	var snap struct {
		Meetings []mra.Meeting `json:"meetings"`
	}
	mei.GetJSON("/api/negotiations/"+neg, &snap)
	if len(snap.Meetings) != 1 {
		t.Fatalf("demo meetings: %+v", snap.Meetings)
	}
	status, body := mei.Get("/api/negotiations/" + neg + "/export?kind=minutes&format=html&meeting=" + string(snap.Meetings[0].ID))
	if status != 200 || !strings.Contains(string(body), "Send wording that refers to the Privacy Act.") {
		t.Errorf("the demo's minutes: %d %.300s", status, body)
	}
	m := snap.Meetings[0]
	if m.Running || !m.Approved || m.Minutes == nil || len(m.Minutes.Issues) != 2 || len(m.Minutes.Actions) != 1 ||
		m.Minutes.Issues[0].Outcome != mra.OutcomeAgreed || m.Minutes.Issues[1].Outcome != mra.OutcomeBracketKept {
		t.Errorf("the demo meeting: %+v", m)
	}
}

// TestExportMinutesCommand: mra export --kind minutes --meeting ID makes
// the minutes from a stopped server's database, for a party or shared.
func TestExportMinutesCommand(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	issue := sg.Comment(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)
	var m mra.Meeting
	us.Must(map[string]any{"type": "start_meeting", "negotiation": neg, "title": "Round 1", "parties": []string{"US", "SG"}}, &m)
	us.Must(map[string]any{"type": "dispose", "negotiation": neg, "meeting": m.ID, "thread": issue, "outcome": "bracket_kept",
		"body": "Kept until SG's capital answers"}, nil)
	us.Must(map[string]any{"type": "end_meeting", "negotiation": neg, "meeting": m.ID}, nil)
	w.Stop()
	base := []string{"export", "--db", w.Path, "--negotiation", neg, "--kind", "minutes", "--meeting", string(m.ID)}
	for _, party := range [][]string{nil, {"--party", "SG"}} {
		code, out, errOut := runMra(t, append(append(base, "--format", "html"), party...)...)
		if code != exitOK || !strings.Contains(out, "Kept until SG&#39;s capital answers") || !strings.Contains(out, "Minutes of the meeting “Round 1”") {
			t.Errorf("minutes html %v: exit %d %.300q %q", party, code, out, errOut)
		}
	}
	if code, _, errOut := runMra(t, append(base[:len(base)-2], "--format", "html")...); code == exitOK || !strings.Contains(errOut, "meeting") {
		t.Errorf("minutes without --meeting: exit %d %q", code, errOut)
	}
}
