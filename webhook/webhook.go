package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kz-newsroom/vigil/review"
)

// Headers of every delivery.
const (
	HeaderSignature = "X-Vigil-Signature"
	HeaderEvent     = "X-Vigil-Event"
	HeaderDelivery  = "X-Vigil-Delivery"
	HeaderTimestamp = "X-Vigil-Timestamp"
)

// Delivery results, as counted in metrics.
const (
	ResultDelivered = "delivered"
	ResultFailed    = "failed" // will be retried
	ResultDead      = "dead"   // gave up: dead-lettered
)

// Outbox is where the worker finds deliveries and records their outcome.
// *review.Store implements it.
type Outbox interface {
	ClaimDeliveries(ctx context.Context, n int, lease time.Duration) ([]review.Delivery, error)
	RecordDelivery(ctx context.Context, id int64, o review.DeliveryOutcome) error
}

var _ Outbox = (*review.Store)(nil)

// Config tunes the worker. Zero fields take the defaults named.
type Config struct {
	// Secret signs every body (X-Vigil-Signature). Empty: unsigned.
	Secret string
	// Client sends the requests (default: a client with Timeout).
	Client *http.Client
	// Timeout bounds one attempt (default 10 s).
	Timeout time.Duration
	// Poll is how often the outbox is read when nothing wakes the worker
	// (default 500 ms; Notify wakes it at once).
	Poll time.Duration
	// Batch is how many deliveries are claimed and sent at once (default 16).
	Batch int
	// MinBackoff and MaxBackoff bound the wait before a retry, which
	// doubles with each failed attempt (defaults 1 s and 1 h), with jitter.
	MinBackoff, MaxBackoff time.Duration
	// MaxAge is how long a delivery is retried before it is dead-lettered
	// (default 24 h).
	MaxAge time.Duration
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Observe, when set, is told each attempt's result and, when
	// delivered, the time from the decision to the receiver's answer.
	Observe func(result string, lag time.Duration)
}

// Worker sends the outbox's deliveries. Run it once per process; several
// processes sharing one PostgreSQL store never send the same delivery at
// the same time.
type Worker struct {
	out  Outbox
	cfg  Config
	log  *slog.Logger
	wake chan struct{}
}

// New returns a worker on out.
func New(out Outbox, cfg Config) *Worker {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout}
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 16
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Hour
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{out: out, cfg: cfg, log: cfg.Logger.With("component", "webhook"), wake: make(chan struct{}, 1)}
}

// Notify wakes the worker to read the outbox now (after a decision). It
// never blocks and is safe for concurrent use.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends deliveries until ctx ends. Failures to read the outbox are
// logged and retried at the next poll.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Error("webhook outbox", "error", err)
		}
		next := w.cfg.Poll
		if n == w.cfg.Batch {
			next = 0 // more may be waiting
		}
		t.Reset(next)
	}
}

// RunOnce claims one batch of due deliveries, sends them side by side and
// records each outcome. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	ds, err := w.out.ClaimDeliveries(ctx, w.cfg.Batch, w.lease())
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() { w.deliver(ctx, d) })
	}
	wg.Wait()
	return len(ds), nil
}

// lease is how long a claimed delivery stays hidden from other senders:
// long enough for one attempt and recording its outcome. A sender killed
// mid-attempt leaves its deliveries due again after it.
func (w *Worker) lease() time.Duration { return 2*w.cfg.Timeout + time.Second }

// Sign returns the X-Vigil-Signature value of body: "sha256=" and the hex
// HMAC-SHA256 of body keyed with secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether sig is body's signature with secret, in constant time.
func Verify(secret string, body []byte, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(Sign(secret, body)))
}

func (w *Worker) deliver(ctx context.Context, d review.Delivery) {
	body, err := json.Marshal(d.Event)
	if err != nil { // cannot happen: Event is plain data
		w.log.Error("webhook encode", "delivery", d.DeliveryID, "error", err)
		return
	}
	status, err := w.send(ctx, d, body)
	if err != nil && ctx.Err() != nil {
		return // shutting down: the claim's lease ends and another attempt follows
	}
	now := w.cfg.Now()
	o := review.DeliveryOutcome{HTTPStatus: status, Delivered: err == nil}
	result := ResultDelivered
	if err != nil {
		o.Error = err.Error()
		if now.Sub(d.CreatedAt) >= w.cfg.MaxAge {
			o.Dead, result = true, ResultDead
			w.log.Warn("webhook dead-lettered", "delivery", d.DeliveryID, "url", d.URL, "attempts", d.Attempts+1, "error", err)
		} else {
			o.RetryAt, result = now.Add(w.backoff(d.Attempts)), ResultFailed
			w.log.Info("webhook failed, will retry", "delivery", d.DeliveryID, "url", d.URL, "attempts", d.Attempts+1, "retry_at", o.RetryAt, "error", err)
		}
	}
	if err := w.out.RecordDelivery(context.WithoutCancel(ctx), d.ID, o); err != nil {
		w.log.Error("webhook record outcome", "delivery", d.DeliveryID, "error", err)
		return
	}
	if w.cfg.Observe != nil {
		w.cfg.Observe(result, now.Sub(d.Event.DecidedAt))
	}
}

// backoff is the wait after the attempts-th failure: MinBackoff doubled per
// earlier attempt, at most MaxBackoff, of which a random half is kept
// ("equal jitter"), so receivers coming back are not hit in lockstep.
func (w *Worker) backoff(attempts int) time.Duration {
	d := w.cfg.MaxBackoff
	if attempts < 40 {
		d = min(w.cfg.MinBackoff<<attempts, w.cfg.MaxBackoff)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// send POSTs body to d.URL and returns the answer's status; an error for
// anything but 2xx.
func (w *Worker) send(ctx context.Context, d review.Delivery, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigil-webhook/1")
	req.Header.Set(HeaderEvent, d.Event.Event)
	req.Header.Set(HeaderDelivery, d.DeliveryID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(w.cfg.Now().Unix(), 10))
	if w.cfg.Secret != "" {
		req.Header.Set(HeaderSignature, Sign(w.cfg.Secret, body))
	}
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}
