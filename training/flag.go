package training

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
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

// FlagOptions say what TrainFlag learns from and how.
type FlagOptions struct {
	// Flag is the flag to learn; the documents' flags name it.
	Flag string
	// Data are labeled files (positives and hard negatives); Ordinary
	// labeled files of ordinary traffic, trained on like Data, whose
	// negatives count with the background; Background extra negatives
	// (their labels ignored), every BackgroundStep-th used; Test a file
	// only scored and reported.
	Data, Ordinary, Background []string
	BackgroundStep             int
	Test                       string
	// RulesDir is an extra rule pack directory.
	RulesDir string
	// Neutral is a file of words the text model does not read.
	Neutral string
	// Train are the trainer's options; Train.Neutral is read from Neutral.
	Train classify.FlagTrainOptions
	// Evidence, ReportOnly, Kinds and Langs are the head's settings
	// (models.FlagConfig).
	Evidence     int
	ReportOnly   bool
	Kinds, Langs []string
	// Out is the head directory to write; Command is recorded in it.
	Out, Command string
	// Note, when set, hears what the run says along the way; Verbose, when
	// set, gets the labeled documents the out-of-fold scores get wrong and
	// the top background scores.
	Note    func(msg string)
	Verbose io.Writer
}

// FlagResult is the head TrainFlag wrote.
type FlagResult struct {
	Config models.FlagConfig
}

// flagData is the examples a flag head is trained and tested on.
type flagData struct {
	labelled, bg       []classify.FlagExample
	dataFiles, bgFiles []models.DataFile
	neutral            []byte
	rules              *rules.Engine
}

// TrainFlag trains a flag head (text model, combiner, per-kind thresholds)
// and writes it to opts.Out. Errors in the options or data are
// InputErrors (no positives among them).
func TrainFlag(ctx context.Context, opts FlagOptions) (*FlagResult, error) {
	note := opts.Note
	if note == nil {
		note = func(string) {}
	}
	if opts.BackgroundStep < 1 {
		opts.BackgroundStep = 1
	}
	fd, err := readFlagData(ctx, &opts)
	if err != nil {
		return nil, err
	}
	note(fmt.Sprintf("%d labeled (%d positive), %d background, rules %s",
		len(fd.labelled), countGold(fd.labelled), len(fd.bg), fd.rules.Version()))
	tr, err := classify.TrainFlag(ctx, opts.Flag, fd.labelled, fd.bg, nil, opts.Train)
	if err != nil {
		if vigil.ErrorCode(err) == vigil.EINVALID {
			return nil, &InputError{err} // e.g. no positives in the data
		}
		return nil, err
	}
	if opts.Verbose != nil {
		writeMisses(opts.Verbose, opts.Flag, fd, tr)
	}
	cfg := flagConfig(opts, fd, tr)
	if opts.Test != "" {
		tdocs, tfiles, err := models.ReadData(opts.Test)
		if err != nil {
			return nil, &InputError{err}
		}
		tex := flagExamples(ctx, tdocs, opts.Flag, fd.rules)
		scores := scoreFlag(ctx, tr, tex)
		cfg.Build.Test = flagReport(tex, scores, tr.Thresholds)
		cfg.Build.Test["file"] = tfiles[0].Path + " sha256:" + tfiles[0].SHA256[:12]
	}
	if cfg, err = models.WriteFlag(opts.Out, cfg, tr.Head, fd.neutral); err != nil {
		return nil, err
	}
	return &FlagResult{Config: cfg}, nil
}

// readFlagData reads the labeled, ordinary and background files and the
// neutral words, and runs the documents through the rules.
func readFlagData(ctx context.Context, opts *FlagOptions) (*flagData, error) {
	fd := &flagData{}
	docs, dataFiles, err := models.ReadData(opts.Data...)
	if err != nil {
		return nil, &InputError{err}
	}
	fd.dataFiles = dataFiles
	var bgDocs []vigil.Document
	if len(opts.Background) > 0 {
		all, files, err := models.ReadData(opts.Background...)
		if err != nil {
			return nil, &InputError{err}
		}
		for i := range all {
			switch {
			case slices.Contains(all[i].Flags, opts.Flag):
			case i%opts.BackgroundStep == 0:
				bgDocs = append(bgDocs, all[i])
			}
		}
		fd.bgFiles = files
	}
	var ropts rules.Options
	if opts.RulesDir != "" {
		ropts.Dirs = []string{opts.RulesDir}
	}
	if fd.rules, err = rules.New(ropts); err != nil {
		return nil, err
	}
	if opts.Neutral != "" {
		if fd.neutral, err = os.ReadFile(opts.Neutral); err != nil {
			return nil, &InputError{err}
		}
		if opts.Train.Neutral, err = classify.ParseWordSet(bytes.NewReader(fd.neutral)); err != nil {
			return nil, inputErr("%s: %v", opts.Neutral, err)
		}
	}
	fd.labelled = flagExamples(ctx, docs, opts.Flag, fd.rules)
	if len(opts.Ordinary) > 0 {
		odocs, ofiles, err := models.ReadData(opts.Ordinary...)
		if err != nil {
			return nil, &InputError{err}
		}
		for _, x := range flagExamples(ctx, odocs, opts.Flag, fd.rules) {
			x.Ordinary = true
			fd.labelled = append(fd.labelled, x)
		}
		fd.dataFiles = append(fd.dataFiles, ofiles...)
	}
	fd.bg = flagExamples(ctx, bgDocs, opts.Flag, fd.rules)
	for i := range fd.bg {
		fd.bg[i].Gold = false // background is negative whatever its labels
	}
	return fd, ctx.Err()
}

// writeMisses lists the labeled documents the out-of-fold scores get wrong
// and the 20 background documents scored highest.
func writeMisses(w io.Writer, flagName string, fd *flagData, tr *classify.FlagTraining) {
	for i, x := range fd.labelled {
		th := pipeline.FlagThresholds{flagName: tr.Thresholds}.For(flagName, x.Kind, "")
		if (tr.Scores[i] >= th) != x.Gold {
			fmt.Fprintf(w, "miss gold=%v score %.3f rules %.2f cues %v %s\n", x.Gold, tr.Scores[i], x.Rule, x.Cues, x.ID)
		}
	}
	order := make([]int, len(fd.bg))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(tr.BackgroundScores[b], tr.BackgroundScores[a]) })
	for _, i := range order[:min(20, len(order))] {
		fmt.Fprintf(w, "background score %.3f rules %.2f cues %v %s\n", tr.BackgroundScores[i], fd.bg[i].Rule, fd.bg[i].Cues, fd.bg[i].ID)
	}
}

// flagConfig is the head's configuration with its build record.
func flagConfig(opts FlagOptions, fd *flagData, tr *classify.FlagTraining) models.FlagConfig {
	opt := opts.Train
	created := time.Now().UTC().Format(time.RFC3339)
	cfg := models.FlagConfig{
		Flag: opts.Flag, Combiner: tr.Combiner, Thresholds: tr.Thresholds, Evidence: opts.Evidence, MinWords: opt.MinWords, RuledInFull: opt.RuledInFull, SkipReported: opt.SkipReported, ReportOnly: opts.ReportOnly,
		Build: models.FlagBuild{
			Created: created, Command: opts.Command,
			Data: fd.dataFiles, Background: fd.bgFiles,
			Params: map[string]any{"epochs": opt.Train.Epochs, "lr": opt.Train.LR, "seed": opt.Train.Seed,
				"bucket_bits": opt.Train.Features.BucketBits, "folds": opt.Folds, "max_fpr": opt.MaxFPR,
				"background_step": opts.BackgroundStep, "refit": opt.Refit, "features": opt.Train.Features, "rules": fd.rules.Version(),
				"max_background_rate": opt.MaxBackgroundRate, "min_words": opt.MinWords, "ruled_in_full": opt.RuledInFull, "skip_reported": opt.SkipReported,
				"cues": opt.Cues, "require": opt.Require, "background_weight": opt.BackgroundWeight},
			Dev: flagReport(fd.labelled, tr.Scores, tr.Thresholds),
		},
	}
	if opt.KnownWords {
		cfg.Build.Params["known_words"] = true
	}
	for kind, m := range tr.Background {
		cfg.Build.Dev["background_"+kind] = fmt.Sprintf("%d of %d ordinary %ss flagged (out of fold)", m.FP, m.FP+m.TN, kind)
	}
	if len(opt.Require) > 0 {
		cfg.Build.Dev["evidence_condition"] = fmt.Sprintf("met by %d of %d positives, %d of %d hard negatives (a rule or every cue of %s)",
			tr.Met[true][0], tr.Met[true][1], tr.Met[false][0], tr.Met[false][1], strings.Join(opt.Require, "+"))
	}
	cfg.Kinds, cfg.Langs = opts.Kinds, opts.Langs
	return cfg
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

// WriteText prints the head written to out in took: its version, combiner
// and thresholds, then its dev and test reports a line per measure.
func (r *FlagResult) WriteText(w io.Writer, out string, took time.Duration) {
	cfg := r.Config
	fmt.Fprintf(w, "flag %s %s written to %s in %.1fs\ncombiner: bias %.3f, rule %.3f, model %.3f, clip %g, cues %v\nthresholds: comment %.4f, article %.4f\n",
		cfg.Flag, cfg.Version, out, took.Seconds(), cfg.Combiner.Bias, cfg.Combiner.Rule, cfg.Combiner.Model, cfg.Combiner.Clip, cfg.Combiner.Cues,
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
			fmt.Fprintf(w, "%s %-8s %s\n", part.name, k, part.r[k])
		}
	}
}
