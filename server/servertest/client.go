package servertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"mra/server"
	"mra/server/mra"
)

// Client is one logged-in browser of a server: of a World, or of any
// server at Base (the real program, say).
type Client struct {
	T    testing.TB
	W    *World // nil for a server that is not a World
	Base string
	User mra.UserID
	HC   *http.Client
	ids  *atomic.Int64
}

// Login logs user in with Password and fails the test otherwise.
func (w *World) Login(user mra.UserID) *Client {
	w.T.Helper()
	c, err := w.TryLogin(user, Password)
	if err != nil {
		w.T.Fatal(err)
	}
	return c
}

// TryLogin logs in, returning an error instead of failing the test.
func (w *World) TryLogin(user mra.UserID, password string) (*Client, error) {
	c, err := TryLoginAt(w.T, w.URL(), user, password, &w.ids)
	if c != nil {
		c.W = w
	}
	return c, err
}

// LoginAt logs in to the server at base; ids counts its command ids
// (nil: a counter of the client's own).
func LoginAt(t testing.TB, base string, user mra.UserID, password string, ids *atomic.Int64) *Client {
	t.Helper()
	c, err := TryLoginAt(t, base, user, password, ids)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serverClockJar keeps the cookies a server sets but leaves their expiry
// to the server: a test world may run on a frozen clock (World.SetNow), and
// a session cookie that the server's clock gives twelve hours must not be
// dropped by this machine's clock, which has moved on. A cookie the server
// deletes (Max-Age < 0) is still deleted.
type serverClockJar struct{ http.CookieJar }

func (j serverClockJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	for _, c := range cookies {
		if c.MaxAge >= 0 {
			c.Expires, c.MaxAge = time.Time{}, 0
		}
	}
	j.CookieJar.SetCookies(u, cookies)
}

// TryLoginAt is LoginAt returning an error instead of failing the test.
func TryLoginAt(t testing.TB, base string, user mra.UserID, password string, ids *atomic.Int64) (*Client, error) {
	if ids == nil {
		ids = new(atomic.Int64)
	}
	kept, _ := cookiejar.New(nil)
	c := &Client{T: t, Base: base, User: user, HC: &http.Client{Jar: serverClockJar{kept}, Timeout: time.Minute}, ids: ids}
	status, body, err := c.TryPost("/api/login", map[string]any{"user": user, "password": password})
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("login %s: %d %s", user, status, body)
	}
	return c, nil
}

// url is the server's base URL, which a World's restart changes.
func (c *Client) url() string {
	if c.W != nil {
		return c.W.URL()
	}
	return c.Base
}

// TryDo sends a request and returns the status and body.
func (c *Client) TryDo(req *http.Request) (int, []byte, error) {
	res, err := c.HC.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// Do sends a request and fails the test if it cannot.
func (c *Client) Do(req *http.Request) (int, []byte) {
	c.T.Helper()
	status, body, err := c.TryDo(req)
	if err != nil {
		c.T.Fatal(err)
	}
	return status, body
}

// TryPost posts body (bytes as they are, anything else as JSON).
func (c *Client) TryPost(path string, body any) (int, []byte, error) {
	raw, ok := body.([]byte)
	if !ok {
		raw, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(http.MethodPost, c.url()+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.TryDo(req)
}

// Post posts body and fails the test if it cannot be sent.
func (c *Client) Post(path string, body any) (int, []byte) {
	c.T.Helper()
	status, b, err := c.TryPost(path, body)
	if err != nil {
		c.T.Fatal(err)
	}
	return status, b
}

// Get gets path.
func (c *Client) Get(path string) (int, []byte) {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.url()+path, nil)
	return c.Do(req)
}

// GetJSON gets path and decodes the 200 answer into v.
func (c *Client) GetJSON(path string, v any) {
	c.T.Helper()
	status, body := c.Get(path)
	if status != http.StatusOK {
		c.T.Fatalf("GET %s as %s: %d %s", path, c.User, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		c.T.Fatalf("GET %s: %v", path, err)
	}
}

// Header returns the client's cookies as a request header, for a socket.
func (c *Client) Header() http.Header {
	h := http.Header{}
	u, _ := url.Parse(c.url())
	for _, ck := range c.HC.Jar.Cookies(u) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	return h
}

// Answer is a command's answer over HTTP.
type Answer struct {
	Status int
	Type   string          `json:"type"`
	ID     string          `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *mra.Error      `json:"error"`
	Raw    []byte
}

// TrySend posts a command (with a fresh id unless it has one) and returns
// its answer; for goroutines, it never fails the test itself.
func (c *Client) TrySend(cmd map[string]any) (Answer, error) {
	if _, ok := cmd["id"]; !ok {
		cmd["id"] = fmt.Sprintf("cmd-%d", c.ids.Add(1))
	}
	status, body, err := c.TryPost("/api/command", cmd)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Status: status, Raw: body}
	if err := json.Unmarshal(body, &a); err != nil {
		return a, fmt.Errorf("answer to %v is not JSON: %s", cmd["type"], body)
	}
	if a.Type != "ack" && a.Type != "error" || a.Type == "ack" && a.ID != cmd["id"] {
		return a, fmt.Errorf("answer to %v is no answer to it: %s", cmd["id"], body)
	}
	return a, nil
}

// Send posts a command and returns its answer.
func (c *Client) Send(cmd map[string]any) Answer {
	c.T.Helper()
	a, err := c.TrySend(cmd)
	if err != nil {
		c.T.Fatal(err)
	}
	return a
}

// Must sends a command that must succeed and decodes its result into v.
func (c *Client) Must(cmd map[string]any, v any) {
	c.T.Helper()
	a := c.Send(cmd)
	if a.Status != http.StatusOK || a.Type != "ack" {
		c.T.Fatalf("%s as %s: %d %s", cmd["type"], c.User, a.Status, a.Raw)
	}
	if v != nil {
		if err := json.Unmarshal(a.Result, v); err != nil {
			c.T.Fatal(err)
		}
	}
}

// Fails sends a command that must fail with code, answered with its
// status and the command's id.
func (c *Client) Fails(code mra.Code, cmd map[string]any) *mra.Error {
	c.T.Helper()
	a := c.Send(cmd)
	if a.Type != "error" || a.Error == nil || a.Error.Code != code || a.Status != server.HTTPStatus(code) {
		c.T.Fatalf("%s as %s: got %d %s, want %s", cmd["type"], c.User, a.Status, a.Raw, code)
	}
	if id, _ := cmd["id"].(string); utf8.RuneCountInString(id) <= 64 && a.ID != id { // an invalid id is not echoed
		c.T.Fatalf("error answer id %q, want %q", a.ID, cmd["id"])
	}
	return a.Error
}

// Snapshot is GET /api/negotiations/{id} decoded.
type Snapshot struct {
	Negotiation mra.NegotiationView `json:"negotiation"`
	Parties     []mra.Party         `json:"parties"`
	Versions    []mra.Version       `json:"versions"`
	Threads     []mra.Thread        `json:"threads"`
	SignOffs    []mra.SignOffView   `json:"sign_offs"`
	Signatures  []mra.Signature     `json:"signatures"`
	Readiness   mra.Readiness       `json:"readiness"`
	Heads       map[string]uint64   `json:"heads"`
	Options     []mra.Option        `json:"options"`
	Packages    []mra.Package       `json:"packages"`
	Meetings    []mra.Meeting       `json:"meetings"`
	Raw         []byte              `json:"-"`
}

// Snapshot reads a negotiation as c sees it.
func (c *Client) Snapshot(neg string) Snapshot {
	c.T.Helper()
	status, body := c.Get("/api/negotiations/" + neg)
	if status != http.StatusOK {
		c.T.Fatalf("snapshot of %s as %s: %d %s", neg, c.User, status, body)
	}
	var s Snapshot
	if err := json.Unmarshal(body, &s); err != nil {
		c.T.Fatal(err)
	}
	s.Raw = body
	return s
}

// Thread returns the snapshot's thread with an id, or nil.
func (s Snapshot) Thread(id string) *mra.Thread {
	for i := range s.Threads {
		if string(s.Threads[i].ID) == id {
			return &s.Threads[i]
		}
	}
	return nil
}

// Create makes a US–SG negotiation as c and returns its id, checking the
// result's shape.
func (c *Client) Create(required int) string {
	c.T.Helper()
	var r mra.CreatedResult
	c.Must(map[string]any{"type": "create_negotiation", "title": "MRA CTPAT–STP", "parties": []string{"US", "SG"}, "required_approvals": required}, &r)
	if !strings.HasPrefix(string(r.Negotiation), "n-") || r.RequiredApprovals != required || len(r.Parties) != 2 || r.Status != mra.StatusDrafting {
		c.T.Fatalf("create_negotiation result %+v", r)
	}
	return string(r.Negotiation)
}

// Propose proposes text on base and returns the new version and its
// sha256, checking them.
func (c *Client) Propose(neg string, base int, text string) (int, string) {
	c.T.Helper()
	var r mra.ProposedResult
	c.Must(map[string]any{"type": "propose_version", "negotiation": neg, "base": base, "text": text, "note": "draft"}, &r)
	if r.Version != base+1 || r.SHA256 != mra.SHA256(mra.NormalizeText(text)) {
		c.T.Fatalf("propose_version result %+v, want version %d", r, base+1)
	}
	return r.Version, r.SHA256
}

// Comment comments on quote's first occurrence in text (version v) and
// returns the thread id, checking the result's shape.
func (c *Client) Comment(neg string, v int, text, quote string, kind mra.ThreadKind, visibility mra.Visibility) string {
	c.T.Helper()
	var r mra.CommentResult
	c.Must(CommentCmd(neg, v, text, quote, kind, visibility), &r)
	if !strings.HasPrefix(string(r.Thread), "t-") || r.Anchor == nil || r.Anchor.Original.Quote != quote || r.Anchor.Original.Version != v {
		c.T.Fatalf("comment result %+v", r)
	}
	return string(r.Thread)
}

// CommentCmd is the comment command on quote's first occurrence in text.
func CommentCmd(neg string, v int, text, quote string, kind mra.ThreadKind, visibility mra.Visibility) map[string]any {
	i := strings.Index(text, quote)
	if i < 0 {
		panic("quote not in text: " + quote)
	}
	start := utf8.RuneCountInString(text[:i])
	return map[string]any{"type": "comment", "negotiation": neg, "version": v, "kind": kind, "visibility": visibility,
		"body": "about " + quote, "start": start, "end": start + utf8.RuneCountInString(quote), "quote": quote}
}

// Text1 is a short arrangement of three articles.
const Text1 = `Article 1
Purpose

1. The Customs Administrations shall recognise the validation findings of the partner program.

Article 2
Exchange of information

1. The Customs Administrations shall exchange membership information within 30 days.

Article 3
Contact points

1. Each Customs Administration shall designate a contact point.
`

// Signed makes a US–SG negotiation with text as its one version, approved
// by both legal reviewers and signed by both signatories, and returns its
// id and the signed text's SHA-256.
func (w *World) Signed(text string) (neg, sha string) {
	w.T.Helper()
	us := w.Login("us-neg")
	neg = us.Create(1)
	_, sha = us.Propose(neg, 0, text)
	for _, u := range []mra.UserID{"us-legal", "sg-legal"} {
		w.Login(u).Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha, "decision": "approve"}, nil)
	}
	for _, u := range []mra.UserID{"us-sign", "sg-sign"} {
		w.Login(u).Must(map[string]any{"type": "sign", "negotiation": neg, "version": 1, "sha256": sha}, nil)
	}
	return neg, sha
}
