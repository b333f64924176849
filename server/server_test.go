package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testenv"
	"github.com/kz-newsroom/vigil/metrics"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/server"
)

func TestCheckArticleAllowed(t *testing.T) {
	ts := startServer(t, []pipeline.Stage{keywordStage{}}, withTokens)
	doc := seedArticle(t)
	r := ts.post(t, "/v1/check", cmsToken, doc)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	v := decode[vigil.Verdict](t, r)
	if v.ID != doc.ID || v.Action != vigil.ActionAllow || len(v.Tags) != 1 || v.Tags[0].Name != "security" {
		t.Fatalf("verdict %+v; want allow with tag security", v)
	}
	ev := v.Tags[0].Evidence[0]
	if got := doc.Body[ev.Start:ev.End]; got != ev.Text || !strings.EqualFold(got, "Вербовщик") {
		t.Errorf("evidence [%d,%d) is %q in the original body, text %q", ev.Start, ev.End, got, ev.Text)
	}
	if got := testutil.ToFloat64(ts.m.Documents.WithLabelValues("article", "allow")); got != 1 {
		t.Errorf("documents_total{article,allow} = %v, want 1", got)
	}
	if r.header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id in the answer")
	}
}

// A review verdict is in the queue by the time the CMS hears it.
func TestCheckReviewEnqueuedBeforeAnswer(t *testing.T) {
	ts := startServer(t, []pipeline.Stage{keywordStage{}}, withTokens)
	doc := vigil.Document{ID: "c-1", Kind: vigil.KindComment, Body: "Брат, вступай к нам, ждём тебя"}
	r := ts.post(t, "/v1/check", cmsToken, doc)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	v := decode[vigil.Verdict](t, r)
	if v.Action != vigil.ActionReview || len(v.Flags) != 1 || v.Flags[0].Name != vigil.FlagExtremistRecruitment {
		t.Fatalf("verdict %+v; want review with the recruitment flag", v)
	}
	items, _, err := ts.store.List(context.Background(), review.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].DocID != "c-1" || items[0].Status != vigil.ReviewPending {
		t.Fatalf("queue holds %d items (%+v); want c-1 pending", len(items), items)
	}
	// The CMS retrying the same document does not queue it twice.
	ts.post(t, "/v1/check", cmsToken, doc)
	if items, _, _ = ts.store.List(context.Background(), review.Filter{}); len(items) != 1 {
		t.Errorf("after a retry the queue holds %d items, want 1", len(items))
	}
	if got := testutil.ToFloat64(ts.m.Flags.WithLabelValues(vigil.FlagExtremistRecruitment)); got != 2 {
		t.Errorf("flags_total = %v, want 2", got)
	}
}

func TestCheckEnqueueFailureIs503(t *testing.T) {
	q := &flakyQueue{fail: true}
	ts := startServer(t, []pipeline.Stage{keywordStage{}}, withTokens, func(_ *server.Config, d *server.Deps) { d.Review = q })
	doc := vigil.Document{ID: "c-2", Kind: vigil.KindComment, Body: "вступай"}
	for _, path := range []string{"/v1/check", "/v1/check/batch"} {
		var body any = doc
		if strings.HasSuffix(path, "batch") {
			body = server.BatchRequest{Documents: []vigil.Document{{ID: "ok", Body: "привет"}, doc}}
		}
		r := ts.post(t, path, cmsToken, body)
		if r.status != 503 || r.errorCode() != vigil.EUNAVAILABLE || r.header.Get("Retry-After") == "" {
			t.Errorf("%s with the queue down: %d %s (Retry-After %q); want 503 EUNAVAILABLE with Retry-After",
				path, r.status, r.body, r.header.Get("Retry-After"))
		}
	}
	q.fail = false
	if r := ts.post(t, "/v1/check", cmsToken, doc); r.status != 200 || q.n != 1 {
		t.Errorf("queue back: %d, %d enqueued; want 200 and 1", r.status, q.n)
	}
}

func TestBadRequests(t *testing.T) {
	ts := startServer(t, nil, withTokens, func(c *server.Config, _ *server.Deps) {
		c.MaxDocumentBytes = 1000
		c.MaxBatchDocuments = 2
	})
	big := `{"id":"big","body":"` + strings.Repeat("я", 600) + `"}`
	huge := `{"id":"huge","body":"` + strings.Repeat("x", 200<<10) + `"}`
	tests := []struct {
		name, method, path, body string
		status                   int
		code, msg                string
	}{
		{"empty body", "POST", "/v1/check", "", 400, vigil.EINVALID, "empty"},
		{"not JSON", "POST", "/v1/check", "hello", 400, vigil.EINVALID, "syntax error"},
		{"truncated", "POST", "/v1/check", `{"id":"a","body":"x"`, 400, vigil.EINVALID, "truncated"},
		{"trailing data", "POST", "/v1/check", `{"id":"a","body":"x"} {}`, 400, vigil.EINVALID, "after the JSON value"},
		{"wrong type", "POST", "/v1/check", `{"id":5,"body":"x"}`, 400, vigil.EINVALID, "id"},
		{"array", "POST", "/v1/check", `[]`, 400, vigil.EINVALID, "array"},
		{"invalid UTF-8", "POST", "/v1/check", "{\"id\":\"a\",\"body\":\"ab\xffc\"}", 400, vigil.EINVALID, "invalid UTF-8 at byte 20"},
		{"no id", "POST", "/v1/check", `{"body":"x"}`, 400, vigil.EINVALID, "id is required"},
		{"no body or title", "POST", "/v1/check", `{"id":"a"}`, 400, vigil.EINVALID, "body or title"},
		{"bad kind", "POST", "/v1/check", `{"id":"a","kind":"tweet","body":"x"}`, 400, vigil.EINVALID, "kind"},
		{"bad lang", "POST", "/v1/check", `{"id":"a","lang":"de","body":"x"}`, 400, vigil.EINVALID, "lang"},
		{"document over the limit", "POST", "/v1/check", big, 413, vigil.ETOOLARGE, "over the limit of 1000"},
		{"body over the limit", "POST", "/v1/check", huge, 413, vigil.ETOOLARGE, "request body is over the limit"},
		{"batch without documents", "POST", "/v1/check/batch", `{}`, 400, vigil.EINVALID, "documents"},
		{"batch too long", "POST", "/v1/check/batch", `{"documents":[{"id":"a","body":"x"},{"id":"b","body":"x"},{"id":"c","body":"x"}]}`, 413, vigil.ETOOLARGE, "3 documents"},
		{"wrong method", "GET", "/v1/check", "", 405, server.EMETHOD, "GET"},
		{"unknown path", "GET", "/v2/nothing", "", 404, vigil.ENOTFOUND, "/v2/nothing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.do(t, tc.method, tc.path, cmsToken, strings.NewReader(tc.body))
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(r.body, &e); err != nil {
				t.Fatalf("error body is not JSON: %q", r.body)
			}
			if r.status != tc.status || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.msg) {
				t.Errorf("got %d %s %q; want %d %s containing %q", r.status, e.Error.Code, e.Error.Message, tc.status, tc.code, tc.msg)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	if got := testutil.ToFloat64(ts.m.HTTPRejected.WithLabelValues(metrics.RejectTooLarge)); got != 3 {
		t.Errorf("rejected{too_large} = %v, want 3", got)
	}
}

func TestBatch(t *testing.T) {
	ts := startServer(t, []pipeline.Stage{keywordStage{}}, withTokens)
	req := server.BatchRequest{Documents: []vigil.Document{
		{ID: "a", Body: "Вербовщики работают"},
		{ID: "bad", Kind: "tweet", Body: "x"},
		{ID: "c", Kind: vigil.KindComment, Body: "вступай"},
		{ID: "d", Title: "Погода"},
	}}
	r := ts.post(t, "/v1/check/batch", cmsToken, req)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	resp := decode[server.BatchResponse](t, r)
	if len(resp.Verdicts) != 4 {
		t.Fatalf("%d verdicts, want 4", len(resp.Verdicts))
	}
	want := []struct{ id, action, err string }{
		{"a", "allow", ""}, {"bad", "", vigil.EINVALID}, {"c", "review", ""}, {"d", "allow", ""},
	}
	for i, w := range want {
		v := resp.Verdicts[i]
		code := ""
		if v.Error != nil {
			code = v.Error.Code
		}
		if v.ID != w.id || v.Action != w.action || code != w.err {
			t.Errorf("verdict %d: id %q action %q error %q; want %q %q %q", i, v.ID, v.Action, code, w.id, w.action, w.err)
		}
	}
	if !strings.Contains(resp.Verdicts[1].Error.Message, "documents[1]") {
		t.Errorf("invalid document's error %q does not name its index", resp.Verdicts[1].Error.Message)
	}
	st, err := ts.store.Stats(context.Background())
	if err != nil || st.Items[vigil.ReviewPending] != 1 {
		t.Errorf("queue: %+v, %v; want 1 pending", st.Items, err)
	}
}

func TestAuth(t *testing.T) {
	ts := startServer(t, nil, withTokens)
	doc := vigil.Document{ID: "a", Body: "x"}
	tests := []struct {
		name, path, token string
		status            int
		code              string
	}{
		{"cms checks", "/v1/check", cmsToken, 200, ""},
		{"admin checks", "/v1/check", admToken, 200, ""},
		{"no token", "/v1/check", "", 401, vigil.EUNAUTHORIZED},
		{"unknown token", "/v1/check", "nope", 401, vigil.EUNAUTHORIZED},
		{"token prefix", "/v1/check", cmsToken[:10], 401, vigil.EUNAUTHORIZED},
		{"moderator may not check", "/v1/check", modBare, 403, vigil.EFORBIDDEN},
		{"moderator may not batch", "/v1/check/batch", modBare, 403, vigil.EFORBIDDEN},
		{"cms may not review", "/v1/review/items", cmsToken, 403, vigil.EFORBIDDEN},
		{"moderator reviews", "/v1/review/items", modBare, 200, ""},
		{"admin reviews", "/v1/review/items", admToken, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body any = doc
			if strings.HasSuffix(tc.path, "batch") {
				body = server.BatchRequest{Documents: []vigil.Document{doc}}
			}
			r := ts.post(t, tc.path, tc.token, body)
			if r.status != tc.status || (tc.code != "" && r.errorCode() != tc.code) {
				t.Errorf("got %d %s; want %d %s", r.status, r.body, tc.status, tc.code)
			}
			if r.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate: Bearer")
			}
		})
	}
	// The mounted handler sees the caller, named as configured.
	r := ts.post(t, "/v1/review/items", modBare, nil)
	if p := decode[map[string]string](t, r); p["name"] != "alice" || p["role"] != vigil.RoleModerator {
		t.Errorf("principal in the review handler: %v; want alice, moderator", p)
	}
	if got := testutil.ToFloat64(ts.m.HTTPRejected.WithLabelValues(metrics.RejectForbidden)); got != 3 {
		t.Errorf("rejected{forbidden} = %v, want 3", got)
	}
}

func TestAuthenticate(t *testing.T) {
	a, err := server.NewAuth(server.Tokens{CMS: []string{"c1", "cms-site:c2"}, Moderator: []string{"bob:m1"}, Admin: []string{"a1"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		token, name, role string
		ok                bool
	}{
		{"c1", "cms-", vigil.RoleCMS, true},
		{"c2", "cms-site", vigil.RoleCMS, true},
		{"m1", "bob", vigil.RoleModerator, true},
		{"a1", "admin-", vigil.RoleAdmin, true},
		{"bob:m1", "", "", false},
		{"", "", "", false},
		{"c", "", "", false},
	}
	for _, tc := range tests {
		p, ok := a.Authenticate(tc.token)
		if ok != tc.ok || p.Role != tc.role || !strings.HasPrefix(p.Name, tc.name) {
			t.Errorf("Authenticate(%q) = %+v, %v; want %s*, %s, %v", tc.token, p, ok, tc.name, tc.role, tc.ok)
		}
		if ok && strings.Contains(p.Name, tc.token) && tc.token != "m1" && tc.token != "c2" {
			t.Errorf("principal name %q leaks the token", p.Name)
		}
	}
	for _, bad := range []server.Tokens{{CMS: []string{""}}, {CMS: []string{"x"}, Admin: []string{"x"}}, {Moderator: []string{"bob:"}}} {
		if _, err := server.NewAuth(bad); vigil.ErrorCode(err) != vigil.EINVALID {
			t.Errorf("NewAuth(%+v) = %v; want EINVALID", bad, err)
		}
	}
}

// With no tokens the server runs open, but only on loopback.
func TestNoTokensLoopbackOnly(t *testing.T) {
	ts := startServer(t, nil)
	if r := ts.post(t, "/v1/check", "", vigil.Document{ID: "a", Body: "x"}); r.status != 200 {
		t.Errorf("open server on loopback: %d %s", r.status, r.body)
	}
	s, err := server.New(server.Config{Addr: "0.0.0.0:0"}, server.Deps{Checker: pipeline.New(pipeline.Options{}), Review: &flakyQueue{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Open(); err == nil || !strings.Contains(err.Error(), "no bearer tokens") {
		s.Close()
		t.Errorf("Open on 0.0.0.0 without tokens: %v; want a refusal", err)
	}
}

func TestOverloadIs503(t *testing.T) {
	g := newGate()
	ts := startServer(t, []pipeline.Stage{g}, withTokens, func(c *server.Config, _ *server.Deps) {
		c.MaxInFlight = 1
		c.QueueWait = 20 * time.Millisecond
	})
	done := make(chan response)
	go func() { done <- ts.post(t, "/v1/check", cmsToken, vigil.Document{ID: "slow", Body: "x"}) }()
	<-g.entered
	r := ts.post(t, "/v1/check", cmsToken, vigil.Document{ID: "next", Body: "x"})
	if r.status != 503 || r.errorCode() != vigil.EUNAVAILABLE || r.header.Get("Retry-After") != "1" {
		t.Errorf("second request while full: %d %s Retry-After %q; want 503 with Retry-After", r.status, r.body, r.header.Get("Retry-After"))
	}
	close(g.release)
	if r := <-done; r.status != 200 {
		t.Errorf("the admitted request: %d %s", r.status, r.body)
	}
	if got := testutil.ToFloat64(ts.m.HTTPRejected.WithLabelValues(metrics.RejectOverload)); got != 1 {
		t.Errorf("rejected{overload} = %v, want 1", got)
	}
}

func TestCheckTimeoutIs503(t *testing.T) {
	ts := startServer(t, []pipeline.Stage{newGate(), keywordStage{}}, withTokens, func(c *server.Config, _ *server.Deps) {
		c.CheckTimeout = 30 * time.Millisecond
	})
	r := ts.post(t, "/v1/check", cmsToken, vigil.Document{ID: "slow", Body: "x"})
	if r.status != 503 || r.errorCode() != vigil.EUNAVAILABLE {
		t.Errorf("got %d %s; want 503", r.status, r.body)
	}
	if got := testutil.ToFloat64(ts.m.Documents.WithLabelValues("article", metrics.ActionError)); got != 1 {
		t.Errorf("documents_total{action=error} = %v, want 1", got)
	}
}

// Close lets requests in flight finish, and refuses new ones.
func TestGracefulShutdown(t *testing.T) {
	g := newGate()
	ts := startServer(t, []pipeline.Stage{g}, withTokens)
	done := make(chan response)
	go func() { done <- ts.post(t, "/v1/check", cmsToken, vigil.Document{ID: "in-flight", Body: "x"}) }()
	<-g.entered
	closed := make(chan error)
	go func() { closed <- ts.Close() }()
	testenv.Eventually(t, 5*time.Second, "the listener to close", func() bool {
		resp, err := http.Get(ts.url + "/healthz")
		if err != nil {
			return true
		}
		resp.Body.Close()
		return false
	})
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a request was in flight", err)
	default:
	}
	close(g.release)
	if r := <-done; r.status != 200 {
		t.Errorf("in-flight request: %d %s; want 200", r.status, r.body)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestHealthAndReady(t *testing.T) {
	var mu sync.Mutex
	var storageErr error
	ts := startServer(t, nil, withTokens, func(_ *server.Config, d *server.Deps) {
		d.Ready = append(d.Ready, server.ReadyCheck{Name: "models", Check: func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			return storageErr
		}})
	})
	if r := ts.do(t, "GET", "/healthz", "", nil); r.status != 200 {
		t.Errorf("healthz: %d", r.status)
	}
	if r := ts.do(t, "GET", "/readyz", "", nil); r.status != 200 || !bytes.Contains(r.body, []byte(`"models":"ok"`)) {
		t.Errorf("readyz: %d %s", r.status, r.body)
	}
	mu.Lock()
	storageErr = vigil.Errorf(vigil.EUNAVAILABLE, "bundle not loaded")
	mu.Unlock()
	if r := ts.do(t, "GET", "/readyz", "", nil); r.status != 503 || !bytes.Contains(r.body, []byte("models: bundle not loaded")) {
		t.Errorf("readyz with models down: %d %s", r.status, r.body)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	ts := startServer(t, []pipeline.Stage{keywordStage{}}, withTokens)
	ts.m.SetBuildInfo("test", vigil.Versions{Model: "topics-x", Rules: "rules-y"})
	ts.post(t, "/v1/check", cmsToken, seedArticle(t))
	ts.post(t, "/v1/check", "", seedArticle(t))
	r := ts.do(t, "GET", "/metrics", "", nil)
	if r.status != 200 {
		t.Fatalf("metrics: %d", r.status)
	}
	for _, want := range []string{
		`vigil_documents_total{action="allow",kind="article"} 1`,
		`vigil_http_request_duration_seconds_count{code="200",handler="check"} 1`,
		`vigil_http_request_duration_seconds_count{code="401",handler="check"} 1`,
		`vigil_stage_duration_seconds_count{stage="normalize"} 1`,
		`vigil_tags_total{source="rule",tag="security"} 1`,
		`vigil_build_info{flag="",model="topics-x",rules="rules-y",version="test"} 1`,
		`vigil_http_rejected_requests_total{reason="unauthorized"} 1`,
	} {
		if !bytes.Contains(r.body, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// requestLines waits until logs hold at least n request lines (the line is
// written when the handler returns, which may be just after the client has
// read the answer) and returns them, decoded.
func (s *syncBuffer) requestLines(t *testing.T, n int) []map[string]any {
	t.Helper()
	var lines []map[string]any
	testenv.Eventually(t, 5*time.Second, fmt.Sprintf("%d request log lines", n), func() bool {
		lines = lines[:0]
		for _, l := range strings.Split(s.String(), "\n") {
			var line map[string]any
			if json.Unmarshal([]byte(l), &line) == nil && line["msg"] == "request" {
				lines = append(lines, line)
			}
		}
		return len(lines) >= n
	})
	return lines
}

func TestRequestLog(t *testing.T) {
	var logs syncBuffer
	ts := startServer(t, nil, withTokens, func(_ *server.Config, d *server.Deps) {
		d.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	req, _ := http.NewRequest("POST", ts.url+"/v1/check", strings.NewReader(`{"id":"a","body":"x"}`))
	req.Header.Set("Authorization", "Bearer "+modBare)
	req.Header.Set("X-Request-Id", "cms-req-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "cms-req-42" {
		t.Errorf("X-Request-Id %q, want the caller's", got)
	}
	var line map[string]any
	if lines := logs.requestLines(t, 1); len(lines) > 0 {
		line = lines[len(lines)-1]
	}
	if line["request_id"] != "cms-req-42" || line["caller"] != "alice" || line["status"] != float64(403) || line["path"] != "/v1/check" {
		t.Errorf("request log line %v; want request_id, caller alice, status 403, path", line)
	}
	if strings.Contains(logs.String(), modBare) {
		t.Error("the log contains a token")
	}
}

// TestRequestLogPageCaller: requests of the moderators' page, which logs
// in with a session cookie rather than a bearer token, name their caller
// in the request log too.
func TestRequestLogPageCaller(t *testing.T) {
	var logs syncBuffer
	ts := startServer(t, nil, withTokens, func(_ *server.Config, d *server.Deps) {
		d.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ts.Mount("/review/", "review_page", review.NewHandler(ts.store, review.HandlerOptions{Authenticate: ts.Auth().Authenticate, NoteCaller: server.NoteCaller}))
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(ts.url+"/review/login", url.Values{"token": {modBare}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/review/" {
		t.Fatalf("login: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	callers := map[string]string{}
	for _, line := range logs.requestLines(t, 2) {
		callers[line["method"].(string)+" "+line["path"].(string)], _ = line["caller"].(string)
	}
	for _, req := range []string{"POST /review/login", "GET /review/"} {
		if callers[req] != "alice" {
			t.Errorf("%s logged with caller %q, want alice (all: %v)", req, callers[req], callers)
		}
	}
}

func TestPprofAdminOnly(t *testing.T) {
	ts := startServer(t, nil, withTokens)
	for _, tc := range []struct {
		token  string
		status int
	}{{"", 401}, {cmsToken, 403}, {modBare, 403}, {admToken, 200}} {
		if r := ts.do(t, "GET", "/debug/pprof/goroutine?debug=1", tc.token, nil); r.status != tc.status {
			t.Errorf("token %q: %d, want %d", tc.token, r.status, tc.status)
		}
	}
}
