package classify

import (
	"slices"
	"strings"
	"testing"
)

// The toxicity sets of testdata/toxicity: what the toxic head trains on and
// what measures it (testdata/toxicity/README.md).
var (
	toxicityTrain = []string{"train-newsroom.jsonl", "train-everyday.jsonl", "train-everyday-relabelled.jsonl", "train-kk-en.jsonl", "train-contacts.jsonl", "train-latin.jsonl", "train-identity.jsonl"}
	toxicityEval  = []string{"news-comments.jsonl", "everyday-blind.jsonl", "everyday-blind2-ru.jsonl", "everyday-blind2-kk-en.jsonl", "everyday-latin.jsonl", "everyday-day3.jsonl", "identity-blind.jsonl"}
)

// TestToxicitySetSchema checks every record of the toxicity sets against
// the project's document schema: comments, unique ids, flags [] or [toxic].
func TestToxicitySetSchema(t *testing.T) {
	seen := map[string]string{}
	trainToxic, trainAll := 0, 0
	for _, name := range append(append([]string{}, toxicityTrain...), toxicityEval...) {
		docs := readLabeledIn(t, "toxicity", name)
		toxic := 0
		for _, d := range docs {
			where := name + " " + d.ID
			if d.ID == "" || seen[d.ID] != "" {
				t.Errorf("%s: empty or duplicate id (also in %s)", where, seen[d.ID])
			}
			seen[d.ID] = name
			if d.Kind != "comment" || (d.Lang != "ru" && d.Lang != "kk" && d.Lang != "en") {
				t.Errorf("%s: kind %q lang %q: want a ru, kk or en comment", where, d.Kind, d.Lang)
			}
			if strings.TrimSpace(d.Body) == "" || d.Tags == nil || d.Source == "" {
				t.Errorf("%s: body, tags and source are required", where)
			}
			switch {
			case len(d.Flags) == 1 && d.Flags[0] == "toxic":
				toxic++
			case d.Flags == nil || len(d.Flags) != 0:
				t.Errorf("%s: flags %q: want [] or [toxic]", where, d.Flags)
			}
		}
		if slices.Contains(toxicityTrain, name) {
			trainToxic, trainAll = trainToxic+toxic, trainAll+len(docs)
			continue
		}
		// Each evaluation set has both labels in a proportion a moderator
		// would see in a sample of comments, not a set of one kind.
		if share := float64(toxic) / float64(len(docs)); share < 0.01 || share > 0.6 {
			t.Errorf("%s: %d of %d toxic (%.2f)", name, toxic, len(docs), share)
		}
	}
	if share := float64(trainToxic) / float64(trainAll); share < 0.1 || share > 0.6 {
		t.Errorf("training files: %d of %d toxic (%.2f)", trainToxic, trainAll, share)
	}
}

// TestToxicityTrainingLeavesEvaluationAlone holds that nothing the toxic
// head trains on is a copy or a near copy of a text it is measured on:
// the news comments, the blind everyday set and the recruitment head's
// ordinary sets (which the toxicity report counts false alarms on). Short
// stock reactions ("лол", "масқара") count too: had one been trained on,
// its score on the evaluation set would be a memory, not a measurement.
func TestToxicityTrainingLeavesEvaluationAlone(t *testing.T) {
	type text struct {
		id string
		sh map[string]bool
	}
	read := func(dir string, names []string) []text {
		var out []text
		for _, name := range names {
			for _, d := range readLabeledIn(t, dir, name) {
				out = append(out, text{d.ID, shingles(foldForDedup(d.Body), 2)})
			}
		}
		return out
	}
	eval := append(read("toxicity", toxicityEval),
		read("recruitment", []string{"ordinary-reactions.jsonl", "ordinary-religious.jsonl", "ordinary-invitations.jsonl"})...)
	for _, tr := range read("toxicity", toxicityTrain) {
		for _, ev := range eval {
			if s := jaccard(tr.sh, ev.sh); s >= 0.6 {
				t.Errorf("training %s is near-identical to evaluation %s: word-shingle Jaccard %.2f", tr.id, ev.id, s)
			}
		}
	}
}

// TestToxicityRelabelledMatchesSource checks that train-everyday-relabelled
// is what its README says: the everyday (negative) comments of the
// recruitment head's everyday sets, text unchanged, with a toxicity label.
func TestToxicityRelabelledMatchesSource(t *testing.T) {
	source := map[string]labeledDoc{}
	for _, name := range []string{"everyday.jsonl", "everyday2.jsonl", "everyday3.jsonl"} {
		for _, d := range readLabeled(t, name) {
			source[d.ID] = d
		}
	}
	docs := readLabeledIn(t, "toxicity", "train-everyday-relabelled.jsonl")
	if len(docs) < 1000 {
		t.Fatalf("%d relabelled comments, want the everyday sets' ~1,200", len(docs))
	}
	for _, d := range docs {
		src, ok := source[d.ID]
		switch {
		case !ok:
			t.Errorf("%s: not in testdata/recruitment/everyday*.jsonl", d.ID)
		case src.positive():
			t.Errorf("%s: a recruiting comment; only everyday ones are relabelled", d.ID)
		case src.Body != d.Body || src.Lang != d.Lang || src.Kind != d.Kind:
			t.Errorf("%s: text, language or kind differ from the source", d.ID)
		}
	}
}
