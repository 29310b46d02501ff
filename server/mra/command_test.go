package mra

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func commandSeeds(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","type":"comment","negotiation":"n-x","version":1,"kind":"note","visibility":"shared","body":"hi","start":0,"end":2,"quote":"Ar"}`,
		`{"id":"2","type":"propose_version","negotiation":"n-x","base":0,"text":"Article 1\r\n"}`,
		`{"id":"3","type":"create_negotiation","title":"t","parties":["US","SG"],"required_approvals":2}`,
		`{"id":"4","type":"sign","negotiation":"n-x","version":1e400,"sha256":"ab"}`,
		`{"id":"5","type":"reply","body":"\ud800"}`,
		`{"id":"6","type":"subscribe","negotiation":"n-x","since":{"shared":3,"internal":-1}}`,
		`{"id":7,"type":"reply"}`,
		`{"id":"8","type":"add_user","user":{"id":"alice","name":"A","party":"US","roles":["legal"]}}`,
		`{"id":"9","type":"reset_password","user":"alice"}`,
		`{"id":"10","type":"add_user","user":7}`,
		`{"id":"11","type":"change_password","old":"a","new":"b","New":"c"}`,
		`{"id":"12","type":"add_party","party":{"id":"EX","name":"E"},"admin":{"id":"ex","roles":["admin"]}}`,
		`{"id":"13","type":"create_negotiation","title":"t","parties":["US","SG"],"amends":"n-x"}`,
		`{"id":"14","type":"schedule_review","negotiation":"n-x","due":"2027-06-30","body":"b"}`,
		`[1,2,3]`, `{"id":"x"`, "{\"id\":\"\xff\"}", `null`, `{"id":"","type":"reply"}`, `{} {}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzParseCommand: any bytes decode to a command or a bad_request, never a panic.
func FuzzParseCommand(f *testing.F) {
	commandSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCommand(b)
		if c == nil {
			t.Fatal("nil command")
		}
		if err != nil {
			if err.Code != CodeBadRequest || err.Message == "" {
				t.Fatalf("error %+v, want bad_request with a message", err)
			}
			if !utf8.ValidString(err.Message) {
				t.Fatalf("message is not UTF-8: %q", err.Message)
			}
			return
		}
		if n := utf8.RuneCountInString(c.ID); n < 1 || n > 64 {
			t.Fatalf("accepted id %q", c.ID)
		}
		if !c.Type.Mutating() && c.Type != CmdSubscribe && c.Type != CmdUnsubscribe && c.Type != CmdPresence {
			t.Fatalf("accepted type %q", c.Type)
		}
	})
}

// FuzzParseCommandLift: decoding a proposal's text in the strict pass gives
// what encoding/json gives, command and error alike, on any input (lift 0
// takes that path for every top-level text string).
func FuzzParseCommandLift(f *testing.F) {
	commandSeeds(f)
	for _, s := range []string{
		`{"id":"1","type":"propose_version","negotiation":"n-x","base":0,"text":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20ac\ud83d\ude00 \u0000x"}`,
		`{"id":"1","type":"propose_version","text":"x","te\u0078t":"y"}`,
		`{"id":"1","type":"propose_version","Text":"x"}`,
		`{"id":"1","type":"propose_version","text":"\udc00"}`,
		`{"id":"1","type":"propose_version","text":12,"base":"x"}`,
		`{"id":"1","type":"propose_version","base":"x","text":"long enough"}`,
		`{"id":"1","type":"propose_version","since":{"text":"not top level"},"text":"é"}`,
		`{"id":"1","type":"propose_version","text":"x"} 1`,
		`{"id":"1","type":"propose_version","text":"x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ferr := parseCommand(b, 0)
		slow, serr := parseCommand(b, len(b)+1)
		if !reflect.DeepEqual(fast, slow) || !reflect.DeepEqual(ferr, serr) {
			t.Fatalf("%q:\nlifted %+v %v\nslow   %+v %v", b, fast, ferr, slow, serr)
		}
	})
}

// TestParseCommandLiftsText: a proposal of the reference agreement's size
// decodes to exactly its text, escapes and all.
func TestParseCommandLiftsText(t *testing.T) {
	text := strings.Repeat("Article 1\r\n\t\"Customs\" — Zoll, 税关 😀 \\ / \u2028.\n\n", 20000)
	raw, err := json.Marshal(map[string]any{"id": "p-1", "type": "propose_version", "negotiation": "n-x", "base": 3, "text": text, "note": "n"})
	if err != nil {
		t.Fatal(err)
	}
	c, perr := ParseCommand(raw)
	if perr != nil {
		t.Fatal(perr)
	}
	if c.Text == nil || *c.Text != text || c.ID != "p-1" || c.Type != CmdProposeVersion || c.Base == nil || *c.Base != 3 || c.Note != "n" || c.Negotiation != "n-x" {
		t.Fatalf("got id %q type %q base %v note %q, text equal: %v", c.ID, c.Type, c.Base, c.Note, c.Text != nil && *c.Text == text)
	}
}
