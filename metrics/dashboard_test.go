package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testenv"
	"github.com/kz-newsroom/vigil/metrics"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/retag"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/server"
	"github.com/kz-newsroom/vigil/webhook"
)

// dashboard is the part of a Grafana dashboard the tests read.
type dashboard struct {
	Title  string  `json:"title"`
	UID    string  `json:"uid"`
	Panels []panel `json:"panels"`
}

type panel struct {
	ID         int             `json:"id"`
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource json.RawMessage `json:"datasource"`
	Targets    []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's panels
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("grafana", "vigil.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("grafana/vigil.json: %v", err)
	}
	return d
}

// queries returns every panel query of d, keyed "panel title #n".
func (d dashboard) queries() map[string]string {
	out := map[string]string{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for i, t := range p.Targets {
				out[fmt.Sprintf("%s #%d", p.Title, i+1)] = t.Expr
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert string `yaml:"alert"`
			Expr  string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func loadAlerts(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			out[r.Alert] = r.Expr
		}
	}
	return out
}

// TestDashboardShape checks what Grafana needs to import the dashboard:
// unique panel ids, every query on the datasource variable, and every
// contract metric shown somewhere.
func TestDashboardShape(t *testing.T) {
	d := loadDashboard(t)
	if d.Title == "" || d.UID == "" {
		t.Errorf("dashboard needs a title and uid")
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type != "row" && !bytes.Contains(p.Datasource, []byte("${datasource}")) {
			t.Errorf("panel %q does not use the datasource variable: %s", p.Title, p.Datasource)
		}
	}
	// Every query is scoped by the instance variable: with several servers
	// an operator looks at one, or all. Gauges every server reads from the
	// shared review store are not added up across servers.
	shared := regexp.MustCompile(`vigil_(review_queue_items|review_oldest_pending_age_seconds|webhook_outbox_\w+|webhook_dead_letters)`)
	for name, q := range d.queries() {
		if !strings.Contains(q, `instance=~"$instance"`) {
			t.Errorf("panel %s: query not scoped by $instance: %s", name, q)
		}
		if shared.MatchString(q) && strings.Contains(q, "sum") {
			t.Errorf("panel %s adds up a gauge of the shared store across servers: %s", name, q)
		}
	}
	all := strings.Join(slices.Collect(func(yield func(string) bool) {
		for _, q := range d.queries() {
			if !yield(q) {
				return
			}
		}
	}), "\n")
	for _, m := range []string{"vigil_documents_total", "vigil_stage_duration_seconds", "vigil_http_request_duration_seconds",
		"vigil_tags_total", "vigil_flags_total", "vigil_review_queue_items", "vigil_review_oldest_pending_age_seconds",
		"vigil_review_decisions_total", "vigil_retag_documents_total", "vigil_retag_last_success_timestamp_seconds", "vigil_build_info",
		"vigil_webhook_deliveries_total", "vigil_webhook_delivery_lag_seconds", "vigil_webhook_outbox_deliveries", "vigil_webhook_dead_letters"} {
		if !strings.Contains(all, m) {
			t.Errorf("no dashboard panel shows %s", m)
		}
	}
}

// TestAlertsLinkTheirRunbook: every alert's runbook_url points at a
// heading of docs/operations.md that exists.
func TestAlertsLinkTheirRunbook(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if h, ok := strings.CutPrefix(line, "### "); ok {
			anchors[strings.ToLower(strings.TrimSpace(h))] = true
		}
	}
	ab, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(ab, &rf); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			n++
			u := r.Annotations["runbook_url"]
			_, anchor, ok := strings.Cut(u, "docs/operations.md#")
			if !ok || anchor != strings.ToLower(r.Alert) || !anchors[anchor] {
				t.Errorf("alert %s: runbook_url %q does not point at its heading in docs/operations.md", r.Alert, u)
			}
		}
	}
	if n < 10 {
		t.Errorf("read %d alerts from alerts.yml; want them all", n)
	}
}

func TestPromtoolRules(t *testing.T) {
	promtool := lookPromtool(t)
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// shadowStage stands in for the rules engine's shadow rules in this test:
// it counts a shadow hit for documents mentioning "сегодня".
type shadowStage struct{ m *metrics.Metrics }

func (shadowStage) Name() string { return "rules" }

func (s shadowStage) Process(_ context.Context, it *pipeline.Item) error {
	for _, f := range it.Fields {
		if strings.Contains(f.Text, "вербовщик") {
			it.Verdict.Tags = append(it.Verdict.Tags, vigil.Tag{Name: "security", Score: 0.9, Source: vigil.SourceRule})
		}
		if strings.Contains(f.Text, "вступай") {
			it.Signals = append(it.Signals, pipeline.Signal{Flag: vigil.FlagExtremistRecruitment, Source: vigil.SourceRule, Weight: 0.9})
		}
		if strings.Contains(f.Text, "сегодня") {
			s.m.ShadowRuleHit("test.shadow")
		}
	}
	return nil
}

// TestPrometheusScrapesDashboardAndAlerts runs a real Prometheus against a
// live server under load, then asks it every dashboard query and checks
// every alert rule evaluates and reads metrics that exist.
func TestPrometheusScrapesDashboardAndAlerts(t *testing.T) {
	promBin := testenv.Tool(t, "prometheus", "prometheus")
	if testing.Short() {
		t.Skip("starts Prometheus; skipped with -short")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The service: real pipeline stages, a real review queue, jobs.
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.SetBuildInfo("test", vigil.Versions{Model: "topics-test", Rules: "rules-test", Flag: "recruitment-test"})
	// Decisions go to a webhook receiver that fails once, then answers 200.
	var hookHits atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hookHits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer hook.Close()
	var hooks *webhook.Worker
	store, err := review.Open(ctx, review.Config{DataDir: t.TempDir(), WebhookURLs: []string{hook.URL},
		OnDecision: func(d string) { m.ObserveDecision(d); hooks.Notify() }})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	hooks = webhook.New(store, webhook.Config{Secret: "s", MinBackoff: 100 * time.Millisecond, Poll: 100 * time.Millisecond, Observe: m.ObserveWebhook})
	go hooks.Run(ctx)
	m.SetReviewQueue(func(ctx context.Context) (metrics.ReviewQueue, error) {
		st, err := store.Stats(ctx)
		ob, oerr := store.Outbox(ctx)
		return metrics.ReviewQueue{Items: st.Items, OldestPendingAge: st.OldestOpenAge,
			OutboxPending: ob.Pending, OutboxDead: ob.Dead, OutboxOldestAge: ob.OldestPendingAge}, errors.Join(err, oerr)
	}, nil)
	pipe := pipeline.New(pipeline.Options{Observe: m.ObserveStage},
		&pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, shadowStage{m}, &pipeline.Decide{})
	srv, err := server.New(server.Config{Addr: "127.0.0.1:0", Tokens: server.Tokens{CMS: []string{"cms"}, Moderator: []string{"mod"}}},
		server.Deps{Checker: pipe, Review: store, Metrics: m, Gatherer: reg})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	archive := filepath.Join(t.TempDir(), "archive.jsonl")
	os.WriteFile(archive, []byte(`{"id":"a1","body":"Вербовщики сегодня"}`+"\n"+`{"id":"a2","body":"Погода"}`+"\n"), 0o644)
	outDir := t.TempDir()
	sched, err := server.NewScheduler(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	sched.Add(server.Job{Name: "lease_expiry", Every: time.Second, Run: func(ctx context.Context) error {
		_, err := store.ExpireLeases(ctx)
		return err
	}})
	sched.Add(server.Job{Name: "retag", Every: 2 * time.Second, Run: func(ctx context.Context) error {
		job := retag.Job{In: archive, Out: filepath.Join(outDir, "out.jsonl"), Restart: true}
		_, err := retag.Run(ctx, pipe, job, retagProgress{m})
		return err
	}})
	sched.Start()
	defer sched.Close()

	// Prometheus, scraping every second and evaluating the alert rules.
	dir := t.TempDir()
	alerts, _ := filepath.Abs("alerts.yml")
	promAddr := freeAddr(t)
	cfg := fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [%q]
scrape_configs:
  - job_name: vigil
    static_configs: [{targets: [%q]}]
`, alerts, srv.Addr())
	os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644)
	var promLog bytes.Buffer
	cmd := exec.CommandContext(ctx, promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+promAddr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &promLog, &promLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", promLog.String())
		}
	}()
	api := "http://" + promAddr
	testenv.Eventually(t, 30*time.Second, "prometheus ready", func() bool {
		resp, err := http.Get(api + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	// A bounded load: articles, flagged comments, bad and unauthorized
	// requests, a batch; and a moderator deciding an item.
	load(t, "http://"+srv.Addr(), 4, 6*time.Second)
	items, _, err := store.List(ctx, review.Filter{})
	if err != nil || len(items) == 0 {
		t.Fatalf("no review items after the load: %v", err)
	}
	mod := vigil.Principal{Name: "alice", Role: vigil.RoleModerator}
	if _, err := store.Claim(ctx, mod, items[0].ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Decide(ctx, mod, items[0].ID, review.Decision{Decision: vigil.DecisionReject, Note: "recruitment"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // a few scrapes after the load

	for name, q := range loadDashboard(t).queries() {
		q = strings.NewReplacer("$__rate_interval", "30s", "$__interval", "5s", "$__range", "1m", "$instance", ".*").Replace(q)
		t.Run("dashboard/"+name, func(t *testing.T) {
			n, err := promQuery(api, q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if n == 0 {
				t.Errorf("no data: %s", q)
			}
		})
	}

	alertRules := loadAlerts(t)
	metricName := regexp.MustCompile(`\b(vigil_[a-z_]+|up)\b`)
	for name, expr := range alertRules {
		t.Run("alert/"+name, func(t *testing.T) {
			if _, err := promQuery(api, expr); err != nil {
				t.Fatalf("expression does not evaluate: %v\n%s", err, expr)
			}
			for _, mn := range slices.Compact(slices.Sorted(slices.Values(metricName.FindAllString(expr, -1)))) {
				if n, err := promQuery(api, mn); err != nil || n == 0 {
					t.Errorf("metric %s has no data (%v)", mn, err)
				}
			}
		})
	}
	// Prometheus itself evaluated every rule without error.
	var rules struct {
		Data struct {
			Groups []struct {
				Rules []struct{ Name, Health, LastError string }
			}
		}
	}
	if err := getJSON(api+"/api/v1/rules", &rules); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, g := range rules.Data.Groups {
		for _, r := range g.Rules {
			seen++
			if r.Health != "ok" {
				t.Errorf("rule %s: health %q, %s", r.Name, r.Health, r.LastError)
			}
		}
	}
	if seen != len(alertRules) {
		t.Errorf("prometheus loaded %d rules, alerts.yml has %d", seen, len(alertRules))
	}
}

// retagProgress feeds a scheduled retag run into the metrics, as vigil
// serve does.
type retagProgress struct{ m *metrics.Metrics }

func (retagProgress) Start(int64, int64)                  {}
func (p retagProgress) Add(n int64)                       { p.m.RetagDocumentsDone(n) }
func (p retagProgress) Finish(_ retag.Summary, err error) { p.m.RetagFinished(err) }

// load sends requests from workers goroutines for about d.
func load(t *testing.T, base string, workers int, d time.Duration) {
	t.Helper()
	article, err := os.ReadFile(filepath.Join("..", "server", "testdata", "article-ru.json"))
	if err != nil {
		t.Fatal(err)
	}
	reqs := []struct {
		path, token, body string
	}{
		{"/v1/check", "cms", string(article)},
		{"/v1/check", "cms", `{"id":"c1","kind":"comment","body":"Брат, вступай к нам сегодня"}`},
		{"/v1/check", "cms", `{"id":"bad","kind":"tweet","body":"x"}`},
		{"/v1/check", "", `{"id":"x","body":"x"}`},
		{"/v1/check/batch", "cms", `{"documents":[{"id":"b1","body":"Вербовщики"},{"id":"b2","kind":"comment","body":"вступай"}]}`},
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; time.Now().Before(deadline); i++ {
				r := reqs[i%len(reqs)]
				req, _ := http.NewRequest("POST", base+r.path, strings.NewReader(r.body))
				if r.token != "" {
					req.Header.Set("Authorization", "Bearer "+r.token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if resp, err := http.Get(base + p); err == nil {
			resp.Body.Close()
		}
	}
	wg.Wait()
}

// promQuery runs an instant query and returns how many series or samples
// it returned; an error means Prometheus rejected or failed the query.
func promQuery(api, q string) (int, error) {
	var r struct {
		Status, Error string
		Data          struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		}
	}
	if err := getJSON(api+"/api/v1/query?query="+url.QueryEscape(q), &r); err != nil {
		return 0, err
	}
	if r.Status != "success" {
		return 0, fmt.Errorf("%s", r.Error)
	}
	if r.Data.ResultType == "scalar" {
		return 1, nil
	}
	var res []json.RawMessage
	if err := json.Unmarshal(r.Data.Result, &res); err != nil {
		return 0, err
	}
	return len(res), nil
}

func getJSON(u string, v any) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
