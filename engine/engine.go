package engine

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

// Options say where the engine's models and rules come from and how it
// runs. The zero value is the embedded defaults on every core.
type Options struct {
	// ModelsDir is a models directory: its heads replace the embedded
	// ones that score the same things, the others stay (models.LoadSet);
	// empty means the embedded heads.
	ModelsDir string
	// RulesDir is a rule pack directory, added to the embedded packs;
	// empty means the embedded packs alone.
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
	// Thresholds override the shipped review thresholds (the service
	// config's thresholds); see pipeline.FlagThresholds.Override.
	Thresholds pipeline.FlagThresholds
	// RawRuleScores keeps the packs' scores on rule tags instead of the
	// bundle's calibration of them (models.Taxonomy.RuleScores): what
	// `vigil eval --fit-rule-scores` fits that calibration on.
	RawRuleScores bool
}

// Engine is the configured pipeline every command that checks documents
// uses (classify, eval, serve, retag), with the versions of what it loaded.
// Its methods are safe for concurrent use.
type Engine struct {
	pipe     *pipeline.Pipeline
	versions vigil.Versions
	heads    *models.Set // every head loaded
	// descriptions are the loaded packs' rule descriptions by rule id
	// (rules.Set.Descriptions), for the moderators' page.
	descriptions map[string]rules.Description
	// ruleSet is the packs as loaded, for the evaluation's precision of
	// each tag rule (EvalOptions.ByRule).
	ruleSet  *rules.Set
	workers  int
	maxBytes int
	log      *slog.Logger
	// topics is the topic head's classify stage; eval asks it which
	// scores become model tags.
	topics *classify.Stage
	// rawRuleScores is Options.RawRuleScores.
	rawRuleScores bool
	// decide is the last stage; eval reads its report thresholds.
	decide *pipeline.Decide
}

// New loads models and rules and builds the pipeline. An error means a
// model or rule pack could not be loaded (it names the file), or ctx ended.
func New(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = vigil.DefaultMaxDocumentBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{workers: opts.Workers, maxBytes: opts.MaxBytes, log: opts.Logger.With("component", "engine")}
	decide := &pipeline.Decide{}
	// The rule packs compile while the model heads load: the two are most
	// of a command's start and need nothing of each other.
	var ruleDirs []string
	if opts.RulesDir != "" {
		ruleDirs = []string{opts.RulesDir} // added to the embedded packs
	}
	var (
		ruleStage *rules.Engine
		ruleErr   error
		compiled  = make(chan struct{})
	)
	go func() {
		defer close(compiled)
		ruleStage, ruleErr = rules.New(rules.Options{Dirs: ruleDirs, Logger: opts.Logger, OnShadow: opts.OnShadow})
	}()
	set, err := models.LoadSet(opts.ModelsDir)
	<-compiled
	if err != nil {
		return nil, err // names the directory or the file at fault
	}
	if ruleErr != nil {
		return nil, ruleErr // names the pack file and line
	}
	e.heads = set
	decide.ExplainedBy = set.Topics().Taxonomy.ExplainedBy()
	decide.ExplainedByModel = set.Topics().Taxonomy.ExplainedByModel()
	decide.ShownAs = set.Topics().Taxonomy.ShownAs()
	decide.RuleFloors = set.Topics().Taxonomy.RuleFloors()
	decide.Floors = set.Topics().Taxonomy.Floors()
	e.rawRuleScores = opts.RawRuleScores
	if !opts.RawRuleScores {
		decide.RuleScores = set.Topics().Taxonomy.RuleScores
	}
	e.versions = versionsOf(set)
	e.versions.Rules = ruleStage.Version()
	e.ruleSet = ruleStage.Set()
	e.descriptions = e.ruleSet.Descriptions() // from the packs just loaded, not parsed again

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
	// The comments' own topic head, when the set has one, scores reader
	// comments inside the one classify stage.
	for _, h := range set.Heads {
		switch {
		case h.Flag != nil:
			h.Flag.Configure(decide)
			stages = append(stages, h.Flag.Stage)
		case h.Name == models.HeadTopics:
			e.topics = topicStage(h)
			if c := set.Head(models.HeadCommentTopics); c != nil {
				e.topics.WithComments(topicStage(c))
			}
			stages = append(stages, e.topics)
		}
		e.log.Debug("model head", "head", h.Name, "version", h.Version, "from", h.Source)
	}
	decide.SetThresholds(opts.Thresholds)
	stages = append(stages, decide) // merges tags, signals → flags, scores, action
	e.decide = decide
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.pipe = pipeline.New(pipeline.Options{Workers: opts.Workers, Observe: opts.Observe}, stages...)
	e.log.Debug("engine ready", "stages", e.pipe.Stages(), "models", e.versions.Model, "rules", e.versions.Rules)
	return e, nil
}

// topicStage is the classify stage of a bundle head, its floors applied.
func topicStage(h *models.Head) *classify.Stage {
	return classify.NewStage(h.Bundle.Topics, h.Version).
		WithCommentFloors(h.Bundle.Taxonomy.CommentFloors()).WithFloors(h.Bundle.Taxonomy.Floors())
}

// Versions are the versions of the models and rules the engine loaded,
// as every verdict carries them.
func (e *Engine) Versions() vigil.Versions { return e.versions }

// Heads are the model heads the engine loaded.
func (e *Engine) Heads() *models.Set { return e.heads }

// Stages names the pipeline's stages in order.
func (e *Engine) Stages() []string { return e.pipe.Stages() }

// MaxBytes is the size limit of one document.
func (e *Engine) MaxBytes() int { return e.maxBytes }

// Workers is how many documents the engine checks at once.
func (e *Engine) Workers() int { return e.workers }

// Describe returns the description in lang of a rule of the packs the
// engine loaded (the embedded ones and a rule directory's), "" for a rule
// without one in lang: no fallback, a page never mixes languages.
func (e *Engine) Describe(rule, lang string) string {
	return e.descriptions[rule][lang]
}

// Check returns the verdict of one document.
func (e *Engine) Check(ctx context.Context, doc *vigil.Document) vigil.Verdict {
	v := e.pipe.Check(ctx, doc)
	v.Versions = e.versions
	return v
}

// CheckBatch returns the verdicts of docs, in order, checked on the
// worker pool.
func (e *Engine) CheckBatch(ctx context.Context, docs []vigil.Document) []vigil.Verdict {
	out := e.pipe.CheckBatch(ctx, docs)
	for i := range out {
		out[i].Versions = e.versions
	}
	return out
}

// Stream checks the documents from in on the worker pool and sends their
// verdicts in input order; see pipeline.Pipeline.Stream. The caller must
// drain the returned channel.
func (e *Engine) Stream(ctx context.Context, in <-chan *vigil.Document) <-chan vigil.Verdict {
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

// HeadsLine names each head of s, its version and where it came from:
// "topics topics-2026-12-03-256536 (embedded), toxic flag-… (/srv/models)".
func HeadsLine(s *models.Set) string {
	parts := make([]string, len(s.Heads))
	for i, h := range s.Heads {
		parts[i] = fmt.Sprintf("%s %s (%s)", h.Name, h.Version, h.Source)
	}
	return strings.Join(parts, ", ")
}
