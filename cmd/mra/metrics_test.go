package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mra/server/mra"
	"mra/server/servertest"
)

// series is one scrape: each sample under its name and sorted labels, as
// `name{a="x",b="y"}`.
type series map[string]float64

var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)

// scrape reads GET url in the Prometheus text format.
func scrape(t *testing.T, url string) (series, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET %s: %d %s %.200s", url, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	s := series{}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a sample line: %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		s[key(m[1], m[2])] = v
	}
	return s, string(body)
}

// key is a series' name with its labels sorted.
func key(name, labels string) string {
	if labels == "" {
		return name
	}
	pairs := strings.Split(labels, ",")
	slices.Sort(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// waitFor scrapes until ok holds of the scrape, failing after 10 s.
func waitFor(t *testing.T, url, what string, ok func(series) bool) series {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, _ := scrape(t, url)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: never seen; last scrape sockets %v, queued %v", what, s["mra_sockets_open"], s["mra_socket_queue_bytes"])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMetrics runs the real program with --metrics-addr on :0, acts on it
// as clients would, and checks what a scrape of /metrics then says, that
// the public address has no /metrics, and that no label names a user, a
// party, a negotiation or anything a client sent.
func TestMetrics(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	db := w.Path
	w.Stop() // its users stay in the file; the real program serves it
	app, err := Open(Config{Addr: "127.0.0.1:0", DB: db, MetricsAddr: "127.0.0.1:0"}, quiet(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			app.Close(context.Background())
		}
	}()
	murl := app.MetricsURL()
	if !strings.HasSuffix(murl, "/metrics") || strings.TrimSuffix(murl, "/metrics") == app.URL() {
		t.Fatalf("metrics at %q, public at %q", murl, app.URL())
	}

	start, _ := scrape(t, murl)
	for _, k := range []string{`mra_logins_total{outcome="ok"}`, `mra_logins_total{outcome="unauthenticated"}`,
		`mra_logins_total{outcome="rate_limited"}`, `mra_logins_total{outcome="bad_request"}`, "mra_sockets_open", "mra_socket_queue_bytes"} {
		if v, ok := start[k]; !ok || v != 0 {
			t.Errorf("at start %s = %v (present %v), want 0", k, v, ok)
		}
	}

	// Not on the public address, nor anything but /metrics on its own.
	for _, u := range []string{app.URL() + "/metrics", app.URL() + "/metrics/", strings.TrimSuffix(murl, "/metrics") + "/", strings.TrimSuffix(murl, "/metrics") + "/healthz"} {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || strings.Contains(string(body), "mra_") {
			t.Errorf("GET %s: %d %.100s, want 404 without metrics", u, res.StatusCode, body)
		}
	}

	// Logins: two good, one bad request, an unknown name, ten wrong
	// passwords for one user and an eleventh that the limit refuses.
	us := servertest.LoginAt(t, app.URL(), "us-neg", servertest.Password, nil)
	servertest.LoginAt(t, app.URL(), "sg-neg", servertest.Password, nil)
	res, err := http.Post(app.URL()+"/api/login", "application/json", strings.NewReader(`{"password":"x"}`))
	if err != nil || res.StatusCode != http.StatusBadRequest {
		t.Fatalf("login without a user: %v %v", err, res)
	}
	res.Body.Close()
	if _, err := servertest.TryLoginAt(t, app.URL(), "USERDATA-name", "wrong password", nil); err == nil {
		t.Fatal("an unknown user logged in")
	}
	// Wrong passwords until the limit refuses one: at least ten are
	// checked, more if a slow machine lets the bucket refill meanwhile.
	wrong := 0
	for {
		_, err := servertest.TryLoginAt(t, app.URL(), "us-sign", "wrong password", nil)
		if err != nil && strings.Contains(err.Error(), "429") {
			break
		}
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("wrong password %d: %v, want 401", wrong+1, err)
		}
		if wrong++; wrong > 20 {
			t.Fatal("20 wrong passwords for one user were never limited")
		}
	}
	if wrong < 10 {
		t.Fatalf("limited after %d wrong passwords, want 10", wrong)
	}

	// Commands over HTTP: three that commit, a stale one, an unknown type
	// and a socket-only one.
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	us.Comment(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
	us.Fails(mra.CodeConflict, map[string]any{"type": "propose_version", "negotiation": neg, "base": 0, "text": servertest.Text1})
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "USERDATA-type", "negotiation": neg})
	us.Fails(mra.CodeBadRequest, map[string]any{"type": "subscribe", "negotiation": neg})

	// Sockets: one subscribed; one that reads nothing and sends commands
	// each answered with 40 KB (its unknown type quoted back) until the
	// answers, past what the kernel's buffers take, wait in its send queue
	// (at most 180: 7 MiB, under the queue's limit).
	sock := us.Dial(t)
	id := sock.Send(map[string]any{"type": "subscribe", "negotiation": neg, "since": map[string]any{}})
	if _, ok := sock.Next(func(m servertest.Msg) bool { return m.ID == id && m.Type == "ack" }, 5*time.Second); !ok {
		t.Fatal("no ack to subscribe")
	}
	slow := us.DialStalled(t)
	big := "USERDATA-" + strings.Repeat("x", 40<<10)
	sent := 0
	var s series
	for sent < 180 {
		for range 20 {
			if err := slow.WriteJSON(map[string]any{"id": fmt.Sprintf("slow-%d", sent), "type": big}); err != nil {
				t.Fatal(err)
			}
			sent++
		}
		s = waitFor(t, murl, "the answers counted", func(s series) bool {
			return s[`mra_commands_total{code="bad_request",type="other"}`] == float64(1+sent)
		})
		time.Sleep(50 * time.Millisecond) // for the writer to fill the kernel's buffers
		if s, _ = scrape(t, murl); s["mra_socket_queue_bytes"] > 0 {
			break
		}
	}
	if s["mra_sockets_open"] != 2 || s["mra_socket_queue_bytes"] <= 0 || s["mra_socket_queue_bytes"] > float64(sent*(41<<10)) {
		t.Fatalf("after %d answers to a socket that reads nothing: %v sockets, %v bytes queued", sent, s["mra_sockets_open"], s["mra_socket_queue_bytes"])
	}
	slow.SetReadLimit(-1)
	for i := range sent {
		if _, b, err := slow.ReadMessage(); err != nil || !strings.Contains(string(b), fmt.Sprintf(`"slow-%d"`, i)) {
			t.Fatalf("answer %d: %v %.80s", i, err, b)
		}
	}
	waitFor(t, murl, "the queue drained", func(s series) bool { return s["mra_socket_queue_bytes"] == 0 })
	slow.Close()
	waitFor(t, murl, "one socket closed", func(s series) bool { return s["mra_sockets_open"] == 1 })
	s, body := scrape(t, murl)

	want := map[string]float64{
		`mra_logins_total{outcome="ok"}`:                             2,
		`mra_logins_total{outcome="bad_request"}`:                    1,
		`mra_logins_total{outcome="unauthenticated"}`:                float64(1 + wrong),
		`mra_logins_total{outcome="rate_limited"}`:                   1,
		`mra_logins_total{outcome="error"}`:                          0,
		`mra_commands_total{code="ok",type="create_negotiation"}`:    1,
		`mra_commands_total{code="ok",type="propose_version"}`:       1,
		`mra_commands_total{code="ok",type="comment"}`:               1,
		`mra_commands_total{code="conflict",type="propose_version"}`: 1,
		`mra_commands_total{code="bad_request",type="other"}`:        float64(1 + sent),
		`mra_commands_total{code="bad_request",type="subscribe"}`:    1,
		`mra_commands_total{code="ok",type="subscribe"}`:             1,
		"mra_commit_seconds_count":                                   3, // the conflicting one never reached the store
		`mra_commit_seconds_bucket{le="+Inf"}`:                       3,
		"mra_fsync_batch_changes_sum":                                3,
		"mra_sockets_open":                                           1,
		"mra_socket_queue_bytes":                                     0,
	}
	for k, v := range want {
		if got, ok := s[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	if n := s["mra_fsync_batch_changes_count"]; n < 1 || n > 3 {
		t.Errorf("%v durable transactions for 3 changes", n)
	}
	if sum := s["mra_commit_seconds_sum"]; sum <= 0 || sum > 30 {
		t.Errorf("commit seconds sum %v", sum)
	}
	if n := s[`mra_fsync_batch_changes_bucket{le="1"}`]; n != s["mra_fsync_batch_changes_count"] && s["mra_fsync_batch_changes_count"] == 3 {
		t.Errorf("3 transactions of one change each, yet %v in the le=1 bucket", n)
	}
	total := 0.0
	for k, v := range s {
		if strings.HasPrefix(k, "mra_commands_total{") {
			total += v
		}
	}
	if total != float64(7+sent) {
		t.Errorf("%v commands counted, want %d (6 over HTTP, %d over sockets)", total, 7+sent, 1+sent)
	}

	// Every label value is from a fixed set; nothing a client sent, no
	// user, party or negotiation, appears anywhere in the scrape.
	allowed := map[string]bool{"ok": true, "other": true, "unauthenticated": true, "rate_limited": true, "bad_request": true, "error": true}
	for _, c := range []mra.Code{mra.CodeForbidden, mra.CodeNotFound, mra.CodeConflict, mra.CodeStale, mra.CodeNotReady,
		mra.CodeFrozen, mra.CodeSigning, mra.CodeTooLarge, mra.CodeRateLimited, mra.CodeInternal} {
		allowed[string(c)] = true
	}
	for _, ty := range []string{"create_negotiation", "propose_version", "comment", "reply", "concur", "resolve", "reopen",
		"withdraw", "sign_off", "sign", "withdraw_signature", "subscribe", "unsubscribe", "presence"} {
		allowed[ty] = true
	}
	label := regexp.MustCompile(`(\w+)="([^"]*)"`)
	for k := range s {
		if !strings.HasPrefix(k, "mra_") {
			continue
		}
		for _, m := range label.FindAllStringSubmatch(k, -1) {
			if m[1] != "le" && !allowed[m[2]] {
				t.Errorf("series %s has label %s=%q, not from a fixed set", k, m[1], m[2])
			}
		}
	}
	for _, secret := range []string{"USERDATA", "us-neg", "sg-neg", "us-sign", neg, "Singapore", "Border Protection", "Purpose"} {
		if strings.Contains(body, secret) {
			t.Errorf("the scrape mentions %q", secret)
		}
	}

	// The metrics server is shut down with the app.
	closed = true
	if err := app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res, err := http.Get(murl); err == nil {
		res.Body.Close()
		t.Errorf("metrics still served after Close: %d", res.StatusCode)
	}
}

// TestMetricsOff: without --metrics-addr nothing is listening for metrics
// and the public address has none.
func TestMetricsOff(t *testing.T) {
	w := servertest.New(t, servertest.Options{})
	db := w.Path
	w.Stop()
	app, err := Open(Config{Addr: "127.0.0.1:0", DB: db}, quiet(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(context.Background())
	if u := app.MetricsURL(); u != "" {
		t.Errorf("metrics URL %q without --metrics-addr", u)
	}
	servertest.LoginAt(t, app.URL(), "us-neg", servertest.Password, nil).Create(1)
	res, err := http.Get(app.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("public /metrics: %d, want 404", res.StatusCode)
	}
}

// TestMetricsAddrTaken: a metrics address that cannot be had fails Open,
// before the database is held, saying so.
func TestMetricsAddrTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	w := servertest.New(t, servertest.Options{})
	db := w.Path
	w.Stop()
	if app, err := Open(Config{Addr: "127.0.0.1:0", DB: db, MetricsAddr: taken.Addr().String()}, quiet(), io.Discard); err == nil {
		app.Close(context.Background())
		t.Fatal("Open served with its metrics address taken")
	} else if !strings.Contains(err.Error(), "listen for metrics") {
		t.Errorf("Open: %v, want it to name the metrics address", err)
	}
	app, err := Open(Config{Addr: "127.0.0.1:0", DB: db, MetricsAddr: "127.0.0.1:0"}, quiet(), io.Discard)
	if err != nil {
		t.Fatalf("Open after a failed one: %v", err)
	}

	// An Open that fails later (the database is held) lets its metrics
	// address go.
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	if second, err := Open(Config{Addr: "127.0.0.1:0", DB: db, MetricsAddr: addr}, quiet(), io.Discard); err == nil {
		second.Close(context.Background())
		t.Fatal("a second app opened the held database")
	}
	again, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the failed Open kept its metrics address: %v", err)
	}
	again.Close()
	if err := app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
