package models

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// The shipped bundles are sealed: each version id is the hash of the
// files metadata.json lists, so that a file edited in place (a floor, the
// rule scores) without Reseal fails here instead of shipping under the old
// id, which verdicts carry and the archive's retag compares.
func TestShippedBundlesSealed(t *testing.T) {
	for name, load := range map[string]func() (*Bundle, error){"default": Default, CommentsDir: DefaultComments} {
		b, err := load()
		if err != nil {
			t.Fatal(err)
		}
		prefix, created, err := b.Meta.versionParts()
		if err != nil {
			t.Fatal(err)
		}
		if want := VersionID(prefix, created, b.Meta.Files); b.Meta.Version != want {
			t.Errorf("models/%s: version %s, its files give %s: reseal it (models.Reseal; vigil eval --write-rule-scores does)", name, b.Meta.Version, want)
		}
	}
}

// Reseal after an edit in place: the checksum and the id follow the file,
// the bundle loads, and resealing again changes nothing.
func TestReseal(t *testing.T) {
	dir := copyDefault(t)
	before, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Reseal(dir); err != nil {
		t.Fatal(err)
	}
	if b, err := LoadDir(dir); err != nil || b.Meta.Version != before.Meta.Version {
		t.Fatalf("resealing an untouched bundle: version %v, err %v", b.Meta.Version, err)
	}
	tax := filepath.Join(dir, FileTaxonomy)
	data, _ := os.ReadFile(tax)
	os.WriteFile(tax, append(data, "# edited\n"...), 0o644)
	if _, err := LoadDir(dir); err == nil {
		t.Fatal("a bundle edited in place loaded without a reseal")
	}
	meta, err := Reseal(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Meta.Version != meta.Version || meta.Version == before.Meta.Version || !strings.HasPrefix(meta.Version, before.Meta.Version[:len("topics-2026-12-06-")]) {
		t.Errorf("version %s → %s (loaded %s): want a new hash, the same prefix and day", before.Meta.Version, meta.Version, b.Meta.Version)
	}
	if _, err := Reseal(t.TempDir()); vigil.ErrorCode(err) != vigil.ENOTFOUND {
		t.Errorf("no bundle: err %v", err)
	}
}

func TestWithRuleScores(t *testing.T) {
	rs := map[string]pipeline.RuleScore{"comment": {Intercept: 1.5, Rule: 0.2, Model: 0.4}, "article": {Intercept: 2, Rule: 0.05, Model: 0.8}}
	block := "rule_scores:\n  article: {intercept: 2, rule: 0.05, model: 0.8}\n  comment: {intercept: 1.5, rule: 0.2, model: 0.4}\n"
	head := "# a taxonomy\nversion: 1\ntags:\n  - name: a\n    # kept\n    rule_floor: 0.1\n"
	for _, tc := range []struct{ name, in, want string }{
		{"appended", head, head + block},
		{"appended after a last line without newline", strings.TrimSuffix(head, "\n"), head + block},
		{"replaced, the rest kept", head + "rule_scores:\n  article: {intercept: 9, rule: 9, model: 9}\n# after\n", head + block + "# after\n"},
	} {
		got, err := WithRuleScores([]byte(tc.in), rs)
		if err != nil || !bytes.Equal(got, []byte(tc.want)) {
			t.Errorf("%s: got\n%s\nerr %v, want\n%s", tc.name, got, err, tc.want)
			continue
		}
		tx, err := ParseTaxonomy(got)
		if err != nil || tx.RuleScores["comment"] != rs["comment"] || tx.RuleScores["article"] != rs["article"] {
			t.Errorf("%s: parsed %v, err %v", tc.name, tx.RuleScores, err)
		}
	}
	if _, err := WithRuleScores([]byte(head), map[string]pipeline.RuleScore{"headline": {}}); vigil.ErrorCode(err) != vigil.EINVALID {
		t.Errorf("a kind Decide does not read: err %v", err)
	}
}
