package engine

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/models"
)

// TestEvaluate: on the recruitment test set the flag's slices add up to
// its totals in each dimension, and every source gives a report.
func TestEvaluate(t *testing.T) {
	ctx := context.Background()
	docs, files, err := models.ReadData(filepath.Join("..", "testdata", "recruitment", "test.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Evaluate(ctx, docs, EvalOptions{Source: "rules"}); vigil.ErrorCode(err) != vigil.EINVALID {
		t.Errorf("an unknown source: %v, want EINVALID (not zero recall)", err)
	}
	for _, source := range []string{SourceAll, SourceModel, SourceRule} {
		t.Run(source, func(t *testing.T) {
			ev, err := e.Evaluate(ctx, docs, EvalOptions{Source: source, Files: files})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Docs != len(docs) || ev.Failed != 0 || len(ev.Flags) != 1 || ev.Flags[0].Name != vigil.FlagExtremistRecruitment {
				t.Fatalf("docs %d of %d, failed %d, flags %+v", ev.Docs, len(docs), ev.Failed, ev.Flags)
			}
			f, n := ev.Flags[0], ev.FlagNegatives[0]
			for _, dim := range []string{"lang=", "kind=", "file="} {
				var pos, tp, neg, fp int
				for _, s := range ev.FlagSlices {
					if strings.HasPrefix(s.Slice, dim) {
						pos, tp, neg, fp = pos+s.Positives, tp+s.TP, neg+s.Negatives, fp+s.FP
					}
				}
				if pos != f.Support || tp != f.TP || neg != n.Negatives || fp != n.FP {
					t.Errorf("%s slices: %d/%d positives, %d/%d negatives; totals %d/%d, %d/%d", dim, tp, pos, fp, neg, f.TP, f.Support, n.FP, n.Negatives)
				}
			}
			// The languages part the documents, and their scores add up.
			docs, right, extra := 0, 0.0, 0.0
			for _, l := range ev.Languages {
				docs += l.Docs
				right += l.EveryTagRight * float64(l.Docs)
				extra += l.ExtraTags * float64(l.Docs)
			}
			total := float64(ev.Docs)
			if len(ev.Languages) != 3 || docs != ev.Docs || math.Abs(right/total-ev.EveryTagRight) > 1e-9 || math.Abs(extra/total-ev.ExtraTags) > 1e-9 {
				t.Errorf("languages %+v do not add up to %d documents, every tag right %v, extra %v", ev.Languages, ev.Docs, ev.EveryTagRight, ev.ExtraTags)
			}
			var b strings.Builder
			if err := ev.WriteText(&b); err != nil || !strings.Contains(b.String(), "tags from "+source) || !strings.Contains(b.String(), "by language:") {
				t.Errorf("text report (%v):\n%s", err, b.String())
			}
		})
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.Evaluate(canceled, docs, EvalOptions{}); err == nil {
		t.Error("Evaluate on a canceled context: no error")
	}
}

// TestEvaluateTop1Closed: on corpus data that labels some of the taxonomy's
// tags, top-1 is also reported among the outputs of those tags alone (as a
// classifier trained on that data is measured), per language too; on data
// labelled in the taxonomy's sense it is not.
func TestEvaluateTop1Closed(t *testing.T) {
	ctx := context.Background()
	e, docs := embeddedAnd(t, "..", "classify", "testdata", "topics_dev_sample.jsonl")
	ev, err := e.Evaluate(ctx, docs, EvalOptions{Source: SourceModel})
	if err != nil {
		t.Fatal(err)
	}
	c := ev.Top1Closed
	if c == nil || c.Docs != ev.Top1Docs {
		t.Fatalf("top-1 among the data's tags: %+v, want one over %d documents", c, ev.Top1Docs)
	}
	gold := map[string]bool{}
	for _, d := range docs {
		for _, tag := range d.Tags {
			gold[tag] = true
		}
	}
	for _, o := range c.Outputs {
		if !gold[o] {
			t.Errorf("output %q chosen among, but the data never labels it", o)
		}
	}
	for _, o := range []string{"conflict", "diplomacy", "government"} {
		if slices.Contains(c.Outputs, o) {
			t.Errorf("output %q chosen among, but the data never labels it", o)
		}
	}
	right := 0.0
	for _, l := range ev.Languages {
		right += l.Top1ClosedAccuracy * float64(l.Docs)
	}
	if len(ev.Languages) > 1 && math.Abs(right/float64(ev.Docs)-c.Accuracy) > 1e-9 && ev.Docs == ev.Top1Docs {
		t.Errorf("languages' top-1 among the data's tags do not add up to %v: %+v", c.Accuracy, ev.Languages)
	}
	var b strings.Builder
	if err := ev.WriteText(&b); err != nil || !strings.Contains(b.String(), "top-1 among the outputs of the tags the data labels") {
		t.Errorf("text report (%v) lacks the line:\n%s", err, b.String())
	}

	written, _, err := models.ReadData(filepath.Join("..", "testdata", "tags", "blind18", "en.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := e.Evaluate(ctx, written, EvalOptions{}); err != nil || ev.Top1Closed != nil {
		t.Errorf("on a set labelled in the taxonomy's sense: top-1 among %+v (%v), want none", ev.Top1Closed, err)
	}
}

// TestEvaluateFirstTag: the first-tag line is what the verdicts show, their
// first tag against the gold one, a verdict with no tag a miss.
func TestEvaluateFirstTag(t *testing.T) {
	ctx := context.Background()
	e, docs := embeddedAnd(t, "..", "classify", "testdata", "topics_dev_sample.jsonl")
	verdicts := e.CheckBatch(ctx, docs)
	single, right, untagged := 0, 0, 0
	for i, v := range verdicts {
		if len(docs[i].Tags) != 1 {
			continue
		}
		single++
		switch {
		case len(v.Tags) == 0:
			untagged++
		case v.Tags[0].Name == docs[i].Tags[0]:
			right++
		}
	}
	ev, err := e.Evaluate(ctx, docs, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := ev.FirstTag
	if f == nil || f.Docs != single || f.Untagged != untagged || math.Abs(f.Accuracy-float64(right)/float64(single)) > 1e-9 {
		t.Fatalf("first tag %+v; the verdicts give %d right and %d untagged of %d", f, right, untagged, single)
	}
	if untagged == 0 || right == single {
		t.Errorf("the sample should hold untagged and wrongly tagged documents (%d untagged, %d of %d right): the test would not tell", untagged, right, single)
	}
}

// embeddedAnd returns an engine on the embedded heads and packs, and the
// documents of the file at the path elements.
func embeddedAnd(t *testing.T, path ...string) (*Engine, []vigil.Document) {
	t.Helper()
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs, _, err := models.ReadData(filepath.Join(path...))
	if err != nil {
		t.Fatal(err)
	}
	return e, docs
}

// TestEvaluateByRule: each tag rule's count on labelled news is the
// number of verdicts whose tag carries its evidence, its right ones those
// whose gold has the tag, and a tag the data never labels is not counted.
func TestEvaluateByRule(t *testing.T) {
	ctx := context.Background()
	docs := []vigil.Document{
		{ID: "1", Kind: vigil.KindArticle, Lang: vigil.LangRussian, Title: "Ночью беспилотники атаковали Харьков, есть погибшие", Tags: []string{"conflict"}},
		{ID: "2", Kind: vigil.KindArticle, Lang: vigil.LangRussian, Title: "Беспилотники снова атаковали нефтебазу под Брянском", Tags: []string{"economy"}},
		{ID: "3", Kind: vigil.KindArticle, Lang: vigil.LangRussian, Title: "Минздрав сообщил о росте заболеваемости корью"},
	}
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := e.Evaluate(ctx, docs, EvalOptions{ByRule: true})
	if err != nil {
		t.Fatal(err)
	}
	var conflict *RulePrecision
	for i, r := range ev.Rules {
		if r.Tag == "health" {
			t.Errorf("%s counted on health, which the data never labels", r.Rule)
		}
		if r.Right > r.Fired || r.Low > r.Precision || r.Precision > r.High || !strings.Contains(r.Where, ".yaml:") {
			t.Errorf("%+v: counts, interval or place out of order", r)
		}
		if r.Tag == "conflict" && conflict == nil {
			conflict = &ev.Rules[i]
		}
	}
	if conflict == nil || conflict.Fired != 2 || conflict.Right != 1 || conflict.Precision != 0.5 {
		t.Errorf("the conflict rule of both strikes: %+v, want fired 2, right 1, precision (1+1)/(2+2)", conflict)
	}
	if ev, err := e.Evaluate(ctx, docs, EvalOptions{}); err != nil || ev.Rules != nil {
		t.Errorf("without ByRule: rules %v, err %v", ev.Rules, err)
	}
}

func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n   int
		lo, hi float64
	}{{0, 0, 0, 1}, {5, 10, 0.237, 0.763}, {10, 10, 0.722, 1}, {0, 10, 0, 0.278}} {
		lo, hi := wilson(tc.k, tc.n)
		if math.Abs(lo-tc.lo) > 0.001 || math.Abs(hi-tc.hi) > 0.001 {
			t.Errorf("wilson(%d, %d) = %.3f–%.3f, want %.3f–%.3f", tc.k, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
}
