package retag

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// keywordStage is a small real stage for tests: it tags by keyword and
// raises a flag signal, so verdicts depend on each document's text.
type keywordStage struct {
	delay time.Duration
	mu    sync.Mutex
	seen  map[string]int // id → times checked
}

func (s *keywordStage) Name() string { return "keywords" }

func (s *keywordStage) Process(_ context.Context, it *pipeline.Item) error {
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	if s.seen != nil {
		s.mu.Lock()
		s.seen[it.Doc.ID]++
		s.mu.Unlock()
	}
	text := strings.ToLower(it.Doc.Title + " " + it.Doc.Body)
	for kw, tag := range map[string]string{"вербов": "security", "тенге": "economy", "матч": "sport"} {
		if strings.Contains(text, kw) {
			it.Verdict.Tags = append(it.Verdict.Tags, vigil.Tag{Name: tag, Score: 0.9, Source: vigil.SourceRule})
		}
	}
	if strings.Contains(text, "вступай") {
		it.Signals = append(it.Signals, pipeline.Signal{Flag: vigil.FlagExtremistRecruitment, Source: vigil.SourceRule, Weight: 0.8})
	}
	if strings.Contains(text, "panic") {
		panic("test stage panics on request")
	}
	return nil
}

func testChecker(delay time.Duration) (*pipeline.Pipeline, *keywordStage) {
	ks := &keywordStage{delay: delay, seen: map[string]int{}}
	return pipeline.New(pipeline.Options{Workers: 4}, ks, &pipeline.Decide{}), ks
}

var bodies = []string{
	"Вербовщики задержаны в Алматы", "Курс тенге укрепился", "Матч закончился вничью",
	"Погода на выходные", "Вступай в наши ряды, брат", "Вербовка через мессенджеры и курс тенге",
}

// writeArchive writes n documents as JSONL and returns the path.
func writeArchive(t testing.TB, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "archive.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range n {
		d := vigil.Document{ID: fmt.Sprintf("doc-%06d", i), Kind: vigil.KindArticle, Lang: "ru",
			Title: fmt.Sprintf("Новость %d", i), Body: bodies[i%len(bodies)]}
		b, _ := json.Marshal(d)
		w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// readVerdicts reads a JSONL output file.
func readVerdicts(t testing.TB, path string) []vigil.Verdict {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []vigil.Verdict
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		var v vigil.Verdict
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("%s line %d: %v: %q", path, i+1, err, line)
		}
		out = append(out, v)
	}
	return out
}

// checkSequence asserts ids are doc-000000 … doc-(n-1), each once, in order.
func checkSequence(t testing.TB, vs []vigil.Verdict, n int) {
	t.Helper()
	if len(vs) != n {
		t.Errorf("got %d verdicts, want %d", len(vs), n)
	}
	for i, v := range vs {
		if want := fmt.Sprintf("doc-%06d", i); v.ID != want {
			t.Fatalf("verdict %d is %s, want %s (gap, duplicate or reordering)", i, v.ID, want)
		}
	}
}

func newTextLogger(w interface{ Write([]byte) (int, error) }) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}
