// Package wordcache is a bounded, lock-free cache from words to values
// that depend on the word alone, shared by every goroutine that reads
// text: the rule matcher's stems and atoms, the classifier's subword ids.
package wordcache

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// Cache is a bounded map from words to values that depend on the word
// alone.
//
// Reads take no lock: the table is open-addressed, its slots are atomic
// pointers to immutable entries, and a full table is replaced, never
// modified in place, so a reader holding the old one still reads a valid
// table. An entry lost in a replacement is recomputed. In the rule
// matcher it replaced 64 shards of map + RWMutex, whose lookup (lock,
// hash, map probe, unlock) took 40% of BenchmarkMatch with stems: 40 ms of
// a 92 ms pass over 10 MB; in the subword encoder the same kind of map
// took 12% of a retag of full articles.
//
// It is bounded in entries and in bytes (keys, values and per-entry
// overhead, estimated), and words longer than MaxWordBytes are never
// kept: no real word is that long, and hostile text made of long distinct
// words would otherwise fill the entries with megabytes each. A full cache
// starts over empty.
type Cache[V any] struct {
	seed     maphash.Seed
	maxSlots int
	maxBytes int64
	size     func(V) int // bytes a value holds beyond its header
	t        atomic.Pointer[cacheTable[V]]
}

type cacheTable[V any] struct {
	slots []atomic.Pointer[cacheEntry[V]]
	mask  uint64
	n     atomic.Int64 // entries
	bytes atomic.Int64 // estimated bytes of the entries
}

type cacheEntry[V any] struct {
	hash uint64
	key  string
	val  V
	cost int64
}

// MaxWordBytes is the longest word a cache keeps (64 Cyrillic letters);
// EntryOverhead what an entry costs beyond its key and value bytes (hash,
// headers, the slot, allocation rounding).
const (
	MaxWordBytes  = 128
	EntryOverhead = 64
)

// StringBytes, Int32sBytes, IntsBytes and Uint64sBytes are size functions
// for values.
func StringBytes(s string) int    { return len(s) }
func Int32sBytes(v []int32) int   { return 4 * cap(v) }
func IntsBytes(v []int) int       { return 8 * cap(v) }
func Uint64sBytes(v []uint64) int { return 8 * cap(v) }

// BytesPerWord is the byte budget per entry of NewWords: an entry costs
// EntryOverhead plus its word (at most MaxWordBytes) plus a small value,
// so a cache of real words meets its entry bound first and hostile text
// (long distinct words) its byte bound.
const BytesPerWord = 128

// NewWords returns a cache of at most maxEntries words with small values
// (stems, hashes, a few ids) and maxEntries*BytesPerWord bytes. A smaller
// byte budget than an entry costs would empty the cache before it holds
// maxEntries words.
func NewWords[V any](maxEntries int, size func(V) int) *Cache[V] {
	return New(maxEntries, int64(maxEntries)*BytesPerWord, size)
}

// minCacheSlots is a new cache's table: small, since a rule set is
// compiled on every reload and most see few distinct words.
const minCacheSlots = 1 << 10

// New returns a cache of at most maxEntries words (rounded up to a power
// of two) and maxBytes bytes, size telling what a value holds beyond its
// header; when it is full, it starts over empty.
func New[V any](maxEntries int, maxBytes int64, size func(V) int) *Cache[V] {
	c := &Cache[V]{seed: maphash.MakeSeed(), maxSlots: 2, maxBytes: maxBytes, size: size}
	for c.maxSlots < 2*maxEntries {
		c.maxSlots *= 2
	}
	c.t.Store(newCacheTable[V](min(minCacheSlots, c.maxSlots)))
	return c
}

func newCacheTable[V any](slots int) *cacheTable[V] {
	return &cacheTable[V]{slots: make([]atomic.Pointer[cacheEntry[V]], slots), mask: uint64(slots - 1)}
}

// Get returns the value cached for w.
func (c *Cache[V]) Get(w string) (V, bool) {
	h := maphash.String(c.seed, w)
	t := c.t.Load()
	for i, probes := h&t.mask, 0; probes < len(t.slots); i, probes = (i+1)&t.mask, probes+1 {
		e := t.slots[i].Load()
		if e == nil {
			break
		}
		if e.hash == h && e.key == w {
			return e.val, true
		}
	}
	var zero V
	return zero, false
}

// Put caches v for w, unless w is longer than MaxWordBytes. A table
// at half load is replaced by one twice its size holding its entries, or,
// at the size limit, by an empty one; a table at its byte limit by an
// empty one of its size.
func (c *Cache[V]) Put(w string, v V) {
	if len(w) > MaxWordBytes {
		return
	}
	h := maphash.String(c.seed, w)
	cost := int64(len(w) + c.size(v) + EntryOverhead)
	t := c.t.Load()
	full := int(t.n.Load()) >= len(t.slots)/2
	if full || t.bytes.Load()+cost > c.maxBytes {
		size := len(t.slots)
		if full {
			size = min(2*size, c.maxSlots)
		}
		next := newCacheTable[V](size)
		if size > len(t.slots) {
			for i := range t.slots {
				if e := t.slots[i].Load(); e != nil {
					next.insert(e)
				}
			}
		}
		// If another goroutine replaced t first, use its table.
		if !c.t.CompareAndSwap(t, next) {
			next = c.t.Load()
		}
		t = next
	}
	t.insert(&cacheEntry[V]{hash: h, key: strings.Clone(w), val: v, cost: cost})
}

// Bytes returns the estimated bytes the cache holds.
func (c *Cache[V]) Bytes() int64 { return c.t.Load().bytes.Load() }

// Len returns the number of words the cache holds.
func (c *Cache[V]) Len() int { return int(c.t.Load().n.Load()) }

// insert adds e unless its word is there already; on a table that some
// racing writers filled, it gives up rather than probe forever.
func (t *cacheTable[V]) insert(e *cacheEntry[V]) {
	for i, probes := e.hash&t.mask, 0; probes < len(t.slots); i, probes = (i+1)&t.mask, probes+1 {
		if t.slots[i].CompareAndSwap(nil, e) {
			t.n.Add(1)
			t.bytes.Add(e.cost)
			return
		}
		if old := t.slots[i].Load(); old.hash == e.hash && old.key == e.key {
			return
		}
	}
}
