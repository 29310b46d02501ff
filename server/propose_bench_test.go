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

// proposeWorld is the reference agreement with threads on it: a quarter
// shared consensus, a quarter shared open issues, half US internal notes,
// each on a sentence of its own.
func proposeWorld(b *testing.B, threads int) (*servertest.World, string, difftest.Pair) {
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
				switch k % 4 {
				case 0:
					kind, vis = mra.KindConsensus, mra.Shared
				case 1:
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

// BenchmarkPropose: propose_version of the reference agreement's next
// version (a 1 % edit), alternating the pair's two texts, with 10,000
// threads to carry and with none; BenchmarkPropose/diff is the redline
// alone, so the time beyond it is threads=10000 minus diff (budget: under
// 20 ms), and threads=0 is the path without any carry.
func BenchmarkPropose(b *testing.B) {
	pair := difftest.Agreement(2000)
	b.Run("diff", func(b *testing.B) {
		for b.Loop() {
			diff.NewIndex(diff.Redline(pair.Old, pair.New))
		}
	})
	for _, threads := range []int{0, 10000} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			w, neg, pair := proposeWorld(b, threads)
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
