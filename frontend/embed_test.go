package frontend_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"mra/frontend"
)

// The page must hold under the server's strict Content-Security-Policy
// (script-src 'self', style-src 'self'): no inline script, no inline event
// handler, no inline style; and user text must never be parsed as HTML.
func TestPageIsEmbeddedAndHasNoInlineCode(t *testing.T) {
	page := frontend.FS()
	for _, name := range []string{"index.html", "app.js", "style.css"} {
		if _, err := fs.Stat(page, name); err != nil {
			t.Fatalf("the embedded page lacks %s: %v", name, err)
		}
	}
	scriptTag := regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	handler := regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	styleAttr := regexp.MustCompile(`(?i)<[^>]*\sstyle\s*=`)
	styleTag := regexp.MustCompile(`(?i)<style\b`)
	remote := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`)
	htmlSinks := regexp.MustCompile(`\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(`)
	importRe := regexp.MustCompile(`(?m)^\s*import\s[^'"]*['"](\./[^'"]+)['"]`)

	err := fs.WalkDir(page, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(page, name)
		if err != nil {
			return err
		}
		src := string(b)
		switch {
		case strings.HasSuffix(name, ".html"):
			for _, m := range scriptTag.FindAllStringSubmatch(src, -1) {
				if !strings.Contains(strings.ToLower(m[1]), "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("%s: inline script %q", name, m[0])
				}
			}
			for _, re := range []*regexp.Regexp{handler, styleAttr, styleTag, remote} {
				if m := re.FindString(src); m != "" {
					t.Errorf("%s: %q breaks the Content-Security-Policy", name, m)
				}
			}
		case strings.HasSuffix(name, ".js"):
			if m := htmlSinks.FindString(src); m != "" {
				t.Errorf("%s: %q parses strings as code or HTML; set text with textContent", name, m)
			}
			if m := remote.FindString(src); m != "" {
				t.Errorf("%s: %q loads from elsewhere", name, m)
			}
			for _, m := range importRe.FindAllStringSubmatch(src, -1) {
				if _, err := fs.Stat(page, strings.TrimPrefix(m[1], "./")); err != nil {
					t.Errorf("%s imports %s, which is not embedded", name, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
