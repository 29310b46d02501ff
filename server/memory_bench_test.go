package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"mra/server/mra"
	"mra/server/servertest"
)

// heapPeak samples the live heap (without stopping the world) until stop
// is called, and returns the highest value above the heap when it began
// (after a collection), in MiB.
func heapPeak() (stop func() float64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		<-finished
		p := peak.Load()
		if p < base {
			return 0
		}
		return float64(p-base) / (1 << 20)
	}
}

// BenchmarkLargeCommandsHeap: 30 commands of 16 MiB at once over HTTP
// (propose_version with a text too long to accept, refused only once it is
// read), from one user or from all nine test users in turn; reports the
// server's heap peak above its start, and logs the answers' codes. The
// client's bodies share one slice, allocated before the measure.
func BenchmarkLargeCommandsHeap(b *testing.B) {
	w := servertest.New(b, servertest.Options{})
	us := w.Login("us-neg")
	var everyone []*servertest.Client
	for _, u := range servertest.Users {
		everyone = append(everyone, w.Login(u.ID))
	}
	b.Run("one-user", func(b *testing.B) { largeCommandsHeap(b, w, []*servertest.Client{us}, us.Create(1)) })
	b.Run("nine-users", func(b *testing.B) { largeCommandsHeap(b, w, everyone, us.Create(1)) })
}

func largeCommandsHeap(b *testing.B, w *servertest.World, clients []*servertest.Client, neg string) {
	head := fmt.Sprintf(`{"id":"big","type":"propose_version","negotiation":%q,"base":0,"note":"n","text":"`, neg)
	body := []byte(head + strings.Repeat("a", 16<<20-len(head)-2) + `"}`)
	const concurrent = 30
	var worst float64
	codes := map[string]int{}
	b.ResetTimer()
	for range b.N {
		stop := heapPeak()
		var wg sync.WaitGroup
		var mu sync.Mutex
		for k := range concurrent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, w.URL()+"/api/command", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				status, answer, err := clients[k%len(clients)].TryDo(req)
				var a struct {
					Error *mra.Error `json:"error"`
				}
				json.Unmarshal(answer, &a)
				code := fmt.Sprint(status)
				if err != nil {
					code = "transport error"
				} else if a.Error != nil {
					code = string(a.Error.Code)
				}
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		worst = max(worst, stop())
	}
	b.ReportMetric(worst, "peak-heap-MiB")
	b.Logf("answers over %d bursts: %v", b.N, codes)
}

// bigHistory makes a negotiation with comments of 19 KB each (1,150 are
// about 22 MB of shared events) and returns its id.
func bigHistory(tb testing.TB, us *servertest.Client, comments int) string {
	neg := us.Create(1)
	us.Propose(neg, 0, servertest.Text1)
	body := strings.Repeat("a long remark ", 1350)
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := g; k < comments; k += 32 {
				cmd := servertest.CommentCmd(neg, 1, servertest.Text1, "Purpose", mra.KindNote, mra.Shared)
				cmd["id"], cmd["body"] = fmt.Sprintf("h-%d", k), fmt.Sprintf("%d %s", k, body)
				if status, answer, err := us.TryPost("/api/command", cmd); err != nil || status != http.StatusOK {
					tb.Errorf("comment %d: %d %s %v", k, status, answer, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return neg
}

// BenchmarkEventsReadHeap: 50 reads at once of a 22 MB event history
// (GET …/events, each as far as one answer goes, read by the client as it
// comes and discarded); reports the server's heap peak above its start.
func BenchmarkEventsReadHeap(b *testing.B) {
	w := servertest.New(b, servertest.Options{})
	us := w.Login("us-neg")
	neg := bigHistory(b, us, 1150)
	const concurrent = 50
	var worst float64
	var bytesRead atomic.Int64
	statuses := map[int]int{}
	var mu sync.Mutex
	b.ResetTimer()
	for range b.N {
		stop := heapPeak()
		var wg sync.WaitGroup
		for range concurrent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := us.HC.Get(w.URL() + "/api/negotiations/" + neg + "/events?stream=shared&since=0")
				if err != nil {
					b.Error(err)
					return
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				bytesRead.Add(n)
				mu.Lock()
				statuses[res.StatusCode]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		worst = max(worst, stop())
	}
	b.ReportMetric(worst, "peak-heap-MiB")
	b.ReportMetric(float64(bytesRead.Load())/float64(b.N*concurrent)/(1<<20), "MiB/read")
	b.Logf("statuses over %d bursts: %v", b.N, statuses)
}

// BenchmarkReplayHeap: 50 sockets subscribe at once from 0 to a 22 MB
// history and read it all as fast as they can (discarding it); reports the
// server's heap peak above its start.
func BenchmarkReplayHeap(b *testing.B) {
	w := servertest.New(b, servertest.Options{})
	us := w.Login("us-neg")
	neg := bigHistory(b, us, 1150)
	const concurrent = 50
	var worst float64
	b.ResetTimer()
	for range b.N {
		socks := make([]*websocket.Conn, concurrent)
		for k := range socks {
			ws, _, err := websocket.DefaultDialer.Dial(w.WSURL(), us.Header())
			if err != nil {
				b.Fatal(err)
			}
			ws.SetReadLimit(-1)
			socks[k] = ws
		}
		stop := heapPeak()
		var wg sync.WaitGroup
		for _, ws := range socks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer ws.Close()
				ws.WriteJSON(map[string]any{"id": "sub", "type": "subscribe", "negotiation": neg})
				for {
					_, r, err := ws.NextReader()
					if err != nil {
						b.Error(err)
						return
					}
					var head [64]byte
					n, _ := io.ReadFull(r, head[:])
					if bytes.HasPrefix(head[:n], []byte(`{"type":"ack","id":"sub"`)) {
						return
					}
					io.Copy(io.Discard, r)
				}
			}()
		}
		wg.Wait()
		worst = max(worst, stop())
	}
	b.ReportMetric(worst, "peak-heap-MiB")
}
