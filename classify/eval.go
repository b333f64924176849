package classify

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// LabelScore is one label's precision, recall and F1 over a data set.
type LabelScore struct {
	Name      string  `json:"name"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Support is the number of documents with the label in gold;
	// Predicted the number given it.
	Support   int `json:"support"`
	Predicted int `json:"predicted"`
	TP        int `json:"tp"`
}

// Report is an evaluation of tags and flags against gold labels.
type Report struct {
	Docs int `json:"docs"`
	// Tags and Flags have one entry per label seen in gold, in predictions
	// or among the model's labels.
	Tags  []LabelScore `json:"tags"`
	Flags []LabelScore `json:"flags"`
	// MacroF1 is the mean F1 of the tags with support; MicroF1 pools all
	// tag decisions.
	MacroF1 float64 `json:"macro_f1"`
	MicroF1 float64 `json:"micro_f1"`
	// FlagMacroF1 and FlagMicroF1 are the same over flags.
	FlagMacroF1 float64 `json:"flag_macro_f1"`
	FlagMicroF1 float64 `json:"flag_micro_f1"`
	// EveryTagRight is the share of documents given exactly their gold
	// tags (one with no gold tag is right only with none): what an editor
	// sees. ExtraTags is the mean number of tags a document was given that
	// its gold does not have.
	EveryTagRight     float64 `json:"every_tag_right"`
	EveryTagRightDocs int     `json:"every_tag_right_docs"`
	ExtraTags         float64 `json:"extra_tags"`
	// NoTopic counts the documents with no gold tag (a comment about
	// nothing in particular), NoTopicTagged those of them given a tag.
	NoTopic       int `json:"no_topic"`
	NoTopicTagged int `json:"no_topic_tagged"`
	// Top1Docs is the number of documents with exactly one gold tag; on
	// them Top1Accuracy is the share whose highest-scored tag is the gold
	// one, and Top1MacroF1 the macro F1 of that single-label decision
	// (how fastText-style classifiers are usually measured).
	Top1Docs     int     `json:"top1_docs"`
	Top1Accuracy float64 `json:"top1_accuracy"`
	Top1MacroF1  float64 `json:"top1_macro_f1"`
	// Top1Closed, when set, is the top-1 decision among the model's
	// outputs for the tags the data itself labels: how a classifier
	// trained on that data alone is measured (fastText's on the topics
	// corpus, which has no conflict or diplomacy output). vigil eval sets
	// it when the data labels some of the tags the taxonomy shows, not all.
	Top1Closed *Top1Score `json:"top1_closed,omitempty"`
	// FirstTag is the same single-label decision read off what a verdict
	// shows: its first tag (the highest-scored tag that passed), none when
	// no tag passed. The model's top-1 above is its best output whether or
	// not it passed; a reader who takes a verdict's first tag as its topic
	// gets FirstTag, and Untagged counts the documents it gives nothing.
	FirstTag *Top1Score `json:"first_tag,omitempty"`
	// Confusion counts, for single-gold-tag documents, gold tag (rows)
	// against top-1 tag (columns); Labels name both, "" for no tag.
	Confusion Confusion `json:"confusion"`
}

// Top1Score is a top-1 decision's scores on the single-tag documents,
// and the model outputs it chose among.
type Top1Score struct {
	Outputs  []string `json:"outputs,omitempty"`
	Docs     int      `json:"docs"`
	Accuracy float64  `json:"accuracy"`
	MacroF1  float64  `json:"macro_f1"`
	Untagged int      `json:"untagged,omitempty"`
}

// Confusion is a gold × predicted count table.
type Confusion struct {
	Labels []string `json:"labels"`
	Counts [][]int  `json:"counts"`
}

// Evaluator accumulates documents into a Report. It is not safe for
// concurrent use.
type Evaluator struct {
	docs        int
	tags, flags counts
	exact       int // documents given exactly their gold tags
	extra       int // tags given beyond gold
	noTopic     int // documents with no gold tag
	noTopicTag  int // of those, given a tag
	top1Docs    int
	top1Right   int
	conf        map[[2]string]int
	firstRight  int               // single-tag documents whose first given tag is gold
	untagged    int               // single-tag documents given no tag
	confFirst   map[[2]string]int // gold × first given tag
	labelOrder  []string
	labelSeen   map[string]bool
	flagOrder   []string
	flagSeen    map[string]bool
}

type counts struct{ tp, gold, pred map[string]int }

func newCounts() counts {
	return counts{tp: map[string]int{}, gold: map[string]int{}, pred: map[string]int{}}
}

// NewEvaluator returns an evaluator that lists tags (the model's labels,
// for instance) first in its report, in the order given; other names
// follow in the order first seen.
func NewEvaluator(tags ...string) *Evaluator {
	e := &Evaluator{tags: newCounts(), flags: newCounts(), conf: map[[2]string]int{}, confFirst: map[[2]string]int{},
		labelSeen: map[string]bool{}, flagSeen: map[string]bool{}}
	for _, t := range tags {
		e.noteTag(t)
	}
	return e
}

func (e *Evaluator) noteTag(t string) {
	if t != "" && !e.labelSeen[t] {
		e.labelSeen[t] = true
		e.labelOrder = append(e.labelOrder, t)
	}
}

func (e *Evaluator) noteFlag(f string) {
	if !e.flagSeen[f] {
		e.flagSeen[f] = true
		e.flagOrder = append(e.flagOrder, f)
	}
}

// Add counts one document: its gold tags and flags, the tags and flags it
// was given (predTags in the verdict's order, highest score first), and its
// top-1 tag (the highest-scored tag whether or not above threshold; "" when
// there is none).
func (e *Evaluator) Add(goldTags, predTags []string, top1 string, goldFlags, predFlags []string) {
	e.docs++
	g, p := dedup(goldTags), dedup(predTags)
	add(&e.tags, g, p, e.noteTag)
	add(&e.flags, dedup(goldFlags), dedup(predFlags), e.noteFlag)
	if SameLabels(g, p) {
		e.exact++
	}
	for _, t := range p {
		if !slices.Contains(g, t) {
			e.extra++
		}
	}
	if len(g) == 0 {
		e.noTopic++
		if len(p) > 0 {
			e.noTopicTag++
		}
	}
	if len(goldTags) == 1 {
		e.top1Docs++
		e.noteTag(top1)
		if top1 == goldTags[0] {
			e.top1Right++
		}
		e.conf[[2]string{goldTags[0], top1}]++
		first := ""
		if len(predTags) > 0 {
			first = predTags[0]
		} else {
			e.untagged++
		}
		if first == goldTags[0] {
			e.firstRight++
		}
		e.confFirst[[2]string{goldTags[0], first}]++
	}
}

// add counts gold and pred, each without repeats.
func add(c *counts, gold, pred []string, note func(string)) {
	for _, g := range gold {
		note(g)
		c.gold[g]++
		if slices.Contains(pred, g) {
			c.tp[g]++
		}
	}
	for _, p := range pred {
		note(p)
		c.pred[p]++
	}
}

// SameLabels reports whether a and b hold the same labels, in any order
// and with any repeats: how Add decides that a document has every tag
// right.
func SameLabels(a, b []string) bool { return slices.Equal(dedup(a), dedup(b)) }

func dedup(s []string) []string {
	if len(s) < 2 {
		return s
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// Report returns the scores of what was added so far.
func (e *Evaluator) Report() *Report {
	r := &Report{Docs: e.docs, Top1Docs: e.top1Docs, EveryTagRightDocs: e.exact, NoTopic: e.noTopic, NoTopicTagged: e.noTopicTag}
	if e.docs > 0 {
		r.EveryTagRight = float64(e.exact) / float64(e.docs)
		r.ExtraTags = float64(e.extra) / float64(e.docs)
	}
	r.Tags, r.MacroF1, r.MicroF1 = scoreAll(e.tags, e.labelOrder)
	r.Flags, r.FlagMacroF1, r.FlagMicroF1 = scoreAll(e.flags, e.flagOrder)
	if e.top1Docs > 0 {
		r.Top1Accuracy = float64(e.top1Right) / float64(e.top1Docs)
	}
	labels := slices.Clone(e.labelOrder)
	hasNone := false
	for k := range e.conf {
		if k[1] == "" {
			hasNone = true
		}
	}
	if hasNone {
		labels = append(labels, "")
	}
	r.Confusion = confusionOf(e.conf, labels)
	r.Top1MacroF1 = macroF1(r.Confusion)
	if e.top1Docs > 0 {
		if e.untagged > 0 && !hasNone { // a document given no tag is a miss of its row
			labels = append(slices.Clip(labels), "")
		}
		r.FirstTag = &Top1Score{Docs: e.top1Docs, Accuracy: float64(e.firstRight) / float64(e.top1Docs),
			MacroF1: macroF1(confusionOf(e.confFirst, labels)), Untagged: e.untagged}
	}
	return r
}

// confusionOf lays the counts of m (gold, predicted) out as a table over
// labels, both ways.
func confusionOf(m map[[2]string]int, labels []string) Confusion {
	c := Confusion{Labels: labels, Counts: make([][]int, len(labels))}
	for i, g := range labels {
		c.Counts[i] = make([]int, len(labels))
		for j, p := range labels {
			c.Counts[i][j] = m[[2]string{g, p}]
		}
	}
	return c
}

// macroF1 is the mean F1 of a single-label decision over the gold labels
// of c's rows; the column "" (no tag) is a miss of its row, no label.
func macroF1(c Confusion) float64 {
	var sum float64
	n := 0
	for i, g := range c.Labels {
		row, col := 0, 0
		for j := range c.Labels {
			row += c.Counts[i][j]
			col += c.Counts[j][i]
		}
		if row == 0 || g == "" {
			continue
		}
		n++
		if tp := c.Counts[i][i]; tp > 0 {
			sum += 2 * float64(tp) / float64(row+col)
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func scoreAll(c counts, order []string) (out []LabelScore, macro, micro float64) {
	var tp, gold, pred, withSupport int
	for _, name := range order {
		s := LabelScore{Name: name, Support: c.gold[name], Predicted: c.pred[name], TP: c.tp[name]}
		s.Precision, s.Recall, s.F1 = prf(s.TP, s.Predicted, s.Support)
		if s.Support > 0 {
			macro += s.F1
			withSupport++
		}
		tp, gold, pred = tp+s.TP, gold+s.Support, pred+s.Predicted
		out = append(out, s)
	}
	if withSupport > 0 {
		macro /= float64(withSupport)
	}
	_, _, micro = prf(tp, pred, gold)
	return out, macro, micro
}

func prf(tp, pred, gold int) (p, r, f float64) {
	if pred > 0 {
		p = float64(tp) / float64(pred)
	}
	if gold > 0 {
		r = float64(tp) / float64(gold)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// WriteText writes the report as aligned tables: per-label scores, the
// averages and the confusion table.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "documents: %d\n", r.Docs)
	section := func(title string, ls []LabelScore, macro, micro float64) error {
		if len(ls) == 0 {
			return nil
		}
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tprecision\trecall\tf1\tsupport\tpredicted\t\n", title)
		for _, s := range ls {
			fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t%d\t\n", s.Name, s.Precision, s.Recall, s.F1, s.Support, s.Predicted)
		}
		fmt.Fprintf(tw, "macro F1\t\t\t%.3f\t\t\t\n", macro)
		fmt.Fprintf(tw, "micro F1\t\t\t%.3f\t\t\t\n", micro)
		return tw.Flush()
	}
	if err := section("tag", r.Tags, r.MacroF1, r.MicroF1); err != nil {
		return err
	}
	if r.Docs > 0 {
		fmt.Fprintf(w, "\nevery tag right %.3f (%d of %d), extra tags a document %.3f", r.EveryTagRight,
			r.EveryTagRightDocs, r.Docs, r.ExtraTags)
		if r.NoTopic > 0 {
			fmt.Fprintf(w, "; without a gold tag %d, given one %d", r.NoTopic, r.NoTopicTagged)
		}
		fmt.Fprintln(w)
	}
	if err := section("flag", r.Flags, r.FlagMacroF1, r.FlagMicroF1); err != nil {
		return err
	}
	if r.Top1Docs == 0 {
		return nil
	}
	fmt.Fprintf(w, "\ntop-1 accuracy %.3f, top-1 macro F1 %.3f (%d single-tag documents)\n", r.Top1Accuracy, r.Top1MacroF1, r.Top1Docs)
	if c := r.Top1Closed; c != nil {
		fmt.Fprintf(w, "top-1 among the outputs of the tags the data labels (%s): accuracy %.3f, macro F1 %.3f\n",
			strings.Join(c.Outputs, ", "), c.Accuracy, c.MacroF1)
	}
	if f := r.FirstTag; f != nil {
		fmt.Fprintf(w, "the verdicts' first tag (what a verdict shows; nothing when no tag passed): accuracy %.3f, macro F1 %.3f, %d of %d given no tag\n",
			f.Accuracy, f.MacroF1, f.Untagged, f.Docs)
	}
	fmt.Fprintln(w, "\nconfusion (rows gold, columns top-1 prediction):")
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	name := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return s
	}
	var head strings.Builder
	head.WriteString("\t")
	for _, l := range r.Confusion.Labels {
		head.WriteString(abbrev(name(l)) + "\t")
	}
	fmt.Fprintln(tw, head.String())
	for i, l := range r.Confusion.Labels {
		fmt.Fprintf(tw, "%s\t", name(l))
		for _, c := range r.Confusion.Counts[i] {
			fmt.Fprintf(tw, "%d\t", c)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func abbrev(s string) string {
	if r := []rune(s); len(r) > 6 {
		return string(r[:6])
	}
	return s
}
