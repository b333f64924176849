package models

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

func TestDefault(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^topics-\d{4}-\d\d-\d\d-[0-9a-f]{6}$`).MatchString(b.Meta.Version) {
		t.Errorf("version %q is not topics-YYYY-MM-DD-hhhhhh", b.Meta.Version)
	}
	if len(b.Meta.Data) == 0 || len(b.Meta.Data[0].SHA256) != 64 || len(b.Meta.DevScores) == 0 {
		t.Errorf("metadata lacks data hashes or dev scores: %+v", b.Meta)
	}
	if len(b.Topics.Labels) < 5 || b.Topics.LabelIndex("security") < 0 {
		t.Errorf("default model labels %v lack security", b.Topics.Labels)
	}
	for _, l := range b.Topics.Labels {
		tg, ok := b.Taxonomy.Tag(l.Name)
		if !ok || tg.IPTC == "" {
			t.Errorf("model label %q has no IPTC code in the taxonomy", l.Name)
		}
	}
	var names []string
	for _, tg := range b.Taxonomy.Tags {
		names = append(names, tg.Name)
	}
	want := "security government politics diplomacy economy society incidents conflict religion health sport culture technology travel"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("taxonomy tags\n got %s\nwant %s", got, want)
	}
	if b.Subwords == nil || b.Subwords.VocabSize() < 100 {
		t.Error("no tokenizer")
	}
}

// copyDefault writes the embedded bundle's files into a new directory.
func copyDefault(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{FileTokenizer, FileTopics, FileTaxonomy, FileMetadata, FileDictionary, FileClusters} {
		data, err := embedded.ReadFile("default/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadDir(t *testing.T) {
	dir := copyDefault(t)
	b, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := Default()
	if b.Meta.Version != d.Meta.Version {
		t.Errorf("version %s, embedded %s", b.Meta.Version, d.Meta.Version)
	}
}

func TestLoadDirErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(dir string) error
		code   string
		want   string
	}{
		{"missing dir", func(dir string) error { return os.RemoveAll(dir) }, vigil.ENOTFOUND, "no such file"},
		{"missing classifier", func(dir string) error { return os.Remove(filepath.Join(dir, FileTopics)) }, vigil.ENOTFOUND, "topics.bin: missing"},
		{"edited taxonomy", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, FileTaxonomy), []byte("version: 1\ntags: []\n"), 0o644)
		}, vigil.EINVALID, "taxonomy.yaml: SHA-256"},
		{"kinds other than comment", func(dir string) error {
			return editMetadata(dir, func(m map[string]any) { m["kinds"] = []string{"article"} })
		}, vigil.EINVALID, `kinds ["article"]`},
		{"corrupt metadata", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, FileMetadata), []byte("{"), 0o644)
		}, vigil.EINVALID, "metadata.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDefault(t)
			if err := tc.break_(dir); err != nil {
				t.Fatal(err)
			}
			_, err := LoadDir(dir)
			if err == nil || vigil.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %s containing %q", err, tc.code, tc.want)
			}
		})
	}
}

// editMetadata rewrites dir's metadata.json through edit.
func editMetadata(dir string, edit func(map[string]any)) error {
	path := filepath.Join(dir, FileMetadata)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func TestWrite(t *testing.T) {
	src := copyDefault(t)
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	dir := filepath.Join(t.TempDir(), "bundle")
	meta, err := Write(dir, Metadata{Created: "2026-01-02T03:04:05Z", Labels: []string{"x"}},
		File{FileTokenizer, read(FileTokenizer)}, File{FileTopics, read(FileTopics)}, File{FileTaxonomy, read(FileTaxonomy)},
		File{FileDictionary, read(FileDictionary)}, File{FileClusters, read(FileClusters)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(meta.Version, "topics-2026-01-02-") {
		t.Errorf("version %q", meta.Version)
	}
	b, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Meta.Version != meta.Version {
		t.Errorf("loaded version %s, wrote %s", b.Meta.Version, meta.Version)
	}
	// Same files, same day: same id; another classifier: another id.
	files := map[string]string{"a": "1", "b": "2"}
	day := time.Date(2026, 1, 2, 23, 0, 0, 0, time.UTC)
	if VersionID("topics", day, files) != VersionID("topics", day.Add(-time.Hour), files) {
		t.Error("version id depends on the time of day")
	}
	if VersionID("topics", day, files) == VersionID("topics", day, map[string]string{"a": "1", "b": "3"}) {
		t.Error("version id ignores a changed file")
	}
	flags, err := Write(filepath.Join(t.TempDir(), "flags"), Metadata{Version: "flags", Created: "2026-01-02T03:04:05Z"},
		File{FileTopics, read(FileTopics)})
	if err != nil || !strings.HasPrefix(flags.Version, "flags-2026-01-02-") {
		t.Errorf("prefixed version %q, err %v", flags.Version, err)
	}
	if _, err := Write(dir, Metadata{}, File{"../evil", nil}); vigil.ErrorCode(err) != vigil.EINVALID {
		t.Errorf("path in file name: err = %v", err)
	}
}

func TestParseTaxonomy(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"ok", "version: 1\ntags:\n  - name: a\n    iptc: medtop:01000000\n", ""},
		{"unknown key", "version: 1\ntags:\n  - name: a\n    colour: red\n", "colour"},
		{"no name", "tags:\n  - iptc: medtop:01000000\n", "no name"},
		{"twice", "tags:\n  - name: a\n  - name: a\n", "twice"},
		{"bad code", "tags:\n  - name: a\n    iptc: 01000000\n", "not medtop"},
		{"not yaml", "tags: [", "taxonomy"},
		{"explained by", "tags:\n  - name: a\n    explained_by: [b]\n  - name: b\n", ""},
		{"explained by unknown", "tags:\n  - name: a\n    explained_by: [c]\n  - name: b\n", `explained_by "c"`},
		{"explained by itself", "tags:\n  - name: a\n    explained_by: [a]\n", `explained_by "a"`},
		{"explained by the model", "tags:\n  - name: a\n    explained_by_model: {b: 0.5}\n  - name: b\n", ""},
		{"explained by the model: unknown", "tags:\n  - name: a\n    explained_by_model: {c: 0.5}\n  - name: b\n", `explained_by_model "c"`},
		{"explained by the model: no probability", "tags:\n  - name: a\n    explained_by_model: {b: 1.5}\n  - name: b\n", `explained_by_model "b": 1.5`},
		{"explained by the model: zero", "tags:\n  - name: a\n    explained_by_model: {b: 0}\n  - name: b\n", `explained_by_model "b": 0`},
		{"shown as", "tags:\n  - name: a\n  - name: b\n    shown_as: a\n", ""},
		{"shown as unknown", "tags:\n  - name: a\n    shown_as: c\n", `shown_as "c"`},
		{"shown as itself", "tags:\n  - name: a\n    shown_as: a\n", `shown_as "a"`},
		{"rule floor", "tags:\n  - name: a\n    rule_floor: 0.05\n", ""},
		{"rule floor of one", "tags:\n  - name: a\n    rule_floor: 1\n", "rule_floor 1"},
		{"negative rule floor", "tags:\n  - name: a\n    rule_floor: -0.1\n", "rule_floor -0.1"},
		{"comment floor", "tags:\n  - name: a\n    comment_floor: 0.85\n", ""},
		{"comment floor of one", "tags:\n  - name: a\n    comment_floor: 1\n", "comment_floor 1"},
		{"floor", "tags:\n  - name: a\n    floor: 0.5\n  - name: b\n", ""},
		{"floor of one", "tags:\n  - name: a\n    floor: 1\n", "floor 1"},
		{"negative floor", "tags:\n  - name: a\n    floor: -0.5\n", "floor -0.5"},
		{"rule floor on a shown tag", "tags:\n  - name: a\n  - name: b\n    shown_as: a\n    rule_floor: 0.1\n", "belongs on the tag it is shown as"},
		{"shown as a shown tag", "tags:\n  - name: a\n  - name: b\n    shown_as: a\n  - name: c\n    shown_as: b\n", `shown_as "b"`},
		{"rule scores", "tags:\n  - name: a\nrule_scores:\n  article: {intercept: 1.9, rule: 0.05, model: 0.8}\n  comment: {intercept: 1.6, rule: 0.2, model: 0.5}\n", ""},
		{"rule scores of a kind", "tags:\n  - name: a\nrule_scores:\n  headline: {intercept: 1, rule: 0, model: 1}\n", `kind "headline"`},
		{"rule scores not a number", "tags:\n  - name: a\nrule_scores:\n  article: {intercept: .nan, rule: 0, model: 1}\n", "within ±100"},
		{"rule scores out of bounds", "tags:\n  - name: a\nrule_scores:\n  article: {intercept: 1, rule: 1e308, model: -1e308}\n", "within ±100"},
		{"rule scores unknown key", "tags:\n  - name: a\nrule_scores:\n  article: {slope: 1}\n", "slope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := ParseTaxonomy([]byte(tc.yaml))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tc.name == "floor" && (tx.Floors()["a"] != 0.5 || len(tx.Floors()) != 1) {
					t.Errorf("Floors() = %v", tx.Floors())
				}
				if tc.name == "rule scores" && (tx.RuleScores["article"] != pipeline.RuleScore{Intercept: 1.9, Rule: 0.05, Model: 0.8} || len(tx.RuleScores) != 2) {
					t.Errorf("RuleScores = %v", tx.RuleScores)
				}
				if tc.name == "explained by" && !slices.Equal(tx.ExplainedBy()["a"], []string{"b"}) {
					t.Errorf("ExplainedBy() = %v", tx.ExplainedBy())
				}
				if tc.name == "shown as" && (tx.ShownAs()["b"] != "a" || len(tx.ShownAs()) != 1 || tx.Shown("b") != "a" || tx.Shown("a") != "a" || tx.Shown("zz") != "zz") {
					t.Errorf("ShownAs() = %v", tx.ShownAs())
				}
				return
			}
			if err == nil || vigil.ErrorCode(err) != vigil.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want EINVALID containing %q", err, tc.want)
			}
		})
	}
}
