package diff

import (
	"hash/maphash"
	"math/bits"
	"slices"
)

// interner gives each distinct string an int32 id, in the order first seen.
// It is open addressing in one slice of eight-byte slots (the top half of
// the string's hash, which also places it, and its id), the strings apart,
// indexed by id: cheaper than a map for the many short tokens of a redline
// (no per-entry allocation, one probe most of the time) and, for the tens of
// thousands of lines of a long text, a small table, more of which stays in
// cache. The strings are kept, not copied: they are cut from the texts
// being compared, which outlive it.
type interner struct {
	slots []uint64 // the hash's top 32 bits, then id+1; zero when free
	shift uint     // 32 minus log2(len(slots)): a tag's top bits place it
	strs  []string // by id
	seed  maphash.Seed
}

// id returns s's id, giving it the next one if it has none.
func (t *interner) id(s string) int32 {
	if t.slots == nil {
		t.init(1024)
	}
	return t.idHashed(s, maphash.String(t.seed, s))
}

// idHashed is id for s of hash h, from a hash of the caller's (hashString,
// for tokens): one interner takes its hashes from one function only.
func (t *interner) idHashed(s string, h uint64) int32 {
	if t.slots == nil {
		t.init(64)
	}
	i, id, ok := t.probe(s, h)
	if ok {
		return id
	}
	id = int32(len(t.strs))
	t.slots[i] = h>>32<<32 | uint64(id+1)
	t.strs = append(t.strs, s)
	if 2*len(t.strs) > len(t.slots) { // at most half full
		t.resize(2 * len(t.slots))
	}
	return id
}

// probe returns the slot where s, of hash h, is (and its id) or would go.
func (t *interner) probe(s string, h uint64) (slot int, id int32, ok bool) {
	tag := h >> 32
	mask := len(t.slots) - 1
	for i := int(tag >> t.shift); ; i = (i + 1) & mask {
		sl := t.slots[i]
		if sl == 0 {
			return i, 0, false
		}
		if id := int32(uint32(sl) - 1); sl>>32 == tag && t.strs[id] == s {
			return i, id, true
		}
	}
}

// find returns s's id, if it has one (see id).
func (t *interner) find(s string) (int32, bool) {
	if t.slots == nil {
		return 0, false
	}
	_, id, ok := t.probe(s, maphash.String(t.seed, s))
	return id, ok
}

// size makes room for about n strings before the table grows.
func (t *interner) size(n int) {
	want := 1024
	for want < 2*n {
		want *= 2
	}
	if t.slots == nil {
		t.init(want)
	} else if len(t.slots) < want {
		t.resize(want)
	}
	t.strs = slices.Grow(t.strs, n-len(t.strs))
}

func (t *interner) init(slots int) {
	t.seed = maphash.MakeSeed()
	t.slots = touched(make([]uint64, slots))
	t.shift = uint(32 - bits.TrailingZeros(uint(slots)))
}

// resize moves the entries to a table of slots slots (a power of two), each
// placed again by its tag.
func (t *interner) resize(slots int) {
	old := t.slots
	t.slots = touched(make([]uint64, slots))
	t.shift = uint(32 - bits.TrailingZeros(uint(slots)))
	mask := slots - 1
	for _, sl := range old {
		if sl == 0 {
			continue
		}
		i := int(sl >> 32 >> t.shift)
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

// reset forgets every string, keeping the table's room.
func (t *interner) reset() {
	clear(t.slots)
	clear(t.strs)
	t.strs = t.strs[:0]
}

// len returns how many ids have been given.
func (t *interner) len() int { return len(t.strs) }
