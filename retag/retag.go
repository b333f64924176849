package retag

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// Checker checks a stream of documents on every core and returns their
// verdicts in input order; *pipeline.Pipeline implements it. The returned
// channel is closed after in is closed and every verdict sent.
type Checker interface {
	Stream(ctx context.Context, in <-chan *vigil.Document) <-chan vigil.Verdict
}

// CheckerFunc adapts a function to Checker.
type CheckerFunc func(ctx context.Context, in <-chan *vigil.Document) <-chan vigil.Verdict

// Stream implements Checker.
func (f CheckerFunc) Stream(ctx context.Context, in <-chan *vigil.Document) <-chan vigil.Verdict {
	return f(ctx, in)
}

// Job is one re-tagging run. In and Out name files, "-" for standard input
// or output, or PostgreSQL URLs (postgres://...).
type Job struct {
	// Name identifies the job in logs and in the database (checkpoints,
	// range claims); it defaults to In.
	Name string `yaml:"name" json:"name"`
	In   string `yaml:"in" json:"in"`
	Out  string `yaml:"out" json:"out"`
	// Format of a file input: "jsonl" or "csv"; empty guesses from the
	// extension (.csv is CSV, anything else JSONL).
	Format string `yaml:"format" json:"format,omitempty"`
	// Columns maps document fields to CSV or database columns, for
	// inputs whose columns are named differently ("title": "headline").
	Columns map[string]string `yaml:"columns" json:"columns,omitempty"`
	// Query is the SQL whose rows are the documents (database input);
	// Table may be given instead to read a whole table. Key is the column
	// the rows are paged by (default "id"); it must be unique.
	Query string `yaml:"query" json:"query,omitempty"`
	Table string `yaml:"table" json:"table,omitempty"`
	Key   string `yaml:"key" json:"key,omitempty"`
	// BatchSize is the database page size (default 1000).
	BatchSize int `yaml:"batch_size" json:"batch_size,omitempty"`
	// OutTable is the table results are written to (database output,
	// default "vigil_retag_results").
	OutTable string `yaml:"out_table" json:"out_table,omitempty"`
	// Diff writes only the documents whose tags or flags change.
	Diff bool `yaml:"diff" json:"diff,omitempty"`
	// Checkpoint is the checkpoint file of a file output (default
	// Out + ".checkpoint").
	Checkpoint string `yaml:"checkpoint" json:"checkpoint,omitempty"`
	// Restart ignores an existing checkpoint and starts from the top.
	Restart bool `yaml:"restart" json:"restart,omitempty"`
	// MaxBytes is the largest input document accepted (default 1 MiB).
	MaxBytes int `yaml:"max_bytes" json:"max_bytes,omitempty"`
	// CommitEvery is how often progress is made durable (default 2s).
	CommitEvery time.Duration `yaml:"commit_every" json:"commit_every,omitempty"`

	// Stdin and Stdout stand for "-" (default os.Stdin and os.Stdout).
	Stdin  io.Reader     `yaml:"-" json:"-"`
	Stdout io.Writer     `yaml:"-" json:"-"`
	Log    *slog.Logger  `yaml:"-" json:"-"`
	OnBad  func(BadItem) `yaml:"-" json:"-"`
}

// BadItem is a document that was rejected or whose check failed.
type BadItem struct {
	Input string
	Line  int64
	ID    string
	Err   error
}

// Stats are the counters of a run.
type Stats struct {
	// Documents is the number of documents checked.
	Documents int64 `json:"documents"`
	// Bad is the number of input records rejected (not JSON, no id, ...).
	Bad int64 `json:"bad"`
	// Failed is the number of documents whose check failed in a stage.
	Failed int64 `json:"failed"`
	// Written is the number of results written (in diff mode, changes).
	Written int64 `json:"written"`
	// Diff counts the changes in diff mode.
	Diff *DiffStats `json:"diff,omitempty"`
}

// Summary is the outcome of a run. Its Stats cover every run of the job
// since it started from the top, across restarts.
type Summary struct {
	Stats
	Job string `json:"job"`
	// Complete is set when the whole input was processed.
	Complete bool `json:"complete"`
	// Resumed is set when the run continued from a checkpoint at From.
	Resumed bool     `json:"resumed"`
	From    Position `json:"from"`
	// To is where this run stopped reading.
	To Position `json:"to"`
	// Processed and InputBytes are what this run did (not earlier ones).
	Processed  int64         `json:"processed"`
	InputBytes int64         `json:"input_bytes"`
	Elapsed    time.Duration `json:"elapsed_ns"`
}

// Rate returns this run's documents per second.
func (s Summary) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Processed) / s.Elapsed.Seconds()
}

// Progress receives a run's progress. Add is called from one goroutine.
type Progress interface {
	// Start is called once: total is the number of records left (-1 when
	// unknown), done the number a resumed run had already processed.
	Start(total, done int64)
	// Add reports n more records processed.
	Add(n int64)
	// Finish is called once at the end.
	Finish(s Summary, err error)
}

func isPostgres(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func (j *Job) defaults() error {
	if j.In == "" {
		return vigil.Errorf(vigil.EINVALID, "retag: no input (--in FILE, - or postgres://...)")
	}
	if j.Out == "" {
		return vigil.Errorf(vigil.EINVALID, "retag: no output (--out FILE, - or postgres://...)")
	}
	if j.Name == "" {
		j.Name = j.In
		if isPostgres(j.In) {
			j.Name = "db:" + j.Table + j.Query
		}
	}
	if j.Format == "" {
		j.Format = "jsonl"
		if strings.EqualFold(filepath.Ext(j.In), ".csv") {
			j.Format = "csv"
		}
	}
	if j.Format != "jsonl" && j.Format != "csv" {
		return vigil.Errorf(vigil.EINVALID, "retag: format %q: want jsonl or csv", j.Format)
	}
	for field := range j.Columns {
		if !containsString(documentFields, field) {
			return vigil.Errorf(vigil.EINVALID, "retag: column map: unknown document field %q", field)
		}
	}
	if isPostgres(j.In) && j.Query == "" && j.Table == "" {
		return vigil.Errorf(vigil.EINVALID, "retag: database input needs --query or --table")
	}
	if !isPostgres(j.In) && (j.Query != "" || j.Table != "") {
		return vigil.Errorf(vigil.EINVALID, "retag: --query and --table need a postgres:// input")
	}
	if j.Key == "" {
		j.Key = "id"
	}
	if j.BatchSize <= 0 {
		j.BatchSize = 1000
	}
	if j.OutTable == "" {
		j.OutTable = "vigil_retag_results"
	}
	if j.MaxBytes <= 0 {
		j.MaxBytes = DefaultMaxBytes
	}
	if j.CommitEvery <= 0 {
		j.CommitEvery = 2 * time.Second
	}
	if j.Stdin == nil {
		j.Stdin = os.Stdin
	}
	if j.Stdout == nil {
		j.Stdout = os.Stdout
	}
	if j.Log == nil {
		j.Log = slog.New(slog.DiscardHandler)
	}
	if j.OnBad == nil {
		log := j.Log
		j.OnBad = func(b BadItem) {
			log.Warn("bad document", "input", b.Input, "line", b.Line, "id", b.ID, "err", vigil.ErrorMessage(b.Err))
		}
	}
	return nil
}

// sameFile reports whether paths a and b name one existing file.
func sameFile(a, b string) bool {
	if a == "" || b == "" || a == "-" || b == "-" || isPostgres(a) || isPostgres(b) {
		return false
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

func containsString(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// fingerprint identifies what the output depends on, so a checkpoint is
// never applied to a different job.
func (j *Job) fingerprint() string {
	keys := make([]string, 0, len(j.Columns))
	for k := range j.Columns {
		keys = append(keys, k+"="+j.Columns[k])
	}
	sort.Strings(keys)
	b, _ := json.Marshal([]any{j.Name, j.In, j.Out, j.OutTable, j.Format, keys, j.Query, j.Table, j.Key, j.Diff})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// Run re-tags job.In into job.Out with c, resuming from a checkpoint when
// one exists. It returns when the input is exhausted, when ctx ends (after
// writing and checkpointing the documents already in flight, so the same
// job continues later), or on an input or output failure. Bad documents do
// not stop it: they are passed to job.OnBad and counted in the Summary.
// progress may be nil.
func Run(ctx context.Context, c Checker, job Job, progress Progress) (Summary, error) {
	if err := job.defaults(); err != nil {
		return Summary{}, err
	}
	if sameFile(job.In, job.Out) || sameFile(job.In, job.Checkpoint) {
		return Summary{}, vigil.Errorf(vigil.EINVALID, "retag: the output would overwrite the input %s", job.In)
	}
	// The input must open before the output is touched: a mistyped --in
	// must not cut back the output of an earlier run.
	probe, err := openSource(ctx, &job, Position{})
	if err != nil {
		return Summary{}, err
	}
	probe.Close()
	sink, err := openSink(ctx, &job)
	if err != nil {
		return Summary{}, err
	}
	defer sink.Close()
	fp := job.fingerprint()
	cp, err := sink.Resume(ctx, fp, job.Restart)
	if err != nil {
		return Summary{}, err
	}
	resumed := cp != nil
	if cp == nil {
		cp = &Checkpoint{Version: checkpointVersion, Job: fp}
	} else {
		job.Log.Info("resuming from checkpoint", "job", job.Name, "line", cp.Input.Line, "offset", cp.Input.Offset, "documents", cp.Stats.Documents)
	}
	src, err := openSource(ctx, &job, cp.Input)
	if err != nil {
		return Summary{}, err
	}
	defer src.Close()
	return run(ctx, c, &job, src, sink, cp, resumed, progress)
}

func openSink(ctx context.Context, job *Job) (Sink, error) {
	if isPostgres(job.Out) {
		return openPGSink(ctx, job.Out, job.OutTable, job.Name)
	}
	return openFileSink(job.Out, job.Checkpoint, job.Stdout)
}

func openSource(ctx context.Context, job *Job, start Position) (Source, error) {
	switch {
	case isPostgres(job.In):
		return openPGSource(ctx, job, start)
	case job.Format == "csv":
		return openCSV(job.In, job.Columns, start, job.MaxBytes)
	}
	return openJSONL(job.In, job.Stdin, start, job.MaxBytes)
}

// nopProgress is used when the caller wants none.
type nopProgress struct{}

func (nopProgress) Start(int64, int64)    {}
func (nopProgress) Add(int64)             {}
func (nopProgress) Finish(Summary, error) {}

// run is the loop shared by Run and RunClaims: a reader goroutine feeds the
// checker and queues each record's metadata; this goroutine pairs every
// good record with its verdict (the checker keeps input order), writes it,
// and commits a checkpoint every job.CommitEvery.
func run(ctx context.Context, c Checker, job *Job, src Source, sink Sink, cp *Checkpoint, resumed bool, progress Progress) (sum Summary, err error) {
	start := time.Now()
	if progress == nil {
		progress = nopProgress{}
	}
	stats := cp.Stats
	if job.Diff && stats.Diff == nil {
		stats.Diff = newDiffStats()
	}
	sum = Summary{Job: job.Name, Resumed: resumed, From: cp.Input}
	total := int64(-1)
	if _, isNop := progress.(nopProgress); !isNop {
		if n, err := src.Remaining(ctx); err == nil {
			total = n
		}
	}
	progress.Start(total, stats.Documents+stats.Bad)
	defer func() {
		sum.Stats = stats
		sum.Elapsed = time.Since(start)
		progress.Finish(sum, err)
	}()

	// The checker and the sink run on a context that Ctrl-C does not
	// cancel: on interrupt the reader stops, and what is in flight is
	// finished, written and checkpointed.
	pctx := context.WithoutCancel(ctx)
	rctx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	docs := make(chan *vigil.Document)
	recs := make(chan Record, 256)
	verdicts := c.Stream(pctx, docs)
	var fed feedResult
	go feed(rctx, src, docs, recs, &fed)

	pos := cp.Input
	commit := func() error {
		cp.Input, cp.Stats, cp.UpdatedAt = pos, stats, time.Now().UTC()
		return sink.Commit(pctx, cp)
	}
	lastCommit := time.Now()
	var werr error
	for rec := range recs {
		if werr != nil {
			continue // draining after a write failure
		}
		werr = handleRecord(pctx, job, sink, rec, verdicts, &stats, &sum)
		pos = rec.End
		progress.Add(1)
		if werr == nil && time.Since(lastCommit) >= job.CommitEvery {
			werr = commit()
			lastCommit = time.Now()
		}
		if werr != nil {
			stopReading()
		}
	}
	for range verdicts {
		// Verdicts of documents sent just before an interrupt, whose
		// records were never queued: they are checked again on resume.
	}
	sum.To = pos
	sum.InputBytes = pos.Offset - sum.From.Offset
	if werr != nil {
		return sum, werr
	}
	if err := commit(); err != nil {
		return sum, err
	}
	if fed.err != nil && ctx.Err() == nil {
		return sum, fed.err
	}
	if !fed.eof {
		return sum, vigil.Errorf(vigil.EUNAVAILABLE, "interrupted after line %d (%d documents); run the same command again to continue", pos.Line, stats.Documents+stats.Bad)
	}
	if err := sink.Finish(pctx); err != nil {
		return sum, err
	}
	sum.Complete = true
	return sum, nil
}

// feedResult is how feed ended: eof when the source did, else err when
// reading failed (neither when ctx ended).
type feedResult struct {
	eof bool
	err error
}

// feed reads src until its end, an error or ctx's end, sending each good
// record's document to docs before the record itself to recs, so the
// consumer never waits for a verdict whose document was not sent. It
// closes both channels when done; res is set before they close.
func feed(ctx context.Context, src Source, docs chan<- *vigil.Document, recs chan<- Record, res *feedResult) {
	defer close(recs)
	defer close(docs)
	for {
		rec, err := src.Next(ctx)
		if err == io.EOF {
			res.eof = true
			return
		} else if err != nil {
			res.err = err
			return
		}
		if rec.Doc != nil {
			select {
			case docs <- rec.Doc:
			case <-ctx.Done():
				return
			}
		}
		select {
		case recs <- rec:
		case <-ctx.Done():
			return
		}
	}
}

// handleRecord counts one record in stats and sum, reports it through
// job.OnBad when it is bad or its check failed, and writes its result
// (under --diff, only a change). A good record takes the next verdict.
// The error is the sink's.
func handleRecord(ctx context.Context, job *Job, sink Sink, rec Record, verdicts <-chan vigil.Verdict, stats *Stats, sum *Summary) error {
	if rec.Doc == nil {
		stats.Bad++
		job.OnBad(BadItem{Input: job.In, Line: rec.Line, Err: rec.Err})
		return nil
	}
	v := <-verdicts
	stats.Documents++
	sum.Processed++
	if v.Error != nil {
		stats.Failed++
		job.OnBad(BadItem{Input: job.In, Line: rec.Line, ID: rec.Doc.ID, Err: v.Error})
	}
	var err error
	switch {
	case !job.Diff:
		err = sink.Write(ctx, Result{Doc: rec.Doc, Verdict: v})
		stats.Written++
	case v.Error == nil:
		ch := diff(rec.Doc, rec.Line, v)
		stats.Diff.add(ch)
		if ch != nil {
			err = sink.Write(ctx, Result{Doc: rec.Doc, Verdict: v, Change: ch})
			stats.Written++
		}
	}
	return err
}

// String formats a summary for people.
func (s Summary) String() string {
	var b strings.Builder
	state := "done"
	if !s.Complete {
		state = "stopped"
	}
	fmt.Fprintf(&b, "retag %s: %d documents checked, %d written, %d bad, %d failed", state, s.Documents, s.Written, s.Bad, s.Failed)
	if s.Resumed {
		fmt.Fprintf(&b, " (resumed at line %d)", s.From.Line)
	}
	fmt.Fprintf(&b, "; this run: %d in %.1fs, %.0f docs/s", s.Processed, s.Elapsed.Seconds(), s.Rate())
	if s.InputBytes > 0 {
		fmt.Fprintf(&b, ", %.1f MB/s", float64(s.InputBytes)/1e6/max(s.Elapsed.Seconds(), 1e-9))
	}
	b.WriteByte('\n')
	if d := s.Diff; d != nil {
		fmt.Fprintf(&b, "diff: %d changed, %d unchanged\n", d.Changed, d.Unchanged)
		writeCounts(&b, "tags added", d.TagsAdded)
		writeCounts(&b, "tags removed", d.TagsRemoved)
		writeCounts(&b, "flags added", d.FlagsAdded)
		writeCounts(&b, "flags removed", d.FlagsRemoved)
	}
	return b.String()
}

func writeCounts(b *strings.Builder, title string, m map[string]int64) {
	if len(m) == 0 {
		return
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]] != m[names[j]] {
			return m[names[i]] > m[names[j]]
		}
		return names[i] < names[j]
	})
	fmt.Fprintf(b, "  %s:", title)
	for _, n := range names {
		fmt.Fprintf(b, " %s %d", n, m[n])
	}
	b.WriteByte('\n')
}
