package rules

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// wordCache is a bounded map from words to values that depend on the word
// alone (its stem, the atoms that accept it), shared by every goroutine
// matching with one Set.
//
// Reads take no lock: the table is open-addressed, its slots are atomic
// pointers to immutable entries, and a full table is replaced, never
// modified in place, so a reader holding the old one still reads a valid
// table. An entry lost in a replacement is recomputed. It replaced 64
// shards of map + RWMutex, whose lookup (lock, hash, map probe, unlock)
// took 40% of BenchmarkMatch with stems: 40 ms of a 92 ms pass over 10 MB.
//
// It is bounded in entries and in bytes (keys, values and per-entry
// overhead, estimated), and words longer than maxCachedWordBytes are never
// kept: no real word is that long, and hostile text made of long distinct
// words would otherwise fill the entries with megabytes each.
type wordCache[V any] struct {
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

// maxCachedWordBytes is the longest word a cache keeps (64 Cyrillic
// letters); cacheBytesPerEntry is the byte budget per entry of the bound,
// cacheEntryOverhead what an entry costs beyond its key and value bytes
// (hash, headers, the slot, allocation rounding).
const (
	maxCachedWordBytes = 128
	cacheBytesPerEntry = 128
	cacheEntryOverhead = 64
)

// stringBytes and int32sBytes are the size functions of the caches' values.
func stringBytes(s string) int  { return len(s) }
func int32sBytes(v []int32) int { return 4 * cap(v) }

// minCacheSlots is a new cache's table: small, since a Set is compiled on
// every reload and most see few distinct words.
const minCacheSlots = 1 << 10

// newWordCache returns a cache of at most maxEntries words (rounded up to
// a power of two) and maxEntries*cacheBytesPerEntry bytes, size telling
// what a value holds; when it is full, it starts over empty.
func newWordCache[V any](maxEntries int, size func(V) int) *wordCache[V] {
	c := &wordCache[V]{seed: maphash.MakeSeed(), maxSlots: minCacheSlots,
		maxBytes: int64(maxEntries) * cacheBytesPerEntry, size: size}
	for c.maxSlots < 2*maxEntries {
		c.maxSlots *= 2
	}
	c.t.Store(newCacheTable[V](minCacheSlots))
	return c
}

func newCacheTable[V any](slots int) *cacheTable[V] {
	return &cacheTable[V]{slots: make([]atomic.Pointer[cacheEntry[V]], slots), mask: uint64(slots - 1)}
}

// get returns the value cached for w.
func (c *wordCache[V]) get(w string) (V, bool) {
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

// put caches v for w, unless w is longer than maxCachedWordBytes. A table
// at half load is replaced by one twice its size holding its entries, or,
// at the size limit, by an empty one; a table at its byte limit by an
// empty one of its size.
func (c *wordCache[V]) put(w string, v V) {
	if len(w) > maxCachedWordBytes {
		return
	}
	h := maphash.String(c.seed, w)
	cost := int64(len(w) + c.size(v) + cacheEntryOverhead)
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

// bytes returns the estimated bytes the cache holds.
func (c *wordCache[V]) bytes() int64 { return c.t.Load().bytes.Load() }

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
