package boltstore

import (
	"fmt"

	"mra/server/mra"
)

// AddParty stores a new party; an error wrapping mra.ErrExists if its id is
// taken.
func (s *Store) AddParty(p mra.Party) error {
	if err := s.insert(bucketParties, string(p.ID), p); err != nil {
		return fmt.Errorf("add party: %w", err)
	}
	return nil
}

// Parties returns every party in id order.
func (s *Store) Parties() ([]mra.Party, error) {
	ps, err := list[mra.Party](s, bucketParties)
	if err != nil {
		return nil, fmt.Errorf("parties: %w", err)
	}
	return ps, nil
}
