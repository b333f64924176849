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
	"github.com/kz-newsroom/vigil/pipeline"
)

// Dictionary maps Kazakh and English words to Russian ones, so that a
// Kazakh or English document also gives the word features of its Russian
// translation: the Russian features are trained on far more data (every
// Russian headline and article) than the few hundred Kazakh and English
// sentences. It is learned from parallel sentences (BuildDictionary) and
// shipped beside the model. A word is looked up by its key (DictKey), so
// the inflected forms of one stem share an entry. A Dictionary is
// read-only and safe for concurrent use.
type Dictionary struct {
	entries map[string][]string // key → Russian words
	hashes  map[string][]uint64 // key → hashString(seedWord, word) of each
}

// DictKey is the key a normalized word is looked up by in a Dictionary: a
// word with a Latin letter is stemmed as English (Snowball), one with a
// Cyrillic one by pipeline.KazakhStemAny (Russian words are not looked
// up: BuildDictionary leaves out the keys of Russian words), any other is
// itself.
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

// Lookup returns the Russian words for the normalized word w, or nil.
func (d *Dictionary) Lookup(w string) []string { return d.entries[DictKey(w)] }

func (d *Dictionary) lookupHashes(w string) []uint64 {
	if len(d.hashes) == 0 {
		return nil
	}
	return d.hashes[DictKey(w)]
}

func newDictionary(entries map[string][]string) *Dictionary {
	d := &Dictionary{entries: entries, hashes: make(map[string][]uint64, len(entries))}
	for k, ws := range entries {
		hs := make([]uint64, len(ws))
		for i, w := range ws {
			hs[i] = hashString(seedWord, w)
		}
		d.hashes[k] = hs
	}
	return d
}

// Translation is a pair of parallel texts: a Kazakh or English one and its
// Russian translation.
type Translation struct {
	Source, Russian []pipeline.Field
}

// DictOptions tune BuildDictionary. The zero value of a field means its
// default.
type DictOptions struct {
	// MinCount is how many sentence pairs a source key and its Russian
	// stem must share (default 2).
	MinCount int
	// MinDice is the least Dice coefficient 2·c(s,t)/(c(s)+c(t)) of a key
	// s and a Russian stem t over the sentence pairs (default 0.3).
	MinDice float64
	// PerWord is the most Russian words a key maps to (default 1).
	PerWord int
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
}

// BuildDictionary learns a dictionary from parallel sentences: each source
// key (DictKey) maps to the Russian stems (Snowball) it shares the most
// sentence pairs with by Dice's coefficient, each written as that stem's
// most frequent word in russian, the Russian training texts (ties in
// alphabetical order, so the same data gives the same dictionary). A key
// that a word of the Russian texts also gives is left out: the Russian
// features already cover it.
func BuildDictionary(pairs []Translation, russianTexts [][]pipeline.Field, opt DictOptions) *Dictionary {
	opt.defaults()
	surface := map[string]map[string]int{} // Russian stem → word → count
	ruKeys := map[string]bool{}
	for _, doc := range russianTexts {
		for _, f := range doc {
			for _, w := range f.Words {
				st := ruStem(w.Text)
				if surface[st] == nil {
					surface[st] = map[string]int{}
				}
				surface[st][w.Text]++
				ruKeys[DictKey(w.Text)] = true
			}
		}
	}
	cs, ct := map[string]int{}, map[string]int{}
	cst := map[string]map[string]int{}
	for _, p := range pairs {
		src := wordSet(p.Source, DictKey)
		tgt := wordSet(p.Russian, ruStem)
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
			if w := mostFrequent(surface[c.stem]); w != "" {
				entries[s] = append(entries[s], w)
			}
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

func mostFrequent(counts map[string]int) string {
	best, n := "", 0
	for w, c := range counts {
		if c > n || (c == n && w < best) {
			best, n = w, c
		}
	}
	return best
}

// WriteTo writes the dictionary as text, one entry a line, sorted by key:
// the key, a tab, and its Russian words separated by tabs. It implements
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
