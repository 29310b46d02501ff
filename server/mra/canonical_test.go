package mra

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// slowCanonical is the definition: what encoding/json makes of v, decoded
// and written canonically.
func slowCanonical(t testing.TB, v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m any
	if err := unmarshalNumbers(raw, &m); err != nil {
		t.Fatal(err)
	}
	return Canonical(m)
}

// TestTypedCanonical: the typed encoder Seal uses writes exactly the bytes
// of the definition, for every payload and the strings JSON escapes.
func TestTypedCanonical(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 3, 26, 123e6, time.UTC)
	odd := "quote \" back \\ nl \n tab \t cr \r ctl \x01\x1f <>& \u2028\u2029 é 税 🇸🇬 \u00a0"
	body := odd
	m := Message{ID: "m-1", Author: "alice", Party: "US", Body: odd, At: at}
	anchor := &Anchor{Version: 2, Start: 3, End: 9, Quote: odd, Flag: FlagChanged, Original: Origin{Version: 1, Quote: odd}}
	payloads := []any{
		&NegotiationCreated{Title: odd, Parties: []PartyID{"US", "SG"}, RequiredApprovals: 2},
		&NegotiationCreated{Title: "", Parties: nil},
		&VersionProposed{Version: 3, Base: 2, SHA256: "ab", Note: odd, Length: 1 << 40},
		&ThreadOpened{Thread: "t-1", Kind: KindConsensus, Visibility: Internal, Party: "US", Status: StatusVoid, Concurred: []PartyID{}, Anchor: anchor, Message: m},
		&ThreadOpened{Thread: "t-2", Kind: KindNote, Concurred: nil, Anchor: nil, Message: m},
		&ReplyAdded{Thread: "t-1", Message: m},
		&StatusChanged{Thread: "t-1", Status: StatusAgreed, Concurred: []PartyID{"US", "SG"}, Message: &m},
		&StatusChanged{Thread: "t-1", Status: StatusWithdrawn},
		&AnchorsCarried{Version: 4, Threads: []CarriedAnchor{{Thread: "t-1", Start: 1, End: 2, Flag: FlagMoved, Status: StatusOpen, Quote: odd}, {}}},
		&AnchorsCarried{Version: 4, Threads: []CarriedAnchor{}},
		&SignedOff{User: "lee", Party: "SG", Version: 1, SHA256: "ab", Decision: Approve, Visibility: Internal, At: at},
		&SignedOff{User: "lee", Party: "SG", Version: 1, SHA256: "ab", Decision: RequestChanges, Visibility: Shared, Body: &body, At: at},
		&SignedOff{Body: new(string)},
		&Signature{User: "ann", Party: "US", Version: 1, SHA256: "ab", At: at, Pos: Pos{Shared: 9}},
		&SignatureWithdrawn{Party: "US", Version: 1, SHA256: "ab", Body: odd},
		map[PartyID]int{"US": 1, "SG": -2, "😀": 3, "ﬀ": 4},
		[]string(nil),
		nil,
	}
	for _, p := range payloads {
		got, err := appendTyped(nil, p)
		if err != nil {
			t.Fatalf("%T: %v", p, err)
		}
		if want := slowCanonical(t, p); !bytes.Equal(got, want) {
			t.Errorf("%T:\n got %s\nwant %s", p, got, want)
		}
	}
	// A whole sealed event is canonical and passes the store's check.
	n := NewNegotiation("n-1")
	ev := &Event{Stream: Internal, Owner: "US", At: at, Actor: Actor{"alice", "US"}, Kind: EvThreadOpened, Data: payloads[3]}
	if err := n.Seal([]*Event{ev}); err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	unmarshalNumbers(ev.JSON, &generic)
	if want := Canonical(generic); !bytes.Equal(ev.JSON, want) {
		t.Errorf("sealed event is not canonical:\n got %s\nwant %s", ev.JSON, want)
	}
	if _, err := CheckEvent("", ev.JSON); err != nil {
		t.Error(err)
	}
}

// TestCompareUTF16 orders keys by UTF-16 code units, astral ones included.
func TestCompareUTF16(t *testing.T) {
	tests := []struct {
		a, b string
		want int // sign
	}{
		{"a", "b", -1},
		{"ab", "a", 1},
		{"", "", 0},
		{"😀", "😁", -1},     // same high surrogate, different low: different keys
		{"😁", "😀", 1},      // and the other way round
		{"😀", "ﬀ", -1},     // surrogates (D83D) sort before U+FB00
		{"\uffff", "😀", 1}, // U+FFFF after any surrogate
		{"€", "😀", -1},     // U+20AC before D83D
		{"𝄞", "𝄞", 0},
	}
	for _, tt := range tests {
		got := compareUTF16(tt.a, tt.b)
		if sign(got) != tt.want {
			t.Errorf("compareUTF16(%q, %q) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// TestThreadRecord: the hand-written thread record is the canonical JSON of
// threadRecord, and reads back as the thread.
func TestThreadRecord(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 3, 26, 123e6, time.UTC)
	odd := "quote \" back \\ nl \n ctl \x01 <>& \u2028 é 税 🇸🇬"
	for _, th := range []*Thread{
		{ID: "t-1", Kind: KindConsensus, Visibility: Internal, Party: "US", Status: StatusVoid, Concurred: []PartyID{"US", "SG"},
			Anchor:   &Anchor{Version: 2, Start: 3, End: 9, Quote: odd, Flag: FlagChanged, Original: Origin{Version: 1, Quote: odd}},
			Messages: []Message{{ID: "m-1", Author: "a", Party: "US", Body: odd, At: at}, {ID: "m-2", At: at}}, CreatedAt: at, Author: "a",
			Pos: Pos{Shared: 3, Party: "US", Seq: 9}},
		{ID: "t-2", Kind: KindNote, Concurred: []PartyID{}, Messages: []Message{}, Pos: Pos{Shared: 1}},
		{ID: "t-3"},
		{ID: "t-4", Kind: KindOpenIssue, Visibility: Shared, Party: "SG", Status: StatusOpen, WaitingOn: []PartyID{"US"}, WaitingSince: &at},
	} {
		th.touched(Pos{Shared: 5})
		got := appendThreadRecord(nil, th)
		if want := slowCanonical(t, threadRecord{Thread: th, Pos: th.Pos, Own: th.own}); string(got) != string(want) {
			t.Errorf("record of %s:\n got %s\nwant %s", th.ID, got, want)
		}
	}
}
