package review

import (
	"hash/fnv"
	"strings"
	"unicode"

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
// A page holds at most MaxLimit items, so comparing every pair is cheap
// and exact; no MinHash or SimHash approximation is needed at this size.

// campaignSimilarity is the Jaccard similarity from which two comments are
// one campaign.
const campaignSimilarity = 0.5

// minCampaign is the fewest comments a campaign has.
const minCampaign = 2

// shingles returns the set of hashed character 4-grams of text's letters
// and digits.
func shingles(text string) map[uint64]struct{} {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	rs := []rune(strings.TrimSpace(b.String()))
	out := map[uint64]struct{}{}
	const k = 4
	for i := 0; i+k <= len(rs); i++ {
		h := fnv.New64a()
		h.Write([]byte(string(rs[i : i+k])))
		out[h.Sum64()] = struct{}{}
	}
	if len(rs) > 0 && len(rs) < k {
		h := fnv.New64a()
		h.Write([]byte(string(rs)))
		out[h.Sum64()] = struct{}{}
	}
	return out
}

func jaccard(a, b map[uint64]struct{}) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	both := 0
	for h := range a {
		if _, ok := b[h]; ok {
			both++
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
	sh := make([]map[uint64]struct{}, n)
	for i, it := range items {
		if it.Open() && it.Document.Kind == vigil.KindComment {
			sh[i] = shingles(it.Document.Title + " " + it.Document.Body)
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
