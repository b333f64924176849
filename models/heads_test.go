package models

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/pipeline"
)

// copyEmbedded writes the embedded directory src (e.g. "toxic") of fsys
// into dst, creating it.
func copyEmbedded(t *testing.T, fsys fs.FS, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(fsys, src+"/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// headSummary is "name@source" per head, in order.
func headSummary(hs []*Head) string {
	var parts []string
	for _, h := range hs {
		parts = append(parts, h.Name+"@"+h.Source)
	}
	return strings.Join(parts, " ")
}

func TestDefaultSet(t *testing.T) {
	s, err := DefaultSet()
	if err != nil {
		t.Fatal(err)
	}
	want := "topics@embedded comment_topics@embedded extremist_recruitment@embedded toxic@embedded"
	if got := headSummary(s.Heads); got != want {
		t.Errorf("heads %s, want %s", got, want)
	}
	if s.Topics() == nil || s.Topics().Topics.LabelIndex("security") < 0 {
		t.Error("no topic bundle")
	}
	tox := s.Head(vigil.FlagToxic)
	if tox == nil || tox.Flag == nil {
		t.Fatal("no toxic head")
	}
	c := tox.Flag.Config
	if !c.ReportOnly || !slices.Equal(c.Kinds, []string{vigil.KindComment}) || !slices.Equal(c.Langs, []string{vigil.LangRussian, vigil.LangKazakh, vigil.LangEnglish}) ||
		!strings.Contains(c.Build.Command, "--flag toxic") {
		t.Errorf("toxic head: report_only %v, kinds %v, langs %v, command %q", c.ReportOnly, c.Kinds, c.Langs, c.Build.Command)
	}
	// Report-only: the head gives Decide report thresholds, no review ones.
	d := &pipeline.Decide{}
	tox.Flag.Configure(d)
	if _, ok := d.Thresholds[vigil.FlagToxic]; ok {
		t.Errorf("toxic has review thresholds %+v", d.Thresholds)
	}
	if d.Report.For(vigil.FlagToxic, vigil.KindComment, "") != c.Thresholds.ByKind[vigil.KindComment] {
		t.Errorf("report thresholds %+v", d.Report)
	}
	vs := s.Versions()
	if len(vs) != 4 || vs[HeadTopics] != s.Topics().Meta.Version || vs[vigil.FlagToxic] != c.Version {
		t.Errorf("versions %v", vs)
	}
	// The comments' own topic model: a bundle for comments alone, whose
	// version names it, with the topics head's taxonomy.
	cm := s.CommentTopics()
	if cm == nil || !cm.ForComments() || s.Topics().ForComments() || !strings.HasPrefix(vs[HeadCommentTopics], "comments-") {
		t.Fatalf("comment topics: for comments %v, versions %v", cm != nil && cm.ForComments(), vs)
	}
	if cm.Meta.Files[FileTaxonomy] != s.Topics().Meta.Files[FileTaxonomy] {
		t.Errorf("comment taxonomy %s, topics %s", cm.Meta.Files[FileTaxonomy], s.Topics().Meta.Files[FileTaxonomy])
	}
}

func TestScanDir(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string // heads, with the directory written DIR
	}{
		{"toxic head at the top", func(t *testing.T, dir string) {
			copyEmbedded(t, embeddedFlags, ToxicDir, dir)
		}, "toxic@DIR"},
		{"toxic head one directory down", func(t *testing.T, dir string) {
			copyEmbedded(t, embeddedFlags, ToxicDir, filepath.Join(dir, "abuse"))
		}, "toxic@DIR/abuse"},
		{"topic bundle and recruitment head", func(t *testing.T, dir string) {
			copyEmbedded(t, embedded, "default", dir)
			copyEmbedded(t, embeddedFlags, RecruitmentDir, filepath.Join(dir, RecruitmentDir))
		}, "topics@DIR extremist_recruitment@DIR/recruitment"},
		{"other files beside a head", func(t *testing.T, dir string) {
			copyEmbedded(t, embeddedFlags, ToxicDir, filepath.Join(dir, ToxicDir))
			os.WriteFile(filepath.Join(dir, "NOTES.txt"), []byte("retrained on our archive\n"), 0o644)
			os.MkdirAll(filepath.Join(dir, "old"), 0o755)
		}, "toxic@DIR/toxic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			hs, err := ScanDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tc.want, "DIR", dir)
			if got := headSummary(hs); got != want {
				t.Errorf("heads %s, want %s", got, want)
			}
		})
	}
}

func TestScanDirErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the directory to scan
		code  string
		want  []string // in the message; DIR is the directory
	}{
		{"missing", func(t *testing.T, dir string) string { return filepath.Join(dir, "nope") },
			vigil.ENOTFOUND, []string{"DIR"}},
		{"a file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "flag.yaml")
			os.WriteFile(p, []byte("flag: toxic\n"), 0o644)
			return p
		}, vigil.EINVALID, []string{"DIR", "not a directory"}},
		{"empty", func(t *testing.T, dir string) string { return dir },
			vigil.EINVALID, []string{"models DIR: no model head", "no files"}},
		{"nothing recognisable", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, "weights.bin"), []byte("\x00\x01garbage"), 0o644)
			return dir
		}, vigil.EINVALID, []string{"models DIR: no model head", "weights.bin", FileMetadata, FileFlagConfig}},
		{"garbage flag.yaml", func(t *testing.T, dir string) string {
			copyEmbedded(t, embeddedFlags, ToxicDir, filepath.Join(dir, ToxicDir))
			os.WriteFile(filepath.Join(dir, ToxicDir, FileFlagConfig), []byte("{{{ not yaml"), 0o644)
			return dir
		}, vigil.EINVALID, []string{filepath.Join("DIR", ToxicDir), FileFlagConfig}},
		{"garbage flag.bin", func(t *testing.T, dir string) string {
			copyEmbedded(t, embeddedFlags, ToxicDir, dir)
			os.WriteFile(filepath.Join(dir, FileFlagModel), []byte("garbage"), 0o644)
			return dir
		}, vigil.EINVALID, []string{"DIR", FileFlagModel, "SHA-256"}},
		{"garbage metadata.json", func(t *testing.T, dir string) string {
			copyEmbedded(t, embedded, "default", dir)
			os.WriteFile(filepath.Join(dir, FileMetadata), []byte("garbage"), 0o644)
			return dir
		}, vigil.EINVALID, []string{"DIR", FileMetadata}},
		{"half a bundle", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, FileTopics), []byte("garbage"), 0o644)
			return dir
		}, vigil.ENOTFOUND, []string{"DIR", FileMetadata + ": missing"}},
		{"two toxic heads", func(t *testing.T, dir string) string {
			copyEmbedded(t, embeddedFlags, ToxicDir, filepath.Join(dir, "a"))
			copyEmbedded(t, embeddedFlags, ToxicDir, filepath.Join(dir, "b"))
			return dir
		}, vigil.EINVALID, []string{"two heads score toxic", filepath.Join("DIR", "a"), filepath.Join("DIR", "b")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			dir := tc.setup(t, base)
			_, err := ScanDir(dir)
			if err == nil || vigil.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to contain %q", err, w)
				}
			}
			if _, err := LoadSet(dir); err == nil {
				t.Error("LoadSet accepted what ScanDir refused")
			}
		})
	}
}

// TestLoadSetReplacesOnlyItsHeads: a directory's heads replace the
// embedded heads that score the same things and no others.
func TestLoadSetReplacesOnlyItsHeads(t *testing.T) {
	dir := t.TempDir()
	copyEmbedded(t, embeddedFlags, ToxicDir, filepath.Join(dir, ToxicDir))
	s, err := LoadSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := "topics@embedded comment_topics@embedded extremist_recruitment@embedded toxic@" + filepath.Join(dir, ToxicDir)
	if got := headSummary(s.Heads); got != want {
		t.Errorf("heads %s, want %s", got, want)
	}
	// A bundle of flag outputs only (vigil train --labels flags) replaces
	// the head of that flag and leaves the topic model.
	def, _ := DefaultSet()
	flags := bundleHead(&Bundle{Meta: Metadata{Version: "flags-x"},
		Topics: &classify.Model{Labels: []classify.Label{{Name: vigil.FlagToxic, Kind: classify.KindFlag}}}}, "/m")
	if got, want := headSummary(def.With(flags).Heads), "topics@embedded comment_topics@embedded extremist_recruitment@embedded toxic@/m"; got != want {
		t.Errorf("with a flags bundle: %s, want %s", got, want)
	}
	// A bundle with tags and flags replaces topics and those flags, and
	// the comments' topic head goes with the topics head.
	both := bundleHead(&Bundle{Meta: Metadata{Version: "topics-x"},
		Topics: &classify.Model{Labels: []classify.Label{{Name: "sport", Kind: classify.KindTag}, {Name: vigil.FlagToxic, Kind: classify.KindFlag}}}}, "/m")
	if got, want := headSummary(def.With(both).Heads), "topics@/m extremist_recruitment@embedded"; got != want {
		t.Errorf("with a tags+flags bundle: %s, want %s", got, want)
	}
	// A comments' bundle replaces the comments' head alone; with a topics
	// bundle beside it, both are the new ones.
	comments := bundleHead(&Bundle{Meta: Metadata{Version: "comments-x", Kinds: []string{vigil.KindComment}},
		Topics: &classify.Model{Labels: []classify.Label{{Name: "sport", Kind: classify.KindTag}}}}, "/c")
	if got, want := headSummary(def.With(comments).Heads), "topics@embedded comment_topics@/c extremist_recruitment@embedded toxic@embedded"; got != want {
		t.Errorf("with a comments bundle: %s, want %s", got, want)
	}
	if got, want := headSummary(def.With(both, comments).Heads), "topics@/m comment_topics@/c extremist_recruitment@embedded"; got != want {
		t.Errorf("with a topics and a comments bundle: %s, want %s", got, want)
	}
}
