package mra

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// EventHead is what a stored event says of its place: the fields every
// check of a stream needs, read without decoding the payload.
type EventHead struct {
	Negotiation NegotiationID
	Partnership PartnershipID
	Stream      Visibility
	Owner       PartyID
	Seq         uint64
	SharedSeq   uint64
	Hash        string
	Kind        EventKind

	actor, at, data []byte // the raw values, for DecodeChecked
}

// CheckEvent verifies a stored event against the hash of the event before
// it and returns its head. It fails when the bytes are not a JSON object in
// canonical form (keys sorted by UTF-16 code units and unique, no
// whitespace, only the escapes JSON requires, integers only), or when its
// hash does not match its content without the hash and prev. One pass, no
// decoding of the payload.
func CheckEvent(prev string, stored []byte) (EventHead, error) {
	var h EventHead
	if !utf8.Valid(stored) {
		return h, errors.New("not valid UTF-8")
	}
	c := canonChecker{b: stored}
	if err := c.object(0, true); err != nil {
		return h, fmt.Errorf("not an event in canonical form: %w", err)
	}
	if c.i != len(stored) {
		return h, fmt.Errorf("not an event in canonical form: bytes after the object at %d", c.i)
	}
	if c.hashStart < 0 {
		return h, errors.New("no hash")
	}
	h.Hash = c.top.hash
	sum := sha256.New() // of prev and the event without its hash member
	sum.Write([]byte(prev))
	sum.Write(stored[:c.hashStart])
	sum.Write(stored[c.hashEnd:])
	if want := hex.EncodeToString(sum.Sum(nil)); h.Hash != want {
		return h, fmt.Errorf("hash %q does not match its content and the previous hash (want %q)", h.Hash, want)
	}
	var err error
	t := &c.top
	if h.Seq, err = strconv.ParseUint(t.seq, 10, 64); err != nil {
		return h, fmt.Errorf("bad seq %q", t.seq)
	}
	if t.sharedSeq != "" {
		if h.SharedSeq, err = strconv.ParseUint(t.sharedSeq, 10, 64); err != nil {
			return h, fmt.Errorf("bad shared_seq %q", t.sharedSeq)
		}
	}
	h.Negotiation, h.Stream, h.Owner, h.Kind = NegotiationID(t.negotiation), Visibility(t.stream), PartyID(t.party), EventKind(t.kind)
	h.Partnership = PartnershipID(t.partnership)
	h.actor, h.at, h.data = t.actor, t.at, t.data
	return h, nil
}

// DecodeChecked decodes an event CheckEvent has checked, from its head: only
// its payload goes through encoding/json. The event's JSON is stored.
func DecodeChecked(stored []byte, h EventHead) (*Event, error) {
	e := &Event{Negotiation: h.Negotiation, Partnership: h.Partnership, Stream: h.Stream, Seq: h.Seq, Kind: h.Kind, Owner: h.Owner,
		SharedSeq: h.SharedSeq, Hash: h.Hash, JSON: stored}
	if err := json.Unmarshal(h.actor, &e.Actor); err != nil {
		return nil, fmt.Errorf("decode event actor: %w", err)
	}
	if err := e.At.UnmarshalJSON(h.at); err != nil {
		return nil, fmt.Errorf("decode event time: %w", err)
	}
	p, err := payloadFor(e.Kind)
	if err != nil {
		return nil, err
	}
	if err := decodeCanonical(h.data, p); err != nil {
		return nil, fmt.Errorf("decode %s payload: %w", e.Kind, err)
	}
	e.Data = p
	return e, nil
}

// topFields are the top-level members of an event CheckEvent reads: as
// text, or as raw JSON (actor, at, data).
type topFields struct {
	hash, seq, sharedSeq, negotiation, partnership, stream, party, kind string
	actor, at, data                                                     []byte
}

// keep notes a top-level member's value, if it is one of topFields.
func (t *topFields) keep(key string, raw []byte) error {
	var dst *string
	switch key {
	case "actor":
		t.actor = raw
	case "at":
		t.at = raw
	case "data":
		t.data = raw
	case "hash":
		dst = &t.hash
	case "seq":
		dst = &t.seq
	case "shared_seq":
		dst = &t.sharedSeq
	case "negotiation":
		dst = &t.negotiation
	case "partnership":
		dst = &t.partnership
	case "stream":
		dst = &t.stream
	case "party":
		dst = &t.party
	case "kind":
		dst = &t.kind
	}
	if dst == nil {
		return nil
	}
	if raw[0] != '"' {
		*dst = string(raw)
		return nil
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		*dst = string(raw[1 : len(raw)-1])
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// canonChecker walks JSON bytes, checking they are canonical, and keeps the
// top level's members of topFields, and where "hash" is.
type canonChecker struct {
	b                  []byte
	i                  int
	top                topFields
	hashStart, hashEnd int // the hash member with its separating comma
}

const maxCanonDepth = 64

func (c *canonChecker) fail(what string) error {
	return fmt.Errorf("at byte %d: %s", c.i, what)
}

func (c *canonChecker) value(depth int) error {
	if c.i >= len(c.b) {
		return c.fail("unexpected end")
	}
	switch ch := c.b[c.i]; {
	case ch == '{':
		return c.object(depth+1, false)
	case ch == '[':
		c.i++
		if depth+1 > maxCanonDepth {
			return c.fail("nested too deep")
		}
		if c.i < len(c.b) && c.b[c.i] == ']' {
			c.i++
			return nil
		}
		for {
			if err := c.value(depth + 1); err != nil {
				return err
			}
			if c.i >= len(c.b) {
				return c.fail("unexpected end")
			}
			if c.b[c.i] == ']' {
				c.i++
				return nil
			}
			if c.b[c.i] != ',' {
				return c.fail("want , or ]")
			}
			c.i++
		}
	case ch == '"':
		_, _, err := c.strRaw()
		return err
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	case bytes.HasPrefix(c.b[c.i:], []byte("true")):
		c.i += 4
	case bytes.HasPrefix(c.b[c.i:], []byte("false")):
		c.i += 5
	case bytes.HasPrefix(c.b[c.i:], []byte("null")):
		c.i += 4
	default:
		return c.fail(fmt.Sprintf("unexpected %q", ch))
	}
	return nil
}

func (c *canonChecker) object(depth int, top bool) error {
	if depth > maxCanonDepth {
		return c.fail("nested too deep")
	}
	if c.i >= len(c.b) || c.b[c.i] != '{' {
		return c.fail("want an object")
	}
	if top {
		c.top, c.hashStart = topFields{}, -1
	}
	c.i++
	if c.i < len(c.b) && c.b[c.i] == '}' {
		c.i++
		return nil
	}
	var prev []byte
	for first := true; ; first = false {
		memberStart := c.i - 1 // the comma, or the brace of the first member
		keyStart := c.i
		raw, escaped, err := c.strRaw()
		if err != nil {
			return err
		}
		key := raw
		if escaped {
			var s string
			if err := json.Unmarshal(c.b[keyStart:c.i], &s); err != nil {
				return c.fail(err.Error())
			}
			key = []byte(s)
		}
		if !first && compareUTF16(prev, key) >= 0 {
			c.i = keyStart
			return c.fail(fmt.Sprintf("key %q after %q: keys must be unique and sorted", key, prev))
		}
		prev = key
		if c.i >= len(c.b) || c.b[c.i] != ':' {
			return c.fail("want :")
		}
		c.i++
		valStart := c.i
		if err := c.value(depth); err != nil {
			return err
		}
		if top {
			if err := c.top.keep(string(key), c.b[valStart:c.i]); err != nil {
				return c.fail(fmt.Sprintf("%s: %v", key, err))
			}
			if string(key) == "hash" {
				if first {
					c.hashStart, c.hashEnd = keyStart, c.i+1 // with the comma after it
				} else {
					c.hashStart, c.hashEnd = memberStart, c.i
				}
			}
		}
		if c.i >= len(c.b) {
			return c.fail("unexpected end")
		}
		if c.b[c.i] == '}' {
			c.i++
			if top && c.hashStart >= 0 && c.hashEnd > c.i-1 {
				c.hashEnd = c.i - 1 // the hash was the only member
			}
			return nil
		}
		if c.b[c.i] != ',' {
			return c.fail("want , or }")
		}
		c.i++
	}
}

// strRaw checks a canonical string at c.i and returns its bytes between the
// quotes, and whether they hold an escape; it allocates nothing.
func (c *canonChecker) strRaw() ([]byte, bool, error) {
	if c.i >= len(c.b) || c.b[c.i] != '"' {
		return nil, false, c.fail("want a string")
	}
	start := c.i + 1
	c.i++
	escaped := false
	for c.i < len(c.b) {
		// Most bytes of a string stand for themselves: skip them in a
		// tight loop.
		c.i = plainEnd(c.b, c.i)
		if c.i >= len(c.b) {
			break
		}
		switch ch := c.b[c.i]; {
		case ch == '"':
			c.i++
			return c.b[start : c.i-1], escaped, nil
		case ch < 0x20:
			return nil, false, c.fail("a control character unescaped")
		}
		// A backslash.
		escaped = true
		if c.i+1 >= len(c.b) {
			return nil, false, c.fail("unexpected end")
		}
		switch c.b[c.i+1] {
		case '"', '\\', 'b', 'f', 'n', 'r', 't':
			c.i += 2
		case 'u':
			// Only control characters without a short form are \u00xx.
			if c.i+6 > len(c.b) || c.b[c.i+2] != '0' || c.b[c.i+3] != '0' || !lowerHex(c.b[c.i+4]) || !lowerHex(c.b[c.i+5]) {
				return nil, false, c.fail("an escape JSON does not require")
			}
			v, _ := strconv.ParseUint(string(c.b[c.i+4:c.i+6]), 16, 8)
			if v >= 0x20 || v == '\b' || v == '\f' || v == '\n' || v == '\r' || v == '\t' {
				return nil, false, c.fail("an escape JSON does not require")
			}
			c.i += 6
		default:
			return nil, false, c.fail("an escape JSON does not require")
		}
	}
	return nil, false, c.fail("unterminated string")
}

func lowerHex(ch byte) bool { return ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' }

// number checks an integer in canonical form: -?(0|[1-9][0-9]*).
func (c *canonChecker) number() error {
	start := c.i
	if c.b[c.i] == '-' {
		c.i++
	}
	digits := c.i
	for c.i < len(c.b) && c.b[c.i] >= '0' && c.b[c.i] <= '9' {
		c.i++
	}
	switch {
	case c.i == digits:
		return c.fail("a number without digits")
	case c.b[digits] == '0' && c.i-digits > 1:
		return c.fail("a number with a leading zero")
	case string(c.b[start:c.i]) == "-0":
		return c.fail("-0")
	case c.i < len(c.b) && (c.b[c.i] == '.' || c.b[c.i] == 'e' || c.b[c.i] == 'E'):
		return c.fail("a number that is not an integer")
	}
	return nil
}
