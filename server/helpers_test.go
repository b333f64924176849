package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/apitest"
	"github.com/kz-newsroom/vigil/metrics"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/server"
)

// Tokens used by the tests, one per role.
const (
	cmsToken = "cms-secret-0123456789"
	modToken = "alice:mod-secret-0123456789"
	modBare  = "mod-secret-0123456789"
	admToken = "adm-secret-0123456789"
)

// keywordStage is a small real stage for tests: it tags documents that
// mention recruiters "security" and raises the recruitment signal on
// calls to join, reading the normalized text the normalize stage left.
type keywordStage struct{}

var _ pipeline.Stage = keywordStage{}

func (keywordStage) Name() string { return "keywords" }

func (keywordStage) Process(_ context.Context, it *pipeline.Item) error {
	for i := range it.Fields {
		f := &it.Fields[i]
		if j := strings.Index(f.Text, "вербовщик"); j >= 0 {
			it.Verdict.Tags = append(it.Verdict.Tags, vigil.Tag{Name: "security", Score: 0.9, Source: vigil.SourceRule,
				Evidence: []vigil.Evidence{f.Evidence("test.recruiters", j, j+len("вербовщик"))}})
		}
		if j := strings.Index(f.Text, "вступай"); j >= 0 {
			it.Signals = append(it.Signals, pipeline.Signal{Flag: vigil.FlagExtremistRecruitment, Source: vigil.SourceRule,
				Weight: 0.95, Evidence: []vigil.Evidence{f.Evidence("test.join", j, j+len("вступай"))}})
		}
	}
	return nil
}

// gate is a stage that blocks each document until released (or its
// context ends), to hold requests in flight.
type gate struct {
	entered chan struct{}
	release chan struct{}
}

func newGate() *gate { return &gate{entered: make(chan struct{}, 100), release: make(chan struct{})} }

func (*gate) Name() string { return "gate" }

func (g *gate) Process(ctx context.Context, _ *pipeline.Item) error {
	g.entered <- struct{}{}
	select {
	case <-g.release:
		return nil
	case <-ctx.Done():
		return vigil.Errorf(vigil.EUNAVAILABLE, "gate: %v", ctx.Err())
	}
}

// testServer is a running server on 127.0.0.1:0 with a real pipeline and a
// real SQLite review queue.
type testServer struct {
	*server.Server
	url   string
	store *review.Store
	reg   *prometheus.Registry
	m     *metrics.Metrics
	api   *apitest.Validator
}

type serverOpt func(*server.Config, *server.Deps)

func withTokens(cfg *server.Config, _ *server.Deps) {
	cfg.Tokens = server.Tokens{CMS: []string{cmsToken}, Moderator: []string{modToken}, Admin: []string{admToken}}
}

// startServer starts a server checking with the given extra stages
// (between tokenize and decide) and stops it at the end of the test.
func startServer(t testing.TB, extra []pipeline.Stage, opts ...serverOpt) *testServer {
	t.Helper()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	store, err := review.Open(context.Background(), review.Config{DataDir: t.TempDir(), OnDecision: m.ObserveDecision})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	stages := append([]pipeline.Stage{&pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}}, extra...)
	stages = append(stages, &pipeline.Decide{})
	pipe := pipeline.New(pipeline.Options{Observe: m.ObserveStage}, stages...)
	cfg := server.Config{Addr: "127.0.0.1:0"}
	deps := server.Deps{Checker: pipe, Review: store, Metrics: m, Gatherer: reg,
		Ready: []server.ReadyCheck{{Name: "storage", Check: store.Ping}}}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	s, err := server.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	s.Mount("/v1/review/", "review_api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := vigil.PrincipalFrom(r.Context())
		json.NewEncoder(w).Encode(map[string]string{"name": p.Name, "role": p.Role})
	}), vigil.RoleModerator)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	url := "http://" + s.Addr()
	return &testServer{Server: s, url: url, store: store, reg: reg, m: m, api: apitest.New(t, server.OpenAPI, url)}
}

// response is a decoded HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) errorCode() string {
	var e struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func (ts *testServer) do(t testing.TB, method, path, token string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// Every answer of a documented operation matches the OpenAPI document
	// (the review API here is a stand-in; review's tests check the real one).
	if !strings.HasPrefix(path, "/v1/review/") {
		if op, ok, err := ts.api.Check(req, resp.StatusCode, resp.Header, b); ok && err != nil {
			t.Errorf("%s → %d does not match the OpenAPI document: %v", op, resp.StatusCode, err)
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (ts *testServer) post(t testing.TB, path, token string, v any) response {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return ts.do(t, "POST", path, token, bytes.NewReader(b))
}

func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return v
}

// seedArticle is the first 3 KB-ish of a news report about recruiters.
func seedArticle(t testing.TB) vigil.Document {
	t.Helper()
	b, err := os.ReadFile("testdata/article-ru.json")
	if err != nil {
		t.Fatal(err)
	}
	var d vigil.Document
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// onceErr is an Enqueuer that fails while fail is set.
type flakyQueue struct {
	mu   sync.Mutex
	fail bool
	n    int
}

func (q *flakyQueue) Enqueue(ctx context.Context, doc vigil.Document, v vigil.Verdict) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail {
		return io.ErrUnexpectedEOF
	}
	q.n++
	return nil
}
