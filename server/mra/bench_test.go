package mra

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"mra/diff"
	"mra/diff/difftest"
)

// BenchmarkCarryDomain: the domain's part of proposing the reference
// agreement's next version with 10,000 threads on it (Decide with its carry,
// Seal, Apply, Records), without the store; /diff is the redline and its
// index alone; threads=10000 reports ms-beyond-diff/op, its time less the
// same redline timed alone in the same iteration (budget: under 20 ms).
func BenchmarkCarryDomain(b *testing.B) {
	pair := difftest.Agreement(2000)
	b.Run("diff", func(b *testing.B) {
		for b.Loop() {
			diff.NewIndex(diff.Redline(pair.Old, pair.New))
		}
	})
	b.Run("threads=10000", func(b *testing.B) {
		f := newFixture(b, 1, pair.Old)
		var starts []int
		for i := strings.Index(pair.Old, "\n\n1. "); i >= 0 && len(starts) < 10000; {
			starts = append(starts, i+2)
			j := strings.Index(pair.Old[i+2:], "\n\n")
			if j < 0 {
				break
			}
			i += 2 + j
		}
		for len(starts) < 10000 {
			starts = append(starts, starts[len(starts)%len(starts)]+3)
		}
		for k, s := range starts {
			kind, vis, user := KindNote, Internal, UserID("us-neg")
			switch k % 4 {
			case 0:
				kind, vis = KindConsensus, Shared
			case 1:
				kind, vis, user = KindOpenIssue, Shared, "sg-neg"
			}
			q := pair.Old[s : s+40]
			f.must(user, Command{Type: CmdComment, Version: ptr(1), Kind: kind, Visibility: vis, Body: ptr("on this"), Start: ptr(s), End: ptr(s + 40), Quote: &q})
		}
		texts := []string{pair.New, pair.Old}
		var proposing, diffing time.Duration
		b.ResetTimer()
		for k := 0; b.Loop(); k++ {
			b.StopTimer() // the same redline alone, in the same iteration
			t0 := time.Now()
			diff.NewIndex(diff.Redline(texts[(k+1)%2], texts[k%2]))
			diffing += time.Since(t0)
			runtime.GC()
			b.StartTimer()
			t0 = time.Now()
			f.propose("sg-neg", texts[k%2])
			if _, err := f.n.Records(); err != nil {
				b.Fatal(err)
			}
			proposing += time.Since(t0)
		}
		b.ReportMetric(float64(proposing-diffing)/float64(b.N)/1e6, "ms-beyond-diff/op")
	})
}
