package models

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/pipeline"
)

// A flag head is a directory of two files beside the topic bundle:
//
//	flag.bin   the flag's text models (classify.FlagHead.WriteModels)
//	flag.yaml  the flag's name, the combiner of rule and model signals, the
//	           review thresholds per kind and per section, and how it was built
//	neutral.txt (optional) words the text model does not read
//	           (classify.FlagHead.Neutral), one a line
//	known.bin  (optional) the words the text model saw in training
//	           (classify.FlagHead.Known), as hashes
//
// `vigil train-flag` writes one; the recruitment head is embedded from
// models/recruitment, the toxic head from models/toxic. flag.yaml is meant to be read and edited: a newsroom
// can lower a section's threshold (by_section) without retraining.
const (
	FileFlagModel   = "flag.bin"
	FileFlagConfig  = "flag.yaml"
	FileFlagNeutral = "neutral.txt"
	FileFlagKnown   = "known.bin"
	// RecruitmentDir is the recruitment head's directory, inside a models
	// directory and inside the embedded files.
	RecruitmentDir = "recruitment"
)

//go:embed recruitment toxic
var embeddedFlags embed.FS

// FlagConfig is flag.yaml.
type FlagConfig struct {
	Flag string `yaml:"flag"`
	// Version names the head: flag-YYYY-MM-DD-hhhhhh over flag.bin's hash.
	Version string `yaml:"version"`
	// Combiner turns the rules' noisy-OR and the model's probability into
	// the flag's score (see pipeline.FlagCombiner).
	Combiner pipeline.FlagCombiner `yaml:"combiner"`
	// Thresholds send a document to review when the flag's score reaches
	// them: by_kind (comments stricter than articles), by_section (wins over
	// kind), default otherwise.
	Thresholds pipeline.FlagThreshold `yaml:"thresholds"`
	// ReportOnly heads send nothing to review: a document scoring at or
	// above Thresholds gets the flag in its verdict's scores, with
	// evidence, and the action stays allow, until the service config sets
	// thresholds for the flag (its thresholds: key), which start from
	// these. The toxic head ships so, since what a site takes as abuse
	// differs.
	ReportOnly bool `yaml:"report_only,omitempty"`
	// Evidence is how many model features each verdict reports.
	Evidence int `yaml:"evidence"`
	// MinWords is classify.FlagHead.MinWords: the text model's opinion of a
	// shorter text counts only in proportion. Trained with; not to be edited.
	MinWords int `yaml:"min_words,omitempty"`
	// RuledInFull is classify.FlagHead.RuledInFull: a short text one of the
	// flag's rules fired on gets the model's opinion in full. Trained with;
	// not to be edited.
	RuledInFull bool `yaml:"ruled_in_full,omitempty"`
	// SkipReported is classify.FlagHead.SkipReported: the models do not
	// read reported speech (a reader quoting someone else). train-flag
	// --skip-reported trains on texts read so too; set by hand on a head
	// trained without it, it only takes quoted words away from what the
	// head reads (the shipped recruitment head: docs/recruitment.md).
	SkipReported bool `yaml:"skip_reported,omitempty"`
	// Kinds and Langs, when set, are the document kinds and languages the
	// head scores (those it was trained on); other documents get no score
	// from it.
	Kinds []string `yaml:"kinds,omitempty"`
	Langs []string `yaml:"langs,omitempty"`
	// ModelSHA256 is flag.bin's checksum; loading checks it.
	ModelSHA256 string `yaml:"model_sha256"`
	// NeutralSHA256 is neutral.txt's checksum, when the head has one: the
	// model was trained without those words, so it must score without them.
	NeutralSHA256 string `yaml:"neutral_sha256,omitempty"`
	// KnownSHA256 is known.bin's checksum, when the head has one: MinWords
	// then counts only words seen in training, and a text of none scores
	// Prior (classify.FlagHead.Known).
	KnownSHA256 string `yaml:"known_sha256,omitempty"`
	// Prior is classify.FlagHead.Prior, the model logit of a text of no
	// known words (with known.bin). Trained; not to be edited.
	Prior float64 `yaml:"prior,omitempty"`
	// Build records how the head was made; it is not read back.
	Build FlagBuild `yaml:"build"`
}

// FlagBuild records how a flag head was built and how it scored.
type FlagBuild struct {
	Created    string            `yaml:"created"`
	Command    string            `yaml:"command"`
	Data       []DataFile        `yaml:"data"`
	Background []DataFile        `yaml:"background"`
	Params     map[string]any    `yaml:"params,omitempty"`
	Dev        map[string]string `yaml:"dev,omitempty"`  // out-of-fold scores on the labelled data, per slice
	Test       map[string]string `yaml:"test,omitempty"` // held-out test split, when given; never tuned on
}

// FlagHead is a loaded flag head: the pipeline stage and the Decide
// configuration that goes with it.
type FlagHead struct {
	Config FlagConfig
	Stage  *classify.FlagHead
}

// Configure adds the head's combiner and thresholds to d: review
// thresholds, or report thresholds for a ReportOnly head. Thresholds
// already in d for the flag win, so a service config can override the
// shipped ones.
func (h *FlagHead) Configure(d *pipeline.Decide) {
	if d.Combiners == nil {
		d.Combiners = map[string]pipeline.FlagCombiner{}
	}
	d.Combiners[h.Config.Flag] = h.Config.Combiner
	if h.Config.ReportOnly {
		if d.Report == nil {
			d.Report = pipeline.FlagThresholds{}
		}
		d.Report[h.Config.Flag] = h.Config.Thresholds
		return
	}
	if d.Thresholds == nil {
		d.Thresholds = pipeline.FlagThresholds{}
	}
	if _, ok := d.Thresholds[h.Config.Flag]; !ok {
		d.Thresholds[h.Config.Flag] = h.Config.Thresholds
	}
}

var defaultRecruitment = onceEmbedded(embeddedFlags, RecruitmentDir, "embedded recruitment head", LoadFlag)

// DefaultRecruitment returns the recruitment head embedded in the binary,
// loaded once.
func DefaultRecruitment() (*FlagHead, error) { return defaultRecruitment() }

// LoadFlag loads a flag head from fsys. A missing or corrupt file is an
// error naming it (ENOTFOUND or EINVALID).
func LoadFlag(fsys fs.FS) (*FlagHead, error) {
	read := func(name string) ([]byte, error) {
		data, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, vigil.Errorf(vigil.ENOTFOUND, "%s: missing", name)
		} else if err != nil {
			return nil, vigil.Errorf(vigil.EINVALID, "%s: %v", name, err)
		}
		return data, nil
	}
	cy, err := read(FileFlagConfig)
	if err != nil {
		return nil, err
	}
	var h FlagHead
	if err := yaml.Unmarshal(cy, &h.Config); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "%s: %v", FileFlagConfig, err)
	}
	if err := h.Config.Validate(); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "%s: %v", FileFlagConfig, err)
	}
	// checked reads name and checks it against the checksum flag.yaml gives.
	checked := func(name, want string) ([]byte, error) {
		data, err := read(name)
		if err != nil {
			return nil, err
		}
		if got := sum(data); got != want {
			return nil, vigil.Errorf(vigil.EINVALID, "%s: SHA-256 %s, %s says %s (file changed or corrupt)",
				name, got[:12], FileFlagConfig, short(want))
		}
		return data, nil
	}
	mb, err := checked(FileFlagModel, h.Config.ModelSHA256)
	if err != nil {
		return nil, err
	}
	ms, err := classify.ReadFlagModels(bytes.NewReader(mb))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", FileFlagModel, err)
	}
	if h.Stage, err = classify.NewFlagHead(h.Config.Flag, ms...); err != nil {
		return nil, fmt.Errorf("%s: %w", FileFlagModel, err)
	}
	h.Stage.Evidence, h.Stage.MinWords = h.Config.Evidence, h.Config.MinWords
	h.Stage.RuledInFull, h.Stage.SkipReported = h.Config.RuledInFull, h.Config.SkipReported
	h.Stage.Kinds, h.Stage.Langs = h.Config.Kinds, h.Config.Langs
	if h.Config.NeutralSHA256 != "" {
		nb, err := checked(FileFlagNeutral, h.Config.NeutralSHA256)
		if err != nil {
			return nil, err // the model was trained without other words
		}
		if h.Stage.Neutral, err = classify.ParseWordSet(bytes.NewReader(nb)); err != nil {
			return nil, fmt.Errorf("%s: %w", FileFlagNeutral, err)
		}
	}
	if h.Config.KnownSHA256 != "" {
		kb, err := checked(FileFlagKnown, h.Config.KnownSHA256)
		if err != nil {
			return nil, err
		}
		if h.Stage.Known, err = classify.ReadKnownWords(bytes.NewReader(kb)); err != nil {
			return nil, fmt.Errorf("%s: %w", FileFlagKnown, err)
		}
		h.Stage.Prior = h.Config.Prior
	}
	return &h, nil
}

// Validate reports the first value of c out of its range.
func (c *FlagConfig) Validate() error {
	if c.Flag == "" {
		return errors.New("flag: missing")
	}
	for _, v := range []float64{c.Combiner.Bias, c.Combiner.Rule, c.Combiner.Model, c.Combiner.Clip} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("combiner: %v is not a number", v)
		}
	}
	if c.Combiner.Rule < 0 || c.Combiner.Model < 0 || c.Combiner.Clip < 0 {
		return fmt.Errorf("combiner: rule and model weights must not be negative (more evidence never lowers the score)")
	}
	for k, w := range c.Combiner.Cues {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("combiner: cue %s weight %v: want a number, not negative", k, w)
		}
	}
	ok := func(v float64) bool { return v >= 0 && v <= 1 }
	if !ok(c.Thresholds.Default) {
		return fmt.Errorf("thresholds: default %v out of [0, 1]", c.Thresholds.Default)
	}
	for k, v := range c.Thresholds.ByKind {
		if k != vigil.KindArticle && k != vigil.KindComment {
			return fmt.Errorf("thresholds: by_kind: unknown kind %q (want article or comment)", k)
		}
		if !ok(v) {
			return fmt.Errorf("thresholds: by_kind %s: %v out of [0, 1]", k, v)
		}
	}
	for s, v := range c.Thresholds.BySection {
		if !ok(v) {
			return fmt.Errorf("thresholds: by_section %s: %v out of [0, 1]", s, v)
		}
	}
	for _, k := range c.Kinds {
		if k != vigil.KindArticle && k != vigil.KindComment {
			return fmt.Errorf("kinds: unknown kind %q (want article or comment)", k)
		}
	}
	for _, l := range c.Langs {
		if l != vigil.LangRussian && l != vigil.LangKazakh && l != vigil.LangEnglish {
			return fmt.Errorf("langs: unknown language %q (want ru, kk or en)", l)
		}
	}
	if math.IsNaN(c.Prior) || math.IsInf(c.Prior, 0) {
		return fmt.Errorf("prior: %v is not a number", c.Prior)
	}
	if c.MinWords < 0 || c.MinWords > 1000 {
		return fmt.Errorf("min_words: %d out of [0, 1000]", c.MinWords)
	}
	if c.Evidence < 0 || c.Evidence > 50 {
		return fmt.Errorf("evidence: %d out of [0, 50]", c.Evidence)
	}
	return nil
}

// WriteFlag writes a flag head into dir: flag.bin from head's models, then flag.yaml
// with its checksum, creation time (when empty) and version filled in. Files are written to temporary
// names and renamed. It returns the config written.
func WriteFlag(dir string, cfg FlagConfig, head *classify.FlagHead, neutral []byte) (FlagConfig, error) {
	var mb bytes.Buffer
	if _, err := head.WriteModels(&mb); err != nil {
		return cfg, err
	}
	cfg.ModelSHA256 = sum(mb.Bytes())
	parts := map[string]string{FileFlagModel: cfg.ModelSHA256}
	cfg.NeutralSHA256 = ""
	if neutral != nil {
		cfg.NeutralSHA256 = sum(neutral)
		parts[FileFlagNeutral] = cfg.NeutralSHA256
	}
	var known []byte
	cfg.KnownSHA256, cfg.Prior = "", 0
	if head.Known != nil {
		known, _ = head.Known.MarshalBinary()
		cfg.KnownSHA256, cfg.Prior = sum(known), head.Prior
		parts[FileFlagKnown] = cfg.KnownSHA256
	}
	if cfg.Build.Created == "" {
		cfg.Build.Created = time.Now().UTC().Format(time.RFC3339)
	}
	created, err := time.Parse(time.RFC3339, cfg.Build.Created)
	if err != nil {
		return cfg, vigil.Errorf(vigil.EINVALID, "flag head: created %q: %v", cfg.Build.Created, err)
	}
	cfg.Version = VersionID("flag", created, parts)
	if err := cfg.Validate(); err != nil {
		return cfg, vigil.Errorf(vigil.EINVALID, "flag head: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cfg, err
	}
	if err := writeAtomic(filepath.Join(dir, FileFlagModel), mb.Bytes()); err != nil {
		return cfg, err
	}
	if neutral != nil {
		if err := writeAtomic(filepath.Join(dir, FileFlagNeutral), neutral); err != nil {
			return cfg, err
		}
	}
	if known != nil {
		if err := writeAtomic(filepath.Join(dir, FileFlagKnown), known); err != nil {
			return cfg, err
		}
	}
	var cy bytes.Buffer
	fmt.Fprintf(&cy, "# The %s flag head: written by `vigil train-flag` (see build.command).\n"+
		"# thresholds.by_kind, thresholds.by_section and skip_reported may be edited by hand; the rest is trained.\n", cfg.Flag)
	if cfg.ReportOnly {
		cy.WriteString("# report_only: verdicts list the flag in scores and send nothing to review, until the\n" +
			"# service config sets thresholds for it (thresholds: {" + cfg.Flag + ": {by_kind: {comment: 0.9}}}).\n")
	}
	enc := yaml.NewEncoder(&cy)
	enc.SetIndent(2)
	if err := enc.Encode(cfg); err != nil {
		return cfg, err
	}
	return cfg, writeAtomic(filepath.Join(dir, FileFlagConfig), cy.Bytes())
}
