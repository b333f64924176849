package review

import (
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

func TestHighlightGroups(t *testing.T) {
	body := "хиджра в шам, брат. Пиши лично"
	at := func(s string) (int, int) {
		i := strings.Index(body, s)
		return i, i + len(s)
	}
	ev := func(group, text string) vigil.Evidence {
		s, e := at(text)
		return vigil.Evidence{Group: group, Rule: "x", Field: vigil.FieldBody, Start: s, End: e, Text: text}
	}
	cases := []struct {
		name string
		ev   []vigil.Evidence
		want []string // text|classes per segment
	}{
		{"none", nil, []string{body + "|"}},
		{"a rule phrase keeps the call and the model's word inside it distinct",
			[]vigil.Evidence{ev(vigil.EvidenceRule, "хиджра в шам, брат. Пиши"), ev(vigil.EvidenceCall, "Пиши лично"), ev(vigil.EvidenceModel, "шам")},
			[]string{"хиджра в |g-rule", "шам|g-rule g-model", ", брат. |g-rule", "Пиши|g-call g-rule", " лично|g-call"}},
		{"same group spans that touch are one mark", []vigil.Evidence{ev(vigil.EvidenceCause, "хиджра"), ev(vigil.EvidenceCause, " в шам")},
			[]string{"хиджра в шам|g-cause", ", брат. Пиши лично|"}},
		// No group: a rule. Byte 3 is inside "и": widened to the whole letter.
		{"no group, split letter", []vigil.Evidence{{Rule: "r", Start: 0, End: 3}}, []string{"хи|g-rule", "джра в шам, брат. Пиши лично|"}},
		{"out of range and split characters", []vigil.Evidence{{Group: vigil.EvidenceCall, Field: vigil.FieldBody, Start: 1, End: 1000}},
			[]string{body + "|g-call"}},
		{"other field", []vigil.Evidence{{Group: vigil.EvidenceCall, Field: vigil.FieldTitle, Start: 0, End: 4}}, []string{body + "|"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var joined strings.Builder
			for _, s := range HighlightGroups(body, vigil.FieldBody, tc.ev) {
				got = append(got, s.Text+"|"+s.Class())
				joined.WriteString(s.Text)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("segments\n%q\nwant\n%q", got, tc.want)
			}
			if joined.String() != body {
				t.Errorf("segments join to %q", joined.String())
			}
		})
	}
}

func TestGroupEvidence(t *testing.T) {
	var ev []vigil.Evidence
	for i, w := range []string{"шам", "Шам", "хиджра", "брат", "пиши", "лично"} {
		ev = append(ev, vigil.Evidence{Group: vigil.EvidenceModel, Feature: "word:" + w, Weight: float64(6 - i), Text: w})
	}
	ev = append(ev, vigil.Evidence{Group: vigil.EvidenceCall, Rule: "cue.ru.call", Text: "Пиши лично"},
		vigil.Evidence{Rule: "recruit.old", Weight: 0.8, Text: "вступай"})
	v := vigil.Verdict{Flags: []vigil.Flag{{Name: vigil.FlagExtremistRecruitment, Score: 0.99, Evidence: ev}}}
	got := groupEvidence(&v)
	var names []string
	for _, g := range got {
		names = append(names, g.Name)
	}
	if !slices.Equal(names, []string{vigil.EvidenceCall, vigil.EvidenceRule, vigil.EvidenceModel}) {
		t.Fatalf("groups %v", names)
	}
	model := got[2]
	var texts []string
	for _, it := range model.Items {
		texts = append(texts, it.Text+" "+it.Share)
	}
	// "Шам" repeats "шам"; 5 distinct words weigh 6+4+3+2+1 = 16.
	if want := []string{"шам 38%", "хиджра 25%", "брат 19%"}; !slices.Equal(texts, want) || model.More != 2 {
		t.Errorf("model group %v +%d, want %v +2", texts, model.More, want)
	}
	if got[0].Items[0].Share != "" {
		t.Errorf("a call has a share: %+v", got[0].Items[0])
	}
}
