package boltstore

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// The directory (parties and users) is the fold of the admin stream, kept
// in the top-level bucket "admin":
//
//	admin    head   → JSON mra.Head of the admin stream's last event
//	         stream → 8-byte big-endian seq → the event's stored JSON
//
// beside the parties and users buckets that hold the directory as it
// stands (users with their password hashes, which no event holds).
var (
	bucketAdmin = []byte("admin")
	keyHead     = []byte("head")
	keyStream   = []byte("stream")
)

// Directory returns the parties and users as stored (password hashes
// included) at the admin stream's head.
func (s *Store) Directory() (*mra.Directory, error) {
	var d *mra.Directory
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		d, err = readDirectory(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	return d, nil
}

// Parties returns every party in id order.
func (s *Store) Parties() ([]mra.Party, error) {
	ps, err := list[mra.Party](s, bucketParties)
	if err != nil {
		return nil, fmt.Errorf("parties: %w", err)
	}
	return ps, nil
}

// Users returns every user in id order, password hashes included.
func (s *Store) Users() ([]mra.User, error) {
	us, err := list[mra.User](s, bucketUsers)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return us, nil
}

func readDirectory(tx *bolt.Tx) (*mra.Directory, error) {
	parties, err := listTx[mra.Party](tx, bucketParties)
	if err != nil {
		return nil, err
	}
	users, err := listTx[mra.User](tx, bucketUsers)
	if err != nil {
		return nil, err
	}
	h, err := adminHead(tx)
	if err != nil {
		return nil, err
	}
	return mra.NewDirectory(parties, users, h), nil
}

// adminEvents returns the admin stream's events as stored, in order.
func (s *Store) adminEvents() ([][]byte, error) {
	var out [][]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketAdmin).Bucket(keyStream)
		if sb == nil {
			return nil
		}
		return sb.ForEach(func(_, v []byte) error {
			out = append(out, clone(v))
			return nil
		})
	})
	return out, err
}

// adminHead returns the stored head of the admin stream (zero before it).
func adminHead(tx *bolt.Tx) (mra.Head, error) {
	var h mra.Head
	ab := tx.Bucket(bucketAdmin)
	if ab == nil {
		return h, nil
	}
	b := ab.Get(keyHead)
	if b == nil {
		return h, nil
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("head of the admin stream: %w", err)
	}
	return h, nil
}

// applyAdmin writes an admin change's events, head, parties and users.
func applyAdmin(tx *bolt.Tx, c *mra.Change) error {
	ab := tx.Bucket(bucketAdmin)
	if len(c.Events) > 0 {
		sb, err := ab.CreateBucketIfNotExists(keyStream)
		if err != nil {
			return fmt.Errorf("admin stream bucket: %w", err)
		}
		sb.FillPercent = streamFillPercent
		for _, e := range c.Events {
			if err := sb.Put(seqKey(e.Seq), e.JSON); err != nil {
				return fmt.Errorf("admin stream event %d: %w", e.Seq, err)
			}
		}
		last := c.Events[len(c.Events)-1]
		b, _ := json.Marshal(mra.Head{Seq: last.Seq, Hash: last.Hash})
		if err := ab.Put(keyHead, b); err != nil {
			return fmt.Errorf("admin head: %w", err)
		}
	}
	for _, p := range c.Parties {
		b, err := json.Marshal(p)
		if err == nil {
			err = tx.Bucket(bucketParties).Put([]byte(p.ID), b)
		}
		if err != nil {
			return fmt.Errorf("party %s: %w", p.ID, err)
		}
	}
	for _, u := range c.Users {
		b, err := json.Marshal(u)
		if err == nil {
			err = tx.Bucket(bucketUsers).Put([]byte(u.ID), b)
		}
		if err != nil {
			return fmt.Errorf("user %s: %w", u.ID, err)
		}
	}
	return nil
}

// recordDirectory starts the admin stream of a database made before it
// existed: its parties and users as they stand become one
// directory_recorded event. A database with an admin stream, or with
// nobody in it, is left alone.
func recordDirectory(tx *bolt.Tx, now time.Time) error {
	d, err := readDirectory(tx)
	if err != nil {
		return err
	}
	if d.Head.Seq != 0 || len(d.Parties) == 0 && len(d.Users) == 0 {
		return nil
	}
	parties := slices.SortedFunc(maps.Values(d.Parties), func(a, b mra.Party) int { return strings.Compare(string(a.ID), string(b.ID)) })
	users := slices.SortedFunc(maps.Values(d.Users), func(a, b mra.User) int { return strings.Compare(string(a.ID), string(b.ID)) })
	ev := mra.RecordDirectory(parties, users, now)
	if err := d.Seal([]*mra.Event{ev}); err != nil {
		return err
	}
	return applyAdmin(tx, &mra.Change{Events: []*mra.Event{ev}})
}

// auditDirectory checks the admin stream's chain, folds it, and compares
// the fold with the stored parties and users (each user's hash by its
// credential).
func auditDirectory(tx *bolt.Tx) error {
	fold := mra.NewDirectory(nil, nil, mra.Head{})
	ab := tx.Bucket(bucketAdmin)
	var last mra.Head
	if sb := ab.Bucket(keyStream); sb != nil {
		var err error
		last, err = verifyStream(aggregate{}, mra.AdminStream, sb, func(v []byte, h mra.EventHead) error {
			e, err := mra.DecodeChecked(v, h)
			if err != nil {
				return err
			}
			if err := fold.Apply(e); err != nil {
				return fmt.Errorf("it does not fold: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	stored, err := readDirectory(tx)
	if err != nil {
		return err
	}
	if err := verifyHead(aggregate{}, mra.AdminStream, stored.Head, last); err != nil {
		return err
	}
	for id, p := range stored.Parties {
		if f, ok := fold.Parties[id]; !ok || f != p {
			return fmt.Errorf("party %s is not what the admin stream made it", id)
		}
	}
	for id := range fold.Parties {
		if _, ok := stored.Parties[id]; !ok {
			return fmt.Errorf("party %s, added on the admin stream, is missing", id)
		}
	}
	for id, u := range stored.Users {
		f, ok := fold.Users[id]
		u.PasswordHash = ""
		switch {
		case !ok:
			return fmt.Errorf("user %s is not on the admin stream", id)
		case fold.Credentials[id] != stored.Credentials[id]:
			return fmt.Errorf("user %s: the stored password hash is not the one the admin stream recorded", id)
		case !reflect.DeepEqual(f, u):
			return fmt.Errorf("user %s is not what the admin stream made it", id)
		}
	}
	for id := range fold.Users {
		if _, ok := stored.Users[id]; !ok {
			return fmt.Errorf("user %s, added on the admin stream, is missing", id)
		}
	}
	return nil
}

// listTx decodes every value of bucket, in key order.
func listTx[T any](tx *bolt.Tx, bucket []byte) ([]T, error) {
	out := []T{}
	err := tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("%s %q: %w", bucket, k, err)
		}
		out = append(out, x)
		return nil
	})
	return out, err
}
