package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

func init() {
	register("eval", command{
		summary: "score the engine against labeled JSONL: per-tag/flag P, R, F1; macro/micro F1; top-1 accuracy",
		run:     runEval,
	})
}

func runEval(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil eval [--models DIR] [--rules DIR] --data FILE[,FILE...] [--json]\n\n"+
			"Runs the engine over labeled JSONL documents and compares the verdicts' tags and flags\n"+
			"with the gold ones: per-label precision, recall, F1 and support, macro and micro F1,\n"+
			"every-tag-right and extra tags a document (by language too), and the model's top-1\n"+
			"accuracy with a confusion table.\n\nflags:")
		fs.PrintDefaults()
	}
	var (
		opts         engine.Options
		data, source string
		misses       string
		asJSON       bool
		byRule       bool
		fitRules     bool
		writeRules   string
	)
	fs.StringVar(&opts.ModelsDir, "models", "", modelsFlagUsage)
	fs.StringVar(&opts.RulesDir, "rules", "", rulesFlagUsage)
	fs.IntVar(&opts.Workers, "workers", 0, "documents checked at once (default: one per core)")
	fs.IntVar(&opts.MaxBytes, "max-bytes", vigil.DefaultMaxDocumentBytes, "size limit of one document, in bytes")
	fs.StringVar(&data, "data", "", "labeled JSONL `FILES`, comma-separated")
	fs.StringVar(&source, "source", "all", "which tags count: all, model (the classify stage's tags, thresholds and floors applied) or rule")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.BoolVar(&byRule, "by-rule", false, "also print each tag rule's precision on the data, beside the score its pack gives it")
	fs.BoolVar(&fitRules, "fit-rule-scores", false, "keep the packs' scores on rule tags and fit, per kind, their calibration against the model's\n"+
		"scores for the bundle's taxonomy.yaml (rule_scores); give data the model did not train on")
	fs.StringVar(&writeRules, "write-rule-scores", "", "with --fit-rule-scores: put the fit in the taxonomy.yaml of each bundle `DIRS` (comma-separated)\n"+
		"and reseal it (checksums and version id in metadata.json)")
	fs.StringVar(&misses, "misses", "", "write each document counted wrong (tags, flags or top-1 differ from gold) to `FILE`, one JSON line each")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if data == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	if writeRules != "" && !fitRules {
		fmt.Fprintln(e.stderr, "vigil eval: --write-rule-scores goes with --fit-rule-scores")
		return exitUsage
	}
	if source != engine.SourceAll && source != engine.SourceModel && source != engine.SourceRule {
		fmt.Fprintf(e.stderr, "vigil eval: --source %q: want all, model or rule\n", source)
		return exitUsage
	}
	docs, files, err := models.ReadData(split(data)...)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil eval: %v\n", err)
		return exitUsage
	}
	opts.RawRuleScores = fitRules
	eng, err := engine.New(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil eval: %v\n", err)
		return exitFail
	}
	evOpts := engine.EvalOptions{Source: source, Files: files, ByRule: byRule, FitRuleScores: fitRules,
		OnError: func(d *vigil.Document, msg string) { fmt.Fprintf(e.stderr, "vigil eval: %s: %s\n", d.ID, msg) }}
	var missOut *bufio.Writer
	var missErr error
	if misses != "" {
		f, err := os.Create(misses)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil eval: --misses: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		missOut = bufio.NewWriter(f)
		enc := json.NewEncoder(missOut)
		enc.SetEscapeHTML(false)
		evOpts.OnMiss = func(m engine.Miss) {
			if missErr == nil {
				missErr = enc.Encode(m)
			}
		}
	}
	ev, err := eng.Evaluate(ctx, docs, evOpts)
	if err == nil && missOut != nil {
		err = cmp.Or(missErr, missOut.Flush())
	}
	if err == nil && asJSON {
		err = ev.WriteJSON(e.stdout)
	} else if err == nil {
		err = ev.WriteText(e.stdout)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil eval: %v\n", err)
		return exitFail
	}
	if failed := ev.Failed; failed > 0 {
		fmt.Fprintf(e.stderr, "vigil eval: %d of %d documents failed in the engine\n", failed, len(docs))
		return exitFail
	}
	if writeRules != "" {
		if len(ev.RuleScores) == 0 {
			fmt.Fprintln(e.stderr, "vigil eval: --write-rule-scores: no rule tag on a document the model scored, nothing fitted")
			return exitFail
		}
		rs := map[string]pipeline.RuleScore{}
		for _, f := range ev.RuleScores {
			rs[f.Kind] = f.RuleScore
		}
		for _, dir := range split(writeRules) {
			meta, err := models.WriteRuleScores(dir, rs)
			if err != nil {
				fmt.Fprintf(e.stderr, "vigil eval: --write-rule-scores: %v\n", err)
				return exitFail
			}
			fmt.Fprintf(e.stderr, "vigil eval: rule scores written to %s, now %s\n", dir, meta.Version)
		}
	}
	return exitOK
}
