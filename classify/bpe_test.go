package classify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

// The package's tests share one -update flag (refresh golden files); it is
// declared here unless another test file already did.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// smallCounts is the textbook BPE example (Sennrich et al. 2016).
var smallCounts = map[string]int{"low": 5, "lower": 2, "newest": 6, "widest": 3}

func trainBytes(tb testing.TB, counts map[string]int, opts BPEOptions) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := TrainBPE(counts, opts, &buf); err != nil {
		tb.Fatalf("TrainBPE: %v", err)
	}
	return buf.Bytes()
}

func loadBytes(tb testing.TB, data []byte) *Subwords {
	tb.Helper()
	s, err := LoadSubwords(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("LoadSubwords: %v", err)
	}
	return s
}

// hfFile is the part of tokenizer.json the tests inspect.
type hfFile struct {
	AddedTokens []struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
	} `json:"added_tokens"`
	Model struct {
		Type     string         `json:"type"`
		UnkToken string         `json:"unk_token"`
		Vocab    map[string]int `json:"vocab"`
		Merges   []string       `json:"merges"`
	} `json:"model"`
}

func TestTrainBPEMergeOrder(t *testing.T) {
	data := trainBytes(t, smallCounts, BPEOptions{VocabSize: 100})
	var f hfFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	// Worked by hand: "e s" and "s t" both occur 9 times, the tie goes to
	// the smaller id pair; then "es t" (9); then the three pairs of "▁low"
	// at 7, smallest ids first; then "newest" at 6.
	want := []string{"e s", "es t", "l o", "▁ lo", "▁lo w", "e w", "n ew", "▁ new", "▁new est"}
	if got := f.Model.Merges[:len(want)]; !slices.Equal(got, want) {
		t.Errorf("first merges = %q, want %q", got, want)
	}
	if f.Model.Type != "BPE" || f.Model.UnkToken != "[UNK]" {
		t.Errorf("model type %q unk %q", f.Model.Type, f.Model.UnkToken)
	}
	if f.Model.Vocab["[PAD]"] != 0 || f.Model.Vocab["[UNK]"] != 1 {
		t.Errorf("special ids: [PAD]=%d [UNK]=%d, want 0, 1", f.Model.Vocab["[PAD]"], f.Model.Vocab["[UNK]"])
	}
	if len(f.AddedTokens) != 2 || f.AddedTokens[0].Content != "[PAD]" || f.AddedTokens[1].Content != "[UNK]" ||
		f.AddedTokens[1].ID != 1 || !f.AddedTokens[0].Special || !f.AddedTokens[1].Special {
		t.Errorf("added_tokens = %+v", f.AddedTokens)
	}

	s := loadBytes(t, data)
	tests := []struct {
		word string
		want []string
	}{
		{"newest", []string{"▁newest"}},
		{"low", []string{"▁low"}},
		{"lowest", []string{"▁low", "est"}}, // never seen: learned pieces in merge order
		{"lower", []string{"▁lower"}},
		{"wide", []string{"▁", "w", "i", "d", "e"}}, // "widest" was merged from the right
		{"low😀", []string{"▁low", "[UNK]"}},         // outside the alphabet
		{"zzz", []string{"▁", "[UNK]", "[UNK]", "[UNK]"}},
		{"", []string{}},
		{"low newest", []string{"▁low", "▁newest"}}, // split like the pre-tokenizer
	}
	for _, tc := range tests {
		if got := s.Pieces(tc.word); !slices.Equal(got, tc.want) {
			t.Errorf("Pieces(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}

	// Special tokens survive loading into sugarme and are read out of raw
	// text by its full Encode.
	tk := s.Tokenizer()
	for tok, id := range map[string]int{"[PAD]": 0, "[UNK]": 1} {
		if got, ok := tk.TokenToId(tok); !ok || got != id {
			t.Errorf("sugarme TokenToId(%q) = %d, %v; want %d", tok, got, ok, id)
		}
	}
	enc, err := tk.EncodeSingle("[PAD] low")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"[PAD]", "▁low"}; !slices.Equal(enc.Tokens, want) {
		t.Errorf("sugarme Encode(\"[PAD] low\") = %q, want %q", enc.Tokens, want)
	}
}

func TestTrainBPEOptions(t *testing.T) {
	// Characters rarer than MinCharCount stay out of the alphabet.
	s := loadBytes(t, trainBytes(t, smallCounts, BPEOptions{VocabSize: 100, MinCharCount: 3}))
	if got, want := s.Pieces("lower"), []string{"▁lowe", "[UNK]"}; !slices.Equal(got, want) {
		t.Errorf("MinCharCount 3: Pieces(lower) = %q, want %q", got, want)
	}
	// VocabSize counts special tokens and the alphabet: 2 + 11 + 3 merges.
	s = loadBytes(t, trainBytes(t, smallCounts, BPEOptions{VocabSize: 16}))
	if s.VocabSize() != 16 {
		t.Errorf("VocabSize = %d, want 16", s.VocabSize())
	}
	// MinFrequency stops training before VocabSize.
	s = loadBytes(t, trainBytes(t, smallCounts, BPEOptions{VocabSize: 1000, MinFrequency: 7}))
	if got, want := s.Pieces("newest"), []string{"▁", "n", "e", "w", "est"}; !slices.Equal(got, want) {
		t.Errorf("MinFrequency 7: Pieces(newest) = %q, want %q", got, want)
	}
	// Custom special tokens keep their order and ids.
	data := trainBytes(t, smallCounts, BPEOptions{SpecialTokens: []string{"<unk>", "<s>", "</s>"}, UnkToken: "<unk>"})
	s = loadBytes(t, data)
	if s.UnkID() != 0 || s.Token(2) != "</s>" {
		t.Errorf("custom specials: unk id %d, token 2 %q", s.UnkID(), s.Token(2))
	}
}

func TestTrainBPEErrors(t *testing.T) {
	tests := []struct {
		name   string
		counts map[string]int
		opts   BPEOptions
	}{
		{"no words", map[string]int{}, BPEOptions{}},
		{"only zero counts", map[string]int{"a": 0, "b": -3}, BPEOptions{}},
		{"unk not special", smallCounts, BPEOptions{SpecialTokens: []string{"[PAD]"}}},
		{"duplicate special", smallCounts, BPEOptions{SpecialTokens: []string{"[UNK]", "[UNK]"}}},
		{"special with space", smallCounts, BPEOptions{SpecialTokens: []string{"[UNK]", "a b"}}},
		{"vocab too small", smallCounts, BPEOptions{VocabSize: 2}},
		{"negative", smallCounts, BPEOptions{MinFrequency: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := TrainBPE(tc.counts, tc.opts, &bytes.Buffer{})
			if vigil.ErrorCode(err) != vigil.EINVALID {
				t.Errorf("err = %v, want code EINVALID", err)
			}
		})
	}
	werr := errors.New("disk full")
	if err := TrainBPE(smallCounts, BPEOptions{}, failWriter{werr}); !errors.Is(err, werr) {
		t.Errorf("write error = %v, want %v", err, werr)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// TestTrainBPEGolden pins the file format byte for byte.
func TestTrainBPEGolden(t *testing.T) {
	got := trainBytes(t, smallCounts, BPEOptions{VocabSize: 30})
	golden := filepath.Join("testdata", "bpe_small.golden.json")
	if updating() {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("tokenizer.json differs from %s (go test -update refreshes it):\n%s", golden, got)
	}
}

// TestTrainBPEDeterministic trains twice on the same counts built in
// different orders: the files must be byte-identical.
func TestTrainBPEDeterministic(t *testing.T) {
	words := sampleWords(t)
	a, b := map[string]int{}, map[string]int{}
	for _, w := range words {
		a[w]++
	}
	for i := len(words) - 1; i >= 0; i-- {
		b[words[i]]++
	}
	opts := BPEOptions{VocabSize: 1500}
	first := trainBytes(t, a, opts)
	for range 3 {
		if again := trainBytes(t, b, opts); !bytes.Equal(first, again) {
			t.Fatal("two trainings on the same counts differ")
		}
	}
	s := loadBytes(t, first)
	if s.VocabSize() != 1500 {
		t.Errorf("VocabSize = %d, want 1500", s.VocabSize())
	}
}

// sampleDocs reads testdata/topics_sample.jsonl: title and body of each
// document, lower-cased.
func sampleDocs(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "topics_sample.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var docs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d struct{ Title, Body string }
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			tb.Fatal(err)
		}
		docs = append(docs, strings.ToLower(d.Title+"\n"+d.Body))
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return docs
}

// sampleWords splits the sample into letter-and-digit words, the shape of
// the pipeline's word tokens.
func sampleWords(tb testing.TB) []string {
	tb.Helper()
	var words []string
	for _, d := range sampleDocs(tb) {
		words = append(words, sampleWordsOf(d)...)
	}
	return words
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func BenchmarkTrainBPE(b *testing.B) {
	counts := map[string]int{}
	for _, w := range sampleWords(b) {
		counts[w]++
	}
	b.ResetTimer()
	for b.Loop() {
		if err := TrainBPE(counts, BPEOptions{VocabSize: 4000}, &bytes.Buffer{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTrainTokenizerNormalizes: TrainTokenizer learns on the pipeline's
// normalized words, so case, ё and markup never reach the vocabulary.
func TestTrainTokenizerNormalizes(t *testing.T) {
	texts := []string{"<p>ПРИКАЗ Президента</p>", "Ёлка и ЁЛКИ", "приказ, приказы; указ!"}
	var buf bytes.Buffer
	if err := TrainTokenizer(texts, BPEOptions{VocabSize: 100, MinFrequency: 1, MinCharCount: 1}, &buf); err != nil {
		t.Fatal(err)
	}
	var f hfFile
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	for tok := range f.Model.Vocab {
		if tok == "[PAD]" || tok == "[UNK]" {
			continue
		}
		if strings.ContainsAny(tok, "ПЁё<>/,;!") {
			t.Errorf("vocab has un-normalized token %q", tok)
		}
	}
	s := loadBytes(t, buf.Bytes())
	for _, w := range []string{"приказ", "елка", "президента"} {
		if got := s.Pieces(w); len(got) != 1 || got[0] != Metaspace+w {
			t.Errorf("Pieces(%q) = %q, want one piece", w, got)
		}
	}
	counts := map[string]int{}
	CountWords(counts, "Ёлка, ёлка и ЁЛКА")
	if counts["елка"] != 3 || counts["и"] != 1 || len(counts) != 2 {
		t.Errorf("CountWords = %v", counts)
	}
}

// TestShippedTokenizerReproducible retrains the shipped tokenizer from the
// training files, weak ones included (`vigil train` counts their words too),
// when they are present (they are not part of the repository) and
// checks the result is byte-identical, the same words `vigil train` counts
// (each field normalized and split by the pipeline). It fails when the
// normalizer changed after the bundle was built: the bundle is then stale.
func TestShippedTokenizerReproducible(t *testing.T) {
	// The corpora the bundle was trained on, as its metadata.json records
	// them (paths from the repository root).
	var meta struct {
		Command          string
		Data, Once, Weak []struct{ Path string }
	}
	raw, err := os.ReadFile(filepath.Join("..", "models", "default", "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	var corpora []string
	// In the order vigil train reads them: --data, --once, --weak.
	for _, d := range slices.Concat(meta.Data, meta.Once, meta.Weak) {
		p := filepath.Join("..", filepath.FromSlash(d.Path))
		if _, err := os.Stat(p); err != nil {
			t.Skipf("corpus %s absent: %v", p, err)
		}
		corpora = append(corpora, p)
	}
	if testing.Short() {
		t.Skip("retraining takes seconds; skipped with -short")
	}
	shipped, err := os.ReadFile(shippedTokenizer)
	if err != nil {
		t.Fatal(err)
	}
	var f hfFile
	if err := json.Unmarshal(shipped, &f); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, corpus := range corpora {
		in, err := os.Open(corpus)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(in)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var d struct{ Title, Body string }
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, d.Title, d.Body)
		}
		in.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := TrainTokenizer(texts, BPEOptions{VocabSize: len(f.Model.Vocab)}, &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), shipped) {
		t.Errorf("%s is not what TrainTokenizer makes from %v with vocab size %d: the normalizer, "+
			"the tokenizer or the trainer changed since the bundle was built; rebuild it from the repository root with\n%s",
			shippedTokenizer, corpora, len(f.Model.Vocab), meta.Command)
	}
}

// FuzzTrainBPE: whatever the words, TrainBPE writes a file LoadSubwords
// accepts, deterministically, and whose ids agree with sugarme's Encode.
func FuzzTrainBPE(f *testing.F) {
	for _, s := range []string{"low lower newest widest", "ааа ааааа аа", "a\"b \\c ▁x ▁", "[UNK] [unk] [PAD]x", "\xff\xfe a", "ab\u00a0cd ab\u2028cd"} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, text string, rep uint8) {
		counts := map[string]int{}
		for i, w := range strings.Fields(text) {
			counts[w] += 1 + (i*int(rep))%5
		}
		if len(counts) == 0 {
			return
		}
		opts := BPEOptions{VocabSize: 60, MinCharCount: 1}
		var a, b bytes.Buffer
		if err := TrainBPE(counts, opts, &a); err != nil {
			t.Fatalf("TrainBPE: %v", err)
		}
		if err := TrainBPE(counts, opts, &b); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("second training differs (err %v)", err)
		}
		s, err := LoadSubwords(&a)
		if err != nil {
			t.Fatalf("LoadSubwords on a trained file: %v\n%s", err, b.Bytes())
		}
		for w := range counts {
			if !utf8.ValidString(w) || strings.Contains(w, "[PAD]") || strings.Contains(w, "[UNK]") || utf8.RuneCountInString(w) >= MaxSubwordWordRunes {
				continue
			}
			if got, want := s.WordIDs(w), directIDs(t, s, w); !slices.Equal(got, want) {
				t.Fatalf("WordIDs(%q) = %v, sugarme Encode %v", w, got, want)
			}
		}
	})
}

// naiveBPE is the textbook trainer: recount every pair after every merge.
// It shares nothing with trainBPE but the pre-tokenizer, and serves as the
// reference for its incremental pair counts.
func naiveBPE(counts map[string]int, vocabSize, minFreq, minChar int) (tokens, merges []string) {
	pieces := map[string]int{}
	for w, n := range counts {
		splitMetaspace(w, func(p string) { pieces[p] += n })
	}
	chars := map[rune]int{}
	for p, n := range pieces {
		for _, r := range p {
			chars[r] += n
		}
	}
	var alphabet []rune
	for r, n := range chars {
		if n >= minChar || string(r) == Metaspace {
			alphabet = append(alphabet, r)
		}
	}
	slices.Sort(alphabet)
	tokens = []string{"[PAD]", "[UNK]"}
	id := map[string]int{"[PAD]": 0, "[UNK]": 1}
	for _, r := range alphabet {
		id[string(r)] = len(tokens)
		tokens = append(tokens, string(r))
	}
	type word struct {
		syms []int
		n    int
	}
	var words []word
	for p, n := range pieces {
		var syms []int
		for _, r := range p {
			if i, ok := id[string(r)]; ok {
				syms = append(syms, i)
			} else {
				syms = append(syms, -1)
			}
		}
		words = append(words, word{syms, n})
	}
	done := map[[2]int]bool{}
	for len(tokens) < vocabSize {
		pc := map[[2]int]int{}
		for _, w := range words {
			for i := 0; i+1 < len(w.syms); i++ {
				if w.syms[i] >= 0 && w.syms[i+1] >= 0 {
					pc[[2]int{w.syms[i], w.syms[i+1]}] += w.n
				}
			}
		}
		var best [2]int
		bestN := 0
		for p, n := range pc {
			if n > bestN || n == bestN && (p[0] < best[0] || p[0] == best[0] && p[1] < best[1]) {
				best, bestN = p, n
			}
		}
		if bestN < minFreq {
			break
		}
		tok := tokens[best[0]] + tokens[best[1]]
		nid, ok := id[tok]
		if !ok {
			nid = len(tokens)
			id[tok] = nid
			tokens = append(tokens, tok)
		}
		if !done[best] {
			done[best] = true
			merges = append(merges, tokens[best[0]]+" "+tokens[best[1]])
		}
		for wi := range words {
			s := words[wi].syms
			var out []int
			for i := 0; i < len(s); i++ {
				if i+1 < len(s) && s[i] == best[0] && s[i+1] == best[1] {
					out = append(out, nid)
					i++
				} else {
					out = append(out, s[i])
				}
			}
			words[wi].syms = out
		}
	}
	return tokens, merges
}

// TestTrainBPEMatchesNaive: the incremental trainer learns exactly the
// merges of the recount-everything reference, on the sample corpus.
func TestTrainBPEMatchesNaive(t *testing.T) {
	counts := map[string]int{}
	for _, w := range sampleWords(t) {
		counts[w]++
	}
	for _, w := range []string{"аааааа", "абабабаб", "ааа"} { // overlapping pairs
		counts[w] += 40
	}
	const vocab = 450
	wantTokens, wantMerges := naiveBPE(counts, vocab, 2, 2)
	var f hfFile
	if err := json.Unmarshal(trainBytes(t, counts, BPEOptions{VocabSize: vocab}), &f); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Model.Merges, wantMerges) {
		for i := range min(len(f.Model.Merges), len(wantMerges)) {
			if f.Model.Merges[i] != wantMerges[i] {
				t.Fatalf("merge %d: %q, reference %q (of %d and %d)", i, f.Model.Merges[i], wantMerges[i], len(f.Model.Merges), len(wantMerges))
			}
		}
		t.Fatalf("%d merges, reference %d", len(f.Model.Merges), len(wantMerges))
	}
	for i, tok := range wantTokens {
		if f.Model.Vocab[tok] != i {
			t.Fatalf("token %q has id %d, reference %d", tok, f.Model.Vocab[tok], i)
		}
	}
	if len(f.Model.Vocab) != len(wantTokens) {
		t.Errorf("vocab %d, reference %d", len(f.Model.Vocab), len(wantTokens))
	}
}
