package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"mra/diff"
	"mra/diff/difftest"
	"mra/server/mra"
	"mra/server/servertest"
)

// proposeWorld is the reference agreement with threads on it, each at the
// start of a paragraph of its own: with mixed, a quarter shared consensus,
// a quarter shared open issues and half US internal notes; else one shared
// note and the rest US internal notes.
func proposeWorld(b *testing.B, threads int, mixed bool) (*servertest.World, string, difftest.Pair) {
	pair := difftest.Agreement(2000)
	w := servertest.New(b, servertest.Options{})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, pair.Old)
	// Sentence starts: the paragraphs' first words.
	var starts []int
	for i := strings.Index(pair.Old, "\n\n1. "); i >= 0 && len(starts) < threads; {
		starts = append(starts, i+2)
		j := strings.Index(pair.Old[i+2:], "\n\n")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	for len(starts) < threads {
		starts = append(starts, starts[len(starts)%len(starts)]+3)
	}
	user := servertest.Users[0]
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := g; k < threads; k += 64 {
				kind, vis := mra.KindNote, mra.Internal
				switch {
				case !mixed && k == 0:
					vis = mra.Shared
				case mixed && k%4 == 0:
					kind, vis = mra.KindConsensus, mra.Shared
				case mixed && k%4 == 1:
					kind, vis = mra.KindOpenIssue, mra.Shared
				}
				s := starts[k]
				raw, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("t-%d", k), "type": "comment", "negotiation": neg,
					"version": 1, "kind": kind, "visibility": vis, "body": "on this", "start": s, "end": s + 40, "quote": pair.Old[s : s+40]})
				if answer, code := w.Srv.Execute(user, raw); code != "" {
					b.Errorf("comment: %s", answer)
					return
				}
			}
		}()
	}
	wg.Wait()
	return w, neg, pair
}

// BenchmarkPropose: SG proposes the reference agreement's next version (a
// 1 % edit, alternating the pair's two texts). threads=0 has nothing to
// carry (no redline at all); shared=1 carries one shared thread (the
// redline and one carry); internal=10000 adds 10,000 of US's internal
// notes, which SG cannot see; mixed=10000 is 10,000 threads of every kind.
// diff is the redline alone. The time beyond the diff of a carry of 10,000
// threads is mixed=10000 minus diff (budget: under 20 ms); what SG could
// learn of US's internal threads from its own proposal's time is
// internal=10000 minus shared=1.
func BenchmarkPropose(b *testing.B) {
	pair := difftest.Agreement(2000)
	b.Run("diff", func(b *testing.B) {
		for b.Loop() {
			diff.NewIndex(diff.Redline(pair.Old, pair.New))
		}
	})
	for _, c := range []struct {
		name    string
		threads int
		mixed   bool
	}{{"threads=0", 0, false}, {"shared=1", 1, false}, {"internal=10000", 10001, false}, {"mixed=10000", 10000, true}} {
		b.Run(c.name, func(b *testing.B) {
			w, neg, pair := proposeWorld(b, c.threads, c.mixed)
			sg := servertest.Users[5] // sg-neg: the other party, who cannot see US's internal notes
			if sg.ID != "sg-neg" {
				b.Fatal(sg.ID)
			}
			texts := []string{pair.New, pair.Old}
			base := 1
			b.ResetTimer()
			for b.Loop() {
				raw, _ := json.Marshal(map[string]any{"id": w.NextID(), "type": "propose_version", "negotiation": neg,
					"base": base, "text": texts[base%2]})
				if answer, code := w.Srv.Execute(sg, raw); code != "" {
					b.Fatalf("propose: %.300s", answer)
				}
				base++
			}
		})
	}
}
