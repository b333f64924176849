package classify

import (
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/pipeline"
)

func TestWordSet(t *testing.T) {
	s, err := ParseWordSet(strings.NewReader("# addresses\nбрат*\nТЫ\n\nёлка  # comment\n"))
	if err != nil {
		t.Fatal(err)
	}
	for w, want := range map[string]bool{
		"брат": true, "братья": true, "братишка": true, "ты": true, "елка": true,
		"бра": false, "тыква": false, "вступай": false, "": false,
	} {
		if got := s.Has(w); got != want {
			t.Errorf("Has(%q) = %v, want %v", w, got, want)
		}
	}
	if s.Len() != 3 {
		t.Errorf("Len %d, want 3", s.Len())
	}
	for _, bad := range []string{"два слова\n", "бр*ат\n", "*\n"} {
		if _, err := ParseWordSet(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseWordSet(%q): no error", bad)
		}
	}
	f := pipeline.Field{Name: "body", Words: []pipeline.Token{{Text: "брат", End: 8}, {Text: "вступай", Start: 10, End: 24}, {Text: "ты", Start: 25, End: 29}}}
	got := s.Without([]pipeline.Field{f})
	if len(got[0].Words) != 1 || got[0].Words[0].Text != "вступай" {
		t.Errorf("Without: %+v, want only вступай", got[0].Words)
	}
	if len(f.Words) != 3 {
		t.Errorf("Without modified its input")
	}
	var none *WordSet
	if none.Has("брат") || len(none.Without([]pipeline.Field{f})[0].Words) != 3 {
		t.Errorf("a nil set must hold nothing")
	}
}

// The gate must never rule out a word the set has: Has with it agrees with
// the maps alone, on entries of every length and on words around them.
func TestWordSetGate(t *testing.T) {
	s, err := ParseWordSet(strings.NewReader("a\nб\nбр*\nты\nбауыр*\njoin*\nдос\nпиши\n"))
	if err != nil {
		t.Fatal(err)
	}
	ungated := *s
	ungated.gate = nil
	for _, w := range []string{"a", "ab", "б", "бр", "брат", "бра", "ты", "тыква", "бауыр", "бауырым", "бау",
		"join", "joined", "joi", "дос", "досым", "пиши", "пишите", "вступай", "", "x"} {
		if got, want := s.Has(w), ungated.Has(w); got != want {
			t.Errorf("Has(%q) = %v with the gate, %v without", w, got, want)
		}
	}
	if s.gateLen != 4 {
		t.Errorf("gateLen %d, want 4 (the shortest prefixes, бр and join)", s.gateLen)
	}
}
