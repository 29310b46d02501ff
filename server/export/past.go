package export

import (
	"fmt"

	"mra/server/mra"
)

// Past returns a negotiation as it stood while version was its latest: the
// fold of the given stored events (a party's streams: the shared one and
// its own internal one, as GET …/events serves them) that come before the
// proposal of version+1. Threads in it stand on that version, with the
// status they had then, so an older version's export brackets and
// comments what was open on it, not what is open now.
func Past(id mra.NegotiationID, stored [][]byte, version int) (*mra.Negotiation, error) {
	events := make([]*mra.Event, 0, len(stored))
	var cut *mra.Pos
	for _, b := range stored {
		e, err := mra.DecodeEvent(b)
		if err != nil {
			return nil, err
		}
		e.JSON = nil
		events = append(events, e)
		if vp, ok := e.Data.(*mra.VersionProposed); ok && e.Stream == mra.Shared && vp.Version == version+1 {
			p := e.Pos()
			cut = &p
		}
	}
	if cut == nil {
		return nil, fmt.Errorf("export: no proposal of version %d in the log", version+1)
	}
	kept := events[:0]
	for _, e := range events {
		if e.Pos().Compare(*cut) < 0 {
			kept = append(kept, e)
		}
	}
	return mra.Fold(id, kept)
}

// SetPast sets v.At from a reader of stored events (all of one stream of
// the negotiation, in order) and of texts: the past view folds the shared
// stream and v.Party's internal one (shared only for no party).
func SetPast(v *View, id mra.NegotiationID, parties map[mra.PartyID]mra.Party,
	events func(mra.StreamKey) ([][]byte, error), load func(sha string) (string, error)) {
	party, names := v.Party, v.Names
	v.At = func(version int) (View, error) {
		keys := []mra.StreamKey{mra.SharedStream}
		if party != "" {
			keys = append(keys, mra.InternalStream(party))
		}
		var stored [][]byte
		for _, k := range keys {
			evs, err := events(k)
			if err != nil {
				return View{}, err
			}
			stored = append(stored, evs...)
		}
		n, err := Past(id, stored, version)
		if err != nil {
			return View{}, err
		}
		pv := ViewOf(n, party, parties)
		pv.Names = names
		pv.Text = TextsBySHA(pv.Snapshot, load)
		return pv, nil
	}
}
