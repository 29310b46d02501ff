package mra

import (
	"strings"
	"testing"
	"time"
)

// schedule_review: a negotiator of a member party, on a signed
// negotiation, a real date from today on; the one change frozen takes.
func TestScheduleReview(t *testing.T) {
	unsigned := newFixture(t, 1, clauses)
	unsigned.fails(CodeBadRequest, "us-neg", Command{Type: CmdScheduleReview, Due: "2027-06-30"})

	f := newFixture(t, 1, clauses)
	signAll(f)
	// f.now is 2026-12-01 (plus a second a command)
	for _, tc := range []struct {
		name, user, due string
		body            *string
		code            Code
	}{
		{"a legal reviewer", "us-legal", "2027-06-30", nil, CodeForbidden},
		{"another party's negotiation", "ex-neg", "2027-06-30", nil, CodeNotFound},
		{"no date", "us-neg", "", nil, CodeBadRequest},
		{"not a date", "us-neg", "2027-13-01", nil, CodeBadRequest},
		{"not padded", "us-neg", "2027-6-30", nil, CodeBadRequest},
		{"a time too", "us-neg", "2027-06-30T00:00:00Z", nil, CodeBadRequest},
		{"yesterday", "us-neg", "2026-11-30", nil, CodeBadRequest},
		{"a body too long", "us-neg", "2027-06-30", ptr(strings.Repeat("x", MaxBodyChars+1)), CodeBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			f.fails(tc.code, UserID(tc.user), Command{Type: CmdScheduleReview, Due: tc.due, Body: tc.body})
		})
	}
	f.t = t
	r := f.must("sg-neg", Command{Type: CmdScheduleReview, Due: "2026-12-01", Body: ptr("  first yearly review  ")}).(map[string]any)
	if r["review_due"] != "2026-12-01" || f.n.Review.Body != "first yearly review" || f.n.Review.Party != "SG" || f.n.Review.By != "sg-neg" {
		t.Errorf("review %+v, result %v", f.n.Review, r)
	}
	if e := f.events[0]; e.Kind != EvReviewScheduled || e.Stream != Shared {
		t.Errorf("event %s on %s", e.Kind, e.Stream)
	}
	f.must("us-neg", Command{Type: CmdScheduleReview, Due: "2027-12-01"})
	if f.n.Review.Due != "2027-12-01" || f.n.Review.Body != "" {
		t.Errorf("the later review did not replace the first: %+v", f.n.Review)
	}
	// Everything else stays frozen.
	f.fails(CodeFrozen, "us-neg", f.commentCmd(1, "Article 1", KindNote, Shared))
	if v := f.n.View("US"); v.ReviewDue != "2027-12-01" {
		t.Errorf("view: %+v", v)
	}
}

func TestReviewOverdue(t *testing.T) {
	r := &Review{Due: "2027-06-30"}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2027, 6, 29, 23, 59, 0, 0, time.UTC), false},
		{time.Date(2027, 6, 30, 23, 59, 0, 0, time.UTC), false}, // due today is not overdue
		{time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 6, 30, 22, 0, 0, 0, time.FixedZone("UTC-3", -3*3600)), true}, // July 1 in UTC
	} {
		if got := r.Overdue(tc.now); got != tc.want {
			t.Errorf("due %s at %v: overdue %v, want %v", r.Due, tc.now, got, tc.want)
		}
	}
	var none *Review
	if none.Overdue(time.Now()) {
		t.Error("no review is overdue")
	}
	v := NegotiationView{ReviewDue: "2027-06-30"}
	v.Dated(nil, time.Date(2027, 7, 2, 0, 0, 0, 0, time.UTC))
	if v.ReviewOverdue == nil || !*v.ReviewOverdue {
		t.Errorf("view %+v", v)
	}
}

// An amendment starts from the signed text of a signed negotiation of the
// same parties; anything else is bad_request and creates nothing.
func TestAmendment(t *testing.T) {
	signed := newFixture(t, 1, clauses)
	signAll(signed)
	signed.n.RequiredApprovals = 2 // as if signed after two approvals per party
	open := newFixture(t, 1, clauses)
	amended := &Amended{N: signed.n, Text: signed.texts[1]}

	create := func(user UserID, parties []PartyID, a *Amended) (*Outcome, error) {
		cmd := Command{ID: "c", Type: CmdCreateNegotiation, Title: "Amendment 1", Parties: parties, Amends: signed.n.ID}
		in := Input{Actor: fixtureUsers[user], Now: time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC), Parties: fixtureParties,
			NewID: func() string { return "amend1" }, Amended: a}
		return Decide(nil, &cmd, in)
	}
	for _, tc := range []struct {
		name    string
		user    UserID
		parties []PartyID
		a       *Amended
	}{
		{"no such negotiation", "us-neg", []PartyID{"US", "SG"}, nil},
		{"not signed", "us-neg", []PartyID{"US", "SG"}, &Amended{N: open.n, Text: open.texts[1]}},
		{"other parties", "us-neg", []PartyID{"US", "EX"}, amended},
		{"more parties", "us-neg", []PartyID{"US", "SG", "EX"}, amended},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := create(tc.user, tc.parties, tc.a)
			if e, ok := err.(*Error); !ok || e.Code != CodeBadRequest {
				t.Errorf("got %v, want bad_request", err)
			}
		})
	}
	if _, err := create("us-legal", []PartyID{"SG", "US"}, amended); err == nil || err.(*Error).Code != CodeForbidden {
		t.Errorf("an amendment by a legal reviewer: %v", err)
	}

	out, err := create("sg-neg", []PartyID{"SG", "US"}, amended)
	if err != nil {
		t.Fatal(err)
	}
	n := NewNegotiation(out.Events[0].Negotiation)
	if err := n.Seal(out.Events); err != nil {
		t.Fatal(err)
	}
	for _, e := range out.Events {
		if err := n.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	v := n.Latest()
	if len(out.Events) != 2 || n.Amends != signed.n.ID || v == nil || v.Number != 1 || v.SHA256 != signed.sha() ||
		v.Author != "sg-neg" || v.Party != "SG" || !strings.Contains(v.Note, "signed text of") || out.Latest != signed.texts[1] {
		t.Fatalf("amendment %+v, version %+v", n, v)
	}
	if res := out.Result(n).(CreatedResult); res.Amends != signed.n.ID || res.Status != StatusLegalReview {
		t.Errorf("result %+v", res)
	}
	if view := n.View("US"); view.Amends != signed.n.ID || view.RequiredApprovals != 2 {
		t.Errorf("view %+v: want the amended negotiation's required approvals (2)", view)
	}
	// The signed negotiation is untouched.
	if !signed.n.Frozen() || len(signed.n.Versions) != 1 {
		t.Error("the amended negotiation changed")
	}
}
