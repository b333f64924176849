//go:build ignore

// fasttext-bench.go is the Go half of scripts/bench-fasttext.sh:
//
//	go run scripts/fasttext-bench.go input < docs.jsonl > docs.txt
//	    writes fastText's input format (__label__X then the text), the
//	    text normalized and tokenized by Vigil's own pipeline, so both
//	    classifiers see the same words;
//	go run scripts/fasttext-bench.go score docs.txt predictions.txt
//	    prints "macro-F1 accuracy" of top-1 predictions;
//	go run scripts/fasttext-bench.go label LABEL docs.txt predictions.txt
//	    prints "precision recall F1" of one label (toxic) in top-1 predictions;
//	go run scripts/fasttext-bench.go speed BUNDLE_DIR docs.jsonl
//	    prints one-core throughput of Vigil's classifier: "docs/s MB/s" for
//	    the classifier alone (features + scoring from tokens), then for
//	    normalize + tokenize + classify.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: fasttext-bench.go input|score|label|speed ...")
	}
	switch os.Args[1] {
	case "input":
		input(os.Stdin, os.Stdout)
	case "score":
		if len(os.Args) != 4 {
			fail("usage: fasttext-bench.go score GOLD PRED")
		}
		score(os.Args[2], os.Args[3])
	case "label":
		if len(os.Args) != 5 {
			fail("usage: fasttext-bench.go label LABEL GOLD PRED")
		}
		label(os.Args[2], os.Args[3], os.Args[4])
	case "speed":
		if len(os.Args) != 4 {
			fail("usage: fasttext-bench.go speed BUNDLE DOCS")
		}
		speed(os.Args[2], os.Args[3])
	default:
		fail("unknown mode " + os.Args[1])
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(2)
}

func readDocs(r io.Reader) []vigil.Document {
	dr := vigil.NewDocumentReader(r, 0)
	var docs []vigil.Document
	for {
		d, line, err := dr.Next()
		if err == io.EOF {
			return docs
		}
		if err != nil {
			fail(fmt.Sprintf("line %d: %v", line, err))
		}
		docs = append(docs, d)
	}
}

func fields(d *vigil.Document) []pipeline.Field {
	it := &pipeline.Item{Doc: d, Lang: d.Lang}
	(&pipeline.NormalizeStage{}).Process(context.Background(), it)
	(&pipeline.TokenizeStage{}).Process(context.Background(), it)
	return it.Fields
}

// ftMaxWords keeps a line, with its labels, under fastText's 1,024 tokens.
const ftMaxWords = 1000

func input(r io.Reader, w io.Writer) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	for _, d := range readDocs(r) {
		labels := append(append([]string{}, d.Tags...), d.Flags...)
		if len(labels) == 0 {
			labels = []string{"none"}
		}
		for _, l := range labels {
			fmt.Fprintf(bw, "__label__%s ", l)
		}
		var words []string
		for _, f := range fields(&d) {
			for _, t := range f.Words {
				words = append(words, t.Text)
			}
		}
		// fastText reads at most 1,024 tokens a line (MAX_LINE_SIZE) and
		// predicts the rest of a longer line as further lines, which shifts
		// every prediction after it: long articles (news-en) are cut.
		fmt.Fprintln(bw, strings.Join(words[:min(len(words), ftMaxWords)], " "))
	}
}

func firstLabels(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		fail(err.Error())
	}
	var out []string
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		l, _, _ := strings.Cut(line, " ")
		out = append(out, strings.TrimPrefix(l, "__label__"))
	}
	return out
}

func score(goldPath, predPath string) {
	gold, pred := firstLabels(goldPath), firstLabels(predPath)
	if len(gold) != len(pred) {
		fail(fmt.Sprintf("%d gold lines, %d predictions", len(gold), len(pred)))
	}
	ev := classify.NewEvaluator()
	for i := range gold {
		ev.Add([]string{gold[i]}, []string{pred[i]}, pred[i], nil, nil)
	}
	r := ev.Report()
	fmt.Printf("%.4f %.4f\n", r.Top1MacroF1, r.Top1Accuracy)
}

// label prints the precision, recall and F1 of one label, the top-1
// prediction counting as the prediction (the way a flag set such as
// toxicity, one label or none a document, is measured).
func label(name, goldPath, predPath string) {
	gold, pred := firstLabels(goldPath), firstLabels(predPath)
	if len(gold) != len(pred) {
		fail(fmt.Sprintf("%d gold lines, %d predictions", len(gold), len(pred)))
	}
	var tp, fp, fn float64
	for i := range gold {
		switch {
		case gold[i] == name && pred[i] == name:
			tp++
		case pred[i] == name:
			fp++
		case gold[i] == name:
			fn++
		}
	}
	var p, r, f float64
	if tp > 0 {
		p, r = tp/(tp+fp), tp/(tp+fn)
		f = 2 * p * r / (p + r)
	}
	fmt.Printf("%.4f %.4f %.4f\n", p, r, f)
}

func speed(bundle, docsPath string) {
	runtime.GOMAXPROCS(1)
	b, err := models.LoadDir(bundle)
	if err != nil {
		fail(err.Error())
	}
	f, err := os.Open(docsPath)
	if err != nil {
		fail(err.Error())
	}
	docs := readDocs(f)
	prepared := make([][]pipeline.Field, len(docs))
	var size int
	for i := range docs {
		prepared[i] = fields(&docs[i])
		size += len(docs[i].Title) + len(docs[i].Body)
	}
	stage := classify.NewStage(b.Topics, b.Meta.Version)
	run := func(full bool) time.Duration {
		start := time.Now()
		for rep := 0; rep < 3; rep++ {
			for i := range docs {
				it := &pipeline.Item{Doc: &docs[i], Fields: prepared[i]}
				if full {
					it.Fields = fields(&docs[i])
				}
				stage.Process(context.Background(), it)
			}
		}
		return time.Since(start) / 3
	}
	run(false) // warm the subword cache
	for _, full := range []bool{false, true} {
		d := run(full).Seconds()
		fmt.Printf("%.0f %.2f\n", float64(len(docs))/d, float64(size)/d/1e6)
	}
}
