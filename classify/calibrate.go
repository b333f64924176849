package classify

import (
	"math"

	vigil "github.com/kz-newsroom/vigil"
)

// Calibrate fits every label's Platt scaling on held-out examples, so
// that a score of 0.8 means about 8 in 10 documents so scored carry the
// label, and every label's scores share one scale. It sets CalibA and
// CalibB; a label with no positive or no negative in dev stays
// uncalibrated. Call it before SelectThresholds, whose thresholds are then
// calibrated probabilities too. It returns the labels calibrated.
func (m *Model) Calibrate(dev []Example) ([]string, error) {
	if len(dev) == 0 {
		return nil, vigil.Errorf(vigil.EINVALID, "calibrate: no dev examples")
	}
	L := len(m.Labels)
	saved := make([][2]float64, L)
	for l := range m.Labels {
		saved[l] = [2]float64{m.Labels[l].CalibA, m.Labels[l].CalibB}
		m.Labels[l].CalibA, m.Labels[l].CalibB = 0, 0
	}
	z, gold := m.devScores(dev) // uncalibrated probabilities, made log-odds below
	for l := range z {
		for i, p := range z[l] {
			p = min(max(p, 1e-12), 1-1e-12)
			z[l][i] = math.Log(p / (1 - p))
		}
	}
	var done []string
	for l := range L {
		a, b, ok := FitPlatt(z[l], gold[l])
		if !ok {
			m.Labels[l].CalibA, m.Labels[l].CalibB = saved[l][0], saved[l][1]
			continue
		}
		m.Labels[l].CalibA, m.Labels[l].CalibB = a, b
		done = append(done, m.Labels[l].Name)
	}
	return done, nil
}

// FitPlatt fits P(y=1 | z) = σ(a·z + b) to scores z and answers y by
// regularized maximum likelihood, with Platt's smoothed targets
// ((N₊+1)/(N₊+2) for positives, 1/(N₋+2) for negatives) and Newton's method
// with backtracking (Lin, Lin and Weng, 2007). ok is false when y has no
// positive or no negative.
func FitPlatt(z []float64, y []bool) (a, b float64, ok bool) {
	n := min(len(z), len(y))
	var np, nn float64
	for i := range n {
		if y[i] {
			np++
		} else {
			nn++
		}
	}
	if np == 0 || nn == 0 {
		return 0, 0, false
	}
	hi, lo := (np+1)/(np+2), 1/(nn+2)
	t := make([]float64, n)
	for i := range n {
		t[i] = lo
		if y[i] {
			t[i] = hi
		}
	}
	loss := func(a, b float64) float64 {
		var f float64
		for i := range n {
			v := a*z[i] + b
			// log(1+e^v) - t·v, computed stably
			if v >= 0 {
				f += (1-t[i])*v + math.Log1p(math.Exp(-v))
			} else {
				f += -t[i]*v + math.Log1p(math.Exp(v))
			}
		}
		return f
	}
	a, b = 1, math.Log((np+1)/(nn+1))
	f := loss(a, b)
	const sigma = 1e-12
	for range 100 {
		var h11, h22, h21, g1, g2 float64 = sigma, sigma, 0, 0, 0
		for i := range n {
			p := sigmoid(a*z[i] + b)
			d2 := p * (1 - p)
			h11 += z[i] * z[i] * d2
			h22 += d2
			h21 += z[i] * d2
			d1 := p - t[i]
			g1 += z[i] * d1
			g2 += d1
		}
		if math.Abs(g1) < 1e-6 && math.Abs(g2) < 1e-6 {
			break
		}
		det := h11*h22 - h21*h21
		da := -(h22*g1 - h21*g2) / det
		db := -(-h21*g1 + h11*g2) / det
		gd := g1*da + g2*db
		step := 1.0
		for step >= 1e-10 {
			na, nb := a+step*da, b+step*db
			if nf := loss(na, nb); nf < f+1e-4*step*gd {
				a, b, f = na, nb, nf
				break
			}
			step /= 2
		}
		if step < 1e-10 {
			break
		}
	}
	return a, b, true
}
