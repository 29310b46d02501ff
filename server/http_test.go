package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"mra/server"
	"mra/server/boltstore"
	"mra/server/mra"
	"mra/server/servertest"
)

func TestLoginLogoutMe(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	c := w.Login("us-neg")
	res, err := c.HC.Get(c.W.URL() + "/api/me")
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		User map[string]any `json:"user"`
	}
	json.NewDecoder(res.Body).Decode(&me)
	res.Body.Close()
	if me.User["id"] != "us-neg" || me.User["party"] != "US" || me.User["name"] != "US Negotiator" || me.User["password_hash"] != nil {
		t.Errorf("me: %v", me.User)
	}

	// The cookie: HttpOnly, SameSite=Strict, Path=/.
	status, _, cookie := rawLogin(t, w, "us-neg", servertest.Password)
	if status != 200 || !strings.Contains(cookie, "mra_session=") || !strings.Contains(cookie, "HttpOnly") ||
		!strings.Contains(cookie, "SameSite=Strict") || !strings.Contains(cookie, "Path=/") {
		t.Errorf("login cookie %q", cookie)
	}

	// Wrong password and unknown user get the same 401.
	s1, b1, _ := rawLogin(t, w, "us-neg", "wrong password")
	s2, b2, _ := rawLogin(t, w, "nobody", "wrong password")
	if s1 != 401 || s2 != 401 || b1 != b2 {
		t.Errorf("wrong password: %d %s; unknown user: %d %s", s1, b1, s2, b2)
	}

	// Logout revokes the session on the server: the old cookie no longer works.
	old := c.HC.Jar.Cookies(res.Request.URL)
	if status, _ := c.Post("/api/logout", map[string]any{}); status != http.StatusNoContent {
		t.Fatalf("logout: %d", status)
	}
	req, _ := http.NewRequest("GET", c.W.URL()+"/api/me", nil)
	for _, ck := range old {
		req.AddCookie(ck)
	}
	res, _ = http.DefaultClient.Do(req)
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("me with a revoked session: %d", res.StatusCode)
	}
}

func rawLogin(t *testing.T, w *servertest.World, user, password string) (int, string, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"user": user, "password": password})
	res, err := http.Post(w.URL()+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header.Get("Set-Cookie")
}

func TestSessionExpires(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	c := w.Login("us-neg")
	later := time.Now().Add(13 * time.Hour)
	w.SetNow(later)
	if status, _ := c.Get("/api/me"); status != http.StatusUnauthorized {
		t.Errorf("me after the session expired: %d", status)
	}
}

func TestUnauthenticated(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	for _, p := range []struct{ method, path string }{
		{"GET", "/api/me"}, {"POST", "/api/logout"}, {"POST", "/api/command"}, {"GET", "/api/negotiations"},
		{"GET", "/api/negotiations/n-x"}, {"GET", "/api/negotiations/n-x/versions/1"},
		{"GET", "/api/negotiations/n-x/diff?from=1&to=2"}, {"GET", "/api/negotiations/n-x/events"},
	} {
		req, _ := http.NewRequest(p.method, w.URL()+p.path, strings.NewReader(`{"id":"1","type":"reply"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: "mra_session", Value: "forged"})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var a servertest.Answer
		json.NewDecoder(res.Body).Decode(&a)
		res.Body.Close()
		if res.StatusCode != 401 || a.Error == nil || a.Error.Code != mra.CodeUnauthenticated {
			t.Errorf("%s %s without a valid session: %d %+v", p.method, p.path, res.StatusCode, a.Error)
		}
	}
	if res, _ := http.Get(w.URL() + "/healthz"); res.StatusCode != 200 {
		t.Errorf("healthz: %d", res.StatusCode)
	}
}

func TestLoginRateLimited(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	w.SetNow(time.Now()) // no refill while the guesses are hashed
	limited := false
	for i := 0; i < 30 && !limited; i++ {
		status, body, _ := rawLogin(t, w, "sg-neg", "guess")
		if status == http.StatusTooManyRequests {
			limited = strings.Contains(body, "rate_limited")
		}
	}
	if !limited {
		t.Fatal("30 wrong passwords in a row were never rate limited")
	}
	// The right password is refused too while the limit holds.
	if status, _, _ := rawLogin(t, w, "sg-neg", servertest.Password); status != http.StatusTooManyRequests {
		t.Errorf("login during the limit: %d", status)
	}
	// A minute later the bucket has refilled.
	later := time.Now().Add(2 * time.Minute)
	w.SetNow(later)
	if status, _, _ := rawLogin(t, w, "sg-neg", servertest.Password); status != http.StatusOK {
		t.Errorf("login after the limit: %d", status)
	}
}

func TestOriginAndContentType(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	c := w.Login("us-neg")
	send := func(origin, contentType string) int {
		req, _ := http.NewRequest("POST", c.W.URL()+"/api/command", strings.NewReader(`{"id":"o1","type":"create_negotiation","title":"t","parties":["US","SG"]}`))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		status, _ := c.Do(req)
		return status
	}
	if s := send("https://evil.example", "application/json"); s != http.StatusForbidden {
		t.Errorf("foreign origin: %d, want 403", s)
	}
	if s := send("", "text/plain"); s != http.StatusBadRequest {
		t.Errorf("text/plain: %d, want 400", s)
	}
	if s := send("", ""); s != http.StatusBadRequest {
		t.Errorf("no content type: %d, want 400", s)
	}
	if s := send(w.URL(), "application/json; charset=utf-8"); s != http.StatusOK {
		t.Errorf("own origin: %d, want 200", s)
	}
	if s := send("https://partner.example", "application/json"); s != http.StatusOK {
		t.Errorf("allowed origin: %d, want 200", s)
	}
	// A GET from a foreign origin is refused too.
	req, _ := http.NewRequest("GET", c.W.URL()+"/api/me", nil)
	req.Header.Set("Origin", "http://127.0.0.1:1")
	if s, _ := c.Do(req); s != http.StatusForbidden {
		t.Errorf("GET from a foreign origin: %d", s)
	}
	// Login is a state-changing request too.
	res, _ := http.Post(w.URL()+"/api/login", "text/plain", strings.NewReader(`{"user":"us-neg","password":"x"}`))
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("login as text/plain: %d", res.StatusCode)
	}
}

func TestSubscribeOverHTTPIsRefused(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	c := w.Login("us-neg")
	e := c.Fails(mra.CodeBadRequest, map[string]any{"type": "subscribe", "negotiation": "n-x"})
	if !strings.Contains(e.Message, "/ws") {
		t.Errorf("message %q does not point at /ws", e.Message)
	}
}

// TestInternalErrorsSayNothing: a failure of the store is answered
// internal, with no detail.
func TestInternalErrorsSayNothing(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	c := w.Login("us-neg")
	neg := c.Create(1)
	w.Bolt.Close()
	a := c.Send(map[string]any{"type": "propose_version", "negotiation": neg, "base": 0, "text": "x"})
	if a.Status != 500 || a.Error == nil || a.Error.Code != mra.CodeInternal || strings.Contains(a.Error.Message, "bolt") || strings.Contains(a.Error.Message, "closed") {
		t.Errorf("after the store closed: %d %s", a.Status, a.Raw)
	}
	w.Bolt = nil
}

func TestPartiesAndPage(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	c := w.Login("us-neg")
	var p struct {
		Parties []mra.Party `json:"parties"`
	}
	c.GetJSON("/api/parties", &p)
	if len(p.Parties) != 3 || p.Parties[0].ID != "EX" || p.Parties[2].Name != "U.S. Customs and Border Protection" {
		t.Errorf("parties: %+v", p.Parties)
	}
}

func TestPageServedWithStrictPolicy(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "p.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	page := fstest.MapFS{"index.html": {Data: []byte("<!DOCTYPE html><title>mra</title>")}, "app.js": {Data: []byte("export {}")}}
	srv, err := server.New(server.Config{}, st, page, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	res, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.Contains(string(body), "<title>mra</title>") ||
		!strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("GET /: %d %q, CSP %q", res.StatusCode, body, csp)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("no nosniff")
	}
	res, _ = http.Post(ts.URL+"/", "application/json", strings.NewReader("{}"))
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", res.StatusCode)
	}
}

// TestColleaguesNeverRateLimited: successful logins do not count, so a
// whole office behind one address can log in.
func TestColleaguesNeverRateLimited(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	for i := 0; i < 40; i++ {
		if status, body, _ := rawLogin(t, w, "us-neg", servertest.Password); status != http.StatusOK {
			t.Fatalf("login %d: %d %s", i, status, body)
		}
	}
}

// TestConcurrentLoginsCounted: 100 wrong passwords at once for one user
// are counted before any is hashed: at most the user's limit is evaluated,
// the rest are rate_limited at once.
func TestConcurrentLoginsCounted(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	w.SetNow(time.Now()) // no refill while the guesses are hashed
	body, _ := json.Marshal(map[string]string{"user": "sg-sign", "password": "a wrong guess"})
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Post(w.URL()+"/api/login", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			mu.Lock()
			codes[res.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[http.StatusUnauthorized] > 10 || codes[http.StatusUnauthorized]+codes[http.StatusTooManyRequests] != 100 {
		t.Errorf("answers %v: want at most 10 passwords checked (401), the rest 429", codes)
	}
	// a name no user can have is refused before anything is counted
	long, _ := json.Marshal(map[string]string{"user": strings.Repeat("x", 60_000), "password": "p"})
	res, err := http.Post(w.URL()+"/api/login", "application/json", bytes.NewReader(long))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a 60 KB user name: %d, want 400", res.StatusCode)
	}
}
