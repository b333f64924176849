package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/service"
)

func init() {
	register("export-feedback", command{
		summary: "write moderators' decisions as labeled JSONL for vigil train",
		run:     runExportFeedback,
	})
}

const exportFeedbackUsage = `usage: vigil export-feedback [--data-dir DIR | --database-url URL] [--since DATE] [--decision approve|reject|all] [--out FILE]

Writes every review item a moderator approved or rejected as one labeled
document a line, in the input schema vigil train reads:
  - tags: the moderator's corrected tags, or else the verdict's tags (seen
    and left as they were);
  - flags: the verdict's flags when the item was rejected (the flag was
    right), none when it was approved (a false alarm: a hard negative).
Escalated, pending and superseded items are left out. Then every score a
comment platform suggested through the Perspective API (comments:suggestscore)
since DATE, as a comment with flags ["toxic"] (TOXICITY at or above 0.5, or
Coral's DELETED) or none (TOXICITY below 0.5, or APPROVED), its source
"perspective:ATTRIBUTE"; with --decision, a toxic one counts as reject, the
others as approve. The queue is the
SQLite file in --data-dir (VIGIL_DATA_DIR, default ./vigil-data) or the
PostgreSQL database of --database-url (VIGIL_DATABASE_URL).

  vigil export-feedback --since 2026-11-01 --out feedback.jsonl
  vigil train --data ../shared/data/topics/train.jsonl,feedback.jsonl --out models/new

flags:
`

func runExportFeedback(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("export-feedback", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, exportFeedbackUsage); fs.PrintDefaults() }
	dataDir := fs.String("data-dir", "", "data `DIR` holding the SQLite review queue (default $VIGIL_DATA_DIR or ./vigil-data)")
	dbURL := fs.String("database-url", "", "PostgreSQL `URL` of the review queue (default $VIGIL_DATABASE_URL)")
	sinceStr := fs.String("since", "", "only decisions at or after `DATE` (2006-01-02 or RFC 3339)")
	which := fs.String("decision", "all", "which decisions: approve, reject or all")
	outPath := fs.String("out", "", "output `FILE` (default stdout)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "vigil export-feedback: "+format+"\n", a...)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q", fs.Arg(0))
	}
	if *which != "all" && *which != vigil.DecisionApprove && *which != vigil.DecisionReject {
		return usage("--decision %q: want approve, reject or all", *which)
	}
	var since time.Time
	if *sinceStr != "" {
		var err error
		if since, err = time.Parse(time.RFC3339, *sinceStr); err != nil {
			if since, err = time.Parse("2006-01-02", *sinceStr); err != nil {
				return usage("--since %q: want 2006-01-02 or RFC 3339", *sinceStr)
			}
		}
	}
	// The queue serve keeps: flags, else the environment, else serve's default.
	cfg := review.Config{DataDir: cmp.Or(*dataDir, e.getenv("VIGIL_DATA_DIR"), service.DefaultConfig().DataDir),
		DatabaseURL: cmp.Or(*dbURL, e.getenv("VIGIL_DATABASE_URL")), Logger: slog.New(slog.DiscardHandler)}
	if cfg.DatabaseURL == "" {
		// Exporting never creates a queue: a wrong directory is an error.
		if _, err := os.Stat(filepath.Join(cfg.DataDir, review.DBFile)); err != nil {
			return usage("no review queue in %s: %v", cfg.DataDir, err)
		}
	}
	store, err := review.Open(ctx, cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil export-feedback: %v\n", err)
		if vigil.ErrorCode(err) == vigil.EINVALID {
			return exitUsage
		}
		return exitFail
	}
	defer store.Close()

	var out io.Writer = e.stdout
	var file *os.File
	if *outPath != "" && *outPath != "-" {
		if file, err = os.Create(*outPath); err != nil {
			return usage("%v", err)
		}
		out = file
	}
	n, err := store.ExportFeedback(ctx, out, since, *which)
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil export-feedback: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(e.stderr, "vigil export-feedback: %d documents (%d rejected: flags kept; %d approved: no flags)\n",
		n.Approved+n.Rejected, n.Rejected, n.Approved)
	if k := n.SuggestedApprove + n.SuggestedReject; k > 0 {
		fmt.Fprintf(e.stderr, "vigil export-feedback: %d suggested scores (%d toxic, %d not)\n", k, n.SuggestedReject, n.SuggestedApprove)
	}
	return exitOK
}
