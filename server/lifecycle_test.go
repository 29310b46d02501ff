package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"mra/server/mra"
	"mra/server/servertest"
)

// listed is one entry of GET /api/negotiations, with the lifecycle fields.
type listed struct {
	ID            string   `json:"id"`
	Status        string   `json:"status"`
	Amends        string   `json:"amends"`
	AmendedBy     []string `json:"amended_by"`
	ReviewDue     string   `json:"review_due"`
	ReviewOverdue *bool    `json:"review_overdue"`
}

func listOf(c *servertest.Client) map[string]listed {
	var l struct {
		Negotiations []listed `json:"negotiations"`
	}
	c.GetJSON("/api/negotiations", &l)
	out := map[string]listed{}
	for _, n := range l.Negotiations {
		out[n.ID] = n
	}
	return out
}

// An amendment of a signed negotiation starts from its signed text, as
// version 1 proposed on the creator's behalf; the two are linked both ways,
// in the snapshots and the list; the signed one stays frozen.
func TestAmendSigned(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	signed, sha := w.Signed(servertest.Text1)
	sg := w.Login("sg-neg")
	var created struct {
		Negotiation string `json:"negotiation"`
		Amends      string `json:"amends"`
		Status      string `json:"status"`
	}
	sg.Must(map[string]any{"type": "create_negotiation", "title": "Amendment 1", "parties": []string{"SG", "US"}, "amends": signed}, &created)
	if created.Amends != signed || created.Status != string(mra.StatusLegalReview) {
		t.Errorf("created %+v", created)
	}
	amend := created.Negotiation
	snap := w.Login("us-neg").Snapshot(amend)
	if snap.Negotiation.Amends != mra.NegotiationID(signed) || len(snap.Versions) != 1 {
		t.Fatalf("the amendment: %s", snap.Raw)
	}
	v1 := snap.Versions[0]
	if v1.SHA256 != sha || v1.Author != "sg-neg" || v1.Party != "SG" || !strings.Contains(v1.Note, "signed text of") {
		t.Errorf("version 1 of the amendment: %+v", v1)
	}
	var ver struct {
		Text string `json:"text"`
	}
	sg.GetJSON("/api/negotiations/"+amend+"/versions/1", &ver)
	if ver.Text != servertest.Text1 {
		t.Errorf("the amendment's version 1 is not the signed text")
	}
	if orig := sg.Snapshot(signed); strings.Join(idsOf(orig.Negotiation.AmendedBy), ",") != amend || orig.Readiness.Status != mra.StatusSigned {
		t.Errorf("the signed negotiation: amended_by %v, status %s", orig.Negotiation.AmendedBy, orig.Readiness.Status)
	}
	l := listOf(sg)
	if l[amend].Amends != signed || strings.Join(l[signed].AmendedBy, ",") != amend {
		t.Errorf("list: %+v", l)
	}
	// The amendment's redline against the signed text is the amendment.
	sg.Must(map[string]any{"type": "propose_version", "negotiation": amend, "base": 1, "text": servertest.Text1 + "\nArticle 9\nAdded by the amendment.\n"}, nil)
	var diff struct {
		Ops []struct{ Op, Text string } `json:"ops"`
	}
	sg.GetJSON("/api/negotiations/"+amend+"/diff?from=1&to=2", &diff)
	inserted := ""
	for _, op := range diff.Ops {
		if op.Op == "insert" {
			inserted += op.Text
		}
	}
	if !strings.Contains(inserted, "Added by the amendment.") {
		t.Errorf("the redline: %+v", diff.Ops)
	}
	// The signed original takes no change but its review.
	sg.Fails(mra.CodeFrozen, map[string]any{"type": "propose_version", "negotiation": signed, "base": 1, "text": "x"})

	// Bad amends: an unsigned negotiation, other parties, nothing, another's.
	open := sg.Create(1)
	sg.Fails(mra.CodeBadRequest, map[string]any{"type": "create_negotiation", "title": "A", "parties": []string{"SG", "US"}, "amends": open})
	sg.Fails(mra.CodeBadRequest, map[string]any{"type": "create_negotiation", "title": "A", "parties": []string{"SG", "US", "EX"}, "amends": signed})
	sg.Fails(mra.CodeBadRequest, map[string]any{"type": "create_negotiation", "title": "A", "parties": []string{"SG", "US"}, "amends": "n-nothing"})
	ex := w.Login("ex-neg")
	exErr := ex.Fails(mra.CodeBadRequest, map[string]any{"type": "create_negotiation", "title": "A", "parties": []string{"EX", "SG"}, "amends": signed})
	noneErr := ex.Fails(mra.CodeBadRequest, map[string]any{"type": "create_negotiation", "title": "A", "parties": []string{"EX", "SG"}, "amends": "n-nothing"})
	if strings.Replace(exErr.Message, signed, "X", 1) != strings.Replace(noneErr.Message, "n-nothing", "X", 1) {
		t.Errorf("a negotiation EX is not in reads unlike none: %q, %q", exErr.Message, noneErr.Message)
	}
	if n := len(listOf(sg)); n != 3 {
		t.Errorf("%d negotiations listed, want 3 (the refused ones created nothing)", n)
	}
	// Idempotent, and the same after a restart.
	cmd := map[string]any{"id": w.NextID(), "type": "create_negotiation", "title": "Amendment 2", "parties": []string{"US", "SG"}, "amends": signed}
	var a1, a2 struct {
		Negotiation string `json:"negotiation"`
	}
	us := w.Login("us-neg")
	us.Must(cmd, &a1)
	w.Restart()
	us = w.Login("us-neg")
	us.Must(cmd, &a2)
	if a1.Negotiation != a2.Negotiation {
		t.Errorf("a repeated amendment made another: %s, %s", a1.Negotiation, a2.Negotiation)
	}
	if got := strings.Join(idsOf(us.Snapshot(signed).Negotiation.AmendedBy), ","); !strings.Contains(got, a1.Negotiation) || !strings.Contains(got, amend) {
		t.Errorf("amended_by after a restart: %s", got)
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
}

func idsOf(ids []mra.NegotiationID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// schedule_review sets a signed negotiation's next review: the list and
// the snapshot show review_due, and review_overdue once its day has passed;
// over the socket as over HTTP.
func TestScheduleReviewServed(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	w.SetNow(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	signed, _ := w.Signed(servertest.Text1)
	us := w.Login("us-neg")
	open := us.Create(1)
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "schedule_review", "negotiation": open, "due": "2027-06-30"})
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "schedule_review", "negotiation": signed, "due": "30/06/2027"})
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "schedule_review", "negotiation": signed, "due": "2026-11-30"})
	w.Login("us-legal").Fails(mra.CodeForbidden, map[string]any{"type": "schedule_review", "negotiation": signed, "due": "2027-06-30"})
	w.Login("ex-neg").Fails(mra.CodeNotFound, map[string]any{"type": "schedule_review", "negotiation": signed, "due": "2027-06-30"})
	if l := listOf(us)[signed]; l.ReviewDue != "" || l.ReviewOverdue != nil {
		t.Errorf("before any review: %+v", l)
	}

	sock := w.Login("sg-neg").Dial(t)
	sock.Subscribe(signed, 0, 0)
	id := sock.Send(map[string]any{"type": "schedule_review", "negotiation": signed, "due": "2027-06-30", "body": "First yearly review."})
	// the event goes out once committed, before the ack
	ev := sock.Must(servertest.IsEvent(mra.EvReviewScheduled), "the review's event")
	if !strings.Contains(ev.Raw, `"due":"2027-06-30"`) || !strings.Contains(ev.Raw, `"stream":"shared"`) {
		t.Errorf("event %s", ev.Raw)
	}
	if snap := us.Snapshot(signed); snap.Negotiation.Review == nil || snap.Negotiation.Review.Body != "First yearly review." || snap.Negotiation.Review.By != "sg-neg" {
		t.Errorf("the snapshot's review: %+v", snap.Negotiation.Review)
	}
	if m := sock.Must(servertest.AnswerTo(id), "the review's ack"); m.Type != "ack" {
		t.Fatalf("schedule_review over the socket: %s", m.Raw)
	}
	for _, c := range []*servertest.Client{us, w.Login("sg-neg")} {
		if l := listOf(c)[signed]; l.ReviewDue != "2027-06-30" || l.ReviewOverdue == nil || *l.ReviewOverdue {
			t.Errorf("list after scheduling: %+v", l)
		}
	}
	w.SetNow(time.Date(2027, 7, 1, 0, 0, 1, 0, time.UTC))
	us = w.Login("us-neg") // the session ended months ago
	status, body := us.Get("/api/negotiations/" + signed)
	if status != http.StatusOK || !strings.Contains(string(body), `"review_due":"2027-06-30"`) || !strings.Contains(string(body), `"review_overdue":true`) {
		t.Errorf("snapshot once the day has passed: %d %.300s", status, body)
	}
	if l := listOf(us)[signed]; l.ReviewOverdue == nil || !*l.ReviewOverdue || l.Status != string(mra.StatusSigned) {
		t.Errorf("list once the day has passed: %+v", l)
	}
	// A new review date: due again, not overdue.
	us.Must(map[string]any{"type": "schedule_review", "negotiation": signed, "due": "2028-06-30"}, nil)
	if l := listOf(us)[signed]; l.ReviewDue != "2028-06-30" || *l.ReviewOverdue {
		t.Errorf("after the next review was set: %+v", l)
	}
	w.Restart()
	if l := listOf(w.Login("us-neg"))[signed]; l.ReviewDue != "2028-06-30" {
		t.Errorf("after a restart: %+v", l)
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
}
