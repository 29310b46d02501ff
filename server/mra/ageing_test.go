package mra

import (
	"testing"
	"time"
)

// TestAgeing: the view's waiting holds, for each party, the shared open
// issues waiting on it and the earliest of their waits; consensus threads,
// notes, internal issues and settled issues count for no one, and the same
// holds after a restore from the records.
func TestAgeing(t *testing.T) {
	f := newFixture(t, 1, clauses)
	start := f.now
	at := func(k int) time.Time { return start.Add(time.Duration(k) * time.Second) }
	type want map[PartyID]Waiting
	var a, b ThreadID
	steps := []struct {
		name string
		do   func()
		want want
	}{
		{"nothing raised: nobody waits", func() {}, want{}},
		{"SG raises an issue: US waits since it", func() {
			a = f.comment("sg-neg", 1, "within 30 days", KindOpenIssue, Shared)
		}, want{"US": {1, at(1)}}},
		{"a consensus, a note and an internal issue are no ageing", func() {
			f.comment("us-neg", 1, "Purpose", KindConsensus, Shared)
			f.comment("us-neg", 1, "importers", KindNote, Shared)
			f.comment("sg-neg", 1, "contact point", KindOpenIssue, Internal)
		}, want{"US": {1, at(1)}}},
		{"US raises one: SG waits on it, US still since the first", func() {
			b = f.comment("us-neg", 1, "contact point", KindOpenIssue, Shared)
		}, want{"US": {1, at(1)}, "SG": {1, at(5)}}},
		{"US answers SG's: both wait on SG, the oldest since the answer", func() {
			f.must("us-neg", Command{Type: CmdReply, Thread: a, Body: ptr("we propose 60")})
		}, want{"SG": {2, at(5)}}},
		{"SG resolves its issue: one left", func() {
			f.must("sg-neg", Command{Type: CmdResolve, Thread: a})
		}, want{"SG": {1, at(5)}}},
		{"US withdraws its own: nobody", func() {
			f.must("us-neg", Command{Type: CmdWithdraw, Thread: b})
		}, want{}},
	}
	check := func(name string, got, want map[PartyID]Waiting) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: waiting %v, want %v", name, got, want)
		}
		for q, w := range want {
			if g := got[q]; g.OpenIssues != w.OpenIssues || !g.OldestSince.Equal(w.OldestSince) {
				t.Fatalf("%s: waiting on %s = %+v, want %+v", name, q, g, w)
			}
		}
	}
	for _, s := range steps {
		s.do()
		for _, p := range []PartyID{"US", "SG"} {
			check(s.name, f.n.View(p).Waiting, s.want)
		}
		check(s.name+" (restored)", restored(t, f.n).View("SG").Waiting, s.want)
	}
}
