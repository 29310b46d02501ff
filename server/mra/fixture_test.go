package mra

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// fixture runs commands through the rules as the engine does (Decide, Seal,
// Apply), on one negotiation, without a store.
type fixture struct {
	t     testing.TB
	n     *Negotiation
	texts map[int]*Text // by version
	now   time.Time
	ids   int

	events      []*Event // the last command's
	eventsSoFar []*Event // every command's
}

var (
	fixtureParties = map[PartyID]Party{"US": {ID: "US"}, "SG": {ID: "SG"}, "EX": {ID: "EX"}}
	fixtureUsers   = map[UserID]User{
		"us-neg":    {ID: "us-neg", Party: "US", Roles: []Role{Negotiator}},
		"us-legal":  {ID: "us-legal", Party: "US", Roles: []Role{Legal}},
		"us-legal2": {ID: "us-legal2", Party: "US", Roles: []Role{Legal}},
		"us-sign":   {ID: "us-sign", Party: "US", Roles: []Role{Signatory}},
		"us-admin":  {ID: "us-admin", Party: "US", Roles: []Role{Admin}},
		"sg-neg":    {ID: "sg-neg", Party: "SG", Roles: []Role{Negotiator}},
		"sg-legal":  {ID: "sg-legal", Party: "SG", Roles: []Role{Legal}},
		"sg-sign":   {ID: "sg-sign", Party: "SG", Roles: []Role{Signatory}},
		"ex-neg":    {ID: "ex-neg", Party: "EX", Roles: []Role{Negotiator, Legal}},
	}
)

// newFixture creates a US–SG negotiation (required approvals as given) and,
// if text is not empty, proposes it as version 1.
func newFixture(t testing.TB, required int, text string) *fixture {
	t.Helper()
	f := &fixture{t: t, texts: map[int]*Text{}, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	f.must("us-neg", Command{Type: CmdCreateNegotiation, Title: "MRA", Parties: []PartyID{"US", "SG"}, RequiredApprovals: &required})
	if text != "" {
		f.propose("us-neg", text)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// do runs one command as user: the ack's result, or the contract error.
func (f *fixture) do(user UserID, cmd Command) (any, *Error) {
	f.t.Helper()
	f.now = f.now.Add(time.Second)
	f.ids++
	cmd.ID = fmt.Sprintf("c%d", f.ids)
	if f.n != nil && cmd.Type != CmdCreateNegotiation {
		cmd.Negotiation = f.n.ID
	}
	in := Input{Actor: fixtureUsers[user], Now: f.now, Parties: fixtureParties, Texts: map[int]*Text{},
		NewID: func() string { f.ids++; return fmt.Sprintf("%04d", f.ids) }}
	for _, v := range TextsNeeded(f.n, &cmd) {
		in.Texts[v] = f.texts[v]
	}
	out, err := Decide(f.n, &cmd, in)
	if err != nil {
		e, ok := err.(*Error)
		if !ok {
			f.t.Fatalf("%s as %s: not a contract error: %v", cmd.Type, user, err)
		}
		return nil, e
	}
	if f.n == nil {
		f.n = NewNegotiation(out.Events[0].Negotiation)
	}
	if err := f.n.Seal(out.Events); err != nil {
		f.t.Fatal(err)
	}
	for _, e := range out.Events {
		if err := f.n.Apply(e); err != nil {
			f.t.Fatal(err)
		}
	}
	if out.Latest != nil {
		f.texts[f.n.Latest().Number] = out.Latest
	}
	f.events = out.Events
	f.eventsSoFar = append(f.eventsSoFar, out.Events...)
	return out.Result(f.n), nil
}

func (f *fixture) must(user UserID, cmd Command) any {
	f.t.Helper()
	r, err := f.do(user, cmd)
	if err != nil {
		f.t.Fatalf("%s as %s: %v", cmd.Type, user, err)
	}
	return r
}

func (f *fixture) fails(code Code, user UserID, cmd Command) *Error {
	f.t.Helper()
	before, _ := json.Marshal(f.n.Snapshot("US", nil))
	_, err := f.do(user, cmd)
	if err == nil || err.Code != code {
		f.t.Fatalf("%s as %s: got %v, want %s", cmd.Type, user, err, code)
	}
	if after, _ := json.Marshal(f.n.Snapshot("US", nil)); string(after) != string(before) {
		f.t.Fatalf("%s as %s failed but changed the state", cmd.Type, user)
	}
	return err
}

func (f *fixture) latest() int {
	if v := f.n.Latest(); v != nil {
		return v.Number
	}
	return 0
}

func (f *fixture) propose(user UserID, text string) int {
	f.t.Helper()
	r := f.must(user, Command{Type: CmdProposeVersion, Base: ptr(f.latest()), Text: &text}).(ProposedResult)
	return r.Version
}

// comment comments on the first occurrence of quote in version v.
func (f *fixture) comment(user UserID, v int, quote string, kind ThreadKind, vis Visibility) ThreadID {
	f.t.Helper()
	r := f.must(user, f.commentCmd(v, quote, kind, vis)).(CommentResult)
	return r.Thread
}

func (f *fixture) commentCmd(v int, quote string, kind ThreadKind, vis Visibility) Command {
	f.t.Helper()
	s, e, ok := f.find(v, quote)
	if !ok {
		f.t.Fatalf("%q not in version %d", quote, v)
	}
	return Command{Type: CmdComment, Version: &v, Kind: kind, Visibility: vis, Body: ptr("about " + quote),
		Start: &s, End: &e, Quote: &quote}
}

// find returns the code-point range of quote's first occurrence in version v.
func (f *fixture) find(v int, quote string) (int, int, bool) {
	rs, qs := []rune(f.texts[v].String()), []rune(quote)
	for i := 0; i+len(qs) <= len(rs); i++ {
		if string(rs[i:i+len(qs)]) == quote {
			return i, i + len(qs), true
		}
	}
	return 0, 0, false
}

func (f *fixture) thread(id ThreadID) *Thread {
	f.t.Helper()
	t := f.n.Threads[id]
	if t == nil {
		f.t.Fatalf("no thread %s", id)
	}
	return t
}

func (f *fixture) status(id ThreadID) ThreadStatus { return f.thread(id).Status }

func (f *fixture) concur(user UserID, id ThreadID) {
	f.t.Helper()
	f.must(user, Command{Type: CmdConcur, Thread: id})
}

// agreed raises a consensus on quote of the latest version, agreed by both.
func (f *fixture) agreed(quote string) ThreadID {
	f.t.Helper()
	id := f.comment("us-neg", f.latest(), quote, KindConsensus, Shared)
	f.concur("sg-neg", id)
	if s := f.status(id); s != StatusAgreed {
		f.t.Fatalf("consensus %s, want agreed", s)
	}
	return id
}

func (f *fixture) sha() string { return f.n.Latest().SHA256 }

func (f *fixture) signOff(user UserID, d Decision) {
	f.t.Helper()
	f.must(user, Command{Type: CmdSignOff, Version: ptr(f.latest()), SHA256: f.sha(), Decision: d})
}

// restored returns n rebuilt from all its records, as the store restores
// it at start-up.
func restored(t testing.TB, n *Negotiation) *Negotiation {
	t.Helper()
	recs, err := n.AllRecords()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Restore(Stored{ID: n.ID, Records: recs, Heads: n.Heads})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
