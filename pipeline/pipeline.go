package pipeline

import (
	"context"
	"fmt"
	"runtime"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// Stage is one step of the pipeline. Process reads and updates it; an error
// marks that document's verdict and stops its remaining stages, nothing more.
// Implementations must be safe for concurrent use: the pool calls Process
// from several goroutines, each with its own Item.
type Stage interface {
	Name() string
	Process(ctx context.Context, it *Item) error
}

// Options tune a Pipeline. The zero value is valid.
type Options struct {
	// Workers is the number of documents processed at once by Stream and
	// CheckBatch; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Observe, when set, is called after every stage with its duration.
	// It must be safe for concurrent use.
	Observe func(stage string, d time.Duration)
}

// Pipeline runs an ordered list of stages over documents. It is safe for
// concurrent use.
type Pipeline struct {
	stages []Stage
	opts   Options
}

// New returns a pipeline running stages in the given order.
func New(opts Options, stages ...Stage) *Pipeline {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	return &Pipeline{stages: stages, opts: opts}
}

// Stages returns the stage names in order.
func (p *Pipeline) Stages() []string {
	names := make([]string, len(p.stages))
	for i, s := range p.stages {
		names[i] = s.Name()
	}
	return names
}

// Check runs every stage over doc and returns its verdict. It never fails:
// a stage error, or ctx ending between stages, is recorded in the verdict's
// Error and the verdict keeps what the earlier stages produced.
func (p *Pipeline) Check(ctx context.Context, doc *vigil.Document) vigil.Verdict {
	start := time.Now()
	it := &Item{Doc: doc, Lang: doc.Lang}
	it.TagScores = it.tagScores[:0]
	it.Verdict = vigil.Verdict{ID: doc.ID, Action: vigil.ActionAllow, Lang: doc.Lang,
		Tags: []vigil.Tag{}, Flags: []vigil.Flag{}}
	for _, s := range p.stages {
		if err := ctx.Err(); err != nil {
			it.Verdict.Error = vigil.Errorf(vigil.EUNAVAILABLE, "%s: not run: %v", s.Name(), err)
			break
		}
		t0 := time.Now()
		err := process(ctx, s, it)
		if p.opts.Observe != nil {
			p.opts.Observe(s.Name(), time.Since(t0))
		}
		if err != nil {
			it.Verdict.Error = stageError(s.Name(), err)
			break
		}
	}
	it.ReleaseMemo()
	it.Verdict.Lang = it.Lang
	fillUTF16(&it.Verdict, it.Fields)
	it.Verdict.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return it.Verdict
}

// process runs one stage, turning a panic into an error so that one bad
// document never takes the batch or the server down.
func process(ctx context.Context, s Stage, it *Item) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = vigil.Errorf(vigil.EINTERNAL, "panic: %v", r)
		}
	}()
	return s.Process(ctx, it)
}

// Interrupted returns an EUNAVAILABLE error once ctx has ended (a check
// timed out, the caller went away), nil before. Stages that take long on
// a large document call it between fields or chunks, so a timeout cuts
// the work short instead of waiting for the stage to finish.
func Interrupted(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return vigil.Errorf(vigil.EUNAVAILABLE, "interrupted: %v", err)
	}
	return nil
}

func stageError(stage string, err error) *vigil.Error {
	return &vigil.Error{Code: vigil.ErrorCode(err), Message: fmt.Sprintf("%s: %s", stage, vigil.ErrorMessage(err))}
}

// CheckBatch checks docs on the worker pool and returns their verdicts in
// the same order.
func (p *Pipeline) CheckBatch(ctx context.Context, docs []vigil.Document) []vigil.Verdict {
	out := make([]vigil.Verdict, len(docs))
	if len(docs) == 1 {
		out[0] = p.Check(ctx, &docs[0])
		return out
	}
	jobs := make(chan int)
	done := make(chan struct{})
	workers := min(p.opts.Workers, len(docs))
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range jobs {
				out[i] = p.Check(ctx, &docs[i])
			}
		}()
	}
	for i := range docs {
		jobs <- i
	}
	close(jobs)
	for range workers {
		<-done
	}
	return out
}

// Stream checks the documents received from in on the worker pool and sends
// their verdicts on the returned channel in input order. The channel is
// closed after in is closed and every verdict has been sent. At most a few
// documents per worker are in flight, so memory stays flat on any input
// size. The caller must drain the returned channel.
func (p *Pipeline) Stream(ctx context.Context, in <-chan *vigil.Document) <-chan vigil.Verdict {
	type job struct {
		doc    *vigil.Document
		result chan vigil.Verdict
	}
	// order carries each job's result channel in input order; its buffer
	// bounds how far workers may run ahead of the slowest document.
	order := make(chan chan vigil.Verdict, 4*p.opts.Workers)
	jobs := make(chan job)
	out := make(chan vigil.Verdict)

	go func() {
		defer close(order)
		defer close(jobs)
		for doc := range in {
			j := job{doc: doc, result: make(chan vigil.Verdict, 1)}
			order <- j.result
			jobs <- j
		}
	}()
	for range p.opts.Workers {
		go func() {
			for j := range jobs {
				j.result <- p.Check(ctx, j.doc)
			}
		}()
	}
	go func() {
		defer close(out)
		for r := range order {
			out <- <-r
		}
	}()
	return out
}
