package mra

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// What belongs to a partnership's stages: items, each of a kind that
// belongs to one stage. They are shared: both sides work on them (a
// party's own assessment is an internal note).
//
//	evaluation      prerequisite (per partner program, one of the four), factor
//	work_plan       step (owner party, due date, done)
//	benefits        benefit (agreed by each party)
//	validation      observation (date, place, sector, observer, findings, outcome)
//	implementation  procedure (the information-sharing procedures, done)

// ItemKind is what an item is.
type ItemKind string

// Item kinds.
const (
	ItemPrerequisite ItemKind = "prerequisite"
	ItemFactor       ItemKind = "factor"
	ItemStep         ItemKind = "step"
	ItemBenefit      ItemKind = "benefit"
	ItemObservation  ItemKind = "observation"
	ItemProcedure    ItemKind = "procedure"
)

// itemStage is the stage each kind belongs to.
var itemStage = map[ItemKind]Stage{
	ItemPrerequisite: StageEvaluation, ItemFactor: StageEvaluation, ItemStep: StageWorkPlan,
	ItemBenefit: StageBenefits, ItemObservation: StageValidation, ItemProcedure: StageImplementation,
}

// Prerequisites are the four prerequisites of mutual recognition, checked
// for each partner's program.
var Prerequisites = []string{"operational_program", "validation_process", "security_component", "cmaa"}

// Factors are the other factors of the evaluation.
var Factors = []string{"trade_volume", "maturity", "risk", "other"}

// Sectors are the business sectors of validation observations; the first
// three are the ones every partnership is asked to cover.
var Sectors = []string{"importer", "consolidator", "carrier", "exporter", "manufacturer", "broker", "warehouse", "other"}

// RequiredSectors are the sectors the validation observations must cover.
var RequiredSectors = Sectors[:3]

// Item command types.
const (
	CmdAddItem    CommandType = "add_item"
	CmdUpdateItem CommandType = "update_item"
	CmdAgreeItem  CommandType = "agree_item"
)

// Item event kinds.
const (
	EvItemAdded   EventKind = "item_added"
	EvItemUpdated EventKind = "item_updated"
	EvItemAgreed  EventKind = "item_agreed"
)

// ItemArg is a command's "item": what add_item adds (with kind) or what
// update_item changes (with id); a field left out is left as it is.
type ItemArg struct {
	ID           string   `json:"id"`
	Kind         ItemKind `json:"kind"`
	Text         *string  `json:"text"`
	Program      PartyID  `json:"program"`
	Prerequisite string   `json:"prerequisite"`
	Met          *bool    `json:"met"`
	Evidence     *string  `json:"evidence"`
	Factor       string   `json:"factor"`
	Owner        PartyID  `json:"owner"`
	Due          *string  `json:"due"`
	Done         *bool    `json:"done"`
	Date         *string  `json:"date"`
	Place        *string  `json:"place"`
	Sector       string   `json:"sector"`
	Observer     PartyID  `json:"observer"`
	Findings     *string  `json:"findings"`
	Outcome      *string  `json:"outcome"`
}

// Item is one item of a stage, as it stands.
type Item struct {
	ID           string    `json:"id"`
	Stage        Stage     `json:"stage"`
	Kind         ItemKind  `json:"kind"`
	Party        PartyID   `json:"party"` // who added it
	Author       UserID    `json:"author"`
	At           time.Time `json:"at"`
	Text         string    `json:"text,omitempty"`
	Program      PartyID   `json:"program,omitempty"`
	Prerequisite string    `json:"prerequisite,omitempty"`
	Met          bool      `json:"met,omitempty"`
	Evidence     string    `json:"evidence,omitempty"`
	Factor       string    `json:"factor,omitempty"`
	Owner        PartyID   `json:"owner,omitempty"`
	Due          string    `json:"due,omitempty"`
	Done         bool      `json:"done,omitempty"`
	Date         string    `json:"date,omitempty"`
	Place        string    `json:"place,omitempty"`
	Sector       string    `json:"sector,omitempty"`
	Observer     PartyID   `json:"observer,omitempty"`
	Findings     string    `json:"findings,omitempty"`
	Outcome      string    `json:"outcome,omitempty"`
	AgreedBy     []PartyID `json:"agreed_by,omitempty"` // benefits
}

// ItemAdded, ItemUpdated and ItemAgreed are the payloads of the item
// events: the item as added or as it stands after the update (updated_at
// and by are the event's), and the party agreeing.
type (
	ItemAdded struct {
		Item Item `json:"item"`
	}
	ItemUpdated struct {
		Item Item `json:"item"`
	}
	ItemAgreed struct {
		Item  string  `json:"item"`
		Party PartyID `json:"party"`
	}
)

// MaxItemChars bounds an item's text fields.
const MaxItemChars = 4000

func (d *partnershipDecider) addItem() (*PartnershipOutcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	a := d.cmd.Item
	if a == nil || a.ID != "" {
		return nil, badRequest("item {kind, ...} is required, without an id")
	}
	stage, ok := itemStage[a.Kind]
	if !ok {
		return nil, badRequest("item.kind must be prerequisite, factor, step, benefit, observation or procedure")
	}
	it := Item{ID: "it-" + d.in.NewID(), Stage: stage, Kind: a.Kind, Party: d.in.Actor.Party, Author: d.in.Actor.ID, At: d.at}
	if a.Kind == ItemBenefit {
		it.AgreedBy = []PartyID{d.in.Actor.Party}
	}
	if err := d.fill(&it, a, true); err != nil {
		return nil, err
	}
	e := d.event(EvItemAdded, "", &ItemAdded{Item: it})
	return &PartnershipOutcome{Events: []*Event{e}, Result: func(p *Partnership) any { return map[string]any{"item": p.item(it.ID)} }}, nil
}

func (d *partnershipDecider) updateItem() (*PartnershipOutcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	a := d.cmd.Item
	if a == nil || a.ID == "" {
		return nil, badRequest("item {id, ...} is required")
	}
	old := d.p.item(a.ID)
	if old == nil {
		return nil, Errorf(CodeNotFound, "no item %q", a.ID)
	}
	if a.Kind != "" && a.Kind != old.Kind {
		return nil, badRequest("an item's kind does not change")
	}
	it := *old
	it.AgreedBy = slices.Clone(old.AgreedBy)
	if err := d.fill(&it, a, false); err != nil {
		return nil, err
	}
	if it.Kind == ItemBenefit && it.Text != old.Text {
		it.AgreedBy = []PartyID{d.in.Actor.Party} // new words: the others agree again
	}
	e := d.event(EvItemUpdated, "", &ItemUpdated{Item: it})
	return &PartnershipOutcome{Events: []*Event{e}, Result: func(p *Partnership) any { return map[string]any{"item": p.item(it.ID)} }}, nil
}

func (d *partnershipDecider) agreeItem() (*PartnershipOutcome, error) {
	if err := d.need(Negotiator); err != nil {
		return nil, err
	}
	a := d.cmd.Item
	if a == nil || a.ID == "" {
		return nil, badRequest("item {id} is required")
	}
	it := d.p.item(a.ID)
	if it == nil {
		return nil, Errorf(CodeNotFound, "no item %q", a.ID)
	}
	if it.Kind != ItemBenefit {
		return nil, badRequest("only a benefit is agreed")
	}
	out := &PartnershipOutcome{Result: func(p *Partnership) any { return map[string]any{"item": p.item(a.ID)} }}
	if !slices.Contains(it.AgreedBy, d.in.Actor.Party) {
		out.Events = []*Event{d.event(EvItemAgreed, "", &ItemAgreed{Item: it.ID, Party: d.in.Actor.Party})}
	}
	return out, nil
}

// fill sets the fields of it that a gives, checked for its kind; adding,
// the kind's required fields must be there.
func (d *partnershipDecider) fill(it *Item, a *ItemArg, adding bool) error {
	text := func(dst *string, src *string, name string, required bool) error {
		if src == nil {
			if required && adding {
				return badRequest("item.%s is required for a %s", name, it.Kind)
			}
			return nil
		}
		v := strings.TrimSpace(*src)
		if required && v == "" || utf8.RuneCountInString(v) > MaxItemChars {
			return badRequest("item.%s is required, at most %d characters", name, MaxItemChars)
		}
		*dst = v
		return nil
	}
	date := func(dst *string, src *string, name string) error {
		if src == nil {
			return nil
		}
		if t, err := time.Parse(dateLayout, *src); err != nil || t.Format(dateLayout) != *src {
			return badRequest("item.%s must be a date, YYYY-MM-DD", name)
		}
		*dst = *src
		return nil
	}
	partner := func(dst *PartyID, src PartyID, name string) error {
		if src == "" {
			if adding {
				return badRequest("item.%s (a partner party) is required for a %s", name, it.Kind)
			}
			return nil
		}
		if !d.p.Member(src) {
			return badRequest("item.%s must be a party of the partnership", name)
		}
		*dst = src
		return nil
	}
	// Fields of other kinds are refused: a step has no sector.
	allowed := map[ItemKind][]string{
		ItemPrerequisite: {"program", "prerequisite", "met", "evidence"},
		ItemFactor:       {"factor", "text"},
		ItemStep:         {"text", "owner", "due", "done"},
		ItemBenefit:      {"text"},
		ItemObservation:  {"date", "place", "sector", "observer", "findings", "outcome"},
		ItemProcedure:    {"text", "done"},
	}[it.Kind]
	given := map[string]bool{"text": a.Text != nil, "program": a.Program != "", "prerequisite": a.Prerequisite != "", "met": a.Met != nil,
		"evidence": a.Evidence != nil, "factor": a.Factor != "", "owner": a.Owner != "", "due": a.Due != nil, "done": a.Done != nil,
		"date": a.Date != nil, "place": a.Place != nil, "sector": a.Sector != "", "observer": a.Observer != "",
		"findings": a.Findings != nil, "outcome": a.Outcome != nil}
	for _, f := range []string{"text", "program", "prerequisite", "met", "evidence", "factor", "owner", "due", "done", "date", "place", "sector", "observer", "findings", "outcome"} {
		if given[f] && !slices.Contains(allowed, f) {
			return badRequest("a %s has no %s", it.Kind, f)
		}
	}
	switch it.Kind {
	case ItemPrerequisite:
		if !adding && (a.Program != "" || a.Prerequisite != "") {
			return badRequest("a prerequisite's program and prerequisite do not change")
		}
		if err := partner(&it.Program, a.Program, "program"); err != nil {
			return err
		}
		if adding {
			if !slices.Contains(Prerequisites, a.Prerequisite) {
				return badRequest("item.prerequisite must be one of %s", strings.Join(Prerequisites, ", "))
			}
			it.Prerequisite = a.Prerequisite
			for _, x := range d.p.Items {
				if x.Kind == ItemPrerequisite && x.Program == it.Program && x.Prerequisite == it.Prerequisite {
					return badRequest("%s's %s is listed already (%s): update it", it.Program, it.Prerequisite, x.ID)
				}
			}
		}
		if a.Met != nil {
			it.Met = *a.Met
		}
		return text(&it.Evidence, a.Evidence, "evidence", false)
	case ItemFactor:
		if a.Factor != "" || adding {
			if !slices.Contains(Factors, a.Factor) {
				return badRequest("item.factor must be one of %s", strings.Join(Factors, ", "))
			}
			it.Factor = a.Factor
		}
		return text(&it.Text, a.Text, "text", true)
	case ItemStep:
		if err := text(&it.Text, a.Text, "text", true); err != nil {
			return err
		}
		if err := partner(&it.Owner, a.Owner, "owner"); err != nil {
			return err
		}
		if err := date(&it.Due, a.Due, "due"); err != nil {
			return err
		}
		if a.Done != nil {
			it.Done = *a.Done
		}
	case ItemBenefit:
		return text(&it.Text, a.Text, "text", true)
	case ItemObservation:
		if adding && a.Date == nil {
			return badRequest("item.date is required for an observation")
		}
		if err := date(&it.Date, a.Date, "date"); err != nil {
			return err
		}
		if a.Sector != "" || adding {
			if !slices.Contains(Sectors, a.Sector) {
				return badRequest("item.sector must be one of %s", strings.Join(Sectors, ", "))
			}
			it.Sector = a.Sector
		}
		if err := partner(&it.Observer, a.Observer, "observer"); err != nil {
			return err
		}
		for _, f := range []struct {
			dst  *string
			src  *string
			name string
		}{{&it.Place, a.Place, "place"}, {&it.Findings, a.Findings, "findings"}, {&it.Outcome, a.Outcome, "outcome"}} {
			if err := text(f.dst, f.src, f.name, f.name == "findings"); err != nil {
				return err
			}
		}
	case ItemProcedure:
		if err := text(&it.Text, a.Text, "text", true); err != nil {
			return err
		}
		if a.Done != nil {
			it.Done = *a.Done
		}
	}
	return nil
}

// item returns the item with an id, or nil.
func (p *Partnership) item(id string) *Item {
	for i := range p.Items {
		if p.Items[i].ID == id {
			return &p.Items[i]
		}
	}
	return nil
}

// applyItem folds an item event.
func (p *Partnership) applyItem(e *Event) error {
	switch d := e.Data.(type) {
	case *ItemAdded:
		if p.item(d.Item.ID) != nil {
			return fmt.Errorf("apply: item %s added twice", d.Item.ID)
		}
		p.Items = append(p.Items, d.Item)
	case *ItemUpdated:
		it := p.item(d.Item.ID)
		if it == nil {
			return fmt.Errorf("apply: no item %s to update", d.Item.ID)
		}
		*it = d.Item
	case *ItemAgreed:
		it := p.item(d.Item)
		if it == nil {
			return fmt.Errorf("apply: no item %s to agree", d.Item)
		}
		it.AgreedBy = append(slices.Clone(it.AgreedBy), d.Party)
	}
	return nil
}

// Coverage counts the validation observations by sector, and names the
// required sectors none covers yet.
type Coverage struct {
	BySector map[string]int `json:"by_sector"`
	Missing  []string       `json:"missing"`
}

func (p *Partnership) coverage() *Coverage {
	c := &Coverage{BySector: map[string]int{}, Missing: []string{}}
	for _, it := range p.Items {
		if it.Kind == ItemObservation {
			c.BySector[it.Sector]++
		}
	}
	for _, s := range RequiredSectors {
		if c.BySector[s] == 0 {
			c.Missing = append(c.Missing, s)
		}
	}
	return c
}
