package pipeline_test

import (
	"context"
	"fmt"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Normalize undoes disguises and keeps a map back to the original: a match
// in the normalized text is reported at the bytes the author wrote.
func ExampleNormalize() {
	original := "<p>Брат, вcтyпaй в ДЖ1ХАД &mdash; в с т у п а й!</p>"
	f := pipeline.Normalize(vigil.FieldBody, original)
	fmt.Println(f.Text)

	i := strings.Index(f.Text, "джихад")
	start, end := f.Span(i, i+len("джихад"))
	fmt.Printf("%q at [%d,%d)\n", original[start:end], start, end)
	// Output:
	// брат, вступай в джихад — вступай!
	// "ДЖ1ХАД" at [28,39)
}

func ExampleWords() {
	for _, w := range pipeline.Words("«қазақстан» — интернет-пропаганда, 3.14") {
		fmt.Printf("%s [%d,%d)\n", w.Text, w.Start, w.End)
	}
	// Output:
	// қазақстан [2,20)
	// интернет-пропаганда [27,64)
	// 3.14 [66,70)
}

func ExampleSentences() {
	text := "в. в. иванов прибыл в 2023 г. в астану. встреча прошла"
	for _, s := range pipeline.Sentences(text) {
		fmt.Println(text[s.Start:s.End])
	}
	// Output:
	// в. в. иванов прибыл в 2023 г. в астану.
	// встреча прошла
}

func ExampleDetectLang() {
	fmt.Println(pipeline.DetectLang("Вербовщики активно работают в соцсетях"))
	fmt.Println(pipeline.DetectLang("Бұл туралы ұлттық қауіпсіздік комитеті хабарлады"))
	fmt.Println(pipeline.DetectLang("Recruiters are active on social networks"))
	// Output:
	// ru
	// kk
	// en
}

// A pipeline of the stages this package owns; rules and models are
// stages added between tokenize and decide.
func ExamplePipeline() {
	p := pipeline.New(pipeline.Options{}, &pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, &pipeline.Decide{})
	docs := []vigil.Document{
		{ID: "a1", Title: "Заседание Совета РАТС ШОС", Body: "<p>Вербовщики работают в сети.</p>"},
		{ID: "c1", Kind: vigil.KindComment, Body: "Бұл туралы бәрі біледі"},
	}
	for _, v := range p.CheckBatch(context.Background(), docs) {
		fmt.Println(v.ID, v.Lang, v.Action)
	}
	// Output:
	// a1 ru allow
	// c1 kk allow
}
