package pipeline

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Readers quote recruiters to warn each other: «они пишут "брат, приезжай
// в Шам, всё оплачено" — не верьте», «'Шамға кел, бәрі тегін' деп жазады».
// The words inside such a quote are the recruiter's, not the reader's, and
// a flag about what the reader does (recruit) should not read them as his.
// ReportedSpeech finds them: a span of the text between quotation marks
// (« », „ “, “ ”, " ", ‘ ’, ' ') of three or more words, next to a verb of
// saying outside it (пишут, прислали, говорил, мол; деп, дейді, деген;
// write, told, said), within reportWindow words before or after; or a quote
// that opens the text and is answered after a dash (retort). A quote
// attributed to scripture, the Prophet or a sheikh (пророк, хадис, аят,
// шейх, пайғамбар, hadith), or followed by its source ("— Muslim.", "—
// 2:190."), is not reported speech: a writer who quotes it speaks in its
// voice. A word in quotes alone ("джамаат", "работа") is irony, not a
// report, and stays.

// reportWindow is how many words before a quote or after it are looked at
// for a verb of saying.
const reportWindow = 6

// maxQuoteBytes bounds a quote: a reported message is a sentence or
// three, not the rest of an article after a stray mark.
const maxQuoteBytes = 1000

// minQuotedWords is how many words a quote needs to be reported speech.
const minQuotedWords = 3

// sayWords are verbs and nouns of reported speech, as the normalizer
// leaves them (lower case, ё as е): forms that report what someone else
// wrote or said, not calls ("пиши" is a call; "пишут" reports).
var sayWords = setOf(
	// ru
	"пишут", "пишет", "писали", "писал", "писала", "написали", "написал", "написала", "написано",
	"прислали", "прислал", "прислала", "присылают", "присылали", "пришло", "пришла", "пришел",
	"предлагают", "предлагали", "предлагал", "предлагала", "обещают", "обещали", "обещал", "обещала",
	"говорят", "говорили", "говорил", "говорила", "говорит", "сказали", "сказал", "сказала",
	"зовут", "звали", "звал", "агитируют", "агитировали", "вербуют", "вербовали", "уговаривают",
	"уговаривали", "уговаривал", "рассказывают", "рассказывали", "рассказывал", "рассказывала",
	"мол", "якобы", "слышал", "слышала", "сообщение", "сообщения", "смс", "фраза", "фразу", "лозунг",
	"было", "цитата", "цитирую", "типа", "скидывали", "скинули", "скинул", "кидают", "кидали",
	// a message called spam is someone else's ("Директке спам: «…»")
	"спам", "спамят", "спамили", "spam", "spammed",
	// who is quoted, before a colon or a dash: вербовщик: «…»
	"вербовщик", "вербовщики", "вербовщика", "вербовщиков", "вербовщиктер", "вербовщиктің",
	"recruiter", "recruiters",
	// kk
	"деп", "дейді", "деген", "дейтін", "деді", "депті", "жазыпты", "жазады", "жазған",
	"жазды", "жазып", "жазатын", "айтады", "айтты", "айтқан", "айтып", "айтатын", "хат", "хабарлама",
	"ұсынады", "ұсынған", "уәде",
	// en
	"write", "writes", "wrote", "written", "say", "says", "said", "saying", "tell", "tells", "told",
	"message", "messaged", "messages", "text", "texted", "sent", "got", "posted", "claim", "claims",
	"claimed", "promise", "promises", "promised", "quote",
)

// sacredWords name scripture, the Prophet and religious authorities: a
// quote attributed to them is not a reader reporting someone else.
var sacredWords = setOf(
	"пророк", "пророка", "посланник", "посланника", "хадис", "хадисе", "хадисом", "хадисы", "аят",
	"аяте", "сура", "суре", "коран", "коране", "корана", "сказано", "сунна", "сунне",
	"пайғамбар", "пайғамбардың", "пайғамбарымыз", "хадисте", "хадисі", "аяты", "құран", "құранда",
	"prophet", "hadith", "quran", "koran", "verse", "ayah", "messenger", "sunnah",
	// a sheikh or scholar quoted is an authority the writer speaks for
	"шейх", "шейха", "шейхи", "шейхов", "шейхтің", "шейхтер", "ғалым", "sheikh", "sheikhs", "scholar", "scholars",
)

// ReportedSpeech returns the spans of text (normalized, with its words)
// that are reported speech (see above), in order; nil when there are none.
// It reads each quotation mark a constant number of times (quoteMarksOf),
// so a field of unclosed marks costs no more than one of words.
func ReportedSpeech(text string, words []Token) []Span {
	marks := quoteMarksOf(text)
	if len(marks) == 0 {
		return nil
	}
	// next[f][m] is the first mark at or after m that closes family f;
	// nl[m] the position of the first line break at or after mark m.
	var next [closeFamilies][]int32
	for f := range next {
		next[f] = make([]int32, len(marks)+1)
		next[f][len(marks)] = -1
	}
	nl := make([]int, len(marks)+1)
	nl[len(marks)] = len(text)
	for m := len(marks) - 1; m >= 0; m-- {
		nl[m] = nl[m+1]
		if marks[m].r == '\n' {
			nl[m] = marks[m].pos
		}
		for f := range next {
			next[f][m] = next[f][m+1]
			if marks[m].closes && closesFamily(marks[m].r, f) {
				next[f][m] = int32(m)
			}
		}
	}
	var out []Span
	after := 0 // the end of the last quote read
	for m, k := range marks {
		f := familyOf(k.r)
		if f < 0 || k.pos < after || !opensAt(text, k.pos) {
			continue
		}
		c := next[f][m+1]
		if c < 0 {
			continue
		}
		end := marks[c].pos + marks[c].size
		if marks[c].pos >= nl[m] || marks[c].pos > k.pos+maxQuoteBytes || marks[c].pos == k.pos+k.size {
			continue
		}
		q := Span{k.pos, end}
		if first, last := quotedWords(q, words); last-first >= minQuotedWords &&
			(reported(first, last, words) || retort(text, q, words)) {
			out = append(out, q)
		}
		after = end
	}
	return out
}

// quoteMark is a quotation mark or a line break of a text: its byte
// position and size, and whether it may close a quote (no letter or digit
// follows it).
type quoteMark struct {
	pos, size int
	r         rune
	closes    bool
}

// quoteMarksOf returns the quotation marks (« » „ “ ” " ‘ ’ ') and line
// breaks of text, in order. It reads bytes, decoding only at a mark's
// first byte: a rune-by-rune scan of every field was a tenth of the
// tokenize stage.
func quoteMarksOf(text string) []quoteMark {
	var marks []quoteMark
	quotes := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"', '\'', '\n', 0xc2, 0xe2:
		default:
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '"', '\'', '\n', '«', '»', '„', '“', '”', '‘', '’':
		default:
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[i+size:])
		closes := i+size == len(text) || !unicode.IsLetter(next) && !unicode.IsDigit(next)
		marks = append(marks, quoteMark{i, size, r, closes})
		if r != '\n' {
			quotes++
		}
		i += size - 1
	}
	if quotes == 0 {
		return nil // line breaks only
	}
	return marks
}

// The families of closing marks: what closes « (»), „ (“ ” "), “ (” "),
// " (" ”), and ‘ or ' (’ ').
const (
	closeGuillemet = iota
	closeLow
	closeDouble
	closeSingle
	closeFamilies
)

// familyOf returns the family of marks that close a quote opened by r, or
// -1 when r opens none.
func familyOf(r rune) int {
	switch r {
	case '«':
		return closeGuillemet
	case '„':
		return closeLow
	case '“', '"':
		return closeDouble
	case '‘', '\'':
		return closeSingle
	}
	return -1
}

// closesFamily reports whether r closes quotes of family f.
func closesFamily(r rune, f int) bool {
	switch f {
	case closeGuillemet:
		return r == '»'
	case closeLow:
		return r == '“' || r == '”' || r == '"'
	case closeDouble:
		return r == '”' || r == '"'
	case closeSingle:
		return r == '’' || r == '\''
	}
	return false
}

// opensAt reports whether a quote mark at text[i] may open a quote: it
// stands at the start or after a rune that is not a letter or digit (so an
// apostrophe inside brat'ya is not one).
func opensAt(text string, i int) bool {
	if i == 0 {
		return true
	}
	p, _ := utf8.DecodeLastRuneInString(text[:i])
	return !unicode.IsLetter(p) && !unicode.IsDigit(p)
}

// reported reports whether a verb of saying stands within reportWindow
// words of the quoted words [first, last), outside them, with no word of
// scripture there.
func reported(first, last int, words []Token) bool {
	say := false
	for k := max(0, first-reportWindow); k < min(len(words), last+reportWindow); k++ {
		if k >= first && k < last {
			continue
		}
		w := words[k].Text
		if has(sacredWords, w) {
			return false
		}
		say = say || has(sayWords, w)
	}
	return say
}

// quotedWords returns the words [first, last) inside q (words are in
// order, so a binary search finds the first: a long article quotes often).
func quotedWords(q Span, words []Token) (first, last int) {
	first = sort.Search(len(words), func(k int) bool { return words[k].Start >= q.Start })
	last = first
	for last < len(words) && words[last].End <= q.End {
		last++
	}
	return first, last
}

// WithoutReported returns fields whose Words leave out the words inside
// their Reported spans; fields without such spans are returned as they
// are, and fields is not modified.
func WithoutReported(fields []Field) []Field {
	var out []Field
	for fi := range fields {
		f := &fields[fi]
		if len(f.Reported) == 0 {
			continue
		}
		if out == nil {
			out = slices.Clone(fields)
		}
		kept := make([]Token, 0, len(f.Words))
		for _, w := range f.Words {
			if !f.InReported(w.Start, w.End) {
				kept = append(kept, w)
			}
		}
		out[fi].Words = kept
	}
	if out == nil {
		return fields
	}
	return out
}

// InReported reports whether the span [start, end) of f.Text lies inside
// reported speech (Reported).
func (f *Field) InReported(start, end int) bool {
	for _, s := range f.Reported {
		if start >= s.Start && end <= s.End {
			return true
		}
	}
	return false
}

// retort reports whether the quote q (of minQuotedWords words or more)
// opens the text and a dash follows it:
// «"брат, приезжай в Шам" — брат, я до Шымкента доехать не могу»,
// a reader answering the words he quotes; or a laugh does (laughs):
// «"Дай байат и всё простится" 😂 звучит как реклама кредита».
func retort(text string, q Span, words []Token) bool {
	if strings.TrimSpace(text[:q.Start]) != "" {
		return false
	}
	rest := strings.TrimLeft(text[q.End:], " ")
	if laughs(rest) {
		return true
	}
	if !strings.HasPrefix(rest, "—") && !strings.HasPrefix(rest, "–") && !strings.HasPrefix(rest, "- ") {
		return false
	}
	// What follows the dash must be a reply, not a source: "— Muslim.",
	// "— 2:190." cite the quote and speak in its voice.
	after := q.End + len(text[q.End:]) - len(rest)
	end := len(text)
	if k := strings.IndexAny(text[after:], ".!?\n"); k >= 0 {
		end = after + k
	}
	lettered := 0
	for k := sort.Search(len(words), func(k int) bool { return words[k].Start >= after }); k < len(words); k++ {
		w := words[k]
		if w.Start >= end {
			break
		}
		if has(sacredWords, w.Text) {
			return false
		}
		if strings.IndexFunc(w.Text, unicode.IsLetter) >= 0 {
			lettered++
		}
	}
	return lettered >= 2
}

// laughWords open a reader's laugh at what he quoted, as the normalizer
// writes them.
var laughWords = setOf("lol", "lmao", "haha", "hahaha", "ахах", "ахаха", "ахахах", "хаха", "хахаха", "хахах", "кек", "күлкі")

// laughEmoji are the emoji that laugh (or smirk) at a quote.
var laughEmoji = []string{"😂", "🤣", "😆", "😅", "😁", "🙃", "🤡"}

// laughs reports whether rest (the text after a quote) begins with a
// laugh: a laughing emoji or a word of laughter. A recruiter does not laugh
// at the words he offers.
func laughs(rest string) bool {
	for _, e := range laughEmoji {
		if strings.HasPrefix(rest, e) {
			return true
		}
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(rest)
	}
	return end > 0 && has(laughWords, rest[:end])
}
