package classify

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

// shippedTokenizer is the default bundle's tokenizer, relative to this package.
var shippedTokenizer = filepath.Join("..", "models", "default", "tokenizer.json")

func loadShipped(tb testing.TB) *Subwords {
	tb.Helper()
	data, err := os.ReadFile(shippedTokenizer)
	if err != nil {
		tb.Fatal(err)
	}
	return loadBytes(tb, data)
}

// sampleSubwords is a small tokenizer trained on the sample itself, so that
// most words are split into several pieces.
func sampleSubwords(tb testing.TB, vocab int) *Subwords {
	tb.Helper()
	counts := map[string]int{}
	for _, w := range sampleWords(tb) {
		counts[w]++
	}
	return loadBytes(tb, trainBytes(tb, counts, BPEOptions{VocabSize: vocab}))
}

// directIDs encodes text with sugarme's full Encode.
func directIDs(tb testing.TB, s *Subwords, text string) []int {
	tb.Helper()
	enc, err := s.Tokenizer().EncodeSingle(text)
	if err != nil {
		tb.Fatalf("sugarme Encode(%q): %v", text, err)
	}
	return enc.Ids
}

func cachedIDs(s *Subwords, words []string) []int {
	var ids []int
	for _, w := range words {
		ids = append(ids, s.WordIDs(w)...)
	}
	return ids
}

// TestWordIDsMatchSugarmeEncode checks that the word cache gives exactly
// the ids of sugarme's full Encode over the same text, on the sample corpus,
// both for word tokens and for raw whitespace-separated chunks (punctuation,
// quotes, digits), with the shipped tokenizer and a small one.
func TestWordIDsMatchSugarmeEncode(t *testing.T) {
	tokenizers := map[string]*Subwords{
		"shipped":    loadShipped(t),
		"sample-600": sampleSubwords(t, 600),
	}
	docs := sampleDocs(t)
	for name, s := range tokenizers {
		t.Run(name, func(t *testing.T) {
			for i, doc := range docs {
				// sugarme's Encode slows down more than linearly with text
				// length, so long documents are checked 32 words at a time.
				for _, words := range slices.Concat(
					slices.Collect(slices.Chunk(strings.Fields(doc), 32)),
					slices.Collect(slices.Chunk(sampleWordsOf(doc), 32)),
				) {
					text := strings.Join(words, " ")
					want := directIDs(t, s, text)
					// Twice: the first call fills the cache, the second reads it.
					for pass := range 2 {
						if got := cachedIDs(s, words); !slices.Equal(got, want) {
							t.Fatalf("doc %d pass %d: WordIDs differ from sugarme Encode\ntext: %.200s\ngot  %v\nwant %v", i, pass, text, got, want)
						}
					}
				}
				// A whole text in one call splits like the pre-tokenizer.
				if len(doc) < 1000 {
					if got, want := s.WordIDs(doc), directIDs(t, s, doc); !slices.Equal(got, want) {
						t.Fatalf("doc %d as one word: got %v, want %v", i, got, want)
					}
				}
			}
		})
	}
}

// TestWordIDsRandomWords compares WordIDs with sugarme's Encode on words
// built to stress the merge order: runs of one letter ("ааааа", where equal
// ranks tie) and glued vocabulary tokens (which trigger long merge chains).
func TestWordIDsRandomWords(t *testing.T) {
	s := loadShipped(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var tokens []string
	for id := range s.VocabSize() {
		if tok := strings.TrimPrefix(s.Token(id), Metaspace); tok != "" && !strings.HasPrefix(tok, "[") {
			tokens = append(tokens, tok)
		}
	}
	letters := []rune("аннаоы0ә")
	var words []string
	for range 3000 {
		var b strings.Builder
		if rng.IntN(2) == 0 {
			for range 1 + rng.IntN(12) {
				b.WriteRune(letters[rng.IntN(len(letters))])
			}
		} else {
			for range 1 + rng.IntN(4) {
				b.WriteString(tokens[rng.IntN(len(tokens))])
			}
		}
		if utf8.RuneCountInString(b.String()) < MaxSubwordWordRunes {
			words = append(words, b.String())
		}
	}
	for chunk := range slices.Chunk(words, 50) {
		want := directIDs(t, s, strings.Join(chunk, " "))
		if got := cachedIDs(s, chunk); !slices.Equal(got, want) {
			for _, w := range chunk {
				if got, want := s.WordIDs(w), directIDs(t, s, w); !slices.Equal(got, want) {
					t.Errorf("WordIDs(%q) = %v %q, sugarme Encode %v", w, got, s.Pieces(w), want)
				}
			}
		}
	}
}

func sampleWordsOf(doc string) []string {
	return strings.FieldsFunc(doc, func(r rune) bool { return !isWordRune(r) })
}

func TestWordIDsRanges(t *testing.T) {
	s := loadShipped(t)
	if v := s.VocabSize(); v < 1000 || v > 32000 {
		t.Errorf("shipped VocabSize = %d, want a few thousand", v)
	}
	for _, w := range sampleWords(t) {
		for _, id := range s.WordIDs(w) {
			if id < 0 || id >= s.VocabSize() {
				t.Fatalf("WordIDs(%q) has id %d outside [0, %d)", w, id, s.VocabSize())
			}
		}
	}
	// Every word starts with a word-initial piece.
	for _, w := range []string{"президент", "қазақстан", "economy", "2024"} {
		p := s.Pieces(w)
		if len(p) == 0 || !strings.HasPrefix(p[0], Metaspace) || strings.Join(p, "") != Metaspace+w {
			t.Errorf("Pieces(%q) = %q", w, p)
		}
	}
}

// TestWordIDsLongWord: a word beyond MaxSubwordWordRunes gives the
// subwords of its first MaxSubwordWordRunes characters, which they spell.
func TestWordIDsLongWord(t *testing.T) {
	s := loadShipped(t)
	long := strings.Repeat("абвгд", 1000)
	p := s.Pieces(long)
	if want := string([]rune(long)[:MaxSubwordWordRunes]); strings.Join(p, "") != Metaspace+want {
		t.Fatalf("pieces of a long word spell %q; want its first %d characters", strings.Join(p, ""), MaxSubwordWordRunes)
	}
}

// TestWordIDsHugeWordIsCut: a 100,000-letter word (issue 14, row 2: one of
// 524,000 letters took 7 s of CPU, quadratic in its length) gets at most
// one id per character of its first MaxSubwordWordRunes, reading no more
// of it than that: its cost is a short word's, whatever its length.
func TestWordIDsHugeWordIsCut(t *testing.T) {
	s := loadShipped(t)
	huge := strings.Repeat("ж", 100_000)
	var ids []int
	alloc := testing.AllocsPerRun(1, func() { ids = s.WordIDs(huge) })
	if len(ids) > MaxSubwordWordRunes+1 {
		t.Errorf("%d ids for a 100,000-letter word; want at most %d", len(ids), MaxSubwordWordRunes+1)
	}
	if alloc > 4 {
		t.Errorf("%v allocations; want a short word's few", alloc)
	}
	if got := s.WordIDs(huge[:2*MaxSubwordWordRunes]); !slices.Equal(got, ids) {
		t.Errorf("the word (%d ids) and its first %d bytes (%d ids) differ", len(ids), 2*MaxSubwordWordRunes, len(got))
	}
}

// TestWordIDsCacheBytesBound: distinct long words (issue 14, row 3: 16
// distinct 60,000-letter words a document took RSS to 3.5 GB) keep the
// cache within its byte bound, and the heap it retains small.
func TestWordIDsCacheBytesBound(t *testing.T) {
	data, err := os.ReadFile(shippedTokenizer)
	if err != nil {
		t.Fatal(err)
	}
	const words = 1024
	s, err := LoadSubwordsCache(bytes.NewReader(data), words)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rng := rand.New(rand.NewPCG(14, 14))
	letters := []rune("абвгдежзийклмнопрстуфхцчшщъыьэюя")
	w := make([]rune, 20_000)
	for range 4 * words {
		for i := range w {
			w[i] = letters[rng.IntN(len(letters))]
		}
		s.WordIDs(string(w))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n, limit := s.CacheBytes(), int64(words*subwordCacheBytesPerWord); n > limit || n == 0 {
		t.Errorf("cache holds %d bytes; want 1..%d", n, limit)
	}
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 2<<20 {
		t.Errorf("heap grew %d bytes with a %d-word cache; want under 2 MiB", grown, words)
	}
	runtime.KeepAlive(s)
}

// TestWordIDsCacheBound: the cache never holds more than its bound and an
// evicted word is encoded again to the same ids.
func TestWordIDsCacheBound(t *testing.T) {
	data, err := os.ReadFile(shippedTokenizer)
	if err != nil {
		t.Fatal(err)
	}
	bounded, err := LoadSubwordsCache(bytes.NewReader(data), 128)
	if err != nil {
		t.Fatal(err)
	}
	uncached, err := LoadSubwordsCache(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	words := sampleWords(t)
	for pass := range 2 {
		for _, w := range words {
			if got, want := bounded.WordIDs(w), uncached.WordIDs(w); !slices.Equal(got, want) {
				t.Fatalf("pass %d: WordIDs(%q) = %v, want %v", pass, w, got, want)
			}
		}
	}
	n := bounded.cache.Len()
	if n > 128 {
		t.Errorf("cache holds %d words, bound 128", n)
	}
	if n == 0 {
		t.Error("cache holds nothing")
	}
}

func TestWordIDsConcurrent(t *testing.T) {
	s := sampleSubwords(t, 800)
	words := sampleWords(t)
	want := make([][]int, len(words))
	ref := sampleSubwords(t, 800)
	for i, w := range words {
		want[i] = ref.WordIDs(w)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := range words {
				j := (i*7 + g*131) % len(words)
				if got := s.WordIDs(words[j]); !slices.Equal(got, want[j]) {
					errs <- fmt.Sprintf("WordIDs(%q) = %v, want %v", words[j], got, want[j])
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

func TestLoadSubwordsErrors(t *testing.T) {
	good := string(trainBytes(t, smallCounts, BPEOptions{VocabSize: 30}))
	edit := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("test setup: %q not in the file", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	tests := []struct {
		name, file, want string
	}{
		{"not json", "{", "tokenizer.json"},
		{"empty", "", "tokenizer.json"},
		{"normalizer", edit(`"normalizer": null`, `"normalizer": {"type": "Lowercase"}`), "normalizer"},
		{"byte level", edit(`"pre_tokenizer": {"type": "Metaspace"`, `"pre_tokenizer": {"type": "ByteLevel"`), "pre_tokenizer"},
		{"no pre-tokenizer", edit(`"pre_tokenizer": {`, `"pre_tokenizer": null, "x": {`), "pre_tokenizer"},
		{"no unk", edit(`"unk_token": "[UNK]"`, `"unk_token": null`), "unk_token"},
		{"unk not in vocab", edit(`"unk_token": "[UNK]"`, `"unk_token": "<unk>"`), "unk_token"},
		{"prefix", edit(`"continuing_subword_prefix": null`, `"continuing_subword_prefix": "##"`), "continuing_subword_prefix"},
		{"dropout", edit(`"dropout": null`, `"dropout": 0.1`), "dropout"},
		{"wordpiece", edit(`"type": "BPE"`, `"type": "WordPiece"`), "model type"},
		{"id gap", edit(`"▁lower": 27`, `"▁lower": 99`), "vocab ids"},
		{"duplicate id", edit(`"▁lower": 27`, `"▁lower": 26`), "vocab ids"},
		{"vocab not a map", edit(`"vocab": {`, `"vocab": 5, "v": {`), "tokenizer.json"},
		{"merge of unknown token", edit(`"e s",`, `"e s", "q z",`), "merges"},
		{"merge without result", edit(`"e s",`, `"e s", "d e",`), "sugarme"},
		{"merge not a string", edit(`"e s",`, `"e s", 7,`), "sugarme"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LoadSubwords(strings.NewReader(tc.file))
			if err == nil {
				t.Fatalf("loaded (vocab %d), want an error", s.VocabSize())
			}
			if vigil.ErrorCode(err) != vigil.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want EINVALID mentioning %q", err, tc.want)
			}
		})
	}
}

func FuzzWordIDs(f *testing.F) {
	for _, s := range []string{"", "приказ", "қазақстан", "a b", "▁", "▁▁x", " ", "\t\n", "[UNK]", "low😀", "\xff\xfe", "ab\x00c", strings.Repeat("я", 300), strings.Repeat("ж", 5000) + " x", strings.Repeat("ab", 40)} {
		f.Add(s)
	}
	s := sampleSubwords(f, 400)
	f.Fuzz(func(t *testing.T, word string) {
		ids := s.WordIDs(word)
		for _, id := range ids {
			if id < 0 || id >= s.VocabSize() {
				t.Fatalf("WordIDs(%q) has id %d outside [0, %d)", word, id, s.VocabSize())
			}
		}
		if again := s.WordIDs(word); !slices.Equal(ids, again) {
			t.Fatalf("WordIDs(%q) changed between calls: %v then %v", word, ids, again)
		}
		_ = s.Pieces(word)
		// However long the word, each of its pieces gives at most
		// MaxSubwordWordRunes+1 ids (issue 14: a word is cut, not chunked).
		if !hasSeparator(word) {
			if len(ids) > MaxSubwordWordRunes+1 {
				t.Fatalf("WordIDs of a %d-byte word: %d ids, more than %d", len(word), len(ids), MaxSubwordWordRunes+1)
			}
			if cut := cutRunes(word, MaxSubwordWordRunes); !slices.Equal(ids, s.WordIDs(cut)) {
				t.Fatalf("WordIDs(%q) differs from the ids of its first %d characters", word, MaxSubwordWordRunes)
			}
		}
		// Where WordIDs promises sugarme's ids, check them: valid UTF-8,
		// no special token in the text, no over-long word.
		if len(word) > 512 || !utf8.ValidString(word) || strings.Contains(word, "[PAD]") || strings.Contains(word, "[UNK]") {
			return
		}
		for _, w := range strings.FieldsFunc(word, func(r rune) bool { return strings.ContainsRune(" \t\n\f\r"+Metaspace, r) }) {
			if utf8.RuneCountInString(w) >= MaxSubwordWordRunes {
				return
			}
		}
		if want := directIDs(t, s, word); !slices.Equal(ids, want) {
			t.Fatalf("WordIDs(%q) = %v, sugarme Encode = %v", word, ids, want)
		}
	})
}

// Benchmarks on the sample, one goroutine. The MB/s are of word bytes.
//
//	go test ./classify -run '^$' -bench 'WordIDs|SugarmeEncode' -benchmem
func BenchmarkWordIDs(b *testing.B) {
	s := loadShipped(b)
	words := sampleWords(b)
	size := 0
	for _, w := range words {
		size += len(w)
		s.WordIDs(w) // warm the cache
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, w := range words {
			s.WordIDs(w)
		}
	}
}

// BenchmarkWordIDsMiss is WordIDs with the cache off: sugarme's BPE merges
// for every word.
func BenchmarkWordIDsMiss(b *testing.B) {
	data, err := os.ReadFile(shippedTokenizer)
	if err != nil {
		b.Fatal(err)
	}
	s, err := LoadSubwordsCache(bytes.NewReader(data), 0)
	if err != nil {
		b.Fatal(err)
	}
	words := sampleWords(b)
	size := 0
	for _, w := range words {
		size += len(w)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, w := range words {
			s.WordIDs(w)
		}
	}
}

// BenchmarkSugarmeMergeWord is sugarme's own per-word BPE, what
// BenchmarkWordIDsMiss replaces.
func BenchmarkSugarmeMergeWord(b *testing.B) {
	s := loadShipped(b)
	words := sampleWords(b)
	size := 0
	for _, w := range words {
		size += len(w)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, w := range words {
			s.model.MergeWord(Metaspace + w)
		}
	}
}

// BenchmarkSugarmeEncode is sugarme's full Encode of the same words, one
// document per call (its own BPE cache warm). Its time grows faster than
// the text: all 80 kB in one call take over a minute.
func BenchmarkSugarmeEncode(b *testing.B) {
	s := loadShipped(b)
	var texts []string
	size := 0
	for _, d := range sampleDocs(b) {
		texts = append(texts, strings.Join(sampleWordsOf(d), " "))
		size += len(texts[len(texts)-1])
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, text := range texts {
			if _, err := s.Tokenizer().EncodeSingle(text); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestCharNgramsOfHugeWordCut: a flood word gives the char n-grams of its
// first MaxSubwordWordRunes characters only: a 100,000-letter word costs
// what a 64-letter one does (issue 14, rows 2 and 3: a 1 MB comment of
// long words allocated 130 MB of n-gram ids per stage).
func TestCharNgramsOfHugeWordCut(t *testing.T) {
	f := newFeaturizer(DefaultFeatures(), nil, nil, nil)
	s := &scratch{}
	huge := strings.Repeat("ж", 100_000)
	got := f.appendChars(nil, huge, s)
	want := f.appendChars(nil, huge[:2*MaxSubwordWordRunes], s)
	if !slices.Equal(got, want) {
		t.Errorf("%d n-grams for a 100,000-letter word; want the %d of its first %d letters", len(got), len(want), MaxSubwordWordRunes)
	}
}
