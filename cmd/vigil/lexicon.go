package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/kz-newsroom/vigil/training"
)

func init() {
	register("lexicon", command{
		summary: "build the word-frequency lexicon the normalizer splits spaced-out letters with",
		run:     runLexicon,
	})
}

// lexiconDefaultOut is where the shipped lexicon lives: it is embedded in
// the pipeline package.
const lexiconDefaultOut = "pipeline/lexicon.txt.gz"

func runLexicon(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("lexicon", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil lexicon --data FILE[,FILE...] --out FILE [flags]\n\n"+
			"Counts the words (NFKC, lower case, ё as е, runs of letters) of the titles and bodies\n"+
			"of JSONL documents and writes the most frequent ones, gzipped, for the normalizer.\n"+
			"With --rules, the words of that pack directory's terms and aliases are added, counted\n"+
			"as common words. The shipped lexicon does not read the shipped packs, so that editing\n"+
			"a pack never changes the normalizer. A FILE written FILE=ru+kk counts only its\n"+
			"documents in those languages.\n"+
			"The output is deterministic: the same files give the same bytes.\n\nflags:")
		fs.PrintDefaults()
	}
	var (
		data, out, rulesDir  string
		minCount, top, boost int
	)
	fs.StringVar(&data, "data", "", "JSONL `FILES` or directories of them, comma-separated (FILE=ru+kk: only its documents in those languages)")
	fs.StringVar(&out, "out", "", "lexicon `FILE` to write (required; the shipped one is "+lexiconDefaultOut+")")
	fs.IntVar(&minCount, "min-count", 2, "keep words seen at least `N` times")
	fs.IntVar(&top, "max", 80000, "keep at most `N` words")
	fs.IntVar(&boost, "boost-rank", 1000, "--rules words count at least as often as the `N`th most frequent word")
	fs.StringVar(&rulesDir, "rules", "", "rule pack `DIR` whose terms' words are added to the lexicon")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if data == "" || out == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	files, err := jsonlFiles(split(data))
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil lexicon: %v\n", err)
		return exitUsage
	}
	res, err := training.BuildLexicon(training.LexiconOptions{Data: files, RulesDir: rulesDir,
		MinCount: minCount, Max: top, BoostRank: boost, Out: out})
	if err != nil {
		return trainingFailed(e, "vigil lexicon", err)
	}
	fmt.Fprintf(e.stderr, "lexicon: %d words from %d documents → %s (%d bytes)\n", res.Words, res.Docs, out, res.Bytes)
	return exitOK
}
