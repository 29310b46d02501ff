// Package docx writes and reads the small part of WordprocessingML (ECMA-376,
// transitional) that mra needs: a text as paragraphs, tracked insertions,
// deletions and moves authored by a party, comments, and minimal metadata.
//
// No well-kept Go library writes tracked changes (the complete one is paid),
// so the package writes the XML itself with archive/zip and encoding/xml and
// reads it back with encoding/xml's token stream. It imports only the
// standard library; the server turns redlines and threads into a Document.
//
// Writing is deterministic: the same Document gives the same bytes (fixed zip
// times, no rsids, core properties only from the Document). Reading refuses
// what it cannot read honestly, with an *Error naming why.
package docx

import "time"

// Kind says what a segment of the document's text is.
type Kind uint8

const (
	Same     Kind = iota // text kept
	Insert               // a tracked insertion (w:ins)
	Delete               // a tracked deletion (w:del)
	MoveFrom             // a tracked move, where the text left (w:moveFrom)
	MoveTo               // a tracked move, where the text arrived (w:moveTo)
)

// Segment is a piece of the document's text. Its Text may hold line feeds:
// each LF ends a paragraph, and an LF inside a tracked segment is a tracked
// paragraph mark, so accepting every change gives the new text and
// rejecting every change the old one exactly. Move pairs a MoveFrom with its
// MoveTo segments (same nonzero id); it is ignored for other kinds.
type Segment struct {
	Kind Kind
	Text string
	Move int
}

// Comment is a Word comment over [Start, End) of the document's text, in
// code points of the concatenated segment texts (deleted text included).
// Start == End anchors it at a point.
type Comment struct {
	Start, End int
	Author     string // a party's name: never a person's unless chosen
	Initials   string
	Date       time.Time
	Text       string // paragraphs separated by LF
}

// Document is what Write writes.
type Document struct {
	Title    string    // core properties' title
	Creator  string    // core properties' creator and last modifier (a party's name, or empty)
	Date     time.Time // core properties' dates, and every tracked change's date
	Author   string    // author of every tracked change (the party that proposed the new text)
	Segments []Segment
	Comments []Comment
}

// Report is what Read found in a document.
type Report struct {
	Text           string // one line per body paragraph, joined by LF
	Paragraphs     int
	TrackedChanges int // insertions, deletions and moves found (each w:ins, w:del, w:moveFrom, w:moveTo once)
	Hidden         int // runs of hidden text (w:vanish) left out of Text
	// Parts of the document reported but not mixed into Text.
	Headers, Footers, Footnotes, Endnotes, Comments int
}

// Error is a document Read refuses; Reason says why in words a user can act
// on ("not a zip file", "no word/document.xml", ...). It never holds
// document content.
type Error struct {
	Reason string
}

func (e *Error) Error() string { return "docx: " + e.Reason }
