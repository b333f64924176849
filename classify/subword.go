package classify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/wordcache"
	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/model/bpe"
	"github.com/sugarme/tokenizer/pretrained"
)

// DefaultSubwordCacheWords bounds the word → ids cache of LoadSubwords:
// 131,072 distinct words, about 23 MB when full of random 7-letter words
// (fewer for real words, which have fewer pieces). The 9,837 documents of
// the topics training set hold 60 thousand distinct words, so a warm
// process rarely misses. A full cache starts over empty.
const DefaultSubwordCacheWords = 1 << 17

// DefaultSubwordCacheBytes bounds the bytes of the cache of LoadSubwords
// (keys, ids and the map's own overhead, estimated): 32 MiB, room for
// DefaultSubwordCacheWords real words, so that the word bound is the one
// normal text meets, while hostile text (long random words, each a new key
// with many ids) meets the byte bound first.
const DefaultSubwordCacheBytes = DefaultSubwordCacheWords * subwordCacheBytesPerWord

// subwordCacheBytesPerWord is the byte budget of LoadSubwordsCache per
// cached word.
const subwordCacheBytesPerWord = 256

// MaxSubwordWordRunes is the longest word BPE-encoded: only the first
// MaxSubwordWordRunes characters of a longer word (a URL, a hash, a flood
// string: no real word is that long) give it subwords, so the work and the
// memory per word are bounded and run in fixed stack buffers whatever a
// comment contains. sugarme's Encode does not cut; only for such words do
// WordIDs and Encode differ.
const MaxSubwordWordRunes = 64

// Subwords maps normalized words to the ids of their BPE subword tokens,
// using a tokenizer.json loaded with sugarme/tokenizer.
//
// sugarme's full Encode runs added-token extraction, normalizer,
// pre-tokenizer and model over a whole text, in time that grows faster than
// the text, far too slow for every document. WordIDs instead applies the BPE
// merges of sugarme's loaded model to one word at a time (mergeChunk) and
// keeps the answer in a bounded, lock-free word → ids cache (wordcache, as
// the rule matcher's), so a warm lookup is one hash and a probe or two,
// without a lock or an allocation; the sharded map + RWMutex it replaced
// ran BenchmarkWordIDs at 140 MB/s against 280 now, side by side on a
// loaded machine, and took 12% of a retag of full articles. Measured on
// testdata/topics_sample.jsonl (80 kB of words, 177 documents), one
// goroutine, AMD EPYC, shared machine, with
// go test ./classify -run '^$' -bench 'WordIDs|Sugarme' -benchmem
// (the same within 5% as CPU time of the calling thread):
//
//	BenchmarkWordIDs           cached                 ~500 MB/s, 0 allocs
//	BenchmarkWordIDsMiss       cache off               ~17 MB/s
//	BenchmarkSugarmeMergeWord  sugarme's per-word BPE  0.8 MB/s
//	BenchmarkSugarmeEncode     one call per document   0.01 MB/s (13 s for the 80 kB)
//
// The ids are the ones sugarme's Encode gives for the same words
// (TestWordIDsMatchSugarmeEncode, FuzzWordIDs), except that WordIDs never
// reads special tokens such as "[PAD]" out of text and cuts words longer than
// MaxSubwordWordRunes. The cache is bounded in words and in bytes.
//
// A Subwords is safe for concurrent use.
type Subwords struct {
	tk     *tokenizer.Tokenizer
	model  *bpe.BPE
	vocab  int
	unkID  int
	chars  map[rune]int // ids of the one-character tokens
	marker int          // id of Metaspace
	// merges is sugarme's merge table keyed by pairKey: hashing one
	// uint64 instead of its two-int Pair makes a cache miss 1.5x faster.
	merges map[uint64]mergeRank
	// cache holds the ids of words already encoded; nil: no cache.
	cache *wordcache.Cache[[]int]
}

type mergeRank struct{ rank, id int32 }

// tokenizerConfig is the part of tokenizer.json checked before it is handed
// to sugarme, so a file sugarme would misread is refused with a clear error.
type tokenizerConfig struct {
	Normalizer   json.RawMessage `json:"normalizer"`
	PreTokenizer *struct {
		Type          string `json:"type"`
		Replacement   string `json:"replacement"`
		PrependScheme string `json:"prepend_scheme"`
	} `json:"pre_tokenizer"`
	Model struct {
		Type                    string          `json:"type"`
		UnkToken                *string         `json:"unk_token"`
		Dropout                 *float64        `json:"dropout"`
		ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
		EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
		Vocab                   map[string]int  `json:"vocab"`
		Merges                  json.RawMessage `json:"merges"`
	} `json:"model"`
}

// LoadSubwords reads a tokenizer.json written by TrainBPE (or any
// Hugging Face BPE tokenizer.json with the same conventions: Metaspace
// pre-tokenizer "▁" prepended always, no normalizer, an unknown token, no
// subword prefix or suffix) and returns a Subwords with a cache of
// DefaultSubwordCacheWords words. An error has code EINVALID and says what
// is wrong with the file.
func LoadSubwords(r io.Reader) (*Subwords, error) {
	return LoadSubwordsCache(r, DefaultSubwordCacheWords)
}

// LoadSubwordsCache is LoadSubwords with a cache bounded at maxWords
// distinct words and maxWords*256 bytes (0 disables the cache).
//
// The file is read whole, checked, and handed to sugarme's
// pretrained.FromReader (pretrained.FromFile only opens a path and calls
// it), so bundles embedded with go:embed need no temporary file.
func LoadSubwordsCache(r io.Reader, maxWords int) (*Subwords, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read tokenizer: %w", err)
	}
	var cfg tokenizerConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "tokenizer.json: %v", err)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	// sugarme reads the file with unchecked type assertions and panics on
	// some malformed input; turn that into an error.
	tk, err := func() (tk *tokenizer.Tokenizer, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%v", p)
			}
		}()
		return pretrained.FromReader(bytes.NewReader(data))
	}()
	if err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "tokenizer.json: sugarme: %v", err)
	}
	model, ok := tk.GetModel().(*bpe.BPE)
	if !ok {
		return nil, vigil.Errorf(vigil.EINVALID, "tokenizer.json: model is %T, want BPE", tk.GetModel())
	}
	var merges []any
	if err := json.Unmarshal(cfg.Model.Merges, &merges); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "tokenizer.json: model.merges: %v", err)
	}
	if len(*model.Merges) != len(merges) {
		// sugarme silently drops merges naming tokens not in the vocab and
		// keeps one of two identical merges.
		return nil, vigil.Errorf(vigil.EINVALID, "tokenizer.json: %d merges, %d usable (unknown tokens or duplicates)", len(merges), len(*model.Merges))
	}
	s := &Subwords{tk: tk, model: model, vocab: len(cfg.Model.Vocab), unkID: cfg.Model.Vocab[*cfg.Model.UnkToken]}
	s.merges = make(map[uint64]mergeRank, len(*model.Merges))
	for p, v := range *model.Merges {
		s.merges[pairKey(int32(p.C1), int32(p.C2))] = mergeRank{int32(v.Rank), int32(v.NewId)}
	}
	s.chars = make(map[rune]int)
	for tok, id := range cfg.Model.Vocab {
		if r, n := utf8.DecodeRuneInString(tok); n == len(tok) && (r != utf8.RuneError || n > 1) {
			s.chars[r] = id
		}
	}
	s.marker = s.unkID
	if id, ok := cfg.Model.Vocab[Metaspace]; ok {
		s.marker = id
	}
	if maxWords > 0 {
		s.cache = wordcache.New(maxWords, int64(maxWords)*subwordCacheBytesPerWord, wordcache.IntsBytes)
	}
	return s, nil
}

func (c *tokenizerConfig) check() error {
	bad := func(format string, args ...any) error {
		return vigil.Errorf(vigil.EINVALID, "tokenizer.json: "+format, args...)
	}
	if n := bytes.TrimSpace(c.Normalizer); len(n) > 0 && string(n) != "null" {
		return bad("has a normalizer; subwords expect text normalized by the pipeline and none in the tokenizer")
	}
	if p := c.PreTokenizer; p == nil || p.Type != "Metaspace" || p.Replacement != Metaspace || !strings.EqualFold(p.PrependScheme, "always") {
		return bad("pre_tokenizer must be Metaspace with replacement %q and prepend_scheme \"always\"", Metaspace)
	}
	m := &c.Model
	if m.Type != "" && m.Type != "BPE" {
		return bad("model type %q, want BPE", m.Type)
	}
	if m.UnkToken == nil {
		return bad("model has no unk_token (sugarme panics on an unknown character without one)")
	}
	if _, ok := m.Vocab[*m.UnkToken]; !ok {
		return bad("unk_token %q is not in the vocab", *m.UnkToken)
	}
	if m.Dropout != nil {
		return bad("model has dropout; encoding must be deterministic")
	}
	if m.ContinuingSubwordPrefix != nil || m.EndOfWordSuffix != nil {
		// sugarme puts the prefix on the first character instead of the
		// others and never adds the suffix.
		return bad("continuing_subword_prefix and end_of_word_suffix are not supported (sugarme applies them wrongly)")
	}
	if len(m.Vocab) == 0 {
		return bad("empty vocab")
	}
	seen := make([]bool, len(m.Vocab))
	for tok, id := range m.Vocab {
		if id < 0 || id >= len(m.Vocab) || seen[id] {
			return bad("vocab ids must be 0..%d, each once; %q has %d", len(m.Vocab)-1, tok, id)
		}
		seen[id] = true
	}
	return nil
}

// VocabSize is the number of subword ids; every id WordIDs returns is in
// [0, VocabSize).
func (s *Subwords) VocabSize() int { return s.vocab }

// UnkID is the id of the unknown token, given for characters outside the
// tokenizer's alphabet.
func (s *Subwords) UnkID() int { return s.unkID }

// Tokenizer returns the underlying sugarme tokenizer, for full encodes in
// tests and tools. Its Encode is slow; use WordIDs per word instead.
func (s *Subwords) Tokenizer() *tokenizer.Tokenizer { return s.tk }

// WordIDs returns the subword ids of one normalized word: the ids sugarme's
// Encode gives for the word as part of a text, word-initial piece first
// ("▁при", "каз"). A word holding whitespace is split as the tokenizer
// would split it; the empty word has no ids; invalid UTF-8 is read as
// U+FFFD. The result is shared with the cache: callers must not modify it.
// Safe for concurrent use.
func (s *Subwords) WordIDs(word string) []int {
	if word == "" {
		return nil
	}
	if cut := cutRunes(word, MaxSubwordWordRunes); len(cut) < len(word) {
		if hasSeparator(word) {
			return s.encode(word) // several pieces, each cut; not cached
		}
		word = cut
	}
	if s.cache == nil {
		return s.encode(word)
	}
	if ids, ok := s.cache.Get(word); ok {
		return ids
	}
	ids := s.encode(word)
	s.cache.Put(word, ids) // copies the word: it may pin a whole document
	return ids
}

// CacheBytes returns the estimated bytes the word cache holds now: keys,
// ids and per-entry overhead.
func (s *Subwords) CacheBytes() int64 {
	if s.cache == nil {
		return 0
	}
	return s.cache.Bytes()
}

// cutRunes returns the first n characters of s (all of s when it has no
// more), reading no further than them.
func cutRunes(s string, n int) string {
	i := 0
	for range n {
		if i >= len(s) {
			return s
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// hasSeparator reports whether word holds white space or the word-start
// marker, which split it into several pieces.
func hasSeparator(word string) bool {
	return strings.ContainsAny(word, " \t\n\f\r") || strings.Contains(word, Metaspace)
}

// encode returns the ids of word's pre-tokenized pieces, each cut to its
// first MaxSubwordWordRunes characters after the word-start marker.
func (s *Subwords) encode(word string) []int {
	if !utf8.ValidString(word) {
		word = strings.ToValidUTF8(word, "\uFFFD")
	}
	if hasSeparator(word) {
		var ids []int
		splitMetaspace(word, func(piece string) { ids = s.mergeChunk(cutRunes(piece, MaxSubwordWordRunes+1), false, ids) })
		return ids
	}
	// The usual case: the one piece "▁"+word, merged without building that
	// string and in a stack buffer, so the result is the only allocation.
	var buf [16]int
	return slices.Clone(s.mergeChunk(word, true, buf[:0]))
}

// Pieces returns the subword tokens of word as strings, for evidence and
// debugging: Pieces("приказ") might be ["▁при", "каз"]. Safe for concurrent
// use.
func (s *Subwords) Pieces(word string) []string {
	ids := s.WordIDs(word)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i], _ = s.model.IdToToken(id)
	}
	return out
}

// Token returns the token string of id, or "" when id is out of range.
func (s *Subwords) Token(id int) string {
	t, _ := s.model.IdToToken(id)
	return t
}

// mergeChunk appends the BPE ids of one pre-tokenized chunk, after the
// word-start marker when marker is set, to ids.
//
// It is sugarme's (*bpe.BPE).MergeWord over sugarme's loaded merges, step
// for step, without its per-call costs: MergeWord seeds a math/rand source
// for dropout on every word (half its time), builds the word in quadratic
// time and boxes every queue entry. Measured on the sample, MergeWord runs
// at 0.8 MB/s and this at 17 MB/s (BenchmarkWordIDsMiss).
//
// The queue must pop in exactly sugarme's order. sugarme orders merges by
// rank alone, so when one pair is applicable twice (as in "ооо") the
// winner is whichever its binary heap happens to pop first, not the
// leftmost as in Hugging Face's tokenizers ("ооо" is "о"+"оо" in sugarme,
// "оо"+"о" in Python). The heap below is the same textbook heap (push:
// append and sift up while the parent ranks strictly higher; pop: move the
// last entry to the root and sift down towards the lower-ranked child,
// preferring the left on a tie), fed in the same order, so it pops the
// same entries. TestWordIDsRandomWords, TestWordIDsMatchSugarmeEncode and
// FuzzWordIDs compare the result with sugarme's Encode.
func (s *Subwords) mergeChunk(chunk string, marker bool, ids []int) []int {
	type symbol struct{ c, prev, next, n int }
	type entry struct{ rank, pos, id int }
	var symBuf [MaxSubwordWordRunes + 1]symbol
	var queueBuf [4 * (MaxSubwordWordRunes + 1)]entry
	syms := symBuf[:0]
	if marker {
		syms = append(syms, symbol{c: s.marker, prev: -1, next: 1, n: len(Metaspace)})
	}
	for _, r := range chunk {
		id, ok := s.chars[r]
		if !ok {
			id = s.unkID
		}
		syms = append(syms, symbol{c: id, prev: len(syms) - 1, next: len(syms) + 1, n: utf8.RuneLen(r)})
	}
	if len(syms) == 0 {
		return ids
	}
	syms[len(syms)-1].next = -1

	queue := queueBuf[:0]
	push := func(pos, a, b int) {
		m, ok := s.merges[pairKey(int32(a), int32(b))]
		if !ok {
			return
		}
		queue = append(queue, entry{int(m.rank), pos, int(m.id)})
		for i := len(queue) - 1; i > 0; {
			p := (i - 1) / 2
			if queue[p].rank <= queue[i].rank {
				break
			}
			queue[p], queue[i] = queue[i], queue[p]
			i = p
		}
	}
	pop := func() entry {
		top := queue[0]
		last := len(queue) - 1
		queue[0] = queue[last]
		queue = queue[:last]
		for i := 0; ; {
			small := 2*i + 1
			if small >= len(queue) {
				break
			}
			if r := small + 1; r < len(queue) && queue[small].rank > queue[r].rank {
				small = r
			}
			if queue[i].rank <= queue[small].rank {
				break
			}
			queue[i], queue[small] = queue[small], queue[i]
			i = small
		}
		return top
	}

	for i := 0; i+1 < len(syms); i++ {
		push(i, syms[i].c, syms[i+1].c)
	}
	for len(queue) > 0 {
		top := pop()
		cur := &syms[top.pos]
		if cur.n == 0 || cur.next == -1 {
			continue // merged away, or nothing on its right any more
		}
		right := syms[cur.next]
		if m, ok := s.merges[pairKey(int32(cur.c), int32(right.c))]; !ok || int(m.id) != top.id {
			continue // stale: the pair at pos has changed
		}
		syms[cur.next].n = 0
		cur.c, cur.n, cur.next = top.id, cur.n+right.n, right.next
		if right.next >= 0 {
			syms[right.next].prev = top.pos
		}
		if cur.prev >= 0 {
			push(cur.prev, syms[cur.prev].c, cur.c)
		}
		if cur.next >= 0 {
			push(top.pos, cur.c, syms[cur.next].c)
		}
	}
	for _, sym := range syms {
		if sym.n > 0 {
			ids = append(ids, sym.c)
		}
	}
	return ids
}
