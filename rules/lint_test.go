package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(`lists:
  unused: [слово]
  used: [джихад]
rules:
  - id: l.one
    action: {tag: x}
    any: ["в", "вс*", "при*", "$used NEAR/3 пиши", "и в на", "пиши", "пиши"]
    none: ["пиши"]
    match: [a]
    no_match: [b]
  - id: l.two
    action: {tag: x}
    any: [{re: '\bджихад\b'}, {re: 'Джихад'}, {re: '.*джихад'}, "вcтyпaй"]
    match: [a]
    no_match: [b]
  - id: l.three
    action: {flag: f, weight: 0.95}
    any: ["аким", {any: [x, {none: [y]}]}]
    match: [a]
    no_match: [b]
entities:
  - canonical: A
    type: org
    aliases: [Альфа, Альфа]
  - canonical: B
    type: org
    aliases: [Альфа]
`), 0o644)
	fs, err := Lint(DirSource(dir))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, f := range fs {
		all = append(all, f.String())
		if strings.Contains(f.Msg, `"при*" is a stopword`) {
			t.Errorf("a prefix is not a stopword: %s", f)
		}
	}
	got := strings.Join(all, "\n")
	for _, want := range []string{
		"a.yaml:2: warning: $unused: list is not used by any rule",
		`a.yaml:7: error: l.one: term "в" is a stopword on its own`,
		`a.yaml:7: error: l.one: term "вс*": prefix "вс"* of 2 letter(s)`,
		`a.yaml:7: warning: l.one: term "при*": a lone 3-letter prefix is broad`,
		`a.yaml:7: error: l.one: phrase "и в на" is made only of stopwords`,
		`a.yaml:7: warning: l.one: term "пиши" listed twice in one group`,
		`a.yaml:8: error: l.one: term "пиши" is both required and forbidden`,
		`a.yaml:13: error: l.two: regex "\\bджихад\\b": \b and \w are ASCII-only`,
		`a.yaml:13: error: l.two: regex "Джихад": literal "Джихад" can never match`,
		`a.yaml:13: warning: l.two: regex ".*джихад": a leading or trailing .*`,
		`a.yaml:13: error: l.two: term "вcтyпaй": normalization turns "вcтyпaй" into "вступай"`,
		`a.yaml:17: warning: l.three: weight 0.95 alone sends a document to review`,
		`a.yaml:18: error: l.three: a none group inside any`,
		`a.yaml:27: warning: B: form "альфа" also names "A"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if _, err := Lint(DirSource(filepath.Join(dir, "missing"))); err == nil {
		t.Error("unreadable source not reported")
	}
}
