package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// streamFillPercent packs stream pages fuller than bbolt's default: events
// are only ever appended in key order.
const streamFillPercent = 0.9

// request is one change waiting for the writer goroutine.
type request struct {
	ctx  context.Context
	c    *mra.Change
	done chan error // buffered, so the writer never blocks on a waiter
}

// Commit durably applies c, grouped in one transaction with the changes
// committed at the same moment, and returns once that transaction is on disk.
// It writes nothing and fails with ErrStale when a stream's stored head is not
// c.Prev's; with mra.ErrExists when c's answer is stored already; with
// ErrClosed after Close; with ctx's error when ctx ends first (the change may
// still commit if the writer had already taken it).
func (s *Store) Commit(ctx context.Context, c *mra.Change) error {
	r, err := s.queue(ctx, c)
	if err != nil {
		return err
	}
	select {
	case err := <-r.done:
		return commitError(c, err)
	case <-ctx.Done():
		return commitError(c, ctx.Err())
	}
}

// Submit queues c for the writer and returns at once; changes are committed
// in the order they were submitted. wait blocks until c is on disk (nil) or
// has failed, with the errors Commit gives.
func (s *Store) Submit(c *mra.Change) (wait func() error) {
	r, err := s.queue(context.Background(), c)
	if err != nil {
		return func() error { return err }
	}
	return func() error { return commitError(c, <-r.done) }
}

// queue checks c and hands it to the writer as a request bound to ctx.
func (s *Store) queue(ctx context.Context, c *mra.Change) (*request, error) {
	if err := check(c); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, commitError(c, err)
	}
	r := &request{ctx: ctx, c: c, done: make(chan error, 1)}
	if err := s.enqueue(r); err != nil {
		return nil, commitError(c, err)
	}
	return r, nil
}

func commitError(c *mra.Change, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("commit %s: %w", c.Negotiation, err)
}

// enqueue hands r to the writer, unless the store is closed or r's context
// ends while the queue is full.
func (s *Store) enqueue(r *request) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	select {
	case s.reqs <- r:
		return nil
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
}

// write is the writer goroutine: it takes every change queued at the moment
// (at most maxBatch), commits them in one transaction, answers their waiters,
// and returns once Close has closed the queue and it is empty.
func (s *Store) write() {
	defer close(s.done)
	batch := make([]*request, 0, maxBatch)
	for r := range s.reqs {
		batch = append(batch[:0], r)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.commitBatch(batch)
		clear(batch)
	}
}

// commitBatch runs one transaction for batch. A change that fails validation
// fails alone and writes nothing; if the transaction fails, every change that
// passed validation gets its error.
func (s *Store) commitBatch(batch []*request) {
	errs := make([]error, len(batch))
	applied := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		applied = 0
		for i, r := range batch {
			if err := r.ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			if err := validate(tx, r.c); err != nil {
				errs[i] = err
				continue
			}
			if err := apply(tx, r.c); err != nil {
				return fmt.Errorf("write %s: %w", r.c.Negotiation, err)
			}
			applied++
		}
		if applied == 0 {
			return errNothing // roll back rather than sync an empty transaction
		}
		return nil
	})
	if err == errNothing {
		err = nil
	} else if err == nil && s.onCommit != nil {
		s.onCommit(applied)
	}
	for i, r := range batch {
		if err != nil && errs[i] == nil {
			errs[i] = fmt.Errorf("transaction: %w", err)
		}
		r.done <- errs[i]
	}
}

// validate checks c against the transaction's state, earlier changes of the
// same batch included: each stream in c.Prev must still be at that head, and
// c's answer must not be stored yet.
func validate(tx *bolt.Tx, c *mra.Change) error {
	var heads *bolt.Bucket
	if top, id := aggregateOf(tx, c); top != nil {
		if nb := top.Bucket(id); nb != nil {
			heads = nb.Bucket(bucketHeads)
		}
	}
	for key, want := range c.Prev {
		got, err := head(heads, key)
		if key == mra.AdminStream {
			got, err = adminHead(tx)
		}
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("stream %s is at seq %d, change expected seq %d: %w",
				key, got.Seq, want.Seq, ErrStale)
		}
	}
	if a := c.Answer; a != nil && has(tx.Bucket(bucketAnswers), answerKey(a.User, a.ID)) {
		return fmt.Errorf("answer to %s's command %q: %w", a.User, a.ID, mra.ErrExists)
	}
	return nil
}

// apply writes a validated change: new texts, answer, events, heads and
// records. A change without events or records leaves its negotiation alone.
func apply(tx *bolt.Tx, c *mra.Change) error {
	texts := tx.Bucket(bucketTexts)
	for sha, text := range c.Texts {
		if has(texts, []byte(sha)) {
			continue
		}
		if err := texts.Put([]byte(sha), []byte(text)); err != nil {
			return fmt.Errorf("text %s: %w", sha, err)
		}
	}
	if a := c.Answer; a != nil {
		body := a.Body
		if body == nil {
			body = []byte{}
		}
		if err := tx.Bucket(bucketAnswers).Put(answerKey(a.User, a.ID), body); err != nil {
			return fmt.Errorf("answer %s %q: %w", a.User, a.ID, err)
		}
	}
	top, id := aggregateOf(tx, c)
	if top == nil {
		return applyAdmin(tx, c)
	}
	if len(c.Events) == 0 && len(c.Records) == 0 {
		return nil
	}

	nb, err := top.CreateBucketIfNotExists(id)
	if err != nil {
		return fmt.Errorf("%s bucket: %w", aggregate{c.Negotiation, c.Partnership}, err)
	}
	var buckets [3]*bolt.Bucket // records, heads, streams
	for i, name := range [][]byte{bucketRecords, bucketHeads, bucketStreams} {
		if buckets[i], err = nb.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("%s bucket: %w", name, err)
		}
	}
	records, heads, streams := buckets[0], buckets[1], buckets[2]

	last := make(map[mra.StreamKey]mra.Head, 2)
	for _, e := range c.Events {
		key := e.Key()
		sb, err := streams.CreateBucketIfNotExists([]byte(key))
		if err != nil {
			return fmt.Errorf("stream %s bucket: %w", key, err)
		}
		sb.FillPercent = streamFillPercent
		if err := sb.Put(seqKey(e.Seq), e.JSON); err != nil {
			return fmt.Errorf("stream %s event %d: %w", key, e.Seq, err)
		}
		last[key] = mra.Head{Seq: e.Seq, Hash: e.Hash}
	}
	for key, h := range last {
		b, err := json.Marshal(h)
		if err != nil {
			return fmt.Errorf("head %s: %w", key, err)
		}
		if err := heads.Put([]byte(key), b); err != nil {
			return fmt.Errorf("head %s: %w", key, err)
		}
	}

	for _, r := range c.Records {
		k := recordKey(r.Kind, r.Key)
		if r.Value == nil {
			err = records.Delete(k)
		} else {
			err = records.Put(k, r.Value)
		}
		if err != nil {
			return fmt.Errorf("record %s %s: %w", r.Kind, r.Key, err)
		}
	}
	return nil
}

// aggregateOf returns the bucket that holds c's negotiation or
// partnership (one nested bucket each) and its key there; nil for a change
// of the directory.
func aggregateOf(tx *bolt.Tx, c *mra.Change) (*bolt.Bucket, []byte) {
	switch {
	case c.Partnership != "":
		return tx.Bucket(bucketPartnerships), []byte(c.Partnership)
	case c.Negotiation != "":
		return tx.Bucket(bucketNegotiations), []byte(c.Negotiation)
	}
	return nil, nil
}

// check validates what c says of itself, before it is queued and without the
// database: every event is sealed, belongs to c's negotiation, and follows
// c.Prev's head of its stream (seq and hash chain); every text is stored under
// its own SHA-256; keys are non-empty and fit bbolt's limits.
func check(c *mra.Change) error {
	if c == nil {
		return fmt.Errorf("nil change")
	}
	if c.Negotiation != "" && c.Partnership != "" || c.Partnership != "" && (len(c.Records) > 0 || len(c.Texts) > 0 || len(c.Users) > 0 || len(c.Parties) > 0) {
		return fmt.Errorf("a partnership's change holds only its events")
	}
	if len(c.Partnership) > bolt.MaxKeySize {
		return fmt.Errorf("partnership id of %d bytes is too long", len(c.Partnership))
	}
	admin := c.Negotiation == "" && c.Partnership == "" && (len(c.Events) > 0 || len(c.Prev) > 0 || len(c.Users) > 0 || len(c.Parties) > 0)
	if admin && (len(c.Records) > 0 || len(c.Texts) > 0) || c.Negotiation != "" && (len(c.Users) > 0 || len(c.Parties) > 0) {
		return fmt.Errorf("a change is of one negotiation or of the directory, not both")
	}
	if c.Negotiation == "" && len(c.Records) > 0 {
		return fmt.Errorf("change without a negotiation")
	}
	for _, u := range c.Users {
		if u.ID == "" || len(u.ID) > bolt.MaxKeySize {
			return fmt.Errorf("user id of %d bytes", len(u.ID))
		}
	}
	for _, p := range c.Parties {
		if p.ID == "" || len(p.ID) > bolt.MaxKeySize {
			return fmt.Errorf("party id of %d bytes", len(p.ID))
		}
	}
	if len(c.Negotiation) > bolt.MaxKeySize {
		return fmt.Errorf("negotiation id of %d bytes is too long", len(c.Negotiation))
	}
	for key := range c.Prev {
		if err := checkStreamKey(key); err != nil {
			return err
		}
	}
	cur := make(map[mra.StreamKey]mra.Head, len(c.Prev))
	for _, e := range c.Events {
		if e == nil {
			return fmt.Errorf("nil event")
		}
		if admin != (e.Stream == mra.AdminLog) || e.Stream != mra.Shared && e.Stream != mra.Internal && e.Stream != mra.AdminLog {
			return fmt.Errorf("event %s on stream %q in a change of %q", e.Kind, e.Stream, c.Negotiation)
		}
		key := e.Key()
		if err := checkStreamKey(key); err != nil {
			return err
		}
		if e.Negotiation != c.Negotiation || e.Partnership != c.Partnership {
			return fmt.Errorf("event %s of %s in a change of %s", e.Kind, aggregate{e.Negotiation, e.Partnership}, aggregate{c.Negotiation, c.Partnership})
		}
		h, ok := cur[key]
		if !ok {
			if h, ok = c.Prev[key]; !ok {
				return fmt.Errorf("event on stream %s without its previous head", key)
			}
		}
		if e.Seq != h.Seq+1 {
			return fmt.Errorf("stream %s event %d does not follow seq %d", key, e.Seq, h.Seq)
		}
		if len(e.JSON) > bolt.MaxValueSize {
			return fmt.Errorf("stream %s event %d: %d bytes is too large", key, e.Seq, len(e.JSON))
		}
		head, err := mra.CheckEvent(h.Hash, e.JSON)
		seq, hash := head.Seq, head.Hash
		if err != nil {
			return fmt.Errorf("stream %s event %d: %w", key, e.Seq, err)
		}
		if seq != e.Seq || hash != e.Hash {
			return fmt.Errorf("stream %s event %d: stored bytes say seq %d hash %s", key, e.Seq, seq, hash)
		}
		cur[key] = mra.Head{Seq: seq, Hash: hash}
	}
	for sha, text := range c.Texts {
		if len(text) > bolt.MaxValueSize {
			return fmt.Errorf("text %s: %d bytes is too large", sha, len(text))
		}
		if got := mra.SHA256(text); got != sha {
			return fmt.Errorf("text stored under %q has SHA-256 %s", sha, got)
		}
	}
	for _, r := range c.Records {
		if r.Kind == "" || strings.Contains(r.Kind, "\x00") {
			return fmt.Errorf("record kind %q", r.Kind)
		}
		if len(r.Kind)+1+len(r.Key) > bolt.MaxKeySize {
			return fmt.Errorf("record %s key of %d bytes is too long", r.Kind, len(r.Key))
		}
		if len(r.Value) > bolt.MaxValueSize {
			return fmt.Errorf("record %s %s: %d bytes is too large", r.Kind, r.Key, len(r.Value))
		}
	}
	if a := c.Answer; a != nil {
		if a.User == "" || a.ID == "" || strings.Contains(string(a.User), "\x00") {
			return fmt.Errorf("answer needs a user and a command id (got %q, %q)", a.User, a.ID)
		}
		if len(a.User)+1+len(a.ID) > bolt.MaxKeySize {
			return fmt.Errorf("answer key of %d bytes is too long", len(a.User)+1+len(a.ID))
		}
		if len(a.Body) > bolt.MaxValueSize {
			return fmt.Errorf("answer %s %q: %d bytes is too large", a.User, a.ID, len(a.Body))
		}
	}
	return nil
}

func checkStreamKey(key mra.StreamKey) error {
	if key != mra.SharedStream && key != mra.AdminStream && (!strings.HasPrefix(string(key), "internal/") || len(key) == len("internal/")) {
		return fmt.Errorf("bad stream key %q", key)
	}
	if len(key) > bolt.MaxKeySize {
		return fmt.Errorf("stream key of %d bytes is too long", len(key))
	}
	return nil
}

// head returns the stored head of a stream; the zero Head if heads is nil or
// the stream has none.
func head(heads *bolt.Bucket, key mra.StreamKey) (mra.Head, error) {
	var h mra.Head
	if heads == nil {
		return h, nil
	}
	b := heads.Get([]byte(key))
	if b == nil {
		return h, nil
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("head of stream %s: %w", key, err)
	}
	return h, nil
}

// seqKey is the key of event seq in its stream bucket: 8 bytes, big-endian.
func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

func recordKey(kind, key string) []byte { return []byte(kind + "\x00" + key) }

func answerKey(user mra.UserID, id string) []byte { return []byte(string(user) + "\x00" + id) }
