package pipeline

import (
	"slices"
	"strings"
	"testing"
)

// TestTranslit: Russian written in Latin letters is read as Russian; English,
// Kazakh in Latin letters, links and names in English text are not.
func TestTranslit(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"recruiting", "bratya, vstupaite v IGIL, pishite v lichku", "братья, вступайте в игил, пишите в личку"},
		{"digraphs", "brat, prisoedinyaisya k modzhahedam, zhdem tebya v Sirii", "брат, присоединяйся к моджахедам, ждем тебя в сирии"},
		{"everyday, an english word stays", "privet vsem, kto idet na match v subbotu?", "привет всем, кто идет на match в субботу?"},
		{"soft sign from ya", "kto hochet k bratyam - pishi", "кто хочет к братьям - пиши"},
		{"e as э at a word's start", "eto ne tak, ya znayu", "это не так, я знаю"},
		{"spaced translit", "ne sidi doma, v s t u p a i, brat, v dzhamaat", "не сиди дома, вступай, брат, в джамаат"},
		{"english stays", "Man jailed for recruiting for ISIS online", "man jailed for recruiting for isis online"},
		{"english with russian-looking words stays", "first comment haha", "first comment haha"},
		{"english repeats count once", "wow just wow", "wow just wow"},
		{"english news on kazakhstan stays", "Tokayev meets Putin in Astana, discusses Baikonur lease", "tokayev meets putin in astana, discusses baikonur lease"},
		{"english title with russian-looking words stays", "China net cafe culture crackdown", "china net cafe culture crackdown"},
		{"kazakh, official latin", "Bauyrym, juma namazǵa barasyń ba? Biz ústeldi daiyndap qoidyq, bári keledi", "бауырым, жұма намазға барасың ба? біз үстелді дайындап қойдық, бәрі келеді"},
		{"kazakh, ascii latin", "mekteptegi jylu keremet, balalar shynyghady ghoi", "мектептегі жылу керемет, балалар шынығады ғой"},
		{"kazakh recruiting", "bauyrlar, jihadqa qosylyndar, Shamga barý kerek, jeke habarlamaga jazyndar", "бауырлар, жиһадқа қосылыңдар, шамға бару керек, жеке хабарламага жазыңдар"},
		{"english with a kazakh loanword stays", "Spiritual Administration of Muslims sets minimum fitr sadaqa at 600 tenge", "spiritual administration of muslims sets minimum fitr sadaqa at 600 tenge"},
		{"kazakh, no function word", "Shamǵa hıjra jasaǵysy keletinder jeke habarlamaǵa jazsyn, jol aqysyn tólep beremiz", "шамға хижра жасағысы келетіндер жеке хабарламаға жазсын, жол ақысын төлеп береміз"},
		{"english with q stays", "Iraq and Qatar talks resume in Doha", "iraq and qatar talks resume in doha"},
		// A short headline's first word counts though capitalized: it was
		// skipped as a name, and two words are too few to read a field.
		{"kazakh headline, official latin", "Teñge bağamy nyğaidy", "теңге бағамы нығайды"},
		{"kazakh headline, plain ascii", "Almatyda jol apaty boldy", "алматыда жол апаты болды"},
		{"english headline starting with a name stays", "Astana hosts forum on water", "astana hosts forum on water"},
		{"english headline starting with qatar stays", "Qatar Airways adds Almaty flights", "qatar airways adds almaty flights"},
		{"kazakh, plain ascii, no mark", "Kim shynymen shahid bolgysy keledi? Bizde oryn bar, tek niet bolsa boldy", "кім шынымен шахид болғысы келеді? бізде орын бар, тек ниет болса болды"},
		{"kazakh, plain ascii, function words of travel and offers", "erten avtobus arkyly ketemiz, bilet tegin, orny bizden", "ертең автобус арқылы кетеміз, билет тегін, орны бізден"},
		{"kazakh, plain ascii, no mark, new function words only", "bul kitapty bizben birge okydy, jaksy boldy", "бұл кітапты бізбен бірге оқыды, жақсы болды"},
		{"russian, an apostrophe for ь and ъ", "brat'ya, den'gi ne problema, ob'yasnyu v lichke", "братья, деньги не проблема, объясню в личке"},
		{"kazakh, the 2017 alphabet's apostrophes", "A'pkeler, u'lken sauap, Shamg'a barg'yn'yz kelse jazyn'yz, ko'mektesemiz", "әпкелер, үлкен сауап, шамға барғыңыз келсе жазыңыз, көмектесеміз"},
		{"quoted words keep their quotes", "bauyrlar, bul 'qonaq' emes, 'jol' ashyq", "бауырлар, бұл 'қонақ' емес, 'жол' ашық"},
		{"english contractions stay", "students' union: y'all come, i'm here at 5 o'clock, O'Brien said it wasn't late", "students' union: y'all come, i'm here at 5 o'clock, o'brien said it wasn't late"},
		{"spaced translit letters break at translit words", "bratya, v s t u p a i t e v d z h a m a a t", "братья, вступайте в джамаат"},
		{"a dotted translit word stays one word", "vstupaite v I.G.I.L, bratya, pishite v lichku, zhdem", "вступайте в игил, братья, пишите в личку, ждем"},
		{"spaced english stays english", "d a e s h is recruiting, j o i n u s and report them", "daesh is recruiting, join us and report them"},
		{"digits and @ for letters inside translit words", "bratya vstupaite v 1G1L, perevezem vas v Sh@m bystro, po shari@tu", "братья вступайте в игил, перевезем вас в шам быстро, по шариату"},
		{"leet in kazakh, a word english shares read as kazakh", "bauyrlar, j1h@d paryz, Sh@mga baratyn jigitterge bilet tegin", "бауырлар, жиһад парыз, шамға баратын жігіттерге билет тегін"},
		{"kazakh marked by q, with words english shares", "qyzdar, shariat boiynsha omir surgin kelse, Shamda mujahid kuieuler kutip otyr, top jinaldy", "қыздар, шариат бойынша өмір сүргін келсе, шамда мұжаһид куйеулер күтіп отыр, топ жиналды"},
		{"numbers, handles and addresses stay", "v 10 chasov u kassy, 1xbet i top10, pishi @amir ili na xxxxx@xxxxx, eto 100 procentov", "в 10 часов у кассы, 1xbet и top10, пиши @amir или на xxxxx@xxxxx, это 100 процентов"},
		{"english you're stays", "If you're driving and you've got kids, you'll want a break", "if you're driving and you've got kids, you'll want a break"},
		{"english with new kazakh function words stays", "Tegin and Bul were named in the bolady report by the sender", "tegin and bul were named in the bolady report by the sender"},
		{"english with kazakh function words stays", "tech stocks fell as kim met officials; the bar was open, biz as usual, sol said ol tek", "tech stocks fell as kim met officials; the bar was open, biz as usual, sol said ol tek"},
		{"turkish stays", "Türkiye ve Kazakistan arasında yeni bir anlaşma imzalandı", "türkiye ve kazakistan arasında yeni bir anlaşma imzalandı"},
		{"russian article with brands stays", "Kaspi и Google запустили сервис Mir Pay", "kaspi и google запустили сервис mir pay"},
		{"links and handles stay", "pishite v lichku ili syuda t.me/joinchat/vstupai @bratya_tut", "пишите в личку или сюда t.me/joinchat/vstupai @bratya_tut"},
		{"english words in a russian comment stay", "kto idet na match online, pishite v lichku", "кто идет на match online, пишите в личку"},
		{"too few words", "spasibo bratan", "spasibo bratan"},
		{"4 for ч", "4to novogo, brat? vyru4il tebya vchera", "что нового, брат? выручил тебя вчера"},
		{"numbers stay", "v 4 chasa u kassy, 2024 god, tele2 ne rabotaet", "в 4 часа у кассы, 2024 год, tele2 не работает"},
		{"soft signs left out", "tolko zdes mozhno zhit, ne tam", "только здесь можно жить, не там"},
		{"w for ш, j for дж", "horowo, piwi mne, obsudim djihad i hijru", "хорошо, пиши мне, обсудим джихад и хиджру"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NormalizeText(tc.in); got != tc.want {
				t.Errorf("NormalizeText(%q) = %q, want %q", tc.in, got, tc.want)
			}
			checkMap(t, Normalize("body", tc.in))
		})
	}
}

// TestTranslitWord: ambiguous letters are spelled the way the lexicon knows
// best, and a word it does not know takes each letter's first reading.
func TestTranslitWord(t *testing.T) {
	costs := wordCosts()
	for _, tc := range []struct {
		in, want string
		known    bool
	}{
		{"vstupaite", "вступайте", true},
		{"bratya", "братья", true},
		{"eto", "это", true},
		{"otsyuda", "отсюда", true},
		{"moy", "мой", true},
		{"xqzv", "хкзв", false},
	} {
		sp, _, ok := russianScheme.spell(tc.in, costs)
		if got := sp.String(); got != tc.want || ok != tc.known {
			t.Errorf("spell(%q) = %q known %v, want %q known %v", tc.in, got, ok, tc.want, tc.known)
		}
		if got, ok := SpellRussian(tc.in); got != tc.want || ok != tc.known {
			t.Errorf("SpellRussian(%q) = %q known %v, want %q known %v", tc.in, got, ok, tc.want, tc.known)
		}
	}
	for _, in := range []string{"", "IGIL", "игил", "a-b"} { // not lower-case ASCII letters
		if got, ok := SpellRussian(in); got != "" || ok {
			t.Errorf("SpellRussian(%q) = %q known %v, want nothing", in, got, ok)
		}
	}
}

// TestTranslitLongField: a field longer than translitMaxUnits is read in
// Cyrillic up to that point and left as written after it, and its map
// stays whole.
func TestTranslitLongField(t *testing.T) {
	s := strings.Repeat("bratya vstupaite v dzhamaat pishite v lichku ", 2*translitMaxUnits/46)
	f := Normalize("body", s)
	checkMap(t, f)
	if !strings.HasPrefix(f.Text, "братья вступайте в джамаат пишите в личку ") {
		t.Errorf("starts %q", f.Text[:80])
	}
	if !strings.HasSuffix(f.Text, "pishite v lichku") {
		t.Errorf("ends %q", f.Text[len(f.Text)-80:])
	}
}

// BenchmarkNormalizeTranslit normalizes a megabyte of one translit comment
// pasted over and over: 2.9 MB/s before the field was read only up to
// translitMaxUnits runes, 44–54 after.
func BenchmarkNormalizeTranslit(b *testing.B) {
	s := strings.Repeat("bratya vstupaite v dzhamaat pishite v lichku ", 1<<20/46)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Normalize("body", s)
	}
}

// TestKazakhLetterAfterVowel: i after a vowel may be й, after a vowel of
// the official alphabet (ó, á: two bytes) too, and after y also ы.
func TestKazakhLetterAfterVowel(t *testing.T) {
	for _, tc := range []struct {
		word string
		want string
	}{
		{"oilaimyz", "й"}, {"sóilem", "й"}, {"jáiy", "й"}, {"bizdi", "і"}, {"ibn", "і"}, {"syilyq", "й"},
	} {
		at := strings.IndexByte(tc.word, 'i')
		if got, _ := kazakhLetterAt(tc.word, at); got[0] != tc.want {
			t.Errorf("%q: i reads first as %q, want %q", tc.word, got[0], tc.want)
		}
	}
	// After a y that is й, the i is ы: dayin is дайын.
	if got, _ := kazakhLetterAt("dayin", 3); !slices.Contains(got, "ы") {
		t.Errorf("dayin: i reads %q, want ы among them", got)
	}
}

// BenchmarkNormalizeSpacedLatin normalizes the worst field for join's
// translit segmentation: twenty runs of 32 spaced-out Latin letters that
// no lexicon explains (segmentSpellings has the numbers).
func BenchmarkNormalizeSpacedLatin(b *testing.B) {
	run := strings.TrimSpace(strings.Repeat("a b a u y r l a r ", 4))[:63]
	s := strings.Repeat(run+"  ", 20)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		NormalizeText(s)
	}
}
