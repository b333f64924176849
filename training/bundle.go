package training

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Params are the training parameters recorded in the bundle's metadata.
type Params struct {
	Labels       string                 `json:"labels"`
	Features     classify.FeatureConfig `json:"features"`
	Epochs       int                    `json:"epochs"`
	LR           float64                `json:"lr"`
	NoNB         bool                   `json:"no_nb,omitempty"`
	Seed         uint64                 `json:"seed"`
	Shards       int                    `json:"shards"`
	Batch        int                    `json:"batch"`
	Vocab        int                    `json:"bpe_vocab"`
	Tokenizer    string                 `json:"tokenizer,omitempty"`
	DevFraction  float64                `json:"dev_fraction,omitempty"`
	MinPrecision map[string]float64     `json:"min_precision,omitempty"`
	// WeakLabels are the labels the weak files speak for (--weak-labels).
	WeakLabels string `json:"weak_labels,omitempty"`
	// OwnLabels makes each --data file speak only for the labels its
	// documents carry (--own-labels): a corpus that files a document under
	// one rubric says nothing of the taxonomy's other tags, so its
	// documents are negatives of the corpus's other labels only, not of
	// government or conflict (a state act filed under economy).
	OwnLabels bool `json:"own_labels,omitempty"`
	// RepeatParallel is how many times each document of a group of
	// translations counts (--repeat-parallel), 0 for once.
	RepeatParallel int `json:"repeat_parallel,omitempty"`
	// Clusters is the word clusters file trained with (--clusters), as
	// given; empty without.
	Clusters string `json:"clusters,omitempty"`
	// Dict is how the word dictionary was learned (--dict), nil without.
	Dict *classify.DictOptions `json:"dict,omitempty"`
	// Calibrated names the labels whose scores were calibrated (Platt).
	Calibrated []string `json:"calibrated,omitempty"`
}

// BundleOptions say what TrainBundle learns from and how. Params.Labels
// is tags, flags or all; Params.Tokenizer, WeakLabels, Dict and
// Calibrated are filled from the other options.
type BundleOptions struct {
	// Data are the training files; Dev the files thresholds and
	// calibration are chosen on (none: a held-out Params.DevFraction of
	// Data, after which the model is refit on all of it).
	Data, Dev []string
	// Once are more training files whose documents count once even when
	// they have translations (Params.RepeatParallel skips them); their
	// translations still teach the dictionary. Sentences the project
	// wrote itself go here: repeated like the SIB-200 ones they crowd
	// out the headlines.
	Once []string
	// Weak and WeakDev are weakly labelled training and dev files: they
	// count only for WeakLabels (comma-separated), and a weak dev document
	// only for the labels no gold dev document carries. A training file
	// written PATH=LABEL+LABEL speaks for those labels instead (they must
	// be among WeakLabels).
	Weak, WeakDev []string
	WeakLabels    string
	// Kinds are the document kinds the bundle is for (Metadata.Kinds):
	// empty for every kind, or [comment] for the comments' own topic model.
	Kinds []string
	// Taxonomy is a taxonomy.yaml file to ship; empty: the embedded one.
	Taxonomy string
	// Tokenizer is a tokenizer.json file to reuse; empty: one is trained.
	Tokenizer string
	// Clusters is a clusters.tsv file (vigil clusters) to train with and
	// ship; empty: none.
	Clusters string
	Params   Params
	// Dict configures the word dictionary when Params.Features.Dictionary.
	Dict classify.DictOptions
	// Threads is how many training threads (0: every core); it does not
	// change the result.
	Threads int
	// Out is the bundle directory to write.
	Out string
	// Command and Created are recorded in the metadata (Created: RFC 3339,
	// empty for none).
	Command, Created string
	// Progress, when set, hears each training pass.
	Progress Progress
	// Note, when set, hears what the training run says along the way
	// (documents and labels, the dictionary, tags added to the taxonomy).
	Note func(msg string)
}

// Progress hears how a training pass ("training", "refit on all data")
// goes: Start before the first epoch, Epoch after each, Finish at the end
// (also when the pass fails).
type Progress interface {
	Start(what string, epochs int)
	Epoch(what string, epoch, epochs int, loss float64)
	Finish(what string)
}

// BundleResult is what TrainBundle wrote and how the model did.
type BundleResult struct {
	// Meta is the bundle's metadata as written.
	Meta models.Metadata
	// Report is the evaluation on the threshold data (Dev, or the
	// held-out part of Data before the refit), at the chosen thresholds.
	Report *classify.Report
	// HeldOut says the threshold data was held out of Data.
	HeldOut bool
	// ClassifierBytes is the size of the classifier file.
	ClassifierBytes int
	// Elapsed is the wall time from reading the data to the trained model.
	Elapsed time.Duration
}

// InputError is an error in the options or the data files (a missing or
// bad file, nothing to learn), as opposed to a failure of training or
// writing. Its text is the underlying error's.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// inputErr returns an InputError with a formatted message.
func inputErr(format string, a ...any) error { return &InputError{fmt.Errorf(format, a...)} }

// IsInputError says whether err is an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// dataset is the documents a bundle is trained on, strong ones first in
// each list, and the files they came from.
type dataset struct {
	train, dev           []vigil.Document
	nStrong, nStrongDev  int
	nRepeat              int // the documents of Data, which RepeatParallel counts
	trainFiles, devFiles []models.DataFile
	onceFiles            []models.DataFile // after trainFiles' documents
	// weakFiles are in the order their documents follow the strong ones;
	// a file's Labels, when set, are what its documents speak for.
	weakFiles, weakDevFiles []models.DataFile
	trainFields             [][]pipeline.Field
	trainEx, devEx          []classify.Example
	labels                  []classify.Label
	names                   []string
}

// TrainBundle trains a topic (or flag) model bundle from labeled documents
// and writes it to opts.Out. Errors in the options or data are
// InputErrors; ctx ending stops it with ctx's error.
func TrainBundle(ctx context.Context, opts BundleOptions) (*BundleResult, error) {
	p := opts.Params
	note := opts.Note
	if note == nil {
		note = func(string) {}
	}
	tax, taxData, err := loadTaxonomy(opts.Taxonomy)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	ds, err := readDataset(opts)
	if err != nil {
		return nil, err
	}
	if ds.labels = collectLabels(ds.labelSources(opts.weakLabelNames()), p.Labels, tax); len(ds.labels) == 0 {
		return nil, inputErr("%s: no %s in the data to learn", strings.Join(opts.Data, ","), p.Labels)
	}
	for _, l := range ds.labels {
		ds.names = append(ds.names, l.Name)
	}
	note(fmt.Sprintf("%d documents; labels (%d): %s", len(ds.train), len(ds.labels), strings.Join(ds.names, ", ")))
	if err := ds.prepare(ctx, opts, &p); err != nil {
		return nil, err
	}
	tokJSON, sub, err := tokenizer(opts, &p, ds.train)
	if err != nil {
		return nil, err
	}
	dict, dictTSV, err := dictionary(opts, &p, ds)
	if err != nil {
		return nil, err
	}
	if dict != nil {
		note(fmt.Sprintf("dictionary of %d words", dict.Len()))
	}
	clusters, clustersTSV, err := wordClusters(opts, &p)
	if err != nil {
		return nil, err
	}
	m, devScores, report, err := fit(ctx, opts, &p, ds, sub, dict, clusters)
	if err != nil {
		return nil, err
	}
	res := &BundleResult{Report: report, HeldOut: len(opts.Dev) == 0, Elapsed: time.Since(start)}
	var mb bytes.Buffer
	if _, err := m.WriteTo(&mb); err != nil {
		return nil, err
	}
	res.ClassifierBytes = mb.Len()
	for _, l := range ds.labels { // a label the taxonomy lacks is shipped without an IPTC code
		if _, ok := tax.Tag(l.Name); !ok && l.Kind == classify.KindTag {
			note(fmt.Sprintf("note: tag %q is not in the taxonomy; added without an IPTC code", l.Name))
			tax.Tags = append(tax.Tags, models.TaxonomyTag{Name: l.Name})
			if taxData, err = tax.Marshal(); err != nil {
				return nil, err
			}
		}
	}
	if len(tax.RuleScores) > 0 { // fitted against another model's scores
		note(fmt.Sprintf("note: the taxonomy's rule_scores were fitted with the model it came with; refit them for this one "+
			"(vigil eval --fit-rule-scores --models %s, docs/models.md)", opts.Out))
	}
	meta := ds.metadata(opts, p, devScores, report, res.Elapsed)
	files := []models.File{
		{Name: models.FileTokenizer, Data: tokJSON},
		{Name: models.FileTopics, Data: mb.Bytes()},
		{Name: models.FileTaxonomy, Data: taxData}}
	if dict != nil {
		files = append(files, models.File{Name: models.FileDictionary, Data: dictTSV})
	}
	if clusters != nil {
		files = append(files, models.File{Name: models.FileClusters, Data: clustersTSV})
	}
	if res.Meta, err = models.Write(opts.Out, meta, files...); err != nil {
		return nil, fmt.Errorf("write %s: %w", opts.Out, err)
	}
	return res, nil
}

// loadTaxonomy reads and parses the taxonomy file, or the embedded one.
func loadTaxonomy(path string) (*models.Taxonomy, []byte, error) {
	taxData, err := models.DefaultTaxonomy()
	if path != "" {
		taxData, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, nil, inputErr("taxonomy: %v", err)
	}
	tax, err := models.ParseTaxonomy(taxData)
	if err != nil {
		return nil, nil, inputErr("%s: %v", path, err)
	}
	return tax, taxData, nil
}

// readDataset reads the training, dev and weak files.
func readDataset(opts BundleOptions) (*dataset, error) {
	ds := &dataset{}
	var err error
	if ds.train, ds.trainFiles, err = models.ReadData(opts.Data...); err != nil {
		return nil, &InputError{err}
	}
	ds.nRepeat = len(ds.train)
	if len(opts.Once) > 0 {
		d, f, err := models.ReadData(opts.Once...)
		if err != nil {
			return nil, &InputError{err}
		}
		ds.train, ds.onceFiles = append(ds.train, d...), f
	}
	if len(opts.Dev) > 0 {
		if ds.dev, ds.devFiles, err = models.ReadData(opts.Dev...); err != nil {
			return nil, &InputError{err}
		}
	}
	ds.nStrong, ds.nStrongDev = len(ds.train), len(ds.dev)
	for _, w := range opts.Weak {
		path, scope := splitScope(w)
		d, f, err := models.ReadData(path)
		if err != nil {
			return nil, &InputError{err}
		}
		f[0].Labels = scope
		ds.train, ds.weakFiles = append(ds.train, d...), append(ds.weakFiles, f...)
	}
	if len(opts.WeakDev) > 0 {
		d, f, err := models.ReadData(opts.WeakDev...)
		if err != nil {
			return nil, &InputError{err}
		}
		ds.dev, ds.weakDevFiles = append(ds.dev, d...), append(ds.weakDevFiles, f...)
	}
	if len(opts.WeakDev) > 0 && len(opts.Dev) == 0 {
		return nil, inputErr("--weak-dev goes with --dev")
	}
	return ds, nil
}

// prepare normalizes and tokenizes the documents into examples; weak
// documents speak only for the weak labels.
func (ds *dataset) prepare(ctx context.Context, opts BundleOptions, p *Params) error {
	ds.trainFields = pipeline.PrepareFields(ctx, ds.train, opts.Threads)
	devFields := pipeline.PrepareFields(ctx, ds.dev, opts.Threads)
	ds.trainEx = examples(ds.train, ds.trainFields, ds.labels, p.Labels)
	ds.devEx = examples(ds.dev, devFields, ds.labels, p.Labels)
	weak := len(opts.Weak) > 0 || len(opts.WeakDev) > 0
	var only []int // what weak documents speak for
	weakLabels := opts.weakLabelNames()
	for i, l := range ds.labels {
		if slices.Contains(weakLabels, l.Name) {
			only = append(only, i)
		}
	}
	if weak {
		p.WeakLabels = opts.WeakLabels
	}
	if weak && only == nil {
		return inputErr("--weak-labels %q: none of them is in the data", opts.WeakLabels)
	}
	if p.OwnLabels {
		ds.ownLabels()
	}
	start := ds.nStrong
	for _, f := range ds.weakFiles {
		scope := only
		if f.Labels != nil {
			scope = nil
			for _, n := range f.Labels {
				j := slices.IndexFunc(ds.labels, func(l classify.Label) bool { return l.Name == n })
				if j < 0 || !slices.Contains(only, j) {
					return inputErr("--weak: label %q of a file's scope is not among --weak-labels %q", n, opts.WeakLabels)
				}
				scope = append(scope, j)
			}
		}
		weakOnly(ds.trainEx[start:start+f.Docs], scope)
		start += f.Docs
	}
	// A label the gold dev documents carry is calibrated and thresholded
	// on them alone: weak dev documents speak only for the others, so a
	// label that means something a little different in the weak labels
	// keeps the threshold its gold data asks for.
	devOnly := []int{} // not nil: nil would mean every label
	for _, l := range only {
		if !slices.ContainsFunc(ds.devEx[:ds.nStrongDev], func(ex classify.Example) bool { return slices.Contains(ex.Labels, l) }) {
			devOnly = append(devOnly, l)
		}
	}
	weakOnly(ds.devEx[ds.nStrongDev:], devOnly)
	return ctx.Err()
}

// labelSources returns the documents whose labels become the model's
// outputs: the strong ones whole, the weak ones with only the labels of
// weakLabels, which are all a weak document speaks for (prepare). A flag
// or tag a weak file carries beside those (the toxicity corpus's toxic on
// comments labelled for topics) would otherwise become an output that
// nothing trains, and a topic bundle with a flag output replaces that
// flag's head (models.Head.Provides).
func (ds *dataset) labelSources(weakLabels []string) []vigil.Document {
	if ds.nStrong == len(ds.train) {
		return ds.train
	}
	outside := func(l string) bool { return !slices.Contains(weakLabels, l) }
	out := slices.Clone(ds.train[:ds.nStrong])
	for _, d := range ds.train[ds.nStrong:] {
		d.Tags = slices.DeleteFunc(slices.Clone(d.Tags), outside)
		d.Flags = slices.DeleteFunc(slices.Clone(d.Flags), outside)
		out = append(out, d)
	}
	return out
}

// weakLabelNames are the names --weak-labels lists.
func (o *BundleOptions) weakLabelNames() []string { return strings.Split(o.WeakLabels, ",") }

// splitScope splits a --weak entry PATH=LABEL+LABEL into the path and
// the labels; a plain PATH has no scope (nil).
func splitScope(w string) (string, []string) {
	path, labels, ok := strings.Cut(w, "=")
	if !ok {
		return w, nil
	}
	return path, strings.Split(labels, "+")
}

// ownLabels makes each --data file's documents speak only for the labels
// that file's documents carry (Params.OwnLabels). The --once files keep
// speaking for every label: the project wrote them in the taxonomy's sense.
func (ds *dataset) ownLabels() {
	start := 0
	for _, f := range ds.trainFiles {
		ex := ds.trainEx[start : start+f.Docs]
		var own []int
		for _, e := range ex {
			own = append(own, e.Labels...)
		}
		slices.Sort(own)
		own = slices.Compact(own)
		if own == nil {
			own = []int{} // not nil: nil would mean every label
		}
		weakOnly(ex, own)
		start += f.Docs
	}
}

// weakOnly makes ex speak only for the labels only.
func weakOnly(ex []classify.Example, only []int) {
	for i := range ex {
		ex[i].Only = only
		ex[i].Labels = slices.DeleteFunc(ex[i].Labels, func(l int) bool { return !slices.Contains(only, l) })
	}
}

// tokenizer returns the tokenizer: read from opts.Tokenizer, or trained on
// the training words.
func tokenizer(opts BundleOptions, p *Params, docs []vigil.Document) ([]byte, *classify.Subwords, error) {
	var tokJSON []byte
	if opts.Tokenizer != "" {
		p.Tokenizer = opts.Tokenizer
		var err error
		if tokJSON, err = os.ReadFile(opts.Tokenizer); err != nil {
			return nil, nil, &InputError{err}
		}
	} else {
		texts := make([]string, 0, 2*len(docs))
		for _, d := range docs {
			texts = append(texts, d.Title, d.Body)
		}
		var b bytes.Buffer
		if err := classify.TrainTokenizer(texts, classify.BPEOptions{VocabSize: p.Vocab}, &b); err != nil {
			return nil, nil, fmt.Errorf("tokenizer: %w", err)
		}
		tokJSON = b.Bytes()
	}
	sub, err := classify.LoadSubwords(bytes.NewReader(tokJSON))
	if err != nil {
		return nil, nil, inputErr("tokenizer: %v", err)
	}
	return tokJSON, sub, nil
}

// dictionary learns the word dictionary, when the features want one, from
// the strong training documents' pairs of translations.
func dictionary(opts BundleOptions, p *Params, ds *dataset) (*classify.Dictionary, []byte, error) {
	if !p.Features.Dictionary {
		return nil, nil, nil
	}
	dictOpt := opts.Dict.WithDefaults() // the pivot chooses the texts below
	p.Dict = &dictOpt
	docs, fields := ds.train[:ds.nStrong], ds.trainFields
	dict := classify.BuildDictionary(translations(docs, fields, dictOpt.Pivot),
		langTexts(docs, fields, dictOpt.Pivot), langTexts(docs, fields, "ru"), dictOpt)
	var b bytes.Buffer
	if _, err := dict.WriteTo(&b); err != nil {
		return nil, nil, fmt.Errorf("dictionary: %w", err)
	}
	return dict, b.Bytes(), nil
}

// wordClusters reads the word clusters to train with, when given.
func wordClusters(opts BundleOptions, p *Params) (*classify.Clusters, []byte, error) {
	p.Features.Clusters, p.Clusters = opts.Clusters != "", filepath.ToSlash(opts.Clusters)
	if opts.Clusters == "" {
		return nil, nil, nil
	}
	data, err := os.ReadFile(opts.Clusters)
	if err != nil {
		return nil, nil, inputErr("clusters: %v", err)
	}
	c, err := classify.ReadClusters(bytes.NewReader(data))
	if err != nil {
		return nil, nil, inputErr("%s: %v", opts.Clusters, err)
	}
	return c, data, nil
}

// fit trains the model, calibrates its scores and chooses its thresholds
// on the threshold data, and without dev data refits it on all of it.
func fit(ctx context.Context, opts BundleOptions, p *Params, ds *dataset, sub *classify.Subwords, dict *classify.Dictionary, clusters *classify.Clusters) (*classify.Model, []classify.DevScore, *classify.Report, error) {
	heldOutSplit := len(opts.Dev) == 0
	times := make([]int, len(ds.train)) // how many times each document counts
	for i := range times {
		times[i] = 1
	}
	if p.RepeatParallel > 1 {
		for _, i := range parallelDocs(ds.train[:ds.nRepeat]) {
			times[i] = p.RepeatParallel
		}
	}
	fitEx, threshEx := repeated(ds.trainEx, times, nil), ds.devEx
	if heldOutSplit {
		fitEx, threshEx = holdOut(ds.train, ds.trainEx, times, p.DevFraction)
	}
	opt := classify.TrainOptions{Features: p.Features, Epochs: p.Epochs, LR: p.LR, NoNB: p.NoNB, Seed: p.Seed,
		Shards: p.Shards, Batch: p.Batch, Threads: opts.Threads, Dictionary: dict, Clusters: clusters}
	m, err := trainPass(ctx, opts.Progress, "training", ds.labels, fitEx, sub, opt)
	if err != nil {
		return nil, nil, nil, err
	}
	// Scores become calibrated probabilities (Platt scaling on the same
	// held-out data), then thresholds are chosen on that scale.
	if p.Calibrated, err = m.Calibrate(threshEx); err != nil {
		return nil, nil, nil, fmt.Errorf("calibrate: %w", err)
	}
	devScores, err := m.SelectThresholds(threshEx, p.MinPrecision)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("thresholds: %w", err)
	}
	report := evaluateModel(m, threshEx, threshDocs(heldOutSplit, ds.train, ds.dev, p.DevFraction), p.Labels)
	if heldOutSplit {
		final, err := trainPass(ctx, opts.Progress, "refit on all data", ds.labels, repeated(ds.trainEx, times, nil), sub, opt)
		if err != nil {
			return nil, nil, nil, err
		}
		for i := range final.Labels {
			final.Labels[i].Threshold = m.Labels[i].Threshold
			final.Labels[i].CalibA, final.Labels[i].CalibB = m.Labels[i].CalibA, m.Labels[i].CalibB
		}
		m = final
	}
	return m, devScores, report, nil
}

// trainPass trains one model on ex, telling progress.
func trainPass(ctx context.Context, progress Progress, what string, labels []classify.Label, ex []classify.Example, sub *classify.Subwords, opt classify.TrainOptions) (*classify.Model, error) {
	if progress != nil {
		progress.Start(what, opt.Epochs)
		defer progress.Finish(what)
		opt.Progress = func(epoch, epochs int, loss float64) { progress.Epoch(what, epoch, epochs, loss) }
	}
	return classify.Train(ctx, labels, ex, sub, opt)
}

// metadata is the bundle's metadata before the files are added.
func (ds *dataset) metadata(opts BundleOptions, p Params, devScores []classify.DevScore, report *classify.Report, elapsed time.Duration) models.Metadata {
	params, _ := json.Marshal(p)
	prefix := "flags" // the version id says what the bundle classifies
	for _, l := range ds.labels {
		if l.Kind == classify.KindTag {
			prefix = "topics"
		}
	}
	if models.ForComments(opts.Kinds) {
		prefix = "comments"
	}
	return models.Metadata{
		Version:      prefix,
		Kinds:        opts.Kinds,
		Created:      opts.Created,
		Command:      opts.Command,
		Data:         ds.trainFiles,
		Dev:          ds.devFiles,
		Once:         ds.onceFiles,
		Weak:         ds.weakFiles,
		WeakDev:      ds.weakDevFiles,
		Labels:       ds.names,
		Params:       params,
		DevScores:    devScores,
		DevReport:    report,
		TrainSeconds: float64(elapsed.Milliseconds()) / 1000,
		Toolchain:    runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
	}
}
