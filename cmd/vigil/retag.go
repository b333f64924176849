package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/retag"
)

func init() {
	register("retag", command{
		summary: "re-tag an archive (JSONL, CSV or PostgreSQL) in parallel; resumable, with --diff",
		run:     runRetag,
	})
}

const retagUsage = `usage: vigil retag --in FILE|-|postgres://... --out FILE|-|postgres://... [flags]

Re-tags every document of an archive with the current models and rules, on
every core, writing one verdict per document in input order. A checkpoint
(OUT.checkpoint) makes it resumable: after a crash or Ctrl-C, run the same
command again and it continues where it stopped. With --diff it writes only
the documents whose tags or flags change, and a summary of the changes.

examples:
  vigil retag --in archive.jsonl --out verdicts.jsonl
  vigil retag --in archive.jsonl --out changes.jsonl --diff --models new-bundle/
  vigil retag --in export.csv --csv-map id=article_id,title=headline,body=text --out verdicts.jsonl
  vigil retag --in postgres://db/news --query 'SELECT id, title, body, tags FROM articles' --out postgres://db/news --out-table retag_results
  vigil retag --in /mnt/archive/2024.jsonl --out /mnt/archive/verdicts/ --claims postgres://db/news   # one per host

flags:
`

func runRetag(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("retag", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, retagUsage); fs.PrintDefaults() }
	var (
		job        retag.Job
		columns    string
		summary    string
		progress   string
		models     string
		rules      string
		workers    int
		claimsDB   string
		rangeBytes int64
		worker     string
		cpuprofile string
	)
	fs.StringVar(&job.In, "in", "", "input: a JSONL or CSV `file`, - for stdin, or a postgres:// URL")
	fs.StringVar(&job.Out, "out", "", "output: a JSONL `file`, - for stdout, a postgres:// URL, or a directory with --claims")
	fs.StringVar(&job.Format, "format", "", "input format, jsonl or csv (default: from the file extension)")
	fs.StringVar(&columns, "csv-map", "", "column mapping for CSV or database input, e.g. `id=article_id,title=headline,body=text`")
	fs.StringVar(&job.Query, "query", "", "database input: the `SQL` whose rows are the documents (columns named like document fields)")
	fs.StringVar(&job.Table, "table", "", "database input: read this whole `table` instead of --query")
	fs.StringVar(&job.Key, "key", "id", "database input: the unique `column` rows are paged by")
	fs.IntVar(&job.BatchSize, "batch", 1000, "database input: rows per page")
	fs.StringVar(&job.OutTable, "out-table", "vigil_retag_results", "database output: the `table` results are upserted into")
	fs.BoolVar(&job.Diff, "diff", false, "write only documents whose tags or flags change, and summarize the changes")
	fs.StringVar(&summary, "summary", "", "also write the summary as JSON to this `file`")
	fs.StringVar(&job.Checkpoint, "checkpoint", "", "checkpoint `file` (default OUT.checkpoint)")
	fs.BoolVar(&job.Restart, "restart", false, "ignore an existing checkpoint and start from the top")
	fs.IntVar(&job.MaxBytes, "max-bytes", vigil.DefaultMaxDocumentBytes, "largest document accepted, in bytes")
	fs.StringVar(&progress, "progress", "auto", "progress display: auto (a bar on a terminal, else a log line every 5s), bar, log or none")
	fs.StringVar(&models, "models", "", modelsFlagUsage)
	fs.StringVar(&rules, "rules", "", rulesFlagUsage)
	fs.IntVar(&workers, "workers", 0, "documents checked at once (default: every core)")
	fs.StringVar(&claimsDB, "claims", "", "scale-out: claim ranges of --in from this postgres:// `URL`, shared by every worker")
	fs.Int64Var(&rangeBytes, "range-size", 4<<20, "scale-out: bytes of archive per claimed range")
	fs.StringVar(&worker, "worker", "", "scale-out: this worker's name (default host-pid)")
	fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the run to this `file` (go tool pprof)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "vigil retag: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if job.In == "" {
		fmt.Fprintln(e.stderr, "vigil retag: no input: --in is required (a JSONL or CSV file, - for stdin, or a postgres:// URL)")
		return exitUsage
	}
	cols, err := retag.ParseColumnMap(columns)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil retag: --csv-map: %s\n", vigil.ErrorMessage(err))
		return exitUsage
	}
	job.Columns = cols

	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	job.Log = log.With("component", "retag")
	job.Stdin, job.Stdout = e.stdin, e.stdout
	job.OnBad = reportBad(e)

	eng, err := engine.New(ctx, engine.Options{ModelsDir: models, RulesDir: rules, Workers: workers, MaxBytes: job.MaxBytes, Logger: log})
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil retag: %v\n", err)
		return exitFail
	}
	job.Log.Info("retag starting", "in", retag.RedactURL(job.In), "out", retag.RedactURL(job.Out), "workers", eng.Workers(),
		"stages", eng.Stages(), "model", eng.Versions().Model, "rules", eng.Versions().Rules, "heads", engine.HeadsLine(eng.Heads()))
	checker := retag.CheckerFunc(eng.Stream)

	prog, ok := retag.NewProgress(progress, e.stderr, isTerminal(e.stderr), job.Log)
	if !ok {
		fmt.Fprintf(e.stderr, "vigil retag: --progress %q: want auto, bar, log or none\n", progress)
		return exitUsage
	}

	if cpuprofile != "" {
		stop, err := retag.StartCPUProfile(cpuprofile)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil retag: --cpuprofile: %v\n", err)
			return exitUsage
		}
		defer stop()
	}
	var sum retag.Summary
	if claimsDB != "" {
		sum, err = retag.RunClaims(ctx, checker, job, retag.ClaimOptions{DB: claimsDB, Worker: worker, RangeBytes: rangeBytes}, prog)
	} else {
		sum, err = retag.Run(ctx, checker, job, prog)
	}
	fmt.Fprint(e.stderr, sum.String())
	if summary != "" {
		if werr := sum.WriteFile(summary); werr != nil {
			fmt.Fprintf(e.stderr, "vigil retag: %v\n", werr)
			return exitFail
		}
	}
	return retagExit(e, sum, err)
}

// reportBad reports a bad input document on stderr, by line (or row) and id.
func reportBad(e *env) func(retag.BadItem) {
	return func(b retag.BadItem) {
		fmt.Fprintf(e.stderr, "vigil retag: %s: %s\n", b.Where(), vigil.ErrorMessage(b.Err))
	}
}

// retagExit reports how a retag run ended and returns its exit code.
func retagExit(e *env, sum retag.Summary, err error) int {
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil retag: %s\n", vigil.ErrorMessage(err))
		if vigil.ErrorCode(err) == vigil.EINTERNAL {
			fmt.Fprintf(e.stderr, "vigil retag: %v\n", err)
		}
		switch vigil.ErrorCode(err) {
		case vigil.EINVALID, vigil.ECONFLICT:
			return exitUsage
		}
		return exitFail
	}
	switch {
	case sum.Bad > 0:
		fmt.Fprintf(e.stderr, "vigil retag: %d bad documents (listed above) were skipped\n", sum.Bad)
		return exitUsage
	case sum.Failed > 0:
		fmt.Fprintf(e.stderr, "vigil retag: %d documents failed in a stage (their verdicts carry the error)\n", sum.Failed)
		return exitFail
	}
	return exitOK
}
