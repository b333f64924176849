package engine

import (
	"fmt"
	"io"
	"math"
)

// calibrationBins is how many equal score bins a Calibration has.
const calibrationBins = 10

// Calibration says how far the scores of the tags an evaluation counted
// read as probabilities: the tags bucketed by score, each bin with the
// share of its tags the gold labels carry. A tag shown at 0.8 should be
// right about 8 times in 10. Only tags the data labels somewhere count.
// A flag's calibration reads its score on every document the same way
// (Evaluation.FlagCalibration): there Source is the flag and Tags, and
// each bin's, count documents.
type Calibration struct {
	// Source is whose score the tags show: vigil.SourceModel or
	// vigil.SourceRule (the higher of the two where both gave the tag, as
	// in a verdict), or "all"; for a flag, its name.
	Source string `json:"source"`
	Tags   int    `json:"tags"`
	// ECE is the expected calibration error: the bins' |mean score − share
	// right|, weighted by their share of the tags.
	ECE float64 `json:"ece"`
	// Brier is the mean squared error of the scores against 1 for a right
	// tag and 0 for a wrong one.
	Brier float64 `json:"brier"`
	// Bins are the score bins [i/10, (i+1)/10) that hold a tag (the last
	// one holds 1), in order.
	Bins []CalibrationBin `json:"bins"`
}

// CalibrationBin is one score bin of a Calibration.
type CalibrationBin struct {
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	Tags      int     `json:"tags"`
	Right     int     `json:"right"`
	MeanScore float64 `json:"mean_score"`
}

// calibrator collects the scored tags of an evaluation.
type calibrator struct {
	tags []scoredTag
}

type scoredTag struct {
	name, source string
	score        float64
	right        bool
}

// add notes one tag, name, shown with source's score, right or not.
func (c *calibrator) add(name, source string, score float64, right bool) {
	c.tags = append(c.tags, scoredTag{name, source, score, right})
}

type calibrationCount struct {
	n, right int
	sum      float64
}

// result returns one Calibration for each of sources that was noted ("all"
// is every source), in that order, of the tags whose name labelled says the
// data labels (a tag the data never carries, as conflict in a corpus
// without it, is unknown, not wrong). A score outside [0, 1] is clamped.
func (c *calibrator) result(labelled func(name string) bool, sources ...string) []Calibration {
	bins := map[string]*[calibrationBins]calibrationCount{}
	brier := map[string]float64{}
	for _, t := range c.tags {
		if !labelled(t.name) {
			continue
		}
		score := min(max(t.score, 0), 1)
		b := min(int(score*calibrationBins), calibrationBins-1)
		y := 0.0
		if t.right {
			y = 1
		}
		for _, s := range []string{t.source, "all"} {
			if bins[s] == nil {
				bins[s] = new([calibrationBins]calibrationCount)
			}
			k := &bins[s][b]
			k.n++
			k.sum += score
			if t.right {
				k.right++
			}
			brier[s] += (score - y) * (score - y)
		}
	}
	var out []Calibration
	for _, s := range sources {
		if bins[s] == nil {
			continue
		}
		cal := Calibration{Source: s}
		for i, k := range bins[s] {
			if k.n == 0 {
				continue
			}
			cal.Tags += k.n
			cal.Bins = append(cal.Bins, CalibrationBin{Lo: float64(i) / calibrationBins, Hi: float64(i+1) / calibrationBins,
				Tags: k.n, Right: k.right, MeanScore: k.sum / float64(k.n)})
		}
		for _, b := range cal.Bins {
			cal.ECE += math.Abs(b.MeanScore-float64(b.Right)/float64(b.Tags)) * float64(b.Tags)
		}
		cal.ECE /= float64(cal.Tags)
		cal.Brier = brier[s] / float64(cal.Tags)
		out = append(out, cal)
	}
	return out
}

// writeCalibration prints cals as `vigil eval` does under title: a row a
// score bin, a column a source, each cell the tags (or, of flags,
// documents: unit) in the bin and their mean score → share right.
func writeCalibration(w io.Writer, title, unit string, cals []Calibration) {
	if len(cals) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	fmt.Fprintf(w, "  %-9s", "score")
	for _, c := range cals {
		fmt.Fprintf(w, " %-22s", c.Source)
	}
	fmt.Fprintln(w)
	for i := range calibrationBins {
		lo := float64(i) / calibrationBins
		line, any := fmt.Sprintf("  %.1f–%.1f  ", lo, lo+1.0/calibrationBins), false
		for _, c := range cals {
			cell := "-"
			for _, b := range c.Bins {
				if b.Lo == lo {
					cell, any = fmt.Sprintf("%5d: %.2f → %.2f", b.Tags, b.MeanScore, float64(b.Right)/float64(b.Tags)), true
				}
			}
			line += fmt.Sprintf(" %-22s", cell)
		}
		if any {
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintf(w, "  %-9s", "ECE")
	for _, c := range cals {
		fmt.Fprintf(w, " %-22s", fmt.Sprintf("%.3f (%d %s)", c.ECE, c.Tags, unit))
	}
	fmt.Fprintf(w, "\n  %-9s", "Brier")
	for _, c := range cals {
		fmt.Fprintf(w, " %-22s", fmt.Sprintf("%.3f", c.Brier))
	}
	fmt.Fprintln(w)
}
