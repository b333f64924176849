package pipeline

import "math"

// FlagCombiner is a learned, explainable combination of one flag's rule and
// model signals into its score:
//
//	score = σ(Bias + Rule·r + Model·clip(logit(m)))
//
// where r is the noisy-OR of the flag's rule signal weights (0 when no rule
// fired) and m the highest model signal weight. The three numbers are fitted
// by logistic regression on labelled data (classify.TrainFlag) and shipped
// with the model; Rule and Model are never negative, so more evidence of
// either kind never lowers the score. Reading them tells a moderator how
// much a rule hit and the model's opinion are each worth.
type FlagCombiner struct {
	Bias  float64 `yaml:"bias" json:"bias"`
	Rule  float64 `yaml:"rule" json:"rule"`
	Model float64 `yaml:"model" json:"model"`
	// Clip bounds |logit(m)| (0 means 12), so that a very sure model can
	// neither veto a strong rule hit nor flag on its own beyond a known
	// margin.
	Clip float64 `yaml:"clip,omitempty" json:"clip,omitempty"`
}

// maxLogit bounds logit(m) so that a model probability of exactly 0 or 1
// does not make the score infinite or NaN.
const maxLogit = 12

// Score combines the rules' noisy-OR r and the model's probability m. With
// no model signal (hasModel false: the model is not loaded) it returns r, the
// plain noisy-OR of the rules, so the flag still works on rules alone.
func (c FlagCombiner) Score(r, m float64, hasModel bool) float64 {
	if !hasModel {
		return r
	}
	return Sigmoid(c.Bias + c.Rule*r + c.Model*c.ClippedLogit(m))
}

// ClippedLogit is logit(m) bounded to ±Clip.
func (c FlagCombiner) ClippedLogit(m float64) float64 {
	l := Logit(m)
	if c.Clip > 0 {
		l = min(max(l, -c.Clip), c.Clip)
	}
	return l
}

// Logit is log(p/(1-p)), clamped to ±12 and 0 for NaN.
func Logit(p float64) float64 {
	if math.IsNaN(p) {
		return 0
	}
	p = min(max(p, 1e-12), 1-1e-12)
	return min(max(math.Log(p/(1-p)), -maxLogit), maxLogit)
}

// Sigmoid is 1/(1+e^-x), computed without overflow.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
