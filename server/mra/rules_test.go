package mra

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestThreadLifecycle: the statuses each command leads to.
func TestThreadLifecycle(t *testing.T) {
	f := newFixture(t, 1, clauses)
	c := f.comment("us-neg", 1, "Purpose", KindConsensus, Shared)
	if th := f.thread(c); th.Status != StatusProposed || !slices.Equal(th.Concurred, []PartyID{"US"}) {
		t.Fatalf("new consensus %s %v", th.Status, th.Concurred)
	}
	f.concur("sg-neg", c)
	if th := f.thread(c); th.Status != StatusAgreed || !slices.Equal(th.Concurred, []PartyID{"US", "SG"}) {
		t.Fatalf("concurred consensus %s %v", th.Status, th.Concurred)
	}
	o := f.comment("sg-neg", 1, "within 30 days", KindOpenIssue, Shared)
	if f.status(o) != StatusOpen || f.n.Readiness().OpenIssues != 1 {
		t.Fatalf("open issue %s, readiness %+v", f.status(o), f.n.Readiness())
	}
	f.must("us-neg", Command{Type: CmdReply, Thread: o, Body: ptr("we propose 60")})
	f.must("sg-neg", Command{Type: CmdResolve, Thread: o, Body: ptr("fine")})
	if f.status(o) != StatusResolved || len(f.thread(o).Messages) != 3 || f.n.Readiness().OpenIssues != 0 {
		t.Fatalf("resolved: %s, %d messages", f.status(o), len(f.thread(o).Messages))
	}
	f.must("us-neg", Command{Type: CmdReopen, Thread: o, Body: ptr("not fine")})
	if f.status(o) != StatusOpen {
		t.Fatalf("reopened: %s", f.status(o))
	}
	f.must("sg-legal", Command{Type: CmdWithdraw, Thread: o})
	if f.status(o) != StatusWithdrawn || f.n.Readiness().OpenIssues != 0 {
		t.Fatalf("withdrawn: %s", f.status(o))
	}
	n := f.comment("us-neg", 1, "Purpose", KindNote, Internal)
	if f.status(n) != StatusOpen || f.n.Readiness().OpenIssues != 0 {
		t.Fatal("a note holds nothing back")
	}
	// A general note has no anchor.
	r := f.must("us-legal", Command{Type: CmdComment, Version: ptr(1), Kind: KindNote, Visibility: Internal, Body: ptr("overall fine")}).(CommentResult)
	if r.Anchor != nil || f.thread(r.Thread).Anchor != nil {
		t.Fatal("a general note got an anchor")
	}
	// Internal open issues never count in readiness.
	f.comment("us-legal", 1, "importers", KindOpenIssue, Internal)
	if got := f.n.Readiness(); got.OpenIssues != 0 {
		t.Errorf("internal open issue counted: %+v", got)
	}
	// Internal events go on the party's own stream.
	if e := f.events[0]; e.Stream != Internal || e.Owner != "US" || e.Key() != InternalStream("US") {
		t.Errorf("internal thread on %s/%s", e.Stream, e.Owner)
	}
}

// TestVoidConsensusRestarts: concur on a void consensus restarts it as
// proposed by the concurring party.
func TestVoidConsensusRestarts(t *testing.T) {
	f := newFixture(t, 1, clauses)
	c := f.agreed("exchange membership information")
	f.propose("sg-neg", strings.Replace(clauses, "exchange membership information", "exchange all membership information", 1))
	if f.status(c) != StatusVoid || f.n.Readiness().VoidConsensus != 1 || f.n.Readiness().Status != StatusNegotiating {
		t.Fatalf("after the change: %s %+v", f.status(c), f.n.Readiness())
	}
	f.concur("sg-neg", c)
	if th := f.thread(c); th.Status != StatusProposed || !slices.Equal(th.Concurred, []PartyID{"SG"}) {
		t.Fatalf("restarted: %s %v", th.Status, th.Concurred)
	}
	f.concur("us-neg", c)
	if f.status(c) != StatusAgreed || f.n.Readiness().VoidConsensus != 0 {
		t.Fatalf("agreed again: %s", f.status(c))
	}
}

// TestReadiness: the derived status for each combination the contract names.
func TestReadiness(t *testing.T) {
	tests := []struct {
		name     string
		required int
		setup    func(f *fixture)
		want     Status
		check    func(t *testing.T, r Readiness)
	}{
		{"no version", 1, func(f *fixture) {}, StatusDrafting, nil},
		{"a version, no approvals", 1, func(f *fixture) { f.propose("us-neg", clauses) }, StatusLegalReview, nil},
		{"an open issue", 1, func(f *fixture) {
			f.propose("us-neg", clauses)
			f.comment("sg-neg", 1, "Purpose", KindOpenIssue, Shared)
			f.signOff("us-legal", Approve)
			f.signOff("sg-legal", Approve)
		}, StatusNegotiating, func(t *testing.T, r Readiness) {
			if r.OpenIssues != 1 {
				t.Errorf("open_issues %d", r.OpenIssues)
			}
		}},
		{"an internal open issue holds nothing", 1, func(f *fixture) {
			f.propose("us-neg", clauses)
			f.comment("sg-neg", 1, "Purpose", KindOpenIssue, Internal)
			ready(f)
		}, StatusReady, nil},
		{"a void consensus", 1, func(f *fixture) {
			f.propose("us-neg", clauses)
			f.agreed("Purpose")
			f.propose("us-neg", strings.Replace(clauses, "Purpose", "Aim", 1))
			f.signOff("us-legal", Approve)
			f.signOff("sg-legal", Approve)
		}, StatusNegotiating, func(t *testing.T, r Readiness) {
			if r.VoidConsensus != 1 {
				t.Errorf("void_consensus %d", r.VoidConsensus)
			}
		}},
		{"one party approved", 1, func(f *fixture) {
			f.propose("us-neg", clauses)
			f.signOff("us-legal", Approve)
		}, StatusLegalReview, func(t *testing.T, r Readiness) {
			if r.Approvals["US"].Approved != 1 || r.Approvals["SG"].Approved != 0 || r.Approvals["SG"].Required != 1 {
				t.Errorf("approvals %+v %+v", r.Approvals["US"], r.Approvals["SG"])
			}
		}},
		{"two required, one given", 2, func(f *fixture) {
			f.propose("us-neg", clauses)
			f.signOff("us-legal", Approve)
			f.signOff("sg-legal", Approve)
		}, StatusLegalReview, nil},
		{"two required, the same reviewer twice", 2, func(f *fixture) {
			f.propose("us-neg", clauses)
			f.signOff("us-legal", Approve)
			f.signOff("us-legal", Approve)
			f.signOff("sg-legal", Approve)
		}, StatusLegalReview, func(t *testing.T, r Readiness) {
			if r.Approvals["US"].Approved != 1 {
				t.Errorf("a repeated sign-off counted twice: %+v", r.Approvals["US"])
			}
		}},
		{"changes requested", 1, func(f *fixture) {
			f.propose("us-neg", clauses)
			f.signOff("us-legal", Approve)
			f.signOff("us-legal2", RequestChanges)
			f.signOff("sg-legal", Approve)
		}, StatusLegalReview, func(t *testing.T, r Readiness) {
			if a := r.Approvals["US"]; a.ChangesRequested != 1 || !slices.Equal(a.ChangesRequestedBy, []UserID{"us-legal2"}) {
				t.Errorf("US approvals %+v", a)
			}
		}},
		{"a request for changes replaced by an approval", 1, func(f *fixture) {
			f.propose("us-neg", clauses)
			f.signOff("us-legal", RequestChanges)
			f.signOff("us-legal", Approve)
			f.signOff("sg-legal", Approve)
		}, StatusReady, nil},
		{"approvals of an older version are stale", 1, func(f *fixture) {
			f.propose("us-neg", clauses)
			ready(f)
			f.propose("us-neg", clauses+"\nArticle 3\n")
		}, StatusLegalReview, func(t *testing.T, r Readiness) {
			if r.Approvals["US"].Approved != 0 || r.Version != 2 {
				t.Errorf("readiness %+v", r)
			}
		}},
		{"ready", 1, func(f *fixture) { f.propose("us-neg", clauses); ready(f) }, StatusReady, nil},
		{"one party signed", 1, func(f *fixture) {
			f.propose("us-neg", clauses)
			ready(f)
			f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
		}, StatusReady, func(t *testing.T, r Readiness) {
			if !r.Signatures["US"] || r.Signatures["SG"] {
				t.Errorf("signatures %v", r.Signatures)
			}
		}},
		{"a signature withdrawn", 1, func(f *fixture) {
			f.propose("us-neg", clauses)
			ready(f)
			f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
			f.must("us-sign", Command{Type: CmdWithdrawSignature, Version: ptr(1), Body: ptr("capital asks for one more look")})
		}, StatusReady, func(t *testing.T, r Readiness) {
			if r.Signatures["US"] {
				t.Errorf("signatures %v", r.Signatures)
			}
		}},
		{"signed", 1, func(f *fixture) { f.propose("us-neg", clauses); signAll(f) }, StatusSigned, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.required, "")
			tt.setup(f)
			r := f.n.Readiness()
			if r.Status != tt.want {
				t.Fatalf("status %s, want %s (%+v)", r.Status, tt.want, r)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestSigning: a signature blocks new versions until withdrawn; a
// withdrawal is an event and the party may sign again.
func TestSigning(t *testing.T) {
	f := newFixture(t, 1, clauses)
	ready(f)
	f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
	f.fails(CodeSigning, "sg-neg", Command{Type: CmdProposeVersion, Base: ptr(1), Text: ptr(clauses + "x")})
	r := f.must("us-sign", Command{Type: CmdWithdrawSignature, Version: ptr(1), Body: ptr("one more look")}).(ReadinessResult)
	if r.Readiness.Signatures["US"] {
		t.Fatal("the withdrawn signature still counts")
	}
	if e := f.events[0]; e.Kind != EvSignatureWithdrawn || e.Stream != Shared || e.Data.(*SignatureWithdrawn).Party != "US" {
		t.Fatalf("event %s %+v", e.Kind, e.Data)
	}
	if len(f.n.Signatures) != 0 {
		t.Fatalf("signatures %+v", f.n.Signatures)
	}
	f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
	f.must("us-sign", Command{Type: CmdWithdrawSignature, Version: ptr(1), Body: ptr("again")})
	f.propose("sg-neg", clauses+"\nArticle 3\n")
	if f.latest() != 2 {
		t.Fatal("no new version once no signature stood")
	}
}

// TestSignOffVisibility: an internal sign-off's body stays with its party;
// the decision is everyone's.
func TestSignOffVisibility(t *testing.T) {
	f := newFixture(t, 1, clauses)
	body := "Approved, subject to the note on Article 2 (internal)"
	f.must("us-legal", Command{Type: CmdSignOff, Version: ptr(1), SHA256: f.sha(), Decision: Approve, Body: &body})
	if len(f.events) != 2 {
		t.Fatalf("%d events, want a shared one and an internal one", len(f.events))
	}
	shared, internal := f.events[0], f.events[1]
	if shared.Stream != Shared || strings.Contains(string(shared.JSON), "subject to") || strings.Contains(string(shared.JSON), `"body"`) {
		t.Errorf("shared event holds the body: %s", shared.JSON)
	}
	if internal.Stream != Internal || internal.Owner != "US" || !strings.Contains(string(internal.JSON), "subject to") {
		t.Errorf("internal event %s", internal.JSON)
	}
	us, sg := f.n.Snapshot("US", nil), f.n.Snapshot("SG", nil)
	if us.SignOffs[0].Body == nil || *us.SignOffs[0].Body != body {
		t.Errorf("US sees %+v", us.SignOffs[0])
	}
	if sg.SignOffs[0].Body != nil || sg.SignOffs[0].Decision != Approve || sg.SignOffs[0].Visibility != Internal {
		t.Errorf("SG sees %+v", sg.SignOffs[0])
	}
	raw, _ := json.Marshal(sg)
	if strings.Contains(string(raw), "subject to") || strings.Contains(string(raw), `"body":""`) {
		t.Errorf("SG's snapshot holds the body: %s", raw)
	}

	// A shared sign-off's body is everyone's, on the shared stream alone.
	f.must("sg-legal", Command{Type: CmdSignOff, Version: ptr(1), SHA256: f.sha(), Decision: RequestChanges, Visibility: Shared, Body: ptr("Article 2 needs 60 days")})
	if len(f.events) != 1 || !strings.Contains(string(f.events[0].JSON), "60 days") {
		t.Fatalf("shared sign-off events %d", len(f.events))
	}
	us = f.n.Snapshot("US", nil)
	if us.SignOffs[1].Body == nil || *us.SignOffs[1].Body != "Article 2 needs 60 days" {
		t.Errorf("US sees SG's shared sign-off as %+v", us.SignOffs[1])
	}
	// An internal sign-off without a body sends nothing internal.
	f.signOff("us-legal2", Approve)
	if len(f.events) != 1 {
		t.Errorf("%d events for a sign-off without a body", len(f.events))
	}
	// A later sign-off by the same reviewer replaces the first, in its place.
	f.must("us-legal", Command{Type: CmdSignOff, Version: ptr(1), SHA256: f.sha(), Decision: RequestChanges})
	us = f.n.Snapshot("US", nil)
	if len(us.SignOffs) != 3 || us.SignOffs[0].User != "us-legal" || us.SignOffs[0].Decision != RequestChanges || *us.SignOffs[0].Body != "" {
		t.Errorf("sign-offs after replacing %+v", us.SignOffs)
	}
}
