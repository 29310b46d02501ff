package docx

import (
	"errors"
	"io"
)

// Write writes d as a .docx package to w.
func Write(w io.Writer, d Document) error {
	return errors.New("docx: Write not built yet")
}
