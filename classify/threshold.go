package classify

import (
	"cmp"
	"slices"

	vigil "github.com/kz-newsroom/vigil"
)

// SelectThreshold chooses one label's threshold from held-out scores and
// gold answers. With minPrecision 0 it maximizes F1; with minPrecision in
// (0, 1] it takes the lowest threshold whose precision reaches it (the most
// recall at that precision), and falls back to the best F1 when no threshold
// does. The threshold sits halfway between the lowest score kept and the
// next one below, so it does not hug the dev set's exact values. With no
// positive in gold there is nothing to choose from: it returns
// DefaultThreshold and ok false. f1 is the F1 at the chosen threshold.
func SelectThreshold(scores []float64, gold []bool, minPrecision float64) (threshold, f1 float64, ok bool) {
	n := min(len(scores), len(gold))
	idx := make([]int, n)
	P := 0
	for i := range idx {
		idx[i] = i
		if gold[i] {
			P++
		}
	}
	if P == 0 {
		return DefaultThreshold, 0, false
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	bestF1, bestK := -1.0, 0
	precK := -1 // largest k whose precision reaches minPrecision
	tp := 0
	for k := 1; k <= n; k++ {
		if gold[idx[k-1]] {
			tp++
		}
		// Only cut between distinct scores: a threshold cannot split ties.
		if k < n && scores[idx[k]] == scores[idx[k-1]] {
			continue
		}
		f := 2 * float64(tp) / float64(k+P)
		if f > bestF1 {
			bestF1, bestK = f, k
		}
		if minPrecision > 0 && float64(tp)/float64(k) >= minPrecision {
			precK = k
		}
	}
	k := bestK
	if minPrecision > 0 && precK > 0 {
		k = precK
	}
	lo := scores[idx[k-1]]
	threshold = lo
	if k < n {
		threshold = (lo + scores[idx[k]]) / 2
	}
	tp = 0
	for _, i := range idx[:k] {
		if gold[i] {
			tp++
		}
	}
	return threshold, 2 * float64(tp) / float64(k+P), true
}

// DevScore is how one label did on the data its threshold was chosen on.
type DevScore struct {
	Label     string  `json:"label"`
	Threshold float64 `json:"threshold"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
	// Chosen is false when dev had no positive for the label and the
	// threshold kept its default.
	Chosen bool `json:"chosen"`
}

// devScores scores dev with m and returns, per label, the scores and gold
// answers of the examples that know that label (Example.Knows).
func (m *Model) devScores(dev []Example) (scores [][]float64, gold [][]bool) {
	L := len(m.Labels)
	scores, gold = make([][]float64, L), make([][]bool, L)
	var buf []float64
	for _, ex := range dev {
		buf = m.Scores(buf[:0], ex.Fields)
		for l := range L {
			if ex.Knows(l) {
				scores[l] = append(scores[l], buf[l])
				gold[l] = append(gold[l], slices.Contains(ex.Labels, l))
			}
		}
	}
	return scores, gold
}

// SelectThresholds scores dev with m and sets every label's threshold with
// SelectThreshold. minPrecision maps label names to a target precision;
// labels not in it maximize F1. It returns what was chosen, per label.
func (m *Model) SelectThresholds(dev []Example, minPrecision map[string]float64) ([]DevScore, error) {
	if len(dev) == 0 {
		return nil, vigil.Errorf(vigil.EINVALID, "thresholds: no dev examples")
	}
	L := len(m.Labels)
	scores, gold := m.devScores(dev)
	out := make([]DevScore, L)
	for l := range L {
		th, f1, ok := SelectThreshold(scores[l], gold[l], minPrecision[m.Labels[l].Name])
		m.Labels[l].Threshold = th
		support := 0
		for _, g := range gold[l] {
			if g {
				support++
			}
		}
		out[l] = DevScore{Label: m.Labels[l].Name, Threshold: th, F1: f1, Support: support, Chosen: ok}
	}
	return out, nil
}
