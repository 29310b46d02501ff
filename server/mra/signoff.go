package mra

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// SignOff is a legal reviewer's decision on one version's exact text. Its
// decision is every party's to see (readiness rests on it); the body of an
// internal sign-off is its own party's alone.
type SignOff struct {
	User       UserID     `json:"user"`
	Party      PartyID    `json:"party"`
	Version    int        `json:"version"`
	SHA256     string     `json:"sha256"`
	Decision   Decision   `json:"decision"`
	Visibility Visibility `json:"visibility"`
	Body       string     `json:"body"`
	At         time.Time  `json:"at"`
	// Carry, on a sign-off that carries an earlier approval's review
	// (articles.go), is what carried.
	Carry *SignOffCarry `json:"carry,omitempty"`
	Pos   Pos           `json:"-"` // where this reviewer first signed off this version
}

// Signature is a party's signature of one version.
type Signature struct {
	User    UserID    `json:"user"`
	Party   PartyID   `json:"party"`
	Version int       `json:"version"`
	SHA256  string    `json:"sha256"`
	At      time.Time `json:"at"`
	Pos     Pos       `json:"-"`
}

// ReadinessResult is the ack's result of sign_off, sign and withdraw_signature.
type ReadinessResult struct {
	Readiness Readiness `json:"readiness"`
}

func readinessResult(n *Negotiation) any { return ReadinessResult{Readiness: n.Readiness()} }

// exactVersion checks that a command names the latest version (and, with
// withSHA, its SHA-256).
func (d *decider) exactVersion(withSHA bool) (*Version, error) {
	c := d.cmd
	if c.Version == nil {
		return nil, badRequest("version is required")
	}
	if withSHA && c.SHA256 == "" {
		return nil, badRequest("sha256 is required")
	}
	v := d.n.Latest()
	if v == nil || *c.Version < 1 || *c.Version > v.Number {
		return nil, Errorf(CodeNotFound, "no version %d", *c.Version)
	}
	if *c.Version != v.Number {
		return nil, Errorf(CodeStale, "version %d is not the latest (%d)", *c.Version, v.Number)
	}
	if withSHA && !strings.EqualFold(c.SHA256, v.SHA256) {
		return nil, Errorf(CodeStale, "sha256 does not match version %d's text", v.Number)
	}
	return v, nil
}

func (d *decider) signOff() (*Outcome, error) {
	if err := d.need(Legal); err != nil {
		return nil, err
	}
	c := d.cmd
	if c.Decision != Approve && c.Decision != RequestChanges {
		return nil, badRequest("decision must be approve or request_changes")
	}
	visibility := Internal
	if c.Visibility != "" {
		if !c.Visibility.valid() {
			return nil, badRequest("visibility must be internal (the default) or shared")
		}
		visibility = c.Visibility
	}
	body := ""
	if c.Body != nil {
		if utf8.RuneCountInString(*c.Body) > MaxBodyChars {
			return nil, badRequest("body is at most %d characters", MaxBodyChars)
		}
		body = *c.Body
	}
	v, err := d.exactVersion(true)
	if err != nil {
		return nil, err
	}
	s := &SignedOff{User: d.in.Actor.ID, Party: d.in.Actor.Party, Version: v.Number, SHA256: v.SHA256,
		Decision: c.Decision, Visibility: visibility, At: d.at}
	if c.CarriedFrom != nil {
		if s.Carry, err = d.signOffCarry(v); err != nil {
			return nil, err
		}
	}
	events := []*Event{d.event(EvSignedOff, "", s)}
	switch {
	case visibility == Shared:
		s.Body = &body
	case body != "":
		// The decision is everyone's; the body travels on the party's own stream.
		full := *s
		full.Body = &body
		events = append(events, d.event(EvSignedOff, d.in.Actor.Party, &full))
	}
	return &Outcome{Events: events, Result: readinessResult}, nil
}

func (d *decider) sign() (*Outcome, error) {
	if err := d.need(Signatory); err != nil {
		return nil, err
	}
	v, err := d.exactVersion(true)
	if err != nil {
		return nil, err
	}
	if d.n.signedLatest(d.in.Actor.Party) {
		return nil, badRequest("party %s has signed version %d already", d.in.Actor.Party, v.Number)
	}
	if r := d.n.Readiness(); r.Status != StatusReady {
		return nil, Errorf(CodeNotReady, "the negotiation is %s, not ready_to_sign", r.Status)
	}
	s := &Signature{User: d.in.Actor.ID, Party: d.in.Actor.Party, Version: v.Number, SHA256: v.SHA256, At: d.at}
	return &Outcome{Events: []*Event{d.event(EvSigned, "", s)}, Result: readinessResult}, nil
}

// withdrawSignature removes the actor's party's signature of the latest
// version, saying why; a frozen negotiation refuses it before this runs.
func (d *decider) withdrawSignature() (*Outcome, error) {
	if err := d.need(Signatory); err != nil {
		return nil, err
	}
	body, err := requireBody(d.cmd.Body)
	if err != nil {
		return nil, badRequest("withdraw_signature needs a body saying why")
	}
	v, err := d.exactVersion(false)
	if err != nil {
		return nil, err
	}
	p := d.in.Actor.Party
	i := slices.IndexFunc(d.n.Signatures, func(s Signature) bool { return s.Party == p && s.Version == v.Number })
	if i < 0 {
		return nil, badRequest("party %s has not signed version %d", p, v.Number)
	}
	w := &SignatureWithdrawn{Party: p, Version: v.Number, SHA256: d.n.Signatures[i].SHA256, Body: body}
	return &Outcome{Events: []*Event{d.event(EvSignatureWithdrawn, "", w)}, Result: readinessResult}, nil
}
