package mra

import (
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
