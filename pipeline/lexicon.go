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

// segment chooses where a run of spaced-out letters breaks into words: the
// cheapest sequence of words under the lexicon's costs (dynamic
// programming over the run). breaks[k] tells whether a word ends after
// letter k. When no split is cheaper than the run as one word, it returns
// nil: the caller joins the whole run, as it did before there was a
// lexicon.
func segment(letters []rune) []bool {
	costs := wordCosts()
	n := len(letters)
	if n < 2 || n > 256 {
		return nil
	}
	wordCost := func(i, j int) float32 {
		if c, ok := costs[string(letters[i:j])]; ok {
			return c + splitCost
		}
		return splitCost + unknownCost + unknownRuneCost*float32(j-i)
	}
	best := make([]float32, n+1)
	from := make([]int, n+1)
	for j := 1; j <= n; j++ {
		best[j] = float32(math.Inf(1))
		for i := max(0, j-maxSegmentRunes); i < j; i++ {
			if c := best[i] + wordCost(i, j); c < best[j] {
				best[j], from[j] = c, i
			}
		}
	}
	if from[n] == 0 || best[n] >= wordCost(0, n) {
		return nil // one word
	}
	breaks := make([]bool, n)
	for j := from[n]; j > 0; j = from[j] {
		breaks[j-1] = true
	}
	return breaks
}
