package frontend_test

// Browser tests of administration (issue 11; PROTOCOL "Administration"):
// the admin view (#/admin) adds, disables, enables and resets users of its
// own party and shows a one-time password once; a one-time login is held
// to the "Choose your password" form; everyone changes their own password
// from the header (#/password). Real Chromium, the real server.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"mra/server/servertest"
)

// listedUser is one entry of GET /api/users.
type listedUser struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Party              string   `json:"party"`
	Roles              []string `json:"roles"`
	Disabled           bool     `json:"disabled"`
	MustChangePassword bool     `json:"must_change_password"`
}

// users reads GET /api/users as this client.
func (c *client) users() []listedUser {
	c.T.Helper()
	var r struct {
		Users []listedUser `json:"users"`
	}
	c.GetJSON("/api/users", &r)
	return r.Users
}

func userByID(users []listedUser, id string) *listedUser {
	for i := range users {
		if users[i].ID == id {
			return &users[i]
		}
	}
	return nil
}

// openAdmin shows the admin view (after a login) and waits for its table.
func (p *pg) openAdmin() {
	p.t.Helper()
	p.click("#admin-link")
	p.waitJS("the users table", `!!document.querySelector('#users tbody tr')`, 10*time.Second)
}

// rowIDs are the login names the admin view's table shows, in its order.
func (p *pg) rowIDs() []string {
	p.t.Helper()
	return evalIn[[]string](p, `[...document.querySelectorAll('#users tbody tr')].map(r => r.dataset.user)`)
}

// rowState is a row's data-state (active, disabled, must_change), or "".
func (p *pg) rowState(user string) string {
	p.t.Helper()
	return evalIn[string](p, fmt.Sprintf(`document.querySelector('#users tr[data-user=%s]')?.dataset.state || ''`, jsString(user)))
}

func (p *pg) waitRowState(user, state string) {
	p.t.Helper()
	p.waitJS(user+" "+state, fmt.Sprintf(`document.querySelector('#users tr[data-user=%s]')?.dataset.state === %s`, jsString(user), jsString(state)), 5*time.Second)
}

// rowAction is the selector of a row's button (disable, enable, reset).
func rowAction(user, action string) string {
	return fmt.Sprintf(`#users tr[data-user=%q] [data-action=%q]`, user, action)
}

// secret waits for the one-time password panel and returns its password.
func (p *pg) secret(user string) string {
	p.t.Helper()
	p.waitJS("the one-time password of "+user, fmt.Sprintf(`document.querySelector('#secret')?.dataset.user === %s && !!document.querySelector('#secret-password')?.textContent`, jsString(user)), 5*time.Second)
	pw := strings.TrimSpace(p.text("#secret-password"))
	if pw == "" || strings.ContainsAny(pw, " \n") {
		p.t.Fatalf("page %s: the one-time password of %s is %q", p.name, user, pw)
	}
	return pw
}

// typeLogin logs in through the form with a password of the test's own
// and waits until the page is logged in (forced to change or not).
func (p *pg) typeLogin(user, password string) {
	p.t.Helper()
	p.open("/")
	p.waitJS("the login form", `!!document.querySelector('#login-user')`, 10*time.Second)
	p.setValue("#login-user", user)
	p.setValue("#login-password", password)
	p.click("#login-submit")
	p.waitJS("logged in as "+user, `!!document.querySelector('#logout')`, 10*time.Second)
}

// choosePassword fills the password form and sends it.
func (p *pg) choosePassword(old, next, again string) {
	p.t.Helper()
	p.setValue("#pw-old", old)
	p.setValue("#pw-new", next)
	p.setValue("#pw-again", again)
	p.click("#pw-submit")
}

// status runs fetch in the page (its session) and returns the HTTP status.
func (p *pg) status(method, path, body string) int {
	p.t.Helper()
	init := fmt.Sprintf(`{method: %s, headers: {'Content-Type': 'application/json'}}`, jsString(method))
	if body != "" {
		init = fmt.Sprintf(`{method: %s, headers: {'Content-Type': 'application/json'}, body: %s}`, jsString(method), jsString(body))
	}
	return evalIn[int](p, fmt.Sprintf(`fetch(%s, %s).then(r => r.status)`, jsString(path), init))
}

// socketAnswer opens /ws in the page and sends a subscribe: it returns the
// answer's error code, "ack", or "closed" when the server would not keep
// the socket.
func (p *pg) socketAnswer(negotiation string) string {
	p.t.Helper()
	return evalIn[string](p, fmt.Sprintf(`new Promise((resolve) => {
		const ws = new WebSocket((location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + '/ws');
		const t = setTimeout(() => resolve('no answer'), 5000);
		ws.onopen = () => ws.send(JSON.stringify({id: 'c-probe', type: 'subscribe', negotiation: %s, since: {shared: 0, internal: 0}}));
		ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.id !== 'c-probe') return; clearTimeout(t); ws.close(); resolve(m.type === 'ack' ? 'ack' : m.error.code); };
		ws.onclose = () => { clearTimeout(t); resolve('closed'); };
	})`, jsString(negotiation)))
}

// The admin adds a user in the page and reads the one-time password from
// the panel; the new user's first login is held to "Choose your password"
// (nothing else on the page, every other read and command 403, the socket
// too), a wrong one-time password shows the server's message, and once
// changed the page goes on to the list. The one-time password works once.
func TestAdminAddsUserWhoChoosesPassword(t *testing.T) {
	e := newEnv(t)
	neg := e.api("us-neg").negotiation("Arrangement for a new user", text1)
	admin := e.page("us-admin")
	admin.viewport(1280, 900)
	admin.login("us-admin")
	admin.openAdmin()
	admin.fitsWidth("admin view at 1280 px")
	admin.checkA11y("admin view at 1280 px")
	if got, want := admin.rowIDs(), []string{"us-admin", "us-legal", "us-legal2", "us-neg", "us-sign"}; !slices.Equal(got, want) {
		t.Errorf("the table lists %v, want %v (the US users, sorted)", got, want)
	}

	// a login name the server refuses: its own reason, in the form
	bad := e.api("us-admin").Fails("bad_request", map[string]any{"type": "add_user",
		"user": map[string]any{"id": "Alice Tan!", "name": "Alice Tan", "party": "US", "roles": []string{"negotiator"}}})
	admin.setValue("#new-user-id", "Alice Tan!")
	admin.setValue("#new-user-name", "Alice Tan")
	admin.click("#new-role-negotiator")
	admin.click("#add-user-submit")
	admin.waitJS("the server's reason", `!!document.querySelector('#add-user-error:not([hidden])')`, 5*time.Second)
	if got := admin.text("#add-user-error"); bad.Message == "" || !strings.Contains(strings.ToLower(got), strings.ToLower(bad.Message)) {
		t.Errorf("the form says %q, the server %q", got, bad.Message)
	}
	if !admin.focused("#new-user-id") {
		t.Error("a refused login name does not put the cursor in its field")
	}
	if n := len(admin.rowIDs()); n != 5 {
		t.Errorf("after a refusal the table has %d rows", n)
	}

	admin.setValue("#new-user-id", "alice")
	admin.click("#new-role-legal")
	admin.click("#add-user-submit")
	pw := admin.secret("alice")
	if !admin.focused("#secret") {
		t.Error("the focus is not on the one-time password's panel")
	}
	admin.waitRowState("alice", "must_change")
	if got := admin.text(`#users tr[data-user="alice"] .u-roles`); got != "Negotiator, Legal reviewer" {
		t.Errorf("alice's roles show as %q", got)
	}
	if !strings.Contains(admin.text("#secret-advice"), "privately") || !strings.Contains(admin.text("#secret-advice"), "changed") {
		t.Errorf("the panel does not say to hand it over privately and that it must be changed: %q", admin.text("#secret-advice"))
	}
	u := userByID(e.api("us-admin").users(), "alice")
	if u == nil || u.Party != "US" || u.Name != "Alice Tan" || !slices.Equal(u.Roles, []string{"negotiator", "legal"}) || !u.MustChangePassword || u.Disabled {
		t.Fatalf("the server holds alice as %+v", u)
	}
	admin.fitsWidth("one-time password at 1280 px")
	admin.checkA11y("one-time password at 1280 px")
	admin.screenshot("admin-01-one-time-password")

	// Copy puts it on the clipboard or, where the browser refuses, selects it
	admin.click("#secret-copy")
	admin.waitJS("the copy's outcome", `!!document.querySelector('#secret-status').textContent`, 5*time.Second)
	if st := admin.text("#secret-status"); !strings.Contains(st, "Copied") && evalIn[string](admin, `getSelection().toString().trim()`) != pw {
		t.Errorf("Copy neither copied nor selected the password: %q", st)
	}
	// Done takes the password off the page, the focus back to alice's row
	admin.click("#secret-done")
	admin.waitJS("the panel gone", `!document.querySelector('#secret')`, 5*time.Second)
	if evalIn[bool](admin, fmt.Sprintf(`document.body.textContent.includes(%s)`, jsString(pw))) {
		t.Error("the one-time password is still on the page after Done")
	}
	if !admin.focused(`#users tr[data-user="alice"] button, #users tr[data-user="alice"] a`) {
		t.Error("after Done the focus is not on alice's row")
	}

	// alice's first login: only the form
	alice := e.page("alice")
	alice.open("/#/n/" + neg)
	alice.waitJS("the login form", `!!document.querySelector('#login-user')`, 10*time.Second)
	alice.setValue("#login-user", "alice")
	alice.setValue("#login-password", pw)
	alice.click("#login-submit")
	alice.waitJS("the forced change", `!!document.querySelector('#password-form')`, 10*time.Second)
	alice.waitText("h1", "Choose your password", time.Second)
	if !strings.Contains(alice.text("#pw-why"), "one-time password") {
		t.Errorf("the form does not say why: %q", alice.text("#pw-why"))
	}
	if n := evalIn[int](alice, `document.querySelectorAll('#admin-link, #password-link, #negotiations, .room, #doc').length`); n != 0 {
		t.Errorf("the forced change shows %d other things", n)
	}
	if !alice.focused("#pw-old") {
		t.Error("the cursor is not in the one-time password's field")
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/negotiations", ""},
		{"GET", "/api/negotiations/" + neg, ""},
		{"GET", "/api/parties", ""},
		{"POST", "/api/command", `{"id":"c-1","type":"create_negotiation","title":"x","parties":["US","SG"]}`},
	} {
		if got := alice.status(c.method, c.path, c.body); got != http.StatusForbidden {
			t.Errorf("one-time session: %s %s answered %d, want 403", c.method, c.path, got)
		}
	}
	if got := alice.socketAnswer(neg); got != "forbidden" && got != "closed" {
		t.Errorf("one-time session: subscribe on /ws answered %q, want forbidden (or the socket refused)", got)
	}

	// the page's own checks, then the server's
	alice.choosePassword(pw, "short", "short")
	alice.waitText("#pw-error", "at least 12 characters", time.Second)
	alice.choosePassword(pw, "alice chooses her own", "alice chooses her 0wn")
	alice.waitText("#pw-error", "not the same", time.Second)
	alice.choosePassword(pw, pw, pw)
	alice.waitText("#pw-error", "not the one-time password", time.Second)
	alice.choosePassword("not-the-one-time", "alice chooses her own", "alice chooses her own")
	alice.waitJS("the server's refusal", `document.querySelector('#pw-error').textContent.includes('not right')`, 5*time.Second)
	if !alice.focused("#pw-old") {
		t.Error("after a wrong one-time password the cursor is not in its field")
	}
	alice.checkA11y("forced change, an error")
	alice.screenshot("admin-02-forced-change")

	// what the live region says, every change of it (the room speaks too)
	evalIn[chromedp.Void](alice, `(() => { const a = document.querySelector('#announcer'); window.__said = [];
		new MutationObserver(() => window.__said.push(a.textContent)).observe(a, {childList: true, characterData: true, subtree: true}); })()`)
	alice.choosePassword(pw, "alice chooses her own", "alice chooses her own")
	alice.waitJS("the room after the change", `!!document.querySelector('#doc [data-u]')`, 10*time.Second)
	alice.waitJS("the header's links", `!!document.querySelector('#password-link') && !document.querySelector('#admin-link')`, time.Second)
	alice.waitJS("the change announced", `window.__said.some(s => s.includes('password is changed'))`, 2*time.Second)
	var me struct {
		User map[string]any `json:"user"`
		Must *bool          `json:"must_change_password"`
	}
	raw := evalIn[string](alice, `fetch('/api/me').then(r => r.text())`)
	if err := json.Unmarshal([]byte(raw), &me); err != nil {
		t.Fatal(err)
	}
	if me.User["must_change_password"] == true || (me.Must != nil && *me.Must) {
		t.Errorf("/api/me still asks for a change: %s", raw)
	}

	// the one-time password is spent; the new one works
	if _, err := e.w.TryLogin("alice", pw); err == nil {
		t.Error("the one-time password logged in a second time")
	}
	if _, err := e.w.TryLogin("alice", "alice chooses her own"); err != nil {
		t.Errorf("the chosen password: %v", err)
	}
	if u := userByID(e.api("us-admin").users(), "alice"); u == nil || u.MustChangePassword || u.Disabled {
		t.Errorf("after the change the server lists alice as %+v", u)
	}
	admin.open("/") // a real reload: the same hash alone would keep the page
	admin.open("/#/admin")
	admin.waitRowState("alice", "active")
}

// An admin disables a user who has a room open in another page: that page
// loses its session at once (its socket closed, the login shown), and the
// user cannot log in; Enable gives the login back. Disable asks first,
// with the focus on Cancel. The admin's own row offers neither.
func TestAdminDisablesAndEnables(t *testing.T) {
	e := newEnv(t)
	id := e.api("us-neg").negotiation("Arrangement under administration", text1)
	neg := e.page("us-neg")
	neg.login("us-neg")
	neg.room(id)
	neg.live()

	// counts the sockets the room opens from now on: a disabled user's page
	// goes to the login on the first drop, without trying the socket again
	evalIn[chromedp.Void](neg, `window.__sockets = 0; window.WebSocket = class extends WebSocket { constructor(...a) { super(...a); window.__sockets++; } }`)

	admin := e.page("us-admin")
	admin.login("us-admin")
	admin.openAdmin()
	admin.click(rowAction("us-neg", "disable"))
	admin.waitJS("the question", `document.querySelector('#admin-confirm').open`, 5*time.Second)
	if !admin.focused("#admin-confirm-cancel") {
		t.Error("the question does not open on Cancel")
	}
	if txt := admin.text("#admin-confirm-text"); !strings.Contains(txt, "logged out at once") {
		t.Errorf("the question does not say what disabling does: %q", txt)
	}
	admin.checkA11y("disable question")
	admin.press(kb.Escape)
	admin.waitJS("the question closed", `!document.querySelector('#admin-confirm').open`, 5*time.Second)
	if !admin.focused(rowAction("us-neg", "disable")) {
		t.Error("after Escape the focus is not back on Disable")
	}
	if got := admin.rowState("us-neg"); got != "active" {
		t.Fatalf("Escape changed us-neg: %s", got)
	}

	admin.click(rowAction("us-neg", "disable"))
	admin.waitJS("the question", `document.querySelector('#admin-confirm').open`, 5*time.Second)
	admin.click("#admin-confirm-ok")
	admin.waitRowState("us-neg", "disabled")
	admin.waitJS("the focus on Enable", fmt.Sprintf(`document.activeElement?.matches(%s)`, jsString(rowAction("us-neg", "enable"))), 2*time.Second)
	if u := userByID(e.api("us-admin").users(), "us-neg"); u == nil || !u.Disabled {
		t.Fatalf("the server holds us-neg as %+v", u)
	}

	// the room's page: logged out at once
	neg.waitJS("the login after disable", `!!document.querySelector('#login-user')`, 3*time.Second)
	neg.waitText("#login-form", "session has ended", time.Second)
	if n := evalIn[int](neg, `window.__sockets`); n != 0 {
		t.Errorf("the disabled user's page tried the socket %d more times before showing the login", n)
	}
	if _, err := e.w.TryLogin("us-neg", servertest.Password); err == nil {
		t.Error("a disabled user logged in")
	}
	neg.setValue("#login-user", "us-neg")
	neg.setValue("#login-password", servertest.Password)
	neg.click("#login-submit")
	neg.waitText("#login-form .error", "Unknown user or wrong password", 5*time.Second)

	admin.click(rowAction("us-neg", "enable"))
	admin.waitRowState("us-neg", "active")
	admin.waitJS("the focus on Disable", fmt.Sprintf(`document.activeElement?.matches(%s)`, jsString(rowAction("us-neg", "disable"))), 2*time.Second)
	neg.login("us-neg")
	neg.room(id)
	neg.live()

	// one's own account: no Disable, no Reset (the server refuses both), a
	// link to change one's password instead
	if n := evalIn[int](admin, `document.querySelectorAll('#users tr[data-user="us-admin"] button').length`); n != 0 {
		t.Errorf("the admin's own row has %d buttons", n)
	}
	admin.click(`#users tr[data-user="us-admin"] a[href="#/password"]`)
	admin.waitJS("the password form", `!!document.querySelector('#password-form')`, 5*time.Second)
}

// Reset password from the admin view: the user's sessions end and the old
// password stops working; the one-time password works for one login,
// which must change it.
func TestAdminResetsPassword(t *testing.T) {
	e := newEnv(t)
	before := e.api("us-legal")
	admin := e.page("us-admin")
	admin.login("us-admin")
	admin.openAdmin()
	admin.click(rowAction("us-legal", "reset"))
	admin.waitJS("the question", `document.querySelector('#admin-confirm').open`, 5*time.Second)
	if !admin.focused("#admin-confirm-cancel") {
		t.Error("the question does not open on Cancel")
	}
	// the server out of reach: the question stays, says why, changes nothing
	e.ln.cut(true)
	admin.click("#admin-confirm-ok")
	admin.waitText("#admin-confirm .error", "cannot be reached", 10*time.Second)
	if !evalIn[bool](admin, `document.querySelector('#admin-confirm').open && !document.querySelector('#secret')`) {
		t.Error("a failed reset closed the question or showed a password")
	}
	e.ln.resume()
	admin.click("#admin-confirm-ok")
	pw := admin.secret("us-legal")
	admin.waitRowState("us-legal", "must_change")
	if st, _ := before.Get("/api/me"); st != http.StatusUnauthorized {
		t.Errorf("us-legal's session after the reset: /api/me %d, want 401", st)
	}
	if _, err := e.w.TryLogin("us-legal", servertest.Password); err == nil {
		t.Error("the old password still logs in")
	}
	admin.click("#secret-done")
	admin.waitJS("the panel gone", `!document.querySelector('#secret')`, 5*time.Second)
	if !admin.focused(rowAction("us-legal", "reset")) {
		t.Error("after Done the focus is not on us-legal's row")
	}

	legal := e.page("us-legal")
	legal.typeLogin("us-legal", pw)
	legal.waitJS("the forced change", `!!document.querySelector('#password-form')`, 5*time.Second)
	// a reload (on any route) finds the same from /api/me; once changed,
	// #/password gives way to the list
	legal.run("reload", chromedp.Navigate("about:blank"), chromedp.Navigate(e.w.URL()+"/#/password"))
	legal.waitJS("the forced change after a reload", `!!document.querySelector('#password-form') && !document.querySelector('#users, #admin-denied')`, 10*time.Second)
	legal.waitText("h1", "Choose your password", time.Second)
	legal.choosePassword(pw, "legal picks a fresh one", "legal picks a fresh one")
	legal.waitJS("the list", `!!document.querySelector('#page-title') && document.title.startsWith('Negotiations')`, 10*time.Second)
	if !legal.focused("h1") {
		t.Error("after the change the focus is not on the list's heading")
	}
	if _, err := e.w.TryLogin("us-legal", pw); err == nil {
		t.Error("the one-time password logged in twice")
	}
	if _, err := e.w.TryLogin("us-legal", "legal picks a fresh one"); err != nil {
		t.Errorf("the chosen password: %v", err)
	}
}

// Any user changes their own password from the header: a wrong current
// password shows the server's message; a change keeps this session, ends
// the others, and the old password no longer logs in.
func TestChangePasswordFromHeader(t *testing.T) {
	e := newEnv(t)
	other := e.api("us-sign")
	p := e.page("us-sign")
	p.login("us-sign")
	if evalIn[bool](p, `!!document.querySelector('#admin-link')`) {
		t.Error("a signatory sees the admin link")
	}
	p.click("#password-link")
	p.waitJS("the form", `!!document.querySelector('#password-form')`, 5*time.Second)
	p.waitText("h1", "Change your password", time.Second)
	if strings.Contains(p.text("#password-form"), "one-time") {
		t.Error("the plain change speaks of a one-time password")
	}
	if evalIn[string](p, `document.querySelector('#password-link').getAttribute('aria-current') || ''`) != "page" {
		t.Error("the header's link is not marked current")
	}

	const next = "a signatory's new passphrase"
	p.choosePassword("not my password at all", next, next)
	p.waitJS("the server's refusal", `document.querySelector('#pw-error').textContent.includes('not right')`, 5*time.Second)
	if !p.focused("#pw-old") {
		t.Error("after a wrong current password the cursor is not in its field")
	}
	p.checkA11y("change password, an error")
	p.choosePassword(servertest.Password, next, next)
	p.waitJS("the success", `!document.querySelector('#pw-done').hidden`, 5*time.Second)
	if txt := p.text("#pw-done"); !strings.Contains(txt, "changed") || !strings.Contains(txt, "other sessions were logged out") {
		t.Errorf("the success says %q", txt)
	}
	p.waitText("#announcer", "other sessions were logged out", 2*time.Second)
	if v := evalIn[string](p, `document.querySelector('#pw-old').value + document.querySelector('#pw-new').value`); v != "" {
		t.Error("the passwords stay in the form")
	}
	if got := p.status("GET", "/api/me", ""); got != http.StatusOK {
		t.Errorf("this session after the change: /api/me %d", got)
	}
	if st, _ := other.Get("/api/me"); st != http.StatusUnauthorized {
		t.Errorf("the other session after the change: /api/me %d, want 401", st)
	}
	if _, err := e.w.TryLogin("us-sign", servertest.Password); err == nil {
		t.Error("the old password still logs in")
	}
	p.logout()
	p.typeLogin("us-sign", next)
	p.waitJS("the list", `document.title.startsWith('Negotiations')`, 5*time.Second)
}

// Only an admin has the admin view, and it shows only its own party: a
// negotiator gets no link and a plain message at #/admin (and 403 from
// GET /api/users); the US and SG admins each see their own users only.
func TestAdminViewIsPerParty(t *testing.T) {
	e := newEnv(t)
	neg := e.page("us-neg")
	neg.login("us-neg")
	if evalIn[bool](neg, `!!document.querySelector('#admin-link')`) {
		t.Error("a negotiator sees the admin link")
	}
	neg.open("/#/admin")
	neg.waitJS("the plain message", `!!document.querySelector('#admin-denied')`, 5*time.Second)
	if !strings.Contains(neg.text("#admin-denied"), "Only an administrator of US") {
		t.Errorf("the message says %q", neg.text("#admin-denied"))
	}
	if evalIn[bool](neg, `!!document.querySelector('#users, #add-user')`) {
		t.Error("a negotiator is shown the users or the form")
	}
	neg.checkA11y("admin view, not an admin")
	if st, _ := e.api("us-neg").Get("/api/users"); st != http.StatusForbidden {
		t.Errorf("GET /api/users as a negotiator: %d, want 403", st)
	}

	for _, who := range []struct{ admin, party string }{{"us-admin", "US"}, {"sg-admin", "SG"}} {
		p := e.page(who.admin)
		p.login(who.admin)
		p.openAdmin()
		var want []string
		for _, u := range e.api(who.admin).users() {
			if u.Party != who.party {
				t.Errorf("%s's GET /api/users holds %s of %s", who.admin, u.ID, u.Party)
			}
			want = append(want, u.ID)
		}
		got := p.rowIDs()
		if !slices.Equal(got, want) {
			t.Errorf("%s's table lists %v, want %v", who.admin, got, want)
		}
		prefix := strings.ToLower(who.party) + "-"
		for _, id := range got {
			if !strings.HasPrefix(id, prefix) {
				t.Errorf("%s's table lists %s", who.admin, id)
			}
		}
		p.waitText("h1", "Users of "+who.party, time.Second)
	}
}

// The admin view and the forced change by keyboard alone at 800 px: Tab
// reaches every control, the focus goes to the one-time password's panel
// and back to the table after Done, and axe finds nothing.
func TestAdminByKeyboard(t *testing.T) {
	e := newEnv(t)
	admin := e.page("us-admin")
	admin.viewport(800, 900)
	admin.login("us-admin")
	admin.tabTo(".brand", "#admin-link", 10)
	admin.press("\r")
	admin.waitJS("the users table", `!!document.querySelector('#users tbody tr')`, 10*time.Second)
	if !admin.focused("h1") {
		t.Error("the admin view does not start on its heading")
	}
	admin.fitsWidth("admin view at 800 px")
	admin.checkA11y("admin view at 800 px")
	admin.screenshot("admin-03-800px")

	// add a user: every field by Tab, typed
	admin.tabTo("h1", "#new-user-id", 40)
	admin.press("kim")
	admin.press("\t")
	if !admin.focused("#new-user-name") {
		t.Fatal("Tab from the login name does not reach the full name")
	}
	admin.press("Kim Lee")
	admin.press("\t")
	if !admin.focused("#new-role-negotiator") {
		t.Fatal("Tab from the full name does not reach the roles")
	}
	admin.press(" ")
	// nothing chosen yet is refused in the page: un-tick, send, see why
	admin.press(" ")
	admin.tabTo("#new-role-negotiator", "#add-user-submit", 6)
	admin.press("\r")
	admin.waitText("#add-user-error", "at least one role", time.Second)
	if !admin.focused("#new-role-negotiator") {
		t.Error("a missing role does not put the focus on the roles")
	}
	admin.press(" ")
	admin.tabTo("#new-role-negotiator", "#add-user-submit", 6)
	admin.press("\r")
	pw := admin.secret("kim")
	if !admin.focused("#secret") {
		t.Error("the focus is not on the one-time password's panel")
	}
	admin.fitsWidth("one-time password at 800 px")
	admin.checkA11y("one-time password at 800 px")
	admin.tabTo("#secret", "#secret-copy", 3)
	admin.press("\r")
	admin.waitJS("the copy's outcome", `!!document.querySelector('#secret-status').textContent`, 5*time.Second)
	admin.tabTo("#secret-copy", "#secret-done", 3)
	admin.press("\r")
	admin.waitJS("the panel gone", `!document.querySelector('#secret')`, 5*time.Second)
	if !admin.focused(`#users tr[data-user="kim"] button`) {
		t.Error("after Done the focus is not on kim's row")
	}

	// a login name taken: the server's conflict, said in the form
	admin.tabTo("h1", "#new-user-id", 40)
	admin.press("kim")
	admin.tabTo("#new-user-id", "#new-user-name", 2)
	admin.press("Kim Again")
	admin.tabTo("#new-user-name", "#new-role-signatory", 5)
	admin.press(" ")
	admin.tabTo("#new-role-signatory", "#add-user-submit", 6)
	admin.press("\r")
	admin.waitText("#add-user-error", "taken", 5*time.Second)
	if !admin.focused("#new-user-id") {
		t.Error("a taken login name does not put the cursor in its field")
	}

	// reset by keyboard: the question on Cancel, Tab to confirm
	admin.tabTo("h1", rowAction("kim", "reset"), 40)
	admin.press("\r")
	admin.waitJS("the question", `document.querySelector('#admin-confirm').open`, 5*time.Second)
	admin.checkA11y("reset question at 800 px")
	admin.press("\t")
	if !admin.focused("#admin-confirm-ok") {
		t.Fatal("Tab from Cancel does not reach Reset password")
	}
	admin.press("\r")
	pw2 := admin.secret("kim")
	if pw2 == pw {
		t.Error("the reset gave the same one-time password")
	}
	admin.tabTo("#secret", "#secret-done", 4)
	admin.press("\r")
	admin.waitJS("the panel gone", `!document.querySelector('#secret')`, 5*time.Second)

	// kim's first login and forced change, by keyboard, at 800 px
	kim := e.page("kim")
	kim.viewport(800, 900)
	kim.open("/")
	kim.waitJS("the login form", `document.activeElement?.id === 'login-user'`, 10*time.Second)
	kim.press("kim")
	kim.press("\t")
	kim.press(pw2)
	kim.press("\r")
	kim.waitJS("the forced change", `!!document.querySelector('#password-form') && document.activeElement?.id === 'pw-old'`, 10*time.Second)
	kim.fitsWidth("forced change at 800 px")
	kim.checkA11y("forced change at 800 px")
	kim.press(pw2)
	kim.press("\t")
	kim.press("kim's very own password")
	kim.press("\t")
	if !kim.focused("#pw-again") {
		t.Fatal("Tab from the new password does not reach the repeat")
	}
	kim.press("kim's very own password")
	kim.press("\r")
	kim.waitJS("the list", `document.title.startsWith('Negotiations') && !!document.querySelector('#password-link')`, 10*time.Second)
	kim.fitsWidth("list at 800 px")
	if _, err := e.w.TryLogin("kim", "kim's very own password"); err != nil {
		t.Errorf("kim's chosen password: %v", err)
	}
}

// An admin adds another administration with its first admin (add_party,
// folded away in the admin view): the one-time password shows once, the
// new admin's first login is held to the password form, and then it
// manages its own party only; a taken party code is refused in the form.
func TestAdminAddsParty(t *testing.T) {
	e := newEnv(t)
	admin := e.page("us-admin")
	admin.login("us-admin")
	admin.openAdmin()
	admin.click("#add-party-h")
	admin.setValue("#new-party-id", "JP")
	admin.setValue("#new-party-name", "Japan Customs")
	admin.setValue("#new-party-program", "AEO")
	admin.setValue("#new-party-admin-id", "jp-admin")
	admin.setValue("#new-party-admin-name", "Jun Sato")
	admin.click("#add-party-submit")
	pw := admin.secret("jp-admin")
	if txt := admin.text("#secret"); !strings.Contains(txt, "JP is added") || !strings.Contains(txt, "Jun Sato") {
		t.Errorf("the panel says %q", txt)
	}
	admin.click("#secret-done")
	admin.waitJS("the panel gone", `!document.querySelector('#secret')`, 5*time.Second)
	if !admin.focused("#add-party-h") {
		t.Error("after Done the focus is not back on the party form")
	}
	if slices.Contains(admin.rowIDs(), "jp-admin") {
		t.Error("the US table lists JP's admin")
	}
	var parties struct {
		Parties []struct{ ID, Name, Program string } `json:"parties"`
	}
	e.api("us-neg").GetJSON("/api/parties", &parties)
	if !slices.ContainsFunc(parties.Parties, func(p struct{ ID, Name, Program string }) bool {
		return p.ID == "JP" && p.Name == "Japan Customs" && p.Program == "AEO"
	}) {
		t.Errorf("the parties are %+v", parties.Parties)
	}

	admin.setValue("#new-party-id", "SG") // the form stays open
	admin.setValue("#new-party-name", "Singapore again")
	admin.setValue("#new-party-admin-id", "sg-second")
	admin.click("#add-party-submit")
	admin.waitJS("the conflict", `!!document.querySelector('#add-party-error:not([hidden])')?.textContent`, 5*time.Second)
	if !admin.focused("#new-party-id") {
		t.Error("a taken party code does not put the cursor in its field")
	}

	jp := e.page("jp-admin")
	jp.typeLogin("jp-admin", pw)
	jp.waitJS("the forced change", `!!document.querySelector('#password-form')`, 5*time.Second)
	jp.choosePassword(pw, "japan's administrator", "japan's administrator")
	jp.waitJS("the list", `document.title.startsWith('Negotiations')`, 10*time.Second)
	jp.openAdmin()
	if got := jp.rowIDs(); !slices.Equal(got, []string{"jp-admin"}) {
		t.Errorf("JP's admin view lists %v", got)
	}
	jp.waitText("h1", "Users of JP", time.Second)
}
