package diff

import (
	"io"
	"testing"
	"unicode/utf8"

	"mra/diff/difftest"
)

// The reference pair of PRODUCT.md's budgets: about 3 MB, 1% of words changed.
var reference = difftest.Agreement(2000)

// BenchmarkRedlineReference is the word-level redline of the reference pair.
// cmd/mra's BenchmarkDiffVsGit sets it, and the whole process, against git.
func BenchmarkRedlineReference(b *testing.B) {
	b.SetBytes(int64(len(reference.Old) + len(reference.New)))
	for b.Loop() {
		Redline(reference.Old, reference.New)
	}
}

// BenchmarkRedlineRewritten is the redline of the reference's old text
// against a heavy rewrite of it (see difftest.RewriteText): a third of the
// words changed, paragraphs reordered, split and merged.
func BenchmarkRedlineRewritten(b *testing.B) {
	h := heavyRewrite()
	b.SetBytes(int64(len(h.Old) + len(h.New)))
	for b.Loop() {
		Redline(h.Old, h.New)
	}
}

// referenceRanges returns n ranges spread over the reference's old text,
// each a few words long, as comment anchors would be.
func referenceRanges(n int) []Range {
	total := utf8.RuneCountInString(reference.Old)
	ranges := make([]Range, n)
	for k := range ranges {
		start := k * (total - 40) / n
		ranges[k] = Range{start, start + 5 + k%30}
	}
	return ranges
}

// BenchmarkCarry10k is what carrying 10,000 ranges adds on top of the diff
// (budget: under 50 ms): CarryOps over the reference pair's redline.
func BenchmarkCarry10k(b *testing.B) {
	ops := Redline(reference.Old, reference.New)
	ranges := referenceRanges(10_000)
	for b.Loop() {
		CarryOps(ops, ranges)
	}
}

// BenchmarkCarry10kWithDiff is the whole carry: the redline and the ranges.
func BenchmarkCarry10kWithDiff(b *testing.B) {
	ranges := referenceRanges(10_000)
	for b.Loop() {
		Carry(reference.Old, reference.New, ranges)
	}
}

// BenchmarkWriteJSON is `mra diff --format json`'s output of the reference
// pair's redline, about 3 MB.
func BenchmarkWriteJSON(b *testing.B) {
	ops := Redline(reference.Old, reference.New)
	b.SetBytes(int64(len(reference.New)))
	for b.Loop() {
		if err := WriteJSON(io.Discard, ops); err != nil {
			b.Fatal(err)
		}
	}
}
