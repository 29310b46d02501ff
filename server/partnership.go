package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"mra/server/mra"
)

// partnerships holds every partnership as committed. They change one
// command at a time (mu, held through the commit: they are rare), on a
// copy that replaces the committed one only once it is on disk; readers
// take the committed pointer under rmu and never see a change in progress.
type partnerships struct {
	mu  sync.Mutex   // one change at a time
	rmu sync.RWMutex // guards byID
	// byID maps each partnership to its committed state, never changed in
	// place.
	byID map[mra.PartnershipID]*mra.Partnership
}

func newPartnerships(store mra.Store) (*partnerships, error) {
	ps, err := store.Partnerships()
	if err != nil {
		return nil, fmt.Errorf("load partnerships: %w", err)
	}
	out := &partnerships{byID: make(map[mra.PartnershipID]*mra.Partnership, len(ps))}
	for _, p := range ps {
		out.byID[p.ID] = p
	}
	return out, nil
}

func (ps *partnerships) get(id mra.PartnershipID) *mra.Partnership {
	ps.rmu.RLock()
	defer ps.rmu.RUnlock()
	return ps.byID[id]
}

// runPartnership carries out a partnership command: decided on the
// committed partnership, sealed and applied on a copy, committed with its
// answer, then published as the committed state.
func (e *engine) runPartnership(user mra.User, cmd *mra.Command) ([]byte, mra.Code) {
	ps := e.partnerships
	ps.mu.Lock()
	defer ps.mu.Unlock()
	var p *mra.Partnership
	if cmd.Type != mra.CmdCreatePartnership {
		p = ps.get(cmd.Partnership)
	}
	in := mra.PartnershipInput{Actor: user, Now: e.now(), NewID: newID, Parties: e.parties()}
	if cmd.Type == mra.CmdLinkNegotiation {
		if entry := e.entry(cmd.Negotiation); entry != nil {
			entry.read(func(n *mra.Negotiation) {
				if n.Member(user.Party) {
					in.Linked = &mra.Negotiation{ID: n.ID, Parties: slices.Clone(n.Parties)}
				}
			})
		}
	}
	out, err := mra.DecidePartnership(p, cmd, in)
	if err != nil {
		return e.fail(cmd, err)
	}
	var next *mra.Partnership
	if p == nil {
		next = mra.NewPartnership(out.Events[0].Partnership)
	} else {
		next = p.Clone()
	}
	prev := make(map[mra.StreamKey]mra.Head, len(out.Events))
	for _, ev := range out.Events {
		if _, ok := prev[ev.Key()]; !ok {
			prev[ev.Key()] = next.Heads[ev.Key()]
		}
	}
	if err := next.Seal(out.Events); err != nil {
		return e.fail(cmd, err)
	}
	for _, ev := range out.Events {
		if err := next.Apply(ev); err != nil {
			return e.fail(cmd, err)
		}
	}
	answer, err := json.Marshal(ack{Type: "ack", ID: cmd.ID, Result: out.Result(next)})
	if err != nil {
		return e.fail(cmd, err)
	}
	c := &mra.Change{Partnership: next.ID, Events: out.Events, Prev: prev, Answer: &mra.Answer{User: user.ID, ID: cmd.ID, Body: answer}}
	if err := e.store.Commit(context.Background(), c); err != nil {
		return e.fail(cmd, fmt.Errorf("commit %s: %w", cmd.Type, err))
	}
	ps.rmu.Lock()
	ps.byID[next.ID] = next
	ps.rmu.Unlock()
	if e.publish != nil {
		e.publish(roomOf(next.ID), out.Events, nil) // mu is held: published in commit order
	}
	return answer, ""
}

// roomOf is the hub's room of a partnership's subscribers: keyed by its
// id, which no negotiation's equals.
func roomOf(p mra.PartnershipID) mra.NegotiationID { return mra.NegotiationID(p) }

// roomField names a room's id in the messages to it: "partnership" for a
// partnership's, "negotiation" for a negotiation's.
func roomField(id mra.NegotiationID) string {
	if strings.HasPrefix(string(id), "p-") {
		return "partnership"
	}
	return "negotiation"
}

// partnershipEntry is one partnership in GET /api/partnerships: its stages'
// statuses, without their notes.
type partnershipEntry struct {
	ID           mra.PartnershipID   `json:"id"`
	Title        string              `json:"title"`
	Parties      []mra.PartyID       `json:"parties"`
	Current      mra.Stage           `json:"current"`
	Stages       []mra.StageState    `json:"stages"`
	Negotiations []mra.NegotiationID `json:"negotiations"`
}

// handlePartnerships is GET /api/partnerships: the partnerships of the
// user's party, by title.
func (s *Server) handlePartnerships(w http.ResponseWriter, r *http.Request) error {
	u := requestUser(r)
	ps := s.engine.partnerships
	ps.rmu.RLock()
	var mine []*mra.Partnership
	for _, p := range ps.byID {
		if p.Member(u.Party) {
			mine = append(mine, p)
		}
	}
	ps.rmu.RUnlock()
	out := []partnershipEntry{}
	for _, p := range mine {
		v := p.View(u.Party)
		e := partnershipEntry{ID: v.ID, Title: v.Title, Parties: v.Parties, Current: v.Current, Negotiations: v.Negotiations}
		for _, st := range v.Stages {
			e.Stages = append(e.Stages, st.StageState)
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b partnershipEntry) int {
		return strings.Compare(a.Title+"\x00"+string(a.ID), b.Title+"\x00"+string(b.ID))
	})
	return writeValue(w, http.StatusOK, map[string]any{"partnerships": out})
}

// handlePartnership is GET /api/partnerships/{id}: the partnership as the
// user's party sees it (its own internal notes, no other party's), and
// its negotiations as the list shows them.
func (s *Server) handlePartnership(w http.ResponseWriter, r *http.Request) error {
	u := requestUser(r)
	id := mra.PartnershipID(r.PathValue("id"))
	p := s.engine.partnerships.get(id)
	if p == nil || !p.Member(u.Party) {
		return mra.Errorf(mra.CodeNotFound, "no partnership %q", id)
	}
	v := p.View(u.Party)
	// The linked negotiations, and the amendments of them (of their
	// amendments too): an amendment of the partnership's text belongs to it
	// without being linked by hand.
	all := s.engine.list(u)
	in := map[mra.NegotiationID]bool{}
	for _, id := range v.Negotiations {
		in[id] = true
	}
	for grew := true; grew; {
		grew = false
		for _, n := range all {
			if !in[n.ID] && n.Amends != "" && in[n.Amends] {
				in[n.ID], grew = true, true
			}
		}
	}
	negs := []mra.NegotiationView{}
	for _, n := range all {
		if in[n.ID] {
			negs = append(negs, n)
		}
	}
	heads := map[string]uint64{"shared": p.Heads[mra.SharedStream].Seq, "internal": p.Heads[mra.InternalStream(u.Party)].Seq}
	return writeValue(w, http.StatusOK, map[string]any{"partnership": v, "negotiations": negs, "in_force": inForce(negs),
		"names": s.sessions.names(v.Parties), "heads": heads})
}

// inForce is the negotiation whose signed text is the partnership's text
// in force: a signed one that no signed amendment replaces (the latest
// created, if more than one); nil before any is signed.
func inForce(negs []mra.NegotiationView) *mra.NegotiationID {
	signed := map[mra.NegotiationID]bool{}
	for _, n := range negs {
		if n.Status == mra.StatusSigned {
			signed[n.ID] = true
		}
	}
	var best *mra.NegotiationView
	for i, n := range negs {
		if !signed[n.ID] || slices.ContainsFunc(n.AmendedBy, func(a mra.NegotiationID) bool { return signed[a] }) {
			continue
		}
		if best == nil || n.CreatedAt.After(best.CreatedAt) {
			best = &negs[i]
		}
	}
	if best == nil {
		return nil
	}
	return &best.ID
}
