package mra

import (
	"strings"
	"testing"
)

// TestDecideRefusals: every refusal of every command, with its code, and
// no change to the state.
func TestDecideRefusals(t *testing.T) {
	long := strings.Repeat("x", MaxBodyChars+1)
	tests := []struct {
		name  string
		user  UserID
		setup func(f *fixture) Command
		code  Code
	}{
		// create_negotiation
		{"create: not a negotiator", "us-legal", func(*fixture) Command {
			return Command{Type: CmdCreateNegotiation, Title: "T", Parties: []PartyID{"US", "SG"}}
		}, CodeForbidden},
		{"create: no title", "us-neg", func(*fixture) Command {
			return Command{Type: CmdCreateNegotiation, Title: "  ", Parties: []PartyID{"US", "SG"}}
		}, CodeBadRequest},
		{"create: title too long", "us-neg", func(*fixture) Command {
			return Command{Type: CmdCreateNegotiation, Title: strings.Repeat("t", MaxTitleChars+1), Parties: []PartyID{"US", "SG"}}
		}, CodeBadRequest},
		{"create: one party", "us-neg", func(*fixture) Command {
			return Command{Type: CmdCreateNegotiation, Title: "T", Parties: []PartyID{"US"}}
		}, CodeBadRequest},
		{"create: unknown party", "us-neg", func(*fixture) Command {
			return Command{Type: CmdCreateNegotiation, Title: "T", Parties: []PartyID{"US", "ZZ"}}
		}, CodeBadRequest},
		{"create: party twice", "us-neg", func(*fixture) Command {
			return Command{Type: CmdCreateNegotiation, Title: "T", Parties: []PartyID{"US", "SG", "SG"}}
		}, CodeBadRequest},
		{"create: without own party", "us-neg", func(*fixture) Command {
			return Command{Type: CmdCreateNegotiation, Title: "T", Parties: []PartyID{"SG", "EX"}}
		}, CodeBadRequest},
		{"create: zero approvals", "us-neg", func(*fixture) Command {
			return Command{Type: CmdCreateNegotiation, Title: "T", Parties: []PartyID{"US", "SG"}, RequiredApprovals: ptr(0)}
		}, CodeBadRequest},
		{"create: too many approvals", "us-neg", func(*fixture) Command {
			return Command{Type: CmdCreateNegotiation, Title: "T", Parties: []PartyID{"US", "SG"}, RequiredApprovals: ptr(MaxApprovals + 1)}
		}, CodeBadRequest},

		// visibility comes first: a non-member learns nothing
		{"non-member proposes", "ex-neg", func(*fixture) Command {
			return Command{Type: CmdProposeVersion, Base: ptr(1), Text: ptr("x")}
		}, CodeNotFound},
		{"non-member comments", "ex-neg", func(f *fixture) Command { return f.commentCmd(1, "Purpose", KindNote, Shared) }, CodeNotFound},

		// propose_version
		{"propose: legal may not", "us-legal", func(*fixture) Command {
			return Command{Type: CmdProposeVersion, Base: ptr(1), Text: ptr("x")}
		}, CodeForbidden},
		{"propose: no base", "us-neg", func(*fixture) Command { return Command{Type: CmdProposeVersion, Text: ptr("x")} }, CodeBadRequest},
		{"propose: no text", "us-neg", func(*fixture) Command { return Command{Type: CmdProposeVersion, Base: ptr(1)} }, CodeBadRequest},
		{"propose: note too long", "us-neg", func(*fixture) Command {
			return Command{Type: CmdProposeVersion, Base: ptr(1), Text: ptr("x"), Note: strings.Repeat("n", MaxNoteChars+1)}
		}, CodeBadRequest},
		{"propose: text too large", "us-neg", func(*fixture) Command {
			return Command{Type: CmdProposeVersion, Base: ptr(1), Text: ptr(strings.Repeat("x", MaxTextBytes+1))}
		}, CodeTooLarge},
		{"propose: stale base", "sg-neg", func(*fixture) Command {
			return Command{Type: CmdProposeVersion, Base: ptr(0), Text: ptr("x")}
		}, CodeConflict},
		{"propose: base ahead", "sg-neg", func(*fixture) Command {
			return Command{Type: CmdProposeVersion, Base: ptr(2), Text: ptr("x")}
		}, CodeConflict},

		// comment
		{"comment: signatory may not", "us-sign", func(f *fixture) Command { return f.commentCmd(1, "Purpose", KindNote, Shared) }, CodeForbidden},
		{"comment: admin may not", "us-admin", func(f *fixture) Command { return f.commentCmd(1, "Purpose", KindNote, Shared) }, CodeForbidden},
		{"comment: bad kind", "us-neg", func(f *fixture) Command { return f.commentCmd(1, "Purpose", "remark", Shared) }, CodeBadRequest},
		{"comment: bad visibility", "us-neg", func(f *fixture) Command { return f.commentCmd(1, "Purpose", KindNote, "Shared") }, CodeBadRequest},
		{"comment: no body", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindNote, Shared)
			c.Body = ptr(" \n")
			return c
		}, CodeBadRequest},
		{"comment: body too long", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindNote, Shared)
			c.Body = &long
			return c
		}, CodeBadRequest},
		{"comment: no version", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindNote, Shared)
			c.Version = nil
			return c
		}, CodeBadRequest},
		{"comment: version 0", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindNote, Shared)
			c.Version = ptr(0)
			return c
		}, CodeNotFound},
		{"comment: version ahead", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindNote, Shared)
			c.Version = ptr(2)
			return c
		}, CodeNotFound},
		{"comment: quote mismatch", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindNote, Shared)
			c.Quote = ptr("Purposf")
			return c
		}, CodeBadRequest},
		{"comment: range outside", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindNote, Shared)
			c.Start, c.End = ptr(5), ptr(1_000_000)
			return c
		}, CodeBadRequest},
		{"comment: negative start", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindNote, Shared)
			c.Start = ptr(-1)
			return c
		}, CodeBadRequest},
		{"comment: empty consensus", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindConsensus, Shared)
			c.End, c.Quote = c.Start, ptr("")
			return c
		}, CodeBadRequest},
		{"comment: open issue without a range", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindOpenIssue, Shared)
			c.Start, c.End, c.Quote = nil, nil, nil
			return c
		}, CodeBadRequest},
		{"comment: start without end", "us-neg", func(f *fixture) Command {
			c := f.commentCmd(1, "Purpose", KindNote, Shared)
			c.End = nil
			return c
		}, CodeBadRequest},

		// reply, concur, resolve, reopen, withdraw
		{"reply: no thread", "us-neg", func(*fixture) Command { return Command{Type: CmdReply, Body: ptr("x")} }, CodeBadRequest},
		{"reply: unknown thread", "us-neg", func(*fixture) Command { return Command{Type: CmdReply, Thread: "t-x", Body: ptr("x")} }, CodeNotFound},
		{"reply: the other party's internal thread", "sg-neg", func(f *fixture) Command {
			return Command{Type: CmdReply, Thread: f.comment("us-neg", 1, "Purpose", KindNote, Internal), Body: ptr("x")}
		}, CodeNotFound},
		{"reply: no body", "sg-neg", func(f *fixture) Command {
			return Command{Type: CmdReply, Thread: f.comment("us-neg", 1, "Purpose", KindNote, Shared)}
		}, CodeBadRequest},
		{"reply: signatory", "us-sign", func(f *fixture) Command {
			return Command{Type: CmdReply, Thread: f.comment("us-neg", 1, "Purpose", KindNote, Shared), Body: ptr("x")}
		}, CodeForbidden},
		{"concur: legal may not", "sg-legal", func(f *fixture) Command {
			return Command{Type: CmdConcur, Thread: f.comment("us-neg", 1, "Purpose", KindConsensus, Shared)}
		}, CodeForbidden},
		{"concur: not a consensus", "sg-neg", func(f *fixture) Command {
			return Command{Type: CmdConcur, Thread: f.comment("us-neg", 1, "Purpose", KindOpenIssue, Shared)}
		}, CodeBadRequest},
		{"concur: own party again", "us-neg", func(f *fixture) Command {
			return Command{Type: CmdConcur, Thread: f.comment("us-neg", 1, "Purpose", KindConsensus, Shared)}
		}, CodeBadRequest},
		{"concur: agreed already", "sg-neg", func(f *fixture) Command { return Command{Type: CmdConcur, Thread: f.agreed("Purpose")} }, CodeBadRequest},
		{"concur: withdrawn", "sg-neg", func(f *fixture) Command {
			id := f.comment("us-neg", 1, "Purpose", KindConsensus, Shared)
			f.must("us-neg", Command{Type: CmdWithdraw, Thread: id})
			return Command{Type: CmdConcur, Thread: id}
		}, CodeBadRequest},
		{"resolve: not the raising party", "sg-neg", func(f *fixture) Command {
			return Command{Type: CmdResolve, Thread: f.comment("us-neg", 1, "Purpose", KindOpenIssue, Shared)}
		}, CodeForbidden},
		{"resolve: legal may not", "us-legal", func(f *fixture) Command {
			return Command{Type: CmdResolve, Thread: f.comment("us-neg", 1, "Purpose", KindOpenIssue, Shared)}
		}, CodeForbidden},
		{"resolve: a consensus", "us-neg", func(f *fixture) Command {
			return Command{Type: CmdResolve, Thread: f.comment("us-neg", 1, "Purpose", KindConsensus, Shared)}
		}, CodeBadRequest},
		{"resolve: resolved already", "us-neg", func(f *fixture) Command {
			id := f.comment("us-neg", 1, "Purpose", KindOpenIssue, Shared)
			f.must("us-neg", Command{Type: CmdResolve, Thread: id})
			return Command{Type: CmdResolve, Thread: id}
		}, CodeBadRequest},
		{"reopen: not resolved", "sg-neg", func(f *fixture) Command {
			return Command{Type: CmdReopen, Thread: f.comment("us-neg", 1, "Purpose", KindOpenIssue, Shared), Body: ptr("why")}
		}, CodeBadRequest},
		{"reopen: no body", "sg-neg", func(f *fixture) Command {
			id := f.comment("us-neg", 1, "Purpose", KindOpenIssue, Shared)
			f.must("us-neg", Command{Type: CmdResolve, Thread: id})
			return Command{Type: CmdReopen, Thread: id}
		}, CodeBadRequest},
		{"withdraw: not the raising party", "sg-neg", func(f *fixture) Command {
			return Command{Type: CmdWithdraw, Thread: f.comment("us-neg", 1, "Purpose", KindNote, Shared)}
		}, CodeForbidden},
		{"withdraw: withdrawn already", "us-legal", func(f *fixture) Command {
			id := f.comment("us-neg", 1, "Purpose", KindNote, Shared)
			f.must("us-neg", Command{Type: CmdWithdraw, Thread: id})
			return Command{Type: CmdWithdraw, Thread: id}
		}, CodeBadRequest},

		// sign_off and sign
		{"sign_off: negotiator may not", "us-neg", func(f *fixture) Command {
			return Command{Type: CmdSignOff, Version: ptr(1), SHA256: f.sha(), Decision: Approve}
		}, CodeForbidden},
		{"sign_off: bad decision", "us-legal", func(f *fixture) Command {
			return Command{Type: CmdSignOff, Version: ptr(1), SHA256: f.sha(), Decision: "ok"}
		}, CodeBadRequest},
		{"sign_off: bad visibility", "us-legal", func(f *fixture) Command {
			return Command{Type: CmdSignOff, Version: ptr(1), SHA256: f.sha(), Decision: Approve, Visibility: "public"}
		}, CodeBadRequest},
		{"sign_off: no version", "us-legal", func(f *fixture) Command {
			return Command{Type: CmdSignOff, SHA256: f.sha(), Decision: Approve}
		}, CodeBadRequest},
		{"sign_off: no sha256", "us-legal", func(f *fixture) Command {
			return Command{Type: CmdSignOff, Version: ptr(1), Decision: Approve}
		}, CodeBadRequest},
		{"sign_off: unknown version", "us-legal", func(f *fixture) Command {
			return Command{Type: CmdSignOff, Version: ptr(9), SHA256: f.sha(), Decision: Approve}
		}, CodeNotFound},
		{"sign_off: older version", "us-legal", func(f *fixture) Command {
			old := f.sha()
			f.propose("us-neg", clauses+"\nArticle 3\n")
			return Command{Type: CmdSignOff, Version: ptr(1), SHA256: old, Decision: Approve}
		}, CodeStale},
		{"sign_off: wrong sha256", "us-legal", func(f *fixture) Command {
			return Command{Type: CmdSignOff, Version: ptr(1), SHA256: strings.Repeat("0", 64), Decision: Approve}
		}, CodeStale},
		{"sign: legal may not", "us-legal", func(f *fixture) Command {
			return Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()}
		}, CodeForbidden},
		{"sign: not ready", "us-sign", func(f *fixture) Command {
			return Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()}
		}, CodeNotReady},
		{"sign: wrong sha256", "us-sign", func(f *fixture) Command {
			ready(f)
			return Command{Type: CmdSign, Version: ptr(1), SHA256: strings.Repeat("0", 64)}
		}, CodeStale},
		{"sign: twice", "us-sign", func(f *fixture) Command {
			ready(f)
			f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
			return Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()}
		}, CodeBadRequest},

		// signing and withdraw_signature
		{"propose while a signature stands", "sg-neg", func(f *fixture) Command {
			ready(f)
			f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
			return Command{Type: CmdProposeVersion, Base: ptr(1), Text: ptr("new")}
		}, CodeSigning},
		{"withdraw_signature: none stands", "us-sign", func(f *fixture) Command {
			return Command{Type: CmdWithdrawSignature, Version: ptr(1), Body: ptr("why")}
		}, CodeBadRequest},
		{"withdraw_signature: the other party's", "sg-sign", func(f *fixture) Command {
			ready(f)
			f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
			return Command{Type: CmdWithdrawSignature, Version: ptr(1), Body: ptr("why")}
		}, CodeBadRequest},
		{"withdraw_signature: no body", "us-sign", func(f *fixture) Command {
			ready(f)
			f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
			return Command{Type: CmdWithdrawSignature, Version: ptr(1)}
		}, CodeBadRequest},
		{"withdraw_signature: a negotiator", "us-neg", func(f *fixture) Command {
			ready(f)
			f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
			return Command{Type: CmdWithdrawSignature, Version: ptr(1), Body: ptr("why")}
		}, CodeForbidden},
		{"withdraw_signature: no version", "us-sign", func(f *fixture) Command {
			ready(f)
			f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
			return Command{Type: CmdWithdrawSignature, Body: ptr("why")}
		}, CodeBadRequest},

		// frozen: after every party signed, everything is refused
		{"frozen: comment", "us-neg", func(f *fixture) Command { signAll(f); return f.commentCmd(1, "Purpose", KindNote, Shared) }, CodeFrozen},
		{"frozen: propose", "us-neg", func(f *fixture) Command {
			signAll(f)
			return Command{Type: CmdProposeVersion, Base: ptr(1), Text: ptr("x")}
		}, CodeFrozen},
		{"frozen: withdraw_signature", "us-sign", func(f *fixture) Command {
			signAll(f)
			return Command{Type: CmdWithdrawSignature, Version: ptr(1), Body: ptr("why")}
		}, CodeFrozen},
		{"frozen: a role that may not act still hears frozen", "us-admin", func(f *fixture) Command {
			signAll(f)
			return Command{Type: CmdSignOff, Version: ptr(1), SHA256: f.sha(), Decision: Approve}
		}, CodeFrozen},
		{"frozen, but a non-member hears not_found", "ex-neg", func(f *fixture) Command {
			signAll(f)
			return Command{Type: CmdReply, Thread: "t-x", Body: ptr("x")}
		}, CodeNotFound},
		{"not a change", "us-neg", func(*fixture) Command { return Command{Type: CmdSubscribe} }, CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1, clauses)
			cmd := tt.setup(f)
			e := f.fails(tt.code, tt.user, cmd)
			if e.Message == "" {
				t.Error("no message")
			}
		})
	}
}

// ready approves version 1 by both parties' reviewers.
func ready(f *fixture) {
	f.t.Helper()
	f.signOff("us-legal", Approve)
	f.signOff("sg-legal", Approve)
	if s := f.n.Readiness().Status; s != StatusReady {
		f.t.Fatalf("status %s, want ready_to_sign", s)
	}
}

func signAll(f *fixture) {
	f.t.Helper()
	ready(f)
	f.must("us-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
	f.must("sg-sign", Command{Type: CmdSign, Version: ptr(1), SHA256: f.sha()})
	if !f.n.Frozen() {
		f.t.Fatal("not frozen after every party signed")
	}
}
