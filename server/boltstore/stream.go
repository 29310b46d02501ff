package boltstore

import (
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// Events returns up to limit (all if limit <= 0) events of one stream with
// seq > since, in seq order, as stored; with maxBytes > 0 it stops before
// the event that would pass maxBytes in all, but always returns the first.
// An unknown negotiation or stream gives an empty slice and no error.
func (s *Store) Events(n mra.NegotiationID, stream mra.StreamKey, since uint64, limit, maxBytes int) ([][]byte, error) {
	return s.events(bucketNegotiations, string(n), stream, since, limit, maxBytes)
}

// PartnershipEvents is Events of a partnership's stream.
func (s *Store) PartnershipEvents(p mra.PartnershipID, stream mra.StreamKey, since uint64, limit, maxBytes int) ([][]byte, error) {
	return s.events(bucketPartnerships, string(p), stream, since, limit, maxBytes)
}

// events reads a stream of the nested bucket id of top.
func (s *Store) events(top []byte, id string, stream mra.StreamKey, since uint64, limit, maxBytes int) ([][]byte, error) {
	out := [][]byte{}
	if since == math.MaxUint64 {
		return out, nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		sb := streamBucket(tx, top, id, stream)
		if sb == nil {
			return nil
		}
		c := sb.Cursor()
		size := 0
		for k, v := c.Seek(seqKey(since + 1)); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			if maxBytes > 0 && len(out) > 0 && size+len(v) > maxBytes {
				break
			}
			size += len(v)
			out = append(out, clone(v))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("events of %s %s: %w", id, stream, err)
	}
	return out, nil
}

// streamBucket returns the bucket of one stream of the nested bucket id
// of top (a negotiation or a partnership), or nil if it has none.
func streamBucket(tx *bolt.Tx, top []byte, id string, stream mra.StreamKey) *bolt.Bucket {
	nb := tx.Bucket(top).Bucket([]byte(id))
	if nb == nil {
		return nil
	}
	streams := nb.Bucket(bucketStreams)
	if streams == nil {
		return nil
	}
	return streams.Bucket([]byte(stream))
}
