package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/rules"
)

// Which tags an evaluation counts (EvalOptions.Source).
const (
	SourceAll   = "all"             // the verdicts' tags
	SourceModel = vigil.SourceModel // the topic model's alone, at its thresholds
	SourceRule  = vigil.SourceRule  // the tags rule evidence supports
)

// EvalOptions configure Evaluate.
type EvalOptions struct {
	// Source says which tags count: SourceAll (the default when empty),
	// SourceModel or SourceRule.
	Source string
	// Files are the files the documents were read from, in order; each
	// one's Docs documents are counted under its path in the per-file
	// slices.
	Files []models.DataFile
	// OnError, when set, hears each document a stage failed on, as it
	// comes.
	OnError func(doc *vigil.Document, msg string)
	// OnMiss, when set, hears each document the engine got wrong (Miss),
	// in input order.
	OnMiss func(Miss)
	// ByRule asks for each tag rule's precision on the data
	// (Evaluation.Rules).
	ByRule bool
	// FitRuleScores asks for the calibration of rule tags, per kind,
	// fitted on the data (Evaluation.RuleScores). The engine must keep the
	// packs' scores (Options.RawRuleScores), or the fit would read its own
	// output.
	FitRuleScores bool
}

// Miss is one document an evaluation counts wrong: the tags it counts
// differ from the gold ones, its flags do, or (for a document with one
// gold tag) the model's top-1 tag is another. It is what `vigil eval
// --misses` writes, one JSON line each, to read the errors behind a score.
type Miss struct {
	ID   string `json:"id"`
	File string `json:"file,omitempty"`
	Lang string `json:"lang"`
	Kind string `json:"kind"`
	// Text is the start of the document's title and body, enough to read
	// it in a terminal.
	Text string `json:"text"`
	// Gold and Got are the labels the data gives and those the
	// evaluation counted (a counted tag with its score and source).
	Gold MissLabels `json:"gold"`
	Got  MissLabels `json:"got"`
	// Top1 is the model's best tag and its score, above threshold or not.
	Top1      string  `json:"top1"`
	Top1Score float64 `json:"top1_score"`
}

// MissLabels are one side of a Miss.
type MissLabels struct {
	Tags  []MissTag `json:"tags"`
	Flags []string  `json:"flags"`
}

// MissTag is a tag of a Miss; a gold tag has no score or source.
type MissTag struct {
	Name   string  `json:"name"`
	Score  float64 `json:"score,omitempty"`
	Source string  `json:"source,omitempty"`
}

// missText is how much of a document a Miss quotes, in runes.
const missText = 200

// miss returns the Miss of d when the evaluation counts it wrong: tags
// counted (names, their names) or flags not d's, or its one tag not top1.
func miss(d *vigil.Document, lang, kind, file string, tags []countedTag, names, flags []string, top1 string, top1Score float64) (Miss, bool) {
	if classify.SameLabels(d.Tags, names) && classify.SameLabels(d.Flags, flags) && (len(d.Tags) != 1 || d.Tags[0] == top1) {
		return Miss{}, false
	}
	text := strings.Join(strings.Fields(strings.TrimSpace(d.Title+" "+d.Body)), " ")
	if r := []rune(text); len(r) > missText {
		text = string(r[:missText]) + "…"
	}
	m := Miss{ID: d.ID, File: file, Lang: lang, Kind: kind, Text: text, Top1: top1, Top1Score: top1Score,
		Gold: MissLabels{Tags: []MissTag{}, Flags: append([]string{}, d.Flags...)},
		Got:  MissLabels{Tags: []MissTag{}, Flags: append([]string{}, flags...)}}
	for _, t := range d.Tags {
		m.Gold.Tags = append(m.Gold.Tags, MissTag{Name: t})
	}
	for _, t := range tags {
		m.Got.Tags = append(m.Got.Tags, MissTag{t.name, t.score, t.source})
	}
	return m, true
}

// Evaluation is an engine's report on labeled documents; its JSON is what
// `vigil eval --json` prints.
type Evaluation struct {
	Versions vigil.Versions `json:"versions"`
	Source   string         `json:"source"`
	*classify.Report
	// FlagNegatives is, per flag, how many documents without it in gold
	// (in testdata/recruitment: the hard negatives) were given it.
	FlagNegatives []FlagNegatives `json:"flag_negatives,omitempty"`
	// FlagSlices break each flag's recall and false-positive rate down by
	// language, kind and input file.
	FlagSlices []FlagSlice `json:"flag_slices,omitempty"`
	// Languages has, when the data holds more than one language, each
	// language's share of documents with every tag right, extra tags and
	// macro-F1 of the tags, by the documents' lang (detected when unset).
	Languages []LanguageScore `json:"languages,omitempty"`
	// Calibration reads the counted tags' scores against the gold labels,
	// by whose score they show and for all of them, when the data labels
	// tags.
	Calibration []Calibration `json:"calibration,omitempty"`
	// FlagCalibration reads each flag's score against the gold labels, on
	// every document, when the data labels the flag: the score the
	// verdict shows for it, sent to review or not (vigil.WithEveryScore),
	// 0 where it shows none (a head that does not read the document, or
	// an evidence condition not met).
	FlagCalibration []Calibration `json:"flag_calibration,omitempty"`
	// Rules is, with EvalOptions.ByRule, each tag rule that gave a tag the
	// data labels, with how often that tag was right: a rule's score is
	// meant to be its precision, and this is how it is measured.
	Rules []RulePrecision `json:"rules,omitempty"`
	// RuleScores is, with EvalOptions.FitRuleScores, the calibration of
	// rule tags fitted on the data, a kind each.
	RuleScores []RuleScoreFit `json:"rule_scores,omitempty"`
	// Failed is how many documents a stage failed on.
	Failed int `json:"-"`
	// Heads names the heads evaluated (HeadsLine).
	Heads string `json:"-"`
}

// RulePrecision is one tag rule's precision on an evaluation's data: of
// the verdicts whose tag carries its evidence, on data that labels the tag
// (some document's gold has it), how many have the tag in gold. Precision
// is smoothed, (Right+1)/(Fired+2), as the packs' scores are; Low and High
// bound the share right with 95 % confidence (Wilson). Score is the one
// the pack gives, at Where (file:line).
type RulePrecision struct {
	Rule      string  `json:"rule"`
	Tag       string  `json:"tag"`
	Where     string  `json:"where"`
	Score     float64 `json:"score"`
	Fired     int     `json:"fired"`
	Right     int     `json:"right"`
	Precision float64 `json:"precision"`
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
}

// Outside reports whether the pack's score lies outside the interval the
// data gives the rule's precision.
func (r RulePrecision) Outside() bool { return r.Score < r.Low || r.Score > r.High }

// rulePrecision counts, per tag rule, the tags it gave evidence for.
type rulePrecision map[string]*RulePrecision

func (rp rulePrecision) add(tag vigil.Tag, gold []string, labelled map[string]bool, set *rules.Set) {
	if !labelled[tag.Name] {
		return
	}
	var seen []string
	for _, ev := range tag.Evidence {
		r := set.Rule(ev.Rule)
		if r == nil || r.Action.Tag == "" || slices.Contains(seen, ev.Rule) {
			continue
		}
		seen = append(seen, ev.Rule)
		c := rp[ev.Rule]
		if c == nil {
			c = &RulePrecision{Rule: r.ID, Tag: r.Action.Tag, Where: fmt.Sprintf("%s:%d", r.Path(), r.Action.Line), Score: r.Action.Score}
			rp[ev.Rule] = c
		}
		c.Fired++
		if slices.Contains(gold, tag.Name) {
			c.Right++
		}
	}
}

// result lists the rules, most fired first, with their precision.
func (rp rulePrecision) result() []RulePrecision {
	out := make([]RulePrecision, 0, len(rp))
	for _, c := range rp {
		r := *c
		r.Precision = float64(r.Right+1) / float64(r.Fired+2)
		r.Low, r.High = wilson(r.Right, r.Fired)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b RulePrecision) int {
		return cmp.Or(cmp.Compare(b.Fired, a.Fired), cmp.Compare(a.Rule, b.Rule))
	})
	return out
}

// wilson is the 95 % Wilson score interval of k successes in n.
func wilson(k, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.96
	p, nf := float64(k)/float64(n), float64(n)
	d := 1 + z*z/nf
	c := p + z*z/(2*nf)
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return max(0, (c-h)/d), min(1, (c+h)/d)
}

// LanguageScore is one language's part of an evaluation's tag scores.
type LanguageScore struct {
	Lang          string  `json:"lang"`
	Docs          int     `json:"docs"`
	EveryTagRight float64 `json:"every_tag_right"`
	ExtraTags     float64 `json:"extra_tags"`
	MacroF1       float64 `json:"macro_f1"`
	// Top1Accuracy is the model's top-1 accuracy on the language's
	// single-tag documents, Top1ClosedAccuracy the same among the outputs
	// of the report's Top1Closed (0 without it).
	Top1Accuracy       float64 `json:"top1_accuracy"`
	Top1ClosedAccuracy float64 `json:"top1_closed_accuracy,omitempty"`
	// FirstTagAccuracy is the share of them whose verdict's first tag is
	// the gold one (classify.Report.FirstTag).
	FirstTagAccuracy float64 `json:"first_tag_accuracy"`
}

// FlagSlice is one flag's counts on the documents of one language, kind
// or file ("lang=ru", "kind=comment", "file=testdata/x.jsonl").
type FlagSlice struct {
	Flag      string `json:"flag"`
	Slice     string `json:"slice"`
	Positives int    `json:"positives"`
	TP        int    `json:"tp"`
	Negatives int    `json:"negatives"`
	FP        int    `json:"fp"`
}

// FlagNegatives is one flag's false-positive rate on the documents that
// do not carry it.
type FlagNegatives struct {
	Flag      string  `json:"flag"`
	Negatives int     `json:"negatives"`
	FP        int     `json:"fp"`
	FPR       float64 `json:"fpr"`
}

// evalDoc is what the per-slice counts need of one checked document.
type evalDoc struct {
	lang, kind, file string
	gold, flags      []string
}

// outputs are what a topic stage's model outputs read as.
type outputs struct {
	shown  []string // per model label, the tag a verdict shows for it
	closed []bool   // per model label, whether Top1Closed chooses among it; nil: no Top1Closed
}

// evaluator predicts one document's tags and flags from its verdict and
// the topic model's own scores.
type evaluator struct {
	stage    *classify.Stage // the topic model's stage (For(kind): the one that scores a kind)
	outs     map[*classify.Stage]*outputs
	source   string
	labelled map[string]bool // the flags the data labels
	// report is Decide's report thresholds: a report-only flag at or
	// above its one counts as predicted, as Verdict.Scores lists it.
	report pipeline.FlagThresholds
	buf    []float64
}

// closedOutputs returns, per label of m, whether it is a tag output for one
// of the tags gold names, and their names; nil when that is every tag
// output, none, or when gold names every tag the taxonomy shows (the
// written sets label in the taxonomy's sense: there top-1 is the whole
// model's).
func closedOutputs(m *classify.Model, shown []string, gold map[string]bool) ([]bool, []string) {
	closed := make([]bool, len(m.Labels))
	var names []string
	all, shownAll := true, true
	for i, l := range m.Labels {
		if l.Kind != classify.KindTag {
			continue
		}
		closed[i] = gold[l.Name]
		all = all && closed[i]
		shownAll = shownAll && gold[shown[i]]
		if closed[i] {
			names = append(names, l.Name)
		}
	}
	if all || shownAll || len(names) == 0 {
		return nil, nil
	}
	return closed, names
}

// countedTag is a tag an evaluation counts: its name, the score it shows
// and whose score that is (vigil.SourceModel or SourceRule).
type countedTag struct {
	name, source string
	score        float64
}

// Evaluate checks docs with the engine and compares the verdicts' tags and
// flags with the gold ones: per-label precision, recall and F1, the topic
// model's top-1 accuracy, and each flag's counts per slice. A document a
// stage fails on counts with what its verdict holds (Evaluation.Failed).
// The error is ctx's when it ends first, EINVALID for an unknown Source.
func (e *Engine) Evaluate(ctx context.Context, docs []vigil.Document, opts EvalOptions) (*Evaluation, error) {
	switch opts.Source {
	case "":
		opts.Source = SourceAll
	case SourceAll, SourceModel, SourceRule:
	default:
		return nil, vigil.Errorf(vigil.EINVALID, "eval: source %q: want %s, %s or %s", opts.Source, SourceAll, SourceModel, SourceRule)
	}
	if opts.FitRuleScores && !e.rawRuleScores {
		return nil, vigil.Errorf(vigil.EINVALID, "eval: fitting rule scores needs the packs' own scores (engine.Options.RawRuleScores)")
	}
	var fileOf []string
	for _, f := range opts.Files {
		for range f.Docs {
			fileOf = append(fileOf, filepath.ToSlash(f.Path))
		}
	}
	// A flag scored but not sent to review (Verdict.Scores: toxic, unless
	// thresholds turn it on) counts as predicted on data that labels it,
	// at or above its report threshold (the evaluation asks for every
	// score, under it too, for FlagCalibration).
	ev := &evaluator{stage: e.topics, outs: map[*classify.Stage]*outputs{}, source: opts.Source, labelled: map[string]bool{}, report: e.decide.Report}
	goldTags := map[string]bool{}
	for _, d := range docs {
		for _, f := range d.Flags {
			ev.labelled[f] = true
		}
		for _, t := range d.Tags {
			goldTags[t] = true
		}
	}
	// Each stage that scores a kind (the topics head's, the comments'
	// own) reads its outputs as tags through the taxonomy.
	var closedNames, tagNames []string
	for _, st := range []*classify.Stage{e.topics, e.topics.For(vigil.KindComment)} {
		if ev.outs[st] != nil {
			continue
		}
		o := &outputs{}
		for _, l := range st.Model().Labels {
			o.shown = append(o.shown, e.heads.Topics().Taxonomy.Shown(l.Name))
		}
		var names []string
		o.closed, names = closedOutputs(st.Model(), o.shown, goldTags)
		if st == e.topics {
			closedNames = names
		}
		for i, l := range st.Model().Labels {
			if n := o.shown[i]; l.Kind == classify.KindTag && !slices.Contains(tagNames, n) {
				tagNames = append(tagNames, n)
			}
		}
		ev.outs[st] = o
	}
	// Top-1 is the classifier's own best tag, above threshold or not, so it
	// needs the scores the verdict does not carry.
	fields := pipeline.PrepareFields(ctx, docs, e.workers)
	report := classify.NewEvaluator(tagNames...)
	byLang := map[string]*classify.Evaluator{}
	// closed and closedByLang count top-1 among the closed outputs, when
	// there are any (closedOutputs).
	var closed *classify.Evaluator
	closedByLang := map[string]*classify.Evaluator{}
	if closedNames != nil {
		closed = classify.NewEvaluator(tagNames...)
	}
	out := &Evaluation{Versions: e.versions, Source: opts.Source, Heads: HeadsLine(e.heads)}
	var seen []evalDoc
	var cal, flagCal calibrator
	byRule := rulePrecision{}
	ruleSamples := map[string][]ruleSample{}
	i := 0
	// Every flag's score, under its threshold too, for FlagCalibration.
	for v := range e.Stream(vigil.WithEveryScore(ctx, false), feed(ctx, docs)) {
		d := &docs[i]
		if v.Error != nil {
			out.Failed++
			if opts.OnError != nil {
				opts.OnError(d, v.Error.Message)
			}
		}
		kind := d.Kind
		if kind == "" {
			kind = vigil.KindArticle // as Decide reads it
		}
		counted, predF, top1, top1Score, top1Closed := ev.predict(v, kind, d.Section, fields[i])
		for name := range ev.labelled {
			flagCal.add(name, name, flagScore(v, name), slices.Contains(d.Flags, name))
		}
		predT := make([]string, len(counted))
		for j, t := range counted {
			predT[j] = t.name
			cal.add(t.name, t.source, t.score, slices.Contains(d.Tags, t.name))
		}
		report.Add(d.Tags, predT, top1, d.Flags, predF)
		if opts.ByRule {
			for _, t := range v.Tags {
				byRule.add(t, d.Tags, goldTags, e.ruleSet)
			}
		}
		if opts.FitRuleScores {
			ruleSamples[kind] = ev.ruleSamples(ruleSamples[kind], v, kind, fields[i], d.Tags, goldTags)
		}
		lang := d.Lang // the label's language; the detected one when it has none
		if lang == "" {
			lang = v.Lang
		}
		if byLang[lang] == nil {
			byLang[lang] = classify.NewEvaluator(tagNames...)
			if closed != nil {
				closedByLang[lang] = classify.NewEvaluator(tagNames...)
			}
		}
		byLang[lang].Add(d.Tags, predT, top1, d.Flags, predF)
		if closed != nil {
			closed.Add(d.Tags, nil, top1Closed, nil, nil)
			closedByLang[lang].Add(d.Tags, nil, top1Closed, nil, nil)
		}
		file := ""
		if i < len(fileOf) {
			file = fileOf[i]
		}
		seen = append(seen, evalDoc{lang: lang, kind: kind, file: file, gold: d.Flags, flags: predF})
		if opts.OnMiss != nil {
			if m, ok := miss(d, lang, kind, file, counted, predT, predF, top1, top1Score); ok {
				opts.OnMiss(m)
			}
		}
		i++
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out.Report = report.Report()
	if closed != nil {
		if r := closed.Report(); r.Top1Docs > 0 {
			out.Report.Top1Closed = &classify.Top1Score{Outputs: closedNames, Docs: r.Top1Docs, Accuracy: r.Top1Accuracy, MacroF1: r.Top1MacroF1}
		}
	}
	var flagNames []string
	for _, f := range out.Report.Flags {
		flagNames = append(flagNames, f.Name)
	}
	out.Calibration = cal.result(func(name string) bool {
		i := slices.IndexFunc(out.Report.Tags, func(t classify.LabelScore) bool { return t.Name == name })
		return i >= 0 && out.Report.Tags[i].Support > 0
	}, vigil.SourceModel, vigil.SourceRule, "all")
	out.FlagCalibration = flagCal.result(func(string) bool { return true }, slices.Sorted(maps.Keys(ev.labelled))...)
	if opts.ByRule {
		out.Rules = byRule.result()
	}
	if opts.FitRuleScores {
		out.RuleScores = fitRuleScores(ruleSamples)
	}
	out.FlagNegatives = negativesOf(out.Report)
	out.FlagSlices = slicesOf(flagNames, seen)
	if len(byLang) > 1 {
		for _, lang := range slices.Sorted(maps.Keys(byLang)) {
			r := byLang[lang].Report()
			ls := LanguageScore{Lang: lang, Docs: r.Docs, EveryTagRight: r.EveryTagRight, ExtraTags: r.ExtraTags,
				MacroF1: r.MacroF1, Top1Accuracy: r.Top1Accuracy}
			if r.FirstTag != nil {
				ls.FirstTagAccuracy = r.FirstTag.Accuracy
			}
			if out.Top1Closed != nil {
				ls.Top1ClosedAccuracy = closedByLang[lang].Report().Top1Accuracy
			}
			out.Languages = append(out.Languages, ls)
		}
	}
	return out, nil
}

// feed sends pointers to docs, in order, until ctx ends.
func feed(ctx context.Context, docs []vigil.Document) <-chan *vigil.Document {
	in := make(chan *vigil.Document)
	go func() {
		defer close(in)
		for i := range docs {
			select {
			case in <- &docs[i]:
			case <-ctx.Done():
				return
			}
		}
	}()
	return in
}

// predict returns the tags the source gave v, its flags (with a report-only
// head's where the data labels it), the model's top-1 tag and score, and
// its top-1 tag among the closed outputs ("" without them).
func (ev *evaluator) predict(v vigil.Verdict, kind, section string, fields []pipeline.Field) (predT []countedTag, predF []string, top1 string, best float64, top1Closed string) {
	stage := ev.stage.For(kind)
	model, o := stage.Model(), ev.outs[stage]
	ev.buf = model.Scores(ev.buf[:0], fields)
	// A tag both sources gave shows the source of the higher score, so
	// each source's own tags are read from what it did: the model's
	// scores at their thresholds, the rules' evidence.
	switch ev.source {
	case SourceAll:
		for _, t := range v.Tags {
			predT = append(predT, countedTag{t.Name, t.Source, t.Score})
		}
	case SourceModel: // what the classify stage gives, floors included
		words := pipeline.WordCount(fields)
		for l, p := range ev.buf {
			if n := o.shown[l]; stage.Tags(l, p, kind, words) {
				if j := slices.IndexFunc(predT, func(t countedTag) bool { return t.name == n }); j >= 0 {
					predT[j].score = max(predT[j].score, p) // two outputs shown as one tag: the higher
					continue
				}
				predT = append(predT, countedTag{n, vigil.SourceModel, p})
			}
		}
		// in a verdict's order: highest score first
		slices.SortStableFunc(predT, func(a, b countedTag) int { return cmp.Compare(b.score, a.score) })
	case SourceRule:
		for _, t := range v.Tags {
			if slices.ContainsFunc(t.Evidence, func(e vigil.Evidence) bool { return e.Rule != "" }) {
				predT = append(predT, countedTag{t.Name, t.Source, t.Score})
			}
		}
	}
	for _, f := range v.Flags {
		predF = append(predF, f.Name)
	}
	for _, f := range v.Scores { // a report-only head's flag, where the data labels it
		rt, reported := ev.report[f.Name]
		if ev.labelled[f.Name] && reported && f.Score >= rt.For(kind, section) {
			predF = append(predF, f.Name)
		}
	}
	best, bestClosed := -1.0, -1.0
	for l, p := range ev.buf {
		if model.Labels[l].Kind != classify.KindTag {
			continue
		}
		if p > best {
			top1, best = o.shown[l], p
		}
		if o.closed != nil && o.closed[l] && p > bestClosed {
			top1Closed, bestClosed = o.shown[l], p
		}
	}
	return predT, predF, top1, best, top1Closed
}

// ruleSamples appends to dst the rule tags of v that the data labels,
// on a document the model scored (classify.MinTagWords), each with the
// pack's score, the model's score of the tag as Decide reads it
// (pipeline.ModelScore) and whether gold carries it. It reads the scores
// predict left in ev.buf.
func (ev *evaluator) ruleSamples(dst []ruleSample, v vigil.Verdict, kind string, fields []pipeline.Field, gold []string, labelled map[string]bool) []ruleSample {
	if pipeline.WordCount(fields) < classify.MinTagWords {
		return dst
	}
	stage := ev.stage.For(kind)
	model, o := stage.Model(), ev.outs[stage]
	var scores []pipeline.TagScore
	for l, p := range ev.buf {
		if model.Labels[l].Kind == classify.KindTag {
			scores = append(scores, pipeline.TagScore{Name: o.shown[l], P: p})
		}
	}
	for _, t := range v.Tags {
		if t.Source != vigil.SourceRule || !labelled[t.Name] {
			continue
		}
		if p := pipeline.ModelScore(scores, nil, t.Name); p >= 0 {
			dst = append(dst, ruleSample{rule: t.Score, model: p, right: slices.Contains(gold, t.Name)})
		}
	}
	return dst
}

// slicesOf counts, for each flag, caught positives and flagged negatives
// per language, per kind and per input file, in a stable order. A file of
// ordinary traffic (no positives) thus reads as its false-alarm rate.
func slicesOf(flags []string, docs []evalDoc) []FlagSlice {
	var out []FlagSlice
	for _, f := range flags {
		idx := map[string]int{}
		var mine []FlagSlice
		for _, d := range docs {
			gold, pred := slices.Contains(d.gold, f), slices.Contains(d.flags, f)
			for _, key := range []string{"lang=" + d.lang, "kind=" + d.kind, "file=" + d.file} {
				i, ok := idx[key]
				if !ok {
					i = len(mine)
					idx[key] = i
					mine = append(mine, FlagSlice{Flag: f, Slice: key})
				}
				s := &mine[i]
				switch {
				case gold:
					s.Positives++
					if pred {
						s.TP++
					}
				default:
					s.Negatives++
					if pred {
						s.FP++
					}
				}
			}
		}
		slices.SortFunc(mine, func(a, b FlagSlice) int { return strings.Compare(a.Slice, b.Slice) })
		out = append(out, mine...)
	}
	return out
}

// negativesOf derives each flag's false positives on its negatives from r.
func negativesOf(r *classify.Report) []FlagNegatives {
	var out []FlagNegatives
	for _, f := range r.Flags {
		n := FlagNegatives{Flag: f.Name, Negatives: r.Docs - f.Support, FP: f.Predicted - f.TP}
		if n.Negatives > 0 {
			n.FPR = float64(n.FP) / float64(n.Negatives)
		}
		out = append(out, n)
	}
	return out
}

// WriteJSON writes the evaluation as indented JSON.
func (ev *Evaluation) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ev)
}

// WriteText writes the evaluation as `vigil eval` prints it: the versions,
// the report, then each flag's false-positive rate and its slices.
func (ev *Evaluation) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "models %s, rules %s, tags from %s\nheads %s\n\n", ev.Versions.Model, ev.Versions.Rules, ev.Source, ev.Heads)
	if err := ev.Report.WriteText(w); err != nil {
		return err
	}
	if len(ev.Languages) > 0 {
		fmt.Fprintln(w, "\nby language:")
		for _, l := range ev.Languages {
			fmt.Fprintf(w, "  %-3s %5d documents  every tag right %.3f  extra tags %.3f  macro F1 %.3f  top-1 %.3f", l.Lang, l.Docs, l.EveryTagRight, l.ExtraTags, l.MacroF1, l.Top1Accuracy)
			if ev.Top1Closed != nil {
				fmt.Fprintf(w, " (%.3f among them)", l.Top1ClosedAccuracy)
			}
			fmt.Fprintf(w, "  first tag %.3f", l.FirstTagAccuracy)
			fmt.Fprintln(w)
		}
	}
	writeCalibration(w, "calibration of the tags counted (tags: mean score → share right)", "tags", ev.Calibration)
	writeCalibration(w, "calibration of the flags' scores on every document (documents: mean score → share the data flags)", "docs", ev.FlagCalibration)
	if len(ev.Rules) > 0 {
		fmt.Fprintln(w, "\ntag rules on tags the data labels (fired, right, precision (right+1)/(fired+2), its 95 % interval; the pack's score, ! outside it):")
		for _, r := range ev.Rules {
			mark := ""
			if r.Outside() {
				mark = " !"
			}
			fmt.Fprintf(w, "  %-26s %-10s %5d %5d  %.3f  %.2f–%.2f  score %.2f%s  %s\n", r.Rule, r.Tag, r.Fired, r.Right, r.Precision, r.Low, r.High, r.Score, mark, r.Where)
		}
	}
	writeRuleScoreFits(w, ev.RuleScores)
	for _, n := range ev.FlagNegatives {
		fmt.Fprintf(w, "\nflag %s false-positive rate on the documents without it: %.3f (%d of %d)\n", n.Flag, n.FPR, n.FP, n.Negatives)
		fmt.Fprintf(w, "  %-34s %-22s %-24s %s\n", "", "recall", "false-positive rate", "per 10,000")
		for _, s := range ev.FlagSlices {
			if s.Flag == n.Flag {
				fmt.Fprintf(w, "  %-34s %-22s %-24s %s\n", s.Slice, ratio(s.TP, s.Positives), ratio(s.FP, s.Negatives), per10k(s.FP, s.Negatives))
			}
		}
	}
	return nil
}

// ratio formats n of d as a rate with its counts, or "-" when d is 0.
func ratio(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f (%d of %d)", float64(n)/float64(d), n, d)
}

// per10k formats n of d as a count per 10,000, the unit of a review queue's
// false alarms on real traffic, or "-" when d is 0.
func per10k(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", 1e4*float64(n)/float64(d))
}

// flagScore is the score v shows for flag name, sent to review or listed
// in its scores; 0 where it shows none.
func flagScore(v vigil.Verdict, name string) float64 {
	for _, fs := range [][]vigil.Flag{v.Flags, v.Scores} {
		if i := slices.IndexFunc(fs, func(f vigil.Flag) bool { return f.Name == name }); i >= 0 {
			return fs[i].Score
		}
	}
	return 0
}
