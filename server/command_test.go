package server_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"mra/server/mra"
	"mra/server/servertest"
)

// TestWorkflowToSigned walks a negotiation through every status: drafting,
// negotiating, legal review, ready to sign, signed (and frozen).
func TestWorkflowToSigned(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	usLegal, sgLegal := w.Login("us-legal"), w.Login("sg-legal")
	usSign, sgSign := w.Login("us-sign"), w.Login("sg-sign")

	neg := us.Create(1)
	status := func(want mra.Status) mra.Readiness {
		t.Helper()
		r := us.Snapshot(neg).Readiness
		if r.Status != want {
			t.Fatalf("status %s, want %s (%+v)", r.Status, want, r)
		}
		return r
	}
	status(mra.StatusDrafting)

	v1, sha1 := us.Propose(neg, 0, servertest.Text1)
	if v1 != 1 || sha1 != mra.SHA256(servertest.Text1) {
		t.Fatalf("propose: version %d sha %s", v1, sha1)
	}
	status(mra.StatusLegalReview) // no issues, no approvals yet

	issue := sg.Comment(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)
	cons := sg.Comment(neg, 1, servertest.Text1, "recognise the validation findings", mra.KindConsensus, mra.Shared)
	r := status(mra.StatusNegotiating)
	if r.OpenIssues != 1 {
		t.Errorf("open_issues %d, want 1", r.OpenIssues)
	}

	var st struct {
		Status    mra.ThreadStatus `json:"status"`
		Concurred []mra.PartyID    `json:"concurred"`
	}
	us.Must(map[string]any{"type": "concur", "negotiation": neg, "thread": cons}, &st)
	if st.Status != mra.StatusAgreed || !slices.Equal(st.Concurred, []mra.PartyID{"SG", "US"}) {
		t.Errorf("concur: %+v, want agreed by SG and US", st)
	}
	var reply struct {
		Message string `json:"message"`
	}
	us.Must(map[string]any{"type": "reply", "negotiation": neg, "thread": issue, "body": "Sixty days then."}, &reply)
	if !strings.HasPrefix(reply.Message, "m-") {
		t.Errorf("reply result message %q", reply.Message)
	}
	sg.Must(map[string]any{"type": "resolve", "negotiation": neg, "thread": issue, "body": "Agreed at sixty."}, &st)
	if st.Status != mra.StatusResolved {
		t.Errorf("resolve: status %s", st.Status)
	}
	status(mra.StatusLegalReview)

	var rd struct {
		Readiness mra.Readiness `json:"readiness"`
	}
	usLegal.Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha1, "decision": "approve"}, &rd)
	if rd.Readiness.Approvals["US"].Approved != 1 || rd.Readiness.Status != mra.StatusLegalReview {
		t.Errorf("after US approval: %+v", rd.Readiness)
	}
	sgLegal.Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha1, "decision": "request_changes", "body": "Article 3 needs work."}, &rd)
	if rd.Readiness.Approvals["SG"].ChangesRequested != 1 || rd.Readiness.Status != mra.StatusLegalReview {
		t.Errorf("after SG request_changes: %+v", rd.Readiness)
	}
	// A later sign-off of the same reviewer on the same version replaces the earlier one.
	sgLegal.Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha1, "decision": "approve"}, &rd)
	if rd.Readiness.Status != mra.StatusReady || rd.Readiness.Approvals["SG"].ChangesRequested != 0 {
		t.Fatalf("after SG approval: %+v", rd.Readiness)
	}
	if n := len(us.Snapshot(neg).SignOffs); n != 2 {
		t.Errorf("%d sign-offs, want 2 (the replaced one gone)", n)
	}

	usSign.Must(map[string]any{"type": "sign", "negotiation": neg, "version": 1, "sha256": sha1}, &rd)
	if rd.Readiness.Status != mra.StatusReady || !rd.Readiness.Signatures["US"] || rd.Readiness.Signatures["SG"] {
		t.Fatalf("after US signature: %+v", rd.Readiness)
	}
	usSign.Fails(mra.CodeBadRequest, map[string]any{"type": "sign", "negotiation": neg, "version": 1, "sha256": sha1})
	sgSign.Must(map[string]any{"type": "sign", "negotiation": neg, "version": 1, "sha256": sha1}, &rd)
	if rd.Readiness.Status != mra.StatusSigned {
		t.Fatalf("after both signatures: %+v", rd.Readiness)
	}

	// Frozen: every change is refused.
	for _, c := range []struct {
		as  *servertest.Client
		cmd map[string]any
	}{
		{us, map[string]any{"type": "propose_version", "negotiation": neg, "base": 1, "text": "x"}},
		{sg, servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)},
		{us, map[string]any{"type": "reply", "negotiation": neg, "thread": issue, "body": "late"}},
		{us, map[string]any{"type": "reopen", "negotiation": neg, "thread": issue, "body": "late"}},
		{sg, map[string]any{"type": "withdraw", "negotiation": neg, "thread": cons}},
		{usLegal, map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha1, "decision": "approve"}},
	} {
		c.as.Fails(mra.CodeFrozen, c.cmd)
	}
	if s := us.Snapshot(neg); s.Negotiation.Status != mra.StatusSigned || len(s.Signatures) != 2 {
		t.Errorf("servertest.Snapshot after signing: %+v", s.Negotiation)
	}
}

// TestCarryVoidsChangedConsensus: a new version re-anchors every thread;
// agreed text that changed voids its consensus until concurred again, and
// earlier approvals go stale.
func TestCarryVoidsChangedConsensus(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	usLegal := w.Login("us-legal")
	neg := us.Create(1)
	_, sha1 := us.Propose(neg, 0, servertest.Text1)
	changed := sg.Comment(neg, 1, servertest.Text1, "exchange membership information within 30 days", mra.KindConsensus, mra.Shared)
	kept := sg.Comment(neg, 1, servertest.Text1, "designate a contact point", mra.KindConsensus, mra.Shared)
	gone := sg.Comment(neg, 1, servertest.Text1, "of the partner program", mra.KindOpenIssue, mra.Shared)
	internal := us.Comment(neg, 1, servertest.Text1, "Contact points", mra.KindNote, mra.Internal)
	for _, th := range []string{changed, kept} {
		us.Must(map[string]any{"type": "concur", "negotiation": neg, "thread": th}, nil)
	}
	usLegal.Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha1, "decision": "approve"}, nil)

	text2 := "Preamble.\n\n" + strings.NewReplacer("within 30 days", "within 60 days", " of the partner program", "").Replace(servertest.Text1)
	us.Propose(neg, 1, text2)

	s := us.Snapshot(neg)
	check := func(id string, status mra.ThreadStatus, flag mra.Flag, quote string) {
		t.Helper()
		th := s.Thread(id)
		if th == nil {
			t.Fatalf("thread %s missing", id)
		}
		if th.Status != status || th.Anchor.Flag != flag || th.Anchor.Version != 2 || th.Anchor.Quote != quote {
			t.Errorf("thread %s: status %s flag %s v%d quote %q; want %s %s v2 %q", id, th.Status, th.Anchor.Flag, th.Anchor.Version, th.Anchor.Quote, status, flag, quote)
		}
	}
	check(changed, mra.StatusVoid, "changed", "exchange membership information within 60 days")
	check(kept, mra.StatusAgreed, "moved", "designate a contact point")
	check(gone, mra.StatusOpen, "outdated", "")
	check(internal, mra.StatusOpen, "moved", "Contact points")
	if s.Readiness.VoidConsensus != 1 || s.Readiness.Status != mra.StatusNegotiating {
		t.Errorf("readiness %+v, want 1 void consensus, negotiating", s.Readiness)
	}
	if len(s.SignOffs) != 1 || !s.SignOffs[0].Stale || s.Readiness.Approvals["US"].Approved != 0 {
		t.Errorf("sign-off after a new version: %+v, readiness %+v; want stale", s.SignOffs, s.Readiness.Approvals["US"])
	}
	// A concurrence restarts a void consensus as proposed by the concurring party.
	var st struct {
		Status    mra.ThreadStatus `json:"status"`
		Concurred []mra.PartyID    `json:"concurred"`
	}
	sg.Must(map[string]any{"type": "concur", "negotiation": neg, "thread": changed}, &st)
	if st.Status != mra.StatusProposed || !slices.Equal(st.Concurred, []mra.PartyID{"SG"}) {
		t.Errorf("concur on void: %+v, want proposed by SG", st)
	}
	us.Must(map[string]any{"type": "concur", "negotiation": neg, "thread": changed}, &st)
	if st.Status != mra.StatusAgreed {
		t.Errorf("second concur: %s, want agreed", st.Status)
	}

	// The carried anchors are events: shared threads on the shared stream,
	// the internal one on US's internal stream only.
	var ev struct {
		Events []json.RawMessage `json:"events"`
	}
	sg.GetJSON("/api/negotiations/"+neg+"/events?stream=shared", &ev)
	last := carriedThreads(t, ev.Events, 2)
	if !last[changed] || !last[kept] || !last[gone] || last[internal] {
		t.Errorf("shared anchors_carried holds %v", last)
	}
	us.GetJSON("/api/negotiations/"+neg+"/events?stream=internal", &ev)
	if got := carriedThreads(t, ev.Events, 2); !got[internal] || len(got) != 1 {
		t.Errorf("US internal anchors_carried holds %v", got)
	}
}

// carriedThreads returns the threads of the anchors_carried event for a version.
func carriedThreads(t *testing.T, events []json.RawMessage, version int) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	for _, raw := range events {
		e, err := mra.DecodeEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := e.Data.(*mra.AnchorsCarried); ok && d.Version == version {
			for _, c := range d.Threads {
				got[string(c.Thread)] = true
			}
		}
	}
	return got
}

func TestCommentOnOlderVersionIsCarried(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	text2 := strings.Replace(servertest.Text1, "Article 1\nPurpose", "Article 1\nObjective", 1)
	us.Propose(neg, 1, text2)
	var r struct {
		Thread string           `json:"thread"`
		Anchor mra.Anchor       `json:"anchor"`
		Status mra.ThreadStatus `json:"status"`
	}
	sg.Must(servertest.CommentCmd(neg, 1, servertest.Text1, "designate a contact point", mra.KindConsensus, mra.Shared), &r)
	if r.Anchor.Version != 2 || r.Anchor.Flag != "moved" || r.Anchor.Quote != "designate a contact point" || r.Status != mra.StatusProposed {
		t.Errorf("comment on v1, carried: %+v status %s", r.Anchor, r.Status)
	}
	sg.Must(servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindConsensus, mra.Shared), &r)
	if r.Anchor.Flag != "changed" || r.Anchor.Quote != "Objective" || r.Status != mra.StatusVoid {
		t.Errorf("consensus on text changed since: %+v status %s, want changed and void", r.Anchor, r.Status)
	}
}

func TestConflictOnOldBase(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	sg.Propose(neg, 1, servertest.Text1+"\nArticle 4\n")
	e := us.Fails(mra.CodeConflict, map[string]any{"type": "propose_version", "negotiation": neg, "base": 1, "text": servertest.Text1 + "x"})
	if !strings.Contains(e.Message, "2") {
		t.Errorf("conflict message %q does not name the latest version", e.Message)
	}
	us.Fails(mra.CodeConflict, map[string]any{"type": "propose_version", "negotiation": neg, "base": 0, "text": "y"})
	if n := len(us.Snapshot(neg).Versions); n != 2 {
		t.Errorf("%d versions after conflicts, want 2", n)
	}
}

func TestStaleSignOffs(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, legal, signer := w.Login("us-neg"), w.Login("us-legal"), w.Login("us-sign")
	neg := us.Create(1)
	_, sha1 := us.Propose(neg, 0, servertest.Text1)
	_, sha2 := us.Propose(neg, 1, servertest.Text1+"\nAnnex.\n")
	legal.Fails(mra.CodeStale, map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha1, "decision": "approve"})
	legal.Fails(mra.CodeStale, map[string]any{"type": "sign_off", "negotiation": neg, "version": 2, "sha256": sha1, "decision": "approve"})
	legal.Fails(mra.CodeNotFound, map[string]any{"type": "sign_off", "negotiation": neg, "version": 3, "sha256": sha2, "decision": "approve"})
	signer.Fails(mra.CodeStale, map[string]any{"type": "sign", "negotiation": neg, "version": 1, "sha256": sha1})
	signer.Fails(mra.CodeNotReady, map[string]any{"type": "sign", "negotiation": neg, "version": 2, "sha256": sha2})
	legal.Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 2, "sha256": sha2, "decision": "approve"}, nil)
}

func TestWithdrawAndReopen(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg, usLegal := w.Login("us-neg"), w.Login("sg-neg"), w.Login("us-legal")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	issue := us.Comment(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)
	us.Must(map[string]any{"type": "resolve", "negotiation": neg, "thread": issue}, nil)
	sg.Fails(mra.CodeBadRequest, map[string]any{"type": "reopen", "negotiation": neg, "thread": issue})
	sg.Must(map[string]any{"type": "reopen", "negotiation": neg, "thread": issue, "body": "Not settled for us."}, nil)
	if s := us.Snapshot(neg); s.Thread(issue).Status != mra.StatusOpen || s.Readiness.Status != mra.StatusNegotiating {
		t.Fatalf("after reopen: %s, %s", s.Thread(issue).Status, s.Readiness.Status)
	}
	sg.Fails(mra.CodeForbidden, map[string]any{"type": "withdraw", "negotiation": neg, "thread": issue})
	usLegal.Must(map[string]any{"type": "withdraw", "negotiation": neg, "thread": issue, "body": "Raised in error."}, nil)
	s := us.Snapshot(neg)
	if s.Thread(issue).Status != mra.StatusWithdrawn || s.Readiness.OpenIssues != 0 {
		t.Errorf("withdrawn issue still counts: %+v", s.Readiness)
	}
	if n := len(s.Thread(issue).Messages); n != 3 {
		t.Errorf("%d messages, want 3 (comment, reopen, withdraw)", n)
	}
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "withdraw", "negotiation": neg, "thread": issue})
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "resolve", "negotiation": neg, "thread": issue})
}

// TestPermissions: each command's role and party rule.
func TestPermissions(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	usLegal, usSign, usAdmin := w.Login("us-legal"), w.Login("us-sign"), w.Login("us-admin")
	neg := us.Create(1)
	_, sha := us.Propose(neg, 0, servertest.Text1)
	cons := sg.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindConsensus, mra.Shared)
	issue := sg.Comment(neg, 1, servertest.Text1, "within 30 days", mra.KindOpenIssue, mra.Shared)

	forbidden := []struct {
		as  *servertest.Client
		cmd map[string]any
	}{
		{usLegal, map[string]any{"type": "create_negotiation", "title": "x", "parties": []string{"US", "SG"}}},
		{usSign, map[string]any{"type": "propose_version", "negotiation": neg, "base": 1, "text": "x"}},
		{usLegal, map[string]any{"type": "propose_version", "negotiation": neg, "base": 1, "text": "x"}},
		{usSign, servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)},
		{usAdmin, map[string]any{"type": "reply", "negotiation": neg, "thread": issue, "body": "x"}},
		{usLegal, map[string]any{"type": "concur", "negotiation": neg, "thread": cons}},
		{usLegal, map[string]any{"type": "resolve", "negotiation": neg, "thread": issue}},
		{us, map[string]any{"type": "resolve", "negotiation": neg, "thread": issue}}, // not the raising party
		{usLegal, map[string]any{"type": "reopen", "negotiation": neg, "thread": issue, "body": "x"}},
		{us, map[string]any{"type": "withdraw", "negotiation": neg, "thread": issue}},
		{us, map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": sha, "decision": "approve"}},
		{usLegal, map[string]any{"type": "sign", "negotiation": neg, "version": 1, "sha256": sha}},
	}
	for _, f := range forbidden {
		f.as.Fails(mra.CodeForbidden, f.cmd)
	}
	// The legal reviewer may comment and reply.
	usLegal.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Internal)
	usLegal.Must(map[string]any{"type": "reply", "negotiation": neg, "thread": issue, "body": "Legal view."}, nil)
}

// TestBadRequests: every bad input gets a clear bad_request and changes nothing.
func TestBadRequests(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	note := sg.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
	before := us.Snapshot(neg)

	cases := []struct {
		name string
		cmd  map[string]any
		want string
	}{
		{"unknown type", map[string]any{"type": "delete_everything"}, "unknown command type"},
		{"missing type", map[string]any{}, "type is required"},
		{"id too long", map[string]any{"id": strings.Repeat("x", 65), "type": "reply"}, "id must be 1 to 64"},
		{"quote mismatch", func() map[string]any {
			c := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindOpenIssue, mra.Shared)
			c["quote"] = "Porpoise"
			return c
		}(), "quote does not match"},
		{"range outside", func() map[string]any {
			c := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindOpenIssue, mra.Shared)
			c["start"], c["end"] = 5000, 5007
			return c
		}(), "outside version 1"},
		{"empty range for an issue", func() map[string]any {
			c := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindOpenIssue, mra.Shared)
			c["end"] = c["start"]
			c["quote"] = ""
			return c
		}(), "start < end"},
		{"negative start", func() map[string]any {
			c := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
			c["start"] = -1
			return c
		}(), "outside"},
		{"bad kind", func() map[string]any {
			c := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
			c["kind"] = "gossip"
			return c
		}(), "kind must be"},
		{"bad visibility", func() map[string]any {
			c := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
			c["visibility"] = "public"
			return c
		}(), "visibility must be"},
		{"no body", map[string]any{"type": "reply", "negotiation": neg, "thread": note}, "body is required"},
		{"wrong type of field", map[string]any{"type": "propose_version", "negotiation": neg, "base": "one", "text": "x"}, "field base"},
		{"no base", map[string]any{"type": "propose_version", "negotiation": neg, "text": "x"}, "base is required"},
		{"concur on a note", map[string]any{"type": "concur", "negotiation": neg, "thread": note}, "only a consensus"},
		{"bad decision", map[string]any{"type": "sign_off", "negotiation": neg, "version": 1, "sha256": mra.SHA256(servertest.Text1), "decision": "maybe"}, ""},
		{"one party", map[string]any{"type": "create_negotiation", "title": "x", "parties": []string{"US"}}, "at least 2"},
		{"unknown party", map[string]any{"type": "create_negotiation", "title": "x", "parties": []string{"US", "ZZ"}}, "unknown party"},
		{"without own party", map[string]any{"type": "create_negotiation", "title": "x", "parties": []string{"SG", "EX"}}, "your own party"},
		{"no title", map[string]any{"type": "create_negotiation", "parties": []string{"US", "SG"}}, "title is required"},
		{"approvals out of range", map[string]any{"type": "create_negotiation", "title": "x", "parties": []string{"US", "SG"}, "required_approvals": 0}, "required_approvals"},
		{"huge number", map[string]any{"type": "propose_version", "negotiation": neg, "base": json.Number("1e400"), "text": "x"}, "field base"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sender := us
			if c.cmd["type"] == "sign_off" {
				sender = w.Login("us-legal")
			}
			e := sender.Fails(mra.CodeBadRequest, c.cmd)
			if !strings.Contains(e.Message, c.want) {
				t.Errorf("message %q, want it to say %q", e.Message, c.want)
			}
		})
	}

	raw := []struct {
		name, body, want string
	}{
		{"malformed JSON", `{"id":"x","type":`, "malformed JSON"},
		{"not an object", `["comment"]`, "must be a JSON object"},
		{"two values", `{"id":"x","type":"reply"} {}`, "more than one value"},
		{"invalid UTF-8", "{\"id\":\"x\",\"type\":\"reply\",\"negotiation\":\"" + neg + "\",\"thread\":\"" + note + "\",\"body\":\"\xff\xfe\"}", "not valid UTF-8"},
		{"lone surrogate", `{"id":"x","type":"reply","negotiation":"` + neg + `","thread":"` + note + `","body":"\ud800"}`, "lone surrogate"},
	}
	for _, c := range raw {
		t.Run(c.name, func(t *testing.T) {
			status, body := us.Post("/api/command", []byte(c.body))
			var a servertest.Answer
			json.Unmarshal(body, &a)
			if status != http.StatusBadRequest || a.Error == nil || a.Error.Code != mra.CodeBadRequest || !strings.Contains(a.Error.Message, c.want) {
				t.Errorf("got %d %s, want 400 saying %q", status, body, c.want)
			}
		})
	}
	if after := us.Snapshot(neg); !reflect.DeepEqual(before, after) {
		t.Errorf("bad requests changed the negotiation")
	}
}

func TestTooLarge(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	note := sg.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
	big := strings.Repeat("a", 70<<10)
	us.Fails(mra.CodeTooLarge, map[string]any{"type": "reply", "negotiation": neg, "thread": note, "body": big})
	// A proposed text may be megabytes, up to 8 MiB.
	long := strings.Repeat("The Parties shall cooperate. ", 40_000) // about 1.1 MB
	us.Propose(neg, 1, long)
	us.Fails(mra.CodeTooLarge, map[string]any{"type": "propose_version", "negotiation": neg, "base": 2, "text": strings.Repeat("x", 8<<20+1)})
	status, body := us.Post("/api/command", []byte(`{"id":"big","type":"reply","body":"`+strings.Repeat("x", 17<<20)+`"}`))
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "too_large") {
		t.Errorf("17 MiB body: %d %.200s", status, body)
	}
	if n := len(us.Snapshot(neg).Versions); n != 2 {
		t.Errorf("%d versions, want 2", n)
	}
}

// TestIdempotentRepeats: the same user and id get the first answer, and the
// command applies once, also after the server restarts.
func TestIdempotentRepeats(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindOpenIssue, mra.Shared)
	cmd["id"] = "comment-once"
	first := sg.Send(cmd)
	second := sg.Send(cmd)
	if first.Status != 200 || string(first.Raw) != string(second.Raw) {
		t.Fatalf("repeat answered %s, first %s", second.Raw, first.Raw)
	}
	// Another user may use the same id for their own command.
	other := us.Send(map[string]any{"id": "comment-once", "type": "reply", "negotiation": neg, "thread": threadOf(t, first), "body": "ok"})
	if other.Status != 200 || string(other.Raw) == string(first.Raw) {
		t.Errorf("another user's command with the same id: %s", other.Raw)
	}
	// Concurrent repeats apply once too.
	cmd2 := servertest.CommentCmd(neg, 1, servertest.Text1, "Contact points", mra.KindNote, mra.Shared)
	cmd2["id"] = "burst"
	answers := make(chan string, 8)
	for range 8 {
		go func() { answers <- string(sg.Send(cmd2).Raw) }()
	}
	firstBurst := <-answers
	for range 7 {
		if a := <-answers; a != firstBurst {
			t.Errorf("concurrent repeat answered %s, want %s", a, firstBurst)
		}
	}
	w.Restart()
	sg = w.Login("sg-neg")
	third := sg.Send(cmd)
	if string(third.Raw) != string(first.Raw) {
		t.Errorf("after restart the repeat answered %s, want %s", third.Raw, first.Raw)
	}
	if n := len(sg.Snapshot(neg).Threads); n != 2 {
		t.Errorf("%d threads, want 2", n)
	}
}

func threadOf(t *testing.T, a servertest.Answer) string {
	var r struct {
		Thread string `json:"thread"`
	}
	if err := json.Unmarshal(a.Result, &r); err != nil || r.Thread == "" {
		t.Fatalf("no thread in %s", a.Raw)
	}
	return r.Thread
}

// TestRestartKeepsState: the servertest.Snapshot is the same after closing and
// reopening the database.
func TestRestartKeepsState(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	// One frozen clock: every event has the same time, so only the log's
	// own order can put the arrays back as they were.
	w.SetNow(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	text2 := strings.Replace(servertest.Text1, "Purpose", "Objective", 1)
	us.Propose(neg, 0, servertest.Text1)
	th := sg.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindConsensus, mra.Shared)
	us.Must(map[string]any{"type": "concur", "negotiation": neg, "thread": th}, nil)
	for _, q := range []string{"within 30 days", "contact point", "Article 2", "validation findings"} {
		sg.Comment(neg, 1, servertest.Text1, q, mra.KindNote, mra.Internal)
		us.Comment(neg, 1, servertest.Text1, q, mra.KindNote, mra.Internal)
		us.Comment(neg, 1, servertest.Text1, q, mra.KindOpenIssue, mra.Shared)
	}
	_, sha := us.Propose(neg, 1, text2)
	// Sign-offs and signatures in an order their keys would not give.
	for _, u := range []mra.UserID{"us-legal2", "sg-legal", "us-legal"} {
		w.Login(u).Must(map[string]any{"type": "sign_off", "negotiation": neg, "version": 2, "sha256": sha, "decision": "request_changes", "body": "from " + string(u)}, nil)
	}
	beforeUS, beforeSG := us.Snapshot(neg), sg.Snapshot(neg)
	w.Restart()
	if after := us.Snapshot(neg); string(after.Raw) != string(beforeUS.Raw) {
		t.Errorf("US snapshot changed across restart:\n%s\n%s", beforeUS.Raw, after.Raw)
	}
	if after := sg.Snapshot(neg); string(after.Raw) != string(beforeSG.Raw) {
		t.Errorf("SG snapshot changed across restart:\n%s\n%s", beforeSG.Raw, after.Raw)
	}
	if got := beforeUS.SignOffs; len(got) != 3 || got[0].User != "us-legal2" || got[1].User != "sg-legal" || got[2].User != "us-legal" {
		t.Errorf("sign-offs %+v, want in the order given", got)
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify: %v", err)
	}
	// The next command runs (a fresh id: not the stored answer of an
	// earlier one) and continues the streams.
	id := us.Comment(neg, 2, text2, "Objective", mra.KindNote, mra.Shared)
	s := us.Snapshot(neg)
	if len(s.Threads) != len(beforeUS.Threads)+1 || string(s.Threads[len(s.Threads)-1].ID) != id || s.Heads["shared"] != beforeUS.Heads["shared"]+1 {
		t.Errorf("after a restart the next comment made %d threads (was %d), heads %v", len(s.Threads), len(beforeUS.Threads), s.Heads)
	}
	if err := w.Verify(); err != nil {
		t.Errorf("verify after more: %v", err)
	}
}

// TestReadsWhileWriting: snapshots are encoded while commands change the
// same threads (run with -race).
func TestReadsWhileWriting(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	th := sg.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindConsensus, mra.Shared)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			sg.Send(map[string]any{"type": "reply", "negotiation": neg, "thread": th, "body": "more"})
			if i == 10 {
				us.Send(map[string]any{"type": "propose_version", "negotiation": neg, "base": 1, "text": "Preamble.\n" + servertest.Text1})
			}
		}
	}()
	for {
		select {
		case <-done:
			if n := len(us.Snapshot(neg).Thread(th).Messages); n != 21 {
				t.Errorf("%d messages, want 21", n)
			}
			return
		default:
			us.Snapshot(neg)
		}
	}
}
