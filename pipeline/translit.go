package pipeline

import (
	"iter"
	"slices"
	"strings"
	"unicode/utf8"
)

// The fourth pass reads Russian (and Kazakh: translit_kk.go) written in
// Latin letters, as chats and comments often are: "bratya, vstupaite v
// IGIL, pishite v lichku" becomes "братья, вступайте в игил, пишите в
// личку", each Cyrillic letter mapped back to the Latin letters it came
// from. Nothing else reads it: the rule packs, the topic model and the flag
// heads all read Cyrillic.
//
// A field is read as transliterated only when its letters are mostly Latin,
// it has a lower-case function word of the scheme among its first
// translitFirstWords words (translitScheme: v, na, ne, eto, kto for
// Russian, none of them an English word), and its Latin words read better
// as Russian than as English. Of its first translitSample distinct
// lower-case words of three or more letters, those with a transliteration
// the lexicon knows as a Cyrillic word more often than it knows the Latin
// word as an English one ("privet", "brat", "vsem"; not "the", "man",
// "net") must be at least translitMinWords and outnumber the English ones
// translitRatio times. Capitalized words do not count: English spells
// Kazakh and Russian names the same way (Tokayev, Astana, Kurban Ait). A
// word marked Kazakh (á, ğ, ı, ń, ş, or q and gh in plain ASCII: qazaq,
// jaqsy) sends the field to the Kazakh scheme instead. English text and a
// Russian article naming Kaspi or Google are left alone. In a field read
// as transliterated every Latin word becomes Cyrillic unless it is an
// English word with no likelier reading ("online", "match"), or is glued
// to a link, an address or a number (t.me/joinchat, tele2, user@mail.kz
// stay). An apostrophe inside a word is part of it (brat'ya: ь; the 2017
// Kazakh alphabet's shamg'a: ғ), and so are 1, 0 and @ when one stands
// inside a word the lexicon then knows (1g1l, sh@m: leetBounds).
//
// Each word is spelled several ways where the transliteration is
// ambiguous (i after a vowel: й or и; y: ы or й; e: е or э; ts: ц or тс;
// ya: я or ья; w: в or ш; a final consonant with or without ь) and the
// spelling the lexicon knows best wins; a word it does not know takes the
// first reading of each letter.

// translitSample is how many Latin words of three or more letters decide
// whether a field is transliterated.
const translitSample = 24

// translitMaxSpellings bounds the spellings tried for one word.
const translitMaxSpellings = 64

// translitPart is a run of Latin letters and the Cyrillic readings it may
// have, the likeliest first.
type translitPart struct {
	latin    string
	readings []string
}

// translitParts are the multi-letter parts, longest first; single letters
// are read by translitLetter and settled by their neighbours in
// translitSplit.
var translitParts = []translitPart{
	{"shch", []string{"щ"}},
	{"sch", []string{"щ"}},
	{"zh", []string{"ж"}},
	{"kh", []string{"х"}},
	{"ch", []string{"ч"}},
	{"sh", []string{"ш", "щ"}}, // nastoyashiy
	{"dj", []string{"дж"}},     // djihad
	{"dzh", []string{"дж"}},
	{"ts", []string{"ц", "тс"}},
	{"ya", []string{"я", "ья"}},
	{"ja", []string{"я", "ья"}},
	{"yu", []string{"ю", "ью"}},
	{"ju", []string{"ю", "ью"}},
	{"yo", []string{"е", "ье"}},
	{"jo", []string{"е", "ье"}},
	{"ye", []string{"е", "ье", "ые"}},
	{"je", []string{"е", "ье"}},
}

// translitLetter is the reading of each single Latin letter.
var translitLetter = [26][]string{
	{"а"}, {"б"}, {"ц", "к"}, {"д"}, {"е", "э"}, {"ф"}, {"г"}, {"х"}, {"и"}, {"й", "дж"},
	{"к"}, {"л"}, {"м"}, {"н"}, {"о"}, {"п"}, {"к"}, {"р"}, {"с"}, {"т"},
	{"у"}, {"в"}, {"в", "ш"}, {"х", "кс"}, {"ы", "й"}, {"з"},
}

// translitSoft are the consonants that may stand for themselves and a soft
// sign the writer left out: at a word's end (zhit, zdes, put), and l
// before a consonant (tolko, dalshe).
var translitSoft = [26]bool{'b' - 'a': true, 'd' - 'a': true, 'l' - 'a': true, 'm' - 'a': true, 'n' - 'a': true,
	'p' - 'a': true, 'r' - 'a': true, 's' - 'a': true, 't' - 'a': true, 'v' - 'a': true, 'z' - 'a': true}

func isLatinVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// matchPart returns the first of parts that s starts with.
func matchPart(parts []translitPart, s string) (translitPart, bool) {
	for _, p := range parts {
		if strings.HasPrefix(s, p.latin) {
			return p, true
		}
	}
	return translitPart{}, false
}

// A scheme is one way of reading Latin letters in Cyrillic: its
// multi-letter parts, the readings of a single letter at word[i:] (and the
// bytes it takes), and how many spellings of a word it tries.
type scheme struct {
	parts        []translitPart
	letter       func(word string, i int) (readings []string, size int)
	maxSpellings int
}

var (
	russianScheme = &scheme{translitParts, russianLetter, translitMaxSpellings}
	kazakhScheme  = &scheme{kazakhParts, kazakhLetterAt, kazakhMaxSpellings}
)

// SpellRussian reads word, lower-case ASCII letters, as Russian written in
// Latin letters and returns the Cyrillic spelling the embedded lexicon
// knows best, with known true, or the first reading of every part and
// known false. It is the reading the fourth pass gives a word of a field
// it reads as transliterated ("igil" → "игил"), for callers that meet
// such a word alone: a group's Latin name inside a Russian comment.
func SpellRussian(word string) (cyrillic string, known bool) {
	if word == "" || !russianLetters(word) {
		return "", false
	}
	sp, _, ok := russianScheme.spell(word, wordCosts())
	return sp.String(), ok
}

// split cuts word into parts: each its length in letters and its readings.
func (sc *scheme) split(word string) []translitSpan {
	var dst []translitSpan
	for i := 0; i < len(word); {
		if p, ok := matchPart(sc.parts, word[i:]); ok {
			dst = append(dst, translitSpan{n: len(p.latin), readings: p.readings})
			i += len(p.latin)
			continue
		}
		readings, size := sc.letter(word, i)
		dst = append(dst, translitSpan{n: 1, readings: readings})
		i += size
	}
	return dst
}

// russianLetter reads the letter word[i] (a–z or 4) in the Russian
// scheme, by its neighbours where they decide.
func russianLetter(word string, i int) ([]string, int) {
	c := word[i]
	if c == '4' { // ч: 4to, se4as
		return []string{"ч"}, 1
	}
	if c == '\'' { // ь: den'gi, brat'ya; ъ: pod'ezd
		return []string{"ь", "ъ", ""}, 1
	}
	r := translitLetter[c-'a']
	afterVowel := i > 0 && isLatinVowel(word[i-1])
	last := i == len(word)-1
	switch {
	case c == 'i' && afterVowel: // vstupaite, boi
		r = []string{"й", "и"}
	case c == 'y' && afterVowel: // moy, kray
		r = []string{"й", "ы"}
	case translitSoft[c-'a'] && i > 0 && (last || c == 'l' && !isLatinVowel(word[i+1])):
		r = []string{r[0], r[0] + "ь"}
	}
	return r, 1
}

// translitSpan is one part of a word as a scheme split it.
type translitSpan struct {
	n        int // letters
	readings []string
}

// spelling is a word's parts and, part by part, the reading chosen.
type spelling struct {
	spans  []translitSpan
	chosen []int
}

// String is the spelling's Cyrillic letters: the chosen reading of each
// part.
func (sp spelling) String() string {
	var b strings.Builder
	for i, s := range sp.spans {
		b.WriteString(s.readings[sp.chosen[i]])
	}
	return b.String()
}

// spell spells word in Cyrillic: the spelling the lexicon knows best, with
// its cost (ok), or when it knows none (ok false) the first reading of
// every part.
func (sc *scheme) spell(word string, costs map[string]float32) (sp spelling, cost float32, ok bool) {
	return sc.spellUpTo(word, costs, sc.maxSpellings)
}

// spellUpTo is spell trying at most limit spellings.
func (sc *scheme) spellUpTo(word string, costs map[string]float32, limit int) (sp spelling, cost float32, ok bool) {
	spans := sc.split(word)
	chosen := make([]int, len(spans))
	best := make([]int, len(spans))
	buf := make([]byte, 0, 4*len(word))
	tried := 0
	var walk func(k int)
	walk = func(k int) {
		if tried >= limit {
			return
		}
		if k == len(spans) {
			tried++
			buf = buf[:0]
			for i, s := range spans {
				buf = append(buf, s.readings[chosen[i]]...)
			}
			if c, in := costs[string(buf)]; in && (!ok || c < cost) { // the conversion does not allocate
				cost, ok = c, true
				copy(best, chosen)
			}
			return
		}
		for r := range spans[k].readings {
			chosen[k] = r
			walk(k + 1)
		}
		chosen[k] = 0
	}
	walk(0)
	return spelling{spans, best}, cost, ok
}

// latinWord is a run [i, j) of units holding the letters a translit word
// may have (translitRune: a–z, 4, Kazakh Latin letters) and deleted units,
// with those letters.
type latinWord struct {
	i, j    int
	letters string
	leet    bool // a digit or symbol stands for a letter in it (isLeet)
}

// detranslit is the fourth pass (see above) over the field as received,
// original.
func (n *normalizer) detranslit(original string) {
	u := n.units
	// As read (before join and unmask, which move a few letters between
	// the scripts): enough for a gate.
	latin, other := n.latin, n.other
	if latin < 5 || latin < 3*other {
		return
	}
	kind := pickScheme(u, original)
	if kind == schemeNone {
		return
	}
	sc := russianScheme
	if kind != schemeRussian {
		sc = kazakhScheme
	}
	words := latinWords(u[:min(len(u), translitMaxUnits)], original, sc == russianScheme)
	if k := len(words) - 1; k >= 0 && len(u) > translitMaxUnits && words[k].j == translitMaxUnits {
		words = words[:k] // cut at the limit: not a word
	}
	costs := wordCosts()
	// A word is spelled once a field (a megabyte of one comment pasted
	// over and over took a second), and past translitMaxSearched distinct
	// words the rest take their first readings without the lexicon.
	type reading struct {
		spelling
		known   bool // the lexicon knows the spelling, at cost
		cost    float32
		english bool // the lexicon knows the Latin word as English, at enCost
		enCost  float32
	}
	memo := map[string]reading{}
	read := func(letters string) reading {
		if r, ok := memo[letters]; ok {
			return r
		}
		var r reading
		if len(memo) < translitMaxSearched {
			r.spelling, r.cost, r.known = sc.spell(letters, costs)
			r.enCost, r.english = costs[letters]
		} else {
			r.spelling.spans = sc.split(letters)
			r.spelling.chosen = make([]int, len(r.spelling.spans))
		}
		memo[letters] = r
		return r
	}
	ru, en, sampled := 0, 0, 0
	seen := make(map[string]bool, translitSample)
	for k, w := range words {
		name := capitalized(original, u[w.i]) && (k > 0 || hasLetter(u, 0, w.i))
		if utf8.RuneCountInString(w.letters) < 3 || seen[w.letters] || name || w.leet {
			// Names (Tokayev, Astana, Kurban Ait) are transliterated in
			// English too; a disguise says nothing of the language. The
			// field's first word is capitalized anyway: a three-word
			// headline ("Teñge bağamy nyğaidy") has no other to spare.
			continue
		}
		seen[w.letters] = true
		if sampled++; sampled > translitSample || ru+translitSample-sampled+1 < translitRatio*en {
			break // English text settles it within a few words
		}
		if ec, ok := costs[w.letters]; ok && ec < translitCommonEnglish && kind != schemeKazakhMarked {
			en++ // "the", "and", "was": no need to spell them
			continue
		}
		switch r := read(w.letters); {
		case r.known && (!r.english || r.cost < r.enCost):
			ru++
		case r.known && kind == schemeKazakhMarked:
			// a word Kazakh and English share (jihad, top, bar) says
			// neither: only an English word alone vetoes a marked field
		case r.english:
			en++
		}
	}
	minWords := translitMinWords
	if kind == schemeKazakh {
		// The lexicon knows fewer Kazakh words, and q, gh or á beside a
		// Kazakh function word are rare in anything else.
		minWords = 2
	}
	if ru < minWords || ru < translitRatio*en || kind == schemeKazakhMarked && en > 0 {
		return // with no Kazakh function word, one English word says English ("… sets fitr sadaqa at 600 tenge")
	}
	var spelled []spelledWord
	for _, w := range words {
		r := read(w.letters)
		if w.leet && !r.known && !r.english {
			continue // 400k, xxxxx@xxxxx: no word, so no disguise
		}
		if r.english && (!r.known || r.enCost <= r.cost && sc == russianScheme) && len(w.letters) > 1 {
			// an English word in a Russian comment stays ("online", "ok"),
			// its digits and symbols read as the letters they stand for
			// (j1h@d: jihad)
			for k := w.i; k < w.j; k++ {
				if isLeet(u[k]) {
					u[k].r = translitRune(u[k], original)
				}
			}
			continue
		}
		spelled = append(spelled, spelledWord{w, r.spelling})
	}
	n.units = rewritten(u, spelled)
}

// spelledWord is a word of the field and the spelling it is rewritten with.
type spelledWord struct {
	latinWord
	spelling
}

// translitMaxSearched is how many distinct words of a field are spelled
// against the lexicon, and translitMaxUnits how far into a field (in
// runes) words are read in Cyrillic: a Cyrillic letter never maps to its
// Latin one byte for byte, so each needs a piece of the map (16 bytes): a
// megabyte of one translit comment pasted over and over normalized at 2.9
// MB/s, and read up to 64K runes, more than any comment, at 44–54 MB/s
// (BenchmarkNormalizeTranslit). The rest of such a field stays as written.
const (
	translitMaxSearched = 4096
	translitMaxUnits    = 64 << 10
)

// capitalized reports whether the original text of x starts with a capital
// Latin letter.
func capitalized(original string, x unit) bool {
	return int(x.s) < len(original) && 'A' <= original[x.s] && original[x.s] <= 'Z'
}

// translitFunctionWords are Russian function words in Latin letters that
// are no English word: a field is read as transliterated only if it has
// one. "China net cafe culture crackdown" has three words the lexicon
// knows better in Russian (нет, кафе, культуре) and none of these. "s"
// (с) is left out: 42 of the 1,780 English and Russian texts of
// testdata/corpus have it standing alone in English.
var translitFunctionWords = map[string]bool{
	"v": true, "na": true, "ne": true, "k": true, "u": true, "po": true, "za": true,
	"ot": true, "iz": true, "eto": true, "kak": true, "chto": true, "vse": true, "vsem": true,
	"tak": true, "ya": true, "ty": true, "vy": true, "ona": true, "oni": true, "zhe": true, "4to": true,
	"uzhe": true, "tut": true, "kto": true, "gde": true, "esli": true, "tolko": true,
	"dlya": true, "ili": true, "bez": true, "nas": true, "vas": true, "nam": true, "vam": true,
	"menya": true, "tebya": true, "mne": true, "nado": true, "mozhno": true, "ochen": true,
	"eshe": true, "seichas": true, "poka": true, "potom": true,
}

// translitMinWords is the fewest distinct Latin words that must read as
// Russian, and translitRatio how many times they must outnumber those that
// read as English: "first comment haha" (коммент and хаха are in the
// lexicon) stays English, "kto idet na match online, pishite v lichku"
// is read.
const (
	translitMinWords = 3
	translitRatio    = 2
)

// translitCommonEnglish is the lexicon cost under which a Latin word is
// taken as English without spelling it in Cyrillic: the lexicon's 90 most
// frequent words, about half of them English (the, to, of, and, for).
const translitCommonEnglish = 7

// rewritten returns u with each word of words spelled as its spelling
// says: a part's reading takes the place of its first
// letter, every rune of it mapped to the part's whole original range, and
// the part's other letters are deleted. Readings may be longer than their
// parts (j → дж), so the units are copied once.
func rewritten(u []unit, words []spelledWord) []unit {
	out := make([]unit, 0, len(u)+len(u)/8)
	k := 0
	for _, w := range words {
		out = append(out, u[k:w.i]...)
		var live []int
		for x := w.i; x < w.j; x++ {
			if u[x].r != deleted {
				live = append(live, x)
			}
		}
		at := 0
		next := w.i // the next unit of the word not yet copied
		for p, sp := range w.spans {
			first, lastU := live[at], live[at+sp.n-1]
			at += sp.n
			out = append(out, u[next:first]...) // deleted separators before the part
			s, e := u[first].s, u[lastU].e
			reading := sp.readings[w.chosen[p]]
			if reading == "" { // an apostrophe read as nothing
				out = append(out, unit{r: deleted, s: s, e: e})
			}
			for _, r := range reading {
				out = append(out, unit{r: r, s: s, e: e})
			}
			for x := first + 1; x <= lastU; x++ {
				if u[x].r == deleted {
					out = append(out, u[x])
				}
			}
			next = lastU + 1
		}
		out = append(out, u[next:w.j]...)
		k = w.j
	}
	return append(out, u[k:]...)
}

// translitScan is how many Latin words pickScheme reads, and
// maxFunctionWord the bytes of the longest function word of either
// scheme.
const (
	translitScan    = 24
	maxFunctionWord = 8
	// translitFirstWords: a field with no function word among its first
	// words is not read (translit comments have one early: v, ne, eto).
	translitFirstWords = 16
)

// The schemes a field may be read with.
const (
	schemeNone = iota
	schemeRussian
	schemeKazakh       // a Kazakh word and a Kazakh function word
	schemeKazakhMarked // Kazakh words (q, á…) and no function word: needs more words the lexicon knows
	schemeKazakhPlain  // a Kazakh function word in plain ASCII, no Kazakh mark at all: as Russian's test
)

// pickScheme reads the first translitScan Latin words of u (as
// translitWords finds them) and says which scheme the field may be read
// with: Kazakh when a word is marked Kazakh (kazakhMarks) and a lower-case
// word is a Kazakh function word, or when a lower-case word has a strong
// Kazakh mark; Russian when no word is marked and a lower-case word is a
// Russian function word; plain Kazakh when no word is marked and one is a
// Kazakh function word (phones type Kazakh in plain ASCII: "kim shynymen
// shahid bolgysy keledi"), read only if three words read as Kazakh words
// the lexicon knows, twice as many as read as English, as Russian is;
// none otherwise. It allocates nothing, so English
// text, which almost never has one of those words, costs one scan.
func pickScheme(u []unit, original string) int {
	var buf [32]byte
	marked, strong, ru, kk := false, false, false, false
	words := 0
	for i, j := range translitWords(u, original) {
		nb := 0
		for _, x := range u[i:j] {
			if x.r == deleted {
				continue
			}
			r := translitRune(x, original)
			if nb+utf8.RuneLen(r) > len(buf) {
				nb = -1 // longer than any function word, and than any mark needs
				break
			}
			nb += utf8.EncodeRune(buf[nb:], r)
		}
		if nb >= 0 {
			w := buf[:nb]
			lower := !capitalized(original, u[i])
			if m, st := kazakhMarks(w); m {
				marked = true
				// a strong mark counts in a lower-case word only (not
				// Iraq, Qatar)
				strong = strong || lower && st
			}
			if nb <= maxFunctionWord && lower {
				ru = ru || translitFunctionWords[string(w)]
				kk = kk || kazakhFunctionWords[string(w)]
			}
		}
		words++
		if words >= translitScan || words >= translitFirstWords && !ru && !kk && !strong {
			break // no function word early on: not a translit comment
		}
	}
	switch {
	case marked && kk:
		return schemeKazakh
	case strong:
		return schemeKazakhMarked
	case !marked && ru:
		return schemeRussian
	case !marked && kk:
		return schemeKazakhPlain
	}
	return schemeNone
}

// russianLetters reports whether letters are all the Russian scheme reads
// (a–z and 4).
func russianLetters(letters string) bool {
	for i := 0; i < len(letters); i++ {
		if c := letters[i]; c != '4' && c != '\'' && !isPlainLatin(rune(c)) {
			return false
		}
	}
	return true
}

func isPlainLatin(r rune) bool { return 'a' <= r && r <= 'z' }

// translitRune returns the letter x stands for in a translit word: a plain
// Latin letter, a Kazakh Latin one, or '4' (ч in translit: 4to, se4as;
// unmask has read a 4 inside a Latin word as the leet a, so the original
// byte decides), or 0.
func translitRune(x unit, original string) rune {
	r := x.r
	switch {
	case 'a' < r && r <= 'z':
		return r
	case r == 'a':
		if x.e-x.s == 1 && int(x.s) < len(original) && original[x.s] == '4' {
			return '4'
		}
		return r
	case r == '4':
		return '4'
	case r >= 0xc0 && isKazakhLatin(r):
		return r
	case isApostrophe(r):
		return '\'' // inside a word (translitWords): ь in Russian, a letter's mark in Kazakh's 2017 alphabet
	case r == '1':
		return 'i' // digits and symbols for letters, inside a word (leetBounds): 1g1l, j1had
	case r == '0':
		return 'o'
	case r == '@':
		return 'a'
	}
	return 0
}

// isLeet reports whether x is a digit or symbol translitRune reads as a
// letter.
func isLeet(x unit) bool { return x.r == '1' || x.r == '0' || x.r == '@' }

// leetBounds returns the word u[i:j] without the digits and symbols read
// as letters at its edges, unless one stands inside it too (1g1l, sh@m,
// t0p, j1h@d are words; 1xbet, top10, @amir, 100 are not: their edges
// stay glued to the digit and the word is left alone); ok is false when it
// has no letter, or one beside a digit or symbol.
func leetBounds(u []unit, i, j int) (wi, wj int, ok bool) {
	first, last, letters := -1, -1, 0
	for k := i; k < j; k++ {
		if u[k].r != deleted && !isLeet(u[k]) {
			if first < 0 {
				first = k
			}
			last = k
			letters++
		}
	}
	if letters == 0 || letters == 1 && last-first+1 < j-i {
		return i, j, false // a lone letter is a word (v, i, s), not with a digit beside it
	}
	for k := first + 1; k < last; k++ {
		if isLeet(u[k]) {
			return i, j, true
		}
	}
	return first, last + 1, true
}

// glued reports whether the word that ends (step -1: starts) next to u[k]
// is glued to more than white space or punctuation: a digit, another
// letter or a symbol at u[k], or a '.', '/', '@', ':', '#', '_' or an
// apostrophe with a word rune beyond it (t.me/joinchat, user@mail.kz,
// the country's). '#', '@' and '/' glue at a word's start alone too
// (#tag, @handle, /path).
func glued(u []unit, k, step int) bool {
	r, at := liveAt(u, k, step)
	if at < 0 {
		return false
	}
	if isWordRune(r) {
		return true
	}
	switch r {
	case '.', '/', '@', ':', '#', '_', '\\', '=', '&', '?', '\'', '\u2019':
		if next, nat := liveAt(u, at+step, step); nat >= 0 && isWordRune(next) {
			return true
		}
		return step < 0 && (r == '#' || r == '@' || r == '/')
	}
	return false
}

// liveAt returns the first live rune from u[k] on in the direction step,
// and its index (-1 when there is none).
func liveAt(u []unit, k, step int) (rune, int) {
	for ; k >= 0 && k < len(u); k += step {
		if u[k].r != deleted {
			return u[k].r, k
		}
	}
	return 0, -1
}

// translitWords yields the bounds [i, j) of each run of letters a
// translit word may have (translitRune) and deleted units in u that stands
// as a word: not glued to a digit, another letter or a symbol (see glued).
func translitWords(u []unit, original string) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i := 0; i < len(u); {
			if r := translitRune(u[i], original); r == 0 || r == '\'' {
				i++
				continue
			}
			j, leet := i, false
			for j < len(u) && (u[j].r == deleted || translitRune(u[j], original) != 0) {
				leet = leet || isLeet(u[j])
				j++
			}
			wi, wj, ok := i, j, true
			if leet {
				wi, wj, ok = leetBounds(u, i, j)
			}
			if ok && wi < wj {
				wj = trimApostrophes(u, wi, wj, original)
			}
			if ok && wi < wj && !glued(u, wi-1, -1) && !glued(u, wj, 1) && !yield(wi, wj) {
				return
			}
			i = j
		}
	}
}

// trimApostrophes returns the end of the word u[i:j] without the
// apostrophes it ends with (a closing quote: 'qonaqqa'), but for one after
// a letter the 2017 Kazakh alphabet marks with it in a word that has
// another inside (shahi'dtin'). An apostrophe inside a word stays:
// brat'ya (ь), u'lken (ү).
func trimApostrophes(u []unit, i, j int, original string) int {
	end := j
	for {
		_, k := liveAt(u, end-1, -1)
		if k < i || translitRune(u[k], original) != '\'' {
			break
		}
		end = k
	}
	if end == j {
		return j
	}
	prev, _ := liveAt(u, end-1, -1)
	if prev >= utf8.RuneSelf || strings.IndexByte(apostropheLetters, byte(prev)) < 0 {
		return end
	}
	for x := i; x < end; x++ {
		if u[x].r != deleted && translitRune(u[x], original) == '\'' {
			_, k := liveAt(u, end, 1)
			return k + 1 // shahi'dtin': one apostrophe kept
		}
	}
	return end
}

// apostropheLetters are the letters the 2017 Kazakh Latin alphabet marks
// with an apostrophe (a' ә, g' ғ, n' ң, o' ө, u' ү, y' у, i' и, s' ш, c' ч).
const apostropheLetters = "agnouyisc"

// latinWords returns the words of u (translitWords) with their letters;
// russianOnly leaves out those with a letter the Russian scheme does not
// read (a Kazakh or Turkish one), and every scheme those that are only
// the digit 4.
func latinWords(u []unit, original string, russianOnly bool) []latinWord {
	var out []latinWord
	for i, j := range translitWords(u, original) {
		var b strings.Builder
		for _, x := range u[i:j] {
			if x.r != deleted {
				b.WriteRune(translitRune(x, original))
			}
		}
		letters := b.String()
		if strings.Trim(letters, "4") == "" || russianOnly && !russianLetters(letters) {
			continue
		}
		leet := slices.ContainsFunc(u[i:j], isLeet)
		out = append(out, latinWord{i: i, j: j, letters: letters, leet: leet})
	}
	return out
}
