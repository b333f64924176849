package retag

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testdb"
)

// testDB creates a fresh database on the local PostgreSQL server (or the
// one VIGIL_TEST_POSTGRES_URL names) and drops it when the test ends. It
// skips when no server answers, unless VIGIL_TEST_REQUIRE lists postgres.
func testDB(t *testing.T) string { return testdb.CreatePostgres(t, "vigil_retag_test_") }

func pgExec(t *testing.T, url string, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// seedArticles creates a table of n articles with integer keys (with gaps,
// so pagination cannot count on them) and text[] tags.
func seedArticles(t *testing.T, url string, n int) {
	pgExec(t, url, `CREATE TABLE articles (article_id bigint PRIMARY KEY, headline text, text text, rubrics text[], published timestamptz)`)
	pgExec(t, url, `INSERT INTO articles
		SELECT i * 3, 'Новость ' || i,
			(ARRAY['Вербовщики задержаны', 'Курс тенге укрепился', 'Матч закончился', 'Погода'])[1 + i % 4],
			CASE WHEN i % 4 = 0 THEN ARRAY['security'] ELSE ARRAY['culture'] END,
			'2024-01-01T00:00:00Z'::timestamptz + i * interval '1 hour'
		FROM generate_series(1, $1) AS i`, n)
	// One row that is not a valid document (no body, no title).
	pgExec(t, url, `INSERT INTO articles VALUES (1, NULL, NULL, NULL, NULL)`)
}

func TestPostgresSourceToTableAndResume(t *testing.T) {
	url := testDB(t)
	const n = 2500
	seedArticles(t, url, n)
	c, _ := testChecker(50 * time.Microsecond)
	job := Job{
		In: url, Query: "SELECT article_id AS id, headline AS title, text AS body, rubrics AS tags, published AS published_at FROM articles",
		Out: url, OutTable: "retagged", BatchSize: 300, CommitEvery: time.Millisecond, Diff: false,
	}
	ctx, cancel := context.WithCancel(context.Background())
	count := 0
	var bad []BadItem
	job.OnBad = func(b BadItem) { bad = append(bad, b) }
	sum, err := Run(ctx, c, job, CountProgress(func(int64) {
		if count++; count == 1000 {
			cancel()
		}
	}))
	if vigil.ErrorCode(err) != vigil.EUNAVAILABLE {
		t.Fatalf("interrupted run: %v %+v", err, sum)
	}
	sum2, err := Run(context.Background(), c, job, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sum2.Resumed || sum2.Documents != n || sum2.Bad != 1 || sum2.Processed >= n {
		t.Errorf("resumed summary %+v (first %+v)", sum2.Stats, sum.Stats)
	}
	if len(bad) != 1 || bad[0].Line != 1 {
		t.Errorf("bad rows %+v, want the first row", bad)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, security, checkpoints int
	conn.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE 'security' = ANY(tags)) FROM retagged`).Scan(&rows, &security)
	conn.QueryRow(context.Background(), `SELECT count(*) FROM vigil_retag_checkpoints`).Scan(&checkpoints)
	if rows != n || security != n/4 || checkpoints != 0 {
		t.Errorf("table has %d rows (%d security), want %d (%d); %d checkpoints left", rows, security, n, n/4, checkpoints)
	}
	var action string
	var verdictID string
	conn.QueryRow(context.Background(), `SELECT action, result->>'id' FROM retagged WHERE id = '12'`).Scan(&action, &verdictID)
	if action != vigil.ActionAllow || verdictID != "12" {
		t.Errorf("row 12: action %q, verdict id %q", action, verdictID)
	}
}

func TestPostgresSourceDiffToJSONL(t *testing.T) {
	url := testDB(t)
	seedArticles(t, url, 40)
	out := filepath.Join(t.TempDir(), "diff.jsonl")
	c, _ := testChecker(0)
	sum, err := Run(context.Background(), c, Job{In: url, Table: "articles", Key: "article_id",
		Columns: map[string]string{"id": "article_id", "title": "headline", "body": "text", "tags": "rubrics"},
		Out:     out, Diff: true, BatchSize: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// i%4==0 carry security and get it: unchanged. The rest carry culture:
	// it is removed, and tenge/match rows gain economy/sport.
	d := sum.Diff
	if sum.Documents != 40 || d.Unchanged != 10 || d.Changed != 30 || d.TagsRemoved["culture"] != 30 ||
		d.TagsAdded["economy"] != 10 || d.TagsAdded["sport"] != 10 {
		t.Errorf("summary %+v diff %+v", sum.Stats, d)
	}
	if got := len(readVerdicts(t, out)); got != 30 {
		t.Errorf("%d changes written, want 30", got)
	}
}

// TestClaimsTwoWorkersDoEveryDocumentOnce runs two workers, each with its
// own connections as on two hosts, over one archive, and checks that every
// document was checked exactly once and published exactly once.
func TestClaimsTwoWorkersDoEveryDocumentOnce(t *testing.T) {
	url := testDB(t)
	dir := t.TempDir()
	const n = 4000
	in := writeArchive(t, dir, n)
	// One bad line in the middle: reported by whichever worker gets it.
	b, _ := os.ReadFile(in)
	b = append(b, "not json\n"...)
	b = append(b, `{"id":"doc-tail","body":"Матч"}`+"\n"...)
	os.WriteFile(in, b, 0o644)

	for _, out := range []string{filepath.Join(dir, "parts"), url} {
		t.Run(map[bool]string{true: "table", false: "files"}[out == url], func(t *testing.T) {
			c, stage := testChecker(100 * time.Microsecond)
			job := Job{In: in, Out: out, OutTable: "claimed"}
			var wg sync.WaitGroup
			sums := make([]Summary, 2)
			errs := make([]error, 2)
			for w := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					sums[w], errs[w] = RunClaims(context.Background(), c, job,
						ClaimOptions{DB: url, Worker: fmt.Sprintf("w%d", w), RangeBytes: 16 << 10}, nil)
				}()
			}
			wg.Wait()
			for w := range 2 {
				if errs[w] != nil || !sums[w].Complete {
					t.Fatalf("worker %d: %v %+v", w, errs[w], sums[w])
				}
			}
			if sums[0].Documents == 0 || sums[1].Documents == 0 {
				t.Errorf("one worker did everything: %d and %d documents", sums[0].Documents, sums[1].Documents)
			}
			if got := sums[0].Documents + sums[1].Documents; got != n+1 || sums[0].Bad+sums[1].Bad != 1 {
				t.Errorf("workers checked %d documents, %d bad; want %d and 1", got, sums[0].Bad+sums[1].Bad, n+1)
			}
			for id, k := range stage.seen {
				if k != 1 {
					t.Errorf("%s checked %d times", id, k)
				}
			}
			if len(stage.seen) != n+1 {
				t.Errorf("%d documents checked, want %d", len(stage.seen), n+1)
			}
			var ids []string
			if out == url {
				conn, _ := pgx.Connect(context.Background(), url)
				defer conn.Close(context.Background())
				rows, _ := conn.Query(context.Background(), "SELECT id FROM claimed")
				ids, _ = pgx.CollectRows(rows, pgx.RowTo[string])
				sort.Strings(ids)
			} else {
				parts, _ := filepath.Glob(filepath.Join(out, "part-*"))
				for _, p := range parts {
					if strings.Contains(p, ".tmp") {
						t.Errorf("temporary part left: %s", p)
					}
					for _, v := range readVerdicts(t, p) {
						ids = append(ids, v.ID)
					}
				}
			}
			// Part files in name order are the input order.
			if len(ids) != n+1 || ids[n] != "doc-tail" {
				t.Fatalf("%d results, want %d", len(ids), n+1)
			}
			for i := range n {
				if want := fmt.Sprintf("doc-%06d", i); ids[i] != want {
					t.Fatalf("result %d is %s, want %s", i, ids[i], want)
				}
			}
		})
	}
}

// TestClaimsInterruptedAndDeadWorkers interrupts one worker mid-range (it
// hands the range back), fakes a worker that died holding a range (its
// lease runs out), and checks that a third worker finishes both and the
// published output holds every document once.
func TestClaimsInterruptedAndDeadWorkers(t *testing.T) {
	url := testDB(t)
	dir := t.TempDir()
	const n = 3000
	in := writeArchive(t, dir, n)
	out := filepath.Join(dir, "parts")
	c, _ := testChecker(200 * time.Microsecond)
	job := Job{In: in, Out: out}
	opt := ClaimOptions{DB: url, RangeBytes: 64 << 10}
	ctx, cancel := context.WithCancel(context.Background())
	count := 0
	opt.Worker = "interrupted"
	_, err := RunClaims(ctx, c, job, opt, CountProgress(func(int64) {
		if count++; count == 1500 {
			cancel()
		}
	}))
	if vigil.ErrorCode(err) != vigil.EUNAVAILABLE {
		t.Fatalf("interrupted worker: %v", err)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var claimed, handedBack int
	conn.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE status = 'claimed'),
		count(*) FILTER (WHERE status = 'pending' AND claims = 1) FROM vigil_retag_ranges`).Scan(&claimed, &handedBack)
	if claimed != 0 || handedBack != 1 {
		t.Fatalf("after an interrupt: %d ranges still claimed, %d handed back; want 0 and 1", claimed, handedBack)
	}
	// A worker dies holding the last range: its lease has run out.
	pgExec(t, url, `UPDATE vigil_retag_ranges SET status = 'claimed', worker = 'dead', claims = claims + 1,
		lease_until = now() - interval '1 second' WHERE id = (SELECT max(id) FROM vigil_retag_ranges)`)
	opt.Worker = "survivor"
	sum, err := RunClaims(context.Background(), c, job, opt, nil)
	if err != nil || !sum.Complete {
		t.Fatalf("survivor: %v %+v", err, sum)
	}
	parts, _ := filepath.Glob(filepath.Join(out, "part-*.jsonl"))
	var all []vigil.Verdict
	for _, p := range parts {
		all = append(all, readVerdicts(t, p)...)
	}
	checkSequence(t, all, n)
	var redone int
	conn.QueryRow(context.Background(), `SELECT count(*) FROM vigil_retag_ranges WHERE claims = 2 AND worker = 'survivor' AND status = 'done'`).Scan(&redone)
	if redone != 2 {
		t.Errorf("%d ranges redone by the survivor, want 2 (the handed-back one and the dead worker's)", redone)
	}
}
