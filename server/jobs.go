package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/kz-newsroom/vigil/metrics"
)

// Job is a task the service runs on a schedule: reloading rules and
// models, expiring review leases, re-tagging the archive at night.
type Job struct {
	// Name names the job in logs and in the job metrics' job label.
	Name string
	// Every runs the job at this interval; Cron, a five-field crontab line
	// in the server's local time ("0 3 * * *"), runs it at those times.
	// Exactly one must be set.
	Every time.Duration
	Cron  string
	// Run does the work. Its context ends when the scheduler shuts down.
	// An error is logged and counted; the job runs again at its next time.
	Run func(ctx context.Context) error
}

// Scheduler runs Jobs with gocron, one run of a job at a time (a run that
// would overlap the previous one is skipped), and records each run's start,
// duration and result in the job metrics.
type Scheduler struct {
	s      gocron.Scheduler
	m      *metrics.Metrics
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
}

// NewScheduler returns a scheduler that has not started.
func NewScheduler(m *metrics.Metrics, log *slog.Logger) (*Scheduler, error) {
	s, err := gocron.NewScheduler()
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{s: s, m: m, log: log.With("component", "jobs"), ctx: ctx, cancel: cancel}, nil
}

// Add schedules j. It fails on a bad schedule.
func (s *Scheduler) Add(j Job) error {
	var def gocron.JobDefinition
	switch {
	case j.Every > 0 && j.Cron == "":
		def = gocron.DurationJob(j.Every)
	case j.Every <= 0 && j.Cron != "":
		def = gocron.CronJob(j.Cron, false)
	default:
		return fmt.Errorf("job %s: set exactly one of every and cron", j.Name)
	}
	if s.m != nil {
		s.m.InitJob(j.Name)
	}
	_, err := s.s.NewJob(def, gocron.NewTask(func(ctx context.Context) { s.run(ctx, j) }),
		gocron.WithName(j.Name),
		gocron.WithContext(s.ctx),
		gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return fmt.Errorf("job %s: %w", j.Name, err)
	}
	s.log.Info("job scheduled", "job", j.Name, "every", j.Every, "cron", j.Cron)
	return nil
}

// run runs j once, recording it. A panic in the job is a failed run.
func (s *Scheduler) run(ctx context.Context, j Job) {
	start := time.Now()
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return j.Run(ctx)
	}()
	d := time.Since(start)
	if s.m != nil {
		s.m.ObserveJob(j.Name, start, d, err)
	}
	if err != nil {
		s.log.Error("job failed", "job", j.Name, "duration", d, "error", err)
		return
	}
	s.log.Debug("job done", "job", j.Name, "duration", d)
}

// Start starts running the jobs at their times.
func (s *Scheduler) Start() { s.s.Start() }

// Close cancels running jobs' contexts, waits for them to return and stops
// the scheduler.
func (s *Scheduler) Close() error {
	s.cancel()
	if err := s.s.Shutdown(); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	return nil
}
