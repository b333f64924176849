package metrics

import "time"

// SetReviewClock sets the clock the review queue gauges' cache reads.
func SetReviewClock(m *Metrics, now func() time.Time) {
	m.review.mu.Lock()
	m.review.now = now
	m.review.mu.Unlock()
}
