package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"mra/diff"
	"mra/server/mra"
)

// maxEvents is the most events one read returns; "more" says there are others.
const maxEvents = 10_000

// handleParties is GET /api/parties (an addition): every party, so a
// negotiator can choose the other side of a new negotiation.
func (s *Server) handleParties(w http.ResponseWriter, r *http.Request) {
	parties := make([]mra.Party, 0, len(s.engine.parties))
	for _, p := range s.engine.parties {
		parties = append(parties, p)
	}
	slices.SortFunc(parties, func(a, b mra.Party) int { return strings.Compare(string(a.ID), string(b.ID)) })
	writeValue(w, s.log, http.StatusOK, map[string]any{"parties": parties})
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	writeValue(w, s.log, http.StatusOK, map[string]any{"negotiations": s.engine.list(requestUser(r))})
}

func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request) {
	u := requestUser(r)
	var snap mra.Snapshot
	err := s.engine.view(mra.NegotiationID(r.PathValue("id")), u, func(entry *negotiation) error {
		snap = entry.n.Snapshot(u.Party, s.engine.parties)
		return nil
	})
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	snap.Names = s.sessions.names(snap.Negotiation.Parties)
	writeValue(w, s.log, http.StatusOK, snap) // encoded without holding the negotiation
}

// versionNumber reads a version number from the path or a query parameter.
func versionNumber(raw, name string) (int, error) {
	v, err := strconv.Atoi(raw)
	if err != nil || v < 1 {
		return 0, mra.Errorf(mra.CodeBadRequest, "%s must be a version number (1 or more)", name)
	}
	return v, nil
}

// texts returns the meta and text of versions of a negotiation user may see.
func (s *Server) texts(r *http.Request, versions ...int) ([]mra.Version, []*mra.Text, error) {
	metas := make([]mra.Version, len(versions))
	texts := make([]*mra.Text, len(versions))
	err := s.engine.view(mra.NegotiationID(r.PathValue("id")), requestUser(r), func(entry *negotiation) error {
		for k, v := range versions {
			t, err := s.engine.versionText(entry, v)
			if err != nil {
				return err
			}
			metas[k], texts[k] = entry.n.Versions[v-1], t
		}
		return nil
	})
	return metas, texts, err
}

func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) {
	v, err := versionNumber(r.PathValue("n"), "the version")
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	metas, texts, err := s.texts(r, v)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeValue(w, s.log, http.StatusOK, struct {
		mra.Version
		Text string `json:"text"`
	}{metas[0], texts[0].String()})
}

func (s *Server) handleDiff(w http.ResponseWriter, r *http.Request) {
	from, err := versionNumber(r.URL.Query().Get("from"), "from")
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	to, err := versionNumber(r.URL.Query().Get("to"), "to")
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	_, texts, err := s.texts(r, from, to)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"from":` + strconv.Itoa(from) + `,"to":` + strconv.Itoa(to) + `,"ops":`)
	diff.WriteJSON(&b, diff.Redline(texts[0].String(), texts[1].String()))
	b.WriteString("}")
	writeJSON(w, http.StatusOK, b.Bytes())
}

// handlePreview is POST /api/negotiations/{id}/diff (an addition): the
// redline from a stored version to a draft text not yet proposed, for the
// preview before a proposal. Body: {"from": N, "text": "..."}; the answer
// is shaped as the GET's, with "to": null.
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, maxCommand)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	var req struct {
		From int     `json:"from"`
		Text *string `json:"text"`
	}
	if json.Unmarshal(body, &req) != nil || req.Text == nil || !utf8.Valid(body) {
		writeError(w, s.log, mra.Errorf(mra.CodeBadRequest, `send {"from": VERSION, "text": "..."} as UTF-8 JSON`))
		return
	}
	if len(*req.Text) > mra.MaxTextBytes {
		writeError(w, s.log, mra.Errorf(mra.CodeTooLarge, "text is over %d bytes", mra.MaxTextBytes))
		return
	}
	if _, err := versionNumber(strconv.Itoa(req.From), "from"); err != nil {
		writeError(w, s.log, err)
		return
	}
	_, texts, err := s.texts(r, req.From)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"from":` + strconv.Itoa(req.From) + `,"to":null,"ops":`)
	diff.WriteJSON(&b, diff.Redline(texts[0].String(), mra.NormalizeText(*req.Text)))
	b.WriteString("}")
	writeJSON(w, http.StatusOK, b.Bytes())
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	u := requestUser(r)
	q := r.URL.Query()
	var key mra.StreamKey
	switch q.Get("stream") {
	case "shared", "":
		key = mra.SharedStream
	case "internal":
		key = mra.InternalStream(u.Party)
	default:
		writeError(w, s.log, mra.Errorf(mra.CodeBadRequest, "stream must be shared or internal"))
		return
	}
	var since uint64
	if raw := q.Get("since"); raw != "" {
		var err error
		if since, err = strconv.ParseUint(raw, 10, 64); err != nil {
			writeError(w, s.log, mra.Errorf(mra.CodeBadRequest, "since must be a number (0 or more)"))
			return
		}
	}
	id := mra.NegotiationID(r.PathValue("id"))
	if err := s.engine.view(id, u, func(*negotiation) error { return nil }); err != nil {
		writeError(w, s.log, err)
		return
	}
	events, err := s.engine.store.Events(id, key, since, maxEvents+1)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	more := len(events) > maxEvents
	if more {
		events = events[:maxEvents]
	}
	var b bytes.Buffer
	b.WriteString(`{"events":[`)
	for k, e := range events {
		if k > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	b.WriteString(`],"more":` + strconv.FormatBool(more) + `}`)
	writeJSON(w, http.StatusOK, b.Bytes())
}
