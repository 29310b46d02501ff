package server_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mra/server"
	"mra/server/mra"
	"mra/server/servertest"
)

// holdLarge starts a command whose body declares 16 MiB and sends only its
// first bytes: the server holds that much of the large bodies' budget for
// c's user while it waits for the rest. release ends the request.
func holdLarge(t *testing.T, c *servertest.Client) (release func()) {
	t.Helper()
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, c.W.URL()+"/api/command", pr)
	req.ContentLength = 16 << 20
	req.Header.Set("Content-Type", "application/json")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if res, err := c.HC.Do(req); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}()
	pw.Write([]byte(`{"id":"hold","type":"propose_version","text":"`))
	time.Sleep(300 * time.Millisecond) // the server has taken the budget and waits for the rest
	var once sync.Once
	release = func() { once.Do(func() { pw.CloseWithError(errors.New("gone")); <-done }) }
	t.Cleanup(release)
	return release
}

// largeCommand is a propose_version of 1 MiB on a base that is not the
// latest: read and parsed, then refused as a conflict (or not_found for a
// stranger), never applied.
func largeCommand(neg string) []byte {
	b, _ := json.Marshal(map[string]any{"id": "large", "type": "propose_version", "negotiation": neg, "base": 7,
		"note": "n", "text": strings.Repeat("word ", 1<<18)})
	return b
}

// TestLargeBodiesShareABudget: large bodies take their size from a budget
// per user (16 MiB) and overall (64 MiB). Past it a large command waits
// briefly and is then rate_limited, over HTTP and over the socket, while
// small commands and other users' large ones go on.
func TestLargeBodiesShareABudget(t *testing.T) {
	metrics := server.NewMetrics()
	w := servertest.New(t, servertest.Options{Metrics: metrics})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	code := func(c *servertest.Client) (mra.Code, time.Duration) {
		start := time.Now()
		status, body, err := c.TryPost("/api/command", largeCommand(neg))
		if err != nil {
			t.Error(err)
			return "", 0
		}
		var a servertest.Answer
		json.Unmarshal(body, &a)
		if a.Error == nil {
			return mra.Code(fmt.Sprint(status)), time.Since(start)
		}
		if a.Error.Code == mra.CodeRateLimited && status != http.StatusTooManyRequests {
			t.Errorf("rate_limited with status %d", status)
		}
		return a.Error.Code, time.Since(start)
	}

	// us-neg holds its own share: another user's large command goes on.
	holdLarge(t, us)
	sg := w.Login("sg-neg")
	if c, _ := code(sg); c != mra.CodeConflict {
		t.Errorf("SG's large command while US's is held: %s, want conflict", c)
	}
	// Three more users hold theirs: the server's 64 MiB are taken.
	holdLarge(t, w.Login("us-legal"))
	holdLarge(t, sg)
	lastHold := holdLarge(t, w.Login("sg-legal"))

	ex := w.Login("ex-neg")
	sock := w.Login("us-neg").Dial(t)
	var wg sync.WaitGroup
	check := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	// The user's own second large command waits, then is refused.
	check(func() {
		if c, took := code(us); c != mra.CodeRateLimited || took < time.Second {
			t.Errorf("a second large command of the same user: %s after %v, want rate_limited after a wait", c, took)
		}
	})
	// So does a large command when the server's budget is taken.
	check(func() {
		if c, _ := code(ex); c != mra.CodeRateLimited {
			t.Errorf("a large command past the server's budget: %s, want rate_limited", c)
		}
	})
	// And a large frame of the same user.
	check(func() {
		sock.WS.WriteMessage(websocket.TextMessage, largeCommand(neg))
		m, ok := sock.Next(func(m servertest.Msg) bool { return m.Type == "error" || m.Type == "ack" }, 10*time.Second)
		if !ok || m.Error == nil || m.Error.Code != mra.CodeRateLimited {
			t.Errorf("a large frame past the user's budget: %s", m.Raw)
		}
		// The socket goes on.
		id := sock.Send(map[string]any{"type": "unsubscribe", "negotiation": neg})
		if m, ok := sock.Next(servertest.AnswerTo(id), 5*time.Second); !ok || m.Error == nil || m.Error.Code != mra.CodeBadRequest {
			t.Errorf("the socket after a refused frame: %s", m.Raw)
		}
	})
	// A small command of the same user goes on meanwhile.
	check(func() {
		start := time.Now()
		a, err := us.TrySend(servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared))
		if err != nil || a.Type != "ack" || time.Since(start) > 2*time.Second {
			t.Errorf("a small command while large ones wait: %v %s after %v", err, a.Raw, time.Since(start))
		}
	})
	wg.Wait()
	// The three refusals are counted, as commands of no known type.
	rec := httptest.NewRecorder()
	metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if want := `mra_commands_total{code="rate_limited",type="other"} 3`; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("metrics lack %s:\n%s", want, grepLines(rec.Body.String(), "mra_commands_total"))
	}
	// One hold ends: a large command goes through again.
	lastHold()
	if c, _ := code(ex); c != mra.CodeNotFound {
		t.Errorf("a stranger's large command once the budget is free: %s, want not_found", c)
	}
}

// TestEventsStreamedInPages: the streamed events read answers as the
// buffered one did: at most 8 MiB of events (10,000 at most), "more" while
// there are others, every seq once and in order from since, across the
// store's pages.
func TestEventsStreamedInPages(t *testing.T) {
	if testing.Short() {
		t.Skip("real size")
	}
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	neg := bigHistory(t, us, 560) // about 10.7 MB: two answers
	var next uint64 = 1
	answers := 0
	for since := uint64(0); ; answers++ {
		status, body := us.Get(fmt.Sprintf("/api/negotiations/%s/events?stream=shared&since=%d", neg, since))
		var ev struct {
			Events []json.RawMessage `json:"events"`
			More   *bool             `json:"more"`
		}
		if err := json.Unmarshal(body, &ev); status != http.StatusOK || err != nil || ev.More == nil {
			t.Fatalf("events since %d: %d %v %.200s", since, status, err, body)
		}
		size := 0
		for _, raw := range ev.Events {
			var e struct {
				Seq uint64 `json:"seq"`
			}
			json.Unmarshal(raw, &e)
			if e.Seq != next {
				t.Fatalf("event %d where %d was due", e.Seq, next)
			}
			next++
			size += len(raw)
		}
		if size > 8<<20 || len(ev.Events) == 0 {
			t.Errorf("an answer of %d events, %d bytes", len(ev.Events), size)
		}
		if *ev.More && size+20000 < 8<<20 {
			t.Errorf("an answer of %d bytes says there is more, though another event would have fit", size)
		}
		if !*ev.More {
			break
		}
		since = next - 1
	}
	if answers != 1 || next-1 != 2+560 {
		t.Errorf("read %d events in %d answers after the first, want %d in 1", next-1, answers, 2+560)
	}
	// Since at the head: none, and no more.
	status, body := us.Get(fmt.Sprintf("/api/negotiations/%s/events?stream=shared&since=%d", neg, next-1))
	if status != http.StatusOK || string(body) != `{"events":[],"more":false}` {
		t.Errorf("events since the head: %d %s", status, body)
	}
}

// TestReadsShareABudget: a streamed events read holds a page of the reads'
// budget while it is written; a user with 8 reads stuck on clients that do
// not read has a 9th refused as rate_limited after a wait, while another
// user reads, and once those clients go the user reads again.
func TestReadsShareABudget(t *testing.T) {
	if testing.Short() {
		t.Skip("real size")
	}
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	neg := bigHistory(t, us, 560) // about 10.7 MB: more than the kernel buffers of a client that does not read
	path := "/api/negotiations/" + neg + "/events?stream=shared&since=0"
	u, _ := url.Parse(w.URL())
	var stuck []net.Conn
	for range 8 {
		conn, err := servertest.StalledDialer().Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\n\r\n", path, u.Host, us.Header().Get("Cookie"))
		stuck = append(stuck, conn)
	}
	time.Sleep(500 * time.Millisecond) // each handler is stuck writing its answer
	start := time.Now()
	status, body := us.Get(path)
	if status != http.StatusTooManyRequests || !strings.Contains(string(body), `"rate_limited"`) || time.Since(start) < time.Second {
		t.Errorf("a 9th read of the same user: %d %.100s after %v, want rate_limited after a wait", status, body, time.Since(start))
	}
	if status, _ := w.Login("sg-neg").Get(path); status != http.StatusOK {
		t.Errorf("another user's read meanwhile: %d", status)
	}
	for _, c := range stuck {
		c.Close()
	}
	time.Sleep(200 * time.Millisecond)
	if status, _ := us.Get(path); status != http.StatusOK {
		t.Errorf("a read once the stuck ones went: %d", status)
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
