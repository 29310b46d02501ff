package mra

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTextSlice(t *testing.T) {
	s := strings.Repeat("税关 shall 🇺🇸 act. ", 100) + "end"
	txt := NewText(s)
	r := []rune(s)
	if txt.Len() != len(r) {
		t.Fatalf("Len %d, want %d", txt.Len(), len(r))
	}
	for _, c := range [][2]int{{0, 0}, {0, 3}, {255, 260}, {256, 513}, {len(r) - 3, len(r)}, {1000, 1700}} {
		got, ok := txt.Slice(c[0], c[1])
		if !ok || got != string(r[c[0]:c[1]]) {
			t.Errorf("Slice(%d, %d) = %q, %v; want %q", c[0], c[1], got, ok, string(r[c[0]:c[1]]))
		}
	}
	for _, c := range [][2]int{{-1, 2}, {3, 2}, {0, len(r) + 1}} {
		if _, ok := txt.Slice(c[0], c[1]); ok {
			t.Errorf("Slice(%d, %d) accepted", c[0], c[1])
		}
	}
	if got, _ := NewText("plain ascii").Slice(6, 11); got != "ascii" {
		t.Errorf("ASCII slice %q", got)
	}
}

func TestNormalizeAndSHA(t *testing.T) {
	if got := NormalizeText("a\r\nb\rc\n"); got != "a\nb\nc\n" {
		t.Errorf("NormalizeText = %q", got)
	}
	if got := SHA256("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("SHA256(abc) = %s", got)
	}
}

func TestCanonical(t *testing.T) {
	var v any
	d := json.NewDecoder(strings.NewReader(`{"b":1,"a":{"z":[true,null,"x\n\u0001<>&\u2028é"],"é":2,"y":-3},"€":0,"😀":0,"ﬀ":0}`))
	d.UseNumber()
	d.Decode(&v)
	// Keys sort by UTF-16 code units: U+1F600 (surrogates D83D...) sorts before U+FB00.
	want := `{"a":{"y":-3,"z":[true,null,"x\n\u0001<>&` + "\u2028" + `é"],"é":2},"b":1,"€":0,"😀":0,"ﬀ":0}`
	if got := string(Canonical(v)); got != want {
		t.Errorf("Canonical =\n%s\nwant\n%s", got, want)
	}
}

func TestSealAndCheck(t *testing.T) {
	n := NewNegotiation("n-1")
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	evs := []*Event{
		{Stream: Shared, At: at, Actor: Actor{"alice", "US"}, Kind: EvNegotiationCreated, Data: &NegotiationCreated{Title: "T", Parties: []PartyID{"US", "SG"}, RequiredApprovals: 1}},
		{Stream: Internal, Owner: "US", At: at, Actor: Actor{"ben", "US"}, Kind: EvReplyAdded, Data: &ReplyAdded{Thread: "t-1", Message: Message{ID: "m-1", Body: "x"}}},
		{Stream: Shared, At: at, Actor: Actor{"alice", "US"}, Kind: EvVersionProposed, Data: &VersionProposed{Version: 1, SHA256: "ab", Length: 2}},
	}
	if err := n.Seal(evs); err != nil {
		t.Fatal(err)
	}
	if evs[0].Seq != 1 || evs[1].Seq != 1 || evs[2].Seq != 2 {
		t.Errorf("seqs %d %d %d, want 1 1 2 (per stream)", evs[0].Seq, evs[1].Seq, evs[2].Seq)
	}
	prev := ""
	for _, e := range []*Event{evs[0], evs[2]} {
		h, err := CheckEvent(prev, e.JSON)
		if err != nil || h.Seq != e.Seq || h.Hash != e.Hash {
			t.Fatalf("CheckEvent(%s): %+v %v", e.JSON, h, err)
		}
		prev = h.Hash
	}
	if !strings.Contains(string(evs[1].JSON), `"party":"US"`) || !strings.Contains(string(evs[1].JSON), `"type":"event"`) {
		t.Errorf("internal event JSON %s", evs[1].JSON)
	}
	tampered := strings.Replace(string(evs[2].JSON), `"sha256":"ab"`, `"sha256":"ac"`, 1)
	if _, err := CheckEvent(evs[0].Hash, []byte(tampered)); err == nil {
		t.Error("a tampered event passed")
	}
	if _, err := CheckEvent("", evs[2].JSON); err == nil {
		t.Error("an event passed after the wrong previous hash")
	}
	d, err := DecodeEvent(evs[2].JSON)
	if err != nil || d.Kind != EvVersionProposed || d.Data.(*VersionProposed).SHA256 != "ab" || d.Hash != evs[2].Hash {
		t.Errorf("DecodeEvent: %+v %v", d, err)
	}
}

// TestApplyRecordsRestore: the records Apply leaves restore the same state.
func TestApplyRecordsRestore(t *testing.T) {
	n := NewNegotiation("n-1")
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	evs := []*Event{
		{Stream: Shared, At: at, Actor: Actor{"alice", "US"}, Kind: EvNegotiationCreated, Data: &NegotiationCreated{Title: "T", Parties: []PartyID{"US", "SG"}, RequiredApprovals: 1}},
		{Stream: Shared, At: at, Actor: Actor{"alice", "US"}, Kind: EvVersionProposed, Data: &VersionProposed{Version: 1, SHA256: "ab", Length: 2}},
		{Stream: Shared, At: at, Actor: Actor{"mei", "SG"}, Kind: EvThreadOpened, Data: &ThreadOpened{Thread: "t-1", Kind: KindOpenIssue, Visibility: Shared, Party: "SG", Status: StatusOpen, Concurred: []PartyID{}, Anchor: &Anchor{Version: 1, Start: 0, End: 2, Quote: "ab", Flag: "moved"}, Message: Message{ID: "m-1", Body: "x"}}},
		{Stream: Shared, At: at, Actor: Actor{"wei", "SG"}, Kind: EvSignedOff, Data: &SignedOff{User: "wei", Party: "SG", Version: 1, SHA256: "ab", Decision: Approve, Visibility: Internal}},
	}
	n.Seal(evs)
	for _, e := range evs {
		if err := n.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := n.Records()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Restore(Stored{ID: "n-1", Records: recs, Heads: n.Heads})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(n.Snapshot("US", nil))
	b, _ := json.Marshal(back.Snapshot("US", nil))
	if string(a) != string(b) {
		t.Errorf("restored snapshot differs:\n%s\n%s", a, b)
	}
	if r := back.Readiness(); r.OpenIssues != 1 || r.Status != StatusNegotiating || r.Approvals["SG"].Approved != 1 {
		t.Errorf("restored readiness %+v", r)
	}
}
