package servertest

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mra/server/mra"
)

// Sock is a real gorilla WebSocket client; a reader goroutine queues what
// arrives.
type Sock struct {
	T      testing.TB
	WS     *websocket.Conn
	In     chan Msg
	Closed chan int // the close code the server sent, once
	Name   string
	ids    *atomic.Int64
}

// Msg is one message from the server, decoded loosely.
type Msg struct {
	Type        string          `json:"type"`
	ID          string          `json:"id"`
	Negotiation string          `json:"negotiation"`
	Stream      string          `json:"stream"`
	Seq         uint64          `json:"seq"`
	Kind        string          `json:"kind"`
	Party       string          `json:"party"`
	Data        json.RawMessage `json:"data"`
	Result      json.RawMessage `json:"result"`
	Error       *mra.Error      `json:"error"`
	Readiness   *mra.Readiness  `json:"readiness"`
	Users       []struct {
		User  string     `json:"user"`
		Party string     `json:"party"`
		Focus *mra.Focus `json:"focus"`
	} `json:"users"`
	Raw string `json:"-"`
}

// WSURL is the world's socket address.
func (w *World) WSURL() string { return "ws" + strings.TrimPrefix(w.URL(), "http") + "/ws" }

// Dial opens a socket as c.
func (c *Client) Dial(t testing.TB) *Sock {
	t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(c.url(), "http")+"/ws", c.Header())
	if err != nil {
		t.Fatalf("dial as %s: %v (%v)", c.User, err, res)
	}
	s := NewSock(t, ws, string(c.User))
	s.ids = c.ids
	return s
}

// StalledDialer dials with a tiny receive buffer (4 KiB, asked for before
// connecting), for a client that never reads: past the kernel's buffers,
// what the server writes to it waits on the server's side.
func StalledDialer() *net.Dialer {
	return &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
}

// DialStalled opens a socket as c through StalledDialer; the test never
// reads it (it is closed at the test's end).
func (c *Client) DialStalled(t testing.TB) *websocket.Conn {
	t.Helper()
	dialer := websocket.Dialer{NetDialContext: StalledDialer().DialContext}
	ws, res, err := dialer.Dial("ws"+strings.TrimPrefix(c.url(), "http")+"/ws", c.Header())
	if err != nil {
		t.Fatalf("dial as %s: %v (%v)", c.User, err, res)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// NewSock reads ws into a Sock until it closes.
func NewSock(t testing.TB, ws *websocket.Conn, name string) *Sock {
	s := &Sock{T: t, WS: ws, In: make(chan Msg, 100000), Closed: make(chan int, 1), Name: name}
	ws.SetReadLimit(-1)
	go func() {
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				code := -1
				if ce, ok := err.(*websocket.CloseError); ok {
					code = ce.Code
				}
				s.Closed <- code
				close(s.In)
				return
			}
			var m Msg
			if err := json.Unmarshal(b, &m); err != nil {
				t.Errorf("%s got a frame that is not JSON: %q", name, b)
			}
			m.Raw = string(b)
			s.In <- m
		}
	}()
	t.Cleanup(func() { ws.Close() })
	return s
}

// Send writes a command (with a fresh id unless it has one) and returns
// its id.
func (s *Sock) Send(cmd map[string]any) string {
	s.T.Helper()
	if _, ok := cmd["id"]; !ok {
		if s.ids == nil {
			s.ids = new(atomic.Int64)
		}
		cmd["id"] = fmt.Sprintf("ws-%d", s.ids.Add(1))
	}
	if err := s.WS.WriteJSON(cmd); err != nil {
		s.T.Fatal(err)
	}
	return cmd["id"].(string)
}

// Next returns the next message that matches, within the timeout; others
// are passed over.
func (s *Sock) Next(match func(Msg) bool, within time.Duration) (Msg, bool) {
	deadline := time.After(within)
	for {
		select {
		case m, ok := <-s.In:
			if !ok {
				return Msg{}, false
			}
			if match(m) {
				return m, true
			}
		case <-deadline:
			return Msg{}, false
		}
	}
}

// Must returns the next message that matches within 10 s, or fails the test.
func (s *Sock) Must(match func(Msg) bool, what string) Msg {
	s.T.Helper()
	m, ok := s.Next(match, 10*time.Second)
	if !ok {
		s.T.Fatalf("%s never got %s", s.Name, what)
	}
	return m
}

// AnswerTo matches the answer to a command id.
func AnswerTo(id string) func(Msg) bool {
	return func(m Msg) bool { return (m.Type == "ack" || m.Type == "error") && m.ID == id }
}

// IsEvent matches an event of a kind.
func IsEvent(kind mra.EventKind) func(Msg) bool {
	return func(m Msg) bool { return m.Type == "event" && m.Kind == string(kind) }
}

// Subscribe subscribes and returns the events replayed before the ack, and
// the ack.
func (s *Sock) Subscribe(neg string, shared, internal uint64) ([]Msg, Msg) {
	s.T.Helper()
	id := s.Send(map[string]any{"type": "subscribe", "negotiation": neg, "since": map[string]uint64{"shared": shared, "internal": internal}})
	var replay []Msg
	for {
		m := s.Must(func(m Msg) bool { return m.Type == "event" || AnswerTo(id)(m) }, "the subscribe ack")
		if m.Type == "event" {
			replay = append(replay, m)
			continue
		}
		if m.Type != "ack" {
			s.T.Fatalf("subscribe: %s", m.Raw)
		}
		return replay, m
	}
}
