package pipeline

import (
	"strings"
	"unicode/utf8"
)

// KazakhSuffixes are Kazakh case, possessive and plural endings, longest
// first. Kazakh morphology is agglutinative: stem + plural + possessive +
// case, with vowel harmony and consonant assimilation giving each ending
// several shapes. The rules' Kazakh matcher and the classifier's stems
// (KazakhStem) share them.
var KazakhSuffixes = func() []string {
	s := strings.Fields(`
		лардағы лердегі дардағы дердегі тардағы тердегі
		лардың лердің дардың дердің тардың тердің ндағы ндегі
		дағы дегі тағы тегі
		ларға лерге дарға дерге тарға терге ларда лерде дарда дерде тарда терде
		лардан лерден дардан дерден тардан терден ларды лерді дарды дерді тарды терді
		ымыз іміз ыңыз іңіз мыз міз ңыз ңіз
		нан нен дан ден тан тен нда нде ның нің дың дің тың тің мен бен пен
		лар лер дар дер тар тер ның нің
		ға ге қа ке на не да де та те ды ді ты ті ны ні сы сі ым ім ың ің
		а е ы і н м ң`)
	// longest first so that "ларға" wins over "ға"
	out := make([]string, 0, len(s))
	for n := 7; n >= 1; n-- {
		for _, x := range s {
			if utf8.RuneCountInString(x) == n {
				out = append(out, x)
			}
		}
	}
	return out
}()

// KazakhUnvoice turns a final б, г, ғ back into п, к, қ (кітаб- → кітап).
func KazakhUnvoice(w string) string {
	r, size := utf8.DecodeLastRuneInString(w)
	switch r {
	case 'б':
		return w[:len(w)-size] + "п"
	case 'г':
		return w[:len(w)-size] + "к"
	case 'ғ':
		return w[:len(w)-size] + "қ"
	}
	return w
}

// kazakhMinStem is the shortest stem KazakhStem strips down to, in letters.
const kazakhMinStem = 3

// KazakhStem strips up to four inflectional endings from a normalized
// Kazakh word, longest first, keeping at least three letters (a one-letter ending only at the
// very end), and undoes
// the voicing of the final consonant: соғыстағы → соғыс, әкімдері → әкім,
// кітабы → кітап. A word that carries no Kazakh letter (ә ғ қ ң ө ұ ү һ і)
// is returned as it is: Russian words are not Kazakh-stemmed. It is a
// light stemmer, for features and matching; it does not know the lexicon.
func KazakhStem(w string) string {
	if !strings.ContainsFunc(w, isKazakhLetter) {
		return w
	}
	return KazakhStemAny(w)
}

// KazakhStemAny is KazakhStem for any word, with Kazakh letters or not
// (сайлауда → сайлау): for a caller that knows the word is Kazakh, or that
// only looks the stem up among Kazakh ones.
func KazakhStemAny(w string) string {
	n := utf8.RuneCountInString(w)
	stripped := false
	for step := range 4 {
		cut := false
		for _, suf := range KazakhSuffixes {
			if strings.HasSuffix(w, suf) {
				k := utf8.RuneCountInString(suf)
				// a one-letter ending (a possessive or a vowel) only ends
				// the word: inside, its letter belongs to the stem
				if n-k < kazakhMinStem || (k == 1 && step > 0) {
					continue
				}
				w, n, cut, stripped = w[:len(w)-len(suf)], n-k, true, true
				break
			}
		}
		if !cut {
			break
		}
	}
	if stripped {
		w = KazakhUnvoice(w)
	}
	return w
}
