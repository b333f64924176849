package server_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/kz-newsroom/vigil/internal/testenv"
	"github.com/kz-newsroom/vigil/metrics"
	"github.com/kz-newsroom/vigil/server"
)

func TestSchedulerRecordsRuns(t *testing.T) {
	m := metrics.New(prometheus.NewRegistry())
	s, err := server.NewScheduler(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	// The job fails on its first run and succeeds after.
	err = s.Add(server.Job{Name: "reload", Every: 20 * time.Millisecond, Run: func(ctx context.Context) error {
		if runs.Add(1) == 1 {
			return errors.New("rule pack: line 3: bad regexp")
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(server.Job{Name: "panics", Every: 20 * time.Millisecond, Run: func(context.Context) error { panic("boom") }}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []server.Job{{Name: "none"}, {Name: "both", Every: time.Second, Cron: "* * * * *"}, {Name: "bad cron", Cron: "every day"}} {
		bad.Run = func(context.Context) error { return nil }
		if err := s.Add(bad); err == nil {
			t.Errorf("Add(%s) accepted a bad schedule", bad.Name)
		}
	}
	s.Start()
	testenv.Eventually(t, 5*time.Second, "three runs and a recovered panic", func() bool {
		return runs.Load() >= 3 && testutil.ToFloat64(m.JobRuns.WithLabelValues("panics", metrics.ResultFailure)) >= 1
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(m.JobRuns.WithLabelValues("reload", metrics.ResultFailure)); got != 1 {
		t.Errorf("reload failures = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.JobRuns.WithLabelValues("reload", metrics.ResultSuccess)); got < 2 {
		t.Errorf("reload successes = %v, want at least 2", got)
	}
	if got := testutil.ToFloat64(m.JobLastSuccess.WithLabelValues("reload")); got != 1 {
		t.Errorf("reload last success = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.JobLastRun.WithLabelValues("reload")); got < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("reload last run = %v, want about now", got)
	}
}
