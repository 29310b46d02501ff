package mra

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomHistory runs n random commands (most valid, some refused) on a
// fixture and returns every event it sealed.
func randomHistory(t *testing.T, seed uint64, n int) (*fixture, []*Event) {
	f := newFixture(t, 1, clauses)
	rng := rand.New(rand.NewPCG(seed, 1))
	users := []UserID{"us-neg", "us-legal", "us-legal2", "us-sign", "sg-neg", "sg-legal", "sg-sign"}
	quotes := []string{"Purpose", "validation findings", "within 30 days", "contact point", "importers", "Article 2"}
	texts := []string{clauses,
		strings.Replace(clauses, "30 days", "60 days", 1),
		strings.Replace(clauses, "Purpose\n", "Purpose\n\n0. A preamble.\n", 1),
		strings.Replace(clauses, "importers.", "importers and carriers.", 1)}
	for k := 0; k < n; k++ {
		user := users[rng.IntN(len(users))]
		var cmd Command
		ids := f.n.Order
		pick := func() ThreadID {
			if len(ids) == 0 {
				return "t-none"
			}
			return ids[rng.IntN(len(ids))]
		}
		switch rng.IntN(10) {
		case 0:
			cmd = Command{Type: CmdProposeVersion, Base: ptr(f.latest()), Text: ptr(texts[rng.IntN(len(texts))] + fmt.Sprint(k))}
		case 1, 2, 3:
			v := 1 + rng.IntN(f.latest())
			q := quotes[rng.IntN(len(quotes))]
			if _, _, ok := f.find(v, q); !ok {
				continue
			}
			kinds := []ThreadKind{KindConsensus, KindOpenIssue, KindNote}
			vis := []Visibility{Shared, Internal}
			cmd = f.commentCmd(v, q, kinds[rng.IntN(3)], vis[rng.IntN(2)])
		case 4:
			cmd = Command{Type: CmdReply, Thread: pick(), Body: ptr("a reply")}
		case 5:
			cmd = Command{Type: CmdConcur, Thread: pick()}
		case 6:
			types := []CommandType{CmdResolve, CmdReopen, CmdWithdraw}
			cmd = Command{Type: types[rng.IntN(3)], Thread: pick(), Body: ptr("why")}
		case 7:
			d := []Decision{Approve, RequestChanges}[rng.IntN(2)]
			vis := []Visibility{"", Shared, Internal}[rng.IntN(3)]
			cmd = Command{Type: CmdSignOff, Version: ptr(f.latest()), SHA256: f.sha(), Decision: d, Visibility: vis, Body: ptr(fmt.Sprint("body ", k))}
		case 8:
			cmd = Command{Type: CmdSign, Version: ptr(f.latest()), SHA256: f.sha()}
		case 9:
			cmd = Command{Type: CmdWithdrawSignature, Version: ptr(f.latest()), Body: ptr("why")}
		}
		f.do(user, cmd)
	}
	return f, f.eventsSoFar
}

// TestFoldEqualsState: after random histories, the fold of the events (in
// any order of streams) and the restore of the records are the state, byte
// for byte in every party's snapshot and in every record.
func TestFoldEqualsState(t *testing.T) {
	for seed := range uint64(40) {
		f, events := randomHistory(t, seed, 150)
		// Shuffle the streams' interleaving: the fold orders by position.
		rng := rand.New(rand.NewPCG(seed, 2))
		rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		folded, err := Fold(f.n.ID, events)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		want, err := f.n.AllRecords()
		if err != nil {
			t.Fatal(err)
		}
		got, err := folded.AllRecords()
		if err != nil {
			t.Fatal(err)
		}
		if d := DiffRecords(got, want); d != "" {
			t.Fatalf("seed %d: fold: %s", seed, d)
		}
		restored, err := Restore(Stored{ID: f.n.ID, Records: want, Heads: f.n.Heads})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []PartyID{"US", "SG"} {
			a, _ := json.Marshal(f.n.Snapshot(p, nil))
			b, _ := json.Marshal(folded.Snapshot(p, nil))
			c, _ := json.Marshal(restored.Snapshot(p, nil))
			if string(a) != string(b) || string(a) != string(c) {
				t.Fatalf("seed %d: %s's snapshot differs:\nstate    %s\nfold     %s\nrestored %s", seed, p, a, b, c)
			}
		}
	}
}

// TestDiffRecordsNames: a difference is named by its record.
func TestDiffRecordsNames(t *testing.T) {
	a := []Record{{RecMeta, "", []byte("1")}, {RecThread, "t-1", []byte("x")}}
	tests := []struct {
		stored []Record
		want   string
	}{
		{a, ""},
		{[]Record{a[0]}, "thread t-1 is missing"},
		{[]Record{a[0], {RecThread, "t-1", []byte("y")}}, "thread t-1 differs"},
		{[]Record{a[0], a[1], {RecThread, "t-2", []byte("z")}}, "thread t-2 is stored but no event made it"},
	}
	for _, tt := range tests {
		if got := DiffRecords(tt.stored, a); !strings.Contains(got, tt.want) || (tt.want == "") != (got == "") {
			t.Errorf("DiffRecords = %q, want %q", got, tt.want)
		}
	}
}

// TestCloneSharesNothing: after Clone, changing either state leaves the
// other as it was (they share threads until one changes them).
func TestCloneSharesNothing(t *testing.T) {
	f, _ := randomHistory(t, 7, 80)
	before, _ := json.Marshal(f.n.Snapshot("US", nil))
	c := f.n.Clone(true)
	// Change the original: every kind of event, carries included.
	for k := 0; k < 3; k++ {
		f.propose("us-neg", strings.Replace(clauses, "30 days", fmt.Sprintf("%d days", 40+k), 1))
	}
	for _, id := range f.n.Order {
		f.do("us-neg", Command{Type: CmdReply, Thread: id, Body: ptr("later")})
	}
	if got, _ := json.Marshal(c.Snapshot("US", nil)); string(got) != string(before) {
		t.Fatal("changing the original changed its clone")
	}
	// And the clone's changes leave the original alone.
	now, _ := json.Marshal(f.n.Snapshot("US", nil))
	g := &fixture{t: t, n: c, texts: f.texts, now: f.now, ids: f.ids + 1000}
	for _, id := range c.Order {
		g.do("sg-neg", Command{Type: CmdReply, Thread: id, Body: ptr("from the clone")})
	}
	if got, _ := json.Marshal(f.n.Snapshot("US", nil)); string(got) != string(now) {
		t.Fatal("changing the clone changed the original")
	}
}
