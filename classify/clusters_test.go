package classify

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

// twoTopics returns sentences drawn from two vocabularies that never meet
// in one sentence: sport words and election words.
func twoTopics() [][]string {
	sport := strings.Fields("футбол матч гол команда тренер стадион чемпионат форвард вратарь кубок")
	vote := strings.Fields("выборы парламент депутат закон партия голосование кандидат мандат бюллетень сенат")
	r := rng(7)
	var out [][]string
	for i := range 1500 {
		words := sport
		if i%2 == 1 {
			words = vote
		}
		s := make([]string, 8)
		for j := range s {
			s[j] = words[int(r.next()>>16)%len(words)]
		}
		out = append(out, s)
	}
	return out
}

func TestBuildClusters(t *testing.T) {
	// Sample 1 keeps every word: twenty words, each far above any sane
	// subsampling threshold.
	opt := ClusterOptions{Dim: 16, Levels: []int{2, 4}, Epochs: 3, Sample: 1}
	c, err := BuildClusters(context.Background(), twoTopics(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 20 {
		t.Fatalf("%d words, want 20", c.Len())
	}
	same := func(a, b string) bool { return c.Lookup(a)[0] == c.Lookup(b)[0] }
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"футбол", "вратарь", true},
		{"гол", "кубок", true},
		{"выборы", "сенат", true},
		{"депутат", "бюллетень", true},
		{"футбол", "выборы", false},
		{"гол", "голосование", false},
	} {
		if got := same(tc.a, tc.b); got != tc.want {
			t.Errorf("%s and %s in one group: %v, want %v (%v, %v)", tc.a, tc.b, got, tc.want, c.Lookup(tc.a), c.Lookup(tc.b))
		}
	}
	// The finer level splits the coarser one's groups: 4 groups, 2 in each.
	for _, w := range []string{"футбол", "выборы", "мандат"} {
		if g := c.Lookup(w); int(g[1])/2 != int(g[0]) {
			t.Errorf("%s: groups %v, want the second inside the first", w, g)
		}
	}

	// Same text, same bytes; what is written reads back the same.
	var a, b bytes.Buffer
	c.WriteTo(&a)
	c2, err := BuildClusters(context.Background(), twoTopics(), opt)
	if err != nil {
		t.Fatal(err)
	}
	c2.WriteTo(&b)
	if a.String() != b.String() {
		t.Fatalf("clusters not reproducible:\n%s\nthen\n%s", a.String(), b.String())
	}
	r, err := ReadClusters(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var rb bytes.Buffer
	r.WriteTo(&rb)
	if rb.String() != a.String() || !slices.Equal(r.Levels, []int{2, 4}) {
		t.Errorf("read back:\n%s\nwant\n%s", rb.String(), a.String())
	}
}

func TestBuildClustersErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		levels []int
		want   string
	}{
		{"a level that does not divide the next", []int{2, 5}, "divide the next"},
		{"more groups than words", []int{64}, "fewer than the 64 groups"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildClusters(context.Background(), twoTopics(), ClusterOptions{Dim: 8, Epochs: 1, Levels: tc.levels})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one with %q", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := BuildClusters(ctx, twoTopics(), ClusterOptions{Dim: 8, Levels: []int{2}}); err != context.Canceled {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestReadClustersErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"no levels line", "гол\t1\n", "line 1: want #levels"},
		{"level not a number", "#levels\tmany\n", `level "many"`},
		{"level too small", "#levels\t1\n", "out of [2,"},
		{"too few groups", "#levels\t2\t4\nгол\t1\n", "line 2: want WORD and 2 groups"},
		{"group not a number", "#levels\t2\nгол\tx\n", `line 2: group "x"`},
		{"group out of range", "#levels\t2\nгол\t2\n", "out of range"},
		{"word twice", "#levels\t2\nгол\t1\nгол\t0\n", `line 3: word "гол" again`},
		{"empty word", "#levels\t2\n\t1\n", "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadClusters(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one with %q", err, tc.want)
			}
		})
	}
}

func FuzzReadClusters(f *testing.F) {
	f.Add("#levels\t2\t4\nгол\t1\t3\nматч\t0\t1\n")
	f.Add("#levels\t1048576\nx\t1048575\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ReadClusters(strings.NewReader(in))
		if err != nil {
			return
		}
		var b bytes.Buffer
		c.WriteTo(&b)
		if _, err := ReadClusters(&b); err != nil {
			t.Fatalf("written clusters do not read back: %v", err)
		}
	})
}

// A word the model never saw in training scores like the words of its
// group, and only with the clusters.
func TestClusterFeatures(t *testing.T) {
	labels := []Label{{Name: "politics", Kind: KindTag}, {Name: "sport", Kind: KindTag}}
	var ex []Example
	for range 20 {
		ex = append(ex, Example{Fields: textFields("выборы"), Labels: []int{0}},
			Example{Fields: textFields("футбол"), Labels: []int{1}})
	}
	c, err := ReadClusters(strings.NewReader("#levels\t2\nвыборы\t0\nпарламент\t0\nфутбол\t1\nвратарь\t1\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultFeatures()
	cfg.MaxN, cfg.Subwords, cfg.Clusters = 0, false, true
	m, err := Train(context.Background(), labels, ex, nil, TrainOptions{Features: cfg, Clusters: c})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		word string
		want int
	}{{"парламент", 0}, {"вратарь", 1}} {
		if s := m.Scores(nil, textFields(tc.word)); !(s[tc.want] > 0.5 && s[1-tc.want] < 0.5) {
			t.Errorf("%s with the clusters: scores %v, want %s", tc.word, s, labels[tc.want].Name)
		}
	}
	if ex := m.Explain(textFields("вратарь"), 1, 1); len(ex) != 1 || ex[0].Feature != "word:вратарь" {
		t.Errorf("Explain = %+v, want the word itself", ex)
	}
	m.SetClusters(nil) // an unknown word: both outputs at their priors, near 0.5
	if s := m.Scores(nil, textFields("вратарь")); s[1] > 0.6 {
		t.Errorf("without the clusters: scores %v, want no sport", s)
	}
}
