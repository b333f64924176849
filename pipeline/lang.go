package pipeline

import (
	"unicode"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

// Language detection for the three languages Vigil reads. The model is
// small enough to read:
//
//   - script: text with three times more Latin than Cyrillic letters is
//     English (Vigil knows no other Latin-script language);
//   - Kazakh adds nine letters to the Russian alphabet (ә ғ қ ң ө ұ ү һ і):
//     every word carrying one is a vote for Kazakh;
//   - the most frequent function words of each language (и, в, не, что…;
//     және, мен, бұл, үшін…) vote for theirs, and letters Kazakh uses only in
//     loanwords (щ, ъ, э, ь, ё) vote for Russian.
//
// A library such as lingua-go restricted to these languages is as accurate
// on this task but adds about 130 MB to the binary; this model is a few
// hundred bytes of tables. Its accuracy on the SIB-200 sentences is measured
// by TestDetectLangSIB200 (see the README).

// ruWords are frequent Russian words that are not Kazakh words.
var ruWords = setOf(
	"и", "в", "не", "на", "что", "с", "по", "это", "как", "для", "из", "к", "у",
	"о", "от", "а", "но", "за", "же", "то", "все", "так", "его", "был", "была",
	"было", "были", "при", "или", "уже", "также", "она", "они", "мы", "вы", "до",
	"после", "который", "которые", "которая", "чтобы", "может", "более", "если",
	"только", "году", "года", "между", "через", "во", "со", "об", "их", "ее",
	"он", "бы", "ли", "этого", "этом", "этой", "эти", "этот", "такие", "также",
	"где", "когда", "тем", "чем", "его", "них", "нет", "есть", "будет", "очень",
	"под", "над", "около", "без", "лет", "время", "сейчас", "ещё", "еще",
)

// kkWords are frequent Kazakh words that are not Russian words.
var kkWords = setOf(
	"және", "мен", "бен", "пен", "бұл", "үшін", "деп", "ол", "осы", "сол",
	"оның", "туралы", "бойынша", "жылы", "болып", "болды", "емес", "керек",
	"еді", "екен", "біз", "сіз", "олар", "кейін", "дейін", "арқылы", "қарай",
	"сияқты", "ретінде", "тек", "әр", "барлық", "көп", "жаңа", "ең", "жыл",
	"тиіс", "бар", "жоқ", "бір", "де", "ма", "ме", "ба",
	"бе", "па", "пе", "содан", "мұнда", "онда", "ішінде", "кезде", "бірақ",
	"немесе", "және", "еш", "бола", "болады", "жылдың", "жылғы", "шейін",
	"оны", "оған", "одан", "олардың", "біздің", "сіздің", "менің",
)

func setOf(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

// has reports whether set (made by setOf) holds w.
func has(set map[string]struct{}, w string) bool {
	_, ok := set[w]
	return ok
}

// maxDetectBytes bounds the text DetectLang reads: the first 16 KB of a
// long article settle its language as well as the whole would.
const maxDetectBytes = 16 << 10

// DetectLang returns the language of text: vigil.LangRussian,
// vigil.LangKazakh or vigil.LangEnglish. Text with no letters at all is
// taken as Russian, the language most of Vigil's input is in. It reads
// normalized or raw text alike and is safe for concurrent use.
func DetectLang(text string) string {
	return detectLang(text)
}

// detectLang is DetectLang over several texts read as one (a title and a
// body).
func detectLang(texts ...string) string { return detectLangIn(maxDetectBytes, texts...) }

// checkLangBytes bounds the text read to check a language the document
// gave (Item.Detected): a comment is read whole, an article by its start.
// At 165 MB/s (BenchmarkDetectLang) that is at most 25 µs a document;
// BenchmarkPipeline on the corpus, whose every document gives its
// language, moved within its run-to-run spread (2026-12-06).
const checkLangBytes = 4 << 10

// detectLangIn is detectLang reading at most budget bytes.
func detectLangIn(budget int, texts ...string) string {
	var (
		latin, cyr int
		kk, ru     int
		word       [64]byte
	)
	for _, text := range texts {
		if budget <= 0 {
			break
		}
		if len(text) > budget {
			text = text[:budget] // a rune cut in two reads as one bad rune
		}
		budget -= len(text)
		wl := 0         // length of the word in word, 0 when none
		long := false   // the word overflowed the buffer
		kkWord := false // the word has a Kazakh letter
		ruWord := false // the word has a letter Kazakh uses in loanwords only
		flush := func() {
			if wl > 0 && wl <= 16 && !long { // function words are short
				w := string(word[:wl]) // does not allocate for the map lookup
				if _, ok := kkWords[w]; ok {
					kk += 2
				} else if _, ok := ruWords[w]; ok {
					ru += 2
				}
			}
			if kkWord {
				kk += 3
			}
			if ruWord {
				ru++
			}
			wl, long, kkWord, ruWord = 0, false, false, false
		}
		for i := 0; i < len(text); {
			r, w := rune(text[i]), 1
			if c := text[i]; c >= 0xc2 && c < 0xe0 && i+1 < len(text) && text[i+1]&0xc0 == 0x80 {
				r, w = rune(c&0x1f)<<6|rune(text[i+1]&0x3f), 2 // Cyrillic, fast
			} else if r >= utf8.RuneSelf {
				r, w = utf8.DecodeRuneInString(text[i:])
			}
			i += w
			switch {
			case r < utf8.RuneSelf:
				if 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' {
					latin++
				} else {
					flush()
					continue
				}
			case r >= 0x400 && r <= 0x4ff:
				cyr++
				switch {
				case r >= 0x410 && r <= 0x42f:
					r += 0x20
				case r < 0x410:
					r += 0x50
				case r >= 0x460:
					r = unicode.ToLower(r)
				}
				switch {
				case isKazakhLetter(r):
					kkWord = true
				case r == 'щ' || r == 'ъ' || r == 'э' || r == 'ь' || r == 'ё':
					ruWord = true
				}
			case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
				r = unicode.ToLower(r)
			default:
				flush()
				continue
			}
			if wl+utf8.RuneLen(r) <= len(word) {
				wl += utf8.EncodeRune(word[wl:], r)
			} else {
				long = true
			}
		}
		flush()
	}
	switch {
	case latin > 3*cyr:
		// Russian and Kazakh news quote Latin brand names ("Samsung
		// высмеяла Apple"); English text hardly ever carries Cyrillic.
		return vigil.LangEnglish
	case kk > ru:
		return vigil.LangKazakh
	default:
		return vigil.LangRussian
	}
}
