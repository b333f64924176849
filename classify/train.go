package classify

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
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
}

// TrainOptions tune training. The zero value of a field means its default.
type TrainOptions struct {
	Features FeatureConfig // zero: DefaultFeatures()
	// Epochs over the training set (default 10).
	Epochs int
	// LR is the initial learning rate, decayed linearly to zero (default 0.5).
	LR float64
	// Average makes the final weights the mean of the weights after each
	// epoch of the second half of training, a cheap form of Polyak
	// averaging that smooths SGD's last steps (default on; set NoAverage).
	NoAverage bool
	// IDF scales features by their inverse document frequency.
	IDF bool
	// Threads is the number of training goroutines (default GOMAXPROCS).
	Threads int
	// Batch is how many examples each goroutine runs between merges of the
	// workers' updates (default 128). Larger batches mean less merging and
	// staler weights.
	Batch int
	// Seed fixes the example order: same data, options and seed give the
	// same model, bit for bit, whatever the thread count's scheduling.
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
		o.LR = 0.5
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.Batch <= 0 {
		o.Batch = 128
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
		for _, l := range ex.Labels {
			if l < 0 || l >= L {
				return nil, vigil.Errorf(vigil.EINVALID, "train: example %d: label index %d out of range", i, l)
			}
		}
	}
	feat := newFeaturizer(opt.Features, sub)
	t := &trainer{L: L, feat: feat, opt: opt}
	if err := t.featurize(ctx, examples); err != nil {
		return nil, err
	}
	if err := t.run(ctx); err != nil {
		return nil, err
	}
	bias, scale, q := quantize(t.w, t.bias, L)
	m := newModel(labels, opt.Features, bias, scale, q, sub)
	if t.idfCodes != nil {
		m.setIDF(t.idfCodes, t.idfStep)
	}
	return m, nil
}

type trainer struct {
	L    int
	feat *featurizer
	opt  TrainOptions

	ids    [][]uint32
	scales []float32
	gold   [][]int

	idfCodes []byte
	idfStep  float32

	w    []float32 // Buckets × L
	bias []float32
}

// featurize computes every example's feature ids once, in parallel.
func (t *trainer) featurize(ctx context.Context, examples []Example) error {
	n := len(examples)
	t.ids = make([][]uint32, n)
	t.scales = make([]float32, n)
	t.gold = make([][]int, n)
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
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.opt.IDF {
		t.idfCodes, t.idfStep = idfTable(t.ids, t.feat.cfg.Buckets())
		t.feat.idf = decodeIDF(t.idfCodes, t.idfStep)
	}
	for i, ids := range t.ids {
		t.scales[i] = t.feat.scale(ids)
	}
	return nil
}

// worker holds one goroutine's private view: updates go to delta (read as
// w + delta) and are merged into w after each round in worker order, so the
// result does not depend on scheduling.
type worker struct {
	delta   []float32
	dbias   []float32
	touched []uint32
	seen    []uint64 // bitmap over buckets
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
	T := min(t.opt.Threads, max(1, n/t.opt.Batch))
	workers := make([]*worker, T)
	for i := range workers {
		workers[i] = &worker{delta: make([]float32, B*L), dbias: make([]float32, L),
			seen: make([]uint64, (B+63)/64), score: make([]float64, L)}
	}
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
	for epoch := range t.opt.Epochs {
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, w := range workers {
			w.loss = 0
		}
		round := T * t.opt.Batch
		for start := 0; start < n; start += round {
			if err := ctx.Err(); err != nil {
				return err
			}
			var wg sync.WaitGroup
			for wi, w := range workers {
				lo := min(n, start+wi*t.opt.Batch)
				hi := min(n, lo+t.opt.Batch)
				if lo >= hi {
					continue
				}
				done := float64(epoch)*float64(n) + float64(lo)
				wg.Go(func() { t.step(w, order[lo:hi], done, total) })
			}
			wg.Wait()
			for _, w := range workers {
				t.merge(w)
			}
		}
		var loss float64
		for _, w := range workers {
			loss += w.loss
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
func (t *trainer) step(w *worker, idx []int, done, total float64) {
	L := t.L
	for k, i := range idx {
		lr := t.opt.LR * max(0, 1-(done+float64(k))/total)
		ids, sc := t.ids[i], t.scales[i]
		if len(ids) == 0 {
			continue
		}
		score := w.score
		for l := range score {
			score[l] = float64(t.bias[l] + w.dbias[l])
		}
		for _, id := range ids {
			r := int(id&bucketMask) * L
			g := float64(t.feat.value(id) * sc)
			row, drow := t.w[r:r+L], w.delta[r:r+L]
			for l := range score {
				score[l] += g * float64(row[l]+drow[l])
			}
		}
		gold := t.gold[i]
		for l := range score {
			y := 0.0
			for _, gl := range gold {
				if gl == l {
					y = 1
				}
			}
			p := sigmoid(score[l])
			if y == 1 {
				w.loss -= math.Log(max(p, 1e-12))
			} else {
				w.loss -= math.Log(max(1-p, 1e-12))
			}
			score[l] = lr * (p - y) // reuse as the step along the gradient
			w.dbias[l] -= float32(score[l])
		}
		for _, id := range ids {
			b := id & bucketMask
			if w.seen[b/64]&(1<<(b%64)) == 0 {
				w.seen[b/64] |= 1 << (b % 64)
				w.touched = append(w.touched, b)
			}
			g := float64(t.feat.value(id) * sc)
			r := int(b) * L
			drow := w.delta[r:][:L]
			for l := range drow {
				drow[l] -= float32(score[l] * g)
			}
		}
	}
}

func (t *trainer) merge(w *worker) {
	L := t.L
	for _, b := range w.touched {
		r := int(b) * L
		row, drow := t.w[r:r+L], w.delta[r:r+L]
		for l := range row {
			row[l] += drow[l]
			drow[l] = 0
		}
		w.seen[b/64] &^= 1 << (b % 64)
	}
	w.touched = w.touched[:0]
	for l := range t.bias {
		t.bias[l] += w.dbias[l]
		w.dbias[l] = 0
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
