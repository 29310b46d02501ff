package difftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scriptPath returns the generator script's location: $MRA_GEN_AGREEMENT, else the
// path relative to this package directory inside the shared workspace.
func scriptPath() string {
	if p := os.Getenv("MRA_GEN_AGREEMENT"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "..", "shared", "bench", "gen-agreement.py")
}

func TestAgreementMatchesPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH; cannot compare against gen-agreement.py")
	}
	script := scriptPath()
	if _, err := os.Stat(script); err != nil {
		t.Skipf("gen-agreement.py not found at %s (set MRA_GEN_AGREEMENT): %v", script, err)
	}
	for _, articles := range []int{1, 50, 2000} {
		dir := t.TempDir()
		a, b := filepath.Join(dir, "A.txt"), filepath.Join(dir, "B.txt")
		args := []string{script, a, b}
		if articles != 2000 {
			args = append(args, strconv.Itoa(articles))
		}
		if out, err := exec.Command(python, args...).CombinedOutput(); err != nil {
			t.Fatalf("articles=%d: running %s: %v\n%s", articles, script, err, out)
		}
		wantOld, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		wantNew, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		got := Agreement(articles)
		if !bytes.Equal([]byte(got.Old), wantOld) {
			t.Errorf("articles=%d: Old differs from Python (len %d vs %d) at byte %d",
				articles, len(got.Old), len(wantOld), firstDiff(got.Old, string(wantOld)))
		}
		if !bytes.Equal([]byte(got.New), wantNew) {
			t.Errorf("articles=%d: New differs from Python (len %d vs %d) at byte %d",
				articles, len(got.New), len(wantNew), firstDiff(got.New, string(wantNew)))
		}
	}
}

func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func TestAgreementShape(t *testing.T) {
	start := time.Now()
	p := Agreement(2000)
	t.Logf("Agreement(2000) took %v", time.Since(start))
	q := Agreement(2000)
	if p != q {
		t.Fatal("Agreement(2000) is not deterministic")
	}
	if len(p.Old) < 2_500_000 || len(p.Old) > 3_500_000 {
		t.Errorf("len(Old) = %d, want about 3 MB", len(p.Old))
	}
	words := countWords(p.Old)
	edits := p.Replaced + p.Deleted + p.Inserted
	frac := float64(edits) / float64(words)
	if frac < 0.007 || frac > 0.013 {
		t.Errorf("edits = %d of %d words (%.3f%%), want about 1%%", edits, words, 100*frac)
	}
	if p.Replaced == 0 || p.Deleted == 0 || p.Inserted == 0 {
		t.Errorf("want every edit kind present: %+v", [3]int{p.Replaced, p.Deleted, p.Inserted})
	}
	if min := p.Replaced*2 + p.Deleted + p.Inserted; p.ChangedWords < min {
		t.Errorf("ChangedWords = %d, want >= %d", p.ChangedWords, min)
	}
	// Every replacement and insertion adds one word; ChangedWords minus those is what was removed.
	added := p.Replaced + p.Inserted
	if got, want := countWords(p.New), words+added-(p.ChangedWords-added); got != want {
		t.Errorf("words(New) = %d, want words(Old)+added-removed = %d", got, want)
	}
	t.Logf("words=%d replaced=%d deleted=%d inserted=%d changedWords=%d", words, p.Replaced, p.Deleted, p.Inserted, p.ChangedWords)
}

func TestCountWords(t *testing.T) {
	for s, want := range map[string]int{"": 0, "law.\n\nArticle": 2, "1.": 1, "Über-all 42x": 3, " ": 0} {
		if got := countWords(s); got != want {
			t.Errorf("countWords(%q) = %d, want %d", s, got, want)
		}
	}
}

func BenchmarkAgreement(b *testing.B) {
	for b.Loop() {
		_ = Agreement(2000)
	}
}

// TestRewriteShape: the heavy rewrite is reproducible, changes about a third
// of the words, moves some, and keeps the agreement's form (articles of
// numbered paragraphs).
func TestRewriteShape(t *testing.T) {
	old := Agreement(300).Old
	r := RewriteText(old, 1)
	if again := RewriteText(old, 1); again != r {
		t.Fatal("RewriteText is not deterministic")
	}
	if other := RewriteText(old, 2); other.New == r.New {
		t.Error("seeds 1 and 2 give the same rewrite")
	}
	if r.Old != old || r.Words != countWords(old) {
		t.Fatalf("Old or Words do not describe the old text")
	}
	// ChangedWords counts removed and added words: a third of the text
	// changed is about two thirds of its words counted that way.
	changed := float64(r.ChangedWords) / float64(2*r.Words)
	moved := float64(r.MovedWords) / float64(r.Words)
	t.Logf("words %d, changed %.3f, moved %.3f", r.Words, changed, moved)
	if changed < 0.25 || changed > 0.40 {
		t.Errorf("changed %.3f of the text, want about a third", changed)
	}
	if moved < 0.03 || moved > 0.15 {
		t.Errorf("moved %.3f of the words, want some", moved)
	}
	newParas, oldParas := strings.Count(r.New, "\n\n"), strings.Count(old, "\n\n")
	if newParas == oldParas {
		t.Errorf("as many paragraphs after the rewrite (%d) as before: none split, merged, added or deleted?", newParas)
	}
	if !strings.HasPrefix(r.New, "Article 1\n\n1. ") || strings.Count(r.New, "\n\nArticle ") != strings.Count(old, "\n\nArticle ") {
		t.Errorf("the rewrite lost the articles' form: %.80q", r.New)
	}
	for _, p := range strings.Split(r.New, "\n\n") {
		if !strings.HasPrefix(p, "Article ") && !strings.HasSuffix(p, ".") {
			t.Fatalf("a paragraph without its final stop: %.80q", p)
		}
	}
}
