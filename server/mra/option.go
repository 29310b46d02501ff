package mra

// Bracket options (server/README "Bracket options"): a placeholder until
// the option rules land.

// OptionID and PackageID are assigned by the server.
type (
	OptionID  string
	PackageID string
)

// Option is one alternative wording of an open issue's text.
type Option struct {
	ID OptionID `json:"id"`
}

// Package ties options: nothing is agreed until everything is agreed.
type Package struct {
	ID PackageID `json:"id"`
}

func optionPayload(EventKind) any { return nil }

func (n *Negotiation) applyOption(*Event) (bool, error) { return false, nil }

func (n *Negotiation) optionKeys() []recordKey { return nil }

func (n *Negotiation) optionRecord(recordKey) ([]byte, error) { return nil, nil }

func (n *Negotiation) restoreOptions(_, _ []Record) error { return nil }

func (n *Negotiation) optionViews() ([]Option, []Package) { return []Option{}, []Package{} }

func (d *decider) option() (*Outcome, error) {
	return nil, badRequest("%s is not built yet", d.cmd.Type)
}
