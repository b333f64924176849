package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/rules"
	"github.com/kz-newsroom/vigil/training"
)

func init() {
	register("train-flag", command{
		summary: "train a flag head, extremist_recruitment by default (text model, rule+model combiner, thresholds)",
		run:     runTrainFlag,
	})
}

func runTrainFlag(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("train-flag", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil train-flag --data FILE[,FILE...] [--background FILE[,FILE...]] --out DIR [flags]\n\n"+
			"Trains the extremist_recruitment flag head from labeled JSONL (flags [\"extremist_recruitment\"]\n"+
			"or []): documents go through normalize, tokenize and the rule packs; a text model is\n"+
			"trained with cross-fitting, the combination of rule and model signals and the per-kind\n"+
			"review thresholds are chosen on the out-of-fold scores, and DIR gets flag.bin and flag.yaml.\n"+
			"--background documents are extra negatives for the text model (their labels are ignored).\n"+
			"--test is only scored and reported, never trained or tuned on.\n\nflags:")
		fs.PrintDefaults()
	}
	fc := classify.DefaultFeatures()
	fc.Subwords = false // the head stands alone: no tokenizer needed
	fc.BucketBits = 18
	var (
		data, background, test, out, rulesDir string
		ordinary, headKinds, headLangs        string
		neutralFile                           string
		require                               = ""
		cues                                  = vigil.EvidenceCall + "," + vigil.EvidenceCause
		flagName                              = vigil.FlagExtremistRecruitment
		step, evidence                        int
		verbose, reportOnly                   bool
		opt                                   = classify.FlagTrainOptions{Train: classify.TrainOptions{Features: fc}}
	)
	fs.StringVar(&flagName, "flag", flagName, "the flag to learn (the documents' flags name it)")
	fs.StringVar(&data, "data", "", "labeled `FILES` (positives and hard negatives), JSONL, comma-separated")
	fs.StringVar(&background, "background", "", "background negative `FILES`, JSONL, comma-separated")
	fs.StringVar(&ordinary, "ordinary", "", "labeled `FILES` of ordinary traffic (everyday comments and the flag's positives among them):\n"+
		"trained on like --data, and their negatives count with the background against --max-background-rate")
	fs.IntVar(&step, "background-step", 1, "use every `N`th background document")
	fs.StringVar(&test, "test", "", "held-out labeled `FILE` to report on (never trained or tuned on)")
	fs.StringVar(&out, "out", "", "head `DIR` to write (e.g. models/recruitment)")
	fs.StringVar(&rulesDir, "rules", "", "extra rule pack `DIR` (added to the embedded packs)")
	fs.IntVar(&opt.Train.Epochs, "epochs", 20, "passes over the training data")
	fs.Float64Var(&opt.Train.LR, "lr", 0.5, "initial learning rate")
	fs.Uint64Var(&opt.Train.Seed, "seed", 1, "random seed (folds and example order)")
	fs.IntVar(&opt.Train.Features.BucketBits, "bucket-bits", fc.BucketBits, "log2 of the feature hash table size")
	fs.BoolVar(&opt.Train.Features.RussianStems, "ru-stems", false, "add Russian words' Snowball stems as features (дебил, дебилам: one stem)")
	fs.IntVar(&opt.Folds, "folds", 5, "cross-fitting folds")
	fs.Float64Var(&opt.MaxFPR, "max-fpr", 0.03, "false-positive rate on labeled negatives the thresholds may spend")
	fs.BoolVar(&opt.Refit, "refit", false, "ship one model refitted on all labeled data instead of the fold models")
	fs.IntVar(&evidence, "evidence", classify.DefaultFlagEvidence, "model features reported per verdict")
	fs.StringVar(&headKinds, "kinds", "", "the document `KINDS` (comma-separated: comment, article) the head scores; empty: all")
	fs.StringVar(&headLangs, "langs", "", "the `LANGS` (comma-separated: ru, kk, en) the head scores; empty: all")
	fs.BoolVar(&reportOnly, "report-only", false, "ship the head report-only: verdicts list the flag in scores, never send to review\nunless the service config sets thresholds for it")
	fs.BoolVar(&verbose, "v", false, "list the labeled documents the out-of-fold scores get wrong")
	fs.Float64Var(&opt.MaxBackgroundRate, "max-background-rate", 0.0001, "raise each kind's threshold until at most this `share` of the background documents\nof that kind is flagged, out of fold")
	fs.StringVar(&neutralFile, "neutral", "", "`FILE` of words the text model does not read (one a line, \"брат*\" for a beginning);\nshipped with the head as neutral.txt")
	fs.IntVar(&opt.MinWords, "min-words", 6, "words a text needs for the text model's opinion to count in full (shorter: in proportion; 0: off)")
	fs.BoolVar(&opt.SkipReported, "skip-reported", false, "leave reported speech out of what the text model reads (a reader quoting someone else:\n«они пишут \"брат, приезжай\" — не верьте»), in training and in the head")
	fs.BoolVar(&opt.RuledInFull, "ruled-in-full", false, "count the text model's opinion of a text shorter than --min-words in full when one of\nthe flag's rules fired on it")
	fs.BoolVar(&opt.KnownWords, "known-words", false, "count only words seen in training towards --min-words (shipped as known.bin), and move\na text of fewer from the score of ordinary clean text rather than from an empty text's")
	fs.StringVar(&cues, "cues", cues, "cue `KINDS` (comma-separated) the combiner weighs beside the rules and the model")
	fs.Float64Var(&opt.BackgroundWeight, "background-weight", 0.5, "the background's weight in the combiner's fit, relative to the labeled documents'")
	fs.StringVar(&require, "require", require, "the evidence condition: cue `KINDS` (comma-separated) that must all be present\nbefore the model alone can raise the flag; empty: none")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if data == "" || out == "" || fs.NArg() > 0 || step < 1 {
		fs.Usage()
		return exitUsage
	}
	scope := models.FlagConfig{Flag: flagName, Kinds: split(headKinds), Langs: split(headLangs)}
	if err := scope.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "vigil train-flag: --kinds %q --langs %q: %v\n", headKinds, headLangs, err)
		return exitUsage
	}
	for _, kinds := range []struct {
		name, list string
		dst        *[]string
	}{{"require", require, &opt.Require}, {"cues", cues, &opt.Cues}} {
		var err error
		if *kinds.dst, err = rules.ParseCueKinds(kinds.list); err != nil {
			fmt.Fprintf(e.stderr, "vigil train-flag: --%s %q: %v\n", kinds.name, kinds.list, err)
			return exitUsage
		}
	}
	start := time.Now()
	opts := training.FlagOptions{Flag: flagName, Data: split(data), Ordinary: split(ordinary), Background: split(background),
		BackgroundStep: step, Test: test, RulesDir: rulesDir, Neutral: neutralFile, Train: opt,
		Evidence: evidence, ReportOnly: reportOnly, Kinds: scope.Kinds, Langs: scope.Langs,
		Out: out, Command: "vigil " + strings.Join(append([]string{"train-flag"}, args...), " "),
		Note: func(msg string) { fmt.Fprintf(e.stderr, "train-flag: %s\n", msg) }}
	if verbose {
		opts.Verbose = e.stderr
	}
	res, err := training.TrainFlag(ctx, opts)
	if err != nil {
		return trainingFailed(e, "vigil train-flag", err)
	}
	res.WriteText(e.stdout, out, time.Since(start))
	return exitOK
}
