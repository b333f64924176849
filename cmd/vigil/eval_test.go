package main

import (
	"encoding/json"
	"path/filepath"
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
