package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

func TestDetectLang(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"Вербовщики террористических организаций активно работают в Казахстане.", "ru"},
		{"Қазақстан Республикасының Президенті жаңа заңға қол қойды.", "kk"},
		{"Terrorist recruiters are active in Kazakhstan, officials said.", "en"},
		{"Бұл туралы министрлік хабарлады", "kk"},
		{"мен де барамын", "kk"},
		{"Это не так", "ru"},
		{"ДЖИХАД", "ru"},
		{"iPhone 15 Pro: обзор и цены в Казахстане", "ru"},
		{"KZ: Астана, 2023", "ru"},
		{"", "ru"},
		{"12345 !!!", "ru"},
		{"Samsung высмеяла Apple", "ru"},
		{"Безопасники порой беспардонными бывают, да.", "ru"},
		{"Boeing has sued Virgin Galactic over trade secrets, Коммерсантъ reports", "en"},
	} {
		if got := DetectLang(tc.text); got != tc.want {
			t.Errorf("DetectLang(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestDetectLangSIB200 measures language detection on the SIB-200
// sentences of the topics corpus (parallel ru, kk, en), read as raw and as
// normalized text. It needs the corpora beside the repository
// (../shared/data) and skips without them.
func TestDetectLangSIB200(t *testing.T) {
	var docs []vigil.Document
	for _, name := range []string{"train.jsonl", "dev.jsonl"} {
		path := filepath.Join("..", "..", "shared", "data", "topics", name)
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			t.Skipf("%s is absent: the corpora are not checked out beside the repository", path)
		}
		if err != nil {
			t.Fatal(err)
		}
		dr := vigil.NewDocumentReader(f, 0)
		for {
			d, line, err := dr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			if strings.HasPrefix(d.Source, "SIB-200") {
				docs = append(docs, d)
			}
		}
		f.Close()
	}
	if len(docs) == 0 {
		t.Fatal("no SIB-200 sentences found")
	}
	for _, mode := range []string{"raw", "normalized"} {
		correct := 0
		confusion := map[string]int{}
		for _, d := range docs {
			text := d.Title + "\n" + d.Body
			if mode == "normalized" {
				text = NormalizeText(text)
			}
			got := DetectLang(text)
			if got == d.Lang {
				correct++
			} else {
				confusion[d.Lang+"→"+got]++
				if testing.Verbose() {
					t.Logf("%s: %s, detected %s: %.80q", d.ID, d.Lang, got, text)
				}
			}
		}
		acc := float64(correct) / float64(len(docs))
		t.Logf("SIB-200 %s: %d/%d correct (%.2f%%), errors %v", mode, correct, len(docs), 100*acc, fmt.Sprint(confusion))
		if acc < 0.99 {
			t.Errorf("SIB-200 %s accuracy %.2f%%, want at least 99%%", mode, 100*acc)
		}
	}
}

func BenchmarkDetectLang(b *testing.B) {
	texts, size := corpusTexts(b)
	for i, s := range texts {
		texts[i] = NormalizeText(s)
	}
	cpu := startCPU(b, size)
	for b.Loop() {
		for _, s := range texts {
			DetectLang(s)
		}
	}
	cpu.stop()
}

// TestDetectLangCorpora measures language detection on whole corpora (the
// documents' lang is their source's language), beside the SIB-200 test:
// headlines, articles, comments and English news. It needs ../shared/data
// and skips without it. The few misses on comments are English quotes and
// bare links in Russian threads.
func TestDetectLangCorpora(t *testing.T) {
	for _, name := range []string{"topics/train.jsonl", "toxicity/train.jsonl", "agnews/train.jsonl"} {
		path := filepath.Join("..", "..", "shared", "data", name)
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			t.Skipf("%s is absent: the corpora are not checked out beside the repository", path)
		}
		if err != nil {
			t.Fatal(err)
		}
		n, correct := 0, 0
		dr := vigil.NewDocumentReader(f, 0)
		for {
			d, line, err := dr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			n++
			if got := DetectLang(NormalizeText(d.Title + "\n" + d.Body)); got == d.Lang {
				correct++
			} else if testing.Verbose() {
				t.Logf("%s: %s, detected %s: %.80q", d.ID, d.Lang, got, d.Title+" "+d.Body)
			}
		}
		f.Close()
		acc := float64(correct) / float64(n)
		t.Logf("%s: %d/%d correct (%.2f%%)", name, correct, n, 100*acc)
		if acc < 0.995 {
			t.Errorf("%s: accuracy %.2f%%, want at least 99.5%%", name, 100*acc)
		}
	}
}
