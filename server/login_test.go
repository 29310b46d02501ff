package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mra/server/mra"
)

func limited(err error) bool {
	var e *mra.Error
	return errors.As(err, &e) && e.Code == mra.CodeRateLimited
}

// TestLoginGuardNoLockOut: failures from one address empty the user's
// bucket for that address (and any address that failed), but a clean
// address still gets its try, and a right password gives its attempt back.
func TestLoginGuardNoLockOut(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	g := newLoginGuard(func() time.Time { return now }, 1)
	for i := 0; i < loginBurst; i++ {
		if _, err := g.admit("sg-sign", "198.51.100.7"); err != nil {
			t.Fatalf("failure %d from the attacker: %v", i+1, err)
		}
	}
	if _, err := g.admit("sg-sign", "198.51.100.7"); !limited(err) {
		t.Fatalf("attempt %d from the attacker: %v, want rate_limited", loginBurst+1, err)
	}
	// the signatory's own office, which has not failed: admitted, and a
	// right password gives the attempt back, so the office stays clean
	for i := 0; i < 3; i++ {
		refund, err := g.admit("sg-sign", "203.0.113.20")
		if err != nil {
			t.Fatalf("login %d from a clean address: %v", i+1, err)
		}
		refund()
	}
	// one failure from the office: now it is subject to the user's limit
	if _, err := g.admit("sg-sign", "203.0.113.20"); err != nil {
		t.Fatalf("a wrong password from the office: %v", err)
	}
	if _, err := g.admit("sg-sign", "203.0.113.20"); !limited(err) {
		t.Errorf("after a failure, the office's next try at an emptied user: %v, want rate_limited", err)
	}
	// other users from the attacker's address: up to the address's limit
	n := 0
	for ; n < 100; n++ {
		if _, err := g.admit(fmt.Sprintf("user-%d", n), "198.51.100.7"); err != nil {
			break
		}
	}
	if n != loginBurstAddr-loginBurst {
		t.Errorf("the attacker tried %d more users, want %d (the address's limit)", n, loginBurstAddr-loginBurst)
	}
	// a window later everything is full again
	now = now.Add(loginWindow)
	if _, err := g.admit("sg-sign", "198.51.100.7"); err != nil {
		t.Errorf("a window later: %v", err)
	}
}

// TestLoginGuardTablesBounded: a flood of made-up names and addresses
// leaves each table at its bound, and a known key is found in constant time
// (an LRU, not a scan).
func TestLoginGuardTablesBounded(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	g := newLoginGuard(func() time.Time { return now }, 1)
	for i := 0; i < loginKeys+20_000; i++ {
		g.admit(fmt.Sprintf("name-%d", i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	if n := g.users.Len(); n != loginKeys {
		t.Errorf("%d user buckets, want the bound %d", n, loginKeys)
	}
	if n := g.addrs.Len(); n != loginKeys {
		t.Errorf("%d address buckets, want the bound %d", n, loginKeys)
	}
}

// TestLoginGuardHashSlots: no more hashes run at once than there are
// slots; a login that finds none free within the wait is rate_limited.
func TestLoginGuardHashSlots(t *testing.T) {
	g := newLoginGuard(time.Now, 2)
	var inFlight, most atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := g.hash(context.Background(), func() {
				n := inFlight.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(10 * time.Millisecond)
				inFlight.Add(-1)
			})
			if err != nil {
				t.Errorf("hash: %v", err)
			}
		}()
	}
	wg.Wait()
	if m := most.Load(); m != 2 {
		t.Errorf("%d hashes at once, want 2 (the slots)", m)
	}

	g.wait = 50 * time.Millisecond
	hold := make(chan struct{})
	for i := 0; i < 2; i++ {
		go g.hash(context.Background(), func() { <-hold })
	}
	for len(g.hashing) < 2 {
		time.Sleep(time.Millisecond)
	}
	ran := false
	if err := g.hash(context.Background(), func() { ran = true }); !limited(err) || ran {
		t.Errorf("with every slot held: %v (ran %v), want rate_limited without running", err, ran)
	}
	close(hold)
}
