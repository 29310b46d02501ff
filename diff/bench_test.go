package diff

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"mra/diff/difftest"
)

// The reference pair of PRODUCT.md's budgets: about 3 MB, 1% of words changed.
var reference = difftest.Agreement(2000)

// BenchmarkRedlineReference is the word-level redline of the reference pair.
// Compare with BenchmarkGitWordDiff, run in the same invocation.
func BenchmarkRedlineReference(b *testing.B) {
	b.SetBytes(int64(len(reference.Old) + len(reference.New)))
	for b.Loop() {
		Redline(reference.Old, reference.New)
	}
}

// BenchmarkRedlineReferenceRewritten is the redline of the reference's old
// text against a heavy rewrite of it (see rewrite): many changed lines, many
// of them moved, the hard case for finding moved and edited paragraphs.
func BenchmarkRedlineReferenceRewritten(b *testing.B) {
	b.SetBytes(int64(len(reference.Old) + len(rewritten)))
	for b.Loop() {
		Redline(reference.Old, rewritten)
	}
}

// rewritten is the reference's old text heavily rewritten.
var rewritten = rewrite(reference.Old)

// rewrite returns old with its paragraphs (cut at blank lines) rewritten at
// random but reproducibly: of every twenty, one moved unchanged to a later
// place, one moved and edited, one deleted, one with every word replaced, six
// edited in place; an edit replaces about one word in eight.
func rewrite(old string) string {
	rng := rand.New(rand.NewPCG(5, 6))
	vocab := strings.Fields(old[:min(len(old), 20_000)])
	edit := func(p string, every int) string {
		ws := strings.Split(p, " ")
		for k := range ws {
			if rng.IntN(every) == 0 {
				ws[k] = vocab[rng.IntN(len(vocab))]
			}
		}
		return strings.Join(ws, " ")
	}
	var out, moving []string
	for _, p := range strings.Split(old, "\n\n") {
		switch r := rng.IntN(20); {
		case r == 0:
			moving = append(moving, p)
			continue
		case r == 1:
			moving = append(moving, edit(p, 8))
			continue
		case r == 2:
			continue
		case r == 3:
			p = edit(p, 1)
		case r < 10:
			p = edit(p, 8)
		}
		out = append(out, p)
		if len(moving) > 0 && rng.IntN(4) == 0 {
			out = append(out, moving[0])
			moving = moving[1:]
		}
	}
	return strings.Join(append(out, moving...), "\n\n")
}

// BenchmarkGitWordDiff runs `git diff --no-index --word-diff=porcelain` on the
// reference pair: the budget says Redline must be no slower.
func BenchmarkGitWordDiff(b *testing.B) {
	git, err := exec.LookPath("git")
	if err != nil {
		b.Skip("git not found")
	}
	dir := b.TempDir()
	oldPath, newPath := filepath.Join(dir, "A.txt"), filepath.Join(dir, "B.txt")
	if err := os.WriteFile(oldPath, []byte(reference.Old), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(newPath, []byte(reference.New), 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(reference.Old) + len(reference.New)))
	for b.Loop() {
		cmd := exec.Command(git, "diff", "--no-index", "--word-diff=porcelain", oldPath, newPath)
		cmd.Stdout = nil
		// git exits 1 when the files differ.
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				b.Fatal(err)
			}
		}
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
