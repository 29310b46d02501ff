package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"mra/server/mra"
)

// sessionCookie is the name of the session cookie.
const sessionCookie = "mra_session"

// sessions holds the logged-in users (by the hash of their token, as the
// store keeps them) and the login rate limits.
type sessions struct {
	store mra.Store
	ttl   time.Duration
	now   func() time.Time

	dir *directory // the users

	mu      sync.RWMutex
	byHash  map[string]mra.Session
	onClose func(hash string, wait bool) // told when a session ends (the hub closes its sockets)

	guard     *loginGuard
	dummyOnce sync.Once
	dummy     string // a hash to check against for unknown users, so they cost the same
}

func newSessions(store mra.Store, dir *directory, ttl time.Duration, now func() time.Time) (*sessions, error) {
	s := &sessions{store: store, dir: dir, ttl: ttl, now: now, byHash: map[string]mra.Session{},
		guard: newLoginGuard(now, 0)}
	stored, err := store.Sessions(now())
	if err != nil {
		return nil, fmt.Errorf("load sessions: %w", err)
	}
	for _, x := range stored {
		s.byHash[x.Hash] = x
	}
	return s, nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// checkLogin checks a user's password; unknown user, wrong password and
// disabled user fail alike, and cost the same.
func (s *sessions) checkLogin(userID mra.UserID, password string) (mra.User, bool) {
	u, ok := s.dir.user(userID)
	hash := u.PasswordHash
	if !ok {
		s.dummyOnce.Do(func() { s.dummy, _ = HashPassword("not a password anyone has") })
		hash = s.dummy
	}
	good := checkPassword(hash, password)
	return u, good && ok && !u.Disabled && !(u.MustChangePassword && u.OneTimeUsed)
}

// login starts a session for a user whose password checkLogin passed; it
// returns the token for the cookie. A one-time password is spent here: of
// two logins with it, one gets a session.
func (s *sessions) login(u mra.User) (string, mra.User, error) {
	if u.MustChangePassword {
		spent, err := s.dir.spendOneTime(u.ID, u.PasswordHash, s.now())
		if err != nil {
			return "", mra.User{}, err
		}
		if !spent {
			return "", mra.User{}, mra.Errorf(mra.CodeUnauthenticated, "unknown user or wrong password")
		}
	}
	raw := make([]byte, 32) // 256 bits
	if _, err := rand.Read(raw); err != nil {
		return "", mra.User{}, fmt.Errorf("session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now().UTC()
	x := mra.Session{Hash: tokenHash(token), User: u.ID, Created: now, Expires: now.Add(s.ttl)}
	if err := s.store.PutSession(x); err != nil {
		return "", mra.User{}, fmt.Errorf("store session: %w", err)
	}
	s.mu.Lock()
	s.byHash[x.Hash] = x
	s.mu.Unlock()
	return token, u, nil
}

// user returns the user of a valid session token.
func (s *sessions) user(token string) (mra.User, string, bool) {
	h := tokenHash(token)
	s.mu.RLock()
	x, ok := s.byHash[h]
	s.mu.RUnlock()
	u, known := s.dir.user(x.User)
	if !ok || !known || u.Disabled || !s.now().Before(x.Expires) {
		if ok {
			s.end(h)
		}
		return mra.User{}, "", false
	}
	return u, h, true
}

// valid reports whether a session (by its hash) stands: not ended, not
// expired. A socket asks it for every command it reads.
func (s *sessions) valid(hash string) bool {
	s.mu.RLock()
	x, ok := s.byHash[hash]
	s.mu.RUnlock()
	return ok && s.now().Before(x.Expires)
}

// end revokes a session; its sockets are cut (see endSessions).
func (s *sessions) end(hash string) error {
	return s.endSessions(func(x mra.Session) bool { return x.Hash == hash }, true)
}

// endUser ends every session of a user.
func (s *sessions) endUser(user mra.UserID, wait bool) error {
	return s.endSessions(func(x mra.Session) bool { return x.User == user }, wait)
}

// endSessions is the one way a session ends (logout, expiry, a user's
// sessions ended): the sessions that match are forgotten first, so no
// request or socket command from then on passes; then their sockets are
// cut, at once, and (with wait) it returns only when none of them is still
// carrying out a command read before; then the store forgets them.
//
// Without wait it does not wait for commands under way: what an admin
// command does (disable_user, reset_password, change_password), which runs
// as a command itself, so two such commands ending each other's sessions
// never wait on each other. Nothing read after the cut is applied either way.
func (s *sessions) endSessions(match func(mra.Session) bool, wait bool) error {
	s.mu.Lock()
	var hashes []string
	for h, x := range s.byHash {
		if match(x) {
			hashes = append(hashes, h)
			delete(s.byHash, h)
		}
	}
	onClose := s.onClose
	s.mu.Unlock()
	var errs []error
	for _, h := range hashes {
		if onClose != nil {
			onClose(h, wait)
		}
		if err := s.store.DeleteSession(h); err != nil {
			errs = append(errs, fmt.Errorf("delete session: %w", err))
		}
	}
	return errors.Join(errs...)
}

// names maps the login ids of the parties' users to their full names.
func (s *sessions) names(parties []mra.PartyID) map[mra.UserID]string {
	out := map[mra.UserID]string{}
	for id, u := range s.dir.snapshot().Users {
		if slices.Contains(parties, u.Party) {
			out[id] = u.Name
		}
	}
	return out
}

// expiry returns when a session ends (zero if it is gone).
func (s *sessions) expiry(hash string) time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byHash[hash].Expires
}

type ctxKey int

const (
	userKey ctxKey = iota
	sessionKey
)

// authed wraps h: the request needs a valid session cookie (401 otherwise);
// h finds the user with requestUser.
func (s *sessions) authed(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			writeError(w, log, mra.Errorf(mra.CodeUnauthenticated, "log in first"))
			return
		}
		u, hash, ok := s.user(c.Value)
		if !ok {
			writeError(w, log, mra.Errorf(mra.CodeUnauthenticated, "your session has ended; log in again"))
			return
		}
		if u.MustChangePassword && !oneTimeMay(r) {
			writeError(w, log, mra.Errorf(mra.CodeForbidden, "change your one-time password first"))
			return
		}
		ctx := context.WithValue(context.WithValue(r.Context(), userKey, u), sessionKey, hash)
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// oneTimeMay reports whether a session made with a one-time password may
// make this request: read /api/me, log out, and send a command (of which
// only change_password is carried out).
func oneTimeMay(r *http.Request) bool {
	switch r.Method + " " + r.URL.Path {
	case "GET /api/me", "POST /api/logout", "POST /api/command":
		return true
	}
	return false
}

func requestUser(r *http.Request) mra.User {
	u, _ := r.Context().Value(userKey).(mra.User)
	return u
}

func requestSession(r *http.Request) string {
	h, _ := r.Context().Value(sessionKey).(string)
	return h
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) (err error) {
	defer func() { s.cfg.Metrics.login(err) }()
	var req struct {
		User     mra.UserID `json:"user"`
		Password string     `json:"password"`
	}
	body, err := readBody(w, r, maxBody)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, &req); err != nil || req.User == "" {
		return mra.Errorf(mra.CodeBadRequest, "send {\"user\": ..., \"password\": ...}")
	}
	if len(req.User) > maxLoginName {
		return mra.Errorf(mra.CodeBadRequest, "user is at most %d bytes", maxLoginName)
	}
	refund, err := s.sessions.guard.admit(string(req.User), clientAddr(r))
	if err != nil {
		return err
	}
	var u mra.User
	good := false
	if herr := s.sessions.guard.hash(r.Context(), func() { u, good = s.sessions.checkLogin(req.User, req.Password) }); herr != nil {
		refund() // not checked: not a failure
		return herr
	}
	if !good {
		return mra.Errorf(mra.CodeUnauthenticated, "unknown user or wrong password")
	}
	refund()
	token, u, err := s.sessions.login(u)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: secureRequest(r), Expires: s.sessions.expiry(tokenHash(token)),
	})
	s.log.Info("login", "user", u.ID, "party", u.Party)
	return writeValue(w, http.StatusOK, map[string]any{"user": u.Public()})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.end(requestSession(r)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secureRequest(r), MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// EndSessions ends every session of a user at once (what disable_user
// does): their requests are 401 from then on, and their sockets are cut,
// even one whose client stopped reading; once it returns, nothing they
// sent on a socket is still being applied, and nothing sent later will be.
func (s *Server) EndSessions(user mra.UserID) error { return s.sessions.endUser(user, true) }

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	return writeValue(w, http.StatusOK, map[string]any{"user": requestUser(r).Public()})
}

// clientAddr is the client's IP address, without the port (a trusted
// proxy's X-Forwarded-For: see serving.go).
func clientAddr(r *http.Request) string { return requestPeer(r).addr }
