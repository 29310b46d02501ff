package mra

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mra/diff"
)

// Thread is a comment thread anchored to a range of the text. A note may have
// no anchor (a general comment).
type Thread struct {
	ID         ThreadID     `json:"id"`
	Kind       ThreadKind   `json:"kind"`
	Visibility Visibility   `json:"visibility"`
	Party      PartyID      `json:"party"` // the raising party
	Status     ThreadStatus `json:"status"`
	Concurred  []PartyID    `json:"concurred"`
	Anchor     *Anchor      `json:"anchor"`
	Messages   []Message    `json:"messages"`
	CreatedAt  time.Time    `json:"created_at"`
	Author     UserID       `json:"author"`
	Pos        Pos          `json:"-"` // where it opened in the history

	// Whose turn (turn.go): the parties that must act, and since when
	// (nil while it waits on nobody); derived, never set by a client.
	WaitingOn    []PartyID  `json:"waiting_on"`
	WaitingSince *time.Time `json:"waiting_since"`

	// The thread as its own events left it (opened, replied to, status
	// changed), for its record: a carry moves Anchor and Status on without
	// writing the thread's record (see carry records).
	own       Pos
	ownAnchor *Anchor
	ownStatus ThreadStatus
	ownSince  *time.Time // WaitingSince as its own events left it

	// gen is the state that may change this thread in place; any other
	// state sharing it (a clone) copies it first (see mutableThread).
	gen *byte
}

// touched notes an event of the thread's own at pos: its record holds the
// thread as it now is.
func (t *Thread) touched(pos Pos) {
	t.own, t.ownAnchor, t.ownStatus, t.ownSince = pos, t.Anchor, t.Status, t.WaitingSince
}

// Anchor is where a thread stands: code points [Start, End) of a version and
// the text there; Original is where it was raised and on which words, which
// never changes, and Flag compares the two (see Flag).
type Anchor struct {
	Version  int    `json:"version"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Quote    string `json:"quote"`
	Flag     Flag   `json:"flag"`
	Original Origin `json:"original"`
}

// Origin is the version a thread was raised on and the words it quoted.
type Origin struct {
	Version int    `json:"version"`
	Quote   string `json:"quote"`
}

// Message is one comment in a thread.
type Message struct {
	ID     MessageID `json:"id"`
	Author UserID    `json:"author"`
	Party  PartyID   `json:"party"`
	Body   string    `json:"body"`
	At     time.Time `json:"at"`
}

// Visible reports whether a user of party p may see thread t.
func (t *Thread) Visible(p PartyID) bool { return t.Visibility == Shared || t.Party == p }

// owner is the party whose internal stream holds t's events ("" for shared).
func (t *Thread) owner() PartyID {
	if t.Visibility == Internal {
		return t.Party
	}
	return ""
}

// flagOf compares the words now at an anchor with the words it was raised
// on: an empty range where words stood is outdated; the same words, with
// runs of whitespace counted as one space, are moved; other words changed.
// A point (raised on no words) is moved while its place survives.
func flagOf(quote, original string, carried diff.Flag) Flag {
	switch {
	case original == "" && carried == diff.Outdated:
		return FlagOutdated
	case original == "":
		return FlagMoved
	case quote == "":
		return FlagOutdated
	case quote == original || sameWords(quote, original):
		return FlagMoved
	}
	return FlagChanged
}

// sameWords reports whether a and b hold the same text once leading and
// trailing whitespace is dropped and every run of whitespace is one space.
func sameWords(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		sa, sb := isSpace(ra), isSpace(rb)
		if sa != sb || !sa && ra != rb {
			return false
		}
		a, b = a[na:], b[nb:]
		if sa {
			a, b = strings.TrimLeftFunc(a, isSpace), strings.TrimLeftFunc(b, isSpace)
		}
	}
	return a == b
}

func (d *decider) comment() (*Outcome, error) {
	c, n := d.cmd, d.n
	if err := d.need(Negotiator, Legal); err != nil {
		return nil, err
	}
	if !c.Kind.valid() {
		return nil, badRequest("kind must be consensus, open_issue or note")
	}
	if !c.Visibility.valid() {
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
	anchor, voided, err := d.anchor(*c.Version, latest.Number)
	if err != nil {
		return nil, err
	}
	t := ThreadOpened{
		Thread: ThreadID("t-" + d.in.NewID()), Kind: c.Kind, Visibility: c.Visibility,
		Party: d.in.Actor.Party, Status: StatusOpen, Concurred: []PartyID{}, Anchor: anchor, Message: d.message(body),
	}
	if c.Kind == KindConsensus {
		t.Status, t.Concurred = StatusProposed, []PartyID{d.in.Actor.Party}
		if voided {
			t.Status = StatusVoid // its clause changed since the version it quotes
		}
	}
	owner := PartyID("")
	if c.Visibility == Internal {
		owner = d.in.Actor.Party
	}
	id := t.Thread
	return &Outcome{Events: []*Event{d.event(EvThreadOpened, owner, &t)}, Result: func(n *Negotiation) any {
		th := n.Threads[id]
		return CommentResult{Thread: id, Anchor: th.Anchor, Status: th.Status}
	}}, nil
}

// CommentResult is the ack's result of comment: the new thread, where it
// stands on the latest version, and its status.
type CommentResult struct {
	Thread ThreadID     `json:"thread"`
	Anchor *Anchor      `json:"anchor"`
	Status ThreadStatus `json:"status"`
}

// anchor checks a comment's range and quote against the version it names
// and carries it onto the latest version; clauseChanged reports whether the
// clause around it changed on the way. A note may leave out start, end and
// quote: it then has no anchor.
func (d *decider) anchor(version, latest int) (a *Anchor, voided bool, err error) {
	c := d.cmd
	if c.Start == nil && c.End == nil && c.Quote == nil {
		if c.Kind != KindNote {
			return nil, false, badRequest("a %s needs start, end and quote", c.Kind)
		}
		return nil, false, nil
	}
	if c.Start == nil || c.End == nil || c.Quote == nil {
		return nil, false, badRequest("start, end and quote go together")
	}
	start, end := *c.Start, *c.End
	if c.Kind != KindNote && start >= end {
		return nil, false, badRequest("a %s needs start < end", c.Kind)
	}
	text := d.in.Texts[version]
	if text == nil {
		return nil, false, Errorf(CodeInternal, "the version's text is not at hand")
	}
	got, ok := text.Slice(start, end)
	if !ok {
		return nil, false, badRequest("range [%d, %d) is outside version %d (%d characters)", start, end, version, text.Len())
	}
	if got != *c.Quote {
		return nil, false, badRequest("quote does not match the text of version %d at [%d, %d)", version, start, end)
	}
	origin := Origin{Version: version, Quote: got}
	if version == latest {
		return &Anchor{Version: version, Start: start, End: end, Quote: got, Flag: FlagMoved, Original: origin}, false, nil
	}
	lt := d.in.Texts[latest]
	if lt == nil {
		return nil, false, Errorf(CodeInternal, "the latest text is not at hand")
	}
	idx := diff.NewIndex(diff.Redline(text.String(), lt.String()))
	carried := idx.Carry(diff.Range{Start: start, End: end})
	quote, _ := lt.Slice(carried.Start, carried.End)
	a = &Anchor{Version: latest, Start: carried.Start, End: carried.End, Quote: quote,
		Flag: flagOf(quote, got, carried.Flag), Original: origin}
	return a, c.Kind == KindConsensus && clauseChanged(text, lt, idx, start, end), nil
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

// ThreadResult is the ack's result of concur, resolve, reopen and withdraw.
type ThreadResult struct {
	Thread    ThreadID     `json:"thread"`
	Status    ThreadStatus `json:"status"`
	Concurred []PartyID    `json:"concurred"`
}

func statusResult(id ThreadID) func(*Negotiation) any {
	return func(n *Negotiation) any {
		t := n.Threads[id]
		return ThreadResult{Thread: id, Status: t.Status, Concurred: t.Concurred}
	}
}

// ReplyResult is the ack's result of reply.
type ReplyResult struct {
	Message MessageID `json:"message"`
	Thread  ThreadID  `json:"thread"`
}

func (d *decider) reply() (*Outcome, error) {
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
	return &Outcome{Events: []*Event{d.event(EvReplyAdded, t.owner(), &ReplyAdded{Thread: t.ID, Message: m})},
		Result: func(*Negotiation) any { return ReplyResult{Message: m.ID, Thread: id} }}, nil
}

func (d *decider) concur() (*Outcome, error) {
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
	return &Outcome{Events: []*Event{d.event(EvConcurred, t.owner(), &StatusChanged{Thread: t.ID, Status: status, Concurred: concurred})},
		Result: statusResult(t.ID)}, nil
}

// changeStatus is resolve, reopen and withdraw.
func (d *decider) changeStatus() (*Outcome, error) {
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
	var kind EventKind
	var status ThreadStatus
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
	return &Outcome{Events: []*Event{d.event(kind, t.owner(), &StatusChanged{Thread: t.ID, Status: status, Concurred: slices.Clone(t.Concurred), Message: m})},
		Result: statusResult(t.ID)}, nil
}
