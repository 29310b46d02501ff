package boltstore

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// Load returns every negotiation as last committed, in id order: its records
// in (kind, key) order and the head of each of its streams (Heads is never
// nil).
func (s *Store) Load() ([]mra.Stored, error) {
	var out []mra.Stored
	err := s.db.View(func(tx *bolt.Tx) error {
		negs := tx.Bucket(bucketNegotiations)
		return negs.ForEachBucket(func(id []byte) error {
			st, err := loadNegotiation(mra.NegotiationID(id), negs.Bucket(id))
			if err != nil {
				return err
			}
			out = append(out, st)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return out, nil
}

// loadNegotiation copies one negotiation's records and heads out of nb.
func loadNegotiation(id mra.NegotiationID, nb *bolt.Bucket) (mra.Stored, error) {
	st := mra.Stored{ID: id, Heads: map[mra.StreamKey]mra.Head{}}
	if rb := nb.Bucket(bucketRecords); rb != nil {
		c := rb.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			kind, key, ok := bytes.Cut(k, []byte{0})
			if !ok {
				return st, fmt.Errorf("negotiation %s: record key %q has no kind", id, k)
			}
			st.Records = append(st.Records, mra.Record{Kind: string(kind), Key: string(key), Value: clone(v)})
		}
	}
	if hb := nb.Bucket(bucketHeads); hb != nil {
		err := hb.ForEach(func(k, v []byte) error {
			var h mra.Head
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("negotiation %s head of stream %s: %w", id, k, err)
			}
			st.Heads[mra.StreamKey(k)] = h
			return nil
		})
		if err != nil {
			return st, err
		}
	}
	return st, nil
}
