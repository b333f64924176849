package pipeline

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The lexicon is a frequency list of word forms (Russian, Kazakh, English)
// that splits a run of spaced-out letters back into its words: "я в ш о к
// е" is "я в шоке", not "явшоке", and "в с т у п а й к нам" keeps its "к".
// It is built by `vigil lexicon` (see docs/models.md, "The lexicon", for the command and
// the corpora) and shipped here because the normalizer, which every other
// package uses, needs it.
//
//go:embed lexicon.txt.gz
var lexiconGz []byte

// lexiconHeader starts a lexicon file; the lines after it are "word<TAB>count",
// most frequent first.
const lexiconHeader = "# vigil lexicon v1"

// wordCosts is the embedded lexicon as the segmenter reads it: the cost
// of a word is minus the log of its share of the corpora's words.
var wordCosts = sync.OnceValue(func() map[string]float32 {
	words, err := ReadLexicon(bytes.NewReader(lexiconGz))
	if err != nil {
		panic("pipeline: embedded lexicon: " + err.Error()) // a build defect, caught by the tests
	}
	total := 0
	for _, w := range words {
		total += w.Count
	}
	costs := make(map[string]float32, len(words))
	for _, w := range words {
		costs[w.Word] = float32(math.Log(float64(total) / float64(w.Count)))
	}
	return costs
})

// LexiconWord is one word of a lexicon and how often the corpora had it.
type LexiconWord struct {
	Word  string
	Count int
}

// LexiconWords returns the words of a text as the lexicon counts them:
// NFKC, lower case, ё as е, runs of letters. The evasion passes are left
// out so that the lexicon does not depend on itself.
func LexiconWords(text string) []string {
	text = strings.ReplaceAll(strings.ToLower(norm.NFKC.String(text)), "ё", "е")
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) })
}

// BuildLexicon counts words over texts and keeps the maxWords most
// frequent ones seen at least minCount times, by count then word. Each of
// the extra words (the vocabulary the rules look for: "игил", "байат") counts
// at least as often as the boostRank-th most frequent word, so that the
// segmenter keeps it whole rather than split it into common words
// ("isis", not "is is").
func BuildLexicon(texts func(yield func(string) bool), extra []string, minCount, maxWords, boostRank int) []LexiconWord {
	counts := map[string]int{}
	for t := range texts {
		for _, w := range LexiconWords(t) {
			counts[w]++
		}
	}
	byCount := func(out []LexiconWord) {
		slices.SortFunc(out, func(a, b LexiconWord) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return strings.Compare(a.Word, b.Word)
		})
	}
	var out []LexiconWord
	for w, c := range counts {
		if c >= minCount && len([]rune(w)) <= maxSegmentRunes {
			out = append(out, LexiconWord{w, c})
		}
	}
	byCount(out)
	out = out[:min(maxWords, len(out))]
	if len(out) == 0 {
		return out
	}
	boost := out[min(boostRank, len(out)-1)].Count
	have := map[string]int{}
	for i, w := range out {
		have[w.Word] = i
	}
	for _, e := range extra {
		for _, w := range LexiconWords(e) {
			if len([]rune(w)) > maxSegmentRunes {
				continue
			}
			if i, ok := have[w]; ok {
				out[i].Count = max(out[i].Count, boost)
			} else {
				have[w] = len(out)
				out = append(out, LexiconWord{w, boost})
			}
		}
	}
	byCount(out)
	return out
}

// WriteLexicon writes words gzipped in the lexicon format.
func WriteLexicon(w io.Writer, words []LexiconWord) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	fmt.Fprintln(bw, lexiconHeader)
	for _, lw := range words {
		fmt.Fprintf(bw, "%s\t%d\n", lw.Word, lw.Count)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// ReadLexicon reads a gzipped lexicon.
func ReadLexicon(r io.Reader) ([]LexiconWord, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(zr)
	if !sc.Scan() || sc.Text() != lexiconHeader {
		return nil, fmt.Errorf("not a lexicon: first line is not %q", lexiconHeader)
	}
	var words []LexiconWord
	for line := 2; sc.Scan(); line++ {
		w, c, ok := strings.Cut(sc.Text(), "\t")
		n, err := strconv.Atoi(c)
		if !ok || err != nil || w == "" {
			return nil, fmt.Errorf("lexicon line %d: want word<TAB>count", line)
		}
		words = append(words, LexiconWord{w, n})
	}
	return words, sc.Err()
}

// maxSegmentRunes is the longest word the segmenter looks up.
const maxSegmentRunes = 24

// Costs of the segmenter, in the units of a word's cost (minus the log of
// its share: 3.5 for "в", about 15 for a word seen twice): every
// word pays splitCost more, so that two words must be clearly likelier
// than one; a word missing from the lexicon costs unknownCost plus
// unknownRuneCost a letter, so a rare name joins whole unless known words
// explain most of it.
const (
	splitCost       = 1.5
	unknownCost     = 8
	unknownRuneCost = 4
)

// segmentTranslitMin and segmentTranslitRunes are the shortest and the
// longest run segment also reads as translit, segmentTranslitWord the
// longest word it spells, and segmentSpellings how many spellings of a
// word it tries in each scheme (the likeliest readings come first; spell
// alone tries up to 64 Russian and 256 Kazakh ones). So a field of
// spaced-out Latin letters stays cheap: about a millisecond a run of 32
// letters no lexicon explains, and join reads joinTranslitRuns (2) such
// runs a field, at most two milliseconds whatever its size
// (BenchmarkNormalizeSpacedLatin, 20 such runs: 0.64–0.74 ms a field
// before, 2.56 ms with, one core).
const (
	segmentSpellings     = 8
	segmentTranslitMin   = 8
	segmentTranslitRunes = 32
	segmentTranslitWord  = 14
)

// translitCost is the lexicon's cost of the likeliest spelling of plain
// Latin letters as Russian or Kazakh typed in Latin letters.
func translitCost(w string, costs map[string]float32) (float32, bool) {
	_, c, ok := russianScheme.spellUpTo(w, costs, segmentSpellings)
	if _, kc, kok := kazakhScheme.spellUpTo(w, costs, segmentSpellings); kok && (!ok || kc < c) {
		c, ok = kc, true
	}
	return c, ok
}

func plainLatin(letters []rune) bool {
	for _, r := range letters {
		if !isPlainLatin(r) {
			return false
		}
	}
	return true
}

// segment chooses where a run of spaced-out letters breaks into words: the
// cheapest sequence of words under the lexicon's costs (dynamic
// programming over the run). breaks[k] tells whether a word ends after
// letter k. When no split is cheaper than the run as one word, it returns
// nil: the caller joins the whole run, as it did before there was a
// lexicon.
//
// With translit, a run of plain Latin letters of segmentTranslitMin or more
// is first read as Russian or Kazakh typed in Latin letters (a word costs
// the least of its English cost and its best spelling's under each
// scheme); that reading is taken when it explains the whole run with
// words the lexicon knows, a one-letter word only if it is a Russian one
// (v, k, s, u, o, i, a, ya): "v s t u p a i t e v d z h a m a a t" breaks
// into "vstupaite v dzhamaat", for detranslit to read. Otherwise, and for
// shorter runs ("d a e s h" is not "da esh"), English and Cyrillic words
// alone decide, as before, unless the whole run reads as one Russian or
// Kazakh word ("i g i l" is igil, not "i gil").
func segment(letters []rune, translit bool) []bool {
	costs := wordCosts()
	n := len(letters)
	if n < 2 || n > 256 {
		return nil
	}
	translit = translit && n <= segmentTranslitRunes && plainLatin(letters)
	if translit && n <= segmentTranslitWord {
		if _, ok := translitCost(string(letters), costs); ok {
			return nil // one Russian or Kazakh word: I.G.I.L is igil, not "i gil"
		}
	}
	if translit && n >= segmentTranslitMin {
		breaks, known := segmentBy(letters, func(w string) (float32, bool) {
			c, ok := costs[w]
			if len(w) <= segmentTranslitWord {
				if tc, tok := translitCost(w, costs); tok && (!ok || tc < c) {
					c, ok = tc, true
				}
			}
			return c, ok && (len(w) > 1 || strings.Contains("vksuoia", w))
		})
		if breaks != nil && known {
			return breaks
		}
	}
	breaks, _ := segmentBy(letters, func(w string) (float32, bool) {
		c, ok := costs[w]
		return c, ok
	})
	return breaks
}

// segmentBy is segment's dynamic programming under the word costs cost
// gives (ok false: a word the lexicon does not know); known tells whether
// every word of the cheapest split is known.
func segmentBy(letters []rune, cost func(string) (float32, bool)) (breaks []bool, known bool) {
	n := len(letters)
	wordCost := func(i, j int) (float32, bool) {
		if c, ok := cost(string(letters[i:j])); ok {
			return c + splitCost, true
		}
		return splitCost + unknownCost + unknownRuneCost*float32(j-i), false
	}
	best := make([]float32, n+1)
	from := make([]int, n+1)
	allKnown := make([]bool, n+1)
	allKnown[0] = true
	for j := 1; j <= n; j++ {
		best[j] = float32(math.Inf(1))
		for i := max(0, j-maxSegmentRunes); i < j; i++ {
			wc, ok := wordCost(i, j)
			if c := best[i] + wc; c < best[j] {
				best[j], from[j], allKnown[j] = c, i, allKnown[i] && ok
			}
		}
	}
	if whole, _ := wordCost(0, n); from[n] == 0 || best[n] >= whole {
		return nil, false // one word
	}
	breaks = make([]bool, n)
	for j := from[n]; j > 0; j = from[j] {
		breaks[j-1] = true
	}
	return breaks, allKnown[n]
}
