package pipeline

import (
	vigil "github.com/kz-newsroom/vigil"
)

// Item is one document on its way through the stages. Each stage reads what
// earlier stages left and adds its own part; the last stage (Decide) turns it
// into the final verdict. An Item is owned by one goroutine at a time.
type Item struct {
	Doc *vigil.Document
	// Fields holds the normalized title and body (only those present), in
	// that order, filled by the normalize stage.
	Fields []Field
	// Lang is the document's language: from the document when given,
	// detected otherwise.
	Lang string
	// Detected is the language the text reads as when the document gave
	// another (a Kazakh or English comment sent as ru, as a CMS with one
	// language a site does); "" when they agree or Lang was detected. The
	// rules and the flag heads read the document in both languages (Langs);
	// the verdict keeps the one given.
	Detected string
	// Verdict is built up by the stages. Tags and Entities are appended by
	// rule and model stages; Decide sorts, merges and finalizes them.
	Verdict vigil.Verdict
	// Signals are flag contributions from rules and models, combined into
	// flags by Decide.
	Signals []Signal
	// Memo holds what a stage derived from Fields for the stages after it,
	// so that it is computed once per document: the classify package keeps
	// the document's hashed words there for the topic model and the flag
	// heads. A stage that replaces Fields or their Words must not expect
	// it to follow (classify checks that the Words are still the ones it
	// hashed). When Check is done with the item it calls the memo's
	// Release method, if it has one; so does Prepare.
	Memo any
	// TagScores are the topic model's probabilities of its tag outputs,
	// passed or not, under the outputs' own names (before any shown_as),
	// set by the classify stage when it scored the document; empty when it
	// did not (no classify stage, or too few words to trust the model).
	// Decide reads them to drop a rule's tag the model disagrees with
	// (Decide.RuleFloors).
	TagScores []TagScore
	// BodyTags are the tags rules gave only on passing mentions: every
	// rule that gave the tag has a body_score and found its words only in
	// a long body (rules.Action.BodyScore), or only in the lead under a
	// headline that names none of them. Decide drops such a tag where the
	// model gives it under BodyRuleFloor or under the tag's own floor
	// (Decide.Floors), whichever is higher.
	BodyTags []string
	// RuleFloors are the tags some rule gave with a model floor of its own
	// (rules.Action.ModelFloor), each with the lowest such floor: Decide
	// holds that tag to it where the taxonomy's rule floor asks more.
	RuleFloors []TagFloor
	// tagScores backs TagScores for a model of up to that many tag outputs
	// (the shipped one has 14), so that filling it allocates nothing.
	tagScores [16]TagScore
}

// TagFloor is a least model probability for one tag (Item.RuleFloors).
type TagFloor struct {
	Tag   string
	Floor float64
}

// TagScore is the topic model's probability of one of its tag outputs.
type TagScore struct {
	Name string
	P    float64
}

// ReleaseMemo hands the memo back to its pool (see Memo), when it has one,
// and clears it: Check and Prepare call it once the document's stages are
// done, and whoever runs stages on an Item by hand should too.
func (it *Item) ReleaseMemo() {
	if r, ok := it.Memo.(interface{ Release() }); ok {
		r.Release()
		it.Memo = nil
	}
}

// Field is one normalized text field of a document.
type Field struct {
	Name     string // vigil.FieldTitle or vigil.FieldBody
	Original string // as received (possibly HTML)
	// Text is the normalized text: markup removed, NFKC, lower case, ё→е,
	// evasion undone. Rules and models read this.
	Text string
	// segs maps Text back to Original (see Span and normalize.go); nil
	// when Text is Original.
	segs []seg
	// Words are the word tokens of Text, in order.
	Words []Token
	// Sentences are the sentence spans of Text, in order.
	Sentences []Span
	// Reported are the spans of Text that are not the writer's call: a
	// reader quoting someone else (ReportedSpeech), in order, then, in a
	// comment, the whole field when it is not the writer's call
	// (NotWritersCall: it condemns a group, mourns the dead, recalls a war
	// gone by or names a word). Flags do not read them.
	Reported []Span
}

// WordCount is the number of words of fields.
func WordCount(fields []Field) int {
	n := 0
	for i := range fields {
		n += len(fields[i].Words)
	}
	return n
}

// Span is a half-open byte range [Start, End).
type Span struct {
	Start, End int
}

// Token is a word of a normalized text with its byte span in that text.
type Token struct {
	Text       string
	Start, End int
}

// Signal is one piece of evidence towards a flag, from a rule or a model.
type Signal struct {
	Flag   string
	Source string // vigil.SourceRule or vigil.SourceModel
	// Weight is this signal's strength in [0, 1]. A cue carries no weight.
	Weight float64
	// Cue, when set, marks the signal as one kind of evidence the flag's
	// evidence condition asks for ("call", "cause"; see FlagCombiner.Require)
	// rather than a vote: it never raises the score, and a flag whose
	// condition it completes can be raised on its model's score.
	Cue      string
	Evidence []vigil.Evidence
	// Explain, when set, returns more evidence; Decide calls it only for a
	// flag that reaches its review or report threshold, so a stage can leave costly
	// explanations (a model's strongest features) for the few documents
	// that are flagged.
	Explain func() []vigil.Evidence
}

// Evidence returns an evidence record for the normalized span [start, end)
// of f, with offsets mapped back into f.Original.
func (f *Field) Evidence(rule string, start, end int) vigil.Evidence {
	s, e := f.Span(start, end)
	return vigil.Evidence{Rule: rule, Field: f.Name, Start: s, End: e, Text: f.Original[s:e]}
}

// Span maps the normalized byte range [start, end) of f.Text back to the
// byte range of f.Original that produced it. Out-of-range input is clamped,
// so Span never panics; an empty range maps to an empty range.
func (f *Field) Span(start, end int) (int, int) {
	start = max(0, min(start, len(f.Text)))
	end = max(start, min(end, len(f.Text)))
	if f.segs == nil { // Text is Original
		return start, end
	}
	if start == end {
		if start == len(f.Text) {
			return len(f.Original), len(f.Original)
		}
		s, _ := f.byteRange(start)
		return s, s
	}
	s, _ := f.byteRange(start)
	_, e := f.byteRange(end - 1)
	return s, e
}

// Langs are the languages the document is read in: Lang, and Detected when
// the text reads as another.
func (it *Item) Langs() []string {
	if it.Detected == "" {
		return []string{it.Lang}
	}
	return []string{it.Lang, it.Detected}
}
