package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/kz-newsroom/vigil/rules"
)

func init() {
	register("rules", command{
		summary: "rule packs: 'rules test [DIR]' runs every rule's examples, 'rules lint [DIR]' checks the packs",
		run:     runRules,
	})
}

const rulesUsage = `usage: vigil rules test [--no-embedded] [DIR]
       vigil rules lint [--no-embedded] [--strict] [DIR]

test  runs every rule's match: and no_match: examples through the normalizer
      and the compiled packs, and lists each miss as FILE:LINE.
lint  checks the packs: schema, duplicate ids, over-broad or unreachable
      terms, dangerous regex, all as FILE:LINE.

Packs are the embedded ones plus DIR, as 'vigil classify --rules DIR' loads
them. Exit status: 0 clean, 1 misses or lint errors (warnings too with
--strict), 2 bad usage or unreadable DIR.

flags:`

func runRules(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || (args[0] != "test" && args[0] != "lint") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stderr, rulesUsage)
			return exitOK
		}
		fmt.Fprintln(e.stderr, rulesUsage)
		return exitUsage
	}
	sub := args[0]
	fs := flag.NewFlagSet("rules "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprintln(e.stderr, rulesUsage); fs.PrintDefaults() }
	noEmbedded := fs.Bool("no-embedded", false, "check only DIR, without the embedded packs")
	strict := fs.Bool("strict", false, "lint: warnings fail too")
	verbose := fs.Bool("v", false, "test: print a line per pack file and the rules version")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(e.stderr, "vigil rules %s: at most one DIR\n", sub)
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
	if err := ctx.Err(); err != nil {
		return exitFail
	}
	if sub == "lint" {
		return rulesLint(e, srcs, *strict)
	}
	return rulesTest(e, srcs, *verbose)
}

func rulesLint(e *env, srcs []rules.Source, strict bool) int {
	findings, err := rules.Lint(srcs...)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil rules lint: %v\n", err)
		return exitUsage
	}
	errs, warns := 0, 0
	for _, f := range findings {
		fmt.Fprintln(e.stdout, f)
		if f.Level == rules.LevelError {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(e.stderr, "rules lint: %d error(s), %d warning(s)\n", errs, warns)
	if errs > 0 || (strict && warns > 0) {
		return exitFail
	}
	return exitOK
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
	if len(misses) > 0 {
		return exitFail
	}
	return exitOK
}
