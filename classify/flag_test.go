package classify

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// field runs the pipeline's own normalizer and tokenizer over text.
func field(text string) pipeline.Field {
	f := pipeline.Normalize(vigil.FieldBody, text)
	f.Words = pipeline.Words(f.Text)
	return f
}

func TestReadings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // readings that must be among the words, with the original text they cover
		orig []string
	}{
		{"вставай на джих4д, брат", []string{"джихад"}, []string{"джих4д"}},
		{"jоin the jіhаd bro", []string{"join", "jihad"}, []string{"jоin", "jіhаd"}},
		{"h1jr4h to 5h4m", []string{"hijrah", "sham"}, []string{"h1jr4h", "5h4m"}},
		{"хиджра, ш а м ждёт, брат", []string{"шам"}, []string{"ш а м"}},
		{"дай 64йат халифу", []string{"байат"}, []string{"64йат"}},
		{"ИГИЛге қосылыңдар, бауырлар", []string{"игил"}, []string{"ИГИЛге"}},
		{"Вступайте в IGIL, братья", []string{"игил"}, []string{"IGIL"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			f := Readings([]pipeline.Field{field(tc.in)})[0]
			for i, w := range tc.want {
				j := slices.IndexFunc(f.Words, func(tok pipeline.Token) bool { return tok.Text == w })
				if j < 0 {
					t.Fatalf("no reading %q among %v", w, f.Words)
				}
				if ev := f.Evidence("", f.Words[j].Start, f.Words[j].End); ev.Text != tc.orig[i] {
					t.Errorf("reading %q covers %q, want %q", w, ev.Text, tc.orig[i])
				}
			}
		})
	}
	plain := []pipeline.Field{field("Поздравляю всех с Курбан айтом, мира вашим семьям")}
	if got := Readings(plain); &got[0] != &plain[0] {
		t.Errorf("a field with nothing disguised was copied")
	}
}

func TestReading(t *testing.T) {
	for in, want := range map[string]string{
		"джих4д": "джихад", "ДЖ1ХАД": "джихад", "teлeгрam": "телеграм", "jіhаd": "jihad",
		"обычное": "", "word": "", "2024": "", "5h4m": "sham",
	} {
		if got := reading(in); got != want {
			t.Errorf("reading(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAcronymReading(t *testing.T) {
	for in, want := range map[string]string{
		"Вступайте в IGIL, братья": "игил",
		"IGIL ждет тебя, брат":     "игил", // the word after it is Cyrillic
		"Join IGIL now, brother":   "",     // English around it: its acronyms stay
		"вступайте в igil":         "",     // not capitals: the normalizer's translit reads such words
		"вступайте в IG":           "",     // two letters read as anything
		"купил в KFC":              "",     // no word the lexicon knows
	} {
		f := field(in)
		got := ""
		for i, w := range f.Words {
			s, e := f.Span(w.Start, w.End)
			if r := acronymReading(f.Words, i, f.Original[s:e]); r != "" {
				got = r
			}
		}
		if got != want {
			t.Errorf("%q: acronym reading %q, want %q", in, got, want)
		}
	}
}

func TestCapsBase(t *testing.T) {
	for in, want := range map[string]string{
		"ИГИЛге": "игил", "ДАИШтің": "даиш", "ҰҚКнің": "ұқк", "ВУЗы": "вуз", "ISISке": "isis", "ИГИЛ-ге": "игил", "ДАИШ-тің": "даиш",
		"ИГИЛ": "", "США": "", "МВДшник": "", "Игилге": "", "игилге": "", "ИГИЛ-": "", "ИГИЛ-ски": "", "Москвада": "", "word": "",
	} {
		if got := capsBase(in); got != want {
			t.Errorf("capsBase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHyphenBase(t *testing.T) {
	for in, want := range map[string]string{
		"даиш-ке": "даиш", "игил-ге": "игил", "whatsapp-қа": "whatsapp", "игил-дің": "игил", "нато-ның": "нато",
		"ата-анаңа": "", "бір-бірімізге": "", "кто-то": "", "-ге": "", "и-ге": "", "а-б-ге": "", "даиш-": "", "даиш": "",
	} {
		if got := hyphenBase(in); got != want {
			t.Errorf("hyphenBase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCamelParts(t *testing.T) {
	for in, want := range map[string]string{
		"JoinTheCaliphate": "join the caliphate", "joinTheCaliphate": "join the caliphate", "ХалифатЖдёт": "халифат ждет",
		"ИГИЛЖдет": "", // a part begins only after a lower-case letter: one part, nothing to add
		"iPhone":   "", "МВДшник": "", "ИГИЛ": "", "word": "", "Word": "", "ЖолКерек": "жол керек", "ToJ": "",
		"JoinИГИЛ": "", "Join2Us": "", "AbcDe": "abc de",
	} {
		if got := strings.Join(camelParts(in), " "); got != want {
			t.Errorf("camelParts(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFitCombinerRecoversWeights(t *testing.T) {
	// Labels drawn deterministically from a known logistic model: the fit
	// must land near it, and never give a negative weight.
	want := pipeline.FlagCombiner{Bias: -2, Rule: 3, Model: 1.5, Cues: map[string]float64{"call": 1}}
	var ex []FlagExample
	var p []float64
	for i := range 8000 {
		r := float64(i%5) / 4
		m := pipeline.Sigmoid(float64(i%17)/2 - 4)
		var cues []string
		if i%7 < 3 {
			cues = []string{"call"}
		}
		if i%11 < 4 {
			cues = append(cues, "cause") // worth nothing in want
		}
		prob := want.Combine(pipeline.FlagInputs{Rule: r, Model: m, HasModel: true, Cues: cues})
		// a low-discrepancy draw: the fraction of positives in each cell
		// tracks prob closely.
		u := math.Mod(float64(i)*0.6180339887, 1)
		ex = append(ex, FlagExample{Rule: r, Cues: cues, Gold: u < prob})
		p = append(p, m)
	}
	got := fitCombiner(ex, p, nil, nil, 0, []string{"call", "cause"}, 1e-6, 12)
	if math.Abs(got.Bias-want.Bias) > 0.5 || math.Abs(got.Rule-want.Rule) > 0.6 || math.Abs(got.Model-want.Model) > 0.3 ||
		math.Abs(got.Cues["call"]-1) > 0.4 || got.Cues["cause"] > 0.4 {
		t.Errorf("fitCombiner = %+v, want about %+v", got, want)
	}
	// Rules that only ever fire on negatives get weight 0, not a negative one.
	for i := range ex {
		ex[i].Rule = 0
		if !ex[i].Gold && i%3 == 0 {
			ex[i].Rule = 1
		}
	}
	if got := fitCombiner(ex, p, nil, nil, 0, nil, 1e-6, 12); got.Rule != 0 || got.Model <= 0 {
		t.Errorf("anti-correlated rule: fitCombiner = %+v, want Rule 0 and Model > 0", got)
	}
}

func TestRecallThreshold(t *testing.T) {
	for _, tc := range []struct {
		name       string
		scores     []float64
		gold       []bool
		maxFPR     float64
		wantTP     int
		wantFP     int
		wantAbove  float64 // the threshold lies above this
		wantAtMost float64 // and at or below this
	}{
		{"separable", []float64{0.9, 0.8, 0.3, 0.1}, []bool{true, true, false, false}, 0, 2, 0, 0.3, 0.8},
		{"overlap, no FP allowed", []float64{0.9, 0.6, 0.7, 0.2}, []bool{true, true, false, false}, 0, 1, 0, 0.7, 0.9},
		{"overlap, one FP in two allowed", []float64{0.9, 0.6, 0.7, 0.2}, []bool{true, true, false, false}, 0.5, 2, 1, 0.2, 0.6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th := recallThreshold(tc.scores, tc.gold, tc.maxFPR)
			tp, fp := 0, 0
			for i, s := range tc.scores {
				if s >= th && tc.gold[i] {
					tp++
				} else if s >= th {
					fp++
				}
			}
			if tp != tc.wantTP || fp != tc.wantFP || !(th > tc.wantAbove && th <= tc.wantAtMost) {
				t.Errorf("threshold %v: tp %d fp %d, want tp %d fp %d in (%v, %v]", th, tp, fp, tc.wantTP, tc.wantFP, tc.wantAbove, tc.wantAtMost)
			}
		})
	}
	if th := recallThreshold([]float64{0.2}, []bool{false}, 0.1); th != pipeline.DefaultFlagThreshold {
		t.Errorf("no positives: threshold %v, want the default", th)
	}
}

// TestTrainFlagAndHead trains a flag on a tiny labelled set and checks the
// stage end to end: a recruiting text scores high with the model's own
// features as evidence, a report about recruiters scores low.
func TestTrainFlagAndHead(t *testing.T) {
	pos := []string{
		"вступай в джамаат брат пиши в личку", "брат вступай к моджахедам", "вставай на джихад брат",
		"совершай хиджру в шам брат", "дай байат амиру брат", "пиши в личку про джихад брат",
		"присоединяйся к братьям в шаме", "вступай к братьям пока молод", "брат хиджра твой долг",
		"вступайте в джамаат братья",
	}
	neg := []string{
		"суд приговорил вербовщика к девяти годам", "задержан вербовщик который звал в сирию",
		"кнб сообщил о блокировке каналов", "вступай в наш клан в игре", "поздравляю с курбан айтом",
		"минобороны приглашает на контрактную службу", "суд осудил участника игил", "туры в турцию пишите в личку",
		"родителям советуют следить за перепиской детей", "имам рассказал о посте в рамадан",
	}
	var ex []FlagExample
	for i, s := range append(pos, neg...) {
		ex = append(ex, FlagExample{Fields: []pipeline.Field{field(s)}, Kind: vigil.KindComment, Gold: i < len(pos)})
	}
	fc := DefaultFeatures()
	fc.BucketBits, fc.Subwords = 12, false
	tr, err := TrainFlag(context.Background(), vigil.FlagExtremistRecruitment, ex, nil, nil,
		FlagTrainOptions{Train: TrainOptions{Features: fc, Epochs: 30, Threads: 1}, Folds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Combiner.Model <= 0 {
		t.Errorf("combiner %+v: the model's weight should be positive", tr.Combiner)
	}
	score := func(text string) (float64, pipeline.Signal) {
		it := &pipeline.Item{Doc: &vigil.Document{ID: "x"}, Fields: []pipeline.Field{field(text)}}
		if err := tr.Head.Process(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		if len(it.Signals) != 1 || it.Signals[0].Source != vigil.SourceModel || it.Signals[0].Flag != vigil.FlagExtremistRecruitment {
			t.Fatalf("signals %+v, want one model signal for the flag", it.Signals)
		}
		return it.Signals[0].Weight, it.Signals[0]
	}
	hi, sig := score("Брат, вступай в джамаат, пиши в личку")
	lo, _ := score("Суд приговорил вербовщика, задержан в Шымкенте")
	if !(hi > lo) {
		t.Errorf("recruiting %.3f, report %.3f: want recruiting higher", hi, lo)
	}
	if len(sig.Evidence) != 0 || sig.Explain == nil {
		t.Fatalf("evidence %v computed eagerly, or no Explain", sig.Evidence)
	}
	ev := sig.Explain()
	if len(ev) == 0 {
		t.Fatal("no evidence")
	}
	for _, e := range ev {
		if e.Feature == "" || e.Weight <= 0 || e.Text == "" || !strings.Contains("Брат, вступай в джамаат, пиши в личку", e.Text) {
			t.Errorf("evidence %+v: want a feature with a positive weight and the original text it covers", e)
		}
	}
	if _, err := TrainFlag(context.Background(), "f", ex[:len(pos)], nil, nil, FlagTrainOptions{}); vigil.ErrorCode(err) != vigil.EINVALID {
		t.Errorf("positives only: err %v, want EINVALID", err)
	}
}

func TestFlagModelsRoundTrip(t *testing.T) {
	ex := []FlagExample{
		{Fields: []pipeline.Field{field("вступай в джамаат брат")}, Gold: true},
		{Fields: []pipeline.Field{field("брат вставай на джихад")}, Gold: true},
		{Fields: []pipeline.Field{field("суд приговорил вербовщика")}},
		{Fields: []pipeline.Field{field("поздравляю с курбан айтом")}},
	}
	fc := DefaultFeatures()
	fc.BucketBits, fc.Subwords = 8, false
	tr, err := TrainFlag(context.Background(), "f", ex, nil, nil, FlagTrainOptions{Train: TrainOptions{Features: fc, Threads: 1}, Folds: 2})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if _, err := tr.Head.WriteModels(&b); err != nil {
		t.Fatal(err)
	}
	ms, err := ReadFlagModels(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	back, err := NewFlagHead("f", ms...)
	if err != nil {
		t.Fatal(err)
	}
	fs := []pipeline.Field{field("брат, вступай")}
	if a, b := tr.Head.score(fs, false), back.score(fs, false); a != b || len(ms) != 1 {
		t.Errorf("read back %d models scoring %v, want 1 (the folds averaged) scoring %v", len(ms), b, a)
	}
	// A head of several models round-trips too.
	b.Reset()
	two, _ := NewFlagHead("f", tr.Head.Models[0], tr.Head.Models[0])
	if _, err := two.WriteModels(&b); err != nil {
		t.Fatal(err)
	}
	if ms, err := ReadFlagModels(strings.NewReader(b.String())); err != nil || len(ms) != 2 {
		t.Errorf("two models read back as %d, %v", len(ms), err)
	}
	for _, bad := range []string{"", "VGFH", "XXXX\x01\x00\x00\x00", "VGFH\x00\x00\x00\x00", "VGFH\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff",
		b.String()[:len(b.String())-3]} {
		if _, err := ReadFlagModels(strings.NewReader(bad)); vigil.ErrorCode(err) != vigil.EINVALID {
			t.Errorf("ReadFlagModels(%d bytes): err %v, want EINVALID", len(bad), err)
		}
	}
}

func FuzzReadFlagModels(f *testing.F) {
	f.Add([]byte("VGFH\x01\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := ReadFlagModels(strings.NewReader(string(data)))
		if err == nil && len(ms) == 0 {
			t.Error("no error and no model")
		}
	})
}

// FuzzReadings checks that any text read through the normalizer gets
// readings whose spans stay inside its original.
func FuzzReadings(f *testing.F) {
	for _, s := range []string{"вставай на джих4д", "jоin the jіhаd", "ш а м", "х_и_д_ж_р_а", "<p>и.г.и.л</p>", "\u200b4\u200b", "ИГИЛге ДАИШ-тің ҰҚКнің", "#JoinTheCaliphate #ХалифатЖдёт", "DAISh-ke даиш-ке whatsapp-қа"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fields := Readings([]pipeline.Field{field(s)})
		for _, w := range fields[0].Words {
			e := fields[0].Evidence("", w.Start, w.End)
			if e.Start < 0 || e.End > len(s) || e.Start > e.End {
				t.Fatalf("reading %q: span [%d, %d) outside %d bytes", w.Text, e.Start, e.End, len(s))
			}
		}
	})
}

// TestAverageModels: models trained with one idf table average into a
// model whose logit is their mean logit, up to quantization; models with
// different idf tables are refused.
func TestAverageModels(t *testing.T) {
	texts := []string{"вступай в джамаат брат", "брат вставай на джихад", "пиши в личку про хиджру",
		"суд приговорил вербовщика", "поздравляю с курбан айтом", "погода в астане", "вступай в клан"}
	var ex []Example
	for i, s := range texts {
		e := Example{Fields: []pipeline.Field{field(s)}}
		if i < 3 {
			e.Labels = []int{0}
		}
		ex = append(ex, e)
	}
	fc := DefaultFeatures()
	fc.BucketBits, fc.Subwords = 10, false
	idf, err := NewIDF(ex, fc, nil)
	if err != nil {
		t.Fatal(err)
	}
	labels := []Label{{Name: "f", Kind: KindFlag}}
	var ms []*Model
	for seed := range uint64(3) {
		// each model sees all but one example, like a fold
		train := slices.Delete(slices.Clone(ex), int(seed), int(seed)+1)
		m, err := Train(context.Background(), labels, train, nil, TrainOptions{Features: fc, Seed: seed, Threads: 1, IDF: idf})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	avg, err := AverageModels(ms...)
	if err != nil {
		t.Fatal(err)
	}
	var buf [1]float64
	for _, s := range append(texts, "совсем другой текст", "") {
		fs := []pipeline.Field{field(s)}
		mean := 0.0
		for _, m := range ms {
			mean += pipeline.Logit(m.Scores(buf[:0], fs)[0]) / float64(len(ms))
		}
		got := pipeline.Logit(avg.Scores(buf[:0], fs)[0])
		if math.Abs(got-mean) > 0.02*max(1, math.Abs(mean)) {
			t.Errorf("%q: averaged model's logit %.4f, mean logit %.4f", s, got, mean)
		}
	}
	own, err := Train(context.Background(), labels, ex[1:], nil, TrainOptions{Features: fc, Threads: 1}) // its own idf
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AverageModels(ms[0], own); vigil.ErrorCode(err) != vigil.EINVALID {
		t.Errorf("different idf tables: err %v, want EINVALID", err)
	}
	if _, err := AverageModels(); vigil.ErrorCode(err) != vigil.EINVALID {
		t.Errorf("no models: err %v, want EINVALID", err)
	}
}
