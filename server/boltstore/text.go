package boltstore

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// Text returns the text stored under a SHA-256; an error wrapping
// mra.ErrNotFound if there is none.
func (s *Store) Text(sha256 string) (string, error) {
	var text string
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v, ok := get(tx.Bucket(bucketTexts), []byte(sha256))
		text, found = string(v), ok
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("text %s: %w", sha256, err)
	}
	if !found {
		return "", fmt.Errorf("text %s: %w", sha256, mra.ErrNotFound)
	}
	return text, nil
}
