package main

import (
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/metrics"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/review"
	"github.com/prometheus/client_golang/prometheus"
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
	if v.Error != nil || v.Lang != vigil.LangKazakh || !reflect.DeepEqual(v.Versions, e.versions) {
		t.Errorf("verdict %+v", v)
	}
}

// TestEngineThresholds: thresholds from the service's config override the
// shipped ones, per section over per kind, and leave other kinds alone.
func TestEngineThresholds(t *testing.T) {
	ctx := context.Background()
	comment := "Братья, вступайте в джихад, пишите в личку"
	check := func(e *engine, section string) vigil.Verdict {
		return e.check(ctx, &vigil.Document{ID: "x", Kind: vigil.KindComment, Section: section, Body: comment})
	}
	shipped, err := newEngine(ctx, engineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v := check(shipped, "religion"); v.Action != vigil.ActionReview {
		t.Fatalf("shipped thresholds: %s, want review", v.Action)
	}
	e, err := newEngine(ctx, engineOptions{Thresholds: pipeline.FlagThresholds{
		vigil.FlagExtremistRecruitment: {BySection: map[string]float64{"religion": 1}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	v := check(e, "religion")
	if v.Action == vigil.ActionReview || len(v.Flags) != 0 {
		t.Errorf("section threshold 1: %s with flags %v, want no review", v.Action, v.Flags)
	}
	if v := check(e, "politics"); v.Action != vigil.ActionReview {
		t.Errorf("another section keeps the shipped comment threshold: %s, want review", v.Action)
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

// TestEvidenceSpans runs the default engine over the benchmark corpus and
// the recruitment dev set, each document also as HTML, and checks the
// contract on every verdict: evidence and entity spans are byte offsets
// into the original field, and their text is exactly those bytes.
func TestEvidenceSpans(t *testing.T) {
	var docs []vigil.Document
	for _, name := range []string{"corpus/corpus.jsonl", "recruitment/dev.jsonl"} {
		f, err := os.Open(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		dr := vigil.NewDocumentReader(f, 0)
		for {
			d, line, err := dr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s:%d: %v", name, line, err)
			}
			docs = append(docs, d)
			h := d
			h.ID += "-html"
			h.Title = html.EscapeString(d.Title)
			h.Body = "<article><p>" + strings.ReplaceAll(html.EscapeString(d.Body), "\n", "</p>\n<p>") + "</p></article>"
			docs = append(docs, h)
		}
		f.Close()
	}
	e, err := newEngine(context.Background(), engineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spans := 0
	check := func(d *vigil.Document, what, field string, start, end int, text string) {
		t.Helper()
		var orig string
		switch field {
		case vigil.FieldTitle:
			orig = d.Title
		case vigil.FieldBody:
			orig = d.Body
		default:
			return // model features carry no span
		}
		spans++
		if start < 0 || end < start || end > len(orig) {
			t.Errorf("%s: %s span [%d,%d) outside %s of %d bytes", d.ID, what, start, end, field, len(orig))
			return
		}
		if text != "" && orig[start:end] != text {
			t.Errorf("%s: %s span [%d,%d) of %s is %q, text says %q", d.ID, what, start, end, field, orig[start:end], text)
		}
	}
	for i, v := range e.pipe.CheckBatch(context.Background(), docs) {
		d := &docs[i]
		if v.Error != nil {
			t.Errorf("%s: %v", d.ID, v.Error)
		}
		for _, tag := range v.Tags {
			for _, ev := range tag.Evidence {
				check(d, "tag "+tag.Name, ev.Field, ev.Start, ev.End, ev.Text)
			}
		}
		for _, fl := range v.Flags {
			for _, ev := range fl.Evidence {
				check(d, "flag "+fl.Name, ev.Field, ev.Start, ev.End, ev.Text)
			}
		}
		for _, en := range v.Entities {
			check(d, "entity "+en.Canonical, en.Field, en.Start, en.End, en.Text)
		}
	}
	t.Logf("%d documents, %d spans checked", len(docs), spans)
}

// TestPageDescribesDeploymentRules: with --rules DIR the moderators' page
// explains the directory's rules too, in the page's language only, and
// still the embedded packs' rules.
func TestPageDescribesDeploymentRules(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("..", "..", "rules", "testdata", "deploy")
	l := &liveEngine{log: slog.New(slog.DiscardHandler), m: metrics.New(prometheus.NewRegistry()), opts: engineOptions{RulesDir: dir}}
	if got := l.describe("local.recruit_money_shadow", "ru"); got != "" {
		t.Errorf("before any engine, a deployment rule is described %q; want nothing", got)
	}
	if err := l.load(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ rule, lang, want string }{
		{"local.recruit_money_shadow", "ru", "Деньги или билеты"},
		{"local.recruit_money_shadow", "kk", "ақша"},
		{"local.flood_region", "ru", ""}, // English only: not shown on a Russian page
		{"local.flood_region", "en", "floods"},
	} {
		got := l.describe(c.rule, c.lang)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("describe(%s, %s) = %q; want it to hold %q", c.rule, c.lang, got, c.want)
		}
	}
	for _, lang := range []string{"ru", "kk", "en"} {
		if l.describe("rec.ru.join", lang) == "" && review.EmbeddedDescriptions("rec.ru.join", lang) != "" {
			t.Errorf("an embedded rule lost its %s description under --rules DIR", lang)
		}
	}
}
