package mra

import (
	"math/rand/v2"
	"testing"
)

// TestPlainEnd: eight bytes at a time finds what a byte loop finds, for
// every byte value at every place of a word, alone and among others.
func TestPlainEnd(t *testing.T) {
	slow := func(s []byte, i int) int {
		for i < len(s) && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' {
			i++
		}
		return i
	}
	ascii := func(s []byte) bool {
		for _, c := range s {
			if c >= 0x80 {
				return false
			}
		}
		return true
	}
	check := func(s []byte, from int) {
		t.Helper()
		if got, want := plainEnd(s, from), slow(s, from); got != want {
			t.Fatalf("plainEnd(%q, %d) = %d, want %d", s, from, got, want)
		}
		if got, want := plainEnd(string(s), from), slow(s, from); got != want {
			t.Fatalf("plainEnd(string %q, %d) = %d, want %d", s, from, got, want)
		}
		if got, want := isASCII(string(s[from:])), ascii(s[from:]); got != want {
			t.Fatalf("isASCII(%q) = %v, want %v", s[from:], got, want)
		}
	}
	for c := range 256 {
		for at := range 20 {
			for _, fill := range []byte{'a', 0xc3, 0x7f, 0x20, 0xff} {
				s := make([]byte, 20)
				for i := range s {
					s[i] = fill
				}
				s[at] = byte(c)
				for from := range 3 {
					check(s, from)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'a', ' ', '"', '\\', 0, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff}
	for range 20000 {
		s := make([]byte, r.IntN(40))
		for i := range s {
			if r.IntN(4) == 0 {
				s[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				s[i] = byte('a' + r.IntN(26))
			}
		}
		check(s, 0)
		if len(s) > 0 {
			check(s, r.IntN(len(s)))
		}
	}
}
