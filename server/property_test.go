package server_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"mra/server/mra"
	"mra/server/servertest"
)

// foldedSnapshot is what a user of party p should see of a negotiation: the
// snapshot of the fold of every event the store holds for it.
func foldedSnapshot(t *testing.T, w *servertest.World, neg string, p mra.PartyID) []byte {
	t.Helper()
	var events []*mra.Event
	for _, key := range []mra.StreamKey{mra.SharedStream, mra.InternalStream("US"), mra.InternalStream("SG")} {
		raws, err := w.Bolt.Events(mra.NegotiationID(neg), key, 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range raws {
			e, err := mra.DecodeEvent(raw)
			if err != nil {
				t.Fatal(err)
			}
			events = append(events, e)
		}
	}
	n, err := mra.Fold(mra.NegotiationID(neg), events)
	if err != nil {
		t.Fatal(err)
	}
	parties := map[mra.PartyID]mra.Party{}
	for _, party := range servertest.Parties {
		parties[party.ID] = party
	}
	b, _ := json.Marshal(n.Snapshot(p, parties))
	return b
}

// withoutNames drops the server's names from a snapshot (they come from the
// users, not the log).
func withoutNames(t *testing.T, raw []byte) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "names")
	b, _ := json.Marshal(m)
	return b
}

// TestSnapshotIsTheFold: after random command sequences from both parties,
// with restarts between them, every snapshot served is the fold of the
// stored log, byte for byte, and a restart changes none.
func TestSnapshotIsTheFold(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	users := []mra.UserID{"us-neg", "us-legal", "us-sign", "sg-neg", "sg-legal", "sg-sign"}
	clients := map[mra.UserID]*servertest.Client{}
	for _, u := range users {
		clients[u] = w.Login(u)
	}
	neg := clients["us-neg"].Create(1)
	text := servertest.Text1
	clients["us-neg"].Propose(neg, 0, text)
	quotes := []string{"Purpose", "validation findings", "within 30 days", "contact point", "Article 2"}
	rng := rand.New(rand.NewPCG(8, 8))
	check := func(when string) {
		t.Helper()
		for _, c := range []*servertest.Client{clients["us-neg"], clients["sg-neg"]} {
			party := mra.PartyID(strings.ToUpper(string(c.User[:2])))
			got := withoutNames(t, c.Snapshot(neg).Raw)
			if want := withoutNames(t, foldedSnapshot(t, w, neg, party)); string(got) != string(want) {
				t.Fatalf("%s: %s's snapshot is not the fold of the log:\nserved %s\nfold   %s", when, party, got, want)
			}
		}
		if err := w.Verify(); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
	}
	for round := 0; round < 4; round++ {
		for k := 0; k < 40; k++ {
			u := users[rng.IntN(len(users))]
			c := clients[u]
			snap := c.Snapshot(neg)
			latest := snap.Readiness.Version
			var cmd map[string]any
			threadOf := func() string {
				if len(snap.Threads) == 0 {
					return "t-none"
				}
				return string(snap.Threads[rng.IntN(len(snap.Threads))].ID)
			}
			switch rng.IntN(9) {
			case 0:
				text = strings.Replace(text, "days", fmt.Sprintf("days (%d)", k), 1)
				cmd = map[string]any{"type": "propose_version", "negotiation": neg, "base": latest, "text": text}
			case 1, 2:
				kinds := []mra.ThreadKind{mra.KindConsensus, mra.KindOpenIssue, mra.KindNote}
				vis := []mra.Visibility{mra.Shared, mra.Internal}
				q := quotes[rng.IntN(len(quotes))]
				if !strings.Contains(text, q) {
					continue
				}
				cmd = servertest.CommentCmd(neg, latest, text, q, kinds[rng.IntN(3)], vis[rng.IntN(2)])
			case 3:
				cmd = map[string]any{"type": "reply", "negotiation": neg, "thread": threadOf(), "body": "a reply"}
			case 4:
				cmd = map[string]any{"type": "concur", "negotiation": neg, "thread": threadOf()}
			case 5:
				t := []string{"resolve", "reopen", "withdraw"}[rng.IntN(3)]
				cmd = map[string]any{"type": t, "negotiation": neg, "thread": threadOf(), "body": "why"}
			case 6:
				cmd = map[string]any{"type": "sign_off", "negotiation": neg, "version": latest, "sha256": snap.Readiness.SHA256,
					"decision": []string{"approve", "request_changes"}[rng.IntN(2)], "visibility": []string{"internal", "shared"}[rng.IntN(2)], "body": "noted"}
			case 7:
				cmd = map[string]any{"type": "sign", "negotiation": neg, "version": latest, "sha256": snap.Readiness.SHA256}
			case 8:
				cmd = map[string]any{"type": "withdraw_signature", "negotiation": neg, "version": latest, "body": "why"}
			}
			c.Send(cmd) // refused or not: either way the fold must hold
		}
		check(fmt.Sprintf("round %d", round))
		before := map[mra.UserID][]byte{}
		for _, u := range users {
			before[u] = clients[u].Snapshot(neg).Raw
		}
		w.Restart()
		for _, u := range users {
			if after := clients[u].Snapshot(neg).Raw; string(after) != string(before[u]) {
				t.Fatalf("round %d: %s's snapshot changed across a restart", round, u)
			}
		}
		check(fmt.Sprintf("after restart %d", round))
	}
}
