package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/pipeline"
)

func init() {
	register("eval", command{
		summary: "score the engine against labeled JSONL: per-tag/flag P, R, F1; macro/micro F1; top-1 accuracy",
		run:     runEval,
	})
}

// evalOutput is what `vigil eval --json` prints.
type evalOutput struct {
	Versions vigil.Versions `json:"versions"`
	Source   string         `json:"source"`
	*classify.Report
	// FlagNegatives is, per flag, how many documents without it in gold
	// (in testdata/recruitment: the hard negatives) were given it.
	FlagNegatives []flagNegatives `json:"flag_negatives,omitempty"`
	// FlagSlices break each flag's recall and false-positive rate down by
	// language and by kind.
	FlagSlices []flagSlice `json:"flag_slices,omitempty"`
}

// flagSlice is one flag's counts on the documents of one language or
// kind ("lang=ru", "kind=comment").
type flagSlice struct {
	Flag      string `json:"flag"`
	Slice     string `json:"slice"`
	Positives int    `json:"positives"`
	TP        int    `json:"tp"`
	Negatives int    `json:"negatives"`
	FP        int    `json:"fp"`
}

// evalDoc is what the per-slice counts need of one checked document.
type evalDoc struct {
	lang, kind, file string
	gold, flags      []string
}

// slicesOf counts, for each flag, caught positives and flagged negatives
// per language, per kind and per input file, in a stable order. A file of
// ordinary traffic (no positives) thus reads as its false-alarm rate.
func slicesOf(flags []string, docs []evalDoc) []flagSlice {
	var out []flagSlice
	for _, f := range flags {
		idx := map[string]int{}
		var mine []flagSlice
		for _, d := range docs {
			gold, pred := slices.Contains(d.gold, f), slices.Contains(d.flags, f)
			for _, key := range []string{"lang=" + d.lang, "kind=" + d.kind, "file=" + d.file} {
				i, ok := idx[key]
				if !ok {
					i = len(mine)
					idx[key] = i
					mine = append(mine, flagSlice{Flag: f, Slice: key})
				}
				s := &mine[i]
				switch {
				case gold:
					s.Positives++
					if pred {
						s.TP++
					}
				default:
					s.Negatives++
					if pred {
						s.FP++
					}
				}
			}
		}
		slices.SortFunc(mine, func(a, b flagSlice) int { return strings.Compare(a.Slice, b.Slice) })
		out = append(out, mine...)
	}
	return out
}

// ratio formats n of d as a rate with its counts, or "-" when d is 0.
func ratio(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f (%d of %d)", float64(n)/float64(d), n, d)
}

// per10k formats n of d as a count per 10,000, the unit of a review queue's
// false alarms on real traffic, or "-" when d is 0.
func per10k(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", 1e4*float64(n)/float64(d))
}

// flagNegatives is one flag's false-positive rate on the documents that
// do not carry it.
type flagNegatives struct {
	Flag      string  `json:"flag"`
	Negatives int     `json:"negatives"`
	FP        int     `json:"fp"`
	FPR       float64 `json:"fpr"`
}

// negativesOf derives each flag's false positives on its negatives from r.
func negativesOf(r *classify.Report) []flagNegatives {
	var out []flagNegatives
	for _, f := range r.Flags {
		n := flagNegatives{Flag: f.Name, Negatives: r.Docs - f.Support, FP: f.Predicted - f.TP}
		if n.Negatives > 0 {
			n.FPR = float64(n.FP) / float64(n.Negatives)
		}
		out = append(out, n)
	}
	return out
}

func runEval(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil eval [--models DIR] [--rules DIR] --data FILE[,FILE...] [--json]\n\n"+
			"Runs the engine over labeled JSONL documents and compares the verdicts' tags and flags\n"+
			"with the gold ones: per-label precision, recall, F1 and support, macro and micro F1,\n"+
			"and the model's top-1 accuracy with a confusion table.\n\nflags:")
		fs.PrintDefaults()
	}
	var (
		opts         engineOptions
		data, source string
		asJSON       bool
	)
	fs.StringVar(&opts.ModelsDir, "models", "", modelsFlagUsage)
	fs.StringVar(&opts.RulesDir, "rules", "", "rule pack `DIR` (default: the embedded packs)")
	fs.IntVar(&opts.Workers, "workers", 0, "documents checked at once (default: one per core)")
	fs.IntVar(&opts.MaxBytes, "max-bytes", vigil.DefaultMaxDocumentBytes, "size limit of one document, in bytes")
	fs.StringVar(&data, "data", "", "labeled JSONL `FILES`, comma-separated")
	fs.StringVar(&source, "source", "all", "which tags count: all, model (the classifier alone) or rule")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if data == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	if source != "all" && source != vigil.SourceModel && source != vigil.SourceRule {
		fmt.Fprintf(e.stderr, "vigil eval: --source %q: want all, model or rule\n", source)
		return exitUsage
	}
	docs, files, err := readDocFiles(data)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil eval: %v\n", err)
		return exitUsage
	}
	fileOf := make([]string, 0, len(docs))
	for _, f := range files {
		for range f.Docs {
			fileOf = append(fileOf, filepath.ToSlash(f.Path))
		}
	}
	eng, err := newEngine(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil eval: %v\n", err)
		return exitFail
	}
	// A flag scored but not sent to review (Verdict.Scores: toxic, unless
	// thresholds turn it on) counts as predicted on data that labels it.
	labelled := map[string]bool{}
	for _, d := range docs {
		for _, f := range d.Flags {
			labelled[f] = true
		}
	}
	model := eng.bundle.Topics
	// Top-1 is the classifier's own best tag, above threshold or not, so it
	// needs the scores the verdict does not carry.
	fields := prepareFields(ctx, docs, opts.Workers)

	var tagNames []string
	for _, l := range model.Labels {
		if l.Kind == classify.KindTag {
			tagNames = append(tagNames, l.Name)
		}
	}
	ev := classify.NewEvaluator(tagNames...)
	in := make(chan *vigil.Document)
	go func() {
		defer close(in)
		for i := range docs {
			select {
			case in <- &docs[i]:
			case <-ctx.Done():
				return
			}
		}
	}()
	var buf []float64
	var seen []evalDoc
	failed := 0
	i := 0
	for v := range eng.stream(ctx, in) {
		d := &docs[i]
		if v.Error != nil {
			failed++
			fmt.Fprintf(e.stderr, "vigil eval: %s: %s\n", d.ID, v.Error.Message)
		}
		var predT, predF []string
		buf = model.Scores(buf[:0], fields[i])
		// A tag both sources gave shows the source of the higher score, so
		// each source's own tags are read from what it did: the model's
		// scores at their thresholds, the rules' evidence.
		switch source {
		case "all":
			for _, t := range v.Tags {
				predT = append(predT, t.Name)
			}
		case vigil.SourceModel:
			if hasWords(fields[i]) {
				for l, p := range buf {
					if lab := model.Labels[l]; lab.Kind == classify.KindTag && p >= lab.Threshold {
						predT = append(predT, lab.Name)
					}
				}
			}
		case vigil.SourceRule:
			for _, t := range v.Tags {
				if slices.ContainsFunc(t.Evidence, func(e vigil.Evidence) bool { return e.Rule != "" }) {
					predT = append(predT, t.Name)
				}
			}
		}
		for _, f := range v.Flags {
			predF = append(predF, f.Name)
		}
		for _, f := range v.Scores { // a report-only head's flag, where the data labels it
			if labelled[f.Name] {
				predF = append(predF, f.Name)
			}
		}
		top1, best := "", -1.0
		for l, p := range buf {
			if model.Labels[l].Kind == classify.KindTag && p > best {
				top1, best = model.Labels[l].Name, p
			}
		}
		ev.Add(d.Tags, predT, top1, d.Flags, predF)
		kind := d.Kind
		if kind == "" {
			kind = vigil.KindArticle
		}
		lang := d.Lang // the label's language; the detected one when it has none
		if lang == "" {
			lang = v.Lang
		}
		seen = append(seen, evalDoc{lang: lang, kind: kind, file: fileOf[i], gold: d.Flags, flags: predF})
		i++
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(e.stderr, "vigil eval: %v\n", err)
		return exitFail
	}
	r := ev.Report()
	var flagNames []string
	for _, f := range r.Flags {
		flagNames = append(flagNames, f.Name)
	}
	bySlice := slicesOf(flagNames, seen)
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(evalOutput{Versions: eng.versions, Source: source, Report: r, FlagNegatives: negativesOf(r), FlagSlices: bySlice}); err != nil {
			fmt.Fprintf(e.stderr, "vigil eval: %v\n", err)
			return exitFail
		}
	} else {
		fmt.Fprintf(e.stdout, "models %s, rules %s, tags from %s\nheads %s\n\n", eng.versions.Model, eng.versions.Rules, source, headsLine(eng.heads))
		if err := r.WriteText(e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "vigil eval: %v\n", err)
			return exitFail
		}
		for _, n := range negativesOf(r) {
			fmt.Fprintf(e.stdout, "\nflag %s false-positive rate on the documents without it: %.3f (%d of %d)\n", n.Flag, n.FPR, n.FP, n.Negatives)
			fmt.Fprintf(e.stdout, "  %-34s %-22s %-24s %s\n", "", "recall", "false-positive rate", "per 10,000")
			for _, s := range bySlice {
				if s.Flag == n.Flag {
					fmt.Fprintf(e.stdout, "  %-34s %-22s %-24s %s\n", s.Slice, ratio(s.TP, s.Positives), ratio(s.FP, s.Negatives), per10k(s.FP, s.Negatives))
				}
			}
		}
	}
	if failed > 0 {
		fmt.Fprintf(e.stderr, "vigil eval: %d of %d documents failed in the engine\n", failed, len(docs))
		return exitFail
	}
	return exitOK
}

// hasWords says whether the fields have a word: the classify stage tags
// nothing without one.
func hasWords(fields []pipeline.Field) bool {
	for i := range fields {
		if len(fields[i].Words) > 0 {
			return true
		}
	}
	return false
}
