package classify

import (
	"fmt"
	"math"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Feature groups. A feature id carries its group in its top two bits and its
// hash bucket in the rest, so one uint32 says both where the weights are and
// how much the feature counts.
const (
	groupWord = iota
	groupBigram
	groupChar
	groupSubword
	groupCluster
	numGroups
)

var groupNames = [numGroups]string{"word", "bigram", "char", "subword", "cluster"}

const (
	groupShift = 29
	bucketMask = 1<<groupShift - 1
	// maxBucketBits bounds the hash table at 2^28 rows (the group bits
	// leave 29 for the bucket).
	maxBucketBits = 28
)

// Seeds keep the groups apart in hash space: the word "мир" and the char
// trigram "мир" land in different buckets.
const (
	seedWord    uint64 = 0x9e3779b97f4a7c15
	seedBigram  uint64 = 0xc2b2ae3d27d4eb4f
	seedChar    uint64 = 0x165667b19e3779f9
	seedSubword uint64 = 0x27d4eb2f165667c5
	seedStem    uint64 = 0x94d049bb133111eb
	seedConcept uint64 = 0xbf58476d1ce4e5b9
)

// FeatureConfig says which features the model reads and how many hash
// buckets they share. It is stored with the model: scoring must use exactly
// the configuration the weights were trained with.
type FeatureConfig struct {
	// BucketBits is log2 of the number of hash buckets (rows of the weight
	// table).
	BucketBits int `json:"bucket_bits"`
	// Bigrams adds word bigrams inside a field.
	Bigrams bool `json:"bigrams"`
	// MinN and MaxN bound the character n-grams, in runes, taken from each
	// word wrapped in '<' and '>'. MaxN 0 disables them.
	MinN int `json:"min_n"`
	MaxN int `json:"max_n"`
	// Subwords adds the word's BPE subword ids, when the model has a
	// tokenizer.
	Subwords bool `json:"subwords"`
	// KazakhStems adds, for a word with Kazakh letters, the word stripped
	// of its inflectional endings (pipeline.KazakhStem) as a second word
	// feature, so соғыста, соғыстың and соғысқа share one.
	KazakhStems bool `json:"kk_stems,omitempty"`
	// EnglishStems adds, for a word with a Latin letter, its English
	// Snowball stem as a second word feature.
	EnglishStems bool `json:"en_stems,omitempty"`
	// RussianStems adds, for a word with a Russian letter, its Russian
	// Snowball stem as a second word feature, so дебил, дебила and
	// дебилам share one (the toxic head: +0.3 points of out-of-fold F1).
	RussianStems bool `json:"ru_stems,omitempty"`
	// Dictionary adds, for a Kazakh or English word the model's Dictionary
	// knows, the word features of its Russian translations.
	Dictionary bool `json:"dictionary,omitempty"`
	// Clusters adds, for a word the model's Clusters know, its group at
	// each of their levels, as features of the cluster group.
	Clusters bool `json:"clusters,omitempty"`
	// IDF weights each bucket by its inverse document frequency in the
	// training data (the table is stored with the model).
	IDF bool `json:"idf"`
	// Weights scales each group: word, bigram, char, subword, cluster. A
	// document's feature vector is then normalized to unit length. A model
	// written before the cluster group reads its weight as 0.
	Weights [numGroups]float32 `json:"weights"`
}

// DefaultFeatures is the configuration `vigil train` uses unless told
// otherwise: unigrams, bigrams, char 3..5-grams, subwords, idf, 2^19
// buckets (2^20 scored no better on the project's corpora and is slower:
// the table no longer fits in cache).
func DefaultFeatures() FeatureConfig {
	return FeatureConfig{
		BucketBits: 19,
		Bigrams:    true,
		MinN:       3,
		MaxN:       5,
		Subwords:   true,
		IDF:        true,
		Weights:    [numGroups]float32{1, 1, 0.5, 0.5, 0.5},
	}
}

// Validate reports a configuration a model cannot be built or read with.
func (c *FeatureConfig) Validate() error {
	switch {
	case c.BucketBits < 4 || c.BucketBits > maxBucketBits:
		return vigil.Errorf(vigil.EINVALID, "features: bucket_bits %d out of [4, %d]", c.BucketBits, maxBucketBits)
	case c.MaxN != 0 && (c.MinN < 1 || c.MinN > c.MaxN || c.MaxN > 16):
		return vigil.Errorf(vigil.EINVALID, "features: char n-gram range [%d, %d] invalid", c.MinN, c.MaxN)
	}
	for g, w := range c.Weights {
		if w < 0 || w > 100 || math.IsNaN(float64(w)) {
			return vigil.Errorf(vigil.EINVALID, "features: %s weight %v out of [0, 100]", groupNames[g], w)
		}
	}
	return nil
}

// ClusterWeight is the weight of the cluster group (Features.Clusters).
func (c *FeatureConfig) ClusterWeight() float32 { return c.Weights[groupCluster] }

// SetClusterWeight sets the weight of the cluster group.
func (c *FeatureConfig) SetClusterWeight(w float32) { c.Weights[groupCluster] = w }

// Buckets is the number of rows of the weight table.
func (c *FeatureConfig) Buckets() int { return 1 << c.BucketBits }

// SubwordEncoder splits a word into subword ids. *Subwords implements it;
// implementations must be safe for concurrent use.
type SubwordEncoder interface {
	WordIDs(word string) []int
}

// featurizer turns word tokens into feature ids. It is read-only after
// construction and safe for concurrent use; per-call scratch comes from the
// caller.
type featurizer struct {
	cfg  FeatureConfig
	mask uint64
	sub  SubwordEncoder
	dict *Dictionary // nil unless cfg.Dictionary
	// clusters is nil unless cfg.Clusters.
	clusters *Clusters
	// idf, when set, scales each bucket by its inverse document frequency
	// in the training data. Only the trainer sets it; a Model keeps the idf
	// in its weight rows.
	idf []float32
}

func newFeaturizer(cfg FeatureConfig, sub SubwordEncoder, dict *Dictionary, clusters *Clusters) *featurizer {
	if !cfg.Subwords {
		sub = nil
	}
	if !cfg.Dictionary {
		dict = nil
	}
	if !cfg.Clusters {
		clusters = nil
	}
	return &featurizer{cfg: cfg, mask: uint64(cfg.Buckets() - 1), sub: sub, dict: dict, clusters: clusters}
}

// scratch is per-call working memory, pooled by the model so that scoring a
// document allocates nothing in the steady state.
type scratch struct {
	ids    []uint32
	word   []byte // '<' + word + '>'
	starts []int  // rune start offsets in word, plus its length
	chars  []uint64
	acc    []float32
	scores []float64
	touch  byte // keeps the prefetching loads of scoreIDs alive
}

// appendField appends the feature ids of one field's words to dst. Bigrams
// do not cross fields.
func (f *featurizer) appendField(dst []uint32, words []pipeline.Token, s *scratch) []uint32 {
	var prev uint64
	for i, w := range words {
		h := hashString(seedWord, w.Text)
		dst = f.appendWordFeatures(dst, w.Text, h)
		if f.cfg.Bigrams && i > 0 {
			dst = append(dst, f.id(groupBigram, mix(prev*0x100000001b3^h^seedBigram)))
		}
		prev = h
		dst = f.appendPieces(dst, w.Text, s)
	}
	return dst
}

// appendWordFeatures appends the word-group ids of one word (h is
// hashString(seedWord, word)): the word, its stems, its dictionary
// translations.
func (f *featurizer) appendWordFeatures(dst []uint32, word string, h uint64) []uint32 {
	dst = append(dst, f.id(groupWord, h))
	if f.cfg.KazakhStems {
		if st := pipeline.KazakhStem(word); st != word {
			dst = append(dst, f.id(groupWord, hashString(seedStem, st)))
		}
	}
	if f.cfg.EnglishStems {
		if st := englishStem(word); st != word {
			dst = append(dst, f.id(groupWord, hashString(seedStem, st)))
		}
	}
	if f.cfg.RussianStems {
		if sh, ok := russianStemHash(word); ok {
			dst = append(dst, f.id(groupWord, sh))
		}
	}
	if f.dict != nil {
		for _, dh := range f.dict.lookupHashes(word, h) {
			dst = append(dst, f.id(groupWord, dh))
		}
	}
	return f.appendClusters(dst, h)
}

// appendClusters appends the cluster-group ids of the word whose
// hashString(seedWord, word) is h: its group at each level.
func (f *featurizer) appendClusters(dst []uint32, h uint64) []uint32 {
	if f.clusters == nil {
		return dst
	}
	for l, g := range f.clusters.groupsOf(h) {
		dst = append(dst, f.id(groupCluster, groupHash(l, g)))
	}
	return dst
}

// appendPieces appends the ids of one word's pieces: char n-grams and
// subwords.
func (f *featurizer) appendPieces(dst []uint32, word string, s *scratch) []uint32 {
	if f.cfg.MaxN > 0 {
		dst = f.appendChars(dst, word, s)
	}
	if f.sub != nil {
		for _, id := range f.sub.WordIDs(word) {
			dst = append(dst, f.id(groupSubword, mix(uint64(id)+seedSubword)))
		}
	}
	return dst
}

// appendChars appends the char n-gram ids of word (see appendCharHashes).
func (f *featurizer) appendChars(dst []uint32, word string, s *scratch) []uint32 {
	s.chars = appendCharHashes(s.chars[:0], word, f.cfg.MinN, f.cfg.MaxN, &s.word, &s.starts)
	for _, h := range s.chars {
		dst = append(dst, f.id(groupChar, h))
	}
	return dst
}

func (f *featurizer) id(group int, h uint64) uint32 {
	return uint32(h&f.mask) | uint32(group)<<groupShift
}

// scale returns the factor that gives the feature vector of ids unit L2
// length, each occurrence counting with its group weight.
func (f *featurizer) scale(ids []uint32) float32 {
	var ss float32
	if f.idf != nil {
		for _, id := range ids {
			v := f.value(id)
			ss += v * v
		}
	} else {
		var counts [numGroups]int
		for _, id := range ids {
			counts[id>>groupShift]++
		}
		for g, n := range counts {
			ss += float32(n) * f.cfg.Weights[g] * f.cfg.Weights[g]
		}
	}
	if ss == 0 {
		return 0
	}
	return 1 / float32(math.Sqrt(float64(ss)))
}

// value is the feature's weight before document normalization.
func (f *featurizer) value(id uint32) float32 {
	v := f.cfg.Weights[id>>groupShift]
	if f.idf != nil {
		v *= f.idf[id&bucketMask]
	}
	return v
}

// hashString is 64-bit FNV-1a of s, started from seed.
func hashString(seed uint64, s string) uint64 {
	h := seed ^ 0xcbf29ce484222325
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 0x100000001b3
	}
	return mix(h)
}

// mix is the murmur3 64-bit finalizer: FNV's low bits are weak, and the
// bucket is taken from the low bits.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// describe names a feature for explanations.
func describe(group int, text string) string {
	return fmt.Sprintf("%s:%s", groupNames[group], text)
}
