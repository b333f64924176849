package rules

import "github.com/kz-newsroom/vigil/internal/wordcache"

// cacheBytesPerEntry is the byte budget per entry of the rule matcher's
// word caches (stems, atoms per word): with the entry bound, what keeps
// them small whatever the text.
const cacheBytesPerEntry = 128

// newWordCache returns a word cache of at most maxEntries words and
// maxEntries*cacheBytesPerEntry bytes.
func newWordCache[V any](maxEntries int, size func(V) int) *wordcache.Cache[V] {
	return wordcache.New(maxEntries, int64(maxEntries)*cacheBytesPerEntry, size)
}
