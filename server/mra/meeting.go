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
// is shared: a meeting takes only shared threads. Dispositions are in
// disposition.go, the minutes and their approval in minutes.go.

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

// meetingRecordValue is a meeting's stored form: the meeting, where it started
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

// trimmedBody returns a trimmed optional body, at most MaxBodyChars.
func (d *decider) trimmedBody() (string, error) {
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
