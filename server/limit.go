package server

import (
	"context"
	"strconv"
	"time"

	"golang.org/x/sync/semaphore"

	vigil "github.com/kz-newsroom/vigil"
)

// limiter bounds the documents being checked at once. A request waits at
// most wait for room, then is refused with EUNAVAILABLE (503 with
// Retry-After), so that under overload the server answers quickly and
// keeps its latency for the work it accepted instead of queueing without
// bound.
//
// Large requests (a body over the large-document size, or of unknown
// length) also need a place in a second, smaller lane, waiting at most
// largeWait for it, before their body is read: however many arrive at
// once, reading, decoding and checking them keeps at most that many cores
// and never takes the places ordinary articles need.
type limiter struct {
	sem, large      *semaphore.Weighted
	size, largeSize int64
	wait, largeWait time.Duration
}

func newLimiter(size int, wait time.Duration, large int, largeWait time.Duration) *limiter {
	return &limiter{sem: semaphore.NewWeighted(int64(size)), size: int64(size), wait: wait,
		large: semaphore.NewWeighted(int64(large)), largeSize: int64(large), largeWait: largeWait}
}

// take takes w of sem, waiting at most wait; busy words the refusal.
func take(ctx context.Context, sem *semaphore.Weighted, w int64, wait time.Duration, busy string) error {
	if sem.TryAcquire(w) {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	err := sem.Acquire(wctx, w)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return vigil.Errorf(vigil.EUNAVAILABLE, "request cancelled while waiting: %v", ctx.Err())
		}
		return vigil.Errorf(vigil.EUNAVAILABLE, "server busy: %s; retry later", busy)
	}
	return nil
}

// lane takes a place in the large lane, waiting at most largeWait, and
// returns the function that gives it back. A request whose body is large
// takes it before the body is read, so reading and decoding large or
// hostile bodies is bounded by the lane too, not only checking them.
func (l *limiter) lane(ctx context.Context) (release func(), err error) {
	if err := take(ctx, l.large, 1, l.largeWait, strconv.FormatInt(l.largeSize, 10)+" large requests in flight"); err != nil {
		return nil, err
	}
	return func() { l.large.Release(1) }, nil
}

// acquire takes room for n documents (at most the whole limit, so a batch
// larger than the limit runs alone) and returns the function that gives it
// back.
func (l *limiter) acquire(ctx context.Context, n int) (release func(), err error) {
	w := min(int64(max(n, 1)), l.size)
	if err := take(ctx, l.sem, w, l.wait, strconv.FormatInt(l.size, 10)+" documents in flight"); err != nil {
		return nil, err
	}
	return func() { l.sem.Release(w) }, nil
}
