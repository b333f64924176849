package wordcache

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestConcurrent fills a small cache from several goroutines with
// many more words than it holds, so tables grow and start over while
// others read: every hit must be the value put for that word.
func TestConcurrent(t *testing.T) {
	c := New(4096, 4096*128, StringBytes)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50000 {
				w := "слово" + strconv.Itoa((i*7+g)%20000)
				if v, ok := c.Get(w); ok {
					if v != w+"!" {
						t.Errorf("get(%q) = %q", w, v)
						return
					}
					continue
				}
				c.Put(w, w+"!")
			}
		})
	}
	wg.Wait()
	if n := len(c.t.Load().slots); n > c.maxSlots {
		t.Errorf("table has %d slots, limit %d", n, c.maxSlots)
	}
	// After a put, the word is there (the table it went into is current).
	c.Put("последнее", "x")
	if v, ok := c.Get("последнее"); !ok || v != "x" {
		t.Errorf("get after put = %q, %v", v, ok)
	}
	if _, ok := c.Get("никогда"); ok {
		t.Error("a word never put was found")
	}
}

// TestBounds: a cache never holds more than its bytes, and words longer
// than MaxWordBytes are never kept.
func TestBounds(t *testing.T) {
	c := New(1<<10, 10_000, StringBytes)
	for i := range 5000 {
		w := "слово" + strconv.Itoa(i)
		c.Put(w, strings.Repeat("x", 50))
		if c.Bytes() > 10_000 {
			t.Fatalf("after %d puts the cache holds %d bytes, bound 10000", i+1, c.Bytes())
		}
	}
	long := strings.Repeat("я", MaxWordBytes/2+1)
	c.Put(long, "v")
	if _, ok := c.Get(long); ok {
		t.Errorf("a %d-byte word was kept", len(long))
	}
	if c.Len() == 0 {
		t.Error("the cache holds nothing")
	}
	small := New(100, 1<<20, StringBytes)
	for i := range 1000 {
		small.Put("w"+strconv.Itoa(i), "")
		if small.Len() > 128 {
			t.Fatalf("a cache of 100 words (128 rounded up) holds %d", small.Len())
		}
	}
}

// TestNewWordsHoldsItsWords: a NewWords cache holds as many words as it
// was made for (its byte budget covers an entry's overhead), so it does
// not start over before its word bound.
func TestNewWordsHoldsItsWords(t *testing.T) {
	const n = 1 << 12
	c := NewWords(n, func(uint64) int { return 0 })
	for i := range n {
		c.Put(fmt.Sprintf("словоформа-%05d", i), uint64(i))
	}
	if c.Len() != n {
		t.Errorf("holds %d of %d words (%d bytes)", c.Len(), n, c.Bytes())
	}
}
