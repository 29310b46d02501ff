package mra

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The minutes of a meeting (server/README "Meetings"): made once, when it
// ends, from what the meeting recorded; approved by the present parties,
// each decision bound to the minutes' SHA-256.

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

// MinutesSHA256 is the SHA-256 of the minutes' canonical JSON: what
// approve_minutes binds to.
func MinutesSHA256(m *Minutes) (string, error) {
	b, err := appendTyped(nil, m)
	if err != nil {
		return "", fmt.Errorf("minutes: %w", err)
	}
	return SHA256(string(b)), nil
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
	body, err := d.trimmedBody()
	if err != nil {
		return nil, err
	}
	if c.Decision == RequestChanges && body == "" {
		return nil, badRequest("body is required with request_changes: say what to change")
	}
	e := d.event(EvMinutesApproved, "", &MinutesApproved{Meeting: m.ID, SHA256: m.SHA256, Decision: c.Decision, Body: body})
	return &Outcome{Events: []*Event{e}, Result: meetingResult(m.ID)}, nil
}
