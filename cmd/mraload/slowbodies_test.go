package main

import (
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mra/server"
	"mra/server/boltstore"
)

// TestSlowBodies runs the -slow-bodies mode against a real server with
// small bounds: it opens its connections, /healthz answers, and the report
// counts the ones the server turned away.
func TestSlowBodies(t *testing.T) {
	url := serveLoopback(t, server.Config{Serving: server.Serving{MaxWaiting: 20, MaxAnonymous: 10}})

	var out strings.Builder
	if err := slowBodies(config{url: url, timeout: 30 * time.Second}, 300, 200*time.Millisecond, &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`closed or answered (\d+) of 300`).FindStringSubmatch(out.String())
	if !strings.Contains(out.String(), "opened 300 slow bodies") || !strings.Contains(out.String(), "during   healthz median") ||
		strings.Contains(out.String(), "5 of 5 failed") || m == nil {
		t.Fatalf("report:\n%s", out.String())
	}
	if n, _ := strconv.Atoi(m[1]); n < 300-30 {
		t.Errorf("the server turned away %d of 300:\n%s", n, out.String())
	}
}

// TestFailedLogins runs the -failed-logins mode against a real server: of
// 40 wrong passwords for one user at once, the limit (10) lets few through
// to be checked and refuses the rest, and /healthz is probed meanwhile.
func TestFailedLogins(t *testing.T) {
	url := serveLoopback(t, server.Config{})

	var out strings.Builder
	if err := failedLogins(config{url: url, user: "alice", timeout: 30 * time.Second}, 40, &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`answers map\[(?:401:(\d+) )?429:(\d+)\]`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "healthz during: median") {
		t.Fatalf("report:\n%s", out.String())
	}
	checked, _ := strconv.Atoi(m[1])
	if refused, _ := strconv.Atoi(m[2]); checked > 10 || checked+refused != 40 {
		t.Errorf("40 failed logins: %d checked, %d refused; want at most 10 checked:\n%s", checked, refused, out.String())
	}
}

// serveLoopback serves an empty database with cfg on loopback, as the real
// program does (its listener and http.Server), until the test ends; it
// returns the base URL.
func serveLoopback(t *testing.T, cfg server.Config) string {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "load.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(cfg, st, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := srv.HTTPServer(log)
	go hs.Serve(srv.Listener(ln))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return "http://" + ln.Addr().String()
}
