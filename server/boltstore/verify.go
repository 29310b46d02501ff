package boltstore

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// Verify walks the admin stream and every stream of every negotiation in seq order and checks that
// seqs run 1, 2, 3… without gaps, that each event's hash matches its content
// and the previous hash, that it names its own seq, negotiation and stream,
// and that each stream's stored head is its last event. Its error names the
// negotiation, the stream and the seq of the first bad event. (Audit checks
// the state served against the events.) First it
// checks the file's pages and runs bbolt's own check (checkFile): a damaged
// file is an error wrapping ErrCorrupt or ErrTruncated, never a crash.
func (s *Store) Verify() error {
	if err := s.checkFile(); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	err := s.view(func(tx *bolt.Tx) error {
		if sb := tx.Bucket(bucketAdmin).Bucket(keyStream); sb != nil {
			last, err := verifyStream(aggregate{}, mra.AdminStream, sb, nil)
			if err != nil {
				return err
			}
			h, err := adminHead(tx)
			if err != nil {
				return err
			}
			if err := verifyHead(aggregate{}, mra.AdminStream, h, last); err != nil {
				return err
			}
		}
		if err := verifyPartnerships(tx); err != nil {
			return err
		}
		negs := tx.Bucket(bucketNegotiations)
		return negs.ForEachBucket(func(id []byte) error {
			return verifyNegotiation(aggregate{neg: mra.NegotiationID(id)}, negs.Bucket(id), nil)
		})
	})
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

// verifyNegotiation checks every stream of one negotiation against its head;
// each, if not nil, sees every event that passed (its bytes are the file's
// memory: copy what is kept).
func verifyNegotiation(id aggregate, nb *bolt.Bucket, each func(v []byte, h mra.EventHead) error) error {
	heads := map[mra.StreamKey]mra.Head{}
	if hb := nb.Bucket(bucketHeads); hb != nil {
		err := hb.ForEach(func(k, v []byte) error {
			var h mra.Head
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("%s stream %s: head: %w", id, k, err)
			}
			heads[mra.StreamKey(k)] = h
			return nil
		})
		if err != nil {
			return err
		}
	}
	seen := map[mra.StreamKey]bool{}
	if streams := nb.Bucket(bucketStreams); streams != nil {
		err := streams.ForEachBucket(func(name []byte) error {
			key := mra.StreamKey(name)
			seen[key] = true
			last, err := verifyStream(id, key, streams.Bucket(name), each)
			if err != nil {
				return err
			}
			return verifyHead(id, key, heads[key], last)
		})
		if err != nil {
			return err
		}
	}
	keys := make([]mra.StreamKey, 0, len(heads))
	for key := range heads {
		if !seen[key] {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		if err := verifyHead(id, key, heads[key], mra.Head{}); err != nil {
			return err
		}
	}
	return nil
}

// verifyStream checks one stream's events in seq order and returns the head
// they end on.
func verifyStream(id aggregate, key mra.StreamKey, sb *bolt.Bucket, each func(v []byte, h mra.EventHead) error) (mra.Head, error) {
	wantStream := mra.Internal
	switch key {
	case mra.SharedStream:
		wantStream = mra.Shared
	case mra.AdminStream:
		wantStream = mra.AdminLog
	}
	var prev mra.Head
	c := sb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		want := prev.Seq + 1
		if v == nil {
			return prev, badEvent(id, key, want, "a bucket %q where an event should be", k)
		}
		if len(k) != 8 {
			return prev, badEvent(id, key, want, "key %x is not an 8-byte seq", k)
		}
		if got := binary.BigEndian.Uint64(k); got != want {
			return prev, badEvent(id, key, want, "missing (the next stored event is %d)", got)
		}
		head, err := mra.CheckEvent(prev.Hash, v)
		if err != nil {
			return prev, badEvent(id, key, want, "%v", err)
		}
		seq, hash := head.Seq, head.Hash
		if seq != want {
			return prev, badEvent(id, key, want, "its content says seq %d", seq)
		}
		if !id.owns(head) || head.Stream != wantStream || head.Stream == mra.Internal && mra.InternalStream(head.Owner) != key {
			return prev, badEvent(id, key, want, "it names %s stream %s", aggregate{head.Negotiation, head.Partnership}, head.Stream)
		}
		if each != nil {
			if err := each(v, head); err != nil {
				return prev, badEvent(id, key, want, "%v", err)
			}
		}
		prev = mra.Head{Seq: seq, Hash: hash}
	}
	return prev, nil
}

// verifyHead checks a stream's stored head against its last event, naming
// the first event where they part.
func verifyHead(id aggregate, key mra.StreamKey, stored, last mra.Head) error {
	switch {
	case stored == last:
		return nil
	case stored.Seq > last.Seq:
		return badEvent(id, key, last.Seq+1, "missing (the head is at seq %d)", stored.Seq)
	case stored.Seq < last.Seq:
		return badEvent(id, key, stored.Seq+1, "beyond the head (seq %d)", stored.Seq)
	}
	return badEvent(id, key, last.Seq, "hash %q differs from the head's %q", last.Hash, stored.Hash)
}

func badEvent(id aggregate, key mra.StreamKey, seq uint64, format string, args ...any) error {
	if id == (aggregate{}) {
		return fmt.Errorf("stream %s event %d: %s", key, seq, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("%s stream %s event %d: %s", id, key, seq, fmt.Sprintf(format, args...))
}

// aggregate names what a stream belongs to: a negotiation, a partnership,
// or neither (the admin stream).
type aggregate struct {
	neg  mra.NegotiationID
	part mra.PartnershipID
}

func (a aggregate) String() string {
	switch {
	case a.part != "":
		return "partnership " + string(a.part)
	case a.neg != "":
		return "negotiation " + string(a.neg)
	}
	return "the directory"
}

// owns reports whether an event says it belongs to a.
func (a aggregate) owns(h mra.EventHead) bool {
	return h.Negotiation == a.neg && h.Partnership == a.part
}
