package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testenv"
	"github.com/kz-newsroom/vigil/metrics"
)

func lookPromtool(t *testing.T) string {
	t.Helper()
	return testenv.Tool(t, "prometheus", "promtool")
}

func TestObserveVerdict(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.ObserveVerdict("", vigil.Verdict{Action: vigil.ActionAllow,
		Tags: []vigil.Tag{{Name: "security", Score: .9, Source: vigil.SourceModel}, {Name: "government", Score: 1, Source: vigil.SourceRule}}})
	m.ObserveVerdict(vigil.KindComment, vigil.Verdict{Action: vigil.ActionReview,
		Flags: []vigil.Flag{{Name: vigil.FlagExtremistRecruitment, Score: .8}}})
	m.ObserveVerdict(vigil.KindComment, vigil.Verdict{Action: vigil.ActionAllow, Error: vigil.Errorf(vigil.EINTERNAL, "x"),
		Tags: []vigil.Tag{{Name: "security", Source: vigil.SourceModel}}})

	tests := []struct {
		name string
		got  prometheus.Collector
		want float64
	}{
		{"article allow", m.Documents.WithLabelValues("article", "allow"), 1},
		{"comment review", m.Documents.WithLabelValues("comment", "review"), 1},
		{"comment error", m.Documents.WithLabelValues("comment", "error"), 1},
		{"article review", m.Documents.WithLabelValues("article", "review"), 0},
		{"security model (the error's tags are not counted)", m.Tags.WithLabelValues("security", "model"), 1},
		{"government rule", m.Tags.WithLabelValues("government", "rule"), 1},
		{"recruitment flag", m.Flags.WithLabelValues(vigil.FlagExtremistRecruitment), 1},
		{"toxic flag", m.Flags.WithLabelValues(vigil.FlagToxic), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testutil.ToFloat64(tc.got); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBuildInfoReplaced(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetBuildInfo("v1", vigil.Versions{Model: "topics-a", Rules: "rules-a", Heads: map[string]string{"topics": "topics-a", "toxic": "flag-t"}})
	m.SetBuildInfo("v1", vigil.Versions{Model: "topics-b", Rules: "rules-b", Flag: "recruitment-c",
		Heads: map[string]string{"topics": "topics-b", "comment_topics": "comments-b"}})
	want := `# HELP vigil_build_info Always 1; labels name the binary version and the model bundle, rule set and flag head in use.
# TYPE vigil_build_info gauge
vigil_build_info{flag="recruitment-c",model="topics-b",rules="rules-b",version="v1"} 1
# HELP vigil_model_head_info Always 1; one series per model head in use (topics, comment_topics, each flag head), labelled with its version.
# TYPE vigil_model_head_info gauge
vigil_model_head_info{head="comment_topics",version="comments-b"} 1
vigil_model_head_info{head="topics",version="topics-b"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "vigil_build_info", "vigil_model_head_info"); err != nil {
		t.Error(err)
	}
}

func TestObserveJob(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.InitJob("reload")
	start := time.Unix(1700000000, 0)
	m.ObserveJob("reload", start, 1500*time.Millisecond, nil)
	m.ObserveJob("reload", start.Add(time.Minute), 2*time.Second, errors.New("bad rule pack"))
	checks := []struct {
		name string
		c    prometheus.Collector
		want float64
	}{
		{"successes", m.JobRuns.WithLabelValues("reload", "success"), 1},
		{"failures", m.JobRuns.WithLabelValues("reload", "failure"), 1},
		{"last run", m.JobLastRun.WithLabelValues("reload"), 1700000060},
		{"last duration", m.JobLastDuration.WithLabelValues("reload"), 2},
		{"last success", m.JobLastSuccess.WithLabelValues("reload"), 0},
	}
	for _, tc := range checks {
		if got := testutil.ToFloat64(tc.c); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReviewQueueCollector(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	if n, err := testutil.GatherAndCount(reg, "vigil_review_queue_items"); err != nil || n != 0 {
		t.Fatalf("before SetReviewQueue: %d series, %v; want none", n, err)
	}
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	metrics.SetReviewClock(m, func() time.Time { return now })
	fail := false
	reads := 0
	m.SetReviewQueue(func(ctx context.Context) (metrics.ReviewQueue, error) {
		reads++
		if fail {
			return metrics.ReviewQueue{}, errors.New("database is locked")
		}
		return metrics.ReviewQueue{Items: map[string]int{"pending": 3, "claimed": 1}, OldestPendingAge: 90 * time.Second}, nil
	}, nil)
	want := `# HELP vigil_review_oldest_pending_age_seconds Age of the oldest review item still needing a decision (0 when none).
# TYPE vigil_review_oldest_pending_age_seconds gauge
vigil_review_oldest_pending_age_seconds 90
# HELP vigil_review_queue_items Review queue items by status (claimed: open items under a live lease).
# TYPE vigil_review_queue_items gauge
vigil_review_queue_items{status="claimed"} 1
vigil_review_queue_items{status="pending"} 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "vigil_review_queue_items", "vigil_review_oldest_pending_age_seconds"); err != nil {
		t.Error(err)
	}
	// A flood of scrapes within the cache's life reads the queue once; the
	// oldest item's age moves on with the clock.
	for range 50 {
		testutil.GatherAndCount(reg, "vigil_review_queue_items")
	}
	now = now.Add(3 * time.Second)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(strings.Replace(want, "seconds 90", "seconds 93", 1)),
		"vigil_review_queue_items", "vigil_review_oldest_pending_age_seconds"); err != nil {
		t.Error(err)
	}
	if reads != 1 {
		t.Errorf("52 scrapes within 5 s read the queue %d times; want 1", reads)
	}
	fail = true
	now = now.Add(5 * time.Second)
	if n, err := testutil.GatherAndCount(reg, "vigil_review_queue_items"); err != nil || n != 0 {
		t.Errorf("failing queue: %d series, %v; want none and no scrape error", n, err)
	}
	if reads != 2 {
		t.Errorf("a scrape after 8 s read the queue %d times in all; want 2", reads)
	}
}

func TestInstrumentHandler(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	h := m.InstrumentHandler("check", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/v1/check", nil))
	}
	if n := testutil.CollectAndCount(m.HTTPDuration, "vigil_http_request_duration_seconds"); n != 1 {
		t.Fatalf("got %d series, want 1", n)
	}
	var buf bytes.Buffer
	rec := httptest.NewRecorder()
	metrics.Handler(reg, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	buf.ReadFrom(rec.Body)
	if want := `vigil_http_request_duration_seconds_count{code="418",handler="check"} 3`; !strings.Contains(buf.String(), want) {
		t.Errorf("exposition lacks %q", want)
	}
}

// populated returns a registry with every metric family holding at least one
// series, as after some traffic.
func populated(t *testing.T) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetBuildInfo("dev", vigil.Versions{Model: "topics-x", Rules: "rules-y", Flag: "recruitment-z"})
	m.ObserveStage("normalize", 120*time.Microsecond)
	m.ObserveVerdict("article", vigil.Verdict{Action: "allow", Tags: []vigil.Tag{{Name: "security", Source: "model"}}})
	m.ObserveDecision("approve")
	m.ShadowRuleHit("recruit.shadow")
	m.RetagDocumentsDone(10)
	m.RetagFinished(nil)
	m.ObserveJob("reload", time.Now(), time.Millisecond, nil)
	m.SetReviewQueue(func(context.Context) (metrics.ReviewQueue, error) {
		return metrics.ReviewQueue{Items: map[string]int{"pending": 1}}, nil
	}, nil)
	m.InstrumentHandler("check", http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	return reg
}

func TestLint(t *testing.T) {
	problems, err := testutil.GatherAndLint(populated(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "vigil_") {
			t.Errorf("%s: %s", p.Metric, p.Text)
		}
	}
}

// TestPromtoolCheckMetrics feeds the exposition to `promtool check metrics`,
// which must report nothing.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := lookPromtool(t)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept", "text/plain")
	metrics.Handler(populated(t), nil).ServeHTTP(rec, req)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = rec.Body
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestWebhookMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	metrics.SetReviewClock(m, func() time.Time { return now })
	m.SetReviewQueue(func(ctx context.Context) (metrics.ReviewQueue, error) {
		return metrics.ReviewQueue{OutboxPending: 4, OutboxDead: 1, OutboxOldestAge: time.Minute}, nil
	}, nil)
	m.ObserveWebhook(metrics.WebhookFailed, 0)
	m.ObserveWebhook(metrics.WebhookDelivered, 20*time.Millisecond)
	m.ObserveWebhook(metrics.WebhookDelivered, 3*time.Second)
	want := `# HELP vigil_webhook_dead_letters Decision webhook deliveries given up after 24 h of retries, waiting for an admin to redeliver.
# TYPE vigil_webhook_dead_letters gauge
vigil_webhook_dead_letters 1
# HELP vigil_webhook_deliveries_total Decision webhook delivery attempts by result: delivered, failed (will be retried), dead (gave up).
# TYPE vigil_webhook_deliveries_total counter
vigil_webhook_deliveries_total{result="dead"} 0
vigil_webhook_deliveries_total{result="delivered"} 2
vigil_webhook_deliveries_total{result="failed"} 1
# HELP vigil_webhook_outbox_deliveries Decision webhook deliveries waiting in the outbox (to send or to retry).
# TYPE vigil_webhook_outbox_deliveries gauge
vigil_webhook_outbox_deliveries 4
# HELP vigil_webhook_outbox_oldest_age_seconds Age of the oldest delivery waiting in the outbox (0 when none).
# TYPE vigil_webhook_outbox_oldest_age_seconds gauge
vigil_webhook_outbox_oldest_age_seconds 60
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "vigil_webhook_dead_letters", "vigil_webhook_deliveries_total",
		"vigil_webhook_outbox_deliveries", "vigil_webhook_outbox_oldest_age_seconds"); err != nil {
		t.Error(err)
	}
	if got := testutil.CollectAndCount(m.WebhookLag); got != 1 {
		t.Errorf("lag histogram: %d series", got)
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`# HELP vigil_webhook_delivery_lag_seconds Time from a moderator's decision to its webhook's delivery (the receiver's 2xx).
# TYPE vigil_webhook_delivery_lag_seconds histogram
vigil_webhook_delivery_lag_seconds_bucket{le="0.005"} 0
vigil_webhook_delivery_lag_seconds_bucket{le="0.01"} 0
vigil_webhook_delivery_lag_seconds_bucket{le="0.025"} 1
vigil_webhook_delivery_lag_seconds_bucket{le="0.05"} 1
vigil_webhook_delivery_lag_seconds_bucket{le="0.1"} 1
vigil_webhook_delivery_lag_seconds_bucket{le="0.25"} 1
vigil_webhook_delivery_lag_seconds_bucket{le="0.5"} 1
vigil_webhook_delivery_lag_seconds_bucket{le="1"} 1
vigil_webhook_delivery_lag_seconds_bucket{le="2.5"} 1
vigil_webhook_delivery_lag_seconds_bucket{le="5"} 2
vigil_webhook_delivery_lag_seconds_bucket{le="10"} 2
vigil_webhook_delivery_lag_seconds_bucket{le="30"} 2
vigil_webhook_delivery_lag_seconds_bucket{le="60"} 2
vigil_webhook_delivery_lag_seconds_bucket{le="300"} 2
vigil_webhook_delivery_lag_seconds_bucket{le="1800"} 2
vigil_webhook_delivery_lag_seconds_bucket{le="3600"} 2
vigil_webhook_delivery_lag_seconds_bucket{le="21600"} 2
vigil_webhook_delivery_lag_seconds_bucket{le="86400"} 2
vigil_webhook_delivery_lag_seconds_bucket{le="+Inf"} 2
vigil_webhook_delivery_lag_seconds_sum 3.02
vigil_webhook_delivery_lag_seconds_count 2
`), "vigil_webhook_delivery_lag_seconds"); err != nil {
		t.Error(err)
	}
}
