package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
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

// position names where a document came from, for messages.
type position struct {
	file string
	line int
	id   string
}

func runClassify(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil classify [--models DIR] [--rules DIR] [FILE...]\n\n"+
			"Reads documents as JSONL from the files (or stdin, or \"-\") and writes one verdict\n"+
			"a line to stdout, in input order. Bad lines are reported on stderr as FILE:LINE.\n\nflags:")
		fs.PrintDefaults()
	}
	var opts engine.Options
	fs.StringVar(&opts.ModelsDir, "models", "", modelsFlagUsage)
	fs.StringVar(&opts.RulesDir, "rules", "", "rule pack `DIR` (default: the embedded packs)")
	fs.IntVar(&opts.Workers, "workers", 0, "documents checked at once (default: one per core)")
	fs.IntVar(&opts.MaxBytes, "max-bytes", vigil.DefaultMaxDocumentBytes, "size limit of one document, in bytes")
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

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	eng, err := engine.New(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil classify: %v\n", err)
		return exitFail
	}
	if opts.ModelsDir != "" { // say which heads the directory replaced
		fmt.Fprintf(e.stderr, "vigil classify: heads: %s\n", engine.HeadsLine(eng.Heads()))
	}

	in := make(chan *vigil.Document)
	// positions follow the documents in input order, so the writer can
	// name the line of a verdict that carries an error. Its buffer is far
	// above the pipeline's in-flight bound, so the reader never waits on it
	// for long.
	positions := make(chan position, 4096)
	var badInput, readFailed bool // written by the reader goroutine only
	go func() {
		defer close(positions)
		defer close(in)
		for _, name := range files {
			if !classifyFile(ctx, e, name, eng.MaxBytes(), in, positions, &badInput) {
				readFailed = true
				return
			}
		}
	}()

	w := bufio.NewWriterSize(e.stdout, 64<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	stageFailed, writeErr := false, error(nil)
	for v := range eng.Stream(ctx, in) {
		pos := <-positions
		if v.Error != nil {
			stageFailed = true
			fmt.Fprintf(e.stderr, "%s:%d: document %q: %s\n", pos.file, pos.line, pos.id, v.Error.Message)
		}
		if writeErr != nil {
			continue // keep draining the pipeline
		}
		if err := enc.Encode(&v); err != nil {
			writeErr = err
			cancel() // stop reading: nobody reads the output
			continue
		}
		if len(positions) == 0 { // nothing else in flight: let the reader see it now
			if writeErr = w.Flush(); writeErr != nil {
				cancel()
			}
		}
	}
	if writeErr == nil {
		writeErr = w.Flush()
	}
	switch {
	case writeErr != nil:
		fmt.Fprintf(e.stderr, "vigil classify: write: %v\n", writeErr)
		return exitFail
	case badInput:
		return exitUsage
	case ctx.Err() != nil:
		fmt.Fprintf(e.stderr, "vigil classify: stopped: %v\n", context.Cause(ctx))
		return exitFail
	case readFailed, stageFailed:
		return exitFail
	}
	return exitOK
}

// classifyFile sends the documents of one file (or stdin for "-") to in and
// their positions to positions, reporting bad lines on stderr. It returns
// false when reading cannot go on (an I/O error or ctx ended).
func classifyFile(ctx context.Context, e *env, name string, maxBytes int, in chan<- *vigil.Document, positions chan<- position, badInput *bool) bool {
	var r io.Reader = e.stdin
	label := "stdin"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil classify: %v\n", err)
			*badInput = true
			return true
		}
		defer f.Close()
		r, label = f, name
	}
	dr := vigil.NewDocumentReader(r, maxBytes)
	for {
		if ctx.Err() != nil {
			return false
		}
		doc, line, err := dr.Next()
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			var verr *vigil.Error
			if !errors.As(err, &verr) {
				fmt.Fprintf(e.stderr, "%s:%d: read: %v\n", label, line, err)
				return false
			}
			*badInput = true
			fmt.Fprintf(e.stderr, "%s:%d: %s\n", label, line, verr.Message)
			continue
		}
		select {
		case positions <- position{file: label, line: line, id: doc.ID}:
		case <-ctx.Done():
			return false
		}
		in <- &doc
	}
}
