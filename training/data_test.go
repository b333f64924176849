package training

import (
	"slices"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

func TestParallelDocs(t *testing.T) {
	docs := []vigil.Document{
		{ID: "sib-ru-1", Lang: "ru"}, {ID: "sib-kk-1", Lang: "kk"}, {ID: "sib-en-1", Lang: "en"},
		{ID: "sib-kk-2", Lang: "kk"}, // no translation
		{ID: "lenta-ru", Lang: "ru"}, // "ru" is the language part, but alone
		{ID: "sib-en-3", Lang: "en"}, {ID: "sib-ru-3", Lang: "ru"},
		{ID: "x-1", Lang: ""},
	}
	fields := make([][]pipeline.Field, len(docs))
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"translations into ru", len(translations(docs, fields, "ru")), 3},
		{"translations into en", len(translations(docs, fields, "en")), 3},
		{"documents with a translation", len(parallelDocs(docs)), 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %d, want %d", tc.got, tc.want)
			}
		})
	}
	if got := parallelDocs(docs); !slices.Equal(got, []int{0, 1, 2, 5, 6}) {
		t.Errorf("parallelDocs = %v", got)
	}
}
