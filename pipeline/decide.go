package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	vigil "github.com/kz-newsroom/vigil"
)

// Decide is the last stage: it merges tags that several sources gave,
// combines signals into flags, and chooses the action.
type Decide struct {
	// Thresholds gives, per flag, the score at or above which a document is
	// sent to review. A flag missing here uses DefaultFlagThreshold.
	Thresholds FlagThresholds
	// Combiners gives, per flag, a learned combination of its rule and
	// model signals. A flag missing here combines its signals by noisy-OR.
	Combiners map[string]FlagCombiner
}

// DefaultFlagThreshold applies to flags with no configured threshold.
const DefaultFlagThreshold = 0.5

// FlagThresholds holds review thresholds per flag, optionally refined per
// document kind and per section (section wins over kind).
type FlagThresholds map[string]FlagThreshold

// FlagThreshold is one flag's review thresholds.
type FlagThreshold struct {
	Default   float64            `yaml:"default" json:"default"`
	ByKind    map[string]float64 `yaml:"by_kind,omitempty" json:"by_kind,omitempty"`
	BySection map[string]float64 `yaml:"by_section,omitempty" json:"by_section,omitempty"`
}

// Override returns t with o laid over it: for each flag of o, a non-zero
// default and every by_kind and by_section entry replace t's; t is not
// modified.
func (t FlagThresholds) Override(o FlagThresholds) FlagThresholds {
	if len(o) == 0 {
		return t
	}
	out := make(FlagThresholds, len(t)+len(o))
	for name, ft := range t {
		out[name] = ft
	}
	for name, ov := range o {
		ft, ok := out[name]
		if !ok {
			ft.Default = DefaultFlagThreshold
		}
		if ov.Default != 0 {
			ft.Default = ov.Default
		}
		ft.ByKind = mergeScores(ft.ByKind, ov.ByKind)
		ft.BySection = mergeScores(ft.BySection, ov.BySection)
		out[name] = ft
	}
	return out
}

func mergeScores(a, b map[string]float64) map[string]float64 {
	if len(b) == 0 {
		return a
	}
	out := make(map[string]float64, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// Validate reports the first threshold outside (0, 1].
func (t FlagThresholds) Validate() error {
	for name, ft := range t {
		check := func(where string, v float64) error {
			if !(v > 0 && v <= 1) {
				return fmt.Errorf("threshold %s %s = %v: want a score in (0, 1]", name, where, v)
			}
			return nil
		}
		if ft.Default != 0 {
			if err := check("default", ft.Default); err != nil {
				return err
			}
		}
		for k, v := range ft.ByKind {
			if err := check("by_kind."+k, v); err != nil {
				return err
			}
		}
		for k, v := range ft.BySection {
			if err := check("by_section."+k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// For returns the threshold of flag for a document of the given kind and section.
func (t FlagThresholds) For(flag, kind, section string) float64 {
	ft, ok := t[flag]
	if !ok {
		return DefaultFlagThreshold
	}
	if v, ok := ft.BySection[section]; ok && section != "" {
		return v
	}
	if v, ok := ft.ByKind[kind]; ok {
		return v
	}
	return ft.Default
}

var _ Stage = (*Decide)(nil)

// Name implements Stage.
func (*Decide) Name() string { return "decide" }

// Process implements Stage.
func (d *Decide) Process(_ context.Context, it *Item) error {
	v := &it.Verdict
	v.Tags = mergeTags(v.Tags)
	v.Flags = combineSignals(it.Signals, d.Combiners)
	kind := it.Doc.Kind
	if kind == "" {
		kind = vigil.KindArticle
	}
	v.Action = vigil.ActionAllow
	kept := v.Flags[:0]
	for _, f := range v.Flags {
		if f.Score >= d.Thresholds.For(f.Name, kind, it.Doc.Section) {
			for _, s := range it.Signals {
				if s.Flag == f.Name && s.Explain != nil {
					f.Evidence = append(f.Evidence, s.Explain()...)
				}
			}
			kept = append(kept, f)
			v.Action = vigil.ActionReview
		}
	}
	v.Flags = kept
	return nil
}

// mergeTags keeps one tag per name: the highest score, the model's source
// unless a rule gave a higher score, and the evidence of all. The result is
// sorted by score, highest first, then by name.
func mergeTags(tags []vigil.Tag) []vigil.Tag {
	out := make([]vigil.Tag, 0, len(tags))
	idx := make(map[string]int, len(tags))
	for _, t := range tags {
		i, ok := idx[t.Name]
		if !ok {
			idx[t.Name] = len(out)
			out = append(out, t)
			continue
		}
		m := &out[i]
		if t.Score > m.Score {
			m.Score, m.Source = t.Score, t.Source
		}
		m.Evidence = append(m.Evidence, t.Evidence...)
	}
	slices.SortStableFunc(out, func(a, b vigil.Tag) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// combineSignals turns signals into one flag per name. Independent pieces
// of evidence add up as a noisy-OR: score = 1 - Π(1 - weight); a flag with a
// combiner instead gets the combiner's score of its rules' noisy-OR and its
// strongest model signal.
func combineSignals(sigs []Signal, combiners map[string]FlagCombiner) []vigil.Flag {
	flags := []vigil.Flag{}
	idx := map[string]int{}
	type parts struct {
		rule, model float64
		hasModel    bool
	}
	var ps []parts
	for _, s := range sigs {
		i, ok := idx[s.Flag]
		if !ok {
			i = len(flags)
			idx[s.Flag] = i
			flags = append(flags, vigil.Flag{Name: s.Flag})
			ps = append(ps, parts{})
		}
		f := &flags[i]
		w := min(max(s.Weight, 0), 1)
		if math.IsNaN(s.Weight) {
			w = 0
		}
		f.Score = 1 - (1-f.Score)*(1-w)
		if s.Source == vigil.SourceModel {
			ps[i].model, ps[i].hasModel = max(ps[i].model, w), true
		} else {
			ps[i].rule = 1 - (1-ps[i].rule)*(1-w)
		}
		f.Evidence = append(f.Evidence, s.Evidence...)
	}
	for i := range flags {
		if c, ok := combiners[flags[i].Name]; ok {
			flags[i].Score = c.Score(ps[i].rule, ps[i].model, ps[i].hasModel)
		}
	}
	slices.SortStableFunc(flags, func(a, b vigil.Flag) int { return cmp.Compare(b.Score, a.Score) })
	return flags
}
