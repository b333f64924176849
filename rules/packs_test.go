package rules

import (
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// TestShippedPacks loads the embedded packs, lints them and runs every
// rule's own examples: what CI's `vigil rules lint` and `vigil rules test`
// check, kept in `go test` so a broken pack fails the build too.
func TestShippedPacks(t *testing.T) {
	set, err := Load(EmbeddedSource())
	if err != nil {
		t.Fatalf("embedded packs refused:\n%v", err)
	}
	findings, err := Lint(EmbeddedSource())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if f.Level == LevelError {
			t.Errorf("lint: %s", f)
		} else {
			t.Logf("lint: %s", f)
		}
	}
	misses, ran := set.TestExamples()
	for _, m := range misses {
		t.Errorf("%s", m)
	}
	if ran == 0 {
		t.Fatal("no examples ran")
	}
	t.Logf("%s: %d rules, %d examples, %d entities", set.Version(), len(set.Rules()), ran, len(set.Entities()))
}

// TestShippedBannedForms checks forms of banned groups' names that are
// written as exact forms, because their stems begin ordinary words.
func TestShippedBannedForms(t *testing.T) {
	set, err := Load(EmbeddedSource())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text, lang, want string // want: the canonical name found, "" for none
	}{
		{"Давла жива, братья", vigil.LangRussian, "Исламское государство"},
		{"Дawla жива, братья", vigil.LangRussian, "Исламское государство"}, // Latin after д: давла
		{"ад-Давля ждёт", vigil.LangRussian, "Исламское государство"},
		{"Dawlah is waiting, brothers", vigil.LangEnglish, "Исламское государство"},
		{"Я давлю на газ, а машина стоит", vigil.LangRussian, ""},
		{"Давление опять скачет", vigil.LangRussian, ""},
		{"Көршілер жер үшін дауласып жүр", vigil.LangKazakh, ""},
	} {
		f := pipeline.Normalize(vigil.FieldBody, tc.text)
		res := set.Match(&f, tc.lang, vigil.KindComment)
		got := ""
		for _, e := range res.Entities {
			if e.Entity.Banned {
				got = e.Entity.Canonical
			}
		}
		if got != tc.want {
			t.Errorf("%q: banned group %q, want %q", tc.text, got, tc.want)
		}
	}
}
