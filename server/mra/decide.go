package mra

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what a command may carry.
const (
	MaxTitleChars = 200
	MaxBodyChars  = 20000
	MaxNoteChars  = 2000
	MaxApprovals  = 20
)

// Input is what Decide needs besides the state and the command.
type Input struct {
	Actor   User
	Now     time.Time
	NewID   func() string     // a fresh opaque, unguessable id
	Parties map[PartyID]Party // every known party (create_negotiation)
	Texts   map[int]*Text     // the versions' texts named by TextsNeeded
	// Amended, for create_negotiation with amends, is that negotiation
	// (nil when it does not exist or the actor's party is not in it).
	Amended *Amended
}

// Amended is what an amendment's creation needs of the negotiation it
// amends: its state (not to be changed) and its latest version's text.
type Amended struct {
	N    *Negotiation
	Text *Text
}

// Outcome is what a command does: the events to seal and apply, new texts
// to store (Latest indexes the new version's, if any), and the ack's result,
// read from the state once the events are applied.
type Outcome struct {
	Events []*Event
	Texts  map[string]string
	Latest *Text
	Result func(*Negotiation) any
}

// TextsNeeded returns the versions whose texts Decide needs for cmd: the
// latest (to carry from or onto) and the one a comment quotes.
func TextsNeeded(n *Negotiation, cmd *Command) []int {
	if n == nil || n.Latest() == nil {
		return nil
	}
	latest := n.Latest().Number
	switch cmd.Type {
	case CmdProposeVersion:
		return []int{latest}
	case CmdComment:
		if cmd.Version != nil && *cmd.Version >= 1 && *cmd.Version < latest {
			return []int{*cmd.Version, latest}
		}
		return []int{latest}
	case CmdSignOff:
		if cmd.CarriedFrom != nil && *cmd.CarriedFrom >= 1 && *cmd.CarriedFrom < latest {
			return []int{*cmd.CarriedFrom, latest}
		}
	}
	return nil
}

// Decide checks a mutating command against the rules and the state (nil
// before create_negotiation) and returns what it does, or an *Error: the
// negotiation or thread the actor may not see is not_found; any change to a
// signed negotiation is frozen; a role or party that may not act is
// forbidden; a bad field is bad_request; the rest as the contract says.
func Decide(n *Negotiation, cmd *Command, in Input) (*Outcome, error) {
	d := &decider{n: n, cmd: cmd, in: in, at: in.Now.UTC().Truncate(time.Millisecond)}
	if cmd.Type == CmdCreateNegotiation {
		return d.create()
	}
	if n == nil || !n.Member(in.Actor.Party) {
		return nil, Errorf(CodeNotFound, "no negotiation %q", cmd.Negotiation)
	}
	if cmd.Type == CmdScheduleReview { // the one change a signed negotiation takes
		return d.scheduleReview()
	}
	if n.Frozen() {
		return nil, Errorf(CodeFrozen, "the negotiation is signed; its text and record are frozen")
	}
	switch cmd.Type {
	case CmdProposeVersion:
		return d.propose()
	case CmdComment:
		return d.comment()
	case CmdReply:
		return d.reply()
	case CmdConcur:
		return d.concur()
	case CmdResolve, CmdReopen, CmdWithdraw:
		return d.changeStatus()
	case CmdSignOff:
		return d.signOff()
	case CmdSign:
		return d.sign()
	case CmdWithdrawSignature:
		return d.withdrawSignature()
	case CmdAddOption, CmdAcceptOption, CmdWithdrawAcceptance, CmdWithdrawOption, CmdLinkPackage:
		return d.option()
	case CmdStartMeeting, CmdFocusIssue, CmdDispose, CmdConfirmReferendum, CmdEndMeeting, CmdApproveMinutes:
		return d.meeting()
	}
	return nil, badRequest("%s is not a change", cmd.Type)
}

type decider struct {
	n   *Negotiation
	cmd *Command
	in  Input
	at  time.Time
}

func (d *decider) actor() Actor { return Actor{User: d.in.Actor.ID, Party: d.in.Actor.Party} }

// event returns a shared event, or an internal one on the owner's stream.
func (d *decider) event(kind EventKind, owner PartyID, data any) *Event {
	e := &Event{Stream: Shared, At: d.at, Actor: d.actor(), Kind: kind, Data: data}
	if d.n != nil {
		e.Negotiation = d.n.ID
	}
	if owner != "" {
		e.Stream, e.Owner = Internal, owner
	}
	return e
}

func (d *decider) need(roles ...Role) error {
	for _, r := range roles {
		if d.in.Actor.Has(r) {
			return nil
		}
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return Errorf(CodeForbidden, "%s needs the role %s", d.cmd.Type, strings.Join(names, " or "))
}

func (d *decider) message(body string) Message {
	return Message{ID: MessageID("m-" + d.in.NewID()), Author: d.in.Actor.ID, Party: d.in.Actor.Party, Body: body, At: d.at}
}

// CreatedResult is the ack's result of create_negotiation.
type CreatedResult struct {
	Negotiation       NegotiationID `json:"negotiation"`
	Title             string        `json:"title"`
	Parties           []PartyID     `json:"parties"`
	RequiredApprovals int           `json:"required_approvals"`
	Status            Status        `json:"status"`
	Amends            NegotiationID `json:"amends,omitempty"`
}

func (d *decider) create() (*Outcome, error) {
	c := d.cmd
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	title := strings.TrimSpace(c.Title)
	if title == "" || utf8.RuneCountInString(title) > MaxTitleChars {
		return nil, badRequest("title is required, at most %d characters", MaxTitleChars)
	}
	if len(c.Parties) < 2 {
		return nil, badRequest("parties needs at least 2 party ids, your own included")
	}
	seen := map[PartyID]bool{}
	for _, p := range c.Parties {
		if _, ok := d.in.Parties[p]; !ok {
			return nil, badRequest("unknown party %q", p)
		}
		if seen[p] {
			return nil, badRequest("party %q is listed twice", p)
		}
		seen[p] = true
	}
	if !seen[d.in.Actor.Party] {
		return nil, badRequest("parties must include your own party %q", d.in.Actor.Party)
	}
	required := 1
	if c.RequiredApprovals != nil {
		required = *c.RequiredApprovals
	} else if c.Amends != "" && d.in.Amended != nil && d.in.Amended.N != nil {
		required = d.in.Amended.N.RequiredApprovals // an amendment is reviewed as its text was
	}
	if required < 1 || required > MaxApprovals {
		return nil, badRequest("required_approvals must be 1 to %d", MaxApprovals)
	}
	id := NegotiationID("n-" + d.in.NewID())
	e := d.event(EvNegotiationCreated, "", &NegotiationCreated{Title: title, Parties: slices.Clone(c.Parties), RequiredApprovals: required, Amends: c.Amends})
	e.Negotiation = id
	out := &Outcome{Events: []*Event{e}, Result: func(n *Negotiation) any {
		return CreatedResult{Negotiation: n.ID, Title: n.Title, Parties: n.Parties,
			RequiredApprovals: n.RequiredApprovals, Status: n.Readiness().Status, Amends: n.Amends}
	}}
	if c.Amends != "" {
		v1, err := d.amendment(seen)
		if err != nil {
			return nil, err
		}
		v1.Negotiation = id
		out.Events = append(out.Events, v1)
		out.Latest = d.in.Amended.Text
	}
	return out, nil
}
