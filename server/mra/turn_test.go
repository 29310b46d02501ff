package mra

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWhoseTurn: which parties each thread waits on, and since when, step
// by step (PROTOCOL "Whose turn"); after each step a restore from the
// records and a fold of the events agree with the live state.
func TestWhoseTurn(t *testing.T) {
	f := newFixture(t, 1, clauses)
	var issue, cons, agreed, note, internal ThreadID
	at := func() time.Time { return f.now } // the time of the last command's events
	var since = map[ThreadID]time.Time{}
	steps := []struct {
		name string
		do   func()
		want map[*ThreadID][]PartyID // nil: waits on nobody
		// moved names the threads whose wait began at this step.
		moved []*ThreadID
	}{
		{"SG raises an open issue: US must answer", func() {
			issue = f.comment("sg-neg", 1, "within 30 days", KindOpenIssue, Shared)
		}, map[*ThreadID][]PartyID{&issue: {"US"}}, []*ThreadID{&issue}},
		{"SG adds to it: still US, since the first", func() {
			f.must("sg-legal", Command{Type: CmdReply, Thread: issue, Body: ptr("and the days are calendar days")})
		}, map[*ThreadID][]PartyID{&issue: {"US"}}, nil},
		{"US answers: SG (the raiser) must resolve or answer", func() {
			f.must("us-neg", Command{Type: CmdReply, Thread: issue, Body: ptr("we propose 60")})
		}, map[*ThreadID][]PartyID{&issue: {"SG"}}, []*ThreadID{&issue}},
		{"US proposes a consensus: SG has not concurred", func() {
			cons = f.comment("us-neg", 1, "Purpose", KindConsensus, Shared)
		}, map[*ThreadID][]PartyID{&issue: {"SG"}, &cons: {"SG"}}, []*ThreadID{&cons}},
		{"SG concurs: agreed, nobody", func() { f.concur("sg-neg", cons) }, map[*ThreadID][]PartyID{&issue: {"SG"}}, []*ThreadID{&cons}},
		{"notes and internal threads wait on nobody", func() {
			note = f.comment("sg-neg", 1, "importers", KindNote, Shared)
			internal = f.comment("us-neg", 1, "importers", KindOpenIssue, Internal)
			agreed = f.agreed("exchange membership information")
		}, map[*ThreadID][]PartyID{&issue: {"SG"}}, nil},
		{"SG resolves: nobody", func() {
			f.must("sg-neg", Command{Type: CmdResolve, Thread: issue, Body: ptr("fine")})
		}, nil, []*ThreadID{&issue}},
		{"US reopens: the raiser spoke last? no, US did: SG", func() {
			f.must("us-neg", Command{Type: CmdReopen, Thread: issue, Body: ptr("not fine after all")})
		}, map[*ThreadID][]PartyID{&issue: {"SG"}}, []*ThreadID{&issue}},
		{"a new version voids the agreed clause: every party, since the version", func() {
			f.propose("sg-neg", strings.Replace(clauses, "exchange membership information", "exchange all membership information", 1))
		}, map[*ThreadID][]PartyID{&issue: {"SG"}, &agreed: {"US", "SG"}}, []*ThreadID{&agreed}},
		{"another version: still void, still since the first", func() {
			f.propose("us-neg", strings.Replace(clauses, "exchange membership information", "exchange all membership information", 1)+"\nAnnex\n")
		}, map[*ThreadID][]PartyID{&issue: {"SG"}, &agreed: {"US", "SG"}}, nil},
		{"a reply on the void one changes nothing", func() {
			f.must("us-neg", Command{Type: CmdReply, Thread: agreed, Body: ptr("we should confirm")})
		}, map[*ThreadID][]PartyID{&issue: {"SG"}, &agreed: {"US", "SG"}}, nil},
		{"SG confirms it again: proposed, waiting on US", func() { f.concur("sg-neg", agreed) },
			map[*ThreadID][]PartyID{&issue: {"SG"}, &agreed: {"US"}}, []*ThreadID{&agreed}},
		{"SG withdraws the issue: nobody", func() {
			f.must("sg-neg", Command{Type: CmdWithdraw, Thread: issue})
		}, map[*ThreadID][]PartyID{&agreed: {"US"}}, []*ThreadID{&issue}},
	}
	for _, s := range steps {
		s.do()
		for _, id := range s.moved {
			since[*id] = at()
		}
		want := map[ThreadID][]PartyID{}
		for id, w := range s.want {
			want[*id] = w
		}
		counts := map[PartyID]int{}
		for _, id := range []ThreadID{issue, cons, agreed, note, internal} {
			if id == "" {
				continue
			}
			th := f.thread(id)
			w := want[id]
			if !slices.Equal(th.WaitingOn, w) {
				t.Fatalf("%s: %s waits on %v, want %v", s.name, id, th.WaitingOn, w)
			}
			switch {
			case len(w) == 0 && th.WaitingSince != nil:
				t.Fatalf("%s: %s waits on nobody since %v", s.name, id, th.WaitingSince)
			case len(w) > 0 && (th.WaitingSince == nil || !th.WaitingSince.Equal(since[id])):
				t.Fatalf("%s: %s waits since %v, want %v", s.name, id, th.WaitingSince, since[id])
			}
			for _, p := range w {
				counts[p]++
			}
		}
		for _, p := range []PartyID{"US", "SG"} {
			if got := f.n.WaitingOn(p); got != counts[p] {
				t.Fatalf("%s: %d threads wait on %s, want %d", s.name, got, p, counts[p])
			}
			if got := f.n.View(p).WaitingOnMe; got != counts[p] {
				t.Fatalf("%s: the list tells %s %d, want %d", s.name, p, got, counts[p])
			}
		}
		// The same after a restore from the records, and after a fold.
		records, err := f.n.AllRecords()
		if err != nil {
			t.Fatal(err)
		}
		restored, err := Restore(Stored{ID: f.n.ID, Records: records, Heads: f.n.Heads})
		if err != nil {
			t.Fatal(err)
		}
		folded, err := Fold(f.n.ID, f.eventsSoFar)
		if err != nil {
			t.Fatal(err)
		}
		live, _ := json.Marshal(f.n.Snapshot("SG", nil))
		for what, n := range map[string]*Negotiation{"restored": restored, "folded": folded} {
			if got, _ := json.Marshal(n.Snapshot("SG", nil)); string(got) != string(live) {
				t.Fatalf("%s: the %s snapshot differs:\n got %s\nwant %s", s.name, what, got, live)
			}
			for _, p := range []PartyID{"US", "SG"} {
				if n.WaitingOn(p) != f.n.WaitingOn(p) {
					t.Fatalf("%s: %s counts %d waiting on %s, live %d", s.name, what, n.WaitingOn(p), p, f.n.WaitingOn(p))
				}
			}
		}
	}
	// The snapshot says [] and null for a thread that waits on nobody.
	raw, _ := json.Marshal(f.n.Snapshot("US", nil))
	if !strings.Contains(string(raw), `"waiting_on":[],"waiting_since":null`) || !strings.Contains(string(raw), `"waiting_on":["US"],"waiting_since":"`) {
		t.Fatalf("snapshot without whose turn: %.600s", raw)
	}
}

// TestWhoseTurnThreeParties: an open issue raised by one of three parties
// waits on both others until one answers.
func TestWhoseTurnThreeParties(t *testing.T) {
	f := &fixture{t: t, texts: map[int]*Text{}, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	f.must("us-neg", Command{Type: CmdCreateNegotiation, Title: "MRA", Parties: []PartyID{"US", "SG", "EX"}, RequiredApprovals: ptr(1)})
	f.propose("us-neg", clauses)
	o := f.comment("ex-neg", 1, "Purpose", KindOpenIssue, Shared)
	if w := f.thread(o).WaitingOn; !slices.Equal(w, []PartyID{"US", "SG"}) {
		t.Fatalf("waits on %v", w)
	}
	c := f.comment("sg-neg", 1, "importers", KindConsensus, Shared)
	if w := f.thread(c).WaitingOn; !slices.Equal(w, []PartyID{"US", "EX"}) {
		t.Fatalf("consensus waits on %v", w)
	}
	f.concur("ex-neg", c)
	if w := f.thread(c).WaitingOn; !slices.Equal(w, []PartyID{"US"}) {
		t.Fatalf("after EX concurred: %v", w)
	}
	f.must("sg-neg", Command{Type: CmdReply, Thread: o, Body: ptr("why?")})
	if w := f.thread(o).WaitingOn; !slices.Equal(w, []PartyID{"EX"}) {
		t.Fatalf("after SG answered: %v", w)
	}
}
