package pipeline

import (
	"strings"
	"unicode/utf8"
)

// Readers name a terrorist group to condemn it ("ИГИЛ это банда убийц, а
// не ислам", "Даиш қанішерлер, олар мұсылман емес", "ISIS are thugs with a
// flag"): the name is a recruiter's word, but such a sentence recruits no
// one. Condemning finds a short comment that calls the group a gang,
// killers or terrorists, says it is not Islam, or talks of its ban or its
// people's arrest ("Хизб ут-Тахрир запрещён или нет?"), and calls nobody to
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
	// the group banned, or its people caught ("Хизб ут-Тахрир в Казахстане
	// запрещён", "ҰҚК жарайсың! ДАИШ жақтастарын ұстады", "ячейку накрыли"):
	// talk of the ban and the arrest, not a call
	"запрещен", "тыйым", "banned", "задержа", "накрыл", "арестова", "ұстад", "ұсталд", "detain", "arrest",
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
	"join", "come", "coming", "write", "dm", "message", "pm", "contact", "telegram", "whatsapp", "waiting", "part",
	"есік", "ашық",
	// a link, a chat or a private message offered
	"ссылк", "чат", "канал", "жеке", "сілтеме", "силтеме", "link", "chat", "channel", "inbox",
	// a number, a profile, a messenger, an address or a card to reach the
	// writer by ("оставьте номер", "Signal в био", "реквизиты в шапке"):
	// recruiters who argue from an arrest end so ("Another arrest? All the
	// more reason to stand with them. Leave your number")
	"номер", "нөмір", "номир", "nomer", "nomir", "number", "профил", "profil", "вотсап", "ватсап", "watsap",
	"signal", "сигнал", "контакт", "kontakt", "адрес", "address", "adres", "kaspi", "каспи", "реквизит", "rekvizit",
	"донат", "donat", "скину", "скинь", "қалдыр", "калдыр", "qaldyr", "kaldyr",
}

// contactWords are such words whole, too short or too common as the
// beginnings of others (картина, tgif).
var contactWords = setOf("tg", "тг", "bio", "био", "биода", "bioda", "карту", "карта", "карте", "картаға", "картага",
	"kartu", "karta", "kartaga", "card")

// calling reports whether w calls the reader or offers a way to reach
// the writer (callStems, contactWords).
func calling(w string) bool { return calls.fits(w) || has(contactWords, w) }

// callsAt reports whether words[k] calls the reader or offers a way to
// reach the writer, and is not voided (a warning's "не пишите им").
func callsAt(words []Token, k int) bool { return calling(words[k].Text) && !voided(words, k) }

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
		if callsAt(words, k) || attributes.fits(w.Text) {
			return false
		}
		condemns = condemns || condemnations.fits(w.Text) &&
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
	return shortField(words) && !callsOrHails(words) && mourning.in(text, words)
}

// marks is the vocabulary of a reading: the beginnings of its words, its
// whole words and its phrases.
type marks struct {
	stems   affixes
	words   map[string]struct{}
	phrases []string
}

// in reports whether text, or one of its words, holds a mark of m.
func (m marks) in(text string, words []Token) bool {
	for _, w := range words {
		if m.word(w.Text) {
			return true
		}
	}
	return containsAny(text, m.phrases)
}

// word reports whether w is one of m's words or begins with one of its stems.
func (m marks) word(w string) bool { return m.stems.fits(w) || has(m.words, w) }

// Readers who teach what their faith calls the greater jihad, the
// struggle with one's own self ("Великий джихад — это джихад нафса,
// говорил наш имам", "Ең үлкен жиһад — нәпсімен күрес", "the greater
// jihad is against your own ego"), name the recruiter's word for their
// own temper, laziness and envy. Such a comment that calls and hails no
// one is not the writer's call, whoever it speaks for ("наш имам").
// Recruiters who mock the teaching speak to the reader and call him to
// arms ("Джихад — это не только борьба с нафсом, как тебе врут имамы… бери
// оружие"), which keeps their words theirs.

// selfStems begin the words for one's own self of that teaching (нафс,
// нәпсі, typed with or without the Kazakh letters or in Latin), selfWords
// are the ego whole, and selfPhrases name the greater, inner jihad and the
// writer's own laziness, the vice it names first ("Who's ready for jihad
// against my laziness this Ramadan 😂"). Not laziness alone: "Laziness is
// for the weak. Real men answer the call of jihad" is a recruiter's.
var (
	selfStems   = []string{"нафс", "нәпсі", "напси", "нэпси", "nafs", "napsi"}
	selfWords   = setOf("эго", "ego")
	selfPhrases = []string{
		"my laziness", "моей лени", "своей лени", "своей ленью", "с моей ленью", "против лени",
		"менің жалқаулығым", "жалқаулығыммен", "жалқаулыққа қарсы", "жалкаулыгыммен", "жалкаулыкка карсы",
		"великий джихад", "величайший джихад", "большой джихад", "большого джихада", "внутренний джихад",
		"внутреннего джихада", "внутренняя борьба", "с самим собой", "ең үлкен жиһад", "үлкен жиһад",
		"жиһадтың ең үлкені", "ен улкен жихад", "улкен жихад", "greater jihad", "inner jihad", "jihad of the self",
	}
)

// Teaching reports whether a short comment field (its text and words)
// speaks of the greater jihad and neither calls nor addresses anyone.
func Teaching(text string, words []Token) bool {
	return shortField(words) && !callsOrHails(words) && teaching.in(text, words)
}

// The readings' vocabularies (Mourning, Recalling, Naming, Teaching).
var (
	mourning  = marks{prefixesOf(mournStems...), mournWords, mournPhrases}
	recalling = marks{prefixesOf(pastStems...), pastWords, pastPhrases}
	naming    = marks{prefixesOf(metaStems...), metaWords, metaPhrases}
	teaching  = marks{prefixesOf(selfStems...), selfWords, selfPhrases}
)

// NotWritersCall reports whether a comment field is, whole, not its
// writer's call: a short field that condemns (Condemning), or that calls,
// urges and hails no one and mourns (Mourning), recalls a war gone by
// (Recalling), teaches the greater jihad (Teaching) or, speaking for no
// "us", names a word (Naming) or, telling the reader to do nothing, names
// a group (Remarking). It is their disjunction, with the length and the
// call words read once.
func NotWritersCall(text string, words []Token) bool {
	if !shortField(words) {
		return false
	}
	if Condemning(text, words) {
		return true
	}
	if callsOrHails(words) {
		return false
	}
	if mourning.in(text, words) || recalling.in(text, words) || teaching.in(text, words) {
		return true
	}
	return !speaksForUs(words) && (names(text, words) || !instructs(words) && remarks(words))
}

// Readers remember the Afghan war their fathers fought ("Мой дед воевал в
// Афгане против моджахедов", "атам Ауғанда моджахедтермен соғысқан"), or
// met it at school or in a film ("Rambo 3 is the one where he helps the
// mujahideen"): a recruiter's name for fighters, said of the past to no
// one. Recalling finds a short comment that speaks of a war gone by (the
// Soviet army, veterans, a grandfather or father who fought, a history
// lesson, a book, a film) and, as Mourning asks, calls, urges and hails no
// one; like a condemnation it is then not read as the writer's call. A
// recruiter who calls on the past calls the reader too: "Наши деды били
// Советы, как моджахеды. Теперь твоя очередь".

// pastStems begin the words of a war gone by and of how readers meet it;
// pastWords are such words whole (дед would begin деду as a stem, and
// атам is also "I throw" only in a form no comment uses).
var pastStems = []string{
	"советск", "ссср", "шурави", "ветеран", "историк", "историческ", "учебник", "документальн", "фильм", "кинофильм", "рэмбо", "рембо",
	"воевал", "дедушк", "прадед", "1979", "1980", "1989", "ардагер", "соғысқан", "согыскан",
	"soviet", "ussr", "veteran", "historian", "historical", "documentar", "textbook", "movie", "film", "rambo", "fought",
	"grandfather", "grandpa", "grandad",
}

var pastWords = setOf("дед", "деда", "деду", "дедом", "деды", "отец", "папа", "атам", "атамыз", "әкем", "экем", "кино", "80s", "1980s")

// pastPhrases name the Soviet army and the Afghan war of the 1980s.
var pastPhrases = []string{
	"кеңес әскер", "кенес әскер", "кенес аскер", "кеңес одағ", "кенес одаг", "ауған соғыс", "ауган согыс",
	"афганская война", "афганской войн", "афганскую войн", "в 80-х", "80-х годах", "soviet war", "afghan war",
	// a lesson or a book of history ("where history is decided" is a recruiter's)
	"урок истории", "уроке истории", "по истории", "учитель истории", "книга по истории", "тарих сабағ", "тарих сабаг",
	"history class", "history lesson", "history teacher", "history book", "history channel",
}

// Recalling reports whether a short comment field (its text and words)
// speaks of a war gone by and neither calls nor addresses anyone.
func Recalling(text string, words []Token) bool {
	return shortField(words) && !callsOrHails(words) && recalling.in(text, words)
}

// Readers talk about the words themselves: what jihad means, that the
// caliphate of the hadiths is not what ISIS built, why a journalist calls
// fighters mujahideen ("Thats their own PR word, just say militants"),
// "шейіт деген кім?". Naming finds a short comment that speaks of a word,
// a term, a name or a meaning and, as Mourning asks, calls, urges and
// hails no one, and says nothing of "us": a recruiter answering his critics
// speaks for "us" ("Нас называют террористами, а мы защищаем умму").

// metaStems begin the words that speak of words, and metaWords are such
// words whole. Not "слово" or "сөз" alone: "родителям ни слова", "сөз бер"
// (give your word) and "скажи слова присяги" are a recruiter's; nor
// "называть" and "call", which a call and an oath use too.
//
// And how a name is spelled: readers arguing over "Хизб ут-Тахрир" and
// "Хизбут-Тахрир", asking the site to spell a group one way ("әр мақалада
// әртүрлі жазылады", "which spelling is right?"). Not the Kazakh "жазылу"
// (also to sign up: "курсқа жазылу ашық", "топқа жазылыңдар"), nor "деп
// жаз" ("маған «иә» деп жаз" is a recruiter's contact): the spelling
// words below, and whole phrases.
var metaStems = []string{
	"термин", "кавычк", "означа", "переводит", "путают", "мағына", "магына", "дегеніміз", "дегенимиз",
	"terminolog", "meaning", "so-called", "translat",
	"правописан", "орфограф", "транслитер", "аббревиат", "spelling", "misspel", "transliter", "abbreviat",
}

var metaWords = setOf("means", "term", "terms")

// metaPhrases name or compare words.
var metaPhrases = []string{
	"так называем", "одно и то же", "разные вещи", "слово «", "слово \"", "слово '", "слово джихад", "слово халифат",
	"слово шахид", "слово моджахед", "слово игил", "деген сөз", "деген соз", "атауы", "атауын", "атауды",
	"деген кім", "деген ким", "деген не", "деген мағына", "деген магына", "деп аталады", "деп атайды",
	"same thing", "so called", "the word", "the words", "in quotes", "pr word",
	"пишется", "как правильно писать", "по-разному пишут", "пишут по-разному", "пишете по-разному", "то так, то так", "то так то так",
	"әртүрлі жазылады", "әр түрлі жазылады", "артурли жазылады", "ар турли жазылады", "бірге жазыла ма", "бөлек жазыла ма",
	"бирге жазыла ма", "болек жазыла ма", "бір жерде былай", "бир жерде былай", "бірде былай", "бирде былай", "жазылуы дұрыс", "жазылуы дурыс", "қалай жазылады", "калай жазылады",
	"spelled", "spelt", "how do you spell", "how to spell", "written differently",
}

// ourWords speak for a group the writer is of.
var ourWords = setOf("мы", "нас", "нам", "нами", "наш", "наши", "наша", "наше", "біз", "бізді", "бізге", "біздің", "биз", "бизди", "бизге",
	"we", "us", "our")

// Naming reports whether a short comment field (its text and words)
// speaks of a word and neither calls, addresses nor speaks for "us".
func Naming(text string, words []Token) bool {
	return shortField(words) && !callsOrHails(words) && !speaksForUs(words) && names(text, words)
}

// names reports whether text speaks of a word: a mark of naming, a why
// beside a verb of naming, or a scare quote; whoever it speaks to.
func names(text string, words []Token) bool {
	why, named := false, false
	for _, w := range words {
		why = why || has(whyWords, w.Text)
		named = named || namings.fits(w.Text)
	}
	return why && named || naming.in(text, words) || scareQuoted(text)
}

// whyWords ask why, and namingStems begin the verbs of naming: "почему их
// называют моджахедами", "why call them mujahideen". Without a why they
// may be a recruiter's ("кто называет себя мусульманином, не тяни").
var (
	whyWords    = setOf("почему", "зачем", "why", "неге")
	namingStems = []string{"называ", "назва", "call", "атай", "атады"}
)

// maxScareQuoted bounds, in bytes, a quoted word or two: "халифат",
// «моджахеды», "jihad zone".
const maxScareQuoted = 40

// scareQuoted reports whether text puts one of the recruiters' nouns, alone
// or with one more word, in quotation marks ("начальник устроил свой
// "халифат"", «настоящий джихад», «эмир»): a word held at a distance.
// Recruiters quote their code words for a trip or a job ("летняя
// «практика» у братьев", «на море»), never their cause. Longer quotes are
// reported speech (quotes.go).
func scareQuoted(text string) bool {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		closer := rune(0)
		switch r {
		case '"':
			closer = '"'
		case '«':
			closer = '»'
		case '“', '„':
			closer = '”'
		}
		if closer == 0 {
			continue
		}
		end := strings.IndexRune(text[i:], closer)
		if closer == '”' && end < 0 {
			closer = '“' // „…“, as German and some Russian keyboards close it
			end = strings.IndexRune(text[i:], closer)
		}
		if end < 0 {
			continue
		}
		if inner := strings.Fields(text[i : i+end]); end <= maxScareQuoted && len(inner) >= 1 && len(inner) <= 2 &&
			(causes.fits(inner[0]) || len(inner) == 2 && causes.fits(inner[1])) {
			return true
		}
		i += end + utf8.RuneLen(closer) // past the quote, so its closer opens nothing
	}
	return false
}

// causeStems begin the recruiters' nouns for their cause, fighters and
// groups.
var causeStems = []string{
	"халиф", "джихад", "жиһад", "жихад", "моджахед", "муджахид", "мужахид", "шахид", "шейіт", "шейит", "хиджр", "хижр",
	"эмир", "әмір", "амир", "байат", "байғат", "игил", "даиш", "шам", "хорасан",
	"caliph", "khilaf", "jihad", "mujahid", "shahid", "shaheed", "martyr", "hijr", "emir", "amir", "bayah", "bay'ah",
	"isis", "daesh", "sham", "khorasan",
}

// callsOrHails reports whether a word of words calls, urges or hails
// anyone: what keeps a mourning, a recalling or a naming the writer's.
func callsOrHails(words []Token) bool {
	for k, w := range words {
		if callsAt(words, k) || urges.fits(w.Text) || has(addressWords, w.Text) && !ownSelf(words, k) || has(urgeWords, w.Text) {
			return true
		}
	}
	return false
}

// ownSelf reports whether words[k] is the generic "your" of the greater
// jihad's formula ("the struggle with your own ego", "your nafs"), which
// speaks to no one.
func ownSelf(words []Token, k int) bool {
	next := func(i int) string { return wordAt(words, k+i) }
	return words[k].Text == "your" && (teaching.word(next(1)) || next(1) == "own" && teaching.word(next(2)))
}

// wordAt is the text of words[i], or "" past the end.
func wordAt(words []Token, i int) string {
	if i < len(words) {
		return words[i].Text
	}
	return ""
}

// speaksForUs reports whether a word of words speaks for a group the
// writer is of (ourWords).
func speaksForUs(words []Token) bool {
	for _, w := range words {
		if has(ourWords, w.Text) {
			return true
		}
	}
	return false
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

// Readers remark on the news by naming the group it is about: "Опять Хизб
// ут-Тахрир, сколько можно", "Чем Аль-Каида отличается от ИГИЛ?", "Not
// every guy with a beard is ISIS". The recruitment head reads such a
// comment for the name alone (0.97 and 0.73 and 0.99 before Remarking):
// the name is a recruiter's word, and nothing else in a short remark
// weighs against it. Remarking finds a short comment that names a group
// and, as Mourning asks, calls, urges and hails no one, speaks for no
// "us" and tells the reader to do nothing (instructs); it is then not read
// as the writer's call. A recruiter who names his group tells the reader
// what to do next, however he words it: "кто на движ — контакты в био",
// "нөміріңді қалдыр", "Leave your number", "подходите после иша".

// groupStems are parts of the names of the groups readers name under the
// news (ИГИЛ, ДАИШ, Хизб ут-Тахрир, ан-Нусра, Аль-Каида, Таблиги
// джамаат), as normalized words hold them, endings and hyphens included.
var groupStems = []string{
	"игил", "игиш", "даиш", "isis", "isil", "daesh", "daish", "нусра", "нусры", "нусре", "нусру", "nusra",
	"каида", "каиды", "каиде", "каиду", "каеда", "кайда", "қаида", "qaeda", "qaida",
	"хизб", "тахрир", "hizb", "tahrir", "таблиг", "таблиғ", "tablig",
}

// instructStems begin the words with which a recruiter who names his group
// tells the reader what to do next, beyond the calls and contacts of
// callStems: a meeting or a lesson, a place or a road paid for, "who is
// ready", "sign up", "come", "ask me", in the three languages and in
// Latin-typed Kazakh and Russian as normalized words keep them.
// instructWords are such words whole, too short to begin others, with the
// writer's "me" and the readers hailed as kin.
var instructStems = []string{
	"лично", "личн", "приват", "private", "privat", "перевод", "переведи", "аудар", "audar",
	"сұра", "оставь", "ostav", "leave", "найду", "найти", "табу", "tabu", "find",
	"запиш", "записы", "жазыл", "zhazyl", "jazyl", "приход", "подход", "prihod", "podhod", "добав", "dobav", "отзов", "otzov",
	"собира", "sobira", "принима", "prinima", "ищет", "ищем", "ishet", "ishem", "зовет", "зовут", "zovet",
	"шақыр", "шакыр", "shaqyr", "shakyr", "кездес", "kezdes", "күте", "куте", "kute", "жиын", "jiyn", "zhiyn",
	"дәріс", "дарис", "daris", "сабақ", "сабак", "sabaq", "sabak", "кружок", "кружк", "халқа", "халка", "halqa", "halka",
	"готов", "gotov", "дайын", "daiyn", "dayyn", "ready", "келсе", "kelse", "келгендер", "kelgender", "барса", "barsa",
	"оплач", "oplach", "төлей", "толей", "өтей", "отей", "билет", "bilet", "ticket", "орын", "oryn", "место", "места",
	"секрет", "secret", "закрыт", "жабық", "жабык", "jabyq", "zhabyq", "organiz", "организ", "ұйымдаст", "уйымдаст",
	"anyone", "wanna", "looking", "recruiting", "circle", "lesson", "meeting",
}

var instructWords = setOf("ls", "add", "ask", "talk", "need", "want", "wants", "meet", "sign",
	"me", "меня", "мне", "мной", "маған", "маган", "magan", "менен", "bro", "sis", "akhi", "ахи", "ukhti", "братва",
	"наших", "нашим", "нашими", "нашей", "нашего", "нашу")

// instructEndings end the words that tell the reader to act: Russian
// imperatives and second-person verbs ("подходите", "добавляйся",
// "хочешь"), Kazakh plural and polite imperatives and "let us"
// ("тұрыңдар", "беріңдер", "аударыңыз", "құрайық"), typed with or without
// the Kazakh letters, and the Kazakh "we" of a verb or a possession
// ("шығамыз", "бауырларымыз"), as speaksForUs. Not "-ндар" alone: the
// participles of those who left end so ("ИГИЛ-ге кеткендер").
var instructEndings = []string{
	"йте", "ите", "ись", "тесь", "йся", "ешь", "ишь",
	"ңдар", "ңдер", "ңыз", "ңіз", "ындар", "индер", "індер", "yndar", "inder", "nyz", "niz",
	"йық", "йік", "айык", "ейик", "ayiq", "eyik", "мыз", "міз", "myz", "miz",
}

// Remarking reports whether a short comment field names a group and
// neither calls, urges, hails or speaks for anyone nor tells the reader
// what to do.
func Remarking(_ string, words []Token) bool {
	return shortField(words) && !callsOrHails(words) && !speaksForUs(words) && !instructs(words) && remarks(words)
}

// remarks reports whether one of words names a group.
func remarks(words []Token) bool {
	for _, w := range words {
		for _, g := range groupStems {
			if strings.Contains(w.Text, g) {
				return true
			}
		}
	}
	return false
}

// instructs reports whether a word of words tells the reader what to do
// or where to reach the writer (instructStems, instructWords,
// instructEndings).
func instructs(words []Token) bool {
	for k, w := range words {
		if (instructions.fits(w.Text) || has(instructWords, w.Text) || instructionEnds.fits(w.Text)) && !voided(words, k) {
			return true
		}
	}
	return false
}

// The word lists as the readings look them up: each word is compared with
// the few entries that share its first two bytes (its first letter, in
// Cyrillic) instead of every entry of a list. BenchmarkNotWritersCall (the
// comments of two labelled sets, one core): 8.3 µs a comment before
// Remarking, 10.9 with it scanning every list whole, 7.5 filed so.
var (
	calls           = prefixesOf(callStems...)
	attributes      = prefixesOf(attributeStems...)
	condemnations   = prefixesOf(condemnStems...)
	namings         = prefixesOf(namingStems...)
	causes          = prefixesOf(causeStems...)
	urges           = prefixesOf(urgeStems...)
	instructions    = prefixesOf(instructStems...)
	instructionEnds = suffixesOf(instructEndings...)
)

// affixes are word beginnings (or endings), filed by their first (or
// last) two bytes; entries shorter than that are kept apart and tried on
// every word.
type affixes struct {
	by    map[uint16][]string
	short []string
	end   bool // endings, not beginnings
}

func prefixesOf(ps ...string) affixes { return affixesOf(false, ps) }
func suffixesOf(ps ...string) affixes { return affixesOf(true, ps) }

func affixesOf(end bool, ps []string) affixes {
	a := affixes{by: map[uint16][]string{}, end: end}
	for _, p := range ps {
		if len(p) < 2 {
			a.short = append(a.short, p)
			continue
		}
		k := a.key(p)
		a.by[k] = append(a.by[k], p)
	}
	return a
}

func (a affixes) key(w string) uint16 {
	if a.end {
		return uint16(w[len(w)-2])<<8 | uint16(w[len(w)-1])
	}
	return uint16(w[0])<<8 | uint16(w[1])
}

// fits reports whether w begins with one of a's entries, or for endings
// (suffixesOf) ends with one.
func (a affixes) fits(w string) bool {
	fit := strings.HasPrefix
	if a.end {
		fit = strings.HasSuffix
	}
	for _, p := range a.short {
		if fit(w, p) {
			return true
		}
	}
	if len(w) < 2 {
		return false
	}
	for _, p := range a.by[a.key(w)] {
		if fit(w, p) {
			return true
		}
	}
	return false
}

// Readers who warn tell the reader what not to do ("Не пишите им и не
// переходите", "don't write it", "оларға жазбаңдар"), and readers who
// correct the news tell its writers how to write ("Пишите нормально, вы
// же СМИ", "пишите в одном стиле", "durys jazyńdar") or ask them to
// explain ("Кто такие Хизб ут-Тахрир? Объясните"): a verb of writing,
// going or answering, but no call to the group. voided finds such a word,
// which the readings then do not count as a call or an instruction. Only
// the negated word itself is voided: its object still counts ("не
// переходите по ссылкам" keeps "ссылкам", "don't give them your number"
// keeps "number"), and "не бойся, пиши" keeps "пиши".

// callNegations negate the word after them; "do not" is two words.
var callNegations = setOf("не", "don't", "dont", "never", "никогда")

// negativeImperatives end Kazakh plural and polite imperatives negated
// ("жазбаңдар", "қосылмаңыз", "келмеңдер", "barmańdar") and the polite
// plural ("қосылмаңыздар", "бермеңіздер"), typed with or without the Kazakh
// letters and in Latin letters as normalized words keep them.
var negativeImperatives = suffixesOf(
	"маңдар", "меңдер", "баңдар", "беңдер", "паңдар", "пеңдер", "маңыз", "меңіз", "баңыз", "беңіз", "паңыз", "пеңіз",
	"мандар", "мендер", "бандар", "бендер", "пандар", "пендер", "маныз", "мениз", "баныз", "бениз", "паныз", "пениз",
	"mandar", "mender", "bandar", "bender", "pandar", "pender", "manyz", "meniz", "banyz", "beniz", "panyz", "peniz",
	"маңыздар", "меңіздер", "баңыздар", "беңіздер", "паңыздар", "пеңіздер",
	"маныздар", "мениздер", "баныздар", "бениздер", "паныздар", "пениздер",
	"manyzdar", "menizder", "banyzdar", "benizder", "panyzdar", "penizder",
)

// writeVerbs tell someone to write, and writeManners say how after them
// ("пишите правильно", "write it properly"); kazakhManners say it before
// them, as Kazakh puts it ("дұрыс жазыңдар"); "без ошибок" and "в одном
// стиле" are two words. Not "прямо", "right" or a bare "без":
// "пиши прямо сейчас", "write right now", "пиши без стеснения" are a
// recruiter's.
var (
	writeVerbs   = setOf("пиши", "пишите", "напиши", "напишите", "write", "spell", "жазыңдар", "жазыңыз", "жазыңыздар", "жазындар", "жазыныз", "jazyndar", "jazynyz", "zhazyndar", "zhazynyz")
	writeManners = setOf("правильно", "нормально", "грамотно", "корректно", "одинаково", "понятно", "честно",
		"объективно", "правду", "по-русски", "по-казахски", "properly", "correctly", "consistently", "accurately")
	kazakhManners = setOf("дұрыс", "бірдей", "дурыс", "бирдей", "durys", "birdei", "birdey")
	// writeFillers may stand between the verb and how to write ("пишите
	// уже одинаково", "пишите хотя бы грамотно", "write it properly").
	writeFillers = setOf("уже", "хоть", "хотя", "бы", "наконец", "пожалуйста", "it", "please")
	// editorsAsked are what a reader asks of whoever wrote the news:
	// to explain or to set it right ("Кто такие Хизб ут-Тахрир? Объясните
	// нормально", "исправьте название"). No recruiter asks the others to
	// explain; "уточните" is left out, since "детали уточните в личке" is a
	// recruiter's contact.
	editorsAsked = setOf("объясните", "поясните", "исправьте", "түсіндіріңіздер", "түсіндіріңіз", "тусиндириниздер", "тусиндириниз", "түзетіңіздер", "тузетиниздер", "explain")
)

// Kazakh "жаз" (write) calls as a stem ("жазыңдар", "жеке жаз"), but a
// word is also spelled with it: "әр мақалада әртүрлі жазылады" (is
// written), "бір жерде олай жазасыздар" (you write it that way). spelledAs
// are its passive forms, which call no one; describedWrites its
// indicative ones, which call no one after a word of how ("былай", "олай",
// "қате", "неге"): "маған жазасыздар" (you'll write to me) keeps its call.
var (
	spelledAs       = setOf("жазылады", "жазылған", "жазылган", "жазыла", "жазылыпты", "жазылатын", "жазылуы", "jazylady", "zhazylady", "jazylgan", "zhazylgan")
	describedWrites = setOf("жазасыздар", "жазасыз", "жазады", "жазыпсыз", "жазыпсыздар", "жазған", "жазган", "jazasyzdar", "zhazasyzdar", "jazady", "zhazady")
	writeHows       = setOf("былай", "олай", "қате", "кате", "әртүрлі", "артурли", "неге", "qate", "kate", "olai", "bylai", "nege")
)

// voided reports whether words[k] is negated, asks the editors to explain
// or set right, is a verb of writing followed (or, in Kazakh, preceded)
// by how to write, or a Kazakh word of spelling (spelledAs,
// describedWrites).
func voided(words []Token, k int) bool {
	w := words[k].Text
	switch {
	case has(spelledAs, w), has(describedWrites, w) && k > 0 && has(writeHows, words[k-1].Text):
		return true
	case k > 0 && has(callNegations, words[k-1].Text),
		k > 1 && words[k-1].Text == "not" && words[k-2].Text == "do",
		negativeImperatives.fits(w):
		return true
	case has(editorsAsked, w):
		return true
	case has(writeVerbs, w):
		next := func(i int) string { return wordAt(words, k+i) }
		at := 1
		for at < 3 && has(writeFillers, next(at)) {
			at++
		}
		return has(writeManners, next(at)) || next(at) == "в" && next(at+1) == "одном" ||
			next(at) == "без" && strings.HasPrefix(next(at+1), "ошиб") || // not "без стеснения": a recruiter's
			k > 0 && has(kazakhManners, words[k-1].Text)
	}
	return false
}
