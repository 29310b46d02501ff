package mra

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// optionFixture: a US–SG negotiation on clauses with two shared open
// issues raised by SG, an internal US issue and a note.
type optionFixture struct {
	*fixture
	issue, issue2, internal, note ThreadID
}

func newOptionFixture(t *testing.T) *optionFixture {
	f := &optionFixture{fixture: newFixture(t, 1, clauses)}
	f.issue = f.comment("sg-neg", 1, "within 30 days", KindOpenIssue, Shared)
	f.issue2 = f.comment("sg-neg", 1, "a contact point", KindOpenIssue, Shared)
	f.internal = f.comment("us-neg", 1, "importers", KindOpenIssue, Internal)
	f.note = f.comment("us-neg", 1, "Purpose", KindNote, Shared)
	return f
}

func (f *optionFixture) add(user UserID, issue ThreadID, text string) OptionID {
	f.t.Helper()
	return f.must(user, Command{Type: CmdAddOption, Thread: issue, Text: &text, Body: ptr("because " + text)}).(OptionResult).Option
}

func (f *optionFixture) view(id OptionID) Option {
	f.t.Helper()
	os, _ := f.n.optionViews()
	for _, o := range os {
		if o.ID == id {
			return o
		}
	}
	f.t.Fatalf("no option %s", id)
	return Option{}
}

// TestAddOption: an option is offered on a shared open issue that is open,
// with its words and a rationale, which opens a shared note on the issue's
// place; every other case is refused with its code.
func TestAddOption(t *testing.T) {
	f := newOptionFixture(t)
	r := f.must("us-neg", Command{Type: CmdAddOption, Thread: f.issue, Text: ptr("within 60 days"), Body: ptr("our systems need the time")}).(OptionResult)
	o, note := f.view(r.Option), f.thread(r.Rationale)
	issue := f.thread(f.issue)
	if o.Thread != f.issue || o.Party != "US" || o.Author != "us-neg" || o.Text != "within 60 days" || o.Rationale != note.ID ||
		!slices.Equal(o.AcceptedBy, []PartyID{"US"}) || o.Status != OptionOpen || o.Conditional || o.Package != "" {
		t.Fatalf("option %+v", o)
	}
	if note.Kind != KindNote || note.Visibility != Shared || note.Party != "US" || note.Messages[0].Body != "our systems need the time" ||
		note.Anchor == nil || note.Anchor.Start != issue.Anchor.Start || note.Anchor.End != issue.Anchor.End || note.Anchor.Quote != "within 30 days" {
		t.Fatalf("rationale thread %+v anchored %+v", note, note.Anchor)
	}
	if len(f.events) != 2 || f.events[0].Kind != EvThreadOpened || f.events[1].Kind != EvOptionAdded || f.events[1].Stream != Shared {
		t.Fatalf("events %v", f.events)
	}
	if d := f.add("sg-neg", f.issue, ""); f.view(d).Text != "" { // an option to delete the words
		t.Fatal("an empty option lost")
	}
	cmd := func(thread ThreadID, text *string, body *string) Command {
		return Command{Type: CmdAddOption, Thread: thread, Text: text, Body: body}
	}
	words, why := ptr("within 45 days"), ptr("a middle way")
	for _, c := range []struct {
		name string
		code Code
		user UserID
		cmd  Command
	}{
		{"legal may not offer", CodeForbidden, "us-legal", cmd(f.issue, words, why)},
		{"no thread", CodeBadRequest, "us-neg", cmd("", words, why)},
		{"a thread that does not exist", CodeNotFound, "us-neg", cmd("t-none", words, why)},
		{"another party's internal issue is not there", CodeNotFound, "sg-neg", cmd(f.internal, words, why)},
		{"one's own internal issue is not shared", CodeBadRequest, "us-neg", cmd(f.internal, words, why)},
		{"a note takes no options", CodeBadRequest, "us-neg", cmd(f.note, words, why)},
		{"text is required", CodeBadRequest, "us-neg", cmd(f.issue, nil, why)},
		{"the present words are no option", CodeBadRequest, "us-neg", cmd(f.issue, ptr("within 30 days"), why)},
		{"a rationale is required", CodeBadRequest, "us-neg", cmd(f.issue, words, nil)},
		{"a blank rationale is none", CodeBadRequest, "us-neg", cmd(f.issue, words, ptr("  "))},
		{"text too long", CodeBadRequest, "us-neg", cmd(f.issue, ptr(strings.Repeat("x", MaxBodyChars+1)), why)},
	} {
		t.Run(c.name, func(t *testing.T) { f.fails(c.code, c.user, c.cmd) })
	}
	for k := 2; k < MaxOptionsPerIssue; k++ {
		f.add("us-neg", f.issue, strings.Repeat("x", k))
	}
	f.fails(CodeBadRequest, "us-neg", cmd(f.issue, words, why)) // the 21st
	f.must("sg-neg", Command{Type: CmdResolve, Thread: f.issue2})
	f.fails(CodeBadRequest, "us-neg", cmd(f.issue2, words, why)) // resolved: no longer open
}

// TestAcceptOption: acceptance by party, its withdrawal, and the option's
// withdrawal, step by step; the status follows; each refusal changes
// nothing; a restore and a fold agree with the state.
func TestAcceptOption(t *testing.T) {
	f := newOptionFixture(t)
	o := f.add("us-neg", f.issue, "within 60 days")
	do := func(user UserID, typ CommandType, body *string) Command {
		return Command{Type: typ, Option: o, Body: body}
	}
	steps := []struct {
		name     string
		user     UserID
		cmd      Command
		code     Code // "" succeeds
		accepted []PartyID
		status   OptionStatus
	}{
		{"US accepts again", "us-neg", do("us-neg", CmdAcceptOption, nil), CodeBadRequest, []PartyID{"US"}, OptionOpen},
		{"legal may not accept", "sg-legal", do("sg-legal", CmdAcceptOption, nil), CodeForbidden, []PartyID{"US"}, OptionOpen},
		{"no such option", "sg-neg", Command{Type: CmdAcceptOption, Option: "o-none"}, CodeNotFound, []PartyID{"US"}, OptionOpen},
		{"no option named", "sg-neg", Command{Type: CmdAcceptOption}, CodeBadRequest, []PartyID{"US"}, OptionOpen},
		{"SG withdraws an acceptance it never gave", "sg-neg", do("sg-neg", CmdWithdrawAcceptance, nil), CodeBadRequest, []PartyID{"US"}, OptionOpen},
		{"SG accepts: agreed", "sg-neg", do("sg-neg", CmdAcceptOption, nil), "", []PartyID{"US", "SG"}, OptionAgreed},
		{"SG withdraws its acceptance: open", "sg-neg", do("sg-neg", CmdWithdrawAcceptance, ptr("our capital objects")), "", []PartyID{"US"}, OptionOpen},
		{"SG may not withdraw US's option", "sg-neg", do("sg-neg", CmdWithdrawOption, nil), CodeForbidden, []PartyID{"US"}, OptionOpen},
		{"US withdraws it", "us-neg", do("us-neg", CmdWithdrawOption, ptr("superseded")), "", []PartyID{"US"}, OptionWithdrawn},
		{"a withdrawn option takes no acceptance", "sg-neg", do("sg-neg", CmdAcceptOption, nil), CodeBadRequest, []PartyID{"US"}, OptionWithdrawn},
	}
	for _, s := range steps {
		if s.code != "" {
			f.fails(s.code, s.user, s.cmd)
		} else {
			r := f.must(s.user, s.cmd).(Option)
			if r.ID != o || r.Status != s.status {
				t.Fatalf("%s: answer %+v", s.name, r)
			}
		}
		v := f.view(o)
		if !slices.Equal(v.AcceptedBy, s.accepted) || v.Status != s.status {
			t.Fatalf("%s: accepted by %v, %s; want %v, %s", s.name, v.AcceptedBy, v.Status, s.accepted, s.status)
		}
		checkOptionsRestored(t, f.fixture, s.name)
	}
}

// checkOptionsRestored: the options and packages of a restore from the
// records and of a fold of the events are the state's.
func checkOptionsRestored(t *testing.T, f *fixture, when string) {
	t.Helper()
	wantO, wantP := f.n.optionViews()
	folded, err := Fold(f.n.ID, f.eventsSoFar)
	if err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]*Negotiation{"restored": restored(t, f.n), "folded": folded} {
		gotO, gotP := n.optionViews()
		if !slices.EqualFunc(gotO, wantO, sameOption) || !slices.EqualFunc(gotP, wantP, func(a, b Package) bool {
			return a.ID == b.ID && a.Title == b.Title && a.Complete == b.Complete && slices.Equal(a.Options, b.Options)
		}) {
			t.Fatalf("%s: %s options %+v packages %+v, want %+v %+v", when, name, gotO, gotP, wantO, wantP)
		}
	}
}

func sameOption(a, b Option) bool {
	return a.ID == b.ID && a.Thread == b.Thread && a.Text == b.Text && a.Status == b.Status && a.Conditional == b.Conditional &&
		a.Package == b.Package && a.Version == b.Version && slices.Equal(a.AcceptedBy, b.AcceptedBy) && a.At.Equal(b.At)
}

// TestPackage: options tied into a package are conditional until every
// party accepts every member; then all are agreed; withdrawing one takes it
// out; the package rules refuse what they must.
func TestPackage(t *testing.T) {
	f := newOptionFixture(t)
	a := f.add("us-neg", f.issue, "within 60 days")
	b := f.add("us-neg", f.issue2, "two contact points")
	c := f.add("sg-neg", f.issue, "within 45 days")
	link := func(title string, ids ...OptionID) Command {
		return Command{Type: CmdLinkPackage, Title: title, Options: ids}
	}
	for _, x := range []struct {
		name string
		code Code
		cmd  Command
	}{
		{"one option is no package", CodeBadRequest, link("", a)},
		{"the same option twice", CodeBadRequest, link("", a, a)},
		{"two options of one issue", CodeBadRequest, link("", a, c)},
		{"an option that does not exist", CodeNotFound, link("", a, "o-none")},
		{"a title too long", CodeBadRequest, link(strings.Repeat("t", MaxTitleChars+1), a, b)},
	} {
		t.Run(x.name, func(t *testing.T) { f.fails(x.code, "us-neg", x.cmd) })
	}
	p := f.must("us-neg", link("Days and contacts", a, b)).(PackageResult).Package
	f.fails(CodeBadRequest, "sg-neg", link("", b, c)) // b is in a package already
	state := func(when string, wantA, wantB OptionStatus, cond bool, complete bool) {
		t.Helper()
		va, vb := f.view(a), f.view(b)
		_, ps := f.n.optionViews()
		if va.Status != wantA || vb.Status != wantB || va.Conditional != cond || vb.Conditional != cond || va.Package != p ||
			len(ps) != 1 || ps[0].Complete != complete || ps[0].Title != "Days and contacts" {
			t.Fatalf("%s: a %s (conditional %v), b %s, package %+v", when, va.Status, va.Conditional, vb.Status, ps)
		}
		checkOptionsRestored(t, f.fixture, when)
	}
	state("linked", OptionOpen, OptionOpen, true, false)
	f.must("sg-neg", Command{Type: CmdAcceptOption, Option: a})
	state("SG accepts one: still conditional, not agreed", OptionOpen, OptionOpen, true, false)
	f.must("sg-neg", Command{Type: CmdAcceptOption, Option: b})
	state("SG accepts both: agreed together", OptionAgreed, OptionAgreed, false, true)
	f.must("sg-neg", Command{Type: CmdWithdrawAcceptance, Option: b})
	state("SG takes one back: both conditional again", OptionOpen, OptionOpen, true, false)
	f.must("us-neg", Command{Type: CmdWithdrawOption, Option: b})
	if v := f.view(b); v.Status != OptionWithdrawn || v.Package != "" {
		t.Fatalf("withdrawn member %+v", v)
	}
	if v := f.view(a); v.Status != OptionAgreed || v.Conditional {
		t.Fatalf("the package's one member left, accepted by both: %+v", v)
	}
	checkOptionsRestored(t, f.fixture, "a member withdrawn")
}

// TestNextTextAndIncorporate: the agreed options' words go in place of
// their issues' ranges; an overlapping one is skipped; propose_version
// takes in only agreed options whose words it holds, and they become
// incorporated; the carry moves on.
func TestNextTextAndIncorporate(t *testing.T) {
	f := newOptionFixture(t)
	a := f.add("us-neg", f.issue, "within 60 days")
	b := f.add("us-neg", f.issue2, "")
	open := f.add("us-neg", f.issue2, "contact points")
	for _, id := range []OptionID{a, b} {
		f.must("sg-neg", Command{Type: CmdAcceptOption, Option: id})
	}
	next := f.n.NextText(f.texts[1])
	want := strings.Replace(strings.Replace(clauses, "within 30 days", "within 60 days", 1), "a contact point", "", 1)
	if next.Base != 1 || next.Text != want || !slices.Equal(next.Applied, []OptionID{a, b}) || len(next.Skipped) != 0 {
		t.Fatalf("next text %+v", next)
	}
	// A second agreed option on the same range is skipped, named.
	c := f.add("sg-neg", f.issue, "within 90 days")
	f.must("us-neg", Command{Type: CmdAcceptOption, Option: c})
	next = f.n.NextText(f.texts[1])
	if !slices.Equal(next.Applied, []OptionID{a, b}) || len(next.Skipped) != 1 || next.Skipped[0].Option != c || !strings.Contains(next.Skipped[0].Reason, string(a)) {
		t.Fatalf("with an overlapping option: %+v", next)
	}
	propose := func(text string, ids ...OptionID) Command {
		return Command{Type: CmdProposeVersion, Base: ptr(1), Text: &text, Options: ids}
	}
	f.fails(CodeBadRequest, "us-neg", propose(next.Text, open))     // not agreed
	f.fails(CodeBadRequest, "us-neg", propose(clauses, a))          // its words are not in the text
	f.fails(CodeBadRequest, "us-neg", propose(next.Text, "o-none")) // no such option
	f.fails(CodeBadRequest, "us-neg", propose(next.Text, a, a))     // twice
	f.must("us-neg", propose(next.Text, a, b))
	if v := f.n.Latest(); v.Number != 2 || !slices.Equal(v.Options, []OptionID{a, b}) {
		t.Fatalf("version 2 %+v", v)
	}
	for _, id := range []OptionID{a, b} {
		if v := f.view(id); v.Status != OptionIncorporated || v.Version != 2 {
			t.Fatalf("option %s after version 2: %+v", id, v)
		}
	}
	if v := f.view(c); v.Status != OptionAgreed {
		t.Fatalf("the option not taken in: %+v", v)
	}
	f.fails(CodeBadRequest, "sg-neg", Command{Type: CmdWithdrawAcceptance, Option: a}) // in a version already
	checkOptionsRestored(t, f.fixture, "incorporated")
}

// BenchmarkOptionViews: reading 2,000 options on 1,000 issues, 500 of them
// in packages of two (what every snapshot does).
func BenchmarkOptionViews(b *testing.B) {
	n := NewNegotiation("n-1")
	n.Parties = []PartyID{"US", "SG"}
	for k := 0; k < 2000; k++ {
		o := &Option{ID: OptionID(fmt.Sprintf("o-%d", k)), Thread: ThreadID(fmt.Sprintf("t-%d", k/2)), Party: "US", AcceptedBy: []PartyID{"US", "SG"}}
		if k < 1000 && k%2 == 0 {
			p := PackageID(fmt.Sprintf("k-%d", k))
			o.Package = p
			n.Packages = append(n.Packages, &Package{ID: p, Options: []OptionID{o.ID, OptionID(fmt.Sprintf("o-%d", k+3))}})
		}
		n.Options = append(n.Options, o)
	}
	for b.Loop() {
		os, ps := n.optionViews()
		if len(os) != 2000 || len(ps) != 500 {
			b.Fatal(len(os), len(ps))
		}
	}
}
