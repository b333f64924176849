package engine

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/models"
)

func TestCalibrator(t *testing.T) {
	type tag struct {
		name, source string
		score        float64
		right        bool
	}
	for _, tc := range []struct {
		name        string
		tags        []tag
		want        map[string][2]float64 // source → ECE, Brier
		wantBins    map[string]int        // source → bins with a tag
		wantNothing bool
	}{
		{name: "nothing", wantNothing: true},
		{
			// A tag the data never labels is unknown, not wrong.
			name:        "unlabelled",
			tags:        []tag{{"government", "rule", 0.9, false}, {"incidents", "model", 0.5, false}},
			wantNothing: true,
		},
		{
			// 0.9 right 9 times in 10 and 0.2 right 1 time in 5:
			// calibrated, ECE 0.
			name: "calibrated",
			tags: append(repeat(tag{"health", "model", 0.9, true}, 9), append(repeat(tag{"health", "model", 0.9, false}, 1),
				append(repeat(tag{"conflict", "rule", 0.2, true}, 1), repeat(tag{"conflict", "rule", 0.2, false}, 4)...)...)...),
			want: map[string][2]float64{
				"model": {0, (9*0.01 + 0.81) / 10},
				"rule":  {0, (0.64 + 4*0.04) / 5},
				"all":   {0, (9*0.01 + 0.81 + 0.64 + 4*0.04) / 15},
			},
			wantBins: map[string]int{"model": 1, "rule": 1, "all": 2},
		},
		{
			// Sure and always wrong: ECE and Brier 1. A score of 1 is
			// in the last bin, scores out of range are clamped.
			name:     "wrong",
			tags:     []tag{{"health", "rule", 1, false}, {"health", "rule", 1.5, false}, {"sport", "model", -0.2, true}},
			want:     map[string][2]float64{"rule": {1, 1}, "model": {1, 1}, "all": {1, 1}},
			wantBins: map[string]int{"model": 1, "rule": 1, "all": 2},
		},
		{
			// Two bins, one over-confident by 0.3, one right: ECE is the
			// weighted mean of the gaps.
			name: "weighted",
			tags: append(repeat(tag{"sport", "model", 0.8, true}, 1), append(repeat(tag{"sport", "model", 0.8, false}, 1),
				repeat(tag{"sport", "model", 0.0, false}, 2)...)...),
			want:     map[string][2]float64{"model": {(2*0.3 + 2*0) / 4, (0.04 + 0.64) / 4}, "all": {0.15, 0.17}},
			wantBins: map[string]int{"model": 2, "all": 2},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c calibrator
			for _, g := range tc.tags {
				c.add(g.name, g.source, g.score, g.right)
			}
			got := c.result(func(name string) bool { return name != "government" && name != "incidents" }, "model", "rule", "all")
			if tc.wantNothing {
				if len(got) != 0 {
					t.Fatalf("%+v, want nothing", got)
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d sources %+v, want %d", len(got), got, len(tc.want))
			}
			for _, cal := range got {
				w, ok := tc.want[cal.Source]
				if !ok {
					t.Fatalf("source %q not expected", cal.Source)
				}
				if math.Abs(cal.ECE-w[0]) > 1e-9 || math.Abs(cal.Brier-w[1]) > 1e-9 {
					t.Errorf("%s: ECE %v Brier %v, want %v %v", cal.Source, cal.ECE, cal.Brier, w[0], w[1])
				}
				if len(cal.Bins) != tc.wantBins[cal.Source] {
					t.Errorf("%s: bins %+v, want %d", cal.Source, cal.Bins, tc.wantBins[cal.Source])
				}
				n := 0
				for _, b := range cal.Bins {
					n += b.Tags
					if b.MeanScore < b.Lo || b.MeanScore > b.Hi || b.Right > b.Tags {
						t.Errorf("%s: bin %+v", cal.Source, b)
					}
				}
				if n != cal.Tags {
					t.Errorf("%s: bins hold %d tags of %d", cal.Source, n, cal.Tags)
				}
			}
		})
	}
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestEvaluateCalibration: on a set labelled for tags every counted tag of
// a label the set carries is in the calibration once under its source and
// once under "all"; the
// printed report has its table; a set labelled for flags only has none.
func TestEvaluateCalibration(t *testing.T) {
	ctx := context.Background()
	e, docs := embeddedAnd(t, "..", "testdata", "tags", "comments-blind6.jsonl")
	for _, source := range []string{SourceAll, SourceModel, SourceRule} {
		ev, err := e.Evaluate(ctx, docs, EvalOptions{Source: source})
		if err != nil {
			t.Fatal(err)
		}
		predicted := 0
		for _, tag := range ev.Report.Tags {
			if tag.Support > 0 { // a tag the set never labels is not counted
				predicted += tag.Predicted
			}
		}
		bySource := map[string]int{}
		for _, c := range ev.Calibration {
			bySource[c.Source] = c.Tags
		}
		if predicted == 0 || bySource["all"] != predicted || bySource["model"]+bySource["rule"] != predicted {
			t.Errorf("%s: calibration counts %v, %d tags predicted", source, bySource, predicted)
		}
		var buf bytes.Buffer
		if err := ev.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "calibration of the tags counted") || !strings.Contains(buf.String(), "ECE") {
			t.Errorf("%s: report lacks the calibration:\n%s", source, buf.String())
		}
	}
	flagsOnly, _, err := models.ReadData(filepath.Join("..", "testdata", "recruitment", "test.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := e.Evaluate(ctx, flagsOnly, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Calibration) != 0 {
		t.Errorf("recruitment set (no gold tags): calibration %+v", ev.Calibration)
	}
	// Its flag is read on every document, sent to review or not: the
	// bins hold every document and, as right, those gold flags.
	positives := 0
	for _, d := range flagsOnly {
		if len(d.Flags) > 0 {
			positives++
		}
	}
	if len(ev.FlagCalibration) != 1 || ev.FlagCalibration[0].Source != "extremist_recruitment" {
		t.Fatalf("flag calibration %+v, want extremist_recruitment alone", ev.FlagCalibration)
	}
	fc := ev.FlagCalibration[0]
	binned, right := 0, 0
	for _, b := range fc.Bins {
		binned, right = binned+b.Tags, right+b.Right
	}
	if fc.Tags != len(flagsOnly) || binned != len(flagsOnly) || right != positives || positives == 0 {
		t.Errorf("flag calibration holds %d documents (%d in bins), %d flagged; want %d, %d", fc.Tags, binned, right, len(flagsOnly), positives)
	}
	if fc.Bins[0].Lo != 0 || fc.Bins[0].Right != 0 { // the everyday comments score near 0
		t.Errorf("lowest bin %+v", fc.Bins[0])
	}
	var buf bytes.Buffer
	if err := ev.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "calibration of the flags' scores on every document") {
		t.Errorf("report lacks the flags' calibration:\n%s", buf.String())
	}
}
