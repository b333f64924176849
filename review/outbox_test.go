package review

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

var hookURLs = []string{"http://cms-a.example/hook", "http://cms-b.example/hook"}

func TestDecisionWritesOutbox(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			s := b.open(t, Config{Now: c.Now, WebhookURLs: hookURLs})
			var ids []int64
			for _, id := range []string{"c-1", "c-2", "c-3"} {
				d, v := flagged(id, "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
				ids = append(ids, mustPut(t, s, d, v))
			}
			if _, err := s.Decide(ctx, mod1, ids[0], Decision{Decision: "reject", Note: "call", Tags: []string{"Religion"}}); err != nil {
				t.Fatal(err)
			}
			// A refused decision writes nothing.
			if _, err := s.Decide(ctx, mod1, ids[0], Decision{Decision: "approve"}); vigil.ErrorCode(err) != vigil.ECONFLICT {
				t.Fatalf("decide twice: %v", err)
			}
			res, err := s.DecideMany(ctx, admin, []int64{ids[1], ids[0], ids[2]}, Decision{Decision: "escalate"})
			if err != nil || res[1].Error == nil {
				t.Fatalf("bulk: %+v, %v", res, err)
			}
			st, err := s.Outbox(ctx)
			if err != nil || st.Pending != 6 || st.Dead != 0 {
				t.Fatalf("outbox = %+v, %v; want 3 decisions × 2 URLs", st, err)
			}
			evs, next, err := s.Decisions(ctx, "", 10)
			if err != nil || len(evs) != 3 {
				t.Fatalf("decisions = %+v, %v", evs, err)
			}
			if e := evs[0]; e.DocID != "c-1" || e.Decision != "reject" || e.By != "aigerim" || e.Note != "call" || len(e.Tags) != 1 || e.Tags[0] != "religion" {
				t.Fatalf("first = %+v", e)
			}
			if e := evs[1]; e.DocID != "c-2" || e.Decision != "escalate" || e.By != "chief" || len(e.Tags) != 1 || e.Tags[0] != "security" {
				t.Fatalf("second = %+v", e)
			}
			if more, next2, _ := s.Decisions(ctx, next, 10); len(more) != 0 || next2 != next {
				t.Fatalf("after the last: %v, %q (was %q)", more, next2, next)
			}
			ds, err := s.ClaimDeliveries(ctx, 10, time.Minute)
			if err != nil || len(ds) != 6 {
				t.Fatalf("claimed %d, %v", len(ds), err)
			}
			keys := map[string]bool{}
			for _, d := range ds {
				keys[d.DeliveryID] = true
			}
			if len(keys) != 6 {
				t.Fatalf("idempotency keys not unique: %v", keys)
			}
			if again, _ := s.ClaimDeliveries(ctx, 10, time.Minute); len(again) != 0 {
				t.Fatalf("claimed under a live lease: %d", len(again))
			}
			c.Add(2 * time.Minute)
			if again, _ := s.ClaimDeliveries(ctx, 10, time.Minute); len(again) != 6 {
				t.Fatalf("after the lease: %d, want 6", len(again))
			}
		})
	}
}

// deadDelivery decides a new item and dead-letters its one delivery.
func deadDelivery(t *testing.T, s *Store) Delivery {
	t.Helper()
	ctx := context.Background()
	d, v := flagged("c-1", "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
	id := mustPut(t, s, d, v)
	if _, err := s.Decide(ctx, mod1, id, Decision{Decision: "reject"}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ClaimDeliveries(ctx, 10, time.Minute)
	if err != nil || len(ds) != 1 {
		t.Fatal(len(ds), err)
	}
	if err := s.RecordDelivery(ctx, ds[0].ID, DeliveryOutcome{HTTPStatus: 500, Error: "receiver answered 500", Dead: true}); err != nil {
		t.Fatal(err)
	}
	return ds[0]
}

func TestDeadDeliveriesAPI(t *testing.T) {
	ctx := context.Background()
	s := openSQLiteTest(t, Config{WebhookURLs: hookURLs[:1]})
	ds := []Delivery{deadDelivery(t, s)}
	if err := s.RecordDelivery(ctx, ds[0].ID, DeliveryOutcome{Delivered: true}); vigil.ErrorCode(err) != vigil.ECONFLICT {
		t.Fatalf("record on a dead delivery: %v", err)
	}
	ts := newTestServer(t, s)
	if r := call(t, ts, "tok-mod1", "GET", "/v1/review/webhooks/dead", ""); r.status != http.StatusForbidden {
		t.Fatalf("moderator: %d %s", r.status, r.body)
	}
	r := call(t, ts, "tok-admin", "GET", "/v1/review/webhooks/dead", "")
	var dead deadResponse
	if r.status != 200 || json.Unmarshal(r.body, &dead) != nil || len(dead.Deliveries) != 1 || dead.Deliveries[0].LastStatus != 500 ||
		dead.Deliveries[0].Event.DocID != "c-1" {
		t.Fatalf("dead: %d %s", r.status, r.body)
	}
	path := "/v1/review/webhooks/dead/" + strconv.FormatInt(ds[0].ID, 10) + "/redeliver"
	for _, tc := range []struct {
		name, token, path string
		status            int
	}{
		{"moderator", "tok-mod1", path, http.StatusForbidden},
		{"admin", "tok-admin", path, http.StatusAccepted},
		{"twice", "tok-admin", path, http.StatusConflict},
		{"unknown", "tok-admin", "/v1/review/webhooks/dead/999/redeliver", http.StatusNotFound},
		{"bad id", "tok-admin", "/v1/review/webhooks/dead/x/redeliver", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := call(t, ts, tc.token, "POST", tc.path, ""); r.status != tc.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.status)
			}
		})
	}
	if r := call(t, ts, "tok-admin", "GET", "/v1/review/webhooks/dead", ""); r.status != 200 || json.Unmarshal(r.body, &dead) != nil || len(dead.Deliveries) != 0 {
		t.Fatalf("after redeliver: %s", r.body)
	}
	if again, _ := s.ClaimDeliveries(ctx, 10, time.Minute); len(again) != 1 || again[0].DeliveryID != ds[0].DeliveryID {
		t.Fatalf("redelivered = %+v", again)
	}
}

func TestDecisionsFeed(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		var ids []int64
		for i := range 5 {
			d, v := flagged("c-"+strconv.Itoa(i), "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
			ids = append(ids, mustPut(t, s, d, v))
		}
		ts := newTestServer(t, s)
		page := func(token, query string) (feedResponse, apiResp) {
			t.Helper()
			r := call(t, ts, token, "GET", "/v1/review/decisions"+query, "")
			var f feedResponse
			if r.status == 200 {
				if err := json.Unmarshal(r.body, &f); err != nil {
					t.Fatal(err)
				}
			}
			return f, r
		}
		if f, r := page("tok-cms", ""); r.status != 200 || len(f.Decisions) != 0 || f.NextCursor != "0" {
			t.Fatalf("empty feed: %d %s", r.status, r.body)
		}
		// Decided out of queue order, some in bulk: the feed follows the decisions.
		order := []int64{ids[3], ids[0], ids[4]}
		for _, id := range order {
			if _, err := s.Decide(ctx, mod1, id, Decision{Decision: "approve"}); err != nil {
				t.Fatal(err)
			}
			c.Add(time.Second)
		}
		if _, err := s.DecideMany(ctx, mod2, []int64{ids[2], ids[1]}, Decision{Decision: "reject"}); err != nil {
			t.Fatal(err)
		}
		order = append(order, ids[2], ids[1])
		var got []int64
		cursor := ""
		for range 10 {
			f, r := page("tok-cms", "?limit=2&after="+cursor)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if len(f.Decisions) == 0 {
				break
			}
			for _, e := range f.Decisions {
				got = append(got, e.ItemID)
			}
			cursor = f.NextCursor
		}
		if !slices.Equal(got, order) {
			t.Fatalf("feed order %v, want %v", got, order)
		}
		// Resuming from a cursor gives what came after it, once.
		if _, err := s.Decide(ctx, admin, ids[3], Decision{Decision: "reject"}); vigil.ErrorCode(err) != vigil.ECONFLICT {
			t.Fatalf("decide a decided item: %v", err)
		}
		if f, _ := page("tok-cms", "?after="+cursor); len(f.Decisions) != 0 {
			t.Fatalf("after the end: %+v", f.Decisions)
		}
		for _, tc := range []struct {
			name, token, query string
			status             int
		}{
			{"admin", "tok-admin", "", 200},
			{"moderator", "tok-mod1", "", http.StatusForbidden},
			{"no token", "", "", http.StatusUnauthorized},
			{"bad cursor", "tok-cms", "?after=x", http.StatusBadRequest},
			{"bad limit", "tok-cms", "?limit=0", http.StatusBadRequest},
			{"limit too high", "tok-cms", "?limit=1001", http.StatusBadRequest},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, r := page(tc.token, tc.query); r.status != tc.status {
					t.Fatalf("%d %s, want %d", r.status, r.body, tc.status)
				}
			})
		}
		// The moderators' bulk decisions stay on POST.
		if r := call(t, ts, "tok-cms", "POST", "/v1/review/decisions", `{"ids":[1],"decision":"approve"}`); r.status != http.StatusForbidden {
			t.Fatalf("cms bulk decide: %d %s", r.status, r.body)
		}
	})
}

func TestWebhooksPage(t *testing.T) {
	s := openSQLiteTest(t, Config{WebhookURLs: hookURLs[:1]})
	dead := deadDelivery(t, s)
	ts := newTestServer(t, s)
	form := "application/x-www-form-urlencoded"
	login := func(token string) *browser {
		b := newBrowser(t, ts)
		if r := b.do("POST", "/review/login", form, "token="+token, map[string]string{"Origin": ts.URL}); r.status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		return b
	}
	if r := login("tok-mod1").do("GET", "/review/webhooks", "", "", nil); r.status != http.StatusForbidden {
		t.Fatalf("moderator: %d", r.status)
	}
	b := login("tok-admin")
	page := b.do("GET", "/review/webhooks", "", "", nil)
	if page.status != 200 || !strings.Contains(string(page.body), dead.DeliveryID) || !strings.Contains(string(page.body), "receiver answered 500") {
		t.Fatalf("webhooks page: %d %s", page.status, page.body)
	}
	m := csrfRe.FindStringSubmatch(string(page.body))
	if m == nil {
		t.Fatal("no CSRF token")
	}
	body := "csrf=" + m[1] + "&id=" + strconv.FormatInt(dead.ID, 10)
	if r := b.do("POST", "/review/webhooks/redeliver", form, "id="+strconv.FormatInt(dead.ID, 10), map[string]string{"Origin": ts.URL}); r.status != http.StatusForbidden {
		t.Fatalf("without CSRF: %d", r.status)
	}
	if r := b.do("POST", "/review/webhooks/redeliver", form, body, map[string]string{"Origin": ts.URL}); r.status != http.StatusSeeOther {
		t.Fatalf("redeliver: %d %s", r.status, r.body)
	}
	if page := b.do("GET", "/review/webhooks", "", "", nil); !strings.Contains(string(page.body), "No dead deliveries") {
		t.Fatalf("after redeliver: %s", page.body)
	}
}
