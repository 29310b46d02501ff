package server_test

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mra/server/mra"
	"mra/server/servertest"
)

// issued is the result of add_user and reset_password.
type issued struct {
	User     mra.AccountView `json:"user"`
	Password string          `json:"password"`
}

func addUser(t *testing.T, admin *servertest.Client, id, party string, roles ...string) issued {
	t.Helper()
	var got issued
	admin.Must(map[string]any{"type": "add_user", "user": map[string]any{"id": id, "name": "Name of " + id, "party": party, "roles": roles}}, &got)
	if got.Password == "" || got.User.ID != mra.UserID(id) || !got.User.MustChangePassword || got.User.Disabled {
		t.Fatalf("add_user %s: %+v", id, got)
	}
	return got
}

// loginBody is a login's status and body, for comparing failures.
func loginBody(t *testing.T, w *servertest.World, user, password string) (int, string) {
	t.Helper()
	status, body, _ := rawLogin(t, w, user, password)
	return status, body
}

// A one-time password works for one login, whose session may only change
// it and read /api/me; after the change everything works and the one-time
// password is dead.
func TestOneTimePassword(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	admin := w.Login("us-admin")
	alice := addUser(t, admin, "alice", "US", "negotiator", "legal")
	if len(alice.Password) < mra.MinPassword {
		t.Errorf("one-time password %q is shorter than a chosen one may be", alice.Password)
	}

	c, err := w.TryLogin("alice", alice.Password)
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		User map[string]any `json:"user"`
	}
	c.GetJSON("/api/me", &me)
	if me.User["must_change_password"] != true || me.User["id"] != "alice" || me.User["password_hash"] != nil {
		t.Errorf("/api/me of a one-time session: %v", me.User)
	}
	for _, path := range []string{"/api/negotiations", "/api/parties", "/api/users"} {
		if status, body := c.Get(path); status != http.StatusForbidden || !strings.Contains(string(body), "forbidden") {
			t.Errorf("GET %s by a one-time session: %d %s", path, status, body)
		}
	}
	c.Fails(mra.CodeForbidden, map[string]any{"type": "create_negotiation", "title": "T", "parties": []string{"US", "SG"}})
	if _, res, err := websocket.DefaultDialer.Dial(w.WSURL(), c.Header()); err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("a socket for a one-time session: %v %v", err, res)
	}
	// The one-time password is spent: a second login with it fails like a wrong one.
	_, wrong := loginBody(t, w, "alice", "not the password")
	if status, body := loginBody(t, w, "alice", alice.Password); status != http.StatusUnauthorized || body != wrong {
		t.Errorf("second login with the one-time password: %d %s, want %s", status, body, wrong)
	}

	c.Fails(mra.CodeBadRequest, map[string]any{"type": "change_password", "old": alice.Password, "new": "too short"})
	c.Fails(mra.CodeBadRequest, map[string]any{"type": "change_password", "old": alice.Password, "new": strings.Repeat("x", 257)})
	c.Fails(mra.CodeForbidden, map[string]any{"type": "change_password", "old": "not it at all", "new": "alice chose this one"})
	var changed struct {
		User map[string]any `json:"user"`
	}
	c.Must(map[string]any{"type": "change_password", "old": alice.Password, "new": "alice chose this one"}, &changed)
	if changed.User["must_change_password"] != nil {
		t.Errorf("change_password answered %v", changed.User)
	}
	me.User = nil // a fresh map: GetJSON would add to the old one
	c.GetJSON("/api/me", &me)
	if _, flagged := me.User["must_change_password"]; flagged || me.User["id"] != "alice" {
		t.Errorf("/api/me after the change: %v", me.User)
	}
	if status, _ := c.Get("/api/negotiations"); status != http.StatusOK {
		t.Errorf("the list after the change: %d", status)
	}
	c.Create(1) // a negotiator now
	if _, err := w.TryLogin("alice", alice.Password); err == nil {
		t.Error("the one-time password still logs in after the change")
	}
	if _, err := w.TryLogin("alice", "alice chose this one"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	// All of it is on the admin stream, and holds across a restart.
	w.Restart()
	if _, err := w.TryLogin("alice", "alice chose this one"); err != nil {
		t.Errorf("the new password after a restart: %v", err)
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// Of logins at once with one one-time password, exactly one gets a session.
func TestOneTimePasswordRace(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	bob := addUser(t, w.Login("us-admin"), "bob", "US", "legal")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body, _ := rawLogin(t, w, "bob", bob.Password)
			if status == http.StatusOK && !strings.Contains(body, `"must_change_password":true`) {
				t.Errorf("the login answer of a one-time password: %s", body)
			}
			mu.Lock()
			codes[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[http.StatusOK] != 1 || codes[http.StatusUnauthorized] != 3 {
		t.Errorf("four logins with one one-time password: %v, want one 200 and three 401", codes)
	}
}

// An admin manages its own party only: another party's user is not_found,
// exactly as a user who does not exist; adding to another party is
// forbidden; non-admins may do none of it; GET /api/users lists the own
// party's users and no secret.
func TestAdminOwnPartyOnly(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	admin := w.Login("us-admin")
	for _, typ := range []string{"reset_password", "disable_user", "enable_user"} {
		other := admin.Fails(mra.CodeNotFound, map[string]any{"type": typ, "user": "sg-neg"})
		none := admin.Fails(mra.CodeNotFound, map[string]any{"type": typ, "user": "nobody"})
		if strings.Replace(other.Message, "sg-neg", "X", 1) != strings.Replace(none.Message, "nobody", "X", 1) {
			t.Errorf("%s: another party's user %q, nobody %q: they must read alike", typ, other.Message, none.Message)
		}
	}
	admin.Fails(mra.CodeForbidden, map[string]any{"type": "add_user", "user": map[string]any{"id": "us-admin-in-sg", "party": "SG", "roles": []string{"admin"}}})
	admin.Fails(mra.CodeConflict, map[string]any{"type": "add_user", "user": map[string]any{"id": "sg-neg", "party": "US", "roles": []string{"negotiator"}}})
	admin.Fails(mra.CodeBadRequest, map[string]any{"type": "add_user", "user": map[string]any{"id": "carol", "party": "US", "roles": []string{}}})
	admin.Fails(mra.CodeBadRequest, map[string]any{"type": "add_user", "user": map[string]any{"id": "carol", "party": "US", "roles": []string{"negotiator"}}, "User": "x"})
	admin.Fails(mra.CodeBadRequest, map[string]any{"type": "disable_user", "user": "us-admin"})

	neg := w.Login("us-neg")
	for _, cmd := range []map[string]any{
		{"type": "add_user", "user": map[string]any{"id": "carol", "party": "US", "roles": []string{"negotiator"}}},
		{"type": "reset_password", "user": "us-legal"},
		{"type": "disable_user", "user": "us-legal"},
		{"type": "add_party", "party": map[string]any{"id": "ZZ", "name": "Z"}, "admin": map[string]any{"id": "zz-admin"}},
	} {
		neg.Fails(mra.CodeForbidden, cmd)
	}
	if status, _ := neg.Get("/api/users"); status != http.StatusForbidden {
		t.Errorf("GET /api/users by a negotiator: %d", status)
	}

	admin.Must(map[string]any{"type": "disable_user", "user": "us-legal2"}, nil)
	status, body := admin.Get("/api/users")
	if status != http.StatusOK || strings.Contains(string(body), "hash") || strings.Contains(string(body), "sg-") {
		t.Fatalf("GET /api/users: %d %s", status, body)
	}
	var list struct {
		Users []map[string]any `json:"users"`
	}
	json.Unmarshal(body, &list)
	var ids []string
	for _, u := range list.Users {
		ids = append(ids, u["id"].(string))
		if u["party"] != "US" || u["disabled"] != (u["id"] == "us-legal2") || u["must_change_password"] != false {
			t.Errorf("listed %v", u)
		}
	}
	if got := strings.Join(ids, " "); got != "us-admin us-legal us-legal2 us-neg us-sign" {
		t.Errorf("US users listed: %s", got)
	}

	// Being an admin reads no negotiation of other parties.
	var created struct {
		Negotiation string `json:"negotiation"`
	}
	ex := w.Login("ex-neg")
	ex.Must(map[string]any{"type": "create_negotiation", "title": "EX and SG", "parties": []string{"EX", "SG"}}, &created)
	if status, _ := admin.Get("/api/negotiations/" + created.Negotiation); status != http.StatusNotFound {
		t.Errorf("the US admin reads an EX-SG negotiation: %d", status)
	}
}

// disable_user ends the user's sessions and closes their sockets at once;
// their logins then fail exactly as a wrong password does; nothing they
// wrote is removed; enable_user lets them in again.
func TestDisableUser(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	admin := w.Login("us-admin")
	legal := w.Login("us-legal")
	other := w.Login("us-legal") // a second session
	neg := w.Login("us-neg")
	id := neg.Create(1)
	neg.Propose(id, 0, servertest.Text1)
	thread := legal.Comment(id, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
	sock := legal.Dial(t)
	sock.Subscribe(id, 0, 0)

	_, wrong := loginBody(t, w, "us-legal", "not the password")
	var got struct {
		User mra.AccountView `json:"user"`
	}
	admin.Must(map[string]any{"type": "disable_user", "user": "us-legal"}, &got)
	if !got.User.Disabled || got.User.ID != "us-legal" {
		t.Errorf("disable_user answered %+v", got.User)
	}
	select {
	case code := <-sock.Closed:
		if code != websocket.ClosePolicyViolation {
			t.Errorf("closed with %d, want 1008", code)
		}
	case <-time.After(time.Second):
		t.Error("the disabled user's socket stayed open")
	}
	for _, c := range []*servertest.Client{legal, other} {
		if status, _ := c.Get("/api/me"); status != http.StatusUnauthorized {
			t.Errorf("a disabled user's session: %d", status)
		}
	}
	if status, body := loginBody(t, w, "us-legal", servertest.Password); status != http.StatusUnauthorized || body != wrong {
		t.Errorf("a disabled user's login: %d %s, want %s", status, body, wrong)
	}
	if th := neg.Snapshot(id).Thread(thread); th == nil || th.Messages[0].Author != "us-legal" {
		t.Errorf("the disabled user's thread: %+v", th)
	}
	w.Restart()
	if _, err := w.TryLogin("us-legal", servertest.Password); err == nil {
		t.Error("disabled, the user logs in after a restart")
	}
	admin = w.Login("us-admin")
	admin.Must(map[string]any{"type": "enable_user", "user": "us-legal"}, &got)
	if got.User.Disabled {
		t.Errorf("enable_user answered %+v", got.User)
	}
	if _, err := w.TryLogin("us-legal", servertest.Password); err != nil {
		t.Errorf("enabled again, the user cannot log in: %v", err)
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// disable_user stops a socket whose client no longer reads, at once: no
// command sent on it after the admin's answer is applied.
func TestDisableUserStopsAStalledSocket(t *testing.T) {
	w := servertest.New(t, servertest.Options{QueueBytes: 256 << 20, Stall: time.Minute})
	admin := w.Login("us-admin")
	first, closedAfter, sent := stalledAfterEnd(t, w, "us-legal", func(*servertest.Client) {
		admin.Must(map[string]any{"type": "disable_user", "user": "us-legal"}, nil)
	})
	t.Logf("cut %v after disable_user answered", closedAfter)
	if closedAfter > 2*time.Second {
		t.Errorf("the socket was still open %v after disable_user", closedAfter)
	}
	checkNoneAfter(t, w, first, sent)
}

// reset_password ends the user's sessions and gives a one-time password;
// the old password no longer works.
func TestResetPassword(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	admin := w.Login("us-admin")
	sign := w.Login("us-sign")
	var got issued
	admin.Must(map[string]any{"type": "reset_password", "user": "us-sign"}, &got)
	if got.Password == "" || !got.User.MustChangePassword {
		t.Fatalf("reset_password answered %+v", got)
	}
	if status, _ := sign.Get("/api/me"); status != http.StatusUnauthorized {
		t.Errorf("the reset user's session: %d", status)
	}
	if _, err := w.TryLogin("us-sign", servertest.Password); err == nil {
		t.Error("the old password still logs in")
	}
	c, err := w.TryLogin("us-sign", got.Password)
	if err != nil {
		t.Fatalf("the one-time password: %v", err)
	}
	c.Must(map[string]any{"type": "change_password", "old": got.Password, "new": "the signatory's own"}, nil)
	// A repeat of the command id gets the first answer, the same password,
	// and resets nothing.
	cmd := map[string]any{"id": w.NextID(), "type": "reset_password", "user": "us-neg"}
	var first, again issued
	admin.Must(cmd, &first)
	admin.Must(cmd, &again)
	if first.Password != again.Password {
		t.Errorf("a repeated reset gave another password")
	}
	if _, err := w.TryLogin("us-neg", first.Password); err != nil {
		t.Errorf("the first reset's password: %v", err)
	}
}

// change_password ends the user's other sessions, not the one that
// changed it; wrong current passwords count as failed logins.
func TestChangePassword(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	w.SetNow(time.Now()) // the limit does not refill while the guesses are hashed
	c := w.Login("sg-legal")
	other := w.Login("sg-legal")
	sock := other.Dial(t)
	c.Must(map[string]any{"type": "change_password", "old": servertest.Password, "new": "a new legal secret"}, nil)
	if status, _ := c.Get("/api/me"); status != http.StatusOK {
		t.Errorf("the session that changed the password: %d", status)
	}
	if status, _ := other.Get("/api/me"); status != http.StatusUnauthorized {
		t.Errorf("another session after the change: %d", status)
	}
	select {
	case <-sock.Closed:
	case <-time.After(time.Second):
		t.Error("another session's socket outlived the change")
	}
	limited := false
	for i := 0; i < 12 && !limited; i++ {
		a := c.Send(map[string]any{"type": "change_password", "old": "a guess", "new": "whatever it may be"})
		limited = a.Error != nil && a.Error.Code == mra.CodeRateLimited
	}
	if !limited {
		t.Error("12 wrong current passwords were never limited")
	}
}

// add_party makes a party and its first admin, who manages only it.
func TestAddParty(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	admin := w.Login("us-admin")
	var got struct {
		Party    mra.Party       `json:"party"`
		Admin    mra.AccountView `json:"admin"`
		Password string          `json:"password"`
	}
	admin.Must(map[string]any{"type": "add_party", "party": map[string]any{"id": "JP", "name": "Japan Customs", "program": "AEO"},
		"admin": map[string]any{"id": "jp-admin", "name": "JP Admin"}}, &got)
	if got.Party.ID != "JP" || got.Admin.Party != "JP" || strings.Join(rolesOf(got.Admin.Roles), ",") != "admin" || got.Password == "" {
		t.Fatalf("add_party answered %+v", got)
	}
	admin.Fails(mra.CodeConflict, map[string]any{"type": "add_party", "party": map[string]any{"id": "JP", "name": "Again"}, "admin": map[string]any{"id": "jp-admin2"}})
	admin.Fails(mra.CodeBadRequest, map[string]any{"type": "add_party", "party": map[string]any{"id": "jp", "name": "Lower"}, "admin": map[string]any{"id": "jp-admin2"}})

	jp, err := w.TryLogin("jp-admin", got.Password)
	if err != nil {
		t.Fatal(err)
	}
	jp.Must(map[string]any{"type": "change_password", "old": got.Password, "new": "japan's admin secret"}, nil)
	addUser(t, jp, "jp-neg", "JP", "negotiator")
	var list struct {
		Users []mra.AccountView `json:"users"`
	}
	jp.GetJSON("/api/users", &list)
	if len(list.Users) != 2 || list.Users[0].ID != "jp-admin" || list.Users[1].ID != "jp-neg" {
		t.Errorf("JP's users: %+v", list.Users)
	}
	var parties struct {
		Parties []mra.Party `json:"parties"`
	}
	admin.GetJSON("/api/parties", &parties)
	found := false
	for _, p := range parties.Parties {
		found = found || p.ID == "JP" && p.Name == "Japan Customs"
	}
	if !found {
		t.Errorf("parties: %+v", parties.Parties)
	}
	// The new party can take part in a negotiation at once.
	var created struct {
		Negotiation string `json:"negotiation"`
	}
	w.Login("us-neg").Must(map[string]any{"type": "create_negotiation", "title": "US and JP", "parties": []string{"US", "JP"}}, &created)
	w.Restart()
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
}

func rolesOf(rs []mra.Role) []string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r))
	}
	return out
}

// Two admins resetting each other's passwords at the same moment, each on
// a socket, both get on: neither waits for the other's command, which is
// waiting for its own (each cuts the other's socket).
func TestAdminsEndEachOther(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	lead := w.Login("us-admin")
	for _, id := range []string{"us-admin-a", "us-admin-b"} {
		addUser(t, lead, id, "US", "admin")
	}
	// ready gives a fresh password to both and logs each in on a socket.
	ready := func() (a, b *servertest.Sock) {
		var socks []*servertest.Sock
		for _, id := range []string{"us-admin-a", "us-admin-b"} {
			var got issued
			lead.Must(map[string]any{"type": "reset_password", "user": id}, &got)
			c, err := w.TryLogin(mra.UserID(id), got.Password)
			if err != nil {
				t.Fatal(err)
			}
			c.Must(map[string]any{"type": "change_password", "old": got.Password, "new": servertest.Password}, nil)
			socks = append(socks, c.Dial(t))
		}
		return socks[0], socks[1]
	}
	for round := range 6 {
		a, b := ready()
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, p := range []struct {
			s      *servertest.Sock
			target string
		}{{a, "us-admin-b"}, {b, "us-admin-a"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				p.s.WS.WriteJSON(map[string]any{"id": w.NextID(), "type": "reset_password", "user": p.target})
			}()
		}
		close(start)
		wg.Wait()
		for _, s := range []*servertest.Sock{a, b} {
			select {
			case <-s.Closed:
			case <-time.After(10 * time.Second):
				t.Fatalf("round %d: a socket of an admin whose password the other reset is still open after 10 s", round)
			}
		}
		// Both commands finish: no goroutine is left waiting to close a socket.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			buf := make([]byte, 1<<22)
			stacks := string(buf[:runtime.Stack(buf, true)])
			if !strings.Contains(stacks, "(*hub).closeSession") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: an admin command is still waiting to close a socket after 5 s:\n%s", round, stacks)
			}
		}
	}
}
