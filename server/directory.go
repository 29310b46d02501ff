package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"mra/server/mra"
)

// directory is the parties and users the server serves. They change one
// administration command at a time (mu, held through the commit: these
// are rare), on a copy that becomes the snapshot only once it is on disk;
// readers take the snapshot and never lock.
type directory struct {
	store mra.Store
	mu    sync.Mutex
	cur   atomic.Pointer[mra.Directory] // committed; never changed in place
}

func newDirectory(store mra.Store) (*directory, error) {
	d, err := store.Directory()
	if err != nil {
		return nil, fmt.Errorf("load the directory: %w", err)
	}
	dir := &directory{store: store}
	dir.cur.Store(d)
	return dir, nil
}

// snapshot is the directory as last committed; the caller must not change it.
func (dir *directory) snapshot() *mra.Directory { return dir.cur.Load() }

func (dir *directory) user(id mra.UserID) (mra.User, bool) {
	u, ok := dir.snapshot().Users[id]
	return u, ok
}

// change decides on the committed directory, then commits the outcome with
// the answer made from it, and publishes the new directory. Nothing changes
// if deciding or committing fails.
func (dir *directory) change(decide func(*mra.Directory) (*mra.AdminOutcome, error), answer func(*mra.AdminOutcome) (*mra.Answer, error)) (*mra.AdminOutcome, error) {
	dir.mu.Lock()
	defer dir.mu.Unlock()
	cur := dir.snapshot()
	out, err := decide(cur)
	if err != nil {
		return nil, err
	}
	next := cur.Clone()
	c, err := next.Prepare(out)
	if err != nil {
		return nil, err
	}
	if c.Answer, err = answer(out); err != nil {
		return nil, err
	}
	if err := dir.store.Commit(context.Background(), c); err != nil {
		return nil, fmt.Errorf("commit the directory: %w", err)
	}
	dir.cur.Store(next)
	return out, nil
}

// spendOneTime records that a user's one-time password was used for a
// login, if the directory still holds it unspent with the hash that was
// checked; false if another login spent it first (or it changed).
func (dir *directory) spendOneTime(user mra.UserID, checked string, now time.Time) (bool, error) {
	spent := false
	_, err := dir.change(func(d *mra.Directory) (*mra.AdminOutcome, error) {
		ev, ok := d.UseOneTimePassword(user, now)
		if !ok || d.Users[user].PasswordHash != checked {
			return nil, errSpent
		}
		spent = true
		return &mra.AdminOutcome{Events: []*mra.Event{ev}}, nil
	}, func(*mra.AdminOutcome) (*mra.Answer, error) { return nil, nil })
	if errors.Is(err, errSpent) {
		return false, nil
	}
	return spent, err
}

var errSpent = errors.New("the one-time password is spent")

// newOneTimePassword returns 16 random characters of an alphabet without
// look-alikes, in groups of four: 80 bits, easy to read out and type.
func newOneTimePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // 31, no i l o 0 1
	b := make([]byte, 0, 19)
	raw := make([]byte, 16)
	for i := 0; i < 16; {
		rand.Read(raw)
		for _, c := range raw {
			if c >= 248 || i == 16 { // 248 = 8 × 31: no bias
				continue
			}
			if i > 0 && i%4 == 0 {
				b = append(b, '-')
			}
			b = append(b, alphabet[c%31])
			i++
		}
	}
	return string(b)
}

// runAdmin carries out an administration command for user from session
// ("" when not known): decided on the directory, committed with its
// answer, then its effect on sessions: disable_user and reset_password end
// the user's sessions and close their sockets; change_password ends the
// user's other sessions. Password hashes take the login's hash slots.
func (s *Server) runAdmin(user mra.User, session string, cmd *mra.Command) ([]byte, mra.Code) {
	fail := func(err error) ([]byte, mra.Code) { return s.engine.fail(cmd, err) }
	wrongOld := false
	if cmd.Type == mra.CmdChangePassword {
		// A wrong current password counts as a failed login of the user
		// (a session left open is no way to guess it).
		refund, err := s.sessions.guard.admit(string(user.ID), "session "+session)
		if err != nil {
			return fail(err)
		}
		defer func() {
			if !wrongOld {
				refund()
			}
		}()
	}
	in := mra.AdminInput{
		Actor: &user, Now: s.cfg.Now(), NewPassword: newOneTimePassword,
		Hash: func(pw string) (h string, err error) {
			if herr := s.sessions.guard.hash(context.Background(), func() { h, err = HashPassword(pw) }); herr != nil {
				return "", herr
			}
			return h, err
		},
		Check: func(hash, pw string) (ok bool, err error) {
			if err := s.sessions.guard.hash(context.Background(), func() { ok = checkPassword(hash, pw) }); err != nil {
				return false, err
			}
			wrongOld = !ok
			return ok, nil
		},
	}
	var answer []byte
	out, err := s.dir.change(
		func(d *mra.Directory) (*mra.AdminOutcome, error) { return mra.DecideAdmin(d, cmd, in) },
		func(out *mra.AdminOutcome) (*mra.Answer, error) {
			var err error
			answer, err = json.Marshal(ack{Type: "ack", ID: cmd.ID, Result: out.Result})
			return &mra.Answer{User: user.ID, ID: cmd.ID, Body: answer}, err
		})
	if err != nil {
		return fail(err)
	}
	target := mra.UserID("")
	if cmd.User != nil {
		target = cmd.User.ID
	}
	var end error
	switch cmd.Type {
	case mra.CmdDisableUser, mra.CmdResetPassword:
		end = s.sessions.endUser(target, false)
	case mra.CmdChangePassword:
		end = s.sessions.endSessions(func(x mra.Session) bool { return x.User == user.ID && x.Hash != session }, false)
	}
	if end != nil {
		s.log.Error("end sessions after an admin command", "command", cmd.Type, "err", end)
	}
	s.log.Info("admin", "command", cmd.Type, "by", user.ID, "party", user.Party, "user", target, "events", len(out.Events))
	return answer, ""
}

// handleUsers is GET /api/users: the users of the admin's own party.
func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) error {
	u := requestUser(r)
	if !u.Has(mra.Admin) {
		return mra.Errorf(mra.CodeForbidden, "the list of users is for admins")
	}
	users := s.dir.snapshot().PartyUsers(u.Party)
	views := make([]mra.AccountView, len(users))
	for i, x := range users {
		views[i] = x.View()
	}
	return writeValue(w, http.StatusOK, map[string]any{"users": views})
}

// Operation is one administration command the operator runs (Operate).
// PasswordHash, for add_user, is the password the operator chose (the user
// need not change it); without it add_user sets a one-time one.
type Operation struct {
	Command      *mra.Command
	PasswordHash string
}

// Operate runs administration commands as the server's operator, on a
// store that no server is serving (mra party add, mra user add, mra user
// reset-password, a test world's seed), in one commit: all or none. The
// operator may do what any admin may, for any party. It returns each
// command's result (with the one-time password, when it set one).
func Operate(store mra.Store, now time.Time, ops ...Operation) ([]map[string]any, error) {
	d, err := store.Directory()
	if err != nil {
		return nil, fmt.Errorf("load the directory: %w", err)
	}
	all := &mra.Change{}
	var results []map[string]any
	for _, op := range ops {
		check := func(hash, pw string) (bool, error) { return checkPassword(hash, pw), nil }
		in := mra.AdminInput{Now: now, NewPassword: newOneTimePassword, Hash: HashPassword, Check: check, PasswordHash: op.PasswordHash}
		out, err := mra.DecideAdmin(d, op.Command, in)
		if err != nil {
			return nil, err
		}
		c, err := d.Prepare(out)
		if err != nil {
			return nil, err
		}
		if all.Prev == nil {
			all.Prev = c.Prev
		}
		all.Events = append(all.Events, c.Events...)
		all.Parties = append(all.Parties, c.Parties...)
		all.Users = append(all.Users, c.Users...)
		res, _ := out.Result.(map[string]any)
		results = append(results, res)
	}
	if err := store.Commit(context.Background(), all); err != nil {
		return nil, fmt.Errorf("commit the directory: %w", err)
	}
	return results, nil
}

// AddParty is the operator's operation that adds party p (no users).
func AddParty(p mra.Party) Operation {
	return Operation{Command: &mra.Command{Type: mra.CmdAddParty, Party: &p}}
}

// AddUser is the operator's operation that adds user u with the password
// hash it holds (none: a one-time password).
func AddUser(u mra.User) Operation {
	return Operation{
		Command:      &mra.Command{Type: mra.CmdAddUser, User: &mra.UserArg{ID: u.ID, Name: u.Name, Party: u.Party, Roles: u.Roles}},
		PasswordHash: u.PasswordHash,
	}
}
