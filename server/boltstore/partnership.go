package boltstore

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// Partnerships returns every partnership, each the fold of its streams,
// whose chains it checks on the way: a partnership holds no records, so
// its state is always its events'.
func (s *Store) Partnerships() ([]*mra.Partnership, error) {
	var out []*mra.Partnership
	err := s.db.View(func(tx *bolt.Tx) error {
		ps := tx.Bucket(bucketPartnerships)
		return ps.ForEachBucket(func(id []byte) error {
			p, err := foldPartnership(mra.PartnershipID(id), ps.Bucket(id))
			if err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("partnerships: %w", err)
	}
	return out, nil
}

// foldPartnership checks a partnership's streams against their heads and
// folds their events.
func foldPartnership(id mra.PartnershipID, pb *bolt.Bucket) (*mra.Partnership, error) {
	var events []*mra.Event
	err := verifyNegotiation(aggregate{part: id}, pb, func(v []byte, h mra.EventHead) error {
		e, err := mra.DecodeChecked(clone(v), h)
		if err != nil {
			return err
		}
		events = append(events, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	p, err := mra.FoldPartnership(id, events)
	if err != nil {
		return nil, fmt.Errorf("partnership %s: its events do not fold: %w", id, err)
	}
	return p, nil
}

// verifyPartnerships checks every partnership's chains and fold (for
// Verify and Audit).
func verifyPartnerships(tx *bolt.Tx) error {
	ps := tx.Bucket(bucketPartnerships)
	return ps.ForEachBucket(func(id []byte) error {
		_, err := foldPartnership(mra.PartnershipID(id), ps.Bucket(id))
		return err
	})
}
