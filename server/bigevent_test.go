package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mra/diff/difftest"
	"mra/server/mra"
	"mra/server/servertest"
)

// articleRanges returns the code-point range of each article of an ASCII
// text (from its heading to the next).
func articleRanges(text string) [][2]int {
	var out [][2]int
	start := 0
	for {
		i := strings.Index(text[start+1:], "\nArticle ")
		if i < 0 {
			return append(out, [2]int{start, len(strings.TrimRight(text, "\n"))})
		}
		end := start + 1 + i
		out = append(out, [2]int{start, end})
		start = end + 1
	}
}

// TestHugeCarryIsDelivered: 6,000 consensus threads, each quoting an
// article of the reference agreement, then its second version. The carry
// is more than 8 MiB of events; a live subscriber that reads as fast as it
// can gets all of it without being closed, and a subscriber from 0 gets
// the whole history.
func TestHugeCarryIsDelivered(t *testing.T) {
	if testing.Short() {
		t.Skip("real size")
	}
	pair := difftest.Agreement(2000)
	w := servertest.New(t, servertest.Options{})
	us, sg := w.Login("us-neg"), w.Login("sg-neg")
	neg := us.Create(1)
	us.Propose(neg, 0, pair.Old)
	arts := articleRanges(pair.Old)
	user := servertest.Users[0] // us-neg
	const threads = 6000
	var wg sync.WaitGroup
	errs := make(chan error, threads)
	t0 := time.Now()
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := g; k < threads; k += 64 {
				a := arts[k%len(arts)]
				raw, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("big-%d", k), "type": "comment", "negotiation": neg,
					"version": 1, "kind": "consensus", "visibility": "shared", "body": "agreed",
					"start": a[0], "end": a[1], "quote": pair.Old[a[0]:a[1]]})
				if answer, code := w.Srv.Execute(user, raw); code != "" {
					errs <- fmt.Errorf("comment %d: %s", k, answer)
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d comments: %v", threads, time.Since(t0))
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	snap := sg.Snapshot(neg)
	live := sg.Dial(t)
	live.Subscribe(neg, snap.Heads["shared"], snap.Heads["internal"])

	t0 = time.Now()
	us.Propose(neg, 1, pair.New)
	t.Logf("propose: %v", time.Since(t0))
	carried, size, events := 0, 0, 0
	deadline := time.After(2 * time.Minute)
	for carried < threads {
		select {
		case m, ok := <-live.In:
			if !ok {
				t.Fatalf("the live socket was closed (code %d) after %d of %d carried anchors", <-live.Closed, carried, threads)
			}
			if m.Kind == string(mra.EvAnchorsCarried) {
				var d mra.AnchorsCarried
				if err := json.Unmarshal(m.Data, &d); err != nil || d.Version != 2 {
					t.Fatalf("anchors_carried %v %s", err, m.Raw[:200])
				}
				carried += len(d.Threads)
				size += len(m.Raw)
				events++
			}
		case <-deadline:
			t.Fatalf("only %d of %d carried anchors arrived", carried, threads)
		}
	}
	if size <= 8<<20 || events < 2 {
		t.Fatalf("the carry was %d bytes in %d events: not the size this test is about", size, events)
	}
	t.Logf("carry: %d bytes in %d events, delivered in %v", size, events, time.Since(t0))
	t0 = time.Now()

	// A subscriber from 0 gets the whole history, then the ack.
	fresh := sg.Dial(t)
	replay, ack := fresh.Subscribe(neg, 0, 0)
	opened, carriedAgain := 0, 0
	for _, m := range replay {
		switch m.Kind {
		case string(mra.EvThreadOpened):
			opened++
		case string(mra.EvAnchorsCarried):
			var d mra.AnchorsCarried
			json.Unmarshal(m.Data, &d)
			carriedAgain += len(d.Threads)
		}
	}
	var heads struct {
		Heads map[string]uint64 `json:"heads"`
	}
	json.Unmarshal(ack.Result, &heads)
	t.Logf("replay: %v", time.Since(t0))
	if opened != threads || carriedAgain != threads || heads.Heads["shared"] != uint64(len(replay)) {
		t.Fatalf("replay from 0: %d opened, %d carried, %d events, heads %v", opened, carriedAgain, len(replay), heads.Heads)
	}
}
