package retag

import (
	"context"
	"fmt"
)

// Scheduled is a retag job that vigil serve runs on a schedule, as it
// appears in the service configuration:
//
//	retag:
//	  cron: "0 3 * * *"
//	  job:
//	    in: /var/lib/vigil/archive.jsonl
//	    out: /var/lib/vigil/verdicts.jsonl
type Scheduled struct {
	// Cron is a five-field crontab line; empty means no scheduled retag.
	Cron string `yaml:"cron" json:"cron"`
	Job  Job    `yaml:"job" json:"job"`
}

// Task returns the function a scheduler calls at each run time. Every call
// re-tags job.In into job.Out with c; a run cut short (the service stopped)
// leaves a checkpoint, and the next call continues it instead of starting
// over. docs is called with the number of documents as they are done (a
// counter metric) and success with the summary of each complete run (a
// last-success timestamp); either may be nil. The error of a run that did
// not complete is returned for the scheduler to log and count.
func Task(c Checker, job Job, docs func(n int64), success func(Summary)) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var p Progress
		if docs != nil {
			p = CountProgress(docs)
		}
		sum, err := Run(ctx, c, job, p)
		if err != nil {
			return fmt.Errorf("retag %s: %w", job.In, err)
		}
		if job.Log != nil {
			job.Log.Info("scheduled retag done", "job", sum.Job, "documents", sum.Documents, "bad", sum.Bad,
				"failed", sum.Failed, "written", sum.Written, "resumed", sum.Resumed, "seconds", sum.Elapsed.Seconds())
		}
		if success != nil {
			success(sum)
		}
		return nil
	}
}
