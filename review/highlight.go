package review

import (
	"slices"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
)

// Segment is a run of a field's original text, marked when evidence covers
// it. The page renders Text through html/template, so it is always text.
type Segment struct {
	Text string
	Mark bool
	// Rules names what fired on a marked segment.
	Rules string
}

// Highlight cuts text into segments so that every evidence span of the
// named field is marked. Spans are byte offsets into text; out-of-range
// spans are clamped and spans that split a UTF-8 sequence are widened to
// whole characters, so Highlight never panics and the segments always join
// back into text. Overlapping spans merge.
func Highlight(text, field string, evidence []vigil.Evidence) []Segment {
	type span struct {
		start, end int
		rule       string
	}
	var spans []span
	for _, sp := range fieldSpans(text, field, evidence) {
		name := sp.ev.Rule
		if name == "" {
			name = sp.ev.Feature
		}
		spans = append(spans, span{sp.start, sp.end, name})
	}
	if len(spans) == 0 {
		if text == "" {
			return nil
		}
		return []Segment{{Text: text}}
	}
	slices.SortFunc(spans, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	var out []Segment
	pos := 0
	for i := 0; i < len(spans); {
		s, e := spans[i].start, spans[i].end
		var rules []string
		for ; i < len(spans) && spans[i].start < e; i++ {
			e = max(e, spans[i].end)
			if r := spans[i].rule; r != "" && !slices.Contains(rules, r) {
				rules = append(rules, r)
			}
		}
		if s > pos {
			out = append(out, Segment{Text: text[pos:s]})
		}
		out = append(out, Segment{Text: text[s:e], Mark: true, Rules: strings.Join(rules, ", ")})
		pos = e
	}
	if pos < len(text) {
		out = append(out, Segment{Text: text[pos:]})
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
