package diff

import "hash/maphash"

// interner gives each distinct string an int32 id, in the order first seen:
// an open-addressing table in one slice, cheaper than a map for the many
// short tokens of a redline (no per-entry allocation, one probe most of the
// time, and it grows by doubling with no rehash of the strings: each slot
// keeps its hash). The strings are kept, not copied: they are cut from the
// texts being compared, which outlive it.
type interner struct {
	slots []islot
	n     int // ids given
	seed  maphash.Seed
}

type islot struct {
	hash uint64
	s    string
	id   int32 // plus one: zero marks an empty slot
}

// id returns s's id, giving it the next one if it has none.
func (t *interner) id(s string) int32 {
	if len(t.slots) == 0 {
		t.init(1024)
	}
	return t.idHashed(s, maphash.String(t.seed, s))
}

// idHashed is id for s of hash h, from a hash of the caller's (hashString,
// for tokens): one interner takes its hashes from one function only.
func (t *interner) idHashed(s string, h uint64) int32 {
	if len(t.slots) == 0 {
		t.init(64)
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.id == 0 {
			id := int32(t.n)
			*sl = islot{hash: h, s: s, id: id + 1}
			t.n++
			if 2*t.n > len(t.slots) { // at most half full
				t.grow()
			}
			return id
		}
		if sl.hash == h && sl.s == s {
			return sl.id - 1
		}
	}
}

// size makes room for about n strings before the table grows.
func (t *interner) size(n int) {
	want := 1024
	for want < 2*n {
		want *= 2
	}
	if len(t.slots) == 0 {
		t.init(want)
		return
	}
	for len(t.slots) < want {
		t.grow()
	}
}

func (t *interner) init(slots int) {
	t.seed = maphash.MakeSeed()
	t.slots = make([]islot, slots)
}

// grow doubles the table, placing each entry by its kept hash.
func (t *interner) grow() {
	old := t.slots
	t.slots = make([]islot, 2*len(old))
	mask := uint64(len(t.slots) - 1)
	for _, sl := range old {
		if sl.id == 0 {
			continue
		}
		i := sl.hash & mask
		for t.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

// len returns how many ids have been given.
func (t *interner) len() int { return t.n }
