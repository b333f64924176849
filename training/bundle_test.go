package training

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	// The embedded taxonomy's rule scores belong to the embedded model: the
	// trainer says to refit them.
	if len(notes) != 2 || !strings.Contains(notes[0], "1454 documents") || !strings.Contains(notes[1], "--fit-rule-scores --models "+out) {
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

// With --own-labels each --data file speaks only for the labels its own
// documents carry: a corpus filed by rubric is no negative of a tag it
// never uses; without it every strong document speaks for every label.
func TestOwnLabels(t *testing.T) {
	gov := filepath.Join(t.TempDir(), "gov.jsonl")
	doc := `{"id":"g1","kind":"article","lang":"ru","title":"Аким Алматы провел отчетную встречу","tags":["government"]}` + "\n"
	if err := os.WriteFile(gov, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, own := range []bool{false, true} {
		p := smallParams()
		p.OwnLabels = own
		opts := BundleOptions{Data: []string{trainSample, gov}, Params: p}
		ds := preparedDataset(t, opts)
		names := ds.labelNames
		corpus, last := ds.trainEx[0], ds.trainEx[ds.nRepeat-1]
		if !own {
			if corpus.Only != nil || last.Only != nil {
				t.Errorf("without --own-labels: speaks for %v and %v, want every label", names(corpus.Only), names(last.Only))
			}
			continue
		}
		if got := names(corpus.Only); len(got) != 8 || slices.Contains(got, "government") || !slices.Contains(got, "economy") {
			t.Errorf("the corpus speaks for %v, want its eight rubrics", got)
		}
		if got := names(last.Only); !slices.Equal(got, []string{"government"}) {
			t.Errorf("the government file speaks for %v, want [government]", got)
		}
		if corpus.Knows(slices.IndexFunc(ds.labels, func(l classify.Label) bool { return l.Name == "government" })) {
			t.Error("a corpus document is a negative of government")
		}
	}
}

// preparedDataset reads opts's files and prepares their examples with all
// their labels.
func preparedDataset(t *testing.T, opts BundleOptions) *dataset {
	t.Helper()
	ds, err := readDataset(opts)
	if err != nil {
		t.Fatal(err)
	}
	ds.labels = collectLabels(ds.train, "all", &models.Taxonomy{})
	p := opts.Params
	if err := ds.prepare(context.Background(), opts, &p); err != nil {
		t.Fatal(err)
	}
	return ds
}

// labelNames are the names of the labels ls.
func (ds *dataset) labelNames(ls []int) (out []string) {
	for _, l := range ls {
		out = append(out, ds.labels[l].Name)
	}
	return out
}

// A weak file written PATH=LABEL+LABEL speaks only for its own labels; the
// other weak files for all of --weak-labels.
func TestWeakFileScope(t *testing.T) {
	opts := BundleOptions{Data: []string{trainSample},
		Weak:       []string{devSample + "=economy", devSample},
		WeakLabels: "economy,technology", Params: smallParams()}
	ds := preparedDataset(t, opts)
	if len(ds.weakFiles) != 2 || ds.weakFiles[0].Path != devSample || !slices.Equal(ds.weakFiles[0].Labels, []string{"economy"}) || ds.weakFiles[1].Labels != nil {
		t.Fatalf("weak files %+v", ds.weakFiles)
	}
	name := ds.labelNames
	n := ds.weakFiles[0].Docs
	first, second := ds.trainEx[ds.nStrong], ds.trainEx[ds.nStrong+n]
	if got := name(first.Only); !slices.Equal(got, []string{"economy"}) {
		t.Errorf("scoped file speaks for %v, want [economy]", got)
	}
	if got := name(second.Only); len(got) != 2 || !slices.Contains(got, "technology") {
		t.Errorf("plain weak file speaks for %v, want economy and technology", got)
	}
	for _, ex := range ds.trainEx[ds.nStrong : ds.nStrong+n] {
		if ls := name(ex.Labels); len(ls) > 0 && !slices.Equal(ls, []string{"economy"}) {
			t.Fatalf("scoped example keeps labels %v", ls)
		}
	}

	opts.Weak = []string{devSample + "=sport"}
	ds, err := readDataset(opts)
	if err != nil {
		t.Fatal(err)
	}
	ds.labels = collectLabels(ds.train, "all", &models.Taxonomy{})
	p := opts.Params
	if err := ds.prepare(context.Background(), opts, &p); !IsInputError(err) || !strings.Contains(err.Error(), `"sport"`) {
		t.Errorf("scope outside --weak-labels: error %v, want one naming sport", err)
	}
}

// A flag (or tag) a weak file carries beside --weak-labels is no output:
// nothing would train it, and a topic bundle with a flag output replaces
// that flag's head.
func TestWeakFileLabelsOutsideWeakLabels(t *testing.T) {
	weak := filepath.Join(t.TempDir(), "weak.jsonl")
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, `{"id":"w%d","kind":"comment","lang":"ru","body":"цены на бензин опять выросли %d","tags":["economy"],"flags":["toxic"]}`+"\n", i, i)
	}
	if err := os.WriteFile(weak, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := BundleOptions{Data: []string{trainSample}, Weak: []string{weak}, WeakLabels: "economy", Params: smallParams()}
	ds, err := readDataset(opts)
	if err != nil {
		t.Fatal(err)
	}
	labels := collectLabels(ds.labelSources(opts.weakLabelNames()), "all", &models.Taxonomy{})
	var names []string
	for _, l := range labels {
		names = append(names, l.Name)
	}
	if slices.Contains(names, "toxic") || !slices.Contains(names, "economy") {
		t.Errorf("labels %v: want economy and no toxic", names)
	}
	if got := ds.train[len(ds.train)-1].Flags; !slices.Equal(got, []string{"toxic"}) {
		t.Errorf("the weak documents themselves changed: flags %v", got)
	}
}
