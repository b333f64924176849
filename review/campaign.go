package review

import (
	"slices"
	"unicode"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

// Campaigns: the same comment posted many times with small changes (a
// name, an emoji, a link) is one campaign. The page groups the open
// comments it lists whose texts are near-duplicates, so that a moderator
// reads one and decides all of them at once (a bulk decision: each item is
// decided, audited and sent to the CMS on its own).
//
// Two comments are near-duplicates when the Jaccard similarity of their
// sets of character 4-grams, over text lower-cased with everything but
// letters and digits folded to one space, is at least campaignSimilarity.
// A page holds at most MaxLimit items, so comparing every pair on it is
// cheap and exact. Beyond the page, the store finds a campaign's other
// members (Store.Duplicates): each open comment's MinHash sketch is stored
// when it is queued, the comments sharing a sketch value with the page's
// are the candidates, and the same exact Jaccard test decides. With
// sketchSize values, two texts at similarity s share one with probability
// 1-(1-s)^sketchSize: 0.99998 at the threshold 0.5.

// campaignSimilarity is the Jaccard similarity from which two comments are
// one campaign.
const campaignSimilarity = 0.5

// minCampaign is the fewest comments a campaign has.
const minCampaign = 2

// shingleSet is a text's hashed character 4-grams, sorted and distinct,
// so that two sets intersect in one merge pass. BenchmarkDuplicates (a
// page of 50 against 950 candidates): 168 ms a lookup with hash sets and a
// string and a hasher per 4-gram, 103 ms with these; what is left is
// reading and decoding the candidates and making their shingles.
type shingleSet []uint64

// shingles returns the set of hashed character 4-grams of text's letters
// and digits. A 4-gram's hash is FNV-1a (64-bit) of its UTF-8 bytes: the
// stored sketches were made from these values, so they must not change
// (TestShinglesStable).
func shingles(text string) shingleSet {
	// One pass: lower case, and every run of other characters one space,
	// none at either end.
	rs := make([]rune, 0, len(text))
	for _, r := range text {
		if r = unicode.ToLower(r); unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		} else if len(rs) > 0 && rs[len(rs)-1] != ' ' {
			rs = append(rs, ' ')
		}
	}
	if len(rs) > 0 && rs[len(rs)-1] == ' ' {
		rs = rs[:len(rs)-1]
	}
	const k = 4
	out := make(shingleSet, 0, max(len(rs)-k+1, 1))
	var buf [k * utf8.UTFMax]byte
	hash := func(rs []rune) uint64 {
		n := 0
		for _, r := range rs {
			n += utf8.EncodeRune(buf[n:], r)
		}
		return fnv1a(buf[:n])
	}
	for i := 0; i+k <= len(rs); i++ {
		out = append(out, hash(rs[i:i+k]))
	}
	if len(rs) > 0 && len(rs) < k {
		out = append(out, hash(rs))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// fnv1a is the 64-bit FNV-1a hash of b (hash/fnv's New64a, without its
// allocation).
func fnv1a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// jaccard is the Jaccard similarity of two shingle sets.
func jaccard(a, b shingleSet) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	both := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			both++
			i++
			j++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}

// campaigns groups the open comments among items into campaigns of
// near-duplicates. It returns, for each item in a campaign, the campaign's
// number (the index of its first item in items); items in none are absent.
func campaigns(items []*vigil.ReviewItem) map[int64]int {
	n := len(items)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	sh := make([]shingleSet, n)
	for i, it := range items {
		if sketchable(it) {
			sh[i] = shingles(campaignText(&it.Document))
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			if sh[i] != nil && sh[j] != nil && jaccard(sh[i], sh[j]) >= campaignSimilarity {
				if a, b := find(i), find(j); a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
	}
	size := map[int]int{}
	for i := range n {
		if sh[i] != nil {
			size[find(i)]++
		}
	}
	out := map[int64]int{}
	for i, it := range items {
		if sh[i] != nil && size[find(i)] >= minCampaign {
			out[it.ID] = find(i)
		}
	}
	return out
}

// sketchSize is how many MinHash values a comment's sketch holds.
const sketchSize = 16

// sketch returns the MinHash sketch of a set of shingles: for each of
// sketchSize hash functions (the shingle's hash mixed with the function's
// seed), the least value, tagged with the function's number in the top
// bits so that values of different functions never meet. Nil for no
// shingles. The values fit a signed 64-bit column.
func sketch(sh shingleSet) []int64 {
	if len(sh) == 0 {
		return nil
	}
	var least [sketchSize]uint64
	for i := range least {
		least[i] = ^uint64(0)
	}
	for _, h := range sh { // one pass over the shingles, every function at once
		for i := range least {
			least[i] = min(least[i], mix(h^(uint64(i+1)*0x9e3779b97f4a7c15)))
		}
	}
	out := make([]int64, sketchSize)
	for i, l := range least {
		out[i] = int64(uint64(i)<<59 | l>>5)
	}
	return out
}

// mix is SplitMix64's finalizer: a fixed, well-spread hash of x.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// campaignText is what two comments are compared on.
func campaignText(doc *vigil.Document) string { return doc.Title + " " + doc.Body }

// sketchable reports whether an item takes part in campaigns: an open comment.
func sketchable(it *vigil.ReviewItem) bool {
	return it.Open() && it.Document.Kind == vigil.KindComment
}
