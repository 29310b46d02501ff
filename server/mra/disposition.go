package mra

import (
	"cmp"
	"slices"
	"time"
)

// Dispositions (server/README "Meetings"): what a meeting records of each
// open issue it takes up, and the confirmation of an ad referendum by the
// capital it awaits, during the meeting or after.

// Disposition is what a meeting recorded of one issue: the contract's
// DISPOSITION. Parties is set for agreed, Owner for ad_referendum and
// action, Due for action, Confirmed for ad_referendum; the others are
// empty. By and Party are who recorded it.
type Disposition struct {
	ID        DispositionID `json:"id"`
	Thread    ThreadID      `json:"thread"`
	Outcome   IssueOutcome  `json:"outcome"`
	Parties   []PartyID     `json:"parties"`
	Owner     PartyID       `json:"owner"`
	Due       string        `json:"due"`
	Body      string        `json:"body"`
	By        UserID        `json:"by"`
	Party     PartyID       `json:"party"`
	At        time.Time     `json:"at"`
	Confirmed Referendum    `json:"confirmed"`
}

// MeetingResult is the ack's result of dispose and confirm_referendum.
type MeetingResult struct {
	Disposition DispositionID `json:"disposition"`
	Meeting     MeetingID     `json:"meeting"`
}

// MaxDispositions bounds a meeting's dispositions, and so its record and
// its minutes (each disposition at most a body's 20,000 characters).
const MaxDispositions = 1000

func (d *decider) dispose() (*Outcome, error) {
	m, err := d.namedMeeting()
	if err != nil {
		return nil, err
	}
	t, err := d.visibleThread()
	if err != nil {
		return nil, err
	}
	if err := d.present(m, Negotiator); err != nil {
		return nil, err
	}
	if err := d.running(m); err != nil {
		return nil, err
	}
	if err := d.shared(t); err != nil {
		return nil, err
	}
	if t.Kind != KindOpenIssue {
		return nil, badRequest("dispose takes an open issue; %q is a %s", t.ID, t.Kind)
	}
	if t.Status == StatusWithdrawn {
		return nil, badRequest("issue %q is withdrawn; it takes no disposition", t.ID)
	}
	if len(m.Dispositions) >= MaxDispositions {
		return nil, badRequest("a meeting takes at most %d dispositions; end it and start another", MaxDispositions)
	}
	c := d.cmd
	x := Disposition{Thread: t.ID, Outcome: c.Outcome, Parties: []PartyID{}, By: d.in.Actor.ID, Party: d.in.Actor.Party, At: d.at}
	switch c.Outcome {
	case OutcomeAgreed, OutcomeAdReferendum, OutcomeBracketKept, OutcomeAction:
	case "":
		return nil, badRequest("outcome is required: agreed, ad_referendum, bracket_kept or action")
	default:
		return nil, badRequest("outcome must be agreed, ad_referendum, bracket_kept or action")
	}
	if c.Parties != nil && c.Outcome != OutcomeAgreed {
		return nil, badRequest("parties: only an agreed outcome names who agreed")
	}
	if c.Owner != "" && c.Outcome != OutcomeAdReferendum && c.Outcome != OutcomeAction {
		return nil, badRequest("owner: only ad_referendum and action have an owner")
	}
	if c.Due != "" && c.Outcome != OutcomeAction {
		return nil, badRequest("due: only an action has a due date")
	}
	if x.Body, err = d.trimmedBody(); err != nil {
		return nil, err
	}
	switch c.Outcome {
	case OutcomeAgreed:
		if c.Parties == nil {
			x.Parties = slices.Clone(m.Parties)
			break
		}
		if len(c.Parties) == 0 {
			return nil, badRequest("parties: name at least one present party that agreed (or leave it out: all present)")
		}
		for i, p := range c.Parties {
			if !slices.Contains(m.Parties, p) {
				return nil, badRequest("parties: %q was not present at the meeting", p)
			}
			if slices.Contains(c.Parties[:i], p) {
				return nil, badRequest("parties: %q is listed twice", p)
			}
		}
		x.Parties = slices.Clone(c.Parties)
	case OutcomeAdReferendum:
		x.Owner = cmp.Or(c.Owner, d.in.Actor.Party)
		if !slices.Contains(m.Parties, x.Owner) {
			return nil, badRequest("owner: %q was not present at the meeting; its capital confirms for a present party", x.Owner)
		}
		x.Confirmed = RefPending
	case OutcomeAction:
		if c.Owner == "" {
			return nil, badRequest("owner is required: the party that acts")
		}
		if !d.n.Member(c.Owner) {
			return nil, badRequest("owner: %q does not take part in this negotiation", c.Owner)
		}
		x.Owner = c.Owner
		due, err := time.Parse(dateLayout, c.Due)
		if err != nil || due.Format(dateLayout) != c.Due {
			return nil, badRequest("due is required for an action: a date, YYYY-MM-DD")
		}
		if c.Due < d.at.Format(dateLayout) {
			return nil, badRequest("due %s has passed; an action is due today or later", c.Due)
		}
		x.Due = c.Due
		if x.Body == "" {
			return nil, badRequest("body is required for an action: what is to be done")
		}
	}
	x.ID = DispositionID("d-" + d.in.NewID())
	e := d.event(EvIssueDisposed, "", &IssueDisposed{Meeting: m.ID, Disposition: x})
	id, mid := x.ID, m.ID
	return &Outcome{Events: []*Event{e}, Result: func(*Negotiation) any { return MeetingResult{Disposition: id, Meeting: mid} }}, nil
}

func (d *decider) confirmReferendum() (*Outcome, error) {
	m, err := d.namedMeeting()
	if err != nil {
		return nil, err
	}
	if d.cmd.Disposition == "" {
		return nil, badRequest("disposition is required")
	}
	i := slices.IndexFunc(m.Dispositions, func(x Disposition) bool { return x.ID == d.cmd.Disposition })
	if i < 0 {
		return nil, Errorf(CodeNotFound, "no disposition %q in meeting %q", d.cmd.Disposition, m.ID)
	}
	x := m.Dispositions[i]
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	if x.Outcome == OutcomeAdReferendum && d.in.Actor.Party != x.Owner {
		return nil, Errorf(CodeForbidden, "an ad referendum is confirmed by %s, whose capital it awaits", x.Owner)
	}
	if x.Outcome != OutcomeAdReferendum {
		return nil, badRequest("disposition %q is %s, not ad_referendum; there is nothing to confirm", x.ID, x.Outcome)
	}
	if x.Confirmed != RefPending {
		return nil, badRequest("disposition %q is settled already (%s)", x.ID, x.Confirmed)
	}
	if d.cmd.Decision != Confirm && d.cmd.Decision != Withdraw {
		return nil, badRequest("decision must be confirm or withdraw")
	}
	body, err := d.trimmedBody()
	if err != nil {
		return nil, err
	}
	e := d.event(EvReferendumConfirmed, "", &ReferendumConfirmed{Meeting: m.ID, Disposition: x.ID, Decision: d.cmd.Decision, Body: body})
	id, mid := x.ID, m.ID
	return &Outcome{Events: []*Event{e}, Result: func(*Negotiation) any { return MeetingResult{Disposition: id, Meeting: mid} }}, nil
}

// Effective is what a disposition now says of its issue: a confirmed ad
// referendum is agreed, a withdrawn one a bracket kept.
func (x Disposition) Effective() IssueOutcome {
	if x.Outcome == OutcomeAdReferendum {
		switch x.Confirmed {
		case RefConfirmed:
			return OutcomeAgreed
		case RefWithdrawn:
			return OutcomeBracketKept
		}
	}
	return x.Outcome
}
