package server_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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
// diff is the redline alone. Each case reports ms-beyond-diff/op: the
// whole proposal (parse, decide, seal, store, commit) less the same
// redline timed alone in the same iteration, which the noise of a shared
// machine spoils less than a difference of two runs. For mixed=10000 that
// is the carry of 10,000 threads beyond the diff (budget: under 20 ms);
// what SG could learn of US's internal threads from its own proposal's
// time is internal=10000 minus shared=1.
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
			// sg-neg: the other party, who cannot see US's internal notes.
			k := slices.IndexFunc(servertest.Users, func(u mra.User) bool { return u.ID == "sg-neg" })
			if k < 0 {
				b.Fatal("no sg-neg among the test users")
			}
			sg := servertest.Users[k]
			// The texts are encoded once: a client's encoding is not the server's time.
			var texts [2][]byte
			for i, t := range []string{pair.New, pair.Old} {
				texts[i], _ = json.Marshal(t)
			}
			olds := []string{pair.Old, pair.New}
			base := 1
			var proposing, diffing time.Duration
			b.ResetTimer()
			for b.Loop() {
				// The same redline alone, in the same run, for the time
				// beyond it: this machine's speed wanders between runs.
				b.StopTimer()
				t0 := time.Now()
				diff.NewIndex(diff.Redline(olds[base%2], olds[(base+1)%2]))
				diffing += time.Since(t0)
				runtime.GC()
				b.StartTimer()
				t0 = time.Now()
				raw := fmt.Appendf(nil, `{"id":%q,"type":"propose_version","negotiation":%q,"base":%d,"text":`, w.NextID(), neg, base)
				raw = append(append(raw, texts[base%2]...), '}')
				if answer, code := w.Srv.Execute(sg, raw); code != "" {
					b.Fatalf("propose: %.300s", answer)
				}
				proposing += time.Since(t0)
				base++
			}
			b.ReportMetric(float64(proposing-diffing)/float64(b.N)/1e6, "ms-beyond-diff/op")
		})
	}
}
