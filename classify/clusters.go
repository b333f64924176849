package classify

import (
	"bytes"
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
	// The words, sorted; word i's group at level l is groups[i*L+l]. Flat
	// slices, not a map of slices: 6 MB of heap for the shipped 73,352
	// words where maps of slices took 16.
	words  []string
	groups []uint32
	// index maps hashString(seedWord, word), the hash the word feature has
	// anyway, to the word's index.
	index map[uint64]int32
}

// seedCluster keeps cluster features apart from every other word feature.
const seedCluster uint64 = 0x4cf5ad432745937f

// NewClusters returns the clusters that put each word of words in the
// groups it maps to, one per level; a group must be under its level.
func NewClusters(levels []int, words map[string][]uint32) (*Clusters, error) {
	sorted := slices.Sorted(maps.Keys(words))
	groups := make([]uint32, 0, len(words)*len(levels))
	for _, w := range sorted {
		if len(words[w]) != len(levels) {
			return nil, vigil.Errorf(vigil.EINVALID, "clusters: word %q has %d groups, want %d", w, len(words[w]), len(levels))
		}
		groups = append(groups, words[w]...)
	}
	return newClusters(levels, sorted, groups, nil)
}

// newClusters makes the clusters of words (any order) and their groups,
// len(levels) a word in groups; line, when set, gives the line of each
// word for errors.
func newClusters(levels []int, words []string, groups []uint32, line []int) (*Clusters, error) {
	if len(levels) == 0 {
		return nil, vigil.Errorf(vigil.EINVALID, "clusters: no levels")
	}
	for _, k := range levels {
		if k < 2 || k > 1<<20 {
			return nil, vigil.Errorf(vigil.EINVALID, "clusters: level of %d groups out of [2, %d]", k, 1<<20)
		}
	}
	where := func(i int) string {
		if line != nil {
			return fmt.Sprintf("line %d: ", line[i])
		}
		return ""
	}
	L := len(levels)
	if !slices.IsSorted(words) { // WriteTo writes them sorted; BuildClusters and a file edited by hand need not
		words, groups, line = sortWords(words, groups, line, L)
	}
	c := &Clusters{Levels: slices.Clone(levels), words: words, groups: groups, index: make(map[uint64]int32, len(words))}
	for i, w := range words {
		for l, g := range groups[i*L : (i+1)*L] {
			if int(g) >= levels[l] {
				return nil, vigil.Errorf(vigil.EINVALID, "clusters: %sword %q: group %d of level %d out of range", where(i), w, g, l)
			}
		}
		h := hashString(seedWord, w)
		if j, dup := c.index[h]; dup && words[j] == w {
			return nil, vigil.Errorf(vigil.EINVALID, "clusters: %sword %q again", where(i), w)
		}
		c.index[h] = int32(i)
	}
	return c, nil
}

// sortWords returns words sorted, with their groups (L a word) and lines
// (when set) in the same order; a word written twice keeps its lines'
// order, so the second is the one reported.
func sortWords(words []string, groups []uint32, line []int, L int) ([]string, []uint32, []int) {
	order := make([]int, len(words))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(words[a], words[b]) })
	w, g := make([]string, len(words)), make([]uint32, len(groups))
	var l []int
	if line != nil {
		l = make([]int, len(line))
	}
	for to, from := range order {
		w[to] = words[from]
		copy(g[to*L:(to+1)*L], groups[from*L:(from+1)*L])
		if line != nil {
			l[to] = line[from]
		}
	}
	return w, g, l
}

// Len is the number of words.
func (c *Clusters) Len() int { return len(c.words) }

// Lookup returns the word's group at each level, or nil.
func (c *Clusters) Lookup(w string) []uint32 {
	i, ok := c.index[hashString(seedWord, w)]
	if !ok || c.words[i] != w {
		return nil
	}
	return c.row(i)
}

// groupsOf returns the groups of the word whose hashString(seedWord,
// word) is wh, one a level, or nil.
func (c *Clusters) groupsOf(wh uint64) []uint32 {
	i, ok := c.index[wh]
	if !ok {
		return nil
	}
	return c.row(i)
}

// row is word i's groups.
func (c *Clusters) row(i int32) []uint32 {
	L := len(c.Levels)
	return c.groups[int(i)*L:][:L:L]
}

// groupHash is the feature hash of group g of level l.
func groupHash(l int, g uint32) uint64 { return mix(seedCluster ^ uint64(l)<<40 ^ uint64(g)) }

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
	for i, word := range c.words {
		b.WriteString(word)
		for _, g := range c.groups[i*len(c.Levels):][:len(c.Levels)] {
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
	var buf bytes.Buffer
	if l, ok := r.(interface{ Len() int }); ok { // a bundle's file, read from memory
		buf.Grow(l.Len())
	}
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "clusters: %v", err)
	}
	// The words are substrings of one string: one allocation, not 73,352.
	text := buf.String()
	var (
		levels []int
		words  []string
		groups []uint32
		lines  []int
	)
	for line := 1; text != ""; line++ {
		var row string
		row, text, _ = strings.Cut(text, "\n")
		word, rest, _ := strings.Cut(row, "\t")
		if line == 1 {
			if word != "#levels" || rest == "" {
				return nil, vigil.Errorf(vigil.EINVALID, "clusters: line 1: want #levels<tab>N[<tab>N...]")
			}
			for _, s := range strings.Split(rest, "\t") {
				k, err := strconv.Atoi(s)
				if err != nil {
					return nil, vigil.Errorf(vigil.EINVALID, "clusters: line 1: level %q: not a number", s)
				}
				levels = append(levels, k)
			}
			words = make([]string, 0, strings.Count(text, "\n")+1)
			groups = make([]uint32, 0, cap(words)*len(levels))
			lines = make([]int, 0, cap(words))
			continue
		}
		if word == "" || strings.Count(rest, "\t") != len(levels)-1 || rest == "" {
			return nil, vigil.Errorf(vigil.EINVALID, "clusters: line %d: want WORD and %d groups, tab-separated", line, len(levels))
		}
		for s := range strings.SplitSeq(rest, "\t") {
			g, err := strconv.ParseUint(s, 10, 32)
			if err != nil {
				return nil, vigil.Errorf(vigil.EINVALID, "clusters: line %d: group %q: not a number", line, s)
			}
			groups = append(groups, uint32(g))
		}
		words, lines = append(words, word), append(lines, line)
	}
	if levels == nil {
		return nil, vigil.Errorf(vigil.EINVALID, "clusters: empty")
	}
	return newClusters(levels, words, groups, lines)
}

// String describes the clusters for logs.
func (c *Clusters) String() string {
	return fmt.Sprintf("clusters(%d words, levels %v)", c.Len(), c.Levels)
}
