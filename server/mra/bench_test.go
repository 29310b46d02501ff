package mra

import (
	"strings"
	"testing"

	"mra/diff"
	"mra/diff/difftest"
)

// BenchmarkCarryDomain: the domain's part of proposing the reference
// agreement's next version with 10,000 threads on it (Decide with its carry,
// Seal, Apply, Records), without the store; /diff is the redline and its
// index alone, so the rest is the carry's cost beyond the diff, in CPU.
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
		b.ResetTimer()
		for k := 0; b.Loop(); k++ {
			f.propose("sg-neg", texts[k%2])
			if _, err := f.n.Records(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
