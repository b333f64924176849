package training

import (
	"bytes"
	"os"
	"slices"

	vigil "github.com/kz-newsroom/vigil"

	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/rules"
)

// LexiconOptions say what BuildLexicon counts and where it writes.
type LexiconOptions struct {
	// Data are JSONL files whose titles and bodies are counted. A file
	// written FILE=ru+kk counts only its documents in those languages
	// (by their lang): Russian and Kazakh sentences of a file that also
	// holds their English translations, whose words would shift which
	// reading of a Latin-letter word the lexicon prefers.
	Data []string
	// RulesDir, when set, is a rule pack directory (without the embedded
	// packs) whose terms' words are added, counted as common words.
	RulesDir string
	// MinCount, Max and BoostRank are pipeline.BuildLexicon's minCount,
	// maxWords and boostRank.
	MinCount, Max, BoostRank int
	// Out is the gzipped lexicon file to write.
	Out string
}

// LexiconResult is what BuildLexicon wrote.
type LexiconResult struct {
	Words, Docs, Bytes int
}

// BuildLexicon counts the words of the documents and the rules' terms and
// writes the lexicon the normalizer splits spaced-out letters with. Errors
// reading the data or the rules are InputErrors. The same inputs give the
// same bytes.
func BuildLexicon(opts LexiconOptions) (LexiconResult, error) {
	var docs []vigil.Document
	for _, spec := range opts.Data {
		name, langs := splitScope(spec)
		ds, _, err := models.ReadData(name)
		if err != nil {
			return LexiconResult{}, &InputError{err}
		}
		for _, d := range ds {
			if langs == nil || slices.Contains(langs, d.Lang) {
				docs = append(docs, d)
			}
		}
	}
	var extra []string
	if opts.RulesDir != "" {
		eng, err := rules.New(rules.Options{Dirs: []string{opts.RulesDir}, NoEmbedded: true})
		if err != nil {
			return LexiconResult{}, &InputError{err}
		}
		extra = eng.Set().Words()
	}
	words := pipeline.BuildLexicon(func(yield func(string) bool) {
		for _, d := range docs {
			if !yield(d.Title) || !yield(d.Body) {
				return
			}
		}
	}, extra, opts.MinCount, opts.Max, opts.BoostRank)
	var buf bytes.Buffer
	if err := pipeline.WriteLexicon(&buf, words); err != nil {
		return LexiconResult{}, err
	}
	if err := os.WriteFile(opts.Out, buf.Bytes(), 0o644); err != nil {
		return LexiconResult{}, err
	}
	return LexiconResult{Words: len(words), Docs: len(docs), Bytes: buf.Len()}, nil
}
