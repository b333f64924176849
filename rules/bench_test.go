package rules

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/coregx/ahocorasick"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// The benchmark corpus: 10 MB of normalized Russian news text made of the
// articles in testdata/ria-ru.txt in a fixed random order, and 10,000
// distinct words of four letters or more drawn at random (by type, not by
// frequency) from the same text's vocabulary.
const (
	benchTextBytes = 10 << 20
	benchTerms     = 10000
)

var (
	benchOnce  sync.Once
	benchText  string
	benchWords []string
)

func benchCorpus(tb testing.TB) (string, []string) {
	benchOnce.Do(func() {
		data, err := os.ReadFile(filepath.Join("testdata", "ria-ru.txt"))
		if err != nil {
			panic(err)
		}
		var arts []string
		vocab := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			norm := pipeline.NormalizeText(line)
			arts = append(arts, norm)
			for _, w := range splitWords(norm) {
				if len([]rune(w)) >= 4 && !hasDigit(w) && scriptOf(w) == scriptCyrillic {
					vocab[w] = true
				}
			}
		}
		rng := rand.New(rand.NewPCG(2026, 11))
		var b strings.Builder
		for b.Len() < benchTextBytes {
			b.WriteString(arts[rng.IntN(len(arts))])
			b.WriteByte('\n')
		}
		benchText = b.String()[:benchTextBytes]
		// cut back to a rune boundary
		for !validRuneStart(benchText) {
			benchText = benchText[:len(benchText)-1]
		}
		words := make([]string, 0, len(vocab))
		for w := range vocab {
			words = append(words, w)
		}
		slices.Sort(words)
		rng.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
		benchWords = words[:min(benchTerms, len(words))]
	})
	if len(benchWords) < benchTerms {
		tb.Fatalf("vocabulary has only %d words", len(benchWords))
	}
	return benchText, benchWords
}

func validRuneStart(s string) bool {
	if s == "" {
		return true
	}
	last := s[len(s)-1]
	return last < 0x80
}

// benchSet compiles the terms as 100 rules of 100 terms each, written with
// the given marker ("" morphology, "=" exact form).
func benchSet(tb testing.TB, words []string, marker string) *Set {
	var b strings.Builder
	b.WriteString("rules:\n")
	for r := 0; r < len(words); r += 100 {
		fmt.Fprintf(&b, "  - id: bench.%d\n    action: {tag: t%d, score: 0.5}\n    any: [", r/100, r/100)
		for i, w := range words[r:min(r+100, len(words))] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", marker+w)
		}
		b.WriteString("]\n    match: [x]\n    no_match: [y]\n")
	}
	return compileYAML(tb, b.String())
}

// BenchmarkMatch measures Set.Match — automaton scan, word boundaries,
// morphology on the candidates, rule evaluation — with 10,000 terms over
// 10 MB of Russian text on one goroutine. scripts/bench-rules.sh compares
// it with grep -F -f on the same terms and text.
func BenchmarkMatch(b *testing.B) {
	text, words := benchCorpus(b)
	for _, bc := range []struct{ name, marker string }{{"stems", ""}, {"exact", "="}} {
		b.Run(bc.name, func(b *testing.B) {
			set := benchSet(b, words, bc.marker)
			f := pipeline.Field{Name: "body", Original: text, Text: text}
			// Steady state, as in a running server: the set's word caches
			// have seen this vocabulary (BenchmarkMatchCold measures the
			// first pass).
			set.Match(&f, vigil.LangRussian, vigil.KindArticle)
			b.SetBytes(int64(len(text)))
			b.ResetTimer()
			var fired int
			cpu0 := cpuTime()
			for b.Loop() {
				res := set.Match(&f, vigil.LangRussian, vigil.KindArticle)
				fired = len(res.Fired)
			}
			reportCPU(b, cpu0, len(text))
			b.ReportMetric(float64(fired), "rules-fired")
		})
	}
	// The automaton alone: the floor under the matcher.
	b.Run("automaton", func(b *testing.B) {
		ac, err := ahocorasick.NewBuilder().AddStrings(words).Build()
		if err != nil {
			b.Fatal(err)
		}
		data := unsafe.Slice(unsafe.StringData(text), len(text))
		b.SetBytes(int64(len(text)))
		var n int
		cpu0 := cpuTime()
		for b.Loop() {
			n = len(ac.FindAllOverlapping(data))
		}
		reportCPU(b, cpu0, len(text))
		b.ReportMetric(float64(n), "matches")
	})
}

// BenchmarkMatchCold is BenchmarkMatch's stemmed case on a freshly
// compiled set: every distinct word is stemmed and walked through the
// automaton once (a server's first minutes after a reload).
func BenchmarkMatchCold(b *testing.B) {
	text, words := benchCorpus(b)
	f := pipeline.Field{Name: "body", Original: text, Text: text}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		b.StopTimer()
		set := benchSet(b, words, "")
		b.StartTimer()
		set.Match(&f, vigil.LangRussian, vigil.KindArticle)
	}
}

// cpuTime is the process's user+system CPU time. On a shared machine the
// wall clock counts time spent waiting for a core; CPU time does not, so
// the benchmarks also report cpu-MB/s (run them with GOMAXPROCS=1 so the
// process's CPU time is the benchmark's).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, cpu0 time.Duration, bytes int) {
	d := cpuTime() - cpu0
	if d <= 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(bytes)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
}

// BenchmarkStage runs the shipped packs as the pipeline stage over the
// articles of testdata/ria-ru.txt, one document at a time (normalization
// excluded).
func BenchmarkStage(b *testing.B) {
	e, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "ria-ru.txt"))
	if err != nil {
		b.Fatal(err)
	}
	var fields []pipeline.Field
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		fields = append(fields, pipeline.Normalize(vigil.FieldBody, string(line)))
	}
	b.SetBytes(int64(len(data)))
	ctx := context.Background()
	cpu0 := cpuTime()
	defer func() { reportCPU(b, cpu0, len(data)) }()
	for b.Loop() {
		for _, f := range fields {
			it := &pipeline.Item{Doc: &vigil.Document{ID: "b"}, Lang: "ru", Fields: []pipeline.Field{f}}
			if err := e.Process(ctx, it); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestWriteBenchCorpus writes the benchmark's terms and text to the
// directory named by VIGIL_BENCH_OUT, for scripts/bench-rules.sh.
func TestWriteBenchCorpus(t *testing.T) {
	dir := os.Getenv("VIGIL_BENCH_OUT")
	if dir == "" {
		t.Skip("VIGIL_BENCH_OUT not set (scripts/bench-rules.sh sets it)")
	}
	text, words := benchCorpus(t)
	if err := os.WriteFile(filepath.Join(dir, "text.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "terms.txt"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, t := range words {
		w.WriteString(t + "\n")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	stats, _ := json.Marshal(map[string]int{"text_bytes": len(text), "terms": len(words)})
	t.Logf("%s", stats)
}
