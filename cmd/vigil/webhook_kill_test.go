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
	time.Sleep(200 * time.Millisecond)
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
	const secret, rounds, items = "hook-secret", 3, 30
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

	// Three rounds: decide ten items, wait for the first deliveries of
	// the round, kill the server with SIGKILL while the rest are in
	// flight. Then one more server delivers whatever is left.
	client := &http.Client{Timeout: 10 * time.Second}
	decided := map[int64]bool{}
	var before []int
	for round := range rounds {
		cmd, base := startServeHelper(t, env...)
		for id := int64(round*10 + 1); id <= int64(round*10+10); id++ {
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
		for wait := time.After(10 * time.Second); len(rcv.byItem()) < round*10+2; {
			select {
			case <-rcv.arrive:
			case <-time.After(10 * time.Millisecond):
			case <-wait:
				t.Fatalf("round %d: %d deliveries 10 s after its decisions", round, len(rcv.byItem()))
			}
		}
		cmd.Process.Kill() // SIGKILL
		cmd.Wait()
		before = append(before, len(rcv.byItem()))
	}

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
	time.Sleep(time.Second) // let a duplicate key show, if one were coming

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
	t.Logf("%d decided in %d rounds, received by the end of each round (cumulative): %v; in all %d bodies for %d keys (a body twice: in flight at a kill, sent again under its key)",
		len(decided), rounds, before, rcv.bodies, len(rcv.keys))
	rcv.mu.Unlock()
}
