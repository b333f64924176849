package training

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
)

const (
	trainSample = "../classify/testdata/topics_train_sample.jsonl"
	devSample   = "../classify/testdata/topics_dev_sample.jsonl"
)

// smallParams keep a training run to a second.
func smallParams() Params {
	p := Params{Labels: "all", Features: classify.DefaultFeatures(), Epochs: 2, LR: 1, Seed: 1, Shards: 2, Batch: 256, Vocab: 1000}
	p.Features.BucketBits = 16
	return p
}

// countingProgress counts the progress calls of each pass.
type countingProgress map[string]int

func (c countingProgress) Start(what string, _ int)               { c[what+" start"]++ }
func (c countingProgress) Epoch(what string, _, _ int, _ float64) { c[what+" epoch"]++ }
func (c countingProgress) Finish(what string)                     { c[what+" finish"]++ }

func TestTrainBundle(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bundle")
	prog := countingProgress{}
	var notes []string
	res, err := TrainBundle(context.Background(), BundleOptions{Data: []string{trainSample}, Dev: []string{devSample},
		Out: out, Params: smallParams(), Progress: prog, Note: func(m string) { notes = append(notes, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.HeldOut || res.Report == nil || res.ClassifierBytes == 0 || !strings.HasPrefix(res.Meta.Version, "topics-") {
		t.Errorf("result %+v", res)
	}
	if prog["training start"] != 1 || prog["training epoch"] != 2 || prog["training finish"] != 1 || len(prog) != 3 {
		t.Errorf("progress %v: want one pass of two epochs", prog)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "1454 documents") {
		t.Errorf("notes %q", notes)
	}
	b, err := models.LoadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Meta.Labels) != 8 || b.Meta.Dev[0].Docs != 432 {
		t.Errorf("metadata: labels %v, dev %+v", b.Meta.Labels, b.Meta.Dev)
	}
}

func TestTrainBundleInputErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts BundleOptions
		want string
	}{
		{"missing file", BundleOptions{Data: []string{"nope.jsonl"}}, "nope.jsonl"},
		{"weak dev without dev", BundleOptions{Data: []string{trainSample}, WeakDev: []string{devSample}}, "--weak-dev"},
		{"no flags", BundleOptions{Data: []string{trainSample}, Params: Params{Labels: "flags"}}, "no flags"},
		{"bad taxonomy", BundleOptions{Data: []string{trainSample}, Taxonomy: "nope.yaml"}, "taxonomy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Out = t.TempDir()
			_, err := TrainBundle(context.Background(), tc.opts)
			if !IsInputError(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v: want an InputError naming %q", err, tc.want)
			}
		})
	}
}
