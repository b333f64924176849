package retag

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	vigil "github.com/kz-newsroom/vigil"
)

// ClaimOptions configure a scale-out run (RunClaims).
type ClaimOptions struct {
	// DB is the PostgreSQL URL holding the ranges table; every worker of
	// the job must use the same database.
	DB string
	// Worker names this worker in the ranges table (default host-pid).
	Worker string
	// RangeBytes is the size of one range of the archive (default 4 MiB,
	// a few thousand articles: small enough to spread, large enough that
	// claiming costs nothing).
	RangeBytes int64
	// Lease is how long a claim holds without renewal; a worker renews it
	// while it works, so it only expires when the worker died. Default 2m.
	Lease time.Duration
}

const rangesSchema = `CREATE TABLE IF NOT EXISTS vigil_retag_ranges (
	job         text NOT NULL,
	id          integer NOT NULL,
	start_off   bigint NOT NULL,
	end_off     bigint NOT NULL,
	start_line  bigint NOT NULL,
	lines       bigint NOT NULL,
	status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'done')),
	worker      text,
	claims      integer NOT NULL DEFAULT 0,
	lease_until timestamptz,
	done_at     timestamptz,
	stats       jsonb,
	PRIMARY KEY (job, id))`

// span is one range of the archive: the lines starting in [Start, End).
type span struct {
	ID         int
	Start, End int64
	StartLine  int64
	Lines      int64
}

// splitArchive cuts the file at path into ranges of about size bytes,
// each ending just after a newline, with the line number each starts at.
func splitArchive(path string, size int64) ([]span, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "open input: %v", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var spans []span
	cur := span{}
	var off, line int64
	for {
		b, err := r.ReadSlice('\n')
		off += int64(len(b))
		if len(b) > 0 {
			line++
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			line-- // the same line goes on
			continue
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if off-cur.Start >= size || (err == io.EOF && off > cur.Start) {
			cur.End, cur.Lines = off, line-cur.StartLine
			spans = append(spans, cur)
			cur = span{ID: len(spans), Start: off, StartLine: line}
		}
		if err == io.EOF {
			return spans, nil
		}
	}
}

// RunClaims processes job as one of several workers sharing the archive
// job.In (a JSONL file every worker can read at the same path): the first
// worker splits it into ranges in the table vigil_retag_ranges, and every
// worker claims pending ranges one at a time with FOR UPDATE SKIP LOCKED,
// checks them and publishes each range's results atomically before
// marking it done. job.Out is a directory, which receives one file
// part-NNNNNN.jsonl per range (their concatenation in name order is the
// archive's output in input order), or a postgres:// URL whose table
// receives the results in the same transaction that marks the range done.
// A worker that dies loses only its current range, which another worker
// claims again when its lease expires. RunClaims returns when no range is
// left to claim; the Summary counts what this worker did.
func RunClaims(ctx context.Context, c Checker, job Job, opt ClaimOptions, progress Progress) (total Summary, err error) {
	if err := job.defaults(); err != nil {
		return Summary{}, err
	}
	if job.In == "-" || isPostgres(job.In) || job.Format != "jsonl" {
		return Summary{}, vigil.Errorf(vigil.EINVALID, "retag: claiming ranges needs a JSONL file input every worker can read")
	}
	if opt.RangeBytes <= 0 {
		opt.RangeBytes = 4 << 20
	}
	if opt.Lease <= 0 {
		opt.Lease = 2 * time.Minute
	}
	if opt.Worker == "" {
		host, _ := os.Hostname()
		opt.Worker = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if progress == nil {
		progress = nopProgress{}
	}
	if !isPostgres(job.Out) {
		if err := os.MkdirAll(job.Out, 0o755); err != nil {
			return Summary{}, vigil.Errorf(vigil.EINVALID, "output directory: %v", err)
		}
	}
	fi, err := os.Stat(job.In)
	if err != nil {
		return Summary{}, vigil.Errorf(vigil.EINVALID, "open input: %v", err)
	}
	// The job key includes the archive's size: workers started on a
	// different file never mix their ranges.
	key := fmt.Sprintf("%s:%s:%d", job.Name, job.fingerprint(), fi.Size())
	pool, err := pgxpool.New(ctx, opt.DB)
	if err != nil {
		return Summary{}, vigil.Errorf(vigil.EINVALID, "claims database: %v", err)
	}
	defer pool.Close()
	if err := initRanges(ctx, pool, key, job.In, opt.RangeBytes); err != nil {
		return Summary{}, err
	}
	var remaining int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(sum(lines), 0) FROM vigil_retag_ranges WHERE job = $1 AND status <> 'done'`, key).Scan(&remaining); err != nil {
		return Summary{}, vigil.Errorf(vigil.EUNAVAILABLE, "claims database: %v", err)
	}
	start := time.Now()
	total = Summary{Job: job.Name}
	if job.Diff {
		total.Diff = newDiffStats()
	}
	progress.Start(remaining, 0)
	defer func() {
		total.Elapsed = time.Since(start)
		progress.Finish(total, err)
	}()
	inner := adder{progress}
	// A database output is one connection for all the ranges this worker
	// does; a directory output gets a file per range.
	var out *pgSink
	if isPostgres(job.Out) {
		if out, err = openPGSink(ctx, job.Out, job.OutTable, job.Name); err != nil {
			return total, err
		}
		defer out.Close()
	}
	for ctx.Err() == nil {
		sp, ok, err := claim(ctx, pool, key, opt)
		if err != nil {
			return total, err
		}
		if !ok {
			break
		}
		job.Log.Info("claimed range", "job", job.Name, "range", sp.ID, "worker", opt.Worker, "start_line", sp.StartLine+1, "lines", sp.Lines)
		sum, err := runRange(ctx, c, &job, pool, key, opt, sp, out, inner)
		total.Documents += sum.Documents
		total.Bad += sum.Bad
		total.Failed += sum.Failed
		total.Written += sum.Written
		total.Processed += sum.Processed
		total.InputBytes += sum.InputBytes
		if total.Diff != nil && sum.Diff != nil {
			total.Diff.merge(sum.Diff)
		}
		if err != nil {
			return total, err
		}
	}
	if err := ctx.Err(); err != nil {
		return total, vigil.Errorf(vigil.EUNAVAILABLE, "interrupted; the claimed range is released when its lease expires")
	}
	var left int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM vigil_retag_ranges WHERE job = $1 AND status <> 'done'`, key).Scan(&left); err != nil {
		return total, vigil.Errorf(vigil.EUNAVAILABLE, "claims database: %v", err)
	}
	if left > 0 {
		job.Log.Info("no range left to claim; others are still being worked on", "job", job.Name, "worker", opt.Worker, "ranges", left)
	}
	// This worker's share is complete: nothing is left that it may claim.
	total.Complete = true
	return total, nil
}

// adder forwards only Add: RunClaims reports Start and Finish itself.
type adder struct{ p Progress }

func (adder) Start(int64, int64)    {}
func (a adder) Add(n int64)         { a.p.Add(n) }
func (adder) Finish(Summary, error) {}

func (d *DiffStats) merge(o *DiffStats) {
	d.Changed += o.Changed
	d.Unchanged += o.Unchanged
	for k, v := range o.TagsAdded {
		d.TagsAdded[k] += v
	}
	for k, v := range o.TagsRemoved {
		d.TagsRemoved[k] += v
	}
	for k, v := range o.FlagsAdded {
		d.FlagsAdded[k] += v
	}
	for k, v := range o.FlagsRemoved {
		d.FlagsRemoved[k] += v
	}
}

// initRanges creates the ranges of job unless a worker already did.
func initRanges(ctx context.Context, pool *pgxpool.Pool, job, path string, size int64) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('vigil_retag_schema'))"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, rangesSchema); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM vigil_retag_ranges WHERE job = $1", job).Scan(&n); err != nil || n > 0 {
			return err
		}
		spans, err := splitArchive(path, size)
		if err != nil {
			return err
		}
		rows := make([][]any, len(spans))
		for i, s := range spans {
			rows[i] = []any{job, s.ID, s.Start, s.End, s.StartLine, s.Lines}
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"vigil_retag_ranges"},
			[]string{"job", "id", "start_off", "end_off", "start_line", "lines"}, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil && vigil.ErrorCode(err) == vigil.EINTERNAL {
		return vigil.Errorf(vigil.EUNAVAILABLE, "claims database: %v", err)
	}
	return err
}

// claim takes the first range nobody holds: pending, or claimed by a worker
// whose lease ran out. SKIP LOCKED lets concurrent workers pass each other
// instead of queueing on the same row.
func claim(ctx context.Context, pool *pgxpool.Pool, job string, opt ClaimOptions) (span, bool, error) {
	var s span
	err := pool.QueryRow(ctx, `
		UPDATE vigil_retag_ranges r
		SET status = 'claimed', worker = $2, claims = r.claims + 1, lease_until = now() + $3 * interval '1 millisecond'
		WHERE (r.job, r.id) = (
			SELECT job, id FROM vigil_retag_ranges
			WHERE job = $1 AND (status = 'pending' OR (status = 'claimed' AND lease_until < now()))
			ORDER BY id
			LIMIT 1
			FOR UPDATE SKIP LOCKED)
		RETURNING r.id, r.start_off, r.end_off, r.start_line, r.lines`,
		job, opt.Worker, opt.Lease.Milliseconds()).Scan(&s.ID, &s.Start, &s.End, &s.StartLine, &s.Lines)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, false, nil
	} else if err != nil {
		return s, false, vigil.Errorf(vigil.EUNAVAILABLE, "claim a range: %v", err)
	}
	return s, true, nil
}

// runRange checks one claimed range, renewing its lease meanwhile, then
// publishes its output and marks it done.
func runRange(ctx context.Context, c Checker, job *Job, pool *pgxpool.Pool, key string, opt ClaimOptions, sp span, out *pgSink, progress Progress) (Summary, error) {
	renewCtx, stopRenew := context.WithCancel(ctx)
	defer stopRenew()
	go func() {
		t := time.NewTicker(opt.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-renewCtx.Done():
				return
			case <-t.C:
				pool.Exec(renewCtx, `UPDATE vigil_retag_ranges SET lease_until = now() + $4 * interval '1 millisecond'
					WHERE job = $1 AND id = $2 AND worker = $3 AND status = 'claimed'`, key, sp.ID, opt.Worker, opt.Lease.Milliseconds())
			}
		}
	}()

	src, err := openJSONL(job.In, nil, Position{Offset: sp.Start, Line: sp.StartLine, unchecked: true}, job.MaxBytes)
	if err != nil {
		return Summary{}, err
	}
	defer src.Close()
	src.limit = sp.End

	var sink Sink
	var part, tmp string
	if out != nil {
		out.pending = out.pending[:0]
		sink = &rangePGSink{pgSink: out, job: key, id: sp.ID, worker: opt.Worker}
	} else {
		part = filepath.Join(job.Out, fmt.Sprintf("part-%06d.jsonl", sp.ID))
		tmp = part + ".tmp-" + opt.Worker
		fs, err := openFileSink(tmp, "", nil)
		if err != nil {
			return Summary{}, err
		}
		fs.noCkpt = true
		sink = fs
	}
	defer sink.Close()
	if _, err := sink.Resume(ctx, "", true); err != nil {
		return Summary{}, err
	}
	cp := &Checkpoint{Version: checkpointVersion, Input: Position{Offset: sp.Start, Line: sp.StartLine}}
	sum, err := run(ctx, c, job, src, sink, cp, false, progress)
	if err != nil || !sum.Complete {
		if tmp != "" {
			os.Remove(tmp)
		}
		// Hand the range back at once rather than when the lease runs out
		// (a worker that dies outright cannot: then the lease does it).
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		pool.Exec(rctx, `UPDATE vigil_retag_ranges SET status = 'pending', worker = NULL, lease_until = NULL
			WHERE job = $1 AND id = $2 AND worker = $3 AND status = 'claimed'`, key, sp.ID, opt.Worker)
		return sum, err
	}
	stats, _ := json.Marshal(sum.Stats)
	if tmp != "" {
		// Publish the part, then mark the range done. A crash in between
		// makes another worker redo the range and publish the same part.
		if err := os.Rename(tmp, part); err != nil {
			return sum, fmt.Errorf("publish %s: %w", part, err)
		}
		if err := syncDir(job.Out); err != nil {
			return sum, err
		}
		_, err = pool.Exec(ctx, `UPDATE vigil_retag_ranges SET status = 'done', done_at = now(), stats = $4
			WHERE job = $1 AND id = $2 AND worker = $3 AND status = 'claimed'`, key, sp.ID, opt.Worker, stats)
		if err != nil {
			return sum, vigil.Errorf(vigil.EUNAVAILABLE, "mark range %d done: %v", sp.ID, err)
		}
	}
	return sum, nil
}

// rangePGSink is a pgSink whose last transaction also marks its range done,
// so a range's results and its "done" are committed together.
type rangePGSink struct {
	*pgSink
	job    string
	id     int
	worker string
	stats  Stats
}

func (s *rangePGSink) Resume(context.Context, string, bool) (*Checkpoint, error) { return nil, nil }

// Close leaves the worker's connection open for its next range.
func (s *rangePGSink) Close() error { return nil }

// Commit writes results so far; an unfinished range is redone whole, and
// the upserts make that harmless.
func (s *rangePGSink) Commit(ctx context.Context, cp *Checkpoint) error {
	s.stats = cp.Stats
	return pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error {
		if err := writeResults(ctx, tx, s.table, s.pending); err != nil {
			return err
		}
		s.pending = s.pending[:0]
		return nil
	})
}

func (s *rangePGSink) Finish(ctx context.Context) error {
	stats, _ := json.Marshal(s.stats)
	err := pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error {
		if err := writeResults(ctx, tx, s.table, s.pending); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE vigil_retag_ranges SET status = 'done', done_at = now(), stats = $4
			WHERE job = $1 AND id = $2 AND worker = $3 AND status = 'claimed'`, s.job, s.id, s.worker, stats)
		return err
	})
	if err != nil {
		return vigil.Errorf(vigil.EUNAVAILABLE, "database output %s: %v", s.table, err)
	}
	s.pending = s.pending[:0]
	return nil
}
