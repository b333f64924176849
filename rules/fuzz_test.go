package rules

import (
	"strings"
	"sync"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// FuzzParse feeds arbitrary bytes to the pack parser and compiler: they
// must return errors, never panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(testPack))
	f.Add([]byte(packV1))
	f.Add([]byte("rules:\n  - id: a\n    any: [\"x NEAR/2 y\", {re: 'a+'}, {all: [b]}]\n"))
	f.Add([]byte("lists: {a: [\"$a\"]}\nrules: [{id: x, any: [$a], action: {tag: t}, match: [a], no_match: [b]}]"))
	f.Add([]byte("lists: {a: [\"$b\", x], b: [\"$c\", y], c: [z]}\nrules: [{id: x, any: [$a], none: [$c], action: {tag: t}, match: [a], no_match: [b]}]"))
	f.Add([]byte("lists: {a: [\"$b NEAR/3 джихад\", x], b: [вступай], c: [\"$a\"]}\nrules: [{id: x, all: [$c, ИГ], none: [$a], action: {tag: t}, match: [a], no_match: [b]}]"))
	f.Add([]byte("entities:\n  - canonical: X\n    type: org\n    abbreviations: [ИГ]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, errs := Parse("fuzz.yaml", data)
		if errs != nil || file == nil {
			return
		}
		s, err := Compile([]*File{file})
		if err != nil {
			return
		}
		fld := pipeline.Normalize("body", "вступай в джихад, ИГ, акимат, самовар 5000 тенге")
		s.Match(&fld, "", "")
	})
}

// FuzzTerm checks the term syntax parser on arbitrary strings.
func FuzzTerm(f *testing.F) {
	for _, s := range []string{"вербов*", "=иг", "a NEAR/5 b", "@banned NEAR/3 пиши в личку", "$list", "аль-каида", "NEAR/", "* = @"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pt, err := parseTerm(s)
		if err != nil {
			return
		}
		for _, sd := range []side{pt.a, pt.b} {
			for _, w := range sd.words {
				if w.text == "" {
					t.Fatalf("%q: empty word", s)
				}
			}
		}
	})
}

var (
	shippedOnce sync.Once
	shipped     *Set
)

// FuzzMatch runs the shipped packs over arbitrary text: no panic, and every
// span, entity and evidence offset lies inside the text it points into.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"Вербовщики террористических организаций активно работают в Казахстане. КНБ",
		"bCтYпАй в ряды м0джахедов, брат! пиши в личку",
		"<p>Хизб ут-Тахрир</p> жиһадқа қосыл",
		"i s i s is recruiting. d m me", "\xff\xfe ИГ", "",
	} {
		f.Add(s, "ru")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		shippedOnce.Do(func() {
			var err error
			if shipped, err = Load(EmbeddedSource()); err != nil {
				panic(err)
			}
		})
		fld := pipeline.Normalize(vigil.FieldBody, text)
		res := shipped.Match(&fld, lang, "")
		for _, fr := range res.Fired {
			for _, sp := range fr.Spans {
				if sp.Start < 0 || sp.End > len(fld.Text) || sp.Start > sp.End {
					t.Fatalf("rule %s span %v outside text of %d bytes", fr.Rule.ID, sp, len(fld.Text))
				}
			}
		}
		it := &pipeline.Item{Doc: &vigil.Document{ID: "f", Body: text}, Lang: lang, Fields: []pipeline.Field{fld}}
		shipped.Apply(it)
		for _, e := range it.Verdict.Entities {
			if e.Start < 0 || e.End > len(text) || text[e.Start:e.End] != e.Text {
				t.Fatalf("entity %+v not a span of the original", e)
			}
		}
		for _, s := range it.Signals {
			for _, ev := range s.Evidence {
				if text[ev.Start:ev.End] != ev.Text || !strings.Contains(text, ev.Text) {
					t.Fatalf("evidence %+v not a span of the original", ev)
				}
			}
		}
	})
}
