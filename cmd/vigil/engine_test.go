package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

func TestEngineStages(t *testing.T) {
	e, err := newEngine(context.Background(), engineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := e.pipe.Stages()
	if len(st) < 3 || st[0] != "normalize" || st[1] != "tokenize" || st[len(st)-1] != "decide" {
		t.Errorf("stages %v: want normalize, tokenize first and decide last", st)
	}
	v := e.check(context.Background(), &vigil.Document{ID: "x", Body: "Қазақстан Республикасы"})
	if v.Error != nil || v.Lang != vigil.LangKazakh || v.Versions != e.versions {
		t.Errorf("verdict %+v", v)
	}
}

func TestEngineCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newEngine(ctx, engineOptions{}); err == nil {
		t.Error("newEngine on a canceled context: no error")
	}
}

// BenchmarkPipeline runs the whole default engine (every stage, embedded
// models and rules) over the benchmark corpus on all cores.
func BenchmarkPipeline(b *testing.B) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "corpus", "corpus.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var docs []vigil.Document
	var size int64
	dr := vigil.NewDocumentReader(f, 0)
	for {
		d, line, err := dr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatalf("corpus line %d: %v", line, err)
		}
		docs = append(docs, d)
		size += int64(len(d.Title) + len(d.Body))
	}
	e, err := newEngine(context.Background(), engineOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	for b.Loop() {
		for _, v := range e.pipe.CheckBatch(context.Background(), docs) {
			if v.Error != nil {
				b.Fatalf("%s: %v", v.ID, v.Error)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(docs))/b.Elapsed().Seconds(), "docs/s")
	// Throughput per CPU-second: on a shared machine the wall clock mostly
	// measures the neighbours.
	if d := cpuSeconds() - cpu0; d > 0 && cpu0 > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/d/1e6, "cpu-MB/s")
	}
}
