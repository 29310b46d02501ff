package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
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

// TestCarryCommitIsTheFold: a proposal that carries hundreds of threads
// (whose committed state is adopted from work rather than applied again)
// leaves every read equal to the fold of the log, and so does everything
// after it: replies and resolutions of carried threads, comments on the
// new version, the other party's proposal, a failed commit, a restart.
func TestCarryCommitIsTheFold(t *testing.T) {
	w, faulty := faultyWorld(t)
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	var b strings.Builder
	for k := range 300 {
		fmt.Fprintf(&b, "Article %d\n\n1. The Customs Administration %d shall exchange findings within %d days.\n\n", k+1, k, k+10)
	}
	text := b.String()
	neg := us.Create(1)
	us.Propose(neg, 0, text)
	check := func(when string) {
		t.Helper()
		for _, c := range []*servertest.Client{us, sg} {
			party := mra.PartyID(strings.ToUpper(string(c.User[:2])))
			if got, want := withoutNames(t, c.Snapshot(neg).Raw), withoutNames(t, foldedSnapshot(t, w, neg, party)); string(got) != string(want) {
				t.Fatalf("%s: %s's snapshot is not the fold of the log:\nserved %.2000s\nfold   %.2000s", when, party, got, want)
			}
		}
	}
	kinds := []mra.ThreadKind{mra.KindConsensus, mra.KindOpenIssue, mra.KindNote}
	vis := []mra.Visibility{mra.Shared, mra.Internal}
	var ids []string
	for k := range 300 {
		c := []*servertest.Client{us, sg}[k%2]
		ids = append(ids, c.Comment(neg, 1, text, fmt.Sprintf("Administration %d shall", k), kinds[k%3], vis[(k/2)%2]))
	}
	check("300 threads")
	edit := func(s string, k int) string {
		return strings.Replace(s, fmt.Sprintf("within %d days", k+10), fmt.Sprintf("within %d working days", k+10), 1)
	}
	v2 := text
	for k := 0; k < 300; k += 7 {
		v2 = edit(v2, k)
	}
	us.Propose(neg, 1, v2)
	check("version 2")
	if s := sg.Snapshot(neg); s.Threads[0].Anchor.Version != 2 {
		t.Fatalf("not carried: %+v", s.Threads[0].Anchor)
	}
	us.Must(map[string]any{"type": "reply", "negotiation": neg, "thread": ids[0], "body": "still agreed"}, nil)
	sg.Must(map[string]any{"type": "resolve", "negotiation": neg, "thread": ids[1], "body": "settled"}, nil)
	sg.Comment(neg, 2, v2, "Administration 7 shall exchange", mra.KindOpenIssue, mra.Shared)
	check("after replies on version 2")
	v3 := v2
	for k := 3; k < 300; k += 11 {
		v3 = edit(v3, k)
	}
	sg.Propose(neg, 2, v3)
	check("version 3")

	faulty().FailNext(1)
	if a := us.Send(map[string]any{"type": "propose_version", "negotiation": neg, "base": 3, "text": edit(v3, 1)}); a.Type != "error" || a.Error.Code != mra.CodeInternal {
		t.Fatalf("failed proposal answered %s", a.Raw)
	}
	if s := us.Snapshot(neg); s.Readiness.Version != 3 || s.Threads[0].Anchor.Version != 3 {
		t.Fatalf("the failed proposal shows: version %d, anchor on %d", s.Readiness.Version, s.Threads[0].Anchor.Version)
	}
	check("after a failed proposal")
	us.Propose(neg, 3, edit(v3, 1))
	us.Must(map[string]any{"type": "reply", "negotiation": neg, "thread": ids[2], "body": "on version 4"}, nil)
	check("version 4")
	w.Restart()
	check("after a restart")
	if err := w.Verify(); err != nil {
		t.Fatal(err)
	}
}
