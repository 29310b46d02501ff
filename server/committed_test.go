package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"mra/server/boltstore"
	"mra/server/mra"
	"mra/server/servertest"
)

// faultyWorld is a world whose store fails or holds commits on cue.
func faultyWorld(t *testing.T) (*servertest.World, func() *servertest.Faulty) {
	var cur *servertest.Faulty
	w := servertest.New(t, servertest.Options{Wrap: func(s *boltstore.Store) mra.Store {
		cur = &servertest.Faulty{Store: s}
		return cur
	}})
	return w, func() *servertest.Faulty { return cur }
}

type listing struct {
	Negotiations []mra.NegotiationView `json:"negotiations"`
}

// TestFailedCommitLeavesNoTrace: a change whose commit fails shows in no
// read (snapshot, list, events, the heads of a subscribe), and the next
// command works and reaches subscribers with the next seq.
func TestFailedCommitLeavesNoTrace(t *testing.T) {
	w, faulty := faultyWorld(t)
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	before := sg.Snapshot(neg)
	live := sg.Dial(t)
	live.Subscribe(neg, before.Heads["shared"], before.Heads["internal"])

	faulty().FailNext(1)
	a := sg.Send(servertest.CommentCmd(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared))
	if a.Type != "error" || a.Error.Code != mra.CodeInternal || a.Status != http.StatusInternalServerError {
		t.Fatalf("failed commit answered %d %s", a.Status, a.Raw)
	}
	after := sg.Snapshot(neg)
	if len(after.Threads) != 0 || after.Heads["shared"] != before.Heads["shared"] || after.Readiness.OpenIssues != 0 {
		t.Fatalf("the failed change shows: %d threads, heads %v (before %v)", len(after.Threads), after.Heads, before.Heads)
	}
	var evs struct {
		Events []json.RawMessage `json:"events"`
	}
	sg.GetJSON(fmt.Sprintf("/api/negotiations/%s/events?since=%d", neg, before.Heads["shared"]), &evs)
	if len(evs.Events) != 0 {
		t.Fatalf("events after the failure: %s", evs.Events)
	}
	_, ack := sg.Dial(t).Subscribe(neg, 0, 0)
	var heads struct {
		Heads map[string]uint64 `json:"heads"`
	}
	json.Unmarshal(ack.Result, &heads)
	if heads.Heads["shared"] != before.Heads["shared"] {
		t.Fatalf("subscribe ack heads %v, want shared %d", heads.Heads, before.Heads["shared"])
	}

	// The next command works, and the subscriber gets it with the next seq.
	id := sg.Comment(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)
	m := live.Must(servertest.IsEvent(mra.EvThreadOpened), "the next thread")
	if m.Seq != before.Heads["shared"]+1 || !json.Valid(m.Data) {
		t.Fatalf("next event seq %d, want %d", m.Seq, before.Heads["shared"]+1)
	}
	if s := sg.Snapshot(neg); len(s.Threads) != 1 || string(s.Threads[0].ID) != id {
		t.Fatalf("threads after the retry: %+v", s.Threads)
	}

	// A creation that fails is never listed, and its id is no negotiation.
	faulty().FailNext(1)
	a = us.Send(map[string]any{"type": "create_negotiation", "title": "lost", "parties": []string{"US", "SG"}})
	if a.Type != "error" || a.Error.Code != mra.CodeInternal {
		t.Fatalf("failed create answered %s", a.Raw)
	}
	var list listing
	us.GetJSON("/api/negotiations", &list)
	if len(list.Negotiations) != 1 || string(list.Negotiations[0].ID) != neg {
		t.Fatalf("list after a failed create: %+v", list.Negotiations)
	}
	if err := w.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestReadsWaitForTheCommit: while a change's commit is under way no read
// shows it; its ack comes once every read does.
func TestReadsWaitForTheCommit(t *testing.T) {
	w, faulty := faultyWorld(t)
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	head := sg.Snapshot(neg).Heads["shared"]

	release := faulty().HoldNext()
	done := make(chan servertest.Answer, 1)
	go func() {
		a, err := sg.TrySend(servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared))
		if err != nil {
			t.Error(err)
		}
		done <- a
	}()
	time.Sleep(100 * time.Millisecond) // the command is deciding or waiting on the held commit
	if s := us.Snapshot(neg); len(s.Threads) != 0 || s.Heads["shared"] != head {
		t.Fatalf("a read shows a change not yet committed: %d threads, head %d", len(s.Threads), s.Heads["shared"])
	}
	select {
	case a := <-done:
		t.Fatalf("answered before the commit: %s", a.Raw)
	default:
	}
	release()
	if a := <-done; a.Type != "ack" {
		t.Fatalf("answer %s", a.Raw)
	}
	if s := us.Snapshot(neg); len(s.Threads) != 1 || s.Heads["shared"] != head+1 {
		t.Fatalf("after the ack: %d threads, head %d", len(s.Threads), s.Heads["shared"])
	}
}

// TestFailureAmongConcurrentCommands: commands in flight when one fails are
// acknowledged only if they are on disk; the state served is the fold of
// the stored events, and every acknowledged comment is in it.
func TestFailureAmongConcurrentCommands(t *testing.T) {
	w, faulty := faultyWorld(t)
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	clients := []*servertest.Client{w.Login("us-neg"), w.Login("sg-neg"), w.Login("us-legal"), w.Login("sg-legal")}
	var mu sync.Mutex
	acked := map[string]bool{}
	failed := 0
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		for k, c := range clients {
			for j := 0; j < 5; j++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					vis := mra.Shared
					if j%2 == 1 {
						vis = mra.Internal
					}
					a, err := c.TrySend(servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, vis))
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if a.Type == "ack" {
						var r mra.CommentResult
						json.Unmarshal(a.Result, &r)
						acked[string(r.Thread)] = true
					} else {
						failed++
					}
				}()
				if k == 1 && j == 2 {
					faulty().FailNext(1)
				}
			}
		}
		wg.Wait()
	}
	if failed == 0 {
		t.Fatal("no command failed: the test tested nothing")
	}
	seen := map[string]bool{}
	for _, c := range clients {
		for _, th := range c.Snapshot(neg).Threads {
			seen[string(th.ID)] = true
		}
	}
	for id := range acked {
		if !seen[id] {
			t.Errorf("acknowledged thread %s is not served", id)
		}
	}
	if len(seen) != len(acked) {
		t.Errorf("%d threads served, %d acknowledged", len(seen), len(acked))
	}
	before := us.Snapshot(neg).Raw
	w.Restart()
	if err := w.Verify(); err != nil {
		t.Fatal(err)
	}
	if after := us.Snapshot(neg).Raw; string(after) != string(before) {
		t.Errorf("snapshot changed across a restart:\n%s\n%s", before, after)
	}
}
