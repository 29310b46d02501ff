package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mra/server/mra"
	"mra/server/servertest"
)

// mra user reset-password, on a stopped server's file, prints a one-time
// password that works for one login, which must change it; the user's
// sessions are gone; mra verify accepts the file after.
func TestResetPasswordOffline(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mra.db")
	var out bytes.Buffer
	app, err := Open(Config{Addr: "127.0.0.1:0", DB: db, Demo: true}, quiet(), &out)
	if err != nil {
		t.Fatal(err)
	}
	pw := demoPasswords(t, out.String())
	ben := login(t, app.URL(), "ben", pw["ben"])
	if err := app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	cli := func(args ...string) (int, string) {
		var o, e bytes.Buffer
		code := run(args, strings.NewReader(""), &o, &e)
		return code, o.String() + e.String()
	}
	if code, msg := cli("user", "reset-password", "--db", db, "--id", "nobody"); code != exitFail || !strings.Contains(msg, `no user "nobody"`) {
		t.Errorf("reset of nobody: %d %q", code, msg)
	}
	if code, msg := cli("user", "reset-password", "--db", db); code != exitUsage || !strings.Contains(msg, "--id is required") {
		t.Errorf("reset without --id: %d %q", code, msg)
	}
	if code, msg := cli("user", "reset-password", "--db", filepath.Join(t.TempDir(), "none.db"), "--id", "ben"); code != exitFail {
		t.Errorf("reset on a missing file: %d %q", code, msg)
	}
	code, msg := cli("user", "reset-password", "--db", db, "--id", "ben")
	m := regexp.MustCompile(`one-time password for ben: (\S+)`).FindStringSubmatch(msg)
	if code != exitOK || m == nil {
		t.Fatalf("reset-password: %d %q", code, msg)
	}
	if code, msg := cli("verify", "--db", db); code != exitOK {
		t.Fatalf("verify after the reset: %d %q", code, msg)
	}

	app, err = Open(Config{Addr: "127.0.0.1:0", DB: db}, quiet(), &out)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(context.Background())
	ben.Base = app.URL()
	if status, _ := ben.Get("/api/me"); status != 401 {
		t.Errorf("ben's old session after the reset: %d", status)
	}
	if _, err := servertest.TryLoginAt(t, app.URL(), "ben", pw["ben"], nil); err == nil {
		t.Error("ben's old password works after the reset")
	}
	c := login(t, app.URL(), "ben", m[1])
	c.Fails(mra.CodeForbidden, map[string]any{"type": "create_negotiation", "title": "T", "parties": []string{"US", "SG"}})
	c.Must(map[string]any{"type": "change_password", "old": m[1], "new": "ben's own new secret"}, nil)
	login(t, app.URL(), "ben", "ben's own new secret")
}
