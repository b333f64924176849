package classify

import (
	"slices"
	"testing"

	"github.com/kz-newsroom/vigil/pipeline"
)

func TestRussianStemHash(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"дебилы", "дебилам", true},
		{"ублюдок", "ублюдки", false}, // Snowball keeps the fleeting о: ублюдок / ублюдк
		{"тупой", "тупая", true},
		{"тупой", "тупица", false},
	} {
		ha, _ := russianStemHash(tc.a)
		hb, _ := russianStemHash(tc.b)
		if (ha == hb) != tc.same {
			t.Errorf("stem features of %q and %q equal = %v, want %v", tc.a, tc.b, ha == hb, tc.same)
		}
	}
	// No stem feature: a word that is its own stem, Kazakh and English
	// words without a Russian letter, numbers, the empty word.
	for _, w := range []string{"мир", "қазақстан", "hello", "2024", "", "ә"} {
		if h, ok := russianStemHash(w); ok || h != 0 {
			t.Errorf("russianStemHash(%q) = %x, %v; want none", w, h, ok)
		}
	}
	// Cached answers are the first answers.
	h1, _ := russianStemHash("дебилами")
	h2, _ := russianStemHash("дебилами")
	if h1 == 0 || h1 != h2 {
		t.Errorf("дебилами: %x then %x", h1, h2)
	}
}

func TestHasRussianLetter(t *testing.T) {
	for w, want := range map[string]bool{
		"а": true, "я": true, "ё": true, "п": true, "р": true, "xа": true,
		"қ": false, "і": false, "ә": false, "abc": false, "": false, "ђ": false,
	} {
		if got := hasRussianLetter(w); got != want {
			t.Errorf("hasRussianLetter(%q) = %v, want %v", w, got, want)
		}
	}
}

// TestRussianStemFeatures: with RussianStems two forms of one word share a
// feature beside their own word features, and the document memo makes the
// featurizer's ids.
func TestRussianStemFeatures(t *testing.T) {
	cfg := FeatureConfig{BucketBits: 16, RussianStems: true, Weights: [numGroups]float32{1, 1, 1, 1}}
	f := newFeaturizer(cfg, nil, nil, nil)
	ids := func(w string) []uint32 {
		return f.appendField(nil, []pipeline.Token{{Text: w}}, &scratch{})
	}
	a, b := ids("дебилы"), ids("дебилам")
	if len(a) != 2 || len(b) != 2 || a[0] == b[0] || a[1] != b[1] {
		t.Errorf("дебилы %v, дебилам %v: want two ids each, the second shared", a, b)
	}
	if got := ids("hello"); len(got) != 1 {
		t.Errorf("hello: %v, want the word feature only", got)
	}
	toks := []pipeline.Token{{Text: "ты"}, {Text: "дебил"}, {Text: "дебилы"}, {Text: "ты"}, {Text: "hello"}}
	fields := []pipeline.Field{{Name: "body", Words: toks}}
	cfg.Bigrams, cfg.MinN, cfg.MaxN = true, 3, 5
	m := &Model{feat: newFeaturizer(cfg, nil, nil, nil)}
	var d docWords
	d.build(fields)
	memo, ok := m.memoIDs(nil, &d, fields, nil)
	direct := m.feat.appendField(nil, toks, &scratch{})
	if !ok || !slices.Equal(memo, direct) {
		t.Errorf("memo ids (ok %v) %v, featurizer %v", ok, memo, direct)
	}
}

// BenchmarkRussianStemHash is the stem feature's cost per word through the
// cache, and Snowball's without it.
func BenchmarkRussianStemHash(b *testing.B) {
	words := []string{"дебилы", "правительство", "заявил", "министерства", "тупой", "аким", "провел", "встречу"}
	b.Run("cached", func(b *testing.B) {
		for i := range b.N {
			russianStemHash(words[i%len(words)])
		}
	})
	b.Run("snowball", func(b *testing.B) {
		for i := range b.N {
			hashString(seedStem, russianStemUncached(words[i%len(words)]))
		}
	})
}

// TestExplainCountsStems: a word the model never saw in this form speaks
// through its stem, and Explain credits it (evidence is built from the
// same features as the score).
func TestExplainCountsStems(t *testing.T) {
	field := func(words ...string) []pipeline.Field {
		toks := make([]pipeline.Token, len(words))
		for i, w := range words {
			toks[i] = pipeline.Token{Text: w, Start: 10 * i, End: 10*i + len(w)}
		}
		return []pipeline.Field{{Name: "body", Words: toks}}
	}
	var ex []Example
	for range 20 {
		ex = append(ex, Example{Fields: field("ты", "дебилы"), Labels: []int{0}}, Example{Fields: field("ты", "молодцы")})
	}
	cfg := FeatureConfig{BucketBits: 12, RussianStems: true, Weights: [numGroups]float32{1, 1, 1, 1}}
	m, err := Train(t.Context(), []Label{{Name: "toxic", Kind: KindFlag}}, ex, nil, TrainOptions{Features: cfg, Epochs: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Explain(field("дебилам"), 0, 3)
	if len(got) == 0 || got[0].Feature != "word:дебилам" || got[0].Weight <= 0 {
		t.Errorf("Explain(дебилам) = %+v, want the word credited through its stem", got)
	}
}
