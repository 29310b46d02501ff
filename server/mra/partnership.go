package mra

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// A partnership is two or more parties working toward, then living with,
// one MRA: where it stands in the nine stages of the MR process, the notes
// on each stage (shared, or a party's own), and the negotiations of its
// text. Like a negotiation it has a shared stream and an internal stream
// per party, hash chained, and is the fold of their events.

// PartnershipID is assigned by the server; opaque to clients.
type PartnershipID string

// Stage is one of the nine stages of the MR process, in order.
type Stage string

// The stages.
const (
	StageEvaluation     Stage = "evaluation"
	StageWorkPlan       Stage = "work_plan"
	StageBenefits       Stage = "benefits"
	StageCriteria       Stage = "criteria"
	StageValidation     Stage = "validation"
	StageNegotiation    Stage = "negotiation"
	StageSigning        Stage = "signing"
	StageImplementation Stage = "implementation"
	StageMaintenance    Stage = "maintenance"
)

// Stages is every stage, in the order of the process.
var Stages = []Stage{StageEvaluation, StageWorkPlan, StageBenefits, StageCriteria, StageValidation,
	StageNegotiation, StageSigning, StageImplementation, StageMaintenance}

func (s Stage) valid() bool { return slices.Contains(Stages, s) }

// StageStatus is where a stage stands.
type StageStatus string

// Stage statuses.
const (
	StageNotStarted StageStatus = "not_started"
	StageInProgress StageStatus = "in_progress"
	StageDone       StageStatus = "done"
)

func (s StageStatus) valid() bool {
	return s == StageNotStarted || s == StageInProgress || s == StageDone
}

// Partnership event kinds.
const (
	EvPartnershipCreated EventKind = "partnership_created"
	EvStageMarked        EventKind = "stage_marked"
	EvStageNoted         EventKind = "stage_noted"
	EvNegotiationLinked  EventKind = "negotiation_linked"
)

// Partnership command types.
const (
	CmdCreatePartnership CommandType = "create_partnership"
	CmdMarkStage         CommandType = "mark_stage"
	CmdStageNote         CommandType = "stage_note"
	CmdLinkNegotiation   CommandType = "link_negotiation"
)

// OfPartnership reports whether a command type acts on a partnership.
func (t CommandType) OfPartnership() bool {
	switch t {
	case CmdCreatePartnership, CmdMarkStage, CmdStageNote, CmdLinkNegotiation, CmdAddItem, CmdUpdateItem, CmdAgreeItem,
		CmdSetCriteria, CmdMarkCriterion:
		return true
	}
	return false
}

// Payloads of the partnership events.
type (
	PartnershipCreated struct {
		Title   string    `json:"title"`
		Parties []PartyID `json:"parties"`
	}
	StageMarked struct {
		Stage  Stage       `json:"stage"`
		Status StageStatus `json:"status"`
	}
	// StageNoted is a note on a stage; an internal one is on the writing
	// party's internal stream.
	StageNoted struct {
		Note       string     `json:"note"`
		Stage      Stage      `json:"stage"`
		Visibility Visibility `json:"visibility"`
		Body       string     `json:"body"`
		Row        string     `json:"row,omitempty"` // a criteria comparison's row it is about
	}
	NegotiationLinked struct {
		Negotiation NegotiationID `json:"negotiation"`
	}
)

// StageState is a stage's status and who marked it when (zero: not
// started, never marked).
type StageState struct {
	Stage  Stage       `json:"stage"`
	Status StageStatus `json:"status"`
	By     UserID      `json:"by,omitempty"`
	Party  PartyID     `json:"party,omitempty"`
	At     *time.Time  `json:"at,omitempty"`
}

// StageNote is one note on a stage.
type StageNote struct {
	ID         string     `json:"id"`
	Stage      Stage      `json:"stage"`
	Visibility Visibility `json:"visibility"`
	Party      PartyID    `json:"party"`
	Author     UserID     `json:"author"`
	Body       string     `json:"body"`
	At         time.Time  `json:"at"`
	Row        string     `json:"row,omitempty"`
}

// Partnership is the fold of a partnership's streams.
type Partnership struct {
	ID        PartnershipID
	Title     string
	Parties   []PartyID
	CreatedBy UserID
	CreatedAt time.Time
	Stages    map[Stage]StageState
	Notes     []StageNote                 // in the order of the history
	Items     []Item                      // in the order they were added (item.go)
	Criteria  map[PartyID]Criteria        // each party's criteria (criteria.go)
	Marks     map[string]map[PartyID]Mark // by comparison row, each party's mark

	aligned      *alignCache // shared by every copy
	Negotiations []NegotiationID
	Heads        map[StreamKey]Head
}

// NewPartnership returns an empty partnership with id, before its creation.
func NewPartnership(id PartnershipID) *Partnership {
	return &Partnership{ID: id, Stages: map[Stage]StageState{}, Heads: map[StreamKey]Head{}, aligned: &alignCache{}}
}

// Member reports whether party p is one of the partnership's parties.
func (p *Partnership) Member(party PartyID) bool { return slices.Contains(p.Parties, party) }

// Clone returns a copy that shares nothing Apply changes.
func (p *Partnership) Clone() *Partnership {
	c := *p
	c.Parties = slices.Clone(p.Parties)
	c.Stages = make(map[Stage]StageState, len(p.Stages))
	for k, v := range p.Stages {
		c.Stages[k] = v
	}
	c.Notes = slices.Clone(p.Notes)
	c.Items = slices.Clone(p.Items) // an item's slices are replaced, never changed in place
	c.Criteria = maps.Clone(p.Criteria)
	c.Marks = maps.Clone(p.Marks) // a row's marks are replaced, never changed in place
	c.Negotiations = slices.Clone(p.Negotiations)
	c.Heads = make(map[StreamKey]Head, len(p.Heads))
	for k, v := range p.Heads {
		c.Heads[k] = v
	}
	return &c
}

// Seal numbers, chains and encodes events after p's heads.
func (p *Partnership) Seal(events []*Event) error {
	for _, e := range events {
		e.Negotiation, e.Partnership = "", p.ID
	}
	return sealOn(p.Heads, events)
}

// Apply folds one event into p (and moves its stream's head).
func (p *Partnership) Apply(e *Event) error {
	switch d := e.Data.(type) {
	case *PartnershipCreated:
		if p.Title != "" {
			return fmt.Errorf("apply: partnership %s created twice", p.ID)
		}
		p.Title, p.Parties, p.CreatedBy, p.CreatedAt = d.Title, slices.Clone(d.Parties), e.Actor.User, e.At
	case *StageMarked:
		at := e.At
		p.Stages[d.Stage] = StageState{Stage: d.Stage, Status: d.Status, By: e.Actor.User, Party: e.Actor.Party, At: &at}
	case *StageNoted:
		p.Notes = append(p.Notes, StageNote{ID: d.Note, Stage: d.Stage, Visibility: d.Visibility, Party: e.Actor.Party,
			Author: e.Actor.User, Body: d.Body, At: e.At, Row: d.Row})
	case *NegotiationLinked:
		if slices.Contains(p.Negotiations, d.Negotiation) {
			return fmt.Errorf("apply: negotiation %s linked twice", d.Negotiation)
		}
		p.Negotiations = append(p.Negotiations, d.Negotiation)
	case *ItemAdded, *ItemUpdated, *ItemAgreed:
		if err := p.applyItem(e); err != nil {
			return err
		}
	case *CriteriaSet, *CriterionMarked:
		if err := p.applyCriteria(e); err != nil {
			return err
		}
	default:
		return fmt.Errorf("apply: %s is not a partnership event", e.Kind)
	}
	p.Heads[e.Key()] = Head{Seq: e.Seq, Hash: e.Hash}
	return nil
}

// FoldPartnership rebuilds a partnership from the events of its streams,
// in the order of its history.
func FoldPartnership(id PartnershipID, events []*Event) (*Partnership, error) {
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b *Event) int { return a.Pos().Compare(b.Pos()) })
	p := NewPartnership(id)
	for _, e := range events {
		if err := p.Apply(e); err != nil {
			return nil, fmt.Errorf("fold %s: %s %d: %w", id, e.Key(), e.Seq, err)
		}
	}
	return p, nil
}

// PartnershipInput is what DecidePartnership needs besides the state.
type PartnershipInput struct {
	Actor   User
	Now     time.Time
	NewID   func() string
	Parties map[PartyID]Party // every known party (create_partnership)
	// Linked, for link_negotiation, is that negotiation as committed; nil
	// when it does not exist or the actor's party is not in it.
	Linked *Negotiation
}

// PartnershipOutcome is what a partnership command does.
type PartnershipOutcome struct {
	Events []*Event
	Result func(*Partnership) any
}

// DecidePartnership runs the rules of a partnership command on p (nil for
// create_partnership), which it does not change.
//
//   - create_partnership (negotiator): title, and at least two known
//     parties, the actor's own among them.
//   - any other: the actor's party must be a partner (not_found otherwise);
//     mark_stage (negotiator) sets a stage's status; stage_note (negotiator
//     or legal) adds a shared or internal note to a stage;
//     link_negotiation (negotiator) links a negotiation of the same
//     parties, once; add_item, update_item and agree_item (negotiator)
//     keep the stages' items (item.go).
func DecidePartnership(p *Partnership, cmd *Command, in PartnershipInput) (*PartnershipOutcome, error) {
	d := &partnershipDecider{p: p, cmd: cmd, in: in, at: in.Now.UTC().Truncate(time.Millisecond)}
	if cmd.Type == CmdCreatePartnership {
		return d.create()
	}
	if p == nil || !p.Member(in.Actor.Party) {
		return nil, Errorf(CodeNotFound, "no partnership %q", cmd.Partnership)
	}
	switch cmd.Type {
	case CmdMarkStage:
		return d.mark()
	case CmdStageNote:
		return d.note()
	case CmdLinkNegotiation:
		return d.link()
	case CmdAddItem:
		return d.addItem()
	case CmdUpdateItem:
		return d.updateItem()
	case CmdAgreeItem:
		return d.agreeItem()
	case CmdSetCriteria:
		return d.setCriteria()
	case CmdMarkCriterion:
		return d.markCriterion()
	}
	return nil, badRequest("%s is not a partnership command", cmd.Type)
}

type partnershipDecider struct {
	p   *Partnership
	cmd *Command
	in  PartnershipInput
	at  time.Time
}

func (d *partnershipDecider) need(roles ...Role) error {
	if slices.ContainsFunc(roles, d.in.Actor.Has) {
		return nil
	}
	return Errorf(CodeForbidden, "%s needs the role %s", d.cmd.Type, joinRoles(roles))
}

func joinRoles(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}

func (d *partnershipDecider) event(kind EventKind, owner PartyID, data any) *Event {
	e := &Event{Stream: Shared, At: d.at, Actor: Actor{User: d.in.Actor.ID, Party: d.in.Actor.Party}, Kind: kind, Data: data}
	if d.p != nil {
		e.Partnership = d.p.ID
	}
	if owner != "" {
		e.Stream, e.Owner = Internal, owner
	}
	return e
}

func (d *partnershipDecider) create() (*PartnershipOutcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	title := strings.TrimSpace(d.cmd.Title)
	if title == "" || utf8.RuneCountInString(title) > MaxTitleChars {
		return nil, badRequest("title is required, at most %d characters", MaxTitleChars)
	}
	if len(d.cmd.Parties) < 2 {
		return nil, badRequest("parties needs at least 2 party ids, your own included")
	}
	seen := map[PartyID]bool{}
	for _, party := range d.cmd.Parties {
		if _, ok := d.in.Parties[party]; !ok {
			return nil, badRequest("unknown party %q", party)
		}
		if seen[party] {
			return nil, badRequest("party %q is listed twice", party)
		}
		seen[party] = true
	}
	if !seen[d.in.Actor.Party] {
		return nil, badRequest("parties must include your own party %q", d.in.Actor.Party)
	}
	e := d.event(EvPartnershipCreated, "", &PartnershipCreated{Title: title, Parties: slices.Clone(d.cmd.Parties)})
	e.Partnership = PartnershipID("p-" + d.in.NewID())
	return &PartnershipOutcome{Events: []*Event{e}, Result: func(p *Partnership) any {
		return map[string]any{"partnership": p.ID, "title": p.Title, "parties": p.Parties}
	}}, nil
}

func (d *partnershipDecider) stage() (Stage, error) {
	if !d.cmd.Stage.valid() {
		return "", badRequest("stage must be one of %s", stageNames())
	}
	return d.cmd.Stage, nil
}

func stageNames() string {
	s := make([]string, len(Stages))
	for i, st := range Stages {
		s[i] = string(st)
	}
	return strings.Join(s, ", ")
}

func (d *partnershipDecider) mark() (*PartnershipOutcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	stage, err := d.stage()
	if err != nil {
		return nil, err
	}
	if !d.cmd.StageStatus.valid() {
		return nil, badRequest("status must be not_started, in_progress or done")
	}
	out := &PartnershipOutcome{Result: func(p *Partnership) any { return map[string]any{"stage": p.Stage(stage)} }}
	if d.p.Stage(stage).Status != d.cmd.StageStatus {
		out.Events = []*Event{d.event(EvStageMarked, "", &StageMarked{Stage: stage, Status: d.cmd.StageStatus})}
	}
	return out, nil
}

func (d *partnershipDecider) note() (*PartnershipOutcome, error) {
	if err := d.need(Negotiator, Legal); err != nil {
		return nil, err
	}
	stage, err := d.stage()
	if err != nil {
		return nil, err
	}
	if !d.cmd.Visibility.valid() {
		return nil, badRequest("visibility must be shared or internal")
	}
	body := ""
	if d.cmd.Body != nil {
		body = strings.TrimSpace(*d.cmd.Body)
	}
	if body == "" || utf8.RuneCountInString(body) > MaxBodyChars {
		return nil, badRequest("body is required, at most %d characters", MaxBodyChars)
	}
	if d.cmd.Row != "" && (stage != StageCriteria || !d.rowOfMine(d.cmd.Row)) {
		return nil, Errorf(CodeNotFound, "no row %q in a comparison of your criteria", d.cmd.Row)
	}
	owner := PartyID("")
	if d.cmd.Visibility == Internal {
		owner = d.in.Actor.Party
	}
	id := "sn-" + d.in.NewID()
	e := d.event(EvStageNoted, owner, &StageNoted{Note: id, Stage: stage, Visibility: d.cmd.Visibility, Body: body, Row: d.cmd.Row})
	return &PartnershipOutcome{Events: []*Event{e}, Result: func(*Partnership) any { return map[string]any{"note": id} }}, nil
}

func (d *partnershipDecider) link() (*PartnershipOutcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	n := d.in.Linked
	if n == nil {
		return nil, Errorf(CodeNotFound, "no negotiation %q", d.cmd.Negotiation)
	}
	if len(n.Parties) != len(d.p.Parties) || slices.ContainsFunc(n.Parties, func(party PartyID) bool { return !d.p.Member(party) }) {
		return nil, badRequest("a partnership's negotiations have its parties (%s)", strings.Join(partyStrings(d.p.Parties), ", "))
	}
	out := &PartnershipOutcome{Result: func(p *Partnership) any { return map[string]any{"negotiations": p.Negotiations} }}
	if !slices.Contains(d.p.Negotiations, n.ID) {
		out.Events = []*Event{d.event(EvNegotiationLinked, "", &NegotiationLinked{Negotiation: n.ID})}
	}
	return out, nil
}

// Stage returns a stage's state: not started when never marked.
func (p *Partnership) Stage(s Stage) StageState {
	if st, ok := p.Stages[s]; ok {
		return st
	}
	return StageState{Stage: s, Status: StageNotStarted}
}

// PartnershipView is a partnership as party p sees it: every stage in
// order with its notes (shared ones, and p's own internal ones).
type PartnershipView struct {
	ID           PartnershipID   `json:"id"`
	Title        string          `json:"title"`
	Parties      []PartyID       `json:"parties"`
	CreatedBy    UserID          `json:"created_by"`
	CreatedAt    time.Time       `json:"created_at"`
	Current      Stage           `json:"current"` // the first stage not done
	Stages       []StageView     `json:"stages"`
	Negotiations []NegotiationID `json:"negotiations"`
}

// StageView is one stage in a PartnershipView: its notes, its items, and
// for the validation stage the coverage of the sectors.
type StageView struct {
	StageState
	Notes    []StageNote `json:"notes"`
	Items    []Item      `json:"items"`
	Coverage *Coverage   `json:"coverage,omitempty"`
	// Criteria and Comparisons, on the criteria stage: who set each
	// party's criteria when, and the side-by-side comparisons.
	Criteria    map[PartyID]CriteriaView `json:"criteria,omitempty"`
	Comparisons []Comparison             `json:"comparisons,omitempty"`
}

// View returns what a user of party p may see of the partnership.
func (p *Partnership) View(party PartyID) PartnershipView {
	v := PartnershipView{ID: p.ID, Title: p.Title, Parties: p.Parties, CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt,
		Negotiations: append([]NegotiationID{}, p.Negotiations...), Current: StageMaintenance}
	current := false
	for _, s := range Stages {
		sv := StageView{StageState: p.Stage(s), Notes: []StageNote{}, Items: []Item{}}
		for _, it := range p.Items {
			if it.Stage == s {
				sv.Items = append(sv.Items, it)
			}
		}
		if s == StageValidation {
			sv.Coverage = p.coverage()
		}
		if s == StageCriteria {
			sv.Criteria, sv.Comparisons = p.criteriaView(party), p.Comparisons()
		}
		if !current && sv.Status != StageDone {
			v.Current, current = s, true
		}
		for _, n := range p.Notes {
			if n.Stage == s && (n.Visibility == Shared || n.Party == party) {
				sv.Notes = append(sv.Notes, n)
			}
		}
		v.Stages = append(v.Stages, sv)
	}
	return v
}
