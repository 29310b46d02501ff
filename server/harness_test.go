package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"mra/server"
	"mra/server/boltstore"
	"mra/server/mra"
)

// The test world: three parties (EX takes part in no negotiation of the
// tests unless asked), a user of each role in US and SG, one in EX.
var (
	testParties = []mra.Party{
		{ID: "US", Name: "U.S. Customs and Border Protection", Program: "CTPAT"},
		{ID: "SG", Name: "Singapore Customs", Program: "STP"},
		{ID: "EX", Name: "Example Customs", Program: "AEO"},
	}
	testUsers = []mra.User{
		{ID: "us-neg", Name: "US Negotiator", Party: "US", Roles: []mra.Role{mra.Negotiator}},
		{ID: "us-legal", Name: "US Legal", Party: "US", Roles: []mra.Role{mra.Legal}},
		{ID: "us-legal2", Name: "US Legal 2", Party: "US", Roles: []mra.Role{mra.Legal}},
		{ID: "us-sign", Name: "US Signatory", Party: "US", Roles: []mra.Role{mra.Signatory}},
		{ID: "us-admin", Name: "US Admin", Party: "US", Roles: []mra.Role{mra.Admin}},
		{ID: "sg-neg", Name: "SG Negotiator", Party: "SG", Roles: []mra.Role{mra.Negotiator}},
		{ID: "sg-legal", Name: "SG Legal", Party: "SG", Roles: []mra.Role{mra.Legal}},
		{ID: "sg-sign", Name: "SG Signatory", Party: "SG", Roles: []mra.Role{mra.Signatory}},
		{ID: "ex-neg", Name: "EX Negotiator", Party: "EX", Roles: []mra.Role{mra.Negotiator, mra.Legal}},
	}
	testPassword = "correct horse battery"
	hashOnce     sync.Once
	testHash     string
)

// world is a real server on loopback over a real bbolt file.
type world struct {
	t     testing.TB
	path  string
	store *boltstore.Store
	srv   *server.Server
	http  *httptest.Server
	now   atomic.Pointer[time.Time]

	queueBytes int           // Config.SocketQueueBytes (0: the default)
	sessionTTL time.Duration // Config.SessionTTL (0: the default)
}

// newWorld creates the database with the test parties and users and starts
// the server on it.
func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, path: filepath.Join(t.TempDir(), "mra.db")}
	st, err := boltstore.Open(w.path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hashOnce.Do(func() {
		var err error
		if testHash, err = server.HashPassword(testPassword); err != nil {
			panic(err)
		}
	})
	for _, p := range testParties {
		if err := st.AddParty(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range testUsers {
		u.PasswordHash = testHash
		if err := st.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	w.store = st
	w.start()
	t.Cleanup(w.stop)
	return w
}

func (w *world) start() {
	w.t.Helper()
	if w.store == nil {
		st, err := boltstore.Open(w.path, boltstore.Options{})
		if err != nil {
			w.t.Fatal(err)
		}
		w.store = st
	}
	srv, err := server.New(server.Config{
		AllowedOrigins:   []string{"https://partner.example"},
		SocketQueueBytes: w.queueBytes,
		SessionTTL:       w.sessionTTL,
		Now: func() time.Time {
			if p := w.now.Load(); p != nil {
				return *p
			}
			return time.Now()
		},
	}, w.store, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		w.t.Fatal(err)
	}
	w.srv = srv
	w.http = httptest.NewServer(srv.Handler())
}

func (w *world) stop() {
	if w.http != nil {
		w.http.Close()
		w.srv.Close()
		w.http = nil
	}
	if w.store != nil {
		w.store.Close()
		w.store = nil
	}
}

// restart closes the server and the database and opens both again.
func (w *world) restart() {
	w.stop()
	w.start()
}

// client is one logged-in browser.
type client struct {
	w    *world
	user mra.UserID
	hc   *http.Client
	seq  int
}

func (w *world) login(user mra.UserID) *client {
	w.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{w: w, user: user, hc: &http.Client{Jar: jar}}
	status, body := c.post("/api/login", map[string]any{"user": user, "password": testPassword})
	if status != http.StatusOK {
		w.t.Fatalf("login %s: %d %s", user, status, body)
	}
	return c
}

func (c *client) url(path string) string { return c.w.http.URL + path }

func (c *client) do(req *http.Request) (int, []byte) {
	c.w.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.w.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (c *client) post(path string, body any) (int, []byte) {
	c.w.t.Helper()
	raw, ok := body.([]byte)
	if !ok {
		raw, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(http.MethodPost, c.url(path), bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

func (c *client) get(path string) (int, []byte) {
	c.w.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.url(path), nil)
	return c.do(req)
}

// getJSON GETs path and decodes the 200 answer into v.
func (c *client) getJSON(path string, v any) {
	c.w.t.Helper()
	status, body := c.get(path)
	if status != http.StatusOK {
		c.w.t.Fatalf("GET %s as %s: %d %s", path, c.user, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		c.w.t.Fatalf("GET %s: %v", path, err)
	}
}

// answer is a command's answer.
type answer struct {
	Status int
	Type   string          `json:"type"`
	ID     string          `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *mra.Error      `json:"error"`
	Raw    []byte
}

// send posts a command (an id is added unless it has one) and returns the answer.
func (c *client) send(cmd map[string]any) answer {
	c.w.t.Helper()
	if _, ok := cmd["id"]; !ok {
		c.seq++
		cmd["id"] = fmt.Sprintf("%s-%d", c.user, c.seq)
	}
	status, body := c.post("/api/command", cmd)
	a := answer{Status: status, Raw: body}
	if err := json.Unmarshal(body, &a); err != nil {
		c.w.t.Fatalf("answer to %v is not JSON: %s", cmd["type"], body)
	}
	return a
}

// must sends a command that must succeed and decodes its result into v.
func (c *client) must(cmd map[string]any, v any) {
	c.w.t.Helper()
	a := c.send(cmd)
	if a.Status != http.StatusOK || a.Type != "ack" {
		c.w.t.Fatalf("%s as %s: %d %s", cmd["type"], c.user, a.Status, a.Raw)
	}
	if v != nil {
		if err := json.Unmarshal(a.Result, v); err != nil {
			c.w.t.Fatal(err)
		}
	}
}

// fails sends a command that must fail with code.
func (c *client) fails(code mra.Code, cmd map[string]any) *mra.Error {
	c.w.t.Helper()
	a := c.send(cmd)
	if a.Type != "error" || a.Error == nil || a.Error.Code != code || a.Status != server.HTTPStatus(code) {
		c.w.t.Fatalf("%s as %s: got %d %s, want %s", cmd["type"], c.user, a.Status, a.Raw, code)
	}
	if id, _ := cmd["id"].(string); len(id) <= 64 && a.ID != id { // an invalid id is not echoed
		c.w.t.Fatalf("error answer id %q, want %q", a.ID, cmd["id"])
	}
	return a.Error
}

// snapshot is GET /api/negotiations/{id} decoded.
type snapshot struct {
	Negotiation mra.NegotiationView `json:"negotiation"`
	Parties     []mra.Party         `json:"parties"`
	Versions    []mra.Version       `json:"versions"`
	Threads     []mra.Thread        `json:"threads"`
	SignOffs    []mra.SignOffView   `json:"sign_offs"`
	Signatures  []mra.Signature     `json:"signatures"`
	Readiness   mra.Readiness       `json:"readiness"`
}

func (c *client) snapshot(neg string) snapshot {
	c.w.t.Helper()
	var s snapshot
	c.getJSON("/api/negotiations/"+neg, &s)
	return s
}

func (s snapshot) thread(id string) *mra.Thread {
	for i := range s.Threads {
		if string(s.Threads[i].ID) == id {
			return &s.Threads[i]
		}
	}
	return nil
}

// create makes a US–SG negotiation as c and returns its id.
func (c *client) create(required int) string {
	c.w.t.Helper()
	var r struct {
		Negotiation string `json:"negotiation"`
	}
	c.must(map[string]any{"type": "create_negotiation", "title": "MRA CTPAT–STP", "parties": []string{"US", "SG"}, "required_approvals": required}, &r)
	return r.Negotiation
}

// propose proposes text on base and returns the new version and its sha256.
func (c *client) propose(neg string, base int, text string) (int, string) {
	c.w.t.Helper()
	var r struct {
		Version int    `json:"version"`
		SHA256  string `json:"sha256"`
	}
	c.must(map[string]any{"type": "propose_version", "negotiation": neg, "base": base, "text": text, "note": "draft"}, &r)
	return r.Version, r.SHA256
}

// comment comments on quote's first occurrence in text (version v) and
// returns the thread id.
func (c *client) comment(neg string, v int, text, quote, kind, visibility string) string {
	c.w.t.Helper()
	var r struct {
		Thread string `json:"thread"`
	}
	c.must(commentCmd(neg, v, text, quote, kind, visibility), &r)
	return r.Thread
}

func commentCmd(neg string, v int, text, quote, kind, visibility string) map[string]any {
	i := strings.Index(text, quote)
	if i < 0 {
		panic("quote not in text: " + quote)
	}
	start := utf8.RuneCountInString(text[:i])
	return map[string]any{"type": "comment", "negotiation": neg, "version": v, "kind": kind, "visibility": visibility,
		"body": "about " + quote, "start": start, "end": start + utf8.RuneCountInString(quote), "quote": quote}
}

const text1 = `Article 1
Purpose

1. The Customs Administrations shall recognise the validation findings of the partner program.

Article 2
Exchange of information

1. The Customs Administrations shall exchange membership information within 30 days.

Article 3
Contact points

1. Each Customs Administration shall designate a contact point.
`
