package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/apitest"
	"github.com/kz-newsroom/vigil/internal/testclock"
	"github.com/kz-newsroom/vigil/internal/testdb"
	"github.com/kz-newsroom/vigil/internal/testenv"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/server"
	"github.com/kz-newsroom/vigil/webhook"
)

const secret = "s3cret-hook"

var moderator = vigil.Principal{Name: "aigerim", Role: vigil.RoleModerator}

// receiver is a CMS endpoint: it checks each delivery's signature and
// headers, and records the bodies by idempotency key.
type receiver struct {
	t   testing.TB
	srv *httptest.Server

	mu     sync.Mutex
	fail   int // answer 500 to this many requests first
	hits   int
	byKey  map[string][]review.Event
	got    chan review.Event
	badSig int
	api    *apitest.Validator
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{t: t, byKey: map[string][]review.Event{}, got: make(chan review.Event, 1000)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	r.api = apitest.New(t, server.OpenAPI, r.srv.URL)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hits++
	if !webhook.Verify(secret, body, req.Header.Get(webhook.HeaderSignature)) {
		r.badSig++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if req.Header.Get(webhook.HeaderEvent) != review.EventDecided || req.Header.Get(webhook.HeaderTimestamp) == "" ||
		req.Header.Get("Content-Type") != "application/json" {
		r.t.Errorf("headers: %v", req.Header)
	}
	if r.fail > 0 {
		r.fail--
		http.Error(w, "busy", http.StatusInternalServerError)
		return
	}
	var e review.Event
	if err := json.Unmarshal(body, &e); err != nil {
		r.t.Errorf("body %s: %v", body, err)
	}
	if err := r.api.CheckSchema("DecisionEvent", body); err != nil {
		r.t.Errorf("body %s does not match the OpenAPI document's webhook: %v", body, err)
	}
	key := req.Header.Get(webhook.HeaderDelivery)
	r.byKey[key] = append(r.byKey[key], e)
	r.got <- e
}

// keys returns how many distinct idempotency keys arrived.
func (r *receiver) keys() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.byKey)
}

func (r *receiver) wait(t testing.TB, n int) []review.Event {
	t.Helper()
	var out []review.Event
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case e := <-r.got:
			out = append(out, e)
		case <-timeout:
			t.Fatalf("received %d deliveries, want %d", len(out), n)
		}
	}
	return out
}

// backends opens stores of each kind sharing one database per test, so a
// test can close one and open another on the same queue.
func eachBackend(t *testing.T, fn func(t *testing.T, open func(cfg review.Config) *review.Store)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			var cfgBase review.Config
			if name == "sqlite" {
				cfgBase.DataDir = t.TempDir()
			} else {
				cfgBase.DatabaseURL = testdb.CreatePostgres(t, "vigil_webhook_test_")
			}
			fn(t, func(cfg review.Config) *review.Store {
				cfg.DataDir, cfg.DatabaseURL = cfgBase.DataDir, cfgBase.DatabaseURL
				s, err := review.Open(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}

// decideOne queues a flagged comment and decides it.
func decideOne(t testing.TB, s *review.Store, id, decision string) *vigil.ReviewItem {
	t.Helper()
	ctx := context.Background()
	d := vigil.Document{ID: id, Kind: vigil.KindComment, Lang: "ru", Body: "вступай в джихад " + id}
	v := vigil.Verdict{ID: id, Action: vigil.ActionReview, Lang: "ru", Tags: []vigil.Tag{{Name: "security", Score: 0.7, Source: vigil.SourceModel}},
		Flags:    []vigil.Flag{{Name: vigil.FlagExtremistRecruitment, Score: 0.9}},
		Versions: vigil.Versions{Model: "m1", Rules: "r1"}}
	itemID, _, err := s.Put(ctx, d, v)
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.Decide(ctx, moderator, itemID, review.Decision{Decision: decision, Note: "n-" + id})
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func TestDeliverSigned(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(review.Config) *review.Store) {
		rcv := newReceiver(t)
		s := open(review.Config{WebhookURLs: []string{rcv.srv.URL}})
		it := decideOne(t, s, "c-1", vigil.DecisionReject)
		w := webhook.New(s, webhook.Config{Secret: secret})
		if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		e := rcv.wait(t, 1)[0]
		if e.Event != review.EventDecided || e.ItemID != it.ID || e.DocID != "c-1" || e.Decision != "reject" || e.By != "aigerim" ||
			e.Note != "n-c-1" || len(e.Tags) != 1 || e.Tags[0] != "security" || e.VerdictVersion.Model != "m1" || !e.DecidedAt.Equal(*it.DecidedAt) {
			t.Fatalf("event = %+v", e)
		}
		if n, _ := w.RunOnce(context.Background()); n != 0 {
			t.Fatalf("delivered again: %d", n)
		}
		st, err := s.Outbox(context.Background())
		if err != nil || st.Pending != 0 || st.Dead != 0 {
			t.Fatalf("outbox = %+v, %v", st, err)
		}
	})
}

func TestWrongSecretIsRefused(t *testing.T) {
	rcv := newReceiver(t)
	s, err := review.Open(context.Background(), review.Config{DataDir: t.TempDir(), WebhookURLs: []string{rcv.srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	decideOne(t, s, "c-1", vigil.DecisionApprove)
	w := webhook.New(s, webhook.Config{Secret: "not-the-secret"})
	w.RunOnce(context.Background())
	if rcv.badSig != 1 || rcv.keys() != 0 {
		t.Fatalf("bad signatures %d, accepted %d", rcv.badSig, rcv.keys())
	}
	if st, _ := s.Outbox(context.Background()); st.Pending != 1 {
		t.Fatalf("outbox = %+v, want the delivery pending for a retry", st)
	}
}

func TestRetryAfter500(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(review.Config) *review.Store) {
		rcv := newReceiver(t)
		rcv.fail = 1
		s := open(review.Config{WebhookURLs: []string{rcv.srv.URL}})
		decideOne(t, s, "c-1", vigil.DecisionApprove)
		var mu sync.Mutex
		results := map[string]int{}
		w := webhook.New(s, webhook.Config{Secret: secret, MinBackoff: 10 * time.Millisecond, Poll: 5 * time.Millisecond,
			Observe: func(r string, _ time.Duration) { mu.Lock(); results[r]++; mu.Unlock() }})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		rcv.wait(t, 1)
		testenv.Eventually(t, 10*time.Second, "a delivery", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return results[webhook.ResultDelivered] > 0
		})
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if rcv.hits != 2 || results[webhook.ResultFailed] != 1 || results[webhook.ResultDelivered] != 1 || rcv.keys() != 1 {
			t.Fatalf("hits %d, results %v, keys %d", rcv.hits, results, rcv.keys())
		}
	})
}

// flakyOutbox dies after sending: it never records the outcome, as a
// server killed between the receiver's answer and its own commit.
type flakyOutbox struct{ *review.Store }

func (flakyOutbox) RecordDelivery(context.Context, int64, review.DeliveryOutcome) error {
	return errors.New("killed")
}

func TestCrashBetweenDecisionAndDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(review.Config) *review.Store) {
		rcv := newReceiver(t)
		c := testclock.New(time.Now())
		// The decisions commit; the process dies before its worker runs.
		s1 := open(review.Config{WebhookURLs: []string{rcv.srv.URL}, Now: c.Now})
		for _, id := range []string{"c-1", "c-2", "c-3"} {
			decideOne(t, s1, id, vigil.DecisionReject)
		}
		s1.Close()
		// The next process sends one, dies before recording it.
		s2 := open(review.Config{WebhookURLs: []string{rcv.srv.URL}, Now: c.Now})
		if n, _ := webhook.New(flakyOutbox{s2}, webhook.Config{Secret: secret, Batch: 1, Now: c.Now}).RunOnce(context.Background()); n != 1 {
			t.Fatalf("claimed %d", n)
		}
		rcv.wait(t, 1)
		s2.Close()
		// The third runs after the dead one's claim lease ended.
		c.Add(2 * time.Minute)
		s3 := open(review.Config{WebhookURLs: []string{rcv.srv.URL}, Now: c.Now})
		w := webhook.New(s3, webhook.Config{Secret: secret, Now: c.Now})
		if n, err := w.RunOnce(context.Background()); n != 3 || err != nil {
			t.Fatalf("claimed %d, %v", n, err)
		}
		rcv.wait(t, 3)
		if n, _ := w.RunOnce(context.Background()); n != 0 {
			t.Fatalf("claimed %d more", n)
		}
		docs := map[string]int{}
		rcv.mu.Lock()
		for key, es := range rcv.byKey {
			for _, e := range es[1:] {
				if !sameEvent(e, es[0]) {
					t.Errorf("key %s: two different bodies", key)
				}
			}
			docs[es[0].DocID]++
		}
		rcv.mu.Unlock()
		if len(docs) != 3 || docs["c-1"] != 1 || docs["c-2"] != 1 || docs["c-3"] != 1 {
			t.Fatalf("idempotency keys per document = %v, want one each", docs)
		}
	})
}

func sameEvent(a, b review.Event) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestDeadLetterAndRedeliver(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(review.Config) *review.Store) {
		rcv := newReceiver(t)
		rcv.fail = 1 << 30
		c := testclock.New(time.Now())
		s := open(review.Config{WebhookURLs: []string{rcv.srv.URL}, Now: c.Now})
		decideOne(t, s, "c-1", vigil.DecisionReject)
		w := webhook.New(s, webhook.Config{Secret: secret, Now: c.Now})
		ctx := context.Background()
		w.RunOnce(ctx) // fails: retried within a second or two
		c.Add(23 * time.Hour)
		w.RunOnce(ctx) // fails again
		c.Add(2 * time.Hour)
		w.RunOnce(ctx) // over 24 h: dead
		dead, err := s.DeadDeliveries(ctx, 0, 10)
		if err != nil || len(dead) != 1 || dead[0].Attempts != 3 || dead[0].LastStatus != 500 || dead[0].Event.DocID != "c-1" {
			t.Fatalf("dead = %+v, %v", dead, err)
		}
		if n, _ := w.RunOnce(ctx); n != 0 {
			t.Fatalf("a dead delivery was claimed")
		}
		if err := s.Redeliver(ctx, moderator, dead[0].ID); vigil.ErrorCode(err) != vigil.EFORBIDDEN {
			t.Fatalf("moderator redelivered: %v", err)
		}
		admin := vigil.Principal{Name: "chief", Role: vigil.RoleAdmin}
		if err := s.Redeliver(ctx, admin, dead[0].ID+100); vigil.ErrorCode(err) != vigil.ENOTFOUND {
			t.Fatalf("unknown delivery: %v", err)
		}
		rcv.mu.Lock()
		rcv.fail = 0
		rcv.mu.Unlock()
		if err := s.Redeliver(ctx, admin, dead[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Redeliver(ctx, admin, dead[0].ID); vigil.ErrorCode(err) != vigil.ECONFLICT {
			t.Fatalf("redeliver twice: %v", err)
		}
		w.RunOnce(ctx)
		rcv.wait(t, 1)
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		if _, ok := rcv.byKey[dead[0].DeliveryID]; !ok || len(rcv.byKey) != 1 {
			t.Fatalf("redelivered under another key: %v", rcv.byKey)
		}
	})
}

// TestServersShareOneOutbox: several workers on one PostgreSQL database
// (several vigil serve) send each delivery once between them.
func TestServersShareOneOutbox(t *testing.T) {
	rcv := newReceiver(t)
	url := testdb.CreatePostgres(t, "vigil_webhook_test_")
	const servers, decisions = 3, 60
	var stores []*review.Store
	for range servers {
		s, err := review.Open(context.Background(), review.Config{DatabaseURL: url, WebhookURLs: []string{rcv.srv.URL}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	for i := range decisions {
		decideOne(t, stores[i%servers], "c-"+strconv.Itoa(i), vigil.DecisionApprove)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, s := range stores {
		w := webhook.New(s, webhook.Config{Secret: secret, Batch: 4, Poll: time.Millisecond})
		wg.Go(func() { w.Run(ctx) })
	}
	rcv.wait(t, decisions)
	time.Sleep(100 * time.Millisecond)
	cancel()
	wg.Wait()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for key, es := range rcv.byKey {
		if len(es) != 1 {
			t.Errorf("key %s delivered %d times", key, len(es))
		}
	}
	if len(rcv.byKey) != decisions || rcv.hits != decisions {
		t.Errorf("%d keys in %d requests, want %d", len(rcv.byKey), rcv.hits, decisions)
	}
}
