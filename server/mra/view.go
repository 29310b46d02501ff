package mra

import "time"

// NegotiationView is a negotiation as the contract's reads show it.
type NegotiationView struct {
	ID                NegotiationID `json:"id"`
	Title             string        `json:"title"`
	Parties           []PartyID     `json:"parties"`
	RequiredApprovals int           `json:"required_approvals"`
	CreatedBy         UserID        `json:"created_by"`
	CreatedAt         time.Time     `json:"created_at"`
	Status            Status        `json:"status"`
	LatestVersion     int           `json:"latest_version"`
	// WaitingOnMe counts the threads waiting on the reader's party (PROTOCOL
	// "Whose turn").
	WaitingOnMe int `json:"waiting_on_me"`
	// Waiting is, for each member party that shared open issues wait on,
	// how many and since when the oldest has waited (ageing; the reader
	// counts the days, so the read does not depend on the date).
	Waiting map[PartyID]Waiting `json:"waiting"`
	// Amends is the signed negotiation this one amends; AmendedBy, the
	// negotiations that amend this one (the server fills it in: it is no
	// part of this negotiation's log). ReviewDue is the next periodic
	// review; ReviewOverdue, with it, whether its day has passed (the one
	// field that depends on the date of the read).
	Amends        NegotiationID   `json:"amends,omitempty"`
	AmendedBy     []NegotiationID `json:"amended_by,omitempty"`
	ReviewDue     string          `json:"review_due,omitempty"`
	ReviewOverdue *bool           `json:"review_overdue,omitempty"`
	// Review is the next review in full: its due date, note, and who
	// scheduled it when.
	Review *Review `json:"review,omitempty"`
}

// Waiting is the open issues waiting on one party: how many, and the
// earliest waiting_since among them.
type Waiting struct {
	OpenIssues  int       `json:"open_issues"`
	OldestSince time.Time `json:"oldest_since"`
}

// waiting derives the Waiting of each party from the shared open issues.
func (n *Negotiation) waiting() map[PartyID]Waiting {
	out := map[PartyID]Waiting{}
	if n.openIssues == 0 {
		return out
	}
	for _, id := range n.Order {
		t := n.Threads[id]
		if t.Kind != KindOpenIssue || t.WaitingSince == nil {
			continue
		}
		for _, p := range t.WaitingOn {
			w := out[p]
			if w.OpenIssues == 0 || t.WaitingSince.Before(w.OldestSince) {
				w.OldestSince = *t.WaitingSince
			}
			w.OpenIssues++
			out[p] = w
		}
	}
	return out
}

// SignOffView is the contract's SIGN_OFF as one party sees it: Body is nil
// (left out) for another party's internal sign-off.
type SignOffView struct {
	User       UserID     `json:"user"`
	Party      PartyID    `json:"party"`
	Version    int        `json:"version"`
	SHA256     string     `json:"sha256"`
	Decision   Decision   `json:"decision"`
	Visibility Visibility `json:"visibility"`
	Body       *string    `json:"body,omitempty"`
	At         time.Time  `json:"at"`
	Stale      bool       `json:"stale"`
	// Carry: what carried from the reviewer's earlier approval, if any.
	Carry *SignOffCarry `json:"carry,omitempty"`
}

// Snapshot is everything a user of one party may see of a negotiation: the
// body of GET /api/negotiations/{id}.
type Snapshot struct {
	Negotiation NegotiationView `json:"negotiation"`
	Parties     []Party         `json:"parties"`
	Versions    []Version       `json:"versions"`
	Threads     []*Thread       `json:"threads"`
	SignOffs    []SignOffView   `json:"sign_offs"`
	Signatures  []Signature     `json:"signatures"`
	Readiness   Readiness       `json:"readiness"`
	// Heads are the last seq of the user's two streams at this snapshot,
	// so a client subscribes from them (an addition).
	Heads map[Visibility]uint64 `json:"heads"`
	// Names maps the login ids of the negotiation's parties' users to
	// their full names, filled in by the server (an addition).
	Names map[UserID]string `json:"names"`
	// Bracket options, their packages and meetings (additions): shared
	// material, the same for every party.
	Options  []Option  `json:"options"`
	Packages []Package `json:"packages"`
	Meetings []Meeting `json:"meetings"`
}

// View returns the negotiation's summary as a user of party p sees it.
// The server adds AmendedBy and ReviewOverdue (Dated).
func (n *Negotiation) View(p PartyID) NegotiationView {
	v := NegotiationView{
		ID: n.ID, Title: n.Title, Parties: n.Parties, RequiredApprovals: n.RequiredApprovals,
		CreatedBy: n.CreatedBy, CreatedAt: n.CreatedAt, Status: n.Readiness().Status,
		WaitingOnMe: n.WaitingOn(p), Amends: n.Amends, Waiting: n.waiting(),
	}
	if n.Review != nil {
		r := *n.Review
		v.ReviewDue, v.Review = r.Due, &r
	}
	if l := n.Latest(); l != nil {
		v.LatestVersion = l.Number
	}
	return v
}

// Dated fills in what a view holds beyond its negotiation's log: the
// negotiations that amend it, and whether its review is overdue at now.
func (v *NegotiationView) Dated(amendedBy []NegotiationID, now time.Time) {
	v.AmendedBy = amendedBy
	if v.ReviewDue != "" {
		overdue := (&Review{Due: v.ReviewDue}).Overdue(now)
		v.ReviewOverdue = &overdue
	}
}

// Snapshot returns what a user of party p may see; parties gives the names
// of the negotiation's parties. It shares nothing that Apply changes, so it
// may be encoded after the state's lock is released.
func (n *Negotiation) Snapshot(p PartyID, parties map[PartyID]Party) Snapshot {
	s := Snapshot{
		Negotiation: n.View(p),
		Parties:     make([]Party, 0, len(n.Parties)),
		Versions:    append([]Version{}, n.Versions...),
		Threads:     n.VisibleThreads(p),
		SignOffs:    make([]SignOffView, 0, len(n.SignOffs)),
		Signatures:  append([]Signature{}, n.Signatures...),
		Readiness:   n.Readiness(),
		Heads: map[Visibility]uint64{
			Shared:   n.Heads[SharedStream].Seq,
			Internal: n.Heads[InternalStream(p)].Seq,
		},
	}
	for k, t := range s.Threads {
		c := *t // a copy: Apply replaces a thread's fields and slices, never their contents
		if c.WaitingOn == nil {
			c.WaitingOn = []PartyID{}
		}
		s.Threads[k] = &c
	}
	if s.Threads == nil {
		s.Threads = []*Thread{}
	}
	for _, id := range n.Parties {
		party, ok := parties[id]
		if !ok {
			party = Party{ID: id}
		}
		s.Parties = append(s.Parties, party)
	}
	s.Options, s.Packages = n.optionViews()
	s.Meetings = n.meetingViews()
	latest := n.Latest()
	for _, so := range n.SignOffs {
		v := SignOffView{User: so.User, Party: so.Party, Version: so.Version, SHA256: so.SHA256, Decision: so.Decision,
			Visibility: so.Visibility, At: so.At, Carry: so.Carry,
			Stale: latest == nil || so.Version != latest.Number || so.SHA256 != latest.SHA256}
		if so.Visibility == Shared || so.Party == p {
			body := so.Body
			v.Body = &body
		}
		s.SignOffs = append(s.SignOffs, v)
	}
	return s
}
