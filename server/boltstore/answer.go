package boltstore

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// Answer returns the stored answer to a user's command id, and false (no
// error) if there is none.
func (s *Store) Answer(user mra.UserID, id string) ([]byte, bool, error) {
	var body []byte
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		v, ok := get(tx.Bucket(bucketAnswers), answerKey(user, id))
		if ok {
			body, found = append([]byte{}, v...), true
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("answer %s %q: %w", user, id, err)
	}
	return body, found, nil
}
