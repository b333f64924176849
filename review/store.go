package review

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	vigil "github.com/kz-newsroom/vigil"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DBFile is the SQLite file's name inside the data directory.
const DBFile = "review.db"

// DefaultLease is how long a claim lasts when the caller does not say.
const DefaultLease = 10 * time.Minute

// MaxLease bounds a claim's lease.
const MaxLease = 2 * time.Hour

// Config says where the queue lives and how the store behaves.
type Config struct {
	// DataDir holds the SQLite file (DBFile) when DatabaseURL is empty. It is
	// created if missing.
	DataDir string
	// DatabaseURL, a postgres:// or postgresql:// URL, switches the store to
	// PostgreSQL, so that several servers share one queue.
	DatabaseURL string
	Logger      *slog.Logger
	// Now is the clock; time.Now when nil. Tests move it to expire leases.
	Now func() time.Time
	// OnDecision, when set, is called after each committed decision (for a
	// metrics counter). It must be fast and safe for concurrent use.
	OnDecision func(decision string)
	// WebhookURLs each get a delivery of every decision, written to the
	// outbox in the decision's transaction (see ClaimDeliveries).
	WebhookURLs []string
}

// Store is the review queue: items, claims, decisions, the audit log and the
// moderators' page sessions. All methods are safe for concurrent use, also
// across processes sharing one database. Errors carry vigil codes:
// EINVALID for bad input, ENOTFOUND, ECONFLICT when the item's state forbids
// the action, EFORBIDDEN when the caller's role does; anything else is a
// storage failure (EINTERNAL).
type Store struct {
	db      *sql.DB // writes (SQLite: one connection, IMMEDIATE transactions)
	rdb     *sql.DB // reads (SQLite: a pool of read-only connections; PostgreSQL: db)
	pg      bool
	log     *slog.Logger
	now     func() time.Time
	onDecid func(string)
	hooks   []string
	where   string

	// SQLite group commit: Enqueue calls arriving while a commit runs are
	// committed together in the next transaction (see commit.go).
	puts chan *putReq
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

// Open opens (creating and migrating if needed) the review store described
// by cfg: PostgreSQL when cfg.DatabaseURL is set, else SQLite in cfg.DataDir.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{log: cfg.Logger, now: cfg.Now, onDecid: cfg.OnDecision, hooks: cfg.WebhookURLs}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "review")
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if cfg.DatabaseURL != "" {
		err = s.openPostgres(ctx, cfg.DatabaseURL)
	} else {
		err = s.openSQLite(ctx, cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if !s.pg {
		s.puts, s.stop = make(chan *putReq), make(chan struct{})
		s.done.Go(s.commitLoop)
	}
	s.log.Info("review store open", "backend", s.Backend(), "where", s.where)
	return s, nil
}

func (s *Store) openPostgres(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return vigil.Errorf(vigil.EINVALID, "review database URL: want postgres://user@host/db, got %q", redactURL(dsn))
	}
	s.pg = true
	s.where = redactURL(dsn)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("review: open %s: %w", s.where, err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("review: connect %s: %w", s.where, err)
	}
	s.db, s.rdb = db, db
	return nil
}

func (s *Store) openSQLite(ctx context.Context, dir string) error {
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("review: data dir: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	s.where = path
	// The queue holds documents and moderators' notes: only this user may
	// read it, whatever the directory allows. SQLite gives its -wal and
	// -shm files the mode of the database file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("review: open %s: %w", path, err)
	}
	f.Close()
	// synchronous=FULL: a commit is on disk before Enqueue returns, so an
	// answered verdict survives a crash of the process or the machine.
	common := "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	w, err := sql.Open("sqlite", "file:"+path+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("review: open %s: %w", path, err)
	}
	// SQLite has one writer at a time; one connection queues writers in Go
	// instead of spinning on SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("review: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("review: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s.db, s.rdb = w, r
	return nil
}

// Backend names the storage: "sqlite" or "postgres".
func (s *Store) Backend() string {
	if s.pg {
		return "postgres"
	}
	return "sqlite"
}

// Ping checks that the database answers (for readiness probes).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("review: ping: %w", err)
	}
	return nil
}

// CheckWritable checks that the store can commit a write, durably: it
// rewrites one row of review_health. Readiness probes use it, since a
// database that answers reads may still refuse every enqueue (a full
// disk, a read-only replica).
func (s *Store) CheckWritable(ctx context.Context) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO review_health (id, checked_at) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`), micros(s.now()))
		return err
	})
	if err != nil {
		return vigil.Errorf(vigil.EUNAVAILABLE, "review store cannot write: %v", err)
	}
	return nil
}

// Close closes the database. Committed work is already durable.
func (s *Store) Close() error {
	s.once.Do(func() {
		if s.stop != nil {
			close(s.stop)
			s.done.Wait()
		}
	})
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// q adapts a query written for PostgreSQL with ? placeholders to the
// store's dialect: $n placeholders for PostgreSQL; no row locks for SQLite,
// whose IMMEDIATE transactions already hold the one write lock.
func (s *Store) q(query string) string {
	if !s.pg {
		query = strings.ReplaceAll(query, " FOR UPDATE SKIP LOCKED", "")
		return strings.ReplaceAll(query, " FOR UPDATE", "")
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// tx runs fn in a write transaction and commits it.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("review: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("review: commit: %w", err)
	}
	return nil
}

func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// micros converts t to the stored form: microseconds since the Unix epoch.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}
