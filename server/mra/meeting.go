package mra

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Meetings (server/README "Meetings"): a negotiator chairs a meeting
// during a call, the chair focuses the issues in turn, each issue gets
// dispositions, and ending the meeting makes its minutes, which the
// present parties approve, bound to the minutes' SHA-256. Everything here
// is shared: a meeting takes only shared threads.

// MeetingID and DispositionID are assigned by the server ("g-…", "d-…").
type (
	MeetingID     string
	DispositionID string
)

// IssueOutcome is what a disposition says of an issue.
type IssueOutcome string

// The outcomes of a disposition.
const (
	OutcomeAgreed       IssueOutcome = "agreed"        // parties: who agreed
	OutcomeAdReferendum IssueOutcome = "ad_referendum" // agreed pending the owner's capital
	OutcomeBracketKept  IssueOutcome = "bracket_kept"
	OutcomeAction       IssueOutcome = "action" // owner acts by due: body
)

// Referendum is where an ad referendum disposition stands.
type Referendum string

// The states of an ad referendum disposition ("" for other outcomes).
const (
	RefPending   Referendum = "pending"
	RefConfirmed Referendum = "confirmed"
	RefWithdrawn Referendum = "withdrawn"
)

// The decisions of confirm_referendum.
const (
	Confirm  Decision = "confirm"
	Withdraw Decision = "withdraw"
)

// Meeting event kinds.
const (
	EvMeetingStarted      EventKind = "meeting_started"
	EvMeetingFocused      EventKind = "meeting_focused"
	EvIssueDisposed       EventKind = "issue_disposed"
	EvReferendumConfirmed EventKind = "referendum_confirmed"
	EvMeetingEnded        EventKind = "meeting_ended"
	EvMinutesApproved     EventKind = "minutes_approved"
)

// Meeting is one meeting of a negotiation: the contract's MEETING. Apply
// never writes into a Meeting or its slices: it replaces the meeting with a
// changed copy, so states that share it (Clone, a snapshot) keep theirs.
type Meeting struct {
	ID         MeetingID  `json:"id"`
	Title      string     `json:"title"`
	Chair      UserID     `json:"chair"`
	ChairParty PartyID    `json:"chair_party"`
	Parties    []PartyID  `json:"parties"` // present
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at"`
	Running    bool       `json:"running"`
	// Focus is the thread the chair has taken up (nil for none, and once
	// the meeting has ended); Discussed, every thread focused or disposed,
	// in the order first taken up.
	Focus        *ThreadID     `json:"focus"`
	Discussed    []ThreadID    `json:"discussed"`
	Dispositions []Disposition `json:"dispositions"`
	// Minutes and SHA256 are set at its end, and never change.
	Minutes   *Minutes          `json:"minutes"`
	SHA256    string            `json:"sha256"`
	Approvals []MinutesApproval `json:"approvals"` // each user's latest decision, in the order first given
	Approved  bool              `json:"approved"`  // every present party has a user whose latest decision approves

	pos          Pos // its meeting_started event
	sinceVersion int // the latest version when it started
}

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

// Minutes is what a meeting's end records, once: MINUTES.
type Minutes struct {
	Title       string           `json:"title"`
	Negotiation NegotiationID    `json:"negotiation"`
	Chair       UserID           `json:"chair"`
	Parties     []PartyID        `json:"parties"`
	StartedAt   time.Time        `json:"started_at"`
	EndedAt     time.Time        `json:"ended_at"`
	Issues      []MinutesIssue   `json:"issues"`
	Actions     []MinutesAction  `json:"actions"`
	Versions    []MinutesVersion `json:"versions"`
}

// MinutesIssue is one issue taken up: who raised it, the words it stands
// on ("" for a general one), its first message (the statement), its
// outcome (the latest disposition that is not an action, as it stood at the
// end: a confirmed ad referendum is agreed, a withdrawn one bracket_kept;
// "" when it got none) and every disposition it got.
type MinutesIssue struct {
	Thread       ThreadID      `json:"thread"`
	RaisedBy     PartyID       `json:"raised_by"`
	Quote        string        `json:"quote"`
	Statement    string        `json:"statement"`
	Outcome      IssueOutcome  `json:"outcome"`
	Dispositions []Disposition `json:"dispositions"`
}

// MinutesAction is an action recorded, by owner then due.
type MinutesAction struct {
	Owner  PartyID  `json:"owner"`
	Due    string   `json:"due"`
	Body   string   `json:"body"`
	Thread ThreadID `json:"thread"`
}

// MinutesVersion is a version proposed while the meeting ran.
type MinutesVersion struct {
	Version int       `json:"version"`
	SHA256  string    `json:"sha256"`
	Party   PartyID   `json:"party"`
	Note    string    `json:"note"`
	At      time.Time `json:"at"`
}

// MinutesApproval is a user's decision on a meeting's minutes.
type MinutesApproval struct {
	User     UserID    `json:"user"`
	Party    PartyID   `json:"party"`
	Decision Decision  `json:"decision"`
	Body     string    `json:"body"`
	At       time.Time `json:"at"`
}

// Payloads of the meeting events.
type (
	MeetingStarted struct {
		Meeting MeetingID `json:"meeting"`
		Title   string    `json:"title"`
		Parties []PartyID `json:"parties"`
	}
	MeetingFocused struct {
		Meeting MeetingID `json:"meeting"`
		Thread  ThreadID  `json:"thread"`
	}
	IssueDisposed struct {
		Meeting     MeetingID   `json:"meeting"`
		Disposition Disposition `json:"disposition"`
	}
	ReferendumConfirmed struct {
		Meeting     MeetingID     `json:"meeting"`
		Disposition DispositionID `json:"disposition"`
		Decision    Decision      `json:"decision"`
		Body        string        `json:"body"`
	}
	MeetingEnded struct {
		Meeting MeetingID `json:"meeting"`
		Minutes Minutes   `json:"minutes"`
		SHA256  string    `json:"sha256"`
	}
	MinutesApproved struct {
		Meeting  MeetingID `json:"meeting"`
		SHA256   string    `json:"sha256"`
		Decision Decision  `json:"decision"`
		Body     string    `json:"body"`
	}
)

func meetingPayload(kind EventKind) any {
	switch kind {
	case EvMeetingStarted:
		return &MeetingStarted{}
	case EvMeetingFocused:
		return &MeetingFocused{}
	case EvIssueDisposed:
		return &IssueDisposed{}
	case EvReferendumConfirmed:
		return &ReferendumConfirmed{}
	case EvMeetingEnded:
		return &MeetingEnded{}
	case EvMinutesApproved:
		return &MinutesApproved{}
	}
	return nil
}

// MinutesSHA256 is the SHA-256 of the minutes' canonical JSON: what
// approve_minutes binds to.
func MinutesSHA256(m *Minutes) (string, error) {
	b, err := appendTyped(nil, m)
	if err != nil {
		return "", fmt.Errorf("minutes: %w", err)
	}
	return SHA256(string(b)), nil
}

// Meeting returns the meeting with id, or nil.
func (n *Negotiation) Meeting(id MeetingID) *Meeting {
	for _, m := range n.Meetings {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// RunningMeeting returns the meeting that runs now, or nil.
func (n *Negotiation) RunningMeeting() *Meeting {
	for _, m := range n.Meetings {
		if m.Running {
			return m
		}
	}
	return nil
}

// changeMeeting replaces meeting id with a copy that f changes (f replaces
// slices rather than writing into them), and marks its record.
func (n *Negotiation) changeMeeting(id MeetingID, f func(*Meeting)) error {
	i := slices.IndexFunc(n.Meetings, func(m *Meeting) bool { return m.ID == id })
	if i < 0 {
		return fmt.Errorf("apply: no meeting %s", id)
	}
	c := *n.Meetings[i]
	f(&c)
	n.Meetings[i] = &c // n.Meetings is this state's own slice (Clone copies it)
	n.touch(RecMeeting, string(id))
	return nil
}

// discuss returns discussed with t added at the end, if it is not there.
func discuss(discussed []ThreadID, t ThreadID) []ThreadID {
	if slices.Contains(discussed, t) {
		return discussed
	}
	return append(slices.Clip(discussed), t)
}

func (n *Negotiation) applyMeeting(e *Event) (bool, error) {
	switch d := e.Data.(type) {
	case *MeetingStarted:
		if n.Meeting(d.Meeting) != nil {
			return true, fmt.Errorf("apply: meeting %s started twice", d.Meeting)
		}
		n.Meetings = append(slices.Clip(n.Meetings), &Meeting{
			ID: d.Meeting, Title: d.Title, Chair: e.Actor.User, ChairParty: e.Actor.Party,
			Parties: slices.Clone(d.Parties), StartedAt: e.At, Running: true,
			Discussed: []ThreadID{}, Dispositions: []Disposition{}, Approvals: []MinutesApproval{},
			pos: e.Pos(), sinceVersion: len(n.Versions),
		})
		n.touch(RecMeeting, string(d.Meeting))
	case *MeetingFocused:
		return true, n.changeMeeting(d.Meeting, func(m *Meeting) {
			t := d.Thread
			m.Focus = &t
			m.Discussed = discuss(m.Discussed, t)
		})
	case *IssueDisposed:
		return true, n.changeMeeting(d.Meeting, func(m *Meeting) {
			x := d.Disposition
			x.Parties = slices.Clone(x.Parties)
			m.Dispositions = append(slices.Clip(m.Dispositions), x)
			m.Discussed = discuss(m.Discussed, x.Thread)
		})
	case *ReferendumConfirmed:
		var err error
		if cerr := n.changeMeeting(d.Meeting, func(m *Meeting) {
			i := slices.IndexFunc(m.Dispositions, func(x Disposition) bool { return x.ID == d.Disposition })
			if i < 0 {
				err = fmt.Errorf("apply: no disposition %s in meeting %s", d.Disposition, d.Meeting)
				return
			}
			m.Dispositions = slices.Clone(m.Dispositions)
			m.Dispositions[i].Confirmed = RefConfirmed
			if d.Decision == Withdraw {
				m.Dispositions[i].Confirmed = RefWithdrawn
			}
		}); cerr != nil {
			return true, cerr
		}
		return true, err
	case *MeetingEnded:
		return true, n.changeMeeting(d.Meeting, func(m *Meeting) {
			at := e.At
			minutes := d.Minutes
			m.Running, m.EndedAt, m.Focus = false, &at, nil
			m.Minutes, m.SHA256 = &minutes, d.SHA256
		})
	case *MinutesApproved:
		return true, n.changeMeeting(d.Meeting, func(m *Meeting) {
			a := MinutesApproval{User: e.Actor.User, Party: e.Actor.Party, Decision: d.Decision, Body: d.Body, At: e.At}
			m.Approvals = slices.Clone(m.Approvals)
			if i := slices.IndexFunc(m.Approvals, func(x MinutesApproval) bool { return x.User == a.User }); i >= 0 {
				m.Approvals[i] = a
			} else {
				m.Approvals = append(m.Approvals, a)
			}
			m.Approved = minutesApproved(m)
		})
	default:
		return false, nil
	}
	return true, nil
}

// minutesApproved reports whether every present party has a user whose
// latest decision on m's minutes approves them.
func minutesApproved(m *Meeting) bool {
	for _, p := range m.Parties {
		if !slices.ContainsFunc(m.Approvals, func(a MinutesApproval) bool { return a.Party == p && a.Decision == Approve }) {
			return false
		}
	}
	return true
}

// meetingRecord is a meeting's stored form: the meeting, where it started
// in the history (Restore keeps the order by it), and the latest version
// then (which versions its minutes list).
type meetingRecordValue struct {
	Meeting      *Meeting `json:"meeting"`
	Pos          Pos      `json:"pos"`
	SinceVersion int      `json:"since_version"`
}

func (n *Negotiation) meetingKeys() []recordKey {
	keys := make([]recordKey, 0, len(n.Meetings))
	for _, m := range n.Meetings {
		keys = append(keys, recordKey{RecMeeting, string(m.ID)})
	}
	return keys
}

func (n *Negotiation) meetingRecord(k recordKey) ([]byte, error) {
	m := n.Meeting(MeetingID(k.key))
	if m == nil {
		return nil, fmt.Errorf("no meeting %q", k.key)
	}
	return json.Marshal(meetingRecordValue{Meeting: m, Pos: m.pos, SinceVersion: m.sinceVersion})
}

func (n *Negotiation) restoreMeetings(recs []Record) error {
	n.Meetings = nil
	for _, r := range recs {
		var v meetingRecordValue
		if err := json.Unmarshal(r.Value, &v); err != nil || v.Meeting == nil {
			return fmt.Errorf("meeting %s: %v", r.Key, cmp.Or(err, fmt.Errorf("empty record")))
		}
		v.Meeting.pos, v.Meeting.sinceVersion = v.Pos, v.SinceVersion
		n.Meetings = append(n.Meetings, v.Meeting)
	}
	slices.SortFunc(n.Meetings, func(a, b *Meeting) int { return a.pos.Compare(b.pos) })
	return nil
}

// meetingViews returns the meetings as the snapshot shows them (the same
// for every party: a meeting holds shared material only), in the order
// started.
func (n *Negotiation) meetingViews() []Meeting {
	out := make([]Meeting, 0, len(n.Meetings))
	for _, m := range n.Meetings {
		out = append(out, *m)
	}
	return out
}

// MeetingResult is the ack's result of dispose and confirm_referendum.
type MeetingResult struct {
	Disposition DispositionID `json:"disposition"`
	Meeting     MeetingID     `json:"meeting"`
}

func meetingResult(id MeetingID) func(*Negotiation) any {
	return func(n *Negotiation) any { return *n.Meeting(id) }
}

func (d *decider) meeting() (*Outcome, error) {
	switch d.cmd.Type {
	case CmdStartMeeting:
		return d.startMeeting()
	case CmdFocusIssue:
		return d.focusIssue()
	case CmdDispose:
		return d.dispose()
	case CmdConfirmReferendum:
		return d.confirmReferendum()
	case CmdEndMeeting:
		return d.endMeeting()
	case CmdApproveMinutes:
		return d.approveMinutes()
	}
	return nil, badRequest("%s is not a meeting command", d.cmd.Type)
}

// namedMeeting returns the meeting the command names: not_found for one
// this negotiation does not have.
func (d *decider) namedMeeting() (*Meeting, error) {
	if d.cmd.Meeting == "" {
		return nil, badRequest("meeting is required")
	}
	m := d.n.Meeting(d.cmd.Meeting)
	if m == nil {
		return nil, Errorf(CodeNotFound, "no meeting %q", d.cmd.Meeting)
	}
	return m, nil
}

// shared refuses the actor's own internal thread (another party's is
// not_found already, by visibleThread): nothing internal reaches a meeting.
func (d *decider) shared(t *Thread) error {
	if t.Visibility != Shared {
		return badRequest("%s takes a shared thread; %q is internal", d.cmd.Type, t.ID)
	}
	return nil
}

// chairs checks that the actor is the meeting's chair or a negotiator of
// the chair's party.
func (d *decider) chairs(m *Meeting) error {
	a := d.in.Actor
	if a.ID == m.Chair || a.Party == m.ChairParty && a.Has(Negotiator) {
		return nil
	}
	return Errorf(CodeForbidden, "%s is for the chair (%s) or a negotiator of %s", d.cmd.Type, m.Chair, m.ChairParty)
}

// present checks that the actor has one of roles and is of a party present
// at the meeting.
func (d *decider) present(m *Meeting, roles ...Role) error {
	if err := d.need(roles...); err != nil {
		return err
	}
	if !slices.Contains(m.Parties, d.in.Actor.Party) {
		return Errorf(CodeForbidden, "%s is for the parties present at the meeting; %s was not", d.cmd.Type, d.in.Actor.Party)
	}
	return nil
}

func (d *decider) running(m *Meeting) error {
	if !m.Running {
		return badRequest("meeting %q has ended; %s needs a running meeting", m.ID, d.cmd.Type)
	}
	return nil
}

// optionalText returns a trimmed optional body, at most MaxBodyChars.
func (d *decider) optionalText() (string, error) {
	if d.cmd.Body == nil {
		return "", nil
	}
	body := strings.TrimSpace(*d.cmd.Body)
	if utf8.RuneCountInString(body) > MaxBodyChars {
		return "", badRequest("body is at most %d characters", MaxBodyChars)
	}
	return body, nil
}

func (d *decider) startMeeting() (*Outcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	c := d.cmd
	title := strings.TrimSpace(c.Title)
	if title == "" || utf8.RuneCountInString(title) > MaxTitleChars {
		return nil, badRequest("title is required, at most %d characters", MaxTitleChars)
	}
	if len(c.Parties) < 2 {
		return nil, badRequest("parties (those present) needs at least 2 party ids, your own included")
	}
	for i, p := range c.Parties {
		if !d.n.Member(p) {
			return nil, badRequest("party %q does not take part in this negotiation", p)
		}
		if slices.Contains(c.Parties[:i], p) {
			return nil, badRequest("party %q is listed twice", p)
		}
	}
	if !slices.Contains(c.Parties, d.in.Actor.Party) {
		return nil, badRequest("parties must include your own party %q", d.in.Actor.Party)
	}
	if m := d.n.RunningMeeting(); m != nil {
		return nil, badRequest("meeting %q is running; end it before starting another", m.ID)
	}
	id := MeetingID("g-" + d.in.NewID())
	e := d.event(EvMeetingStarted, "", &MeetingStarted{Meeting: id, Title: title, Parties: slices.Clone(c.Parties)})
	return &Outcome{Events: []*Event{e}, Result: meetingResult(id)}, nil
}

func (d *decider) focusIssue() (*Outcome, error) {
	m, err := d.namedMeeting()
	if err != nil {
		return nil, err
	}
	t, err := d.visibleThread()
	if err != nil {
		return nil, err
	}
	if err := d.chairs(m); err != nil {
		return nil, err
	}
	if err := d.running(m); err != nil {
		return nil, err
	}
	if err := d.shared(t); err != nil {
		return nil, err
	}
	e := d.event(EvMeetingFocused, "", &MeetingFocused{Meeting: m.ID, Thread: t.ID})
	return &Outcome{Events: []*Event{e}, Result: meetingResult(m.ID)}, nil
}

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
	if x.Body, err = d.optionalText(); err != nil {
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
	body, err := d.optionalText()
	if err != nil {
		return nil, err
	}
	e := d.event(EvReferendumConfirmed, "", &ReferendumConfirmed{Meeting: m.ID, Disposition: x.ID, Decision: d.cmd.Decision, Body: body})
	id, mid := x.ID, m.ID
	return &Outcome{Events: []*Event{e}, Result: func(*Negotiation) any { return MeetingResult{Disposition: id, Meeting: mid} }}, nil
}

func (d *decider) endMeeting() (*Outcome, error) {
	m, err := d.namedMeeting()
	if err != nil {
		return nil, err
	}
	if err := d.chairs(m); err != nil {
		return nil, err
	}
	if err := d.running(m); err != nil {
		return nil, err
	}
	minutes := d.n.minutesOf(m, d.at)
	sha, err := MinutesSHA256(&minutes)
	if err != nil {
		return nil, err
	}
	e := d.event(EvMeetingEnded, "", &MeetingEnded{Meeting: m.ID, Minutes: minutes, SHA256: sha})
	return &Outcome{Events: []*Event{e}, Result: meetingResult(m.ID)}, nil
}

// minutesOf makes the minutes of meeting m ending at end: the issues taken
// up (in the order first taken up), the actions (by owner, then due) and
// the versions proposed since it started.
func (n *Negotiation) minutesOf(m *Meeting, end time.Time) Minutes {
	out := Minutes{
		Title: m.Title, Negotiation: n.ID, Chair: m.Chair, Parties: slices.Clone(m.Parties),
		StartedAt: m.StartedAt, EndedAt: end,
		Issues: []MinutesIssue{}, Actions: []MinutesAction{}, Versions: []MinutesVersion{},
	}
	for _, id := range m.Discussed {
		t := n.Threads[id]
		if t == nil {
			continue // cannot be: a meeting takes only threads that exist
		}
		is := MinutesIssue{Thread: id, RaisedBy: t.Party, Dispositions: []Disposition{}}
		if t.Anchor != nil {
			is.Quote = t.Anchor.Quote
		}
		if len(t.Messages) > 0 {
			is.Statement = t.Messages[0].Body
		}
		for _, x := range m.Dispositions {
			if x.Thread != id {
				continue
			}
			x.Parties = slices.Clone(x.Parties)
			is.Dispositions = append(is.Dispositions, x)
			if x.Outcome != OutcomeAction {
				is.Outcome = x.Effective()
			}
		}
		out.Issues = append(out.Issues, is)
	}
	for _, x := range m.Dispositions {
		if x.Outcome == OutcomeAction {
			out.Actions = append(out.Actions, MinutesAction{Owner: x.Owner, Due: x.Due, Body: x.Body, Thread: x.Thread})
		}
	}
	slices.SortStableFunc(out.Actions, func(a, b MinutesAction) int {
		return cmp.Or(strings.Compare(string(a.Owner), string(b.Owner)), strings.Compare(a.Due, b.Due))
	})
	for _, v := range n.Versions[min(m.sinceVersion, len(n.Versions)):] {
		out.Versions = append(out.Versions, MinutesVersion{Version: v.Number, SHA256: v.SHA256, Party: v.Party, Note: v.Note, At: v.At})
	}
	return out
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

func (d *decider) approveMinutes() (*Outcome, error) {
	m, err := d.namedMeeting()
	if err != nil {
		return nil, err
	}
	if err := d.present(m, Negotiator, Legal); err != nil {
		return nil, err
	}
	if m.Running {
		return nil, badRequest("meeting %q is running; its minutes are made when it ends", m.ID)
	}
	c := d.cmd
	if c.SHA256 == "" {
		return nil, badRequest("sha256 is required: the minutes' SHA-256")
	}
	if !strings.EqualFold(c.SHA256, m.SHA256) {
		return nil, Errorf(CodeStale, "sha256 does not match the minutes of meeting %q", m.ID)
	}
	if c.Decision != Approve && c.Decision != RequestChanges {
		return nil, badRequest("decision must be approve or request_changes")
	}
	body, err := d.optionalText()
	if err != nil {
		return nil, err
	}
	if c.Decision == RequestChanges && body == "" {
		return nil, badRequest("body is required with request_changes: say what to change")
	}
	e := d.event(EvMinutesApproved, "", &MinutesApproved{Meeting: m.ID, SHA256: m.SHA256, Decision: c.Decision, Body: body})
	return &Outcome{Events: []*Event{e}, Result: meetingResult(m.ID)}, nil
}
