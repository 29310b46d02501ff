package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"mra/server/mra"
	"mra/server/servertest"
)

// FuzzExecute sends any bytes as a command through the real command path on
// a real database: the answer is always JSON with a contract code, and an
// error never changes anything.
func FuzzExecute(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","type":"comment","negotiation":"NEG","version":1,"kind":"open_issue","visibility":"shared","body":"b","start":0,"end":7,"quote":"Article"}`,
		`{"id":"2","type":"propose_version","negotiation":"NEG","base":1,"text":"x"}`,
		`{"id":"3","type":"concur","negotiation":"NEG","thread":"t-x"}`,
		`{"id":"4","type":"sign_off","negotiation":"NEG","version":1,"sha256":"00","decision":"approve"}`,
		`{"id":"5","type":"comment","negotiation":"NEG","version":1e400}`,
		`{"id":"6","type":"reply","negotiation":"NEG","thread":"t","body":"\ud800"}`,
		"{\"id\":\"7\",\"type\":\"reply\",\"body\":\"\xff\"}",
		`{"id":"8","type":"comment","negotiation":"NEG","version":1,"kind":"note","visibility":"shared","body":"b","start":-3,"end":99999999999999999999,"quote":"x"}`,
		`{"id":"9","type":"create_negotiation","title":"","parties":null}`,
		`{"id":"10","type":"add_user","user":{"id":"x","party":"US","roles":["legal"]}}`,
		`{"id":"11","type":"change_password","old":"x","new":"a long new password"}`,
		`{"id":"12","type":"schedule_review","negotiation":"NEG","due":"2027-06-30"}`,
		`{"id":"13","type":"create_negotiation","title":"t","parties":["US","SG"],"amends":"NEG"}`,
		`not json`, `{"type":"reply"}`, `{"id":["x"],"type":"reply"}`,
	} {
		f.Add(s)
	}
	w := servertest.New(f, servertest.Options{})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	var user mra.User
	for _, u := range servertest.Users {
		if u.ID == "us-neg" {
			user = u
		}
	}
	count := func() int {
		n := 0
		for _, key := range []mra.StreamKey{mra.SharedStream, mra.InternalStream("US")} {
			evs, err := w.Bolt.Events(mra.NegotiationID(neg), key, 0, 0, 0)
			if err != nil {
				f.Fatal(err)
			}
			n += len(evs)
		}
		return n
	}
	f.Fuzz(func(t *testing.T, raw string) {
		raw = strings.ReplaceAll(raw, "NEG", neg)
		before := count()
		answer, code := w.Srv.Execute(user, []byte(raw))
		var a struct {
			Type  string     `json:"type"`
			Error *mra.Error `json:"error"`
		}
		if err := json.Unmarshal(answer, &a); err != nil {
			t.Fatalf("answer is not JSON: %q", answer)
		}
		if code == "" {
			if a.Type != "ack" {
				t.Fatalf("no code but answer %s", answer)
			}
			return // a valid command did what it says
		}
		if a.Type != "error" || a.Error == nil || a.Error.Code != code || code == mra.CodeInternal {
			t.Fatalf("answer %s with code %q", answer, code)
		}
		if after := count(); after != before {
			t.Fatalf("an error answer (%s) changed the log: %d events, then %d", code, before, after)
		}
	})
}
