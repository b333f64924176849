package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/models"
)

// TestWrittenSentences checks the sentences the topic model trains on once
// (testdata/sentences, `vigil train --once`): every one is a parallel
// triple (en, ru, kk) of one taxonomy tag, the tag its file is named for,
// and no sentence is there twice.
func TestWrittenSentences(t *testing.T) {
	files, err := filepath.Glob("../../testdata/sentences/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sentence files: %v", err)
	}
	b, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, f := range files {
		docs, _, err := models.ReadData(f)
		if err != nil {
			t.Fatal(err)
		}
		tag, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".jsonl"), "-")
		if _, ok := b.Taxonomy.Tag(tag); !ok {
			t.Errorf("%s: %q is not a taxonomy tag", f, tag)
		}
		langs := map[string]map[string]bool{} // number → languages
		for _, d := range docs {
			parts := strings.Split(d.ID, "-") // sent-LANG-TAG-NNN
			if len(parts) != 4 || parts[0] != "sent" || parts[1] != d.Lang || parts[2] != tag {
				t.Errorf("%s: id %q is not sent-%s-%s-NNN", f, d.ID, d.Lang, tag)
				continue
			}
			if len(d.Tags) != 1 || d.Tags[0] != tag || len(d.Flags) != 0 || strings.TrimSpace(d.Body) == "" {
				t.Errorf("%s: %s has tags %v, flags %v, body %q", f, d.ID, d.Tags, d.Flags, d.Body)
			}
			if langs[parts[3]] == nil {
				langs[parts[3]] = map[string]bool{}
			}
			langs[parts[3]][d.Lang] = true
			if prev, ok := seen[d.Body]; ok {
				t.Errorf("%s: %s repeats %s", f, d.ID, prev)
			}
			seen[d.Body] = d.ID
		}
		for n, l := range langs {
			if len(l) != 3 || !l["en"] || !l["ru"] || !l["kk"] {
				t.Errorf("%s: sentence %s has %v, want en, ru and kk", f, n, l)
			}
		}
	}
}
