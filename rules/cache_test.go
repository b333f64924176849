package rules

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// TestWordCacheConcurrent fills a small cache from several goroutines with
// many more words than it holds, so tables grow and start over while
// others read: every hit must be the value put for that word.
func TestWordCacheConcurrent(t *testing.T) {
	c := newWordCache(4096, stringBytes)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50000 {
				w := "слово" + strconv.Itoa((i*7+g)%20000)
				if v, ok := c.get(w); ok {
					if v != w+"!" {
						t.Errorf("get(%q) = %q", w, v)
						return
					}
					continue
				}
				c.put(w, w+"!")
			}
		})
	}
	wg.Wait()
	if n := len(c.t.Load().slots); n > c.maxSlots {
		t.Errorf("table has %d slots, limit %d", n, c.maxSlots)
	}
	// After a put, the word is there (the table it went into is current).
	c.put("последнее", "x")
	if v, ok := c.get("последнее"); !ok || v != "x" {
		t.Errorf("get after put = %q, %v", v, ok)
	}
	if _, ok := c.get("никогда"); ok {
		t.Error("a word never put was found")
	}
}

// TestCachesBoundedOnLongWords: distinct long words that reach the stemmer
// and the word memo (issue 14, row 3: 60,000-letter words kept whole in
// entry-bounded caches took RSS to gigabytes) leave the caches' heap small.
func TestCachesBoundedOnLongWords(t *testing.T) {
	set := compileYAML(t, "pack: t\nrules:\n  - id: join\n    action: {tag: t}\n    any: [\"вступать\"]\n    match: [вступаю]\n    no_match: [y]\n")
	set.memo = [2]*wordCache[[]int32]{newWordCache(memoMax, int32sBytes), newWordCache(memoMax, int32sBytes)} // as for a large automaton
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
		if c.bytes() > c.maxBytes {
			t.Errorf("stem cache holds %d bytes, over its bound %d", c.bytes(), c.maxBytes)
		}
	}
	runtime.KeepAlive(set)
}
