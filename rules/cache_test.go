package rules

import (
	"strconv"
	"sync"
	"testing"
)

// TestWordCacheConcurrent fills a small cache from several goroutines with
// many more words than it holds, so tables grow and start over while
// others read: every hit must be the value put for that word.
func TestWordCacheConcurrent(t *testing.T) {
	c := newWordCache[string](4096)
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
