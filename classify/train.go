package classify

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Example is one training document: its fields (Words are read) and the
// indices of its gold labels. An example with no labels is a negative for
// every label.
type Example struct {
	Fields []pipeline.Field
	Labels []int
	// Only, when not nil, lists the labels the example speaks for: it is a
	// positive of those in Labels and a negative of the rest of Only, and
	// tells nothing about the others (data labelled for some labels only,
	// such as weak labels from rules). Nil means every label.
	Only []int
}

// Knows says whether the example speaks for label l (see Only).
func (ex *Example) Knows(l int) bool { return ex.Only == nil || slices.Contains(ex.Only, l) }

// TrainOptions tune training. The zero value of a field means its default.
type TrainOptions struct {
	Features FeatureConfig // zero: DefaultFeatures()
	// Epochs over the training set (default 10).
	Epochs int
	// LR is the initial learning rate, decayed linearly to zero (default 1).
	LR float64
	// NoNB turns off the NB scaling of the weights (see nbTable); it is on
	// by default: +0.4 to +1.5 points of macro F1 on the project's corpora.
	NoNB bool
	// NoAverage turns off weight averaging. By default the final weights
	// are the mean of the weights after each epoch of the second half of
	// training, a cheap form of Polyak averaging that smooths SGD's last
	// steps.
	NoAverage bool
	// Threads is the number of training goroutines (default GOMAXPROCS,
	// at most Shards). It changes the speed, not the result.
	Threads int
	// Shards is the number of logical workers whose updates are summed
	// after each round (default 2). Summed updates from more shards
	// overshoot on frequent features at the default learning rate
	// (measured: 8 shards lose 1-2 points of F1), so raise it only with a
	// lower LR.
	Shards int
	// Batch is how many examples each shard runs per round (default 256):
	// a round of Shards × Batch examples sees the weights as they were at
	// its start.
	Batch int
	// IDF, when set, is the idf table to use instead of one counted over
	// the training examples (see NewIDF). Models trained with one table
	// can be averaged into one (AverageModels).
	IDF *IDF
	// Dictionary gives Kazakh and English words the features of their
	// Russian translations when Features.Dictionary is set; scoring needs
	// the same dictionary (Model.SetDictionary).
	Dictionary *Dictionary
	// Clusters give words the features of their groups when
	// Features.Clusters is set; scoring needs the same clusters
	// (Model.SetClusters).
	Clusters *Clusters
	// Seed fixes the example order: same data, options and seed give the
	// same model, bit for bit, for any thread count on one CPU architecture.
	Seed uint64
	// Progress, when set, is called after every epoch with the mean
	// log-loss per label of that epoch.
	Progress func(epoch, epochs int, loss float64)
}

func (o *TrainOptions) defaults() {
	if o.Features == (FeatureConfig{}) {
		o.Features = DefaultFeatures()
	}
	if o.Epochs <= 0 {
		o.Epochs = 10
	}
	if o.LR <= 0 {
		o.LR = 1
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.Shards <= 0 {
		o.Shards = 2
	}
	if o.Batch <= 0 {
		o.Batch = 256
	}
}

// Train fits a model on examples: one-vs-rest logistic regression over
// hashed features by SGD (see the package documentation for the math).
// labels names the outputs; their thresholds start at DefaultThreshold
// until SelectThresholds. sub gives subword features and may be nil.
// Train returns ctx's error if ctx ends first.
func Train(ctx context.Context, labels []Label, examples []Example, sub SubwordEncoder, opt TrainOptions) (*Model, error) {
	opt.defaults()
	if err := opt.Features.Validate(); err != nil {
		return nil, err
	}
	labels = append([]Label(nil), labels...)
	for i := range labels {
		if labels[i].Threshold == 0 {
			labels[i].Threshold = DefaultThreshold
		}
	}
	if err := checkLabels(labels); err != nil {
		return nil, err
	}
	if len(examples) == 0 {
		return nil, vigil.Errorf(vigil.EINVALID, "train: no examples")
	}
	L := len(labels)
	for i, ex := range examples {
		for _, l := range slices.Concat(ex.Labels, ex.Only) {
			if l < 0 || l >= L {
				return nil, vigil.Errorf(vigil.EINVALID, "train: example %d: label index %d out of range", i, l)
			}
		}
	}
	feat := newFeaturizer(opt.Features, sub, opt.Dictionary, opt.Clusters)
	t := &trainer{L: L, feat: feat, opt: opt}
	if err := t.featurize(ctx, examples); err != nil {
		return nil, err
	}
	if !opt.NoNB {
		t.nb = nbTable(t.ids, t.gold, t.only, opt.Features.Buckets(), L)
	}
	if err := t.run(ctx); err != nil {
		return nil, err
	}
	if t.nb != nil {
		for i := range t.w {
			t.w[i] *= t.nb[i]
		}
	}
	bias, scale, q := quantize(t.w, t.bias, L)
	m := newModel(labels, opt.Features, bias, scale, q, t.idfCodes, t.idfStep, sub)
	m.SetDictionary(opt.Dictionary)
	m.SetClusters(opt.Clusters)
	return m, nil
}

type trainer struct {
	L    int
	feat *featurizer
	opt  TrainOptions

	ids    [][]uint32
	scales []float32
	gold   [][]int
	only   [][]int // Example.Only

	idfCodes []byte
	idfStep  float32

	nb   []float32 // Buckets × L NB scales, nil with NoNB
	w    []float32 // Buckets × L
	bias []float32
}

// featurize computes every example's feature ids once, in parallel.
func (t *trainer) featurize(ctx context.Context, examples []Example) error {
	n := len(examples)
	t.ids = make([][]uint32, n)
	t.scales = make([]float32, n)
	t.gold = make([][]int, n)
	t.only = make([][]int, n)
	var wg sync.WaitGroup
	for w := range t.opt.Threads {
		wg.Go(func() {
			s := &scratch{}
			for i := w; i < n; i += t.opt.Threads {
				if i%1024 == 0 && ctx.Err() != nil {
					return
				}
				var ids []uint32
				for _, f := range examples[i].Fields {
					ids = t.feat.appendField(ids, f.Words, s)
				}
				t.ids[i] = ids
				t.gold[i] = examples[i].Labels
				t.only[i] = examples[i].Only
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.opt.Features.IDF {
		if idf := t.opt.IDF; idf != nil {
			if len(idf.codes) != t.feat.cfg.Buckets() {
				return vigil.Errorf(vigil.EINVALID, "train: idf table has %d buckets, features %d", len(idf.codes), t.feat.cfg.Buckets())
			}
			t.idfCodes, t.idfStep = idf.codes, idf.step
		} else {
			t.idfCodes, t.idfStep = idfTable(t.ids, t.feat.cfg.Buckets())
		}
		t.feat.idf = decodeIDF(t.idfCodes, t.idfStep)
	}
	for i, ids := range t.ids {
		t.scales[i] = t.feat.scale(ids)
	}
	return nil
}

// shard is one logical worker's private view of the weights during a
// round: its updates go to a sparse delta (read as w + delta) that is added
// to w after the round, shards in order. The number of shards is fixed
// (Shards), whatever the number of goroutines that run them, so the result
// depends on neither scheduling nor the core count.
type shard struct {
	pos     []int32   // bucket → index of its row in delta, -1 when untouched
	delta   []float32 // touched rows × L, in order of first touch
	touched []uint32  // buckets, in order of first touch
	dbias   []float32
	score   []float64
	loss    float64
}

func (t *trainer) run(ctx context.Context) error {
	L, B := t.L, t.feat.cfg.Buckets()
	n := len(t.ids)
	t.w = make([]float32, B*L)
	t.bias = make([]float32, L)
	// Start each bias at the label's log-odds in the data, so early steps
	// learn features rather than base rates.
	pos := make([]float64, L)
	for _, g := range t.gold {
		for _, l := range g {
			pos[l]++
		}
	}
	for l := range t.bias {
		p := (pos[l] + 0.5) / (float64(n) + 1)
		t.bias[l] = float32(math.Log(p / (1 - p)))
	}
	S := t.opt.Shards
	shards := make([]*shard, S)
	for i := range shards {
		sh := &shard{pos: make([]int32, B), dbias: make([]float32, L), score: make([]float64, L)}
		for b := range sh.pos {
			sh.pos[b] = -1
		}
		shards[i] = sh
	}
	G := min(t.opt.Threads, S) // goroutines
	var avg []float32
	var avgBias []float32
	var avgN int
	avgFrom := t.opt.Epochs / 2
	if t.opt.NoAverage || t.opt.Epochs < 2 {
		avgFrom = t.opt.Epochs
	}
	rng := rand.New(rand.NewPCG(t.opt.Seed, 0x5eed))
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	total := float64(t.opt.Epochs) * float64(n)
	round := S * t.opt.Batch
	for epoch := range t.opt.Epochs {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, sh := range shards {
			sh.loss = 0
		}
		for start := 0; start < n; start += round {
			if err := ctx.Err(); err != nil {
				return err
			}
			var wg sync.WaitGroup
			for g := range G {
				wg.Go(func() {
					for si := g; si < S; si += G {
						lo := min(n, start+si*t.opt.Batch)
						hi := min(n, lo+t.opt.Batch)
						done := float64(epoch)*float64(n) + float64(lo)
						t.step(shards[si], order[lo:hi], done, total)
					}
				})
			}
			wg.Wait()
			for _, sh := range shards {
				t.merge(sh)
			}
		}
		var loss float64
		for _, sh := range shards {
			loss += sh.loss
		}
		if epoch >= avgFrom {
			if avg == nil {
				avg = make([]float32, len(t.w))
				avgBias = make([]float32, L)
			}
			for i, v := range t.w {
				avg[i] += v
			}
			for i, v := range t.bias {
				avgBias[i] += v
			}
			avgN++
		}
		if t.opt.Progress != nil {
			t.opt.Progress(epoch+1, t.opt.Epochs, loss/float64(n*L))
		}
	}
	if avgN > 1 {
		inv := 1 / float32(avgN)
		for i := range avg {
			avg[i] *= inv
		}
		for i := range avgBias {
			avgBias[i] *= inv
		}
		t.w, t.bias = avg, avgBias
	}
	return nil
}

// step runs SGD over the examples idx, the first of which is number done of
// total in the whole run (for the learning-rate schedule).
func (t *trainer) step(sh *shard, idx []int, done, total float64) {
	L := t.L
	for k, i := range idx {
		lr := t.opt.LR * max(0, 1-(done+float64(k))/total)
		ids, sc := t.ids[i], t.scales[i]
		if len(ids) == 0 {
			continue
		}
		score := sh.score
		for l := range score {
			score[l] = float64(t.bias[l] + sh.dbias[l])
		}
		for _, id := range ids {
			b := id & bucketMask
			g := float64(t.feat.value(id) * sc)
			row := t.w[int(b)*L:][:L]
			if t.nb != nil {
				r := t.nb[int(b)*L:][:L]
				var drow []float32
				if p := sh.pos[b]; p >= 0 {
					drow = sh.delta[int(p)*L:][:L]
				}
				for l := range score {
					v := row[l]
					if drow != nil {
						v += drow[l]
					}
					score[l] += g * float64(r[l]*v)
				}
			} else if p := sh.pos[b]; p >= 0 {
				drow := sh.delta[int(p)*L:][:L]
				for l := range score {
					score[l] += g * float64(row[l]+drow[l])
				}
			} else {
				for l := range score {
					score[l] += g * float64(row[l])
				}
			}
		}
		gold, only := t.gold[i], t.only[i]
		for l := range score {
			if only != nil && !slices.Contains(only, l) {
				score[l] = 0 // the example says nothing about l
				continue
			}
			y := 0.0
			for _, gl := range gold {
				if gl == l {
					y = 1
				}
			}
			p := sigmoid(score[l])
			if y == 1 {
				sh.loss -= math.Log(max(p, 1e-12))
			} else {
				sh.loss -= math.Log(max(1-p, 1e-12))
			}
			score[l] = lr * (p - y) // reuse as the step along the gradient
			sh.dbias[l] -= float32(score[l])
		}
		for _, id := range ids {
			b := id & bucketMask
			p := sh.pos[b]
			if p < 0 {
				p = int32(len(sh.touched))
				sh.pos[b] = p
				sh.touched = append(sh.touched, b)
				sh.delta = append(sh.delta, make([]float32, L)...)
			}
			g := float64(t.feat.value(id) * sc)
			drow := sh.delta[int(p)*L:][:L]
			if t.nb != nil {
				r := t.nb[int(b)*L:][:L]
				for l := range drow {
					drow[l] -= float32(score[l]*g) * r[l]
				}
				continue
			}
			for l := range drow {
				drow[l] -= float32(score[l] * g)
			}
		}
	}
}

func (t *trainer) merge(sh *shard) {
	L := t.L
	for i, b := range sh.touched {
		row, drow := t.w[int(b)*L:][:L], sh.delta[i*L:][:L]
		for l := range row {
			row[l] += drow[l]
		}
		sh.pos[b] = -1
	}
	sh.touched, sh.delta = sh.touched[:0], sh.delta[:0]
	for l := range t.bias {
		t.bias[l] += sh.dbias[l]
		sh.dbias[l] = 0
	}
}

// idfTable returns, per bucket, log((1+N)/(1+df))+1 quantized to a byte
// (code × step), df counting the documents a bucket occurs in. A bucket no
// training document has gets idf 0: at scoring time a feature never seen in
// training neither votes nor dilutes the seen ones, as with a fixed
// vocabulary.
func idfTable(ids [][]uint32, buckets int) (codes []byte, step float32) {
	df := make([]int32, buckets)
	last := make([]int32, buckets) // 1 + index of the last doc that counted
	for i, doc := range ids {
		for _, id := range doc {
			b := id & bucketMask
			if last[b] != int32(i+1) {
				last[b] = int32(i + 1)
				df[b]++
			}
		}
	}
	n := float64(len(ids))
	top := math.Log(1+n) + 1
	step = float32(top / 255)
	codes = make([]byte, buckets)
	for b, d := range df {
		if d > 0 {
			v := math.Log((1+n)/(1+float64(d))) + 1
			codes[b] = byte(max(1, min(255, math.Round(v/float64(step)))))
		}
	}
	return codes, step
}

// IDF is an idf table: a quantized inverse document frequency per feature
// bucket, counted over a set of documents.
type IDF struct {
	codes []byte
	step  float32
}

// NewIDF counts the idf table of examples under the feature configuration
// (and subword encoder) a model will be trained with.
func NewIDF(examples []Example, cfg FeatureConfig, sub SubwordEncoder) (*IDF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	f := newFeaturizer(cfg, sub, nil, nil)
	ids := make([][]uint32, len(examples))
	s := &scratch{}
	for i, ex := range examples {
		for _, fl := range ex.Fields {
			ids[i] = f.appendField(ids[i], fl.Words, s)
		}
	}
	codes, step := idfTable(ids, cfg.Buckets())
	return &IDF{codes: codes, step: step}, nil
}

// AverageModels returns one model whose logits are the mean of the
// models' logits (up to the int8 quantization of its weights): their
// weights and biases averaged. The models must share labels, feature
// configuration and idf table (TrainOptions.IDF), which makes every
// model's feature vector, and so its normalization, the same; then a mean
// of logits is the logit of the mean weights. One model scores in a fifth
// of the time of five: the time goes on cache misses in the weight rows.
func AverageModels(ms ...*Model) (*Model, error) {
	if len(ms) == 0 {
		return nil, vigil.Errorf(vigil.EINVALID, "average: no model")
	}
	m0 := ms[0]
	L, B := len(m0.Labels), m0.Features.Buckets()
	for _, m := range ms[1:] {
		same := len(m.Labels) == L && m.Features == m0.Features && m.idfStep == m0.idfStep
		for l := 0; same && l < L; l++ {
			same = m.Labels[l].Name == m0.Labels[l].Name
		}
		for b := 0; same && b < B; b++ {
			same = m.rows[b*m.stride] == m0.rows[b*m0.stride]
		}
		if !same {
			return nil, vigil.Errorf(vigil.EINVALID, "average: models differ in labels, features or idf table")
		}
	}
	w := make([]float32, B*L)
	bias := make([]float32, L)
	k := float32(len(ms))
	codes := make([]byte, B)
	for _, m := range ms {
		for l := range L {
			bias[l] += m.bias[l] / k
		}
		for b := range B {
			row := m.rows[b*m.stride:][:m.stride]
			codes[b] = row[0]
			for l, q := range row[1:] {
				w[b*L+l] += m.scale[l] * float32(int8(q)) / k
			}
		}
	}
	if !m0.Features.IDF {
		codes = nil
	}
	bias, scale, q := quantize(w, bias, L)
	m := newModel(slices.Clone(m0.Labels), m0.Features, bias, scale, q, codes, m0.idfStep, m0.feat.sub)
	m.SetDictionary(m0.feat.dict)
	m.SetClusters(m0.feat.clusters)
	return m, nil
}

func decodeIDF(codes []byte, step float32) []float32 {
	idf := make([]float32, len(codes))
	for b, c := range codes {
		idf[b] = float32(c) * step
	}
	return idf
}

// quantize maps float weights to int8 with one scale per label: the scale
// is set by the label's largest weight, so no weight clips.
func quantize(w, bias []float32, L int) (outBias, scale []float32, q []int8) {
	scale = make([]float32, L)
	for i, v := range w {
		l := i % L
		scale[l] = max(scale[l], float32(math.Abs(float64(v))))
	}
	for l := range scale {
		if scale[l] == 0 {
			scale[l] = 1
		}
		scale[l] /= 127
	}
	q = make([]int8, len(w))
	for i, v := range w {
		q[i] = int8(math.Round(float64(v / scale[i%L])))
	}
	return append([]float32(nil), bias...), scale, q
}

// nbTable returns, per bucket and label, 1 + |r| where r is the smoothed
// log-count ratio of the bucket in documents with and without the label
// (Wang and Manning's NBSVM): how much more often the feature comes with
// the label than without it. Training scales each weight by it (see the
// package documentation), which gives discriminative features larger steps
// than common ones.
func nbTable(ids [][]uint32, gold, only [][]int, B, L int) []float32 {
	pc := make([]float32, B*L) // occurrences in documents with the label
	tot := make([]float32, B)  // occurrences in all documents
	// unk counts occurrences in documents that say nothing about the label
	// (Example.Only): they are neither with it nor without it.
	var unk []float32
	for i, doc := range ids {
		if only[i] != nil && unk == nil {
			unk = make([]float32, B*L)
		}
		for _, id := range doc {
			b := int(id & bucketMask)
			tot[b]++
			for _, l := range gold[i] {
				if only[i] == nil || slices.Contains(only[i], l) {
					pc[b*L+l]++
				}
			}
			if only[i] != nil {
				for l := range L {
					if !slices.Contains(only[i], l) {
						unk[b*L+l]++
					}
				}
			}
		}
	}
	if unk != nil { // tot becomes per label: occurrences in documents that speak for it
		per := make([]float32, B*L)
		for b := range B {
			for l := range L {
				per[b*L+l] = tot[b] - unk[b*L+l]
			}
		}
		return nbRatios(pc, per, B, L)
	}
	per := make([]float32, B*L)
	for b := range B {
		for l := range L {
			per[b*L+l] = tot[b]
		}
	}
	return nbRatios(pc, per, B, L)
}

// nbRatios turns, per bucket and label, the occurrences with the label (pc)
// and in all documents that speak for it (tot) into NB scales.
func nbRatios(pc, tot []float32, B, L int) []float32 {
	P := make([]float64, L)
	Q := make([]float64, L)
	for b := range B {
		for l := range L {
			P[l] += float64(pc[b*L+l]) + 1
			Q[l] += float64(tot[b*L+l]-pc[b*L+l]) + 1
		}
	}
	nb := pc // reused in place
	for b := range B {
		for l := range L {
			p := (float64(pc[b*L+l]) + 1) / P[l]
			q := (float64(tot[b*L+l]-pc[b*L+l]) + 1) / Q[l]
			nb[b*L+l] = float32(1 + math.Abs(math.Log(p/q)))
		}
	}
	return nb
}
