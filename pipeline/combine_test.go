package pipeline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

func TestFlagCombinerScore(t *testing.T) {
	c := FlagCombiner{Bias: -3, Rule: 4, Model: 1}
	for _, tc := range []struct {
		name     string
		r, m     float64
		hasModel bool
		want     float64
	}{
		{"no model: rules alone", 0.7, 0, false, 0.7},
		{"nothing", 0, 0.5, true, Sigmoid(-3)},
		{"rule only", 1, 0.5, true, Sigmoid(1)},
		{"model only", 0, Sigmoid(2), true, Sigmoid(-1)},
		{"both", 0.5, Sigmoid(2), true, Sigmoid(1)},
		{"model certain", 0, 1, true, Sigmoid(-3 + maxLogit)},
		{"model NaN", 0, math.NaN(), true, Sigmoid(-3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Score(tc.r, tc.m, tc.hasModel); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("Score(%v, %v, %v) = %v, want %v", tc.r, tc.m, tc.hasModel, got, tc.want)
			}
		})
	}
}

func TestDecideCombinesRuleAndModelSignals(t *testing.T) {
	const flag = vigil.FlagExtremistRecruitment
	ev := func(rule string) []vigil.Evidence {
		start := int(rule[0]-'a') * 10 // rules a, b, … at distinct spans
		return []vigil.Evidence{{Rule: rule, Field: "body", Start: start, End: start + 3}}
	}
	d := &Decide{
		Thresholds: FlagThresholds{flag: {Default: 0.6, ByKind: map[string]float64{vigil.KindComment: 0.4}}},
		Combiners:  map[string]FlagCombiner{flag: {Bias: -2, Rule: 3, Model: 1}},
	}
	for _, tc := range []struct {
		name       string
		kind       string
		sigs       []Signal
		wantScore  float64
		wantAction string
	}{
		{"model alone, weak", vigil.KindComment, []Signal{{Flag: flag, Source: vigil.SourceModel, Weight: 0.5}},
			Sigmoid(-2), vigil.ActionAllow},
		{"two rules and the model", vigil.KindComment, []Signal{
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("a")},
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("b")},
			{Flag: flag, Source: vigil.SourceModel, Weight: Sigmoid(1)}},
			Sigmoid(-2 + 3*0.75 + 1), vigil.ActionReview},
		{"same score, article threshold higher", vigil.KindArticle, []Signal{
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("a")},
			{Flag: flag, Source: vigil.SourceModel, Weight: 0.5}},
			Sigmoid(-0.5), vigil.ActionAllow},
		{"rules only: noisy-OR", vigil.KindComment, []Signal{
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("a")},
			{Flag: flag, Source: vigil.SourceRule, Weight: 0.5, Evidence: ev("b")}},
			0.75, vigil.ActionReview},
		{"flag without combiner: noisy-OR", vigil.KindComment, []Signal{
			{Flag: vigil.FlagToxic, Source: vigil.SourceModel, Weight: 0.5},
			{Flag: vigil.FlagToxic, Source: vigil.SourceRule, Weight: 0.5}},
			0.75, vigil.ActionReview},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := &Item{Doc: &vigil.Document{ID: "x", Kind: tc.kind}, Signals: tc.sigs}
			if err := d.Process(context.Background(), it); err != nil {
				t.Fatal(err)
			}
			if it.Verdict.Action != tc.wantAction {
				t.Errorf("action %q, want %q", it.Verdict.Action, tc.wantAction)
			}
			// The score itself, before thresholds drop the flag.
			flags := combineSignals(tc.sigs, d.Combiners)
			if len(flags) != 1 || math.Abs(flags[0].Score-tc.wantScore) > 1e-9 {
				t.Fatalf("flags %+v, want one with score %v", flags, tc.wantScore)
			}
			if tc.wantAction != vigil.ActionReview {
				if len(it.Verdict.Flags) != 0 {
					t.Errorf("flags %+v on an allowed document", it.Verdict.Flags)
				}
				return
			}
			// A raised flag shows each rule that fired, once.
			n := 0
			for _, s := range tc.sigs {
				n += len(s.Evidence)
			}
			if got := len(it.Verdict.Flags[0].Evidence); got != n {
				t.Errorf("%d evidence records, want every rule's (%d)", got, n)
			}
		})
	}
}

func TestDecideEvidenceCondition(t *testing.T) {
	const flag = vigil.FlagExtremistRecruitment
	d := &Decide{
		Thresholds: FlagThresholds{flag: {Default: 0.5}},
		Combiners:  map[string]FlagCombiner{flag: {Bias: 0, Rule: 3, Model: 1, Require: []string{vigil.EvidenceCall, vigil.EvidenceCause}}},
	}
	sure := Signal{Flag: flag, Source: vigil.SourceModel, Weight: 0.999}
	call := Signal{Flag: flag, Source: vigil.SourceRule, Cue: vigil.EvidenceCall, Evidence: []vigil.Evidence{{Rule: "cue.call", Field: "body", Start: 0, End: 7, Text: "вступай"}}}
	cause := Signal{Flag: flag, Source: vigil.SourceRule, Cue: vigil.EvidenceCause, Evidence: []vigil.Evidence{{Rule: "cue.cause", Field: "body", Start: 10, End: 16, Text: "джихад"}}}
	rule := Signal{Flag: flag, Source: vigil.SourceRule, Weight: 0.6, Evidence: []vigil.Evidence{{Rule: "rec.join", Field: "body", Start: 0, End: 16}}}
	for _, tc := range []struct {
		name string
		sigs []Signal
		want string
	}{
		{"a sure model alone", []Signal{sure}, vigil.ActionAllow},
		{"model and a call, no cause", []Signal{sure, call}, vigil.ActionAllow},
		{"model and a cause, no call", []Signal{sure, cause}, vigil.ActionAllow},
		{"model, call and cause", []Signal{sure, call, cause}, vigil.ActionReview},
		{"a rule meets the condition", []Signal{sure, rule}, vigil.ActionReview},
		{"cues alone score nothing", []Signal{call, cause}, vigil.ActionAllow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := &Item{Doc: &vigil.Document{ID: "x", Kind: vigil.KindComment}, Signals: tc.sigs}
			if err := d.Process(context.Background(), it); err != nil {
				t.Fatal(err)
			}
			if it.Verdict.Action != tc.want {
				t.Fatalf("action %q, want %q (flags %+v)", it.Verdict.Action, tc.want, it.Verdict.Flags)
			}
			if tc.want != vigil.ActionReview {
				return
			}
			for _, e := range it.Verdict.Flags[0].Evidence {
				if e.Group == "" {
					t.Errorf("evidence %+v has no group", e)
				}
			}
		})
	}
}

func TestFlagEvidenceIsGroupedAndShort(t *testing.T) {
	const flag = vigil.FlagExtremistRecruitment
	span := func(rule string, start, end int) vigil.Evidence {
		return vigil.Evidence{Rule: rule, Field: "body", Start: start, End: end}
	}
	sigs := []Signal{
		{Flag: flag, Source: vigil.SourceRule, Weight: 0.8, Evidence: []vigil.Evidence{span("x", 0, 5), span("x", 10, 40), span("x", 50, 52), span("x", 60, 63)}},
		{Flag: flag, Source: vigil.SourceRule, Weight: 0.6, Evidence: []vigil.Evidence{span("y", 12, 20)}}, // inside x's widest span
		{Flag: flag, Source: vigil.SourceRule, Cue: vigil.EvidenceCall, Evidence: []vigil.Evidence{span("c", 10, 15), span("c", 70, 75)}},
		{Flag: flag, Source: vigil.SourceModel, Weight: 0.9, Explain: func() []vigil.Evidence {
			return []vigil.Evidence{{Feature: "word:a", Weight: 4}, {Feature: "word:b", Weight: 2}, {Feature: "word:c", Weight: 0.5}}
		}},
	}
	var got []string
	for _, e := range flagEvidence(nil, sigs, flag) {
		got = append(got, fmt.Sprintf("%s:%s%s@%d", e.Group, e.Rule, e.Feature, e.Start))
	}
	want := []string{"rule:x@10", "rule:x@0", "call:c@70", "model:word:a@0", "model:word:b@0"}
	if !slices.Equal(got, want) {
		t.Errorf("evidence\n got %v\nwant %v", got, want)
	}
}

func TestMergeSpans(t *testing.T) {
	f := Field{Name: "body", Original: "Брат, вступай в ряды муджахидов. Потом, через много-много слов, Шам."}
	at := func(word string) vigil.Evidence {
		i := strings.Index(f.Original, word)
		return vigil.Evidence{Rule: "r", Field: "body", Start: i, End: i + len(word), Text: word}
	}
	got := mergeSpans([]Field{f}, []vigil.Evidence{at("муджахидов"), at("вступай"), at("Шам")})
	var texts []string
	for _, e := range got {
		texts = append(texts, e.Text)
	}
	want := []string{"вступай в ряды муджахидов", "Шам"}
	if !slices.Equal(texts, want) {
		t.Errorf("merged %q, want %q", texts, want)
	}
}

func TestFillUTF16(t *testing.T) {
	body := "Брат 👍, вступай" // Cyrillic: 2 bytes, 1 unit; the emoji: 4 bytes, 2 units
	f := Field{Name: "body", Original: body}
	at := func(s string) (int, int) { i := strings.Index(body, s); return i, i + len(s) }
	s1, e1 := at("вступай")
	s2, e2 := at("Брат")
	v := vigil.Verdict{
		Flags:    []vigil.Flag{{Evidence: []vigil.Evidence{{Field: "body", Start: s1, End: e1}}}},
		Entities: []vigil.Entity{{Field: "body", Start: s2, End: e2}},
	}
	fillUTF16(&v, []Field{f})
	if e := v.Flags[0].Evidence[0]; e.StartUTF16 != 9 || e.EndUTF16 != 16 {
		t.Errorf("вступай at UTF-16 [%d, %d), want [9, 16)", e.StartUTF16, e.EndUTF16)
	}
	if e := v.Entities[0]; e.StartUTF16 != 0 || e.EndUTF16 != 4 {
		t.Errorf("Брат at UTF-16 [%d, %d), want [0, 4)", e.StartUTF16, e.EndUTF16)
	}
}

// FuzzFillUTF16 checks the UTF-16 offsets against the standard library's
// encoding for any text and any span, in or out of range, on or off a
// character boundary.
func FuzzFillUTF16(f *testing.F) {
	f.Add("Брат 👍, вступай", 9, 23)
	f.Add("", 0, 0)
	f.Add("a\xffb", 1, 2)
	f.Fuzz(func(t *testing.T, text string, start, end int) {
		v := vigil.Verdict{Entities: []vigil.Entity{{Field: "body", Start: start, End: end}}}
		fillUTF16(&v, []Field{{Name: "body", Original: text}})
		units := func(off int) int {
			n, pos := 0, 0
			for pos < off && pos < len(text) {
				r, size := utf8.DecodeRuneInString(text[pos:])
				pos += size
				n += len(utf16.Encode([]rune{r}))
			}
			return n
		}
		e := v.Entities[0]
		if e.StartUTF16 != units(start) || e.EndUTF16 != units(end) {
			t.Errorf("%q [%d, %d): UTF-16 [%d, %d), want [%d, %d)", text, start, end, e.StartUTF16, e.EndUTF16, units(start), units(end))
		}
	})
}
