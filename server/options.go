package server

import (
	"net/http"

	"mra/server/mra"
)

// handleNextText is GET /api/negotiations/{id}/next-text (an addition,
// server/README "Bracket options"): the latest version's text with each
// agreed bracket option's words in place, to preview and propose.
func (s *Server) handleNextText(w http.ResponseWriter, r *http.Request) error {
	var latest *mra.Version
	var places mra.Places
	err := s.engine.view(mra.NegotiationID(r.PathValue("id")), requestUser(r), func(n *mra.Negotiation) {
		if v := n.Latest(); v != nil {
			l := *v
			latest = &l
			places = n.Places() // copies: the text is filled in without the lock
		}
	})
	if err != nil {
		return err
	}
	if latest == nil {
		return mra.Errorf(mra.CodeNotFound, "no version yet")
	}
	text, err := s.engine.text(latest.SHA256)
	if err != nil {
		return err
	}
	return writeValue(w, http.StatusOK, places.Fill(text))
}
