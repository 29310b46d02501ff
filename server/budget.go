package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"mra/server/mra"
)

// Memory bounds (issue 11, item 6). A command of 16 MiB holds about three
// times its size while it is read and parsed, and an events read held its
// whole answer twice; so large bodies take their size from a budget of
// bytes in flight, per user and overall, and reads are streamed page by
// page, each taking one page from a budget of their own.
const (
	largeBodiesTotal   = 4 * maxCommand // large bodies held at once, every user together
	largeBodiesPerUser = maxCommand     // and by one user: one command of the largest size
	readsTotal         = 32 * replayPageBytes
	readsPerUser       = 8 * replayPageBytes
	budgetWait         = 3 * time.Second // then rate_limited
)

// budget bounds the bytes that requests may hold at once, overall and per
// user, with weighted semaphores (FIFO: a large request is not starved by
// small ones). A request that cannot have its bytes within the wait is
// refused as rate_limited: it read nothing yet, so trying again is safe.
type budget struct {
	total   *semaphore.Weighted
	perUser int64
	wait    time.Duration
	what    string // for the refusal: "large requests", "reads"

	mu    sync.Mutex
	users map[mra.UserID]*userBudget
}

// userBudget is one user's semaphore, kept while a request of theirs holds
// or waits for it.
type userBudget struct {
	sem  *semaphore.Weighted
	refs int
}

func newBudget(total, perUser int64, wait time.Duration, what string) *budget {
	return &budget{total: semaphore.NewWeighted(total), perUser: perUser, wait: wait, what: what,
		users: map[mra.UserID]*userBudget{}}
}

// acquire takes n bytes (at most the per-user budget) for user, waiting up
// to the budget's wait; release gives them back, once.
func (b *budget) acquire(ctx context.Context, user mra.UserID, n int64) (release func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	return b.await(ctx, user, n)
}

// await is acquire waiting as long as ctx lets it (a socket's replay waits
// its turn rather than fail).
func (b *budget) await(ctx context.Context, user mra.UserID, n int64) (release func(), err error) {
	n = max(1, min(n, b.perUser))
	b.mu.Lock()
	u := b.users[user]
	if u == nil {
		u = &userBudget{sem: semaphore.NewWeighted(b.perUser)}
		b.users[user] = u
	}
	u.refs++
	b.mu.Unlock()
	put := func() {
		b.mu.Lock()
		if u.refs--; u.refs == 0 {
			delete(b.users, user)
		}
		b.mu.Unlock()
	}
	// The user's share first: one user's queue never holds the others'.
	if err := u.sem.Acquire(ctx, n); err != nil {
		put()
		return nil, mra.Errorf(mra.CodeRateLimited, "too many %s of yours at once; try again in a moment", b.what)
	}
	if err := b.total.Acquire(ctx, n); err != nil {
		u.sem.Release(n)
		put()
		return nil, mra.Errorf(mra.CodeRateLimited, "the server is busy with %s; try again in a moment", b.what)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			b.total.Release(n)
			u.sem.Release(n)
			put()
		})
	}, nil
}

func noRelease() {}

// readLarge reads a request body of at most limit bytes (too_large beyond,
// refused unread when its Content-Length says so). A body of at most
// maxBody is read as any other; a larger one, declared or found as it is
// read, first takes its size (the limit when undeclared) from the large
// bodies' budget: call release once neither the body nor what was made of
// it is needed. The session is checked again once the body is in: a
// session that ended meanwhile is unauthenticated.
func (s *Server) readLarge(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, release func(), err error) {
	if r.ContentLength > limit {
		return nil, nil, mra.Errorf(mra.CodeTooLarge, "the request body is over %d bytes", limit)
	}
	release = noRelease
	defer func() {
		if err == nil && !s.sessions.valid(requestSession(r)) {
			err = mra.Errorf(mra.CodeUnauthenticated, "your session has ended; log in again")
		}
		if err != nil {
			release()
			body, release = nil, nil
		}
	}()
	in := http.MaxBytesReader(w, r.Body, limit)
	declared := r.ContentLength
	var buf bytes.Buffer
	if declared < 0 || declared <= maxBody {
		if _, err := buf.ReadFrom(io.LimitReader(in, maxBody+1)); err != nil {
			return nil, release, bodyError(err, limit)
		}
		if buf.Len() <= maxBody {
			return buf.Bytes(), release, nil
		}
		declared = limit
	}
	if release, err = s.bodies.acquire(r.Context(), requestUser(r).ID, declared); err != nil {
		release = noRelease
		return nil, release, err
	}
	if buf.Len() == 0 {
		buf.Grow(int(declared) + bytes.MinRead) // declared: read in place, never copied as it grows
	}
	if _, err := buf.ReadFrom(in); err != nil {
		return nil, release, bodyError(err, limit)
	}
	return buf.Bytes(), release, nil
}

// bodyError is the contract's error for a body that could not be read.
func bodyError(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return mra.Errorf(mra.CodeTooLarge, "the request body is over %d bytes", limit)
	}
	return mra.Errorf(mra.CodeBadRequest, "could not read the request body")
}
