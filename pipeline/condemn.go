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

// maxCondemnWords bounds the comments read as condemning or mourning: a
// short reaction; a longer text has context enough for the flag to weigh.
const maxCondemnWords = 30

// Condemning reports whether a short comment field (its text and words)
// condemns a group and nothing in it calls anyone; the whole field, not
// the condemning sentence, is then not the writer's call: "Какой ещё
// халифат? Это секта" left without its second sentence is a name alone.
func Condemning(text string, words []Token) bool {
	if !shortField(words) {
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
	return condemns || containsAny(text, condemnPhrases)
}

// Readers mourn the dead of a war in the words of their faith, and call
// the killed shahids ("Пусть погибшие дети Газы будут шахидами в раю,
// иншаАллах", "Алла рақымына алсын, шейіттердің жаны жәннатта болсын"):
// the martyr's words of a recruiter, but said of the dead to no one, such a
// comment recruits no one. Mourning finds a short comment that prays for
// the dead or grieves, calls nobody to anything, hails no reader and
// speaks to no one in the second person singular; like a condemnation it
// is then not read as the writer's call. Martyrdom held out to the reader stays the writer's:
// "Брат стал шахидом, да примет его Аллах. Рай ждет и тебя".

// mournStems begin the words of grief and of the dead, and mournWords are
// such words whole: a stem as short as жертв or қаза would begin жертвуй
// (a call) and қазақ.
var mournStems = []string{"погибш", "соболезн", "скорб", "упокой", "покойтесь", "condolence", "mourn"}

var mournWords = setOf("погиб", "погибла", "погибли", "убитых", "убитые", "жертвы", "жертв", "жертвам", "жертвами",
	"victims", "killed", "rip")

// mournPhrases pray for the dead.
var mournPhrases = []string{
	"да примет", "аллах примет", "пусть аллах примет", "царствие небесное", "земля пухом",
	"светлая память", "вечная память", "рахмет етсин", "рахмет етсін", "рақым етсін", "рақымына алсын",
	"рахымына алсын", "жаны жәннатта", "жаны жаннатта", "жатқан жері жайлы", "жаткан жери жайлы",
	"жаткан жерлери жайлы", "жатқан жерлері жайлы", "топырағы торқа", "топырагы торка", "иманды болсын",
	"қайғыңызға ортақ", "кайгыныз", "көңіл айт", "конил айт", "қаза болған", "қаза болды", "қаза тапқан", "қаза тапты", "мерт болған",
	"мерт болды", "каза болган", "каза болды", "каза тапкан", "каза тапты", "rest in peace", "may allah accept", "may allah have mercy",
	"inna lillahi", "инна лиллахи",
}

// addressWords speak to one reader ("ты", "сен", "you") or hail the
// readers ("братья", "бауырлар", "qyzdar"), and urgeStems promise a place,
// urge or recruit ("ждет", "бол", "набираем", "link in bio"): any of them
// keeps a mourning comment the writer's, since recruiters mourn their dead
// to call the living ("…жұмақта, солардың қатарында бол").
var addressWords = setOf("ты", "тебя", "тебе", "тобой", "твой", "твоя", "твои", "сен", "сені", "саған", "сенің", "сени", "саган",
	"you", "your", "брат", "братья", "братан", "братишка", "сестра", "сестры", "ребята", "бауырым", "бауырлар", "бауырларым",
	"қыздар", "кыздар", "qyzdar", "жігіттер", "жигиттер", "brother", "brothers", "sister", "sisters", "akhi", "ахи", "ukhti")

var urgeStems = []string{"ждет", "күтіп", "кутип", "awaits", "стань", "станешь", "набира", "набор", "келсең", "келсен", "kelsen"}

// urgeWords are whole words that urge: the imperative of "be", a link to
// follow, "don't be late".
var urgeWords = setOf("будь", "будьте", "бол", "болыңдар", "болыңыз", "bol", "link", "bio", "late")

// Mourning reports whether a short comment field (its text and words)
// grieves or prays for the dead and neither calls nor addresses anyone.
func Mourning(text string, words []Token) bool {
	if !shortField(words) {
		return false
	}
	mourns := false
	for _, w := range words {
		if hasPrefixAny(w.Text, callStems) || hasPrefixAny(w.Text, urgeStems) || has(addressWords, w.Text) || has(urgeWords, w.Text) {
			return false
		}
		mourns = mourns || hasPrefixAny(w.Text, mournStems) || has(mournWords, w.Text)
	}
	return mourns || containsAny(text, mournPhrases)
}

// shortField reports whether words are few enough to be read as one
// stance (maxCondemnWords) and not none.
func shortField(words []Token) bool { return len(words) > 0 && len(words) <= maxCondemnWords }

func containsAny(text string, phrases []string) bool {
	for _, p := range phrases {
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
