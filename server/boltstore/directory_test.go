package boltstore

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// operate decides an administration command on the stored directory (by
// actor; nil is the operator) and commits it; hashes are "h:" + password.
func operate(t testing.TB, s *Store, actor *mra.User, js string) *mra.AdminOutcome {
	t.Helper()
	out, c, err := tryOperate(s, actor, js)
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	mustCommit(t, s, c)
	return out
}

func tryOperate(s *Store, actor *mra.User, js string) (*mra.AdminOutcome, *mra.Change, error) {
	d, err := s.Directory()
	if err != nil {
		return nil, nil, err
	}
	if !strings.Contains(js, `"id":"c`) {
		js = strings.Replace(js, "{", `{"id":"c",`, 1)
	}
	cmd, perr := mra.ParseCommand([]byte(js))
	if perr != nil {
		return nil, nil, perr
	}
	n := 0
	in := mra.AdminInput{Actor: actor, Now: t0,
		NewPassword: func() string { n++; return fmt.Sprint("one-time-", n) },
		Hash:        func(p string) (string, error) { return "h:" + p, nil },
		Check:       func(h, p string) (bool, error) { return h == "h:"+p, nil }}
	out, err := mra.DecideAdmin(d, cmd, in)
	if err != nil {
		return nil, nil, err
	}
	c, err := d.Prepare(out)
	return out, c, err
}

// The directory is stored with the admin stream that made it, survives a
// reopen, and Audit holds it to the fold of that stream.
func TestDirectoryStored(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	operate(t, s, nil, `{"type":"add_party","party":{"id":"US","name":"U.S. Customs","program":"CTPAT"}}`)
	operate(t, s, nil, `{"type":"add_party","party":{"id":"SG","name":"Singapore Customs"},"admin":{"id":"sg-admin","name":"SG Admin"}}`)
	operate(t, s, nil, `{"type":"add_user","user":{"id":"us-admin","party":"US","roles":["admin"]}}`)
	d, err := s.Directory()
	if err != nil {
		t.Fatal(err)
	}
	admin := d.Users["us-admin"]
	operate(t, s, &admin, `{"type":"add_user","user":{"id":"alice","name":"Alice","party":"US","roles":["negotiator"]}}`)
	operate(t, s, &admin, `{"type":"disable_user","user":"alice"}`)

	// A change built on an old head fails alone, writing nothing.
	_, stale, err := tryOperate(s, &admin, `{"type":"enable_user","user":"alice"}`)
	if err != nil {
		t.Fatal(err)
	}
	operate(t, s, &admin, `{"type":"reset_password","user":"alice"}`)
	if err := s.Commit(t.Context(), stale); !errors.Is(err, ErrStale) {
		t.Errorf("a stale admin change: got %v, want ErrStale", err)
	}
	s.Close()

	s = mustOpen(t, path)
	defer s.Close()
	d, err = s.Directory()
	if err != nil {
		t.Fatal(err)
	}
	alice := d.Users["alice"]
	if d.Head.Seq != 7 || !alice.Disabled || !alice.MustChangePassword || alice.PasswordHash != "h:one-time-1" || d.Parties["US"].Program != "CTPAT" {
		t.Errorf("directory after reopen: head %+v alice %+v parties %+v", d.Head, alice, d.Parties)
	}
	if err := s.Verify(); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if _, err := s.Audit(); err != nil {
		t.Errorf("Audit: %v", err)
	}
	users, _ := s.Users()
	if len(users) != 3 {
		t.Errorf("Users: %d, want 3", len(users))
	}
}

// Audit finds a user or party changed behind the admin stream's back, and
// Verify a broken chain of the admin stream.
func TestDirectoryTampered(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		tamper     func(tx *bolt.Tx) error
	}{
		{"a password hash replaced", "stored password hash", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketUsers).Put([]byte("alice"), []byte(`{"id":"alice","name":"Alice","party":"US","roles":["negotiator"],"password_hash":"h:mine"}`))
		}},
		{"a role added", "not what the admin stream made it", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketUsers).Put([]byte("alice"), []byte(`{"id":"alice","name":"Alice","party":"US","roles":["negotiator","admin"],"password_hash":"h:pw"}`))
		}},
		{"a user added", "not on the admin stream", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketUsers).Put([]byte("mallory"), []byte(`{"id":"mallory","party":"US","roles":["admin"],"password_hash":"h:x"}`))
		}},
		{"a user removed", "is missing", func(tx *bolt.Tx) error { return tx.Bucket(bucketUsers).Delete([]byte("alice")) }},
		{"a party renamed", "party US", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketParties).Put([]byte("US"), []byte(`{"id":"US","name":"Someone else"}`))
		}},
		{"an event rewritten", "stream admin event 2", func(tx *bolt.Tx) error {
			sb := tx.Bucket(bucketAdmin).Bucket(keyStream)
			v := strings.Replace(string(sb.Get(seqKey(2))), "Alice", "Alicia", 1)
			return sb.Put(seqKey(2), []byte(v))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tempPath(t)
			s := mustOpen(t, path)
			operate(t, s, nil, `{"type":"add_party","party":{"id":"US","name":"U.S. Customs"}}`)
			d, _ := s.Directory()
			in := mra.AdminInput{Now: t0, PasswordHash: "h:pw"}
			cmd, _ := mra.ParseCommand([]byte(`{"id":"c","type":"add_user","user":{"id":"alice","name":"Alice","party":"US","roles":["negotiator"]}}`))
			out, err := mra.DecideAdmin(d, cmd, in)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := d.Prepare(out)
			mustCommit(t, s, c)
			if _, err := s.Audit(); err != nil {
				t.Fatalf("Audit before: %v", err)
			}
			if err := s.db.Update(tc.tamper); err != nil {
				t.Fatal(err)
			}
			_, err = s.Audit()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Audit: got %v, want an error naming %q", err, tc.want)
			}
			s.Close()
		})
	}
}

// A database made before the admin stream gets one at its next open: the
// parties and users as they stood, in one directory_recorded event.
func TestDirectoryRecordedOnOpen(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketParties).Put([]byte("US"), []byte(`{"id":"US","name":"U.S. Customs"}`)); err != nil {
			return err
		}
		return tx.Bucket(bucketUsers).Put([]byte("alice"), []byte(`{"id":"alice","name":"Alice","party":"US","roles":["negotiator"],"password_hash":"h:pw"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Audit(); err == nil {
		t.Fatal("Audit passed users no admin stream holds")
	}
	s.Close()
	s = mustOpen(t, path)
	defer s.Close()
	if _, err := s.Audit(); err != nil {
		t.Fatalf("Audit after the directory was recorded: %v", err)
	}
	d, _ := s.Directory()
	if d.Head.Seq != 1 || d.Users["alice"].PasswordHash != "h:pw" {
		t.Errorf("directory %+v", d)
	}
	events, err := s.adminEvents()
	if err != nil || len(events) != 1 || !strings.Contains(string(events[0]), `"kind":"directory_recorded"`) || strings.Contains(string(events[0]), "h:pw") {
		t.Errorf("admin stream %q, %v", events, err)
	}
}
