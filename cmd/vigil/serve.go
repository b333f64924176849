package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/metrics"
	"github.com/kz-newsroom/vigil/retag"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/server"
	"github.com/kz-newsroom/vigil/service"
	"github.com/kz-newsroom/vigil/webhook"
)

func init() {
	register("serve", command{
		summary: "HTTP API for the CMS, moderators' page, /metrics and scheduled jobs",
		run:     runServe,
	})
}

const serveUsage = `usage: vigil serve [--config FILE] [flags]

Serves the HTTP API (POST /v1/check, POST /v1/check/batch, /healthz, /readyz,
/metrics), the Perspective-compatible API (POST /v1alpha1/comments:analyze and
comments:suggestscore), the review API (/v1/review/) and the moderators' page (/review/),
and runs the scheduled jobs (model and rule reload, review lease expiry, an
optional nightly retag). Runs with no configuration at all on the embedded
models and rules, SQLite under ./vigil-data, on 127.0.0.1:8080.

Settings come from the YAML file, overridden by the environment (VIGIL_ADDR,
VIGIL_DATA_DIR, VIGIL_DATABASE_URL, VIGIL_MODELS, VIGIL_RULES,
VIGIL_CMS_TOKENS, VIGIL_MODERATOR_TOKENS, VIGIL_ADMIN_TOKENS,
VIGIL_LOG_LEVEL, VIGIL_LOG_FORMAT, VIGIL_WEBHOOK_URLS, VIGIL_WEBHOOK_SECRET),
overridden by flags. Each moderator's decision is POSTed, signed, to every
webhook URL. With no token
configured at all, every request is served as admin and only a loopback
address is allowed. SIGTERM or Ctrl-C shuts down gracefully: requests in
flight finish. SIGHUP reloads models and rules now.

flags:
`

func runServe(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, serveUsage); fs.PrintDefaults() }
	configPath := fs.String("config", "", "YAML config `FILE`")
	var fl service.Config
	fs.StringVar(&fl.Addr, "addr", "", "listen `host:port` (default 127.0.0.1:8080)")
	fs.StringVar(&fl.DataDir, "data-dir", "", "data `DIR` of the SQLite review queue (default ./vigil-data)")
	fs.StringVar(&fl.Models, "models", "", modelsFlagUsage)
	fs.StringVar(&fl.Rules, "rules", "", "rule pack `DIR` (default: the embedded packs)")
	fs.StringVar(&fl.Log.Level, "log-level", "", "log `level`: debug, info, warn, error")
	fs.StringVar(&fl.Log.Format, "log-format", "", "log `format`: json or text")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "vigil serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	cfg, err := service.LoadConfig(*configPath, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil serve: %v\n", err)
		return exitUsage
	}
	fs.Visit(func(f *flag.Flag) { // flags given on the command line win
		switch f.Name {
		case "addr":
			cfg.Addr = fl.Addr
		case "data-dir":
			cfg.DataDir = fl.DataDir
		case "models":
			cfg.Models = fl.Models
		case "rules":
			cfg.Rules = fl.Rules
		case "log-level":
			cfg.Log.Level = fl.Log.Level
		case "log-format":
			cfg.Log.Format = fl.Log.Format
		}
	})
	log, err := cfg.Logger(e.stderr)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil serve: %v\n", err)
		return exitUsage
	}
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("vigil serve failed", "error", err)
		if vigil.ErrorCode(err) == vigil.EINVALID {
			return exitUsage
		}
		return exitFail
	}
	return exitOK
}

// serve wires the service together and runs it until ctx ends.
func serve(ctx context.Context, cfg service.Config, log *slog.Logger) error {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	version := buildVersion()

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
		SecureCookies: cfg.SecureCookies, OnRedeliver: notify, Describe: describer(live)})
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

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-hup:
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
func addJobs(s *server.Scheduler, cfg service.JobsConfig, live *engine.Live, store *review.Store, m *metrics.Metrics, log *slog.Logger) error {
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

// describer is the moderators' page's rule description: from the packs the
// current engine loaded, so a --rules DIR's rules are explained too and a
// reload's new descriptions are shown at once; the embedded packs'
// otherwise.
func describer(live *engine.Live) func(rule, lang string) string {
	return func(rule, lang string) string {
		if d, ok := live.Describe(rule, lang); ok {
			return d
		}
		return review.EmbeddedDescriptions(rule, lang)
	}
}

// buildVersion names the binary: its module version, or the VCS revision it
// was built from, or "devel".
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
