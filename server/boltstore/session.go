package boltstore

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// PutSession stores a session under its hash, replacing one stored there.
func (s *Store) PutSession(se mra.Session) error {
	if se.Hash == "" || len(se.Hash) > bolt.MaxKeySize {
		return fmt.Errorf("put session: bad hash of %d bytes", len(se.Hash))
	}
	b, err := json.Marshal(se)
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Put([]byte(se.Hash), b)
	})
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// DeleteSession removes a session; no error if it is gone already.
func (s *Store) DeleteSession(hash string) error {
	if hash == "" {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete([]byte(hash))
	})
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Sessions returns the sessions that have not expired at now (Expires after
// now), in hash order, and deletes the expired ones.
func (s *Store) Sessions(now time.Time) ([]mra.Session, error) {
	all, err := list[mra.Session](s, bucketSessions)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	live := make([]mra.Session, 0, len(all))
	var expired []string
	for _, se := range all {
		if now.Before(se.Expires) {
			live = append(live, se)
		} else {
			expired = append(expired, se.Hash)
		}
	}
	if len(expired) == 0 {
		return live, nil
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		for _, h := range expired {
			// Delete only if still expired: it may have been replaced since.
			v, ok := get(b, []byte(h))
			if !ok {
				continue
			}
			var se mra.Session
			if err := json.Unmarshal(v, &se); err == nil && now.Before(se.Expires) {
				continue
			}
			if err := b.Delete([]byte(h)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sessions: delete expired: %w", err)
	}
	return live, nil
}

// DeleteUserSessions removes every session of a user (an operator's reset
// of the user's password, with no server running).
func (s *Store) DeleteUserSessions(user mra.UserID) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		var gone [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var se mra.Session
			if json.Unmarshal(v, &se) == nil && se.User == user {
				gone = append(gone, clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range gone {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete the sessions of %s: %w", user, err)
	}
	return nil
}
