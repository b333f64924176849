package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/models"
)

// ruleScoreData is what the rule_scores of the shipped taxonomy are fitted
// on (paths from the repository root): the documents both topic bundles
// choose their thresholds on and never train on (scripts/weak-labels.sh:
// hand-dev.jsonl and comment-dev.jsonl, their politics left as politics;
// comment-dev.jsonl ends with real forum comments).
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
	return append(files, "testdata/tags/comments-real-dev.jsonl")
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
			t.Errorf("%s: fitted %+v, shipped %+v: refit the shipped bundles from the repository root:\n"+
				"go run ./cmd/vigil eval --fit-rule-scores --data %s --write-rule-scores models/default,models/comments", f.Kind, f.RuleScore, s, strings.Join(ruleScoreData, ","))
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

// --write-rule-scores puts the fit in a bundle's taxonomy and reseals it:
// the bundle loads with the fitted scores under a new version id.
func TestEvalWriteRuleScores(t *testing.T) {
	dir := copyShippedBundle(t, "")
	before, err := models.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := "../../testdata/tags/lenta-hand23.jsonl"
	code, stdout, stderr := runCmd(t, "", "eval", "--fit-rule-scores", "--json", "--data", data, "--write-rule-scores", dir)
	if code != exitOK || !strings.Contains(stderr, "rule scores written to "+dir) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ev struct {
		RuleScores []engine.RuleScoreFit `json:"rule_scores"`
	}
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil || len(ev.RuleScores) != 1 || ev.RuleScores[0].Kind != "article" {
		t.Fatalf("fits %+v, err %v: want one, of articles", ev.RuleScores, err)
	}
	after, err := models.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if after.Taxonomy.RuleScores["article"] != ev.RuleScores[0].RuleScore || after.Taxonomy.RuleScores["comment"] != before.Taxonomy.RuleScores["comment"] {
		t.Errorf("written %v, fitted %+v: want the article fit in, the comment one kept", after.Taxonomy.RuleScores, ev.RuleScores[0].RuleScore)
	}
	if after.Meta.Version == before.Meta.Version {
		t.Errorf("version %s unchanged after the taxonomy changed", after.Meta.Version)
	}
	if code, _, stderr := runCmd(t, "", "eval", "--data", data, "--write-rule-scores", dir); code != exitUsage || !strings.Contains(stderr, "--fit-rule-scores") {
		t.Errorf("--write-rule-scores alone: exit %d, %s", code, stderr)
	}
}

// vigil reseal after a hand edit: the bundle loads again, under a new id;
// a directory with no bundle is an error naming it.
func TestResealCommand(t *testing.T) {
	dir := copyShippedBundle(t, "# a floor changed by hand\n")
	if _, err := models.LoadDir(dir); err == nil {
		t.Fatal("an edited bundle loaded")
	}
	code, stdout, stderr := runCmd(t, "", "reseal", dir)
	b, err := models.LoadDir(dir)
	if code != exitOK || err != nil || stdout != dir+" "+b.Meta.Version+"\n" {
		t.Errorf("reseal: exit %d, stdout %q, stderr %s, load %v", code, stdout, stderr, err)
	}
	empty := t.TempDir()
	if code, _, stderr := runCmd(t, "", "reseal", empty); code != exitFail || !strings.Contains(stderr, empty) {
		t.Errorf("no bundle: exit %d, %s", code, stderr)
	}
	if code, _, _ := runCmd(t, "", "reseal"); code != exitUsage {
		t.Errorf("no DIR: exit %d", code)
	}
}

// copyShippedBundle copies models/default into a new directory, with
// taxonomyEdit appended to its taxonomy.yaml (an edit by hand, unsealed).
func copyShippedBundle(t *testing.T, taxonomyEdit string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{models.FileTokenizer, models.FileTopics, models.FileTaxonomy, models.FileMetadata, models.FileDictionary, models.FileClusters} {
		data, err := os.ReadFile(filepath.Join("../../models/default", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == models.FileTaxonomy {
			data = append(data, taxonomyEdit...)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
