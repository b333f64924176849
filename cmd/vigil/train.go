package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/training"
)

func init() {
	register("train", command{
		summary: "train a model bundle (tokenizer, classifier, thresholds, metadata) from labeled JSONL",
		run:     runTrain,
	})
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
		data, once, dev, out, taxonomy, tokenizer, clusters, labelsFrom, minPrec string
		weak, weakDev, weakLabels, kinds                                         string
		p                                                                        = training.Params{Features: def}
		threads                                                                  int
		quiet                                                                    bool
	)
	fs.StringVar(&data, "data", "", "training `FILES`, JSONL, comma-separated")
	fs.StringVar(&once, "once", "", "more training `FILES` (or directories: their *.jsonl, in byte order) counted once even where --repeat-parallel would repeat them (their translations still feed --dict): sentences the project wrote, beside the corpora's")
	fs.StringVar(&dev, "dev", "", "dev `FILES` the thresholds are chosen on (default: a held-out part of --data)")
	fs.StringVar(&out, "out", "", "bundle `DIR` to write")
	fs.StringVar(&weak, "weak", "", "weakly labelled training `FILES` (e.g. by rules): they count only for --weak-labels; a FILE written FILE=LABEL+LABEL counts only for those of them (a set labelled by hand in the taxonomy's sense, beside rule-made negatives)")
	fs.StringVar(&weakDev, "weak-dev", "", "weakly labelled dev `FILES` for thresholds and calibration of those --weak-labels no --dev document carries")
	fs.StringVar(&weakLabels, "weak-labels", "conflict,government,politics,incidents,religion,health", "the `LABELS` the weak files speak for: a weak document is a positive of those it carries, a negative of the others listed, and says nothing of the rest")
	fs.StringVar(&kinds, "kinds", "", "the document `KIND` the bundle is for: empty for every kind, or comment for the comments' own topic model (the comment_topics head, which scores reader comments in place of the topics head)")
	fs.StringVar(&labelsFrom, "labels", "all", "which gold labels to learn: tags, flags or all")
	fs.StringVar(&taxonomy, "taxonomy", "", "taxonomy.yaml `FILE` to ship (default: the embedded one)")
	fs.StringVar(&clusters, "clusters", "", "word clusters `FILE` (vigil clusters) whose groups each word also counts as; ships as "+models.FileClusters)
	fs.Func("cluster-weight", fmt.Sprintf("with --clusters: how much each of a word's groups counts, the word itself counting 1 (default %g)", def.ClusterWeight()), func(v string) error {
		w, err := strconv.ParseFloat(v, 32)
		p.Features.SetClusterWeight(float32(w))
		return err
	})
	fs.StringVar(&tokenizer, "tokenizer", "", "reuse this tokenizer.json `FILE` instead of training one")
	fs.IntVar(&p.Vocab, "vocab", classify.DefaultBPEVocabSize, "BPE vocabulary size")
	fs.IntVar(&p.Features.BucketBits, "bucket-bits", def.BucketBits, "log2 of the feature hash table size")
	fs.BoolVar(&p.Features.KazakhStems, "kk-stems", false, "add Kazakh words stripped of their endings (pipeline.KazakhStem) as features")
	fs.BoolVar(&p.Features.EnglishStems, "en-stems", false, "add English words' Snowball stems as features")
	fs.IntVar(&p.Features.MinN, "min-n", def.MinN, "shortest character n-gram, in characters")
	fs.IntVar(&p.Features.MaxN, "max-n", def.MaxN, "longest character n-gram (0: none)")
	fs.BoolVar(&p.Features.Subwords, "subwords", def.Subwords, "add words' BPE subword ids as features")
	fs.BoolVar(&p.Features.RussianStems, "ru-stems", false, "add Russian words' Snowball stems as features")
	fs.BoolVar(&p.Features.Dictionary, "dict", false, "learn a Kazakh/English → Russian word dictionary from the parallel training documents (ids that differ only in the language part, sib-kk-17 and sib-ru-17) and add each known word's Russian translation as a feature; ships as "+models.FileDictionary)
	dictOpt := classify.DictOptions{}
	fs.IntVar(&dictOpt.MinCount, "dict-min-count", 2, "with --dict: sentence pairs a word and its translation must share")
	fs.Float64Var(&dictOpt.MinDice, "dict-min-dice", 0.3, "with --dict: least Dice coefficient of a word and its translation")
	fs.StringVar(&dictOpt.Pivot, "dict-pivot", "ru", "with --dict: the `LANG` words are translated into, ru or en")
	fs.BoolVar(&p.OwnLabels, "own-labels", false, "each --data file speaks only for the labels its documents carry: a corpus filed by rubric is no negative of the taxonomy's other tags (a state act filed under economy says nothing of government)")
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
	if code, ok := parseFlags(fs, args); !ok {
		return code
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
	if kinds != "" && kinds != vigil.KindComment {
		return usage("--kinds %q: want comment (or none, for every kind)", kinds)
	}
	if kinds == vigil.KindComment && labelsFrom == "flags" {
		return usage("--kinds comment: the comments' topic model needs tags; --labels flags gives none")
	}
	var err error
	if p.MinPrecision, err = training.ParseMinPrecision(minPrec); err != nil {
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
	onceFiles, err := jsonlFiles(split(once))
	if err != nil {
		return usage("--once: %v", err)
	}
	var created string
	if epoch := e.getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return usage("SOURCE_DATE_EPOCH %q: %v", epoch, err)
		}
		created = time.Unix(sec, 0).UTC().Format(time.RFC3339)
	}
	opts := training.BundleOptions{Data: split(data), Once: onceFiles, Dev: split(dev), Weak: split(weak), WeakDev: split(weakDev),
		WeakLabels: weakLabels, Kinds: split(kinds), Taxonomy: taxonomy, Tokenizer: tokenizer, Clusters: clusters, Params: p, Dict: dictOpt, Threads: threads,
		Out: out, Command: "vigil train " + strings.Join(args, " "), Created: created,
		Note: func(msg string) { fmt.Fprintf(e.stderr, "vigil train: %s\n", msg) }}
	if !quiet {
		opts.Progress = training.NewProgress(e.stderr, isTerminal(e.stderr), "vigil train: ")
	}
	res, err := training.TrainBundle(ctx, opts)
	if err != nil {
		return trainingFailed(e, "vigil train", err)
	}
	if res.HeldOut {
		fmt.Fprintf(e.stderr, "\nreport on the held-out %.0f%% of --data (thresholds chosen on it, before the refit on all data):\n", 100*p.DevFraction)
	} else {
		fmt.Fprintf(e.stderr, "\ndev report (thresholds chosen on it):\n")
	}
	res.Report.WriteText(e.stderr)
	fmt.Fprintf(e.stderr, "\nvigil train: wrote %s (%s): classifier %.1f MB, trained in %s\n",
		out, res.Meta.Version, float64(res.ClassifierBytes)/1e6, res.Elapsed.Round(time.Millisecond))
	return exitOK
}

// jsonlFiles replaces each directory of paths with its *.jsonl files in
// byte order, so a directory gives the same list in every locale. A path
// with a scope, DIR=ru+kk, gives each of its files the same scope.
func jsonlFiles(paths []string) ([]string, error) {
	var out []string
	for _, spec := range paths {
		p, scope, scoped := strings.Cut(spec, "=")
		fi, err := os.Stat(p)
		if err != nil || !fi.IsDir() {
			out = append(out, spec) // a missing file is reported by the reader, with its name
			continue
		}
		files, err := filepath.Glob(filepath.Join(p, "*.jsonl"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no *.jsonl files", p)
		}
		slices.Sort(files)
		for _, f := range files {
			if scoped {
				f += "=" + scope
			}
			out = append(out, f)
		}
	}
	return out, nil
}
