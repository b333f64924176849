package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/engine"
)

// TestEvalFlagSlices: the per-language and per-kind counts of a flag add
// up to its totals, and the text report prints them.
func TestEvalFlagSlices(t *testing.T) {
	data := filepath.Join("..", "..", "testdata", "recruitment", "test.jsonl")
	code, stdout, stderr := runCmd(t, "", "eval", "--data", data, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		FlagNegatives []engine.FlagNegatives `json:"flag_negatives"`
		FlagSlices    []engine.FlagSlice     `json:"flag_slices"`
		Flags         []struct {
			Name    string `json:"name"`
			TP      int    `json:"tp"`
			Support int    `json:"support"`
		} `json:"flags"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Flags) != 1 || out.Flags[0].Name != vigil.FlagExtremistRecruitment || len(out.FlagNegatives) != 1 {
		t.Fatalf("flags %+v, negatives %+v", out.Flags, out.FlagNegatives)
	}
	for _, dim := range []string{"lang=", "kind="} {
		var pos, tp, neg, fp, n int
		for _, s := range out.FlagSlices {
			if strings.HasPrefix(s.Slice, dim) {
				pos, tp, neg, fp, n = pos+s.Positives, tp+s.TP, neg+s.Negatives, fp+s.FP, n+1
			}
		}
		f, nf := out.Flags[0], out.FlagNegatives[0]
		if n < 2 || pos != f.Support || tp != f.TP || neg != nf.Negatives || fp != nf.FP {
			t.Errorf("%s slices (%d) add up to %d/%d positives, %d/%d negatives; totals %d/%d, %d/%d",
				dim, n, tp, pos, fp, neg, f.TP, f.Support, nf.FP, nf.Negatives)
		}
	}
	code, stdout, _ = runCmd(t, "", "eval", "--data", data)
	if code != exitOK || !strings.Contains(stdout, "lang=kk") || !strings.Contains(stdout, "kind=comment") {
		t.Errorf("text report lacks the slices:\n%s", stdout)
	}
}

// TestEvalMisses: --misses writes exactly the documents counted wrong,
// each with the gold labels the data gives, and nothing for the others.
func TestEvalMisses(t *testing.T) {
	data := filepath.Join("..", "..", "testdata", "tags", "blind17", "en.jsonl")
	out := filepath.Join(t.TempDir(), "misses.jsonl")
	code, stdout, stderr := runCmd(t, "", "eval", "--data", data, "--json", "--misses", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Docs          int     `json:"docs"`
		EveryTagRight int     `json:"every_tag_right_docs"`
		Top1Docs      int     `json:"top1_docs"`
		Top1Accuracy  float64 `json:"top1_accuracy"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	gold := map[string][]string{}
	for _, d := range readJSONL[vigil.Document](t, data) {
		gold[d.ID] = d.Tags
	}
	var tagsWrong, top1Wrong int
	for _, m := range readJSONL[engine.Miss](t, out) {
		want, ok := gold[m.ID]
		if !ok {
			t.Fatalf("miss %q is not in the data", m.ID)
		}
		var g, p []string
		for _, x := range m.Gold.Tags {
			g = append(g, x.Name)
		}
		for _, x := range m.Got.Tags {
			p = append(p, x.Name)
			if x.Score <= 0 || x.Source == "" {
				t.Errorf("%s: counted tag %+v without score or source", m.ID, x)
			}
		}
		slices.Sort(g)
		slices.Sort(p)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(g, want) {
			t.Errorf("%s: gold %v, the data says %v", m.ID, g, want)
		}
		tagsDiffer := !slices.Equal(g, p)
		top1Differs := len(g) == 1 && m.Top1 != g[0]
		if !tagsDiffer && !top1Differs && slices.Equal(m.Gold.Flags, m.Got.Flags) {
			t.Errorf("%s: written but right: %+v", m.ID, m)
		}
		if tagsDiffer {
			tagsWrong++
		}
		if top1Differs {
			top1Wrong++
		}
		if m.Text == "" || len([]rune(m.Text)) > 201 || m.File != filepath.ToSlash(data) {
			t.Errorf("%s: text %q, file %q", m.ID, m.Text, m.File)
		}
	}
	if want := rep.Docs - rep.EveryTagRight; tagsWrong != want {
		t.Errorf("%d misses with wrong tags; the report says %d", tagsWrong, want)
	}
	if want := rep.Top1Docs - int(math.Round(rep.Top1Accuracy*float64(rep.Top1Docs))); top1Wrong != want {
		t.Errorf("%d misses with the wrong top-1; the report says %d", top1Wrong, want)
	}
	if tagsWrong == 0 || top1Wrong == 0 {
		t.Errorf("blind17/en has both kinds of miss; got %d and %d", tagsWrong, top1Wrong)
	}
	code, _, stderr = runCmd(t, "", "eval", "--data", data, "--misses", filepath.Join(t.TempDir(), "no", "such", "dir", "m.jsonl"))
	if code != exitUsage || !strings.Contains(stderr, "--misses") {
		t.Errorf("unwritable --misses: exit %d, %q", code, stderr)
	}
}

// readJSONL decodes every line of path as a T.
func readJSONL[T any](t *testing.T, path string) []T {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	return out
}
