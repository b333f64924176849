package engine

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"

	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/pipeline"
)

// RuleScoreFit is the calibration of rule tags `vigil eval
// --fit-rule-scores` fits for one document kind, for the taxonomy's
// rule_scores (pipeline.RuleScore), with how the fitted scores read
// against the data beside the packs' own.
type RuleScoreFit struct {
	Kind string `json:"kind"`
	// Tags is how many rule tags the fit read (a tag the data labels, on a
	// document the model scored), Right how many of them gold carries.
	Tags  int `json:"tags"`
	Right int `json:"right"`
	pipeline.RuleScore
	// Before reads the packs' scores against the data, After the fitted
	// ones: in-sample, so the fit's measure is on other data.
	Before Calibration `json:"before"`
	After  Calibration `json:"after"`
}

// ruleSample is one rule tag of an evaluation: the pack's score, the
// model's score of the tag, and whether gold carries it.
type ruleSample struct {
	rule, model float64
	right       bool
}

// ruleScoreL2 is the ridge penalty on the two slopes of a rule score fit,
// per tag fitted (classify.FitLogistic): it keeps them finite where the
// packs' scores barely vary (the Russian packs give 0.9-0.97).
const ruleScoreL2 = 1e-3

// fitRuleScores fits a RuleScore to each kind's samples, in a fixed order
// of kinds.
func fitRuleScores(samples map[string][]ruleSample) []RuleScoreFit {
	var out []RuleScoreFit
	for _, kind := range slices.Sorted(maps.Keys(samples)) {
		ss := samples[kind]
		if len(ss) == 0 {
			continue
		}
		rs := fitRuleScore(ss)
		fit := RuleScoreFit{Kind: kind, Tags: len(ss), RuleScore: rs}
		var before, after calibrator
		for _, s := range ss {
			if s.right {
				fit.Right++
			}
			before.add("", "rule", s.rule, s.right)
			after.add("", "rule", rs.Of(s.rule, s.model), s.right)
		}
		all := func(string) bool { return true }
		fit.Before, fit.After = before.result(all, "rule")[0], after.result(all, "rule")[0]
		out = append(out, fit)
	}
	return out
}

// fitRuleScore is logistic regression of right on (1, logit rule, logit
// model), with Platt's smoothed targets ((N₊+1)/(N₊+2) for a right tag,
// 1/(N₋+2) for a wrong one, as classify.FitPlatt), so that data all right
// ends at a probability under 1.
func fitRuleScore(ss []ruleSample) pipeline.RuleScore {
	var np, nn float64
	for _, s := range ss {
		if s.right {
			np++
		} else {
			nn++
		}
	}
	x := make([][]float64, len(ss))
	y := make([]float64, len(ss))
	sw := make([]float64, len(ss))
	for i, s := range ss {
		x[i] = []float64{1, pipeline.Logit(s.rule), pipeline.Logit(s.model)}
		y[i], sw[i] = 1/(nn+2), 1
		if s.right {
			y[i] = (np + 1) / (np + 2)
		}
	}
	w := classify.FitLogistic(x, y, sw, []bool{true, true, true}, ruleScoreL2)
	round := func(x float64) float64 { return math.Round(x*1e3)/1e3 + 0 } // + 0: no -0
	return pipeline.RuleScore{Intercept: round(w[0]), Rule: round(w[1]), Model: round(w[2])}
}

// writeRuleScoreFits prints fits as `vigil eval --fit-rule-scores` does:
// how each kind's fit reads on the data, then the block to put in the
// bundle's taxonomy.yaml.
func writeRuleScoreFits(w io.Writer, fits []RuleScoreFit) {
	if len(fits) == 0 {
		return
	}
	fmt.Fprintln(w, "\nrule tags on documents the model scored, the packs' scores and the fitted ones (in-sample):")
	for _, f := range fits {
		fmt.Fprintf(w, "  %-8s %5d tags, right %.3f: ECE %.3f → %.3f, Brier %.3f → %.3f\n", f.Kind, f.Tags,
			float64(f.Right)/float64(f.Tags), f.Before.ECE, f.After.ECE, f.Before.Brier, f.After.Brier)
	}
	fmt.Fprintln(w, "for the bundle's taxonomy.yaml:\nrule_scores:")
	for _, f := range fits {
		fmt.Fprintf(w, "  %s: {intercept: %g, rule: %g, model: %g}\n", f.Kind, f.Intercept, f.Rule, f.Model)
	}
}
