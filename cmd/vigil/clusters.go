package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/training"
)

func init() {
	register("clusters", command{
		summary: "learn word clusters (word vectors, then k-means) from unlabelled JSONL for vigil train --clusters",
		run:     runClusters,
	})
}

func runClusters(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("clusters", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil clusters --data FILE[,FILE...] --out FILE [flags]\n\n"+
			"Learns a vector for every word of the titles and bodies of JSONL documents (normalized\n"+
			"as the pipeline does; skip-gram with negative sampling, one thread) and groups the words\n"+
			"by k-means at each --levels granularity, each level splitting the groups of the one\n"+
			"before. Labels are not read. vigil train --clusters FILE gives every word its groups as\n"+
			"features and ships the file in the bundle. The same files and flags give the same bytes.\n\nflags:")
		fs.PrintDefaults()
	}
	def := classify.ClusterOptions{}.WithDefaults()
	var (
		data, out, levels string
		opt               = def
	)
	fs.StringVar(&data, "data", "", "JSONL `FILES` or directories of them, comma-separated")
	fs.StringVar(&out, "out", "", "clusters `FILE` to write (tab-separated text)")
	fs.IntVar(&opt.Dim, "dim", def.Dim, "length of the word vectors")
	fs.IntVar(&opt.Window, "window", def.Window, "most words either side that count as a word's context")
	fs.IntVar(&opt.Negatives, "negatives", def.Negatives, "random words each context word is set against")
	fs.IntVar(&opt.Epochs, "epochs", def.Epochs, "passes over the text")
	fs.IntVar(&opt.MinCount, "min-count", def.MinCount, "least occurrences for a word to be clustered")
	fs.Float64Var(&opt.Sample, "sample", def.Sample, "frequency above which words are skipped at random")
	fs.Float64Var(&opt.LR, "lr", def.LR, "initial learning rate (decays linearly)")
	fs.StringVar(&levels, "levels", joinInts(def.Levels), "groups at each granularity, coarsest first, comma-separated; each divides the next")
	fs.Uint64Var(&opt.Seed, "seed", def.Seed, "random seed")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if data == "" || out == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	opt.Levels = nil
	for _, s := range split(levels) {
		k, err := strconv.Atoi(s)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil clusters: --levels %q: %q is not a number\n", levels, s)
			return exitUsage
		}
		opt.Levels = append(opt.Levels, k)
	}
	files, err := jsonlFiles(split(data))
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil clusters: %v\n", err)
		return exitUsage
	}
	opt.Progress = func(epoch, epochs int) { fmt.Fprintf(e.stderr, "clusters: epoch %d of %d\n", epoch, epochs) }
	res, err := training.BuildClusterFile(ctx, training.ClusterFileOptions{Data: files, Options: opt, Out: out})
	if err != nil {
		return trainingFailed(e, "vigil clusters", err)
	}
	fmt.Fprintf(e.stderr, "clusters: %d words from %d documents (%d sentences) → %s (%d bytes)\n", res.Words, res.Docs, res.Sentences, out, res.Bytes)
	return exitOK
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}
