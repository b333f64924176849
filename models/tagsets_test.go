package models

import (
	"path/filepath"
	"testing"
)

// TestTagSetsUseTheTaxonomy checks the hand-labelled tag sets of
// testdata/tags (the dev sets, the blind sets, the comments): every line is
// a document of the input schema (ReadData) with a unique id and a language, and every
// tag it carries is a tag of the shipped taxonomy, so that a misspelt or
// retired tag cannot make a measurement quietly wrong.
func TestTagSetsUseTheTaxonomy(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tax := b.Taxonomy
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "tags", "*.jsonl"))
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "tags", "*", "*.jsonl"))
	files = append(files, more...)
	if len(files) < 10 {
		t.Fatalf("%d tag sets found, want the dev, blind and comment sets", len(files))
	}
	seen := map[string]string{}
	docs := 0
	for _, path := range files {
		ds, _, err := ReadData(path)
		if err != nil {
			t.Error(err) // names the file and line
			continue
		}
		docs += len(ds)
		for _, d := range ds {
			if seen[d.ID] != "" {
				t.Errorf("%s: id %q also in %s", path, d.ID, seen[d.ID])
			}
			seen[d.ID] = path
			if d.Lang != "ru" && d.Lang != "kk" && d.Lang != "en" {
				t.Errorf("%s: %s: lang %q", path, d.ID, d.Lang)
			}
			for _, tag := range d.Tags {
				if _, ok := tax.Tag(tag); !ok {
					t.Errorf("%s: %s: tag %q is not in the taxonomy", path, d.ID, tag)
				}
			}
		}
	}
	t.Logf("%d documents in %d files", docs, len(files))
}
