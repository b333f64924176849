package pipeline

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

// Word tokens. The project meant to use prose's word tokenizer
// (github.com/jdkato/prose/v2); it is not used because, measured on
// testdata/corpus (BenchmarkWordsProse against BenchmarkWords), it
//
//   - returns tokens without offsets, and rewrites quotes before splitting
//     (“ ” ‘ ’ become ASCII), so spans into the text cannot be recovered;
//   - splits on white space and peels off only ASCII punctuation: «Активная
//     stays one token with its guillemet, as do words glued to – and —;
//   - splits English clitics (don't → do n't), which Russian and Kazakh
//     never need, and runs a regular expression on every token;
//   - is 14× slower than this tokenizer on the corpus (12.7 against 180
//     MB/s, one core) and makes 100 times as many allocations (a pointer per
//     token).
//
// Words follows the same idea (split at white space and punctuation, keep
// words with inner hyphens and apostrophes whole) with Unicode classes, so
// Cyrillic, Kazakh letters (ә ғ қ ң ө ұ ү һ і) and any other script work.

// decodeRune decodes the rune at text[i], with the one- and two-byte
// cases (ASCII, Cyrillic) inline: utf8's general path was a tenth of the
// tokenizer's time.
func decodeRune(text string, i int) (rune, int) {
	c := text[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if c >= 0xc2 && c < 0xe0 && i+1 < len(text) && text[i+1]&0xc0 == 0x80 {
		return rune(c&0x1f)<<6 | rune(text[i+1]&0x3f), 2
	}
	return utf8.DecodeRuneInString(text[i:])
}

// isLetterOrDigit reports whether r can be part of a word token.
func isLetterOrDigit(r rune) bool {
	if r < utf8.RuneSelf {
		return ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
	}
	if r >= 0x400 && r <= 0x4ff {
		return r < 0x482 || r > 0x489 // Cyrillic letters, not its signs
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// isInnerJoiner reports whether r joins two word parts when it stands
// between them: hyphens ("интернет-пропаганда", "из-за") and apostrophes
// ("д'артаньян", "don't").
func isInnerJoiner(r rune) bool { return isHyphen(r) || isApostrophe(r) }

// isHyphen reports whether r is a hyphen: ASCII's or Unicode's (hyphen,
// non-breaking hyphen).
func isHyphen(r rune) bool { return r == '-' || r == '\u2010' || r == '\u2011' }

// isApostrophe reports whether r is an apostrophe: ASCII's, the right
// single quotation mark phones type, or the modifier letter.
func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' || r == '\u02bc' }

// Words splits text into word tokens with their byte spans in text. A word
// is a run of letters, digits and combining marks; a hyphen or apostrophe
// between two such runs joins them, and so does a dot or comma between two
// digits ("3.14", "1,5"). Punctuation, guillemets, dashes and symbols are
// not words. Words is safe for concurrent use and never fails.
func Words(text string) []Token {
	// About one word per space: counting them (a vectorized byte count)
	// costs less than growing the slice, and over-allocating by len/8
	// doubled the tokenizer's memory.
	toks := make([]Token, 0, strings.Count(text, " ")+strings.Count(text, "\n")+1)
	start := -1
	for i := 0; i < len(text); {
		r, w := decodeRune(text, i)
		if isLetterOrDigit(r) {
			if start < 0 {
				start = i
			}
			i += w
			continue
		}
		if start >= 0 && i+w < len(text) {
			// A joiner between two word runes keeps the word going.
			next, _ := utf8.DecodeRuneInString(text[i+w:])
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			if isLetterOrDigit(next) && (isInnerJoiner(r) ||
				((r == '.' || r == ',') && isDigitRune(prev) && isDigitRune(next))) {
				i += w
				continue
			}
		}
		if start >= 0 {
			toks = append(toks, Token{Text: text[start:i], Start: start, End: i})
			start = -1
		}
		i += w
	}
	if start >= 0 {
		toks = append(toks, Token{Text: text[start:], Start: start, End: len(text)})
	}
	return toks
}

// abbreviations are words that, followed by a dot, do not end a sentence:
// Russian and Kazakh abbreviations common in news text (lower case, as in
// normalized text). Single letters (initials: «В. В. Путин», «т.е.») are
// handled apart.
var abbreviations = setOf(
	"г", "гг", "ул", "им", "стр", "см", "напр", "тыс", "млн", "млрд", "трлн",
	"руб", "долл", "проф", "акад", "ген", "св", "обл", "ср", "рис", "табл",
	"гл", "пр", "просп", "пер", "д", "кв", "корп", "тел", "доц", "канд",
	"зам", "зав", "нач", "ред", "изд", "вып", "ст", "п", "пп", "ч", "чел",
	"мин", "сек", "коп", "тг", "mr", "mrs", "dr", "vs", "etc", "no", "jan",
	"feb", "aug", "sept", "oct", "nov", "dec", "inc", "ltd", "жж", "көш", "респ",
)

// sentenceEnders after an abbreviation's dot still end the sentence:
// «и т.д.», «и т.п.», «и др.».
var sentenceEnders = setOf("т.д", "т.п", "др", "т.б")

func isClosing(r rune) bool {
	switch r {
	case '»', '"', '\'', ')', ']', '”', '’', '›':
		return true
	}
	return false
}

// Sentences splits text into sentence spans (byte offsets in text, white
// space trimmed). A sentence ends at a line break, or at '.', '!', '?' or
// '…' (with the closing quotes and brackets after it) followed by white
// space or the end of text, unless the dot ends an abbreviation («г.»,
// «млн.», «т.е.») or an initial («В. В. Путин»). It reads normalized (lower
// case) text, so it cannot rely on capital letters. Sentences is safe for
// concurrent use and never fails.
func Sentences(text string) []Span {
	var out []Span
	start := -1
	emit := func(end int) {
		if start >= 0 && end > start {
			out = append(out, Span{start, end})
		}
		start = -1
	}
	for i := 0; i < len(text); {
		if c := text[i]; c >= 0xc3 && c < 0xe0 {
			// Two-byte runes from U+00C0 on (Cyrillic, Latin-1 letters)
			// are neither space nor terminators: skip without decoding.
			if start < 0 {
				start = i
			}
			i += 2
			continue
		}
		r, w := decodeRune(text, i)
		switch {
		case r == '\n' || r == '\r' || r == '\u2029':
			emit(trimRightSpace(text, i))
			i += w
			continue
		case unicode.IsSpace(r):
			i += w
			continue
		}
		if start < 0 {
			start = i
		}
		if r != '.' && r != '!' && r != '?' && r != '…' {
			i += w
			continue
		}
		// A run of terminators and closing marks.
		j := i + w
		for j < len(text) {
			q, qw := utf8.DecodeRuneInString(text[j:])
			if q != '.' && q != '!' && q != '?' && q != '…' && !isClosing(q) {
				break
			}
			j += qw
		}
		if j < len(text) {
			q, _ := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsSpace(q) {
				i = j // "3.14", "ulysmedia.kz", "т.е" inside a word
				continue
			}
		}
		if r == '.' && j == i+1 && !endsSentence(text[start:i]) {
			i = j
			continue
		}
		emit(j)
		i = j
	}
	emit(trimRightSpace(text, len(text)))
	return out
}

// endsSentence reports whether a dot after s (the sentence so far) ends
// the sentence, looking at the word right before the dot.
func endsSentence(s string) bool {
	k := len(s)
	for k > 0 {
		r, w := utf8.DecodeLastRuneInString(s[:k])
		if !isLetterOrDigit(r) && r != '.' {
			break
		}
		k -= w
	}
	word := s[k:]
	if word == "" {
		return true
	}
	if _, ok := sentenceEnders[word]; ok {
		return true
	}
	// the last dot-separated part: "т.е" → "е"
	last := word
	for i := len(word) - 1; i >= 0; i-- {
		if word[i] == '.' {
			last = word[i+1:]
			break
		}
	}
	if utf8.RuneCountInString(last) == 1 {
		r, _ := utf8.DecodeRuneInString(last)
		return !unicode.IsLetter(r) // an initial, or the last letter of "т.е"
	}
	if _, ok := abbreviations[last]; ok {
		return false
	}
	return true
}

func trimRightSpace(text string, end int) int {
	for end > 0 {
		r, w := utf8.DecodeLastRuneInString(text[:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= w
	}
	return end
}

// TokenizeStage fills the Words, Sentences and Reported spans of every field.
type TokenizeStage struct{}

var _ Stage = (*TokenizeStage)(nil)

// Name implements Stage.
func (*TokenizeStage) Name() string { return "tokenize" }

// Process implements Stage. It fails only when ctx ends (checked between
// fields): EUNAVAILABLE.
func (*TokenizeStage) Process(ctx context.Context, it *Item) error {
	for i := range it.Fields {
		if err := Interrupted(ctx); err != nil {
			return err
		}
		f := &it.Fields[i]
		f.Words = Words(f.Text)
		f.Sentences = Sentences(f.Text)
		f.Reported = ReportedSpeech(f.Text, f.Words)
		if it.Doc.Kind == vigil.KindComment && NotWritersCall(f.Text, f.Words) {
			f.Reported = append(f.Reported, Span{0, len(f.Text)})
		}
	}
	return nil
}
