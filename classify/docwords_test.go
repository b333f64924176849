package classify_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

func readDocs(tb testing.TB, paths ...string) []vigil.Document {
	tb.Helper()
	var docs []vigil.Document
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var d vigil.Document
			if err := json.Unmarshal([]byte(line), &d); err != nil {
				tb.Fatal(err)
			}
			docs = append(docs, d)
		}
	}
	return docs
}

// The shared document memo must give every shipped model exactly the
// feature ids, in exactly the order, that featurizing the fields gives:
// then scores, and verdicts, are bit for bit the same. The recruitment
// data has disguised words (Readings adds tokens) and neutral words.
func TestDocWordsIDs(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/recruitment/*.jsonl")
	docs := readDocs(t, append(paths, "../testdata/corpus/corpus.jsonl")...)
	set, err := models.DefaultSet()
	if err != nil {
		t.Fatal(err)
	}
	topics := set.Topics().Topics
	type head struct {
		name     string
		m        *classify.Model
		skip     *classify.WordSet
		readings bool
	}
	heads := []head{{name: "topics", m: topics}}
	for _, h := range set.Heads {
		if h.Flag != nil {
			for _, m := range h.Flag.Stage.Models {
				heads = append(heads, head{h.Name, m, h.Flag.Stage.Neutral, true})
			}
		}
	}
	read := 0
	for i, fields := range prepared(t, docs) {
		if !slices.EqualFunc(fields, classify.Readings(fields), func(a, b pipeline.Field) bool { return len(a.Words) == len(b.Words) }) {
			read++
		}
		for _, h := range heads {
			direct, memo, ok := classify.MemoIDs(h.m, fields, h.skip, h.readings, topics)
			if !ok {
				t.Fatalf("%s: the memo cannot make the model's features", h.name)
			}
			if !slices.Equal(direct, memo) {
				t.Fatalf("%s, document %s: the memo's %d ids differ from the featurizer's %d", h.name, docs[i].ID, len(memo), len(direct))
			}
		}
	}
	if read == 0 {
		t.Error("no document with a disguised word: the readings path is untested")
	}
}

// BenchmarkScore measures scoring alone, from feature ids made beforehand,
// for the topic model (9 labels) and the recruitment head's model (1), on
// the corpus's documents, in CPU nanoseconds per feature id.
// Run on one core: go test ./classify -run '^$' -bench Score -cpu 1
func BenchmarkScore(b *testing.B) {
	docs := readDocs(b, "../testdata/corpus/corpus.jsonl")
	set, err := models.DefaultSet()
	if err != nil {
		b.Fatal(err)
	}
	fields := prepared(b, docs)
	for _, name := range []string{"topics", vigil.FlagExtremistRecruitment} {
		h := set.Head(name)
		m := set.Topics().Topics
		if h.Flag != nil {
			m = h.Flag.Stage.Models[0]
		}
		b.Run(name, func(b *testing.B) {
			score, ids := classify.ScoreAll(m, fields)
			cpu0 := cpuSeconds()
			for b.Loop() {
				score()
			}
			if cpu := cpuSeconds() - cpu0; cpu > 0 {
				b.ReportMetric(cpu*1e9/float64(b.N)/float64(ids), "cpu-ns/id")
			}
		})
	}
}

// TestFlagScoreTrainingEqualsServing: a flag head's thresholds are chosen
// on the probabilities training computes (flagProb, over fields); the
// stage computes them through the shared document memo (scoreItem, with
// its own count of the distinct known words for MinWords). On every
// shipped flag head they must be the same numbers, bit for bit, or a
// threshold would not mean in service what it meant in training.
func TestFlagScoreTrainingEqualsServing(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/recruitment/*.jsonl")
	paths = append(paths, "../testdata/corpus/corpus.jsonl", "../testdata/toxicity/news-comments.jsonl")
	docs := readDocs(t, paths...)
	// Short texts and texts of words no head knows: the shrink towards an
	// empty text (recruitment, MinWords 6) and towards the prior of clean
	// text (toxic, known words).
	for i, body := range []string{"xqzv wpty", "asdfgh jkl qwrtz", "брат", "Аллах акбар", "вступай к нам"} {
		docs = append(docs, vigil.Document{ID: fmt.Sprintf("short-%d", i), Kind: vigil.KindComment, Body: body})
	}
	set, err := models.DefaultSet()
	if err != nil {
		t.Fatal(err)
	}
	heads := 0
	for _, h := range set.Heads {
		if h.Flag == nil {
			continue
		}
		heads++
		for i, fields := range prepared(t, docs) {
			// A rule that fired lifts the shrink where the head says so
			// (RuledInFull), in training as in the stage.
			for _, ruled := range []bool{false, true} {
				train, serve := classify.FlagScores(h.Flag.Stage, fields, ruled)
				if train != serve {
					t.Fatalf("%s, document %s, rule fired %v: training scores %v, the stage %v", h.Name, docs[i].ID, ruled, train, serve)
				}
			}
		}
	}
	if heads < 2 {
		t.Errorf("%d flag heads checked; want recruitment and toxic", heads)
	}
}

// TestRuledInFull: on the shipped recruitment head a rule that fired lifts
// the length rule on a short text (its score rises) and changes nothing on
// a text of MinWords words or more.
func TestRuledInFull(t *testing.T) {
	set, err := models.DefaultSet()
	if err != nil {
		t.Fatal(err)
	}
	head := set.Head(vigil.FlagExtremistRecruitment)
	if head == nil || head.Flag == nil || !head.Flag.Stage.RuledInFull {
		t.Fatal("the shipped recruitment head does not count ruled texts in full")
	}
	docs := []vigil.Document{
		{ID: "short", Kind: vigil.KindComment, Body: "вступайте в ИГИЛ"},
		{ID: "long", Kind: vigil.KindComment, Body: "Вступай в джамаат, брат, там настоящие мужчины, пиши мне в личку, расскажу как добраться"},
	}
	fields := prepared(t, docs)
	h := head.Flag
	shrunk, _ := classify.FlagScores(h.Stage, fields[0], false)
	full, _ := classify.FlagScores(h.Stage, fields[0], true)
	if full <= shrunk {
		t.Errorf("short text: %.3f with a rule, %.3f without: want higher", full, shrunk)
	}
	a, _ := classify.FlagScores(h.Stage, fields[1], false)
	b, _ := classify.FlagScores(h.Stage, fields[1], true)
	if a != b {
		t.Errorf("long text: %.3f with a rule, %.3f without: want the same", b, a)
	}
}
