package mra

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// CommandType names a command.
type CommandType string

// Command types of the contract, and the additions (withdraw_signature).
const (
	CmdCreateNegotiation CommandType = "create_negotiation"
	CmdProposeVersion    CommandType = "propose_version"
	CmdComment           CommandType = "comment"
	CmdReply             CommandType = "reply"
	CmdConcur            CommandType = "concur"
	CmdResolve           CommandType = "resolve"
	CmdReopen            CommandType = "reopen"
	CmdWithdraw          CommandType = "withdraw"
	CmdSignOff           CommandType = "sign_off"
	CmdSign              CommandType = "sign"
	CmdWithdrawSignature CommandType = "withdraw_signature"
	CmdScheduleReview    CommandType = "schedule_review"
	CmdSubscribe         CommandType = "subscribe"
	CmdUnsubscribe       CommandType = "unsubscribe"
	CmdPresence          CommandType = "presence"

	// Bracket options (option.go) and meetings (meeting.go).
	CmdAddOption          CommandType = "add_option"
	CmdAcceptOption       CommandType = "accept_option"
	CmdWithdrawAcceptance CommandType = "withdraw_acceptance"
	CmdWithdrawOption     CommandType = "withdraw_option"
	CmdLinkPackage        CommandType = "link_package"
	CmdStartMeeting       CommandType = "start_meeting"
	CmdFocusIssue         CommandType = "focus_issue"
	CmdDispose            CommandType = "dispose"
	CmdConfirmReferendum  CommandType = "confirm_referendum"
	CmdEndMeeting         CommandType = "end_meeting"
	CmdApproveMinutes     CommandType = "approve_minutes"

	// Administration (admin.go): commands on the directory, not on a negotiation.
	CmdAddParty       CommandType = "add_party"
	CmdAddUser        CommandType = "add_user"
	CmdResetPassword  CommandType = "reset_password"
	CmdDisableUser    CommandType = "disable_user"
	CmdEnableUser     CommandType = "enable_user"
	CmdChangePassword CommandType = "change_password"
)

// Admin reports whether a command type changes the directory (parties and
// users) rather than a negotiation.
func (t CommandType) Admin() bool {
	switch t {
	case CmdAddParty, CmdAddUser, CmdResetPassword, CmdDisableUser, CmdEnableUser, CmdChangePassword:
		return true
	}
	return false
}

// Mutating reports whether a command type changes state (and so is recorded
// for idempotency and refused once frozen). Unknown types are not.
func (t CommandType) Mutating() bool {
	switch t {
	case CmdCreateNegotiation, CmdProposeVersion, CmdComment, CmdReply, CmdConcur,
		CmdResolve, CmdReopen, CmdWithdraw, CmdSignOff, CmdSign, CmdWithdrawSignature, CmdScheduleReview,
		CmdAddOption, CmdAcceptOption, CmdWithdrawAcceptance, CmdWithdrawOption, CmdLinkPackage,
		CmdStartMeeting, CmdFocusIssue, CmdDispose, CmdConfirmReferendum, CmdEndMeeting, CmdApproveMinutes:
		return true
	}
	return t.Admin() || t.OfPartnership()
}

// liftText is the length of a top-level text string beyond which
// ParseCommand decodes it itself.
const liftText = 4 << 10

// MaxCommandBytes bounds a command's JSON on every transport, but for
// propose_version, whose text may reach MaxTextBytes.
const MaxCommandBytes = 64 << 10

// Command is any command of the contract: the envelope and the union of
// every type's fields. A pointer field is nil when the client left it out.
type Command struct {
	ID          string        `json:"id"`
	Type        CommandType   `json:"type"`
	Negotiation NegotiationID `json:"negotiation"`

	Title             string        `json:"title"`
	Parties           []PartyID     `json:"parties"`
	RequiredApprovals *int          `json:"required_approvals"`
	Amends            NegotiationID `json:"amends"` // create_negotiation of an amendment
	Due               string        `json:"due"`    // schedule_review: YYYY-MM-DD

	Base *int    `json:"base"`
	Text *string `json:"text"`
	Note string  `json:"note"`

	Version    *int       `json:"version"`
	Kind       ThreadKind `json:"kind"`
	Visibility Visibility `json:"visibility"`
	Body       *string    `json:"body"`
	Start      *int       `json:"start"`
	End        *int       `json:"end"`
	Quote      *string    `json:"quote"`

	Thread ThreadID `json:"thread"`

	SHA256   string   `json:"sha256"`
	Decision Decision `json:"decision"`
	// CarriedFrom, on sign_off, is the reviewer's earlier approved version
	// whose review carries (articles.go).
	CarriedFrom *int `json:"carried_from"`

	// Bracket options (option.go): propose_version's options are those
	// the new version takes in.
	Option  OptionID   `json:"option"`
	Options []OptionID `json:"options"`

	// Meetings (meeting.go).
	Meeting     MeetingID     `json:"meeting"`
	Outcome     IssueOutcome  `json:"outcome"`
	Owner       PartyID       `json:"owner"`
	Disposition DispositionID `json:"disposition"`

	Since *Since `json:"since"`
	Focus *Focus `json:"focus"`

	// Partnerships (partnership.go).
	Partnership PartnershipID `json:"partnership"`
	Stage       Stage         `json:"stage"`
	StageStatus StageStatus   `json:"status"` // mark_stage
	Item        *ItemArg      `json:"item"`   // add_item, update_item, agree_item
	Row         string        `json:"row"`    // mark_criterion
	Mark        Mark          `json:"mark"`

	// Administration.
	User  *UserArg `json:"user"`  // add_user: the new user; others: a login name
	Party *Party   `json:"party"` // add_party
	Admin *UserArg `json:"admin"` // add_party: its first admin
	Old   *string  `json:"old"`   // change_password
	New   *string  `json:"new"`
}

// UserArg is a command's "user": a login name (a JSON string: Ref is set)
// or a user to add (an object).
type UserArg struct {
	ID    UserID  `json:"id"`
	Name  string  `json:"name"`
	Party PartyID `json:"party"`
	Roles []Role  `json:"roles"`
	Ref   bool    `json:"-"`
}

// UnmarshalJSON reads a login name or a user object.
func (u *UserArg) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var id string
		if err := json.Unmarshal(b, &id); err != nil {
			return err
		}
		*u = UserArg{ID: UserID(id), Ref: true}
		return nil
	}
	type plain UserArg
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*u = UserArg(p)
	return nil
}

// Since is where a subscriber's streams left off.
type Since struct {
	Shared   uint64 `json:"shared"`
	Internal uint64 `json:"internal"`
}

// Focus is the part of a version a user is looking at.
type Focus struct {
	Version int `json:"version"`
	Start   int `json:"start"`
	End     int `json:"end"`
}

// ParseCommand decodes one command. Malformed JSON, a non-object, invalid
// UTF-8 (also as escaped lone surrogates), a field of the wrong type, a
// missing or oversized id, and an unknown type are bad_request; the id is
// returned whenever it could be read, so the error can name it. A duplicate
// key, or one that differs from a field name only in case, is bad_request too.
func ParseCommand(b []byte) (*Command, *Error) { return parseCommand(b, liftText) }

// parseCommand is ParseCommand, decoding a top-level text string itself
// when it is longer than lift bytes (quotes included).
func parseCommand(b []byte, lift int) (*Command, *Error) {
	if !utf8.Valid(b) {
		return &Command{}, badRequest("the command is not valid UTF-8")
	}
	var c Command
	if s := scanStrict(b); s.wellFormed && s.err == nil && s.text.end-s.text.start > lift {
		// A proposal's text is nearly all of its bytes, and encoding/json
		// reads them twice and slowly: the strict pass has found the text,
		// so encoding/json reads the rest, around an empty string.
		rest := make([]byte, 0, len(b)-(s.text.end-s.text.start)+2)
		rest = append(append(append(rest, b[:s.text.start]...), `""`...), b[s.text.end:]...)
		if err := json.Unmarshal(rest, &c); err != nil {
			return &Command{ID: peekID(rest)}, badRequest("%s", describeJSONError(err))
		}
		text := unquote(b[s.text.start:s.text.end])
		c.Text = &text
	} else {
		d := json.NewDecoder(bytes.NewReader(b))
		if err := d.Decode(&c); err != nil {
			return &Command{ID: peekID(b)}, badRequest("%s", describeJSONError(err))
		}
		if _, err := d.Token(); !errors.Is(err, io.EOF) {
			return &Command{ID: peekID(b)}, badRequest("malformed JSON: more than one value")
		}
		if s.wellFormed && s.err != nil {
			return &c, s.err
		}
	}
	if n := utf8.RuneCountInString(c.ID); n < 1 || n > 64 {
		id := c.ID
		c.ID = ""
		if id == "" {
			return &c, badRequest("id is required (1 to 64 characters)")
		}
		return &c, badRequest("id must be 1 to 64 characters, not %d", n)
	}
	if !c.Type.Mutating() && c.Type != CmdSubscribe && c.Type != CmdUnsubscribe && c.Type != CmdPresence {
		if c.Type == "" {
			return &c, badRequest("type is required")
		}
		return &c, badRequest("unknown command type %q", c.Type)
	}
	if c.Type != CmdProposeVersion && c.Type != CmdSetCriteria && len(b) > MaxCommandBytes {
		return &c, Errorf(CodeTooLarge, "a %s command is at most %d bytes (64 KiB)", c.Type, MaxCommandBytes)
	}
	return &c, nil
}

// describeJSONError says what is wrong with a command's JSON without
// echoing the input.
func describeJSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field == "" {
			return "a command must be a JSON object"
		}
		return fmt.Sprintf("field %s: want %s, got JSON %s", te.Field, te.Type, te.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: unexpected end"
	}
	return "malformed JSON"
}

// peekID returns the command's id when the JSON is good enough to read it.
func peekID(b []byte) string {
	var env struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(b, &env) != nil || utf8.RuneCountInString(env.ID) > 64 {
		return ""
	}
	return env.ID
}
