package engine

import (
	"context"
	"math"
	"path/filepath"
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
