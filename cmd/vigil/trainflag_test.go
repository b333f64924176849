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
	if c.ReportOnly || c.Kinds != nil || c.Langs != nil {
		t.Errorf("report_only %v, kinds %v, langs %v: want the defaults (review, every kind and language)", c.ReportOnly, c.Kinds, c.Langs)
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
		{"train-flag", "--data", dev, "--out", out, "--kinds", "tweet"},       // unknown kind
		{"train-flag", "--data", dev, "--out", out, "--langs", "ru,de"},       // unknown language
	} {
		if code, _, stderr := runCmd(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %s)", args, code, exitUsage, stderr)
		} else if args[2] == bad && !strings.Contains(stderr, "bad.jsonl:2") {
			t.Errorf("%v: stderr %q does not name the file and line", args, stderr)
		}
	}
}

// TestTrainFlagBackgroundCalibration: ordinary documents set each kind's
// threshold, so that at most the given share of them is flagged out of fold,
// and articles end up no laxer than comments; the neutral words and the
// minimum word count are shipped with the head and read back.
func TestTrainFlagBackgroundCalibration(t *testing.T) {
	dev := filepath.Join("..", "..", "testdata", "recruitment", "dev.jsonl")
	bg := filepath.Join("..", "..", "testdata", "corpus", "corpus.jsonl")
	neutral := filepath.Join("..", "..", "models", "recruitment", "neutral.txt")
	everyday := filepath.Join("..", "..", "testdata", "recruitment", "everyday.jsonl")
	out := filepath.Join(t.TempDir(), "recruitment")
	code, stdout, stderr := runCmd(t, "", "train-flag", "--data", dev, "--background", bg, "--background-step", "2",
		"--max-background-rate", "0.001", "--neutral", neutral, "--min-words", "5", "--ordinary", everyday,
		"--out", out, "--folds", "2", "--epochs", "3", "--bucket-bits", "12")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	h, err := models.LoadFlag(os.DirFS(out))
	if err != nil {
		t.Fatal(err)
	}
	c := h.Config
	report := c.Build.Dev["background_article"]
	var flagged, n int
	if _, err := fmt.Sscanf(report, "%d of %d ordinary articles flagged", &flagged, &n); err != nil {
		t.Fatalf("background_article %q: %v\n%s", report, err, stdout)
	}
	if n < 500 || float64(flagged) > 0.001*float64(n) {
		t.Errorf("%d of %d flagged, want at most 0.1%%", flagged, n)
	}
	if len(c.Build.Data) != 2 {
		t.Errorf("build data %+v: want --data and --ordinary recorded", c.Build.Data)
	}
	if art, com := c.Thresholds.ByKind[vigil.KindArticle], c.Thresholds.ByKind[vigil.KindComment]; art < com {
		t.Errorf("article threshold %v under the comment one %v", art, com)
	}
	if h.Stage.Neutral.Len() < 100 || !h.Stage.Neutral.Has("братья") || h.Stage.MinWords != 5 || c.NeutralSHA256 == "" {
		t.Errorf("head read back without its neutral words or minimum (%d words, min %d)", h.Stage.Neutral.Len(), h.Stage.MinWords)
	}
	if len(c.Combiner.Cues) == 0 && !strings.Contains(stdout, "cues map[]") {
		t.Errorf("combiner cues not reported: %s", stdout)
	}
	// A neutral list that does not match its checksum is refused.
	os.WriteFile(filepath.Join(out, "neutral.txt"), []byte("брат\n"), 0o644)
	if _, err := models.LoadFlag(os.DirFS(out)); err == nil || vigil.ErrorCode(err) != vigil.EINVALID {
		t.Errorf("changed neutral.txt loaded: %v", err)
	}
}
