package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testdb"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/webhook"
)

// hookReceiver is the CMS side: it checks signatures, answers slowly (so
// that a kill finds deliveries in flight) and records which idempotency
// keys it saw for which review item.
type hookReceiver struct {
	t      *testing.T
	secret string

	mu     sync.Mutex
	keys   map[string]int64 // X-Vigil-Delivery → item id
	bodies int
	arrive chan struct{}
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !webhook.Verify(h.secret, body, r.Header.Get(webhook.HeaderSignature)) {
		h.t.Errorf("delivery %s: bad signature", r.Header.Get(webhook.HeaderDelivery))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var e review.Event
	if err := json.Unmarshal(body, &e); err != nil {
		h.t.Errorf("body %s: %v", body, err)
	}
	time.Sleep(100 * time.Millisecond)
	h.mu.Lock()
	key := r.Header.Get(webhook.HeaderDelivery)
	if prev, ok := h.keys[key]; ok && prev != e.ItemID {
		h.t.Errorf("key %s for items %d and %d", key, prev, e.ItemID)
	}
	h.keys[key] = e.ItemID
	h.bodies++
	h.mu.Unlock()
	select {
	case h.arrive <- struct{}{}:
	default:
	}
}

// byItem counts the distinct keys received per item.
func (h *hookReceiver) byItem() map[int64]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[int64]int{}
	for _, id := range h.keys {
		out[id]++
	}
	return out
}

// TestServeWebhooksSurviveSIGKILL decides review items through a real
// `vigil serve`, kills it with SIGKILL while deliveries are in flight,
// starts another on the same queue, and checks that the receiver gets every
// committed decision under exactly one idempotency key.
func TestServeWebhooksSurviveSIGKILL(t *testing.T) {
	if os.Getenv("VIGIL_SERVE_HELPER") != "" {
		t.Skip("inside the helper")
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var where []string
			cfg := review.Config{}
			if backend == "sqlite" {
				cfg.DataDir = t.TempDir()
				where = []string{"VIGIL_DATA_DIR=" + cfg.DataDir, "VIGIL_DATABASE_URL="}
			} else {
				cfg.DatabaseURL = testdb.CreatePostgres(t, "vigil_serve_hook_test_")
				where = []string{"VIGIL_DATABASE_URL=" + cfg.DatabaseURL}
			}
			testWebhooksSurviveKill(t, cfg, where)
		})
	}
}

func testWebhooksSurviveKill(t *testing.T, cfg review.Config, where []string) {
	const secret, items = "hook-secret", 15
	ctx := context.Background()
	store, err := review.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		id := fmt.Sprintf("c-%d", i)
		d := vigil.Document{ID: id, Kind: vigil.KindComment, Lang: "ru", Body: "вступай " + id}
		v := vigil.Verdict{ID: id, Action: vigil.ActionReview, Lang: "ru", Flags: []vigil.Flag{{Name: vigil.FlagExtremistRecruitment, Score: 0.9}}}
		if _, _, err := store.Put(ctx, d, v); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	rcv := &hookReceiver{t: t, secret: secret, keys: map[string]int64{}, arrive: make(chan struct{}, 1)}
	hook := httptest.NewServer(rcv)
	defer hook.Close()
	conf := filepath.Join(t.TempDir(), "vigil.yaml")
	os.WriteFile(conf, []byte("webhook_timeout: 1s\njobs: {reload: 0s}\n"), 0o600)
	env := append(where, "VIGIL_SERVE_HELPER_CONFIG="+conf, "VIGIL_MODERATOR_TOKENS=mod:mod-token",
		"VIGIL_WEBHOOK_URLS="+hook.URL, "VIGIL_WEBHOOK_SECRET="+secret)

	// Decide ten items, wait for a few deliveries, decide five more and
	// kill the server at once, with deliveries still in flight.
	cmd, base := startServeHelper(t, env...)
	client := &http.Client{Timeout: 10 * time.Second}
	decided := map[int64]bool{}
	decide := func(from, to int64) {
		for id := from; id <= to; id++ {
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/v1/review/items/%d/decision", base, id), strings.NewReader(`{"decision":"reject"}`))
			req.Header.Set("Authorization", "Bearer mod-token")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("decide %d: %d", id, resp.StatusCode)
			}
			decided[id] = true
		}
	}
	decide(1, 10)
	for wait := time.After(10 * time.Second); len(rcv.byItem()) < 3; {
		select {
		case <-rcv.arrive:
		case <-time.After(50 * time.Millisecond):
		case <-wait:
			t.Fatalf("%d deliveries 10 s after 10 decisions", len(rcv.byItem()))
		}
	}
	decide(11, 15)
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
	before := len(rcv.byItem())

	// A new server on the same queue delivers the rest.
	startServeHelper(t, env...)
	deadline := time.After(30 * time.Second)
	for len(rcv.byItem()) < len(decided) {
		select {
		case <-rcv.arrive:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("after the restart %d of %d decisions delivered", len(rcv.byItem()), len(decided))
		}
	}
	time.Sleep(500 * time.Millisecond) // let a duplicate key show, if one were coming

	store, err = review.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	events, _, err := store.Decisions(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := rcv.byItem()
	for _, e := range events {
		if got[e.ItemID] != 1 {
			t.Errorf("item %d: %d idempotency keys, want 1", e.ItemID, got[e.ItemID])
		}
	}
	for id := range decided {
		if got[id] != 1 {
			t.Errorf("item %d decided (answered 200) but delivered under %d keys", id, got[id])
		}
	}
	if len(got) != len(events) {
		t.Errorf("%d items delivered, %d decisions committed", len(got), len(events))
	}
	rcv.mu.Lock()
	t.Logf("%d decided, %d delivered before SIGKILL, %d after the restart, %d bodies for %d keys",
		len(decided), before, len(got)-before, rcv.bodies, len(rcv.keys))
	rcv.mu.Unlock()
}
