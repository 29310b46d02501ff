package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"mra/server"
	"mra/server/mra"
	"mra/server/servertest"
)

// rawRequest sends one HTTP/1.1 request as written, on its own connection,
// and returns the answer.
func rawRequest(t *testing.T, base, raw string) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(b))
	return res
}

func loginRequest(host, user, password string, header ...string) string {
	body, _ := json.Marshal(map[string]string{"user": user, "password": password})
	return fmt.Sprintf("POST /api/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n%s\r\n%s",
		host, len(body), strings.Join(append(header, ""), "\r\n"), body)
}

// Every API answer, success or error, is nosniff; a page path that is not
// UTF-8 is a 400, never a 500.
func TestServingNosniffAndInvalidPath(t *testing.T) {
	w := servertest.New(t, servertest.Options{Page: fstest.MapFS{"index.html": {Data: []byte("<p>page</p>")}}})
	c := w.Login("us-neg")
	host := strings.TrimPrefix(w.URL(), "http://")
	for _, p := range []string{"/api/me", "/api/negotiations", "/api/nothing", "/healthz", "/"} {
		for _, who := range []*http.Client{c.HC, http.DefaultClient} {
			res, err := who.Get(w.URL() + p)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s (%d): X-Content-Type-Options %q", p, res.StatusCode, got)
			}
		}
	}
	res := rawRequest(t, w.URL(), loginRequest(host, "us-neg", "wrong password"))
	if res.StatusCode != 401 || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("failed login: %d, nosniff %q", res.StatusCode, res.Header.Get("X-Content-Type-Options"))
	}
	for _, p := range []string{"/%ff", "/%c3%28.js", "/api/negotiations/%ff", "/static/%fe%fe"} {
		res := rawRequest(t, w.URL(), "GET "+p+" HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("GET %s: %d, want a 4xx", p, res.StatusCode)
		}
	}
}

// The Host header must name this server: a login through a name rebound to
// its address (DNS rebinding) is refused, with no cookie; IP addresses,
// localhost, the allowed and public origins' hosts are served; /healthz
// answers any name.
func TestServingHostCheck(t *testing.T) {
	w := servertest.New(t, servertest.Options{Serving: &server.Serving{PublicOrigins: []string{"https://mra.customs.example"}}})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(w.URL(), "http://"))
	for host, want := range map[string]int{
		"attacker.example:" + port:      403,
		"ATTACKER.example":              403,
		"127.0.0.1:" + port:             200,
		"[::1]:" + port:                 200,
		"localhost:" + port:             200,
		"mra.customs.example":           200,
		"MRA.customs.example.:443":      200,
		"partner.example:" + port:       200, // an --allowed-origin's host
		"customs.example:" + port:       403,
		"mra.customs.example.evil":      403,
		"127.0.0.1.nip.example:" + port: 403,
	} {
		res := rawRequest(t, w.URL(), loginRequest(host, "us-neg", servertest.Password))
		if res.StatusCode != want {
			t.Errorf("login with Host %q: %d, want %d", host, res.StatusCode, want)
		}
		if cookie := res.Header.Get("Set-Cookie"); want != 200 && cookie != "" {
			t.Errorf("login with Host %q set a cookie %q", host, cookie)
		}
		if want == 403 {
			var e struct{ Error mra.Error }
			json.NewDecoder(res.Body).Decode(&e)
			if e.Error.Code != mra.CodeForbidden {
				t.Errorf("login with Host %q: %+v", host, e)
			}
		}
	}
	res := rawRequest(t, w.URL(), "GET /healthz HTTP/1.1\r\nHost: probe.internal\r\nConnection: close\r\n\r\n")
	if res.StatusCode != 200 {
		t.Errorf("healthz by another name: %d", res.StatusCode)
	}
}

// Presence may only point at a version the negotiation has.
func TestPresenceFocusNeedsAVersion(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	a := us.Dial(t)
	a.Subscribe(neg, 0, 0)
	for v, ok := range map[int]bool{1: true, 2: false, 99: false, 1 << 30: false} {
		id := a.Send(map[string]any{"type": "presence", "negotiation": neg, "focus": map[string]int{"version": v, "start": 0, "end": 1}})
		m := a.Must(servertest.AnswerTo(id), "the presence answer")
		if ok != (m.Type == "ack") || !ok && (m.Error == nil || m.Error.Code != mra.CodeBadRequest) {
			t.Errorf("focus on version %d: %s", v, m.Raw)
		}
	}
}

// From a trusted proxy, X-Forwarded-Proto https makes the cookie Secure and
// X-Forwarded-For is the address the login limiter counts; from anyone
// else both headers are ignored.
func TestServingTrustedProxy(t *testing.T) {
	failLogins := func(w *servertest.World, n int, header ...string) (limited int) {
		host := strings.TrimPrefix(w.URL(), "http://")
		for i := range n {
			res := rawRequest(t, w.URL(), loginRequest(host, fmt.Sprintf("nobody-%d", i), "wrong password", header...))
			if res.StatusCode == http.StatusTooManyRequests {
				limited++
			}
		}
		return limited
	}
	cookieOf := func(w *servertest.World, header ...string) string {
		res := rawRequest(t, w.URL(), loginRequest(strings.TrimPrefix(w.URL(), "http://"), "us-neg", servertest.Password, header...))
		if res.StatusCode != 200 {
			t.Fatalf("login: %d", res.StatusCode)
		}
		return res.Header.Get("Set-Cookie")
	}

	t.Run("trusted", func(t *testing.T) {
		w := servertest.New(t, servertest.Options{Serving: &server.Serving{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}})
		// The clock stands still: a slow machine takes seconds for 36
		// hashes, and a bucket refilled meanwhile would let one through.
		w.SetNow(time.Now())
		if c := cookieOf(w, "X-Forwarded-Proto: https"); !strings.Contains(c, "Secure") {
			t.Errorf("cookie behind a TLS proxy: %q", c)
		}
		if c := cookieOf(w, "X-Forwarded-Proto: http"); strings.Contains(c, "Secure") {
			t.Errorf("cookie behind a plain proxy: %q", c)
		}
		// 30 failures are one address's burst (refilled one per 2 s): the
		// next ones from it are limited, one from another client behind the
		// same proxy is not.
		if n := failLogins(w, 36, "X-Forwarded-For: 198.51.100.9, 203.0.113.7"); n < 1 {
			t.Errorf("36 failures from one forwarded client: none limited")
		}
		if n := failLogins(w, 1, "X-Forwarded-For: 203.0.113.8"); n != 0 {
			t.Errorf("another forwarded client was limited")
		}
		// A chain through a second trusted proxy still names the client.
		if n := failLogins(w, 1, "X-Forwarded-For: 203.0.113.7, 127.0.0.2"); n != 1 {
			t.Errorf("the limited client through two proxies was not limited")
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		w := servertest.New(t, servertest.Options{Serving: &server.Serving{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}})
		w.SetNow(time.Now())
		if c := cookieOf(w, "X-Forwarded-Proto: https"); strings.Contains(c, "Secure") {
			t.Errorf("an untrusted X-Forwarded-Proto made the cookie Secure: %q", c)
		}
		// Every request claims another client: all count for 127.0.0.1.
		limited := 0
		host := strings.TrimPrefix(w.URL(), "http://")
		for i := range 36 {
			res := rawRequest(t, w.URL(), loginRequest(host, fmt.Sprintf("nobody-%d", i), "wrong password", fmt.Sprintf("X-Forwarded-For: 203.0.113.%d", i)))
			if res.StatusCode == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited < 1 {
			t.Errorf("36 failures with forged X-Forwarded-For: none limited")
		}
	})
}
