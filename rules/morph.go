package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"

	"github.com/kz-newsroom/vigil/pipeline"
)

// Word boundaries. A word is a maximal run of letters, digits and combining
// marks (Unicode classes L, N, M). Everything else — spaces, punctuation,
// hyphens, apostrophes — separates words. Go's regexp \w and \b are ASCII
// only, so this is written out.

// asciiWord[b] is true for ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// isWordRune reports whether r belongs to a word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	if r >= 0x400 && r <= 0x4ff { // Cyrillic: letters and combining marks, but for ҂
		return r != 0x482
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// The automaton reads words transcoded to one byte per rune: ASCII as is,
// the Cyrillic letters Russian and Kazakh use as 0x80–0xDF, any other rune
// as 0xFF (a literal holding such a rune is checked against the text
// after the automaton reports it). Halving Cyrillic text and the literals
// shrinks the automaton's transition table about four times; see
// matchState.findAtoms for the measurement.
const otherRune = 0xFF

// wordMark starts every literal and every word the automaton reads, so a
// match can only begin at a word start: once a word leaves every
// literal's path the automaton falls back to its start state and stays
// there, in cache, instead of chasing matches inside the word.
const wordMark = 0x01

var runeCode = func() (t [0x500]byte) {
	for r := range t {
		t[r] = otherRune
	}
	for r := 0; r < 0x80; r++ {
		t[r] = byte(r)
	}
	for r := 0x430; r <= 0x44f; r++ { // а-я
		t[r] = byte(0x80 + r - 0x430)
	}
	for r := 0x450; r <= 0x45f; r++ { // ѐ-џ, with ё and і
		t[r] = byte(0xa0 + r - 0x450)
	}
	for i, r := range []rune("ғқңүұһәөҗҡҫ") {
		t[r] = byte(0xb0 + i)
	}
	for r := 0x410; r <= 0x42f; r++ { // А-Я (normalized text has none)
		t[r] = byte(0xc0 + r - 0x410)
	}
	return t
}()

func codeOf(r rune) byte {
	if r < 0x500 {
		return runeCode[r]
	}
	return otherRune
}

// transcode returns s (a run of word runes) in the automaton's alphabet,
// and whether every rune had its own code.
func transcode(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	exact := true
	for _, r := range s {
		c := codeOf(r)
		if c == otherRune {
			exact = false
		}
		b = append(b, c)
	}
	return string(b), exact
}

// wordBefore reports whether the rune ending at byte i of s is a word rune.
func wordBefore(s string, i int) bool {
	if i <= 0 {
		return false
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return asciiWord[c]
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isWordRune(r)
}

// wordAt reports whether the rune starting at byte i of s is a word rune.
func wordAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if c := s[i]; c < utf8.RuneSelf {
		return asciiWord[c]
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isWordRune(r)
}

// wordEnd returns the end of the word that continues at byte i of s.
func wordEnd(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if !asciiWord[c] {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			return i
		}
		i += n
	}
	return i
}

// splitWords returns the words of s (used on short strings: terms, examples).
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

// Morphology. A term written as a plain word matches the inflected forms of
// that word: two words match when their stems are equal, or when the stem
// of the text word is the term itself (so that a term whose stem is
// over-cut, like "аким" → "ак", still matches "акима", "акимом").
//
// Stemmers by script and document language:
//   - Cyrillic: Russian Snowball; in Kazakh documents also the Kazakh suffix
//     matcher (kkMatch), since Kazakh text freely inflects Russian words and
//     Russian words appear inside Kazakh comments;
//   - Latin: English Snowball.
//
// Snowball costs about 4 µs a word here, so it never runs over the whole
// text: the Aho-Corasick pass finds words that start with a term's stem
// and only those candidates are stemmed, through a cache.

type script uint8

const (
	scriptOther script = iota
	scriptCyrillic
	scriptLatin
)

func scriptOf(w string) script {
	for _, r := range w {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			return scriptLatin
		case unicode.Is(unicode.Cyrillic, r):
			return scriptCyrillic
		}
	}
	return scriptOther
}

// kazakhLetters are the letters of the Kazakh alphabet that Russian lacks.
const kazakhLetters = "әғқңөұүһі"

func hasKazakhLetters(s string) bool { return strings.ContainsAny(s, kazakhLetters) }

// ruStem is Russian Snowball over a lower-case word with ё already folded.
func ruStem(w string) string { return russian.Stem(w, true) }

// enStem is English (Porter2) Snowball.
func enStem(w string) string { return english.Stem(w, true) }

// kkSuffixes are Kazakh case, possessive and plural endings, longest
// first (shared with the classifier's Kazakh stems).
var kkSuffixes = pipeline.KazakhSuffixes

// kkMinStem is the shortest stem kkMatch strips down to, in letters.
const kkMinStem = 2

// kkMatch reports whether the Kazakh text word w is term (a dictionary
// form) with inflectional endings: it strips up to four endings from w,
// longest first, and compares every step with term, also after undoing
// the voicing of a final consonant before a vowel ending (кітабы →
// кітап, жүрегі → жүрек, тарағы → тарақ). Only the text word is stripped,
// so unrelated words that share a stem after stripping ("алма" apple and
// "Алматы") never meet.
func kkMatch(w, term string) bool {
	n := utf8.RuneCountInString(w)
	for range 5 {
		if w == term || kkUnvoice(w) == term {
			return true
		}
		if len(w) < len(term)-2 {
			return false
		}
		stripped := false
		for _, suf := range kkSuffixes {
			if strings.HasSuffix(w, suf) {
				k := utf8.RuneCountInString(suf)
				if n-k < kkMinStem {
					continue
				}
				w, n, stripped = w[:len(w)-len(suf)], n-k, true
				break
			}
		}
		if !stripped {
			return false
		}
	}
	return false
}

// kkUnvoice turns a final б, г, ғ back into п, к, қ.
func kkUnvoice(w string) string { return pipeline.KazakhUnvoice(w) }

// kkLiteral is the prefix every inflected form of the Kazakh term shares:
// the term without a final п, к or қ, which voice before vowel endings.
func kkLiteral(term string) string {
	r, size := utf8.DecodeLastRuneInString(term)
	if r == 'п' || r == 'к' || r == 'қ' {
		return term[:len(term)-size]
	}
	return term
}

// maxEndingRunes is the longest ending a stemmer removes, in letters
// (Russian Snowball: reflexive + participle + adjective, e.g. "ующимися").
// A candidate word whose stem-less tail is longer cannot match.
const maxEndingRunes = 10

// stemmer identifies a stem function; the key prefix keeps the caches of
// the stemmers apart.
type stemmer uint8

const (
	stemRU stemmer = iota
	stemKK
	stemEN
	numStemmers
)

func (s stemmer) fn() func(string) string {
	switch s {
	case stemEN:
		return enStem
	}
	return ruStem
}
