package classify

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/wordcache"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Dictionary links the words of the languages with few labelled sentences
// (Kazakh, English) to a pivot language's stems (Russian, or English for
// Kazakh): a Kazakh word and the pivot words of its stem give one shared
// feature, so what the model learns from any of the parallel sentences,
// and from the pivot language's other training texts, also counts for the
// others. It is learned from parallel sentences (BuildDictionary) and
// shipped beside the model. A word is looked up as it is, then, when it
// has a Latin or Kazakh letter, by its stem, so the inflected forms of one
// stem share an entry. A Dictionary is read-only and safe for concurrent
// use.
type Dictionary struct {
	entries map[string][]string // word or key → pivot stems
	// hashes maps hashString(seedWord, word or key), the hash the word
	// feature has anyway, to hashString(seedConcept, stem) of its stems: a
	// lookup by integer costs less than one by string.
	hashes map[uint64][]uint64
	// cache keeps lookupHashes' answer for the words it stems (the
	// project's lock-free word cache, as for subwords and rule stems).
	cache *wordcache.Cache[[]uint64]
}

// dictCacheWords bounds the stem cache of a Dictionary (8 MB at most).
const dictCacheWords = 1 << 16

// DictKey is the key a normalized word is looked up by in a Dictionary: a
// word with a Latin letter is stemmed as English (Snowball), one with a
// Cyrillic one by pipeline.KazakhStemAny (BuildDictionary leaves out the
// keys that Russian words give), any other is itself.
func DictKey(w string) string {
	if isLatin(w) {
		return english.Stem(w, false)
	}
	if isCyrillic(w) {
		return pipeline.KazakhStemAny(w)
	}
	return w
}

func isCyrillic(w string) bool { return strings.ContainsFunc(w, isCyrillicRune) }

func isCyrillicRune(r rune) bool { return r >= 0x400 && r <= 0x4ff }

// isLatin says whether w has a Latin letter.
func isLatin(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// englishStem is the English Snowball stem of a word with a Latin letter;
// other words are themselves.
func englishStem(w string) string {
	if isLatin(w) {
		return english.Stem(w, false)
	}
	return w
}

// Len is the number of entries.
func (d *Dictionary) Len() int { return len(d.entries) }

// Lookup returns the pivot stems the normalized word w stands for, or nil.
func (d *Dictionary) Lookup(w string) []string {
	if st, ok := d.entries[w]; ok {
		return st
	}
	if key := lookupKey(w); key != w {
		return d.entries[key]
	}
	return nil
}

// lookupHashes returns the feature hashes of w's stems (as Lookup); wh is
// hashString(seedWord, w). Scoring calls it for every word: a word without
// a Latin or Kazakh letter costs one map access, the stem of one with them
// is cached.
func (d *Dictionary) lookupHashes(w string, wh uint64) []uint64 {
	if len(d.hashes) == 0 {
		return nil
	}
	if h, ok := d.hashes[wh]; ok {
		return h
	}
	if !latinOrKazakh(w) {
		return nil
	}
	if h, ok := d.cache.Get(w); ok {
		return h
	}
	var h []uint64
	if key := lookupKey(w); key != w {
		h = d.hashes[hashString(seedWord, key)]
	}
	d.cache.Put(w, h)
	return h
}

// latinOrKazakh says whether w has a Latin letter or a letter of the
// Kazakh alphabet that Russian lacks (ә ғ қ ң ө ұ ү һ і), by its bytes:
// it runs on every word scored.
func latinOrKazakh(w string) bool {
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			return true
		case c == 0xd2 || c == 0xd3: // U+0480..U+04FF: ғ қ ң ұ ү һ ә ө
			return true
		case c == 0xd1 && i+1 < len(w) && w[i+1] == 0x96: // і
			return true
		}
	}
	return false
}

func newDictionary(entries map[string][]string) *Dictionary {
	d := &Dictionary{entries: entries, hashes: make(map[uint64][]uint64, len(entries)),
		cache: wordcache.NewWords(dictCacheWords, wordcache.Uint64sBytes)}
	for k, ws := range entries {
		hs := make([]uint64, len(ws))
		for i, w := range ws {
			hs[i] = hashString(seedConcept, w)
		}
		d.hashes[hashString(seedWord, k)] = hs
	}
	return d
}

// Translation is a pair of parallel texts: a Kazakh or English one and its
// translation into the pivot language.
type Translation struct {
	Source, Target []pipeline.Field
}

// DictOptions tune BuildDictionary. The zero value of a field means its
// default.
type DictOptions struct {
	// MinCount is how many sentence pairs a source key and its pivot
	// stem must share (default 2).
	MinCount int `json:"min_count"`
	// MinDice is the least Dice coefficient 2·c(s,t)/(c(s)+c(t)) of a key
	// s and a pivot stem t over the sentence pairs (default 0.3).
	MinDice float64 `json:"min_dice"`
	// PerWord is the most pivot stems a key maps to (default 1).
	PerWord int `json:"per_word"`
	// Pivot is the language translated into: "ru" (default) or "en".
	Pivot string `json:"pivot,omitempty"`
}

func (o *DictOptions) defaults() {
	if o.MinCount <= 0 {
		o.MinCount = 2
	}
	if o.MinDice <= 0 {
		o.MinDice = 0.3
	}
	if o.PerWord <= 0 {
		o.PerWord = 1
	}
	if o.Pivot == "" {
		o.Pivot = "ru"
	}
}

// WithDefaults returns o with every zero field set to its default, as
// BuildDictionary reads it.
func (o DictOptions) WithDefaults() DictOptions {
	o.defaults()
	return o
}

// BuildDictionary learns a dictionary from parallel sentences: each source
// key (DictKey) maps to the pivot stem (Snowball) it shares the most
// sentence pairs with by Dice's coefficient (ties in alphabetical order, so
// the same data gives the same dictionary), and every word of pivotTexts
// with a chosen stem maps to that stem. A key that a word of russianTexts
// also gives is left out, so that Russian documents keep their features.
func BuildDictionary(pairs []Translation, pivotTexts, russianTexts [][]pipeline.Field, opt DictOptions) *Dictionary {
	opt.defaults()
	pivotStem := ruStem
	if opt.Pivot == "en" {
		pivotStem = englishStem
	}
	surface := map[string]map[string]int{} // pivot stem → word → count
	for _, doc := range pivotTexts {
		for _, f := range doc {
			for _, w := range f.Words {
				st := pivotStem(w.Text)
				if surface[st] == nil {
					surface[st] = map[string]int{}
				}
				surface[st][w.Text]++
			}
		}
	}
	ruKeys, ruWords := map[string]bool{}, map[string]bool{}
	for _, doc := range russianTexts {
		for _, f := range doc {
			for _, w := range f.Words {
				ruKeys[DictKey(w.Text)] = true
				ruWords[w.Text] = true
			}
		}
	}
	cs, ct := map[string]int{}, map[string]int{}
	cst := map[string]map[string]int{}
	for _, p := range pairs {
		src := wordSet(p.Source, DictKey)
		tgt := wordSet(p.Target, pivotStem)
		for _, t := range tgt {
			ct[t]++
		}
		for _, s := range src {
			cs[s]++
			if cst[s] == nil {
				cst[s] = map[string]int{}
			}
			for _, t := range tgt {
				cst[s][t]++
			}
		}
	}
	type cand struct {
		stem string
		dice float64
	}
	entries := map[string][]string{}
	targets := map[string]bool{}
	for s, n := range cs {
		if n < opt.MinCount || ruKeys[s] {
			continue
		}
		var cands []cand
		for t, c := range cst[s] {
			if c < opt.MinCount {
				continue
			}
			if d := 2 * float64(c) / float64(n+ct[t]); d >= opt.MinDice {
				cands = append(cands, cand{t, d})
			}
		}
		slices.SortFunc(cands, func(a, b cand) int {
			return cmp.Or(cmp.Compare(b.dice, a.dice), strings.Compare(a.stem, b.stem))
		})
		for _, c := range cands[:min(len(cands), opt.PerWord)] {
			entries[s] = append(entries[s], c.stem)
			targets[c.stem] = true
		}
	}
	// The source words seen in training give their key's stems as they
	// are, so that scoring need not stem them (see lookupHashes).
	for _, p := range pairs {
		for _, f := range p.Source {
			for _, w := range f.Words {
				if st, ok := entries[DictKey(w.Text)]; ok && !ruWords[w.Text] {
					if _, ok := entries[w.Text]; !ok {
						entries[w.Text] = st
					}
				}
			}
		}
	}
	// The pivot words of the chosen stems give the same features.
	for st, words := range surface {
		if !targets[st] {
			continue
		}
		for w := range words {
			if _, ok := entries[w]; !ok {
				entries[w] = []string{st}
			}
		}
		if opt.Pivot == "en" { // English words are looked up by their stem
			entries[st] = []string{st}
		}
	}
	return newDictionary(entries)
}

// ruStem is the Snowball Russian stem of a Cyrillic word; other words are
// themselves.
func ruStem(w string) string {
	if isCyrillic(w) {
		return russian.Stem(w, false)
	}
	return w
}

// wordSet returns the distinct keys of the fields' words that have a
// letter, sorted.
func wordSet(fields []pipeline.Field, key func(string) string) []string {
	var out []string
	for _, f := range fields {
		for _, w := range f.Words {
			if strings.IndexFunc(w.Text, unicode.IsLetter) >= 0 {
				out = append(out, key(w.Text))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// WriteTo writes the dictionary as text, one entry a line, sorted by key:
// the word or key, a tab, and its pivot stems separated by tabs. It implements
// io.WriterTo.
func (d *Dictionary) WriteTo(w io.Writer) (int64, error) {
	keys := make([]string, 0, len(d.entries))
	for k := range d.entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		for _, t := range d.entries[k] {
			b.WriteByte('\t')
			b.WriteString(t)
		}
		b.WriteByte('\n')
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// ReadDictionary reads a dictionary written by WriteTo. A line without a
// tab, or with an empty word, is an error naming the line.
func ReadDictionary(r io.Reader) (*Dictionary, error) {
	entries := map[string][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 2 || slices.Contains(f, "") {
			return nil, vigil.Errorf(vigil.EINVALID, "dictionary: line %d: want KEY<tab>WORD[<tab>WORD...]", line)
		}
		if _, dup := entries[f[0]]; dup {
			return nil, vigil.Errorf(vigil.EINVALID, "dictionary: line %d: key %q again", line, f[0])
		}
		entries[f[0]] = f[1:]
	}
	if err := sc.Err(); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "dictionary: %v", err)
	}
	return newDictionary(entries), nil
}

// String describes the dictionary for logs.
func (d *Dictionary) String() string { return fmt.Sprintf("dictionary(%d entries)", d.Len()) }

// lookupKey is the key a word missing from the dictionary is looked up by.
// Only a word with a Latin or a Kazakh letter is stemmed (DictKey); the
// inflected forms of a key without them must be in the dictionary
// themselves, as BuildDictionary puts the forms seen in training.
func lookupKey(w string) string {
	if isLatin(w) {
		return english.Stem(w, false)
	}
	return pipeline.KazakhStem(w) // w itself without a Kazakh letter
}
