package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/pipeline"
)

// A list may name lists: the three languages' lists of one kind become
// one name, in any and in none, to any depth; a term named twice through
// two lists counts once toward min_hits.
func TestListsNameLists(t *testing.T) {
	set := compileYAML(t, `
lists:
  fire_ru: [пожар, "=сгорел"]
  fire_kk: ["=өрт", "өрт шықты"]
  fire_en: ["=blaze", "house fire"]
  fire: ["$fire_ru", "$fire_kk", "$fire_en"]
  war2: ["$war_ru"]
  war_ru: [обстрел*]
  disaster: ["$fire", землетрясени*, "=сгорел"]
rules:
  - id: t.fire
    action: {tag: incidents, score: 0.9}
    any: ["$fire"]
    none: ["$war2"]
    match: [x]
    no_match: [y]
  - id: t.two
    action: {tag: incidents, score: 0.9}
    min_hits: 2
    any: ["$disaster"]
    match: [x]
    no_match: [y]
`)
	cases := []struct {
		name, text, lang string
		want             []string
	}{
		{"first list", "В Алматы пожар на складе", "ru", []string{"t.fire"}},
		{"second list", "Қарағандыда өрт шықты", "kk", []string{"t.fire"}},
		{"third list", "A blaze in Astana", "en", []string{"t.fire"}},
		{"none through two lists", "пожар после обстрела", "ru", nil},
		{"one term through two paths counts once", "дом сгорел", "ru", []string{"t.fire"}},
		{"two terms", "землетрясение, дом сгорел", "ru", []string{"t.fire", "t.two"}},
		{"nothing", "в Алматы солнечно", "ru", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := pipeline.Normalize("body", tc.text)
			got := fired(set.Match(&f, tc.lang, "article"))
			if !slices.Equal(got, tc.want) {
				t.Errorf("fired %v, want %v (normalized %q)", got, tc.want, f.Text)
			}
		})
	}
}

func TestListsNamingListsErrors(t *testing.T) {
	for _, tc := range []struct{ name, lists, any, want string }{
		{"itself", `a: ["$a", слово]`, "$a", "$a names itself ($a > $a)"},
		{"a cycle", `a: ["$b"]
  b: ["$c"]
  c: ["$a", слово]`, "$a", "$a names itself ($a > $b > $c > $a)"},
		{"unknown", `a: ["$nope", слово]`, "$a", "unknown list $nope"},
		// a list with a NEAR term stands alone, never on a side of NEAR
		{"NEAR on a side of NEAR", `a: ["вступай NEAR/3 джихад"]`, "$a NEAR/2 брат", "not NEAR"},
		{"NEAR through a list on a side of NEAR", `a: ["$b"]
  b: ["вступай NEAR/3 джихад"]`, "брат NEAR/2 $a", "not NEAR"},
		{"NEAR naming an unknown list", `a: ["$nope NEAR/3 джихад"]`, "$a", "unknown list $nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "lists:\n  " + tc.lists + "\nrules:\n  - id: t.x\n    action: {tag: x}\n    any: [\"" + tc.any + "\"]\n    match: [x]\n    no_match: [y]\n"
			f, errs := Parse("test.yaml", []byte(src))
			if errs != nil {
				t.Fatalf("parse: %v", errs)
			}
			_, err := Compile([]*File{f})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// A list may hold NEAR terms when it is named alone: in any, each of its
// pairs fires as the rule's own term would; in none, each vetoes; in all,
// one of its terms is enough; through a list that names it too.
func TestListsHoldNear(t *testing.T) {
	set := compileYAML(t, `
lists:
  pets: [кот*, собак*]
  war_words: [войн*, теракт*]
  figures: ["$pets NEAR/3 $war_words", "=теракт для желудка"]
  figures2: ["$figures"]
  attacks: [теракт*, взрыв*]
rules:
  - id: t.any
    action: {tag: culture, score: 0.9}
    any: ["$figures2"]
    match: [x]
    no_match: [y]
  - id: t.none
    action: {tag: security, score: 0.9}
    any: ["$attacks"]
    none: ["$figures2"]
    match: [x]
    no_match: [y]
  - id: t.all
    action: {tag: society, score: 0.9}
    all: ["$figures", "=дома"]
    match: [x]
    no_match: [y]
`)
	cases := []struct {
		name, text string
		want       []string
	}{
		{"a pair of the list fires in any", "Кот объявил мне войну", []string{"t.any"}},
		{"a pair of the list vetoes in none", "Кот устроил теракт на кухне", []string{"t.any"}},
		{"a phrase of the list", "Шаурма с вокзала — теракт для желудка", []string{"t.any"}},
		{"the pair too far apart is no figure", "Кот спал, а в новостях опять говорили, что теракт предотвратили", []string{"t.none"}},
		{"a literal attack", "В Москве предотвратили теракт", []string{"t.none"}},
		{"all: one of the list and the other term", "Дома кот объявил войну", []string{"t.all", "t.any"}},
		{"nothing", "Кот спит", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := pipeline.Normalize("body", tc.text)
			got := fired(set.Match(&f, "ru", "comment"))
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("fired %v, want %v (normalized %q)", got, tc.want, f.Text)
			}
		})
	}
}

// A list that only another list names is used when that list is.
func TestLintListsNamedByLists(t *testing.T) {
	_, fs := lintPack(t, `lists:
  inner: [джихад]
  outer: ["$inner", халифат]
  orphan: ["$lonely"]
  lonely: [слово]
rules:
  - id: l.one
    action: {tag: x}
    any: ["$outer"]
    match: [a]
    no_match: [b]
`)
	var got []string
	for _, f := range fs {
		if strings.Contains(f.Msg, "not used") {
			got = append(got, f.Rule)
		}
	}
	slices.Sort(got)
	if want := []string{"$lonely", "$orphan"}; !slices.Equal(got, want) {
		t.Errorf("lists reported unused %v, want %v", got, want)
	}
}
