package retag

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kz-newsroom/vigil/pipeline"
)

// BenchmarkRunOverhead measures what retag itself costs per document
// (reading, JSON decoding, ordering, encoding, writing, checkpoints) with a
// pipeline of one cheap stage, so the whole pipeline's numbers can be read
// as pipeline cost plus this.
func BenchmarkRunOverhead(b *testing.B) {
	dir := b.TempDir()
	const n = 20000
	in := writeArchive(b, dir, n)
	fi, _ := os.Stat(in)
	out := filepath.Join(dir, "out.jsonl")
	c := pipeline.New(pipeline.Options{}, &keywordStage{}, &pipeline.Decide{})
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		sum, err := Run(context.Background(), c, Job{In: in, Out: out, Restart: true}, nil)
		if err != nil || sum.Documents != n {
			b.Fatal(err, sum)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
