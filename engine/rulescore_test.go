package engine

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// The fit finds the coefficients that drew the labels, within what 20,000
// samples and the ridge allow, and its fitted scores read better against
// the data than the packs' constant 0.95 does.
func TestFitRuleScore(t *testing.T) {
	want := pipeline.RuleScore{Intercept: 1.5, Rule: 0.5, Model: 0.8}
	r := rand.New(rand.NewPCG(1, 2))
	var ss []ruleSample
	for range 20000 {
		s := ruleSample{rule: 0.8 + 0.19*r.Float64(), model: r.Float64()}
		s.right = r.Float64() < want.Of(s.rule, s.model)
		ss = append(ss, s)
	}
	got := fitRuleScore(ss)
	if math.Abs(got.Intercept-want.Intercept) > 0.3 || math.Abs(got.Rule-want.Rule) > 0.3 || math.Abs(got.Model-want.Model) > 0.05 {
		t.Errorf("fit %+v, want about %+v", got, want)
	}
	for i := range ss {
		ss[i].rule = 0.95
	}
	fits := fitRuleScores(map[string][]ruleSample{vigil.KindArticle: ss})
	if len(fits) != 1 || fits[0].Tags != len(ss) || fits[0].After.ECE >= fits[0].Before.ECE || fits[0].After.Brier >= fits[0].Before.Brier {
		t.Errorf("fits %+v: want one, reading better after", fits)
	}
}

// Samples all right, or with one value of each input, leave a singular
// or unbounded problem; the fit still ends with finite coefficients, and
// all right with a probability under 1.
func TestFitRuleScoreDegenerate(t *testing.T) {
	for name, ss := range map[string][]ruleSample{
		"all right": {{0.9, 0.3, true}, {0.95, 0.8, true}, {0.9, 0.6, true}},
		"one point": {{0.9, 0.5, true}, {0.9, 0.5, false}},
		"all wrong": {{0.9, 0.5, false}},
		"saturated": {{1, 1, true}, {0, 0, false}},
	} {
		rs := fitRuleScore(ss)
		if p := rs.Of(0.9, 0.5); p > 0.999 {
			t.Errorf("%s: %+v scores %v", name, rs, p)
		}
		for _, c := range []float64{rs.Intercept, rs.Rule, rs.Model} {
			if math.IsNaN(c) || math.IsInf(c, 0) {
				t.Errorf("%s: %+v", name, rs)
			}
		}
	}
}

// Fitting reads the packs' own scores: an engine that calibrates them is
// refused, one that keeps them fits a kind per kind in the data.
func TestEvaluateFitRuleScores(t *testing.T) {
	ctx := context.Background()
	// Rule tags the model gives less than the rule (testdata/tags: lenta-hand6,
	// lenta-hand9, comments-blind10).
	docs := []vigil.Document{
		{ID: "1", Kind: vigil.KindArticle, Lang: vigil.LangRussian, Title: "В Литве у университета заберут землю ради строительства оборонного завода", Tags: []string{"economy"}},
		{ID: "2", Kind: vigil.KindArticle, Lang: vigil.LangRussian, Title: "В России «нерусские ребята» избили пассажиров электрички из-за внешнего вида", Tags: []string{"security"}},
		{ID: "3", Kind: vigil.KindComment, Lang: vigil.LangRussian, Body: "халык обновился и половину функций теперь не найти, кто этот дизайн делал", Tags: []string{"technology"}},
	}
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Evaluate(ctx, docs, EvalOptions{FitRuleScores: true}); vigil.ErrorCode(err) != vigil.EINVALID {
		t.Errorf("calibrating engine: err %v, want EINVALID", err)
	}
	raw, err := New(ctx, Options{RawRuleScores: true})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := raw.Evaluate(ctx, docs, EvalOptions{FitRuleScores: true})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, f := range ev.RuleScores {
		kinds[f.Kind] = f.Tags
	}
	// The first headline's society is not counted: the data labels no
	// document society, so it cannot say whether the tag is right.
	if kinds[vigil.KindArticle] != 1 || kinds[vigil.KindComment] != 1 {
		t.Errorf("fits %+v: want the second headline's security and the comment's technology", ev.RuleScores)
	}
}
