package main

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mra/server"
	"mra/server/boltstore"
	"mra/server/mra"
)

// TestLoadRun drives the tool against a real server on loopback with a
// few subscribers: every comment reaches every subscriber and the report
// says so.
func TestLoadRun(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "load.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hash, _ := server.HashPassword("load-test-password")
	_, err = server.Operate(st, time.Now(), server.AddParty(mra.Party{ID: "US", Name: "US"}), server.AddParty(mra.Party{ID: "SG", Name: "SG"}),
		server.AddUser(mra.User{ID: "alice", Name: "Alice", Party: "US", Roles: []mra.Role{mra.Negotiator}, PasswordHash: hash}))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{}, st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Close()

	var out strings.Builder
	err = run(config{url: ts.URL, user: "alice", password: "load-test-password", subscribers: 20, writers: 2,
		comments: 30, rate: 200, timeout: 20 * time.Second}, &out)
	if err != nil {
		t.Fatal(err)
	}
	report := out.String()
	for _, want := range []string{"20 subscribers on n-", "30 comments to 20 subscribers (0 never reached all)", "p99", "throughput"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if err := run(config{url: ts.URL, user: "alice", password: "wrong", subscribers: 1}, io.Discard); err == nil {
		t.Error("a wrong password went unnoticed")
	}
}
