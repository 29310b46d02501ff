package docx

import "errors"

// Options changes how Read reads tracked changes.
type Options struct {
	// Reject reads the document as if every tracked change were rejected
	// (insertions dropped, deletions kept); the default accepts them all.
	Reject bool
}

// Read reads a .docx package's body text.
func Read(data []byte, opt Options) (Report, error) {
	return Report{}, errors.New("docx: Read not built yet")
}
