package mra

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Record is one piece of a negotiation's materialised state: Kind is one of
// the record kinds below, Key identifies it within its kind, Value is JSON.
type Record struct {
	Kind  string
	Key   string
	Value []byte
}

// Record kinds.
const (
	RecMeta      = "meta"
	RecVersion   = "version"
	RecThread    = "thread"
	RecSignOff   = "signoff"
	RecSignature = "signature"
)

type recordKey struct{ kind, key string }

func (n *Negotiation) touch(kind, key string) { n.dirty[recordKey{kind, key}] = struct{}{} }

func versionKey(v int) string { return fmt.Sprintf("%08d", v) }

func signOffKey(u UserID, v int) string { return string(u) + "/" + versionKey(v) }

func signatureKey(p PartyID, v int) string { return string(p) + "/" + versionKey(v) }

// Records returns the records changed since the last call, in a stable order.
func (n *Negotiation) Records() ([]Record, error) {
	keys := make([]recordKey, 0, len(n.dirty))
	for k := range n.dirty {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b recordKey) int {
		return strings.Compare(a.kind+"\x00"+a.key, b.kind+"\x00"+b.key)
	})
	out := make([]Record, 0, len(keys))
	for _, k := range keys {
		v, err := n.recordValue(k)
		if err != nil {
			return nil, fmt.Errorf("record %s %s: %w", k.kind, k.key, err)
		}
		out = append(out, Record{Kind: k.kind, Key: k.key, Value: v})
	}
	clear(n.dirty)
	return out, nil
}

func (n *Negotiation) recordValue(k recordKey) ([]byte, error) {
	switch k.kind {
	case RecMeta:
		return json.Marshal(n)
	case RecVersion:
		v, err := strconv.Atoi(k.key)
		if err != nil || v < 1 || v > len(n.Versions) {
			return nil, fmt.Errorf("no version %q", k.key)
		}
		return json.Marshal(n.Versions[v-1])
	case RecThread:
		t := n.Threads[ThreadID(k.key)]
		if t == nil {
			return nil, fmt.Errorf("no thread %q", k.key)
		}
		return json.Marshal(t)
	case RecSignOff:
		for _, s := range n.SignOffs {
			if signOffKey(s.User, s.Version) == k.key {
				return json.Marshal(s)
			}
		}
	case RecSignature:
		for _, s := range n.Signatures {
			if signatureKey(s.Party, s.Version) == k.key {
				return json.Marshal(s)
			}
		}
	}
	return nil, fmt.Errorf("unknown record")
}

// Restore rebuilds a negotiation from its stored records and heads.
func Restore(s Stored) (*Negotiation, error) {
	n := newNegotiation()
	byKind := map[string][]Record{}
	for _, r := range s.Records {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	metas := byKind[RecMeta]
	if len(metas) != 1 {
		return nil, fmt.Errorf("restore %s: %d meta records", s.ID, len(metas))
	}
	if err := json.Unmarshal(metas[0].Value, n); err != nil {
		return nil, fmt.Errorf("restore %s meta: %w", s.ID, err)
	}
	sortRecords := func(rs []Record) {
		slices.SortFunc(rs, func(a, b Record) int { return strings.Compare(a.Key, b.Key) })
	}
	vs := byKind[RecVersion]
	sortRecords(vs)
	for _, r := range vs {
		var v Version
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return nil, fmt.Errorf("restore %s version %s: %w", s.ID, r.Key, err)
		}
		if v.Number != len(n.Versions)+1 {
			return nil, fmt.Errorf("restore %s: version %d out of order", s.ID, v.Number)
		}
		n.Versions = append(n.Versions, v)
	}
	for _, r := range byKind[RecThread] {
		t := &Thread{}
		if err := json.Unmarshal(r.Value, t); err != nil {
			return nil, fmt.Errorf("restore %s thread %s: %w", s.ID, r.Key, err)
		}
		n.Threads[t.ID] = t
		n.Order = append(n.Order, t.ID)
		n.tally(t, +1)
	}
	slices.SortFunc(n.Order, func(a, b ThreadID) int {
		if c := n.Threads[a].CreatedAt.Compare(n.Threads[b].CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(string(a), string(b))
	})
	so := byKind[RecSignOff]
	sortRecords(so)
	for _, r := range so {
		var x SignOff
		if err := json.Unmarshal(r.Value, &x); err != nil {
			return nil, fmt.Errorf("restore %s sign-off %s: %w", s.ID, r.Key, err)
		}
		n.SignOffs = append(n.SignOffs, x)
	}
	sg := byKind[RecSignature]
	sortRecords(sg)
	for _, r := range sg {
		var x Signature
		if err := json.Unmarshal(r.Value, &x); err != nil {
			return nil, fmt.Errorf("restore %s signature %s: %w", s.ID, r.Key, err)
		}
		n.Signatures = append(n.Signatures, x)
	}
	for k, h := range s.Heads {
		n.Heads[k] = h
	}
	return n, nil
}
