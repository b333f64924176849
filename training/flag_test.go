package training

import (
	"bytes"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

// TestFlagResultWriteText: the head's line, combiner and thresholds, then
// each report's measures in sorted order; a report not made is left out.
func TestFlagResultWriteText(t *testing.T) {
	r := &FlagResult{Config: models.FlagConfig{Flag: "f", Version: "f-1",
		Combiner:   pipeline.FlagCombiner{Bias: -1, Rule: 2, Model: 3, Clip: 4, Cues: map[string]float64{"call": 0.5}},
		Thresholds: pipeline.FlagThreshold{ByKind: map[string]float64{vigil.KindComment: 0.5, vigil.KindArticle: 0.25}},
		Build:      models.FlagBuild{Dev: map[string]string{"b": "2", "a": "1"}}}}
	var buf bytes.Buffer
	r.WriteText(&buf, "out", 1500*time.Millisecond)
	want := "flag f f-1 written to out in 1.5s\ncombiner: bias -1.000, rule 2.000, model 3.000, clip 4, cues map[call:0.5]\n" +
		"thresholds: comment 0.5000, article 0.2500\ndev (out-of-fold) a        1\ndev (out-of-fold) b        2\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}
