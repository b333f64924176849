package classify

// The BPE trainer. sugarme/tokenizer loads and applies a tokenizer.json
// correctly but cannot make one: its trainer merges in the wrong order and
// drops special tokens, and its Save is a stub. So the project trains its
// own subword vocabulary here and writes a standard Hugging Face
// tokenizer.json (the format of the Python tokenizers library), which
// LoadSubwords reads with sugarme.
//
// Training (Sennrich et al. 2016): start from the characters of every
// distinct word; repeatedly merge the most frequent adjacent pair of
// symbols, counting each word as often as it occurs, into a new symbol,
// until the vocabulary is full or no pair occurs MinFrequency times. Pair
// counts are kept up to date incrementally (a merge only changes the pairs
// next to each occurrence, in the words that contain it) and the best pair
// comes from a max-heap with lazy deletion, so a merge costs time in
// proportion to the words it touches, not to the corpus: the topics
// training set (62 thousand distinct words) trains to 8,000 tokens in about
// 0.3 s. Ties in count go to the pair of smaller ids, and ids follow
// sorted order, so the output depends on the counts only.
// TestTrainBPEMatchesNaive checks the result against a trainer that recounts
// every pair after every merge.
//
// Conventions of the written file, chosen because sugarme reads and applies
// them as Hugging Face does:
//   - pre-tokenizer Metaspace ("▁", prepend always): every whitespace-separated
//     word becomes "▁word", so a word-initial piece ("▁при") is a different
//     token from the same letters inside a word ("при"). sugarme's BPE
//     options continuing_subword_prefix and end_of_word_suffix are not used:
//     it adds the prefix to the first character instead of the others and
//     never adds the suffix.
//   - no normalizer: the input is text already normalized by the pipeline.
//   - characters outside the alphabet map to the unknown token ([UNK]);
//     sugarme ignores byte_fallback, so none is written.
//   - special tokens come first in the vocabulary and are also listed in
//     added_tokens.

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Metaspace is the word-start marker the tokenizer puts before every word.
const Metaspace = "▁"

// Default BPE training options.
const (
	DefaultBPEVocabSize    = 8000
	DefaultBPEMinFrequency = 2
	DefaultBPEMinCharCount = 2
	DefaultUnkToken        = "[UNK]"
	DefaultPadToken        = "[PAD]"
)

// BPEOptions configures TrainBPE. The zero value means the defaults.
type BPEOptions struct {
	// VocabSize is the number of tokens wanted in the vocabulary, special
	// tokens and alphabet included (DefaultBPEVocabSize when 0). Training
	// stops earlier when no pair reaches MinFrequency.
	VocabSize int
	// MinFrequency is the fewest occurrences a pair needs to be merged
	// (DefaultBPEMinFrequency when 0).
	MinFrequency int
	// MinCharCount is the fewest occurrences a character needs to enter the
	// alphabet; rarer characters encode as UnkToken
	// (DefaultBPEMinCharCount when 0).
	MinCharCount int
	// SpecialTokens get the first ids, in this order ([PAD], [UNK] when
	// nil). UnkToken must be one of them.
	SpecialTokens []string
	// UnkToken is the token for characters outside the alphabet
	// (DefaultUnkToken when "").
	UnkToken string
}

func (o BPEOptions) withDefaults() BPEOptions {
	if o.VocabSize == 0 {
		o.VocabSize = DefaultBPEVocabSize
	}
	if o.MinFrequency == 0 {
		o.MinFrequency = DefaultBPEMinFrequency
	}
	if o.MinCharCount == 0 {
		o.MinCharCount = DefaultBPEMinCharCount
	}
	if o.SpecialTokens == nil {
		o.SpecialTokens = []string{DefaultPadToken, DefaultUnkToken}
	}
	if o.UnkToken == "" {
		o.UnkToken = DefaultUnkToken
	}
	return o
}

func (o BPEOptions) validate() error {
	if o.VocabSize < 0 || o.MinFrequency < 0 || o.MinCharCount < 0 {
		return vigil.Errorf(vigil.EINVALID, "bpe options: vocab size, min frequency and min char count must not be negative")
	}
	seen := make(map[string]bool, len(o.SpecialTokens))
	for _, s := range o.SpecialTokens {
		if s == "" || strings.ContainsAny(s, " \t\n\f\r") || strings.Contains(s, Metaspace) {
			return vigil.Errorf(vigil.EINVALID, "bpe options: special token %q is empty or contains whitespace or %q", s, Metaspace)
		}
		if seen[s] {
			return vigil.Errorf(vigil.EINVALID, "bpe options: special token %q listed twice", s)
		}
		seen[s] = true
	}
	if !seen[o.UnkToken] {
		return vigil.Errorf(vigil.EINVALID, "bpe options: unknown token %q is not among the special tokens %q", o.UnkToken, o.SpecialTokens)
	}
	if o.VocabSize < len(o.SpecialTokens)+1 {
		return vigil.Errorf(vigil.EINVALID, "bpe options: vocab size %d leaves no room beyond %d special tokens", o.VocabSize, len(o.SpecialTokens))
	}
	return nil
}

// splitMetaspace splits text the way the Metaspace pre-tokenizer does as
// sugarme implements it: every ASCII whitespace character (Go's `\s`:
// tab, newline, form feed, carriage return, space) becomes "▁", a "▁" is
// prepended unless the text starts with one, and the text is cut before
// every "▁". A word without whitespace becomes the single piece "▁word".
// The empty string has no pieces. fn is called once per piece, in order.
func splitMetaspace(text string, fn func(piece string)) {
	if text == "" {
		return
	}
	if !strings.ContainsAny(text, " \t\n\f\r") {
		if strings.HasPrefix(text, Metaspace) {
			if !strings.Contains(text[len(Metaspace):], Metaspace) {
				fn(text)
				return
			}
		} else if !strings.Contains(text, Metaspace) {
			fn(Metaspace + text)
			return
		}
	}
	var b strings.Builder
	b.Grow(len(text) + 2*len(Metaspace))
	for _, r := range text {
		switch r {
		case ' ', '\t', '\n', '\f', '\r':
			b.WriteString(Metaspace)
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if !strings.HasPrefix(s, Metaspace) {
		s = Metaspace + s
	}
	for len(s) > 0 {
		next := strings.Index(s[len(Metaspace):], Metaspace)
		if next < 0 {
			fn(s)
			return
		}
		fn(s[:len(Metaspace)+next])
		s = s[len(Metaspace)+next:]
	}
}

// bpeWord is one distinct pre-token of the training data as a sequence of
// symbol ids; -1 stands for a character outside the alphabet, which never
// pairs with its neighbours.
type bpeWord struct {
	syms  []int32
	count int64
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }
func pairOf(k uint64) (int32, int32) {
	return int32(uint32(k >> 32)), int32(uint32(k))
}

// pairEntry is a heap entry: a pair with the count it had when pushed.
// Entries go stale when the count changes; a popped stale entry is pushed
// again with the current count (lazy update).
type pairEntry struct {
	count int64
	key   uint64
}

// pairHeap pops the most frequent pair; ties go to the smaller (left id,
// right id), so training is deterministic whatever the map order.
type pairHeap []pairEntry

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	return h[i].key < h[j].key
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pairEntry)) }
func (h *pairHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// bpeModel is the result of training: tokens by id and merges in rank order.
type bpeModel struct {
	tokens   []string
	merges   [][2]int32
	specials int
	unk      string
}

// TrainTokenizer trains the subword tokenizer on raw text fields (a
// document's title and body, one string each, as the pipeline normalizes
// them) and writes tokenizer.json to w. Each text is normalized with
// pipeline.NormalizeText and split with pipeline.Words, as the pipeline does
// before classification, so the vocabulary is learned on exactly the words
// WordIDs will see. This is what `vigil train` calls to rebuild the bundle's
// tokenizer.json.
func TrainTokenizer(texts []string, opts BPEOptions, w io.Writer) error {
	counts := make(map[string]int)
	for _, t := range texts {
		CountWords(counts, t)
	}
	return TrainBPE(counts, opts, w)
}

// CountWords normalizes one raw text field and adds its words to counts,
// for callers that stream documents into TrainBPE.
func CountWords(counts map[string]int, text string) {
	for _, tok := range pipeline.Words(pipeline.NormalizeText(text)) {
		if n, ok := counts[tok.Text]; ok {
			counts[tok.Text] = n + 1
		} else {
			counts[strings.Clone(tok.Text)] = 1 // do not pin the whole text
		}
	}
}

// TrainBPE learns a byte-pair-encoding vocabulary from word counts and
// writes it to w as a Hugging Face tokenizer.json (see the top of this file
// for the conventions). counts maps a word of normalized text to how often
// it occurs; words with a count below 1 are ignored, and a key holding
// whitespace is split as the tokenizer would split it. The same counts and
// options always give a byte-identical file. Errors are EINVALID for bad
// options or empty input, or come from w.
func TrainBPE(counts map[string]int, opts BPEOptions, w io.Writer) error {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return err
	}
	m, err := trainBPE(counts, opts)
	if err != nil {
		return err
	}
	return m.writeJSON(w)
}

func trainBPE(counts map[string]int, opts BPEOptions) (*bpeModel, error) {
	pieces, keys := bpePieces(counts)
	if len(pieces) == 0 {
		return nil, vigil.Errorf(vigil.EINVALID, "bpe: no words to train on")
	}
	alphabet := bpeAlphabet(pieces, keys, opts.MinCharCount)

	m := &bpeModel{specials: len(opts.SpecialTokens), unk: opts.UnkToken}
	ids := make(map[string]int32, opts.VocabSize)
	add := func(tok string) int32 {
		id := int32(len(m.tokens))
		m.tokens = append(m.tokens, tok)
		ids[tok] = id
		return id
	}
	for _, s := range opts.SpecialTokens {
		add(s)
	}
	charID := make(map[rune]int32, len(alphabet))
	for _, r := range alphabet {
		if id, ok := ids[string(r)]; ok { // a one-character special token
			charID[r] = id
			continue
		}
		charID[r] = add(string(r))
	}

	words, pairCount, where := bpeWords(pieces, keys, charID)
	h := make(pairHeap, 0, len(pairCount))
	for k, n := range pairCount {
		h = append(h, pairEntry{n, k})
	}
	heap.Init(&h)

	merged := make(map[uint64]bool)
	special := make(map[string]bool, len(opts.SpecialTokens))
	for _, s := range opts.SpecialTokens {
		special[s] = true
	}
	changed := make([]uint64, 0, 64)
	for len(m.tokens) < opts.VocabSize && h.Len() > 0 {
		top := heap.Pop(&h).(pairEntry)
		cur := pairCount[top.key]
		if cur != top.count {
			if cur > 0 {
				heap.Push(&h, pairEntry{cur, top.key})
			}
			continue
		}
		if cur < int64(opts.MinFrequency) {
			break
		}
		a, b := pairOf(top.key)
		tok := m.tokens[a] + m.tokens[b]
		if special[tok] {
			// Never let text grow into a special token; drop the pair.
			delete(pairCount, top.key)
			delete(where, top.key)
			continue
		}
		nid, ok := ids[tok]
		if !ok {
			nid = add(tok)
		}
		if !merged[top.key] {
			merged[top.key] = true
			m.merges = append(m.merges, [2]int32{a, b})
		}
		changed = changed[:0]
		for _, wi := range where[top.key] {
			changed = words[wi].merge(a, b, nid, wi, pairCount, where, changed)
		}
		delete(where, top.key)
		delete(pairCount, top.key)
		// Push the pairs the merge created with their new counts.
		slices.Sort(changed)
		changed = slices.Compact(changed)
		for _, k := range changed {
			if n := pairCount[k]; n > 0 {
				heap.Push(&h, pairEntry{n, k})
			}
		}
	}
	return m, nil
}

// bpePieces pre-tokenizes the counted words into distinct pieces with
// their counts; keys are the pieces sorted, so that ids, word order and
// therefore every tie are independent of map iteration order.
func bpePieces(counts map[string]int) (pieces map[string]int64, keys []string) {
	pieces = make(map[string]int64, len(counts))
	for word, n := range counts {
		if n < 1 {
			continue
		}
		word = strings.ToValidUTF8(word, "\uFFFD")
		splitMetaspace(word, func(p string) { pieces[p] += int64(n) })
	}
	keys = make([]string, 0, len(pieces))
	for p := range pieces {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	return pieces, keys
}

// bpeAlphabet is the characters seen at least minCharCount times, by code
// point. The Metaspace marker is always in it.
func bpeAlphabet(pieces map[string]int64, keys []string, minCharCount int) []rune {
	charCount := make(map[rune]int64)
	for _, p := range keys {
		n := pieces[p]
		for _, r := range p {
			charCount[r] += n
		}
	}
	alphabet := make([]rune, 0, len(charCount))
	for r, n := range charCount {
		if n >= int64(minCharCount) || string(r) == Metaspace {
			alphabet = append(alphabet, r)
		}
	}
	slices.Sort(alphabet)
	return alphabet
}

// bpeWords spells each piece (in keys' order) in character ids, -1 for a
// character outside the alphabet, and counts its adjacent pairs: pairCount
// is each pair's count over all pieces, where the words it occurs in.
func bpeWords(pieces map[string]int64, keys []string, charID map[rune]int32) (words []bpeWord, pairCount map[uint64]int64, where map[uint64][]int32) {
	words = make([]bpeWord, len(keys))
	pairCount = make(map[uint64]int64)
	where = make(map[uint64][]int32)
	for i, p := range keys {
		syms := make([]int32, 0, utf8.RuneCountInString(p))
		for _, r := range p {
			id, ok := charID[r]
			if !ok {
				id = -1
			}
			syms = append(syms, id)
		}
		n := pieces[p]
		words[i] = bpeWord{syms: syms, count: n}
		for j := 0; j+1 < len(syms); j++ {
			if syms[j] < 0 || syms[j+1] < 0 {
				continue
			}
			k := pairKey(syms[j], syms[j+1])
			pairCount[k] += n
			if l := where[k]; len(l) == 0 || l[len(l)-1] != int32(i) {
				where[k] = append(l, int32(i))
			}
		}
	}
	return words, pairCount, where
}

// merge replaces every non-overlapping occurrence of (a, b) in w, left to
// right, by nid, and updates the pair counts and the word index: the pairs
// around each occurrence lose w's count and the pairs with nid gain it.
// The keys of the gained pairs are appended to changed.
func (w *bpeWord) merge(a, b, nid, wi int32, pairCount map[uint64]int64, where map[uint64][]int32, changed []uint64) []uint64 {
	syms := w.syms
	n := w.count
	gain := func(k uint64) {
		pairCount[k] += n
		if l := where[k]; len(l) == 0 || l[len(l)-1] != wi {
			where[k] = append(l, wi)
		}
		changed = append(changed, k)
	}
	out := syms[:0]
	for i := 0; i < len(syms); {
		if i+1 < len(syms) && syms[i] == a && syms[i+1] == b {
			pairCount[pairKey(a, b)] -= n
			if len(out) > 0 && out[len(out)-1] >= 0 {
				prev := out[len(out)-1]
				pairCount[pairKey(prev, a)] -= n
				gain(pairKey(prev, nid))
			}
			if i+2 < len(syms) && syms[i+2] >= 0 {
				next := syms[i+2]
				pairCount[pairKey(b, next)] -= n
				gain(pairKey(nid, next))
			}
			out = append(out, nid)
			i += 2
			continue
		}
		out = append(out, syms[i])
		i++
	}
	w.syms = out
	return changed
}

// writeJSON writes the model as a Hugging Face tokenizer.json: fixed key
// order, vocab in id order, one vocab entry or merge per line, so the file
// is byte-identical for the same model and diffs well.
func (m *bpeModel) writeJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	str := func(s string) string {
		// encoding/json would escape <, > and & as \u003c...; both are
		// valid JSON, plain is easier to read.
		var sb strings.Builder
		enc := json.NewEncoder(&sb)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s) // a string always encodes
		return strings.TrimSuffix(sb.String(), "\n")
	}
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
	for i := 0; i < m.specials; i++ {
		if i > 0 {
			p(",")
		}
		p("\n    {\"id\": %d, \"content\": %s, \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}", i, str(m.tokens[i]))
	}
	p("\n  ],\n  \"normalizer\": null,\n")
	meta := fmt.Sprintf("{\"type\": \"Metaspace\", \"replacement\": %s, \"prepend_scheme\": \"always\", \"split\": true, \"add_prefix_space\": true}", str(Metaspace))
	p("  \"pre_tokenizer\": %s,\n  \"post_processor\": null,\n  \"decoder\": %s,\n", meta, meta)
	p("  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": %s,\n", str(m.unk))
	p("    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n")
	p("    \"vocab\": {")
	for id, tok := range m.tokens {
		if id > 0 {
			p(",")
		}
		p("\n      %s: %d", str(tok), id)
	}
	p("\n    },\n    \"merges\": [")
	for i, mg := range m.merges {
		if i > 0 {
			p(",")
		}
		p("\n      %s", str(m.tokens[mg[0]]+" "+m.tokens[mg[1]]))
	}
	p("\n    ]\n  }\n}\n")
	return bw.Flush()
}
