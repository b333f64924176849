package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testdb"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/webhook"
)

// BenchmarkDecisionToDelivery measures a decision's way to a healthy
// local receiver, as vigil serve wires it (the decision wakes the worker):
// from the Decide call (its commit included) to the receiver reading the
// signed body. It reports p50 and p99 per backend. "polled" is a decision
// made by another server sharing PostgreSQL: nothing wakes this worker,
// which finds it at its next poll (every 500 ms).
//
//	go test ./webhook -run '^$' -bench DecisionToDelivery -benchtime 500x
func BenchmarkDecisionToDelivery(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres", "postgres-polled"} {
		b.Run(backend, func(b *testing.B) {
			got := make(chan time.Time, 1)
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got <- time.Now()
			}))
			defer rcv.Close()
			cfg := review.Config{WebhookURLs: []string{rcv.URL}}
			if backend == "sqlite" {
				cfg.DataDir = b.TempDir()
			} else {
				cfg.DatabaseURL = testdb.CreatePostgres(b, "vigil_webhook_bench_")
			}
			var w *webhook.Worker
			if backend != "postgres-polled" {
				cfg.OnDecision = func(string) { w.Notify() }
			}
			s, err := review.Open(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			w = webhook.New(s, webhook.Config{Secret: secret})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go w.Run(ctx)

			ids := make([]int64, b.N)
			for i := range ids {
				id := fmt.Sprintf("bench-%d", i)
				d := vigil.Document{ID: id, Kind: vigil.KindComment, Body: "вступай " + id}
				v := vigil.Verdict{ID: id, Action: vigil.ActionReview, Lang: "ru", Flags: []vigil.Flag{{Name: vigil.FlagExtremistRecruitment, Score: 0.9}}}
				if ids[i], _, err = s.Put(ctx, d, v); err != nil {
					b.Fatal(err)
				}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for _, id := range ids {
				start := time.Now()
				if _, err := s.Decide(ctx, moderator, id, review.Decision{Decision: vigil.DecisionApprove}); err != nil {
					b.Fatal(err)
				}
				select {
				case at := <-got:
					lat = append(lat, at.Sub(start))
				case <-time.After(10 * time.Second):
					b.Fatal("no delivery in 10 s")
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
