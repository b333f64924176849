package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/kz-newsroom/vigil/rules"
	"github.com/kz-newsroom/vigil/training"
)

func init() {
	register("rules", command{
		summary: "rule packs: 'rules test [DIR]' runs every rule's examples, 'rules lint [DIR]' checks the packs, 'rules suggest' lists English names they lack",
		run:     runRules,
	})
}

const rulesUsage = `usage: vigil rules test [--no-embedded] [DIR]
       vigil rules lint [--no-embedded] [--strict] [DIR]
       vigil rules suggest --data FILE[,FILE...] [--min-docs N] [--top N] [DIR]

test  runs every rule's match: and no_match: examples through the normalizer
      and the compiled packs, and lists each miss as FILE:LINE.
lint  checks the packs: schema, duplicate ids, over-broad or unreachable
      terms, dangerous regex, all as FILE:LINE.
suggest  lists the people and places prose's English entity recognizer finds in
      the files' English documents that no entity pack covers, with their counts.

Packs are the embedded ones plus DIR, as 'vigil classify --rules DIR' loads
them. Exit status: 0 clean, 1 misses or lint errors (warnings too with
--strict), 2 bad usage or unreadable DIR.

flags:`

func runRules(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || !slices.Contains([]string{"test", "lint", "suggest"}, args[0]) {
		fmt.Fprintln(e.stderr, rulesUsage)
		if len(args) > 0 && (isHelp(args[0]) || args[0] == "help") {
			return exitOK
		}
		return exitUsage
	}
	sub := args[0]
	fs := flag.NewFlagSet("rules "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprintln(e.stderr, rulesUsage); fs.PrintDefaults() }
	noEmbedded := fs.Bool("no-embedded", false, "check only DIR, without the embedded packs")
	strict := fs.Bool("strict", false, "lint: warnings fail too")
	verbose := fs.Bool("v", false, "test: print a line per pack file and the rules version")
	var sg training.EntityOptions
	data := fs.String("data", "", "suggest: JSONL `FILES`, comma-separated")
	fs.IntVar(&sg.MinDocs, "min-docs", 2, "suggest: list names in at least `N` documents")
	fs.IntVar(&sg.Top, "top", 50, "suggest: list at most `N` names")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() > 1 || sub == "suggest" && *data == "" {
		fmt.Fprintf(e.stderr, "vigil rules %s: at most one DIR, and --data with suggest\n", sub)
		return exitUsage
	}
	var srcs []rules.Source
	if !*noEmbedded {
		srcs = append(srcs, rules.EmbeddedSource())
	}
	if fs.NArg() == 1 {
		dir := fs.Arg(0)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			fmt.Fprintf(e.stderr, "vigil rules %s: %s is not a readable directory\n", sub, dir)
			return exitUsage
		}
		srcs = append(srcs, rules.DirSource(dir))
	}
	if len(srcs) == 0 {
		fmt.Fprintf(e.stderr, "vigil rules %s: --no-embedded needs a DIR\n", sub)
		return exitUsage
	}
	switch sub {
	case "lint":
		return rulesLint(e, srcs, *strict)
	case "suggest":
		sg.Data, sg.RulesDir = split(*data), fs.Arg(0)
		rep, err := training.SuggestEntities(ctx, sg)
		if err != nil {
			return trainingFailed(e, "vigil rules suggest", err)
		}
		rep.WriteText(e.stdout)
		return exitOK
	}
	return rulesTest(e, srcs, *verbose)
}

func rulesLint(e *env, srcs []rules.Source, strict bool) int {
	findings, err := rules.Lint(srcs...)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil rules lint: %v\n", err)
		return exitUsage
	}
	for _, f := range findings {
		fmt.Fprintln(e.stdout, f)
	}
	errs, warns := rules.CountFindings(findings)
	fmt.Fprintf(e.stderr, "rules lint: %d error(s), %d warning(s)\n", errs, warns)
	return failIf(errs > 0 || (strict && warns > 0))
}

func rulesTest(e *env, srcs []rules.Source, verbose bool) int {
	set, err := rules.Load(srcs...)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil rules test: packs refused:\n%v\n", err)
		return exitFail
	}
	misses, ran := set.TestExamples()
	if verbose {
		for _, f := range set.Files() {
			fmt.Fprintf(e.stderr, "%s: %d rules, %d entities\n", f.Path, len(f.Rules), len(f.Entities))
		}
	}
	for _, m := range misses {
		fmt.Fprintln(e.stdout, m)
	}
	fmt.Fprintf(e.stderr, "rules test: %s, %d rules, %d examples, %d miss(es)\n", set.Version(), len(set.Rules()), ran, len(misses))
	return failIf(len(misses) > 0)
}
