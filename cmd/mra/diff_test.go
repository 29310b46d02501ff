package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mra/diff"
)

// runMra runs the real program's entry point and returns its exit code and output.
func runMra(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiffFormats(t *testing.T) {
	dir := t.TempDir()
	oldPath := writeFile(t, dir, "old.txt", "Article 1\r\n\r\nEach Party shall act <now> & \"always\".\r\n\r\nMoved paragraph about validation findings.\r\n\r\nEnd.")
	newPath := writeFile(t, dir, "new.txt", "Article 1\n\nEach Party may act <now> & \"always\".\n\nEnd.\n\nMoved paragraph about validation findings.")

	code, out, errOut := runMra(t, "diff", oldPath, newPath)
	if code != 0 || errOut != "" {
		t.Fatalf("text: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "Each Party [-shall-]{+may+} act") || strings.Contains(out, "\r") {
		t.Errorf("text output = %q", out)
	}

	code, out, _ = runMra(t, "diff", "--format", "json", oldPath, newPath)
	if code != 0 {
		t.Fatalf("json: exit %d", code)
	}
	var got struct {
		Ops []diff.Op `json:"ops"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json output does not parse: %v\n%s", err, out)
	}
	wantOld := "Article 1\n\nEach Party shall act <now> & \"always\".\n\nMoved paragraph about validation findings.\n\nEnd."
	if diff.Old(got.Ops) != wantOld || diff.New(got.Ops) != "Article 1\n\nEach Party may act <now> & \"always\".\n\nEnd.\n\nMoved paragraph about validation findings." {
		t.Errorf("json ops do not rebuild the normalised texts: %s", out)
	}
	moved := 0
	for _, op := range got.Ops {
		if op.Move != 0 {
			moved++
		}
	}
	if moved != 2 {
		t.Errorf("want the moved paragraph as one delete and one insert with a move id, got %s", out)
	}

	code, out, _ = runMra(t, "diff", "--format", "html", oldPath, newPath)
	if code != 0 {
		t.Fatalf("html: exit %d", code)
	}
	for _, want := range []string{"<!DOCTYPE html>", "<del>shall</del>", "<ins>may</ins>", "&lt;now&gt; &amp; &#34;always&#34;", `class="move"`} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if strings.Contains(out, "<now>") || strings.Contains(out, "http") && strings.Contains(out, "src=") {
		t.Errorf("html is not escaped or not self-contained")
	}
}

// A paragraph moved and edited: one move in every format, its edits inside.
func TestDiffEditedMove(t *testing.T) {
	dir := t.TempDir()
	p1 := "1. Each Party shall recognise the validation findings of the other Party."
	p2 := "2. The customs administrations shall exchange membership information."
	p3 := "3. This Arrangement enters into force on signature."
	oldPath := writeFile(t, dir, "old.txt", p1+"\n\n"+p2+"\n\n"+p3+"\n")
	newPath := writeFile(t, dir, "new.txt", p2+"\n\n"+p3+"\n\n"+strings.Replace(p1, "shall", "may", 1)+"\n")

	_, out, _ := runMra(t, "diff", oldPath, newPath)
	for _, want := range []string{
		"[->1 1. Each Party [-shall-] recognise the validation findings of the other Party.-]",
		"{+<1 1. Each Party {+may+} recognise the validation findings of the other Party.+}",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}

	_, out, _ = runMra(t, "diff", "--format", "json", oldPath, newPath)
	var got struct {
		Ops []diff.Op `json:"ops"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json output does not parse: %v\n%s", err, out)
	}
	var edits []string
	for _, op := range got.Ops {
		if op.Edit {
			edits = append(edits, string(op.Op)+" "+op.Text)
		}
	}
	if strings.Join(edits, "|") != "delete shall|insert may" || !strings.Contains(out, `"move":1,"edit":true}`) {
		t.Errorf("json edits = %q, want the one word each side:\n%s", edits, out)
	}

	_, out, _ = runMra(t, "diff", "--format", "html", oldPath, newPath)
	for _, want := range []string{
		`<del class="move" title="moved away (move 1)"><span class="mark">↦1</span>1. Each Party <del>shall</del> recognise`,
		`<ins class="move" title="moved here (move 1)"><span class="mark">⇥1</span>1. Each Party <ins>may</ins> recognise`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
}

func TestDiffHTMLEscapesEverything(t *testing.T) {
	dir := t.TempDir()
	oldPath := writeFile(t, dir, "<b>old<i>.txt", "x <script>alert(1)</script>")
	newPath := writeFile(t, dir, "new.txt", "y <img src=x onerror=alert(2)>")
	code, out, _ := runMra(t, "diff", "--format", "html", oldPath, newPath)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, bad := range []string{"<script>", "<img", "<b>old"} {
		if strings.Contains(out, bad) {
			t.Errorf("html contains unescaped %q", bad)
		}
	}
}

func TestDiffErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.txt", "text")
	bad := writeFile(t, dir, "bad.txt", "ok\xff\xfe")
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"missing old", []string{"diff", filepath.Join(dir, "nope.txt"), good}, 1, "nope.txt: no such file or directory"},
		{"missing new", []string{"diff", good, filepath.Join(dir, "gone.txt")}, 1, "gone.txt: no such file or directory"},
		{"invalid UTF-8", []string{"diff", good, bad}, 1, "bad.txt: not valid UTF-8 (first bad byte at offset 2)"},
		{"one file", []string{"diff", good}, 2, "usage: mra diff"},
		{"unknown format", []string{"diff", "--format", "pdf", good, good}, 2, `unknown format "pdf"`},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"no command", nil, 2, "usage: mra COMMAND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMra(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.inStderr)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}
