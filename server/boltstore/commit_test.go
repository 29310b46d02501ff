package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// recordsOf maps "kind/key" to value for comparison.
func recordsOf(rs []mra.Record) map[string]string {
	m := map[string]string{}
	for _, r := range rs {
		m[r.Kind+"/"+r.Key] = string(r.Value)
	}
	return m
}

// seqsOf decodes stored events and returns their seqs.
func seqsOf(t testing.TB, events [][]byte) []uint64 {
	t.Helper()
	seqs := []uint64{}
	for _, b := range events {
		e, err := mra.DecodeEvent(b)
		if err != nil {
			t.Fatalf("DecodeEvent: %v", err)
		}
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

func TestCommitLoadReopen(t *testing.T) {
	path := tempPath(t)
	s := mustOpen(t, path)
	text := "Article 1.\nThe Parties recognise each other's programs."
	sha := mra.SHA256(text)

	n1, n2 := newChain("n1"), newChain("n2")
	changes := []*mra.Change{
		n1.change(t, []*mra.Event{created()}, mra.Record{Kind: mra.RecMeta, Value: []byte(`{"id":"n1"}`)}),
		n1.change(t, []*mra.Event{reply("", "s2"), reply("US", "us1")}, record("t1", `{"v":1}`), record("t2", `{"v":1}`)),
		n2.change(t, []*mra.Event{created()}, mra.Record{Kind: mra.RecMeta, Value: []byte(`{"id":"n2"}`)}),
		n1.change(t, []*mra.Event{reply("SG", "sg1"), reply("", "s3"), reply("US", "us2")},
			record("t1", `{"v":2}`), mra.Record{Kind: mra.RecThread, Key: "t2"}), // t2 deleted
		n1.change(t, []*mra.Event{reply("", "s4"), reply("", "s5"), reply("", "s6"), reply("", "s7"), reply("", "s8")}),
	}
	changes[1].Texts = map[string]string{sha: text}
	changes[1].Answer = &mra.Answer{User: "alice", ID: "cmd-1", Body: []byte(`{"type":"ack","id":"cmd-1"}`)}
	stored := map[mra.NegotiationID]map[mra.StreamKey][][]byte{}
	for _, c := range changes {
		mustCommit(t, s, c)
		if stored[c.Negotiation] == nil {
			stored[c.Negotiation] = map[mra.StreamKey][][]byte{}
		}
		for _, e := range c.Events {
			stored[c.Negotiation][e.Key()] = append(stored[c.Negotiation][e.Key()], e.JSON)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = mustOpen(t, path)
	got, err := s.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []struct {
		id      mra.NegotiationID
		records map[string]string
		heads   map[mra.StreamKey]mra.Head
	}{
		{"n1", map[string]string{"meta/": `{"id":"n1"}`, "thread/t1": `{"v":2}`}, n1.n.Heads},
		{"n2", map[string]string{"meta/": `{"id":"n2"}`}, n2.n.Heads},
	}
	if len(got) != len(want) {
		t.Fatalf("Load: got %d negotiations, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].ID != w.id {
			t.Errorf("Load[%d]: got id %s, want %s", i, got[i].ID, w.id)
		}
		if r := recordsOf(got[i].Records); !maps.Equal(r, w.records) {
			t.Errorf("Load %s records: got %v, want %v", w.id, r, w.records)
		}
		if !maps.Equal(got[i].Heads, w.heads) {
			t.Errorf("Load %s heads: got %v, want %v", w.id, got[i].Heads, w.heads)
		}
	}

	body, ok, err := s.Answer("alice", "cmd-1")
	if err != nil || !ok || string(body) != `{"type":"ack","id":"cmd-1"}` {
		t.Errorf("Answer after reopen: got %q, %v, %v, want the stored answer", body, ok, err)
	}
	if _, ok, err := s.Answer("bob", "cmd-1"); ok || err != nil {
		t.Errorf("Answer of another user: got %v, %v, want false, nil", ok, err)
	}
	if got, err := s.Text(sha); err != nil || got != text {
		t.Errorf("Text after reopen: got %q, %v, want %q", got, err, text)
	}

	tests := []struct {
		neg          mra.NegotiationID
		stream       mra.StreamKey
		since        uint64
		limit        int
		want         []uint64
		wantFromSeq1 bool // compare bytes with what was committed
	}{
		{"n1", mra.SharedStream, 0, 0, []uint64{1, 2, 3, 4, 5, 6, 7, 8}, true},
		{"n1", mra.SharedStream, 0, 3, []uint64{1, 2, 3}, true},
		{"n1", mra.SharedStream, 3, 3, []uint64{4, 5, 6}, false},
		{"n1", mra.SharedStream, 6, 3, []uint64{7, 8}, false},
		{"n1", mra.SharedStream, 8, 3, []uint64{}, false},
		{"n1", mra.SharedStream, 1<<64 - 1, 3, []uint64{}, false},
		{"n1", mra.InternalStream("US"), 0, 10, []uint64{1, 2}, true},
		{"n1", mra.InternalStream("US"), 1, 10, []uint64{2}, false},
		{"n1", mra.InternalStream("SG"), 0, 0, []uint64{1}, true},
		{"n1", mra.InternalStream("EX"), 0, 0, []uint64{}, false},
		{"n2", mra.SharedStream, 0, 0, []uint64{1}, true},
		{"n9", mra.SharedStream, 0, 0, []uint64{}, false},
	}
	for _, tt := range tests {
		events, err := s.Events(tt.neg, tt.stream, tt.since, tt.limit, 0)
		if err != nil {
			t.Errorf("Events(%s, %s, %d, %d): %v", tt.neg, tt.stream, tt.since, tt.limit, err)
			continue
		}
		if events == nil {
			t.Errorf("Events(%s, %s, %d, %d): got nil, want a slice", tt.neg, tt.stream, tt.since, tt.limit)
		}
		if got := seqsOf(t, events); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Events(%s, %s, %d, %d): got seqs %v, want %v", tt.neg, tt.stream, tt.since, tt.limit, got, tt.want)
		}
		if tt.wantFromSeq1 {
			for i, b := range events {
				if want := stored[tt.neg][tt.stream][i]; !bytes.Equal(b, want) {
					t.Errorf("Events(%s, %s) event %d: got %s, want %s", tt.neg, tt.stream, i+1, b, want)
				}
			}
		}
	}
	if err := s.Verify(); err != nil {
		t.Errorf("Verify: got %v, want nil", err)
	}
}

func TestTextsStoredOnce(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	text := "The same text, proposed twice.\n"
	sha := mra.SHA256(text)
	for _, id := range []string{"n1", "n2"} {
		c := newChain(id).change(t, []*mra.Event{created()})
		c.Texts = map[string]string{sha: text}
		mustCommit(t, s, c)
	}
	var count int
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTexts).ForEach(func(k, v []byte) error {
			count++
			return nil
		})
	})
	if err != nil || count != 1 {
		t.Errorf("texts stored: got %d (%v), want 1", count, err)
	}
	if got, err := s.Text(sha); err != nil || got != text {
		t.Errorf("Text: got %q, %v, want %q", got, err, text)
	}
	if _, err := s.Text(mra.SHA256("never stored")); !errors.Is(err, mra.ErrNotFound) {
		t.Errorf("Text of an unknown sha: got %v, want ErrNotFound", err)
	}
	if _, err := s.Text(""); !errors.Is(err, mra.ErrNotFound) {
		t.Errorf("Text of an empty sha: got %v, want ErrNotFound", err)
	}
}

// TestCommitStaleConcurrent races two changes built on the same head, next to
// a change of another negotiation: one of the two and the other commit; the
// loser fails with ErrStale and writes nothing.
func TestCommitStaleConcurrent(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	const rounds = 20
	for round := range rounds {
		id := fmt.Sprintf("n%02d", round)
		a := newChain(id)
		mustCommit(t, s, a.change(t, []*mra.Event{created()}))
		b := a.fork()
		text := fmt.Sprintf("text of round %d", round)
		changes := []*mra.Change{
			a.change(t, []*mra.Event{reply("", "from a")}, record("a", `{}`)),
			b.change(t, []*mra.Event{reply("", "from b")}, record("b", `{}`)),
			newChain(id+"-other").change(t, []*mra.Event{created()}, record("o", `{}`)),
		}
		changes[0].Answer = &mra.Answer{User: "alice", ID: id, Body: []byte("a")}
		changes[1].Answer = &mra.Answer{User: "bob", ID: id, Body: []byte("b")}
		changes[1].Texts = map[string]string{mra.SHA256(text): text}

		errs := make([]error, len(changes))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, c := range changes {
			wg.Go(func() {
				<-start
				errs[i] = s.Commit(context.Background(), c)
			})
		}
		close(start)
		wg.Wait()

		if errs[2] != nil {
			t.Errorf("round %d: other negotiation's commit: got %v, want nil", round, errs[2])
		}
		winner, loser := 0, 1
		if errs[0] != nil {
			winner, loser = 1, 0
		}
		if errs[winner] != nil || !errors.Is(errs[loser], ErrStale) {
			t.Fatalf("round %d: got errors %v and %v, want one nil and one ErrStale", round, errs[0], errs[1])
		}
		lost := changes[loser]
		events, err := s.Events(mra.NegotiationID(id), mra.SharedStream, 0, 0, 0)
		if err != nil || len(events) != 2 || !bytes.Equal(events[1], changes[winner].Events[0].JSON) {
			t.Errorf("round %d: got %d events (%v), want created and the winner's", round, len(events), err)
		}
		if _, ok, _ := s.Answer(lost.Answer.User, id); ok {
			t.Errorf("round %d: the stale change's answer was stored", round)
		}
		if _, err := s.Text(mra.SHA256(text)); loser == 1 && !errors.Is(err, mra.ErrNotFound) {
			t.Errorf("round %d: the stale change's text: got %v, want ErrNotFound", round, err)
		}
		stored, err := s.Load()
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		for _, st := range stored {
			if st.ID != mra.NegotiationID(id) {
				continue
			}
			r := recordsOf(st.Records)
			if _, ok := r["thread/"+lost.Records[0].Key]; ok {
				t.Errorf("round %d: the stale change's record was stored: %v", round, r)
			}
			if _, ok := r["thread/"+changes[winner].Records[0].Key]; !ok {
				t.Errorf("round %d: the winner's record is missing: %v", round, r)
			}
		}
	}
	if err := s.Verify(); err != nil {
		t.Errorf("Verify: got %v, want nil", err)
	}
}

// TestCommitBatch drives one transaction by hand: a change sees the heads an
// earlier change of the same batch wrote, a stale one fails alone.
func TestCommitBatch(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	a := newChain("n1")
	again := newChain("n1") // also builds on the empty stream: stale after c1
	c1 := a.change(t, []*mra.Event{created()}, record("1", `{}`))
	c2 := a.change(t, []*mra.Event{reply("", "2")}, record("2", `{}`))
	c3 := again.change(t, []*mra.Event{created()}, record("3", `{}`))
	c4 := a.change(t, []*mra.Event{reply("US", "4"), reply("", "4")}, record("4", `{}`))
	c5 := newChain("n2").change(t, []*mra.Event{created()}, record("5", `{}`))
	c6 := newChain("n4").change(t, []*mra.Event{created()}, record("6", `{}`)) // its waiter gave up
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	batch := []*request{}
	for _, c := range []*mra.Change{c1, c2, c3, c4, c5, c6} {
		ctx := context.Background()
		if c == c6 {
			ctx = canceled
		}
		batch = append(batch, &request{ctx: ctx, c: c, done: make(chan error, 1)})
	}
	s.commitBatch(batch)
	for i, want := range []error{nil, nil, ErrStale, nil, nil, context.Canceled} {
		err := <-batch[i].done
		if (want == nil && err != nil) || (want != nil && !errors.Is(err, want)) {
			t.Errorf("change %d: got %v, want %v", i+1, err, want)
		}
	}
	stored, err := s.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(stored) != 2 {
		t.Fatalf("Load: got %d negotiations, want n1 and n2", len(stored))
	}
	if r := recordsOf(stored[0].Records); len(r) != 3 || r["thread/3"] != "" {
		t.Errorf("n1 records: got %v, want those of changes 1, 2 and 4", r)
	}
	if !maps.Equal(stored[0].Heads, a.n.Heads) {
		t.Errorf("n1 heads: got %v, want %v", stored[0].Heads, a.n.Heads)
	}
	if err := s.Verify(); err != nil {
		t.Errorf("Verify: got %v, want nil", err)
	}

	// A change whose write fails fails the transaction: every change in it
	// gets the error and nothing is written.
	good := a.change(t, []*mra.Event{reply("", "good")}, record("good", `{}`))
	bad := newChain("n3").change(t, []*mra.Event{created()}, record(strings.Repeat("k", bolt.MaxKeySize), `{}`))
	batch = []*request{
		{ctx: context.Background(), c: good, done: make(chan error, 1)},
		{ctx: context.Background(), c: bad, done: make(chan error, 1)},
	}
	s.commitBatch(batch)
	for i, r := range batch {
		if err := <-r.done; err == nil {
			t.Errorf("failed transaction, change %d: got nil, want an error", i+1)
		}
	}
	if events, _ := s.Events("n1", mra.SharedStream, 0, 0, 0); len(events) != 3 {
		t.Errorf("after a failed transaction: got %d shared events, want 3", len(events))
	}
}

func TestCommitRejects(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	base := newChain("n1")
	first := base.change(t, []*mra.Event{created()}, record("base", `{}`))
	first.Answer = &mra.Answer{User: "alice", ID: "once", Body: []byte("first")}
	mustCommit(t, s, first)

	valid := func(t *testing.T) *mra.Change {
		return base.fork().change(t, []*mra.Event{reply("", "x"), reply("US", "y")}, record("new", `{}`))
	}
	tests := []struct {
		name   string
		change func(t *testing.T) *mra.Change
		want   error // nil: any error
	}{
		{"nil change", func(t *testing.T) *mra.Change { return nil }, nil},
		{"no negotiation", func(t *testing.T) *mra.Change {
			c := valid(t)
			c.Negotiation = ""
			return c
		}, nil},
		{"event without its prev head", func(t *testing.T) *mra.Change {
			c := valid(t)
			delete(c.Prev, mra.InternalStream("US"))
			return c
		}, nil},
		{"seq does not follow prev", func(t *testing.T) *mra.Change {
			c := valid(t)
			c.Prev[mra.SharedStream] = mra.Head{Seq: 5, Hash: "h"}
			return c
		}, nil},
		{"altered bytes", func(t *testing.T) *mra.Change {
			c := valid(t)
			c.Events[0].JSON = bytes.Replace(c.Events[0].JSON, []byte(`"x"`), []byte(`"z"`), 1)
			return c
		}, nil},
		{"altered hash", func(t *testing.T) *mra.Change {
			c := valid(t)
			c.Events[1].Hash = "0000"
			return c
		}, nil},
		{"event of another negotiation", func(t *testing.T) *mra.Change {
			c := valid(t)
			c.Negotiation = "n2"
			return c
		}, nil},
		{"text under a wrong sha", func(t *testing.T) *mra.Change {
			c := valid(t)
			c.Texts = map[string]string{mra.SHA256("a"): "b"}
			return c
		}, nil},
		{"record without a kind", func(t *testing.T) *mra.Change {
			c := valid(t)
			c.Records = append(c.Records, mra.Record{Key: "k", Value: []byte("{}")})
			return c
		}, nil},
		{"answer without an id", func(t *testing.T) *mra.Change {
			c := valid(t)
			c.Answer = &mra.Answer{User: "alice"}
			return c
		}, nil},
		{"stale head", func(t *testing.T) *mra.Change {
			return newChain("n1").change(t, []*mra.Event{created()}, record("new", `{}`))
		}, ErrStale},
		{"answer stored already", func(t *testing.T) *mra.Change {
			c := valid(t)
			c.Answer = &mra.Answer{User: "alice", ID: "once", Body: []byte("second")}
			return c
		}, mra.ErrExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Commit(context.Background(), tt.change(t))
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("got %v, want %v", err, cmp(tt.want))
			}
			stored, err := s.Load()
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(stored) != 1 || !maps.Equal(stored[0].Heads, base.n.Heads) {
				t.Fatalf("got %v, want n1 as it was", stored)
			}
			if r := recordsOf(stored[0].Records); len(r) != 1 {
				t.Errorf("records: got %v, want only the first", r)
			}
			if body, _, _ := s.Answer("alice", "once"); string(body) != "first" {
				t.Errorf("answer: got %q, want %q", body, "first")
			}
		})
	}
	if events, _ := s.Events("n1", mra.SharedStream, 0, 0, 0); len(events) != 1 {
		t.Errorf("got %d shared events, want 1", len(events))
	}
	if err := s.Verify(); err != nil {
		t.Errorf("Verify: got %v, want nil", err)
	}
}

func cmp(want error) any {
	if want == nil {
		return "an error"
	}
	return want
}

func TestCommitCanceled(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Commit(ctx, newChain("n1").change(t, []*mra.Event{created()}))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if stored, err := s.Load(); err != nil || len(stored) != 0 {
		t.Errorf("Load: got %v, %v, want nothing", stored, err)
	}
}

// TestCommitAnswerOnly commits a change that only answers a command: the
// answer is stored and no negotiation appears.
func TestCommitAnswerOnly(t *testing.T) {
	s := mustOpen(t, tempPath(t))
	c := &mra.Change{Answer: &mra.Answer{User: "alice", ID: "c1", Body: []byte(`{"type":"error"}`)}}
	mustCommit(t, s, c)
	mustCommit(t, s, &mra.Change{})
	if body, ok, err := s.Answer("alice", "c1"); !ok || err != nil || string(body) != `{"type":"error"}` {
		t.Errorf("Answer: got %q, %v, %v, want the stored answer", body, ok, err)
	}
	if stored, err := s.Load(); err != nil || len(stored) != 0 {
		t.Errorf("Load: got %v, %v, want no negotiation", stored, err)
	}
}

// TestCommitOnCommit: Options.OnCommit hears of each durable transaction
// with the number of changes it wrote; of none that wrote nothing or failed.
func TestCommitOnCommit(t *testing.T) {
	var heard []int
	s, err := Open(tempPath(t), Options{OnCommit: func(n int) { heard = append(heard, n) }}) // one transaction at a time
	if err != nil {
		t.Fatal(err)
	}
	a, again := newChain("n1"), newChain("n1")
	c1 := a.change(t, []*mra.Event{created()}, record("1", `{}`))
	c2 := a.change(t, []*mra.Event{reply("", "2")}, record("2", `{}`))
	stale := again.change(t, []*mra.Event{created()}, record("3", `{}`))
	c4 := newChain("n2").change(t, []*mra.Event{created()}, record("4", `{}`))
	req := func(c *mra.Change) *request {
		return &request{ctx: context.Background(), c: c, done: make(chan error, 1)}
	}
	s.commitBatch([]*request{req(c1), req(c2), req(stale), req(c4)}) // three written, one stale
	s.commitBatch([]*request{req(stale)})                            // nothing written: no transaction
	bad := newChain("n3").change(t, []*mra.Event{created()}, record(strings.Repeat("k", bolt.MaxKeySize), `{}`))
	s.commitBatch([]*request{req(bad)}) // the transaction fails
	if err := s.Commit(context.Background(), a.change(t, []*mra.Event{reply("", "5")}, record("5", `{}`))); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(heard, []int{3, 1}) {
		t.Errorf("OnCommit heard %v, want [3 1]", heard)
	}
}
