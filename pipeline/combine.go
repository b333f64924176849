package pipeline

import (
	"math"
	"slices"

	vigil "github.com/kz-newsroom/vigil"
)

// FlagCombiner is a learned, explainable combination of one flag's rule and
// model signals into its score:
//
//	score = σ(Bias + Rule·r + Model·clip(logit(m)) + Σ Cues[k]·[cue k present])
//
// where r is the noisy-OR of the flag's rule signal weights (0 when no rule
// fired), m the highest model signal weight, and the cues the kinds of
// evidence the rules marked (a call to act, an extremist cause). The three numbers are fitted
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
	// Cues weighs each kind of cue (Signal.Cue) present; never negative.
	Cues map[string]float64 `yaml:"cues,omitempty" json:"cues,omitempty"`
	// Require is the flag's evidence condition: the cue kinds (Signal.Cue)
	// that must all be present in a document before its model score can
	// raise the flag. A rule that fires meets the condition on its own
	// (rules already pair a call with a cause). Empty means no condition.
	// For extremist_recruitment it is [call, cause]: an address ("брат"),
	// a call to write, or a religious word alone never raises the flag.
	Require []string `yaml:"require,omitempty" json:"require,omitempty"`
}

// FlagInputs are what one flag's signals in a document amount to: the
// inputs of FlagCombiner.Score and of its evidence condition.
type FlagInputs struct {
	// Rule is the noisy-OR of the rule signals' weights (0 when none fired).
	Rule float64
	// Model is the highest model signal weight; HasModel says whether there
	// was one.
	Model    float64
	HasModel bool
	// Cues are the cue kinds present, sorted, without repeats.
	Cues []string
}

// InputsOf sums up the signals for flag, as Decide and training both read
// them. Weights are clamped to [0, 1]; NaN counts as 0.
func InputsOf(sigs []Signal, flag string) FlagInputs {
	var in FlagInputs
	for _, s := range sigs {
		if s.Flag != flag {
			continue
		}
		w := clampWeight(s.Weight)
		switch {
		case s.Cue != "":
			if !slices.Contains(in.Cues, s.Cue) {
				in.Cues = append(in.Cues, s.Cue)
			}
		case s.Source == vigil.SourceModel:
			in.Model, in.HasModel = max(in.Model, w), true
		default:
			in.Rule = 1 - (1-in.Rule)*(1-w)
		}
	}
	slices.Sort(in.Cues)
	return in
}

func clampWeight(w float64) float64 {
	if math.IsNaN(w) {
		return 0
	}
	return min(max(w, 0), 1)
}

// Met reports whether in meets the evidence condition: no condition, a rule
// that fired, or every required cue present.
func (c FlagCombiner) Met(in FlagInputs) bool {
	if len(c.Require) == 0 || in.Rule > 0 {
		return true
	}
	for _, k := range c.Require {
		if !slices.Contains(in.Cues, k) {
			return false
		}
	}
	return true
}

// Combine is the flag's score for in: Score of its rule and model parts,
// plus the weights of the cues present. Without a model signal it is the
// rules' noisy-OR, as Score.
func (c FlagCombiner) Combine(in FlagInputs) float64 {
	if !in.HasModel {
		return in.Rule
	}
	z := c.Bias + c.Rule*in.Rule + c.Model*c.ClippedLogit(in.Model)
	for _, k := range in.Cues {
		z += c.Cues[k]
	}
	return Sigmoid(z)
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
