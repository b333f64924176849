package main

import (
	"context"
	"log/slog"
	"runtime"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/rules"
)

// engineOptions say where the engine's models and rules come from and how
// it runs. The zero value is the embedded defaults on every core.
type engineOptions struct {
	// ModelsDir is a model bundle directory (--models); empty means the
	// bundle embedded in the binary.
	ModelsDir string
	// RulesDir is a rule pack directory (--rules); empty means the
	// embedded packs.
	RulesDir string
	// Workers is how many documents are checked at once; 0 means every core.
	Workers int
	// MaxBytes is the size limit of one document; 0 means
	// vigil.DefaultMaxDocumentBytes.
	MaxBytes int
	// Observe, when set, is called after every stage with its duration
	// (metrics).
	Observe func(stage string, d time.Duration)
	// OnShadow, when set, is called each time a shadow rule fires (metrics).
	OnShadow func(ruleID string)
	// Logger receives the engine's messages; nil discards them.
	Logger *slog.Logger
	// Thresholds override the shipped review thresholds (serve's
	// thresholds: key); see pipeline.FlagThresholds.Override.
	Thresholds pipeline.FlagThresholds
}

// engine is the configured pipeline every command that checks documents
// uses (classify, eval, serve, retag), with the versions of what it loaded.
type engine struct {
	pipe     *pipeline.Pipeline
	versions vigil.Versions
	bundle   *models.Bundle // the model bundle loaded
	maxBytes int
	log      *slog.Logger
}

// newEngine loads models and rules and builds the pipeline. An error means
// a model or rule pack could not be loaded; it names the file.
func newEngine(ctx context.Context, opts engineOptions) (*engine, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = vigil.DefaultMaxDocumentBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &engine{maxBytes: opts.MaxBytes, log: opts.Logger.With("component", "engine")}
	decide := &pipeline.Decide{}
	bundle, err := loadBundle(opts.ModelsDir)
	if err != nil {
		return nil, err
	}
	e.bundle, e.versions.Model = bundle, bundle.Meta.Version
	var ruleDirs []string
	if opts.RulesDir != "" {
		ruleDirs = []string{opts.RulesDir} // added to the embedded packs
	}
	ruleStage, err := rules.New(rules.Options{Dirs: ruleDirs, Logger: opts.Logger, OnShadow: opts.OnShadow})
	if err != nil {
		return nil, err // names the pack file and line
	}
	e.versions.Rules = ruleStage.Version()
	// The recruitment head: DIR/recruitment when --models DIR has one, else
	// the embedded head. It sets Decide's combiner and thresholds.
	flagHead, err := models.Recruitment(opts.ModelsDir)
	if err != nil {
		return nil, err
	}
	flagHead.Configure(decide)
	decide.Thresholds = decide.Thresholds.Override(opts.Thresholds)
	e.versions.Flag = flagHead.Config.Version

	// The stages, in order. Each later stage reads what the ones before it
	// left in the Item: keep normalize and tokenize first and decide last.
	stages := []pipeline.Stage{
		&pipeline.NormalizeStage{}, // Fields (text + byte map), Lang
		&pipeline.TokenizeStage{},  // Words, Sentences
		ruleStage,                  // rules: keyword/phrase/proximity/entity matching → Tags, Entities, Signals
		classify.NewStage(bundle.Topics, bundle.Meta.Version), // topic model → Tags
		flagHead.Stage, // extremist_recruitment model → Signal, combined with the rules' in decide
		decide,         // merges tags, signals → flags, action
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.pipe = pipeline.New(pipeline.Options{Workers: opts.Workers, Observe: opts.Observe}, stages...)
	e.log.Debug("engine ready", "stages", e.pipe.Stages(), "models", e.versions.Model, "rules", e.versions.Rules)
	return e, nil
}

// check returns the verdict of one document.
func (e *engine) check(ctx context.Context, doc *vigil.Document) vigil.Verdict {
	v := e.pipe.Check(ctx, doc)
	v.Versions = e.versions
	return v
}

// stream checks the documents from in on the worker pool and sends their
// verdicts in input order; see pipeline.Pipeline.Stream. The caller must
// drain the returned channel.
func (e *engine) stream(ctx context.Context, in <-chan *vigil.Document) <-chan vigil.Verdict {
	src := e.pipe.Stream(ctx, in)
	out := make(chan vigil.Verdict)
	go func() {
		defer close(out)
		for v := range src {
			v.Versions = e.versions
			out <- v
		}
	}()
	return out
}
