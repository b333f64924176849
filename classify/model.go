package classify

import (
	"cmp"
	"math"
	"slices"
	"sync"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Label kinds: a tag is a topic of the verdict, a flag a category that needs
// a human.
const (
	KindTag  = "tag"
	KindFlag = "flag"
)

// DefaultThreshold is a label's threshold before one is chosen on dev data.
const DefaultThreshold = 0.5

// Label is one output of a model.
type Label struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // KindTag or KindFlag
	// Threshold is the probability at or above which the label is given.
	Threshold float64 `json:"threshold"`
	// CalibA and CalibB calibrate the label's score (Platt scaling, fitted
	// on held-out data by Calibrate): the probability is σ(CalibA·z +
	// CalibB) for the linear score z. CalibA 0 means uncalibrated: σ(z).
	CalibA float64 `json:"calib_a,omitempty"`
	CalibB float64 `json:"calib_b,omitempty"`
}

// Model is a trained linear classifier: one logistic output per label over
// hashed features, with weights quantized to int8 (one scale per label).
// A Model is immutable after training or reading and safe for concurrent
// use; scoring allocates nothing in the steady state.
type Model struct {
	Labels   []Label
	Features FeatureConfig

	bias  []float32 // per label
	scale []float32 // per label: weight = scale * q
	// rows holds one row of stride = 1+len(Labels) bytes per bucket: the
	// bucket's idf code, then its int8 weights. Keeping the idf beside the
	// weights makes a feature cost one cache miss, not two (the table is
	// megabytes, so misses are what scoring spends its time on).
	rows   []byte
	stride int
	// idfStep turns an idf code into idf (code × step); idfVal caches that
	// for every code, times nothing else.
	idfStep float32
	idfVal  [256]float32

	feat *featurizer
	pool sync.Pool // *scratch
}

// newModel builds a model from its quantized weights q (Buckets × L) and
// idf codes (nil when the model does not weight by idf).
func newModel(labels []Label, cfg FeatureConfig, bias, scale []float32, q []int8, codes []byte, step float32, sub SubwordEncoder) *Model {
	L, B := len(labels), cfg.Buckets()
	m := &Model{Labels: labels, Features: cfg, bias: bias, scale: scale, stride: L + 1}
	m.rows = make([]byte, B*m.stride)
	for b := range B {
		row := m.rows[b*m.stride:][:m.stride]
		row[0] = 1
		if codes != nil {
			row[0] = codes[b]
		}
		for l, v := range q[b*L : (b+1)*L] {
			row[1+l] = byte(v)
		}
	}
	m.init(step, sub)
	return m
}

// init sets the derived state of a model whose rows are filled.
func (m *Model) init(step float32, sub SubwordEncoder) {
	m.idfStep = step
	for c := range m.idfVal {
		if m.Features.IDF {
			m.idfVal[c] = float32(c) * step
		} else {
			m.idfVal[c] = float32(c)
		}
	}
	m.feat = newFeaturizer(m.Features, sub, nil, nil)
	m.pool.New = func() any { return &scratch{} }
}

// dequantize returns the weights as floats, Buckets × L, row-major.
func (m *Model) dequantize() []float32 {
	L := len(m.Labels)
	w := make([]float32, m.Features.Buckets()*L)
	for b := range m.Features.Buckets() {
		for l, q := range m.rows[b*m.stride+1 : (b+1)*m.stride] {
			w[b*L+l] = m.scale[l] * float32(int8(q))
		}
	}
	return w
}

// idfCodes returns the idf code of every bucket, or nil when the model does
// not weight by idf.
func (m *Model) idfCodes() []byte {
	if !m.Features.IDF {
		return nil
	}
	codes := make([]byte, m.Features.Buckets())
	for b := range codes {
		codes[b] = m.rows[b*m.stride]
	}
	return codes
}

// SetSubwords gives the model the tokenizer its subword features come from.
// A model trained with subwords and scored without them still works, only
// worse; call SetSubwords before the model is shared.
func (m *Model) SetSubwords(sub SubwordEncoder) {
	m.feat = newFeaturizer(m.Features, sub, m.feat.dict, m.feat.clusters)
}

// SetDictionary gives a model trained with Features.Dictionary the
// dictionary it was trained with (the bundle's dictionary.tsv); without it
// the model scores Kazakh and English worse. Call it before the model is
// shared.
func (m *Model) SetDictionary(d *Dictionary) {
	m.feat = newFeaturizer(m.Features, m.feat.sub, d, m.feat.clusters)
}

// SetClusters gives a model trained with Features.Clusters the word
// clusters it was trained with (the bundle's clusters.tsv); without them
// the model scores worse. Call it before the model is shared.
func (m *Model) SetClusters(c *Clusters) {
	m.feat = newFeaturizer(m.Features, m.feat.sub, m.feat.dict, c)
}

// NumLabels is the number of outputs.
func (m *Model) NumLabels() int { return len(m.Labels) }

// LabelIndex returns the index of the label called name, or -1.
func (m *Model) LabelIndex(name string) int {
	for i, l := range m.Labels {
		if l.Name == name {
			return i
		}
	}
	return -1
}

// Scores appends to dst the probability of every label, in the order of
// m.Labels, for a document made of fields (their Words are read).
func (m *Model) Scores(dst []float64, fields []pipeline.Field) []float64 {
	s := m.pool.Get().(*scratch)
	s.ids = m.ids(s.ids[:0], fields, s)
	dst = m.scoreIDs(dst, s.ids, s)
	m.put(s)
	return dst
}

func (m *Model) ids(dst []uint32, fields []pipeline.Field, s *scratch) []uint32 {
	for i := range fields {
		dst = m.feat.appendField(dst, fields[i].Words, s)
	}
	return dst
}

// maxPooledIDs bounds the feature buffer kept for reuse: one huge document
// must not pin megabytes in the pool for good.
const maxPooledIDs = 1 << 18

func (m *Model) put(s *scratch) {
	if cap(s.ids) > maxPooledIDs {
		s.ids = nil
	}
	m.pool.Put(s)
}

// scoreIDs appends the label probabilities for the feature ids.
func (m *Model) scoreIDs(dst []float64, ids []uint32, s *scratch) []float64 {
	L := len(m.Labels)
	if cap(s.acc) < L {
		s.acc = make([]float32, L)
	}
	acc := s.acc[:L]
	clear(acc)
	var ss float32
	switch {
	case L == 1:
		ss, acc[0] = m.sumOne(ids, s)
	case L >= 8:
		ss = m.sum8(acc, ids, s)
	default:
		ss = m.sum(acc, ids, s)
	}
	var sc float32
	if ss > 0 {
		sc = 1 / float32(math.Sqrt(float64(ss)))
	}
	for l := range acc {
		z := float64(m.bias[l] + sc*m.scale[l]*acc[l])
		if a := m.Labels[l].CalibA; a != 0 {
			z = a*z + m.Labels[l].CalibB
		}
		dst = append(dst, sigmoid(z))
	}
	return dst
}

// sum adds each feature's weighted row to acc (one entry per label) and
// returns the sum of the squared feature values. Every entry gets the same
// float32 operations in the same order as a plain loop over ids and
// labels; the loop only keeps the model's fields in registers and reads
// int8 weights as floats from a table.
//
// The rows are megabytes and hit in random order, so scoring waits on
// memory. Touching the row prefetchDist features ahead starts its load
// early (Go has no prefetch instruction); the loads overlap.
func (m *Model) sum(acc []float32, ids []uint32, s *scratch) (ss float32) {
	rows, stride := m.rows, m.stride
	gw := m.Features.Weights
	idfVal := &m.idfVal
	var touch byte
	for i, id := range ids {
		if j := i + prefetchDist; j < len(ids) {
			touch ^= rows[int(ids[j]&bucketMask)*stride]
		}
		off := int(id&bucketMask) * stride
		row := rows[off : off+stride : off+stride]
		v := gw[id>>groupShift] * idfVal[row[0]]
		ss += v * v
		q := row[1:]
		a := acc[:len(q)]
		for l, b := range q {
			a[l] += v * int8Float[b]
		}
	}
	s.touch = touch
	return ss
}

// sum8 is sum for a model of 8 labels or more, the first 8 of them
// accumulated in registers rather than in acc.
func (m *Model) sum8(acc []float32, ids []uint32, s *scratch) (ss float32) {
	rows, stride := m.rows, m.stride
	gw := m.Features.Weights
	idfVal := &m.idfVal
	var touch byte
	var a0, a1, a2, a3, a4, a5, a6, a7 float32
	rest := acc[8:]
	for i, id := range ids {
		if j := i + prefetchDist; j < len(ids) {
			touch ^= rows[int(ids[j]&bucketMask)*stride]
		}
		off := int(id&bucketMask) * stride
		row := rows[off : off+stride : off+stride]
		v := gw[id>>groupShift] * idfVal[row[0]]
		ss += v * v
		q := row[1:9:9]
		a0 += v * int8Float[q[0]]
		a1 += v * int8Float[q[1]]
		a2 += v * int8Float[q[2]]
		a3 += v * int8Float[q[3]]
		a4 += v * int8Float[q[4]]
		a5 += v * int8Float[q[5]]
		a6 += v * int8Float[q[6]]
		a7 += v * int8Float[q[7]]
		tail := row[9:]
		r := rest[:len(tail)]
		for l, b := range tail {
			r[l] += v * int8Float[b]
		}
	}
	acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7] = a0, a1, a2, a3, a4, a5, a6, a7
	s.touch = touch
	return ss
}

// sumOne is sum for a model of one label (a flag head's).
func (m *Model) sumOne(ids []uint32, s *scratch) (ss, acc float32) {
	rows := m.rows[:len(m.rows)&^1]
	gw := m.Features.Weights
	idfVal := &m.idfVal
	var touch byte
	for i, id := range ids {
		if j := i + prefetchDist; j < len(ids) {
			touch ^= rows[int(ids[j]&bucketMask)*2]
		}
		off := int(id&bucketMask) * 2
		row := rows[off : off+2 : off+2]
		v := gw[id>>groupShift] * idfVal[row[0]]
		ss += v * v
		acc += v * int8Float[row[1]]
	}
	s.touch = touch
	return ss, acc
}

// int8Float is float32(int8(b)) for every byte b.
var int8Float = func() (t [256]float32) {
	for b := range t {
		t[b] = float32(int8(b))
	}
	return t
}()

const prefetchDist = 8

// value is a feature's weight before normalization and its weight for
// label l.
func (m *Model) value(id uint32, l int) (v, w float32) {
	row := m.rows[int(id&bucketMask)*m.stride:][:m.stride]
	return m.Features.Weights[id>>groupShift] * m.idfVal[row[0]], float32(int8(row[1+l])) * m.scale[l]
}

// Predict returns the labels at or above their thresholds with their
// probabilities, highest first.
func (m *Model) Predict(fields []pipeline.Field) []Prediction {
	s := m.pool.Get().(*scratch)
	s.ids = m.ids(s.ids[:0], fields, s)
	s.scores = m.scoreIDs(s.scores[:0], s.ids, s)
	var out []Prediction
	for l, p := range s.scores {
		if p >= m.Labels[l].Threshold {
			out = append(out, Prediction{Label: l, Name: m.Labels[l].Name, Score: p})
		}
	}
	m.put(s)
	slices.SortFunc(out, func(a, b Prediction) int { return cmp.Compare(b.Score, a.Score) })
	return out
}

// Prediction is one label given to a document.
type Prediction struct {
	Label int // index into Model.Labels
	Name  string
	Score float64
}

// Contribution is what one piece of a document added to a label's logit.
// Word contributions gather the word's own feature, its char n-grams and its
// subwords; bigram contributions stand alone.
type Contribution struct {
	Feature string // "word:вступай", "bigram:вступай в"
	// Field is the index of the field in the fields given to Explain; Start
	// and End are byte offsets into that field's normalized Text (map them
	// to the original with pipeline.Field.Evidence).
	Field      int
	Start, End int
	Weight     float64
}

// Explain returns the k features of the document that push label hardest
// towards yes (largest positive contribution to its logit first). It is
// slower than scoring and meant for evidence, not for every label of every
// document. It returns nil for an out-of-range label.
func (m *Model) Explain(fields []pipeline.Field, label, k int) []Contribution {
	if label < 0 || label >= len(m.Labels) || k <= 0 {
		return nil
	}
	s := m.pool.Get().(*scratch)
	defer m.put(s)
	s.ids = m.ids(s.ids[:0], fields, s)
	var ss float32
	for _, id := range s.ids {
		v, _ := m.value(id, label)
		ss += v * v
	}
	if ss == 0 {
		return nil
	}
	sc := 1 / float32(math.Sqrt(float64(ss)))
	contrib := func(ids []uint32) float64 {
		var a float32
		for _, id := range ids {
			v, w := m.value(id, label)
			a += v * w
		}
		return float64(sc * a)
	}
	var out []Contribution
	var buf []uint32
	for fi := range fields {
		words := fields[fi].Words
		for i, t := range words {
			// One word's features, as appendField makes them, minus its bigram.
			buf = m.feat.appendWordFeatures(buf[:0], t.Text, hashString(seedWord, t.Text))
			buf = m.feat.appendPieces(buf, t.Text, s)
			out = append(out, Contribution{Feature: describe(groupWord, t.Text), Field: fi,
				Start: t.Start, End: t.End, Weight: contrib(buf)})
			if m.feat.cfg.Bigrams && i > 0 {
				p := words[i-1]
				h := mix(hashString(seedWord, p.Text)*0x100000001b3 ^ hashString(seedWord, t.Text) ^ seedBigram)
				buf = append(buf[:0], m.feat.id(groupBigram, h))
				out = append(out, Contribution{Feature: describe(groupBigram, p.Text+" "+t.Text), Field: fi,
					Start: p.Start, End: t.End, Weight: contrib(buf)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Contribution) int { return cmp.Compare(b.Weight, a.Weight) })
	n := 0
	for n < len(out) && n < k && out[n].Weight > 0 {
		n++
	}
	return out[:n:n]
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// checkLabels validates a label list.
func checkLabels(labels []Label) error {
	if len(labels) == 0 {
		return vigil.Errorf(vigil.EINVALID, "model: no labels")
	}
	if len(labels) > maxLabels {
		return vigil.Errorf(vigil.EINVALID, "model: %d labels, at most %d", len(labels), maxLabels)
	}
	seen := make(map[string]bool, len(labels))
	for _, l := range labels {
		switch {
		case l.Name == "":
			return vigil.Errorf(vigil.EINVALID, "model: empty label name")
		case seen[l.Name]:
			return vigil.Errorf(vigil.EINVALID, "model: label %q twice", l.Name)
		case l.Kind != KindTag && l.Kind != KindFlag:
			return vigil.Errorf(vigil.EINVALID, "model: label %q: kind %q is neither tag nor flag", l.Name, l.Kind)
		case !(l.Threshold >= 0 && l.Threshold <= 1):
			return vigil.Errorf(vigil.EINVALID, "model: label %q: threshold %v out of [0, 1]", l.Name, l.Threshold)
		}
		seen[l.Name] = true
	}
	return nil
}

const maxLabels = 256
