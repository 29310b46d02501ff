//go:build !linux

package main

import "os"

// mapFile maps files only on Linux; elsewhere readText copies them.
func mapFile(*os.File, int64) (string, bool) { return "", false }
