package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mra/server/mra"
	"mra/server/servertest"
)

func TestSocketLiveAndIsolated(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	a, b := us.Dial(t), sg.Dial(t)
	replay, ack := a.Subscribe(neg, 0, 0)
	if len(replay) != 2 || replay[0].Kind != "negotiation_created" || replay[1].Kind != "version_proposed" {
		t.Fatalf("replay: %+v", replay)
	}
	var heads struct {
		Heads map[string]uint64 `json:"heads"`
	}
	json.Unmarshal(ack.Result, &heads)
	if heads.Heads["shared"] != 2 || heads.Heads["internal"] != 0 {
		t.Errorf("heads %v", heads.Heads)
	}
	b.Subscribe(neg, 2, 0)

	// A comment over the socket reaches the other party; the answer is the
	// same JSON as over HTTP.
	cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)
	id := a.Send(cmd)
	got := b.Must(servertest.IsEvent("thread_opened"), "the comment")
	if got.Stream != "shared" || got.Seq != 3 {
		t.Errorf("event %s", got.Raw)
	}
	st := b.Must(func(m servertest.Msg) bool { return m.Type == "status" }, "a status after an open issue opened")
	if st.Readiness == nil || st.Readiness.OpenIssues != 1 || st.Readiness.Status != mra.StatusNegotiating {
		t.Errorf("status %s", st.Raw)
	}
	wsAnswer := a.Must(servertest.AnswerTo(id), "the ack")
	httpAnswer := us.Send(cmd) // the same id again, over HTTP
	if wsAnswer.Raw != string(httpAnswer.Raw) {
		t.Errorf("socket answered %s, HTTP %s", wsAnswer.Raw, httpAnswer.Raw)
	}

	// An internal note reaches US's sockets only.
	note := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Internal)
	note["body"] = "US only: our statute"
	a.Send(note)
	in := a.Must(servertest.IsEvent("thread_opened"), "the internal note")
	if in.Stream != "internal" || in.Party != "US" || in.Seq != 1 {
		t.Errorf("internal event %s", in.Raw)
	}
	// SG sees the next shared event, and nothing internal before it.
	a.Send(map[string]any{"type": "reply", "negotiation": neg, "thread": threadID(t, got), "body": "shared reply"})
	for {
		m := b.Must(func(m servertest.Msg) bool { return m.Type == "event" }, "the reply")
		if strings.Contains(m.Raw, "US only") || m.Stream == "internal" {
			t.Fatalf("SG received %s", m.Raw)
		}
		if m.Kind == "reply_added" {
			break
		}
	}
}

func threadID(t *testing.T, m servertest.Msg) string {
	var d struct {
		Thread string `json:"thread"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil || d.Thread == "" {
		t.Fatalf("no thread in %s", m.Raw)
	}
	return d.Thread
}

// TestSocketReplayAfterDisconnect: a client that drops and comes back with
// since gets exactly what it missed while another client kept writing.
func TestSocketReplayAfterDisconnect(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)

	writer := us.Dial(t)
	writer.Subscribe(neg, 0, 0)
	const total = 120
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // keeps writing through the reader's disconnect and return
		defer wg.Done()
		for i := 0; i < total; i++ {
			cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
			cmd["body"] = fmt.Sprintf("note %d", i)
			id := writer.Send(cmd)
			if m, ok := writer.Next(servertest.AnswerTo(id), 10*time.Second); !ok || m.Type != "ack" {
				t.Errorf("comment %d: %+v", i, m)
				return
			}
		}
	}()

	seen := map[uint64]int{}
	var last uint64
	for round := 0; round < 4; round++ {
		reader := sg.Dial(t)
		replay, _ := reader.Subscribe(neg, last, 0)
		for _, m := range replay {
			seen[m.Seq]++
			last = max(last, m.Seq)
		}
		// Take some live events, then drop the connection mid-stream.
		for k := 0; k < 15; k++ {
			m, ok := reader.Next(func(m servertest.Msg) bool { return m.Type == "event" }, 3*time.Second)
			if !ok {
				break
			}
			if m.Seq != last+1 {
				t.Fatalf("round %d: live seq %d after %d", round, m.Seq, last)
			}
			seen[m.Seq]++
			last = m.Seq
		}
		reader.WS.Close()
	}
	wg.Wait()
	reader := sg.Dial(t)
	replay, ack := reader.Subscribe(neg, last, 0)
	for _, m := range replay {
		if m.Seq != last+1 {
			t.Fatalf("final replay seq %d after %d", m.Seq, last)
		}
		seen[m.Seq]++
		last = m.Seq
	}
	var heads struct {
		Heads map[string]uint64 `json:"heads"`
	}
	json.Unmarshal(ack.Result, &heads)
	want := uint64(2 + total)
	if last != want || heads.Heads["shared"] != want {
		t.Errorf("ended at seq %d, heads %v; want %d", last, heads.Heads, want)
	}
	for seq := uint64(1); seq <= want; seq++ {
		if seen[seq] != 1 {
			t.Errorf("seq %d received %d times", seq, seen[seq])
		}
	}
}

func TestSocketPresence(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	a := us.Dial(t)
	a.Subscribe(neg, 0, 0)
	isPresence := func(n int) func(servertest.Msg) bool {
		return func(m servertest.Msg) bool { return m.Type == "presence" && len(m.Users) == n }
	}
	a.Must(isPresence(1), "its own presence")
	b := sg.Dial(t)
	b.Subscribe(neg, 0, 0)
	p := a.Must(isPresence(2), "SG joining")
	if p.Users[0].User != "sg-neg" || p.Users[0].Party != "SG" || p.Users[1].User != "us-neg" {
		t.Errorf("presence %s", p.Raw)
	}
	// A second tab of the same user counts once: it is told who is there,
	// and the room hears nothing new.
	b2 := sg.Dial(t)
	b2.Subscribe(neg, 0, 0)
	b2.Must(isPresence(2), "who is there, SG counted once")
	// Focus moves are told to everyone.
	id := b2.Send(map[string]any{"type": "presence", "negotiation": neg, "focus": map[string]int{"version": 1, "start": 10, "end": 20}})
	b2.Must(servertest.AnswerTo(id), "the presence ack")
	p = a.Must(func(m servertest.Msg) bool {
		return m.Type == "presence" && len(m.Users) == 2 && m.Users[0].Focus != nil && m.Users[0].Focus.Start == 10
	}, "SG's focus")
	// Leaving: the user is gone only when the last tab goes.
	b2.WS.Close()
	if m, ok := a.Next(isPresence(1), 300*time.Millisecond); ok {
		t.Errorf("SG left with one tab still open: %s", m.Raw)
	}
	id = b.Send(map[string]any{"type": "unsubscribe", "negotiation": neg})
	b.Must(servertest.AnswerTo(id), "the unsubscribe ack")
	a.Must(isPresence(1), "SG leaving")
	// Presence is not stored: no event was written.
	var ev struct {
		Events []json.RawMessage `json:"events"`
	}
	us.GetJSON("/api/negotiations/"+neg+"/events", &ev)
	if len(ev.Events) != 2 {
		t.Errorf("%d events after presence, want 2", len(ev.Events))
	}
	// Presence needs a subscription.
	c := us.Dial(t)
	id = c.Send(map[string]any{"type": "presence", "negotiation": neg})
	if m := c.Must(servertest.AnswerTo(id), "an error"); m.Error == nil || m.Error.Code != mra.CodeBadRequest {
		t.Errorf("presence without subscribing: %s", m.Raw)
	}
}

func TestSocketBadFrames(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	neg := us.Create(1)
	s := us.Dial(t)
	s.WS.WriteMessage(websocket.TextMessage, []byte(`{"id":"x","type":`))
	if m := s.Must(func(m servertest.Msg) bool { return m.Type == "error" }, "an error for malformed JSON"); m.Error.Code != mra.CodeBadRequest {
		t.Errorf("malformed: %s", m.Raw)
	}
	s.WS.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
	if m := s.Must(func(m servertest.Msg) bool { return m.Type == "error" }, "an error for a binary frame"); m.Error.Code != mra.CodeBadRequest {
		t.Errorf("binary: %s", m.Raw)
	}
	for _, bad := range []map[string]any{
		{"type": "subscribe", "negotiation": "n-nothing"},
		{"type": "frobnicate"},
		{"type": "unsubscribe", "negotiation": neg},
	} {
		id := s.Send(bad)
		if m := s.Must(servertest.AnswerTo(id), "an error"); m.Type != "error" {
			t.Errorf("%v answered %s", bad, m.Raw)
		}
	}
	// The connection is still good.
	replay, _ := s.Subscribe(neg, 0, 0)
	if len(replay) != 1 {
		t.Errorf("replay after bad frames: %d events", len(replay))
	}
	// A frame over 16 MiB: too_large, then a 1009 close.
	big := `{"id":"big","type":"reply","body":"` + strings.Repeat("x", 16<<20) + `"}`
	s.WS.WriteMessage(websocket.TextMessage, []byte(big))
	if m := s.Must(func(m servertest.Msg) bool { return m.Type == "error" }, "too_large"); m.Error.Code != mra.CodeTooLarge {
		t.Errorf("big frame: %s", m.Raw)
	}
	select {
	case code := <-s.Closed:
		if code != websocket.CloseMessageTooBig {
			t.Errorf("closed with %d, want 1009", code)
		}
	case <-time.After(5 * time.Second):
		t.Error("not closed after a frame over the limit")
	}
}

func TestSocketRefusals(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	_, res, err := websocket.DefaultDialer.Dial(us.W.WSURL(), nil)
	if err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("no session: %v %v", err, res)
	}
	h := us.Header()
	h.Set("Origin", "https://evil.example")
	_, res, err = websocket.DefaultDialer.Dial(us.W.WSURL(), h)
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: %v %v", err, res)
	}
	h.Set("Origin", "https://partner.example")
	ws, _, err := websocket.DefaultDialer.Dial(us.W.WSURL(), h)
	if err != nil {
		t.Errorf("allowed origin: %v", err)
	} else {
		ws.Close()
	}
}

func TestLogoutClosesSockets(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	s := us.Dial(t)
	other := w.Login("us-neg").Dial(t) // another session of the same user stays
	if status, _ := us.Post("/api/logout", map[string]any{}); status != http.StatusNoContent {
		t.Fatal("logout failed")
	}
	select {
	case code := <-s.Closed:
		if code != websocket.ClosePolicyViolation {
			t.Errorf("closed with %d, want 1008", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the socket outlived its session")
	}
	id := other.Send(map[string]any{"type": "unsubscribe", "negotiation": "n-x"})
	if _, ok := other.Next(servertest.AnswerTo(id), 5*time.Second); !ok {
		t.Error("another session's socket was closed too")
	}
}

// TestStalledSocket: a client that never reads is dropped when its queue
// fills, and never delays the others.
func TestStalledSocket(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	w.Stop()
	w.Opts.QueueBytes, w.Opts.Stall = 64<<10, 300*time.Millisecond
	w.Start()
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)

	// The stalled client asks the kernel for a tiny receive buffer before it
	// connects, and never reads: past the server's socket buffer (4 MiB at
	// most here), events pile up in its queue.
	stalled := sg.DialStalled(t)
	stalled.WriteJSON(map[string]any{"id": "s", "type": "subscribe", "negotiation": neg})

	reader := sg.Dial(t)
	reader.Subscribe(neg, 0, 0)
	writer := us.Dial(t)
	body := strings.Repeat("a long remark ", 1350) // about 19 KB an event
	var slowest time.Duration
	began := time.Now()
	for i := 0; i < 300 || time.Since(began) < time.Second; i++ { // past the stall time
		cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
		cmd["body"] = fmt.Sprintf("%d %s", i, body)
		start := time.Now()
		writer.Send(cmd)
		m := reader.Must(servertest.IsEvent("thread_opened"), "each comment")
		if !strings.Contains(m.Raw, fmt.Sprintf(`"body":"%d a long`, i)) {
			t.Fatalf("comment %d arrived as %.80s", i, m.Raw)
		}
		slowest = max(slowest, time.Since(start))
	}
	if slowest > 2*time.Second {
		t.Errorf("a comment took %v to reach a reading client", slowest)
	}
	// The stalled socket was closed by the server: reading it now ends in
	// its close, after whatever the kernel held: 1013 if the server could
	// still say why, else an abnormal end (1006), a reset or EOF.
	stalled.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		if _, _, err := stalled.ReadMessage(); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok && ce.Code != websocket.CloseTryAgainLater && ce.Code != websocket.CloseAbnormalClosure {
				t.Errorf("stalled socket closed with %d, want 1013", ce.Code)
			} else if !ok && !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "EOF") {
				t.Errorf("stalled socket: %v", err)
			}
			break
		}
	}
}

// TestCloseSaysGoingAway: shutting the server down closes every socket with
// 1001 and refuses new ones.
func TestCloseSaysGoingAway(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	s := us.Dial(t)
	w.Srv.Close()
	select {
	case code := <-s.Closed:
		if code != websocket.CloseGoingAway {
			t.Errorf("closed with %d, want 1001", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("socket still open after Close")
	}
	ws, _, err := websocket.DefaultDialer.Dial(us.W.WSURL(), us.Header())
	if err == nil {
		_, _, err = ws.ReadMessage()
		if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.CloseGoingAway {
			t.Errorf("a socket opened after Close: %v", err)
		}
		ws.Close()
	}
}

// TestSessionExpiryClosesSockets: a socket ends with its session.
func TestSessionExpiryClosesSockets(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	w.Stop()
	w.Opts.SessionTTL = 1500 * time.Millisecond
	w.Start()
	s := w.Login("us-neg").Dial(t)
	select {
	case code := <-s.Closed:
		if code != websocket.ClosePolicyViolation {
			t.Errorf("closed with %d, want 1008", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the socket outlived its session")
	}
}
