package classify

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/pipeline"
)

// textFields normalizes and tokenizes s into one body field, as the
// pipeline does.
func textFields(s string) []pipeline.Field {
	text := pipeline.NormalizeText(s)
	return []pipeline.Field{{Name: "body", Text: text, Words: pipeline.Words(text)}}
}

func TestDictKey(t *testing.T) {
	for _, tc := range []struct{ name, word, want string }{
		{"english is stemmed", "elections", "elect"},
		{"kazakh is stemmed", "соғыстың", "соғыс"},
		{"cyrillic is kazakh-stemmed", "сайлауда", "сайлау"},
		{"number is itself", "2024", "2024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DictKey(tc.word); got != tc.want {
				t.Errorf("DictKey(%q) = %q, want %q", tc.word, got, tc.want)
			}
		})
	}
}

func TestBuildDictionary(t *testing.T) {
	pairs := []Translation{
		{textFields("Сайлау өтті"), textFields("Выборы прошли")},
		{textFields("Сайлауда жеңді"), textFields("Победил на выборах")},
		{textFields("The elections were held"), textFields("Выборы прошли")},
		{textFields("He won the election"), textFields("Он победил на выборах")},
		{textFields("Футбол матчы"), textFields("Футбольный матч")},
	}
	russianTexts := [][]pipeline.Field{textFields("Выборы прошли спокойно, выборы закончились"), textFields("Он победил на выборах")}
	d := BuildDictionary(pairs, russianTexts, russianTexts, DictOptions{})
	for _, tc := range []struct {
		name, word string
		want       []string
	}{
		{"kazakh inflected forms share a translation", "сайлаудың", []string{"выбор"}},
		{"a form seen in training is kept as it is", "сайлауда", []string{"выбор"}},
		{"an unseen form with a kazakh letter is stemmed", "сайлауға", []string{"выбор"}},
		{"an unseen form without one is not", "сайлаулар", nil},
		{"english inflected forms share a translation", "election", []string{"выбор"}},
		{"the pivot's words share it", "выборах", []string{"выбор"}},
		{"a word seen in one pair only is left out", "матчы", nil},
		{"a word of the russian texts is left out", "он", nil},
		{"an unknown word has none", "жаңбыр", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Lookup(tc.word); !slices.Equal(got, tc.want) {
				t.Errorf("Lookup(%q) = %q, want %q", tc.word, got, tc.want)
			}
		})
	}

	// Same data, same bytes; what is written reads back the same.
	var a, b bytes.Buffer
	d.WriteTo(&a)
	BuildDictionary(pairs, russianTexts, russianTexts, DictOptions{}).WriteTo(&b)
	if a.String() != b.String() || a.Len() == 0 {
		t.Fatalf("dictionary not reproducible:\n%s\nthen\n%s", a.String(), b.String())
	}
	r, err := ReadDictionary(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	r.WriteTo(&c)
	if c.String() != a.String() {
		t.Errorf("read back:\n%s\nwant\n%s", c.String(), a.String())
	}
}

func TestReadDictionaryErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"no tab", "сайлау\n", "line 1"},
		{"empty word", "сайлау\t\n", "line 1"},
		{"key twice", "a\tб\na\tв\n", `line 2: key "a" again`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadDictionary(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one with %q", err, tc.want)
			}
		})
	}
}

// A Kazakh word the dictionary knows scores like its Russian translation,
// though the model saw only Russian examples.
func TestDictionaryFeatures(t *testing.T) {
	labels := []Label{{Name: "politics", Kind: KindTag}, {Name: "sport", Kind: KindTag}}
	var ex []Example
	for range 20 {
		ex = append(ex, Example{Fields: textFields("выборы"), Labels: []int{0}},
			Example{Fields: textFields("футбол"), Labels: []int{1}})
	}
	d, err := ReadDictionary(strings.NewReader("выборы\tвыбор\nсайлау\tвыбор\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultFeatures()
	cfg.MaxN, cfg.Subwords, cfg.Dictionary = 0, false, true
	m, err := Train(context.Background(), labels, ex, nil, TrainOptions{Features: cfg, Dictionary: d})
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Scores(nil, textFields("сайлаудың")); !(s[0] > 0.5 && s[1] < 0.5) {
		t.Errorf("with the dictionary: scores %v, want politics", s)
	}
	if ex := m.Explain(textFields("сайлаудың"), 0, 1); len(ex) != 1 || ex[0].Feature != "word:сайлаудың" {
		t.Errorf("Explain = %+v, want the Kazakh word", ex)
	}
	m.SetDictionary(nil)
	if s := m.Scores(nil, textFields("сайлаудың")); s[0] > 0.5 {
		t.Errorf("without the dictionary: scores %v, want no politics", s)
	}
}

func TestLatinOrKazakh(t *testing.T) {
	for _, tc := range []struct {
		word string
		want bool
	}{
		{"выборы", false}, {"ёлка", false}, {"2024", false}, {"сайлау", false},
		{"election", true}, {"iphone-15", true},
		{"әкім", true}, {"ғылым", true}, {"қала", true}, {"аң", true}, {"өнер", true},
		{"ұлт", true}, {"үй", true}, {"һ", true}, {"білім", true},
	} {
		t.Run(tc.word, func(t *testing.T) {
			if got := latinOrKazakh(tc.word); got != tc.want {
				t.Errorf("latinOrKazakh(%q) = %v, want %v", tc.word, got, tc.want)
			}
		})
	}
}
