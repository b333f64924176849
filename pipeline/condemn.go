package pipeline

import "strings"

// Readers name a terrorist group to condemn it ("ИГИЛ это банда убийц, а
// не ислам", "Даиш қанішерлер, олар мұсылман емес", "ISIS are thugs with a
// flag"): the name is a recruiter's word, but such a sentence recruits no
// one. CondemningSentences finds the sentences of a field that call the
// group a gang, killers or terrorists, or say it is not Islam, in a field
// that calls nobody to anything (no join, come, write or DM anywhere in
// it); their words are, like reported speech, not read as the writer's own
// by a flag (Field.Reported). One call word anywhere in the field keeps
// every sentence: "Кафиры называют нас террористами. Вступай" is read whole.

// condemnStems begin the words that condemn (lower case, ё as е).
var condemnStems = []string{
	"бандит", "банда", "банды", "бандой", "банду", "убийц", "террорист", "преступник", "палач",
	"секта", "сектант", "нелюд", "уроды", "мразь", "отморозк", "живодер",
	"бандылар", "қанішер", "канишер", "лаңкес", "ланкес", "содыр",
	"thug", "terrorist", "murderer", "killer", "criminal", "butcher",
}

// condemnPhrases say a group is not of the faith.
var condemnPhrases = []string{
	"не мусульман", "не ислам", "к исламу отношения", "мұсылман емес", "мусылман емес",
	"исламға қатысы жоқ", "исламга катысы жок", "not muslim", "not islam", "nothing to do with islam",
}

// callStems begin the words that call the reader to act or to get in
// touch; a field holding one is read whole.
var callStems = []string{
	"вступ", "присоедин", "приезжа", "приезж", "поехали", "езжай", "переезжа", "пиши", "напиши",
	"звони", "вставай", "решайся", "лс", "личк", "директ", "телег", "ждут", "ждем",
	"қосыл", "косыл", "келің", "келин", "жаз", "хабарлас", "күтеді", "кутеди",
	"связат", "свяжу", "ищи", "ищите", "станов", "звонок", "открыт",
	"join", "come", "write", "dm", "message", "pm", "contact", "telegram", "whatsapp", "waiting", "part",
	"есік", "ашық",
}

// attributeStems begin the words that give a condemnation to someone
// else ("вы называете их бандитами", "they call us terrorists", "шейіт
// емес, қанішер дейсіңдер"): recruiters answer their critics so.
var attributeStems = []string{"называ", "назвал", "пишете", "считаете", "дейсің", "дейсіз", "call", "say"}

// negations before a condemning word undo it ("мы не террористы").
var negations = []string{"не", "not", "no", "никакие", "никакая"}

// maxCondemnWords bounds the comments read so: a short reaction; a longer
// text has context enough for the flag to weigh.
const maxCondemnWords = 30

// CondemningSentences returns the whole of a short comment's field (its
// text, words and sentence spans) when one of its sentences condemns a
// group and nothing in it calls anyone; nil otherwise. The whole field,
// not the sentence: "Какой ещё халифат? Это секта" left without its second
// sentence is a name alone.
func CondemningSentences(text string, words []Token, sentences []Span) []Span {
	if len(words) == 0 || len(words) > maxCondemnWords {
		return nil
	}
	for _, w := range words {
		if hasPrefixAny(w.Text, callStems) || hasPrefixAny(w.Text, attributeStems) {
			return nil
		}
	}
	k := 0
	for _, s := range sentences {
		condemns := false
		for ; k < len(words) && words[k].Start < s.End; k++ {
			if words[k].Start >= s.Start && hasPrefixAny(words[k].Text, condemnStems) &&
				!(k > 0 && isNegation(words[k-1].Text)) && !(k+1 < len(words) && words[k+1].Text == "емес") {
				condemns = true
			}
		}
		if !condemns {
			for _, p := range condemnPhrases {
				if strings.Contains(text[s.Start:s.End], p) {
					condemns = true
					break
				}
			}
		}
		if condemns {
			return []Span{{0, len(text)}}
		}
	}
	return nil
}

func isNegation(w string) bool {
	for _, n := range negations {
		if w == n {
			return true
		}
	}
	return false
}

func hasPrefixAny(w string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}
