// Package servertest is the one test world of mra's server, CLI and page
// tests: a real server on loopback over a real bbolt file in a temporary
// directory, the test parties and users, logged-in HTTP and WebSocket
// clients whose command ids come from one counter, helpers that check what
// an answer holds, and a store wrapper that fails commits on cue.
package servertest

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mra/server"
	"mra/server/boltstore"
	"mra/server/mra"
)

// The test world: three parties (EX takes part in no negotiation of the
// tests unless asked), a user of each role in US and SG, one in EX.
var (
	Parties = []mra.Party{
		{ID: "US", Name: "U.S. Customs and Border Protection", Program: "CTPAT"},
		{ID: "SG", Name: "Singapore Customs", Program: "STP"},
		{ID: "EX", Name: "Example Customs", Program: "AEO"},
	}
	Users = []mra.User{
		{ID: "us-neg", Name: "US Negotiator", Party: "US", Roles: []mra.Role{mra.Negotiator}},
		{ID: "us-legal", Name: "US Legal", Party: "US", Roles: []mra.Role{mra.Legal}},
		{ID: "us-legal2", Name: "US Legal 2", Party: "US", Roles: []mra.Role{mra.Legal}},
		{ID: "us-sign", Name: "US Signatory", Party: "US", Roles: []mra.Role{mra.Signatory}},
		{ID: "us-admin", Name: "US Admin", Party: "US", Roles: []mra.Role{mra.Admin}},
		{ID: "sg-admin", Name: "SG Admin", Party: "SG", Roles: []mra.Role{mra.Admin}},
		{ID: "sg-neg", Name: "SG Negotiator", Party: "SG", Roles: []mra.Role{mra.Negotiator}},
		{ID: "sg-legal", Name: "SG Legal", Party: "SG", Roles: []mra.Role{mra.Legal}},
		{ID: "sg-sign", Name: "SG Signatory", Party: "SG", Roles: []mra.Role{mra.Signatory}},
		{ID: "ex-neg", Name: "EX Negotiator", Party: "EX", Roles: []mra.Role{mra.Negotiator, mra.Legal}},
	}
	// Password is every test user's password.
	Password = "correct horse battery"

	hashOnce sync.Once
	hash     string
)

// Seed adds parties and users, each user with the password hash given, in
// one commit on the admin stream, as the operator does.
func Seed(st mra.Store, parties []mra.Party, users []mra.User, hash string) error {
	var ops []server.Operation
	for _, p := range parties {
		ops = append(ops, server.AddParty(p))
	}
	for _, u := range users {
		u.PasswordHash = hash
		ops = append(ops, server.AddUser(u))
	}
	_, err := server.Operate(st, time.Now(), ops...)
	return err
}

// PasswordHash returns the hash of Password, computed once per process.
func PasswordHash() string {
	hashOnce.Do(func() {
		var err error
		if hash, err = server.HashPassword(Password); err != nil {
			panic(err)
		}
	})
	return hash
}

// Options shape a World; the zero value is a plain server.
type Options struct {
	QueueBytes int             // server.Config.SocketQueueBytes (0: the default)
	Stall      time.Duration   // server.Config.SocketStall (0: the default)
	SessionTTL time.Duration   // server.Config.SessionTTL (0: the default)
	Metrics    *server.Metrics // server.Config.Metrics and the store's OnCommit (nil: none)
	Page       fs.FS           // served at "/" when set
	// Wrap, when set, wraps the real store each time the server starts
	// (a Faulty store, say).
	Wrap func(*boltstore.Store) mra.Store
	// Log receives the server's log (default: discarded).
	Log *slog.Logger
	// Empty leaves the database without the test parties and users.
	Empty bool
	// Listen, when set, wraps the server's listener (to cut the network
	// under a page, say).
	Listen func(net.Listener) net.Listener
	// Serving, when set, is the server's Serving, and the world serves as
	// mra serve does: the server's own http.Server and guarded listener.
	Serving *server.Serving
}

// World is a real server on loopback over a real bbolt file.
type World struct {
	T    testing.TB
	Path string // the database file
	Opts Options

	Bolt  *boltstore.Store // the real store while the server runs
	Store mra.Store        // what the server was given (Bolt, or its wrapper)
	Srv   *server.Server
	HTTP  *httptest.Server

	now atomic.Pointer[time.Time]
	ids atomic.Int64
}

// New creates the database with the test parties and users and starts the
// server on it; the test's cleanup stops both.
func New(t testing.TB, opts Options) *World {
	t.Helper()
	w := &World{T: t, Path: filepath.Join(t.TempDir(), "mra.db"), Opts: opts}
	st, err := boltstore.Open(w.Path, w.storeOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !opts.Empty {
		if err := Seed(st, Parties, Users, PasswordHash()); err != nil {
			t.Fatal(err)
		}
	}
	w.Bolt = st
	w.Start()
	t.Cleanup(w.Stop)
	return w
}

// storeOptions are the store's options: its OnCommit feeds Opts.Metrics.
func (w *World) storeOptions() boltstore.Options {
	if w.Opts.Metrics == nil {
		return boltstore.Options{}
	}
	return boltstore.Options{OnCommit: w.Opts.Metrics.ObserveBatch}
}

// Start opens the database (unless open) and starts the server on it.
func (w *World) Start() {
	w.T.Helper()
	if w.Bolt == nil {
		st, err := boltstore.Open(w.Path, w.storeOptions())
		if err != nil {
			w.T.Fatal(err)
		}
		w.Bolt = st
	}
	w.Store = w.Bolt
	if w.Opts.Wrap != nil {
		w.Store = w.Opts.Wrap(w.Bolt)
	}
	log := w.Opts.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var serving server.Serving
	if w.Opts.Serving != nil {
		serving = *w.Opts.Serving
	}
	srv, err := server.New(server.Config{
		Serving:          serving,
		AllowedOrigins:   []string{"https://partner.example"},
		SocketQueueBytes: w.Opts.QueueBytes,
		SocketStall:      w.Opts.Stall,
		SessionTTL:       w.Opts.SessionTTL,
		Now:              w.Now,
		Metrics:          w.Opts.Metrics,
	}, w.Store, w.Opts.Page, log)
	if err != nil {
		w.T.Fatal(err)
	}
	w.Srv = srv
	w.HTTP = httptest.NewUnstartedServer(srv.Handler())
	if w.Opts.Listen != nil {
		w.HTTP.Listener = w.Opts.Listen(w.HTTP.Listener)
	}
	if w.Opts.Serving != nil {
		w.HTTP.Config = srv.HTTPServer(log)
		w.HTTP.Listener = srv.Listener(w.HTTP.Listener)
	}
	w.HTTP.Start()
}

// Stop closes the server and the database.
func (w *World) Stop() {
	if w.HTTP != nil {
		w.HTTP.Close()
		w.Srv.Close()
		w.HTTP = nil
	}
	if w.Bolt != nil {
		w.Bolt.Close()
		w.Bolt, w.Store = nil, nil
	}
}

// Restart closes the server and the database and opens both again; the
// clients' sessions survive (they are stored), their sockets do not.
func (w *World) Restart() {
	w.Stop()
	w.Start()
}

// Now is the server's clock: SetNow's time, or the real one.
func (w *World) Now() time.Time {
	if p := w.now.Load(); p != nil {
		return *p
	}
	return time.Now()
}

// SetNow sets the server's clock.
func (w *World) SetNow(t time.Time) { w.now.Store(&t) }

// URL is the server's base URL.
func (w *World) URL() string { return w.HTTP.URL }

// NextID returns a fresh command id: one counter for every client of the
// world, across restarts, so no test ever repeats an id by accident.
func (w *World) NextID() string { return fmt.Sprintf("cmd-%d", w.ids.Add(1)) }

// Verify runs the checks of `mra verify` on the world's database: every
// chain, then the state against the fold of the log.
func (w *World) Verify() error {
	if err := w.Bolt.CheckFile(); err != nil {
		return err
	}
	_, err := w.Bolt.Audit() // every chain, then the fold
	return err
}
