package diff

import (
	"strconv"
	"testing"
)

// TestInterner: ids are given in the order strings are first seen, the same
// string always gets its id back, through every growth of the table and
// whichever hash placed it; colliding tags are told apart by the strings.
func TestInterner(t *testing.T) {
	for _, hashed := range []bool{false, true} {
		var in interner
		id := func(s string) int32 {
			if hashed {
				return in.idHashed(s, hashString(s)&^(1<<40-1)) // few distinct tags: many collide
			}
			return in.id(s)
		}
		const n = 5000
		for round := 0; round < 3; round++ {
			for k := 0; k < n; k++ {
				s := "unit " + strconv.Itoa(k)
				if got := id(s); got != int32(k) {
					t.Fatalf("hashed %v, round %d: %q has id %d, want %d", hashed, round, s, got, k)
				}
			}
			if !hashed {
				if id, ok := in.find("unit 17"); !ok || id != 17 {
					t.Fatalf("find: %d, %v, want 17", id, ok)
				}
				if _, ok := in.find("unit -1"); ok {
					t.Fatal("find found a string never given an id")
				}
			}
			if in.len() != n {
				t.Fatalf("hashed %v: %d ids, want %d", hashed, in.len(), n)
			}
		}
		if 2*in.len() > len(in.slots) {
			t.Fatalf("table over half full: %d of %d", in.len(), len(in.slots))
		}
	}
}
