package review

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/rules"
)

// embeddedDescriptions are the rule descriptions of the embedded packs,
// read once on first use.
var embeddedDescriptions = sync.OnceValue(func() map[string]rules.Description {
	d, err := rules.Descriptions(rules.EmbeddedSource())
	if err != nil {
		panic(err) // the embedded packs are fixed at build time and tested
	}
	return d
})

// EmbeddedDescriptions returns the description of a rule of the embedded
// packs in lang, or "" for a rule it does not know or has no description
// of in lang: the page then names the evidence's group alone rather than
// mix languages (a topic rule's description may be an English note only;
// every flag rule has all three, which lint checks). It is the page's
// default HandlerOptions.Describe.
func EmbeddedDescriptions(rule, lang string) string {
	return embeddedDescriptions()[rule][lang]
}

// describeAll returns the distinct descriptions of rules in lang, in
// order; rules without one are left out (never shown by id).
func describeAll(describe func(rule, lang string) string, ids []string, lang string) []string {
	var out []string
	for _, id := range ids {
		if d := describe(id, lang); d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// groupOrder is the order the page shows evidence groups in, most telling
// first, and the priority of their highlights where spans overlap.
var groupOrder = []string{vigil.EvidenceCall, vigil.EvidenceCause, vigil.EvidenceRule, vigil.EvidenceModel}

// groupOf names the group of an evidence record; records from before
// groups (and tags' evidence) count as rules when a rule fired, else as
// the model's.
func groupOf(e vigil.Evidence) string {
	if e.Group != "" {
		return e.Group
	}
	if e.Rule != "" {
		return vigil.EvidenceRule
	}
	return vigil.EvidenceModel
}

// clampSpan fits [start, end) into text on whole UTF-8 characters; ok is
// false when nothing is left.
func clampSpan(text string, start, end int) (s, t int, ok bool) {
	s, t = max(0, min(start, len(text))), max(0, min(end, len(text)))
	if t <= s {
		return 0, 0, false
	}
	for s > 0 && !utf8.RuneStart(text[s]) {
		s--
	}
	for t < len(text) && !utf8.RuneStart(text[t]) {
		t++
	}
	return s, t, true
}

// fieldSpan is an evidence record's span, fitted to its field's text.
type fieldSpan struct {
	start, end int
	ev         vigil.Evidence
}

// fieldSpans are the spans of evidence on field (a record without a field
// is on the body), clamped to whole characters of text; empty ones are
// left out.
func fieldSpans(text, field string, evidence []vigil.Evidence) []fieldSpan {
	var out []fieldSpan
	for _, e := range evidence {
		if e.Field != field && !(e.Field == "" && field == vigil.FieldBody) {
			continue
		}
		if s, t, ok := clampSpan(text, e.Start, e.End); ok {
			out = append(out, fieldSpan{s, t, e})
		}
	}
	return out
}

// GroupSegment is a run of a field's text and the evidence groups that
// cover it (none: plain text).
type GroupSegment struct {
	Text   string
	Groups []string
	// Rules are the ids of the rules whose evidence covers the run, in the
	// order of the evidence (for the page to say what each found, in the
	// moderator's language; the ids themselves are never shown).
	Rules []string
}

// Class is the segment's CSS classes, one per group ("g-call g-model").
func (g GroupSegment) Class() string {
	var b strings.Builder
	for i, name := range g.Groups {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("g-" + name)
	}
	return b.String()
}

// HighlightGroups cuts text at every boundary of the field's evidence
// spans, so that each run knows every group covering it. Unlike a merge of
// overlapping spans, a long rule phrase does not swallow the call or the
// cause inside it: each keeps its own highlight. Spans are clamped and
// widened to whole characters like Highlight's; the runs join back into
// text.
func HighlightGroups(text, field string, evidence []vigil.Evidence) []GroupSegment {
	spans := fieldSpans(text, field, evidence)
	cuts := []int{0, len(text)}
	for _, sp := range spans {
		cuts = append(cuts, sp.start, sp.end)
	}
	if text == "" {
		return nil
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var out []GroupSegment
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		var groups, rules []string
		for _, g := range groupOrder {
			for _, sp := range spans {
				if groupOf(sp.ev) == g && sp.start <= a && b <= sp.end {
					groups = append(groups, g)
					break
				}
			}
		}
		for _, sp := range spans {
			if sp.ev.Rule != "" && sp.start <= a && b <= sp.end && !slices.Contains(rules, sp.ev.Rule) {
				rules = append(rules, sp.ev.Rule)
			}
		}
		if n := len(out); n > 0 && slices.Equal(out[n-1].Groups, groups) && slices.Equal(out[n-1].Rules, rules) {
			out[n-1].Text += text[a:b]
			continue
		}
		out = append(out, GroupSegment{Text: text[a:b], Groups: groups, Rules: rules})
	}
	return out
}

// evidenceGroup is what the page lists of one group: its strongest
// distinct spans.
type evidenceGroup struct {
	Name  string // call, cause, rule, model
	Items []evidenceItem
	More  int // distinct spans not listed
	// Rules are the ids of the group's rules, strongest first, each once;
	// the page shows their descriptions.
	Rules []string
}

type evidenceItem struct {
	Text, Field string
	Rule        string // the rule that found it ("" for the model's words)
	// Share is, for the model's words, each word's part of the weight of
	// all the model's distinct words ("57%"); empty for rules.
	Share string
}

// groupLabels are the page's names of the groups (keys of the catalogs).
var groupLabels = map[string]string{
	vigil.EvidenceCall:  "call to act",
	vigil.EvidenceCause: "cause, destination or organization",
	vigil.EvidenceRule:  "rule that fired",
	vigil.EvidenceModel: "the model's words (not a rule)",
}

// maxPerGroup is how many spans each group lists.
const maxPerGroup = 3

// groupEvidence gathers a verdict's flag evidence by group, in groupOrder,
// each group once with its strongest distinct spans (by weight, then
// position); the same text found twice is listed once.
func groupEvidence(v *vigil.Verdict) []evidenceGroup {
	by := map[string][]vigil.Evidence{}
	for _, f := range v.Flags {
		for _, e := range f.Evidence {
			by[groupOf(e)] = append(by[groupOf(e)], e)
		}
	}
	var out []evidenceGroup
	for _, g := range groupOrder {
		ev := by[g]
		if len(ev) == 0 {
			continue
		}
		slices.SortStableFunc(ev, func(a, b vigil.Evidence) int {
			return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Start, b.Start))
		})
		var total float64
		seen := map[string]bool{}
		var distinct []vigil.Evidence
		for _, e := range ev {
			key := strings.ToLower(strings.TrimSpace(e.Text))
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			distinct = append(distinct, e)
			total += max(e.Weight, 0)
		}
		eg := evidenceGroup{Name: g, More: max(0, len(distinct)-maxPerGroup)}
		for _, e := range ev {
			if e.Rule != "" && !slices.Contains(eg.Rules, e.Rule) {
				eg.Rules = append(eg.Rules, e.Rule)
			}
		}
		for _, e := range distinct[:min(len(distinct), maxPerGroup)] {
			it := evidenceItem{Text: e.Text, Field: e.Field, Rule: e.Rule}
			if g == vigil.EvidenceModel && total > 0 {
				it.Share = fmt.Sprintf("%.0f%%", 100*max(e.Weight, 0)/total)
			}
			eg.Items = append(eg.Items, it)
		}
		out = append(out, eg)
	}
	return out
}

// evidenceOf gathers every evidence record of a verdict: flags first, then
// tags and entities.
func evidenceOf(v *vigil.Verdict) []vigil.Evidence {
	var ev []vigil.Evidence
	for _, f := range v.Flags {
		ev = append(ev, f.Evidence...)
	}
	for _, t := range v.Tags {
		ev = append(ev, t.Evidence...)
	}
	return ev
}
