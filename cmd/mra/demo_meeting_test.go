package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"mra/server/mra"
)

// TestDemoMeeting: the demo negotiation holds one ended meeting whose
// minutes both sides approved, with one action, and its minutes export.
func TestDemoMeeting(t *testing.T) {
	var out bytes.Buffer
	app, err := Open(Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "demo.db"), Demo: true}, quiet(), &out)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(context.Background())
	mei := login(t, app.URL(), "mei", demoPasswords(t, out.String())["mei"])
	var list struct {
		Negotiations []struct{ ID, Title string } `json:"negotiations"`
	}
	mei.GetJSON("/api/negotiations", &list)
	var snap struct {
		Meetings []mra.Meeting `json:"meetings"`
	}
	for _, n := range list.Negotiations {
		if n.Title == demoTitle {
			mei.GetJSON("/api/negotiations/"+n.ID, &snap)
			if len(snap.Meetings) == 1 {
				status, body := mei.Get("/api/negotiations/" + n.ID + "/export?kind=minutes&format=html&meeting=" + string(snap.Meetings[0].ID))
				if status != 200 || !strings.Contains(string(body), "Send wording that refers to the Privacy Act.") {
					t.Errorf("the demo's minutes: %d %.300s", status, body)
				}
			}
		}
	}
	if len(snap.Meetings) != 1 {
		t.Fatalf("demo meetings: %+v", snap.Meetings)
	}
	m := snap.Meetings[0]
	if m.Running || !m.Approved || m.Minutes == nil || len(m.Minutes.Issues) != 2 || len(m.Minutes.Actions) != 1 ||
		m.Minutes.Issues[0].Outcome != mra.OutcomeAgreed || m.Minutes.Issues[1].Outcome != mra.OutcomeBracketKept {
		t.Errorf("the demo meeting: %+v", m)
	}
}
