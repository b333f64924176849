package pipeline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

func TestFlagThresholdsOverride(t *testing.T) {
	shipped := FlagThresholds{"f": {Default: 0.8, ByKind: map[string]float64{"comment": 0.5, "article": 0.9}}}
	got := shipped.Override(FlagThresholds{
		"f":   {ByKind: map[string]float64{"comment": 0.6}, BySection: map[string]float64{"religion": 0.95}},
		"new": {BySection: map[string]float64{"sport": 0.7}},
	})
	for _, tc := range []struct {
		flag, kind, section string
		want                float64
	}{
		{"f", "comment", "", 0.6},          // overridden
		{"f", "article", "", 0.9},          // kept
		{"f", "comment", "religion", 0.95}, // section wins
		{"f", "", "", 0.8},                 // default kept
		{"new", "comment", "sport", 0.7},
		{"new", "comment", "", DefaultFlagThreshold},
		{"other", "comment", "", DefaultFlagThreshold},
	} {
		if v := got.For(tc.flag, tc.kind, tc.section); v != tc.want {
			t.Errorf("For(%s, %s, %s) = %v, want %v", tc.flag, tc.kind, tc.section, v, tc.want)
		}
	}
	if shipped["f"].ByKind["comment"] != 0.5 || len(shipped) != 1 {
		t.Errorf("Override modified its receiver: %+v", shipped)
	}
}

func TestFlagThresholdsValidate(t *testing.T) {
	if err := (FlagThresholds{"f": {Default: 0.5, ByKind: map[string]float64{"comment": 1}}}).Validate(); err != nil {
		t.Errorf("valid thresholds: %v", err)
	}
	for _, bad := range []FlagThresholds{
		{"f": {Default: 1.2}},
		{"f": {ByKind: map[string]float64{"comment": -0.1}}},
		{"f": {BySection: map[string]float64{"news": 0}}},
	} {
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "threshold f") {
			t.Errorf("%+v: error %v, want one naming the flag", bad, err)
		}
	}
}

// TestDecideExplainsOnlyRaisedFlags: a signal's Explain runs for a flag
// that reaches its threshold, its evidence joins the flag's, and it never
// runs for a flag that does not.
func TestDecideExplainsOnlyRaisedFlags(t *testing.T) {
	d := &Decide{Thresholds: FlagThresholds{"f": {Default: 0.5}}}
	calls := 0
	run := func(weight float64) vigil.Verdict {
		it := &Item{Doc: &vigil.Document{ID: "x"}, Signals: []Signal{
			{Flag: "f", Source: vigil.SourceRule, Weight: weight, Evidence: []vigil.Evidence{{Rule: "r"}}},
			{Flag: "f", Source: vigil.SourceModel, Weight: weight, Explain: func() []vigil.Evidence {
				calls++
				return []vigil.Evidence{{Feature: "word:x"}}
			}},
		}}
		if err := d.Process(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		return it.Verdict
	}
	if v := run(0.1); v.Action != vigil.ActionAllow || len(v.Flags) != 0 || calls != 0 {
		t.Errorf("below threshold: %s, flags %v, %d explain calls", v.Action, v.Flags, calls)
	}
	v := run(0.9)
	if v.Action != vigil.ActionReview || len(v.Flags) != 1 || calls != 1 {
		t.Fatalf("above threshold: %s, flags %v, %d explain calls", v.Action, v.Flags, calls)
	}
	if ev := v.Flags[0].Evidence; len(ev) != 2 || ev[0].Rule != "r" || ev[1].Feature != "word:x" {
		t.Errorf("evidence %+v: want the rule's, then the explained feature", ev)
	}
}

// TestDecideReportOnly: a report-only flag (Decide.Report) is listed in
// Scores with its evidence and never sends a document to review, until
// SetThresholds names it; then its report thresholds are the base the
// configured ones are laid over.
func TestDecideReportOnly(t *testing.T) {
	report := FlagThresholds{"toxic": {Default: 0.3, ByKind: map[string]float64{"comment": 0.3, "article": 0.3},
		BySection: map[string]float64{"sport": 0.6}}}
	for _, tc := range []struct {
		name       string
		configured FlagThresholds // the service's thresholds: key
		score      float64
		kind       string
		section    string
		action     string
		flags      string // names in Flags
		scores     string // names in Scores
	}{
		{"below its threshold", nil, 0.2, "comment", "", vigil.ActionAllow, "", ""},
		{"at its threshold, not configured", nil, 0.3, "comment", "", vigil.ActionAllow, "", "toxic"},
		{"high, not configured", nil, 0.99, "comment", "", vigil.ActionAllow, "", "toxic"},
		{"section threshold", nil, 0.5, "comment", "sport", vigil.ActionAllow, "", ""},
		{"configured, above", FlagThresholds{"toxic": {ByKind: map[string]float64{"comment": 0.8}}}, 0.9, "comment", "", vigil.ActionReview, "toxic", ""},
		{"configured, between", FlagThresholds{"toxic": {ByKind: map[string]float64{"comment": 0.8}}}, 0.5, "comment", "", vigil.ActionAllow, "", "toxic"},
		{"configured for comments, article keeps the head's", FlagThresholds{"toxic": {ByKind: map[string]float64{"comment": 0.8}}}, 0.5, "article", "", vigil.ActionReview, "toxic", ""},
		{"configured empty: the head's thresholds", FlagThresholds{"toxic": {}}, 0.35, "comment", "", vigil.ActionReview, "toxic", ""},
		{"other flag configured", FlagThresholds{"extremist_recruitment": {Default: 0.9}}, 0.99, "comment", "", vigil.ActionAllow, "", "toxic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Decide{Report: report}
			d.SetThresholds(tc.configured)
			it := &Item{Doc: &vigil.Document{ID: "x", Kind: tc.kind, Section: tc.section}, Signals: []Signal{
				{Flag: "toxic", Source: vigil.SourceModel, Weight: tc.score, Explain: func() []vigil.Evidence {
					return []vigil.Evidence{{Feature: "word:x", Weight: 1}}
				}},
			}}
			if err := d.Process(context.Background(), it); err != nil {
				t.Fatal(err)
			}
			v := it.Verdict
			names := func(fs []vigil.Flag) string {
				var out []string
				for _, f := range fs {
					out = append(out, f.Name)
					if len(f.Evidence) != 1 || f.Evidence[0].Feature != "word:x" {
						t.Errorf("%s: evidence %+v", f.Name, f.Evidence)
					}
				}
				return strings.Join(out, ",")
			}
			if v.Action != tc.action || names(v.Flags) != tc.flags || names(v.Scores) != tc.scores {
				t.Errorf("action %s, flags %q, scores %q; want %s, %q, %q", v.Action, names(v.Flags), names(v.Scores), tc.action, tc.flags, tc.scores)
			}
		})
	}
}

// TestDecideEveryScore: a check that asks for every score
// (vigil.WithEveryScore) gets a flag under its report threshold in Scores,
// explained only when it asks for evidence; one over its review threshold
// stays in Flags; a check that does not ask is unchanged.
func TestDecideEveryScore(t *testing.T) {
	for _, tc := range []struct {
		name            string
		ctx             context.Context
		score           float64
		flags, scores   int
		explained, want bool // explain called; Scores evidence expected
	}{
		{"not asked, low", context.Background(), 0.05, 0, 0, false, false},
		{"asked, low, no evidence", vigil.WithEveryScore(context.Background(), false), 0.05, 0, 1, false, false},
		{"asked, low, with evidence", vigil.WithEveryScore(context.Background(), true), 0.05, 0, 1, true, true},
		{"asked, over the review threshold", vigil.WithEveryScore(context.Background(), false), 0.95, 1, 0, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Decide{Thresholds: FlagThresholds{"f": {Default: 0.9}}, Report: FlagThresholds{"toxic": {Default: 0.3}}}
			calls := 0
			explain := func() []vigil.Evidence { calls++; return []vigil.Evidence{{Feature: "word:x", Weight: 1}} }
			sig := "toxic"
			if tc.flags > 0 {
				sig = "f"
			}
			it := &Item{Doc: &vigil.Document{ID: "x", Kind: vigil.KindComment},
				Signals: []Signal{{Flag: sig, Source: vigil.SourceModel, Weight: tc.score, Explain: explain}}}
			if err := d.Process(tc.ctx, it); err != nil {
				t.Fatal(err)
			}
			v := it.Verdict
			if len(v.Flags) != tc.flags || len(v.Scores) != tc.scores || (calls > 0) != tc.explained {
				t.Fatalf("flags %+v scores %+v, %d explain calls", v.Flags, v.Scores, calls)
			}
			if tc.scores > 0 {
				if s := v.Scores[0]; s.Name != "toxic" || math.Abs(s.Score-tc.score) > 1e-9 || (len(s.Evidence) > 0) != tc.want {
					t.Errorf("scores[0] = %+v", s)
				}
			}
		})
	}
}

// TestDecideExplainedBy: a tag only the model gave is dropped when a rule
// gives one of the tags that explain it away and no rule gives it; a rule
// of its own, an explaining tag from the model only, or a tag with no
// explained_by keeps it.
func TestDecideExplainedBy(t *testing.T) {
	by := map[string][]string{"politics": {"government", "conflict"}}
	model := func(name string) vigil.Tag { return vigil.Tag{Name: name, Score: 0.9, Source: vigil.SourceModel} }
	rule := func(name string) vigil.Tag { return vigil.Tag{Name: name, Score: 0.85, Source: vigil.SourceRule} }
	for _, tc := range []struct {
		name string
		in   []vigil.Tag
		want []string
	}{
		{"the cabinet at work", []vigil.Tag{model("politics"), rule("government")}, []string{"government"}},
		{"a war", []vigil.Tag{rule("conflict"), model("politics"), model("economy")}, []string{"economy", "conflict"}},
		{"talks about a war", []vigil.Tag{model("politics"), rule("conflict"), rule("politics")}, []string{"politics", "conflict"}},
		{"explaining tag from the model only", []vigil.Tag{model("politics"), model("government")}, []string{"government", "politics"}},
		{"no explaining tag", []vigil.Tag{model("politics"), rule("health")}, []string{"politics", "health"}},
		{"a tag without explained_by", []vigil.Tag{model("economy"), rule("government")}, []string{"economy", "government"}},
	} {
		it := &Item{Doc: &vigil.Document{ID: "x"}}
		it.Verdict.Tags = tc.in
		if got := decidedTags(t, &Decide{ExplainedBy: by}, it); !slices.Equal(got, tc.want) {
			t.Errorf("%s: tags %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestDecideExplainedByModel: the corpus politics output's tag goes where
// the model gives government at least the minimum and the output shown as
// politics (diplomacy) gives it under ExplainGuard; a rule's politics, a
// diplomacy that agrees, or a weak government leave it.
func TestDecideExplainedByModel(t *testing.T) {
	by := map[string]map[string]float64{"politics": {"government": 0.5}}
	shown := map[string]string{"diplomacy": "politics"}
	model := func(name string, score float64) vigil.Tag {
		return vigil.Tag{Name: name, Score: score, Source: vigil.SourceModel}
	}
	scores := func(gov, dip float64) []TagScore {
		return []TagScore{{"government", gov}, {"politics", 0.9}, {"diplomacy", dip}, {"economy", 0.1}}
	}
	for _, tc := range []struct {
		name   string
		in     []vigil.Tag
		scores []TagScore
		want   []string
	}{
		{"a bill passed", []vigil.Tag{model("politics", 0.9), model("government", 0.99)}, scores(0.99, 0.001), []string{"government"}},
		{"government at the minimum", []vigil.Tag{model("politics", 0.9)}, scores(0.5, 0.05), nil},
		{"government under it", []vigil.Tag{model("politics", 0.9)}, scores(0.49, 0.001), []string{"politics"}},
		{"diplomacy agrees", []vigil.Tag{model("politics", 0.9), model("government", 0.99)}, scores(0.99, ExplainGuard), []string{"government", "politics"}},
		{"a rule's politics stays", []vigil.Tag{{Name: "politics", Score: 0.85, Source: vigil.SourceRule}}, scores(0.99, 0.001), []string{"politics"}},
		{"the model did not score it", []vigil.Tag{model("politics", 0.9)}, nil, []string{"politics"}},
		{"another tag is not touched", []vigil.Tag{model("economy", 0.9)}, scores(0.99, 0.001), []string{"economy"}},
	} {
		it := &Item{Doc: &vigil.Document{ID: "x"}, TagScores: tc.scores}
		it.Verdict.Tags = tc.in
		if got := decidedTags(t, &Decide{ExplainedByModel: by, ShownAs: shown}, it); !slices.Equal(got, tc.want) {
			t.Errorf("%s: tags %v, want %v", tc.name, got, tc.want)
		}
	}
}

// decidedTags runs d on it and returns the names of the verdict's tags.
func decidedTags(t *testing.T, d *Decide, it *Item) []string {
	t.Helper()
	if err := d.Process(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range it.Verdict.Tags {
		got = append(got, g.Name)
	}
	return got
}

// A second model output of a tag (diplomacy, shown as politics) is read
// by explained_by under its own name, then merges with the tag it shows.
func TestDecideShownAs(t *testing.T) {
	by := map[string][]string{"politics": {"conflict"}}
	shown := map[string]string{"diplomacy": "politics"}
	model := func(name string, score float64) vigil.Tag {
		return vigil.Tag{Name: name, Score: score, Source: vigil.SourceModel}
	}
	rule := func(name string) vigil.Tag { return vigil.Tag{Name: name, Score: 0.85, Source: vigil.SourceRule} }
	for _, tc := range []struct {
		name string
		in   []vigil.Tag
		want []string
	}{
		{"diplomacy alone", []vigil.Tag{model("diplomacy", 0.7)}, []string{"politics 0.7"}},
		{"a state on a war: not explained away", []vigil.Tag{model("diplomacy", 0.7), rule("conflict")}, []string{"conflict 0.85", "politics 0.7"}},
		{"the corpus output is", []vigil.Tag{model("politics", 0.9), rule("conflict")}, []string{"conflict 0.85"}},
		{"both outputs merge, the higher score", []vigil.Tag{model("politics", 0.6), model("diplomacy", 0.8)}, []string{"politics 0.8"}},
	} {
		it := &Item{Doc: &vigil.Document{ID: "x"}}
		it.Verdict.Tags = tc.in
		if err := (&Decide{ExplainedBy: by, ShownAs: shown}).Process(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range it.Verdict.Tags {
			got = append(got, fmt.Sprintf("%s %v", g.Name, g.Score))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: tags %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDecideRuleFloors(t *testing.T) {
	floors := map[string]float64{"government": 0.05, "politics": 0.03}
	shown := map[string]string{"diplomacy": "politics"}
	rule := func(name string) vigil.Tag { return vigil.Tag{Name: name, Score: 0.89, Source: vigil.SourceRule} }
	model := func(name string, score float64) vigil.Tag {
		return vigil.Tag{Name: name, Score: score, Source: vigil.SourceModel}
	}
	scores := func(kv ...any) []TagScore {
		var out []TagScore
		for i := 0; i < len(kv); i += 2 {
			out = append(out, TagScore{Name: kv[i].(string), P: kv[i+1].(float64)})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		in     []vigil.Tag
		scores []TagScore
		want   []string
		body   []string   // Item.BodyTags
		own    []TagFloor // Item.RuleFloors
	}{
		{"the model all but rules it out", []vigil.Tag{rule("government"), model("security", 0.9)},
			scores("government", 0.01, "security", 0.9), []string{"security 0.9"}, nil, nil},
		{"passing mentions under BodyRuleFloor", []vigil.Tag{rule("health")}, scores("health", BodyRuleFloor-0.001), []string{}, []string{"health"}, nil},
		{"passing mentions at BodyRuleFloor", []vigil.Tag{rule("health")}, scores("health", BodyRuleFloor), []string{"health 0.89"}, []string{"health"}, nil},
		{"the same score, a tag from a headline", []vigil.Tag{rule("health")}, scores("health", BodyRuleFloor-0.001), []string{"health 0.89"}, nil, nil},
		{"passing mentions of another tag", []vigil.Tag{rule("health")}, scores("health", BodyRuleFloor-0.001), []string{"health 0.89"}, []string{"religion"}, nil},
		// passing mentions of a tag with a floor of its own (Decide.Floors) need that floor
		{"passing mentions under the tag's own floor", []vigil.Tag{rule("technology")}, scores("technology", 0.49), []string{}, []string{"technology"}, nil},
		{"passing mentions at the tag's own floor", []vigil.Tag{rule("technology")}, scores("technology", 0.5), []string{"technology 0.89"}, []string{"technology"}, nil},
		{"the same score, a technology from a headline", []vigil.Tag{rule("technology")}, scores("technology", 0.2), []string{"technology 0.89"}, nil, nil},
		{"at the floor it stands", []vigil.Tag{rule("government")}, scores("government", 0.05), []string{"government 0.89"}, nil, nil},
		{"the model did not score the document", []vigil.Tag{rule("government")}, nil, []string{"government 0.89"}, nil, nil},
		{"a tag with no floor", []vigil.Tag{rule("security")}, scores("security", 0.001), []string{"security 0.89"}, nil, nil},
		{"the model's own tag is not a rule's", []vigil.Tag{model("government", 0.04)}, scores("government", 0.04), []string{"government 0.04"}, nil, nil},
		{"an output shown as the tag counts", []vigil.Tag{rule("politics")}, scores("politics", 0.001, "diplomacy", 0.2), []string{"politics 0.89"}, nil, nil},
		{"the higher of the two", []vigil.Tag{rule("politics")}, scores("politics", 0.02, "diplomacy", 0.001), []string{}, nil, nil},
		{"a tag the model has no output for", []vigil.Tag{rule("government")}, scores("security", 0.5), []string{"government 0.89"}, nil, nil},
		// a rule with a floor of its own (rules.Action.ModelFloor) lowers its tag's, never raises it
		{"a rule's own floor lets it stand", []vigil.Tag{rule("government")}, scores("government", 0.02), []string{"government 0.89"}, nil, []TagFloor{{"government", 0.01}}},
		{"under its own floor it goes", []vigil.Tag{rule("government")}, scores("government", 0.005), []string{}, nil, []TagFloor{{"government", 0.01}}},
		{"an own floor above the tag's is not taken", []vigil.Tag{rule("government")}, scores("government", 0.06), []string{"government 0.89"}, nil, []TagFloor{{"government", 0.5}}},
		{"another tag's own floor", []vigil.Tag{rule("government")}, scores("government", 0.02), []string{}, nil, []TagFloor{{"health", 0.01}}},
	} {
		it := &Item{Doc: &vigil.Document{ID: "x"}, TagScores: tc.scores, BodyTags: tc.body, RuleFloors: tc.own}
		it.Verdict.Tags = tc.in
		if err := (&Decide{RuleFloors: floors, ShownAs: shown, Floors: map[string]float64{"technology": 0.5}}).Process(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, g := range it.Verdict.Tags {
			got = append(got, fmt.Sprintf("%s %v", g.Name, g.Score))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: tags %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDecideRuleFloorsSpareComments(t *testing.T) {
	it := &Item{Doc: &vigil.Document{ID: "c", Kind: vigil.KindComment}, TagScores: []TagScore{{Name: "conflict", P: 0.001}}}
	it.Verdict.Tags = []vigil.Tag{{Name: "conflict", Score: 0.9, Source: vigil.SourceRule}}
	if err := (&Decide{RuleFloors: map[string]float64{"conflict": 0.01}}).Process(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	if len(it.Verdict.Tags) != 1 {
		t.Errorf("a comment's rule tag was overruled: %v", it.Verdict.Tags)
	}
}

// A rule tag the model overrules still explains away the model's tags under
// SureModelTag; from it the model's tag stands. A rule tag the model keeps
// explains away any score.
func TestDecideOverruledRuleStillExplains(t *testing.T) {
	for _, tc := range []struct {
		name     string
		conflict float64 // the model's conflict, against the rule's floor of 0.01
		politics float64
		want     []string
	}{
		{"overruled, a weak politics", 0.001, 0.6, []string{}},
		{"overruled, politics just under sure", 0.001, SureModelTag - 0.0001, []string{}},
		{"overruled, a sure politics", 0.001, SureModelTag, []string{"politics"}},
		{"overruled, politics 0.985", 0.001, 0.985, []string{"politics"}},
		{"kept, a sure politics", 0.5, 0.985, []string{"conflict"}},
	} {
		it := &Item{Doc: &vigil.Document{ID: "a"}, TagScores: []TagScore{{Name: "conflict", P: tc.conflict}, {Name: "politics", P: tc.politics}}}
		it.Verdict.Tags = []vigil.Tag{
			{Name: "conflict", Score: 0.9, Source: vigil.SourceRule},
			{Name: "politics", Score: tc.politics, Source: vigil.SourceModel},
		}
		d := &Decide{RuleFloors: map[string]float64{"conflict": 0.01}, ExplainedBy: map[string][]string{"politics": {"conflict"}}}
		if err := d.Process(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, g := range it.Verdict.Tags {
			got = append(got, g.Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: tags %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A rule's tag is scored from its pack's score and the model's, by the
// document's kind; where the model did not score the tag, or the kind has
// no calibration, the pack's score stays. σ(1) = 0.7311, σ(1 + logit 0.2)
// = σ(-0.386) = 0.4046, σ(1 + logit 0.6) = 0.803.
func TestDecideRuleScores(t *testing.T) {
	rs := map[string]RuleScore{vigil.KindArticle: {Intercept: 1, Rule: 0, Model: 1}}
	shown := map[string]string{"diplomacy": "politics"}
	floors := map[string]float64{"economy": 0.5}
	rule := func(name string) vigil.Tag { return vigil.Tag{Name: name, Score: 0.89, Source: vigil.SourceRule} }
	model := func(name string, score float64) vigil.Tag {
		return vigil.Tag{Name: name, Score: score, Source: vigil.SourceModel}
	}
	for _, tc := range []struct {
		name, kind string
		in         []vigil.Tag
		scores     []TagScore
		want       []string
	}{
		{"from the model's score", "", []vigil.Tag{rule("government")}, []TagScore{{"government", 0.5}}, []string{"government 0.7311 rule"}},
		{"a doubtful model lowers it", "", []vigil.Tag{rule("government")}, []TagScore{{"government", 0.2}}, []string{"government 0.4046 rule"}},
		{"an output shown as the tag counts, the higher", "", []vigil.Tag{rule("politics")}, []TagScore{{"politics", 0.01}, {"diplomacy", 0.5}}, []string{"politics 0.7311 rule"}},
		{"the model's own tag is left alone; the higher shows", "", []vigil.Tag{model("government", 0.6), rule("government")}, []TagScore{{"government", 0.6}}, []string{"government 0.803 rule"}},
		{"a model tag alone", "", []vigil.Tag{model("security", 0.6)}, []TagScore{{"security", 0.6}}, []string{"security 0.6 model"}},
		{"the model did not score the document", "", []vigil.Tag{rule("government")}, nil, []string{"government 0.89 rule"}},
		{"no output for the tag", "", []vigil.Tag{rule("government")}, []TagScore{{"security", 0.5}}, []string{"government 0.89 rule"}},
		{"a kind without a calibration", vigil.KindComment, []vigil.Tag{rule("government")}, []TagScore{{"government", 0.5}}, []string{"government 0.89 rule"}},
		{"under its tag's floor it goes", "", []vigil.Tag{rule("economy"), rule("government")}, []TagScore{{"economy", 0.26}, {"government", 0.26}}, []string{"government 0.4885 rule"}},
		{"at its tag's floor it stays", "", []vigil.Tag{rule("economy")}, []TagScore{{"economy", 0.27}}, []string{"economy 0.5013 rule"}},
		{"the model's own tag stays with the rule's evidence", "", []vigil.Tag{model("economy", 0.55), rule("economy")}, []TagScore{{"economy", 0.55}}, []string{"economy 0.7686 rule"}},
		{"unscored, the pack's score stays", "", []vigil.Tag{rule("economy")}, nil, []string{"economy 0.89 rule"}},
		{"a kind without a calibration keeps it", vigil.KindComment, []vigil.Tag{rule("economy")}, []TagScore{{"economy", 0.01}}, []string{"economy 0.89 rule"}},
	} {
		it := &Item{Doc: &vigil.Document{ID: "x", Kind: tc.kind}, TagScores: tc.scores}
		it.Verdict.Tags = tc.in
		if err := (&Decide{RuleScores: rs, ShownAs: shown, Floors: floors}).Process(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range it.Verdict.Tags {
			got = append(got, fmt.Sprintf("%s %v %s", g.Name, g.Score, g.Source))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: tags %v, want %v", tc.name, got, tc.want)
		}
	}
}
