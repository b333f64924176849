package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	vigil "github.com/kz-newsroom/vigil"
)

// FilesOptions are what ClassifyFiles reads and reports to besides its files.
type FilesOptions struct {
	// Stdin is read for the file name "-".
	Stdin io.Reader
	// Log receives bad lines and the documents a stage failed on, as
	// FILE:LINE: message (stdin's FILE is "stdin").
	Log io.Writer
	// Name prefixes the messages that name no line, e.g. "vigil classify".
	Name string
}

// FilesResult says how a ClassifyFiles run went; each problem was reported
// on FilesOptions.Log.
type FilesResult struct {
	BadInput    bool // a line was no document, or a file could not be opened
	ReadFailed  bool // reading stopped early: an I/O error, or ctx ended
	StageFailed bool // a verdict carries a stage's error
}

// position names where a document came from, for messages.
type position struct {
	file string
	line int
	id   string
}

// ClassifyFiles reads documents as JSONL from files in turn ("-" is
// opts.Stdin), checks them as a stream and writes one verdict a line to
// out, in input order, flushing whenever nothing else is in flight. A bad
// line is reported and skipped; a file that cannot be opened is reported and
// the next one read. The error is out's: after it, reading stops and the
// documents in flight are drained unwritten.
func (e *Engine) ClassifyFiles(ctx context.Context, files []string, out io.Writer, opts FilesOptions) (FilesResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	in := make(chan *vigil.Document)
	// positions follow the documents in input order, so the writer can
	// name the line of a verdict that carries an error. Its buffer is far
	// above the pipeline's in-flight bound, so the reader never waits on it
	// for long.
	positions := make(chan position, 4096)
	var res FilesResult // BadInput and ReadFailed: written by the reader goroutine only
	go func() {
		defer close(positions)
		defer close(in)
		for _, name := range files {
			if !e.readFile(ctx, name, opts, in, positions, &res.BadInput) {
				res.ReadFailed = true
				return
			}
		}
	}()

	w := bufio.NewWriterSize(out, 64<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var writeErr error
	for v := range e.Stream(ctx, in) {
		pos := <-positions
		if v.Error != nil {
			res.StageFailed = true
			fmt.Fprintf(opts.Log, "%s:%d: document %q: %s\n", pos.file, pos.line, pos.id, v.Error.Message)
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
	return res, writeErr
}

// readFile sends the documents of one file (or opts.Stdin for "-") to in and
// their positions to positions, reporting bad lines on opts.Log. It returns
// false when reading cannot go on (an I/O error or ctx ended).
func (e *Engine) readFile(ctx context.Context, name string, opts FilesOptions, in chan<- *vigil.Document, positions chan<- position, badInput *bool) bool {
	r := opts.Stdin
	label := "stdin"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(opts.Log, "%s: %v\n", opts.Name, err)
			*badInput = true
			return true
		}
		defer f.Close()
		r, label = f, name
	}
	dr := vigil.NewDocumentReader(r, e.maxBytes)
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
				fmt.Fprintf(opts.Log, "%s:%d: read: %v\n", label, line, err)
				return false
			}
			*badInput = true
			fmt.Fprintf(opts.Log, "%s:%d: %s\n", label, line, verr.Message)
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
