package classify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// sampleSet is a labeled sample of testdata, prepared as the pipeline
// prepares documents for the classify stage.
type sampleSet struct {
	docs   []vigil.Document
	labels []Label
	ex     []Example
}

// prepare runs the normalize and tokenize stages over doc.
func prepare(tb testing.TB, doc *vigil.Document) []pipeline.Field {
	tb.Helper()
	it := &pipeline.Item{Doc: doc, Lang: doc.Lang}
	for _, s := range []pipeline.Stage{&pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}} {
		if err := s.Process(context.Background(), it); err != nil {
			tb.Fatalf("%s: %s: %v", doc.ID, s.Name(), err)
		}
	}
	return it.Fields
}

// loadSample reads testdata/name; labels, when nil, are taken from the
// documents' tags in order of first appearance.
func loadSample(tb testing.TB, name string, labels []Label) sampleSet {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var s sampleSet
	s.labels = labels
	idx := map[string]int{}
	for i, l := range labels {
		idx[l.Name] = i
	}
	grow := labels == nil
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var d vigil.Document
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			tb.Fatal(err)
		}
		s.docs = append(s.docs, d)
		var ls []int
		for _, t := range d.Tags {
			i, ok := idx[t]
			if !ok && grow {
				i, ok = len(s.labels), true
				idx[t] = i
				s.labels = append(s.labels, Label{Name: t, Kind: KindTag})
			}
			if ok {
				ls = append(ls, i)
			}
		}
		s.ex = append(s.ex, Example{Fields: prepare(tb, &s.docs[len(s.docs)-1]), Labels: ls})
	}
	return s
}

var (
	sampleOnce             sync.Once
	sampleTrain, sampleDev sampleSet
	sampleModel            *Model
	sampleErr              error
)

// trainedSample trains once per test binary on the topics sample (small
// hash table, so the tests stay fast) and chooses thresholds on its dev
// sample.
func trainedSample(tb testing.TB) (*Model, sampleSet, sampleSet) {
	tb.Helper()
	sampleOnce.Do(func() {
		sampleTrain = loadSample(tb, "topics_train_sample.jsonl", nil)
		sampleDev = loadSample(tb, "topics_dev_sample.jsonl", sampleTrain.labels)
		fc := DefaultFeatures()
		fc.BucketBits = 18
		fc.Subwords = false
		sampleModel, sampleErr = Train(context.Background(), sampleTrain.labels, sampleTrain.ex, nil,
			TrainOptions{Features: fc, Epochs: 8})
		if sampleErr == nil {
			_, sampleErr = sampleModel.SelectThresholds(sampleDev.ex, nil)
		}
	})
	if sampleErr != nil {
		tb.Fatal(sampleErr)
	}
	return sampleModel, sampleTrain, sampleDev
}

func evaluate(m *Model, s sampleSet) *Report {
	var names []string
	for _, l := range m.Labels {
		names = append(names, l.Name)
	}
	ev := NewEvaluator(names...)
	for i, ex := range s.ex {
		scores := m.Scores(nil, ex.Fields)
		var pred []string
		best := 0
		for l, p := range scores {
			if p >= m.Labels[l].Threshold {
				pred = append(pred, m.Labels[l].Name)
			}
			if p > scores[best] {
				best = l
			}
		}
		ev.Add(s.docs[i].Tags, pred, m.Labels[best].Name, nil, nil)
	}
	return ev.Report()
}

// TestTrainLearns trains on 1,454 documents and checks the model is far
// above chance on 432 held-out ones (8 labels: chance top-1 is about 0.25
// for always-economy, macro F1 about 0.05).
func TestTrainLearns(t *testing.T) {
	m, _, dev := trainedSample(t)
	r := evaluate(m, dev)
	t.Logf("dev: macro F1 %.3f, micro F1 %.3f, top-1 accuracy %.3f", r.MacroF1, r.MicroF1, r.Top1Accuracy)
	if r.Top1Accuracy < 0.65 {
		t.Errorf("top-1 accuracy %.3f, want >= 0.65", r.Top1Accuracy)
	}
	if r.MacroF1 < 0.55 {
		t.Errorf("macro F1 %.3f, want >= 0.55", r.MacroF1)
	}
}

func TestRoundTrip(t *testing.T) {
	m, _, dev := trainedSample(t)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := ReadModel(bytes.NewReader(buf.Bytes()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Labels, m2.Labels) || m.Features != m2.Features {
		t.Fatalf("labels or features differ after round trip:\n%+v %+v\n%+v %+v", m.Labels, m.Features, m2.Labels, m2.Features)
	}
	for i, ex := range dev.ex {
		a, b := m.Scores(nil, ex.Fields), m2.Scores(nil, ex.Fields)
		if !slices.Equal(a, b) {
			t.Fatalf("doc %d: scores %v before, %v after round trip", i, a, b)
		}
	}
	var again bytes.Buffer
	if _, err := m2.WriteTo(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("writing a read model gives different bytes")
	}
}

// TestTrainDeterministic checks the promise of TrainOptions.Seed: the same
// model, bit for bit, whatever the number of threads.
func TestTrainDeterministic(t *testing.T) {
	_, train, _ := trainedSample(t)
	fc := DefaultFeatures()
	fc.BucketBits = 14
	var outs [][]byte
	for _, threads := range []int{1, 2, 3} {
		m, err := Train(context.Background(), train.labels, train.ex[:400], nil,
			TrainOptions{Features: fc, Epochs: 3, Threads: threads, Shards: 3, Batch: 16, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		m.WriteTo(&b)
		outs = append(outs, b.Bytes())
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Errorf("model trained with %d threads differs from the one with 1", i+1)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	ex := []Example{{Labels: []int{0}}}
	lab := []Label{{Name: "a", Kind: KindTag}}
	for _, tc := range []struct {
		name   string
		labels []Label
		ex     []Example
		opt    TrainOptions
		want   string
	}{
		{"no labels", nil, ex, TrainOptions{}, "no labels"},
		{"no examples", lab, nil, TrainOptions{}, "no examples"},
		{"label out of range", lab, []Example{{Labels: []int{1}}}, TrainOptions{}, "out of range"},
		{"duplicate label", []Label{{Name: "a", Kind: KindTag}, {Name: "a", Kind: KindTag}}, ex, TrainOptions{}, "twice"},
		{"bad kind", []Label{{Name: "a", Kind: "topic"}}, ex, TrainOptions{}, "neither tag nor flag"},
		{"bad buckets", lab, ex, TrainOptions{Features: FeatureConfig{BucketBits: 40}}, "bucket_bits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Train(context.Background(), tc.labels, tc.ex, nil, tc.opt)
			if err == nil || vigil.ErrorCode(err) != vigil.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want EINVALID containing %q", err, tc.want)
			}
		})
	}
}

func TestTrainCanceled(t *testing.T) {
	_, train, _ := trainedSample(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, train.labels, train.ex, nil, TrainOptions{}); err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSelectThreshold(t *testing.T) {
	for _, tc := range []struct {
		name          string
		scores        []float64
		gold          []bool
		minPrecision  float64
		wantThreshold float64
		wantF1        float64
		wantOK        bool
	}{
		{"separable", []float64{0.9, 0.8, 0.3, 0.1}, []bool{true, true, false, false}, 0, 0.55, 1, true},
		{"one error", []float64{0.9, 0.7, 0.6, 0.2}, []bool{true, false, true, false}, 0, 0.4, 0.8, true},
		{"precision target", []float64{0.9, 0.7, 0.6, 0.2}, []bool{true, false, true, false}, 1, 0.8, 2.0 / 3, true},
		{"unreachable precision falls back to F1", []float64{0.9, 0.8}, []bool{false, true}, 1, 0.8, 2.0 / 3, true},
		{"ties are not split", []float64{0.5, 0.5, 0.1}, []bool{true, false, false}, 0, 0.3, 2.0 / 3, true},
		{"all positive", []float64{0.4, 0.2}, []bool{true, true}, 0, 0.2, 1, true},
		{"no positive", []float64{0.4, 0.2}, []bool{false, false}, 0, DefaultThreshold, 0, false},
		{"empty", nil, nil, 0, DefaultThreshold, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th, f1, ok := SelectThreshold(tc.scores, tc.gold, tc.minPrecision)
			if math.Abs(th-tc.wantThreshold) > 1e-9 || math.Abs(f1-tc.wantF1) > 1e-9 || ok != tc.wantOK {
				t.Errorf("got (%v, %v, %v), want (%v, %v, %v)", th, f1, ok, tc.wantThreshold, tc.wantF1, tc.wantOK)
			}
		})
	}
}

func TestStage(t *testing.T) {
	m, _, dev := trainedSample(t)
	st := NewStage(m, "topics-test")
	right := 0
	for i := range dev.docs {
		it := &pipeline.Item{Doc: &dev.docs[i], Fields: dev.ex[i].Fields}
		if err := st.Process(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		if it.Verdict.Versions.Model != "topics-test" {
			t.Fatalf("version %q", it.Verdict.Versions.Model)
		}
		scores := m.Scores(nil, dev.ex[i].Fields)
		var want []string
		for l, p := range scores {
			if p >= m.Labels[l].Threshold {
				want = append(want, m.Labels[l].Name)
			}
		}
		var got []string
		for _, tg := range it.Verdict.Tags {
			if tg.Source != vigil.SourceModel || tg.Score < 0 || tg.Score > 1 {
				t.Fatalf("bad tag %+v", tg)
			}
			got = append(got, tg.Name)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("doc %s: tags %v, want %v", dev.docs[i].ID, got, want)
		}
		if len(got) == 1 && slices.Equal(got, dev.docs[i].Tags) {
			right++
		}
	}
	if right < len(dev.docs)/2 {
		t.Errorf("only %d of %d documents got exactly their gold tag", right, len(dev.docs))
	}
}

// TestStageSkipsFlags: a model's flag outputs become signals, never topic
// tags.
func TestStageSkipsFlags(t *testing.T) {
	m, _, dev := trainedSample(t)
	var buf bytes.Buffer
	m.WriteTo(&buf)
	flagged, err := ReadModel(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range flagged.Labels {
		flagged.Labels[i].Kind, flagged.Labels[i].Threshold = KindFlag, 0
	}
	it := &pipeline.Item{Doc: &dev.docs[0], Fields: dev.ex[0].Fields}
	if err := NewStage(flagged, "v").Process(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	if len(it.Verdict.Tags) != 0 {
		t.Errorf("flag outputs became tags: %+v", it.Verdict.Tags)
	}
	// Threshold 0: every flag fires, as a model signal at weight >= 0.5
	// with evidence spans inside the original text.
	if len(it.Signals) != len(flagged.Labels) {
		t.Fatalf("%d signals for %d flags", len(it.Signals), len(flagged.Labels))
	}
	for _, sg := range it.Signals {
		if sg.Source != vigil.SourceModel || sg.Weight < 0.5 || sg.Weight > 1 {
			t.Errorf("signal %+v", sg)
		}
		for _, e := range sg.Evidence {
			f := it.Fields[0]
			if e.Feature == "" || e.Start < 0 || e.End > len(f.Original) || e.Text != f.Original[e.Start:e.End] {
				t.Errorf("evidence %+v does not point into the original", e)
			}
		}
	}
}

func TestRescale(t *testing.T) {
	for _, tc := range []struct{ p, th, want float64 }{
		{0.2, 0.2, 0.5}, {0.5, 0.5, 0.5}, {0.9, 0.5, 0.9}, {1, 0.3, 1}, {0.1, 0.3, 0.2058823529},
	} {
		if got := rescale(tc.p, tc.th); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("rescale(%v, %v) = %v, want %v", tc.p, tc.th, got, tc.want)
		}
	}
}

func TestExplain(t *testing.T) {
	m, _, _ := trainedSample(t)
	doc := vigil.Document{ID: "x", Title: "Футбольный клуб выиграл матч чемпионата"}
	fields := prepare(t, &doc)
	sport := m.LabelIndex("sport")
	if sport < 0 {
		t.Fatal("no sport label")
	}
	cs := m.Explain(fields, sport, 3)
	if len(cs) == 0 || len(cs) > 3 {
		t.Fatalf("got %d contributions, want 1..3", len(cs))
	}
	for i, c := range cs {
		if c.Weight <= 0 || (i > 0 && c.Weight > cs[i-1].Weight) {
			t.Errorf("contributions not positive and descending: %+v", cs)
		}
		text := fields[c.Field].Text[c.Start:c.End]
		if !strings.Contains(c.Feature, strings.Fields(text)[0]) {
			t.Errorf("feature %q does not match its span %q", c.Feature, text)
		}
	}
	if m.Explain(fields, -1, 3) != nil || m.Explain(fields, len(m.Labels), 3) != nil {
		t.Error("out-of-range label explained")
	}
}

func TestScoresEmptyDocument(t *testing.T) {
	m, _, _ := trainedSample(t)
	scores := m.Scores(nil, nil)
	if len(scores) != len(m.Labels) {
		t.Fatalf("%d scores", len(scores))
	}
	for l, p := range scores {
		if !(p > 0 && p < 1) {
			t.Errorf("%s: empty document scores %v, want its prior in (0, 1)", m.Labels[l].Name, p)
		}
	}
	doc := vigil.Document{ID: "e", Title: "!!! ..."}
	it := &pipeline.Item{Doc: &doc, Fields: prepare(t, &doc)}
	if err := NewStage(m, "v").Process(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	if len(it.Verdict.Tags) != 0 || it.Verdict.Versions.Model != "v" {
		t.Errorf("a document without words got tags %+v (version %q)", it.Verdict.Tags, it.Verdict.Versions.Model)
	}
}

func TestEvaluator(t *testing.T) {
	ev := NewEvaluator("a", "b")
	ev.Add([]string{"a"}, []string{"a"}, "a", nil, nil)
	ev.Add([]string{"a"}, []string{"b"}, "b", []string{"toxic"}, []string{"toxic"})
	ev.Add([]string{"b"}, []string{"a", "b"}, "b", nil, []string{"toxic"})
	ev.Add([]string{"a", "b"}, nil, "", nil, nil)
	r := ev.Report()
	want := []LabelScore{
		{Name: "a", Precision: 0.5, Recall: 1.0 / 3, F1: 0.4, Support: 3, Predicted: 2, TP: 1},
		{Name: "b", Precision: 0.5, Recall: 0.5, F1: 0.5, Support: 2, Predicted: 2, TP: 1},
	}
	for i, w := range want {
		g := r.Tags[i]
		if g.Name != w.Name || g.Support != w.Support || g.Predicted != w.Predicted || g.TP != w.TP ||
			math.Abs(g.Precision-w.Precision) > 1e-9 || math.Abs(g.Recall-w.Recall) > 1e-9 || math.Abs(g.F1-w.F1) > 1e-9 {
			t.Errorf("tag %d = %+v, want %+v", i, g, w)
		}
	}
	if math.Abs(r.MacroF1-0.45) > 1e-9 {
		t.Errorf("macro F1 %v, want 0.45", r.MacroF1)
	}
	if math.Abs(r.MicroF1-0.4444444444) > 1e-9 { // tp 2, pred 4, gold 5
		t.Errorf("micro F1 %v, want 4/9", r.MicroF1)
	}
	if r.Top1Docs != 3 || math.Abs(r.Top1Accuracy-2.0/3) > 1e-9 {
		t.Errorf("top-1 %d docs accuracy %v, want 3 docs, 2/3", r.Top1Docs, r.Top1Accuracy)
	}
	if len(r.Flags) != 1 || r.Flags[0].Precision != 0.5 || r.Flags[0].Recall != 1 {
		t.Errorf("flags %+v", r.Flags)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"macro F1", "top-1 accuracy 0.667", "confusion", "toxic"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text report lacks %q:\n%s", s, text.String())
		}
	}
}

// TestEvaluatorEveryTagRight: a document counts as right only with exactly
// its gold tags, in any order and once each; one without a gold tag only
// with none.
func TestEvaluatorEveryTagRight(t *testing.T) {
	ev := NewEvaluator()
	for _, c := range []struct{ gold, pred []string }{
		{[]string{"a"}, []string{"a"}},           // right
		{[]string{"a", "b"}, []string{"b", "a"}}, // right: order does not matter
		{[]string{"a"}, []string{"a", "a"}},      // right: a tag given twice is one
		{[]string{"a"}, []string{"a", "b"}},      // one extra
		{[]string{"a", "b"}, []string{"a"}},      // one missed
		{nil, nil},                               // no topic, none given: right
		{nil, []string{"c"}},                     // no topic, one given: one extra
	} {
		ev.Add(c.gold, c.pred, "", nil, nil)
	}
	r := ev.Report()
	if r.EveryTagRightDocs != 4 || math.Abs(r.EveryTagRight-4.0/7) > 1e-9 || math.Abs(r.ExtraTags-2.0/7) > 1e-9 {
		t.Errorf("every tag right %d (%v), extra tags %v; want 4 (4/7), 2/7", r.EveryTagRightDocs, r.EveryTagRight, r.ExtraTags)
	}
	if r.NoTopic != 2 || r.NoTopicTagged != 1 {
		t.Errorf("no topic %d, tagged %d; want 2, 1", r.NoTopic, r.NoTopicTagged)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if want := "every tag right 0.571 (4 of 7), extra tags a document 0.286; without a gold tag 2, given one 1"; !strings.Contains(text.String(), want) {
		t.Errorf("text report lacks %q:\n%s", want, text.String())
	}
}

// TestEvaluatorFirstTag: the first-tag decision reads the tags a verdict
// gives, first one first, and a document given none is a miss of its gold
// label, not a label of its own; the model's top-1 may differ.
func TestEvaluatorFirstTag(t *testing.T) {
	ev := NewEvaluator("a", "b")
	ev.Add([]string{"a"}, []string{"a", "b"}, "a", nil, nil) // right both ways
	ev.Add([]string{"a"}, []string{"b", "a"}, "a", nil, nil) // first tag b: wrong; top-1 right
	ev.Add([]string{"a"}, nil, "a", nil, nil)                // nothing passed: wrong; top-1 right
	ev.Add([]string{"b"}, []string{"b"}, "b", nil, nil)      // right both ways
	ev.Add([]string{"a", "b"}, nil, "", nil, nil)            // two gold tags: not counted
	r := ev.Report()
	f := r.FirstTag
	if f == nil || f.Docs != 4 || f.Untagged != 1 || math.Abs(f.Accuracy-0.5) > 1e-9 {
		t.Fatalf("first tag %+v; want 4 docs, 1 untagged, accuracy 0.5", f)
	}
	// a: tp 1, gold 3, predicted 1 → F1 0.5; b: tp 1, gold 1, predicted 2 → 2/3
	if want := (0.5 + 2.0/3) / 2; math.Abs(f.MacroF1-want) > 1e-9 {
		t.Errorf("first-tag macro F1 %v, want %v", f.MacroF1, want)
	}
	if r.Top1Accuracy != 1 {
		t.Errorf("top-1 accuracy %v, want 1 (the model's best output was gold each time)", r.Top1Accuracy)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if want := "accuracy 0.500, macro F1 0.583, 1 of 4 given no tag"; !strings.Contains(text.String(), want) {
		t.Errorf("text report lacks %q:\n%s", want, text.String())
	}
}

// TestStageConcurrent: the pipeline calls Process from several goroutines
// at once; each must get exactly the sequential answer (run with -race).
func TestStageConcurrent(t *testing.T) {
	m, _, dev := trainedSample(t)
	st := NewStage(m, "v")
	tags := func(i int) []vigil.Tag {
		it := &pipeline.Item{Doc: &dev.docs[i], Fields: dev.ex[i].Fields}
		st.Process(context.Background(), it)
		return it.Verdict.Tags
	}
	want := make([][]vigil.Tag, len(dev.docs))
	for i := range dev.docs {
		want[i] = tags(i)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(dev.docs); i += 2 {
				if got := tags(i); fmt.Sprint(got) != fmt.Sprint(want[i]) {
					errs <- fmt.Sprintf("doc %d: %v, sequentially %v", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestStageCommentFloors: on a comment a model tag needs CommentTagFloor,
// or its label's own higher floor; an article needs neither.
func TestStageCommentFloors(t *testing.T) {
	m, _, dev := trainedSample(t)
	for i := range m.Labels {
		m.Labels[i].Threshold = 0.01 // every label passes on its threshold
	}
	floors := map[string]float64{m.Labels[0].Name: 0.999999, m.Labels[1].Name: 0.1}
	plain, floored := NewStage(m, "v"), NewStage(m, "v").WithCommentFloors(floors)
	checked, raised := 0, 0
	for i := range dev.docs {
		doc := dev.docs[i]
		doc.Kind = vigil.KindComment
		scores := m.Scores(nil, dev.ex[i].Fields)
		got, base := stageTags(t, floored, doc, dev.ex[i].Fields), stageTags(t, plain, doc, dev.ex[i].Fields)
		for l, p := range scores {
			name := m.Labels[l].Name
			want := p >= CommentTagFloor
			if l == 0 {
				want = p >= 0.999999
				if p >= CommentTagFloor && !want {
					raised++
				}
			}
			if _, ok := got[name]; ok != want {
				t.Fatalf("doc %s: %s at %.4f tagged %v, want %v", doc.ID, name, p, ok, want)
			}
			if _, ok := base[name]; ok != (p >= CommentTagFloor) {
				t.Fatalf("doc %s: without floors %s at %.4f tagged %v", doc.ID, name, p, ok)
			}
			checked++
		}
		doc.Kind = vigil.KindArticle
		passed := 0
		for _, p := range scores {
			if p >= 0.01 {
				passed++
			}
		}
		if art := stageTags(t, floored, doc, dev.ex[i].Fields); len(art) != passed {
			t.Fatalf("doc %s: an article got %d tags, %d labels pass their thresholds", doc.ID, len(art), passed)
		}
	}
	if checked == 0 || raised == 0 {
		t.Fatalf("%d scores checked, %d held back by a raised floor: want some of both", checked, raised)
	}
}

// stageTags runs st on doc with fields and returns the tags it gave, by
// name, with their scores.
func stageTags(t *testing.T, st *Stage, doc vigil.Document, fields []pipeline.Field) map[string]float64 {
	t.Helper()
	it := &pipeline.Item{Doc: &doc, Fields: fields}
	if err := st.Process(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, tg := range it.Verdict.Tags {
		out[tg.Name] = tg.Score
	}
	return out
}

// TestStageFloors: a label's floor holds back its model tags under it on
// every kind of document, beside the threshold and, on a comment, beside
// the comment floor; the other labels are untouched; and Stage.Tags says
// the same as the tags Process gives.
func TestStageFloors(t *testing.T) {
	m, _, dev := trainedSample(t)
	for i := range m.Labels {
		m.Labels[i].Threshold = 0.01
	}
	const floor = 0.5
	floored := NewStage(m, "v").WithFloors(map[string]float64{m.Labels[0].Name: floor, "no such label": 0.9})
	held, kept := 0, 0
	for i := range dev.docs {
		scores := m.Scores(nil, dev.ex[i].Fields)
		words := 0
		for _, f := range dev.ex[i].Fields {
			words += len(f.Words)
		}
		for _, kind := range []string{vigil.KindArticle, vigil.KindComment} {
			doc := dev.docs[i]
			doc.Kind = kind
			got := stageTags(t, floored, doc, dev.ex[i].Fields)
			for l, p := range scores {
				least := 0.01
				if kind == vigil.KindComment {
					least = CommentTagFloor
				}
				if l == 0 {
					least = max(least, floor)
				}
				_, tagged := got[m.Labels[l].Name]
				if tagged != (p >= least) {
					t.Fatalf("doc %s (%s): %s at %.4f tagged %v, want %v", doc.ID, kind, m.Labels[l].Name, p, tagged, p >= least)
				}
				// Tags, which eval --source model asks, is the stage's decision.
				if floored.Tags(l, p, kind, words) != tagged {
					t.Fatalf("doc %s (%s): Tags(%s, %.4f) = %v, the stage tagged %v", doc.ID, kind, m.Labels[l].Name, p, !tagged, tagged)
				}
				if l == 0 && kind == vigil.KindArticle {
					if p >= 0.01 && p < floor {
						held++
					} else if p >= floor {
						kept++
					}
				}
			}
		}
	}
	if held == 0 || kept == 0 {
		t.Fatalf("%d article tags held back by the floor, %d kept: want some of both", held, kept)
	}
}

// TestStageComments: with the comments' own stage (WithComments), a reader
// comment is scored by that stage's model, at its thresholds, and its
// verdict names that model; every other kind stays with the stage's own.
func TestStageComments(t *testing.T) {
	m, _, dev := trainedSample(t)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	quiet, err := ReadModel(bytes.NewReader(buf.Bytes()), nil) // the same weights, no tag ever passes
	if err != nil {
		t.Fatal(err)
	}
	for i := range quiet.Labels {
		quiet.Labels[i].Threshold = 2
	}
	comments := NewStage(quiet, "comments-test")
	st := NewStage(m, "topics-test").WithComments(comments)
	if st.For(vigil.KindComment) != comments || st.For(vigil.KindArticle) != st || st.For("") != st {
		t.Fatal("For picks the wrong stage")
	}
	articles, commentTags := 0, 0
	for i := range dev.docs {
		for _, kind := range []string{vigil.KindArticle, vigil.KindComment} {
			doc := dev.docs[i]
			doc.Kind = kind
			it := &pipeline.Item{Doc: &doc, Fields: dev.ex[i].Fields}
			if err := st.Process(context.Background(), it); err != nil {
				t.Fatal(err)
			}
			want := "topics-test"
			if kind == vigil.KindComment {
				want = "comments-test"
				commentTags += len(it.Verdict.Tags)
			} else {
				articles += len(it.Verdict.Tags)
			}
			if it.Verdict.Versions.Model != want {
				t.Fatalf("%s: version %q, want %q", kind, it.Verdict.Versions.Model, want)
			}
		}
	}
	if articles == 0 || commentTags != 0 {
		t.Errorf("articles got %d tags (want some), comments %d (their model passes none)", articles, commentTags)
	}
}
