package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
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
	// ModelsDir is a models directory (--models): its heads replace the
	// embedded ones that score the same things, the others stay
	// (models.LoadSet); empty means the embedded heads.
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
	bundle   *models.Bundle // the topics head's bundle
	heads    *models.Set    // every head loaded
	// descriptions are the loaded packs' rule descriptions by rule id,
	// for the moderators' page; nil when only the embedded packs are in
	// use (the page reads those itself).
	descriptions map[string]rules.Description
	maxBytes     int
	log          *slog.Logger
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
	set, err := models.LoadSet(opts.ModelsDir)
	if err != nil {
		return nil, err // names the directory or the file at fault
	}
	e.heads, e.bundle = set, set.Topics()
	e.versions.Model, e.versions.Heads = e.bundle.Meta.Version, set.Versions()
	if h := set.Head(vigil.FlagExtremistRecruitment); h != nil {
		e.versions.Flag = h.Version
	}
	var ruleDirs []string
	if opts.RulesDir != "" {
		ruleDirs = []string{opts.RulesDir} // added to the embedded packs
	}
	ruleStage, err := rules.New(rules.Options{Dirs: ruleDirs, Logger: opts.Logger, OnShadow: opts.OnShadow})
	if err != nil {
		return nil, err // names the pack file and line
	}
	e.versions.Rules = ruleStage.Version()
	if opts.RulesDir != "" {
		if e.descriptions, err = rules.Descriptions(rules.EmbeddedSource(), rules.DirSource(opts.RulesDir)); err != nil {
			return nil, err
		}
	}

	// The stages, in order. Each later stage reads what the ones before it
	// left in the Item: keep normalize and tokenize first and decide last.
	stages := []pipeline.Stage{
		&pipeline.NormalizeStage{}, // Fields (text + byte map), Lang
		&pipeline.TokenizeStage{},  // Words, Sentences
		ruleStage,                  // rules: keyword/phrase/proximity/entity matching → Tags, Entities, Signals
	}
	// Then the heads: the topic model (→ Tags), each flag head (→ a
	// Signal, combined with the rules' in decide, which a flag head
	// configures with its combiner and review or report thresholds).
	for _, h := range set.Heads {
		if h.Flag != nil {
			h.Flag.Configure(decide)
			stages = append(stages, h.Flag.Stage)
		} else {
			stages = append(stages, classify.NewStage(h.Bundle.Topics, h.Version))
		}
		e.log.Debug("model head", "head", h.Name, "version", h.Version, "from", h.Source)
	}
	decide.SetThresholds(opts.Thresholds)
	stages = append(stages, decide) // merges tags, signals → flags, scores, action
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

// modelsFlagUsage is the help of every command's --models flag.
const modelsFlagUsage = "models `DIR`: its heads (topic bundle, flag heads) replace the embedded ones\nthat score the same; the others stay (default: the embedded heads)"

// headsLine names each head of s, its version and where it came from:
// "topics topics-2026-12-03-256536 (embedded), toxic flag-… (/srv/models)".
func headsLine(s *models.Set) string {
	parts := make([]string, len(s.Heads))
	for i, h := range s.Heads {
		parts[i] = fmt.Sprintf("%s %s (%s)", h.Name, h.Version, h.Source)
	}
	return strings.Join(parts, ", ")
}
