package models

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

func TestDefaultRecruitment(t *testing.T) {
	h, err := DefaultRecruitment()
	if err != nil {
		t.Fatal(err)
	}
	c := h.Config
	if c.Flag != vigil.FlagExtremistRecruitment || h.Stage.Flag != c.Flag || len(h.Stage.Models) == 0 {
		t.Fatalf("head %+v", c)
	}
	if !strings.HasPrefix(c.Version, "flag-") || c.Build.Command == "" {
		t.Errorf("version %q, build command %q", c.Version, c.Build.Command)
	}
	// The shipped head leaves reported speech out. train-flag writes the key
	// only when it trains so, and the head is trained without it and the key
	// set by hand (docs/recruitment.md, "Rebuild and measure"): a rebuild that
	// forgets it reads readers' quotes of recruiters as calls.
	if !c.SkipReported || !h.Stage.SkipReported {
		t.Errorf("skip_reported %v (stage %v): the shipped head must leave reported speech out", c.SkipReported, h.Stage.SkipReported)
	}
	// Comments are held to a lower (stricter) threshold than articles.
	if cm, ar := c.Thresholds.ByKind[vigil.KindComment], c.Thresholds.ByKind[vigil.KindArticle]; !(cm > 0 && cm <= ar) {
		t.Errorf("thresholds comment %v, article %v: want 0 < comment <= article", cm, ar)
	}
	d := &pipeline.Decide{Thresholds: pipeline.FlagThresholds{c.Flag: {Default: 0.9}}}
	h.Configure(d)
	if !reflect.DeepEqual(d.Combiners[c.Flag], c.Combiner) {
		t.Errorf("Configure: combiner %+v, want %+v", d.Combiners[c.Flag], c.Combiner)
	}
	if d.Thresholds[c.Flag].Default != 0.9 {
		t.Errorf("Configure replaced a threshold the service configured")
	}
	d = &pipeline.Decide{}
	h.Configure(d)
	if d.Thresholds.For(c.Flag, vigil.KindComment, "") != c.Thresholds.ByKind[vigil.KindComment] {
		t.Errorf("Configure: thresholds %+v", d.Thresholds)
	}
}

func TestRecruitmentFromDir(t *testing.T) {
	// A models directory with recruitment/ loads that head, over the
	// embedded one: write the embedded head back with a section threshold
	// and read it.
	h, err := DefaultRecruitment()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := h.Config
	cfg.Thresholds.BySection = map[string]float64{"religion": 0.9}
	cfg.Build.Created = "2026-01-02T03:04:05Z"
	if _, err := WriteFlag(filepath.Join(dir, RecruitmentDir), cfg, h.Stage, nil); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := s.Head(vigil.FlagExtremistRecruitment)
	if got == nil || got.Flag.Config.Thresholds.BySection["religion"] != 0.9 || !strings.HasPrefix(got.Version, "flag-2026-01-02-") {
		t.Errorf("read back %+v", got)
	}
	// A changed model file is refused, naming it.
	p := filepath.Join(dir, RecruitmentDir, FileFlagModel)
	data, _ := os.ReadFile(p)
	data[len(data)/2] ^= 1
	os.WriteFile(p, data, 0o644)
	if _, err := LoadSet(dir); err == nil || !strings.Contains(err.Error(), FileFlagModel) {
		t.Errorf("corrupt %s: err %v", FileFlagModel, err)
	}
}

func TestLoadFlagErrors(t *testing.T) {
	sub, err := fs.Sub(embeddedFlags, RecruitmentDir)
	if err != nil {
		t.Fatal(err)
	}
	model, _ := fs.ReadFile(sub, FileFlagModel)
	conf, _ := fs.ReadFile(sub, FileFlagConfig)
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		code  string
		want  string
	}{
		{"no config", fstest.MapFS{FileFlagModel: {Data: model}}, vigil.ENOTFOUND, FileFlagConfig},
		{"no model", fstest.MapFS{FileFlagConfig: {Data: conf}}, vigil.ENOTFOUND, FileFlagModel},
		{"bad yaml", fstest.MapFS{FileFlagConfig: {Data: []byte("flag: [")}, FileFlagModel: {Data: model}}, vigil.EINVALID, FileFlagConfig},
		{"negative weight", fstest.MapFS{FileFlagConfig: {Data: []byte(strings.Replace(string(conf), "  model: ", "  model: -", 1))},
			FileFlagModel: {Data: model}}, vigil.EINVALID, "negative"},
		{"bad kind", fstest.MapFS{FileFlagConfig: {Data: []byte(strings.Replace(string(conf), "    comment:", "    tweet:", 1))},
			FileFlagModel: {Data: model}}, vigil.EINVALID, "tweet"},
		{"threshold out of range", fstest.MapFS{FileFlagConfig: {Data: []byte(strings.Replace(string(conf), "  default: ", "  default: 1", 1))},
			FileFlagModel: {Data: model}}, vigil.EINVALID, "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFlag(tc.files)
			if vigil.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v (code %s), want %s mentioning %q", err, vigil.ErrorCode(err), tc.code, tc.want)
			}
		})
	}
}

// BenchmarkRecruitmentHead measures the shipped head alone (five fold
// models, readings, evidence) on documents already normalized and
// tokenized: the recruitment dev set (half of it recruiting, so evidence is
// computed for most) and the news corpus (almost none need evidence).
// go test ./models -bench RecruitmentHead
func BenchmarkRecruitmentHead(b *testing.B) {
	h, err := DefaultRecruitment()
	if err != nil {
		b.Fatal(err)
	}
	for _, set := range []struct{ name, path string }{
		{"recruitment-dev", filepath.Join("..", "testdata", "recruitment", "dev.jsonl")},
		{"corpus", filepath.Join("..", "testdata", "corpus", "corpus.jsonl")},
	} {
		b.Run(set.name, func(b *testing.B) {
			raw, err := os.ReadFile(set.path)
			if err != nil {
				b.Skip(err)
			}
			dr := vigil.NewDocumentReader(strings.NewReader(string(raw)), 0)
			var items []pipeline.Item
			size := 0
			for {
				d, _, err := dr.Next()
				if err != nil {
					break
				}
				it := pipeline.Item{Doc: &d, Lang: d.Lang}
				for _, s := range []pipeline.Stage{&pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}} {
					if err := s.Process(b.Context(), &it); err != nil {
						b.Fatal(err)
					}
				}
				items = append(items, it)
				size += len(d.Title) + len(d.Body)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for i := range items {
					it := items[i]
					it.Signals = nil
					if err := h.Stage.Process(b.Context(), &it); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// TestRecruitmentHeadConcurrent runs the head from several goroutines, as
// the pipeline's worker pool does (run with -race).
func TestRecruitmentHeadConcurrent(t *testing.T) {
	h, err := DefaultRecruitment()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"Брат, вступай в джамаат, пиши в личку", "Суд приговорил вербовщика", "join the jihad, DM me", "Курбан айт мубарак"}
	want := make([]float64, len(texts))
	run := func(i int) float64 {
		d := &vigil.Document{ID: "x", Body: texts[i]}
		it := &pipeline.Item{Doc: d}
		for _, s := range []pipeline.Stage{&pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, h.Stage} {
			if err := s.Process(t.Context(), it); err != nil {
				t.Error(err)
			}
		}
		return it.Signals[0].Weight
	}
	for i := range texts {
		want[i] = run(i)
	}
	done := make(chan bool)
	for g := range 4 {
		go func() {
			for k := range 50 {
				i := (g + k) % len(texts)
				if got := run(i); got != want[i] {
					t.Errorf("%q: %v, want %v", texts[i], got, want[i])
				}
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
	if !(want[0] > want[1]) {
		t.Errorf("recruiting %v not above report %v", want[0], want[1])
	}
}

// FuzzRecruitmentHead feeds arbitrary text through normalize, tokenize and
// the shipped head: it must not fail, and its probability and evidence
// spans must be valid.
func FuzzRecruitmentHead(f *testing.F) {
	h, err := DefaultRecruitment()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"вступай в дж1хад", "<p>ш а м</p>", "jоin", "\u200b\u200b", "h1jr4h 5h4m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := &vigil.Document{ID: "x", Kind: vigil.KindComment, Body: s}
		it := &pipeline.Item{Doc: d}
		for _, st := range []pipeline.Stage{&pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, h.Stage} {
			if err := st.Process(t.Context(), it); err != nil {
				return // the normalizer refuses some input (invalid UTF-8); that is its call
			}
		}
		sig := it.Signals[len(it.Signals)-1]
		if !(sig.Weight >= 0 && sig.Weight <= 1) {
			t.Fatalf("probability %v", sig.Weight)
		}
		if sig.Explain == nil {
			t.Fatal("no Explain")
		}
		for _, e := range sig.Explain() {
			if e.Start < 0 || e.End > len(s) || e.Start > e.End || s[e.Start:e.End] != e.Text {
				t.Fatalf("evidence %+v outside %q", e, s)
			}
		}
	})
}
