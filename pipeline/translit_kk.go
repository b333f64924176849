package pipeline

import (
	"strings"
	"unicode/utf8"
)

// Kazakh is typed in Latin letters too: in the official alphabets (2018:
// á ǵ ı ń ó ú ý, sh and ch; 2021: ä ğ ı ñ ö ş ū ü ç) and in plain ASCII the
// way chats write it (qalaisyn, jaqsy, shyndyghynda: q for қ, gh for ғ).
// A field with such a word (a Kazakh Latin letter, a q, a gh: kazakhMarkedBytes) and a Kazakh
// function word (jáne, emes, ushin, kerek: kazakhFunctionWords) is read
// with kazakhSplit instead of the Russian scheme, under the same tests
// (translit.go). Plain ASCII is ambiguous in Kazakh (a is а or ә, o is о
// or ө, u is у, ұ or ү, k is к or қ), so a word may be spelled many ways;
// the lexicon's Kazakh words settle it, as in Russian.

// kazakhMaxSpellings bounds the spellings tried for one Kazakh word: more
// letters are ambiguous than in Russian (bauyrlarym has 216 spellings).
const kazakhMaxSpellings = 256

// isKazakhLatin reports whether r is a letter the Kazakh Latin alphabets
// add to a–z (lower case).
func isKazakhLatin(r rune) bool {
	switch r {
	case 'á', 'ä', 'ǵ', 'ğ', 'ı', 'ń', 'ñ', 'ó', 'ö', 'ú', 'ü', 'ū', 'ý', 'ş', 'ç':
		return true
	}
	return false
}

// kazakhParts are the Kazakh scheme's multi-letter parts.
var kazakhParts = []translitPart{
	{"sh", []string{"ш"}},
	{"ch", []string{"ч"}},
	{"zh", []string{"ж"}},
	{"gh", []string{"ғ"}},
	{"kh", []string{"х"}},
	{"ng", []string{"ң", "нг"}},
	{"ya", []string{"я"}},
	{"yu", []string{"ю"}},
}

// kazakhLetter is the reading of each single letter in the Kazakh scheme,
// the likeliest first.
var kazakhLetter = map[rune][]string{
	'a': {"а", "ә"}, 'á': {"ә"}, 'ä': {"ә"}, 'b': {"б"}, 'c': {"ц", "с"}, 'ç': {"ч"}, 'd': {"д"},
	'e': {"е", "э"}, 'f': {"ф"}, 'g': {"г", "ғ"}, 'ǵ': {"ғ"}, 'ğ': {"ғ"}, 'h': {"х", "һ"},
	'i': {"і", "и", "ы"}, 'ı': {"ы", "и", "й"}, 'j': {"ж", "й"}, 'k': {"к", "қ"}, 'l': {"л"}, 'm': {"м"},
	'n': {"н", "ң"}, 'ń': {"ң"}, 'ñ': {"ң"}, 'o': {"о", "ө"}, 'ó': {"ө"}, 'ö': {"ө"}, 'p': {"п"},
	'q': {"қ"}, 'r': {"р"}, 's': {"с"}, 'ş': {"ш"}, 't': {"т"}, 'u': {"у", "ұ", "ү"},
	'ú': {"ү"}, 'ü': {"ү"}, 'ū': {"ұ"}, 'v': {"в"}, 'w': {"у"}, 'x': {"х"},
	'y': {"ы", "й", "у"}, 'ý': {"у"}, 'z': {"з"}, '4': {"ч"},
}

// kazakhSplit cuts word into parts, as translitSplit does for Russian: each
// part's length in letters (runes) and its readings.
func kazakhSplit(word string, dst []translitSpan) []translitSpan {
	dst = dst[:0]
	for i := 0; i < len(word); {
		if p, ok := matchPart(kazakhParts, word[i:]); ok {
			dst = append(dst, translitSpan{n: len(p.latin), readings: p.readings})
			i += len(p.latin)
			continue
		}
		r, size := utf8.DecodeRuneInString(word[i:])
		readings := kazakhLetter[r]
		if r == 'i' && i > 0 && strings.ContainsRune("aeiouyáäóöúüūıý", rune(word[i-1])) {
			readings = []string{"й", "і", "и"} // oilaimyz, daiyndap, ghoi
		}
		if readings == nil { // cannot happen: words hold only the letters above
			readings = []string{string(r)}
		}
		dst = append(dst, translitSpan{n: 1, readings: readings})
		i += size
	}
	return dst
}

// kazakhMarkedBytes reports whether a word's letters (UTF-8) show the
// Kazakh scheme: a Kazakh Latin letter, a q or a gh.
func kazakhMarkedBytes(w []byte) bool {
	for i, c := range w {
		if c == 'q' || c == 'g' && i+1 < len(w) && w[i+1] == 'h' {
			return true
		}
		if c >= 0x80 {
			r, _ := utf8.DecodeRune(w[i:])
			if isKazakhLatin(r) {
				return true
			}
		}
	}
	return false
}

// kazakhLettersOrQ reports whether a word's letters (UTF-8) have a q not
// followed by u, or a Kazakh Latin letter: a stronger mark than gh, which
// English has too, as it has qu (unique, quite: before this test every
// English article went on to the word-by-word check, +36 % allocations in
// BenchmarkNormalize).
func kazakhLettersOrQ(w []byte) bool {
	for i, c := range w {
		if c == 'q' && (i+1 == len(w) || w[i+1] != 'u') {
			return true
		}
		if c >= 0x80 {
			if r, _ := utf8.DecodeRune(w[i:]); isKazakhLatin(r) {
				return true
			}
		}
	}
	return false
}

// kazakhFunctionWords are Kazakh function words as they are typed in
// Latin letters, none of them an English word ("men", "bar" and "sen"
// are, so they are left out).
var kazakhFunctionWords = map[string]bool{
	"jane": true, "jáne": true, "jäne": true, "zhane": true, "goi": true, "ghoi": true, "ǵoi": true, "ğoi": true,
	"emes": true, "joq": true, "jok": true, "zhok": true, "ushin": true, "úshin": true, "üşin": true, "üshin": true,
	"kerek": true, "bizge": true, "sizge": true, "olar": true, "osy": true, "qalai": true, "kalai": true,
	"nege": true, "qashan": true, "kashan": true, "biz": true, "siz": true, "dep": true, "eken": true,
	"ǵana": true, "ğana": true, "gana": true, "ghana": true, "endi": true, "qazir": true, "kazir": true,
	"bári": true, "bäri": true, "bari": true, "barlyq": true, "meniń": true, "menin": true, "seniń": true,
	"senin": true, "bizdiń": true, "bizdin": true, "mynau": true, "onyń": true, "onyn": true, "tek": true,
	"kim": true, "sol": true, "osynda": true, "sonda": true, "mynda": true, "bizde": true, "sende": true,
	"ol": true, "ony": true, "oǵan": true, "oğan": true, "ogan": true, "ǵoı": true, "goı": true,
	"degen": true, "deidi": true, "deıdi": true, "bolsa": true, "bolsań": true, "ana": true,
}
