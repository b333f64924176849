package pipeline

import (
	"strings"
	"unicode/utf8"
)

// Kazakh is typed in Latin letters too: in the official alphabets (2018:
// á ǵ ı ń ó ú ý, sh and ch; 2021: ä ğ ı ñ ö ş ū ü ç) and in plain ASCII the
// way chats write it (qalaisyn, jaqsy, shyndyghynda: q for қ, gh for ғ).
// A field with such a word (a Kazakh Latin letter, a q, a gh: kazakhMarks)
// and a Kazakh function word (jáne, emes, ushin, kerek: kazakhFunctionWords)
// is read with kazakhScheme instead of the Russian one, under the same tests
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
	{"a'", []string{"ә"}}, {"g'", []string{"ғ"}}, {"n'", []string{"ң"}}, {"o'", []string{"ө"}},
	{"u'", []string{"ү"}}, {"y'", []string{"у"}}, {"i'", []string{"и", "й"}}, {"s'", []string{"ш"}},
	{"c'", []string{"ч"}}, // the 2017 alphabet: a'i'eli, u'lken, shamg'a
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
	'y': {"ы", "й", "у"}, 'ý': {"у"}, 'z': {"з"}, '4': {"ч"}, '\'': {"", "ь"},
}

// kazakhLetterAt reads the letter at word[i:] in the Kazakh scheme: i
// after a vowel may be й (oilaimyz, daiyndap, ghoi); after a y, which may
// itself be й, it may also be ы (dayin: дайын, beside syilyq: сыйлық).
func kazakhLetterAt(word string, i int) ([]string, int) {
	r, size := utf8.DecodeRuneInString(word[i:])
	readings := kazakhLetter[r]
	if prev, _ := utf8.DecodeLastRuneInString(word[:i]); r == 'i' && prev == 'y' {
		readings = []string{"й", "ы", "і", "и"}
	} else if r == 'i' && strings.ContainsRune("aeiouáäóöúüūıý", prev) {
		readings = []string{"й", "і", "и"}
	}
	if readings == nil { // cannot happen: words hold only the letters above
		readings = []string{string(r)}
	}
	return readings, size
}

// kazakhMarks reports whether a word's letters (UTF-8) show the Kazakh
// scheme (marked: a Kazakh Latin letter, a q or a gh), and whether strongly:
// a Kazakh Latin letter or a q not followed by u, since English has gh and
// qu too (night, unique: before this test every English article went on to
// the word-by-word check, +36 % allocations in BenchmarkNormalize).
func kazakhMarks(w []byte) (marked, strong bool) {
	for i, c := range w {
		switch {
		case c == 'q':
			marked = true
			strong = strong || i+1 == len(w) || w[i+1] != 'u'
		case c == 'g' && i+1 < len(w) && w[i+1] == 'h':
			marked = true
		case c == '\'' && i > 0 && i+1 < len(w) && w[i+1] != '\'' && strings.IndexByte("agu", w[i-1]) >= 0 && (i < 2 || w[i-2] != 'o'):
			// a', g', u' before a letter: the 2017 alphabet. Not n', o',
			// y', i', s' (English n't, o'clock, y'all, i'm; Russian ь in
			// den'gi, pis'mo), nor ou' (you're, you've)
			marked, strong = true, true
		case c >= 0x80:
			if r, _ := utf8.DecodeRune(w[i:]); isKazakhLatin(r) {
				return true, true
			}
		}
	}
	return marked, strong
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
	"bul": true, "bizden": true, "bizben": true, "sizden": true, "sizben": true, "bizder": true, "sizder": true,
	"arqyly": true, "arkyly": true, "turaly": true, "jatyr": true, "jatyrmyz": true, "biraq": true,
	"birak": true, "nemese": true, "sebebi": true, "bolady": true, "boldy": true, "keledi": true, "tegin": true,
	"qajet": true, "kajet": true, "ozimiz": true, "ozim": true, "bolyp": true, "kelip": true, "berip": true,
}
