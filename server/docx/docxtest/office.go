// Package docxtest runs LibreOffice for the tests that check Word documents
// against a real office suite (docx's own, the exports'). It is imported by
// tests only.
package docxtest

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Soffice returns LibreOffice's program: $MRA_SOFFICE, else soffice or
// libreoffice on the PATH. Without it the test is skipped, loudly, unless
// MRA_E2E=1 (as in CI, which installs libreoffice-writer-nogui): then it fails.
func Soffice(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("MRA_SOFFICE"); p != "" {
		return p
	}
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("MRA_E2E") == "1" {
		t.Fatal("LibreOffice (soffice) not found and MRA_E2E=1: install libreoffice-writer-nogui or set MRA_SOFFICE")
	}
	t.Skip("SKIPPED: LibreOffice (soffice) not found; install libreoffice-writer-nogui or set MRA_SOFFICE to run this test")
	return ""
}

// Convert has soffice convert each file to filter (as --convert-to takes
// it, e.g. "txt:Text" or "docx") into dir, in one process, within two
// minutes, and returns what soffice printed. Profile is the directory of
// LibreOffice's profile: one per test (t.TempDir()), so tests may run at
// once; the first conversion with a new one takes longer.
func Convert(t testing.TB, soffice, profile, filter, dir string, files ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--norestore", "-env:UserInstallation=" + (&url.URL{Scheme: "file", Path: profile}).String(),
		"--convert-to", filter, "--outdir", dir}, files...)
	out, err := exec.CommandContext(ctx, soffice, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice %v: %v\n%s", args, err, out)
	}
	return out
}
