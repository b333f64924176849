package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
)

// vigil clusters learns clusters from the sample corpus; train --clusters
// ships them in the bundle, which loads with them and scores with their
// features.
func TestClustersCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "clusters.tsv")
	code, _, stderr := runCmd(t, "", "clusters", "--data", trainSample+","+devSample, "--out", out,
		"--dim", "16", "--epochs", "2", "--levels", "8,32")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "from 1886 documents") {
		t.Errorf("stderr: %s", stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	c, err := classify.ReadClusters(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() < 1000 || len(c.Levels) != 2 || c.Lookup("матч") == nil {
		t.Errorf("%v: want over 1000 words, two levels, матч among them", c)
	}

	bundle := filepath.Join(dir, "bundle")
	args := append([]string{"train", "--data", trainSample, "--dev", devSample, "--out", bundle,
		"--clusters", out, "--cluster-weight", "0.25"}, smallTrain...)
	if code, _, stderr := runCmd(t, "", args...); code != exitOK {
		t.Fatalf("train exit %d:\n%s", code, stderr)
	}
	b, err := models.LoadDir(bundle)
	if err != nil {
		t.Fatal(err)
	}
	if b.Clusters == nil || b.Clusters.Len() != c.Len() || !b.Topics.Features.Clusters || b.Topics.Features.ClusterWeight() != 0.25 {
		t.Errorf("bundle: clusters %v, features %+v", b.Clusters, b.Topics.Features)
	}
	// A bundle whose classifier was trained with clusters is refused without them.
	os.Remove(filepath.Join(bundle, models.FileClusters))
	meta, _ := os.ReadFile(filepath.Join(bundle, models.FileMetadata))
	os.WriteFile(filepath.Join(bundle, models.FileMetadata), []byte(strings.Replace(string(meta), `"`+models.FileClusters+`"`, `"gone.tsv"`, 1)), 0o644)
	if _, err := models.LoadDir(bundle); err == nil || !strings.Contains(err.Error(), models.FileClusters+": missing") {
		t.Errorf("load without clusters.tsv: %v", err)
	}
}

func TestClustersCommandErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte("{\"id\":\"a\",\"title\":\"x\"}\nnot json\n"), 0o644)
	out := filepath.Join(t.TempDir(), "c.tsv")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"--data", trainSample}, "usage: vigil clusters"},
		{"levels not numbers", []string{"--data", trainSample, "--out", out, "--levels", "8,many"}, `"many" is not a number`},
		{"levels that do not nest", []string{"--data", trainSample, "--out", out, "--levels", "8,12"}, "divide the next"},
		{"bad line", []string{"--data", bad, "--out", out}, "bad.jsonl:2"},
		{"missing file", []string{"--data", "nope.jsonl", "--out", out}, "nope.jsonl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", append([]string{"clusters"}, tc.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %s; want exit %d with %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run wrote its output")
	}
}
