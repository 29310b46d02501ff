package mra

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// After signing (PROTOCOL "Lifecycle after signing"): amendments, each a
// new negotiation whose version 1 is the signed text it amends, and
// periodic reviews of a signed negotiation.

// Review is a signed negotiation's next periodic review.
type Review struct {
	Due   string    `json:"due"` // YYYY-MM-DD
	Body  string    `json:"body"`
	By    UserID    `json:"by"`
	Party PartyID   `json:"party"`
	At    time.Time `json:"at"`
}

// ReviewScheduled is the payload of review_scheduled.
type ReviewScheduled struct {
	Due  string `json:"due"`
	Body string `json:"body"`
}

// dateLayout is how a due date is written.
const dateLayout = "2006-01-02"

// Overdue reports whether the review's due date has passed on the day of
// now (UTC): the day after it, not the day itself.
func (r *Review) Overdue(now time.Time) bool {
	return r != nil && now.UTC().Format(dateLayout) > r.Due
}

// amendment checks create_negotiation's amends (its parties, seen, are
// checked already) and returns the event of the amendment's version 1:
// the signed text, proposed on the creator's behalf. Anything but a signed
// negotiation of the same parties, visible to the creator, is bad_request.
func (d *decider) amendment(parties map[PartyID]bool) (*Event, error) {
	a := d.in.Amended
	if a == nil || a.N == nil {
		return nil, badRequest("amends: no negotiation %q of yours to amend", d.cmd.Amends)
	}
	n := a.N
	if !n.Frozen() {
		return nil, badRequest("amends: %q is not signed; only a signed text is amended", n.ID)
	}
	if len(parties) != len(n.Parties) || slices.ContainsFunc(n.Parties, func(p PartyID) bool { return !parties[p] }) {
		return nil, badRequest("amends: an amendment has the parties of the text it amends (%s)", strings.Join(partyStrings(n.Parties), ", "))
	}
	v := n.Latest()
	if a.Text == nil || SHA256(a.Text.String()) != v.SHA256 {
		return nil, Errorf(CodeInternal, "the signed text is not at hand")
	}
	return d.event(EvVersionProposed, "", &VersionProposed{
		Version: 1, Base: 0, SHA256: v.SHA256, Length: v.Length,
		Note: fmt.Sprintf("signed text of %q (version %d)", n.Title, v.Number),
	}), nil
}

func partyStrings(ps []PartyID) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

// scheduleReview is schedule_review: a negotiator of a member party sets
// the next periodic review of a signed negotiation, due today or later.
func (d *decider) scheduleReview() (*Outcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	if !d.n.Frozen() {
		return nil, badRequest("a review is scheduled for a signed negotiation; this one is not signed yet")
	}
	due, err := time.Parse(dateLayout, d.cmd.Due)
	if err != nil || due.Format(dateLayout) != d.cmd.Due {
		return nil, badRequest("due must be a date, YYYY-MM-DD")
	}
	if d.cmd.Due < d.at.Format(dateLayout) {
		return nil, badRequest("due %s has passed; a review is due today or later", d.cmd.Due)
	}
	body := ""
	if d.cmd.Body != nil {
		body = strings.TrimSpace(*d.cmd.Body)
	}
	if utf8.RuneCountInString(body) > MaxBodyChars {
		return nil, badRequest("body is at most %d characters", MaxBodyChars)
	}
	e := d.event(EvReviewScheduled, "", &ReviewScheduled{Due: d.cmd.Due, Body: body})
	return &Outcome{Events: []*Event{e}, Result: func(n *Negotiation) any {
		return map[string]any{"review_due": n.Review.Due}
	}}, nil
}
