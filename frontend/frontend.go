// Package frontend holds the negotiation page, embedded in the binary and
// served by mra at "/". It is plain HTML, CSS and JavaScript modules.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS returns the page's files, rooted at the page's directory.
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree always has it
	}
	return sub
}
