package rules_test

import (
	"fmt"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/rules"
)

// A comment that recruits, disguised with Latin look-alikes, fires the
// recruitment rules; the evidence points into the original text.
func ExampleSet_Apply() {
	set, err := rules.Load(rules.EmbeddedSource())
	if err != nil {
		panic(err)
	}
	body := "Братья, пpиcoединяйтecь к moджaхeдаm, Аллах с нами"
	it := &pipeline.Item{
		Doc:    &vigil.Document{ID: "c1", Kind: vigil.KindComment, Body: body},
		Lang:   vigil.LangRussian,
		Fields: []pipeline.Field{pipeline.Normalize(vigil.FieldBody, body)},
	}
	set.Apply(it)
	for _, s := range it.Signals {
		if s.Evidence[0].Rule == "rec.ru.join" {
			fmt.Printf("%s %.2f %q\n", s.Flag, s.Weight, s.Evidence[0].Text)
		}
	}
	// Output:
	// extremist_recruitment 0.60 "пpиcoединяйтecь к moджaхeдаm"
}

// A report about recruiters names the same vocabulary but fires no flag
// rule; it gets entities instead.
func ExampleSet_Match() {
	set, err := rules.Load(rules.EmbeddedSource())
	if err != nil {
		panic(err)
	}
	f := pipeline.Normalize(vigil.FieldBody, "КНБ: вербовщики ИГИЛ призывают молодежь вступать в джихад.")
	res := set.Match(&f, vigil.LangRussian, vigil.KindArticle)
	flagged := 0
	for _, fr := range res.Fired {
		if fr.Rule.Action.Flag != "" && fr.Rule.Action.Cue == "" { // cues are no vote
			flagged++
		}
	}
	fmt.Println("recruitment rules fired:", flagged)
	for _, e := range res.Entities {
		fmt.Printf("%s (%s, banned %v)\n", e.Entity.Canonical, e.Entity.Type, e.Entity.Banned)
	}
	// Output:
	// recruitment rules fired: 0
	// Комитет национальной безопасности РК (state_body, banned false)
	// Исламское государство (org, banned true)
}
