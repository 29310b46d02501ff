package mra

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mra/diff"
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
}

// Decision is what a command does: the events to seal and apply, new texts
// to store (Latest indexes the new version's, if any), and the ack's result,
// read from the state once the events are applied.
type Decision struct {
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
	}
	return nil
}

// Decide checks a mutating command against the rules and the state (nil
// before create_negotiation) and returns what it does, or an *Error: the
// negotiation or thread the actor may not see is not_found; any change to a
// signed negotiation is frozen; a role or party that may not act is
// forbidden; a bad field is bad_request; the rest as the contract says.
func Decide(n *Negotiation, cmd *Command, in Input) (*Decision, error) {
	d := &decider{n: n, cmd: cmd, in: in, at: in.Now.UTC().Truncate(time.Millisecond)}
	if cmd.Type == CmdCreateNegotiation {
		return d.create()
	}
	if n == nil || !n.Member(in.Actor.Party) {
		return nil, Errorf(CodeNotFound, "no negotiation %q", cmd.Negotiation)
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
func (d *decider) event(kind string, owner PartyID, data any) *Event {
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

func (d *decider) create() (*Decision, error) {
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
	}
	if required < 1 || required > MaxApprovals {
		return nil, badRequest("required_approvals must be 1 to %d", MaxApprovals)
	}
	id := NegotiationID("n-" + d.in.NewID())
	e := d.event(EvNegotiationCreated, "", &NegotiationCreated{Title: title, Parties: slices.Clone(c.Parties), RequiredApprovals: required})
	e.Negotiation = id
	return &Decision{Events: []*Event{e}, Result: func(n *Negotiation) any {
		return map[string]any{
			"negotiation": n.ID, "title": n.Title, "parties": n.Parties,
			"required_approvals": n.RequiredApprovals, "status": n.Readiness().Status,
		}
	}}, nil
}

func (d *decider) propose() (*Decision, error) {
	c, n := d.cmd, d.n
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	if c.Base == nil {
		return nil, badRequest("base is required: the latest version number you know, 0 for the first")
	}
	if c.Text == nil {
		return nil, badRequest("text is required")
	}
	if len(*c.Text) > MaxTextBytes {
		return nil, Errorf(CodeTooLarge, "text is %d bytes; at most %d (8 MiB)", len(*c.Text), MaxTextBytes)
	}
	if utf8.RuneCountInString(c.Note) > MaxNoteChars {
		return nil, badRequest("note is at most %d characters", MaxNoteChars)
	}
	latest := 0
	if v := n.Latest(); v != nil {
		latest = v.Number
	}
	if *c.Base != latest {
		return nil, Errorf(CodeConflict, "base %d is not the latest version (%d): someone proposed meanwhile", *c.Base, latest)
	}
	text := NormalizeText(*c.Text)
	nt := NewText(text)
	sha := SHA256(text)
	events := []*Event{d.event(EvVersionProposed, "", &VersionProposed{
		Version: latest + 1, Base: latest, SHA256: sha, Note: c.Note, Length: nt.Len(),
	})}
	if latest > 0 {
		old := d.in.Texts[latest]
		if old == nil {
			return nil, Errorf(CodeInternal, "the latest text is not at hand")
		}
		events = append(events, d.carry(old, nt, latest+1)...)
	}
	return &Decision{Events: events, Texts: map[string]string{sha: text}, Latest: nt, Result: func(n *Negotiation) any {
		v := n.Latest()
		return map[string]any{"version": v.Number, "sha256": v.SHA256}
	}}, nil
}

// carry re-anchors every anchored thread onto the new version with one
// diff. A consensus whose text changed or went is void. Shared threads go in
// one anchors_carried event on the shared stream; each party's internal
// threads in one on its own internal stream.
func (d *decider) carry(old, nt *Text, version int) []*Event {
	var threads []*Thread
	var ranges []diff.Range
	for _, id := range d.n.Order {
		if t := d.n.Threads[id]; t.Anchor != nil {
			threads = append(threads, t)
			ranges = append(ranges, diff.Range{Start: t.Anchor.Start, End: t.Anchor.End})
		}
	}
	if len(threads) == 0 {
		return nil
	}
	anchors := diff.Carry(old.String(), nt.String(), ranges)
	byOwner := map[PartyID]*AnchorsCarried{}
	var owners []PartyID
	for k, t := range threads {
		a := anchors[k]
		status := t.Status
		if t.Kind == KindConsensus && a.Flag != diff.Moved && (status == StatusProposed || status == StatusAgreed) {
			status = StatusVoid
		}
		quote, _ := nt.Slice(a.Start, a.End)
		owner := PartyID("")
		if t.Visibility == Internal {
			owner = t.Party
		}
		ac := byOwner[owner]
		if ac == nil {
			ac = &AnchorsCarried{Version: version}
			byOwner[owner] = ac
			owners = append(owners, owner)
		}
		ac.Threads = append(ac.Threads, CarriedAnchor{Thread: t.ID, Start: a.Start, End: a.End, Flag: string(a.Flag), Status: status, Quote: quote})
	}
	slices.Sort(owners) // shared ("") first
	events := make([]*Event, 0, len(owners))
	for _, o := range owners {
		events = append(events, d.event(EvAnchorsCarried, o, byOwner[o]))
	}
	return events
}

func (d *decider) comment() (*Decision, error) {
	c, n := d.cmd, d.n
	if err := d.need(Negotiator, Legal); err != nil {
		return nil, err
	}
	switch c.Kind {
	case KindConsensus, KindOpenIssue, KindNote:
	default:
		return nil, badRequest("kind must be consensus, open_issue or note")
	}
	if c.Visibility != Shared && c.Visibility != Internal {
		return nil, badRequest("visibility must be shared or internal")
	}
	body, err := requireBody(c.Body)
	if err != nil {
		return nil, err
	}
	if c.Version == nil {
		return nil, badRequest("version is required")
	}
	latest := n.Latest()
	if latest == nil || *c.Version < 1 || *c.Version > latest.Number {
		return nil, Errorf(CodeNotFound, "no version %d", *c.Version)
	}
	anchor, err := d.anchor(*c.Version, latest.Number)
	if err != nil {
		return nil, err
	}
	t := ThreadOpened{
		Thread: ThreadID("t-" + d.in.NewID()), Kind: c.Kind, Visibility: c.Visibility,
		Party: d.in.Actor.Party, Status: StatusOpen, Concurred: []PartyID{}, Anchor: anchor, Message: d.message(body),
	}
	if c.Kind == KindConsensus {
		t.Status, t.Concurred = StatusProposed, []PartyID{d.in.Actor.Party}
		if anchor.Flag != string(diff.Moved) {
			t.Status = StatusVoid // its text already changed since the version it quotes
		}
	}
	owner := PartyID("")
	if c.Visibility == Internal {
		owner = d.in.Actor.Party
	}
	id := t.Thread
	return &Decision{Events: []*Event{d.event(EvThreadOpened, owner, &t)}, Result: func(n *Negotiation) any {
		th := n.Threads[id]
		return map[string]any{"thread": id, "anchor": th.Anchor, "status": th.Status}
	}}, nil
}

// anchor checks a comment's range and quote against the version it names
// and carries it onto the latest version. A note may leave out start, end
// and quote: it then has no anchor.
func (d *decider) anchor(version, latest int) (*Anchor, error) {
	c := d.cmd
	if c.Start == nil && c.End == nil && c.Quote == nil {
		if c.Kind != KindNote {
			return nil, badRequest("a %s needs start, end and quote", c.Kind)
		}
		return nil, nil
	}
	if c.Start == nil || c.End == nil || c.Quote == nil {
		return nil, badRequest("start, end and quote go together")
	}
	start, end := *c.Start, *c.End
	if c.Kind != KindNote && start >= end {
		return nil, badRequest("a %s needs start < end", c.Kind)
	}
	text := d.in.Texts[version]
	if text == nil {
		return nil, Errorf(CodeInternal, "the version's text is not at hand")
	}
	got, ok := text.Slice(start, end)
	if !ok {
		return nil, badRequest("range [%d, %d) is outside version %d (%d characters)", start, end, version, text.Len())
	}
	if got != *c.Quote {
		return nil, badRequest("quote does not match the text of version %d at [%d, %d)", version, start, end)
	}
	a := &Anchor{Version: version, Start: start, End: end, Quote: got, Flag: string(diff.Moved)}
	if version == latest {
		return a, nil
	}
	lt := d.in.Texts[latest]
	if lt == nil {
		return nil, Errorf(CodeInternal, "the latest text is not at hand")
	}
	carried := diff.Carry(text.String(), lt.String(), []diff.Range{{Start: start, End: end}})[0]
	quote, _ := lt.Slice(carried.Start, carried.End)
	return &Anchor{Version: latest, Start: carried.Start, End: carried.End, Quote: quote, Flag: string(carried.Flag)}, nil
}

func requireBody(b *string) (string, error) {
	if b == nil || strings.TrimSpace(*b) == "" {
		return "", badRequest("body is required")
	}
	if utf8.RuneCountInString(*b) > MaxBodyChars {
		return "", badRequest("body is at most %d characters", MaxBodyChars)
	}
	return *b, nil
}

// optionalBody returns the message an optional body makes, or nil.
func (d *decider) optionalBody() (*Message, error) {
	if d.cmd.Body == nil || strings.TrimSpace(*d.cmd.Body) == "" {
		return nil, nil
	}
	body, err := requireBody(d.cmd.Body)
	if err != nil {
		return nil, err
	}
	m := d.message(body)
	return &m, nil
}

// visibleThread returns the thread the command names, if the actor may see it.
func (d *decider) visibleThread() (*Thread, error) {
	if d.cmd.Thread == "" {
		return nil, badRequest("thread is required")
	}
	t := d.n.Threads[d.cmd.Thread]
	if t == nil || !t.Visible(d.in.Actor.Party) {
		return nil, Errorf(CodeNotFound, "no thread %q", d.cmd.Thread)
	}
	return t, nil
}

// threadEvent returns the event for a change of thread t, on the stream t lives on.
func (d *decider) threadEvent(t *Thread, kind string, data any) *Event {
	owner := PartyID("")
	if t.Visibility == Internal {
		owner = t.Party
	}
	return d.event(kind, owner, data)
}

func statusResult(id ThreadID) func(*Negotiation) any {
	return func(n *Negotiation) any {
		t := n.Threads[id]
		return map[string]any{"thread": id, "status": t.Status, "concurred": t.Concurred}
	}
}

func (d *decider) reply() (*Decision, error) {
	if err := d.need(Negotiator, Legal); err != nil {
		return nil, err
	}
	t, err := d.visibleThread()
	if err != nil {
		return nil, err
	}
	body, err := requireBody(d.cmd.Body)
	if err != nil {
		return nil, err
	}
	m := d.message(body)
	id := t.ID
	return &Decision{Events: []*Event{d.threadEvent(t, EvReplyAdded, &ReplyAdded{Thread: t.ID, Message: m})},
		Result: func(*Negotiation) any { return map[string]any{"message": m.ID, "thread": id} }}, nil
}

func (d *decider) concur() (*Decision, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	t, err := d.visibleThread()
	if err != nil {
		return nil, err
	}
	if t.Kind != KindConsensus {
		return nil, badRequest("only a consensus thread takes concurrence; this is a %s", t.Kind)
	}
	p := d.in.Actor.Party
	var concurred []PartyID
	switch t.Status {
	case StatusWithdrawn:
		return nil, badRequest("the thread is withdrawn")
	case StatusAgreed:
		return nil, badRequest("the consensus is agreed already")
	case StatusVoid:
		concurred = []PartyID{p} // restarts, proposed by the concurring party
	case StatusProposed:
		if slices.Contains(t.Concurred, p) {
			return nil, badRequest("party %s concurs already", p)
		}
		concurred = append(slices.Clone(t.Concurred), p)
	}
	status := StatusAgreed
	for _, q := range d.n.Parties {
		if !slices.Contains(concurred, q) {
			status = StatusProposed
		}
	}
	return &Decision{Events: []*Event{d.threadEvent(t, EvConcurred, &StatusChanged{Thread: t.ID, Status: status, Concurred: concurred})},
		Result: statusResult(t.ID)}, nil
}

// changeStatus is resolve, reopen and withdraw.
func (d *decider) changeStatus() (*Decision, error) {
	c := d.cmd
	roles := []Role{Negotiator}
	if c.Type == CmdWithdraw {
		roles = append(roles, Legal)
	}
	if err := d.need(roles...); err != nil {
		return nil, err
	}
	t, err := d.visibleThread()
	if err != nil {
		return nil, err
	}
	if c.Type != CmdReopen && t.Party != d.in.Actor.Party {
		return nil, Errorf(CodeForbidden, "only party %s, which raised the thread, may %s it", t.Party, c.Type)
	}
	var kind, status string
	switch c.Type {
	case CmdResolve:
		if t.Kind != KindOpenIssue || t.Status != StatusOpen {
			return nil, badRequest("only an open issue that is open can be resolved")
		}
		kind, status = EvResolved, StatusResolved
	case CmdReopen:
		if t.Kind != KindOpenIssue || t.Status != StatusResolved {
			return nil, badRequest("only a resolved open issue can be reopened")
		}
		if _, err := requireBody(c.Body); err != nil {
			return nil, badRequest("reopen needs a body saying why")
		}
		kind, status = EvReopened, StatusOpen
	case CmdWithdraw:
		if t.Status == StatusWithdrawn {
			return nil, badRequest("the thread is withdrawn already")
		}
		kind, status = EvWithdrawn, StatusWithdrawn
	}
	m, err := d.optionalBody()
	if err != nil {
		return nil, err
	}
	return &Decision{Events: []*Event{d.threadEvent(t, kind, &StatusChanged{Thread: t.ID, Status: status, Concurred: slices.Clone(t.Concurred), Message: m})},
		Result: statusResult(t.ID)}, nil
}

// exactVersion checks that a sign-off or signature names the latest version
// and its SHA-256.
func (d *decider) exactVersion() (*Version, error) {
	c := d.cmd
	if c.Version == nil {
		return nil, badRequest("version is required")
	}
	if c.SHA256 == "" {
		return nil, badRequest("sha256 is required")
	}
	v := d.n.Latest()
	if v == nil || *c.Version < 1 || *c.Version > v.Number {
		return nil, Errorf(CodeNotFound, "no version %d", *c.Version)
	}
	if *c.Version != v.Number {
		return nil, Errorf(CodeStale, "version %d is not the latest (%d)", *c.Version, v.Number)
	}
	if !strings.EqualFold(c.SHA256, v.SHA256) {
		return nil, Errorf(CodeStale, "sha256 does not match version %d's text", v.Number)
	}
	return v, nil
}

func readinessResult(n *Negotiation) any { return map[string]any{"readiness": n.Readiness()} }

func (d *decider) signOff() (*Decision, error) {
	if err := d.need(Legal); err != nil {
		return nil, err
	}
	v, err := d.exactVersion()
	if err != nil {
		return nil, err
	}
	if d.cmd.Decision != Approve && d.cmd.Decision != RequestChanges {
		return nil, badRequest("decision must be approve or request_changes")
	}
	body := ""
	if d.cmd.Body != nil {
		if utf8.RuneCountInString(*d.cmd.Body) > MaxBodyChars {
			return nil, badRequest("body is at most %d characters", MaxBodyChars)
		}
		body = *d.cmd.Body
	}
	s := &SignOff{User: d.in.Actor.ID, Party: d.in.Actor.Party, Version: v.Number, SHA256: v.SHA256,
		Decision: d.cmd.Decision, Body: body, At: d.at}
	return &Decision{Events: []*Event{d.event(EvSignedOff, "", s)}, Result: readinessResult}, nil
}

func (d *decider) sign() (*Decision, error) {
	if err := d.need(Signatory); err != nil {
		return nil, err
	}
	v, err := d.exactVersion()
	if err != nil {
		return nil, err
	}
	r := d.n.Readiness()
	if r.Signatures[d.in.Actor.Party] {
		return nil, badRequest("party %s has signed version %d already", d.in.Actor.Party, v.Number)
	}
	if r.Status != StatusReady {
		return nil, Errorf(CodeNotReady, "the negotiation is %s, not ready_to_sign", r.Status)
	}
	s := &Signature{User: d.in.Actor.ID, Party: d.in.Actor.Party, Version: v.Number, SHA256: v.SHA256, At: d.at}
	return &Decision{Events: []*Event{d.event(EvSigned, "", s)}, Result: readinessResult}, nil
}
