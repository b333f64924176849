package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// reviewScrapeTimeout bounds the queue query made at a scrape.
const reviewScrapeTimeout = 2 * time.Second

// reviewCacheTTL is how long a reading of the queue serves scrapes: a
// scrape flood then costs the database one query every few seconds
// instead of one a scrape (a flood of scrapes raised check p99 from 4 to
// 16 ms), and the gauges are at most this much staler than the scrape.
const reviewCacheTTL = 5 * time.Second

// reviewCollector reads the review queue's state at scrape time, at most
// once per reviewCacheTTL, so the gauges cost nothing between scrapes and
// little during a flood of them.
type reviewCollector struct {
	items, oldest                        *prometheus.Desc
	outboxPending, outboxOldest, outDead *prometheus.Desc

	mu  sync.Mutex
	fn  func(ctx context.Context) (ReviewQueue, error)
	log *slog.Logger
	now func() time.Time

	// read serializes queue reads: scrapes arriving during one wait for
	// it and share its answer (or its failure) until it is reviewCacheTTL
	// old.
	read   sync.Mutex
	last   ReviewQueue
	lastAt time.Time
	lastOK bool
}

func newReviewCollector() *reviewCollector {
	return &reviewCollector{
		items: prometheus.NewDesc(namespace+"_review_queue_items",
			"Review queue items by status (claimed: open items under a live lease).", []string{"status"}, nil),
		oldest: prometheus.NewDesc(namespace+"_review_oldest_pending_age_seconds",
			"Age of the oldest review item still needing a decision (0 when none).", nil, nil),
		outboxPending: prometheus.NewDesc(namespace+"_webhook_outbox_deliveries",
			"Decision webhook deliveries waiting in the outbox (to send or to retry).", nil, nil),
		outboxOldest: prometheus.NewDesc(namespace+"_webhook_outbox_oldest_age_seconds",
			"Age of the oldest delivery waiting in the outbox (0 when none).", nil, nil),
		outDead: prometheus.NewDesc(namespace+"_webhook_dead_letters",
			"Decision webhook deliveries given up after 24 h of retries, waiting for an admin to redeliver.", nil, nil),
		now: time.Now,
	}
}

func (c *reviewCollector) set(fn func(ctx context.Context) (ReviewQueue, error), log *slog.Logger) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fn, c.log = fn, log
	c.read.Lock()
	c.lastAt = time.Time{}
	c.read.Unlock()
}

// Describe implements prometheus.Collector.
func (c *reviewCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.items
	ch <- c.oldest
	ch <- c.outboxPending
	ch <- c.outboxOldest
	ch <- c.outDead
}

// queue returns the queue's state, read through fn at most once per
// reviewCacheTTL; ok is false when the last read failed.
func (c *reviewCollector) queue() (q ReviewQueue, ok bool) {
	c.mu.Lock()
	fn, log, now := c.fn, c.log, c.now
	c.mu.Unlock()
	if fn == nil {
		return q, false
	}
	c.read.Lock()
	defer c.read.Unlock()
	t := now()
	if age := t.Sub(c.lastAt); !c.lastAt.IsZero() && age >= 0 && age < reviewCacheTTL {
		q = c.last
		if q.OldestPendingAge > 0 {
			q.OldestPendingAge += age // the oldest item has waited that much longer
		}
		if q.OutboxOldestAge > 0 {
			q.OutboxOldestAge += age
		}
		return q, c.lastOK
	}
	ctx, cancel := context.WithTimeout(context.Background(), reviewScrapeTimeout)
	defer cancel()
	q, err := fn(ctx)
	c.last, c.lastAt, c.lastOK = q, t, err == nil
	if err != nil && log != nil {
		log.Warn("review queue metrics unavailable", "error", err)
	}
	return q, err == nil
}

// Collect implements prometheus.Collector.
func (c *reviewCollector) Collect(ch chan<- prometheus.Metric) {
	q, ok := c.queue()
	if !ok {
		return
	}
	for status, n := range q.Items {
		ch <- prometheus.MustNewConstMetric(c.items, prometheus.GaugeValue, float64(n), status)
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, q.OldestPendingAge.Seconds())
	ch <- prometheus.MustNewConstMetric(c.outboxPending, prometheus.GaugeValue, float64(q.OutboxPending))
	ch <- prometheus.MustNewConstMetric(c.outboxOldest, prometheus.GaugeValue, q.OutboxOldestAge.Seconds())
	ch <- prometheus.MustNewConstMetric(c.outDead, prometheus.GaugeValue, float64(q.OutboxDead))
}
