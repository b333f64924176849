package review

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/apitest"
	"github.com/kz-newsroom/vigil/server"
)

// Test tokens: name:token, as the server reads VIGIL_*_TOKENS.
var testTokens = server.Tokens{
	CMS:       []string{"cms:tok-cms"},
	Moderator: []string{"aigerim:tok-mod1", "daniyar:tok-mod2"},
	Admin:     []string{"chief:tok-admin"},
}

// newTestServer serves h the way vigil serve mounts it: the API behind the
// server's bearer middleware, the page on its own.
func newTestServer(t testing.TB, s *Store) *httptest.Server {
	t.Helper()
	auth, err := server.NewAuth(testTokens)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHandler(s, HandlerOptions{Authenticate: auth.Authenticate})
	mux := http.NewServeMux()
	mux.Handle("/v1/review/", auth.Require(nil, vigil.RoleModerator)(h))
	mux.Handle(FeedRoute, auth.Require(nil, vigil.RoleCMS)(h))
	mux.Handle("/review/", h)
	mux.Handle("/review", h)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

type apiResp struct {
	status int
	body   []byte
	header http.Header
}

func (r apiResp) code() string {
	var e struct {
		Error vigil.Error `json:"error"`
	}
	json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func call(t testing.TB, ts *httptest.Server, token, method, path, body string) apiResp {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// Every answer of the review API matches the OpenAPI document.
	v, ok := validators.Load(ts.URL)
	if !ok {
		v, _ = validators.LoadOrStore(ts.URL, apitest.New(t, server.OpenAPI, ts.URL))
	}
	if op, ok, err := v.(*apitest.Validator).Check(req, resp.StatusCode, resp.Header, b); ok && err != nil {
		t.Errorf("%s → %d does not match the OpenAPI document: %v", op, resp.StatusCode, err)
	}
	return apiResp{resp.StatusCode, b, resp.Header}
}

// validators holds an OpenAPI validator per test server.
var validators sync.Map

func TestAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ts := newTestServer(t, s)
		var ids []int64
		for _, id := range []string{"api-1", "api-2", "api-3"} {
			d, v := flagged(id, "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
			ids = append(ids, mustPut(t, s, d, v))
		}
		i1, i2, i3 := itoa(ids[0]), itoa(ids[1]), itoa(ids[2])
		cases := []struct {
			name, token, method, path, body string
			status                          int
			code                            string // error code, or "" for success
			contains                        string
		}{
			{"no token", "", "GET", "/v1/review/items", "", 401, vigil.EUNAUTHORIZED, ""},
			{"cms token", "tok-cms", "GET", "/v1/review/items", "", 403, vigil.EFORBIDDEN, ""},
			{"list", "tok-mod1", "GET", "/v1/review/items?flag=extremist_recruitment&limit=2", "", 200, "", `"next_cursor"`},
			{"list bad status", "tok-mod1", "GET", "/v1/review/items?status=nope", "", 400, vigil.EINVALID, "status"},
			{"list bad age", "tok-mod1", "GET", "/v1/review/items?min_age=soon", "", 400, vigil.EINVALID, "min_age"},
			{"get", "tok-mod1", "GET", "/v1/review/items/" + i1, "", 200, "", `"doc_id":"api-1"`},
			{"get bad id", "tok-mod1", "GET", "/v1/review/items/x", "", 400, vigil.EINVALID, ""},
			{"get missing", "tok-mod1", "GET", "/v1/review/items/999999", "", 404, vigil.ENOTFOUND, ""},
			{"claim", "tok-mod2", "POST", "/v1/review/items/" + i2 + "/claim", `{"lease_seconds":60}`, 200, "", `"claimed_by":"daniyar"`},
			{"claim bad lease", "tok-mod2", "POST", "/v1/review/items/" + i2 + "/claim", `{"lease_seconds":-1}`, 400, vigil.EINVALID, ""},
			{"decide held by other", "tok-mod1", "POST", "/v1/review/items/" + i2 + "/decision", `{"decision":"approve"}`, 409, vigil.ECONFLICT, "daniyar"},
			{"decide bad json", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/decision", `{"decision":`, 400, vigil.EINVALID, "JSON syntax error"},
			{"decide unknown field", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/decision", `{"decision":"approve","verdict":"x"}`, 400, vigil.EINVALID, "verdict"},
			{"decide wrong type", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/decision", `{"decision":1}`, 400, vigil.EINVALID, "decision"},
			{"decide empty", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/decision", ``, 400, vigil.EINVALID, ""},
			{"decide bad decision", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/decision", `{"decision":"delete"}`, 400, vigil.EINVALID, ""},
			{"decide", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/decision", `{"decision":"reject","note":"recruiting","tags":["religion"]}`, 200, "", `"status":"rejected"`},
			{"decide twice", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/decision", `{"decision":"approve"}`, 409, vigil.ECONFLICT, ""},
			{"release other's", "tok-mod1", "POST", "/v1/review/items/" + i2 + "/release", ``, 403, vigil.EFORBIDDEN, ""},
			{"release", "tok-mod2", "POST", "/v1/review/items/" + i2 + "/release", ``, 200, "", ""},
			{"claim next", "tok-mod1", "POST", "/v1/review/claim", `{"count":5}`, 200, "", `"claimed_by":"aigerim"`},
			{"bulk", "tok-mod1", "POST", "/v1/review/decisions", `{"ids":[` + i2 + `,` + i3 + `,` + i1 + `],"decision":"escalate"}`, 200, "", `"code":"ECONFLICT"`},
			{"bulk none", "tok-mod1", "POST", "/v1/review/decisions", `{"ids":[],"decision":"escalate"}`, 400, vigil.EINVALID, ""},
			{"escalated needs admin", "tok-mod1", "POST", "/v1/review/items/" + i2 + "/decision", `{"decision":"approve"}`, 403, vigil.EFORBIDDEN, ""},
			{"admin decides", "tok-admin", "POST", "/v1/review/items/" + i2 + "/decision", `{"decision":"approve"}`, 200, "", `"decided_by":"chief"`},
			{"audit", "tok-mod1", "GET", "/v1/review/audit?item=" + i1, "", 200, "", `"action":"reject"`},
			{"audit bad item", "tok-mod1", "GET", "/v1/review/audit?item=x", "", 400, vigil.EINVALID, ""},
			{"author", "tok-mod1", "GET", "/v1/review/authors/user-api-1", "", 200, "", `"rejected":1`},
			{"stats", "tok-mod1", "GET", "/v1/review/stats", "", 200, "", `"escalated":1`},
			{"undo by another", "tok-mod2", "POST", "/v1/review/items/" + i1 + "/undo", ``, 403, vigil.EFORBIDDEN, "aigerim"},
			{"undo bad json", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/undo", `{"note":`, 400, vigil.EINVALID, ""},
			{"undo", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/undo", `{"note":"wrong item"}`, 200, "", `"status":"pending"`},
			{"undo twice", "tok-mod1", "POST", "/v1/review/items/" + i1 + "/undo", ``, 409, vigil.ECONFLICT, ""},
			{"undo wrong method", "tok-mod1", "GET", "/v1/review/items/" + i1 + "/undo", ``, 405, server.EMETHOD, ""},
			{"unknown route", "tok-mod1", "GET", "/v1/review/nothing", "", 404, vigil.ENOTFOUND, ""},
			{"wrong method", "tok-mod1", "DELETE", "/v1/review/items/" + i1, "", 405, server.EMETHOD, "use GET"},
			{"wrong method on a list", "tok-mod1", "POST", "/v1/review/items", "{}", 405, server.EMETHOD, ""},
		}
		for _, tc := range cases {
			r := call(t, ts, tc.token, tc.method, tc.path, tc.body)
			if r.status != tc.status || r.code() != tc.code || !strings.Contains(string(r.body), tc.contains) {
				t.Errorf("%s: %s %s = %d %s, want %d %q containing %q", tc.name, tc.method, tc.path, r.status, r.body, tc.status, tc.code, tc.contains)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s: Content-Type %q", tc.name, ct)
			}
		}
		// The list pages with its cursor.
		var page listResponse
		json.Unmarshal(call(t, ts, "tok-mod1", "GET", "/v1/review/items?status=approved", "").body, &page)
		if len(page.Items) != 1 || page.Items[0].ID != ids[1] {
			t.Fatalf("approved list = %+v", page)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// browser is a cookie-keeping client that behaves like a same-origin page.
type browser struct {
	t      testing.TB
	ts     *httptest.Server
	client *http.Client
}

func newBrowser(t testing.TB, ts *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t, ts, c}
}

func (b *browser) do(method, path, ctype, body string, hdr map[string]string) apiResp {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.ts.URL+path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return apiResp{resp.StatusCode, out, resp.Header}
}

var csrfRe = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

func TestPageLoginCSRFAndEscaping(t *testing.T) {
	s := openSQLiteTest(t, Config{})
	ts := newTestServer(t, s)
	hostile := `<script>window.__pwned=1</script><img src=x onerror="document.title='pwned'">`
	d, v := flagged("evil", "джихад "+hostile, vigil.FlagExtremistRecruitment, 0.9)
	d.Title = `"><svg onload=alert(1)>`
	d.Author = `<b>author</b>`
	d.URL = `javascript:alert(1)`
	id := mustPut(t, s, d, v)

	b := newBrowser(t, ts)
	if r := b.do("GET", "/review/", "", "", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/review/login" {
		t.Fatalf("anonymous queue = %d %s", r.status, r.header.Get("Location"))
	}
	form := "application/x-www-form-urlencoded"
	if r := b.do("POST", "/review/login", form, "token=wrong", nil); r.status != http.StatusUnauthorized {
		t.Fatalf("bad token login = %d", r.status)
	}
	if r := b.do("POST", "/review/login", form, "token=tok-cms", nil); r.status != http.StatusForbidden {
		t.Fatalf("cms token login = %d", r.status)
	}
	if r := b.do("POST", "/review/login", form, "token=tok-mod1", map[string]string{"Sec-Fetch-Site": "cross-site"}); r.status != http.StatusForbidden {
		t.Fatalf("cross-site login = %d", r.status)
	}
	r := b.do("POST", "/review/login", form, "token=tok-mod1", map[string]string{"Origin": b.ts.URL})
	if r.status != http.StatusSeeOther {
		t.Fatalf("login = %d %s", r.status, r.body)
	}
	cookie := r.header.Get("Set-Cookie")
	for _, want := range []string{SessionCookie + "=", "HttpOnly", "SameSite=Strict", "Path=/review/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}

	page := b.do("GET", "/review/", "", "", nil)
	if page.status != 200 {
		t.Fatalf("queue page = %d", page.status)
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP = %q", csp)
	}
	html := string(page.body)
	for _, bad := range []string{"<script>window", "<img src=x", "<svg", "<b>author", `href="javascript:`} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains live markup %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;window.__pwned=1&lt;/script&gt;", `<mark class="g-rule" title="rule that fired">джихад</mark>`, "&lt;b&gt;author&lt;/b&gt;"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	m := csrfRe.FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	csrf := m[1]

	hdr := map[string]string{"X-CSRF-Token": csrf, "Origin": b.ts.URL}
	if r := b.do("POST", "/review/claim", "application/json", `{"id":`+itoa(id)+`}`, nil); r.status != http.StatusForbidden {
		t.Fatalf("claim without CSRF = %d", r.status)
	}
	if r := b.do("POST", "/review/claim", "application/json", `{"id":`+itoa(id)+`}`, hdr); r.status != 200 || !strings.Contains(string(r.body), `"claimed_by":"aigerim"`) {
		t.Fatalf("page claim = %d %s", r.status, r.body)
	}
	if _, err := s.Decide(context.Background(), mod2, id, Decision{Decision: vigil.DecisionApprove}); vigil.ErrorCode(err) != vigil.ECONFLICT {
		t.Fatalf("another moderator decided an item the page holds: %v", err)
	}
	if r := b.do("POST", "/review/release", "application/json", `{"id":`+itoa(id)+`}`, hdr); r.status != 200 {
		t.Fatalf("page release = %d %s", r.status, r.body)
	}
	if r := b.do("POST", "/review/release", "application/json", `{"id":`+itoa(id)+`}`, hdr); r.status != http.StatusConflict {
		t.Fatalf("second release = %d %s", r.status, r.body)
	}
	body := `{"ids":[` + itoa(id) + `],"decision":"reject","note":"<script>x</script>"}`
	js := "application/json"
	if r := b.do("POST", "/review/decide", js, body, nil); r.status != http.StatusForbidden || r.code() != vigil.EFORBIDDEN {
		t.Fatalf("decide without CSRF = %d %s", r.status, r.body)
	}
	if r := b.do("POST", "/review/decide", js, body, map[string]string{"X-CSRF-Token": csrf + "x"}); r.status != http.StatusForbidden {
		t.Fatalf("decide with wrong CSRF = %d", r.status)
	}
	if r := b.do("POST", "/review/decide", js, body, map[string]string{"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}); r.status != http.StatusForbidden {
		t.Fatalf("cross-site decide = %d", r.status)
	}
	if r := b.do("POST", "/review/decide", js, body, map[string]string{"X-CSRF-Token": csrf, "Origin": "https://evil.example"}); r.status != http.StatusForbidden {
		t.Fatalf("foreign-origin decide = %d", r.status)
	}
	if r := b.do("POST", "/review/decide", js, body, map[string]string{"X-CSRF-Token": csrf, "Origin": b.ts.URL}); r.status != 200 || !strings.Contains(string(r.body), `"status":"rejected"`) {
		t.Fatalf("decide = %d %s", r.status, r.body)
	}
	audit := b.do("GET", "/review/audit", "", "", nil)
	if audit.status != 200 || !strings.Contains(string(audit.body), "&lt;script&gt;x&lt;/script&gt;") || !strings.Contains(string(audit.body), `data-action="reject"`) {
		t.Fatalf("audit page = %d %s", audit.status, audit.body)
	}
	// Static files carry the right type; nothing else is served from there.
	if r := b.do("GET", "/review/static/review.js", "", "", nil); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("review.js = %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r := b.do("GET", "/review/static/layout.html", "", "", nil); r.status != 404 {
		t.Fatalf("static layout.html = %d", r.status)
	}
	// Logout needs the token too, then the session is gone.
	if r := b.do("POST", "/review/logout", form, "csrf=nope", nil); r.status != http.StatusForbidden {
		t.Fatalf("logout without CSRF = %d", r.status)
	}
	if r := b.do("POST", "/review/logout", form, url.Values{"csrf": {csrf}}.Encode(), nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout = %d %s", r.status, r.body)
	}
	if r := b.do("GET", "/review/", "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("queue after logout = %d", r.status)
	}
	if _, err := s.Session(context.Background(), "x"); err == nil {
		t.Fatal("unknown session accepted")
	}
}

func TestPageNotConfigured(t *testing.T) {
	s := openSQLiteTest(t, Config{})
	ts := httptest.NewServer(NewHandler(s, HandlerOptions{}))
	defer ts.Close()
	resp, err := http.Post(ts.URL+"/review/login", "application/x-www-form-urlencoded", bytes.NewBufferString("token=x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("login without Authenticate = %d", resp.StatusCode)
	}
}

func TestSameOrigin(t *testing.T) {
	cases := []struct {
		site, origin string
		want         bool
	}{
		{"", "", true}, // curl: the CSRF token decides
		{"same-origin", "", true},
		{"none", "", true},
		{"same-site", "", false},
		{"cross-site", "http://vigil.local", false},
		{"", "http://vigil.local", true},
		{"", "http://evil.example", false},
		{"", "null", false},
		{"", "::bad", false},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("POST", "http://vigil.local/review/decide", nil)
		if tc.site != "" {
			r.Header.Set("Sec-Fetch-Site", tc.site)
		}
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if got := sameOrigin(r); got != tc.want {
			t.Errorf("Sec-Fetch-Site %q Origin %q: %v, want %v", tc.site, tc.origin, got, tc.want)
		}
	}
}

// TestPageSessionEndsWhenTokenRemoved: a moderator logged in with a token
// that is then taken out of the configuration (as on a restart with new
// tokens) is sent back to the login form at the next request, and the
// session is gone from the store.
func TestPageSessionEndsWhenTokenRemoved(t *testing.T) {
	s := openSQLiteTest(t, Config{})
	auth, err := server.NewAuth(testTokens)
	if err != nil {
		t.Fatal(err)
	}
	revoked := map[string]bool{}
	h := NewHandler(s, HandlerOptions{Authenticate: auth.Authenticate, Known: func(p vigil.Principal) bool {
		return auth.Known(p) && !revoked[p.Name]
	}})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	form := "application/x-www-form-urlencoded"
	login := func(token string) *browser {
		b := newBrowser(t, ts)
		if r := b.do("POST", "/review/login", form, "token="+token, map[string]string{"Origin": ts.URL}); r.status != http.StatusSeeOther {
			t.Fatalf("login %s = %d", token, r.status)
		}
		return b
	}
	aigerim, daniyar := login("tok-mod1"), login("tok-mod2")
	for _, b := range []*browser{aigerim, daniyar} {
		if r := b.do("GET", "/review/", "", "", nil); r.status != 200 {
			t.Fatalf("queue page = %d", r.status)
		}
	}
	revoked["aigerim"] = true
	if r := aigerim.do("GET", "/review/", "", "", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/review/login" {
		t.Errorf("revoked moderator's page = %d %s, want a redirect to the login form", r.status, r.header.Get("Location"))
	}
	revoked["aigerim"] = false // even with the token back, the old session is gone
	if r := aigerim.do("GET", "/review/", "", "", nil); r.status != http.StatusSeeOther {
		t.Errorf("ended session reused: %d", r.status)
	}
	if r := daniyar.do("GET", "/review/", "", "", nil); r.status != 200 {
		t.Errorf("other moderator's page = %d", r.status)
	}
	if !auth.Known(vigil.Principal{Name: "aigerim", Role: vigil.RoleModerator}) || auth.Known(vigil.Principal{Name: "aigerim", Role: vigil.RoleAdmin}) {
		t.Error("Auth.Known does not match name and role")
	}
}

// TestPageSessionEndsWhenTokenRotated: a moderator's token is rotated (the
// same name, a new token) and the server restarted with it: the page
// session made with the old token ends at its next request, while a login
// with the new token works (issue 14, row 4).
func TestPageSessionEndsWhenTokenRotated(t *testing.T) {
	s := openSQLiteTest(t, Config{})
	auth, err := server.NewAuth(testTokens)
	if err != nil {
		t.Fatal(err)
	}
	cur := auth
	h := NewHandler(s, HandlerOptions{
		Authenticate: func(tok string) (vigil.Principal, bool) { return cur.Authenticate(tok) },
		Known:        func(p vigil.Principal) bool { return cur.Known(p) },
		Holds:        func(p vigil.Principal, b string) bool { return cur.Holds(p, b) },
		Binding:      server.TokenBinding,
	})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	login := func(token string) *browser {
		b := newBrowser(t, ts)
		if r := b.do("POST", "/review/login", "application/x-www-form-urlencoded", "token="+token, map[string]string{"Origin": ts.URL}); r.status != http.StatusSeeOther {
			t.Fatalf("login %s = %d", token, r.status)
		}
		return b
	}
	old := login("tok-mod1")
	if r := old.do("GET", "/review/", "", "", nil); r.status != 200 {
		t.Fatalf("queue page = %d", r.status)
	}
	rotated := testTokens
	rotated.Moderator = slices.Clone(testTokens.Moderator)
	for i, e := range rotated.Moderator {
		if strings.HasSuffix(e, ":tok-mod1") {
			rotated.Moderator[i] = strings.TrimSuffix(e, "tok-mod1") + "tok-mod1-rotated"
		}
	}
	if cur, err = server.NewAuth(rotated); err != nil {
		t.Fatal(err)
	}
	if r := old.do("GET", "/review/", "", "", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/review/login" {
		t.Errorf("session of the rotated token: page = %d %s, want a redirect to the login form", r.status, r.header.Get("Location"))
	}
	if r := login("tok-mod1-rotated").do("GET", "/review/", "", "", nil); r.status != 200 {
		t.Errorf("login with the new token: page = %d", r.status)
	}
}

// TestAPIStorageDownIs503: with the review database gone, the API and the
// page answer 503 with Retry-After (come back), not 500 (a bug).
func TestAPIStorageDownIs503(t *testing.T) {
	s := openSQLiteTest(t, Config{})
	ts := newTestServer(t, s)
	s.Close()
	for _, path := range []string{"/v1/review/items", "/v1/review/stats", "/v1/review/items/1"} {
		r := call(t, ts, "tok-mod1", "GET", path, "")
		if r.status != http.StatusServiceUnavailable || r.code() != vigil.EUNAVAILABLE || r.header.Get("Retry-After") == "" {
			t.Errorf("GET %s with the database closed: %d %s (Retry-After %q); want 503 EUNAVAILABLE with Retry-After",
				path, r.status, r.body, r.header.Get("Retry-After"))
		}
	}
}
