package boltstore

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// buildVerifyFile commits n1 (shared events 1..5 with bodies "message 1"...,
// internal/US events 1..3) and n2 (shared 1..2) to a new file, closes it and
// returns its path.
func buildVerifyFile(t *testing.T) string {
	t.Helper()
	path := tempPath(t)
	s := mustOpen(t, path)
	n1, n2 := newChain("n1"), newChain("n2")
	mustCommit(t, s, n1.change(t, []*mra.Event{created(), reply("US", "internal 1")}))
	mustCommit(t, s, n2.change(t, []*mra.Event{created(), reply("", "message 2")}))
	for _, body := range []string{"message 2", "message 3", "message 4", "message 5"} {
		mustCommit(t, s, n1.change(t, []*mra.Event{reply("", body)}))
	}
	mustCommit(t, s, n1.change(t, []*mra.Event{reply("US", "internal 2"), reply("US", "internal 3")}))
	if err := s.Verify(); err != nil {
		t.Fatalf("Verify of an intact store: got %v, want nil", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return path
}

// tamper opens the closed store file with bbolt itself and runs fn on
// negotiation n1's bucket.
func tamper(t *testing.T, path string, fn func(t *testing.T, nb *bolt.Bucket) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("bolt.Open: %v", err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		return fn(t, tx.Bucket(bucketNegotiations).Bucket([]byte("n1")))
	})
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

// rewrite replaces the stored event seq of a stream by edit's result.
func rewrite(key mra.StreamKey, seq uint64, edit func(old []byte) []byte) func(*testing.T, *bolt.Bucket) error {
	return func(t *testing.T, nb *bolt.Bucket) error {
		sb := nb.Bucket(bucketStreams).Bucket([]byte(key))
		old := sb.Get(seqKey(seq))
		if old == nil {
			t.Fatalf("no event %d on %s", seq, key)
		}
		return sb.Put(seqKey(seq), edit(clone(old)))
	}
}

// flip changes the first occurrence of from into to.
func flip(from, to string) func([]byte) []byte {
	return func(b []byte) []byte {
		if !bytes.Contains(b, []byte(from)) {
			panic("no " + from + " in " + string(b))
		}
		return bytes.Replace(b, []byte(from), []byte(to), 1)
	}
}

// reseal edits an event's body and recomputes its own hash from the hash of
// the event before it, as a forger would: the next event's link breaks.
func reseal(prev string) func([]byte) []byte {
	return func(b []byte) []byte {
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			panic(err)
		}
		m["data"].(map[string]any)["message"].(map[string]any)["body"] = "forged"
		delete(m, "hash")
		m["hash"] = mra.ChainHash(prev, mra.Canonical(m))
		return mra.Canonical(m)
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, nb *bolt.Bucket) error
		want   string // "" for intact
	}{
		{"intact", nil, ""},
		{"a byte of event 3's body", rewrite(mra.SharedStream, 3, flip("message 3", "massage 3")),
			"negotiation n1 stream shared event 3: hash"},
		{"a byte of an internal event", rewrite(mra.InternalStream("US"), 2, flip("internal 2", "internal 9")),
			"negotiation n1 stream internal/US event 2: hash"},
		{"event 3 resealed by a forger", func(t *testing.T, nb *bolt.Bucket) error {
			var e2 struct{ Hash string }
			if err := json.Unmarshal(nb.Bucket(bucketStreams).Bucket([]byte("shared")).Get(seqKey(2)), &e2); err != nil {
				return err
			}
			return rewrite(mra.SharedStream, 3, reseal(e2.Hash))(t, nb)
		}, "negotiation n1 stream shared event 4: hash"},
		{"seq in the body", rewrite(mra.SharedStream, 2, flip(`"seq":2`, `"seq":7`)),
			"negotiation n1 stream shared event 2: hash"},
		{"event 2 deleted", func(t *testing.T, nb *bolt.Bucket) error {
			return nb.Bucket(bucketStreams).Bucket([]byte("shared")).Delete(seqKey(2))
		}, "negotiation n1 stream shared event 2: missing"},
		{"last event deleted", func(t *testing.T, nb *bolt.Bucket) error {
			return nb.Bucket(bucketStreams).Bucket([]byte("shared")).Delete(seqKey(5))
		}, "negotiation n1 stream shared event 5: missing"},
		{"head moved back", func(t *testing.T, nb *bolt.Bucket) error {
			return nb.Bucket(bucketHeads).Put([]byte("shared"), []byte(`{"seq":4,"hash":"x"}`))
		}, "negotiation n1 stream shared event 5: beyond the head"},
		{"head of a stream without events", func(t *testing.T, nb *bolt.Bucket) error {
			return nb.Bucket(bucketHeads).Put([]byte("internal/SG"), []byte(`{"seq":1,"hash":"x"}`))
		}, "negotiation n1 stream internal/SG event 1: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := buildVerifyFile(t)
			if tt.tamper != nil {
				tamper(t, path, tt.tamper)
			}
			s := mustOpen(t, path)
			err := s.Verify()
			t.Logf("Verify: %v", err)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}
