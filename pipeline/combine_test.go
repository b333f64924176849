package pipeline

import (
	"context"
	"math"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

func TestFlagCombinerScore(t *testing.T) {
	c := FlagCombiner{Bias: -3, Rule: 4, Model: 1}
	for _, tc := range []struct {
		name     string
		r, m     float64
		hasModel bool
		want     float64
	}{
		{"no model: rules alone", 0.7, 0, false, 0.7},
		{"nothing", 0, 0.5, true, Sigmoid(-3)},
		{"rule only", 1, 0.5, true, Sigmoid(1)},
		{"model only", 0, Sigmoid(2), true, Sigmoid(-1)},
		{"both", 0.5, Sigmoid(2), true, Sigmoid(1)},
		{"model certain", 0, 1, true, Sigmoid(-3 + maxLogit)},
		{"model NaN", 0, math.NaN(), true, Sigmoid(-3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Score(tc.r, tc.m, tc.hasModel); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("Score(%v, %v, %v) = %v, want %v", tc.r, tc.m, tc.hasModel, got, tc.want)
			}
		})
	}
}

func TestDecideCombinesRuleAndModelSignals(t *testing.T) {
	const flag = vigil.FlagExtremistRecruitment
	ev := func(rule string) []vigil.Evidence {
		return []vigil.Evidence{{Rule: rule, Field: "body", Start: 0, End: 3}}
	}
	d := &Decide{
		Thresholds: FlagThresholds{flag: {Default: 0.6, ByKind: map[string]float64{vigil.KindComment: 0.4}}},
		Combiners:  map[string]FlagCombiner{flag: {Bias: -2, Rule: 3, Model: 1}},
	}
	for _, tc := range []struct {
		name       string
		kind       string
		sigs       []Signal
		wantScore  float64
		wantAction string
	}{
		{"model alone, weak", vigil.KindComment, []Signal{{Flag: flag, Source: vigil.SourceModel, Weight: 0.5}},
			Sigmoid(-2), vigil.ActionAllow},
		{"two rules and the model", vigil.KindComment, []Signal{
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("a")},
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("b")},
			{Flag: flag, Source: vigil.SourceModel, Weight: Sigmoid(1)}},
			Sigmoid(-2 + 3*0.75 + 1), vigil.ActionReview},
		{"same score, article threshold higher", vigil.KindArticle, []Signal{
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("a")},
			{Flag: flag, Source: vigil.SourceModel, Weight: 0.5}},
			Sigmoid(-0.5), vigil.ActionAllow},
		{"rules only: noisy-OR", vigil.KindComment, []Signal{
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("a")},
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("b")}},
			0.75, vigil.ActionReview},
		{"flag without combiner: noisy-OR", vigil.KindComment, []Signal{
			{Flag: vigil.FlagToxic, Source: vigil.SourceModel, Weight: 0.5},
			{Flag: vigil.FlagToxic, Source: vigil.SourceRule, Weight: 0.5}},
			0.75, vigil.ActionReview},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := &Item{Doc: &vigil.Document{ID: "x", Kind: tc.kind}, Signals: tc.sigs}
			if err := d.Process(context.Background(), it); err != nil {
				t.Fatal(err)
			}
			if it.Verdict.Action != tc.wantAction {
				t.Errorf("action %q, want %q", it.Verdict.Action, tc.wantAction)
			}
			// The score itself, before thresholds drop the flag.
			flags := combineSignals(tc.sigs, d.Combiners)
			if len(flags) != 1 || math.Abs(flags[0].Score-tc.wantScore) > 1e-9 {
				t.Fatalf("flags %+v, want one with score %v", flags, tc.wantScore)
			}
			n := 0
			for _, s := range tc.sigs {
				n += len(s.Evidence)
			}
			if len(flags[0].Evidence) != n {
				t.Errorf("%d evidence records, want every signal's (%d)", len(flags[0].Evidence), n)
			}
		})
	}
}
