package mra

// Long strings (a version's text, quotes of whole articles) pass through
// the JSON loops byte by byte; these look at eight bytes at a time.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// word is the eight bytes of s at i, the first in the lowest byte.
func word[T string | []byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// plainEnd returns the index of the first byte of s at or after i that a
// JSON string cannot hold as it is (a quote, a backslash or a control
// character), or len(s).
func plainEnd[T string | []byte](s T, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := word(s, i)
		// A byte below 0x20, or equal to '"' or '\\', sets its high bit
		// here (and only bytes after such a byte are ever set wrongly).
		q, bs := x^(ones*'"'), x^(ones*'\\')
		if ((x-ones*0x20)|(q-ones)|(bs-ones))&^x&highs != 0 {
			break
		}
	}
	for i < len(s) && plain[s[i]] {
		i++
	}
	return i
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if word(s, i)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
