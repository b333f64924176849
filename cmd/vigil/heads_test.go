package main

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

// copyHead copies the shipped head directory models/<name> into dst.
func copyHead(t *testing.T, name, dst string) {
	t.Helper()
	src := filepath.Join("..", "..", "models", name)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const toxicComment = `{"id":"toxic-comment","kind":"comment","lang":"ru","body":"ты тупой дебил, заткнись уже"}`

// TestModelsDirKeepsOtherHeads: --models DIR with only a toxic head in it
// replaces the toxic head and keeps the embedded topic model and
// recruitment head: the seed article is still tagged security and not
// flagged, a recruiting comment still goes to review, and stderr says
// which head came from where.
func TestModelsDirKeepsOtherHeads(t *testing.T) {
	for _, layout := range []string{"", "toxic"} { // the head at the top, or one directory down
		t.Run("dir/"+layout, func(t *testing.T) {
			dir := t.TempDir()
			copyHead(t, "toxic", filepath.Join(dir, layout))
			seed, err := os.ReadFile(filepath.Join("..", "..", "testdata", "seed.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			recruiting := `{"id":"rec","kind":"comment","lang":"ru","body":"вcтyпaй в ряды мyджaхидoв, брат. Телеграм в профиле"}`
			in := strings.TrimSpace(string(seed)) + "\n" + recruiting + "\n" + toxicComment + "\n"
			code, stdout, stderr := runCmd(t, in, "classify", "--models", dir)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			vs := verdicts(t, stdout)
			if len(vs) != 3 {
				t.Fatalf("%d verdicts", len(vs))
			}
			if !slices.ContainsFunc(vs[0].Tags, func(tg vigil.Tag) bool { return tg.Name == "security" }) || vs[0].Action != vigil.ActionAllow {
				t.Errorf("seed article: action %s, tags %+v; want allow, tagged security", vs[0].Action, vs[0].Tags)
			}
			if vs[1].Action != vigil.ActionReview || len(vs[1].Flags) == 0 || vs[1].Flags[0].Name != vigil.FlagExtremistRecruitment {
				t.Errorf("recruiting comment: action %s, flags %+v; want review for recruitment", vs[1].Action, vs[1].Flags)
			}
			if vs[2].Action != vigil.ActionAllow || len(vs[2].Scores) != 1 || vs[2].Scores[0].Name != vigil.FlagToxic {
				t.Errorf("toxic comment: action %s, scores %+v; want allow, scored toxic", vs[2].Action, vs[2].Scores)
			}
			heads := vs[0].Versions.Heads
			if heads[models.HeadTopics] == "" || heads[vigil.FlagExtremistRecruitment] == "" || heads[vigil.FlagToxic] == "" ||
				vs[0].Versions.Model != heads[models.HeadTopics] || vs[0].Versions.Flag != heads[vigil.FlagExtremistRecruitment] {
				t.Errorf("versions %+v: want every head named", vs[0].Versions)
			}
			src := filepath.Join(dir, layout)
			for _, want := range []string{"topics topics-", "extremist_recruitment flag-", "(embedded)", "toxic " + heads[vigil.FlagToxic] + " (" + src + ")"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// TestModelsDirCommentHead: --models DIR with the comments' topic head
// alone replaces that head and keeps the others; a comment's tags come from
// it, an article's from the embedded topics head.
func TestModelsDirCommentHead(t *testing.T) {
	dir := t.TempDir()
	copyHead(t, models.CommentsDir, dir)
	in := `{"id":"a","kind":"article","body":"Аким Алматы провел отчетную встречу с населением"}` + "\n" +
		`{"id":"c","kind":"comment","body":"третий день не могу записаться к терапевту, в регистратуре говорят талонов нет"}` + "\n"
	code, stdout, stderr := runCmd(t, in, "classify", "--models", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	vs := verdicts(t, stdout)
	heads := vs[0].Versions.Heads
	if !strings.HasPrefix(heads[models.HeadCommentTopics], "comments-") || !strings.HasPrefix(heads[models.HeadTopics], "topics-") {
		t.Errorf("heads %v", heads)
	}
	for _, want := range []string{"comment_topics " + heads[models.HeadCommentTopics] + " (" + dir + ")", "topics " + heads[models.HeadTopics] + " (embedded)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !slices.ContainsFunc(vs[1].Tags, func(g vigil.Tag) bool { return g.Name == "health" }) ||
		!slices.ContainsFunc(vs[0].Tags, func(g vigil.Tag) bool { return g.Name == "government" }) {
		t.Errorf("tags: article %+v (want government), comment %+v (want health)", vs[0].Tags, vs[1].Tags)
	}
}

// TestModelsDirRefused: a models directory with nothing recognisable in it,
// or a head with a corrupt file, is refused before any verdict, naming the
// directory or the file.
func TestModelsDirRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string
	}{
		{"nothing recognisable", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "model.pt"), []byte("garbage"), 0o644)
		}, []string{"DIR", "no model head", "model.pt"}},
		{"garbage flag.yaml", func(t *testing.T, dir string) {
			copyHead(t, "toxic", dir)
			os.WriteFile(filepath.Join(dir, models.FileFlagConfig), []byte("\x00garbage: [\n"), 0o644)
		}, []string{"DIR", models.FileFlagConfig}},
		{"comment head with another taxonomy", func(t *testing.T, dir string) {
			copyHead(t, models.CommentsDir, dir)
			tax, _ := os.ReadFile(filepath.Join(dir, models.FileTaxonomy))
			tax = append(tax, "# edited\n"...)
			os.WriteFile(filepath.Join(dir, models.FileTaxonomy), tax, 0o644)
			meta, _ := os.ReadFile(filepath.Join(dir, models.FileMetadata))
			var m map[string]any
			if err := json.Unmarshal(meta, &m); err != nil {
				t.Fatal(err)
			}
			m["files"].(map[string]any)[models.FileTaxonomy] = models.SHA256(tax) // checksums right, taxonomy not the topics head's
			meta, _ = json.Marshal(m)
			os.WriteFile(filepath.Join(dir, models.FileMetadata), meta, 0o644)
		}, []string{"DIR", models.HeadCommentTopics, models.FileTaxonomy}},
		{"garbage topics.bin", func(t *testing.T, dir string) {
			copyHead(t, "default", dir)
			os.WriteFile(filepath.Join(dir, models.FileTopics), []byte("garbage"), 0o644)
		}, []string{"DIR", models.FileTopics, "SHA-256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			code, stdout, stderr := runCmd(t, toxicComment+"\n", "classify", "--models", dir)
			if code != exitFail || stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d and no verdicts", code, stdout, exitFail)
			}
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestToxicNeedsThresholds: the shipped toxic head scores comments
// (verdict scores, with the words that carried it) and sends nothing to
// review until the service's thresholds name it; articles it leaves alone.
// It scores Russian, Kazakh and English comments.
func TestToxicNeedsThresholds(t *testing.T) {
	ctx := context.Background()
	on := pipeline.FlagThresholds{vigil.FlagToxic: {ByKind: map[string]float64{vigil.KindComment: 0.9}}}
	for _, tc := range []struct {
		name       string
		thresholds pipeline.FlagThresholds
		doc        vigil.Document
		action     string
		flagged    bool   // toxic in Flags
		scored     bool   // toxic in Scores
		word       string // the evidence that carried the score ("дебил" when empty)
	}{
		{"toxic comment, no thresholds", nil, vigil.Document{Kind: vigil.KindComment, Body: "ты тупой дебил, заткнись уже"}, vigil.ActionAllow, false, true, ""},
		{"toxic comment, thresholds on", on, vigil.Document{Kind: vigil.KindComment, Body: "ты тупой дебил, заткнись уже"}, vigil.ActionReview, true, false, ""},
		{"polite comment, thresholds on", on, vigil.Document{Kind: vigil.KindComment, Body: "Спасибо за статью, очень полезно"}, vigil.ActionAllow, false, false, ""},
		{"article, thresholds on", on, vigil.Document{Kind: vigil.KindArticle, Body: "ты тупой дебил, заткнись уже"}, vigil.ActionAllow, false, false, ""},
		{"Kazakh insult, no thresholds", nil, vigil.Document{Kind: vigil.KindComment, Lang: vigil.LangKazakh, Body: "сен ақымақсың"}, vigil.ActionAllow, false, true, "ақымақсың"},
		{"polite English comment", nil, vigil.Document{Kind: vigil.KindComment, Lang: vigil.LangEnglish, Body: "Thanks for the article, very useful"}, vigil.ActionAllow, false, false, ""},
		{"recruitment thresholds only", pipeline.FlagThresholds{vigil.FlagExtremistRecruitment: {Default: 0.9}},
			vigil.Document{Kind: vigil.KindComment, Body: "ты тупой дебил, заткнись уже"}, vigil.ActionAllow, false, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := engine.New(ctx, engine.Options{Thresholds: tc.thresholds})
			if err != nil {
				t.Fatal(err)
			}
			doc := tc.doc
			doc.ID = "x"
			v := e.Check(ctx, &doc)
			isToxic := func(f vigil.Flag) bool { return f.Name == vigil.FlagToxic }
			flagged, scored := slices.ContainsFunc(v.Flags, isToxic), slices.ContainsFunc(v.Scores, isToxic)
			if v.Action != tc.action || flagged != tc.flagged || scored != tc.scored {
				t.Fatalf("action %s, flags %+v, scores %+v; want %s, flagged %v, scored %v", v.Action, v.Flags, v.Scores, tc.action, tc.flagged, tc.scored)
			}
			for _, f := range append(v.Flags, v.Scores...) {
				if !isToxic(f) {
					continue
				}
				word := cmp.Or(tc.word, "дебил")
				if !slices.ContainsFunc(f.Evidence, func(ev vigil.Evidence) bool { return ev.Text == word && ev.Group == vigil.EvidenceModel }) {
					t.Errorf("evidence %+v: want the word that carried it", f.Evidence)
				}
				for _, ev := range f.Evidence {
					if doc.Body[ev.Start:ev.End] != ev.Text || ev.EndUTF16 <= ev.StartUTF16 {
						t.Errorf("evidence %+v is not its span of the body", ev)
					}
				}
			}
		})
	}
}
