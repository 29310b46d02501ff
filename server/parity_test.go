package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"mra/server/mra"
	"mra/server/servertest"
)

// TestTransportsAgree: one parse and one set of limits: each command below
// gets the same answer over HTTP and over the socket (which stays open).
func TestTransportsAgree(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	comment := func(body string) string {
		c := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
		c["body"] = body
		b, _ := json.Marshal(c)
		return string(b[1 : len(b)-1]) // the members, to splice
	}
	tests := []struct {
		name string
		raw  string // members of the command object, without its id
		code mra.Code
	}{
		{"a 100 KB comment", comment(strings.Repeat("x", 100<<10)), mra.CodeTooLarge},
		{"a duplicate key", comment("ok") + `,"visibility":"internal"`, mra.CodeBadRequest},
		{"a key differing in case", comment("ok") + `,"Visibility":"internal"`, mra.CodeBadRequest},
		{"a lone surrogate beside a spelled U+FFFD", strings.Replace(comment(`\ud800 and \ufffd`), `\\`, `\`, -1), mra.CodeBadRequest},
		{"a lone low surrogate", strings.Replace(comment(`x \udc00 y`), `\\`, `\`, -1), mra.CodeBadRequest},
	}
	s := us.Dial(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := w.NextID()
			raw := `{"id":"` + id + `",` + tt.raw + `}`
			status, body := us.Post("/api/command", []byte(raw))
			var a servertest.Answer
			json.Unmarshal(body, &a)
			if a.Type != "error" || a.Error.Code != tt.code || status != httpStatus(tt.code) || a.ID != id {
				t.Errorf("over HTTP: %d %.200s, want %s", status, body, tt.code)
			}
			if err := s.WS.WriteMessage(websocket.TextMessage, []byte(raw)); err != nil {
				t.Fatal(err)
			}
			m := s.Must(servertest.AnswerTo(id), "an answer")
			if m.Type != "error" || m.Error.Code != tt.code {
				t.Errorf("over the socket: %.200s, want %s", m.Raw, tt.code)
			}
		})
	}
	// Nothing was made, and the socket still works.
	if n := len(us.Snapshot(neg).Threads); n != 0 {
		t.Errorf("%d threads made by refused commands", n)
	}
	s.Subscribe(neg, 0, 0)
	// A proposed text may pass 64 KiB on both transports.
	big := strings.Repeat("A long article. ", 8000)
	id := s.Send(map[string]any{"type": "propose_version", "negotiation": neg, "base": 1, "text": big})
	if m := s.Must(servertest.AnswerTo(id), "the proposal's answer"); m.Type != "ack" {
		t.Errorf("a 128 KB proposal over the socket: %.200s", m.Raw)
	}
}

func httpStatus(c mra.Code) int {
	switch c {
	case mra.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case mra.CodeBadRequest:
		return http.StatusBadRequest
	}
	return 0
}
