package boltstore

// bbolt's pages, read by hand: the meta pages, the freelist and the tree,
// from bytes read with ReadAt, every offset checked against what was read.
//
// On-disk layout read here (bbolt's format version 2, native byte order):
//
//	page header (16 bytes)  id u64 | flags u16 | count u16 | overflow u32
//	meta (after the header) magic u32 | version u32 | page size u32 | flags u32 |
//	                        root page u64 | root sequence u64 | freelist page u64 |
//	                        high-water mark u64 | txid u64 | checksum u64
//	                        (checksum: FNV-1a 64 of the 56 bytes before it)
//	branch element          pos u32 | key size u32 | child page u64
//	leaf element            flags u32 | pos u32 | key size u32 | value size u32
//	                        (pos counts from the element itself)
//	bucket value            root page u64 | sequence u64 | (root 0: an inline leaf page)
//	freelist page           count page ids u64 (count 0xFFFF: the first u64 is the count)

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
)

// Constants of bbolt's file format.
const (
	boltMagic   = 0xED0CDAED
	boltVersion = 2

	pageHeaderSize   = 16
	metaSize         = 64 // up to and including the checksum
	metaSumSize      = 56 // the bytes the checksum covers
	elementSize      = 16 // a branch or leaf element
	bucketHeaderSize = 16

	branchPage   = 0x01
	leafPage     = 0x02
	freelistPage = 0x10
	bucketLeaf   = 0x01 // a leaf element that is a nested bucket

	minPageSize = 1 << 10
	maxPageSize = 1 << 24

	noFreelist = ^uint64(0) // the meta's freelist when it is not stored
)

var ne = binary.NativeEndian

// meta is what the store needs of a bbolt meta page.
type meta struct {
	pageSize uint32
	root     uint64 // the root bucket's root page
	freelist uint64 // the freelist's page, or noFreelist
	pgid     uint64 // the high-water mark: pages below it are in use or free
	txid     uint64
}

// readMeta decodes the meta page at offset off, or says why there is none.
func readMeta(r io.ReaderAt, off int64) (meta, error) {
	var b [pageHeaderSize + metaSize]byte
	if n, _ := r.ReadAt(b[:], off); n < len(b) {
		return meta{}, errors.New("cut short")
	}
	m := b[pageHeaderSize:]
	if got := ne.Uint32(m[0:]); got != boltMagic {
		return meta{}, fmt.Errorf("magic number %#08x, want %#08x", got, boltMagic)
	}
	if got := ne.Uint32(m[4:]); got != boltVersion {
		return meta{}, fmt.Errorf("bbolt format version %d, want %d", got, boltVersion)
	}
	h := fnv.New64a()
	h.Write(m[:metaSumSize])
	if h.Sum64() != ne.Uint64(m[metaSumSize:]) {
		return meta{}, fmt.Errorf("checksum mismatch")
	}
	return meta{
		pageSize: ne.Uint32(m[8:]),
		root:     ne.Uint64(m[16:]),
		freelist: ne.Uint64(m[32:]),
		pgid:     ne.Uint64(m[40:]),
		txid:     ne.Uint64(m[48:]),
	}, nil
}

// newestMeta returns the meta page bbolt will use: of the two at pages 0
// and 1, the valid one with the higher txid. If page 0 is not valid, page 1
// is looked for at each page size bbolt may have used, as bbolt does. Its
// errors wrap ErrNotDatabase.
func newestMeta(r io.ReaderAt, size int64) (meta, error) {
	if size < pageHeaderSize+metaSize {
		return meta{}, fmt.Errorf("%w: %d bytes are too short for a bbolt meta page", ErrNotDatabase, size)
	}
	m0, err0 := readMeta(r, 0)
	pageSize := int64(m0.pageSize)
	if err0 != nil {
		pageSize = 0
		for ps := int64(minPageSize); ps <= maxPageSize && ps+pageHeaderSize+metaSize <= size; ps <<= 1 {
			if m, err := readMeta(r, ps); err == nil && int64(m.pageSize) == ps {
				pageSize = ps
				break
			}
		}
		if pageSize == 0 {
			return meta{}, fmt.Errorf("%w: page 0 is not a bbolt meta page (%v), and there is no valid page 1", ErrNotDatabase, err0)
		}
	}
	if pageSize < minPageSize || pageSize > maxPageSize || pageSize&(pageSize-1) != 0 {
		return meta{}, fmt.Errorf("%w: page size %d is not a power of two from 1 KiB to 16 MiB", ErrNotDatabase, pageSize)
	}
	m1, err1 := readMeta(r, pageSize)
	if err1 == nil && int64(m1.pageSize) != pageSize {
		err1 = fmt.Errorf("page size %d, not %d", m1.pageSize, pageSize)
	}
	m := m0
	if err0 != nil || (err1 == nil && m1.txid > m0.txid) {
		m = m1
	}
	switch {
	case m.root < 2 || m.root >= m.pgid:
		return meta{}, fmt.Errorf("%w: its root page %d is outside pages 2 to %d", ErrNotDatabase, m.root, m.pgid)
	case m.freelist == noFreelist:
		return meta{}, fmt.Errorf("%w: it has no stored freelist, which mra always writes", ErrNotDatabase)
	case m.freelist < 2 || m.freelist >= m.pgid:
		return meta{}, fmt.Errorf("%w: its freelist page %d is outside pages 2 to %d", ErrNotDatabase, m.freelist, m.pgid)
	case m.pgid > (1<<62)/uint64(m.pageSize):
		return meta{}, fmt.Errorf("%w: its high-water mark of %d pages is absurd", ErrNotDatabase, m.pgid)
	}
	return m, nil
}

// covers returns an error wrapping ErrTruncated if a file of size bytes is
// too short to hold every page below m's high-water mark.
func (m meta) covers(size int64) error {
	if need := int64(m.pgid) * int64(m.pageSize); size < need {
		return fmt.Errorf("%w: %d bytes, its pages need %d", ErrTruncated, size, need)
	}
	return nil
}

// pageFile reads the pages of a bbolt file whose size covers its high-water
// mark, and remembers which pages it has reached.
type pageFile struct {
	r        io.ReaderAt
	pageSize uint64
	hwm      uint64   // the high-water mark: page ids below it are inside the file
	seen     []uint64 // a bit per page id below hwm: reached already
}

// mark notes that page id is reached and reports whether it was before.
func (pf *pageFile) mark(id uint64) bool {
	w, bit := id/64, uint64(1)<<(id%64)
	was := pf.seen[w]&bit != 0
	pf.seen[w] |= bit
	return was
}

// page reads the head of the page run starting at id: at least its first
// page and its whole element array, and returns it with the length in bytes
// of the whole run (the page and its overflow pages). It checks that the
// run lies below the high-water mark, that the page calls itself id, and
// that no page of the run was reached before.
func (pf *pageFile) page(id uint64) ([]byte, uint64, error) {
	if id < 2 || id >= pf.hwm {
		return nil, 0, fmt.Errorf("page %d is outside pages 2 to %d", id, pf.hwm)
	}
	b := make([]byte, pf.pageSize)
	if _, err := pf.r.ReadAt(b, int64(id*pf.pageSize)); err != nil {
		return nil, 0, fmt.Errorf("page %d: %w", id, err)
	}
	if got := ne.Uint64(b); got != id {
		return nil, 0, fmt.Errorf("page %d calls itself page %d", id, got)
	}
	overflow := uint64(ne.Uint32(b[12:]))
	if id+overflow >= pf.hwm {
		return nil, 0, fmt.Errorf("page %d: its %d overflow pages run past the high-water mark %d", id, overflow, pf.hwm)
	}
	for p := id; p <= id+overflow; p++ {
		if pf.mark(p) {
			return nil, 0, fmt.Errorf("page %d is reached twice", p)
		}
	}
	run := (overflow + 1) * pf.pageSize
	if head := uint64(pageHeaderSize + elementSize*int(ne.Uint16(b[10:]))); head > pf.pageSize && head <= run {
		b = append(b, make([]byte, head-pf.pageSize)...)
		if _, err := pf.r.ReadAt(b[pf.pageSize:], int64(id*pf.pageSize+pf.pageSize)); err != nil {
			return nil, 0, fmt.Errorf("page %d: %w", id, err)
		}
	}
	return b, run, nil
}

// read returns n bytes of the file at offset off.
func (pf *pageFile) read(off, n uint64) ([]byte, error) {
	b := make([]byte, n)
	if _, err := pf.r.ReadAt(b, int64(off)); err != nil {
		return nil, err
	}
	return b, nil
}

// freelist checks the freelist page: its type, and that the ids it holds
// fit in its run, lie below the high-water mark and are each there once.
func (pf *pageFile) freelist(id uint64) error {
	b, run, err := pf.page(id)
	if err != nil {
		return fmt.Errorf("%w: freelist: %v", ErrCorrupt, err)
	}
	if flags := ne.Uint16(b[8:]); flags != freelistPage {
		return fmt.Errorf("%w: freelist page %d has type %#x, not a freelist's", ErrCorrupt, id, flags)
	}
	start, count := uint64(pageHeaderSize), uint64(ne.Uint16(b[10:]))
	if count == 0xFFFF {
		start, count = pageHeaderSize+8, ne.Uint64(b[pageHeaderSize:])
	}
	if count > (run-start)/8 {
		return fmt.Errorf("%w: freelist page %d: %d page ids do not fit in %d bytes", ErrCorrupt, id, count, run)
	}
	ids, err := pf.read(id*pf.pageSize+start, count*8)
	if err != nil {
		return fmt.Errorf("%w: freelist page %d: %v", ErrCorrupt, id, err)
	}
	free := make([]uint64, count)
	for i := range free {
		free[i] = ne.Uint64(ids[8*i:])
		if free[i] < 2 || free[i] >= pf.hwm {
			return fmt.Errorf("%w: freelist page %d: free page %d is outside pages 2 to %d", ErrCorrupt, id, free[i], pf.hwm)
		}
	}
	slices.Sort(free)
	for i := 1; i < len(free); i++ {
		if free[i] == free[i-1] {
			return fmt.Errorf("%w: freelist page %d: page %d is free twice", ErrCorrupt, id, free[i])
		}
	}
	return nil
}

// tree checks the bucket tree whose root page is root, and the trees of
// every bucket nested in it: each page lies below the high-water mark, is
// reached once, calls itself by its id, and is a branch page (with at least
// one element) or a leaf page; every element, key and value lies inside its
// page run; every page pointer lies below the high-water mark; an inline
// bucket is a leaf page inside its value. Key order is left to bbolt's own
// check, which is safe to run once this passes.
func (pf *pageFile) tree(root uint64) error {
	stack := []uint64{root}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		b, run, err := pf.page(id)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		switch flags := ne.Uint16(b[8:]); flags {
		case branchPage:
			stack, err = pf.branch(b, run, stack)
		case leafPage:
			stack, err = pf.leaf(id*pf.pageSize, b, run, stack)
		default:
			err = fmt.Errorf("type %#x, want a branch or leaf page", flags)
		}
		if err != nil {
			return fmt.Errorf("%w: page %d: %v", ErrCorrupt, id, err)
		}
	}
	return nil
}

// branch checks the elements of a branch page and appends its children.
func (pf *pageFile) branch(b []byte, run uint64, children []uint64) ([]uint64, error) {
	n := uint64(ne.Uint16(b[10:]))
	if n == 0 {
		return nil, fmt.Errorf("a branch page without elements")
	}
	if pageHeaderSize+n*elementSize > run {
		return nil, fmt.Errorf("%d elements do not fit in %d bytes", n, run)
	}
	for i := range n {
		e := b[pageHeaderSize+i*elementSize:]
		if end := pageHeaderSize + i*elementSize + uint64(ne.Uint32(e)) + uint64(ne.Uint32(e[4:])); end > run {
			return nil, fmt.Errorf("element %d: its key runs past the page (%d > %d bytes)", i, end, run)
		}
		child := ne.Uint64(e[8:])
		if child < 2 || child >= pf.hwm {
			return nil, fmt.Errorf("element %d points to page %d, outside pages 2 to %d", i, child, pf.hwm)
		}
		children = append(children, child)
	}
	return children, nil
}

// leaf checks the elements of the leaf page at the start of b, whose n
// bytes start at offset off of the file (b holds at least its element
// array), and appends the root pages of the buckets it holds. Inline
// buckets are read and checked as they are met.
func (pf *pageFile) leaf(off uint64, b []byte, n uint64, roots []uint64) ([]uint64, error) {
	count := uint64(ne.Uint16(b[10:]))
	if pageHeaderSize+count*elementSize > n {
		return nil, fmt.Errorf("%d elements do not fit in %d bytes", count, n)
	}
	for i := range count {
		at := pageHeaderSize + i*elementSize
		e := b[at:]
		flags, pos, ksize, vsize := ne.Uint32(e), uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
		start := at + pos + ksize
		if end := start + vsize; end > n {
			return nil, fmt.Errorf("element %d: its key and value run past the page (%d > %d bytes)", i, end, n)
		}
		if flags&bucketLeaf == 0 {
			continue
		}
		if vsize < bucketHeaderSize {
			return nil, fmt.Errorf("element %d: a bucket of %d bytes", i, vsize)
		}
		v, err := pf.bytes(off, b, start, vsize)
		if err != nil {
			return nil, fmt.Errorf("element %d: %v", i, err)
		}
		root := ne.Uint64(v)
		if root != 0 {
			if root < 2 || root >= pf.hwm {
				return nil, fmt.Errorf("element %d: its bucket's root page %d is outside pages 2 to %d", i, root, pf.hwm)
			}
			roots = append(roots, root)
			continue
		}
		inline := v[bucketHeaderSize:]
		if len(inline) < pageHeaderSize || ne.Uint16(inline[8:]) != leafPage {
			return nil, fmt.Errorf("element %d: its inline bucket is not a leaf page", i)
		}
		if roots, err = pf.leaf(off+start+bucketHeaderSize, inline, uint64(len(inline)), roots); err != nil {
			return nil, fmt.Errorf("element %d: inline bucket: %v", i, err)
		}
	}
	return roots, nil
}

// bytes returns n bytes at offset start of the page at file offset off,
// from b when it holds them, else from the file.
func (pf *pageFile) bytes(off uint64, b []byte, start, n uint64) ([]byte, error) {
	if start+n <= uint64(len(b)) {
		return b[start : start+n], nil
	}
	return pf.read(off+start, n)
}
