package rules

import (
	"fmt"
	"slices"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Miss is a rule example that did not behave as written: a match example
// the rule did not fire on, or a no_match example it fired on.
type Miss struct {
	Path      string
	Line      int
	Rule      string
	WantMatch bool
	Text      string
	Lang      string
	Kind      string
	// Evidence is what a wrongly firing rule matched, as normalized text.
	Evidence []string
}

func (m Miss) String() string {
	what := "match example did not fire"
	if !m.WantMatch {
		what = "no_match example fired"
	}
	s := fmt.Sprintf("%s:%d: %s: %s (lang %s, kind %s): %q", m.Path, m.Line, m.Rule, what, m.Lang, m.Kind, m.Text)
	if len(m.Evidence) > 0 {
		s += fmt.Sprintf(" matched %q", m.Evidence)
	}
	return s
}

// TestExamples runs every rule's match and no_match examples through the
// real normalizer and the compiled set, and returns each miss in file
// order. Shadow rules are tested like live ones. It also returns how many
// examples ran.
func (s *Set) TestExamples() (misses []Miss, ran int) {
	for _, cr := range s.rules {
		r := cr.Rule
		for _, want := range []bool{true, false} {
			exs := r.Match
			if !want {
				exs = r.NoMatch
			}
			for _, ex := range exs {
				ran++
				lang, kind := exampleContext(r, ex)
				f := pipeline.Normalize(vigil.FieldBody, ex.Text)
				res := s.Match(&f, lang, kind)
				i := slices.IndexFunc(res.Fired, func(fr Fired) bool { return fr.Rule == r })
				if got := i >= 0; got != want {
					miss := Miss{Path: r.file.Path, Line: ex.Line, Rule: r.ID, WantMatch: want, Text: ex.Text, Lang: lang, Kind: kind}
					if got {
						for _, sp := range res.Fired[i].Spans {
							miss.Evidence = append(miss.Evidence, f.Text[sp.Start:sp.End])
						}
					}
					misses = append(misses, miss)
				}
			}
		}
	}
	return misses, ran
}

// exampleContext picks the language and kind an example is checked as:
// what the example says, else the rule's only language or kind, else the
// detected language (if the rule allows it) and the rule's first kind.
func exampleContext(r *Rule, ex Example) (lang, kind string) {
	lang, kind = ex.Lang, ex.Kind
	if lang == "" {
		switch {
		case len(r.Languages) == 1:
			lang = r.Languages[0]
		default:
			lang = pipeline.DetectLang(pipeline.NormalizeText(ex.Text))
			if len(r.Languages) > 0 && !slices.Contains(r.Languages, lang) {
				lang = r.Languages[0]
			}
		}
	}
	if kind == "" {
		kind = vigil.KindArticle
		if len(r.Kinds) > 0 {
			kind = r.Kinds[0]
		}
	}
	return lang, kind
}
