package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	vigil "github.com/kz-newsroom/vigil"
)

const namespace = "vigil"

// Job results, the values of the result label of JobRuns. Job metrics name
// the job in the label "name", not "job", which Prometheus gives the scrape
// target.
const (
	ResultSuccess = "success"
	ResultFailure = "failure"
)

// Reasons a request is refused before any work, the values of the reason
// label of HTTPRejected.
const (
	RejectOverload     = "overload"
	RejectTooLarge     = "too_large"
	RejectUnauthorized = "unauthorized"
	RejectForbidden    = "forbidden"
)

// ActionError is the action label of documents whose check failed (the
// verdict carries an error), so that failures show beside allow and review.
const ActionError = "error"

// stageBuckets cover one stage on one document: tens of microseconds for
// the cheap stages up to a second for a pathological megabyte.
var stageBuckets = []float64{.00002, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}

// httpBuckets straddle the CMS's 10 ms budget finely and reach batch sizes.
var httpBuckets = []float64{.0005, .001, .0025, .005, .0075, .01, .015, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Metrics is every metric Vigil exports, registered on one registry. All
// methods are safe for concurrent use. The fields are exported for tests and
// for wiring that needs the raw vector; prefer the methods.
type Metrics struct {
	// Contract metrics (see docs/operations.md).
	Documents        *prometheus.CounterVec   // vigil_documents_total{kind,action}
	StageDuration    *prometheus.HistogramVec // vigil_stage_duration_seconds{stage}
	HTTPDuration     *prometheus.HistogramVec // vigil_http_request_duration_seconds{handler,code}
	Tags             *prometheus.CounterVec   // vigil_tags_total{tag,source}
	Flags            *prometheus.CounterVec   // vigil_flags_total{flag}
	ReviewDecisions  *prometheus.CounterVec   // vigil_review_decisions_total{decision}
	RetagDocuments   prometheus.Counter       // vigil_retag_documents_total
	RetagLastSuccess prometheus.Gauge         // vigil_retag_last_success_timestamp_seconds
	BuildInfo        *prometheus.GaugeVec     // vigil_build_info{version,model,rules,flag}
	HeadInfo         *prometheus.GaugeVec     // vigil_model_head_info{head,version}

	// Service metrics beyond the contract.
	HTTPInFlight    prometheus.Gauge         // vigil_http_requests_in_flight
	HTTPRejected    *prometheus.CounterVec   // vigil_http_rejected_requests_total{reason}
	ShadowRuleHits  *prometheus.CounterVec   // vigil_rule_shadow_hits_total{rule}
	JobRuns         *prometheus.CounterVec   // vigil_job_runs_total{name,result}
	JobLastRun      *prometheus.GaugeVec     // vigil_job_last_run_timestamp_seconds{name}
	JobLastDuration *prometheus.GaugeVec     // vigil_job_last_run_duration_seconds{name}
	JobLastSuccess  *prometheus.GaugeVec     // vigil_job_last_run_success{name}
	JobDuration     *prometheus.HistogramVec // vigil_job_duration_seconds{name}

	// Decision webhooks: attempts by result, and the time from a decision
	// to its delivery. The outbox gauges come with the review queue's.
	WebhookDeliveries *prometheus.CounterVec // vigil_webhook_deliveries_total{result}
	WebhookLag        prometheus.Histogram   // vigil_webhook_delivery_lag_seconds

	review *reviewCollector
}

// New creates Vigil's metrics and registers them, with the Go runtime and
// process collectors, on reg. It panics if reg already holds any of them
// (a programmer error, like registering twice). Label sets whose values are
// known up front (kinds and actions, flags, rejection reasons, decisions)
// are created at zero so that dashboards and alerts have series from the
// first scrape.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Documents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "documents_total",
			Help: "Documents checked, by kind and resulting action (error when the check failed).",
		}, []string{"kind", "action"}),
		StageDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "stage_duration_seconds",
			Help:    "Time one pipeline stage took on one document.",
			Buckets: stageBuckets,
		}, []string{"stage"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "HTTP request latency by handler and status code.",
			Buckets: httpBuckets,
		}, []string{"handler", "code"}),
		Tags: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "tags_total",
			Help: "Tags assigned to checked documents, by tag and source (model or rule).",
		}, []string{"tag", "source"}),
		Flags: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "flags_total",
			Help: "Flags raised on checked documents (each sends its document to review).",
		}, []string{"flag"}),
		ReviewDecisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "review_decisions_total",
			Help: "Moderators' decisions on review items.",
		}, []string{"decision"}),
		RetagDocuments: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "retag_documents_total",
			Help: "Archive documents re-tagged by scheduled retag runs of this process.",
		}),
		RetagLastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "retag_last_success_timestamp_seconds",
			Help: "Unix time the last retag run finished without error (0: never).",
		}),
		BuildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "build_info",
			Help: "Always 1; labels name the binary version and the model bundle, rule set and flag head in use.",
		}, []string{"version", "model", "rules", "flag"}),
		HeadInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "model_head_info",
			Help: "Always 1; one series per model head in use (topics, comment_topics, each flag head), labelled with its version.",
		}, []string{"head", "version"}),
		HTTPInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		HTTPRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_rejected_requests_total",
			Help: "HTTP requests refused before any work, by reason.",
		}, []string{"reason"}),
		ShadowRuleHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "rule_shadow_hits_total",
			Help: "Matches of rules in shadow mode (counted, not acted on), by rule id.",
		}, []string{"rule"}),
		JobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "job_runs_total",
			Help: "Scheduled job runs by job and result.",
		}, []string{"name", "result"}),
		JobLastRun: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "job_last_run_timestamp_seconds",
			Help: "Unix time the job's last run started.",
		}, []string{"name"}),
		JobLastDuration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "job_last_run_duration_seconds",
			Help: "How long the job's last run took.",
		}, []string{"name"}),
		JobLastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "job_last_run_success",
			Help: "1 if the job's last run succeeded, 0 if it failed.",
		}, []string{"name"}),
		JobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "job_duration_seconds",
			Help:    "Scheduled job run durations.",
			Buckets: []float64{.001, .01, .1, 1, 10, 60, 600, 3600},
		}, []string{"name"}),
		WebhookDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "webhook_deliveries_total",
			Help: "Decision webhook delivery attempts by result: delivered, failed (will be retried), dead (gave up).",
		}, []string{"result"}),
		WebhookLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "webhook_delivery_lag_seconds",
			Help:    "Time from a moderator's decision to its webhook's delivery (the receiver's 2xx).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600},
		}),
		review: newReviewCollector(),
	}
	reg.MustRegister(
		m.Documents, m.StageDuration, m.HTTPDuration, m.Tags, m.Flags,
		m.ReviewDecisions, m.RetagDocuments, m.RetagLastSuccess, m.BuildInfo, m.HeadInfo,
		m.HTTPInFlight, m.HTTPRejected, m.ShadowRuleHits,
		m.JobRuns, m.JobLastRun, m.JobLastDuration, m.JobLastSuccess, m.JobDuration,
		m.WebhookDeliveries, m.WebhookLag,
		m.review,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	for _, kind := range []string{vigil.KindArticle, vigil.KindComment} {
		for _, action := range []string{vigil.ActionAllow, vigil.ActionReview, ActionError} {
			m.Documents.WithLabelValues(kind, action)
		}
	}
	for _, f := range []string{vigil.FlagExtremistRecruitment, vigil.FlagToxic} {
		m.Flags.WithLabelValues(f)
	}
	for _, d := range []string{vigil.DecisionApprove, vigil.DecisionReject, vigil.DecisionEscalate} {
		m.ReviewDecisions.WithLabelValues(d)
	}
	for _, r := range []string{RejectOverload, RejectTooLarge, RejectUnauthorized, RejectForbidden} {
		m.HTTPRejected.WithLabelValues(r)
	}
	for _, r := range []string{WebhookDelivered, WebhookFailed, WebhookDead} {
		m.WebhookDeliveries.WithLabelValues(r)
	}
	return m
}

// Webhook delivery results (the label of vigil_webhook_deliveries_total).
const (
	WebhookDelivered = "delivered"
	WebhookFailed    = "failed"
	WebhookDead      = "dead"
)

// ObserveWebhook counts one delivery attempt by result and, when it was
// delivered, observes lag, the time since the decision.
func (m *Metrics) ObserveWebhook(result string, lag time.Duration) {
	m.WebhookDeliveries.WithLabelValues(result).Inc()
	if result == WebhookDelivered {
		m.WebhookLag.Observe(max(0, lag.Seconds()))
	}
}

// ObserveStage records one stage's duration on one document. Its signature
// is pipeline.Options.Observe's.
func (m *Metrics) ObserveStage(stage string, d time.Duration) {
	m.StageDuration.WithLabelValues(stage).Observe(d.Seconds())
}

// ObserveVerdict counts a checked document of the given kind ("" is an
// article) by action, and its tags and flags. A verdict with an error
// counts under action "error" and its partial tags and flags are not
// counted.
func (m *Metrics) ObserveVerdict(kind string, v vigil.Verdict) {
	if kind == "" {
		kind = vigil.KindArticle
	}
	if v.Error != nil {
		m.Documents.WithLabelValues(kind, ActionError).Inc()
		return
	}
	m.Documents.WithLabelValues(kind, v.Action).Inc()
	for _, t := range v.Tags {
		m.Tags.WithLabelValues(t.Name, t.Source).Inc()
	}
	for _, f := range v.Flags {
		m.Flags.WithLabelValues(f.Name).Inc()
	}
}

// ObserveDecision counts a moderator's decision; pass it as the review
// store's OnDecision.
func (m *Metrics) ObserveDecision(decision string) {
	m.ReviewDecisions.WithLabelValues(decision).Inc()
}

// ShadowRuleHit counts one match of a rule in shadow mode.
func (m *Metrics) ShadowRuleHit(rule string) {
	m.ShadowRuleHits.WithLabelValues(rule).Inc()
}

// Rejected counts a request refused for reason (one of the Reject constants).
func (m *Metrics) Rejected(reason string) {
	m.HTTPRejected.WithLabelValues(reason).Inc()
}

// SetBuildInfo replaces the build_info series: one series, value 1, naming
// the binary version and the versions of the model bundle, rule set and
// flag head now in use; and the model_head_info series, one per head in
// v.Heads. Call it at start and after every reload.
func (m *Metrics) SetBuildInfo(version string, v vigil.Versions) {
	m.BuildInfo.Reset()
	m.BuildInfo.WithLabelValues(version, v.Model, v.Rules, v.Flag).Set(1)
	m.HeadInfo.Reset()
	for head, ver := range v.Heads {
		m.HeadInfo.WithLabelValues(head, ver).Set(1)
	}
}

// ObserveJob records one run of a scheduled job that started at start, took
// d and ended with err (nil on success).
func (m *Metrics) ObserveJob(job string, start time.Time, d time.Duration, err error) {
	result := ResultSuccess
	ok := 1.0
	if err != nil {
		result, ok = ResultFailure, 0
	}
	m.JobRuns.WithLabelValues(job, result).Inc()
	m.JobLastRun.WithLabelValues(job).Set(float64(start.UnixNano()) / 1e9)
	m.JobLastDuration.WithLabelValues(job).Set(d.Seconds())
	m.JobLastSuccess.WithLabelValues(job).Set(ok)
	m.JobDuration.WithLabelValues(job).Observe(d.Seconds())
}

// InitJob creates a job's series before its first run, so that a job that
// has never run shows as such (run count 0) rather than as missing.
func (m *Metrics) InitJob(job string) {
	m.JobRuns.WithLabelValues(job, ResultSuccess)
	m.JobRuns.WithLabelValues(job, ResultFailure)
}

// RetagDocumentsDone counts n more archive documents re-tagged (feed it
// from a retag.Progress's Add).
func (m *Metrics) RetagDocumentsDone(n int64) { m.RetagDocuments.Add(float64(n)) }

// RetagFinished records the end of a retag run: on success, its time as the
// last success.
func (m *Metrics) RetagFinished(err error) {
	if err == nil {
		m.RetagLastSuccess.SetToCurrentTime()
	}
}

// InstrumentHandler wraps h so that its requests are timed under the given
// handler name, by status code, and counted in flight.
func (m *Metrics) InstrumentHandler(handler string, h http.Handler) http.Handler {
	obs := m.HTTPDuration.MustCurryWith(prometheus.Labels{"handler": handler})
	return promhttp.InstrumentHandlerInFlight(m.HTTPInFlight, promhttp.InstrumentHandlerDuration(obs, h))
}

// Handler serves the metrics of g (the registry New was given) in the
// Prometheus exposition formats. A collector error is logged and the other
// metrics are still served.
func Handler(g prometheus.Gatherer, log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog:          slogAdapter{log},
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
}

type slogAdapter struct{ log *slog.Logger }

func (a slogAdapter) Println(v ...any) {
	if a.log != nil {
		a.log.Warn("metrics", "error", slog.AnyValue(v))
	}
}

// ReviewQueue is the review queue's state at one moment.
type ReviewQueue struct {
	// Items counts items per status (vigil.ReviewStatuses).
	Items map[string]int
	// OldestPendingAge is the age of the oldest item still needing a
	// decision; 0 when none does.
	OldestPendingAge time.Duration
	// The decision webhooks' outbox: deliveries still to make, the age of
	// the oldest of them (0 when none), and dead-lettered deliveries.
	OutboxPending, OutboxDead int
	OutboxOldestAge           time.Duration
}

// SetReviewQueue makes the review queue gauges read the queue through fn at
// scrape time (with a short timeout), at most once every 5 s: scrapes in
// between get that reading, the oldest item's age moved on. Until it is
// called, or when fn fails, the gauges are absent from the scrape; a
// failure is logged to log.
func (m *Metrics) SetReviewQueue(fn func(ctx context.Context) (ReviewQueue, error), log *slog.Logger) {
	m.review.set(fn, log)
}
