//go:build ignore

// Command sample rebuilds corpus.jsonl, the benchmark corpus, from the
// project's labeled corpora. Run from the repository root, with the corpora
// checked out beside it:
//
//	go run testdata/corpus/sample.go ../shared/data > testdata/corpus/corpus.jsonl
//
// It takes every n-th document of each source (deterministic), and wraps one
// article in three in HTML paragraphs with an entity and a script, so the
// benchmarks also exercise the HTML path.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

type doc = map[string]any

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run testdata/corpus/sample.go DATA_DIR > testdata/corpus/corpus.jsonl")
		os.Exit(2)
	}
	dir := os.Args[1]
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	take := func(file, source string, want int, edit func(i int, d doc)) {
		var docs []doc
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 8<<20)
		for sc.Scan() {
			var d doc
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			if s, _ := d["source"].(string); strings.HasPrefix(s, source) {
				docs = append(docs, d)
			}
		}
		step := max(1, len(docs)/want)
		for i, n := 0, 0; i < len(docs) && n < want; i, n = i+step, n+1 {
			d := docs[i]
			if edit != nil {
				edit(n, d)
			}
			enc.Encode(d)
		}
	}
	take("topics/dev.jsonl", "ria.ru", 150, func(i int, d doc) {
		if i%3 != 0 {
			return
		}
		body, _ := d["body"].(string)
		var b strings.Builder
		b.WriteString(`<div class="article"><script>window.dataLayer = window.dataLayer || [];</script>`)
		for j, p := range strings.SplitAfter(body, ". ") {
			if j%3 == 0 {
				if j > 0 {
					b.WriteString("</p>\n")
				}
				b.WriteString("<p>")
			}
			b.WriteString(strings.ReplaceAll(p, " - ", " &mdash; "))
		}
		b.WriteString("</p></div>")
		d["body"] = b.String()
	})
	take("topics/train.jsonl", "telegram", 40, nil)
	take("topics/train.jsonl", "lenta", 300, nil)
	take("toxicity/dev.jsonl", "2ch", 300, nil)
	take("topics/train.jsonl", "SIB-200", 600, func(i int, d doc) {})
	take("agnews/train.jsonl", "AG News", 200, nil)
}
