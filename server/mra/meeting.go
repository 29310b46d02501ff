package mra

// Meetings (server/README "Meetings"): a placeholder until the meeting
// rules land; every command here is refused.

// MeetingID and DispositionID are assigned by the server.
type (
	MeetingID     string
	DispositionID string
)

// IssueOutcome is what a disposition says of an issue.
type IssueOutcome string

// Meeting is one meeting of a negotiation.
type Meeting struct {
	ID MeetingID `json:"id"`
}

func meetingPayload(EventKind) any { return nil }

func (n *Negotiation) applyMeeting(*Event) (bool, error) { return false, nil }

func (n *Negotiation) meetingKeys() []recordKey { return nil }

func (n *Negotiation) meetingRecord(recordKey) ([]byte, error) { return nil, nil }

func (n *Negotiation) restoreMeetings([]Record) error { return nil }

func (n *Negotiation) meetingViews() []Meeting { return []Meeting{} }

func (d *decider) meeting() (*Outcome, error) {
	return nil, badRequest("%s is not built yet", d.cmd.Type)
}
