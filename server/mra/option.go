package mra

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Bracket options (server/README "Bracket options"): an open issue holds
// alternative wordings of the text it is on, each offered by a party with
// a rationale thread; the parties accept them, may tie them into packages
// (nothing is agreed until everything is agreed), and an agreed option
// goes into the next version.

// OptionID and PackageID are assigned by the server.
type (
	OptionID  string
	PackageID string
)

// OptionStatus is where an option stands (derived).
type OptionStatus string

// Option statuses.
const (
	OptionOpen         OptionStatus = "open"         // offered, not agreed
	OptionAgreed       OptionStatus = "agreed"       // every party accepts it, and its package is complete
	OptionWithdrawn    OptionStatus = "withdrawn"    // by the party that offered it
	OptionIncorporated OptionStatus = "incorporated" // a version took it in
)

// Limits on options.
const (
	MaxOptionsPerIssue = 20
	MaxPackageOptions  = 20
)

// Option is one alternative wording of an open issue's text. Status and
// Conditional are derived when it is read.
type Option struct {
	ID         OptionID     `json:"id"`
	Thread     ThreadID     `json:"thread"` // the open issue
	Party      PartyID      `json:"party"`  // the offering party
	Author     UserID       `json:"author"`
	Text       string       `json:"text"`
	Rationale  ThreadID     `json:"rationale"` // the note thread of its rationale
	At         time.Time    `json:"at"`
	AcceptedBy []PartyID    `json:"accepted_by"`
	Package    PackageID    `json:"package"` // "" when in none
	Withdrawn  bool         `json:"withdrawn,omitempty"`
	Version    int          `json:"version,omitempty"` // the version that took it in
	Status     OptionStatus `json:"status"`
	// Conditional: it is in a package not every member of which is
	// accepted by every party.
	Conditional bool `json:"conditional"`
	Pos         Pos  `json:"-"`
}

// Package ties options of several issues: none is agreed until all are.
type Package struct {
	ID       PackageID  `json:"id"`
	Title    string     `json:"title"`
	Options  []OptionID `json:"options"`
	Party    PartyID    `json:"party"`
	Author   UserID     `json:"author"`
	At       time.Time  `json:"at"`
	Complete bool       `json:"complete"` // derived: every member accepted by every party
	Pos      Pos        `json:"-"`
}

// Event kinds of options.
const (
	EvOptionAdded               EventKind = "option_added"
	EvOptionAccepted            EventKind = "option_accepted"
	EvOptionAcceptanceWithdrawn EventKind = "option_acceptance_withdrawn"
	EvOptionWithdrawn           EventKind = "option_withdrawn"
	EvPackageLinked             EventKind = "package_linked"
)

// Payloads of the option events.
type (
	OptionAdded struct {
		Option    OptionID `json:"option"`
		Thread    ThreadID `json:"thread"`
		Text      string   `json:"text"`
		Rationale ThreadID `json:"rationale"`
	}
	// OptionAccepted is the payload of option_accepted and, with Body,
	// option_acceptance_withdrawn.
	OptionAccepted struct {
		Option OptionID `json:"option"`
		Party  PartyID  `json:"party"`
		Body   string   `json:"body,omitempty"`
	}
	// OptionEnded is the payload of option_withdrawn.
	OptionEnded struct {
		Option OptionID `json:"option"`
		Body   string   `json:"body,omitempty"`
	}
	PackageLinked struct {
		Package PackageID  `json:"package"`
		Options []OptionID `json:"options"`
		Title   string     `json:"title"`
	}
)

func optionPayload(kind EventKind) any {
	switch kind {
	case EvOptionAdded:
		return &OptionAdded{}
	case EvOptionAccepted, EvOptionAcceptanceWithdrawn:
		return &OptionAccepted{}
	case EvOptionWithdrawn:
		return &OptionEnded{}
	case EvPackageLinked:
		return &PackageLinked{}
	}
	return nil
}

// option returns the option of id, and its index.
func (n *Negotiation) option(id OptionID) (*Option, int) {
	for k, o := range n.Options {
		if o.ID == id {
			return o, k
		}
	}
	return nil, -1
}

func (n *Negotiation) pkg(id PackageID) (*Package, int) {
	for k, p := range n.Packages {
		if p.ID == id {
			return p, k
		}
	}
	return nil, -1
}

// changeOption replaces option k with a changed copy (a clone may share it).
func (n *Negotiation) changeOption(k int, change func(*Option)) {
	o := *n.Options[k]
	o.AcceptedBy = slices.Clone(o.AcceptedBy)
	change(&o)
	n.Options[k] = &o
	n.touch(RecOption, string(o.ID))
}

func (n *Negotiation) applyOption(e *Event) (bool, error) {
	switch d := e.Data.(type) {
	case *OptionAdded:
		if o, _ := n.option(d.Option); o != nil {
			return true, fmt.Errorf("apply: option %s added twice", d.Option)
		}
		n.Options = append(n.Options, &Option{ID: d.Option, Thread: d.Thread, Party: e.Actor.Party, Author: e.Actor.User,
			Text: d.Text, Rationale: d.Rationale, At: e.At, AcceptedBy: []PartyID{e.Actor.Party}, Pos: e.Pos()})
		n.touch(RecOption, string(d.Option))
	case *OptionAccepted:
		_, k := n.option(d.Option)
		if k < 0 {
			return true, fmt.Errorf("apply: no option %s", d.Option)
		}
		n.changeOption(k, func(o *Option) {
			if e.Kind == EvOptionAcceptanceWithdrawn {
				o.AcceptedBy = slices.DeleteFunc(o.AcceptedBy, func(p PartyID) bool { return p == d.Party })
			} else if !slices.Contains(o.AcceptedBy, d.Party) {
				o.AcceptedBy = append(o.AcceptedBy, d.Party)
			}
		})
	case *OptionEnded:
		o, k := n.option(d.Option)
		if k < 0 {
			return true, fmt.Errorf("apply: no option %s", d.Option)
		}
		if p, pk := n.pkg(o.Package); p != nil { // it leaves its package
			c := *p
			c.Options = slices.DeleteFunc(slices.Clone(c.Options), func(id OptionID) bool { return id == o.ID })
			n.Packages[pk] = &c
			n.touch(RecPackage, string(c.ID))
		}
		n.changeOption(k, func(o *Option) { o.Withdrawn, o.Package = true, "" })
	case *PackageLinked:
		if p, _ := n.pkg(d.Package); p != nil {
			return true, fmt.Errorf("apply: package %s linked twice", d.Package)
		}
		for _, id := range d.Options {
			_, k := n.option(id)
			if k < 0 {
				return true, fmt.Errorf("apply: no option %s", id)
			}
			n.changeOption(k, func(o *Option) { o.Package = d.Package })
		}
		n.Packages = append(n.Packages, &Package{ID: d.Package, Title: d.Title, Options: slices.Clone(d.Options),
			Party: e.Actor.Party, Author: e.Actor.User, At: e.At, Pos: e.Pos()})
		n.touch(RecPackage, string(d.Package))
	default:
		return false, nil
	}
	return true, nil
}

// incorporate marks the options a version took in.
func (n *Negotiation) incorporate(ids []OptionID, version int) error {
	for _, id := range ids {
		_, k := n.option(id)
		if k < 0 {
			return fmt.Errorf("apply: version %d takes in no option %s", version, id)
		}
		n.changeOption(k, func(o *Option) { o.Version = version })
	}
	return nil
}

// acceptedByAll reports whether every party accepts o.
func (n *Negotiation) acceptedByAll(o *Option) bool {
	for _, p := range n.Parties {
		if !slices.Contains(o.AcceptedBy, p) {
			return false
		}
	}
	return true
}

// optionIndex finds options and packages by id, and remembers which
// packages are complete, so that reading thousands of options stays
// linear.
type optionIndex struct {
	n        *Negotiation
	options  map[OptionID]*Option
	packages map[PackageID]*Package
	complete map[PackageID]bool
}

func (n *Negotiation) optionIndex() *optionIndex {
	x := &optionIndex{n: n, options: make(map[OptionID]*Option, len(n.Options)),
		packages: make(map[PackageID]*Package, len(n.Packages)), complete: map[PackageID]bool{}}
	for _, o := range n.Options {
		x.options[o.ID] = o
	}
	for _, p := range n.Packages {
		x.packages[p.ID] = p
	}
	return x
}

// isComplete reports whether every member of package id is accepted by
// every party (or taken in already).
func (x *optionIndex) isComplete(id PackageID) bool {
	if c, ok := x.complete[id]; ok {
		return c
	}
	p, c := x.packages[id], true
	if p == nil {
		c = false
	} else {
		for _, m := range p.Options {
			if o := x.options[m]; o == nil || o.Version == 0 && !x.n.acceptedByAll(o) {
				c = false
				break
			}
		}
	}
	x.complete[id] = c
	return c
}

// view is o with its status derived.
func (x *optionIndex) view(o *Option) Option {
	v := *o
	v.AcceptedBy = slices.Clone(o.AcceptedBy)
	if o.Package != "" {
		v.Conditional = !x.isComplete(o.Package)
	}
	switch {
	case o.Withdrawn:
		v.Status = OptionWithdrawn
	case o.Version > 0:
		v.Status = OptionIncorporated
	case x.n.acceptedByAll(o) && !v.Conditional:
		v.Status = OptionAgreed
	default:
		v.Status = OptionOpen
	}
	return v
}

// optionView is o with its status derived.
func (n *Negotiation) optionView(o *Option) Option { return n.optionIndex().view(o) }

func (n *Negotiation) optionViews() ([]Option, []Package) {
	x := n.optionIndex()
	os := make([]Option, len(n.Options))
	for k, o := range n.Options {
		os[k] = x.view(o)
	}
	ps := make([]Package, len(n.Packages))
	for k, p := range n.Packages {
		ps[k] = *p
		ps[k].Options = slices.Clone(p.Options)
		ps[k].Complete = x.isComplete(p.ID)
	}
	return os, ps
}

// Records: one per option and per package, holding its place.
type (
	optionRecord struct {
		Option
		Pos Pos `json:"pos"`
	}
	packageRecord struct {
		Package
		Pos Pos `json:"pos"`
	}
)

func (n *Negotiation) optionKeys() []recordKey {
	keys := make([]recordKey, 0, len(n.Options)+len(n.Packages))
	for _, o := range n.Options {
		keys = append(keys, recordKey{RecOption, string(o.ID)})
	}
	for _, p := range n.Packages {
		keys = append(keys, recordKey{RecPackage, string(p.ID)})
	}
	return keys
}

func (n *Negotiation) optionRecord(k recordKey) ([]byte, error) {
	if k.kind == RecPackage {
		p, _ := n.pkg(PackageID(k.key))
		if p == nil {
			return nil, fmt.Errorf("no package %q", k.key)
		}
		return json.Marshal(packageRecord{*p, p.Pos}) // as linked: complete is derived, stored false
	}
	o, _ := n.option(OptionID(k.key))
	if o == nil {
		return nil, fmt.Errorf("no option %q", k.key)
	}
	return json.Marshal(optionRecord{*o, o.Pos}) // as its events left it: status is derived
}

func (n *Negotiation) restoreOptions(options, packages []Record) error {
	for _, r := range options {
		var rec optionRecord
		if err := json.Unmarshal(r.Value, &rec); err != nil {
			return fmt.Errorf("option %s: %w", r.Key, err)
		}
		o := rec.Option
		o.Pos = rec.Pos
		n.Options = append(n.Options, &o)
	}
	slices.SortFunc(n.Options, func(a, b *Option) int { return a.Pos.Compare(b.Pos) })
	for _, r := range packages {
		var rec packageRecord
		if err := json.Unmarshal(r.Value, &rec); err != nil {
			return fmt.Errorf("package %s: %w", r.Key, err)
		}
		p := rec.Package
		p.Pos = rec.Pos
		n.Packages = append(n.Packages, &p)
	}
	slices.SortFunc(n.Packages, func(a, b *Package) int { return a.Pos.Compare(b.Pos) })
	return nil
}

// OptionResult is the ack's result of add_option.
type OptionResult struct {
	Option    OptionID `json:"option"`
	Thread    ThreadID `json:"thread"`
	Rationale ThreadID `json:"rationale"`
}

// PackageResult is the ack's result of link_package.
type PackageResult struct {
	Package PackageID  `json:"package"`
	Options []OptionID `json:"options"`
}

func (d *decider) option() (*Outcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	switch d.cmd.Type {
	case CmdAddOption:
		return d.addOption()
	case CmdLinkPackage:
		return d.linkPackage()
	}
	o, err := d.standingOption(d.cmd.Option)
	if err != nil {
		return nil, err
	}
	p := d.in.Actor.Party
	var e *Event
	switch d.cmd.Type {
	case CmdAcceptOption:
		if slices.Contains(o.AcceptedBy, p) {
			return nil, badRequest("party %s accepts option %s already", p, o.ID)
		}
		e = d.event(EvOptionAccepted, "", &OptionAccepted{Option: o.ID, Party: p})
	case CmdWithdrawAcceptance:
		if !slices.Contains(o.AcceptedBy, p) {
			return nil, badRequest("party %s has not accepted option %s", p, o.ID)
		}
		body, err := d.optionalText()
		if err != nil {
			return nil, err
		}
		e = d.event(EvOptionAcceptanceWithdrawn, "", &OptionAccepted{Option: o.ID, Party: p, Body: body})
	case CmdWithdrawOption:
		if o.Party != p {
			return nil, Errorf(CodeForbidden, "only party %s, which offered the option, may withdraw it", o.Party)
		}
		body, err := d.optionalText()
		if err != nil {
			return nil, err
		}
		e = d.event(EvOptionWithdrawn, "", &OptionEnded{Option: o.ID, Body: body})
	}
	id := o.ID
	return &Outcome{Events: []*Event{e}, Result: func(n *Negotiation) any {
		o, _ := n.option(id)
		return n.optionView(o)
	}}, nil
}

// optionalText returns an optional body's text ("" when left out).
func (d *decider) optionalText() (string, error) {
	m, err := d.optionalBody()
	if err != nil || m == nil {
		return "", err
	}
	return m.Body, nil
}

// openIssue returns the shared open issue, open, that a command names.
func (d *decider) openIssue() (*Thread, error) {
	t, err := d.visibleThread()
	if err != nil {
		return nil, err
	}
	if t.Visibility != Shared {
		return nil, badRequest("%s takes a shared thread; %s is internal", d.cmd.Type, t.ID)
	}
	if t.Kind != KindOpenIssue || t.Status != StatusOpen {
		return nil, badRequest("options belong to an open issue that is open; %s is a %s, %s", t.ID, t.Kind, t.Status)
	}
	return t, nil
}

// standingOption returns option id, which must be neither withdrawn nor
// taken in, on an issue still open.
func (d *decider) standingOption(id OptionID) (*Option, error) {
	if id == "" {
		return nil, badRequest("option is required")
	}
	o, _ := d.n.option(id)
	if o == nil {
		return nil, Errorf(CodeNotFound, "no option %q", id)
	}
	switch t := d.n.Threads[o.Thread]; {
	case o.Withdrawn:
		return nil, badRequest("option %s is withdrawn", o.ID)
	case o.Version > 0:
		return nil, badRequest("option %s is in version %d already", o.ID, o.Version)
	case t == nil || t.Status != StatusOpen:
		return nil, badRequest("the issue of option %s is no longer open", o.ID)
	}
	return o, nil
}

func (d *decider) addOption() (*Outcome, error) {
	c := d.cmd
	t, err := d.openIssue()
	if err != nil {
		return nil, err
	}
	if c.Text == nil {
		return nil, badRequest(`text is required ("" offers to delete the words)`)
	}
	text := NormalizeText(*c.Text)
	if utf8.RuneCountInString(text) > MaxBodyChars {
		return nil, badRequest("text is at most %d characters", MaxBodyChars)
	}
	if t.Anchor != nil && text == t.Anchor.Quote {
		return nil, badRequest("the option's words are the present words")
	}
	body, err := requireBody(c.Body)
	if err != nil {
		return nil, badRequest("body (the option's rationale) is required, at most %d characters", MaxBodyChars)
	}
	count := 0
	for _, o := range d.n.Options {
		if o.Thread == t.ID {
			count++
		}
	}
	if count >= MaxOptionsPerIssue {
		return nil, badRequest("an issue holds at most %d options", MaxOptionsPerIssue)
	}
	note := ThreadOpened{Thread: ThreadID("t-" + d.in.NewID()), Kind: KindNote, Visibility: Shared,
		Party: d.in.Actor.Party, Status: StatusOpen, Concurred: []PartyID{}, Message: d.message(body)}
	if a := t.Anchor; a != nil {
		note.Anchor = &Anchor{Version: a.Version, Start: a.Start, End: a.End, Quote: a.Quote, Flag: FlagMoved,
			Original: Origin{Version: a.Version, Quote: a.Quote}}
	}
	id := OptionID("o-" + d.in.NewID())
	events := []*Event{
		d.event(EvThreadOpened, "", &note),
		d.event(EvOptionAdded, "", &OptionAdded{Option: id, Thread: t.ID, Text: text, Rationale: note.Thread}),
	}
	result := OptionResult{Option: id, Thread: t.ID, Rationale: note.Thread}
	return &Outcome{Events: events, Result: func(*Negotiation) any { return result }}, nil
}

func (d *decider) linkPackage() (*Outcome, error) {
	c := d.cmd
	if len(c.Options) < 2 || len(c.Options) > MaxPackageOptions {
		return nil, badRequest("options: a package ties 2 to %d options", MaxPackageOptions)
	}
	title := strings.TrimSpace(c.Title)
	if utf8.RuneCountInString(title) > MaxTitleChars {
		return nil, badRequest("title is at most %d characters", MaxTitleChars)
	}
	issues := map[ThreadID]bool{}
	seen := map[OptionID]bool{}
	for _, id := range c.Options {
		o, err := d.standingOption(id)
		if err != nil {
			return nil, err
		}
		switch {
		case seen[id]:
			return nil, badRequest("option %s is listed twice", id)
		case o.Package != "":
			return nil, badRequest("option %s is in package %s already", id, o.Package)
		case issues[o.Thread]:
			return nil, badRequest("option %s: a package takes one option of each issue", id)
		}
		seen[id], issues[o.Thread] = true, true
	}
	id := PackageID("k-" + d.in.NewID())
	e := d.event(EvPackageLinked, "", &PackageLinked{Package: id, Options: slices.Clone(c.Options), Title: title})
	result := PackageResult{Package: id, Options: slices.Clone(c.Options)}
	return &Outcome{Events: []*Event{e}, Result: func(*Negotiation) any { return result }}, nil
}

// proposedOptions checks propose_version's options: each agreed, and its
// words in the new text.
func (d *decider) proposedOptions(text string) ([]OptionID, error) {
	if len(d.cmd.Options) == 0 {
		return nil, nil
	}
	seen := map[OptionID]bool{}
	x := d.n.optionIndex()
	for _, id := range d.cmd.Options {
		o := x.options[id]
		if o == nil {
			return nil, badRequest("options: no option %q", id)
		}
		if seen[id] {
			return nil, badRequest("options: %s is listed twice", id)
		}
		seen[id] = true
		if v := x.view(o); v.Status != OptionAgreed {
			return nil, badRequest("options: %s is %s, not agreed", id, v.Status)
		}
		if o.Text != "" && !strings.Contains(text, o.Text) {
			return nil, badRequest("options: the text does not hold the words of %s", id)
		}
	}
	return slices.Clone(d.cmd.Options), nil
}

// NextText is the latest text with the agreed options' words in place.
type NextText struct {
	Base    int             `json:"base"`
	Text    string          `json:"text"`
	Applied []OptionID      `json:"applied"`
	Skipped []SkippedOption `json:"skipped"`
}

// SkippedOption is an agreed option NextText could not put in, and why.
type SkippedOption struct {
	Option OptionID `json:"option"`
	Reason string   `json:"reason"`
}

// NextText puts each agreed option's words in place of its issue's range
// on the latest version (latest is its text), in the order of the ranges;
// an option whose issue has no anchor there, or whose range overlaps one
// put in before it, is skipped.
func (n *Negotiation) NextText(latest *Text) NextText { return n.Places().Fill(latest) }

// Places are where the agreed options go on the latest version: what
// NextText needs of the state, so that a reader can take it under the
// state's lock and fill the text in without it.
type Places struct {
	base    int
	puts    []place
	skipped []SkippedOption
}

type place struct {
	option     OptionID
	text       string
	start, end int
}

// Places returns where the agreed options go, in the order of the ranges.
func (n *Negotiation) Places() Places {
	var ps Places
	v := n.Latest()
	if v == nil {
		return ps
	}
	ps.base = v.Number
	x := n.optionIndex()
	for _, o := range n.Options {
		if x.view(o).Status != OptionAgreed {
			continue
		}
		t := n.Threads[o.Thread]
		if t == nil || t.Anchor == nil || t.Anchor.Version != v.Number {
			ps.skipped = append(ps.skipped, SkippedOption{o.ID, "its issue has no place in the latest version"})
			continue
		}
		ps.puts = append(ps.puts, place{o.ID, o.Text, t.Anchor.Start, t.Anchor.End})
	}
	slices.SortStableFunc(ps.puts, func(a, b place) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return a.end - b.end
	})
	return ps
}

// Fill puts the options' words into latest, the text of the latest version.
func (ps Places) Fill(latest *Text) NextText {
	out := NextText{Base: ps.base, Applied: []OptionID{}, Skipped: append([]SkippedOption{}, ps.skipped...)}
	if latest == nil {
		return out
	}
	var b strings.Builder
	b.Grow(len(latest.String()))
	at := 0 // code points of latest written so far
	var last OptionID
	for _, p := range ps.puts {
		if p.start < at {
			out.Skipped = append(out.Skipped, SkippedOption{p.option, fmt.Sprintf("its range overlaps that of %s", last)})
			continue
		}
		s, _ := latest.Slice(at, p.start)
		b.WriteString(s)
		b.WriteString(p.text)
		at, last = p.end, p.option
		out.Applied = append(out.Applied, p.option)
	}
	rest, _ := latest.Slice(at, latest.Len())
	b.WriteString(rest)
	out.Text = b.String()
	return out
}
