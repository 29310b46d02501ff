package boltstore

import (
	"fmt"

	"mra/server/mra"
)

// AddUser stores a new user; an error wrapping mra.ErrExists if its id is
// taken.
func (s *Store) AddUser(u mra.User) error {
	if err := s.insert(bucketUsers, string(u.ID), u); err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	return nil
}

// Users returns every user in id order, password hashes included.
func (s *Store) Users() ([]mra.User, error) {
	us, err := list[mra.User](s, bucketUsers)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return us, nil
}
