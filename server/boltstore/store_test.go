package boltstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mra/server/mra"
)

// t0 is the time of every test event, so that runs are repeatable.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func tempPath(t testing.TB) string { return filepath.Join(t.TempDir(), "mra.db") }

// mustOpen opens the store at path and closes it when the test ends.
func mustOpen(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustCommit(t testing.TB, s *Store, c *mra.Change) {
	t.Helper()
	if err := s.Commit(context.Background(), c); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// chain builds sealed changes of one negotiation, as the server does: it
// notes the heads of the streams touched, then seals the events after them.
type chain struct{ n *mra.Negotiation }

func newChain(id string) *chain { return &chain{n: mra.NewNegotiation(mra.NegotiationID(id))} }

// seal seals events and returns the change that commits them with records.
func (ch *chain) seal(events []*mra.Event, records ...mra.Record) (*mra.Change, error) {
	prev := map[mra.StreamKey]mra.Head{}
	for _, e := range events {
		if _, ok := prev[e.Key()]; !ok {
			prev[e.Key()] = ch.n.Heads[e.Key()]
		}
	}
	if err := ch.n.Seal(events); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return &mra.Change{Negotiation: ch.n.ID, Events: events, Prev: prev, Records: records}, nil
}

// change is seal for the test's own goroutine.
func (ch *chain) change(t testing.TB, events []*mra.Event, records ...mra.Record) *mra.Change {
	t.Helper()
	c, err := ch.seal(events, records...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fork returns a chain of the same negotiation at the same heads.
func (ch *chain) fork() *chain {
	f := newChain(string(ch.n.ID))
	for k, h := range ch.n.Heads {
		f.n.Heads[k] = h
	}
	return f
}

func created() *mra.Event {
	return &mra.Event{
		Stream: mra.Shared, Kind: mra.EvNegotiationCreated, At: t0,
		Actor: mra.Actor{User: "alice", Party: "US"},
		Data:  &mra.NegotiationCreated{Title: "t", Parties: []mra.PartyID{"US", "SG"}, RequiredApprovals: 1},
	}
}

// reply is an event on the shared stream (owner "") or on owner's internal one.
func reply(owner mra.PartyID, body string) *mra.Event {
	e := &mra.Event{
		Stream: mra.Shared, Kind: mra.EvReplyAdded, At: t0,
		Actor: mra.Actor{User: "alice", Party: "US"},
		Data:  &mra.ReplyAdded{Thread: "t1", Message: mra.Message{ID: "m", Author: "alice", Party: "US", Body: body, At: t0}},
	}
	if owner != "" {
		e.Stream, e.Owner = mra.Internal, owner
	}
	return e
}

func record(key, value string) mra.Record {
	return mra.Record{Kind: mra.RecThread, Key: key, Value: []byte(value)}
}

func TestOpenLocked(t *testing.T) {
	path := tempPath(t)
	mustOpen(t, path)

	start := time.Now()
	s, err := Open(path, Options{})
	elapsed := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("second Open of a locked file: got nil error")
	}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "in use by another mra process") {
		t.Errorf("got %v, want an error saying the file is in use", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want it to name %s", err, path)
	}
	if elapsed > 2*time.Second {
		t.Errorf("got failure after %v, want within 2s", elapsed)
	}
}

func TestOpenReopen(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	s = mustOpen(t, path)
	if err := s.Verify(); err != nil {
		t.Errorf("Verify of an empty store: got %v, want nil", err)
	}
	st, err := s.Load()
	if err != nil || len(st) != 0 {
		t.Errorf("Load of an empty store: got %v, %v, want none", st, err)
	}
}

func TestSessions(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	now := t0
	sessions := []mra.Session{
		{Hash: "a", User: "alice", Created: now.Add(-time.Hour), Expires: now.Add(time.Hour)},
		{Hash: "b", User: "bob", Created: now.Add(-2 * time.Hour), Expires: now.Add(-time.Minute)},
		{Hash: "c", User: "carol", Created: now.Add(-time.Hour), Expires: now}, // expires at now
		{Hash: "d", User: "dave", Created: now, Expires: now.Add(time.Minute)},
	}
	for _, se := range sessions {
		if err := s.PutSession(se); err != nil {
			t.Fatalf("PutSession(%s): %v", se.Hash, err)
		}
	}

	tests := []struct {
		name string
		now  time.Time
		want []string
	}{
		{"expired ones are not returned", now, []string{"a", "d"}},
		{"and were deleted", now.Add(-24 * time.Hour), []string{"a", "d"}},
		{"later, one more expires", now.Add(30 * time.Minute), []string{"a"}},
	}
	for _, tt := range tests {
		got, err := s.Sessions(tt.now)
		if err != nil {
			t.Fatalf("%s: Sessions: %v", tt.name, err)
		}
		var hashes []string
		for _, se := range got {
			hashes = append(hashes, se.Hash)
		}
		if fmt.Sprint(hashes) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, hashes, tt.want)
		}
	}

	for range 2 {
		if err := s.DeleteSession("a"); err != nil {
			t.Errorf("DeleteSession: got %v, want nil", err)
		}
	}
	if got, err := s.Sessions(now); err != nil || len(got) != 0 {
		t.Errorf("after DeleteSession: got %v, %v, want none", got, err)
	}
}
