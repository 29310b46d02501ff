package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"mra/server/mra"
	"mra/server/servertest"
)

// TestDemoOptions: the demo negotiation's open issues hold bracket
// options, two of them in a package that the United States has accepted in
// part, and the bracketed export stacks them.
func TestDemoOptions(t *testing.T) {
	alice, neg := demoRoom(t, "alice")
	var snap struct {
		Options  []mra.Option  `json:"options"`
		Packages []mra.Package `json:"packages"`
	}
	alice.GetJSON("/api/negotiations/"+neg, &snap)
	if len(snap.Options) != 3 || len(snap.Packages) != 1 || snap.Packages[0].Complete || len(snap.Packages[0].Options) != 2 {
		t.Fatalf("demo options %+v packages %+v", snap.Options, snap.Packages)
	}
	if o := snap.Options[1]; o.Party != "SG" || len(o.AcceptedBy) != 2 || !o.Conditional || o.Status != mra.OptionOpen {
		t.Errorf("SG's data-protection option, accepted by both inside an incomplete package: %+v", o)
	}
	status, body := alice.Get("/api/negotiations/" + neg + "/export?kind=bracketed&format=txt")
	if status != 200 || !strings.Contains(string(body), "[in accordance with the laws and regulations of each Customs Administration / "+
		"in accordance with the laws and regulations of each Customs Administration, including the Privacy Act of 1974 / ") {
		t.Errorf("the demo's bracketed text: %d %s", status, body)
	}
}

// demoRoom runs the demo on a fresh file, logs user in and returns the
// client and the id of the demo negotiation.
func demoRoom(t *testing.T, user string) (*servertest.Client, string) {
	t.Helper()
	var out bytes.Buffer
	app, err := Open(Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "demo.db"), Demo: true}, quiet(), &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close(context.Background()) })
	c := login(t, app.URL(), user, demoPasswords(t, out.String())[user])
	var list struct {
		Negotiations []struct{ ID, Title string } `json:"negotiations"`
	}
	c.GetJSON("/api/negotiations", &list)
	for _, n := range list.Negotiations {
		if n.Title == demoTitle {
			return c, n.ID
		}
	}
	t.Fatalf("no demo negotiation in %+v", list.Negotiations)
	return nil, ""
}
