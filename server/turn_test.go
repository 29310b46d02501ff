package server_test

import (
	"slices"
	"testing"
	"time"

	"mra/server/mra"
	"mra/server/servertest"
)

// TestWhoseTurnOverHTTP: the snapshot's threads carry waiting_on and
// waiting_since, and each party's list counts what waits on it; internal
// threads wait on nobody; a restart changes nothing.
func TestWhoseTurnOverHTTP(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	waitingOnMe := func(c *servertest.Client) int {
		t.Helper()
		var list listing
		c.GetJSON("/api/negotiations", &list)
		if len(list.Negotiations) != 1 {
			t.Fatalf("list of %s: %+v", c.User, list.Negotiations)
		}
		return list.Negotiations[0].WaitingOnMe
	}
	check := func(when string, issue string, on []mra.PartyID, usCount, sgCount int) {
		t.Helper()
		for _, c := range []*servertest.Client{us, sg} {
			s := c.Snapshot(neg)
			i := slices.IndexFunc(s.Threads, func(th mra.Thread) bool { return string(th.ID) == issue })
			if i < 0 {
				t.Fatalf("%s: %s does not see %s", when, c.User, issue)
			}
			th := s.Threads[i]
			if !slices.Equal(th.WaitingOn, on) || (len(on) > 0) != (th.WaitingSince != nil) {
				t.Fatalf("%s: %s sees %s waiting on %v since %v, want %v", when, c.User, issue, th.WaitingOn, th.WaitingSince, on)
			}
		}
		if got := waitingOnMe(us); got != usCount {
			t.Fatalf("%s: US list waiting_on_me %d, want %d", when, got, usCount)
		}
		if got := waitingOnMe(sg); got != sgCount {
			t.Fatalf("%s: SG list waiting_on_me %d, want %d", when, got, sgCount)
		}
	}
	issue := sg.Comment(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)
	check("raised by SG", issue, []mra.PartyID{"US"}, 1, 0)
	us.Comment(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Internal) // waits on nobody
	check("with a US internal issue beside it", issue, []mra.PartyID{"US"}, 1, 0)
	us.Must(map[string]any{"type": "reply", "negotiation": neg, "thread": issue, "body": "we propose 60"}, nil)
	check("answered by US", issue, []mra.PartyID{"SG"}, 0, 1)
	w.Restart()
	check("after a restart", issue, []mra.PartyID{"SG"}, 0, 1)
	sg.Must(map[string]any{"type": "resolve", "negotiation": neg, "thread": issue, "body": "fine"}, nil)
	check("resolved", issue, []mra.PartyID{}, 0, 0)
}

// TestAgeingOverHTTP: each list entry and the snapshot's negotiation carry
// waiting, per party: the shared open issues waiting on it and when the
// oldest began; the same for both parties (no internal issue counts), and
// after a restart.
func TestAgeingOverHTTP(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	// Hours apart, from now (a login's cookie must not have expired on the
	// client's clock).
	day := time.Now().UTC().Truncate(time.Millisecond).Add(time.Hour)
	w.SetNow(day)
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	sg.Comment(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)
	w.SetNow(day.Add(3 * time.Hour))
	sg.Comment(neg, 1, servertest.Text1, "contact point", mra.KindOpenIssue, mra.Shared)
	sg.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindOpenIssue, mra.Internal) // counts for no one
	w.SetNow(day.Add(5 * time.Hour))
	us.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindOpenIssue, mra.Shared)
	want := map[mra.PartyID]mra.Waiting{"US": {OpenIssues: 2, OldestSince: day}, "SG": {OpenIssues: 1, OldestSince: day.Add(5 * time.Hour)}}
	check := func(when string) {
		t.Helper()
		for _, c := range []*servertest.Client{us, sg} {
			var list listing
			c.GetJSON("/api/negotiations", &list)
			views := []mra.NegotiationView{list.Negotiations[0], c.Snapshot(neg).Negotiation}
			for k, v := range views {
				if len(v.Waiting) != len(want) {
					t.Fatalf("%s: %s read %d waiting %+v, want %+v", when, c.User, k, v.Waiting, want)
				}
				for p, wt := range want {
					if g := v.Waiting[p]; g.OpenIssues != wt.OpenIssues || !g.OldestSince.Equal(wt.OldestSince) {
						t.Fatalf("%s: %s read %d waiting on %s %+v, want %+v", when, c.User, k, p, g, wt)
					}
				}
			}
		}
	}
	check("raised")
	w.Restart()
	check("after a restart")
}
