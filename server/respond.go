package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"mra/server/mra"
)

// statusOf is the one table from contract codes to HTTP statuses.
var statusOf = map[mra.Code]int{
	mra.CodeBadRequest:      http.StatusBadRequest,
	mra.CodeUnauthenticated: http.StatusUnauthorized,
	mra.CodeForbidden:       http.StatusForbidden,
	mra.CodeNotFound:        http.StatusNotFound,
	mra.CodeConflict:        http.StatusConflict,
	mra.CodeStale:           http.StatusConflict,
	mra.CodeNotReady:        http.StatusConflict,
	mra.CodeFrozen:          http.StatusConflict,
	mra.CodeSigning:         http.StatusConflict,
	mra.CodeTooLarge:        http.StatusRequestEntityTooLarge,
	mra.CodeRateLimited:     http.StatusTooManyRequests,
	mra.CodeInternal:        http.StatusInternalServerError,
}

// HTTPStatus returns the HTTP status of a contract code.
func HTTPStatus(c mra.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errInternal is what a client learns of a bug: nothing but that it happened.
var errInternal = &mra.Error{Code: mra.CodeInternal, Message: "internal error; it has been logged"}

// asContractError returns err as the *mra.Error a client may see: expected
// failures as they are, anything else logged in full and answered internal.
func asContractError(log *slog.Logger, err error, attrs ...any) *mra.Error {
	var e *mra.Error
	if errors.As(err, &e) && e.Code != mra.CodeInternal {
		return e
	}
	log.Error("internal error", append(attrs, "err", err)...)
	return errInternal
}

// errorBody is the contract's error answer; id is omitted outside commands.
type errorBody struct {
	Type  string     `json:"type"`
	ID    *string    `json:"id,omitempty"`
	Error *mra.Error `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

// writeValue answers v as JSON; an error if it does not encode, with
// nothing written.
func writeValue(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode answer: %w", err)
	}
	writeJSON(w, status, b)
	return nil
}

// handlerFunc is an HTTP handler that returns its failure rather than
// writing it: serve writes it, in the contract's shape.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) serve(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, s.log, err)
		}
	}
}

// writeError answers a request that is not a command with the contract's
// error shape and the status of its code.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	e := asContractError(log, err)
	b, _ := json.Marshal(errorBody{Type: "error", Error: e})
	writeJSON(w, HTTPStatus(e.Code), b)
}
