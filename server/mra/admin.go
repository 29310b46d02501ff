package mra

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// AdminInput is what DecideAdmin needs besides the directory and the
// command. Actor nil is the server's operator on the command line, who may
// do what any admin may, for any party.
type AdminInput struct {
	Actor *User
	Now   time.Time
	// NewPassword returns a fresh one-time password (random).
	NewPassword func() string
	// Hash returns the stored hash of a password; Check whether a password
	// matches a stored hash (change_password's old one). Their errors
	// (the server too busy to hash) are the command's.
	Hash  func(password string) (string, error)
	Check func(hash, password string) (bool, error)
	// PasswordHash, for the operator's add_user, is the hash of the
	// password the operator chose (the user need not change it).
	PasswordHash string
}

// AdminOutcome is what an admin command does: its events, the stored
// hashes of the passwords it sets (by user), and the ack's result.
type AdminOutcome struct {
	Events []*Event
	Hashes map[UserID]string
	Result any
}

// AccountView is a user as an admin sees it (GET /api/users and the
// answers of admin commands): USER with "disabled" and
// "must_change_password" always present.
type AccountView struct {
	ID                 UserID  `json:"id"`
	Name               string  `json:"name"`
	Party              PartyID `json:"party"`
	Roles              []Role  `json:"roles"`
	Disabled           bool    `json:"disabled"`
	MustChangePassword bool    `json:"must_change_password"`
}

// View is u as an admin sees it.
func (u User) View() AccountView {
	return AccountView{ID: u.ID, Name: u.Name, Party: u.Party, Roles: slices.Clone(u.Roles),
		Disabled: u.Disabled, MustChangePassword: u.MustChangePassword}
}

// DecideAdmin runs the rules of an administration command on d (which it
// does not change) and returns the events to seal and apply.
//
//   - add_party (an admin): a new party and its first admin, with a
//     one-time password (the operator may leave the admin out); a taken
//     party or login is conflict.
//   - add_user (an admin of the user's party: another party is forbidden):
//     a one-time password; a taken login is conflict.
//   - reset_password, disable_user, enable_user (an admin of the user's
//     party): another party's user is not_found, as a user that does not
//     exist. The last enabled admin of a party cannot be disabled, and an
//     admin neither resets nor disables itself (bad_request).
//   - change_password (any user, for themselves): old must be the current
//     password (forbidden otherwise), new 12 to 256 characters and not old.
func DecideAdmin(d *Directory, cmd *Command, in AdminInput) (*AdminOutcome, error) {
	a := &adminDecider{d: d, cmd: cmd, in: in, at: in.Now.UTC().Truncate(time.Millisecond)}
	if cmd.Type == CmdChangePassword {
		return a.changePassword()
	}
	if in.Actor != nil && !in.Actor.Has(Admin) {
		return nil, Errorf(CodeForbidden, "%s needs the admin role", cmd.Type)
	}
	switch cmd.Type {
	case CmdAddParty:
		return a.addParty()
	case CmdAddUser:
		return a.addUser()
	case CmdResetPassword, CmdDisableUser, CmdEnableUser:
		return a.manage()
	}
	return nil, badRequest("%s is not an administration command", cmd.Type)
}

type adminDecider struct {
	d   *Directory
	cmd *Command
	in  AdminInput
	at  time.Time
}

func (a *adminDecider) event(kind EventKind, data any) *Event {
	var actor Actor
	if a.in.Actor != nil {
		actor = Actor{User: a.in.Actor.ID, Party: a.in.Actor.Party}
	}
	return &Event{Stream: AdminLog, At: a.at, Actor: actor, Kind: kind, Data: data}
}

// newUser checks a user to add: its login free, its name and roles good.
func (a *adminDecider) newUser(u *UserArg, field string) (User, error) {
	if u == nil || u.Ref {
		return User{}, badRequest("%s must be an object {id, name, party, roles}", field)
	}
	if err := CheckLogin(u.ID); err != nil {
		return User{}, err
	}
	if _, taken := a.d.Users[u.ID]; taken {
		return User{}, Errorf(CodeConflict, "the login name %q is taken", u.ID)
	}
	name := strings.TrimSpace(u.Name)
	if name == "" {
		name = string(u.ID)
	}
	if utf8.RuneCountInString(name) > 200 {
		return User{}, badRequest("%s.name has at most 200 characters", field)
	}
	if len(u.Roles) == 0 {
		return User{}, badRequest("%s.roles needs at least one of negotiator, legal, signatory, admin", field)
	}
	var roles []Role
	for _, r := range u.Roles {
		if !ValidRole(r) {
			return User{}, badRequest("unknown role %q (negotiator, legal, signatory or admin)", r)
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return User{ID: u.ID, Name: name, Party: u.Party, Roles: roles}, nil
}

// oneTime returns a new one-time password and its hash.
func (a *adminDecider) oneTime() (string, string, error) {
	pw := a.in.NewPassword()
	hash, err := a.in.Hash(pw)
	return pw, hash, err
}

func (a *adminDecider) addParty() (*AdminOutcome, error) {
	p := a.cmd.Party
	if p == nil {
		return nil, badRequest("party {id, name, program} is required")
	}
	if err := CheckPartyCode(p.ID); err != nil {
		return nil, err
	}
	party := Party{ID: p.ID, Name: strings.TrimSpace(p.Name), Program: strings.TrimSpace(p.Program)}
	if party.Name == "" || utf8.RuneCountInString(party.Name) > 200 || utf8.RuneCountInString(party.Program) > 200 {
		return nil, badRequest("party.name is required (at most 200 characters; program too)")
	}
	if _, taken := a.d.Parties[p.ID]; taken {
		return nil, Errorf(CodeConflict, "the party id %q is taken", p.ID)
	}
	added := a.event(EvPartyAdded, &PartyAdded{Party: party})
	if a.in.Actor == nil && a.cmd.Admin == nil { // the operator adds its users after
		return &AdminOutcome{Events: []*Event{added}, Result: map[string]any{"party": party}}, nil
	}
	first := a.cmd.Admin
	if first != nil && !first.Ref {
		c := *first
		c.Party, c.Roles = p.ID, []Role{Admin}
		first = &c
	}
	admin, err := a.newUser(first, "admin")
	if err != nil {
		return nil, err
	}
	pw, hash, err := a.oneTime()
	if err != nil {
		return nil, err
	}
	admin.MustChangePassword, admin.PasswordHash = true, hash
	acc := accountOf(admin)
	return &AdminOutcome{
		Events: []*Event{added, a.event(EvUserAdded, &UserAdded{User: acc})},
		Hashes: map[UserID]string{admin.ID: hash},
		Result: map[string]any{"party": party, "admin": admin.View(), "password": pw},
	}, nil
}

func (a *adminDecider) addUser() (*AdminOutcome, error) {
	u, err := a.newUser(a.cmd.User, "user")
	if err != nil {
		return nil, err
	}
	if _, ok := a.d.Parties[u.Party]; !ok && a.in.Actor == nil {
		return nil, Errorf(CodeNotFound, "no party %q", u.Party)
	}
	if a.in.Actor != nil && u.Party != a.in.Actor.Party {
		return nil, Errorf(CodeForbidden, "an admin adds users to its own party (%s) only", a.in.Actor.Party)
	}
	var pw, hash string
	if a.in.Actor == nil && a.in.PasswordHash != "" {
		hash = a.in.PasswordHash // the operator's, chosen on the command line
	} else if pw, hash, err = a.oneTime(); err != nil {
		return nil, err
	}
	u.MustChangePassword, u.PasswordHash = pw != "", hash
	acc := accountOf(u)
	result := map[string]any{"user": u.View()}
	if pw != "" {
		result["password"] = pw
	}
	return &AdminOutcome{
		Events: []*Event{a.event(EvUserAdded, &UserAdded{User: acc})},
		Hashes: map[UserID]string{u.ID: hash},
		Result: result,
	}, nil
}

// target is the user a command names, if the actor may manage it.
func (a *adminDecider) target() (User, error) {
	ref := a.cmd.User
	if ref == nil || !ref.Ref || ref.ID == "" {
		return User{}, badRequest("user (a login name) is required")
	}
	u, ok := a.d.Users[ref.ID]
	if a.in.Actor == nil && !ok {
		return User{}, Errorf(CodeNotFound, "no user %q", ref.ID)
	}
	if !ok || a.in.Actor != nil && u.Party != a.in.Actor.Party {
		return User{}, Errorf(CodeNotFound, "no user %q in your party", ref.ID)
	}
	return u, nil
}

func (a *adminDecider) manage() (*AdminOutcome, error) {
	u, err := a.target()
	if err != nil {
		return nil, err
	}
	if a.in.Actor != nil && u.ID == a.in.Actor.ID && a.cmd.Type != CmdEnableUser {
		return nil, badRequest("an admin does not %s itself (change_password changes your own password)", strings.TrimSuffix(string(a.cmd.Type), "_user"))
	}
	out := &AdminOutcome{}
	switch a.cmd.Type {
	case CmdResetPassword:
		pw, hash, err := a.oneTime()
		if err != nil {
			return nil, err
		}
		out.Events = []*Event{a.event(EvPasswordReset, &CredentialSet{User: u.ID, Credential: Credential(hash)})}
		out.Hashes = map[UserID]string{u.ID: hash}
		u.MustChangePassword = true
		out.Result = map[string]any{"user": u.View(), "password": pw}
		return out, nil
	case CmdDisableUser:
		if !u.Disabled {
			if u.Has(Admin) && a.activeAdmins(u.Party) <= 1 {
				return nil, Errorf(CodeForbidden, "%s is the last active admin of %s and cannot be disabled", u.ID, u.Party)
			}
			out.Events = []*Event{a.event(EvUserDisabled, &UserChanged{User: u.ID})}
			u.Disabled = true
		}
	case CmdEnableUser:
		if u.Disabled {
			out.Events = []*Event{a.event(EvUserEnabled, &UserChanged{User: u.ID})}
			u.Disabled = false
		}
	}
	out.Result = map[string]any{"user": u.View()}
	return out, nil
}

func (a *adminDecider) activeAdmins(p PartyID) int {
	n := 0
	for _, u := range a.d.Users {
		if u.Party == p && u.Has(Admin) && !u.Disabled {
			n++
		}
	}
	return n
}

func (a *adminDecider) changePassword() (*AdminOutcome, error) {
	if a.in.Actor == nil {
		return nil, badRequest("change_password is a user's own; the operator resets passwords")
	}
	if a.cmd.Old == nil || a.cmd.New == nil {
		return nil, badRequest("old and new are required")
	}
	if err := CheckPassword(*a.cmd.New); err != nil {
		return nil, err
	}
	if *a.cmd.New == *a.cmd.Old {
		return nil, badRequest("the new password must differ from the current one")
	}
	u, ok := a.d.Users[a.in.Actor.ID]
	if !ok || u.Disabled {
		return nil, Errorf(CodeUnauthenticated, "your session has ended; log in again")
	}
	if ok, err := a.in.Check(u.PasswordHash, *a.cmd.Old); err != nil {
		return nil, err
	} else if !ok {
		return nil, Errorf(CodeForbidden, "the current password is not right")
	}
	hash, err := a.in.Hash(*a.cmd.New)
	if err != nil {
		return nil, err
	}
	u.MustChangePassword = false
	return &AdminOutcome{
		Events: []*Event{a.event(EvPasswordChanged, &CredentialSet{User: u.ID, Credential: Credential(hash)})},
		Hashes: map[UserID]string{u.ID: hash},
		Result: map[string]any{"user": u.Public()},
	}, nil
}

// UseOneTimePassword returns the event that spends user's one-time
// password at its first login, or false when it has none to spend.
func (d *Directory) UseOneTimePassword(user UserID, now time.Time) (*Event, bool) {
	u, ok := d.Users[user]
	if !ok || !u.MustChangePassword || u.OneTimeUsed || u.Disabled {
		return nil, false
	}
	return &Event{Stream: AdminLog, At: now.UTC().Truncate(time.Millisecond), Actor: Actor{User: u.ID, Party: u.Party},
		Kind: EvOneTimePasswordUsed, Data: &UserChanged{User: u.ID}}, true
}
