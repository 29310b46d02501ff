package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
	"mra/server/servertest"
)

// TestVerifyNamesTampering: a database edited behind the server's back
// fails `mra verify` (exit 1, naming the negotiation and the item) and
// `mra serve` refuses it; the untouched one passes both.
func TestVerifyNamesTampering(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg, legal := w.Login("us-neg"), w.Login("sg-neg"), w.Login("us-legal")
	neg := us.Create(1)
	text := "Article 1\n\n1. Each Party shall reduce inspections by 5 percent.\n"
	_, sha := us.Propose(neg, 0, text)
	note := us.Comment(neg, 1, text, "5 percent", mra.KindNote, mra.Internal)
	sg.Comment(neg, 1, text, "reduce inspections", mra.KindOpenIssue, mra.Shared)
	legal.Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha, "decision": "request_changes", "body": "too low"}, nil)
	w.Stop()
	good := w.Path

	run1 := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := run1("verify", "--db", good); code != 0 {
		t.Fatalf("verify of the untouched database: exit %d: %s", code, out)
	}

	edit := func(b *bolt.Bucket, key []byte, from, to string) error {
		v := b.Get(key)
		if !bytes.Contains(v, []byte(from)) {
			t.Fatalf("%q not in %s", from, v)
		}
		return b.Put(key, bytes.Replace(bytes.Clone(v), []byte(from), []byte(to), 1))
	}
	nb := func(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket([]byte("negotiations")).Bucket([]byte(neg)) }
	records := func(tx *bolt.Tx) *bolt.Bucket { return nb(tx).Bucket([]byte("records")) }
	tests := []struct {
		name   string
		tamper func(tx *bolt.Tx) error
		say    string
	}{
		{"the signed text edited", func(tx *bolt.Tx) error {
			return edit(tx.Bucket([]byte("texts")), []byte(sha), "5 percent", "9 percent")
		}, "negotiation " + neg + " version 1: the stored text does not match its SHA-256"},
		{"a sign-off flipped", func(tx *bolt.Tx) error {
			return edit(records(tx), []byte("signoff\x00us-legal/00000001"), "request_changes", "approve")
		}, "negotiation " + neg + ": signoff us-legal/00000001 differs from the fold of its events"},
		{"an internal note made shared", func(tx *bolt.Tx) error {
			return edit(records(tx), []byte("thread\x00"+note), `"visibility":"internal"`, `"visibility":"shared"`)
		}, "negotiation " + neg + ": thread " + note + " differs from the fold of its events"},
		{"an event edited", func(tx *bolt.Tx) error {
			return edit(nb(tx).Bucket([]byte("streams")).Bucket([]byte("shared")), []byte{0, 0, 0, 0, 0, 0, 0, 2}, "\"note\":\"draft\"", "\"note\":\"final\"")
		}, "negotiation " + neg + " stream shared event 2: hash"},
		{"its records deleted", func(tx *bolt.Tx) error {
			return nb(tx).DeleteBucket([]byte("records"))
		}, "negotiation " + neg + ": meta is missing"},
		{"the whole negotiation deleted", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("negotiations")).DeleteBucket([]byte(neg))
		}, "negotiation " + neg + ": its creation was acknowledged to us-neg, but it is gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tampered.db")
			data, err := os.ReadFile(good)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(path, data, 0o600)
			db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(tt.tamper); err != nil {
				t.Fatal(err)
			}
			db.Close()
			code, out := run1("verify", "--db", path)
			if code != exitFail || !strings.Contains(out, tt.say) {
				t.Errorf("verify: exit %d: %s\nwant exit 1 saying %q", code, out, tt.say)
			}
			app, err := Open(Config{Addr: "127.0.0.1:0", DB: path}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
			if err == nil {
				app.Close(context.Background())
				t.Fatal("serve started on a tampered database")
			}
			if !strings.Contains(err.Error(), tt.say) || !strings.Contains(err.Error(), "not served") {
				t.Errorf("serve refused with %q, want it to say %q", err, tt.say)
			}
		})
	}
}
