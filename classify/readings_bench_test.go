package classify_test

import (
	"testing"

	"github.com/kz-newsroom/vigil/classify"
)

// BenchmarkReadings measures the flag heads' second readings
// (classify.Readings) over the corpus's prepared documents, most of which
// have no disguised word to read.
// Run on one core: go test ./classify -run '^$' -bench Readings -cpu 1
func BenchmarkReadings(b *testing.B) {
	docs := readDocs(b, "../testdata/corpus/corpus.jsonl")
	fields := prepared(b, docs)
	var size int64
	for _, d := range docs {
		size += int64(len(d.Title) + len(d.Body))
	}
	b.SetBytes(size)
	for b.Loop() {
		for _, f := range fields {
			classify.Readings(f)
		}
	}
}
