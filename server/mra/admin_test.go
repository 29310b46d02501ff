package mra

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// adminWorld is a directory of two parties, each with an admin and a
// negotiator, and a third party with no admin left enabled but one.
func adminWorld() *Directory {
	hash := func(id string) string { return "hash-of-" + id }
	return NewDirectory(
		[]Party{{ID: "US", Name: "United States"}, {ID: "SG", Name: "Singapore"}},
		[]User{
			{ID: "us-admin", Name: "US Admin", Party: "US", Roles: []Role{Admin}, PasswordHash: hash("us-admin")},
			{ID: "us-admin2", Name: "US Admin 2", Party: "US", Roles: []Role{Admin, Negotiator}, PasswordHash: hash("us-admin2")},
			{ID: "us-neg", Name: "US Negotiator", Party: "US", Roles: []Role{Negotiator}, PasswordHash: hash("us-neg")},
			{ID: "sg-admin", Name: "SG Admin", Party: "SG", Roles: []Role{Admin}, PasswordHash: hash("sg-admin")},
			{ID: "sg-neg", Name: "SG Negotiator", Party: "SG", Roles: []Role{Negotiator}, PasswordHash: hash("sg-neg")},
		}, Head{})
}

// adminInput is the input of a command by actor ("" for the operator):
// passwords are numbered, hashes are "h:" + password, and the current
// password of every user of adminWorld is "pw-" + its id.
func adminInput(d *Directory, actor UserID) AdminInput {
	n := 0
	in := AdminInput{
		Now:         time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		NewPassword: func() string { n++; return fmt.Sprintf("one-time-%d", n) },
		Hash:        func(p string) (string, error) { return "h:" + p, nil },
		Check: func(hash, p string) (bool, error) {
			return hash == "h:"+p || strings.HasPrefix(hash, "hash-of-") && p == "pw-"+strings.TrimPrefix(hash, "hash-of-"), nil
		},
	}
	if actor != "" {
		u := d.Users[actor]
		in.Actor = &u
	}
	return in
}

func adminCmd(t *testing.T, js string) *Command {
	t.Helper()
	c, err := ParseCommand([]byte(js))
	if err != nil {
		t.Fatalf("parse %s: %v", js, err)
	}
	return c
}

func TestDecideAdminRules(t *testing.T) {
	for _, tc := range []struct {
		name, actor, cmd string
		code             Code   // "" for success
		kinds            string // the events' kinds, space separated
	}{
		{"admin adds a user to its party", "us-admin", `{"id":"1","type":"add_user","user":{"id":"alice","name":"Alice","party":"US","roles":["negotiator","legal"]}}`, "", "user_added"},
		{"admin adds a user to another party", "us-admin", `{"id":"1","type":"add_user","user":{"id":"alice","party":"SG","roles":["negotiator"]}}`, CodeForbidden, ""},
		{"admin makes itself an SG user", "us-admin", `{"id":"1","type":"add_user","user":{"id":"us-admin-sg","party":"SG","roles":["admin"]}}`, CodeForbidden, ""},
		{"negotiator adds a user", "us-neg", `{"id":"1","type":"add_user","user":{"id":"alice","party":"US","roles":["negotiator"]}}`, CodeForbidden, ""},
		{"login taken in another party", "us-admin", `{"id":"1","type":"add_user","user":{"id":"sg-neg","party":"US","roles":["negotiator"]}}`, CodeConflict, ""},
		{"login with a space", "us-admin", `{"id":"1","type":"add_user","user":{"id":"al ice","party":"US","roles":["negotiator"]}}`, CodeBadRequest, ""},
		{"login too long", "us-admin", `{"id":"1","type":"add_user","user":{"id":"` + strings.Repeat("a", 65) + `","party":"US","roles":["negotiator"]}}`, CodeBadRequest, ""},
		{"no roles", "us-admin", `{"id":"1","type":"add_user","user":{"id":"alice","party":"US","roles":[]}}`, CodeBadRequest, ""},
		{"unknown role", "us-admin", `{"id":"1","type":"add_user","user":{"id":"alice","party":"US","roles":["king"]}}`, CodeBadRequest, ""},
		{"user given as a name", "us-admin", `{"id":"1","type":"add_user","user":"alice"}`, CodeBadRequest, ""},
		{"no user", "us-admin", `{"id":"1","type":"add_user"}`, CodeBadRequest, ""},
		{"operator adds to any party", "", `{"id":"1","type":"add_user","user":{"id":"alice","party":"SG","roles":["signatory"]}}`, "", "user_added"},
		{"operator adds to no party", "", `{"id":"1","type":"add_user","user":{"id":"alice","party":"XX","roles":["signatory"]}}`, CodeNotFound, ""},

		{"reset own party's user", "us-admin", `{"id":"1","type":"reset_password","user":"us-neg"}`, "", "password_reset"},
		{"reset another party's user", "us-admin", `{"id":"1","type":"reset_password","user":"sg-neg"}`, CodeNotFound, ""},
		{"reset nobody", "us-admin", `{"id":"1","type":"reset_password","user":"nobody"}`, CodeNotFound, ""},
		{"reset by a negotiator", "us-neg", `{"id":"1","type":"reset_password","user":"us-neg"}`, CodeForbidden, ""},
		{"reset with a user object", "us-admin", `{"id":"1","type":"reset_password","user":{"id":"us-neg"}}`, CodeBadRequest, ""},
		{"disable own party's user", "us-admin", `{"id":"1","type":"disable_user","user":"us-neg"}`, "", "user_disabled"},
		{"disable another party's user", "us-admin", `{"id":"1","type":"disable_user","user":"sg-admin"}`, CodeNotFound, ""},
		{"disable the other admin", "us-admin", `{"id":"1","type":"disable_user","user":"us-admin2"}`, "", "user_disabled"},
		{"disable the last admin", "", `{"id":"1","type":"disable_user","user":"sg-admin"}`, CodeForbidden, ""},
		{"disable itself", "us-admin", `{"id":"1","type":"disable_user","user":"us-admin"}`, CodeBadRequest, ""},
		{"reset itself", "us-admin", `{"id":"1","type":"reset_password","user":"us-admin"}`, CodeBadRequest, ""},
		{"enable an enabled user", "us-admin", `{"id":"1","type":"enable_user","user":"us-neg"}`, "", ""},
		{"enable another party's user", "us-admin", `{"id":"1","type":"enable_user","user":"sg-neg"}`, CodeNotFound, ""},

		{"add a party", "us-admin", `{"id":"1","type":"add_party","party":{"id":"EX","name":"Example Customs","program":"AEO"},"admin":{"id":"ex-admin","name":"EX Admin"}}`, "", "party_added user_added"},
		{"add a party by a negotiator", "us-neg", `{"id":"1","type":"add_party","party":{"id":"EX","name":"Example"},"admin":{"id":"ex-admin"}}`, CodeForbidden, ""},
		{"add a taken party", "us-admin", `{"id":"1","type":"add_party","party":{"id":"SG","name":"Again"},"admin":{"id":"ex-admin"}}`, CodeConflict, ""},
		{"add a party with a bad id", "us-admin", `{"id":"1","type":"add_party","party":{"id":"ex","name":"Example"},"admin":{"id":"ex-admin"}}`, CodeBadRequest, ""},
		{"add a party without a name", "us-admin", `{"id":"1","type":"add_party","party":{"id":"EX","name":" "},"admin":{"id":"ex-admin"}}`, CodeBadRequest, ""},
		{"operator adds a party alone", "", `{"id":"1","type":"add_party","party":{"id":"EX","name":"Example"}}`, "", "party_added"},
		{"add a party without an admin", "us-admin", `{"id":"1","type":"add_party","party":{"id":"EX","name":"Example"}}`, CodeBadRequest, ""},
		{"add a party whose admin login is taken", "us-admin", `{"id":"1","type":"add_party","party":{"id":"EX","name":"Example"},"admin":{"id":"sg-neg"}}`, CodeConflict, ""},

		{"change own password", "us-neg", `{"id":"1","type":"change_password","old":"pw-us-neg","new":"a much longer secret"}`, "", "password_changed"},
		{"change with a wrong old one", "us-neg", `{"id":"1","type":"change_password","old":"guess","new":"a much longer secret"}`, CodeForbidden, ""},
		{"change to a short one", "us-neg", `{"id":"1","type":"change_password","old":"pw-us-neg","new":"eleven char"}`, CodeBadRequest, ""},
		{"change to a long one", "us-neg", `{"id":"1","type":"change_password","old":"pw-us-neg","new":"` + strings.Repeat("é", 257) + `"}`, CodeBadRequest, ""},
		{"change to the same one", "us-neg", `{"id":"1","type":"change_password","old":"pw-us-neg-and-more","new":"pw-us-neg-and-more"}`, CodeBadRequest, ""},
		{"change without old", "us-neg", `{"id":"1","type":"change_password","new":"a much longer secret"}`, CodeBadRequest, ""},
		{"change by the operator", "", `{"id":"1","type":"change_password","old":"x","new":"a much longer secret"}`, CodeBadRequest, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := adminWorld()
			before := d.Clone()
			out, err := DecideAdmin(d, adminCmd(t, tc.cmd), adminInput(d, UserID(tc.actor)))
			if !reflect.DeepEqual(d, before) {
				t.Fatal("DecideAdmin changed the directory")
			}
			if tc.code != "" {
				var e *Error
				if err == nil || !asError(err, &e) || e.Code != tc.code {
					t.Fatalf("got %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want success", err)
			}
			var kinds []string
			for _, e := range out.Events {
				kinds = append(kinds, string(e.Kind))
			}
			if got := strings.Join(kinds, " "); got != tc.kinds {
				t.Errorf("events %q, want %q", got, tc.kinds)
			}
			// The events seal and fold; what they touch is what the store writes.
			if err := d.Seal(out.Events); err != nil {
				t.Fatal(err)
			}
			for _, e := range out.Events {
				if err := d.Apply(e); err != nil {
					t.Fatal(err)
				}
				if _, err := DecodeEvent(e.JSON); err != nil {
					t.Fatalf("sealed %s does not decode: %v", e.Kind, err)
				}
				if strings.Contains(string(e.JSON), "h:") || strings.Contains(string(e.JSON), "one-time-") {
					t.Errorf("a password or its hash in the event: %s", e.JSON)
				}
			}
			if d.Head.Seq != uint64(len(out.Events)) {
				t.Errorf("head %d after %d events", d.Head.Seq, len(out.Events))
			}
		})
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

// The one-time password's life: add, first login spends it, change clears
// it; a reset sets a new one and clears the used mark.
func TestOneTimePasswordLife(t *testing.T) {
	d := adminWorld()
	run := func(actor UserID, js string) *AdminOutcome {
		t.Helper()
		out, err := DecideAdmin(d, adminCmd(t, js), adminInput(d, actor))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		commit(t, d, out)
		return out
	}
	out := run("us-admin", `{"id":"1","type":"add_user","user":{"id":"alice","name":"Alice","party":"US","roles":["legal"]}}`)
	res := out.Result.(map[string]any)
	if res["password"] != "one-time-1" || res["user"].(AccountView).MustChangePassword != true {
		t.Fatalf("result %+v", res)
	}
	alice := d.Users["alice"]
	if !alice.MustChangePassword || alice.OneTimeUsed || alice.PasswordHash != "h:one-time-1" || d.Credentials["alice"] != Credential("h:one-time-1") {
		t.Fatalf("alice after add: %+v", alice)
	}
	ev, ok := d.UseOneTimePassword("alice", time.Now())
	if !ok {
		t.Fatal("no one-time password to spend")
	}
	commit(t, d, &AdminOutcome{Events: []*Event{ev}})
	if _, again := d.UseOneTimePassword("alice", time.Now()); again {
		t.Error("the one-time password was spent twice")
	}
	if _, none := d.UseOneTimePassword("us-neg", time.Now()); none {
		t.Error("a chosen password was spent as a one-time one")
	}
	run("alice", `{"id":"2","type":"change_password","old":"one-time-1","new":"alice's own long secret"}`)
	if a := d.Users["alice"]; a.MustChangePassword || a.OneTimeUsed || a.PasswordHash != "h:alice's own long secret" {
		t.Errorf("alice after change: %+v", a)
	}
	run("us-admin2", `{"id":"3","type":"reset_password","user":"alice"}`)
	if a := d.Users["alice"]; !a.MustChangePassword || a.OneTimeUsed {
		t.Errorf("alice after reset: %+v", a)
	}
	// Disabled: nothing to spend, and enable brings the user back.
	run("us-admin", `{"id":"4","type":"disable_user","user":"alice"}`)
	if _, ok := d.UseOneTimePassword("alice", time.Now()); ok || !d.Users["alice"].Disabled {
		t.Error("a disabled user spent a one-time password")
	}
	run("us-admin", `{"id":"5","type":"enable_user","user":"alice"}`)
	if d.Users["alice"].Disabled {
		t.Error("enable left alice disabled")
	}
	// Disabling the other admin leaves one: the last cannot go.
	run("us-admin", `{"id":"6","type":"disable_user","user":"us-admin2"}`)
	if _, err := DecideAdmin(d, adminCmd(t, `{"id":"7","type":"disable_user","user":"us-admin"}`), adminInput(d, "")); err == nil {
		t.Error("the last active admin of US was disabled")
	}
}

// commit prepares an outcome as the server does, and checks the change.
func commit(t *testing.T, d *Directory, out *AdminOutcome) {
	t.Helper()
	prev := d.Head
	c, err := d.Prepare(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) > 0 && c.Prev[AdminStream] != prev || len(c.Events) != len(out.Events) || c.Negotiation != "" {
		t.Fatalf("change %+v after head %+v", c, prev)
	}
	for _, u := range c.Users {
		if h, set := out.Hashes[u.ID]; set && u.PasswordHash != h {
			t.Errorf("change of %s without its hash", u.ID)
		}
	}
}

// The fold of the admin stream, from its stored bytes, is the directory
// the commands built, but for the hashes, whose credentials it holds.
func TestDirectoryFold(t *testing.T) {
	start := adminWorld()
	var stored [][]byte
	rec := RecordDirectory(mapValues(start.Parties), mapValues(start.Users), time.Now())
	d := NewDirectory(nil, nil, Head{})
	commit(t, d, &AdminOutcome{Events: []*Event{rec}})
	stored = append(stored, rec.JSON)
	for i, js := range []string{
		`{"type":"add_user","user":{"id":"alice","party":"US","roles":["legal"]}}`,
		`{"type":"reset_password","user":"us-neg"}`,
		`{"type":"disable_user","user":"us-neg"}`,
		`{"type":"add_party","party":{"id":"EX","name":"Example"},"admin":{"id":"ex-admin"}}`,
	} {
		var m map[string]any
		json.Unmarshal([]byte(js), &m)
		m["id"] = fmt.Sprint(i)
		b, _ := json.Marshal(m)
		for id, h := range map[UserID]string{"us-admin": "hash-of-us-admin"} {
			u := d.Users[id]
			u.PasswordHash = h
			d.Users[id] = u
		}
		out, err := DecideAdmin(d, adminCmd(t, string(b)), adminInput(d, "us-admin"))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		commit(t, d, out)
		for _, e := range out.Events {
			stored = append(stored, e.JSON)
		}
	}
	fold := NewDirectory(nil, nil, Head{})
	prev := ""
	for _, b := range stored {
		h, err := CheckEvent(prev, b)
		if err != nil {
			t.Fatal(err)
		}
		e, err := DecodeChecked(b, h)
		if err != nil {
			t.Fatal(err)
		}
		if err := fold.Apply(e); err != nil {
			t.Fatal(err)
		}
		prev = h.Hash
	}
	if !reflect.DeepEqual(fold.Credentials, d.Credentials) || !reflect.DeepEqual(fold.Parties, d.Parties) {
		t.Errorf("fold %+v\nwant %+v", fold, d)
	}
	for id, u := range d.Users {
		u.PasswordHash = ""
		if got := fold.Users[id]; !reflect.DeepEqual(got, u) {
			t.Errorf("user %s folds to %+v, want %+v", id, got, u)
		}
	}
	if !d.Users["us-neg"].Disabled || !d.Users["us-neg"].MustChangePassword || d.Users["ex-admin"].Party != "EX" {
		t.Errorf("directory %+v", d.Users)
	}
	// An event out of place does not fold.
	if err := fold.Apply(&Event{Stream: AdminLog, Kind: EvUserDisabled, Data: &UserChanged{User: "nobody"}}); err == nil {
		t.Error("a change to no user folded")
	}
	if err := fold.Apply(&Event{Stream: AdminLog, Kind: EvPartyAdded, Data: &PartyAdded{Party: Party{ID: "US"}}}); err == nil {
		t.Error("a party added twice folded")
	}
}

func mapValues[K comparable, V any](m map[K]V) []V {
	var out []V
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
