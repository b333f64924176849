package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesCommand(t *testing.T) {
	good := t.TempDir()
	os.WriteFile(filepath.Join(good, "local.yaml"), []byte(`rules:
  - id: local.samovar
    action: {tag: culture, score: 0.5}
    any: [самовар]
    match: ["Самовары на ярмарке"]
    no_match: ["Чайник"]
`), 0o644)
	missing := t.TempDir()
	os.WriteFile(filepath.Join(missing, "miss.yaml"), []byte(`rules:
  - id: local.miss
    action: {tag: culture}
    any: [самовар]
    match: ["Чайник"]
    no_match: ["Самовар"]
`), 0o644)
	broken := t.TempDir()
	os.WriteFile(filepath.Join(broken, "broken.yaml"), []byte(`rules:
  - id: local.broken
    action: {tag: culture}
    any: ["Самовар", "в*"]
    match: [a]
    no_match: [b]
`), 0o644)

	cases := []struct {
		name     string
		args     []string
		code     int
		contains string // in stdout+stderr
	}{
		{"test embedded", []string{"rules", "test"}, exitOK, "0 miss(es)"},
		{"lint embedded", []string{"rules", "lint"}, exitOK, "0 error(s)"},
		{"test with dir", []string{"rules", "test", good}, exitOK, "0 miss(es)"},
		{"test misses", []string{"rules", "test", "--no-embedded", missing}, exitFail, "miss.yaml:5: local.miss: match example did not fire"},
		{"test no_match fired", []string{"rules", "test", "--no-embedded", missing}, exitFail, "miss.yaml:6: local.miss: no_match example fired"},
		{"test refuses broken", []string{"rules", "test", broken}, exitFail, "broken.yaml:4: local.broken"},
		{"lint broken", []string{"rules", "lint", broken}, exitFail, "broken.yaml:4: error: local.broken"},
		{"lint short prefix", []string{"rules", "lint", broken}, exitFail, "prefix \"в\"* of 1 letter(s)"},
		{"missing dir", []string{"rules", "lint", filepath.Join(good, "nope")}, exitUsage, "not a readable directory"},
		{"no subcommand", []string{"rules"}, exitUsage, "usage: vigil rules test"},
		{"no-embedded without dir", []string{"rules", "test", "--no-embedded"}, exitUsage, "needs a DIR"},
		{"suggest without data", []string{"rules", "suggest"}, exitUsage, "--data with suggest"},
		{"suggest missing file", []string{"rules", "suggest", "--data", filepath.Join(good, "nope.jsonl")}, exitUsage, "nope.jsonl"},
		{"suggest", []string{"rules", "suggest", "--data", "../../testdata/seed.jsonl", "--min-docs", "1"}, exitOK, "English documents of"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd(t, "", tc.args...)
			if code != tc.code || !strings.Contains(out+errs, tc.contains) {
				t.Errorf("exit %d (want %d), want %q in:\n%s%s", code, tc.code, tc.contains, out, errs)
			}
		})
	}
}
