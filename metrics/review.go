package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// reviewScrapeTimeout bounds the queue query made at each scrape.
const reviewScrapeTimeout = 2 * time.Second

// reviewCollector reads the review queue's state at scrape time, so the
// gauges are never staler than the scrape and cost nothing between scrapes.
type reviewCollector struct {
	items, oldest *prometheus.Desc

	mu  sync.Mutex
	fn  func(ctx context.Context) (ReviewQueue, error)
	log *slog.Logger
}

func newReviewCollector() *reviewCollector {
	return &reviewCollector{
		items: prometheus.NewDesc(namespace+"_review_queue_items",
			"Review queue items by status (claimed: open items under a live lease).", []string{"status"}, nil),
		oldest: prometheus.NewDesc(namespace+"_review_oldest_pending_age_seconds",
			"Age of the oldest review item still needing a decision (0 when none).", nil, nil),
	}
}

func (c *reviewCollector) set(fn func(ctx context.Context) (ReviewQueue, error), log *slog.Logger) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fn, c.log = fn, log
}

// Describe implements prometheus.Collector.
func (c *reviewCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.items
	ch <- c.oldest
}

// Collect implements prometheus.Collector.
func (c *reviewCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	fn, log := c.fn, c.log
	c.mu.Unlock()
	if fn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), reviewScrapeTimeout)
	defer cancel()
	q, err := fn(ctx)
	if err != nil {
		if log != nil {
			log.Warn("review queue metrics unavailable", "error", err)
		}
		return
	}
	for status, n := range q.Items {
		ch <- prometheus.MustNewConstMetric(c.items, prometheus.GaugeValue, float64(n), status)
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, q.OldestPendingAge.Seconds())
}
