package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lintPack lints src written as a.yaml in a directory of its own, which it
// returns with the findings.
func lintPack(t *testing.T, src string) (string, []Finding) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := Lint(DirSource(dir))
	if err != nil {
		t.Fatal(err)
	}
	return dir, fs
}

func TestLint(t *testing.T) {
	dir, fs := lintPack(t, `lists:
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
`)
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

// TestLintDescriptions: a rule that can raise a flag is shown to moderators
// and needs its description in ru, kk and en (an error when live, a
// warning in shadow); a tag rule may have none or one English string, but
// a description begun in another language must be finished.
func TestLintDescriptions(t *testing.T) {
	const full = "\n    description: {ru: \"Призыв\", kk: \"Шақыру\", en: \"A call\"}"
	for _, tc := range []struct {
		name, rule string
		want       string // "" : no finding about descriptions
	}{
		{"flag rule with all three", "action: {flag: f, weight: 0.5}" + full, ""},
		{"flag rule without one", "action: {flag: f, weight: 0.5}", "a.yaml:2: error: d.r: a flag rule is shown to moderators: its description needs ru, kk, en"},
		{"flag rule in English only", "action: {flag: f, weight: 0.5}\n    description: a call", "a.yaml:4: error: d.r: a flag rule is shown to moderators: its description needs ru, kk"},
		{"cue rule lacking Kazakh", "action: {flag: f, cue: call}\n    description: {ru: \"Призыв\", en: \"A call\"}", "a.yaml:4: error: d.r: a flag rule is shown to moderators: its description needs kk"},
		{"shadow flag rule", "mode: shadow\n    action: {flag: f, weight: 0.5}", "a.yaml:2: warning: d.r: a flag rule is shown to moderators"},
		{"tag rule without one", "action: {tag: x}", ""},
		{"tag rule in English only", "action: {tag: x}\n    description: a topic", ""},
		{"tag rule begun in Russian", "action: {tag: x}\n    description: {ru: \"Тема\"}", "a.yaml:4: warning: d.r: description lacks kk, en"},
		{"unknown language", "action: {tag: x}\n    description: {de: \"Thema\"}", "a.yaml:4: error: d.r: description: unknown language \"de\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, fs := lintPack(t, "rules:\n  - id: d.r\n    "+tc.rule+"\n    any: [джихад]\n    match: [джихад]\n    no_match: [мир]\n")
			var got []string
			for _, f := range fs {
				if strings.Contains(f.Msg, "description") {
					got = append(got, f.String())
				}
			}
			if tc.want == "" {
				if len(got) > 0 {
					t.Fatalf("want no description finding, got %q", got)
				}
				return
			}
			if len(got) != 1 || !strings.HasPrefix(strings.TrimPrefix(got[0], dir+"/"), tc.want) {
				t.Fatalf("findings %q, want one starting %q", got, tc.want)
			}
		})
	}
}

// TestDescriptions: the shipped flag rules are described in the three
// languages of the moderators' page, and Descriptions finds them without
// compiling the packs.
func TestDescriptions(t *testing.T) {
	d, err := Descriptions(EmbeddedSource())
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(EmbeddedSource())
	if err != nil {
		t.Fatal(err)
	}
	flagRules := 0
	for _, r := range set.Rules() {
		if r.Action.Flag == "" {
			continue
		}
		flagRules++
		for _, lang := range DescriptionLangs {
			if d[r.ID][lang] == "" {
				t.Errorf("%s: no %s description", r.ID, lang)
			}
		}
		if d[r.ID]["kk"] == d[r.ID]["ru"] {
			t.Errorf("%s: Kazakh and Russian descriptions are the same text", r.ID)
		}
	}
	if flagRules < 20 {
		t.Fatalf("only %d flag rules in the shipped packs", flagRules)
	}
}
