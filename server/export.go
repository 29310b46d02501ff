package server

import (
	"errors"
	"mime"
	"net/http"

	"mra/server/docx"
	"mra/server/export"
	"mra/server/mra"
)

// maxImport is the largest DOCX POST /api/import reads (PROTOCOL: 16 MiB).
const maxImport = 16 << 20

// exportPolicy lets an html export do nothing but style itself.
const exportPolicy = "default-src 'none'; style-src 'unsafe-inline'"

// ExportView returns what user's party may see of a committed negotiation,
// for package export: the party's snapshot (the same one GET
// /api/negotiations/{id} answers), the shared stream's head, the names of
// the parties' users, a reader of its versions' texts, and of the view as
// it stood on an older version (from the party's streams, as GET …/events
// serves them).
func (s *Server) ExportView(id mra.NegotiationID, user mra.User) (export.View, error) {
	var v export.View
	err := s.engine.view(id, user, func(n *mra.Negotiation) {
		v = export.ViewOf(n, user.Party, s.engine.parties())
	})
	if err != nil {
		return v, err
	}
	v.Snapshot.Names = s.sessions.names(v.Snapshot.Negotiation.Parties)
	v.Names = v.Snapshot.Names
	load := func(sha string) (string, error) {
		t, err := s.engine.text(sha)
		if err != nil {
			return "", err
		}
		return t.String(), nil
	}
	v.Text = export.TextsBySHA(v.Snapshot, load)
	export.SetPast(&v, id, s.engine.parties(), func(k mra.StreamKey) ([][]byte, error) {
		return s.engine.store.Events(id, k, 0, 0, 0) // committed events only, as every read
	}, load)
	return v, nil
}

// handleExport is GET /api/negotiations/{id}/export?kind=&format=&version=&from=&internal=
// (PROTOCOL "Exports"): a file, as an attachment.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) error {
	u := requestUser(r)
	view, err := s.ExportView(mra.NegotiationID(r.PathValue("id")), u)
	if err != nil {
		return err // not_found for a non-member, as the snapshot
	}
	req, err := export.ParseQuery(r.URL.Query())
	if err != nil {
		return err
	}
	f, err := export.Make(view, req)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", f.Disposition())
	h.Set("Cache-Control", "no-store")
	if req.Format == export.HTML {
		h.Set("Content-Security-Policy", exportPolicy)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(f.Body)
	return nil
}

// handleImport is POST /api/import (PROTOCOL): a DOCX body read into text.
// It changes nothing; any user with a session may import.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != export.DocxType {
		return mra.Errorf(mra.CodeBadRequest, "send the document with Content-Type: %s", export.DocxType)
	}
	body, release, err := s.readLarge(w, r, maxImport)
	if err != nil {
		return err
	}
	defer release()
	rep, err := docx.Read(body, docx.Options{})
	var derr *docx.Error
	if errors.As(err, &derr) {
		return mra.Errorf(mra.CodeBadRequest, "%s", derr.Reason)
	}
	if err != nil {
		return err
	}
	return writeValue(w, http.StatusOK, map[string]any{
		"text": rep.Text, "paragraphs": rep.Paragraphs, "tracked_changes": rep.TrackedChanges, "hidden": rep.Hidden,
	})
}
