package server

import (
	"net/http"

	"mra/server/mra"
)

// handleReviewCarry is GET /api/negotiations/{id}/review-carry (an
// addition, server/README "Per-article review carry"): the articles of a
// version (default the latest), each unchanged, changed or new against the
// version the reader last approved before it (or the version named by
// from, which the reader need not have approved: anyone may compare).
func (s *Server) handleReviewCarry(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	version, from := 0, 0
	var err error
	if raw := q.Get("version"); raw != "" {
		if version, err = versionNumber(raw, "version"); err != nil {
			return err
		}
	}
	if raw := q.Get("from"); raw != "" {
		if from, err = versionNumber(raw, "from"); err != nil {
			return err
		}
	}
	u := requestUser(r)
	var to mra.Version
	var since *mra.CarriedFrom
	var bad error
	err = s.engine.view(mra.NegotiationID(r.PathValue("id")), u, func(n *mra.Negotiation) {
		if version == 0 && n.Latest() != nil {
			version = n.Latest().Number
		}
		if version < 1 || version > len(n.Versions) || from > len(n.Versions) {
			bad = mra.Errorf(mra.CodeNotFound, "no version %d", max(version, from))
			return
		}
		if from >= version {
			bad = mra.Errorf(mra.CodeBadRequest, "from must be an earlier version than %d", version)
			return
		}
		to = n.Versions[version-1]
		if from == 0 {
			from = n.LastApproval(u.ID, version)
		}
		if from > 0 {
			since = &mra.CarriedFrom{Version: from, SHA256: n.Versions[from-1].SHA256}
			if a := n.Approval(u.ID, from); a != nil {
				at := a.At
				since.At = &at
			}
		}
	})
	if err != nil {
		return err
	}
	if bad != nil {
		return bad
	}
	toText, err := s.engine.text(to.SHA256)
	if err != nil {
		return err
	}
	var fromText *mra.Text
	if since != nil {
		if fromText, err = s.engine.text(since.SHA256); err != nil {
			return err
		}
	}
	return writeValue(w, http.StatusOK, mra.NewReviewCarry(to, toText, since, fromText))
}
