package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

func init() {
	register("train", command{
		summary: "train a model bundle (tokenizer, classifier, thresholds, metadata) from labeled JSONL",
		run:     runTrain,
	})
}

// trainParams are the training parameters recorded in the bundle's
// metadata.
type trainParams struct {
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
	// RepeatParallel is how many times each document of a group of
	// translations counts (--repeat-parallel), 0 for once.
	RepeatParallel int `json:"repeat_parallel,omitempty"`
	// Dict is how the word dictionary was learned (--dict), nil without.
	Dict *classify.DictOptions `json:"dict,omitempty"`
	// Calibrated names the labels whose scores were calibrated (Platt).
	Calibrated []string `json:"calibrated,omitempty"`
}

func runTrain(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil train --data FILE[,FILE...] [--dev FILE[,FILE...]] --out DIR [flags]\n\n"+
			"Trains a model bundle from labeled JSONL documents (their tags and flags are the\n"+
			"labels): a BPE tokenizer, the classifier, per-label thresholds chosen on --dev (or on\n"+
			"a held-out tenth of --data), the taxonomy and metadata.json. Same data and flags give\n"+
			"the same tokenizer and classifier, bit for bit.\n\nflags:")
		fs.PrintDefaults()
	}
	def := classify.DefaultFeatures()
	var (
		data, dev, out, taxonomy, tokenizer, labelsFrom, minPrec string
		weak, weakDev, weakLabels                                string
		p                                                        = trainParams{Features: def}
		threads                                                  int
		quiet                                                    bool
	)
	fs.StringVar(&data, "data", "", "training `FILES`, JSONL, comma-separated")
	fs.StringVar(&dev, "dev", "", "dev `FILES` the thresholds are chosen on (default: a held-out part of --data)")
	fs.StringVar(&out, "out", "", "bundle `DIR` to write")
	fs.StringVar(&weak, "weak", "", "weakly labelled training `FILES` (e.g. by rules): they count only for --weak-labels")
	fs.StringVar(&weakDev, "weak-dev", "", "weakly labelled dev `FILES` for thresholds and calibration of those --weak-labels no --dev document carries")
	fs.StringVar(&weakLabels, "weak-labels", "conflict,government,politics,incidents,religion,health", "the `LABELS` the weak files speak for: a weak document is a positive of those it carries, a negative of the others listed, and says nothing of the rest")
	fs.StringVar(&labelsFrom, "labels", "all", "which gold labels to learn: tags, flags or all")
	fs.StringVar(&taxonomy, "taxonomy", "", "taxonomy.yaml `FILE` to ship (default: the embedded one)")
	fs.StringVar(&tokenizer, "tokenizer", "", "reuse this tokenizer.json `FILE` instead of training one")
	fs.IntVar(&p.Vocab, "vocab", classify.DefaultBPEVocabSize, "BPE vocabulary size")
	fs.IntVar(&p.Features.BucketBits, "bucket-bits", def.BucketBits, "log2 of the feature hash table size")
	fs.BoolVar(&p.Features.KazakhStems, "kk-stems", false, "add Kazakh words stripped of their endings (pipeline.KazakhStem) as features")
	fs.BoolVar(&p.Features.EnglishStems, "en-stems", false, "add English words' Snowball stems as features")
	fs.BoolVar(&p.Features.Dictionary, "dict", false, "learn a Kazakh/English → Russian word dictionary from the parallel training documents (ids that differ only in the language part, sib-kk-17 and sib-ru-17) and add each known word's Russian translation as a feature; ships as "+models.FileDictionary)
	dictOpt := classify.DictOptions{}
	fs.IntVar(&dictOpt.MinCount, "dict-min-count", 2, "with --dict: sentence pairs a word and its translation must share")
	fs.Float64Var(&dictOpt.MinDice, "dict-min-dice", 0.3, "with --dict: least Dice coefficient of a word and its translation")
	fs.StringVar(&dictOpt.Pivot, "dict-pivot", "ru", "with --dict: the `LANG` words are translated into, ru or en")
	fs.IntVar(&p.RepeatParallel, "repeat-parallel", 0, "count every training document that has a translation in the training data (sib-kk-17, sib-ru-17, sib-en-17) `N` times: they are all the Kazakh and English there is")
	fs.IntVar(&p.Epochs, "epochs", 10, "passes over the training data")
	fs.Float64Var(&p.LR, "lr", 1, "initial learning rate (decays linearly to 0)")
	fs.BoolVar(&p.NoNB, "no-nb", false, "train without the NB (log-count ratio) scaling of the weights")
	fs.Uint64Var(&p.Seed, "seed", 1, "random seed (example order)")
	fs.IntVar(&p.Shards, "shards", 2, "logical SGD workers whose updates are merged after each round (the result depends on it, not on --threads)")
	fs.IntVar(&p.Batch, "batch", 256, "examples per shard and round")
	fs.IntVar(&threads, "threads", 0, "training threads (default: every core); does not change the result")
	fs.Float64Var(&p.DevFraction, "dev-fraction", 0.1, "without --dev: share of --data held out for thresholds")
	fs.StringVar(&minPrec, "min-precision", "", "target precision per label instead of best F1: a `LIST` like toxic=0.9,security=0.85")
	fs.BoolVar(&quiet, "quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "vigil train: "+format+"\n", a...)
		return exitUsage
	}
	if data == "" || out == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	if labelsFrom != "tags" && labelsFrom != "flags" && labelsFrom != "all" {
		return usage("--labels %q: want tags, flags or all", labelsFrom)
	}
	p.Labels = labelsFrom
	var err error
	if p.MinPrecision, err = parseLabelFloats(minPrec); err != nil {
		return usage("--min-precision: %v", err)
	}
	if err := p.Features.Validate(); err != nil {
		return usage("%v", vigil.ErrorMessage(err))
	}
	if dictOpt.Pivot != "ru" && dictOpt.Pivot != "en" {
		return usage("--dict-pivot %q: want ru or en", dictOpt.Pivot)
	}
	if dev != "" {
		p.DevFraction = 0
	} else if !(p.DevFraction > 0 && p.DevFraction < 1) {
		return usage("--dev-fraction %v: want a share in (0, 1)", p.DevFraction)
	}
	taxData, err := models.DefaultTaxonomy()
	if taxonomy != "" {
		taxData, err = os.ReadFile(taxonomy)
	}
	if err != nil {
		return usage("taxonomy: %v", err)
	}
	tax, err := models.ParseTaxonomy(taxData)
	if err != nil {
		return usage("%s: %v", taxonomy, err)
	}

	start := time.Now()
	trainDocs, trainFiles, err := readDocFiles(data)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil train: %v\n", err)
		return exitUsage
	}
	var devDocs []vigil.Document
	var devFiles []models.DataFile
	if dev != "" {
		if devDocs, devFiles, err = readDocFiles(dev); err != nil {
			fmt.Fprintf(e.stderr, "vigil train: %v\n", err)
			return exitUsage
		}
	}
	nStrong, nStrongDev := len(trainDocs), len(devDocs)
	var weakFiles, weakDevFiles []models.DataFile
	for _, w := range []struct {
		list  string
		docs  *[]vigil.Document
		files *[]models.DataFile
	}{{weak, &trainDocs, &weakFiles}, {weakDev, &devDocs, &weakDevFiles}} {
		if w.list == "" {
			continue
		}
		d, f, err := readDocFiles(w.list)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil train: %v\n", err)
			return exitUsage
		}
		*w.docs, *w.files = append(*w.docs, d...), append(*w.files, f...)
	}
	if weakDev != "" && dev == "" {
		return usage("--weak-dev goes with --dev")
	}
	labels := collectLabels(trainDocs, labelsFrom, tax)
	if len(labels) == 0 {
		return usage("%s: no %s in the data to learn", data, labelsFrom)
	}
	names := make([]string, len(labels))
	for i, l := range labels {
		names[i] = l.Name
	}
	fmt.Fprintf(e.stderr, "vigil train: %d documents; labels (%d): %s\n", len(trainDocs), len(labels), strings.Join(names, ", "))

	trainFields := pipeline.PrepareFields(ctx, trainDocs, threads)
	devFields := pipeline.PrepareFields(ctx, devDocs, threads)
	trainEx := examples(trainDocs, trainFields, labels, labelsFrom)
	devEx := examples(devDocs, devFields, labels, labelsFrom)
	var only []int // what weak documents speak for
	for i, l := range labels {
		if slices.Contains(strings.Split(weakLabels, ","), l.Name) {
			only = append(only, i)
		}
	}
	if weak != "" || weakDev != "" {
		p.WeakLabels = weakLabels
	}
	if (weak != "" || weakDev != "") && only == nil {
		return usage("--weak-labels %q: none of them is in the data", weakLabels)
	}
	weakOnly := func(ex []classify.Example, only []int) {
		for i := range ex {
			ex[i].Only = only
			ex[i].Labels = slices.DeleteFunc(ex[i].Labels, func(l int) bool { return !slices.Contains(only, l) })
		}
	}
	weakOnly(trainEx[nStrong:], only)
	// A label the gold dev documents carry is calibrated and thresholded
	// on them alone: weak dev documents speak only for the others, so a
	// label that means something a little different in the weak labels
	// keeps the threshold its gold data asks for.
	devOnly := []int{} // not nil: nil would mean every label
	for _, l := range only {
		if !slices.ContainsFunc(devEx[:nStrongDev], func(ex classify.Example) bool { return slices.Contains(ex.Labels, l) }) {
			devOnly = append(devOnly, l)
		}
	}
	weakOnly(devEx[nStrongDev:], devOnly)
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(e.stderr, "vigil train: %v\n", err)
		return exitFail
	}

	// The tokenizer: trained on the training words, unless one is given.
	var tokJSON []byte
	if tokenizer != "" {
		p.Tokenizer = tokenizer
		if tokJSON, err = os.ReadFile(tokenizer); err != nil {
			return usage("%v", err)
		}
	} else {
		texts := make([]string, 0, 2*len(trainDocs))
		for _, d := range trainDocs {
			texts = append(texts, d.Title, d.Body)
		}
		var b bytes.Buffer
		if err := classify.TrainTokenizer(texts, classify.BPEOptions{VocabSize: p.Vocab}, &b); err != nil {
			fmt.Fprintf(e.stderr, "vigil train: tokenizer: %v\n", err)
			return exitFail
		}
		tokJSON = b.Bytes()
	}
	sub, err := classify.LoadSubwords(bytes.NewReader(tokJSON))
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil train: tokenizer: %v\n", err)
		return exitUsage
	}

	// The dictionary: learned from the strong training documents' pairs
	// of translations.
	var dict *classify.Dictionary
	var dictTSV []byte
	if p.Features.Dictionary {
		dictOpt.PerWord = 1
		p.Dict = &dictOpt
		dict = classify.BuildDictionary(translations(trainDocs[:nStrong], trainFields, dictOpt.Pivot),
			langTexts(trainDocs[:nStrong], trainFields, dictOpt.Pivot), langTexts(trainDocs[:nStrong], trainFields, "ru"), dictOpt)
		var b bytes.Buffer
		if _, err := dict.WriteTo(&b); err != nil {
			fmt.Fprintf(e.stderr, "vigil train: dictionary: %v\n", err)
			return exitFail
		}
		dictTSV = b.Bytes()
		fmt.Fprintf(e.stderr, "vigil train: dictionary of %d words\n", dict.Len())
	}

	// Without dev data, thresholds are chosen on a held-out part of the
	// training data, then the model is refit on all of it.
	times := make([]int, len(trainDocs)) // how many times each document counts
	for i := range times {
		times[i] = 1
	}
	if p.RepeatParallel > 1 {
		for _, i := range parallelDocs(trainDocs[:nStrong]) {
			times[i] = p.RepeatParallel
		}
	}
	fitEx, threshEx := repeated(trainEx, times, nil), devEx
	if dev == "" {
		fitEx, threshEx = holdOut(trainDocs, trainEx, times, p.DevFraction)
	}
	opt := classify.TrainOptions{Features: p.Features, Epochs: p.Epochs, LR: p.LR, NoNB: p.NoNB, Seed: p.Seed,
		Shards: p.Shards, Batch: p.Batch, Threads: threads, Dictionary: dict}
	train := func(ex []classify.Example, what string) (*classify.Model, error) {
		var bar *progressbar.ProgressBar
		if !quiet {
			bar = progressbar.NewOptions(p.Epochs, progressbar.OptionSetWriter(e.stderr),
				progressbar.OptionSetDescription(what), progressbar.OptionShowCount(),
				progressbar.OptionClearOnFinish())
		}
		o := opt
		o.Progress = func(epoch, epochs int, loss float64) {
			if bar != nil {
				bar.Describe(fmt.Sprintf("%s (loss %.4f)", what, loss))
				bar.Set(epoch)
			}
		}
		m, err := classify.Train(ctx, labels, ex, sub, o)
		if bar != nil {
			bar.Finish()
		}
		return m, err
	}
	m, err := train(fitEx, "training")
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil train: %v\n", err)
		return exitFail
	}
	// Scores become calibrated probabilities (Platt scaling on the same
	// held-out data), then thresholds are chosen on that scale.
	if p.Calibrated, err = m.Calibrate(threshEx); err != nil {
		fmt.Fprintf(e.stderr, "vigil train: calibrate: %v\n", err)
		return exitFail
	}
	devScores, err := m.SelectThresholds(threshEx, p.MinPrecision)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil train: thresholds: %v\n", err)
		return exitFail
	}
	report := evaluateModel(m, threshEx, threshDocs(dev == "", trainDocs, devDocs, p.DevFraction), labelsFrom)
	if dev == "" {
		final, err := train(repeated(trainEx, times, nil), "refit on all data")
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil train: %v\n", err)
			return exitFail
		}
		for i := range final.Labels {
			final.Labels[i].Threshold = m.Labels[i].Threshold
			final.Labels[i].CalibA, final.Labels[i].CalibB = m.Labels[i].CalibA, m.Labels[i].CalibB
		}
		m = final
	}
	elapsed := time.Since(start)

	var mb bytes.Buffer
	if _, err := m.WriteTo(&mb); err != nil {
		fmt.Fprintf(e.stderr, "vigil train: %v\n", err)
		return exitFail
	}
	for _, l := range labels { // a label the taxonomy lacks is shipped without an IPTC code
		if _, ok := tax.Tag(l.Name); !ok && l.Kind == classify.KindTag {
			fmt.Fprintf(e.stderr, "vigil train: note: tag %q is not in the taxonomy; added without an IPTC code\n", l.Name)
			tax.Tags = append(tax.Tags, models.TaxonomyTag{Name: l.Name})
			if taxData, err = tax.Marshal(); err != nil {
				fmt.Fprintf(e.stderr, "vigil train: %v\n", err)
				return exitFail
			}
		}
	}
	params, _ := json.Marshal(p)
	prefix := "flags" // the version id says what the bundle classifies
	for _, l := range labels {
		if l.Kind == classify.KindTag {
			prefix = "topics"
		}
	}
	meta := models.Metadata{
		Version:      prefix,
		Command:      "vigil train " + strings.Join(args, " "),
		Data:         trainFiles,
		Dev:          devFiles,
		Weak:         weakFiles,
		WeakDev:      weakDevFiles,
		Labels:       names,
		Params:       params,
		DevScores:    devScores,
		DevReport:    report,
		TrainSeconds: float64(elapsed.Milliseconds()) / 1000,
		Toolchain:    runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
	}
	if epoch := e.getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return usage("SOURCE_DATE_EPOCH %q: %v", epoch, err)
		}
		meta.Created = time.Unix(sec, 0).UTC().Format(time.RFC3339)
	}
	files := []models.File{
		{Name: models.FileTokenizer, Data: tokJSON},
		{Name: models.FileTopics, Data: mb.Bytes()},
		{Name: models.FileTaxonomy, Data: taxData}}
	if dict != nil {
		files = append(files, models.File{Name: models.FileDictionary, Data: dictTSV})
	}
	meta, err = models.Write(out, meta, files...)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil train: write %s: %v\n", out, err)
		return exitFail
	}
	if dev != "" {
		fmt.Fprintf(e.stderr, "\ndev report (thresholds chosen on it):\n")
	} else {
		fmt.Fprintf(e.stderr, "\nreport on the held-out %.0f%% of --data (thresholds chosen on it, before the refit on all data):\n", 100*p.DevFraction)
	}
	report.WriteText(e.stderr)
	fmt.Fprintf(e.stderr, "\nvigil train: wrote %s (%s): classifier %.1f MB, trained in %s\n",
		out, meta.Version, float64(mb.Len())/1e6, elapsed.Round(time.Millisecond))
	return exitOK
}

// parseLabelFloats parses "a=0.9,b=0.8".
func parseLabelFloats(s string) (map[string]float64, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]float64{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || k == "" || err != nil || !(f > 0 && f <= 1) {
			return nil, fmt.Errorf("%q: want LABEL=PRECISION with a precision in (0, 1]", kv)
		}
		out[k] = f
	}
	return out, nil
}

// collectLabels returns the labels the documents carry: taxonomy tags
// first in taxonomy order, then other tags and the flags by name.
func collectLabels(docs []vigil.Document, from string, tax *models.Taxonomy) []classify.Label {
	tags, flags := map[string]bool{}, map[string]bool{}
	for _, d := range docs {
		if from != "flags" {
			for _, t := range d.Tags {
				tags[t] = true
			}
		}
		if from != "tags" {
			for _, f := range d.Flags {
				flags[f] = true
			}
		}
	}
	var out []classify.Label
	for _, t := range tax.Tags {
		if tags[t.Name] {
			out = append(out, classify.Label{Name: t.Name, Kind: classify.KindTag})
			delete(tags, t.Name)
		}
	}
	for _, set := range []struct {
		names map[string]bool
		kind  string
	}{{tags, classify.KindTag}, {flags, classify.KindFlag}} {
		names := make([]string, 0, len(set.names))
		for n := range set.names {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, classify.Label{Name: n, Kind: set.kind})
		}
	}
	return out
}

func examples(docs []vigil.Document, fields [][]pipeline.Field, labels []classify.Label, from string) []classify.Example {
	idx := map[string]int{}
	for i, l := range labels {
		idx[l.Kind+":"+l.Name] = i
	}
	out := make([]classify.Example, len(docs))
	for i, d := range docs {
		ex := classify.Example{Fields: fields[i]}
		for _, t := range d.Tags {
			if l, ok := idx[classify.KindTag+":"+t]; ok {
				ex.Labels = append(ex.Labels, l)
			}
		}
		for _, f := range d.Flags {
			if l, ok := idx[classify.KindFlag+":"+f]; ok {
				ex.Labels = append(ex.Labels, l)
			}
		}
		out[i] = ex
	}
	return out
}

// translations pairs each document with its translation into pivot: the
// document whose id differs only in the language part (sib-kk-17 and
// sib-ru-17), in the order of docs.
func translations(docs []vigil.Document, fields [][]pipeline.Field, pivot string) []classify.Translation {
	byID := make(map[string]int, len(docs))
	for i, d := range docs {
		byID[d.ID] = i
	}
	var out []classify.Translation
	for i, d := range docs {
		if d.Lang == "" || d.Lang == pivot {
			continue
		}
		parts := strings.Split(d.ID, "-")
		for k, part := range parts {
			if part != d.Lang {
				continue
			}
			tr := slices.Clone(parts)
			tr[k] = pivot
			if j, ok := byID[strings.Join(tr, "-")]; ok && docs[j].Lang == pivot {
				out = append(out, classify.Translation{Source: fields[i], Target: fields[j]})
				break
			}
		}
	}
	return out
}

// langTexts returns the fields of the documents in language lang.
func langTexts(docs []vigil.Document, fields [][]pipeline.Field, lang string) [][]pipeline.Field {
	var out [][]pipeline.Field
	for i, d := range docs {
		if d.Lang == lang {
			out = append(out, fields[i])
		}
	}
	return out
}

// heldOut says whether a document goes to the threshold split: a stable
// hash of its id, so the split does not depend on file order.
func heldOut(id string, fraction float64) bool {
	h := fnv.New64a()
	h.Write([]byte(id))
	return float64(h.Sum64()%10000) < fraction*10000
}

func holdOut(docs []vigil.Document, ex []classify.Example, times []int, fraction float64) (fit, held []classify.Example) {
	for i, d := range docs {
		if heldOut(d.ID, fraction) {
			held = append(held, ex[i])
		}
	}
	fit = repeated(ex, times, func(i int) bool { return !heldOut(docs[i].ID, fraction) })
	return fit, held
}

// repeated returns the examples keep says yes to (all when keep is nil),
// each times[i] times in a row.
func repeated(ex []classify.Example, times []int, keep func(i int) bool) []classify.Example {
	var out []classify.Example
	for i := range ex {
		if keep != nil && !keep(i) {
			continue
		}
		for range times[i] {
			out = append(out, ex[i])
		}
	}
	return out
}

// parallelDocs returns the indices of the documents that have a
// translation among docs: ids that differ only in the language part.
func parallelDocs(docs []vigil.Document) []int {
	group := map[string][]int{}
	for i, d := range docs {
		if d.Lang == "" {
			continue
		}
		parts := strings.Split(d.ID, "-")
		if k := slices.Index(parts, d.Lang); k >= 0 {
			parts[k] = "*"
			key := strings.Join(parts, "-")
			group[key] = append(group[key], i)
		}
	}
	var out []int
	for _, g := range group {
		if len(g) > 1 {
			out = append(out, g...)
		}
	}
	slices.Sort(out)
	return out
}

func threshDocs(heldOutSplit bool, train, dev []vigil.Document, fraction float64) []vigil.Document {
	if !heldOutSplit {
		return dev
	}
	var out []vigil.Document
	for _, d := range train {
		if heldOut(d.ID, fraction) {
			out = append(out, d)
		}
	}
	return out
}

// evaluateModel scores examples with m alone (no rules) into a report.
func evaluateModel(m *classify.Model, ex []classify.Example, docs []vigil.Document, from string) *classify.Report {
	var tagNames []string
	for _, l := range m.Labels {
		if l.Kind == classify.KindTag {
			tagNames = append(tagNames, l.Name)
		}
	}
	ev := classify.NewEvaluator(tagNames...)
	var buf []float64
	for i, x := range ex {
		buf = m.Scores(buf[:0], x.Fields)
		var predT, predF []string
		top1, best := "", -1.0
		for l, p := range buf {
			lab := m.Labels[l]
			if lab.Kind == classify.KindTag && p > best && x.Knows(l) {
				top1, best = lab.Name, p
			}
			if p >= lab.Threshold {
				if lab.Kind == classify.KindTag {
					predT = append(predT, lab.Name)
				} else {
					predF = append(predF, lab.Name)
				}
			}
		}
		d := docs[i]
		goldT, goldF := d.Tags, d.Flags
		if from == "flags" {
			goldT = nil
		}
		if from == "tags" {
			goldF = nil
		}
		if x.Only != nil { // a weak document: only the labels it speaks for count
			known := func(name string) bool {
				return slices.ContainsFunc(x.Only, func(l int) bool { return m.Labels[l].Name == name })
			}
			predT = slices.DeleteFunc(predT, func(n string) bool { return !known(n) })
		}
		ev.Add(slices.Clip(goldT), predT, top1, goldF, predF)
	}
	return ev.Report()
}
