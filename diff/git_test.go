package diff

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"mra/diff/difftest"
)

// The redline is measured against git's word diff
// (`git diff --no-index --word-diff=porcelain`) on three kinds of pair: the
// reference pair (a light edit), a heavy rewrite of it (see
// difftest.RewriteText), and any real pair of texts named by MRA_DIFF_PAIR
// (OLD:NEW, two files).

// namedPair is a pair of texts to compare, with the files that hold them.
type namedPair struct {
	name     string
	old, new string
}

var (
	rewrittenOnce sync.Once
	heavy         difftest.Rewritten
)

// heavyRewrite is the reference's old text heavily rewritten (seed 1).
func heavyRewrite() difftest.Rewritten {
	rewrittenOnce.Do(func() { heavy = difftest.RewriteText(reference.Old, 1) })
	return heavy
}

// measuredPairs returns the reference pair, its heavy rewrite and the pair
// MRA_DIFF_PAIR names, if any.
func measuredPairs(tb testing.TB) []namedPair {
	tb.Helper()
	h := heavyRewrite()
	pairs := []namedPair{{"reference", reference.Old, reference.New}, {"rewritten", h.Old, h.New}}
	if env := os.Getenv("MRA_DIFF_PAIR"); env != "" {
		oldPath, newPath, ok := strings.Cut(env, ":")
		if !ok {
			tb.Fatalf("MRA_DIFF_PAIR=%q, want OLD:NEW", env)
		}
		old, err := os.ReadFile(oldPath)
		if err != nil {
			tb.Fatal(err)
		}
		new, err := os.ReadFile(newPath)
		if err != nil {
			tb.Fatal(err)
		}
		pairs = append(pairs, namedPair{"env", normalize(string(old)), normalize(string(new))})
	}
	return pairs
}

// normalize makes line ends LF, as `mra diff` and a stored version do.
func normalize(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// writePair writes the pair to two files in dir and returns their paths.
func writePair(tb testing.TB, dir string, p namedPair) (string, string) {
	tb.Helper()
	oldPath, newPath := filepath.Join(dir, p.name+".old"), filepath.Join(dir, p.name+".new")
	if err := os.WriteFile(oldPath, []byte(p.old), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(newPath, []byte(p.new), 0o600); err != nil {
		tb.Fatal(err)
	}
	return oldPath, newPath
}

// gitWordDiff runs git's word diff on two files and returns its output.
func gitWordDiff(tb testing.TB, git, oldPath, newPath string) []byte {
	tb.Helper()
	cmd := exec.Command(git, "-c", "core.quotepath=off", "diff", "--no-index", "--no-color", "--word-diff=porcelain", oldPath, newPath)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		// git exits 1 when the files differ.
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			tb.Fatalf("git diff: %v", err)
		}
	}
	return out.Bytes()
}

// gitMarked counts the words (see Words) git's porcelain word diff marks as
// removed or added: its lines after the first hunk header that start with
// '-' or '+'.
func gitMarked(out []byte) int {
	marked := 0
	inHunk := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "@@"):
			inHunk = true
		case inHunk && (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")):
			marked += Words(l[1:])
		}
	}
	return marked
}

// marked counts the words a redline marks: those of its deletes and inserts,
// moves included (git marks a moved passage as removed and added too).
func marked(ops []Op) int {
	n := 0
	for _, op := range ops {
		if op.Op != Equal {
			n += Words(op.Text)
		}
	}
	return n
}

// TestMarkedNoMoreThanGit: on every measured pair the redline marks at most
// 1.1 times the words git's word diff marks.
func TestMarkedNoMoreThanGit(t *testing.T) {
	if testing.Short() {
		t.Skip("the pairs are 3 MB")
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not found")
	}
	dir := t.TempDir()
	for _, p := range measuredPairs(t) {
		oldPath, newPath := writePair(t, dir, p)
		ops := Redline(p.old, p.new)
		checkRedline(t, p.old, p.new, ops)
		ours, theirs := marked(ops), gitMarked(gitWordDiff(t, git, oldPath, newPath))
		ratio := float64(ours) / float64(theirs)
		t.Logf("%s: marked %d words, git %d: ratio %.3f", p.name, ours, theirs, ratio)
		if ratio > 1.1 {
			t.Errorf("%s: the redline marks %d words, git %d (ratio %.3f), want at most 1.1", p.name, ours, theirs, ratio)
		}
	}
}
