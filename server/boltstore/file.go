package boltstore

// The file itself. bbolt trusts its file: it creates a missing one,
// initialises an empty one, and reads every page through a memory map, so
// a page beyond the end of a truncated file faults the process (SIGBUS) and
// a damaged page makes it panic. Before bbolt reads a page of an existing
// file through its map, the store reads the file's structure itself, with
// ReadAt into bounds-checked slices: its meta pages (magic, version,
// checksum), its size against the newest meta page's high-water mark, its
// freelist, and every page of the tree (each a branch or leaf page where it
// says it is, reached once, every element, key, value and page pointer
// inside the file). What still goes wrong in bbolt during Open and Verify
// is caught by guard. page.go reads the pages.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// Problems of the database file itself; match them with errors.Is. Each is
// returned wrapped in a message that names the file and what is wrong.
var (
	// ErrNoDatabase: Options.MustExist is set and there is no file.
	ErrNoDatabase = errors.New("no such database")
	// ErrNotDatabase: the file is empty, or does not hold a valid bbolt meta
	// page, so it never was an mra database; it is left as it is.
	ErrNotDatabase = errors.New("not an mra database")
	// ErrTruncated: the file is shorter than its newest meta page says.
	ErrTruncated = errors.New("truncated")
	// ErrCorrupt: a page of the file is damaged: a pointer leaves the file,
	// a page is not what its parent says, bbolt's own check fails, or a read
	// of the memory map faulted or panicked.
	ErrCorrupt = errors.New("damaged")
)

// openBolt opens the bbolt file at path for Open. A missing file is created,
// or with mustExist is ErrNoDatabase; an existing file is checked first (see
// checkBeforeOpen), opened without O_CREATE, and, once bbolt holds its
// lock, has all its pages checked before any transaction reads them. Every
// error names the path; a lock timeout still matches berrors.ErrTimeout.
func openBolt(path string, mustExist bool, bo *bolt.Options) (*bolt.DB, error) {
	exists, err := checkBeforeOpen(path, mustExist)
	if err != nil {
		return nil, err
	}
	if exists {
		bo.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
			return os.OpenFile(name, flag&^os.O_CREATE, perm)
		}
	}
	var db *bolt.DB
	// bolt.Open reads the meta pages and the freelist through the map, both
	// checked above. Should it panic all the same, its file, lock and map
	// are lost until the process ends.
	err = guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, bo)
		return err
	})
	if exists && errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (the file was removed)", path, ErrNoDatabase)
	}
	if err != nil && !errors.Is(err, ErrCorrupt) {
		err = fmt.Errorf("open %s: %w", path, err)
	}
	if err != nil {
		return nil, err
	}
	if exists {
		// Now that bbolt holds the lock, no one else writes the file.
		if _, err := checkPages(path); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return db, nil
}

// checkBeforeOpen reports whether the file at path exists and, if it does,
// that it is not empty, holds a valid bbolt meta page, is at least as long
// as the high-water mark of its newest valid meta page, and has a sound
// freelist page (what bolt.Open reads). Its errors name the path. It reads
// without the file's lock, so that a database in use still answers
// ErrLocked: a writer never shrinks the file, writes a meta page only after
// the pages it counts, and a meta page read while it is being written fails
// its checksum; a freelist that looks damaged while the newest meta page
// moves on is not believed (a writer may have reused its page).
func checkBeforeOpen(path string, mustExist bool) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		if mustExist {
			return false, fmt.Errorf("%s: %w (the file does not exist)", path, ErrNoDatabase)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return true, fmt.Errorf("open: %w", err)
	}
	switch {
	case fi.IsDir():
		return true, fmt.Errorf("%s is a directory, %w", path, ErrNotDatabase)
	case fi.Size() == 0:
		return true, fmt.Errorf("%s is empty, %w", path, ErrNotDatabase)
	}
	m, _, err := readHead(path, f, fi.Size())
	if errors.Is(err, ErrCorrupt) {
		if again, aerr := newestMeta(f, fi.Size()); aerr == nil && again.txid != m.txid {
			return true, nil // in use: bolt.Open waits for the lock and says so
		}
	}
	return true, err
}

// checkPages reads the file at path with ReadAt, never through a memory
// map, and checks what bbolt will follow: the newest meta page, the file's
// size against it, the freelist page, and every page of the tree, nested
// buckets included (see pageFile.tree). It returns the meta page it used;
// its errors name the path and wrap ErrNotDatabase, ErrTruncated or
// ErrCorrupt. Only page headers and element arrays are read, not values.
func checkPages(path string) (meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return meta{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return meta{}, err
	}
	m, pf, err := readHead(path, f, fi.Size())
	if err != nil {
		return meta{}, err
	}
	if err := pf.tree(m.root); err != nil {
		return meta{}, fmt.Errorf("%s is %w", path, err)
	}
	return m, nil
}

// readHead checks the newest meta page of the file at path (f, of size
// bytes), the file's size against it and its freelist page. It returns the
// meta page, the page file to walk the tree with, and, if they are not
// sound, an error naming the path that wraps ErrNotDatabase, ErrTruncated
// or ErrCorrupt; the meta page is returned with ErrCorrupt.
func readHead(path string, f io.ReaderAt, size int64) (meta, *pageFile, error) {
	m, err := newestMeta(f, size)
	if err != nil {
		return meta{}, nil, fmt.Errorf("%s is %w", path, err)
	}
	if err := m.covers(size); err != nil {
		return meta{}, nil, fmt.Errorf("%s is %w", path, err)
	}
	pf := &pageFile{r: f, pageSize: uint64(m.pageSize), hwm: m.pgid, seen: make([]uint64, (m.pgid+63)/64)}
	pf.mark(0)
	pf.mark(1)
	if err := pf.freelist(m.freelist); err != nil {
		return m, nil, fmt.Errorf("%s is %w", path, err)
	}
	return m, pf, nil
}

// checkFile checks the store's file as checkPages does and then runs
// bbolt's own consistency check (tx.Check). It holds bbolt's writer lock
// meanwhile (a rolled back Update), because bbolt's check reads
// the freelist, which a concurrent commit would change. bbolt runs its
// check on a goroutine of its own, out of guard's reach: the page check
// before it makes sure every page, element and key it follows lies inside
// the file, so it cannot fault; its panics it recovers itself.
func (s *Store) checkFile() error {
	path := s.db.Path()
	err := update(s.db, func(tx *bolt.Tx) error {
		m, err := checkPages(path)
		if err != nil {
			return err
		}
		if root := uint64(tx.Cursor().Bucket().Root()); root != m.root || tx.Size() != int64(m.pgid*uint64(m.pageSize)) {
			return fmt.Errorf("%s is %w: the newest meta page (txid %d, root page %d, %d pages) is not the one in use (root page %d, %d bytes)",
				path, ErrCorrupt, m.txid, m.root, m.pgid, root, tx.Size())
		}
		var first error
		n := 0
		for err := range tx.Check() { // drain it all, or bbolt's goroutine blocks
			if n++; first == nil {
				first = err
			}
		}
		switch {
		case n == 1:
			return fmt.Errorf("%s is %w: %v", path, ErrCorrupt, first)
		case n > 1:
			return fmt.Errorf("%s is %w: %v (and %d more problems)", path, ErrCorrupt, first, n-1)
		}
		return errRolledBack
	})
	if errors.Is(err, errRolledBack) {
		return nil
	}
	return err
}

// errRolledBack rolls back a transaction that only checks.
var errRolledBack = errors.New("rolled back")

// guard runs fn and turns a panic or a memory fault in it into an error
// wrapping ErrCorrupt, so that a damaged file is an error, not a crash. It
// is wrapped around every call through which Open and Verify let bbolt read
// the memory map: bolt.Open (the meta pages), Open's first transaction (the
// freelist and the top-level buckets), and Verify's transactions (every
// page). A fault is caught only on the calling goroutine
// (debug.SetPanicOnFault is per goroutine), which is why the pages are
// checked by reading the file before bbolt walks them. bbolt rolls back a
// transaction that panics, so the store stays usable and closable.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if fault, ok := r.(interface{ Addr() uintptr }); ok {
				err = fmt.Errorf("%s is %w: a read of its memory map faulted at address %#x", path, ErrCorrupt, fault.Addr())
				return
			}
			err = fmt.Errorf("%s is %w: reading it panicked: %v", path, ErrCorrupt, r)
		}
	}()
	return fn()
}

// update is db.Update under guard.
func update(db *bolt.DB, fn func(*bolt.Tx) error) error {
	return guard(db.Path(), func() error { return db.Update(fn) })
}

// view is db.View under guard.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return guard(s.db.Path(), func() error { return s.db.View(fn) })
}
