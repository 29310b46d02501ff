package main

import (
	"os"
	"syscall"
	"unsafe"
)

// mapFile returns the contents of f, a regular file of size bytes, mapped
// read-only into memory rather than copied: `mra diff` reads two files
// once and exits, and the mapping lasts as long as the process.
func mapFile(f *os.File, size int64) (string, bool) {
	if size <= 0 || int64(int(size)) != size {
		return "", false
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return "", false
	}
	return unsafe.String(&b[0], len(b)), true
}
