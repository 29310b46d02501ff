package server

import (
	"container/list"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"mra/server/mra"
)

// Serving is how the server meets the network: the names it answers to,
// the proxies it believes, its timeouts, and how many connections without a
// session it holds. The zero value has the defaults.
type Serving struct {
	// PublicOrigins are the origins (scheme://host[:port]) the server is
	// reached at, e.g. behind a proxy. Their hosts, AllowedOrigins' hosts,
	// Hosts, "localhost" and IP addresses are the Host headers answered;
	// any other is refused (403): a name rebound to this server's address
	// (DNS rebinding) must not reach the login.
	PublicOrigins []string
	// Hosts are more host names answered (the TLS certificate's names, a
	// named listen address).
	Hosts []string
	// TrustedProxies are the addresses whose X-Forwarded-Proto and
	// X-Forwarded-For are believed (a TLS-terminating proxy in front).
	TrustedProxies []netip.Prefix

	// HeaderTimeout bounds reading a request's headers (default 5 s);
	// ReadTimeout and WriteTimeout bound a request without a session (10 s
	// and 30 s: a login, a file of the page); SessionTimeout replaces both
	// for a request with a valid session (default 10 min: a 16 MiB proposal
	// on a slow line, a 3 MB export to a slow reader). A WebSocket has no
	// server deadline once upgraded (it has its own). IdleTimeout closes a
	// kept-alive connection with no request (default 60 s).
	HeaderTimeout, ReadTimeout, WriteTimeout, SessionTimeout, IdleTimeout time.Duration

	// MaxWaiting bounds the connections that have no session and are not in
	// a handler: still sending headers, or idle between requests (default
	// 1024). Past it, the one waiting longest is closed.
	MaxWaiting int
	// MaxAnonymous bounds the requests without a valid session in their
	// handlers at once (default 256): a login, a file of the page. Past it
	// a request is answered rate_limited at once and its connection closed,
	// unread. /healthz is not counted.
	MaxAnonymous int
	// MaxAnonymousPerAddr bounds those of them from one client address
	// (default 32), so one attacker's slow bodies cannot take every slot
	// and a login from elsewhere still gets one.
	MaxAnonymousPerAddr int
}

func (c *Serving) defaults() error {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&c.HeaderTimeout, 5*time.Second)
	set(&c.ReadTimeout, 10*time.Second)
	set(&c.WriteTimeout, 30*time.Second)
	set(&c.SessionTimeout, 10*time.Minute)
	set(&c.IdleTimeout, 60*time.Second)
	if c.MaxWaiting <= 0 {
		c.MaxWaiting = 1024
	}
	if c.MaxAnonymous <= 0 {
		c.MaxAnonymous = 256
	}
	if c.MaxAnonymousPerAddr <= 0 {
		c.MaxAnonymousPerAddr = 32
	}
	for _, o := range c.PublicOrigins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
			return fmt.Errorf("public origin %q: want scheme://host[:port]", o)
		}
	}
	return nil
}

// servedHosts are the host names (lower case, no port) that the Host
// header may name besides IP addresses and localhost.
func servedHosts(cfg Config) map[string]bool {
	hosts := map[string]bool{}
	for _, o := range slices.Concat(cfg.AllowedOrigins, cfg.Serving.PublicOrigins) {
		if u, err := url.Parse(o); err == nil {
			hosts[strings.ToLower(u.Hostname())] = true
		}
	}
	for _, h := range cfg.Serving.Hosts {
		hosts[strings.ToLower(strings.TrimSuffix(h, "."))] = true
	}
	return hosts
}

// hostAllowed reports whether a Host header names this server. An IP
// address cannot be rebound, and browsers keep localhost on loopback.
func (s *Server) hostAllowed(host string) bool {
	if host == "" {
		return true // HTTP/1.0; no browser sends it
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		return true
	}
	return name == "localhost" || s.hosts[name]
}

type servingKey struct{}

// peer is what the request's connection says of its client, as far as it
// is believed: the address and whether the client spoke TLS.
type peer struct {
	addr  string
	https bool
}

// forwarded works out the request's client: the connection's own, or,
// from a trusted proxy, the one its X-Forwarded-For and X-Forwarded-Proto
// name (the rightmost address of the chain that is not a trusted proxy).
func (s *Server) forwarded(r *http.Request) peer {
	p := peer{addr: r.RemoteAddr, https: r.TLS != nil}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		p.addr = host
	}
	if !s.trusted(p.addr) {
		return p
	}
	if proto := lastValue(r.Header.Values("X-Forwarded-Proto")); proto != "" {
		p.https = strings.EqualFold(proto, "https")
	}
	var chain []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, a := range strings.Split(v, ",") {
			chain = append(chain, strings.TrimSpace(a))
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(chain[i])
		if err != nil {
			break // not an address: believe nothing left of it
		}
		p.addr = a.Unmap().String()
		if !s.trusted(p.addr) {
			break
		}
	}
	return p
}

func lastValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	parts := strings.Split(vs[len(vs)-1], ",")
	return strings.TrimSpace(parts[len(parts)-1])
}

func (s *Server) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return slices.ContainsFunc(s.cfg.Serving.TrustedProxies, func(p netip.Prefix) bool { return p.Contains(a) })
}

// requestPeer is the request's believed client (see forwarded).
func requestPeer(r *http.Request) peer {
	if p, ok := r.Context().Value(servingKey{}).(peer); ok {
		return p
	}
	p := peer{addr: r.RemoteAddr, https: r.TLS != nil}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		p.addr = host
	}
	return p
}

// secureRequest reports whether the client reached us over TLS (ours or a
// trusted proxy's): the session cookie is then Secure.
func secureRequest(r *http.Request) bool { return requestPeer(r).https }

// serving is the outermost handler: every answer is nosniff; a path that is
// not UTF-8 is a 400; a Host that is not ours is a 403 (but /healthz, which
// probes may call by any name); the client is worked out (trusted proxies);
// and the request's connection is told whether it has proven a session, to
// lift its deadlines, or else takes one of the anonymous slots.
func (s *Server) serving(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if !utf8.ValidString(r.URL.Path) {
			writeError(w, s.log, mra.Errorf(mra.CodeBadRequest, "the path is not valid UTF-8"))
			return
		}
		health := r.URL.Path == "/healthz"
		if !health && !s.hostAllowed(r.Host) {
			writeError(w, s.log, mra.Errorf(mra.CodeForbidden, "this server does not answer to host %q", r.Host))
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), servingKey{}, s.forwarded(r)))
		gc := guardedConnOf(r)
		if gc == nil {
			h.ServeHTTP(w, r)
			return
		}
		if gc.g.busy(gc) {
			defer gc.g.idle(gc)
		}
		if !gc.proven.Load() && s.hasSession(r) {
			gc.g.prove(gc)
		}
		if gc.proven.Load() {
			rc := http.NewResponseController(w)
			end := time.Now().Add(s.cfg.Serving.SessionTimeout)
			rc.SetReadDeadline(end)
			rc.SetWriteDeadline(end)
		} else if !health {
			addr := requestPeer(r).addr
			if gc.g.enter(addr) {
				defer gc.g.leave(addr)
			} else {
				// answered at once, and the body is not waited for: the
				// connection closes after the answer
				w.Header().Set("Connection", "close")
				writeError(w, s.log, mra.Errorf(mra.CodeRateLimited, "the server is busy; try again in a moment"))
				rc := http.NewResponseController(w)
				rc.Flush()
				rc.SetReadDeadline(time.Now())
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// hasSession reports whether the request carries a valid session cookie.
func (s *Server) hasSession(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	_, _, ok := s.sessions.user(c.Value)
	return ok
}

// HTTPServer returns the http.Server to serve s with on a listener from
// s.Listener: its timeouts (Serving's), and the hook by which a request
// finds its connection.
func (s *Server) HTTPServer(log *slog.Logger) *http.Server {
	c := s.cfg.Serving
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: c.HeaderTimeout,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
	}
}

// Listener wraps ln so that the connections without a session are bounded
// (Serving.MaxWaiting and MaxAnonymous). Wrap it in TLS, not the reverse.
func (s *Server) Listener(ln net.Listener) net.Listener {
	return &guardListener{Listener: ln, g: s.conns}
}

// ConnStats says how many connections s holds through its Listener, and
// how many it closed for waiting too long without a session.
func (s *Server) ConnStats() (open, waiting, evicted int) {
	g := s.conns
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open, g.waiting.Len(), g.evicted
}

type connKey struct{}

// connGuard tracks the connections of a guarded listener. A connection is
// waiting (on the list: evictable) from its accept until a request of it
// reaches the handler, and again between requests, until one of its
// requests carries a valid session: then it is proven for good.
type connGuard struct {
	max                int
	anonymous, perAddr int // bounds of the requests without a session

	mu      sync.Mutex
	inside  int            // requests without a session in handlers
	byAddr  map[string]int // of them, from each client address
	waiting list.List      // of *guardedConn, oldest first
	open    int
	evicted int
}

func newConnGuard(c Serving) *connGuard {
	return &connGuard{max: c.MaxWaiting, anonymous: c.MaxAnonymous, perAddr: c.MaxAnonymousPerAddr, byAddr: map[string]int{}}
}

// enter takes a slot for a request without a session from addr, if both
// the overall and the address's bound allow; leave gives it back.
func (g *connGuard) enter(addr string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inside >= g.anonymous || g.byAddr[addr] >= g.perAddr {
		return false
	}
	g.inside++
	g.byAddr[addr]++
	return true
}

func (g *connGuard) leave(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inside--
	if g.byAddr[addr]--; g.byAddr[addr] <= 0 {
		delete(g.byAddr, addr)
	}
}

type guardListener struct {
	net.Listener
	g *connGuard
}

func (l *guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	gc := &guardedConn{Conn: c, g: l.g}
	g := l.g
	g.mu.Lock()
	g.open++
	gc.elem = g.waiting.PushBack(gc)
	var evict *guardedConn
	if g.waiting.Len() > g.max {
		evict = g.waiting.Remove(g.waiting.Front()).(*guardedConn)
		evict.elem = nil
		g.evicted++
	}
	g.mu.Unlock()
	if evict != nil {
		evict.Conn.Close() // its server goroutine sees the error and calls Close
	}
	return gc, nil
}

type guardedConn struct {
	net.Conn
	g      *connGuard
	elem   *list.Element // on g.waiting; under g.mu
	proven atomic.Bool
	closed bool // under g.mu
}

func (c *guardedConn) Close() error {
	g := c.g
	g.mu.Lock()
	if !c.closed {
		c.closed = true
		g.open--
		if c.elem != nil {
			g.waiting.Remove(c.elem)
			c.elem = nil
		}
	}
	g.mu.Unlock()
	return c.Conn.Close()
}

// busy takes c off the waiting list while a request of it is handled; it
// reports whether c was on it (then idle puts it back).
func (g *connGuard) busy(c *guardedConn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c.elem == nil {
		return false
	}
	g.waiting.Remove(c.elem)
	c.elem = nil
	return true
}

func (g *connGuard) idle(c *guardedConn) {
	if c.proven.Load() {
		return
	}
	g.mu.Lock()
	if !c.closed && c.elem == nil {
		c.elem = g.waiting.PushBack(c)
	}
	g.mu.Unlock()
}

func (g *connGuard) prove(c *guardedConn) { c.proven.Store(true) }

// guardedConnOf is the request's connection, if it came through a guarded
// listener (under TLS or not).
func guardedConnOf(r *http.Request) *guardedConn {
	c, _ := r.Context().Value(connKey{}).(net.Conn)
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	gc, _ := c.(*guardedConn)
	return gc
}

// hasVersion reports whether negotiation id, which user's party shares,
// has version v (presence may only point at one that exists).
func (s *Server) hasVersion(user mra.User, id mra.NegotiationID, v int) bool {
	ok := false
	s.engine.view(id, user, func(n *mra.Negotiation) { ok = v >= 1 && v <= len(n.Versions) })
	return ok
}
