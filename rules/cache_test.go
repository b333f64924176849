package rules

import (
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/wordcache"
	"github.com/kz-newsroom/vigil/pipeline"
)

// TestCachesBoundedOnLongWords: distinct long words that reach the stemmer
// and the word memo (issue 14, row 3: 60,000-letter words kept whole in
// entry-bounded caches took RSS to gigabytes) leave the caches' heap small.
func TestCachesBoundedOnLongWords(t *testing.T) {
	set := compileYAML(t, "pack: t\nrules:\n  - id: join\n    action: {tag: t}\n    any: [\"вступать\"]\n    match: [вступаю]\n    no_match: [y]\n")
	set.memo = [2]*wordcache.Cache[[]int32]{wordcache.NewWords(memoMax, wordcache.Int32sBytes), wordcache.NewWords(memoMax, wordcache.Int32sBytes)} // as for a large automaton
	rng := rand.New(rand.NewPCG(14, 3))
	letters := []rune("абвгдежзийклмнопрстуфхцчшщъыьэюя")
	word := func() string {
		w := []rune("вступа")
		for range 10_000 {
			w = append(w, letters[rng.IntN(len(letters))])
		}
		return string(w)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 50 {
		var b strings.Builder
		for range 8 {
			b.WriteString(word())
			b.WriteString(" ")
		}
		text := b.String()
		f := pipeline.Field{Name: "body", Original: text, Text: text}
		set.Match(&f, vigil.LangRussian, vigil.KindComment)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 1<<20 {
		t.Errorf("heap grew %d bytes after 400 distinct 10,000-letter words; want under 1 MiB", grown)
	}
	for _, c := range set.caches {
		if c.Bytes() > stemCacheMax*wordcache.BytesPerWord {
			t.Errorf("stem cache holds %d bytes, over its bound %d", c.Bytes(), stemCacheMax*wordcache.BytesPerWord)
		}
	}
	runtime.KeepAlive(set)
}
