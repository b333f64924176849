package retag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	vigil "github.com/kz-newsroom/vigil"
)

// ident quotes a possibly schema-qualified SQL identifier.
func ident(name string) string {
	return pgx.Identifier(strings.Split(name, ".")).Sanitize()
}

func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, vigil.Errorf(vigil.EUNAVAILABLE, "connect to PostgreSQL: %v", err)
	}
	return conn, nil
}

// pgSource reads documents from the rows of a query, in pages ordered by a
// unique key column (keyset pagination: each page starts after the last key
// of the previous one, so a page costs the same at row 10 and row 10
// million, and a checkpoint is just the last key).
type pgSource struct {
	conn    *pgx.Conn
	base    string // the user's query
	key     string
	batch   int
	columns map[string]string
	max     int
	pos     Position
	lastKey any
	page    []Record
	done    bool
}

func openPGSource(ctx context.Context, job *Job, start Position) (*pgSource, error) {
	base := job.Query
	if base == "" {
		base = "SELECT * FROM " + ident(job.Table)
	}
	base = strings.TrimRight(strings.TrimSpace(base), ";")
	s := &pgSource{base: base, key: job.Key, batch: job.BatchSize, columns: job.Columns, max: job.MaxBytes, pos: start}
	if len(start.Key) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(start.Key)))
		dec.UseNumber()
		var k any
		if err := dec.Decode(&k); err != nil {
			return nil, vigil.Errorf(vigil.EINVALID, "checkpoint key %s: %v", start.Key, err)
		}
		if n, ok := k.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				k = i
			} else {
				k = n.String()
			}
		}
		s.lastKey = k
	}
	conn, err := connect(ctx, job.In)
	if err != nil {
		return nil, err
	}
	s.conn = conn
	return s, nil
}

func (s *pgSource) Close() error { return s.conn.Close(context.Background()) }

func (s *pgSource) where() (string, []any) {
	if s.lastKey == nil {
		return "", nil
	}
	return " WHERE q." + ident(s.key) + " > $1", []any{s.lastKey}
}

func (s *pgSource) Remaining(ctx context.Context) (int64, error) {
	w, args := s.where()
	var n int64
	err := s.conn.QueryRow(ctx, "SELECT count(*) FROM ("+s.base+") AS q"+w, args...).Scan(&n)
	return n, err
}

func (s *pgSource) Next(ctx context.Context) (Record, error) {
	if len(s.page) == 0 {
		if s.done {
			return Record{}, io.EOF
		}
		if err := s.fetch(ctx); err != nil {
			return Record{}, err
		}
		if len(s.page) == 0 {
			return Record{}, io.EOF
		}
	}
	rec := s.page[0]
	s.page = s.page[1:]
	return rec, nil
}

// fetch reads the next page of rows into s.page.
func (s *pgSource) fetch(ctx context.Context) error {
	w, args := s.where()
	sql := "SELECT * FROM (" + s.base + ") AS q" + w + " ORDER BY q." + ident(s.key) + " LIMIT " + strconv.Itoa(s.batch)
	rows, err := s.conn.Query(ctx, sql, args...)
	if err != nil {
		return vigil.Errorf(vigil.EINVALID, "database input: %v", err)
	}
	defer rows.Close()
	fds := rows.FieldDescriptions()
	index := map[string]int{}
	for i, fd := range fds {
		index[fd.Name] = i
	}
	keyIdx, ok := index[s.key]
	if !ok {
		return vigil.Errorf(vigil.EINVALID, "database input: the query has no key column %q (set --key)", s.key)
	}
	cols := make([]int, len(documentFields))
	for i, f := range documentFields {
		name, mapped := s.columns[f]
		if !mapped {
			name = f
		}
		j, ok := index[name]
		if !ok && mapped {
			return vigil.Errorf(vigil.EINVALID, "database input: column map names %q for %s, but the query has no such column", name, f)
		}
		if !ok {
			j = -1
		}
		cols[i] = j
	}
	if cols[0] < 0 {
		return vigil.Errorf(vigil.EINVALID, "database input: the query has no id column; alias one (AS id) or map it (id=COLUMN)")
	}
	n := 0
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return fmt.Errorf("database input: %w", err)
		}
		n++
		s.lastKey = vals[keyIdx]
		key, err := json.Marshal(s.lastKey)
		if err != nil {
			return vigil.Errorf(vigil.EINVALID, "database input: key %v cannot be checkpointed: %v", s.lastKey, err)
		}
		s.pos.Line++
		s.pos.Key = key
		rec := Record{Line: s.pos.Line, End: s.pos}
		doc := new(vigil.Document)
		for i, f := range documentFields {
			if cols[i] < 0 {
				continue
			}
			v := vals[cols[i]]
			if (f == "tags" || f == "flags") && v != nil {
				if list, ok := v.([]any); ok {
					ss := make([]string, 0, len(list))
					for _, x := range list {
						ss = append(ss, valueString(x))
					}
					if f == "tags" {
						doc.Tags = ss
					} else {
						doc.Flags = ss
					}
					continue
				}
			}
			str := valueString(v)
			setField(doc, f, str)
		}
		rec.Err = doc.Validate(s.max)
		if rec.Err == nil {
			rec.Doc = doc
		}
		s.page = append(s.page, rec)
	}
	if err := rows.Err(); err != nil {
		return vigil.Errorf(vigil.EINVALID, "database input: %v", err)
	}
	if n < s.batch {
		s.done = true
	}
	return nil
}

// valueString renders a column value as a document field.
func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.Format(time.RFC3339)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// pgSink upserts results into a table, one row per document id, and keeps
// the checkpoint in a row of vigil_retag_checkpoints written in the same
// transaction, so results and progress can never disagree.
type pgSink struct {
	conn    *pgx.Conn
	table   string
	job     string
	pending []Result
}

const pgCheckpointTable = `CREATE TABLE IF NOT EXISTS vigil_retag_checkpoints (
	job        text PRIMARY KEY,
	checkpoint jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now())`

func openPGSink(ctx context.Context, url, table, job string) (*pgSink, error) {
	conn, err := connect(ctx, url)
	if err != nil {
		return nil, err
	}
	s := &pgSink{conn: conn, table: table, job: table + ":" + job}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// Serialize concurrent workers creating the same tables.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('vigil_retag_schema'))"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+ident(table)+` (
			id          text PRIMARY KEY,
			action      text NOT NULL,
			tags        text[] NOT NULL,
			flags       text[] NOT NULL,
			result      jsonb NOT NULL,
			retagged_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, pgCheckpointTable)
		return err
	})
	if err != nil {
		conn.Close(ctx)
		return nil, vigil.Errorf(vigil.EUNAVAILABLE, "database output %s: %v", table, err)
	}
	return s, nil
}

func (s *pgSink) Resume(ctx context.Context, job string, restart bool) (*Checkpoint, error) {
	if restart {
		_, err := s.conn.Exec(ctx, "DELETE FROM vigil_retag_checkpoints WHERE job = $1", s.job)
		return nil, err
	}
	var b []byte
	err := s.conn.QueryRow(ctx, "SELECT checkpoint FROM vigil_retag_checkpoints WHERE job = $1", s.job).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	var cp Checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "checkpoint %s: %v", s.job, err)
	}
	if err := cp.check(s.job, job); err != nil {
		return nil, err
	}
	return &cp, nil
}

func (s *pgSink) Write(_ context.Context, r Result) error {
	s.pending = append(s.pending, r)
	return nil
}

// flush writes the pending results and applies ckpt (a checkpoint to save,
// or nil to delete it) in one transaction.
func (s *pgSink) flush(ctx context.Context, cp *Checkpoint) error {
	err := pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error {
		if err := writeResults(ctx, tx, s.table, s.pending); err != nil {
			return err
		}
		if cp == nil {
			_, err := tx.Exec(ctx, "DELETE FROM vigil_retag_checkpoints WHERE job = $1", s.job)
			return err
		}
		b, err := json.Marshal(cp)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO vigil_retag_checkpoints (job, checkpoint, updated_at) VALUES ($1, $2, now())
			ON CONFLICT (job) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = now()`, s.job, b)
		return err
	})
	if err != nil {
		return vigil.Errorf(vigil.EUNAVAILABLE, "database output %s: %v", s.table, err)
	}
	s.pending = s.pending[:0]
	return nil
}

// writeResults upserts results into table within tx.
func writeResults(ctx context.Context, tx pgx.Tx, table string, results []Result) error {
	if len(results) == 0 {
		return nil
	}
	sql := `INSERT INTO ` + ident(table) + ` (id, action, tags, flags, result, retagged_at) VALUES ($1, $2, $3, $4, $5, now())
		ON CONFLICT (id) DO UPDATE SET action = excluded.action, tags = excluded.tags, flags = excluded.flags,
		result = excluded.result, retagged_at = excluded.retagged_at`
	var batch pgx.Batch
	for _, r := range results {
		v := r.Verdict
		tags := make([]string, 0, len(v.Tags))
		for _, t := range v.Tags {
			tags = append(tags, t.Name)
		}
		flags := make([]string, 0, len(v.Flags))
		for _, f := range v.Flags {
			flags = append(flags, f.Name)
		}
		var doc any = v
		if r.Change != nil {
			doc = r.Change
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		batch.Queue(sql, v.ID, v.Action, tags, flags, b)
	}
	return tx.SendBatch(ctx, &batch).Close()
}

func (s *pgSink) Commit(ctx context.Context, cp *Checkpoint) error { return s.flush(ctx, cp) }

func (s *pgSink) Finish(ctx context.Context) error { return s.flush(ctx, nil) }

func (s *pgSink) Close() error { return s.conn.Close(context.Background()) }
