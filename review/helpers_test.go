package review

import (
	"context"
	"strings"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testclock"
	"github.com/kz-newsroom/vigil/internal/testdb"
)

// required reports whether the named external dependency must be present
// (VIGIL_TEST_REQUIRE lists it), so a test fails instead of skipping.
// clock is a settable test clock.
type clock = testclock.Clock

func newClock() *clock { return testclock.New(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)) }

// backend opens an empty store of one kind.
type backend struct {
	name string
	open func(tb testing.TB, cfg Config) *Store
}

var backends = []backend{
	{"sqlite", openSQLiteTest},
	{"postgres", openPostgresTest},
}

// eachBackend runs fn against a fresh SQLite store and a fresh PostgreSQL
// store (skipped when no server answers, unless required).
func eachBackend(t *testing.T, fn func(t *testing.T, s *Store, c *clock)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			c := newClock()
			s := b.open(t, Config{Now: c.Now})
			fn(t, s, c)
		})
	}
}

func openSQLiteTest(tb testing.TB, cfg Config) *Store {
	tb.Helper()
	cfg.DataDir = tb.TempDir()
	s, err := Open(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// createPostgresDB creates a throwaway database and returns its URL; it is
// dropped when tb ends.
func createPostgresDB(tb testing.TB) string {
	tb.Helper()
	return testdb.CreatePostgres(tb, "vigil_review_test_")
}

func openPostgresTest(tb testing.TB, cfg Config) *Store {
	tb.Helper()
	cfg.DatabaseURL = createPostgresDB(tb)
	s, err := Open(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() }) // runs before the drop (LIFO)
	return s
}

var (
	mod1  = vigil.Principal{Name: "aigerim", Role: vigil.RoleModerator}
	mod2  = vigil.Principal{Name: "daniyar", Role: vigil.RoleModerator}
	admin = vigil.Principal{Name: "chief", Role: vigil.RoleAdmin}
	cms   = vigil.Principal{Name: "cms", Role: vigil.RoleCMS}
)

// flagged returns a comment and a review verdict flagging it with score.
func flagged(id, body string, flag string, score float64) (vigil.Document, vigil.Verdict) {
	d := vigil.Document{ID: id, Kind: vigil.KindComment, Lang: "ru", Body: body, Author: "user-" + id, Section: "society"}
	start := strings.Index(body, "джихад")
	end := start + len("джихад")
	if start < 0 {
		start, end = 0, min(len(body), 4)
	}
	v := vigil.Verdict{ID: id, Action: vigil.ActionReview, Lang: "ru", Tags: []vigil.Tag{{Name: "security", Score: 0.7, Source: vigil.SourceModel}},
		Flags:    []vigil.Flag{{Name: flag, Score: score, Evidence: []vigil.Evidence{{Rule: "recruit.call", Field: vigil.FieldBody, Start: start, End: end, Text: body[start:end]}}}},
		Versions: vigil.Versions{Model: "m1", Rules: "r1"}}
	return d, v
}

func mustPut(t testing.TB, s *Store, d vigil.Document, v vigil.Verdict) int64 {
	t.Helper()
	id, _, err := s.Put(context.Background(), d, v)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := vigil.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}
