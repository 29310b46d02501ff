// Package mra is the domain of a Mutual Recognition Arrangement negotiation:
// parties, users and roles; negotiations with their versions, threads,
// sign-offs and signatures; the commands that change them and the rules each
// must pass (Decide); the events they produce and how events fold into state
// (Apply); the derived status (Readiness); and the Store that keeps them.
//
// Everything here is pure: no I/O, no clocks, no randomness but what the
// caller hands in. Expected failures are *Error values with a contract code.
package mra

import "slices"

// PartyID is a party's short code chosen by the admin, e.g. "US".
type PartyID string

// UserID is a user's login name.
type UserID string

// NegotiationID, ThreadID and MessageID are assigned by the server; opaque to clients.
type (
	NegotiationID string
	ThreadID      string
	MessageID     string
)

// Role is what a user may do.
type Role string

// The roles of the contract.
const (
	Negotiator Role = "negotiator"
	Legal      Role = "legal"
	Signatory  Role = "signatory"
	Admin      Role = "admin"
)

// ValidRole reports whether r is one of the contract's roles.
func ValidRole(r Role) bool {
	return r == Negotiator || r == Legal || r == Signatory || r == Admin
}

// Party is one administration.
type Party struct {
	ID      PartyID `json:"id"`
	Name    string  `json:"name"`
	Program string  `json:"program,omitempty"`
}

// User is a person who belongs to exactly one party. PasswordHash is an
// encoded argon2id hash; it never leaves the server. MustChangePassword:
// the password is a one-time one (set by an admin), which works for one
// login (then OneTimeUsed) whose session may only change it. A Disabled
// user cannot log in.
type User struct {
	ID                 UserID  `json:"id"`
	Name               string  `json:"name"`
	Party              PartyID `json:"party"`
	Roles              []Role  `json:"roles"`
	PasswordHash       string  `json:"password_hash,omitempty"`
	Disabled           bool    `json:"disabled,omitempty"`
	MustChangePassword bool    `json:"must_change_password,omitempty"`
	OneTimeUsed        bool    `json:"one_time_used,omitempty"`
}

// Has reports whether the user holds role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// Public is the user as the contract's USER shape shows it, without secrets.
// (must_change_password and disabled appear only when true).
func (u User) Public() User {
	u.PasswordHash, u.OneTimeUsed = "", false
	return u
}
