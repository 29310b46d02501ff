package server

import (
	"context"
	"runtime"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"mra/server/mra"
)

// Failed logins allowed per client address and per user name (an office
// behind one address has many users): a burst, refilled over the window.
// Only failures count: a login that succeeds gives its attempt back.
const (
	loginBurst     = 10
	loginBurstAddr = 30
	loginWindow    = time.Minute
	// loginKeys bounds each table of buckets. The least recently used
	// bucket is forgotten first: after a window untouched it is full again
	// anyway, so what an attacker's flood of names makes the table forget
	// is only what the refill would have given back.
	loginKeys = 100_000
	// maxLoginName bounds the user name a login may carry (user ids are at
	// most 64 characters), so no request makes the tables hold large keys.
	maxLoginName = 256
	// hashWait is how long a login waits for a free password-hash slot.
	hashWait = 2 * time.Second
)

// loginGuard stands in front of every password check. It counts an
// attempt before the password is hashed (so concurrent attempts cannot
// pass one check together), keeps the per-user limit from becoming a
// lock-out (an address with no recent failure may still try a user whose
// bucket others emptied: per-address limits dominate), and bounds the
// argon2id hashes in flight to one per core (each takes 19 MiB).
type loginGuard struct {
	now          func() time.Time
	users, addrs *lru.Cache[string, *rate.Limiter]
	hashing      chan struct{}
	wait         time.Duration // for a hash slot (hashWait)
}

func newLoginGuard(now func() time.Time, hashes int) *loginGuard {
	if hashes <= 0 {
		hashes = runtime.GOMAXPROCS(0)
	}
	users, _ := lru.New[string, *rate.Limiter](loginKeys) // errors only for a size below 1
	addrs, _ := lru.New[string, *rate.Limiter](loginKeys)
	return &loginGuard{now: now, users: users, addrs: addrs, hashing: make(chan struct{}, hashes), wait: hashWait}
}

// bucket returns key's bucket in table, a full one if it has none.
func bucket(table *lru.Cache[string, *rate.Limiter], key string, burst int) *rate.Limiter {
	if l, ok := table.Get(key); ok {
		return l
	}
	l := rate.NewLimiter(rate.Every(loginWindow/time.Duration(burst)), burst)
	if prev, ok, _ := table.PeekOrAdd(key, l); ok {
		return prev
	}
	return l
}

var errLoginLimited = mra.Errorf(mra.CodeRateLimited, "too many failed logins; wait a minute")

// admit counts a login attempt of user from addr before its password is
// checked. It answers rate_limited when addr has no attempt left, or when
// user has none and addr has failed within the window. Otherwise the
// attempt is spent, and the returned refund gives it back (call it when the
// password was right).
func (g *loginGuard) admit(user, addr string) (refund func(), err error) {
	now := g.now()
	a := bucket(g.addrs, addr, loginBurstAddr)
	clean := a.TokensAt(now) >= loginBurstAddr
	ra := a.ReserveN(now, 1)
	if !ra.OK() || ra.DelayFrom(now) > 0 {
		ra.CancelAt(now)
		return nil, errLoginLimited
	}
	ru := bucket(g.users, user, loginBurst).ReserveN(now, 1)
	if !ru.OK() || ru.DelayFrom(now) > 0 {
		ru.CancelAt(now)
		ru = nil
		if !clean {
			ra.CancelAt(now)
			return nil, errLoginLimited
		}
	}
	// the refund cancels at the attempt's own time: x/time/rate gives
	// nothing back for a reservation cancelled after the time it was for
	return func() {
		ra.CancelAt(now)
		if ru != nil {
			ru.CancelAt(now)
		}
	}, nil
}

// hash runs check in one of the password-hash slots, waiting up to
// g.wait (or until ctx ends) for one; rate_limited when none came free.
func (g *loginGuard) hash(ctx context.Context, check func()) error {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.hashing <- struct{}{}:
	case <-t.C:
		return mra.Errorf(mra.CodeRateLimited, "the server is busy checking passwords; try again in a moment")
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.hashing }()
	check()
	return nil
}
