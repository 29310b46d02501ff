package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mra/server/mra"
	"mra/server/servertest"
)

// noteBodies returns the first message body of every thread of a
// negotiation, as a colleague reads them over HTTP.
func noteBodies(c *servertest.Client, neg string) map[string]bool {
	out := map[string]bool{}
	for _, th := range c.Snapshot(neg).Threads {
		if len(th.Messages) > 0 {
			out[th.Messages[0].Body] = true
		}
	}
	return out
}

// stalledAfterEnd fills the send path of a socket whose client never reads
// (so the server's writer is stuck on a frame), keeps sending comments on
// it, ends its session with end, and returns the index of the first comment
// sent after end returned, how long after that the socket was found closed
// (a write failing), and how many comments were sent in all.
func stalledAfterEnd(t *testing.T, w *servertest.World, user mra.UserID, end func(c *servertest.Client)) (first int, closedAfter time.Duration, sent int) {
	t.Helper()
	c := w.Login(user)
	obs := w.Login("us-neg") // a colleague who reads what was applied
	neg := obs.Create(1)
	obs.Propose(neg, 0, servertest.Text1)
	ws := c.DialStalled(t)
	ws.WriteJSON(map[string]any{"id": "sub", "type": "subscribe", "negotiation": neg})

	// 320 comments of 19 KB: 6 MB of events the client never reads, more
	// than the kernel's buffers hold, so the server's writer is stuck.
	big := strings.Repeat("a long remark ", 1350)
	const prefill = 320
	for i := range prefill {
		cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
		cmd["id"], cmd["body"] = fmt.Sprintf("pre-%d", i), fmt.Sprintf("pre:%d %s", i, big)
		if err := ws.WriteJSON(cmd); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); len(noteBodies(obs, neg)) < prefill; {
		if time.Now().After(deadline) {
			t.Fatalf("the %d comments were not applied", prefill)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Now comments go on being sent while the session ends.
	var ended atomic.Bool
	var endedAt time.Time
	first = -1
	done := make(chan struct{})
	var failedAt time.Time
	go func() {
		defer close(done)
		stop := time.Now().Add(15 * time.Second)
		for i := 0; time.Now().Before(stop); i++ {
			after := ended.Load()
			if after && first < 0 {
				first = i
			}
			cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
			cmd["id"], cmd["body"] = fmt.Sprintf("n-%d", i), fmt.Sprintf("n:%d", i)
			ws.SetWriteDeadline(stop)
			if err := ws.WriteJSON(cmd); err != nil {
				failedAt = time.Now()
				sent = i
				return
			}
			sent = i + 1
			if !after {
				time.Sleep(2 * time.Millisecond)
			}
		}
	}()
	time.Sleep(300 * time.Millisecond)
	end(c)
	endedAt = time.Now()
	ended.Store(true)
	<-done
	if failedAt.IsZero() {
		t.Fatalf("the socket still took commands 15 s after its session ended (%d sent)", sent)
	}
	return first, failedAt.Sub(endedAt), sent
}

// checkNoneAfter fails if a comment numbered first or later was applied.
func checkNoneAfter(t *testing.T, w *servertest.World, first, sent int) {
	t.Helper()
	if first < 0 {
		t.Fatal("no comment was sent after the session ended")
	}
	time.Sleep(time.Second) // whatever was still to be applied, would be by now
	obs := w.Login("us-neg")
	var list struct {
		Negotiations []struct {
			ID string `json:"id"`
		} `json:"negotiations"`
	}
	obs.GetJSON("/api/negotiations", &list)
	applied, late := 0, 0
	for _, n := range list.Negotiations {
		for body := range noteBodies(obs, n.ID) {
			var k int
			if _, err := fmt.Sscanf(body, "n:%d", &k); err != nil {
				continue
			}
			applied++
			if k >= first {
				late++
			}
		}
	}
	if late > 0 {
		t.Errorf("%d comments sent after the session ended were applied (%d of %d applied in all; first sent after: %d)", late, applied, sent, first)
	}
}

// TestLogoutStopsAStalledSocket: a socket whose client has stopped reading
// applies no command sent after logout answered 204, and is closed at once.
func TestLogoutStopsAStalledSocket(t *testing.T) {
	w := servertest.New(t, servertest.Options{QueueBytes: 256 << 20, Stall: time.Minute}) // never dropped as slow
	first, closedAfter, sent := stalledAfterEnd(t, w, "us-neg", func(c *servertest.Client) {
		if status, body := c.Post("/api/logout", map[string]any{}); status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", status, body)
		}
	})
	t.Logf("cut %v after logout answered", closedAfter)
	if closedAfter > 2*time.Second {
		t.Errorf("the socket was still open %v after logout", closedAfter)
	}
	checkNoneAfter(t, w, first, sent)
}

// TestEndSessionsStopsEverySocket: ending a user's sessions (what
// disable_user does) cuts each of their sockets at once, a stalled one
// included, applies nothing sent after, and leaves other users' sessions.
func TestEndSessionsStopsEverySocket(t *testing.T) {
	w := servertest.New(t, servertest.Options{QueueBytes: 256 << 20, Stall: time.Minute})
	second := w.Login("us-legal").Dial(t) // another session of the same user, reading
	colleague := w.Login("us-neg")
	first, closedAfter, sent := stalledAfterEnd(t, w, "us-legal", func(*servertest.Client) {
		if err := w.Srv.EndSessions("us-legal"); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("cut %v after the sessions ended", closedAfter)
	if closedAfter > 2*time.Second {
		t.Errorf("the socket was still open %v after the sessions ended", closedAfter)
	}
	select {
	case code := <-second.Closed:
		if code != websocket.ClosePolicyViolation {
			t.Errorf("the other session's socket closed with %d, want 1008", code)
		}
	case <-time.After(2 * time.Second):
		t.Error("the user's other socket outlived its session")
	}
	checkNoneAfter(t, w, first, sent)
	if status, _ := colleague.Get("/api/me"); status != http.StatusOK {
		t.Errorf("a colleague's session ended too: %d", status)
	}
	if status, _ := w.Login("us-legal").Get("/api/me"); status != http.StatusOK {
		t.Errorf("the user cannot log in again: %d", status) // disabling is disable_user's, not this
	}
}

// TestExpiredSessionAppliesNothing: the session is checked for every
// command a socket reads: once it has expired, a command sent on a socket
// opened before is not applied, and the socket is cut.
func TestExpiredSessionAppliesNothing(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	s := us.Dial(t)
	id := s.Send(servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared))
	s.Must(servertest.AnswerTo(id), "the first comment's ack")
	w.SetNow(time.Now().Add(13 * time.Hour)) // past the 12 hours of the session
	cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
	cmd["body"] = "after expiry"
	s.Send(cmd)
	select {
	case code := <-s.Closed:
		if code != websocket.ClosePolicyViolation {
			t.Errorf("closed with %d, want 1008", code)
		}
	case <-time.After(2 * time.Second):
		t.Error("a socket of an expired session took a command and stayed open")
	}
	fresh := w.Login("us-neg")
	if bodies := noteBodies(fresh, neg); len(bodies) != 1 || bodies["after expiry"] {
		t.Errorf("threads after the expiry: %v", bodies)
	}
}

// TestShutdownCutsAStalledSocket: shutting down gives a socket whose client
// does not read a moment to take what is queued, then cuts it: Close does
// not wait out the write deadline.
func TestShutdownCutsAStalledSocket(t *testing.T) {
	w := servertest.New(t, servertest.Options{QueueBytes: 256 << 20, Stall: time.Minute})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	ws := w.Login("sg-neg").DialStalled(t)
	ws.WriteJSON(map[string]any{"id": "sub", "type": "subscribe", "negotiation": neg})
	time.Sleep(200 * time.Millisecond)
	big := strings.Repeat("a long remark ", 1350)
	for i := range 320 { // 6 MB of events the client never reads
		cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
		cmd["body"] = fmt.Sprintf("%d %s", i, big)
		if a := us.Send(cmd); a.Type != "ack" {
			t.Fatalf("comment %d: %s", i, a.Raw)
		}
	}
	start := time.Now()
	w.Srv.Close()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("shutdown waited %v on a socket that does not read", took)
	}
}
