package engine

import (
	"context"
	"html"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

func TestEngineStages(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := e.pipe.Stages()
	if len(st) < 3 || st[0] != "normalize" || st[1] != "tokenize" || st[len(st)-1] != "decide" {
		t.Errorf("stages %v: want normalize, tokenize first and decide last", st)
	}
	v := e.Check(context.Background(), &vigil.Document{ID: "x", Body: "Қазақстан Республикасы"})
	if v.Error != nil || v.Lang != vigil.LangKazakh || !reflect.DeepEqual(v.Versions, e.versions) {
		t.Errorf("verdict %+v", v)
	}
}

// TestEngineThresholds: thresholds from the service's config override the
// shipped ones, per section over per kind, and leave other kinds alone.
func TestEngineThresholds(t *testing.T) {
	ctx := context.Background()
	comment := "Братья, вступайте в джихад, пишите в личку"
	check := func(e *Engine, section string) vigil.Verdict {
		return e.Check(ctx, &vigil.Document{ID: "x", Kind: vigil.KindComment, Section: section, Body: comment})
	}
	shipped, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v := check(shipped, "religion"); v.Action != vigil.ActionReview {
		t.Fatalf("shipped thresholds: %s, want review", v.Action)
	}
	e, err := New(ctx, Options{Thresholds: pipeline.FlagThresholds{
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
	if _, err := New(ctx, Options{}); err == nil {
		t.Error("New on a canceled context: no error")
	}
}

// BenchmarkPipeline runs the whole default engine (every stage, embedded
// models and rules) over the benchmark corpus on all cores.
func BenchmarkPipeline(b *testing.B) {
	docs, _, err := models.ReadData(filepath.Join("..", "testdata", "corpus", "corpus.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, d := range docs {
		size += int64(len(d.Title) + len(d.Body))
	}
	e, err := New(context.Background(), Options{})
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
	plain, _, err := models.ReadData(filepath.Join("..", "testdata", "corpus", "corpus.jsonl"),
		filepath.Join("..", "testdata", "recruitment", "dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []vigil.Document
	for _, d := range plain {
		h := d
		h.ID += "-html"
		h.Title = html.EscapeString(d.Title)
		h.Body = "<article><p>" + strings.ReplaceAll(html.EscapeString(d.Body), "\n", "</p>\n<p>") + "</p></article>"
		docs = append(docs, d, h)
	}
	e, err := New(context.Background(), Options{})
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

// The shipped topic model's second politics output, diplomacy, reaches
// verdicts as politics and never under its own name.
func TestEngineShowsDiplomacyAsPolitics(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Heads().Topics().Taxonomy.Shown("diplomacy"); got != "politics" {
		t.Fatalf("diplomacy is shown as %q, want politics", got)
	}
	docs := []vigil.Document{
		{ID: "1", Kind: vigil.KindArticle, Title: "Лавров обвинил Вашингтон в срыве переговоров с Пекином"},
		{ID: "2", Kind: vigil.KindArticle, Title: "Эрдоган пригрозил Израилю разрывом отношений"},
		{ID: "3", Kind: vigil.KindArticle, Title: "В Кремле ответили на слова Макрона о Европе"},
	}
	for i, v := range e.CheckBatch(context.Background(), docs) {
		var names []string
		for _, tg := range v.Tags {
			names = append(names, tg.Name)
		}
		if slices.Contains(names, "diplomacy") || !slices.Contains(names, "politics") {
			t.Errorf("%q: tags %v, want politics and no diplomacy", docs[i].Title, names)
		}
	}
}

// TestCommentTopicsHead: reader comments get their topic tags from the
// comments' own head, which learned how readers name a topic; the verdict
// names that head beside the topics head.
func TestCommentTopicsHead(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := e.Heads().Head(models.HeadCommentTopics)
	if c == nil || e.topics.For(vigil.KindComment) == e.topics {
		t.Fatal("no comments' topic head in the engine")
	}
	for _, tc := range []struct{ text, tag string }{
		// Written for this test: a clinic with no appointments left, in a
		// reader's words ("талонов нет"), which the topics head, trained
		// mostly on news, left untagged.
		{"третий день не могу записаться к терапевту, в регистратуре говорят талонов нет", "health"},
		{"my kid got the flu again, half the class is out sick this week", "health"},
	} {
		v := e.Check(context.Background(), &vigil.Document{ID: "c", Kind: vigil.KindComment, Body: tc.text})
		if !slices.ContainsFunc(v.Tags, func(g vigil.Tag) bool { return g.Name == tc.tag && g.Source == vigil.SourceModel }) {
			t.Errorf("%q: tags %+v, want the model's %s", tc.text, v.Tags, tc.tag)
		}
		if v.Versions.Heads[models.HeadCommentTopics] != c.Version || v.Versions.Model != e.Heads().Topics().Meta.Version {
			t.Errorf("versions %+v", v.Versions)
		}
	}
}
