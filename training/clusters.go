package training

import (
	"bytes"
	"context"
	"os"

	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

// ClusterFileOptions say what BuildClusterFile learns from and where it
// writes.
type ClusterFileOptions struct {
	// Data are JSONL files whose titles and bodies are read, labels or not.
	Data []string
	// Options tune the word vectors and k-means.
	Options classify.ClusterOptions
	// Out is the clusters.tsv file to write.
	Out string
}

// ClusterFileResult is what BuildClusterFile wrote.
type ClusterFileResult struct {
	Docs, Sentences, Words, Bytes int
}

// BuildClusterFile reads the documents as the pipeline does (normalized,
// split into words), learns word clusters from their titles and bodies
// (classify.BuildClusters: each field is one sentence) and writes them
// for `vigil train --clusters`. Errors reading the data or a text too
// small for the groups asked for are InputErrors. The same inputs give the
// same bytes.
func BuildClusterFile(ctx context.Context, opts ClusterFileOptions) (ClusterFileResult, error) {
	docs, _, err := models.ReadData(opts.Data...)
	if err != nil {
		return ClusterFileResult{}, &InputError{err}
	}
	var sentences [][]string
	for _, fields := range pipeline.PrepareFields(ctx, docs, 0) {
		for _, f := range fields {
			if len(f.Words) < 2 {
				continue
			}
			s := make([]string, len(f.Words))
			for i, w := range f.Words {
				s[i] = w.Text
			}
			sentences = append(sentences, s)
		}
	}
	if err := ctx.Err(); err != nil {
		return ClusterFileResult{}, err
	}
	c, err := classify.BuildClusters(ctx, sentences, opts.Options)
	if err != nil {
		if ctx.Err() != nil {
			return ClusterFileResult{}, err
		}
		return ClusterFileResult{}, &InputError{err}
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return ClusterFileResult{}, err
	}
	if err := os.WriteFile(opts.Out, buf.Bytes(), 0o644); err != nil {
		return ClusterFileResult{}, err
	}
	return ClusterFileResult{Docs: len(docs), Sentences: len(sentences), Words: c.Len(), Bytes: buf.Len()}, nil
}
