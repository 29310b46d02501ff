package main

import (
	"bytes"
	"testing"

	"mra/diff"
	"mra/server/docx"
	"mra/server/export"
	"mra/server/mra"
)

// TestDemoTextsThroughWord: the demo's two versions survive a clean docx
// each (same SHA-256 read back), and their redline docx accepts to version
// 2 and rejects to version 1.
func TestDemoTextsThroughWord(t *testing.T) {
	write := func(segs []docx.Segment) []byte {
		var b bytes.Buffer
		if err := docx.Write(&b, docx.Document{Title: "demo", Author: "Singapore Customs", Segments: segs}); err != nil {
			t.Fatalf("docx.Write: %v", err)
		}
		return b.Bytes()
	}
	read := func(data []byte, opt docx.Options) string {
		rep, err := docx.Read(data, opt)
		if err != nil {
			t.Fatalf("docx.Read: %v", err)
		}
		return rep.Text
	}
	for i, text := range []string{demoText1, demoText2} {
		if got := read(write([]docx.Segment{{Kind: docx.Same, Text: text}}), docx.Options{}); mra.SHA256(got) != mra.SHA256(text) {
			t.Errorf("demo text %d: read back with SHA-256 %s, want %s", i+1, mra.SHA256(got), mra.SHA256(text))
		}
	}
	red := write(export.Segments(diff.Redline(demoText1, demoText2)))
	if got := read(red, docx.Options{}); got != demoText2 {
		t.Errorf("the redline accepted is not version 2:\n%s", got)
	}
	if got := read(red, docx.Options{Reject: true}); got != demoText1 {
		t.Errorf("the redline rejected is not version 1:\n%s", got)
	}
}
