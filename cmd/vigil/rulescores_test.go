package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/models"
)

// ruleScoreData is what the rule_scores of the shipped taxonomy are fitted
// on (paths from the repository root): the documents both topic bundles
// choose their thresholds on and never train on (scripts/weak-labels.sh:
// hand-dev.jsonl and comment-dev.jsonl, their politics left as politics).
var ruleScoreData = func() []string {
	var files []string
	for _, b := range []string{"blind14", "blind15", "blind16"} {
		for _, l := range []string{"ru", "kk", "en"} {
			files = append(files, "testdata/tags/"+b+"/"+l+".jsonl")
		}
	}
	files = append(files, "testdata/tags/lenta-hand23.jsonl", "testdata/tags/lenta-hand24.jsonl", "testdata/tags/comments.jsonl", "testdata/tags/comments-blind.jsonl")
	for i := 2; i <= 9; i++ {
		files = append(files, fmt.Sprintf("testdata/tags/comments-blind%d.jsonl", i))
	}
	return files
}()

// TestShippedRuleScores refits the calibration of rule tags as the
// taxonomy's comment says and checks the shipped one is still it: a change
// of a bundle or of the packs that moves a coefficient by more than 0.05
// asks for a refit.
func TestShippedRuleScores(t *testing.T) {
	var paths []string
	for _, f := range ruleScoreData {
		paths = append(paths, filepath.Join("../..", f))
	}
	code, stdout, stderr := runCmd(t, "", "eval", "--fit-rule-scores", "--json", "--data", strings.Join(paths, ","))
	if code != exitOK {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var ev struct {
		RuleScores []engine.RuleScoreFit `json:"rule_scores"`
	}
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatal(err)
	}
	b, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	shipped := b.Taxonomy.RuleScores
	if len(ev.RuleScores) != len(shipped) {
		t.Fatalf("fitted %d kinds, shipped %d", len(ev.RuleScores), len(shipped))
	}
	for _, f := range ev.RuleScores {
		s := shipped[f.Kind]
		if math.Abs(f.Intercept-s.Intercept) > 0.05 || math.Abs(f.Rule-s.Rule) > 0.05 || math.Abs(f.Model-s.Model) > 0.05 {
			t.Errorf("%s: fitted %+v, shipped %+v: refit and put the fit in models/default/taxonomy.yaml and models/comments/taxonomy.yaml:\n"+
				"go run ./cmd/vigil eval --fit-rule-scores --data %s", f.Kind, f.RuleScore, s, strings.Join(ruleScoreData, ","))
		}
		if f.After.ECE >= f.Before.ECE {
			t.Errorf("%s: the fit reads worse than the packs' scores: ECE %.3f → %.3f", f.Kind, f.Before.ECE, f.After.ECE)
		}
	}
	c, err := models.DefaultComments()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Taxonomy.RuleScores) != len(shipped) || c.Taxonomy.RuleScores["comment"] != shipped["comment"] {
		t.Errorf("the comments' bundle has rule scores %v, the topics' %v: one taxonomy for both", c.Taxonomy.RuleScores, shipped)
	}
}
