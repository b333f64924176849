package classify

import (
	"cmp"
	"context"
	"math"
	"slices"

	vigil "github.com/kz-newsroom/vigil"
)

// ClusterOptions tune BuildClusters. The zero value of a field means its
// default.
type ClusterOptions struct {
	// Dim is the length of the word vectors (default 100).
	Dim int `json:"dim"`
	// Window is the most words either side of a word that count as its
	// context (default 5; each word draws its own window up to it).
	Window int `json:"window"`
	// Negatives is how many words drawn at random each context word is set
	// against (default 5).
	Negatives int `json:"negatives"`
	// Epochs is how many passes over the text (default 5).
	Epochs int `json:"epochs"`
	// MinCount is how often a word must occur to get a vector (default 3).
	MinCount int `json:"min_count"`
	// Sample is the frequency above which words are skipped at random,
	// the more the more frequent (default 1e-4).
	Sample float64 `json:"sample"`
	// LR is the initial learning rate, decaying linearly (default 0.025).
	LR float64 `json:"lr"`
	// Levels are the number of groups at each granularity, coarsest first;
	// each must divide the next (default 128, 512, 2048). A level splits
	// each group of the one before it by k-means.
	Levels []int `json:"levels"`
	// Seed fixes every random draw: the same text and options give the
	// same clusters.
	Seed uint64 `json:"seed"`
	// Progress, when set, hears each finished epoch.
	Progress func(epoch, epochs int) `json:"-"`
}

func (o *ClusterOptions) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Dim, 100)
	def(&o.Window, 5)
	def(&o.Negatives, 5)
	def(&o.Epochs, 5)
	def(&o.MinCount, 3)
	if o.Sample <= 0 {
		o.Sample = 1e-4
	}
	if o.LR <= 0 {
		o.LR = 0.025
	}
	if len(o.Levels) == 0 {
		o.Levels = []int{128, 512, 2048}
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
}

// WithDefaults returns the options with every zero field set to its
// default, as BuildClusters uses them.
func (o ClusterOptions) WithDefaults() ClusterOptions {
	o.defaults()
	return o
}

// BuildClusters learns word vectors from sentences (each a list of
// normalized words) by skip-gram with negative sampling (Mikolov et al.
// 2013), then groups the words by spherical k-means, level by level: the
// first level over every word, each next one splitting each group of the
// level before. Words used alike end up in one group, so a classifier
// that knows a group from its labelled data reads the group's other words
// too. One thread, one random stream: the same input gives the same
// clusters. It returns ctx's error if ctx ends first.
func BuildClusters(ctx context.Context, sentences [][]string, opt ClusterOptions) (*Clusters, error) {
	opt.defaults()
	for i, k := range opt.Levels {
		if k < 2 || (i > 0 && k%opt.Levels[i-1] != 0) {
			return nil, vigil.Errorf(vigil.EINVALID, "clusters: levels %v: each must be at least 2 and divide the next", opt.Levels)
		}
	}
	vocab, ids := clusterVocab(sentences, opt.MinCount)
	if len(vocab) < opt.Levels[len(opt.Levels)-1] {
		return nil, vigil.Errorf(vigil.EINVALID, "clusters: %d words occur %d times or more, fewer than the %d groups asked for",
			len(vocab), opt.MinCount, opt.Levels[len(opt.Levels)-1])
	}
	vecs, err := skipGram(ctx, vocab, ids, opt)
	if err != nil {
		return nil, err
	}
	words := make([]string, len(vocab))
	for i, w := range vocab {
		words[i] = w.word
	}
	return newClusters(opt.Levels, words, kMeansLevels(vecs, len(vocab), opt), nil)
}

type vocabWord struct {
	word  string
	count int
}

// clusterVocab counts the words, keeps those occurring minCount times or
// more (most frequent first, ties by word) and returns the sentences as
// vocabulary ids, the other words dropped.
func clusterVocab(sentences [][]string, minCount int) ([]vocabWord, [][]int32) {
	counts := map[string]int{}
	for _, s := range sentences {
		for _, w := range s {
			counts[w]++
		}
	}
	var vocab []vocabWord
	for w, c := range counts {
		if c >= minCount {
			vocab = append(vocab, vocabWord{w, c})
		}
	}
	slices.SortFunc(vocab, func(a, b vocabWord) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.word, b.word))
	})
	index := make(map[string]int32, len(vocab))
	for i, w := range vocab {
		index[w.word] = int32(i)
	}
	ids := make([][]int32, 0, len(sentences))
	for _, s := range sentences {
		var row []int32
		for _, w := range s {
			if id, ok := index[w]; ok {
				row = append(row, id)
			}
		}
		if len(row) > 1 {
			ids = append(ids, row)
		}
	}
	return vocab, ids
}

// rng is word2vec's linear congruential generator, the same stream on every
// platform. math/rand/v2's PCG, which the trainer draws from, would do as
// well (4 ns a draw against 1.7, half a second of the three minutes), but
// it draws other numbers: every group of the shipped clusters.tsv would
// change, so it waits for the clusters' next rebuild.
type rng uint64

func (r *rng) next() uint64 {
	*r = *r*25214903917 + 11
	return uint64(*r)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// negTableSize is the length of the table negatives are drawn from.
const negTableSize = 1 << 22

// skipGram returns the input vectors, one row of opt.Dim per vocabulary
// word, each scaled to unit length.
func skipGram(ctx context.Context, vocab []vocabWord, sentences [][]int32, opt ClusterOptions) ([]float32, error) {
	V, D := len(vocab), opt.Dim
	r := rng(opt.Seed)
	in := make([]float32, V*D)
	for i := range in {
		in[i] = (float32(r.float()) - 0.5) / float32(D)
	}
	out := make([]float32, V*D)
	// Negatives are drawn by unigram frequency to the power 0.75.
	table := make([]int32, negTableSize)
	var total, norm float64
	for _, w := range vocab {
		total += float64(w.count)
		norm += math.Pow(float64(w.count), 0.75)
	}
	for i, w, cum := 0, 0, math.Pow(float64(vocab[0].count), 0.75)/norm; i < negTableSize; i++ {
		table[i] = int32(w)
		if float64(i+1)/negTableSize > cum && w < V-1 {
			w++
			cum += math.Pow(float64(vocab[w].count), 0.75) / norm
		}
	}
	// keep[w] is the chance a word is kept (word2vec's subsampling).
	keep := make([]float64, V)
	for i, w := range vocab {
		f := float64(w.count) / total
		keep[i] = min(1, (math.Sqrt(f/opt.Sample)+1)*opt.Sample/f)
	}
	var words int
	for _, s := range sentences {
		words += len(s)
	}
	steps := float64(words * opt.Epochs)
	grad := make([]float32, D)
	var done float64
	kept := make([]int32, 0, 64)
	for epoch := range opt.Epochs {
		for si, s := range sentences {
			if si%1024 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lr := float32(opt.LR * max(1e-4, 1-done/steps))
			done += float64(len(s))
			kept = kept[:0]
			for _, w := range s {
				if keep[w] >= 1 || r.float() < keep[w] {
					kept = append(kept, w)
				}
			}
			for pos, center := range kept {
				b := int(r.next()>>16) % opt.Window
				for c := max(0, pos-opt.Window+b); c <= min(len(kept)-1, pos+opt.Window-b); c++ {
					if c == pos {
						continue
					}
					vin := in[int(kept[c])*D:][:D]
					clear(grad)
					for n := 0; n <= opt.Negatives; n++ {
						target, label := center, float32(1)
						if n > 0 {
							target = table[(r.next()>>16)%negTableSize]
							if target == center {
								continue
							}
							label = 0
						}
						vout := out[int(target)*D:][:D]
						var dot float32
						for i, x := range vin {
							dot += x * vout[i]
						}
						g := (label - sigmoid32(dot)) * lr
						for i := range grad {
							grad[i] += g * vout[i]
							vout[i] += g * vin[i]
						}
					}
					for i := range vin {
						vin[i] += grad[i]
					}
				}
			}
		}
		if opt.Progress != nil {
			opt.Progress(epoch+1, opt.Epochs)
		}
	}
	for w := range V {
		unit(in[w*D:][:D])
	}
	return in, nil
}

func sigmoid32(x float32) float32 {
	switch {
	case x > 8:
		return 1
	case x < -8:
		return 0
	}
	return float32(1 / (1 + math.Exp(-float64(x))))
}

// unit scales v to unit length (a zero vector stays zero).
func unit(v []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		return
	}
	s := float32(1 / math.Sqrt(ss))
	for i := range v {
		v[i] *= s
	}
}

// kMeansIterations is how many rounds each k-means runs.
const kMeansIterations = 15

// kMeansLevels groups the V unit vectors of vecs level by level and
// returns each word's group at every level, len(opt.Levels) a word.
func kMeansLevels(vecs []float32, V int, opt ClusterOptions) []uint32 {
	D, L := opt.Dim, len(opt.Levels)
	groups := make([]uint32, V*L)
	r := rng(opt.Seed ^ 0x5bd1e995)
	members := [][]int{make([]int, V)}
	for i := range V {
		members[0][i] = i
	}
	parts := 1
	for l, k := range opt.Levels {
		split := k / parts
		var next [][]int
		for p, m := range members {
			sub := sphericalKMeans(vecs, D, m, split, &r)
			for j, s := range sub {
				for _, w := range s {
					groups[w*L+l] = uint32(p*split + j)
				}
			}
			next = append(next, sub...)
		}
		members, parts = next, k
	}
	return groups
}

// sphericalKMeans splits the words of members into k groups by cosine
// similarity (centroids from k members drawn at random), returning the
// members of each; a group may be empty when members are fewer than k.
func sphericalKMeans(vecs []float32, D int, members []int, k int, r *rng) [][]int {
	out := make([][]int, k)
	if len(members) <= k {
		for i, w := range members {
			out[i] = []int{w}
		}
		return out
	}
	cent := make([]float32, k*D)
	perm := slices.Clone(members)
	for i := range k { // a partial Fisher-Yates shuffle picks k distinct seeds
		j := i + int(r.next()>>16)%(len(perm)-i)
		perm[i], perm[j] = perm[j], perm[i]
		copy(cent[i*D:][:D], vecs[perm[i]*D:][:D])
	}
	assign := make([]int, len(members))
	for it := range kMeansIterations {
		changed := false
		for i, w := range members {
			v := vecs[w*D:][:D]
			best, bestSim := 0, float32(math.Inf(-1))
			for c := range k {
				var dot float32
				for d, x := range cent[c*D:][:D] {
					dot += x * v[d]
				}
				if dot > bestSim {
					best, bestSim = c, dot
				}
			}
			if it == 0 || assign[i] != best {
				changed = true
			}
			assign[i] = best
		}
		if !changed {
			break
		}
		clear(cent)
		for i, w := range members {
			c := cent[assign[i]*D:][:D]
			for d, x := range vecs[w*D:][:D] {
				c[d] += x
			}
		}
		for c := range k {
			unit(cent[c*D:][:D]) // an empty group keeps a zero centroid and takes no one
		}
	}
	for i, w := range members {
		out[assign[i]] = append(out[assign[i]], w)
	}
	return out
}
