package boltstore

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"mra/server/mra"
)

// commitLoop commits small changes to a negotiation of its own (one event,
// one record and an answer each) while more is asked for.
func commitLoop(b *testing.B, s *Store, id string, more func() bool) {
	ch := newChain(id)
	for i := 0; more(); i++ {
		e := created()
		if i > 0 {
			e = reply("", "a reply of a few words, as negotiators write them")
		}
		c, err := ch.seal([]*mra.Event{e}, record(fmt.Sprint(i), `{"id":"t","status":"open"}`))
		if err != nil {
			b.Error(err)
			return
		}
		c.Answer = &mra.Answer{User: "alice", ID: fmt.Sprintf("%s-%d", id, i), Body: []byte(`{"type":"ack"}`)}
		if err := s.Commit(context.Background(), c); err != nil {
			b.Error(err)
			return
		}
	}
}

// BenchmarkCommitParallel commits from about 100 goroutines at once, each on
// its own negotiation.
func BenchmarkCommitParallel(b *testing.B) {
	s := mustOpen(b, tempPath(b))
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((100 + procs - 1) / procs)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		commitLoop(b, s, fmt.Sprintf("n%d", next.Add(1)), pb.Next)
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

// BenchmarkCommitSerial commits from one goroutine: one fsync per commit.
func BenchmarkCommitSerial(b *testing.B) {
	s := mustOpen(b, tempPath(b))
	b.ResetTimer()
	n := 0
	commitLoop(b, s, "n1", func() bool { n++; return n <= b.N })
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

// BenchmarkLoad100k opens a store of 100 negotiations × 1,000 events (and a
// record per event), loads it and closes it.
func BenchmarkLoad100k(b *testing.B) {
	const negotiations, events, perChange = 100, 1000, 250
	path := tempPath(b)
	s := mustOpen(b, path)
	var wg sync.WaitGroup
	for i := range negotiations {
		wg.Go(func() {
			ch := newChain(fmt.Sprintf("n%03d", i))
			for j := 0; j < events; j += perChange {
				var evs []*mra.Event
				var recs []mra.Record
				for k := j; k < j+perChange; k++ {
					e := created()
					if k > 0 {
						e = reply(mra.PartyID([]string{"", "", "US"}[k%3]), "a reply of a few words, as negotiators write them")
					}
					evs = append(evs, e)
					recs = append(recs, record(fmt.Sprintf("t%04d", k),
						`{"id":"t","kind":"open_issue","status":"open","messages":[{"body":"a reply of a few words"}]}`))
				}
				c, err := ch.seal(evs, recs...)
				if err == nil {
					err = s.Commit(context.Background(), c)
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}

	for b.Loop() {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		stored, err := s.Load()
		if err != nil {
			b.Fatal(err)
		}
		if len(stored) != negotiations || len(stored[0].Records) != events {
			b.Fatalf("Load: got %d negotiations, want %d of %d records", len(stored), negotiations, events)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
