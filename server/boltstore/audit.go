package boltstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"mra/server/mra"
)

// CheckFile checks the file's pages and runs bbolt's own check: the part of
// Verify before the chains, which Audit walks itself.
func (s *Store) CheckFile() error {
	if err := s.checkFile(); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

// Audit checks that what the store would serve is what its log says: every
// stream's chain (as Verify does), the parties and users against the fold
// of the admin stream, each negotiation's records against the
// fold of its events (mra.Fold), each of its versions' texts stored under
// its SHA-256 with its length, every text stored against its key, and every
// negotiation whose creation was acknowledged there. Negotiations are
// checked on every core; the error names the first negotiation and item
// that differ. It returns the fold: the state to serve, as the records
// would restore it.
func (s *Store) Audit() ([]*mra.Negotiation, error) {
	negs, err := s.audit()
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return negs, nil
}

func (s *Store) audit() ([]*mra.Negotiation, error) {
	var ids []mra.NegotiationID
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNegotiations).ForEachBucket(func(id []byte) error {
			ids = append(ids, mra.NegotiationID(id))
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	negs := make([]*mra.Negotiation, len(ids))
	errs := make([]error, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(ids), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = s.view(func(tx *bolt.Tx) (err error) {
					negs[i], err = auditNegotiation(tx, ids[i])
					return err
				})
			}
		}()
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // the first, in id order
		}
	}
	err = s.view(func(tx *bolt.Tx) error {
		if err := auditDirectory(tx); err != nil {
			return err
		}
		if err := verifyPartnerships(tx); err != nil {
			return err
		}
		if err := auditTexts(tx); err != nil {
			return err
		}
		return auditAnswers(tx)
	})
	return negs, err
}

// auditNegotiation checks one negotiation's chains, folds its events and
// compares the result with its stored records and texts.
func auditNegotiation(tx *bolt.Tx, id mra.NegotiationID) (*mra.Negotiation, error) {
	nb := negotiation(tx, id)
	var events []*mra.Event
	err := verifyNegotiation(aggregate{neg: id}, nb, func(v []byte, h mra.EventHead) error {
		e, err := mra.DecodeChecked(v, h)
		if err != nil {
			return err
		}
		e.JSON = nil // it points into the file's memory map
		events = append(events, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	n, err := mra.Fold(id, events)
	if err != nil {
		return nil, fmt.Errorf("negotiation %s: its events do not fold: %w", id, err)
	}
	want, err := n.AllRecords()
	if err != nil {
		return nil, fmt.Errorf("negotiation %s: %w", id, err)
	}
	var stored []mra.Record
	if rb := nb.Bucket(bucketRecords); rb != nil {
		c := rb.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			kind, key, _ := bytes.Cut(k, []byte{0})
			stored = append(stored, mra.Record{Kind: string(kind), Key: string(key), Value: v})
		}
	}
	if d := mra.DiffRecords(stored, want); d != "" {
		return nil, fmt.Errorf("negotiation %s: %s", id, d)
	}
	texts := tx.Bucket(bucketTexts)
	for _, v := range n.Versions {
		text, ok := get(texts, []byte(v.SHA256))
		switch {
		case !ok:
			return nil, fmt.Errorf("negotiation %s version %d: its text (sha256 %s) is missing", id, v.Number, v.SHA256)
		case mra.SHA256(string(text)) != v.SHA256:
			return nil, fmt.Errorf("negotiation %s version %d: the stored text does not match its SHA-256 %s", id, v.Number, v.SHA256)
		case utf8.RuneCount(text) != v.Length:
			return nil, fmt.Errorf("negotiation %s version %d: the stored text is %d characters, its event says %d", id, v.Number, utf8.RuneCount(text), v.Length)
		}
	}
	return n, nil
}

// auditTexts checks that every stored text matches its key.
func auditTexts(tx *bolt.Tx) error {
	return tx.Bucket(bucketTexts).ForEach(func(k, v []byte) error {
		if mra.SHA256(string(v)) != string(k) {
			return fmt.Errorf("text %s does not match its SHA-256", k)
		}
		return nil
	})
}

// auditAnswers checks that every negotiation whose creation was answered
// is stored: its answer names it.
func auditAnswers(tx *bolt.Tx) error {
	negs := tx.Bucket(bucketNegotiations)
	return tx.Bucket(bucketAnswers).ForEach(func(k, v []byte) error {
		if !bytes.Contains(v, []byte(`"result":{"negotiation":`)) {
			return nil
		}
		var a struct {
			Result mra.CreatedResult `json:"result"`
		}
		if err := json.Unmarshal(v, &a); err != nil || a.Result.Negotiation == "" {
			return nil
		}
		if negs.Bucket([]byte(a.Result.Negotiation)) == nil {
			user, _, _ := bytes.Cut(k, []byte{0})
			return fmt.Errorf("negotiation %s: its creation was acknowledged to %s, but it is gone", a.Result.Negotiation, user)
		}
		return nil
	})
}
