package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"mra/server"
	"mra/server/boltstore"
)

// Config is what `mra serve` and `mra demo` run with.
type Config struct {
	Addr           string
	MetricsAddr    string // where GET /metrics is served, never Addr ("": nowhere)
	Backup         bool   // MetricsAddr also serves GET /backup: a consistent copy of the whole database
	DB             string
	AllowedOrigins []string
	Demo           bool // seed an empty database with demo data first
	// Serving: HTTPS with this certificate and key (PEM files), the
	// origins the server is reached at, the proxies whose X-Forwarded-*
	// headers are believed.
	TLSCert, TLSKey string
	PublicOrigins   []string
	TrustedProxies  []netip.Prefix
}

// App is the running program: the store, the server and its listener. Open
// starts it, Close stops it; tests run the real program this way on :0.
type App struct {
	cfg    Config
	log    *slog.Logger
	stdout io.Writer
	store  *boltstore.Store
	server *server.Server
	srv    *http.Server
	ln     net.Listener
	done   chan error

	metrics *metricsServer // nil without MetricsAddr
}

// metricsServer serves /metrics on an address of its own.
type metricsServer struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Open opens the database, seeds it when asked, and starts serving.
func Open(cfg Config, log *slog.Logger, stdout io.Writer) (*App, error) {
	a := &App{cfg: cfg, log: log, stdout: stdout}
	var metrics *server.Metrics
	var opts boltstore.Options
	var mln net.Listener
	if cfg.MetricsAddr != "" {
		var err error
		if mln, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return nil, fmt.Errorf("listen for metrics: %w", err)
		}
		defer func() {
			if a.metrics == nil { // Open failed
				mln.Close()
			}
		}()
		metrics = server.NewMetrics()
		opts.OnCommit = metrics.ObserveBatch
	}
	st, err := boltstore.Open(cfg.DB, opts)
	if err != nil {
		return nil, err
	}
	// Open walked the file's pages; the audit checks every chain and the
	// state against the fold of the log, and gives the state to serve. It
	// makes much short-lived garbage: collect less often meanwhile.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	state, err := st.Audit()
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("%s fails its audit, so it is not served (mra verify --db %s says the same): %w", cfg.DB, cfg.DB, err)
	}
	a.store = st
	var seed *demoSeed
	if cfg.Demo {
		if seed, err = seedUsers(st); err != nil {
			st.Close()
			return nil, err
		}
	}
	serving, tlsConfig, err := cfg.serving()
	if err != nil {
		st.Close()
		return nil, err
	}
	s, err := server.New(server.Config{AllowedOrigins: cfg.AllowedOrigins, State: state, Metrics: metrics, Serving: serving}, st, page(), log)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("start server: %w", err)
	}
	if seed != nil {
		if err := seed.negotiation(s); err != nil {
			st.Close()
			return nil, err
		}
	}
	a.server = s
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	a.ln = ln
	a.srv = s.HTTPServer(log)
	served := s.Listener(ln)
	if tlsConfig != nil {
		served = tls.NewListener(served, tlsConfig)
	}
	a.done = make(chan error, 1)
	go func() { a.done <- a.srv.Serve(served) }()
	if seed != nil {
		seed.print(stdout, a.URL())
	} else if cfg.Demo {
		fmt.Fprintf(stdout, "%s has users already: their passwords were shown when it was made, once.\n"+
			"A forgotten one: an admin (dan, raj) resets it in the page, or stop mra and run\n"+
			"  mra user reset-password --db %s --id USER\n"+
			"To start over with new demo passwords, stop mra and delete %s.\n", cfg.DB, cfg.DB, cfg.DB)
	}
	fmt.Fprintf(stdout, "mra is serving %s on %s\n", cfg.DB, a.URL())
	if metrics != nil {
		var backup func(io.Writer) (int64, error)
		if cfg.Backup {
			backup = a.store.Backup
		}
		a.metrics = serveMetrics(mln, metrics, backup, log)
		fmt.Fprintf(stdout, "metrics on %s\n", a.MetricsURL())
	}
	return a, nil
}

// serveMetrics starts the operator's server on ln: GET /metrics and, when
// backup is not nil, GET /backup.
func serveMetrics(ln net.Listener, m *server.Metrics, backup func(io.Writer) (int64, error), log *slog.Logger) *metricsServer {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	if backup != nil {
		mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
			// a large file may take longer than the server's write timeout
			http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Hour))
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", `attachment; filename="mra-backup-`+time.Now().UTC().Format("20060102T150405Z")+`.db"`)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			n, err := backup(w)
			if err != nil {
				log.Error("backup", "err", err, "bytes", n)
				return
			}
			log.Info("backup", "bytes", n, "from", r.RemoteAddr)
		})
	}
	ms := &metricsServer{ln: ln, done: make(chan error, 1), srv: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}
	go func() { ms.done <- ms.srv.Serve(ln) }()
	return ms
}

// close stops the metrics server like the main one (until ctx ends).
func (ms *metricsServer) close(ctx context.Context) error {
	err := ms.srv.Shutdown(ctx)
	if serr := <-ms.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// MetricsURL is where /metrics is served; "" without Config.MetricsAddr.
func (a *App) MetricsURL() string {
	if a.metrics == nil {
		return ""
	}
	return "http://" + a.metrics.ln.Addr().String() + "/metrics"
}

// URL is where the app listens.
func (a *App) URL() string {
	if a.cfg.TLSCert != "" {
		return "https://" + a.ln.Addr().String()
	}
	return "http://" + a.ln.Addr().String()
}

// serving is the server's Serving and, given a certificate, its TLS
// configuration: the certificate's names (and a named --addr host) are
// hosts the server answers to.
func (cfg Config) serving() (server.Serving, *tls.Config, error) {
	sv := server.Serving{PublicOrigins: cfg.PublicOrigins, TrustedProxies: cfg.TrustedProxies}
	if host, _, err := net.SplitHostPort(cfg.Addr); err == nil && host != "" {
		if _, err := netip.ParseAddr(host); err != nil {
			sv.Hosts = append(sv.Hosts, host)
		}
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return sv, nil, errors.New("--tls-cert and --tls-key go together")
	}
	if cfg.TLSCert == "" {
		return sv, nil, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return sv, nil, fmt.Errorf("TLS certificate: %w", err)
	}
	if cert.Leaf != nil {
		sv.Hosts = append(sv.Hosts, cert.Leaf.DNSNames...)
	}
	// HTTP/1.1 only: the WebSocket upgrade needs it, and nothing here
	// gains from HTTP/2.
	return sv, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}, nil
}

// Close stops accepting, lets requests in flight finish (until ctx ends),
// then closes the store.
func (a *App) Close(ctx context.Context) error {
	err := a.srv.Shutdown(ctx)
	a.server.Close()
	if serr := <-a.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if a.metrics != nil {
		if merr := a.metrics.close(ctx); merr != nil && err == nil {
			err = merr
		}
	}
	if cerr := a.store.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return serve("serve", false, args, stdout, stderr)
}

func runDemo(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return serve("demo", true, args, stdout, stderr)
}

// serve parses the flags of serve and demo and runs until SIGINT or SIGTERM.
func serve(name string, demo bool, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mra "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := Config{Demo: demo}
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "`host:port` to listen on")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "`host:port` to serve GET /metrics on (Prometheus text format; off when empty; never the public address)")
	fs.BoolVar(&cfg.Backup, "backup", false, "also serve GET /backup on --metrics-addr: a consistent copy of the whole database, every party's data (for the operator only)")
	fs.StringVar(&cfg.DB, "db", "mra.db", "database `file` (created if missing)")
	var origins stringList
	fs.Var(&origins, "allowed-origin", "another `origin` (scheme://host[:port]) allowed to call the API; repeatable")
	var publicOrigins stringList
	fs.Var(&publicOrigins, "public-origin", "an `origin` (scheme://host[:port]) the server is reached at, e.g. behind a proxy; repeatable")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "serve HTTPS with this certificate (PEM `file`; with --tls-key)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "the certificate's private key (PEM `file`)")
	fs.Func("trusted-proxy", "a proxy's address range (`CIDR`) whose X-Forwarded-Proto and X-Forwarded-For are believed; repeatable", func(v string) error {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return fmt.Errorf("want a CIDR such as 10.0.0.0/8: %w", err)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, p.Masked())
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cfg.PublicOrigins = publicOrigins
	if cfg.Backup && cfg.MetricsAddr == "" {
		fmt.Fprintf(stderr, "mra %s: --backup needs --metrics-addr (the operator's address, never the public one)\n", name)
		return exitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "mra %s: unexpected argument %q\n", name, fs.Arg(0))
		return exitUsage
	}
	cfg.AllowedOrigins = origins
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app, err := Open(cfg, log, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "mra %s: %v\n", name, err)
		return exitFail
	}
	var metricsDone chan error // nil, never ready, without metrics
	if app.metrics != nil {
		metricsDone = app.metrics.done
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-app.done:
		app.done <- err
		log.Error("server stopped", "err", err)
	case err := <-metricsDone:
		metricsDone <- err
		log.Error("metrics server stopped", "err", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.Close(shutdown); err != nil {
		fmt.Fprintf(stderr, "mra %s: shut down: %v\n", name, err)
		return exitFail
	}
	return exitOK
}
