package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"mra/server"
	"mra/server/servertest"
)

// BenchmarkScrape: one GET /metrics while 500 sockets are open (the
// socket gauges walk them under the hub's lock).
func BenchmarkScrape(b *testing.B) {
	m := server.NewMetrics()
	w := servertest.New(b, servertest.Options{Metrics: m})
	us := w.Login("us-neg")
	for range 500 {
		us.Dial(b)
	}
	ms := httptest.NewServer(m.Handler())
	defer ms.Close()
	b.ResetTimer()
	for b.Loop() {
		res, err := http.Get(ms.URL + "/metrics")
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || n == 0 {
			b.Fatalf("scrape: %d, %d bytes", res.StatusCode, n)
		}
	}
}
