package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"mra/server"
	"mra/server/boltstore"
	"mra/server/mra"
	"mra/server/servertest"
)

// BenchmarkCommentsHTTP: durable comments per second from 100 concurrent
// clients over HTTP on loopback; every ack comes after its fsync (budget:
// at least 2,000/s).
func BenchmarkCommentsHTTP(b *testing.B) { commentsHTTP(b, servertest.Options{}) }

// BenchmarkCommentsHTTPMetrics is BenchmarkCommentsHTTP with metrics on:
// what counting costs the command path.
func BenchmarkCommentsHTTPMetrics(b *testing.B) {
	commentsHTTP(b, servertest.Options{Metrics: server.NewMetrics()})
}

func commentsHTTP(b *testing.B, opts servertest.Options) {
	w := servertest.New(b, opts)
	us := w.Login("us-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	cookies := us.HC.Jar.Cookies(mustURL(w.URL()))
	transport := &http.Transport{MaxIdleConnsPerHost: 200, MaxConnsPerHost: 200}
	defer transport.CloseIdleConnections()
	var next atomic.Int64
	b.SetParallelism(50) // 100 clients on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		hc := &http.Client{Transport: transport}
		for pb.Next() {
			cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "within 30 days", mra.KindNote, mra.Shared)
			cmd["id"] = fmt.Sprintf("bench-%d", next.Add(1))
			body, _ := json.Marshal(cmd)
			req, _ := http.NewRequest("POST", w.URL()+"/api/command", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			for _, c := range cookies {
				req.AddCookie(c)
			}
			res, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("comment: %d", res.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
}

var (
	bigOnce sync.Once
	bigPath string
	bigErr  error
)

// bigDatabase returns a database file holding 100,000 events: 20
// negotiations of 5,000 comments, built once per test binary.
func bigDatabase(b *testing.B) string {
	bigOnce.Do(func() {
		dir, err := tempDir()
		if err != nil {
			bigErr = err
			return
		}
		bigPath = filepath.Join(dir, "big.db")
		st, err := boltstore.Open(bigPath, boltstore.Options{})
		if err != nil {
			bigErr = err
			return
		}
		defer st.Close()
		if err := servertest.Seed(st, servertest.Parties, servertest.Users, servertest.PasswordHash()); err != nil {
			bigErr = err
			return
		}
		var user mra.User
		for _, u := range servertest.Users {
			if u.ID == "us-neg" {
				user = u
				user.PasswordHash = servertest.PasswordHash()
			}
		}
		srv, err := server.New(server.Config{}, st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			bigErr = err
			return
		}
		var wg sync.WaitGroup
		for n := 0; n < 20; n++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				do := func(cmd map[string]any) []byte {
					raw, _ := json.Marshal(cmd)
					a, code := srv.Execute(user, raw)
					if code != "" {
						bigErr = fmt.Errorf("%s", a)
					}
					return a
				}
				var created struct {
					Result struct {
						Negotiation string `json:"negotiation"`
					} `json:"result"`
				}
				json.Unmarshal(do(map[string]any{"id": fmt.Sprintf("c%d", n), "type": "create_negotiation", "title": "big", "parties": []string{"US", "SG"}}), &created)
				neg := created.Result.Negotiation
				do(map[string]any{"id": fmt.Sprintf("p%d", n), "type": "propose_version", "negotiation": neg, "base": 0, "text": servertest.Text1})
				for k := 0; k < 4998; k++ {
					cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
					cmd["id"] = fmt.Sprintf("n%d-%d", n, k)
					do(cmd)
				}
			}()
		}
		wg.Wait()
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPath
}

// BenchmarkStartup100k: opening a database of 100,000 events and loading
// the server's state from it (budget: under 1 s).
func BenchmarkStartup100k(b *testing.B) {
	path := bigDatabase(b)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.ResetTimer()
	for b.Loop() {
		st, err := boltstore.Open(path, boltstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := server.New(server.Config{}, st, nil, log); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}

func mustURL(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}

// tempDir is a directory that outlives one benchmark run of the binary.
func tempDir() (string, error) { return os.MkdirTemp("", "mra-bench-") }

// BenchmarkServeStartup100k: what `mra serve` does before it serves a
// database of 100,000 events: open it (its pages walked), audit it (every
// chain, every text, the state against the fold of the log) and start the
// server on the fold (budget: under 1 s).
func BenchmarkServeStartup100k(b *testing.B) {
	path := bigDatabase(b)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.ResetTimer()
	for b.Loop() {
		st, err := boltstore.Open(path, boltstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		state, err := st.Audit()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := server.New(server.Config{State: state}, st, nil, log); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}

// BenchmarkAudit100k: what `mra verify` and `mra serve` check before
// serving a database of 100,000 events: every chain, every text, and the
// state against the fold of the log.
func BenchmarkAudit100k(b *testing.B) {
	path := bigDatabase(b)
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.ResetTimer()
	for b.Loop() {
		if err := st.Verify(); err != nil {
			b.Fatal(err)
		}
		if _, err := st.Audit(); err != nil {
			b.Fatal(err)
		}
	}
}
