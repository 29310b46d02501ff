package mra

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestDecodeCanonical: every payload, written canonically, decodes to what
// encoding/json makes of the same bytes.
func TestDecodeCanonical(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 3, 26, 123e6, time.UTC)
	odd := "quote \" back \\ nl \n ctl \x01 <>& \u2028 é 税 🇸🇬"
	m := Message{ID: "m-1", Author: "alice", Party: "US", Body: odd, At: at}
	body := odd
	payloads := []any{
		&NegotiationCreated{Title: odd, Parties: []PartyID{"US", "SG"}, RequiredApprovals: 2},
		&VersionProposed{Version: 3, Base: 2, SHA256: "ab", Note: odd, Length: 1 << 40},
		&ThreadOpened{Thread: "t-1", Kind: KindConsensus, Visibility: Internal, Party: "US", Status: StatusVoid, Concurred: []PartyID{},
			Anchor: &Anchor{Version: 2, Start: 3, End: 9, Quote: odd, Flag: FlagChanged, Original: Origin{Version: 1, Quote: odd}}, Message: m},
		&ThreadOpened{Thread: "t-2", Kind: KindNote, Message: m},
		&ReplyAdded{Thread: "t-1", Message: m},
		&StatusChanged{Thread: "t-1", Status: StatusAgreed, Concurred: []PartyID{"US", "SG"}, Message: &m},
		&AnchorsCarried{Version: 4, Threads: []CarriedAnchor{{Thread: "t-1", Start: 1, End: 2, Flag: FlagMoved, Status: StatusOpen, Quote: odd}, {}}},
		&SignedOff{User: "lee", Party: "SG", Version: 1, SHA256: "ab", Decision: Approve, Visibility: Shared, Body: &body, At: at},
		&Signature{User: "ann", Party: "US", Version: 1, SHA256: "ab", At: at},
		&SignatureWithdrawn{Party: "US", Version: 1, SHA256: "ab", Body: odd},
	}
	for _, p := range payloads {
		b, err := appendTyped(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		got := reflect.New(reflect.TypeOf(p).Elem()).Interface()
		want := reflect.New(reflect.TypeOf(p).Elem()).Interface()
		if err := decodeCanonical(b, got); err != nil {
			t.Fatalf("%T: %v", p, err)
		}
		if err := json.Unmarshal(b, want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%T:\n got %+v\nwant %+v", p, got, want)
		}
	}
}

// FuzzDecodeCanonical: on any canonical object, the decoder agrees with
// encoding/json (both fail, or both give the same thread).
func FuzzDecodeCanonical(f *testing.F) {
	for _, s := range []string{
		`{"anchor":null,"concurred":[],"kind":"note","message":{"at":"2026-12-01T09:00:00Z","author":"a","body":"x\n","id":"m","party":"US"},"party":"US","status":"open","thread":"t","visibility":"shared"}`,
		`{"anchor":{"end":3,"flag":"moved","original":{"quote":"abc","version":1},"quote":"abc","start":0,"version":1},"kind":"consensus"}`,
		`{"extra":[1,{"a":null}],"thread":"\u0001"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := canonChecker{b: b}
		if len(b) == 0 || b[0] != '{' || !utf8.Valid(b) || c.object(0, true) != nil || c.i != len(b) || !json.Valid(b) {
			return // not canonical: never given to the decoder
		}
		if caseVariantKey(b) {
			return // encoding/json matches keys in any case; canonical events never need it
		}
		var got, want ThreadOpened
		gerr := decodeCanonical(b, &got)
		werr := json.Unmarshal(b, &want)
		if werr == nil && gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %+v\nwant %+v", b, got, want)
		}
		if werr == nil && gerr != nil {
			t.Fatalf("%s: decoder refused what encoding/json takes: %v", b, gerr)
		}
	})
}

// caseVariantKey reports whether b has a key that differs only in case from
// a field name of the payload's types (encoding/json folds case, the
// decoder does not).
func caseVariantKey(b []byte) bool {
	names := map[string]string{}
	for _, t := range []reflect.Type{reflect.TypeFor[ThreadOpened](), reflect.TypeFor[Anchor](), reflect.TypeFor[Origin](), reflect.TypeFor[Message]()} {
		for _, f := range fieldsOf(t) {
			names[strings.ToLower(f.name)] = f.name
		}
	}
	// stack: one entry per open container; for an object, whether the next
	// token is a key.
	type level struct{ object, wantKey bool }
	var stack []level
	valueDone := func() { // a value ended: its object wants a key next
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	d := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if k, ok := tok.(string); ok {
				if name, ok := names[strings.ToLower(k)]; ok && name != k || strings.ContainsAny(k, "ſK") {
					return true
				}
				stack[n-1].wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, level{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, level{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}
