// Package server is mra's HTTP and WebSocket edge: sessions, the command
// path shared by both transports, the read endpoints, the Origin and
// Content-Type rules, and the mapping of contract codes to HTTP statuses.
// The domain rules live in server/mra; storage comes in as an mra.Store and
// the page as an fs.FS.
package server

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"mra/server/mra"
)

// Limits on what a request may carry.
const (
	maxBody    = 64 << 10 // any request body but a proposed version
	maxCommand = 16 << 20 // a command that carries a text (propose_version); also the frame limit
)

// Config is how a Server behaves.
type Config struct {
	// AllowedOrigins are origins besides the server's own that may send
	// requests and open sockets (e.g. "https://mra.example.gov").
	AllowedOrigins []string
	// SessionTTL is how long a login lasts (default 12 hours).
	SessionTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// SocketQueueBytes is how many bytes may wait for one WebSocket before
	// it is dropped as too slow, if its writer has also been stuck on one
	// frame for SocketStall (defaults 8 MiB and 5 s).
	SocketQueueBytes int
	SocketStall      time.Duration
	// Metrics, when set, counts commands, logins and sockets (metrics.go).
	Metrics *Metrics
	// State, when set, is the negotiations to serve as the caller has them
	// (from the store's audit, which folds the log); New then does not load
	// them again. Nil: New loads them from the store's records.
	State []*mra.Negotiation
	// Serving is how the server meets the network (see serving.go).
	Serving Serving
}

// Server serves the contract over HTTP. Create it with New.
type Server struct {
	log      *slog.Logger
	cfg      Config
	engine   *engine
	sessions *sessions
	dir      *directory
	page     fs.FS
	handler  http.Handler

	hub        *hub
	wsUpgrader *websocket.Upgrader

	// Bytes of large bodies and of streamed reads in flight (budget.go).
	bodies, reads *budget
	hosts         map[string]bool // served host names (serving.go)
	conns         *connGuard
}

// New loads the state from store and returns a server for it. page, if not
// nil, is served at "/".
func New(cfg Config, store mra.Store, page fs.FS, log *slog.Logger) (*Server, error) {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SocketQueueBytes <= 0 {
		cfg.SocketQueueBytes = 8 << 20
	}
	if cfg.SocketStall <= 0 {
		cfg.SocketStall = 5 * time.Second
	}
	for _, o := range cfg.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
			return nil, fmt.Errorf("allowed origin %q: want scheme://host[:port]", o)
		}
	}
	if err := cfg.Serving.defaults(); err != nil {
		return nil, err
	}
	dir, err := newDirectory(store)
	if err != nil {
		return nil, err
	}
	eng, err := newEngine(store, dir, log, cfg.Now, cfg.State)
	if err != nil {
		return nil, err
	}
	ses, err := newSessions(store, dir, cfg.SessionTTL, cfg.Now)
	if err != nil {
		return nil, err
	}
	s := &Server{log: log, cfg: cfg, engine: eng, sessions: ses, dir: dir, page: page, hub: newHub()}
	eng.admin = s.runAdmin
	s.hosts, s.conns = servedHosts(cfg), newConnGuard(cfg.Serving)
	s.wsUpgrader = s.upgrader()
	s.bodies = newBudget(largeBodiesTotal, largeBodiesPerUser, budgetWait, "large requests")
	s.reads = newBudget(readsTotal, readsPerUser, budgetWait, "reads")
	eng.publish = s.hub.publish
	eng.metrics = cfg.Metrics
	cfg.Metrics.attach(s.hub)
	ses.onClose = s.hub.closeSession
	s.handler = s.routes()
	return s, nil
}

// Close closes every WebSocket, telling clients the server is going away.
// Call it after http.Server.Shutdown, which does not track sockets.
func (s *Server) Close() { s.hub.close() }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	authed := func(h handlerFunc) http.Handler { return s.sessions.authed(s.serve(h), s.log) }
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("POST /api/login", s.serve(s.handleLogin))
	mux.Handle("POST /api/logout", authed(s.handleLogout))
	mux.Handle("GET /api/me", authed(s.handleMe))
	mux.Handle("POST /api/command", authed(s.handleCommand))
	mux.Handle("GET /ws", s.sessions.authed(http.HandlerFunc(s.handleWS), s.log))
	mux.Handle("GET /api/parties", authed(s.handleParties))
	mux.Handle("GET /api/users", authed(s.handleUsers))
	mux.Handle("GET /api/partnerships", authed(s.handlePartnerships))
	mux.Handle("GET /api/partnerships/{id}", authed(s.handlePartnership))
	mux.Handle("GET /api/negotiations", authed(s.handleList))
	mux.Handle("GET /api/negotiations/{id}", authed(s.handleSnapshot))
	mux.Handle("GET /api/negotiations/{id}/versions/{n}", authed(s.handleVersion))
	mux.Handle("GET /api/negotiations/{id}/diff", authed(s.handleDiff))
	mux.Handle("POST /api/negotiations/{id}/diff", authed(s.handlePreview))
	mux.Handle("GET /api/negotiations/{id}/events", authed(s.handleEvents))
	mux.Handle("GET /api/negotiations/{id}/export", authed(s.handleExport))
	mux.Handle("GET /api/negotiations/{id}/review-carry", authed(s.handleReviewCarry))
	mux.Handle("GET /api/negotiations/{id}/next-text", authed(s.handleNextText))
	mux.Handle("POST /api/import", authed(s.handleImport))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, s.log, mra.Errorf(mra.CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	if s.page != nil {
		files := http.FileServerFS(s.page)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
				return
			}
			h := w.Header()
			h.Set("Content-Security-Policy", pagePolicy)
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cache-Control", "no-cache")
			files.ServeHTTP(w, r)
		})
	}
	return s.serving(s.guard(mux))
}

// pagePolicy lets the page load only its own scripts, styles and images,
// and talk only to its own origin (WebSocket included); no inline script.
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// guard applies the rules every request passes: a present Origin must be
// the server's own or an allowed one (403), and a state-changing request
// must be JSON (400), but POST /api/import, whose body is a DOCX (its
// handler checks that media type, which a cross-site form cannot send).
func (s *Server) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.originAllowed(r) {
			writeError(w, s.log, mra.Errorf(mra.CodeForbidden, "requests from origin %q are not allowed", r.Header.Get("Origin")))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions && r.URL.Path != "/api/import" {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, s.log, mra.Errorf(mra.CodeBadRequest, "a %s request needs Content-Type: application/json", r.Method))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// originAllowed reports whether the request's Origin, if any, is the
// server's own (same scheme and host) or one of the allowed origins.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	scheme := "http"
	if secureRequest(r) {
		scheme = "https"
	}
	if strings.EqualFold(origin, scheme+"://"+r.Host) {
		return true
	}
	return slices.ContainsFunc(slices.Concat(s.cfg.AllowedOrigins, s.cfg.Serving.PublicOrigins), func(o string) bool { return strings.EqualFold(o, origin) })
}

// readBody reads a request body of at most limit bytes; too_large beyond.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, mra.Errorf(mra.CodeTooLarge, "the request body is over %d bytes", limit)
	}
	if err != nil {
		return nil, mra.Errorf(mra.CodeBadRequest, "could not read the request body")
	}
	return b, nil
}

// handleCommand is POST /api/command: one command, answered as over the
// socket, with its code's HTTP status.
func (s *Server) handleCommand(w http.ResponseWriter, r *http.Request) error {
	body, release, err := s.readLarge(w, r, maxCommand)
	if err != nil {
		e := asContractError(s.log, err)
		s.cfg.Metrics.command("", e.Code) // refused unread (too large, or past the budget): no type known
		writeJSON(w, HTTPStatus(e.Code), errorAnswer("", e))
		return nil
	}
	defer release()
	answer, code := s.execute(requestUser(r), requestSession(r), body)
	status := http.StatusOK
	if code != "" {
		status = HTTPStatus(code)
	}
	writeJSON(w, status, answer)
	return nil
}

// Execute runs one mutating command from user, as received on either
// transport, and returns its answer's JSON and the error code ("" for an
// ack). Subscriptions and presence are the socket's; here they are refused.
func (s *Server) Execute(user mra.User, raw []byte) ([]byte, mra.Code) {
	return s.execute(user, "", raw)
}

// execute is Execute from a session (its hash; "" if none).
func (s *Server) execute(user mra.User, session string, raw []byte) ([]byte, mra.Code) {
	cmd, perr := mra.ParseCommand(raw)
	if perr != nil {
		s.cfg.Metrics.command(cmd.Type, perr.Code)
		return errorAnswer(cmd.ID, perr), perr.Code
	}
	if !cmd.Type.Mutating() {
		e := mra.Errorf(mra.CodeBadRequest, "%s works over the WebSocket at /ws", cmd.Type)
		s.cfg.Metrics.command(cmd.Type, e.Code)
		return errorAnswer(cmd.ID, e), e.Code
	}
	return s.engine.execute(user, session, cmd)
}
