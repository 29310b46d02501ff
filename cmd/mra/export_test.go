package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mra/server/docx"
	"mra/server/export"
	"mra/server/mra"
	"mra/server/servertest"
)

// exportDB builds a US–SG negotiation with a shared open issue, a US
// internal thread and an SG one, in a world whose server is still running.
func exportDB(t *testing.T) (*servertest.World, string) {
	w := servertest.New(t, servertest.Options{})
	us, sg, usLegal := w.Login("us-neg"), w.Login("sg-neg"), w.Login("us-legal")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	us.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindOpenIssue, mra.Shared)
	cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "within 30 days", mra.KindNote, mra.Internal)
	cmd["body"] = "US-INTERNAL-7Q"
	usLegal.Must(cmd, nil)
	cmd = servertest.CommentCmd(neg, 1, servertest.Text1, "Contact points", mra.KindNote, mra.Internal)
	cmd["body"] = "SG-INTERNAL-3K"
	sg.Must(cmd, nil)
	return w, neg
}

func TestExportCommand(t *testing.T) {
	w, neg := exportDB(t)
	base := []string{"export", "--db", w.Path, "--negotiation", neg}

	// While the server holds the file: fast, and told where to go instead.
	start := time.Now()
	code, _, errOut := runMra(t, append(base, "--kind", "clean", "--format", "txt")...)
	if code != exitFail || !strings.Contains(errOut, "in use") || !strings.Contains(errOut, "/export") || time.Since(start) > 2*time.Second {
		t.Errorf("export of a held database: exit %d after %v: %q", code, time.Since(start), errOut)
	}
	w.Stop()

	code, out, errOut := runMra(t, append(base, "--kind", "clean", "--format", "txt")...)
	if code != exitOK || out != servertest.Text1 {
		t.Errorf("clean txt: exit %d %q %q", code, out, errOut)
	}
	code, out, _ = runMra(t, append(base, "--kind", "bracketed", "--format", "txt")...)
	if code != exitOK || out != strings.Replace(servertest.Text1, "Purpose", "[Purpose]", 1) {
		t.Errorf("bracketed txt: exit %d %q", code, out)
	}
	code, out, _ = runMra(t, append(base, "--kind", "record", "--format", "json")...)
	var rec export.RecordFile
	if code != exitOK || json.Unmarshal([]byte(out), &rec) != nil || rec.Version != 1 || rec.SHA256 != mra.SHA256(servertest.Text1) ||
		rec.Heads.Shared.Seq != 3 || len(rec.Heads.Shared.Hash) != 64 {
		t.Errorf("record json: exit %d %s", code, out)
	}

	// Whose view: none (shared only), SG's, US's with its internal threads.
	for _, c := range []struct {
		args       []string
		has, hasnt []string
	}{
		{nil, []string{"about Purpose"}, []string{"US-INTERNAL-7Q", "SG-INTERNAL-3K"}},
		{[]string{"--party", "SG"}, []string{"about Purpose"}, []string{"US-INTERNAL-7Q", "SG-INTERNAL-3K"}},
		{[]string{"--party", "SG", "--internal"}, []string{"SG-INTERNAL-3K", "Internal — Singapore Customs"}, []string{"US-INTERNAL-7Q"}},
		{[]string{"--party", "US", "--internal"}, []string{"US-INTERNAL-7Q", "Internal — U.S. Customs and Border Protection"}, []string{"SG-INTERNAL-3K"}},
	} {
		args := append(append(base, "--kind", "clean", "--format", "html"), c.args...)
		code, out, errOut := runMra(t, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d %s", c.args, code, errOut)
		}
		for _, s := range c.has {
			if !strings.Contains(out, s) {
				t.Errorf("%v: lacks %q", c.args, s)
			}
		}
		for _, s := range c.hasnt {
			if strings.Contains(out, s) {
				t.Errorf("%v: holds %q", c.args, s)
			}
		}
	}

	// -o writes the file.
	path := filepath.Join(t.TempDir(), "out.html")
	code, out, errOut = runMra(t, append(base, "--kind", "redline", "--format", "html", "--version", "1", "--from", "1", "-o", path)...)
	if code != exitFail || !strings.Contains(errOut, "from must be an earlier version") {
		t.Errorf("a redline from 1 to 1: exit %d %q", code, errOut)
	}
	code, out, errOut = runMra(t, append(base, "--kind", "clean", "--format", "html", "-o", path)...)
	if b, err := os.ReadFile(path); code != exitOK || out != "" || err != nil || !bytes.Contains(b, []byte("<!DOCTYPE html>")) || !strings.Contains(errOut, "wrote") {
		t.Errorf("-o: exit %d, %q, %v", code, errOut, err)
	}

	for _, c := range []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"--kind", "clean", "--format", "html", "--internal"}, exitUsage, "--internal needs --party"},
		{[]string{"--kind", "clean", "--format", "txt", "--party", "EX"}, exitFail, "takes no part"},
		{[]string{"--kind", "clean", "--format", "pdf"}, exitUsage, "format"},
		{[]string{"--kind", "clean"}, exitUsage, "required"},
		{[]string{"--kind", "clean", "--format", "txt", "--version", "7"}, exitFail, "no version 7"},
	} {
		code, _, errOut := runMra(t, append(base, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.say) {
			t.Errorf("%v: exit %d %q, want %d saying %q", c.args, code, errOut, c.code, c.say)
		}
	}
	if code, _, errOut := runMra(t, "export", "--db", w.Path, "--negotiation", "n-nosuch", "--kind", "clean", "--format", "txt"); code != exitFail || !strings.Contains(errOut, "no negotiation") {
		t.Errorf("unknown negotiation: %d %q", code, errOut)
	}
	if _, _, errOut := runMra(t, "help"); !strings.Contains(errOut, "export") || !strings.Contains(errOut, "import") {
		t.Errorf("usage lacks export and import: %s", errOut)
	}
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	text := "Article 1\n\nThe Parties 第一条 agree.\n"
	var b bytes.Buffer
	if err := docx.Write(&b, docx.Document{Segments: []docx.Segment{{Kind: docx.Same, Text: "Article 1\n\nThe Parties "}, {Kind: docx.Insert, Text: "第一条 "}, {Kind: docx.Delete, Text: "never "}, {Kind: docx.Same, Text: "agree.\n"}}}); err != nil {
		t.Fatalf("docx.Write: %v", err)
	}
	path := writeFile(t, dir, "in.docx", b.String())
	code, out, errOut := runMra(t, "import", path)
	if code != exitOK || out != text || !strings.Contains(errOut, "4 paragraphs, 2 tracked changes") {
		t.Errorf("import: exit %d %q %q", code, out, errOut)
	}
	bad := writeFile(t, dir, "bad.docx", "not a zip at all")
	if code, out, errOut := runMra(t, "import", bad); code != exitFail || out != "" || !strings.Contains(errOut, "zip") {
		t.Errorf("import of a non-zip: exit %d %q %q", code, out, errOut)
	}
	if code, _, _ := runMra(t, "import"); code != exitUsage {
		t.Errorf("import without a file: exit %d", code)
	}
	if code, _, errOut := runMra(t, "import", filepath.Join(dir, "missing.docx")); code != exitFail || !strings.Contains(errOut, "missing.docx") {
		t.Errorf("import of a missing file: %d %q", code, errOut)
	}
}
