package pipeline

import "strings"

// Readers name a terrorist group to condemn it ("ИГИЛ это банда убийц, а
// не ислам", "Даиш қанішерлер, олар мұсылман емес", "ISIS are thugs with a
// flag"): the name is a recruiter's word, but such a sentence recruits no
// one. Condemning finds a short comment that calls the group a gang,
// killers or terrorists, or says it is not Islam, and calls nobody to
// anything (no join, come, write or DM anywhere in it); its words are, like
// reported speech, not read as the writer's own by a flag (Field.Reported).
// One call word anywhere keeps the comment the writer's: "Кафиры называют
// нас террористами. Вступай".

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

// negations before a condemning word undo it ("мы не террористы"), as
// "емес" after one does in Kazakh.
var negations = setOf("не", "not", "no", "никакие", "никакая")

// maxCondemnWords bounds the comments read so: a short reaction; a longer
// text has context enough for the flag to weigh.
const maxCondemnWords = 30

// Condemning reports whether a short comment field (its text and words)
// condemns a group and nothing in it calls anyone; the whole field, not
// the condemning sentence, is then not the writer's call: "Какой ещё
// халифат? Это секта" left without its second sentence is a name alone.
func Condemning(text string, words []Token) bool {
	if len(words) == 0 || len(words) > maxCondemnWords {
		return false
	}
	condemns := false
	for k, w := range words {
		if hasPrefixAny(w.Text, callStems) || hasPrefixAny(w.Text, attributeStems) {
			return false
		}
		condemns = condemns || hasPrefixAny(w.Text, condemnStems) &&
			!(k > 0 && has(negations, words[k-1].Text)) && !(k+1 < len(words) && words[k+1].Text == "емес")
	}
	if condemns {
		return true
	}
	for _, p := range condemnPhrases {
		if strings.Contains(text, p) {
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
