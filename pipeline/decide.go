package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"maps"
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
	// Report gives, per report-only flag, the score at or above which it
	// is listed in Verdict.Scores with its evidence. A flag here and not in
	// Thresholds never sends a document to review (SetThresholds turns it
	// on); a flag in both is listed in Scores when it reaches its report
	// threshold but not its review threshold.
	Report FlagThresholds
	// ExplainedBy maps a tag to the tags that explain away its model-only
	// score (models.TaxonomyTag.ExplainedBy): a tag only the model gave is
	// dropped when a rule gives one of those and no rule gives it.
	ExplainedBy map[string][]string
	// ExplainedByModel maps a tag to tags and a probability
	// (models.TaxonomyTag.ExplainedByModel): a tag only the model gave is
	// dropped where the model gives one of those tags that probability or
	// more (Item.TagScores) and no output shown as the dropped tag gives it
	// ExplainGuard.
	ExplainedByModel map[string]map[string]float64
	// ShownAs maps a model output to the tag verdicts show for it
	// (models.TaxonomyTag.ShownAs), after ExplainedBy has read it under its
	// own name; the two then merge as one tag.
	ShownAs map[string]string
	// RuleFloors gives, per tag, the least probability the topic model
	// (Item.TagScores; an output ShownAs maps to the tag counts as the
	// tag, the highest wins) must give it for a rule's tag to stand
	// (models.TaxonomyTag.RuleFloor). Where the model did not score the
	// document, and on a comment, every rule tag stands: the floors were
	// chosen on news, and on the comments of testdata/tags the model's
	// low scores of a short "когда уже эта война закончится" or "указ
	// президента хороший" would have dropped 17 right rule tags for 4
	// wrong ones.
	RuleFloors map[string]float64
	// RuleScores gives, per document kind (vigil.KindArticle,
	// KindComment), how a rule's tag is scored where the topic model
	// scored the document: a probability from the rule's own score and the
	// model's score of the tag (RuleScore). A pack's score is its rules'
	// precision over every firing, but a rule's tag is shown with it only
	// where the model gives the tag less, and there it is right less often:
	// on 3,332 real headlines held out, rule tags shown at 0.94 on average
	// were right 0.80 of the time. A kind missing here, and a document the
	// model did not score, keep the pack's score (models.Taxonomy.RuleScores).
	RuleScores map[string]RuleScore
	// Floors gives, per tag, the least score its tag shows with, a rule's
	// as well as the model's (models.TaxonomyTag.Floor; the classify stage
	// holds the model's tags to it): a rule's tag that RuleScores scored
	// goes when its calibrated score is under its floor. The corpus tags
	// hold 0.5, "more likely than not": a rule's technology for a state's
	// cyberattack, economy for a harvest or travel for a road crash, where
	// the model all but ruled the tag out. Over every labelled set and the
	// corpora (train and dev) 340 tags went, 306 wrong and 25 right where
	// the labels judge them; on the sets nothing trains on 71 wrong and 23
	// right, on the corpora 106 wrong and none right (docs/models.md, "A
	// floor holds for rule tags too").
	Floors map[string]float64
}

// RuleScore is a logistic calibration of a rule's tag: its probability is
// σ(Intercept + Rule·logit(rule's score) + Model·logit(model's score of the
// tag)), fitted on labelled documents the model did not train on (`vigil
// eval --fit-rule-scores`). Model > 0: the rule's tag is as likely as the
// model makes it, raised by the rule's evidence.
type RuleScore struct {
	Intercept float64 `yaml:"intercept" json:"intercept"`
	Rule      float64 `yaml:"rule" json:"rule"`
	Model     float64 `yaml:"model" json:"model"`
}

// Of returns the calibrated probability of a rule's tag the rules scored
// rule and the model p.
func (rs RuleScore) Of(rule, p float64) float64 {
	return Sigmoid(rs.Intercept + rs.Rule*Logit(rule) + rs.Model*Logit(p))
}

// SetThresholds lays o over the review thresholds (see Override). A
// report-only flag that o names starts from its report thresholds and from
// then on sends documents to review.
func (d *Decide) SetThresholds(o FlagThresholds) {
	if len(o) == 0 {
		return
	}
	base := maps.Clone(d.Thresholds)
	for name := range o {
		if _, ok := base[name]; ok {
			continue
		}
		if rt, ok := d.Report[name]; ok {
			if base == nil {
				base = FlagThresholds{}
			}
			base[name] = rt
		}
	}
	d.Thresholds = base.Override(o)
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
	return ft.For(kind, section)
}

// For returns the threshold for a document of the given kind and section.
func (ft FlagThreshold) For(kind, section string) float64 {
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

// Process implements Stage. When ctx asks for every score
// (vigil.WithEveryScore), a flag under its report threshold, or with none,
// is listed in Verdict.Scores too, with its evidence only if asked.
func (d *Decide) Process(ctx context.Context, it *Item) error {
	every, explain := vigil.EveryScore(ctx)
	v := &it.Verdict
	kind := it.Doc.Kind
	if kind == "" {
		kind = vigil.KindArticle
	}
	var overruled []string
	if kind != vigil.KindComment {
		v.Tags, overruled = overrule(v.Tags, it.TagScores, d.RuleFloors, d.ShownAs, passingMentions{it.BodyTags, d.Floors}, it.RuleFloors)
	}
	v.Tags = explainAway(v.Tags, d.ExplainedBy, overruled)
	v.Tags = explainByModel(v.Tags, it.TagScores, d.ExplainedByModel, d.ShownAs)
	if rs, ok := d.RuleScores[kind]; ok {
		v.Tags = rescore(v.Tags, it.TagScores, d.ShownAs, rs, d.Floors)
	}
	v.Tags = mergeTags(showAs(v.Tags, d.ShownAs))
	v.Action = vigil.ActionAllow
	v.Flags, v.Scores = v.Flags[:0], v.Scores[:0]
	for _, f := range combineSignals(it.Signals, d.Combiners) {
		if !f.met {
			continue
		}
		// A flag with a report threshold and no review threshold of its
		// own is report-only: it never sends the item to review.
		rt, reported := d.Report[f.Name]
		_, configured := d.Thresholds[f.Name]
		if (configured || !reported) && f.Score >= d.Thresholds.For(f.Name, kind, it.Doc.Section) {
			f.Evidence = flagEvidence(it.Fields, it.Signals, f.Name)
			v.Flags = append(v.Flags, f.Flag)
			v.Action = vigil.ActionReview
			continue
		}
		if reported && f.Score >= rt.For(kind, it.Doc.Section) {
			f.Evidence = flagEvidence(it.Fields, it.Signals, f.Name)
			v.Scores = append(v.Scores, f.Flag)
			continue
		}
		if every {
			if explain {
				f.Evidence = flagEvidence(it.Fields, it.Signals, f.Name)
			}
			v.Scores = append(v.Scores, f.Flag)
		}
	}
	if len(v.Scores) == 0 {
		v.Scores = nil
	}
	return nil
}

// explainAway drops the model's tags that by explains away: a tag no rule
// gave when a rule gave one of its explaining tags. A rule tag the model
// overruled (overruled holds their names) still explains away a model tag
// under SureModelTag: the rule read a war or an official there, and the
// model's broad politics at 0.4 is no better for it. It filters tags in
// place.
func explainAway(tags []vigil.Tag, by map[string][]string, overruled []string) []vigil.Tag {
	if len(by) == 0 {
		return tags
	}
	var ruled []string // the tags some rule gave
	for _, t := range tags {
		if t.Source == vigil.SourceRule {
			ruled = append(ruled, t.Name)
		}
	}
	return slices.DeleteFunc(tags, func(t vigil.Tag) bool {
		if t.Source != vigil.SourceModel || slices.Contains(ruled, t.Name) {
			return false
		}
		return slices.ContainsFunc(by[t.Name], func(n string) bool {
			return slices.Contains(ruled, n) || t.Score < SureModelTag && slices.Contains(overruled, n)
		})
	})
}

// ExplainGuard is how much an output shown as a tag (diplomacy, shown as
// politics) must give it for explainByModel to leave the tag's other
// output alone: the taxonomy's own sense of the tag, learned from news
// labelled by hand, then says the document may be about it too.
const ExplainGuard = 0.1

// explainByModel drops the tags only the model gave that the model's own
// score of another tag explains (Decide.ExplainedByModel). The topics
// corpus's politics output learned politics from SIB-200 and BBC News,
// where the cabinet and parliament at work are politics. Over every
// labelled set of the taxonomy's sense that was read or trained on, its
// tags where the model also gave government 0.5 or more and the diplomacy
// output under 0.1 were wrong 27 times in 27 (25 articles, 2 comments:
// "Mazhilis approves VAT changes", politics 0.97 beside government
// 0.9999); with the guard at 0.03 14 such article tags went, at 0.2 26,
// and without it 28 wrong and 5 right. On the corpora (topics and news-en,
// train and dev) no tag moved; on the held-out sets 5 wrong tags went and
// no right one (docs/models.md, "The model's government explains its
// corpus politics").
func explainByModel(tags []vigil.Tag, scores []TagScore, by map[string]map[string]float64, shownAs map[string]string) []vigil.Tag {
	if len(by) == 0 || len(scores) == 0 {
		return tags
	}
	return slices.DeleteFunc(tags, func(t vigil.Tag) bool {
		explainers, ok := by[t.Name]
		if !ok || t.Source != vigil.SourceModel {
			return false
		}
		for _, s := range scores { // another output shown as this tag says it may be about it
			if shownAs[s.Name] == t.Name && s.P >= ExplainGuard {
				return false
			}
		}
		for name, min := range explainers {
			if ModelScore(scores, shownAs, name) >= min {
				return true
			}
		}
		return false
	})
}

// BodyRuleFloor is the least probability the topic model must give a tag
// that rules gave only on passing mentions in a long body (Item.BodyTags).
// On the long articles of six sets, such tags (security's rules have no
// body_score, so never) were wrong 76 times of 76 where the model gave
// them under 0.02: 8 on the written full-length articles, 5 on the
// articles about recruiters, 5 on the publishing formats, and where the
// corpora can judge them 20 on news-en's training articles and 38 on the
// topics corpus's long ones. From 0.02 to 0.1 (2026-12-05) the sets that
// label every tag lost 19 more such tags, 16 of them wrong (6 on the
// full-length articles, 2 on the formats, 3 on topics and news-en dev, 5
// on items about no topic) and 3 right (two articles about recruiters, one
// news-en dev article); 0.05 dropped 1 right and 7 wrong, 0.2 4 right and
// 19 wrong. On 120 full-length articles written blind and scored once on
// each (testdata/tags/long2) one wrong tag went and no right one.
const BodyRuleFloor = 0.1

// SureModelTag is the score from which a model tag stands against a rule
// tag the model itself overruled (see explainAway). Before, every
// overruled rule tag explained the model's tags away, and BBC politics
// reports naming a minister once ("Ministers deny care sums 'wrong'",
// politics 0.985) ended with no tag at all. On the 42,272 documents of every
// labelled set and topics and news-en dev, letting every model tag stand
// brought back 476 tags right and 21 wrong at 0.8 or more (the written
// sentences counted; without them about 55 right and 7 wrong) and 8 right
// and 14 wrong under 0.8.
const SureModelTag = 0.8

// passingMentions are the tags rules gave only in passing (Item.BodyTags)
// and the floors of the taxonomy's tags (Decide.Floors).
type passingMentions struct {
	tags   []string
	floors map[string]float64
}

// floor is the least probability the model must give tag, a tag some rule
// gave only in passing: BodyRuleFloor, or the tag's own floor where it is
// higher. The tags the corpora taught (economy, technology, culture, sport,
// travel: floor 0.5; conflict 0.2) were wrong far more often than right
// so: over every labelled tag set, with the lead under a headline counted
// as passing, raising their floor from 0.1 to theirs took away 55 wrong
// tags and 3 right ones (1 right economy and 1 wrong politics came),
// where 0.3 for every tag would also have taken 13 right government,
// incidents and conflict tags for 13 wrong (2026-12-07).
func (p passingMentions) floor(tag string) (float64, bool) {
	if !slices.Contains(p.tags, tag) {
		return 0, false
	}
	return max(BodyRuleFloor, p.floors[tag]), true
}

// overrule drops the rules' tags that the model's scores put under the
// tag's floor, in place, and returns the names of those it dropped. A rule
// with a model floor of its own lowers its tag's (own: Item.RuleFloors);
// passing mentions raise it (passingMentions.floor). Without scores it
// keeps every tag.
func overrule(tags []vigil.Tag, scores []TagScore, floors map[string]float64, shown map[string]string, passing passingMentions, own []TagFloor) (kept []vigil.Tag, dropped []string) {
	if (len(floors) == 0 && len(passing.tags) == 0) || len(scores) == 0 {
		return tags, nil
	}
	kept = slices.DeleteFunc(tags, func(t vigil.Tag) bool {
		floor, ok := floors[t.Name]
		if i := slices.IndexFunc(own, func(f TagFloor) bool { return f.Tag == t.Name }); ok && i >= 0 {
			floor = min(floor, own[i].Floor) // own holds a tag once (rules' lowerFloor)
		}
		if pf, in := passing.floor(t.Name); in {
			floor, ok = max(floor, pf), true
		}
		if !ok || t.Source != vigil.SourceRule {
			return false
		}
		if p := ModelScore(scores, shown, t.Name); p >= 0 && p < floor {
			dropped = append(dropped, t.Name)
			return true
		}
		return false
	})
	return kept, dropped
}

// rescore gives each rule's tag its calibrated probability under rs, from
// its score and the model's (an output shown as the tag counts as it, the
// highest wins), and drops those it puts under their tag's floor, in place.
// Without scores it changes nothing; a tag no output scores keeps its
// score.
func rescore(tags []vigil.Tag, scores []TagScore, shown map[string]string, rs RuleScore, floors map[string]float64) []vigil.Tag {
	if len(scores) == 0 {
		return tags
	}
	kept := tags[:0]
	for _, t := range tags {
		if t.Source == vigil.SourceRule {
			if p := ModelScore(scores, shown, t.Name); p >= 0 {
				t.Score = math.Round(rs.Of(t.Score, p)*1e4) / 1e4
				if t.Score < floors[t.Name] {
					continue
				}
			}
		}
		kept = append(kept, t)
	}
	clear(tags[len(kept):])
	return kept
}

// ModelScore is the model's probability of tag name: the highest of its
// outputs called name or shown as it (shown maps an output to its tag);
// -1 when none is.
func ModelScore(scores []TagScore, shown map[string]string, name string) float64 {
	p := -1.0
	for _, s := range scores {
		if n := s.Name; n == name || shown[n] == name {
			p = max(p, s.P)
		}
	}
	return p
}

// showAs renames each tag to the tag shown for it, in place.
func showAs(tags []vigil.Tag, shown map[string]string) []vigil.Tag {
	for i := range tags {
		if to, ok := shown[tags[i].Name]; ok {
			tags[i].Name = to
		}
	}
	return tags
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

// combined is one flag's score and whether its evidence condition holds.
type combined struct {
	vigil.Flag
	met bool
}

// combineSignals turns signals into one flag per name, highest score first.
// A flag with a combiner gets the combiner's score of its inputs (InputsOf)
// and its evidence condition; one without combines its signals' weights as
// a noisy-OR, score = 1 - Π(1 - weight), independent pieces of evidence
// adding up. Cues never add to a score.
func combineSignals(sigs []Signal, combiners map[string]FlagCombiner) []combined {
	var out []combined
	for _, s := range sigs {
		if slices.ContainsFunc(out, func(c combined) bool { return c.Name == s.Flag }) {
			continue
		}
		in := InputsOf(sigs, s.Flag)
		c := combined{Flag: vigil.Flag{Name: s.Flag}, met: true}
		if comb, ok := combiners[s.Flag]; ok {
			c.Score, c.met = comb.Combine(in), comb.Met(in)
		} else {
			c.Score = 1 - (1-in.Rule)*(1-in.Model)
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b combined) int { return cmp.Compare(b.Score, a.Score) })
	return out
}
