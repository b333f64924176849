package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/internal/buildinfo"
	"github.com/kz-newsroom/vigil/metrics"
	"github.com/kz-newsroom/vigil/retag"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/server"
	"github.com/kz-newsroom/vigil/webhook"
)

// Run wires the service together from cfg (the engine, the review queue,
// the webhooks, the HTTP server, the scheduled jobs) and runs it until ctx
// ends, then shuts down gracefully: requests in flight finish. Each value
// on reload reloads the models and rules at once (the command sends SIGHUP
// there); a nil reload never does. An error with code EINVALID is a bad
// setting.
func Run(ctx context.Context, cfg Config, log *slog.Logger, reload <-chan os.Signal) error {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	version := buildinfo.Read().Short()

	live := engine.NewLive(engine.Options{
		ModelsDir: cfg.Models, RulesDir: cfg.Rules, Workers: cfg.Workers, Thresholds: cfg.Thresholds,
		MaxBytes: cfg.MaxDocumentBytes, Observe: m.ObserveStage, OnShadow: m.ShadowRuleHit, Logger: log,
	}, func(v vigil.Versions) { m.SetBuildInfo(version, v) })
	if err := live.Reload(ctx, true); err != nil {
		return err
	}

	// The webhook worker is woken by each decision this server commits;
	// other servers' decisions reach it at its next poll.
	var hooks *webhook.Worker
	notify := func() {
		if hooks != nil {
			hooks.Notify()
		}
	}
	store, err := review.Open(ctx, review.Config{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL,
		Logger: log, WebhookURLs: cfg.WebhookURLs,
		OnDecision: func(d string) { m.ObserveDecision(d); notify() }})
	if err != nil {
		return fmt.Errorf("review queue: %w", err)
	}
	defer store.Close()
	if len(cfg.WebhookURLs) > 0 {
		hooks = webhook.New(store, webhook.Config{Secret: cfg.WebhookSecret, Timeout: cfg.WebhookTimeout, Logger: log,
			Observe: m.ObserveWebhook})
	}
	m.SetReviewQueue(func(ctx context.Context) (metrics.ReviewQueue, error) {
		st, err := store.Stats(ctx)
		if err != nil {
			return metrics.ReviewQueue{}, err
		}
		ob, err := store.Outbox(ctx)
		return metrics.ReviewQueue{Items: st.Items, OldestPendingAge: st.OldestOpenAge,
			OutboxPending: ob.Pending, OutboxDead: ob.Dead, OutboxOldestAge: ob.OldestPendingAge}, err
	}, log)

	srv, err := server.New(cfg.Config, server.Deps{
		Checker: live, Review: store, Suggestions: store, Metrics: m, Gatherer: reg, Log: log,
		Ready: []server.ReadyCheck{{Name: "engine", Check: live.Ready}, {Name: "storage", Check: store.CheckWritable}},
	})
	if err != nil {
		return err
	}
	rh := review.NewHandler(store, review.HandlerOptions{Logger: log, Authenticate: srv.Auth().Authenticate, Known: srv.Auth().Known, Holds: srv.Auth().Holds,
		Binding: server.TokenBinding, NoteCaller: server.NoteCaller,
		SecureCookies: cfg.SecureCookies, OnRedeliver: notify, Describe: live.Describe})
	srv.Mount("/v1/review/", "review_api", rh, vigil.RoleModerator)
	srv.Mount(review.FeedRoute, "review_api", rh, vigil.RoleCMS)
	srv.Mount("/review/", "review_page", rh)

	sched, err := server.NewScheduler(m, log)
	if err != nil {
		return err
	}
	if err := addJobs(sched, cfg.Jobs, live, store, m, log); err != nil {
		return vigil.Errorf(vigil.EINVALID, "config: jobs: %v", err)
	}
	if err := srv.Open(); err != nil {
		return err
	}
	sched.Start()
	hookCtx, stopHooks := context.WithCancel(context.WithoutCancel(ctx))
	var hooksDone sync.WaitGroup
	if hooks != nil {
		hooksDone.Go(func() { hooks.Run(hookCtx) })
		log.Info("webhook delivery on", "urls", len(cfg.WebhookURLs))
	}

	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-reload:
			log.Info("SIGHUP: reloading models and rules")
			if err := live.Reload(ctx, true); err != nil {
				log.Error("reload failed; the previous models and rules stay in use", "error", err)
			}
		}
	}
	log.Info("signal received, shutting down")
	err = srv.Close()
	if serr := sched.Close(); serr != nil && err == nil {
		err = serr
	}
	stopHooks()
	hooksDone.Wait()
	if err == nil {
		log.Info("stopped")
	}
	return err
}

// addJobs schedules the jobs cfg turns on.
func addJobs(s *server.Scheduler, cfg JobsConfig, live *engine.Live, store *review.Store, m *metrics.Metrics, log *slog.Logger) error {
	if cfg.Reload > 0 {
		if err := s.Add(server.Job{Name: "reload", Every: cfg.Reload, Run: func(ctx context.Context) error {
			return live.Reload(ctx, false)
		}}); err != nil {
			return err
		}
	}
	if cfg.LeaseExpiry > 0 {
		if err := s.Add(server.Job{Name: "lease_expiry", Every: cfg.LeaseExpiry, Run: func(ctx context.Context) error {
			n, err := store.ExpireLeases(ctx)
			if n > 0 {
				log.Info("review leases expired", "items", n)
			}
			return err
		}}); err != nil {
			return err
		}
	}
	if cfg.Retag.Schedule != "" {
		job := cfg.Retag.Job
		if job.In == "" || job.Out == "" {
			return errors.New("retag: in and out are required with a schedule")
		}
		job.Log = log.With("component", "retag")
		if err := s.Add(server.Job{Name: "retag", Cron: cfg.Retag.Schedule, Run: func(ctx context.Context) error {
			sum, err := retag.Run(ctx, live, job, retagMetrics{m})
			if err == nil && sum.Failed > 0 {
				err = fmt.Errorf("%d documents failed in a stage", sum.Failed)
			}
			log.Info("retag run", "job", sum.Job, "processed", sum.Processed, "complete", sum.Complete, "error", err)
			return err
		}}); err != nil {
			return err
		}
	}
	return nil
}

// retagMetrics feeds a retag run's progress into the retag metrics.
type retagMetrics struct{ m *metrics.Metrics }

func (retagMetrics) Start(total, done int64)             {}
func (p retagMetrics) Add(n int64)                       { p.m.RetagDocumentsDone(n) }
func (p retagMetrics) Finish(_ retag.Summary, err error) { p.m.RetagFinished(err) }

var _ retag.Progress = retagMetrics{}

var (
	_ server.Checker = (*engine.Live)(nil)
	_ retag.Checker  = (*engine.Live)(nil)
)
