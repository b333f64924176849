package classify

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
)

// Clusters puts words that are used alike in one group, at a few
// granularities (say 128, 512 and 2048 groups): a word the labelled data
// never showed the model still carries the features of its groups, which
// words it did show share. They are learned from unlabelled text
// (BuildClusters: word vectors, then k-means) and shipped beside the model.
// A word is looked up as it is. Clusters are read-only and safe for
// concurrent use.
type Clusters struct {
	// Levels are the number of groups at each granularity, coarsest first.
	Levels []int
	words  map[string][]uint32 // word → its group at each level
	// hashes maps hashString(seedWord, word), the hash the word feature
	// has anyway, to the feature hashes of its groups.
	hashes map[uint64][]uint64
}

// seedCluster keeps cluster features apart from every other word feature.
const seedCluster uint64 = 0x4cf5ad432745937f

// NewClusters returns the clusters that put each word of words in the
// groups it maps to, one per level; a group must be under its level.
func NewClusters(levels []int, words map[string][]uint32) (*Clusters, error) {
	if len(levels) == 0 {
		return nil, vigil.Errorf(vigil.EINVALID, "clusters: no levels")
	}
	for _, k := range levels {
		if k < 2 || k > 1<<20 {
			return nil, vigil.Errorf(vigil.EINVALID, "clusters: level of %d groups out of [2, %d]", k, 1<<20)
		}
	}
	c := &Clusters{Levels: slices.Clone(levels), words: words, hashes: make(map[uint64][]uint64, len(words))}
	for w, gs := range words {
		if len(gs) != len(levels) {
			return nil, vigil.Errorf(vigil.EINVALID, "clusters: word %q has %d groups, want %d", w, len(gs), len(levels))
		}
		hs := make([]uint64, len(gs))
		for l, g := range gs {
			if int(g) >= levels[l] {
				return nil, vigil.Errorf(vigil.EINVALID, "clusters: word %q: group %d of level %d out of range", w, g, l)
			}
			hs[l] = mix(seedCluster ^ uint64(l)<<40 ^ uint64(g))
		}
		c.hashes[hashString(seedWord, w)] = hs
	}
	return c, nil
}

// Len is the number of words.
func (c *Clusters) Len() int { return len(c.words) }

// Lookup returns the word's group at each level, or nil.
func (c *Clusters) Lookup(w string) []uint32 { return c.words[w] }

// lookupHashes returns the feature hashes of the groups of the word whose
// hashString(seedWord, word) is wh.
func (c *Clusters) lookupHashes(wh uint64) []uint64 { return c.hashes[wh] }

// WriteTo writes the clusters as text: a first line "#levels" and the
// levels, then one word a line, sorted, with its group at each level, all
// separated by tabs. It implements io.WriterTo.
func (c *Clusters) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	b.WriteString("#levels")
	for _, k := range c.Levels {
		b.WriteByte('\t')
		b.WriteString(strconv.Itoa(k))
	}
	b.WriteByte('\n')
	for _, word := range slices.Sorted(maps.Keys(c.words)) {
		b.WriteString(word)
		for _, g := range c.words[word] {
			b.WriteByte('\t')
			b.WriteString(strconv.FormatUint(uint64(g), 10))
		}
		b.WriteByte('\n')
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// ReadClusters reads clusters written by WriteTo; a malformed line is an
// error naming it.
func ReadClusters(r io.Reader) (*Clusters, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	var levels []int
	words := map[string][]uint32{}
	for line := 1; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if line == 1 {
			if f[0] != "#levels" || len(f) < 2 {
				return nil, vigil.Errorf(vigil.EINVALID, "clusters: line 1: want #levels<tab>N[<tab>N...]")
			}
			for _, s := range f[1:] {
				k, err := strconv.Atoi(s)
				if err != nil {
					return nil, vigil.Errorf(vigil.EINVALID, "clusters: line 1: level %q: not a number", s)
				}
				levels = append(levels, k)
			}
			continue
		}
		if len(f) != len(levels)+1 || f[0] == "" {
			return nil, vigil.Errorf(vigil.EINVALID, "clusters: line %d: want WORD and %d groups, tab-separated", line, len(levels))
		}
		if _, dup := words[f[0]]; dup {
			return nil, vigil.Errorf(vigil.EINVALID, "clusters: line %d: word %q again", line, f[0])
		}
		gs := make([]uint32, len(levels))
		for i, s := range f[1:] {
			g, err := strconv.ParseUint(s, 10, 32)
			if err != nil {
				return nil, vigil.Errorf(vigil.EINVALID, "clusters: line %d: group %q: not a number", line, s)
			}
			gs[i] = uint32(g)
		}
		words[f[0]] = gs
	}
	if err := sc.Err(); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "clusters: %v", err)
	}
	if levels == nil {
		return nil, vigil.Errorf(vigil.EINVALID, "clusters: empty")
	}
	c, err := NewClusters(levels, words)
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	return c, nil
}

// String describes the clusters for logs.
func (c *Clusters) String() string {
	return fmt.Sprintf("clusters(%d words, levels %v)", c.Len(), c.Levels)
}
