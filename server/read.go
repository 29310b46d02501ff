package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"mra/diff"
	"mra/server/mra"
)

// Bounds on one events read; "more" says there are others.
const (
	maxEvents     = 10_000
	maxEventBytes = 8 << 20 // but the first event always comes
)

// view runs f on a negotiation's committed state, which user's party must
// share, with the state locked for reading: f must not keep what it reads,
// nor do I/O.
func (e *engine) view(id mra.NegotiationID, user mra.User, f func(*mra.Negotiation)) error {
	entry := e.entry(id)
	found := false
	if entry != nil {
		entry.read(func(n *mra.Negotiation) {
			if found = n.Member(user.Party); found {
				f(n)
			}
		})
	}
	if !found {
		return mra.Errorf(mra.CodeNotFound, "no negotiation %q", id)
	}
	return nil
}

// list returns the summaries of the committed negotiations user's party
// takes part in, newest first.
func (e *engine) list(user mra.User) []mra.NegotiationView {
	entries := e.entries()
	out := []mra.NegotiationView{}
	amendedBy := map[mra.NegotiationID][]mra.NegotiationID{}
	for _, entry := range entries {
		entry.read(func(n *mra.Negotiation) {
			if n.Amends != "" {
				amendedBy[n.Amends] = append(amendedBy[n.Amends], n.ID)
			}
			if n.Member(user.Party) {
				out = append(out, n.View(user.Party))
			}
		})
	}
	now := e.now()
	for i := range out {
		out[i].Dated(sortedIDs(amendedBy[out[i].ID]), now)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// amendedBy returns the negotiations that amend id (whose creation has
// committed), in id order. They have id's parties, so whoever sees id may
// see them.
func (e *engine) amendedBy(id mra.NegotiationID) []mra.NegotiationID {
	entries := e.entries()
	var out []mra.NegotiationID
	for _, entry := range entries {
		entry.read(func(n *mra.Negotiation) {
			if n.Amends == id {
				out = append(out, n.ID)
			}
		})
	}
	return sortedIDs(out)
}

// entries returns every negotiation in memory, to read without e.mu.
func (e *engine) entries() []*negotiation {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]*negotiation, 0, len(e.negs))
	for _, entry := range e.negs {
		out = append(out, entry)
	}
	return out
}

func sortedIDs(ids []mra.NegotiationID) []mra.NegotiationID {
	slices.Sort(ids)
	return ids
}

// handleParties is GET /api/parties (an addition): every party, so a
// negotiator can choose the other side of a new negotiation.
func (s *Server) handleParties(w http.ResponseWriter, r *http.Request) error {
	parties := make([]mra.Party, 0, len(s.engine.parties()))
	for _, p := range s.engine.parties() {
		parties = append(parties, p)
	}
	slices.SortFunc(parties, func(a, b mra.Party) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return writeValue(w, http.StatusOK, map[string]any{"parties": parties})
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) error {
	return writeValue(w, http.StatusOK, map[string]any{"negotiations": s.engine.list(requestUser(r))})
}

func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request) error {
	u := requestUser(r)
	var snap mra.Snapshot
	err := s.engine.view(mra.NegotiationID(r.PathValue("id")), u, func(n *mra.Negotiation) {
		snap = n.Snapshot(u.Party, s.engine.parties())
	})
	if err != nil {
		return err
	}
	snap.Negotiation.Dated(s.engine.amendedBy(snap.Negotiation.ID), s.cfg.Now())
	snap.Names = s.sessions.names(snap.Negotiation.Parties)
	return writeValue(w, http.StatusOK, snap) // encoded without holding the negotiation
}

// versionNumber reads a version number from the path or a query parameter.
func versionNumber(raw, name string) (int, error) {
	v, err := strconv.Atoi(raw)
	if err != nil || v < 1 {
		return 0, mra.Errorf(mra.CodeBadRequest, "%s must be a version number (1 or more)", name)
	}
	return v, nil
}

// texts returns the meta and text of committed versions of a negotiation
// the request's user may see.
func (s *Server) texts(r *http.Request, versions ...int) ([]mra.Version, []*mra.Text, error) {
	metas := make([]mra.Version, len(versions))
	var missing int
	err := s.engine.view(mra.NegotiationID(r.PathValue("id")), requestUser(r), func(n *mra.Negotiation) {
		for k, v := range versions {
			if v > len(n.Versions) {
				missing = v
				return
			}
			metas[k] = n.Versions[v-1]
		}
	})
	if err != nil {
		return nil, nil, err
	}
	if missing > 0 {
		return nil, nil, mra.Errorf(mra.CodeNotFound, "no version %d", missing)
	}
	texts := make([]*mra.Text, len(versions))
	for k, m := range metas {
		if texts[k], err = s.engine.text(m.SHA256); err != nil {
			return nil, nil, err
		}
	}
	return metas, texts, nil
}

func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) error {
	v, err := versionNumber(r.PathValue("n"), "the version")
	if err != nil {
		return err
	}
	metas, texts, err := s.texts(r, v)
	if err != nil {
		return err
	}
	return writeValue(w, http.StatusOK, struct {
		mra.Version
		Text string `json:"text"`
	}{metas[0], texts[0].String()})
}

func (s *Server) handleDiff(w http.ResponseWriter, r *http.Request) error {
	from, err := versionNumber(r.URL.Query().Get("from"), "from")
	if err != nil {
		return err
	}
	to, err := versionNumber(r.URL.Query().Get("to"), "to")
	if err != nil {
		return err
	}
	_, texts, err := s.texts(r, from, to)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(`{"from":` + strconv.Itoa(from) + `,"to":` + strconv.Itoa(to) + `,"ops":`)
	diff.WriteJSON(&b, diff.Redline(texts[0].String(), texts[1].String()))
	b.WriteString("}")
	writeJSON(w, http.StatusOK, b.Bytes())
	return nil
}

// handlePreview is POST /api/negotiations/{id}/diff (an addition): the
// redline from a stored version to a draft text not yet proposed, for the
// preview before a proposal. Body: {"from": N, "text": "..."}; the answer
// is shaped as the GET's, with "to": null, and adds "voids": the consensus
// threads the caller's party may see that proposing the draft would make
// void (judged against the latest version, as the carry would).
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) error {
	body, release, err := s.readLarge(w, r, maxCommand)
	if err != nil {
		return err
	}
	defer release()
	var req struct {
		From int     `json:"from"`
		Text *string `json:"text"`
	}
	if json.Unmarshal(body, &req) != nil || req.Text == nil || !utf8.Valid(body) {
		return mra.Errorf(mra.CodeBadRequest, `send {"from": VERSION, "text": "..."} as UTF-8 JSON`)
	}
	if len(*req.Text) > mra.MaxTextBytes {
		return mra.Errorf(mra.CodeTooLarge, "text is over %d bytes", mra.MaxTextBytes)
	}
	if _, err := versionNumber(strconv.Itoa(req.From), "from"); err != nil {
		return err
	}
	u := requestUser(r)
	var latest int
	var guards []mra.Guard
	err = s.engine.view(mra.NegotiationID(r.PathValue("id")), u, func(n *mra.Negotiation) {
		if v := n.Latest(); v != nil {
			latest = v.Number
		}
		guards = n.Guards(u.Party) // copies: checked below without the lock
	})
	if err != nil {
		return err
	}
	if req.From > latest {
		return mra.Errorf(mra.CodeNotFound, "no version %d", req.From)
	}
	versions := []int{req.From}
	if latest != req.From {
		versions = append(versions, latest)
	}
	_, texts, err := s.texts(r, versions...)
	if err != nil {
		return err
	}
	draft := mra.NewText(mra.NormalizeText(*req.Text))
	ops := diff.Redline(texts[0].String(), draft.String())
	voids := []mra.Void{}
	if len(guards) > 0 {
		old, carried := texts[len(texts)-1], ops
		if latest != req.From {
			carried = diff.Redline(old.String(), draft.String())
		}
		voids = mra.Voids(old, draft, diff.NewIndex(carried), guards)
	}
	var b bytes.Buffer
	b.WriteString(`{"from":` + strconv.Itoa(req.From) + `,"to":null,"voids":`)
	if err := json.NewEncoder(&b).Encode(voids); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // the encoder's newline
	b.WriteString(`,"ops":`)
	diff.WriteJSON(&b, ops)
	b.WriteString("}")
	writeJSON(w, http.StatusOK, b.Bytes())
	return nil
}

// handleEvents is GET …/events: at most maxEvents events, or maxEventBytes,
// of one of the user's streams, committed ones only (the store's). The
// answer is streamed: read from the store a page at a time and written as
// it is read, so a read holds about one page, not the whole answer; each
// read takes a page from the reads' budget (rate_limited when the user or
// the server has too many at once). A store failure after the first page
// breaks the answer off (the client sees a broken response, never a short
// one that looks whole).
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	u := requestUser(r)
	q := r.URL.Query()
	var key mra.StreamKey
	switch q.Get("stream") {
	case "shared", "":
		key = mra.SharedStream
	case "internal":
		key = mra.InternalStream(u.Party)
	default:
		return mra.Errorf(mra.CodeBadRequest, "stream must be shared or internal")
	}
	var since uint64
	if raw := q.Get("since"); raw != "" {
		var err error
		if since, err = strconv.ParseUint(raw, 10, 64); err != nil {
			return mra.Errorf(mra.CodeBadRequest, "since must be a number (0 or more)")
		}
	}
	id := mra.NegotiationID(r.PathValue("id"))
	if err := s.engine.view(id, u, func(*mra.Negotiation) {}); err != nil {
		return err
	}
	release, err := s.reads.acquire(r.Context(), u.ID, replayPageBytes)
	if err != nil {
		return err
	}
	defer release()
	page, err := s.engine.store.Events(id, key, since, replayPageEvents, replayPageBytes)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"events":[`)
	count, size, more := 0, 0, false
pages:
	for len(page) > 0 {
		for _, raw := range page {
			if count == maxEvents || (count > 0 && size+len(raw) > maxEventBytes) {
				more = true
				break pages
			}
			if count > 0 {
				io.WriteString(w, ",")
			}
			w.Write(raw)
			count, size, since = count+1, size+len(raw), since+1 // a stream's seqs are gapless
		}
		if page, err = s.engine.store.Events(id, key, since, replayPageEvents, replayPageBytes); err != nil {
			s.log.Error("internal error", "read", "events", "err", err)
			panic(http.ErrAbortHandler)
		}
	}
	io.WriteString(w, `],"more":`+strconv.FormatBool(more)+`}`)
	return nil
}
