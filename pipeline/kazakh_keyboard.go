package pipeline

import (
	"bytes"
	"sync"
	"unicode/utf8"
)

// The fifth pass reads Kazakh typed on a Russian keyboard: Cyrillic
// without the nine letters Kazakh adds (ә ғ қ ң ө ұ ү һ і), each typed as the
// Russian letter nearest to it: "калайсын бауырым, бари жаксы" is
// "қалайсың бауырым, бәрі жақсы". Many readers in Kazakhstan type so; the
// rule packs, the topic model and the flag heads learned Kazakh with its
// letters and read such a comment as a stream of unknown words (on a set
// of 220 such comments written blind, the recruitment flag caught 17 of
// 40 recruiters, the toxic head reported 53 of 190 clean ones, and the
// language detector called 93 of the 220 Russian).
//
// Every Kazakh word of the lexicon with one of those letters is indexed
// by its bare form, the word as a Russian keyboard types it (bareIndex:
// "қалай" under "калай"). A word of the field is Kazakh typed bare when
// the index has it and the lexicon knows it as typed much less often
// (kazakhBareMargin: "кол" 11 times, "қол" 103; "он" 2,135, "өн" rarely),
// or, for a word the lexicon does not know at all, when the index has a
// prefix of it of four or more letters (an inflection the lexicon lacks:
// "кешеги" is "кешегі", "сойлеседи" "сөйлеседі"); the rest of such a word
// follows the vowel class of its stem (after a back stem к and г are қ and
// ғ, after a front one и and ы are і).
//
// A field is read so when it has a Kazakh function word typed bare
// (kkBareWords: жане, ушин, керек, жок, гой) and such words outnumber both
// the Russian function words (и, в, не, что: ruWords) and the words that
// carry a Kazakh letter, and are at least two; or, with no function word,
// no word with a Kazakh letter and no Russian function word, when half its
// words read in Kazakh (a third of the first 48 as indexed, whole). A
// Kazakh text typed with its letters keeps its few bare words as written,
// and a Russian text naming Kazakh people and places ("аким костанайской
// области", "клуб казак курес") stays Russian. Letters are rewritten one
// for one, so the map to the original does not change.

// kkBareWords are frequent Kazakh words, most of them function words, as
// a Russian keyboard types them, none of them a Russian word: the detector's
// kkWords made bare, and the words comments use most.
var kkBareWords = func() map[string]struct{} {
	// "ким" is left out: a Korean surname in Russian text.
	m := setOf("жане", "ушин", "гой", "ганой", "гана", "жок", "калай", "кандай", "кайда", "кашан",
		"неге", "бари", "барин", "бир", "биз", "сиз", "сен", "сендер", "сиздер",
		"бизге", "сизге", "бизде", "маган", "саган", "оган", "менин", "сенин", "онын", "жаксы",
		"рахмет", "ракмет", "коп", "казир", "жатыр", "болсын", "шыгар", "емес",
		// what comments say most besides (then, now, says, from where, at
		// home, it turns out): "ИП-ларга салык кобейеди дейди, сосын бизнес
		// кайдан оседи" had none of the words above (2026-12-07)
		"сосын", "енди", "дейди", "кайдан", "уйде", "болыпты")
	for w := range kkWords {
		var b []rune
		for _, r := range w {
			b = append(b, bareLetter(r))
		}
		if bw := string(b); !has(ruWords, bw) && bw != "да" {
			m[bw] = struct{}{}
		}
	}
	return m
}()

// kkBareMaxBytes is the longest of kkBareWords in bytes.
var kkBareMaxBytes = func() int {
	n := 0
	for w := range kkBareWords {
		n = max(n, len(w))
	}
	return n
}()

// kazakhBareMargin is how much more often (in the lexicon's cost, minus
// the log of a word's share) a spelling with Kazakh letters must be seen
// than the word as typed to replace it: e times, so "ким" (16) becomes "кім"
// (69) in a Kazakh field and "он" (2,135) never becomes "өн".
const kazakhBareMargin = 1.0

// kazakhBareGate is how many Cyrillic words of a field are read for a
// Kazakh word typed bare before the field is given up as not typed so, and
// kazakhBareMaxUnits how far into a field (in runes) words are read:
// comments are what is typed this way.
const (
	kazakhBareGate     = 48
	kazakhBareMaxUnits = 16 << 10
	kazakhBareMinStem  = 4
	// kazakhBareStemCount is how often the lexicon must have seen a stem
	// read under a longer word it does not know.
	kazakhBareStemCount = 10
)

// bareLetter maps each Kazakh letter to the Russian one a Russian keyboard
// types for it.
func bareLetter(r rune) rune {
	switch r {
	case 'ә':
		return 'а'
	case 'ғ':
		return 'г'
	case 'қ':
		return 'к'
	case 'ң':
		return 'н'
	case 'ө':
		return 'о'
	case 'ұ', 'ү':
		return 'у'
	case 'һ':
		return 'х'
	case 'і':
		return 'и'
	}
	return r
}

// bareSpelling is the Kazakh word a bare form stands for, its cost and
// how often the lexicon saw it.
type bareSpelling struct {
	word  string
	cost  float32
	count int
}

// bareIndex maps the bare form of every lexicon word with a Kazakh letter
// to the likeliest such word (about 19,000 forms).
var bareIndex = sync.OnceValue(func() map[string]bareSpelling {
	words, err := ReadLexicon(bytes.NewReader(lexiconGz))
	if err != nil {
		panic("pipeline: embedded lexicon: " + err.Error()) // a build defect, caught by the tests
	}
	costs := wordCosts()
	idx := map[string]bareSpelling{}
	var b []byte
	for _, lw := range words {
		w, c := lw.Word, costs[lw.Word]
		kk := false
		b = b[:0]
		for _, r := range w {
			if isKazakhLetter(r) {
				kk = true
			}
			b = utf8.AppendRune(b, bareLetter(r))
		}
		if !kk {
			continue
		}
		if old, ok := idx[string(b)]; !ok || c < old.cost || c == old.cost && w < old.word {
			idx[string(b)] = bareSpelling{w, c, lw.Count}
		}
	}
	return idx
})

// bareIndexed returns the Kazakh word the bare word w stands for when the
// index has w and the lexicon knows w as typed e times less often or not
// at all (kazakhBareMargin); ok is false otherwise.
func bareIndexed(w string, costs map[string]float32, idx map[string]bareSpelling) (sp bareSpelling, ok bool) {
	sp, ok = idx[w]
	if !ok {
		return sp, false
	}
	typed, known := costs[w]
	return sp, !known || sp.cost+kazakhBareMargin < typed
}

// readBare returns the letters of the bare word w (lower-case Cyrillic, no
// Kazakh letter) with the Kazakh ones restored, or nil when it is not
// Kazakh typed bare.
func readBare(w string, costs map[string]float32, idx map[string]bareSpelling) []rune {
	switch sp, ok := bareIndexed(w, costs, idx); {
	case ok:
		return []rune(sp.word)
	case sp.word != "":
		return nil // indexed, but the lexicon knows it as typed about as often
	}
	if _, known := costs[w]; known {
		return nil // a Russian word, or Kazakh without the nine letters
	}
	rs := []rune(w)
	for n := len(rs) - 1; n >= kazakhBareMinStem && 2*n >= len(rs); n-- {
		sp, ok := idx[string(rs[:n])]
		if !ok || sp.count < kazakhBareStemCount {
			continue // a rare stem: "өлімп" under "олимпиадада"
		}
		out := append([]rune(sp.word), rs[n:]...)
		back := backVowels(out[:n])
		for k := n; k < len(out); k++ {
			switch r := out[k]; {
			case back && r == 'к':
				out[k] = 'қ'
			case back && r == 'г':
				out[k] = 'ғ'
			case !back && (r == 'и' || r == 'ы'):
				out[k] = 'і'
			}
		}
		return out
	}
	return nil
}

// backVowels reports whether the last vowel of stem is a back one.
func backVowels(stem []rune) bool {
	for k := len(stem) - 1; k >= 0; k-- {
		switch stem[k] {
		case 'а', 'о', 'ұ', 'ы', 'у', 'я':
			return true
		case 'ә', 'ө', 'ү', 'і', 'е', 'и', 'э', 'ю':
			return false
		}
	}
	return true
}

// bareWord is a run [i, j) of Cyrillic letters (and deleted units) in the
// units, and its letters read in Kazakh.
type bareWord struct {
	i, j    int
	spelled []rune
}

// cyrillicRun returns the end of the run of Cyrillic letters and deleted
// units that starts at u[i], how many letters it holds, and whether one of
// them is a Kazakh letter.
func cyrillicRun(u []unit, i int) (j, letters int, kk bool) {
	for j = i; j < len(u) && (isCyrillic(u[j].r) || u[j].r == deleted); j++ {
		if u[j].r != deleted {
			letters++
			kk = kk || isKazakhLetter(u[j].r)
		}
	}
	return j, letters, kk
}

// appendLetters appends the letters of units (deleted ones left out).
func appendLetters(dst []byte, units []unit) []byte {
	for _, x := range units {
		if x.r != deleted {
			dst = utf8.AppendRune(dst, x.r)
		}
	}
	return dst
}

// rekazakh is the fifth pass (see above).
func (n *normalizer) rekazakh() {
	u := n.units
	if n.other < 6 || !bareFunctionWord(u) {
		return
	}
	costs, idx := wordCosts(), bareIndex()
	memo := map[string][]rune{}
	read := func(w string) []rune {
		r, ok := memo[w]
		if !ok {
			r = readBare(w, costs, idx)
			memo[w] = r
		}
		return r
	}
	limit := min(len(u), kazakhBareMaxUnits)
	var words []bareWord
	// kazakh counts the words read in Kazakh, function the Kazakh function
	// words typed bare, plain those of them with nothing to restore.
	kazakh, marked, ru, function, plain := 0, 0, 0, 0, 0
	all := 0 // the field's Cyrillic words
	var buf []byte
	for i := 0; i < limit; {
		if !isCyrillic(u[i].r) {
			i++
			continue
		}
		j, _, kk := cyrillicRun(u, i)
		if j < len(u) && isWordRune(u[j].r) {
			for j < len(u) && isWordRune(u[j].r) {
				j++ // glued to digits or Latin letters: not a word typed bare
			}
			i = j
			continue
		}
		buf = appendLetters(buf[:0], u[i:j])
		w := string(buf)
		all++
		switch {
		case kk:
			marked++
		case has(ruWords, w):
			ru++
		case has(kkBareWords, w):
			function++
			if sp := read(w); sp != nil {
				kazakh++
				words = append(words, bareWord{i, j, sp})
			} else {
				plain++ // мен, деп, осы: Kazakh, with none of the nine letters
			}
		case utf8.RuneCountInString(w) >= 2:
			if sp := read(w); sp != nil {
				kazakh++
				words = append(words, bareWord{i, j, sp})
			}
		}
		i = j
	}
	if kazakh == 0 || kazakh+plain < 2 || kazakh+plain <= ru+marked || function == 0 && (ru > 0 || 2*kazakh < all) {
		return
	}
	for _, w := range words {
		k := w.i
		for _, c := range w.spelled {
			for u[k].r == deleted {
				k++
			}
			u[k].r = c
			k++
		}
	}
}

// bareFunctionWord reports whether the first kazakhBareGate Cyrillic
// words of u hold a Kazakh function word typed bare (kkBareWords) and not
// three times as many words with a Kazakh letter, or, with no function
// word and no Kazakh letter, two or more words (a third of them) that the
// index has and the lexicon knows much less as typed (bareIndexed): the
// test every Russian field and every Kazakh one typed with its letters
// fails, without allocating (reading every field word by word took the
// normalizer from 80 to 47 MB/s in BenchmarkNormalizeText; with this test
// alone, 67).
func bareFunctionWord(u []unit) bool {
	var b [64]byte
	var costs map[string]float32
	var idx map[string]bareSpelling
	seen, function, marked, ru, indexed := 0, 0, 0, 0, 0
	// Two passes over the first words: function words, then, only for a
	// field with none and no Kazakh letter or Russian function word
	// either, the index.
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			if function > 0 {
				return marked < 3*function
			}
			if marked > 0 || ru > 0 {
				return false // Kazakh with its letters, or Russian
			}
			costs, idx = wordCosts(), bareIndex()
		}
		seen = 0
		for i := 0; i < len(u) && seen < kazakhBareGate; {
			if !isCyrillic(u[i].r) {
				i++
				continue
			}
			j, letters, kk := cyrillicRun(u, i)
			seen++
			size := 2 * letters // every Cyrillic letter takes two bytes
			if kk && pass == 0 {
				marked++
			}
			if kk || size > len(b) || pass == 0 && size > kkBareMaxBytes {
				i = j
				continue
			}
			w := appendLetters(b[:0], u[i:j])
			i = j
			if pass == 0 {
				if _, ok := kkBareWords[string(w)]; ok {
					function++
				} else if _, ok := ruWords[string(w)]; ok {
					ru++
				}
			} else if _, ok := bareIndexed(string(w), costs, idx); ok {
				indexed++
			}
		}
	}
	// No function word either way: Kazakh words the index knows, whole,
	// two or more and a third of the words.
	return indexed >= 2 && 3*indexed >= seen
}
