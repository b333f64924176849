package classify

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/wordcache"
	"github.com/kz-newsroom/vigil/pipeline"
)

// DefaultFlagEvidence is how many model features a FlagHead reports as
// evidence.
const DefaultFlagEvidence = 5

// FlagHead is the pipeline stage that scores one flag with trained text
// models: it adds a Signal with Source "model", the flag's probability as
// its Weight, and the features that pushed the score up most as its
// evidence. Decide combines it with the rules' signals for the same flag
// (see pipeline.FlagCombiner). A FlagHead is safe for concurrent use.
type FlagHead struct {
	// Flag is the flag's name, e.g. vigil.FlagExtremistRecruitment.
	Flag string
	// Models score the flag (their output labelled Flag); the head's
	// probability is the sigmoid of their mean logit. TrainFlag ships one:
	// its cross-fitting fold models averaged, whose scores match the ones
	// the combiner was fitted on.
	Models []*Model
	// Evidence is how many features to report (DefaultFlagEvidence if 0).
	Evidence int
	// Neutral are words the models do not read: addresses ("брат",
	// "бауырым"), second-person pronouns, calls to write, everyday religious
	// words. Recruiters use them, but so does every reader; a model that
	// weighs them flags a greeting. Left out, a text made only of them
	// scores as an empty one, and the rest of a text must carry the flag.
	// The models must have been trained with the same set (TrainFlag's
	// FlagTrainOptions.Neutral).
	Neutral *WordSet
	// MinWords is how many distinct words (of those the models read) a text
	// needs for the models' opinion to count in full. A shorter text's logit moves
	// from an empty text's only in proportion, n/MinWords of the way: one or
	// two words are too little evidence to send anyone to review. 0 is off.
	MinWords int
	// RuledInFull, with MinWords, counts the models' opinion of a short text
	// in full when one of the flag's rules fired on it. Rules pair a call
	// with extremist vocabulary, so the few words of "Братья, вступайте в
	// джихад, пишите в личку" are not thin evidence, and the combiner,
	// fitted mostly on longer texts where a rule also fires on quotes and
	// reports, would otherwise hold such a comment under the threshold.
	// Measured before it was added: of about 26,000 labelled and everyday
	// comments, a rule fired on 173 of at most eight words, all of them
	// recruiting. Trained with (FlagTrainOptions.RuledInFull).
	RuledInFull bool
	// SkipReported leaves the words of reported speech out of what the
	// models read (pipeline.Field.Reported: a reader quoting someone else,
	// «они пишут "брат, приезжай в Шам" — не верьте»): a flag about what
	// the writer does reads the writer's own words. Trained with
	// (FlagTrainOptions.SkipReported).
	SkipReported bool
	// Known, when set, are the words the models saw in training: MinWords
	// then counts only distinct words among them, and a text with fewer
	// moves from Prior (not from an empty text's logit), n/MinWords of the
	// way. A text of words the head has never seen is no evidence either
	// way, and an empty text's logit is the training data's prior, high
	// when many training texts carry the flag.
	Known *KnownWords
	// Prior is the logit a text of no known words gets, with Known: what
	// the models give ordinary clean text (TrainFlag: the median out-of-fold
	// logit of the labelled negatives).
	Prior float64
	// Kinds and Langs, when set, are the document kinds and languages the
	// head scores (a head trained on Russian comments only); it leaves
	// other documents alone: a text it cannot read would score as an
	// empty one, which is no evidence either way.
	Kinds, Langs []string

	emptyOnce sync.Once
	empty     float64 // the models' mean logit on an empty text, for MinWords
}

var _ pipeline.Stage = (*FlagHead)(nil)

// NewFlagHead returns the stage scoring flag with the models. It fails
// with EINVALID when there is no model or one has no output called flag.
func NewFlagHead(flag string, models ...*Model) (*FlagHead, error) {
	if len(models) == 0 {
		return nil, vigil.Errorf(vigil.EINVALID, "flag head %s: no model", flag)
	}
	for _, m := range models {
		if m == nil || m.LabelIndex(flag) < 0 {
			return nil, vigil.Errorf(vigil.EINVALID, "flag head: model has no output %q", flag)
		}
	}
	return &FlagHead{Flag: flag, Models: models}, nil
}

// Name implements pipeline.Stage.
func (h *FlagHead) Name() string { return "flag:" + h.Flag }

// score returns the flag's probability for fields (already read with
// Readings): the sigmoid of the models' mean logit, shrunk for short texts
// (unless ruled, one of the flag's rules fired, and RuledInFull is set).
func (h *FlagHead) score(fields []pipeline.Field, ruled bool) float64 {
	return flagProb(h.Models, h.Flag, fields, h.MinWords, h.Known, h.target(), h.RuledInFull && ruled)
}

// target is the logit a text of no words (no known words, with Known)
// is moved to.
func (h *FlagHead) target() float64 {
	if h.Known != nil {
		return h.Prior
	}
	h.emptyOnce.Do(func() { h.empty = meanLogit(h.Models, h.Flag, nil) })
	return h.empty
}

// meanLogit is the models' mean logit for label on fields.
func meanLogit(ms []*Model, label string, fields []pipeline.Field) float64 {
	var buf [maxLabels]float64
	z := 0.0
	for _, m := range ms {
		z += pipeline.Logit(m.Scores(buf[:0], fields)[m.LabelIndex(label)])
	}
	return z / float64(len(ms))
}

// flagProb is the sigmoid of the models' mean logit for label on fields,
// moved from empty (an empty text's logit, or FlagHead.Prior) only
// n/minWords of the way for a text of n < minWords distinct words (known
// ones, with known; see FlagHead.MinWords), unless inFull (a rule fired and
// FlagHead.RuledInFull is set).
func flagProb(ms []*Model, label string, fields []pipeline.Field, minWords int, known *KnownWords, empty float64, inFull bool) float64 {
	z := meanLogit(ms, label, fields)
	if minWords > 0 && !inFull {
		// Distinct words: a phrase pasted ten times is no more evidence
		// than the phrase once.
		seen := make(map[string]bool, minWords)
		for _, f := range fields {
			for _, w := range f.Words {
				if len(seen) == minWords {
					break
				}
				if known.Has(w.Text) {
					seen[w.Text] = true
				}
			}
		}
		z = shrink(z, len(seen), minWords, empty)
	}
	return pipeline.Sigmoid(z)
}

// shrink moves logit z from empty only n/minWords of the way for a text of
// n < minWords distinct words.
func shrink(z float64, n, minWords int, empty float64) float64 {
	if n < minWords {
		return empty + (z-empty)*float64(n)/float64(minWords)
	}
	return z
}

// scoreItem is score for the item's fields read with Readings and without
// the Neutral words, featurized through the document's memo (wordsOf),
// which the topic model and the other heads share, readings included.
func (h *FlagHead) scoreItem(it *pipeline.Item) float64 {
	d := wordsOf(it)
	rd := ownWords(d.readings(it.Fields), h.SkipReported)
	var buf [maxLabels]float64
	z := 0.0
	for _, m := range h.Models {
		z += pipeline.Logit(m.memoScores(buf[:0], d, rd, h.Neutral)[m.LabelIndex(h.Flag)])
	}
	z /= float64(len(h.Models))
	if h.MinWords > 0 {
		// Only a text short enough to shrink asks whether a rule fired.
		if n := d.distinctKept(rd, h.Neutral, h.Known, h.MinWords); n < h.MinWords && !(h.RuledInFull && ruleFired(it.Signals, h.Flag)) {
			z = shrink(z, n, h.MinWords, h.target())
		}
	}
	return pipeline.Sigmoid(z)
}

// ruleFired reports whether a rule signal of flag is among sigs (the rules
// stage runs before the heads); cues, which carry no weight, do not count.
func ruleFired(sigs []pipeline.Signal, flag string) bool {
	return pipeline.InputsOf(sigs, flag).Rule > 0
}

// Process implements pipeline.Stage. It reads the words of it.Fields and
// appends one Signal (none for a document of a kind outside Kinds); it
// never fails on any text, only when ctx has ended (EUNAVAILABLE).
func (h *FlagHead) Process(ctx context.Context, it *pipeline.Item) error {
	if err := pipeline.Interrupted(ctx); err != nil {
		return err
	}
	if !h.reads(it) {
		return nil
	}
	p := h.scoreItem(it)
	// Explaining costs several times scoring: Decide asks for it only when
	// the flag is raised (measured on the seed article, a report that is
	// not flagged: the stage took 0.87 ms a document explaining every time).
	fields := it.Fields
	it.Signals = append(it.Signals, pipeline.Signal{Flag: h.Flag, Source: vigil.SourceModel, Weight: p,
		Explain: func() []vigil.Evidence { return h.explain(h.Neutral.Without(h.reading(fields))) }})
	return nil
}

// reading is Readings of fields, without reported speech when the head
// skips it.
func (h *FlagHead) reading(fields []pipeline.Field) []pipeline.Field {
	return ownWords(Readings(fields), h.SkipReported)
}

// ownWords is rd (readings of a document's fields) without the words of
// reported speech when skip is set (FlagHead.SkipReported): the one place
// serving, explaining and training read a head's words from.
func ownWords(rd []pipeline.Field, skip bool) []pipeline.Field {
	if skip {
		return pipeline.WithoutReported(rd)
	}
	return rd
}

// reads reports whether the head scores it: its kind and language are
// among Kinds and Langs, when they are set.
func (h *FlagHead) reads(it *pipeline.Item) bool {
	kind := it.Doc.Kind
	if kind == "" {
		kind = vigil.KindArticle
	}
	return (len(h.Kinds) == 0 || slices.Contains(h.Kinds, kind)) &&
		(len(h.Langs) == 0 || slices.ContainsFunc(it.Langs(), func(l string) bool { return slices.Contains(h.Langs, l) }))
}

// explain returns the features that pushed the flag's mean logit up most
// on fields (already read with Readings), as evidence.
func (h *FlagHead) explain(fields []pipeline.Field) []vigil.Evidence {
	k := h.Evidence
	if k <= 0 {
		k = DefaultFlagEvidence
	}
	// A feature's contribution to the mean logit is the mean of its
	// contributions to each model's.
	type key struct {
		feature           string
		field, start, end int
	}
	sum := map[key]float64{}
	var order []key
	for _, m := range h.Models {
		for _, c := range m.Explain(fields, m.LabelIndex(h.Flag), k*2) {
			kk := key{c.Feature, c.Field, c.Start, c.End}
			if _, ok := sum[kk]; !ok {
				order = append(order, kk)
			}
			sum[kk] += c.Weight / float64(len(h.Models))
		}
	}
	slices.SortStableFunc(order, func(a, b key) int { return cmp.Compare(sum[b], sum[a]) })
	var ev []vigil.Evidence
	for _, kk := range order {
		if len(ev) == k || sum[kk] <= 0 {
			break
		}
		e := fields[kk.field].Evidence("", kk.start, kk.end)
		e.Feature, e.Weight = kk.feature, round4(sum[kk])
		ev = append(ev, e)
	}
	return ev
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// FlagExample is one labelled document for TrainFlag, already through the
// pipeline's normalize, tokenize and rules stages.
type FlagExample struct {
	ID     string
	Fields []pipeline.Field
	Kind   string // vigil.KindArticle or vigil.KindComment
	// Rule is the noisy-OR of the rules' signal weights for the flag (0 when
	// no rule fired); Cues the cue kinds the rules found (see
	// pipeline.InputsOf).
	Rule float64
	Cues []string
	Gold bool
	// Ordinary marks a labelled negative of ordinary traffic (an everyday
	// comment, not a hard case): besides the labelled negatives' budget
	// (MaxFPR), it counts with the background towards MaxBackgroundRate.
	Ordinary bool
}

// FlagTrainOptions tune TrainFlag. The zero value of a field means its
// default.
type FlagTrainOptions struct {
	// Train tunes the text model (features, epochs, learning rate, seed).
	Train TrainOptions
	// Folds is the number of cross-fitting folds over the labelled and the
	// background examples (default 5): each example's model score used to
	// fit the combiner and the thresholds comes from a model that did not
	// see it.
	Folds int
	// Repeat is how many times each labelled example is shown per epoch, so
	// that a few hundred of them weigh against thousands of background
	// negatives (default: about a quarter of the background's size).
	Repeat int
	// MaxFPR is the false-positive rate on the labelled negatives that the
	// thresholds may spend to buy recall (default 0.02).
	MaxFPR float64
	// MaxBackgroundRate is the share of the background documents of each
	// kind (ordinary comments, ordinary news) that the thresholds may flag,
	// out of fold (default 0.0001: one in 10,000). On real traffic
	// recruitment is rare, so this, not MaxFPR, is what fills a review queue.
	MaxBackgroundRate float64
	// Neutral are words the text model does not read (FlagHead.Neutral);
	// the head TrainFlag returns carries them.
	Neutral *WordSet
	// MinWords is the head's FlagHead.MinWords, applied to the out-of-fold
	// scores too.
	MinWords int
	// RuledInFull is the head's FlagHead.RuledInFull, applied to the
	// out-of-fold scores too (an example's Rule > 0 is a rule that fired).
	RuledInFull bool
	// SkipReported is the head's FlagHead.SkipReported, applied to the
	// training texts too.
	SkipReported bool
	// KnownWords ships the training data's words with the head
	// (FlagHead.Known, FlagHead.Prior): MinWords then counts known words.
	KnownWords bool
	// Cues are the cue kinds (pipeline.Signal.Cue) the combiner weighs.
	Cues []string
	// BackgroundWeight is the background's share in the combiner's fit,
	// relative to the labelled examples' (default 0.5): ordinary traffic
	// teaches it what the rules and cues are worth outside the labelled set.
	BackgroundWeight float64
	// Require is the flag's evidence condition (pipeline.FlagCombiner.Require),
	// shipped with the combiner: a document that does not meet it is never
	// flagged, and the thresholds are chosen with that applied.
	Require []string
	// L2 regularizes the combiner's two weights (default 0.01).
	L2 float64
	// Refit ships one model retrained on all the labelled examples instead
	// of the fold models' average. The average is the default: its logit,
	// the fold models' mean logit on a new document, is distributed like
	// the out-of-fold scores the combiner and thresholds were fitted to,
	// while a refit, having seen more data, scores more confidently than
	// they assume.
	Refit bool
}

func (o *FlagTrainOptions) defaults(labelled, background int) {
	if o.Folds <= 1 {
		o.Folds = 5
	}
	if o.Repeat <= 0 {
		o.Repeat = max(1, int(math.Round(float64(background)/(4*float64(max(1, labelled))))))
	}
	if o.MaxFPR <= 0 {
		o.MaxFPR = 0.02
	}
	if o.MaxBackgroundRate <= 0 {
		o.MaxBackgroundRate = 0.0001
	}
	if o.L2 <= 0 {
		o.L2 = 0.01
	}
	if o.BackgroundWeight <= 0 {
		o.BackgroundWeight = 0.5
	}
}

// FlagTraining is what TrainFlag produces: the stage, the combination of its
// score with the rules' and the review thresholds, all chosen on the
// out-of-fold scores, and how they did there.
type FlagTraining struct {
	Head       *FlagHead
	Combiner   pipeline.FlagCombiner
	Thresholds pipeline.FlagThreshold
	// Scores are the out-of-fold combined scores of the labelled examples,
	// in their order (for reports); 0 where the evidence condition is not met.
	// BackgroundScores are the same for the background examples.
	Scores, BackgroundScores []float64
	// Dev is how the out-of-fold scores did at the chosen thresholds.
	Dev FlagMetrics
	// Background is, per kind, how many background documents the
	// out-of-fold scores flag at the chosen thresholds (FP) and not (TN).
	Background map[string]FlagMetrics
	// Met counts, per gold label, the labelled examples meeting the evidence
	// condition: how much recall the condition leaves the model.
	Met map[bool][2]int // [met, all]
}

// FlagMetrics are a flag's counts and rates on a labelled set.
type FlagMetrics struct {
	TP, FP, FN, TN int
	Precision      float64 `json:"precision"`
	Recall         float64 `json:"recall"`
	F1             float64 `json:"f1"`
	// FPR is FP / (FP + TN): the share of negatives flagged.
	FPR float64 `json:"fpr"`
}

// NewFlagMetrics derives the rates from the counts.
func NewFlagMetrics(tp, fp, fn, tn int) FlagMetrics {
	m := FlagMetrics{TP: tp, FP: fp, FN: fn, TN: tn}
	if tp+fp > 0 {
		m.Precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		m.Recall = float64(tp) / float64(tp+fn)
	}
	if tp > 0 {
		m.F1 = 2 * float64(tp) / float64(2*tp+fp+fn)
	}
	if fp+tn > 0 {
		m.FPR = float64(fp) / float64(fp+tn)
	}
	return m
}

// String is the metrics on one line.
func (m FlagMetrics) String() string {
	return fmt.Sprintf("precision %.3f recall %.3f F1 %.3f FPR %.3f (tp %d fp %d fn %d tn %d)",
		m.Precision, m.Recall, m.F1, m.FPR, m.TP, m.FP, m.FN, m.TN)
}

// Inputs are the example's flag inputs with model probability p.
func (e FlagExample) Inputs(p float64) pipeline.FlagInputs {
	return pipeline.FlagInputs{Rule: e.Rule, Model: p, HasModel: true, Cues: e.Cues}
}

// FlagScore is the score Decide acts on: the combiner's score of the
// example with model probability p, or 0 when the evidence condition is not
// met (such a document is never flagged).
func FlagScore(c pipeline.FlagCombiner, e FlagExample, p float64) float64 {
	in := e.Inputs(p)
	if !c.Met(in) {
		return 0
	}
	return c.Combine(in)
}

// TrainFlag trains the text model of one flag and the combination that turns
// its score and the rules' into the flag's score.
//
// labelled are the flag's positives and hard negatives; background are
// ordinary documents known not to carry the flag (news, reader comments),
// negatives for the text model and the measure of false alarms on real
// traffic. The procedure:
//
//  1. Cross-fitting: labelled and background are each cut into Folds folds
//     (labelled stratified by gold); for each fold, a model is trained on
//     the other folds and scores the held-out one. Every example thus gets a
//     model probability from a model that never saw it.
//  2. The combiner, σ(bias + rule·r + model·clip(logit(p))), is fitted to
//     those out-of-fold probabilities and the rules' scores by
//     L2-regularized logistic regression with non-negative weights (more
//     evidence never lowers the score), for each clip of a small grid; the
//     clip kept is the one whose thresholds (step 3) recall most.
//  3. Review thresholds are chosen per kind on the out-of-fold scores, with
//     the evidence condition applied (Require): the most recall whose
//     false-positive rate on the labelled negatives stays within MaxFPR for
//     comments, within half of it for articles (where reports about
//     recruiters are the common case), then raised until at most
//     MaxBackgroundRate of the background documents of that kind are
//     flagged; articles never get a lower threshold than comments.
//  4. The head scores with the fold models' mean logit: the fold models
//     share one idf table, so they are averaged into one model
//     (AverageModels) that gives that mean in one pass. With Refit it is
//     one model trained on all of labelled plus background instead.
func TrainFlag(ctx context.Context, flag string, labelled, background []FlagExample, sub SubwordEncoder, opt FlagTrainOptions) (*FlagTraining, error) {
	pos := 0
	for _, e := range labelled {
		if e.Gold {
			pos++
		}
	}
	if pos == 0 || pos == len(labelled) {
		return nil, vigil.Errorf(vigil.EINVALID, "train flag %s: need both positives and negatives, have %d of %d positive", flag, pos, len(labelled))
	}
	opt.defaults(len(labelled), len(background))
	labels := []Label{{Name: flag, Kind: KindFlag}}
	read := func(ex []FlagExample) []FlagExample {
		ex = slices.Clone(ex)
		for i := range ex {
			ex[i].Fields = opt.Neutral.Without(ownWords(Readings(ex[i].Fields), opt.SkipReported))
		}
		return ex
	}
	labelled, background = read(labelled), read(background)
	// One idf table for every fold model, counted over all the data, so
	// that the fold models can be averaged into the one model shipped.
	opt.Train.defaults()
	if opt.Train.Features.IDF && opt.Train.IDF == nil {
		idf, err := NewIDF(flagTrainExamples(labelled, background, opt.Repeat), opt.Train.Features, sub)
		if err != nil {
			return nil, fmt.Errorf("train flag %s: %w", flag, err)
		}
		opt.Train.IDF = idf
	}
	var known *KnownWords
	if opt.KnownWords {
		known = NewKnownWords(fieldsOf(labelled, background)...)
	}
	oof, bgOOF, foldModels, priors, err := crossFitFlag(ctx, flag, labels, labelled, background, sub, known, opt)
	if err != nil {
		return nil, err
	}
	comb, scores, bgScores, th := chooseFlagCombiner(labelled, oof, background, bgOOF, opt)
	var m *Model
	if opt.Refit {
		if m, err = Train(ctx, labels, flagTrainExamples(labelled, background, opt.Repeat), sub, opt.Train); err != nil {
			return nil, fmt.Errorf("train flag %s: %w", flag, err)
		}
	}
	if m == nil {
		if m, err = AverageModels(foldModels...); err != nil {
			return nil, fmt.Errorf("train flag %s: %w", flag, err)
		}
	}
	m.Labels[0].Threshold = th.Default
	head, err := NewFlagHead(flag, m)
	if err != nil {
		return nil, err
	}
	head.Neutral, head.MinWords, head.Known, head.Prior = opt.Neutral, opt.MinWords, known, meanOf(priors)
	head.RuledInFull, head.SkipReported = opt.RuledInFull, opt.SkipReported
	tr := &FlagTraining{Head: head, Combiner: comb, Thresholds: th, Scores: scores, BackgroundScores: bgScores,
		Dev: EvalFlag(labelled, scores, th), Background: map[string]FlagMetrics{}, Met: map[bool][2]int{}}
	tr.report(labelled, oof, background)
	return tr, nil
}

// flagTrainExamples is every labelled example (each Repeat times) and
// every background one, the training set of the idf table and of a refit.
func flagTrainExamples(labelled, background []FlagExample, repeat int) []Example {
	var all []Example
	for _, e := range labelled {
		all = appendRepeated(all, e, repeat)
	}
	for _, e := range background {
		all = append(all, Example{Fields: e.Fields})
	}
	return all
}

// crossFitFlag trains a model per fold on the other folds (the background
// split round-robin) and returns each labelled and background example's
// out-of-fold probability, the fold models, and with known each fold's
// logit of clean text (cleanLogit), the head's Prior.
func crossFitFlag(ctx context.Context, flag string, labels []Label, labelled, background []FlagExample, sub SubwordEncoder,
	known *KnownWords, opt FlagTrainOptions) (oof, bgOOF []float64, foldModels []*Model, priors []float64, err error) {
	fold := stratifiedFolds(labelled, opt.Folds, opt.Train.Seed)
	oof = make([]float64, len(labelled))
	bgOOF = make([]float64, len(background))
	foldModels = make([]*Model, opt.Folds)
	for k := range opt.Folds {
		var train []Example
		for i, e := range labelled {
			if fold[i] != k {
				train = appendRepeated(train, e, opt.Repeat)
			}
		}
		for i, e := range background {
			if i%opt.Folds != k {
				train = append(train, Example{Fields: e.Fields})
			}
		}
		m, err := Train(ctx, labels, train, sub, opt.Train)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("train flag %s: fold %d: %w", flag, k+1, err)
		}
		ms := []*Model{m}
		empty := meanLogit(ms, flag, nil)
		if known != nil {
			empty = cleanLogit(ms, flag, labelled, func(i int) bool { return fold[i] == k })
			priors = append(priors, empty)
		}
		prob := func(e FlagExample) float64 {
			return flagProb(ms, flag, e.Fields, opt.MinWords, known, empty, opt.RuledInFull && e.Rule > 0)
		}
		for i, e := range labelled {
			if fold[i] == k {
				oof[i] = prob(e)
			}
		}
		for i, e := range background {
			if i%opt.Folds == k {
				bgOOF[i] = prob(e)
			}
		}
		foldModels[k] = m
	}
	return oof, bgOOF, foldModels, priors, nil
}

// chooseFlagCombiner fits the combiner for each clip on the model's logit
// and keeps the one whose thresholds buy the most recall on the
// out-of-fold scores, the loosest among equals; it returns the combiner,
// its scores of the labelled and background examples, and the thresholds.
func chooseFlagCombiner(labelled []FlagExample, oof []float64, background []FlagExample, bgOOF []float64, opt FlagTrainOptions) (comb pipeline.FlagCombiner, scores, bgScores []float64, th pipeline.FlagThreshold) {
	best := -1
	for _, clip := range []float64{12, 6, 4, 3, 2} {
		c := fitCombiner(labelled, oof, background, bgOOF, opt.BackgroundWeight*float64(len(labelled)), opt.Cues, opt.L2, clip)
		c.Require = slices.Clone(opt.Require)
		sc := make([]float64, len(labelled))
		for i, e := range labelled {
			sc[i] = FlagScore(c, e, oof[i])
		}
		bs := make([]float64, len(background))
		for i, e := range background {
			bs[i] = FlagScore(c, e, bgOOF[i])
		}
		t := chooseFlagThresholds(labelled, sc, opt.MaxFPR)
		ordEx, ordSc := slices.Clone(background), slices.Clone(bs)
		for i, e := range labelled {
			if e.Ordinary && !e.Gold {
				ordEx, ordSc = append(ordEx, e), append(ordSc, sc[i])
			}
		}
		t = raiseForBackground(t, ordEx, ordSc, opt.MaxBackgroundRate)
		if tp := EvalFlag(labelled, sc, t).TP; tp > best {
			best, comb, scores, bgScores, th = tp, c, sc, bs, t
		}
	}
	return comb, scores, bgScores, th
}

// report fills tr's background rates per kind and its evidence-condition
// counts (Met) from the chosen combiner, thresholds and scores.
func (tr *FlagTraining) report(labelled []FlagExample, oof []float64, background []FlagExample) {
	for _, kind := range []string{vigil.KindComment, vigil.KindArticle} {
		var sub []FlagExample
		var sc []float64
		for i, e := range background {
			if e.Kind == kind {
				sub, sc = append(sub, FlagExample{Kind: kind}), append(sc, tr.BackgroundScores[i])
			}
		}
		if len(sub) > 0 {
			tr.Background[kind] = EvalFlag(sub, sc, tr.Thresholds)
		}
	}
	for i, e := range labelled {
		n := tr.Met[e.Gold]
		n[1]++
		if tr.Combiner.Met(e.Inputs(oof[i])) {
			n[0]++
		}
		tr.Met[e.Gold] = n
	}
}

// raiseForBackground raises each kind's threshold in th until at most rate
// of the background documents of that kind score at or above it, keeping
// articles at or above comments. Ordinary traffic is where a false-alarm
// rate of one in thousands shows, which a few hundred labelled hard
// negatives cannot measure.
func raiseForBackground(th pipeline.FlagThreshold, bg []FlagExample, scores []float64, rate float64) pipeline.FlagThreshold {
	out := pipeline.FlagThreshold{Default: th.Default, ByKind: maps.Clone(th.ByKind)}
	for _, kind := range []string{vigil.KindComment, vigil.KindArticle} {
		var s []float64
		for i, e := range bg {
			if e.Kind == kind && scores[i] > 0 {
				s = append(s, scores[i])
			}
		}
		n := 0
		for _, e := range bg {
			if e.Kind == kind {
				n++
			}
		}
		allowed := int(math.Floor(rate * float64(n)))
		if allowed >= len(s) {
			continue
		}
		slices.SortFunc(s, func(a, b float64) int { return cmp.Compare(b, a) })
		if floor := math.Nextafter(s[allowed], 2); floor > out.ByKind[kind] {
			out.ByKind[kind] = min(floor, 1)
		}
	}
	out.ByKind[vigil.KindArticle] = max(out.ByKind[vigil.KindArticle], out.ByKind[vigil.KindComment])
	out.Default = out.ByKind[vigil.KindArticle]
	return out
}

// EvalFlag counts how scores, cut at the per-kind thresholds th, agree with
// the examples' gold labels.
func EvalFlag(ex []FlagExample, scores []float64, th pipeline.FlagThreshold) FlagMetrics {
	var tp, fp, fn, tn int
	for i, e := range ex {
		flagged := scores[i] >= pipeline.FlagThresholds{"": th}.For("", e.Kind, "")
		switch {
		case flagged && e.Gold:
			tp++
		case flagged:
			fp++
		case e.Gold:
			fn++
		default:
			tn++
		}
	}
	return NewFlagMetrics(tp, fp, fn, tn)
}

func appendRepeated(dst []Example, e FlagExample, n int) []Example {
	ex := Example{Fields: e.Fields}
	if e.Gold {
		ex.Labels = []int{0}
	}
	for range n {
		dst = append(dst, ex)
	}
	return dst
}

// stratifiedFolds assigns each example a fold in [0, k), positives and
// negatives dealt out separately in a seeded random order.
func stratifiedFolds(ex []FlagExample, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	fold := make([]int, len(ex))
	for _, gold := range []bool{true, false} {
		var idx []int
		for i, e := range ex {
			if e.Gold == gold {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for j, i := range idx {
			fold[i] = j % k
		}
	}
	return fold
}

// fitCombiner fits σ(b + wr·r + wm·clip(logit(p)) + Σ wk·[cue k]) to the
// gold labels by Newton's method on the L2-penalized, weighted log-loss
// (the bias is not penalized): the labelled examples weigh 1 each, the
// background examples together bgWeight. A weight that comes out negative
// is fixed at zero and the rest refitted, so the combination is monotone in
// every input. cues are the cue kinds given a weight.
func fitCombiner(ex []FlagExample, p []float64, bg []FlagExample, bgP []float64, bgWeight float64, cues []string, l2, clip float64) pipeline.FlagCombiner {
	c := pipeline.FlagCombiner{Clip: clip}
	dim := 3 + len(cues)
	var x [][]float64
	var y, sw []float64
	row := func(e FlagExample, p, w float64) {
		r := make([]float64, dim)
		r[0], r[1], r[2] = 1, e.Rule, c.ClippedLogit(p)
		for j, k := range cues {
			if slices.Contains(e.Cues, k) {
				r[3+j] = 1
			}
		}
		x = append(x, r)
		y = append(y, map[bool]float64{true: 1}[e.Gold])
		sw = append(sw, w)
	}
	for i, e := range ex {
		row(e, p[i], 1)
	}
	for i, e := range bg {
		row(e, bgP[i], bgWeight/float64(len(bg)))
	}
	active := make([]bool, dim)
	for j := range active {
		active[j] = true
	}
	var w []float64
	for range dim {
		w = FitLogistic(x, y, sw, active, l2)
		changed := false
		for j := 1; j < dim; j++ {
			if active[j] && w[j] < 0 {
				active[j], changed = false, true
			}
		}
		if !changed {
			break
		}
	}
	c.Bias, c.Rule, c.Model = w[0], w[1], w[2]
	for j, k := range cues {
		if w[3+j] > 0 {
			if c.Cues == nil {
				c.Cues = map[string]float64{}
			}
			c.Cues[k] = w[3+j]
		}
	}
	return c
}

// FitLogistic fits weighted logistic regression of y (targets in [0, 1])
// on x (x[i][0] = 1, the unpenalized bias) by Newton's method, with an L2
// penalty of l2 times the total weight on the other weights; inactive
// weights stay at zero.
func FitLogistic(x [][]float64, y, sw []float64, active []bool, l2 float64) []float64 {
	dim := len(active)
	w := make([]float64, dim)
	total := 0.0
	for _, v := range sw {
		total += v
	}
	for range 50 {
		g := make([]float64, dim)
		h := make([][]float64, dim)
		for j := range h {
			h[j] = make([]float64, dim)
		}
		for i := range x {
			z := 0.0
			for j := range dim {
				z += w[j] * x[i][j]
			}
			pr := sigmoid(z)
			s := sw[i] * pr * (1 - pr)
			for j := range dim {
				g[j] += sw[i] * (pr - y[i]) * x[i][j]
				for k := range dim {
					h[j][k] += s * x[i][j] * x[i][k]
				}
			}
		}
		for j := 1; j < dim; j++ {
			g[j] += l2 * total * w[j]
			h[j][j] += l2 * total
		}
		for j := range dim {
			if !active[j] {
				for k := range dim {
					h[j][k], h[k][j] = 0, 0
				}
				h[j][j], g[j] = 1, 0
			}
		}
		d, ok := solve(h, g)
		if !ok {
			break
		}
		step := 0.0
		for j := range dim {
			w[j] -= d[j]
			step = max(step, math.Abs(d[j]))
		}
		if step < 1e-9 {
			break
		}
	}
	return w
}

// solve solves a·x = b by Gaussian elimination with partial pivoting; a and
// b are overwritten.
func solve(a [][]float64, b []float64) ([]float64, bool) {
	n := len(b)
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return nil, false
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < n; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < n; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}

// chooseFlagThresholds picks the comment threshold on comments and the
// article threshold on articles (with every positive counted for recall, as
// positive articles are rare), each by recallThreshold. Staff articles are
// held to half the comments' false-positive budget, since a report about
// recruiters is the common case there, and never get a lower threshold
// than comments.
func chooseFlagThresholds(ex []FlagExample, scores []float64, maxFPR float64) pipeline.FlagThreshold {
	pick := func(kind string, maxFPR float64) float64 {
		var s []float64
		var g []bool
		for i, e := range ex {
			if e.Kind == kind || (e.Gold && kind == vigil.KindArticle) {
				s = append(s, scores[i])
				g = append(g, e.Gold)
			}
		}
		return recallThreshold(s, g, maxFPR)
	}
	c := pick(vigil.KindComment, maxFPR)
	a := max(c, pick(vigil.KindArticle, maxFPR/2))
	return pipeline.FlagThreshold{Default: a, ByKind: map[string]float64{
		vigil.KindComment: round4(c), vigil.KindArticle: round4(a)}}
}

// recallThreshold returns the threshold that flags the most positives while
// flagging at most maxFPR of the negatives. Among the thresholds that do,
// it takes the midpoint, in log-odds, of the widest safe interval, so it
// keeps a margin on both sides instead of hugging one example's score.
func recallThreshold(scores []float64, gold []bool, maxFPR float64) float64 {
	var negs, poss []float64
	for i, s := range scores {
		if gold[i] {
			poss = append(poss, s)
		} else {
			negs = append(negs, s)
		}
	}
	if len(poss) == 0 {
		return pipeline.DefaultFlagThreshold
	}
	slices.SortFunc(negs, func(a, b float64) int { return cmp.Compare(b, a) })
	slices.SortFunc(poss, func(a, b float64) int { return cmp.Compare(b, a) })
	allowed := int(math.Floor(maxFPR * float64(len(negs))))
	// The threshold must lie above the (allowed+1)-th highest negative.
	floor := 0.0
	if allowed < len(negs) {
		floor = negs[allowed]
	}
	// Most positives strictly above floor.
	tp := 0
	for tp < len(poss) && poss[tp] > floor {
		tp++
	}
	if tp == 0 {
		return math.Nextafter(floor, 2)
	}
	hi := poss[tp-1] // the threshold may rise up to the lowest kept positive
	lo := floor
	if tp < len(poss) {
		lo = max(lo, poss[tp])
	}
	t := pipeline.Sigmoid((pipeline.Logit(lo) + pipeline.Logit(hi)) / 2)
	return min(max(t, math.Nextafter(lo, 2)), hi)
}

// Readings returns fields whose Words also hold a second reading of every
// disguised word, at the same span, for the flag model to score. The
// normalizer reads each evasion one way (it takes "4" for "ч", as in "4то");
// recruiters also write "джих4д" for "джихад", hide Cyrillic look-alikes
// inside English words ("jіhаd") and space out short words ("ш а м"), which
// the normalizer leaves alone. A reading is added, never substituted, so
// nothing the normalizer got right is lost; fields without disguised words
// are returned as they are.
func Readings(fields []pipeline.Field) []pipeline.Field {
	var out []pipeline.Field
	for fi := range fields {
		f := &fields[fi]
		// words stays nil until a reading is added: most fields have none.
		var words []pipeline.Token
		upTo := func(i int) { // words: the field's words up to i, once
			if words == nil {
				words = append(make([]pipeline.Token, 0, len(f.Words)+4), f.Words[:i+1]...)
			}
		}
		changed := false
		runStart := -1 // first of the single-letter words in a row ending at i
		single := func(t pipeline.Token) bool {
			return len(t.Text) <= utf8.UTFMax && utf8.RuneCountInString(t.Text) == 1
		}
		for i, t := range f.Words {
			if words != nil {
				words = append(words, t)
			}
			s, e := f.Span(t.Start, t.End)
			orig := f.Original[s:e]
			if alt := reading(orig); alt != "" && alt != t.Text {
				upTo(i)
				words = append(words, pipeline.Token{Text: alt, Start: t.Start, End: t.End})
				changed = true
			}
			// A word the normalizer left as written (most words) has no
			// capitals for capsBase or camelParts to read.
			var caps string
			var parts []string
			if orig != t.Text {
				caps, parts = capsBase(orig), camelParts(orig)
			}
			if caps != "" && caps != t.Text {
				upTo(i)
				words = append(words, pipeline.Token{Text: caps, Start: t.Start, End: t.End})
				changed = true
			}
			if acr := acronymReading(f.Words, i, orig); acr != "" {
				upTo(i)
				words = append(words, pipeline.Token{Text: acr, Start: t.Start, End: t.End})
				changed = true
			}
			if base := hyphenBase(t.Text); base != "" && base != caps {
				upTo(i)
				words = append(words, pipeline.Token{Text: base, Start: t.Start, End: t.End})
				changed = true
			}
			if parts != nil {
				upTo(i)
				for _, p := range parts {
					words = append(words, pipeline.Token{Text: p, Start: t.Start, End: t.End})
				}
				changed = true
			}
			switch {
			case !single(t):
				runStart = -1
			case runStart < 0 || t.Start-f.Words[i-1].End != 1:
				runStart = i
			}
			last := i+1 == len(f.Words) || !single(f.Words[i+1]) || f.Words[i+1].Start-t.End != 1
			if runStart >= 0 && last && i-runStart >= 2 {
				var b strings.Builder
				for _, w := range f.Words[runStart : i+1] {
					b.WriteString(w.Text)
				}
				upTo(i)
				words = append(words, pipeline.Token{Text: b.String(), Start: f.Words[runStart].Start, End: t.End})
				changed = true
			}
		}
		if !changed {
			continue
		}
		if out == nil {
			out = slices.Clone(fields)
		}
		out[fi].Words = words
	}
	if out == nil {
		return fields
	}
	return out
}

// capsBase returns, for an abbreviation written with a Kazakh ending glued
// to it or after a hyphen ("ИГИЛге", "ДАИШ-тің"), the abbreviation in lower
// case, or "". Kazakh puts case endings on abbreviations as on any word,
// so "ИГИЛге қосылыңдар" (join ISIS) read "игилге", a word the model had
// never seen, and its score stayed with the everyday invitations'
// "қосылыңдар" (2026-12-06). At least two capitals must stand before the
// lower-case ending, and the ending must be one to three Kazakh endings
// (pipeline.KazakhSuffixes).
func capsBase(orig string) string {
	if len(orig) < 4 || orig[0] < utf8.RuneSelf && !('A' <= orig[0] && orig[0] <= 'Z') {
		return "" // an ASCII word not begun in a capital
	}
	i := strings.IndexFunc(orig, func(r rune) bool { return !unicode.IsUpper(r) })
	if i <= 0 || utf8.RuneCountInString(orig[:i]) < 2 {
		return "" // all capitals, or fewer than two before the rest
	}
	if orig[i:] == "-" || !kazakhEndings(strings.TrimPrefix(orig[i:], "-")) {
		return ""
	}
	return strings.ToLower(orig[:i])
}

// acronymReading returns, for a group's name written as a Latin
// abbreviation inside Russian or Kazakh words ("вступайте в IGIL"), its
// Cyrillic reading ("игил") when the lexicon knows that word, or "". The
// normalizer transliterates a field only when most of it is Latin, so
// such a name stayed Latin and the model, which learned the name in
// Cyrillic, read it at half its weight: "Вступайте в IGIL, братья, пишите
// в личку" scored 0.41 where the same words with ИГИЛ scored 0.996
// (2026-12-07). orig is words[i] as written: ASCII letters only, three to
// eight of them, the first two capitals (IGIL, DAISh); a word beside it
// must hold a Cyrillic letter, so English text keeps its acronyms.
func acronymReading(words []pipeline.Token, i int, orig string) string {
	if len(orig) < 3 || len(orig) > 8 || !isUpperASCII(orig[0]) || !isUpperASCII(orig[1]) {
		return ""
	}
	for k := 2; k < len(orig); k++ {
		if c := orig[k] | 0x20; c < 'a' || c > 'z' {
			return ""
		}
	}
	if !(i > 0 && isCyrillic(words[i-1].Text) || i+1 < len(words) && isCyrillic(words[i+1].Text)) {
		return ""
	}
	cyr, ok := acronymReadings.Get(orig)
	if !ok {
		var known bool
		if cyr, known = pipeline.SpellRussian(strings.ToLower(orig)); !known {
			cyr = ""
		}
		acronymReadings.Put(orig, cyr)
	}
	if cyr == words[i].Text {
		return ""
	}
	return cyr
}

// acronymReadings caches acronymReading's spellings by the abbreviation as
// written ("" for none the lexicon knows): spelling one tries its
// readings against the lexicon, and on BenchmarkReadings that was 480 of
// an operation's 1,640 allocations, for the few abbreviations news and
// comments repeat (NATO, USA, IGIL).
var acronymReadings = wordcache.NewWords(4096, wordcache.StringBytes)

func isUpperASCII(c byte) bool { return 'A' <= c && c <= 'Z' }

// kazakhEndings reports whether s is one to three Kazakh endings
// (pipeline.KazakhSuffixes) and nothing else.
func kazakhEndings(s string) bool {
	if s == "" {
		return false
	}
	for step := 0; s != "" && step < 3; step++ {
		cut := false
		for _, suf := range pipeline.KazakhSuffixes { // longest first
			if strings.HasSuffix(s, suf) {
				s, cut = s[:len(s)-len(suf)], true
				break
			}
		}
		if !cut {
			return false
		}
	}
	return s == ""
}

// hyphenBase returns, for a word with Kazakh endings after a hyphen
// ("даиш-ке", "игил-ге", "whatsapp-қа"), the part before the hyphen, or "".
// Kazakh writes an ending after a hyphen on abbreviations, numbers and
// foreign words; typed in Latin letters the abbreviation's capitals are
// often lost ("DAISh-ke" is read даиш-ке), which capsBase needs. w is the
// normalized word.
func hyphenBase(w string) string {
	i := strings.LastIndexByte(w, '-')
	if i < 2 || !kazakhEndings(w[i+1:]) {
		return ""
	}
	base := w[:i]
	if strings.ContainsRune(base, '-') || utf8.RuneCountInString(base) < 2 {
		return ""
	}
	return base
}

// camelParts returns the words of a word written in camel case, as hashtags
// and handles are ("JoinTheCaliphate", "ХалифатЖдёт" → join the caliphate,
// халифат ждет), in lower case, or nil. The normalizer folds case first, so
// it reads one word the model has never seen ("jointhecaliphate"). A part
// begins at a capital that follows a lower-case letter; there must be two
// parts or more, each of two letters or more, all letters of one script
// ("iPhone" and "МВДшник" are no such words).
func camelParts(orig string) []string {
	if len(orig) < 5 || !innerCapital(orig) {
		return nil
	}
	var parts []string
	start, prev, script, n := 0, rune(0), 0, 0
	for i, r := range orig {
		if !unicode.IsLetter(r) {
			return nil
		}
		sc := 1 // Latin
		if r >= utf8.RuneSelf {
			if !unicode.Is(unicode.Cyrillic, r) {
				return nil
			}
			sc = 2
		}
		if script != 0 && sc != script {
			return nil
		}
		script = sc
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			if n < 2 {
				return nil
			}
			parts = append(parts, orig[start:i])
			start, n = i, 0
		}
		prev = r
		n++
	}
	if parts == nil || n < 2 {
		return nil
	}
	parts = append(parts, orig[start:])
	for i, p := range parts {
		parts[i] = pipeline.NormalizeText(p) // as the word itself was: case and ё folded
	}
	return parts
}

// innerCapital reports whether s may hold a capital after its first byte:
// an ASCII one, a Russian one (U+0400–U+042F) or a Kazakh one (Ғ Қ Ң Ү Ұ
// Һ Ә Ө: U+0490–U+04FF, where a capital is the even one of its pair). A
// byte scan, so that the rune-by-rune look of camelParts is spent only on
// such words: it was 16 % of Readings on the corpus when it sent every
// word with a Kazakh letter on to camelParts.
func innerCapital(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z':
			return true
		case c == 0xD0:
			if s[i+1] <= 0xAF {
				return true
			}
		case c == 0xD2 && s[i+1] >= 0x90, c == 0xD3:
			if s[i+1]&1 == 0 {
				return true
			}
		}
	}
	return len(s) > 1 && 'A' <= s[len(s)-1] && s[len(s)-1] <= 'Z'
}

var (
	toCyrillic = map[rune]rune{'a': 'а', 'e': 'е', 'o': 'о', 'p': 'р', 'c': 'с', 'y': 'у', 'x': 'х', 'k': 'к', 'm': 'м',
		't': 'т', 'b': 'в', 'h': 'н', 'i': 'и', '0': 'о', '3': 'з', '4': 'а', '6': 'б', '1': 'и', '@': 'а', '$': 'с'}
	toLatin = map[rune]rune{'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'к': 'k', 'м': 'm',
		'т': 't', 'і': 'i', 'в': 'b', 'н': 'h', '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's'}
)

// reading returns the word orig spells when read in its main script (the
// one most of its letters are in), with digits and look-alikes of the other
// script read as letters, or "" when orig is not disguised that way.
func reading(orig string) string {
	// Only a word mixing ASCII with other letters, or digits with ASCII
	// letters, can be read another way; a byte scan rules out the rest
	// (nearly every word) before the rune-by-rune count below, which was 10 %
	// of a pipeline pass on news articles.
	var ascii, letter, digit, other bool
	for i := 0; i < len(orig); i++ {
		switch c := orig[i]; {
		case c >= utf8.RuneSelf:
			other = true
		case 'a' <= c|0x20 && c|0x20 <= 'z':
			ascii, letter = true, true
		case '0' <= c && c <= '9' || c == '@' || c == '$':
			ascii, digit = true, true
		}
	}
	if !(ascii && other) && !(digit && letter) {
		return ""
	}
	// A letter with no look-alike in the other script settles the script;
	// otherwise the majority does.
	var cyr, lat, dig, cyrOnly, latOnly int
	for _, r := range orig {
		r = unicode.ToLower(r)
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
			if _, ok := toLatin[r]; !ok {
				cyrOnly++
			}
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			lat++
			if _, ok := toCyrillic[r]; !ok {
				latOnly++
			}
		case r < utf8.RuneSelf && (unicode.IsDigit(r) || r == '@' || r == '$'):
			dig++
		}
	}
	if cyr+lat == 0 || (dig == 0 && (cyr == 0 || lat == 0)) {
		return ""
	}
	table := toLatin
	if cyrOnly > 0 && latOnly == 0 || (cyrOnly > 0) == (latOnly > 0) && cyr >= lat {
		table = toCyrillic
	}
	var b strings.Builder
	for _, r := range strings.ToLower(orig) {
		if m, ok := table[r]; ok {
			r = m
		}
		if r == 'ё' {
			r = 'е'
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxFlagModels bounds the models of a head read from a file.
const maxFlagModels = 64

// WriteModels writes the head's models to w: "VGFH", a uint32 count, then
// each model as a uint64 byte length and its Model.WriteTo bytes (all
// little-endian). ReadFlagModels reads it back.
func (h *FlagHead) WriteModels(w io.Writer) (int64, error) {
	var out bytes.Buffer
	out.WriteString(flagMagic)
	binary.Write(&out, binary.LittleEndian, uint32(len(h.Models)))
	for _, m := range h.Models {
		var mb bytes.Buffer
		if _, err := m.WriteTo(&mb); err != nil {
			return 0, err
		}
		binary.Write(&out, binary.LittleEndian, uint64(mb.Len()))
		out.Write(mb.Bytes())
	}
	return out.WriteTo(w)
}

const flagMagic = "VGFH"

// ReadFlagModels reads models written by FlagHead.WriteModels. A short or
// malformed input is an EINVALID error saying what is wrong.
func ReadFlagModels(r io.Reader) ([]*Model, error) {
	bad := func(format string, args ...any) error {
		return vigil.Errorf(vigil.EINVALID, "flag models: "+format, args...)
	}
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != flagMagic {
		return nil, bad("not a flag model file (no %s header)", flagMagic)
	}
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, bad("count: %v", eofIsUnexpected(err))
	}
	if n == 0 || n > maxFlagModels {
		return nil, bad("%d models, want 1 to %d", n, maxFlagModels)
	}
	ms := make([]*Model, 0, n)
	for i := range n {
		var size uint64
		if err := binary.Read(r, binary.LittleEndian, &size); err != nil {
			return nil, bad("model %d: length: %v", i+1, eofIsUnexpected(err))
		}
		if size > 1<<31 {
			return nil, bad("model %d: length %d too large", i+1, size)
		}
		data, err := io.ReadAll(io.LimitReader(r, int64(size)))
		if err != nil || uint64(len(data)) != size {
			return nil, bad("model %d: %d of %d bytes", i+1, len(data), size)
		}
		m, err := ReadModel(bytes.NewReader(data), nil)
		if err != nil {
			return nil, fmt.Errorf("flag models: model %d: %w", i+1, err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}
