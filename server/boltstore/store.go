// Package boltstore keeps mra's parties, users, sessions and negotiations in
// one bbolt file: it implements mra.Store. Commits from many goroutines are
// grouped into one durable transaction by a single writer goroutine; every
// event is appended to its stream only if the stream's head is what the
// change expected, so each stream stays gapless and hash chained.
package boltstore

// Layout of the file (every top-level bucket is created at Open):
//
//	parties       party id → JSON mra.Party
//	users         user id → JSON mra.User
//	sessions      token hash → JSON mra.Session
//	texts         sha256 (lowercase hex) → text bytes, each text stored once
//	answers       user + "\x00" + command id → answer body
//	admin         the admin stream (directory.go): head, stream
//	partnerships  one nested bucket per partnership, holding heads and
//	              streams as a negotiation's (partnership.go); no records
//	negotiations  one nested bucket per negotiation id, holding:
//	  records     kind + "\x00" + key → record value (opaque JSON)
//	  heads       stream key → JSON mra.Head of the stream's last event
//	  streams     one nested bucket per stream key ("shared", "internal/US"):
//	              8-byte big-endian seq → the event's stored JSON (Event.JSON)

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"mra/server/mra"
)

var _ mra.Store = (*Store)(nil)

// Bucket names.
var (
	bucketParties      = []byte("parties")
	bucketUsers        = []byte("users")
	bucketSessions     = []byte("sessions")
	bucketTexts        = []byte("texts")
	bucketAnswers      = []byte("answers")
	bucketNegotiations = []byte("negotiations")
	bucketPartnerships = []byte("partnerships")

	bucketRecords = []byte("records")
	bucketHeads   = []byte("heads")
	bucketStreams = []byte("streams")
)

// Sentinel errors of the store; match them with errors.Is.
var (
	// ErrLocked: another process holds the database file.
	ErrLocked = errors.New("database is in use by another mra process (locked)")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store is closed")
	// ErrStale: a stream's stored head is not the head the change was built on.
	ErrStale = errors.New("stream head moved")

	// errNothing rolls back a transaction in which every change failed.
	errNothing = errors.New("nothing to commit")
)

// Defaults of Options.
const (
	DefaultTimeout         = time.Second
	DefaultInitialMmapSize = 1 << 30
)

// maxBatch bounds how many changes one transaction commits.
const maxBatch = 256

// Options configures Open; the zero value takes the defaults.
type Options struct {
	// Timeout is how long Open waits for the file lock (default 1s).
	Timeout time.Duration
	// InitialMmapSize is the initial size of the memory map in bytes
	// (default 1 GiB), so that readers do not block the file's growth.
	InitialMmapSize int
	// MustExist makes a missing file ErrNoDatabase instead of a new database.
	MustExist bool
	// OnCommit, when set, is told how many changes each durable transaction
	// of the group commit wrote, once it is on disk (for metrics). It runs
	// on the writer goroutine: it must be quick and must not commit.
	OnCommit func(changes int)
}

// Store is an mra.Store on one bbolt file. It is safe for concurrent use;
// Close it to stop its writer goroutine and release the file.
type Store struct {
	db *bolt.DB

	mu     sync.RWMutex // guards closed and sends on reqs
	closed bool
	reqs   chan *request
	done   chan struct{} // closed when the writer goroutine returns

	onCommit func(changes int) // Options.OnCommit, or nil

	closeOnce sync.Once
	closeErr  error
}

// Open opens (or creates) the database file at path and starts its writer.
// It fails with ErrLocked after opts.Timeout when another process holds it.
// An existing file is never initialised: an empty or foreign one is
// ErrNotDatabase, a short one ErrTruncated, a damaged one ErrCorrupt (see
// file.go), each naming the path; a missing one is ErrNoDatabase with
// opts.MustExist.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.InitialMmapSize <= 0 {
		opts.InitialMmapSize = DefaultInitialMmapSize
	}
	db, err := openBolt(path, opts.MustExist, &bolt.Options{
		Timeout:         opts.Timeout,
		InitialMmapSize: opts.InitialMmapSize,
		FreelistType:    bolt.FreelistMapType,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, err
	}
	err = update(db, func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketParties, bucketUsers, bucketSessions,
			bucketTexts, bucketAnswers, bucketNegotiations, bucketAdmin, bucketPartnerships} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("bucket %s: %w", name, err)
			}
		}
		if err := recordDirectory(tx, time.Now()); err != nil {
			return fmt.Errorf("record the directory on the admin stream: %w", err)
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{
		db:       db,
		reqs:     make(chan *request, maxBatch),
		done:     make(chan struct{}),
		onCommit: opts.OnCommit,
	}
	go s.write()
	return s, nil
}

// Close stops accepting commits, lets those already queued finish, stops the
// writer and closes the file. Later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.reqs)
		s.mu.Unlock()
		<-s.done
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("close: %w", err)
		}
	})
	return s.closeErr
}

// negotiation returns the bucket of negotiation id, or nil if it has none.
func negotiation(tx *bolt.Tx, id mra.NegotiationID) *bolt.Bucket {
	return tx.Bucket(bucketNegotiations).Bucket([]byte(id))
}

// get returns the value of key in b and whether it is there (an empty value
// counts).
func get(b *bolt.Bucket, key []byte) ([]byte, bool) {
	k, v := b.Cursor().Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		return nil, false
	}
	return v, true
}

func has(b *bolt.Bucket, key []byte) bool {
	_, ok := get(b, key)
	return ok
}

// clone copies b out of a transaction's memory map.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// list decodes every value of bucket, in key order.
func list[T any](s *Store, bucket []byte) (out []T, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		out, err = listTx[T](tx, bucket)
		return err
	})
	return out, err
}

// Backup writes a consistent copy of the whole database file to w, from one
// read transaction, while the store goes on serving; it returns the bytes
// written. The copy opens as a database of its own (mra verify checks it).
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}
