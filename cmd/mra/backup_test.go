package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mra/server/boltstore"
	"mra/server/servertest"
)

// TestBackupWhileServing: with --backup, the operator's address serves a
// consistent copy of the database while the server runs and writes; the
// copy passes mra verify and holds what was written. The public address
// never serves it, and without --backup neither does the operator's.
func TestBackupWhileServing(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	db := w.Path
	w.Stop()
	app, err := Open(Config{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", Backup: true, DB: db}, quiet(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			app.Close(context.Background())
		}
	}()
	us := servertest.LoginAt(t, app.URL(), "us-neg", servertest.Password, nil)
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)

	get := func(url string) (int, []byte) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, b
	}
	operator := strings.TrimSuffix(app.MetricsURL(), "/metrics")
	status, copy := get(operator + "/backup")
	if status != http.StatusOK || len(copy) == 0 {
		t.Fatalf("GET /backup: %d, %d bytes", status, len(copy))
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, copy, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errs strings.Builder
	if code := runVerify([]string{"--db", path}, nil, &out, &errs); code != exitOK {
		t.Fatalf("mra verify of the backup: exit %d: %s%s", code, out.String(), errs.String())
	}
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || string(stored[0].ID) != neg || stored[0].Heads["shared"].Seq < 2 {
		t.Errorf("the backup holds %+v, want %s with its creation and its version", stored, neg)
	}
	if status, _ := get(app.URL() + "/backup"); status != http.StatusNotFound {
		t.Errorf("public /backup: %d, want 404", status)
	}

	// without --backup the operator's address has /metrics only
	closed = true
	if err := app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	app2, err := Open(Config{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", DB: db}, quiet(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer app2.Close(context.Background())
	if status, _ := get(strings.TrimSuffix(app2.MetricsURL(), "/metrics") + "/backup"); status != http.StatusNotFound {
		t.Errorf("/backup without --backup: %d, want 404", status)
	}
}

// TestBackupNeedsTheOperatorAddress: --backup alone is a usage error, never
// a backup on the public address.
func TestBackupNeedsTheOperatorAddress(t *testing.T) {
	var out, errs strings.Builder
	if code := serve("serve", false, []string{"--backup", "--db", filepath.Join(t.TempDir(), "x.db")}, &out, &errs); code != exitUsage || !strings.Contains(errs.String(), "--metrics-addr") {
		t.Errorf("serve --backup: exit %d, %q", code, errs.String())
	}
}
