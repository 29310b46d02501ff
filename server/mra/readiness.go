package mra

// Readiness is the derived status and what it rests on, over the latest
// version (the contract's READINESS). Internal threads never count.
type Readiness struct {
	Status        Status                 `json:"status"`
	Version       int                    `json:"version"`
	SHA256        string                 `json:"sha256"`
	OpenIssues    int                    `json:"open_issues"`
	VoidConsensus int                    `json:"void_consensus"`
	Approvals     map[PartyID]*Approvals `json:"approvals"`
	Signatures    map[PartyID]bool       `json:"signatures"`
}

// Approvals counts one party's reviewers by their latest decision on the
// latest version, and names those asking for changes.
type Approvals struct {
	Approved           int      `json:"approved"`
	Required           int      `json:"required"`
	ChangesRequested   int      `json:"changes_requested"`
	ChangesRequestedBy []UserID `json:"changes_requested_by"`
}

// Readiness derives the negotiation's status: drafting without a version;
// negotiating while a shared open issue is open or a shared consensus is
// void; legal review while a party lacks its required approvals of the
// latest version or one of its reviewers asks for changes; signed once every
// party signed the latest version; ready to sign otherwise.
func (n *Negotiation) Readiness() Readiness {
	r := Readiness{
		Approvals:  make(map[PartyID]*Approvals, len(n.Parties)),
		Signatures: make(map[PartyID]bool, len(n.Parties)),
	}
	for _, p := range n.Parties {
		r.Approvals[p] = &Approvals{Required: n.RequiredApprovals, ChangesRequestedBy: []UserID{}}
		r.Signatures[p] = false
	}
	v := n.Latest()
	if v == nil {
		r.Status = StatusDrafting
		return r
	}
	r.Version, r.SHA256 = v.Number, v.SHA256
	r.OpenIssues, r.VoidConsensus = n.openIssues, n.voidConsensus
	for _, s := range n.SignOffs {
		if s.Version != v.Number || s.SHA256 != v.SHA256 {
			continue // stale
		}
		a := r.Approvals[s.Party]
		if a == nil {
			continue
		}
		if s.Decision == Approve {
			a.Approved++
		} else {
			a.ChangesRequested++
			a.ChangesRequestedBy = append(a.ChangesRequestedBy, s.User)
		}
	}
	for _, p := range n.Parties {
		r.Signatures[p] = n.signedLatest(p)
	}
	allSigned, approved := true, true
	for _, p := range n.Parties {
		allSigned = allSigned && r.Signatures[p]
		a := r.Approvals[p]
		approved = approved && a.Approved >= a.Required && a.ChangesRequested == 0
	}
	switch {
	case allSigned:
		r.Status = StatusSigned
	case r.OpenIssues > 0 || r.VoidConsensus > 0:
		r.Status = StatusNegotiating
	case !approved:
		r.Status = StatusLegalReview
	default:
		r.Status = StatusReady
	}
	return r
}
