package classify

import (
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/kz-newsroom/vigil/pipeline"
)

// docWords is one document's words hashed once for every model that reads
// them: the topic model and each flag head would otherwise hash the same
// words and char n-grams again (on full articles the recruitment head spent
// 17 % of a re-tag featurizing what the topic model had just featurized).
// Each distinct word of the document gets a slot holding its word hash and,
// made the first time a model asks, its char n-gram hashes, subword hashes
// and whether a flag head's neutral set has it; a repeated word is hashed
// once per document, however many models read it.
//
// The hashes are taken before a model's bucket mask, so models with
// different table sizes share them. appendIDs makes exactly the ids
// featurizer.appendField makes, in the same order, so scores are bit for
// bit those of Model.Scores (TestDocWordsIDs checks it on the shipped
// models); a model whose features it cannot make (see memoizable) is
// featurized the old way.
//
// A docWords belongs to one goroutine at a time. The classify stages keep
// it in pipeline.Item.Memo and the pipeline releases it to a pool when the
// document is done.
type docWords struct {
	// words are the fields' Words the slots were made from: the memo is
	// used only while it.Fields still has these.
	words [][]pipeline.Token
	// tok is the slot of every token, fields one after another; fieldEnd
	// the end of each field's tokens in tok.
	tok      []int32
	fieldEnd []int
	slots    []wordSlot
	table    []int32 // open addressing on the word hash: slot index + 1
	// chars, subs and dicts hold the slots' char n-gram, subword and
	// dictionary hashes (slot.chars, slot.subs, slot.dicts index them).
	chars, subs, dicts []uint64
	// What the lazily made parts of the slots were made for: the char
	// n-gram range, the subword encoder, the dictionary, the neutral word
	// set.
	minN, maxN int
	sub        SubwordEncoder
	dict       *Dictionary
	neutral    *WordSet

	// rd are the fields' Readings once read is set (see readings).
	rd   []pipeline.Field
	read bool

	// scratch: char n-grams, fieldSlots
	word   []byte
	starts []int
	buf    []int32
}

type wordSlot struct {
	text  string
	hash  uint64 // hashString(seedWord, text)
	chars span32 // in docWords.chars; lo < 0 until made
	subs  span32 // in docWords.subs; lo < 0 until made
	dicts span32 // in docWords.dicts; lo < 0 until made
	// neutral: 0 not yet looked up, 1 not in the set, 2 in it
	neutral uint8
	// stem is the Russian stem feature hash (russianStemHash) when
	// stemmed is 2; 1: the word has none; 0: not yet looked up.
	stemmed uint8
	stem    uint64
}

type span32 struct{ lo, hi int32 }

var docWordsPool = sync.Pool{New: func() any { return new(docWords) }}

// maxPooledTokens bounds the memo kept for reuse, as maxPooledIDs does the
// feature buffer.
const maxPooledTokens = 1 << 16

// Release returns the memo to its pool; the pipeline calls it when the
// document's stages are done (see pipeline.Item.Memo).
func (d *docWords) Release() {
	if cap(d.tok) > maxPooledTokens || cap(d.chars) > 8*maxPooledTokens {
		return
	}
	clear(d.words)
	clear(d.slots[:cap(d.slots)]) // drop the texts: they pin the document
	d.words, d.slots = d.words[:0], d.slots[:0]
	d.sub, d.dict, d.neutral = nil, nil, nil
	d.rd, d.read = nil, false
	docWordsPool.Put(d)
}

// wordsOf returns the memo of it's fields, making it when it.Memo holds
// none or one made from other words.
func wordsOf(it *pipeline.Item) *docWords {
	if d, ok := it.Memo.(*docWords); ok && d.matches(it.Fields) {
		return d
	}
	it.ReleaseMemo()
	d := docWordsPool.Get().(*docWords)
	d.build(it.Fields)
	it.Memo = d
	return d
}

// matches reports whether fields have the words d was made from.
func (d *docWords) matches(fields []pipeline.Field) bool {
	if len(fields) != len(d.words) {
		return false
	}
	for i := range fields {
		if !sameWords(fields[i].Words, d.words[i]) {
			return false
		}
	}
	return true
}

// sameWords reports whether a and b are the same slice of tokens.
func sameWords(a, b []pipeline.Token) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func (d *docWords) build(fields []pipeline.Field) {
	n := pipeline.WordCount(fields)
	size := 64
	for size < 2*n {
		size *= 2
	}
	if cap(d.table) < size {
		d.table = make([]int32, size)
	}
	d.table = d.table[:size]
	clear(d.table)
	d.tok, d.fieldEnd, d.slots = d.tok[:0], d.fieldEnd[:0], d.slots[:0]
	d.chars, d.subs, d.dicts = d.chars[:0], d.subs[:0], d.dicts[:0]
	d.minN, d.maxN, d.sub, d.dict, d.neutral = 0, 0, nil, nil, nil
	d.rd, d.read = nil, false
	d.words = d.words[:0]
	for i := range fields {
		d.words = append(d.words, fields[i].Words)
		for _, w := range fields[i].Words {
			d.tok = append(d.tok, d.slotOf(w.Text))
		}
		d.fieldEnd = append(d.fieldEnd, len(d.tok))
	}
}

// slotOf returns the slot of word w, adding one if w has none.
func (d *docWords) slotOf(w string) int32 {
	h := hashString(seedWord, w)
	mask := uint64(len(d.table) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		s := d.table[j]
		if s == 0 {
			break
		}
		if sl := &d.slots[s-1]; sl.hash == h && sl.text == w {
			return s - 1
		}
	}
	if 2*(len(d.slots)+1) > len(d.table) { // keep the table at most half full
		d.table = make([]int32, 2*len(d.table))
		mask = uint64(len(d.table) - 1)
		for i := range d.slots {
			j := d.slots[i].hash & mask
			for d.table[j] != 0 {
				j = (j + 1) & mask
			}
			d.table[j] = int32(i + 1)
		}
	}
	j := h & mask
	for d.table[j] != 0 {
		j = (j + 1) & mask
	}
	d.slots = append(d.slots, wordSlot{text: w, hash: h, chars: span32{-1, -1}, subs: span32{-1, -1}, dicts: span32{-1, -1}})
	d.table[j] = int32(len(d.slots))
	return int32(len(d.slots) - 1)
}

// fieldSlots returns the slots of words, which are field fi's Words or a
// reading of them (Readings: the same tokens with a few added).
func (d *docWords) fieldSlots(fi int, words []pipeline.Token) []int32 {
	lo := 0
	if fi > 0 {
		lo = d.fieldEnd[fi-1]
	}
	if sameWords(words, d.words[fi]) {
		return d.tok[lo:d.fieldEnd[fi]]
	}
	orig, tok := d.words[fi], d.tok[lo:d.fieldEnd[fi]]
	out, j := d.buf[:0], 0
	for _, t := range words {
		if j < len(orig) && t == orig[j] {
			out = append(out, tok[j])
			j++
			continue
		}
		out = append(out, d.slotOf(t.Text))
	}
	d.buf = out
	return out
}

// memoizable reports whether appendIDs makes cfg's features: any option
// but these (a new feature kind, Kazakh or English stems) is featurized the
// old way.
func memoizable(cfg FeatureConfig) bool {
	cfg.BucketBits, cfg.Bigrams, cfg.MinN, cfg.MaxN, cfg.Subwords, cfg.IDF, cfg.Weights = 0, false, 0, 0, false, false, [numGroups]float32{}
	cfg.Dictionary, cfg.RussianStems, cfg.Clusters = false, false, false
	return cfg == FeatureConfig{}
}

// usable reports whether d can make f's features: f's config is
// memoizable and its char range and encoder are the ones d's slots were
// made with, or d has made none yet.
func (d *docWords) usable(f *featurizer) bool {
	if !memoizable(f.cfg) {
		return false
	}
	if f.cfg.MaxN > 0 {
		if d.maxN == 0 {
			d.minN, d.maxN = f.cfg.MinN, f.cfg.MaxN
		} else if d.minN != f.cfg.MinN || d.maxN != f.cfg.MaxN {
			return false
		}
	}
	if f.sub != nil {
		if d.sub == nil {
			d.sub = f.sub
		} else if d.sub != f.sub {
			return false
		}
	}
	if f.dict != nil {
		if d.dict == nil {
			d.dict = f.dict
		} else if d.dict != f.dict {
			return false
		}
	}
	return true
}

// isNeutral reports whether set has slot si's word.
func (d *docWords) isNeutral(si int32, set *WordSet) bool {
	if d.neutral != set {
		for i := range d.slots {
			d.slots[i].neutral = 0
		}
		d.neutral = set
	}
	sl := &d.slots[si]
	if sl.neutral == 0 {
		sl.neutral = 1
		if set.Has(sl.text) {
			sl.neutral = 2
		}
	}
	return sl.neutral == 2
}

// appendIDs appends f's feature ids for the words of slots, as
// f.appendField does for them, leaving out the words of skip (nil: none).
// d.usable(f) must hold.
func (d *docWords) appendIDs(dst []uint32, f *featurizer, slots []int32, skip *WordSet) []uint32 {
	var prev uint64
	first := true
	for _, si := range slots {
		if skip != nil && d.isNeutral(si, skip) {
			continue
		}
		sl := &d.slots[si]
		h := sl.hash
		dst = append(dst, f.id(groupWord, h))
		if f.cfg.RussianStems {
			if sl.stemmed == 0 {
				sl.stemmed = 1
				if sh, ok := russianStemHash(sl.text); ok {
					sl.stem, sl.stemmed = sh, 2
				}
			}
			if sl.stemmed == 2 {
				dst = append(dst, f.id(groupWord, sl.stem))
			}
		}
		if f.dict != nil {
			if sl.dicts.lo < 0 {
				at := len(d.dicts)
				d.dicts = append(d.dicts, f.dict.lookupHashes(sl.text, h)...)
				sl.dicts = span32{int32(at), int32(len(d.dicts))}
			}
			for _, c := range d.dicts[sl.dicts.lo:sl.dicts.hi] {
				dst = append(dst, f.id(groupWord, c))
			}
		}
		dst = f.appendClusters(dst, h) // one map lookup: nothing to keep
		if f.cfg.Bigrams && !first {
			dst = append(dst, f.id(groupBigram, mix(prev*0x100000001b3^h^seedBigram)))
		}
		prev, first = h, false
		if f.cfg.MaxN > 0 {
			if sl.chars.lo < 0 {
				at := len(d.chars)
				d.chars = appendCharHashes(d.chars, sl.text, d.minN, d.maxN, &d.word, &d.starts)
				sl.chars = span32{int32(at), int32(len(d.chars))}
			}
			for _, c := range d.chars[sl.chars.lo:sl.chars.hi] {
				dst = append(dst, uint32(c&f.mask)|groupChar<<groupShift)
			}
		}
		if f.sub != nil {
			if sl.subs.lo < 0 {
				at := len(d.subs)
				for _, id := range f.sub.WordIDs(sl.text) {
					d.subs = append(d.subs, mix(uint64(id)+seedSubword))
				}
				sl.subs = span32{int32(at), int32(len(d.subs))}
			}
			for _, c := range d.subs[sl.subs.lo:sl.subs.hi] {
				dst = append(dst, uint32(c&f.mask)|groupSubword<<groupShift)
			}
		}
	}
	return dst
}

// appendCharHashes appends the hashes of word's char n-grams, minN to maxN
// runes long, fastText style: the word is wrapped in '<' and '>' and every
// run of minN..maxN runes is hashed. The whole wrapped word is skipped when
// it is itself an n-gram length, since the word feature already covers it.
// Only a word's first MaxSubwordWordRunes characters give n-grams, as for
// subwords: no real word is longer, and a flood string of a million letters
// would give three million features (130 MB of ids for a 1 MB comment) that
// drown every other word. buf and starts are scratch.
func appendCharHashes(dst []uint64, word string, minN, maxN int, buf *[]byte, starts *[]int) []uint64 {
	word = cutRunes(word, MaxSubwordWordRunes)
	b := append((*buf)[:0], '<')
	b = append(b, word...)
	b = append(b, '>')
	st := (*starts)[:0]
	for i := 0; i < len(b); {
		st = append(st, i)
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, n := utf8.DecodeRune(b[i:])
		i += n
	}
	st = append(st, len(b))
	*buf, *starts = b, st
	runes := len(st) - 1
	for i := 0; i < runes; i++ {
		h := seedChar
		for n := 1; n <= maxN && i+n <= runes; n++ {
			for _, c := range b[st[i+n-1]:st[i+n]] {
				h = (h ^ uint64(c)) * 0x100000001b3
			}
			if n >= minN && !(i == 0 && n == runes) {
				dst = append(dst, mix(h))
			}
		}
	}
	return dst
}

// memoIDs appends m's feature ids for fields, which are d's fields or
// readings of them (Readings), leaving out the words of skip (nil: none)
// as WordSet.Without does. ok is false, and nothing appended, when m's
// features cannot come from d.
func (m *Model) memoIDs(dst []uint32, d *docWords, fields []pipeline.Field, skip *WordSet) (_ []uint32, ok bool) {
	if len(fields) != len(d.words) || !d.usable(m.feat) {
		return dst, false
	}
	for fi := range fields {
		dst = d.appendIDs(dst, m.feat, d.fieldSlots(fi, fields[fi].Words), skip)
	}
	return dst, true
}

// scoresOf is Scores for the item's fields, featurized through the
// document's memo (wordsOf) when m's features allow.
func (m *Model) scoresOf(dst []float64, it *pipeline.Item) []float64 {
	return m.memoScores(dst, wordsOf(it), it.Fields, nil)
}

// memoScores is Scores for fields (d's fields or readings of them) without
// the words of skip (nil: none), featurized through d when m's features
// allow, else the old way.
func (m *Model) memoScores(dst []float64, d *docWords, fields []pipeline.Field, skip *WordSet) []float64 {
	s := m.pool.Get().(*scratch)
	ids, ok := m.memoIDs(s.ids[:0], d, fields, skip)
	if !ok {
		ids = m.ids(s.ids[:0], skip.Without(fields), s)
	}
	s.ids = ids
	dst = m.scoreIDs(dst, ids, s)
	m.put(s)
	return dst
}

// readings returns Readings(fields), made once per document: every flag
// head reads the same. fields must be the fields d was made from.
func (d *docWords) readings(fields []pipeline.Field) []pipeline.Field {
	if !d.read {
		d.rd, d.read = Readings(fields), true
	}
	return d.rd
}

// distinctKept counts the distinct words of fields (d's fields or readings
// of them, as in memoIDs) that skip does not have and known has (a nil
// known has every word), up to limit. fields must have as many fields as d.
// A slot is one distinct word, so words are told apart by slot; up to 16 of
// them are kept on the stack (a head's MinWords is 1 or 6).
func (d *docWords) distinctKept(fields []pipeline.Field, skip *WordSet, known *KnownWords, limit int) int {
	var stack [16]int32
	seen := stack[:0]
	for fi := range fields {
		for _, si := range d.fieldSlots(fi, fields[fi].Words) {
			if len(seen) == limit {
				return limit
			}
			if !slices.Contains(seen, si) && (skip == nil || !d.isNeutral(si, skip)) && known.Has(d.slots[si].text) {
				seen = append(seen, si)
			}
		}
	}
	return len(seen)
}
