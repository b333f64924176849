package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/models"
)

func TestTrainFlag(t *testing.T) {
	dev := filepath.Join("..", "..", "testdata", "recruitment", "dev.jsonl")
	test := filepath.Join("..", "..", "testdata", "recruitment", "test.jsonl")
	out := filepath.Join(t.TempDir(), "recruitment")
	code, stdout, stderr := runCmd(t, "", "train-flag", "--data", dev, "--test", test, "--out", out,
		"--folds", "2", "--epochs", "3", "--bucket-bits", "12")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{"combiner: bias", "thresholds: comment", "dev (out-of-fold) all", "test all"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	h, err := models.LoadFlag(os.DirFS(out))
	if err != nil {
		t.Fatal(err)
	}
	c := h.Config
	if c.Flag != vigil.FlagExtremistRecruitment || len(h.Stage.Models) != 1 || c.Build.Test["all"] == "" || len(c.Build.Data) != 1 {
		t.Errorf("head written: %+v", c)
	}
	if c.Thresholds.ByKind[vigil.KindComment] > c.Thresholds.ByKind[vigil.KindArticle] {
		t.Errorf("comments %v held to a laxer threshold than articles %v", c.Thresholds.ByKind[vigil.KindComment], c.Thresholds.ByKind[vigil.KindArticle])
	}

	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte("{\"id\":\"a\",\"body\":\"x\"}\nnot json\n"), 0o644)
	negOnly := filepath.Join(t.TempDir(), "neg.jsonl")
	os.WriteFile(negOnly, []byte("{\"id\":\"a\",\"body\":\"привет\"}\n{\"id\":\"b\",\"body\":\"пока\"}\n"), 0o644)
	for _, args := range [][]string{
		{"train-flag", "--out", out},                                          // no --data
		{"train-flag", "--data", bad, "--out", out},                           // bad line
		{"train-flag", "--data", dev, "--out", out, "--background-step", "0"}, // bad step
		{"train-flag", "--data", negOnly, "--out", out},                       // no positives
	} {
		if code, _, stderr := runCmd(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %s)", args, code, exitUsage, stderr)
		} else if args[2] == bad && !strings.Contains(stderr, "bad.jsonl:2") {
			t.Errorf("%v: stderr %q does not name the file and line", args, stderr)
		}
	}
}

// TestTrainFlagArticleCalibration: the background articles left out of
// training set the article threshold, so that at most the given share of
// them is flagged, and articles end up no stricter than comments.
func TestTrainFlagArticleCalibration(t *testing.T) {
	dev := filepath.Join("..", "..", "testdata", "recruitment", "dev.jsonl")
	bg := filepath.Join("..", "..", "testdata", "corpus", "corpus.jsonl")
	out := filepath.Join(t.TempDir(), "recruitment")
	code, stdout, stderr := runCmd(t, "", "train-flag", "--data", dev, "--background", bg, "--background-step", "4",
		"--article-calibration", "0.001", "--out", out, "--folds", "2", "--epochs", "3", "--bucket-bits", "12")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	h, err := models.LoadFlag(os.DirFS(out))
	if err != nil {
		t.Fatal(err)
	}
	c := h.Config
	calib := c.Build.Dev["article_calibration"]
	var flagged, n int
	var at float64
	if _, err := fmt.Sscanf(calib, "%d of %d background articles not trained on flagged at %f", &flagged, &n, &at); err != nil {
		t.Fatalf("article_calibration %q: %v\n%s", calib, err, stdout)
	}
	if n < 500 || float64(flagged) > 0.001*float64(n) {
		t.Errorf("%d of %d flagged, want at most 0.1%%", flagged, n)
	}
	art, com := c.Thresholds.ByKind[vigil.KindArticle], c.Thresholds.ByKind[vigil.KindComment]
	if art < com || art < at-1e-4 { // at is printed to 4 places
		t.Errorf("article threshold %v, comment %v, calibrated %v: want the article one at least both", art, com, at)
	}
}
