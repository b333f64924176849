package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/pipeline"
)

// shippedLexiconData is what pipeline/lexicon.txt.gz is built from, as the
// models README gives it (paths from the repository root).
var shippedLexiconData = []string{
	"../shared/data/topics/train.jsonl",
	"../shared/data/toxicity/train.jsonl",
	"../shared/data/agnews/train.jsonl",
	"testdata/recruitment/train.jsonl",
	"testdata/recruitment/dev.jsonl",
	"testdata/recruitment/probe.jsonl",
	"testdata/recruitment/extra.jsonl",
	"testdata/recruitment/extra2.jsonl",
	"testdata/recruitment/extra3.jsonl",
	// Kazakh and Russian written to train on, without their English.
	"testdata/tags/news-kk-train.jsonl",
	"testdata/tags/comments-train.jsonl=ru+kk",
	"testdata/tags/comments-train4.jsonl=ru+kk",
	"testdata/toxicity/train-kk-en.jsonl=ru+kk",
	"testdata/toxicity/train-everyday.jsonl=ru+kk",
	"testdata/recruitment/everyday.jsonl=ru+kk",
	"testdata/recruitment/everyday2.jsonl=ru+kk",
	"testdata/recruitment/everyday4.jsonl=ru+kk",
	"testdata/recruitment/extra4.jsonl=ru+kk",
	"testdata/sentences=ru+kk",
}

// TestShippedLexiconReproducible rebuilds the embedded lexicon with the
// documented command and checks it comes out byte for byte as shipped. It
// needs the corpora beside the repository.
func TestShippedLexiconReproducible(t *testing.T) {
	var files []string
	for _, f := range shippedLexiconData {
		f = filepath.Join("../..", f)
		if _, err := os.Stat(strings.Split(f, "=")[0]); err != nil {
			t.Skipf("corpus %s absent: %v", f, err)
		}
		files = append(files, f)
	}
	out := filepath.Join(t.TempDir(), "lexicon.txt.gz")
	if code, _, stderr := runCmd(t, "", "lexicon", "--data", strings.Join(files, ","), "--out", out); code != exitOK {
		t.Fatalf("lexicon exit %d:\n%s", code, stderr)
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile("../../pipeline/lexicon.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("pipeline/lexicon.txt.gz is not what the documented command builds (the data, the rule packs "+
			"or the builder changed); rebuild it from the repository root with\n"+
			"go run ./cmd/vigil lexicon --out pipeline/lexicon.txt.gz --data %s", strings.Join(shippedLexiconData, ","))
	}
}

func TestLexiconCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "lex.txt.gz")
	rulesDir := t.TempDir()
	os.WriteFile(filepath.Join(rulesDir, "x.yaml"), []byte("pack: x\nrules:\n  - id: x.a\n    action: {tag: t}\n"+
		"    any: [\"зиккурат\"]\n    match: [\"зиккурат\"]\n    no_match: [\"дом\"]\n"), 0o644)
	code, _, stderr := runCmd(t, "", "lexicon", "--data", "../../testdata/recruitment/train.jsonl", "--out", out, "--min-count", "1", "--rules", rulesDir)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	words, err := pipeline.ReadLexicon(f)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, w := range words {
		seen[w.Word] = true
	}
	// a word of the data and a word only the --rules pack has
	for _, w := range []string{"джихад", "зиккурат"} {
		if !seen[w] {
			t.Errorf("%q missing from a lexicon of %d words", w, len(words))
		}
	}

	// FILE=LANGS keeps only those languages' documents; a directory
	// counts its *.jsonl.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"id":"1","lang":"kk","body":"қасиетті жер"}`+"\n"+
		`{"id":"2","lang":"en","body":"ziggurat"}`+"\n"+`{"id":"3","body":"ничейное"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte(`{"id":"4","lang":"ru","body":"вторфайл"}`+"\n"), 0o644)
	for _, tc := range []struct {
		data      string
		have, not []string
	}{
		{dir + "=kk+ru", []string{"қасиетті", "вторфайл"}, []string{"ziggurat", "ничейное"}},
		{dir, []string{"қасиетті", "ziggurat", "ничейное", "вторфайл"}, nil},
		{filepath.Join(dir, "a.jsonl") + "=en", []string{"ziggurat"}, []string{"қасиетті", "вторфайл"}},
	} {
		out := filepath.Join(t.TempDir(), "lex.txt.gz")
		if code, _, stderr := runCmd(t, "", "lexicon", "--data", tc.data, "--out", out, "--min-count", "1"); code != exitOK {
			t.Fatalf("%s: exit %d:\n%s", tc.data, code, stderr)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		words, err := pipeline.ReadLexicon(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, w := range words {
			got[w.Word] = true
		}
		for _, w := range tc.have {
			if !got[w] {
				t.Errorf("%s: %q missing", tc.data, w)
			}
		}
		for _, w := range tc.not {
			if got[w] {
				t.Errorf("%s: %q counted", tc.data, w)
			}
		}
	}

	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte("{\"id\":\"a\",\"body\":\"x\"}\n{not json\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lexicon"}, "usage"},
		{[]string{"lexicon", "--data", bad, "--out", out}, bad + ":2"},
		{[]string{"lexicon", "--data", "no-such.jsonl", "--out", out}, "no-such.jsonl"},
	} {
		code, _, stderr := runCmd(t, "", tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit 2 naming %q", tc.args, code, stderr, tc.want)
		}
	}
}
