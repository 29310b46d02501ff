package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mra/diff"
	"mra/diff/difftest"
)

// BenchmarkDiffVsGit runs, in turn in each iteration, `mra diff --format
// json` as a whole process, git's word diff (`git diff --no-index
// --word-diff=porcelain`) on the same files, and diff.Redline in this
// process, on the reference pair (a light edit), on a heavy rewrite of it
// (difftest.RewriteText: a third of the words changed, paragraphs
// reordered, split and merged), and on the real pair MRA_DIFF_PAIR=OLD:NEW
// names, if set. It reports the medians (mra-ms, git-ms, inproc-ms) and
// their ratios: mra/git for the whole processes, inproc/git for the redline
// alone against git's whole process.
func BenchmarkDiffVsGit(b *testing.B) {
	git, err := exec.LookPath("git")
	if err != nil {
		b.Skip("git not found")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "mra")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	ref := difftest.Agreement(2000)
	type pair struct{ name, old, new string }
	pairs := []pair{
		{"reference", writeFile(b, dir, "ref.old", ref.Old), writeFile(b, dir, "ref.new", ref.New)},
	}
	rw := difftest.RewriteText(ref.Old, 1)
	pairs = append(pairs, pair{"rewritten", writeFile(b, dir, "rw.old", rw.Old), writeFile(b, dir, "rw.new", rw.New)})
	if env := os.Getenv("MRA_DIFF_PAIR"); env != "" {
		oldPath, newPath, ok := strings.Cut(env, ":")
		if !ok {
			b.Fatalf("MRA_DIFF_PAIR=%q, want OLD:NEW", env)
		}
		pairs = append(pairs, pair{"env", oldPath, newPath})
	}
	for _, p := range pairs {
		b.Run(p.name, func(b *testing.B) {
			old, err := readText(p.old)
			if err != nil {
				b.Fatal(err)
			}
			new, err := readText(p.new)
			if err != nil {
				b.Fatal(err)
			}
			var mra, gits, inproc []time.Duration
			for b.Loop() {
				start := time.Now()
				if out, err := exec.Command(bin, "diff", "--format", "json", p.old, p.new).Output(); err != nil || len(out) == 0 {
					b.Fatalf("mra diff: %v", err)
				}
				mra = append(mra, time.Since(start))
				start = time.Now()
				out, err := exec.Command(git, "diff", "--no-index", "--word-diff=porcelain", p.old, p.new).Output()
				if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) || len(out) == 0 {
					b.Fatalf("git diff: %v", err)
				}
				gits = append(gits, time.Since(start))
				start = time.Now()
				diff.Redline(old, new)
				inproc = append(inproc, time.Since(start))
			}
			m, g, in := median(mra), median(gits), median(inproc)
			b.ReportMetric(ms(m), "mra-ms")
			b.ReportMetric(ms(g), "git-ms")
			b.ReportMetric(ms(in), "inproc-ms")
			b.ReportMetric(float64(m)/float64(g), "mra/git")
			b.ReportMetric(float64(in)/float64(g), "inproc/git")
		})
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
