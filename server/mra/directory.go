package mra

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The directory is who exists: the parties and their users. It changes
// only through events on the admin stream (hash chained like a
// negotiation's streams) and is their fold, as a negotiation is the fold
// of its streams. A user's password hash is not in any event: events carry
// its Credential, the SHA-256 of the stored hash, so the log holds no
// secret and still proves which hash each user has.

// AdminLog is the stream of the directory's events (an Event's Stream).
const AdminLog Visibility = "admin"

// AdminStream is the key of the admin stream.
const AdminStream StreamKey = "admin"

// Admin event kinds.
const (
	EvDirectoryRecorded   EventKind = "directory_recorded" // the directory as found, before the admin stream existed
	EvPartyAdded          EventKind = "party_added"
	EvUserAdded           EventKind = "user_added"
	EvPasswordReset       EventKind = "password_reset"
	EvPasswordChanged     EventKind = "password_changed"
	EvOneTimePasswordUsed EventKind = "one_time_password_used"
	EvUserDisabled        EventKind = "user_disabled"
	EvUserEnabled         EventKind = "user_enabled"
)

// Payloads of the admin events.
type (
	// DirectoryRecorded is every party and user as they stood when the
	// admin stream began (a database made before it).
	DirectoryRecorded struct {
		Parties []Party   `json:"parties"`
		Users   []Account `json:"users"`
	}
	PartyAdded struct {
		Party Party `json:"party"`
	}
	UserAdded struct {
		User Account `json:"user"`
	}
	// CredentialSet is the payload of password_reset and password_changed.
	CredentialSet struct {
		User       UserID `json:"user"`
		Credential string `json:"credential"`
	}
	// UserChanged is the payload of one_time_password_used, user_disabled
	// and user_enabled.
	UserChanged struct {
		User UserID `json:"user"`
	}
)

// Account is a user as the admin stream records it: no password hash, but
// its Credential, and whether the password is a one-time one.
type Account struct {
	ID         UserID  `json:"id"`
	Name       string  `json:"name"`
	Party      PartyID `json:"party"`
	Roles      []Role  `json:"roles"`
	Credential string  `json:"credential"`
	OneTime    bool    `json:"one_time"`
	Disabled   bool    `json:"disabled"`
}

// Credential is the fingerprint of a stored password hash that the admin
// stream records: its SHA-256 in hex ("" for no hash).
func Credential(passwordHash string) string {
	if passwordHash == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(passwordHash))
	return hex.EncodeToString(sum[:])
}

// Directory is the parties and users, and the head of the admin stream.
// Users' PasswordHash is set where the hashes are known (the server, from
// the store) and empty in a fold of the events; Credentials always holds
// each user's credential.
type Directory struct {
	Parties     map[PartyID]Party
	Users       map[UserID]User
	Credentials map[UserID]string
	Head        Head
}

// NewDirectory returns the directory of stored parties and users (hashes
// included) at the admin stream's head.
func NewDirectory(parties []Party, users []User, head Head) *Directory {
	d := &Directory{Parties: map[PartyID]Party{}, Users: map[UserID]User{}, Credentials: map[UserID]string{}, Head: head}
	for _, p := range parties {
		d.Parties[p.ID] = p
	}
	for _, u := range users {
		d.Users[u.ID] = u
		d.Credentials[u.ID] = Credential(u.PasswordHash)
	}
	return d
}

// Clone returns a copy that shares nothing mutable with d.
func (d *Directory) Clone() *Directory {
	c := &Directory{Parties: maps.Clone(d.Parties), Users: make(map[UserID]User, len(d.Users)),
		Credentials: maps.Clone(d.Credentials), Head: d.Head}
	for id, u := range d.Users {
		u.Roles = slices.Clone(u.Roles)
		c.Users[id] = u
	}
	return c
}

// PartyUsers returns the users of party p, in id order.
func (d *Directory) PartyUsers(p PartyID) []User {
	var out []User
	for _, u := range d.Users {
		if u.Party == p {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out
}

// accountOf is u, with its password hash, as the admin stream records it.
func accountOf(u User) Account {
	return Account{ID: u.ID, Name: u.Name, Party: u.Party, Roles: slices.Clone(u.Roles),
		Credential: Credential(u.PasswordHash), OneTime: u.MustChangePassword, Disabled: u.Disabled}
}

// Seal numbers admin events after d's head, hash chains them and sets
// their JSON, as a negotiation's Seal does for its streams.
func (d *Directory) Seal(events []*Event) error {
	for _, e := range events {
		if e.Stream != AdminLog || e.Negotiation != "" || e.Owner != "" {
			return fmt.Errorf("seal %s: not an admin event", e.Kind)
		}
		e.Seq, e.SharedSeq = d.Head.Seq+1, 0
		data, err := appendTyped(nil, e.Data)
		if err != nil {
			return fmt.Errorf("seal %s: %w", e.Kind, err)
		}
		e.Hash = e.sealHash(d.Head.Hash, data)
		e.JSON = e.canonical(data, e.Hash)
		e.data = data
		d.Head = Head{Seq: e.Seq, Hash: e.Hash}
	}
	return nil
}

// Apply folds one admin event into d. It fails on an event that does not
// fit (a user or party added twice, a change to a user that does not
// exist), which a stream written by Decide never holds. A user whose
// credential changes loses the hash d held for it (the event has none).
func (d *Directory) Apply(e *Event) error {
	if e.Stream != AdminLog {
		return fmt.Errorf("apply: a %s event is not on the admin stream", e.Stream)
	}
	switch x := e.Data.(type) {
	case *DirectoryRecorded:
		if len(d.Parties) > 0 || len(d.Users) > 0 {
			return fmt.Errorf("apply: directory recorded over parties and users")
		}
		for _, p := range x.Parties {
			if err := d.Apply(&Event{Stream: AdminLog, Data: &PartyAdded{Party: p}}); err != nil {
				return err
			}
		}
		for _, a := range x.Users {
			if err := d.Apply(&Event{Stream: AdminLog, Data: &UserAdded{User: a}}); err != nil {
				return err
			}
		}
	case *PartyAdded:
		if _, dup := d.Parties[x.Party.ID]; dup || x.Party.ID == "" {
			return fmt.Errorf("apply: party %q added again", x.Party.ID)
		}
		d.Parties[x.Party.ID] = x.Party
	case *UserAdded:
		a := x.User
		if _, dup := d.Users[a.ID]; dup || a.ID == "" {
			return fmt.Errorf("apply: user %q added again", a.ID)
		}
		if _, ok := d.Parties[a.Party]; !ok {
			return fmt.Errorf("apply: user %q of unknown party %q", a.ID, a.Party)
		}
		d.Users[a.ID] = User{ID: a.ID, Name: a.Name, Party: a.Party, Roles: slices.Clone(a.Roles),
			Disabled: a.Disabled, MustChangePassword: a.OneTime}
		d.Credentials[a.ID] = a.Credential
	case *CredentialSet:
		u, ok := d.Users[x.User]
		if !ok {
			return fmt.Errorf("apply: %s of unknown user %q", e.Kind, x.User)
		}
		u.PasswordHash, u.OneTimeUsed = "", false
		u.MustChangePassword = e.Kind == EvPasswordReset
		d.Users[x.User] = u
		d.Credentials[x.User] = x.Credential
	case *UserChanged:
		u, ok := d.Users[x.User]
		if !ok {
			return fmt.Errorf("apply: %s of unknown user %q", e.Kind, x.User)
		}
		switch e.Kind {
		case EvOneTimePasswordUsed:
			u.OneTimeUsed = true
		case EvUserDisabled:
			u.Disabled = true
		case EvUserEnabled:
			u.Disabled = false
		default:
			return fmt.Errorf("apply: unknown admin event %s", e.Kind)
		}
		d.Users[x.User] = u
	default:
		return fmt.Errorf("apply: %s is not an admin event", e.Kind)
	}
	return nil
}

// Touched returns the parties and users that events change, as d holds
// them now: what the store must write beside the events.
func (d *Directory) Touched(events []*Event) ([]Party, []User) {
	var parties []Party
	var users []User
	seenU := map[UserID]bool{}
	user := func(id UserID) {
		if !seenU[id] {
			seenU[id] = true
			users = append(users, d.Users[id])
		}
	}
	for _, e := range events {
		switch x := e.Data.(type) {
		case *DirectoryRecorded:
			for _, p := range x.Parties {
				parties = append(parties, d.Parties[p.ID])
			}
			for _, a := range x.Users {
				user(a.ID)
			}
		case *PartyAdded:
			parties = append(parties, d.Parties[x.Party.ID])
		case *UserAdded:
			user(x.User.ID)
		case *CredentialSet:
			user(x.User)
		case *UserChanged:
			user(x.User)
		}
	}
	return parties, users
}

// RecordDirectory returns the event that starts the admin stream of a
// database whose parties and users were stored before it existed.
func RecordDirectory(parties []Party, users []User, now time.Time) *Event {
	rec := &DirectoryRecorded{Parties: slices.Clone(parties), Users: []Account{}}
	for _, u := range users {
		rec.Users = append(rec.Users, accountOf(u))
	}
	return &Event{Stream: AdminLog, At: now.UTC().Truncate(time.Millisecond), Kind: EvDirectoryRecorded, Data: rec}
}

// Password limits of change_password (in characters).
const (
	MinPassword = 12
	MaxPassword = 256
)

// CheckPassword says what is wrong with a new password, or nil.
func CheckPassword(p string) *Error {
	if n := utf8.RuneCountInString(p); n < MinPassword || n > MaxPassword {
		return badRequest("a password has %d to %d characters, not %d", MinPassword, MaxPassword, n)
	}
	return nil
}

// CheckLogin says what is wrong with a new login name, or nil: 1 to 64
// characters, no spaces or control characters.
func CheckLogin(id UserID) *Error {
	if n := utf8.RuneCountInString(string(id)); n < 1 || n > 64 {
		return badRequest("a login name has 1 to 64 characters, not %d", n)
	}
	if strings.IndexFunc(string(id), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return badRequest("a login name has no spaces or control characters")
	}
	return nil
}

// CheckPartyCode says what is wrong with a new party id, or nil: 2 to 8
// capital letters or digits.
func CheckPartyCode(id PartyID) *Error {
	if len(id) < 2 || len(id) > 8 || strings.IndexFunc(string(id), func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) >= 0 {
		return badRequest("a party id has 2 to 8 capital letters or digits, e.g. US")
	}
	return nil
}

// Prepare seals an outcome's events after d's head, folds them into d with
// the hashes it sets, and returns the store's change: the events, the head
// they follow, and the parties and users they touch as d now holds them.
// On an error d may be half changed: start again from a fresh copy.
func (d *Directory) Prepare(out *AdminOutcome) (*Change, error) {
	prev := d.Head
	if err := d.Seal(out.Events); err != nil {
		return nil, err
	}
	for _, e := range out.Events {
		if err := d.Apply(e); err != nil {
			return nil, err
		}
	}
	for id, h := range out.Hashes {
		u, ok := d.Users[id]
		if !ok || Credential(h) != d.Credentials[id] {
			return nil, fmt.Errorf("prepare: hash of %q is not the one its event records", id)
		}
		u.PasswordHash = h
		d.Users[id] = u
	}
	parties, users := d.Touched(out.Events)
	c := &Change{Events: out.Events, Parties: parties, Users: users}
	if len(out.Events) > 0 {
		c.Prev = map[StreamKey]Head{AdminStream: prev}
	}
	return c, nil
}
