package classify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

func prepared(tb testing.TB, docs []vigil.Document) [][]pipeline.Field {
	tb.Helper()
	out := make([][]pipeline.Field, len(docs))
	for i := range docs {
		it := &pipeline.Item{Doc: &docs[i], Lang: docs[i].Lang}
		for _, s := range []pipeline.Stage{&pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}} {
			if err := s.Process(context.Background(), it); err != nil {
				tb.Fatal(err)
			}
		}
		out[i] = it.Fields
	}
	return out
}

// BenchmarkClassify measures the classify stage with the embedded default
// bundle on the shared benchmark corpus (testdata/corpus: articles,
// headlines, comments, sentences in ru/kk/en), from word tokens to tags.
// Run on one core: go test ./classify -run XXX -bench Classify -cpu 1
func BenchmarkClassify(b *testing.B) {
	data, err := os.ReadFile("../testdata/corpus/corpus.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var docs []vigil.Document
	size := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var d vigil.Document
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
		size += len(d.Title) + len(d.Body)
	}
	bundle, err := models.Default()
	if err != nil {
		b.Fatal(err)
	}
	fields := prepared(b, docs)
	stage := classify.NewStage(bundle.Topics, bundle.Meta.Version)
	items := make([]pipeline.Item, len(docs))
	run := func(i int) {
		it := &items[i%len(docs)]
		*it = pipeline.Item{Doc: &docs[i%len(docs)], Fields: fields[i%len(docs)], Verdict: vigil.Verdict{Tags: it.Verdict.Tags[:0]}, TagScores: it.TagScores[:0]}
		stage.Process(context.Background(), it)
		it.ReleaseMemo() // as pipeline.Check does when done
	}
	for i := range docs { // warm the subword cache, as a running server has
		run(i)
	}
	b.SetBytes(int64(size / len(docs)))
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	for i := 0; b.Loop(); i++ {
		run(i)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	// Per CPU-second too: on a shared machine wall time mostly measures
	// the other jobs.
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, "cpu-docs/s")
		b.ReportMetric(float64(b.N)*float64(size/len(docs))/cpu/1e6, "cpu-MB/s")
	}
}

// Example trains a two-topic model on a handful of headlines and tags a new
// one. Real models are trained with `vigil train` on thousands of
// documents; the API is the same.
func Example() {
	headlines := []struct{ text, tag string }{
		{"Футбольный клуб выиграл матч чемпионата", "sport"},
		{"Хоккеисты проиграли финал кубка", "sport"},
		{"Теннисистка вышла в полуфинал турнира", "sport"},
		{"Сборная забила три гола в матче", "sport"},
		{"Нацбанк повысил базовую ставку", "economy"},
		{"Цены на нефть выросли на бирже", "economy"},
		{"Инфляция в стране замедлилась", "economy"},
		{"Курс тенге укрепился к доллару", "economy"},
	}
	labels := []classify.Label{{Name: "sport", Kind: classify.KindTag}, {Name: "economy", Kind: classify.KindTag}}
	var train []classify.Example
	for _, h := range headlines {
		doc := vigil.Document{ID: h.text, Title: h.text}
		l := 0
		if h.tag == "economy" {
			l = 1
		}
		train = append(train, classify.Example{Fields: fieldsOf(&doc), Labels: []int{l}})
	}
	m, err := classify.Train(context.Background(), labels, train, nil, classify.TrainOptions{Epochs: 20, Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := vigil.Document{ID: "new", Title: "Клуб проиграл матч кубка"}
	for _, p := range m.Predict(fieldsOf(&doc)) {
		fmt.Println(p.Name)
	}
	// Output: sport
}

func fieldsOf(doc *vigil.Document) []pipeline.Field {
	it := &pipeline.Item{Doc: doc}
	(&pipeline.NormalizeStage{}).Process(context.Background(), it)
	(&pipeline.TokenizeStage{}).Process(context.Background(), it)
	return it.Fields
}

// BenchmarkTrain measures training on the topics sample in testdata (1,454
// documents, 2^19 buckets, 10 epochs), features included.
func BenchmarkTrain(b *testing.B) {
	data, err := os.ReadFile("testdata/topics_train_sample.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var docs []vigil.Document
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var d vigil.Document
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d)
	}
	idx := map[string]int{}
	var labels []classify.Label
	var ex []classify.Example
	fields := prepared(b, docs)
	for i, d := range docs {
		l, ok := idx[d.Tags[0]]
		if !ok {
			l = len(labels)
			idx[d.Tags[0]] = l
			labels = append(labels, classify.Label{Name: d.Tags[0], Kind: classify.KindTag})
		}
		ex = append(ex, classify.Example{Fields: fields[i], Labels: []int{l}})
	}
	fc := classify.DefaultFeatures()
	fc.Subwords = false
	for b.Loop() {
		if _, err := classify.Train(context.Background(), labels, ex, nil, classify.TrainOptions{Features: fc}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "docs/s")
}

// ExampleModel_Explain shows the evidence a model gives for a label: the
// words and bigrams that raised its score most, with their spans.
func ExampleModel_Explain() {
	texts := []string{"Футбольный клуб выиграл матч", "Хоккеисты выиграли финал кубка", "Нацбанк повысил ставку", "Цены на нефть выросли"}
	labels := []classify.Label{{Name: "sport", Kind: classify.KindTag}, {Name: "economy", Kind: classify.KindTag}}
	var train []classify.Example
	for i, s := range texts {
		doc := vigil.Document{ID: s, Title: s}
		train = append(train, classify.Example{Fields: fieldsOf(&doc), Labels: []int{i / 2}})
	}
	m, err := classify.Train(context.Background(), labels, train, nil, classify.TrainOptions{Epochs: 20, Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := vigil.Document{ID: "new", Title: "Клуб выиграл"}
	fields := fieldsOf(&doc)
	for _, c := range m.Explain(fields, m.LabelIndex("sport"), 1) {
		fmt.Printf("%s at %d..%d of the %s\n", c.Feature, c.Start, c.End, fields[c.Field].Name)
	}
	// Output: word:выиграл at 9..23 of the title
}
