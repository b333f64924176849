package pipeline

import (
	"cmp"
	"slices"

	vigil "github.com/kz-newsroom/vigil"
)

// Evidence limits of a raised flag: a moderator reads the few spans that
// carried it, not every word hit.
const (
	maxRuleEvidence = 2 // spans per rule that fired
	maxRules        = 3 // rules shown
	// mergeGap joins a rule's spans that lie this close (bytes of the
	// original) into one: "вступай" … "муджахидов" reads as the phrase.
	mergeGap         = 40
	maxCueEvidence   = 2 // spans per cue kind
	maxModelEvidence = 3 // model features
	// minModelShare drops model features under this share of the strongest
	// one: weak word weights explain nothing.
	minModelShare = 0.25
)

// flagEvidence returns the evidence of flag in sigs, grouped (vigil.Evidence
// Group) and ordered: the rules that fired, strongest first, each with its
// widest spans; then the call and cause cues not already inside a rule's
// span; then the model's strongest features (its Explain, called only here,
// for a raised flag). A rule's spans that lie close together in a field
// are shown as one span over the original text of fields.
func flagEvidence(fields []Field, sigs []Signal, flag string) []vigil.Evidence {
	var cues, model []vigil.Evidence
	type ruleSig struct {
		w  float64
		ev []vigil.Evidence
	}
	var fired []ruleSig
	for _, s := range sigs {
		if s.Flag != flag {
			continue
		}
		switch {
		case s.Cue != "":
			for _, e := range s.Evidence {
				e.Group, e.Weight = s.Cue, 0
				cues = append(cues, e)
			}
		case s.Source == vigil.SourceModel:
			if s.Explain != nil {
				model = append(model, s.Explain()...)
			}
			model = append(model, s.Evidence...)
		default:
			fired = append(fired, ruleSig{s.Weight, mergeSpans(fields, s.Evidence)})
		}
	}
	slices.SortStableFunc(fired, func(a, b ruleSig) int { return cmp.Compare(b.w, a.w) })
	var out []vigil.Evidence
	shown := func(e vigil.Evidence) bool {
		return slices.ContainsFunc(out, func(o vigil.Evidence) bool {
			return o.Field == e.Field && o.Start <= e.Start && e.End <= o.End
		})
	}
	for _, r := range fired[:min(len(fired), maxRules)] {
		ev := slices.Clone(r.ev)
		slices.SortStableFunc(ev, func(a, b vigil.Evidence) int { return cmp.Compare(b.End-b.Start, a.End-a.Start) })
		n := 0
		for _, e := range ev {
			if n == maxRuleEvidence {
				break
			}
			if !shown(e) {
				e.Group = vigil.EvidenceRule
				out = append(out, e)
				n++
			}
		}
	}
	for _, kind := range []string{vigil.EvidenceCall, vigil.EvidenceCause} {
		n := 0
		for _, e := range cues {
			if e.Group == kind && n < maxCueEvidence && !shown(e) {
				out = append(out, e)
				n++
			}
		}
	}
	slices.SortStableFunc(model, func(a, b vigil.Evidence) int { return cmp.Compare(b.Weight, a.Weight) })
	for i, e := range model {
		if i == maxModelEvidence || e.Weight < minModelShare*model[0].Weight {
			break
		}
		e.Group = vigil.EvidenceModel
		out = append(out, e)
	}
	return out
}

// mergeSpans joins evidence spans of one rule that lie within mergeGap bytes
// of each other in the same field, taking the joined text from the field's
// original. Spans in fields not given are kept as they are.
func mergeSpans(fields []Field, ev []vigil.Evidence) []vigil.Evidence {
	if len(ev) < 2 {
		return ev
	}
	ev = slices.Clone(ev)
	slices.SortStableFunc(ev, func(a, b vigil.Evidence) int {
		if c := cmp.Compare(a.Field, b.Field); c != 0 {
			return c
		}
		return cmp.Compare(a.Start, b.Start)
	})
	original := func(name string) (string, bool) {
		for i := range fields {
			if fields[i].Name == name {
				return fields[i].Original, true
			}
		}
		return "", false
	}
	out := ev[:1]
	for _, e := range ev[1:] {
		last := &out[len(out)-1]
		orig, ok := original(e.Field)
		if !ok || e.Field != last.Field || e.Start-last.End > mergeGap || max(last.End, e.End) > len(orig) {
			out = append(out, e)
			continue
		}
		last.End = max(last.End, e.End)
		last.Text = orig[last.Start:last.End]
	}
	return out
}
