package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/apitest"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/server"
)

// TestOpenAPIMatchesHandlers runs the real `vigil serve`, reads the
// OpenAPI document it serves, and validates the answer of every endpoint,
// with every status code the README promises that a test can provoke,
// against it: status, headers and body schema.
func TestOpenAPIMatchesHandlers(t *testing.T) {
	if os.Getenv("VIGIL_SERVE_HELPER") != "" {
		t.Skip("inside the helper")
	}
	ctx := context.Background()
	dir := t.TempDir()
	// A queue with items to work on, and one dead webhook delivery.
	store, err := review.Open(ctx, review.Config{DataDir: dir, WebhookURLs: []string{"http://127.0.0.1:9/hook"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		id := fmt.Sprintf("c-%d", i)
		d := vigil.Document{ID: id, Kind: vigil.KindComment, Lang: "ru", Body: "вступай " + id, Author: "user-1"}
		v := vigil.Verdict{ID: id, Action: vigil.ActionReview, Lang: "ru", Tags: []vigil.Tag{{Name: "security", Score: 0.7, Source: vigil.SourceModel}},
			Flags:    []vigil.Flag{{Name: vigil.FlagExtremistRecruitment, Score: 0.9, Evidence: []vigil.Evidence{{Rule: "r", Field: "body", Start: 0, End: 4, Text: "вс"}}}},
			Versions: vigil.Versions{Model: "m", Rules: "r"}}
		if _, _, err := store.Put(ctx, d, v); err != nil {
			t.Fatal(err)
		}
	}
	chief := vigil.Principal{Name: "chief", Role: vigil.RoleAdmin}
	if _, err := store.Decide(ctx, chief, 6, review.Decision{Decision: "reject"}); err != nil {
		t.Fatal(err)
	}
	ds, err := store.ClaimDeliveries(ctx, 1, time.Minute)
	if err != nil || len(ds) != 1 {
		t.Fatal(len(ds), err)
	}
	if err := store.RecordDelivery(ctx, ds[0].ID, review.DeliveryOutcome{HTTPStatus: 500, Error: "receiver answered 500", Dead: true}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	_, base := startServeHelper(t, "VIGIL_DATA_DIR="+dir, "VIGIL_DATABASE_URL=", "VIGIL_CMS_TOKENS=cms:cms-token",
		"VIGIL_MODERATOR_TOKENS=mod:mod-token,mod2:mod2-token", "VIGIL_ADMIN_TOKENS=chief:admin-token")

	// The document as served, without a token.
	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(served, server.OpenAPI) {
		t.Fatalf("GET /openapi.json: %d, %d bytes; want 200 and the embedded document", resp.StatusCode, len(served))
	}
	v := apitest.New(t, served, base)

	article, err := os.ReadFile(filepath.Join("..", "..", "server", "testdata", "article-ru.json"))
	if err != nil {
		t.Fatal(err)
	}
	coralAnalyze, coralSuggest := readFixture(t, "coral-analyze.json"), readFixture(t, "coral-suggestscore.json")
	big := `{"id":"big","body":"` + strings.Repeat("а", 600_000) + `"}`
	many := `{"documents":[` + strings.TrimSuffix(strings.Repeat(`{"id":"x","body":"y"},`, 257), ",") + `]}`
	tests := []struct {
		name, method, path, token, body string
		status                          int
	}{
		{"check", "POST", "/v1/check", "cms-token", string(article), 200},
		{"check not JSON", "POST", "/v1/check", "cms-token", "{", 400},
		{"check no token", "POST", "/v1/check", "", string(article), 401},
		{"check as moderator", "POST", "/v1/check", "mod-token", string(article), 403},
		{"check too large", "POST", "/v1/check", "cms-token", big, 413},
		{"batch", "POST", "/v1/check/batch", "cms-token", `{"documents":[{"id":"a","body":"Погода"},{"id":"b","kind":"tweet","body":"x"}]}`, 200},
		{"batch bad", "POST", "/v1/check/batch", "cms-token", `{"documents":{}}`, 400},
		{"batch too many", "POST", "/v1/check/batch", "cms-token", many, 413},
		{"perspective analyze", "POST", "/v1alpha1/comments:analyze?key=cms-token", "", coralAnalyze, 200},
		{"perspective analyze kazakh", "POST", "/v1alpha1/comments:analyze?key=cms-token", "",
			`{"comment":{"text":"Бұл мақала өте жақсы жазылған, рахмет сізге"},"requestedAttributes":{"TOXICITY":{}}}`, 200},
		{"perspective analyze unknown attribute", "POST", "/v1alpha1/comments:analyze?key=cms-token", "",
			`{"comment":{"text":"Хорошая статья"},"requestedAttributes":{"SEVERE_TOXICITY":{}}}`, 400},
		{"perspective analyze no key", "POST", "/v1alpha1/comments:analyze", "", coralAnalyze, 403},
		{"perspective analyze as moderator", "POST", "/v1alpha1/comments:analyze?key=mod-token", "", coralAnalyze, 403},
		{"perspective suggest", "POST", "/v1alpha1/comments:suggestscore?key=cms-token", "", coralSuggest, 200},
		{"perspective suggest bad", "POST", "/v1alpha1/comments:suggestscore", "cms-token", `{"comment":{"text":"x"}}`, 400},
		{"healthz", "GET", "/healthz", "", "", 200},
		{"readyz", "GET", "/readyz", "", "", 200},
		{"metrics", "GET", "/metrics", "", "", 200},
		{"openapi", "GET", "/openapi.json", "", "", 200},
		{"items", "GET", "/v1/review/items?status=open&limit=2", "mod-token", "", 200},
		{"items bad limit", "GET", "/v1/review/items?limit=0", "mod-token", "", 400},
		{"items as cms", "GET", "/v1/review/items", "cms-token", "", 403},
		{"items no token", "GET", "/v1/review/items", "", "", 401},
		{"item", "GET", "/v1/review/items/1", "mod-token", "", 200},
		{"item unknown", "GET", "/v1/review/items/999", "mod-token", "", 404},
		{"item bad id", "GET", "/v1/review/items/x", "mod-token", "", 400},
		{"claim", "POST", "/v1/review/items/1/claim", "mod-token", `{"lease_seconds":600}`, 200},
		{"claim held", "POST", "/v1/review/items/1/claim", "mod2-token", "", 409},
		{"claim bad lease", "POST", "/v1/review/items/2/claim", "mod-token", `{"lease_seconds":-1}`, 400},
		{"release", "POST", "/v1/review/items/1/release", "mod-token", "", 200},
		{"release not held", "POST", "/v1/review/items/1/release", "mod-token", "", 409},
		{"decide", "POST", "/v1/review/items/1/decision", "mod-token", `{"decision":"reject","note":"calls to travel","tags":["security"]}`, 200},
		{"decide again", "POST", "/v1/review/items/1/decision", "mod-token", `{"decision":"approve"}`, 409},
		{"decide bad", "POST", "/v1/review/items/2/decision", "mod-token", `{"decision":"maybe"}`, 400},
		{"decide unknown", "POST", "/v1/review/items/999/decision", "mod-token", `{"decision":"approve"}`, 404},
		{"claim next", "POST", "/v1/review/claim", "mod-token", `{"count":1}`, 200},
		{"claim next bad", "POST", "/v1/review/claim", "mod-token", `{"count":-1}`, 400},
		{"bulk", "POST", "/v1/review/decisions", "admin-token", `{"ids":[3,4,1],"decision":"escalate"}`, 200},
		{"bulk bad", "POST", "/v1/review/decisions", "mod-token", `{"ids":[],"decision":"approve"}`, 400},
		{"feed", "GET", "/v1/review/decisions?limit=10", "cms-token", "", 200},
		{"feed resumed", "GET", "/v1/review/decisions?after=1", "cms-token", "", 200},
		{"feed bad cursor", "GET", "/v1/review/decisions?after=x", "cms-token", "", 400},
		{"feed as moderator", "GET", "/v1/review/decisions", "mod-token", "", 403},
		{"feed no token", "GET", "/v1/review/decisions", "", "", 401},
		{"audit", "GET", "/v1/review/audit?item=1", "mod-token", "", 200},
		{"audit bad", "GET", "/v1/review/audit?item=x", "mod-token", "", 400},
		{"author", "GET", "/v1/review/authors/user-1", "mod-token", "", 200},
		{"stats", "GET", "/v1/review/stats", "mod-token", "", 200},
		{"undo by another", "POST", "/v1/review/items/1/undo", "mod2-token", "", 403},
		{"undo", "POST", "/v1/review/items/1/undo", "mod-token", `{"note":"wrong item"}`, 200},
		{"undo again", "POST", "/v1/review/items/1/undo", "mod-token", "", 409},
		{"undo bad", "POST", "/v1/review/items/1/undo", "mod-token", `{"note":1}`, 400},
		{"undo unknown", "POST", "/v1/review/items/999/undo", "mod-token", "", 404},
		{"dead letters", "GET", "/v1/review/webhooks/dead", "admin-token", "", 200},
		{"dead letters as moderator", "GET", "/v1/review/webhooks/dead", "mod-token", "", 403},
		{"redeliver", "POST", fmt.Sprintf("/v1/review/webhooks/dead/%d/redeliver", ds[0].ID), "admin-token", "", 202},
		{"redeliver again", "POST", fmt.Sprintf("/v1/review/webhooks/dead/%d/redeliver", ds[0].ID), "admin-token", "", 409},
		{"redeliver unknown", "POST", "/v1/review/webhooks/dead/999/redeliver", "admin-token", "", 404},
	}
	client := &http.Client{Timeout: 30 * time.Second}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %s: %d %s, want %d", tc.method, tc.path, resp.StatusCode, body, tc.status)
			}
			op, documented, err := v.Check(req, resp.StatusCode, resp.Header, body)
			if !documented {
				t.Fatalf("%s %s is not in the document", tc.method, tc.path)
			}
			seen[op] = true
			if err != nil {
				t.Errorf("%s %s → %d does not match the document: %v\nbody: %.300s", tc.method, tc.path, resp.StatusCode, err, body)
			}
		})
	}
	// Every operation in the document was called.
	for path, item := range v.Doc.Paths.Map() {
		for method := range item.Operations() {
			if !seen[method+" "+path] {
				t.Errorf("%s %s is documented but not tested", method, path)
			}
		}
	}
}
