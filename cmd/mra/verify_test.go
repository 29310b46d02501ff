package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestVerifyBadFile runs `mra verify` on files that are not a whole
// database: each is exit 1 with a message naming the file and what is
// wrong, and the file is left as it was (a missing one is not created).
func TestVerifyBadFile(t *testing.T) {
	dir := t.TempDir()
	mra := func(stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}

	// A real database holding a party and a user.
	good := filepath.Join(dir, "good.db")
	if code, _, errOut := mra("", "party", "add", "--db", good, "--id", "US", "--name", "U.S. Customs and Border Protection"); code != 0 {
		t.Fatalf("party add: exit %d: %s", code, errOut)
	}
	if code, _, errOut := mra("s3cret-passphrase\n", "user", "add", "--db", good, "--id", "alice", "--party", "US", "--role", "negotiator"); code != 0 {
		t.Fatalf("user add: exit %d: %s", code, errOut)
	}
	if code, out, errOut := mra("", "verify", "--db", good); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("verify of a good database: exit %d: %s%s", code, out, errOut)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(good, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var need int64
	db.View(func(tx *bolt.Tx) error { need = tx.Size(); return nil })
	db.Close()

	for _, c := range []struct {
		name string
		data []byte // nil: no file at all
		say  string
	}{
		{"missing", nil, ": no such database (the file does not exist)"},
		{"empty", []byte{}, " is empty, not an mra database"},
		{"text", []byte("Article 1. The Parties agree.\n"), " is not an mra database: "},
		{"cut inside the meta pages", data[:5000], fmt.Sprintf(" is truncated: 5000 bytes, its pages need %d", need)},
		{"cut at half its pages", data[:need/2], fmt.Sprintf(" is truncated: %d bytes, its pages need %d", need/2, need)},
		{"cut by one byte", data[:need-1], fmt.Sprintf(" is truncated: %d bytes, its pages need %d", need-1, need)},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.db")
			if c.data != nil {
				if err := os.WriteFile(path, c.data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			code, out, errOut := mra("", "verify", "--db", path)
			if want := "mra verify: " + path + c.say; code != 1 || out != "" || !strings.HasPrefix(errOut, want) {
				t.Errorf("mra verify: exit %d, stdout %q, stderr %q; want exit 1 saying %q", code, out, errOut, want)
			}
			// serve refuses the same file, saying why, and does not crash
			// (a missing one it creates: a new server starts empty).
			if c.data != nil {
				app, err := Open(Config{Addr: "127.0.0.1:0", DB: path}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
				if err == nil {
					app.Close(context.Background())
					t.Fatal("serve started on it")
				}
				if !strings.Contains(err.Error(), path+c.say) {
					t.Errorf("serve refused with %q, want it to say %q", err, path+c.say)
				}
			}
			got, err := os.ReadFile(path)
			switch {
			case c.data == nil && !os.IsNotExist(err):
				t.Errorf("mra verify created the missing file (%v)", err)
			case c.data != nil && !bytes.Equal(got, c.data):
				t.Errorf("mra verify changed the file (%d bytes, was %d)", len(got), len(c.data))
			}
		})
	}
}
