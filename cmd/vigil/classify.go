package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/engine"
)

func init() {
	register("classify", command{
		summary: "documents (JSONL, files or stdin) in, verdicts (JSONL) out, same order",
		run:     runClassify,
	})
}

func runClassify(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil classify [--models DIR] [--rules DIR] [--scores] [FILE...]\n\n"+
			"Reads documents as JSONL from the files (or stdin, or \"-\") and writes one verdict\n"+
			"a line to stdout, in input order. Bad lines are reported on stderr as FILE:LINE.\n\nflags:")
		fs.PrintDefaults()
	}
	var opts engine.Options
	fs.StringVar(&opts.ModelsDir, "models", "", modelsFlagUsage)
	fs.StringVar(&opts.RulesDir, "rules", "", rulesFlagUsage)
	fs.IntVar(&opts.Workers, "workers", 0, "documents checked at once (default: one per core)")
	fs.IntVar(&opts.MaxBytes, "max-bytes", vigil.DefaultMaxDocumentBytes, "size limit of one document, in bytes")
	every := fs.Bool("scores", false, "put every flag head's score in the verdict's scores, with the words that carried it,\n"+
		"also under its threshold: why a document was or was not sent to review")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, f := range files { // fail on a missing file before any output
		if f == "-" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			fmt.Fprintf(e.stderr, "vigil classify: %v\n", err)
			return exitUsage
		}
	}

	eng, err := e.engine(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil classify: %v\n", err)
		return exitFail
	}
	if opts.ModelsDir != "" { // say which heads the directory replaced
		fmt.Fprintf(e.stderr, "vigil classify: heads: %s\n", engine.HeadsLine(eng.Heads()))
	}
	if *every {
		ctx = vigil.WithEveryScore(ctx, true) // a value only: cancellation is ctx's
	}
	res, writeErr := eng.ClassifyFiles(ctx, files, e.stdout, engine.FilesOptions{Stdin: e.stdin, Log: e.stderr, Name: "vigil classify"})
	switch {
	case writeErr != nil:
		fmt.Fprintf(e.stderr, "vigil classify: write: %v\n", writeErr)
		return exitFail
	case res.BadInput:
		return exitUsage
	case ctx.Err() != nil:
		fmt.Fprintf(e.stderr, "vigil classify: stopped: %v\n", context.Cause(ctx))
		return exitFail
	case res.ReadFailed, res.StageFailed:
		return exitFail
	}
	return exitOK
}
