package models

import (
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// FuzzParseTaxonomy: a taxonomy.yaml is user input (vigil train --taxonomy);
// parsing never panics, and what it accepts keeps the promises Decide relies
// on: every shown_as names another tag that is not itself shown as one, and
// every rule_floor, comment_floor and floor is a probability below 1, and
// every rule_scores kind is one Decide reads, scoring any rule and model
// score as a probability.
func FuzzParseTaxonomy(f *testing.F) {
	if data, err := embedded.ReadFile("default/taxonomy.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("tags:\n  - name: a\n    rule_floor: 0.05\n  - name: b\n    shown_as: a\n    explained_by: [a]\n"))
	f.Add([]byte("tags:\n  - name: a\n    explained_by_model: {b: 0.5}\n  - name: b\n    shown_as: a\n"))
	f.Add([]byte("tags:\n  - name: a\n    shown_as: a\n"))
	f.Add([]byte("version: x\n"))
	f.Add([]byte("tags: []\nrule_scores:\n  article: {intercept: 1e308, rule: -1e308, model: 1e-320}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tax, err := ParseTaxonomy(data)
		if err != nil {
			return
		}
		for _, tg := range tax.Tags {
			for _, f := range tg.floors() {
				if f.value < 0 || f.value >= 1 {
					t.Errorf("tag %q: %s %v accepted", tg.Name, f.key, f.value)
				}
			}
			if to := tg.ShownAs; to != "" {
				target, ok := tax.Tag(to)
				if !ok || to == tg.Name || target.ShownAs != "" {
					t.Errorf("tag %q: shown_as %q accepted", tg.Name, to)
				}
			}
		}
		for kind, rs := range tax.RuleScores {
			if kind != vigil.KindArticle && kind != vigil.KindComment {
				t.Errorf("rule_scores: kind %q accepted", kind)
			}
			for _, x := range []float64{0, 1e-9, 0.5, 1 - 1e-9, 1} {
				if p := rs.Of(x, 1-x); !(p >= 0 && p <= 1) {
					t.Errorf("rule_scores %s %+v: Of(%v, %v) = %v", kind, rs, x, 1-x, p)
				}
			}
		}
		for name, floor := range tax.RuleFloors() {
			if _, ok := tax.Tag(name); !ok || floor <= 0 {
				t.Errorf("RuleFloors: %q %v", name, floor)
			}
		}
	})
}
