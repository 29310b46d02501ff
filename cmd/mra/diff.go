package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"mra/diff"
	"mra/server/mra"
)

// runDiff is `mra diff [--format text|json|html] OLD NEW`.
func runDiff(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mra diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output `format`: text (wdiff style), json (the diff endpoint's ops) or html (one self-contained page)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mra diff [--format text|json|html] OLD NEW")
		fmt.Fprintln(stderr, "Prints the word-level redline that turns file OLD into file NEW (both UTF-8).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return exitUsage
	}
	write, ok := diffFormats[*format]
	if !ok {
		fmt.Fprintf(stderr, "mra diff: unknown format %q (want text, json or html)\n", *format)
		return exitUsage
	}
	oldPath, newPath := fs.Arg(0), fs.Arg(1)
	old, err := readText(oldPath)
	if err != nil {
		fmt.Fprintf(stderr, "mra diff: %v\n", err)
		return exitFail
	}
	new, err := readText(newPath)
	if err != nil {
		fmt.Fprintf(stderr, "mra diff: %v\n", err)
		return exitFail
	}
	out := bufio.NewWriterSize(stdout, 1<<16)
	if err := write(out, diff.Redline(old, new), oldPath, newPath); err != nil {
		fmt.Fprintf(stderr, "mra diff: write: %v\n", err)
		return exitFail
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "mra diff: write: %v\n", err)
		return exitFail
	}
	return exitOK
}

// readText reads a UTF-8 file and normalises its line ends as a proposed
// version's text is: CRLF and lone CR become LF.
func readText(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", pathError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	s, mapped := "", false
	if err == nil && fi.Mode().IsRegular() {
		s, mapped = mapFile(f, fi.Size())
	}
	if !mapped {
		var sb strings.Builder
		if err == nil {
			sb.Grow(int(fi.Size()) + 1)
		}
		if _, err := io.Copy(&sb, f); err != nil {
			return "", pathError(path, err)
		}
		s = sb.String()
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%s: not valid UTF-8 (first bad byte at offset %d)", path, firstInvalid(s))
	}
	return mra.NormalizeText(s), nil
}

// pathError says what went wrong with path without repeating the operation.
func pathError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// firstInvalid returns the offset of the first byte of b that is not valid UTF-8.
func firstInvalid(b string) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRuneInString(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

var diffFormats = map[string]func(w io.Writer, ops []diff.Op, oldName, newName string) error{
	"text": func(w io.Writer, ops []diff.Op, _, _ string) error {
		_, err := io.WriteString(w, diff.Text(ops))
		return err
	},
	"json": func(w io.Writer, ops []diff.Op, _, _ string) error {
		if _, err := io.WriteString(w, `{"ops":`); err != nil {
			return err
		}
		if err := diff.WriteJSON(w, ops); err != nil {
			return err
		}
		_, err := io.WriteString(w, "}\n")
		return err
	},
	"html": writeHTML,
}

// writeHTML writes the redline as one self-contained page: insertions
// underlined, deletions struck through, moves marked by their number, the
// words changed inside a moved passage marked within it; every piece of text
// is escaped by html/template.
func writeHTML(w io.Writer, ops []diff.Op, oldName, newName string) error {
	return redlinePage().Execute(w, struct {
		Old, New string
		Runs     []redlineRun
	}{oldName, newName, redlineRuns(ops)})
}

// redlineRun is what the page draws as one element: an op, or all the ops of
// a moved passage on one side (its Parts, with their Edit marks).
type redlineRun struct {
	Op    diff.Kind
	Text  string
	Move  int
	Parts []diff.Op
}

// redlineRuns groups neighbouring ops of the same kind and move into one run.
func redlineRuns(ops []diff.Op) []redlineRun {
	var out []redlineRun
	for k := 0; k < len(ops); k++ {
		op := ops[k]
		r := redlineRun{Op: op.Op, Text: op.Text, Move: op.Move}
		for ; op.Move != 0 && k < len(ops) && ops[k].Op == op.Op && ops[k].Move == op.Move; k++ {
			r.Parts = append(r.Parts, ops[k])
		}
		if op.Move != 0 {
			k--
		}
		out = append(out, r)
	}
	return out
}

var redlinePage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("redline").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Redline: {{.Old}} → {{.New}}</title>
<style>
body { font: 16px/1.6 Georgia, "Times New Roman", serif; color: #1b1b1b; background: #fff; margin: 2rem auto; max-width: 48rem; padding: 0 1rem; }
header { font-family: system-ui, sans-serif; font-size: 0.9rem; border-bottom: 1px solid #ccc; margin-bottom: 1.5rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
ins { background: #dff3e4; color: #0b4a1c; text-decoration: underline; }
del { background: #fbe3e4; color: #7a1016; text-decoration: line-through; }
ins.move, del.move { background: #e3ecfb; color: #0b2e6b; }
.mark { font-family: system-ui, sans-serif; font-size: 0.75em; font-weight: bold; text-decoration: none; display: inline-block; padding: 0 0.25em; border-radius: 3px; background: #0b2e6b; color: #fff; }
</style>
</head>
<body>
<header>
<p>Redline of <strong>{{.Old}}</strong> → <strong>{{.New}}</strong>.
<ins>Inserted</ins>, <del>deleted</del>, <del class="move">moved from here</del> and <ins class="move">moved to here</ins> text is marked; a moved passage carries the same number in both places, and the words changed on the way are marked inside it: <del class="move">struck <del>where it left</del></del>, <ins class="move">underlined <ins>where it arrived</ins></ins>.</p>
</header>
<div class="text">{{range .Runs}}{{if eq .Op "equal"}}{{.Text}}{{else if eq .Op "insert"}}{{if .Move}}<ins class="move" title="moved here (move {{.Move}})"><span class="mark">⇥{{.Move}}</span>{{range .Parts}}{{if .Edit}}<ins>{{.Text}}</ins>{{else}}{{.Text}}{{end}}{{end}}</ins>{{else}}<ins>{{.Text}}</ins>{{end}}{{else}}{{if .Move}}<del class="move" title="moved away (move {{.Move}})"><span class="mark">↦{{.Move}}</span>{{range .Parts}}{{if .Edit}}<del>{{.Text}}</del>{{else}}{{.Text}}{{end}}{{end}}</del>{{else}}<del>{{.Text}}</del>{{end}}{{end}}{{end}}</div>
</body>
</html>
`))
})
