package classify

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFitPlatt(t *testing.T) {
	tests := []struct {
		name string
		a, b float64
	}{
		{"overconfident", 0.5, -1},
		{"underconfident", 2, 0.5},
		{"calibrated", 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var z []float64
			var y []bool
			for range 20000 {
				v := r.NormFloat64() * 2
				z = append(z, v)
				y = append(y, r.Float64() < sigmoid(tc.a*v+tc.b))
			}
			a, b, ok := FitPlatt(z, y)
			if !ok || math.Abs(a-tc.a) > 0.1 || math.Abs(b-tc.b) > 0.1 {
				t.Errorf("FitPlatt = %.3f, %.3f, %v; want about %v, %v", a, b, ok, tc.a, tc.b)
			}
		})
	}
	if _, _, ok := FitPlatt([]float64{1, 2}, []bool{true, true}); ok {
		t.Error("FitPlatt with no negative: ok")
	}
}

func TestExampleKnows(t *testing.T) {
	all := Example{Labels: []int{1}}
	weak := Example{Labels: []int{1}, Only: []int{1, 2}}
	for _, tc := range []struct {
		ex   Example
		l    int
		want bool
	}{{all, 0, true}, {all, 3, true}, {weak, 1, true}, {weak, 2, true}, {weak, 0, false}} {
		if got := tc.ex.Knows(tc.l); got != tc.want {
			t.Errorf("%+v.Knows(%d) = %v, want %v", tc.ex, tc.l, got, tc.want)
		}
	}
}
