package main

import (
	"io/fs"

	"mra/frontend"
)

// page is the web page the server serves at "/".
func page() fs.FS { return frontend.FS() }
