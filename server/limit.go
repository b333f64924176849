package server

import (
	"context"
	"time"

	"golang.org/x/sync/semaphore"

	vigil "github.com/kz-newsroom/vigil"
)

// limiter bounds the documents being checked at once. A request waits at
// most wait for room, then is refused with EUNAVAILABLE (503 with
// Retry-After), so that under overload the server answers quickly and
// keeps its latency for the work it accepted instead of queueing without
// bound.
type limiter struct {
	sem  *semaphore.Weighted
	size int64
	wait time.Duration
}

func newLimiter(size int, wait time.Duration) *limiter {
	return &limiter{sem: semaphore.NewWeighted(int64(size)), size: int64(size), wait: wait}
}

// acquire takes room for n documents (at most the whole limit, so a batch
// larger than the limit runs alone) and returns the function that gives it
// back.
func (l *limiter) acquire(ctx context.Context, n int) (release func(), err error) {
	w := min(int64(max(n, 1)), l.size)
	if !l.sem.TryAcquire(w) {
		wctx, cancel := context.WithTimeout(ctx, l.wait)
		err := l.sem.Acquire(wctx, w)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, vigil.Errorf(vigil.EUNAVAILABLE, "request cancelled while waiting: %v", ctx.Err())
			}
			return nil, vigil.Errorf(vigil.EUNAVAILABLE, "server busy: %d documents in flight; retry later", l.size)
		}
	}
	return func() { l.sem.Release(w) }, nil
}
