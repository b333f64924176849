package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/rules"
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
	fs.StringVar(&cues, "cues", cues, "cue `KINDS` (comma-separated) the combiner weighs beside the rules and the model")
	fs.Float64Var(&opt.BackgroundWeight, "background-weight", 0.5, "the background's weight in the combiner's fit, relative to the labeled documents'")
	fs.StringVar(&require, "require", require, "the evidence condition: cue `KINDS` (comma-separated) that must all be present\nbefore the model alone can raise the flag; empty: none")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if data == "" || out == "" || fs.NArg() > 0 || step < 1 {
		fs.Usage()
		return exitUsage
	}
	scope := models.FlagConfig{Flag: flagName}
	if headKinds != "" {
		scope.Kinds = strings.Split(headKinds, ",")
	}
	if headLangs != "" {
		scope.Langs = strings.Split(headLangs, ",")
	}
	if err := scope.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "vigil train-flag: --kinds %q --langs %q: %v\n", headKinds, headLangs, err)
		return exitUsage
	}
	start := time.Now()
	docs, dataFiles, err := readDocFiles(data)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil train-flag: %v\n", err)
		return exitUsage
	}
	var bgDocs []vigil.Document
	var bgFiles []models.DataFile
	if background != "" {
		all, files, err := readDocFiles(background)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil train-flag: %v\n", err)
			return exitUsage
		}
		for i := range all {
			switch {
			case slices.Contains(all[i].Flags, flagName):
			case i%step == 0:
				bgDocs = append(bgDocs, all[i])
			}
		}
		bgFiles = files
	}
	var ropts rules.Options
	if rulesDir != "" {
		ropts.Dirs = []string{rulesDir}
	}
	eng, err := rules.New(ropts)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil train-flag: %v\n", err)
		return exitFail
	}
	for _, kinds := range []struct {
		name, list string
		dst        *[]string
	}{{"require", require, &opt.Require}, {"cues", cues, &opt.Cues}} {
		if kinds.list == "" {
			continue
		}
		*kinds.dst = strings.Split(kinds.list, ",")
		for _, k := range *kinds.dst {
			if !slices.Contains(rules.CueKinds, k) {
				fmt.Fprintf(e.stderr, "vigil train-flag: --%s %q: want cue kinds among %s\n", kinds.name, kinds.list, strings.Join(rules.CueKinds, ", "))
				return exitUsage
			}
		}
	}
	var neutral []byte
	if neutralFile != "" {
		if neutral, err = os.ReadFile(neutralFile); err != nil {
			fmt.Fprintf(e.stderr, "vigil train-flag: %v\n", err)
			return exitUsage
		}
		if opt.Neutral, err = classify.ParseWordSet(bytes.NewReader(neutral)); err != nil {
			fmt.Fprintf(e.stderr, "vigil train-flag: %s: %v\n", neutralFile, err)
			return exitUsage
		}
	}
	labelled := flagExamples(ctx, docs, flagName, eng)
	if ordinary != "" {
		odocs, ofiles, err := readDocFiles(ordinary)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil train-flag: %v\n", err)
			return exitUsage
		}
		for _, x := range flagExamples(ctx, odocs, flagName, eng) {
			x.Ordinary = true
			labelled = append(labelled, x)
		}
		dataFiles = append(dataFiles, ofiles...)
	}
	bg := flagExamples(ctx, bgDocs, flagName, eng)
	for i := range bg {
		bg[i].Gold = false // background is negative whatever its labels
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(e.stderr, "vigil train-flag: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(e.stderr, "train-flag: %d labeled (%d positive), %d background, rules %s\n",
		len(labelled), countGold(labelled), len(bg), eng.Version())
	tr, err := classify.TrainFlag(ctx, flagName, labelled, bg, nil, opt)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil train-flag: %v\n", err)
		if vigil.ErrorCode(err) == vigil.EINVALID {
			return exitUsage // e.g. no positives in --data
		}
		return exitFail
	}
	if verbose {
		for i, x := range labelled {
			th := pipeline.FlagThresholds{flagName: tr.Thresholds}.For(flagName, x.Kind, "")
			if (tr.Scores[i] >= th) != x.Gold {
				fmt.Fprintf(e.stderr, "miss gold=%v score %.3f rules %.2f cues %v %s\n", x.Gold, tr.Scores[i], x.Rule, x.Cues, x.ID)
			}
		}
		order := make([]int, len(bg))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(tr.BackgroundScores[b], tr.BackgroundScores[a]) })
		for _, i := range order[:min(20, len(order))] {
			fmt.Fprintf(e.stderr, "background score %.3f rules %.2f cues %v %s\n", tr.BackgroundScores[i], bg[i].Rule, bg[i].Cues, bg[i].ID)
		}
	}
	created := time.Now().UTC().Format(time.RFC3339)
	cfg := models.FlagConfig{
		Flag: flagName, Combiner: tr.Combiner, Thresholds: tr.Thresholds, Evidence: evidence, MinWords: opt.MinWords, ReportOnly: reportOnly,
		Build: models.FlagBuild{
			Created: created, Command: "vigil " + strings.Join(append([]string{"train-flag"}, args...), " "),
			Data: dataFiles, Background: bgFiles,
			Params: map[string]any{"epochs": opt.Train.Epochs, "lr": opt.Train.LR, "seed": opt.Train.Seed,
				"bucket_bits": opt.Train.Features.BucketBits, "folds": opt.Folds, "max_fpr": opt.MaxFPR,
				"background_step": step, "refit": opt.Refit, "features": opt.Train.Features, "rules": eng.Version(),
				"max_background_rate": opt.MaxBackgroundRate, "min_words": opt.MinWords,
				"cues": opt.Cues, "require": opt.Require, "background_weight": opt.BackgroundWeight},
			Dev: flagReport(labelled, tr.Scores, tr.Thresholds),
		},
	}
	for kind, m := range tr.Background {
		cfg.Build.Dev["background_"+kind] = fmt.Sprintf("%d of %d ordinary %ss flagged (out of fold)", m.FP, m.FP+m.TN, kind)
	}
	if len(opt.Require) > 0 {
		cfg.Build.Dev["evidence_condition"] = fmt.Sprintf("met by %d of %d positives, %d of %d hard negatives (a rule or every cue of %s)",
			tr.Met[true][0], tr.Met[true][1], tr.Met[false][0], tr.Met[false][1], strings.Join(opt.Require, "+"))
	}
	if test != "" {
		tdocs, tfiles, err := readDocFiles(test)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil train-flag: %v\n", err)
			return exitUsage
		}
		tex := flagExamples(ctx, tdocs, flagName, eng)
		scores := scoreFlag(ctx, tr, tex)
		cfg.Build.Test = flagReport(tex, scores, tr.Thresholds)
		cfg.Build.Test["file"] = tfiles[0].Path + " sha256:" + tfiles[0].SHA256[:12]
	}
	cfg.Kinds, cfg.Langs = scope.Kinds, scope.Langs
	if cfg, err = models.WriteFlag(out, cfg, tr.Head, neutral); err != nil {
		fmt.Fprintf(e.stderr, "vigil train-flag: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "flag %s %s written to %s in %.1fs\ncombiner: bias %.3f, rule %.3f, model %.3f, clip %g, cues %v\nthresholds: comment %.4f, article %.4f\n",
		cfg.Flag, cfg.Version, out, time.Since(start).Seconds(), cfg.Combiner.Bias, cfg.Combiner.Rule, cfg.Combiner.Model, cfg.Combiner.Clip, cfg.Combiner.Cues,
		cfg.Thresholds.ByKind[vigil.KindComment], cfg.Thresholds.ByKind[vigil.KindArticle])
	for _, part := range []struct {
		name string
		r    map[string]string
	}{{"dev (out-of-fold)", cfg.Build.Dev}, {"test", cfg.Build.Test}} {
		if part.r == nil {
			continue
		}
		keys := make([]string, 0, len(part.r))
		for k := range part.r {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(e.stdout, "%s %-8s %s\n", part.name, k, part.r[k])
		}
	}
	return exitOK
}

// flagExamples runs docs through normalize, tokenize and the rules, and
// returns them as labelled examples of flag with the rules' noisy-OR.
func flagExamples(ctx context.Context, docs []vigil.Document, flagName string, eng *rules.Engine) []classify.FlagExample {
	items := pipeline.Prepare(ctx, docs, 0, &pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, eng)
	out := make([]classify.FlagExample, len(docs))
	for i, it := range items {
		d := &docs[i]
		kind := d.Kind
		if kind == "" {
			kind = vigil.KindArticle
		}
		in := pipeline.InputsOf(it.Signals, flagName)
		out[i] = classify.FlagExample{ID: d.ID, Fields: it.Fields, Kind: kind,
			Rule: in.Rule, Cues: in.Cues, Gold: slices.Contains(d.Flags, flagName)}
	}
	return out
}

// scoreFlag returns the combined score of each example under tr, as the
// pipeline's Decide would compute it.
func scoreFlag(ctx context.Context, tr *classify.FlagTraining, ex []classify.FlagExample) []float64 {
	scores := make([]float64, len(ex))
	for i, x := range ex {
		it := &pipeline.Item{Doc: &vigil.Document{ID: x.ID, Kind: x.Kind}, Fields: x.Fields}
		_ = tr.Head.Process(ctx, it)
		m := 0.0
		for _, s := range it.Signals {
			m = max(m, s.Weight)
		}
		scores[i] = classify.FlagScore(tr.Combiner, x, m)
	}
	return scores
}

// flagReport gives the metrics overall, per kind and of rules and model alone.
func flagReport(ex []classify.FlagExample, scores []float64, th pipeline.FlagThreshold) map[string]string {
	out := map[string]string{"all": classify.EvalFlag(ex, scores, th).String()}
	for _, kind := range []string{vigil.KindComment, vigil.KindArticle} {
		var sub []classify.FlagExample
		var sc []float64
		for i, x := range ex {
			if x.Kind == kind {
				sub, sc = append(sub, x), append(sc, scores[i])
			}
		}
		if len(sub) > 0 {
			out[kind] = classify.EvalFlag(sub, sc, th).String()
		}
	}
	rs := make([]float64, len(ex))
	for i, x := range ex {
		rs[i] = x.Rule
	}
	out["rules"] = classify.EvalFlag(ex, rs, pipeline.FlagThreshold{Default: 1e-9}).String() + " (any rule fired)"
	return out
}

func countGold(ex []classify.FlagExample) int {
	n := 0
	for _, x := range ex {
		if x.Gold {
			n++
		}
	}
	return n
}
