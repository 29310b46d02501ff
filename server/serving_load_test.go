package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mra/diff/difftest"
	"mra/server"
	"mra/server/servertest"
)

// sessionCookie is c's session cookie, as a request header line.
func sessionCookie(t *testing.T, c *servertest.Client) string {
	u, _ := url.Parse(c.W.URL())
	for _, ck := range c.HC.Jar.Cookies(u) {
		if ck.Name == "mra_session" {
			return "Cookie: mra_session=" + ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// closedWithin reports whether the server ends conn (EOF, reset, or an
// answer then EOF) within d.
func closedWithin(conn net.Conn, d time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	ne, ok := err.(net.Error)
	return !(ok && ne.Timeout())
}

// Requests without a session have short deadlines; with one, long ones: a
// slow proposal and a slow reader of a 3 MB version both finish, well past
// the anonymous deadlines, and a WebSocket outlives them all.
func TestServingTimeouts(t *testing.T) {
	// The anonymous write deadline also bounds the test's own login, whose
	// argon2id takes 150 ms under -race and several times that on a loaded
	// CI machine (at 500 ms the login was cut there, once, with EOF).
	const header, read, write = 300 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second
	w := servertest.New(t, servertest.Options{
		Serving: &server.Serving{HeaderTimeout: header, ReadTimeout: read, WriteTimeout: write, SessionTimeout: time.Minute, IdleTimeout: read},
		// small fixed socket buffers, so a 3 MB answer cannot sit in the
		// kernel while its reader stalls: the server's writes wait
		Listen: func(ln net.Listener) net.Listener { return smallBuffers{ln} },
	})
	addr := strings.TrimPrefix(w.URL(), "http://")
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("slow headers", func(t *testing.T) {
		c := dial()
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n")
		if !closedWithin(c, 5*time.Second) {
			t.Error("a connection stuck in its headers was held")
		}
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		c := dial()
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
		br := bufio.NewReader(c)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		res, err := http.ReadResponse(br, nil)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("healthz: %v %v", res, err)
		}
		io.Copy(io.Discard, res.Body)
		start := time.Now()
		if !closedWithin(c, 5*time.Second) || time.Since(start) < read/2 {
			t.Errorf("an idle connection was closed after %v (idle timeout %v)", time.Since(start), read)
		}
	})
	t.Run("slow anonymous body", func(t *testing.T) {
		c := dial()
		io.WriteString(c, "POST /api/login HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"user\":")
		if !closedWithin(c, 5*time.Second) {
			t.Error("a login with a stalled body was held")
		}
	})

	us := w.Login("us-neg")
	cookie := sessionCookie(t, us)
	neg := us.Create(1)
	big := difftest.Agreement(2000).New
	us.Propose(neg, 0, big)

	t.Run("slow proposal with a session", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"type": "propose_version", "id": w.NextID(), "negotiation": neg, "base": 1, "text": servertest.Text1, "note": "slow"})
		c := dial()
		fmt.Fprintf(c, "POST /api/command HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s\r\nContent-Length: %d\r\n\r\n", addr, cookie, len(body))
		start := time.Now()
		for chunk := range slicesChunk(body, len(body)/8+1) {
			time.Sleep(200 * time.Millisecond)
			if _, err := c.Write(chunk); err != nil {
				t.Fatalf("after %v: %v", time.Since(start), err)
			}
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("after %v: %v", time.Since(start), err)
		}
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(string(b), `"version":2`) {
			t.Errorf("slow proposal (%v): %d %s", time.Since(start), res.StatusCode, b)
		}
	})
	t.Run("slow reader of a 3 MB version", func(t *testing.T) {
		c := dial()
		c.(*net.TCPConn).SetReadBuffer(64 << 10)
		fmt.Fprintf(c, "GET /api/negotiations/%s/versions/1 HTTP/1.1\r\nHost: %s\r\n%s\r\nConnection: close\r\n\r\n", neg, addr, cookie)
		start := time.Now()
		c.SetReadDeadline(time.Now().Add(time.Minute))
		// a reader that stalls past the anonymous write deadline, then
		// takes the rest
		got := make([]byte, 8<<10)
		n, _ := io.ReadFull(c, got)
		got = got[:n]
		time.Sleep(3 * write)
		rest, _ := io.ReadAll(c)
		got = append(got, rest...)
		took := time.Since(start)
		res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(got))), nil)
		if err != nil {
			t.Fatalf("after %v, %d bytes: %v", took, len(got), err)
		}
		var v struct{ Text string }
		if err := json.NewDecoder(res.Body).Decode(&v); err != nil || v.Text != big {
			t.Errorf("after %v: %d bytes, %v", took, len(got), err)
		}
		if took < 2*write {
			t.Logf("the read took %v only: the write deadline was not tested", took)
		}
	})
	t.Run("socket", func(t *testing.T) {
		s := us.Dial(t)
		time.Sleep(2 * (read + write))
		s.Subscribe(neg, 0, 0)
	})
}

type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(64 << 10)
	}
	return c, err
}

func slicesChunk(b []byte, n int) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			k := min(n, len(b))
			if !yield(b[:k]) {
				return
			}
			b = b[k:]
		}
	}
}

// slowBodies opens n connections that each send a login's headers and one
// byte of its 60 KB body, then stall; close ends them.
func slowBodies(t testing.TB, addr string, n int, header ...string) (conns []net.Conn, closeAll func()) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				return
			}
			io.WriteString(c, "POST /api/login HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n"+
				strings.Join(append(header, ""), "\r\n")+"\r\n{")
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return conns, func() {
		for _, c := range conns {
			c.Close()
		}
	}
}

// 2,000 slow login bodies on loopback: the server holds at most its bounds
// of connections without a session (the rest are answered rate_limited and
// closed, unread), and /healthz and a logged-in user still get answers.
func TestServingSlowBodyFlood(t *testing.T) {
	const waiting, anonymous, flood = 100, 50, 2000
	w := servertest.New(t, servertest.Options{Serving: &server.Serving{
		MaxWaiting: waiting, MaxAnonymous: anonymous,
		HeaderTimeout: time.Minute, ReadTimeout: time.Minute, // only the bounds act here
	}})
	us := w.Login("us-neg")
	addr := strings.TrimPrefix(w.URL(), "http://")
	conns, closeAll := slowBodies(t, addr, flood)
	defer closeAll()
	if len(conns) < flood*9/10 {
		t.Fatalf("only %d of %d connections opened", len(conns), flood)
	}
	deadline := time.Now().Add(10 * time.Second)
	open, _, _ := w.Srv.ConnStats()
	for open > waiting+anonymous+10 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		open, _, _ = w.Srv.ConnStats()
	}
	if open > waiting+anonymous+10 {
		t.Errorf("the server holds %d connections under %d slow bodies; bound %d", open, len(conns), waiting+anonymous)
	}
	// A fresh client: /healthz answers; a logged-in user works.
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := hc.Get(w.URL() + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz under the flood: %v %v", res, err)
	}
	res.Body.Close()
	us.HC.Transport = &http.Transport{DisableKeepAlives: true}
	us.HC.Timeout = 5 * time.Second
	neg := us.Create(1)
	if status, _ := us.Get("/api/negotiations/" + neg); status != 200 {
		t.Errorf("a logged-in user under the flood: %d", status)
	}
	// And a stalled login body holds its slot only: the others were told.
	told := 0
	for _, c := range conns[:200] {
		if closedWithin(c, 50*time.Millisecond) {
			told++
		}
	}
	if told < 200-waiting-anonymous {
		t.Errorf("%d of 200 slow bodies were closed", told)
	}
}

// Connections stuck in their headers beyond MaxWaiting: the oldest are
// closed at once (not after the header timeout), and a new client is served.
func TestServingWaitingBound(t *testing.T) {
	const waiting = 10
	w := servertest.New(t, servertest.Options{Serving: &server.Serving{MaxWaiting: waiting, HeaderTimeout: time.Minute}})
	addr := strings.TrimPrefix(w.URL(), "http://")
	var conns []net.Conn
	for range 50 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n")
		conns = append(conns, c)
	}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := hc.Get(w.URL() + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz past the bound: %v %v", res, err)
	}
	res.Body.Close()
	closed := 0
	for _, c := range conns {
		if closedWithin(c, 100*time.Millisecond) {
			closed++
		}
	}
	if closed < 50-waiting {
		t.Errorf("%d of 50 connections stuck in their headers were closed; bound %d", closed, waiting)
	}
	open, waitingNow, evicted := w.Srv.ConnStats()
	for end := time.Now().Add(2 * time.Second); open > waiting+1 && time.Now().Before(end); {
		time.Sleep(20 * time.Millisecond) // the closed ones' goroutines are ending
		open, waitingNow, evicted = w.Srv.ConnStats()
	}
	if open > waiting+1 || waitingNow > waiting || evicted < 50-waiting {
		t.Errorf("open %d, waiting %d, evicted %d", open, waitingNow, evicted)
	}
}

// One client's slow bodies take at most its address's share of the
// anonymous slots: a login from another address (behind a trusted proxy
// here, as loopback is one address) still gets in during the flood.
func TestServingSlowBodiesLeaveLoginsFromElsewhere(t *testing.T) {
	w := servertest.New(t, servertest.Options{Serving: &server.Serving{
		MaxAnonymous: 50, MaxAnonymousPerAddr: 10, ReadTimeout: time.Minute,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	}})
	addr := strings.TrimPrefix(w.URL(), "http://")
	_, closeAll := slowBodies(t, addr, 500, "X-Forwarded-For: 203.0.113.66")
	defer closeAll()
	res := rawRequest(t, w.URL(), loginRequest(addr, "us-neg", servertest.Password, "X-Forwarded-For: 198.51.100.1"))
	if res.StatusCode != 200 {
		t.Errorf("a login from elsewhere during the flood: %d", res.StatusCode)
	}
	res = rawRequest(t, w.URL(), loginRequest(addr, "us-neg", servertest.Password, "X-Forwarded-For: 203.0.113.66"))
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a login from the flooding address: %d", res.StatusCode)
	}
}
