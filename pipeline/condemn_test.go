package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readingCase is a comment field (lower case, as normalized) and whether
// a short-comment reading takes it as not the writer's call.
type readingCase struct {
	text string
	want bool
}

func checkReading(t *testing.T, name string, read func(string, []Token) bool, cases []readingCase) {
	t.Helper()
	for _, tc := range cases {
		if got := read(tc.text, Words(tc.text)); got != tc.want {
			t.Errorf("%s(%q) = %v, want %v", name, tc.text, got, tc.want)
		}
	}
	// A reading is of a short comment: the first text it reads, repeated
	// past maxCondemnWords words, is read no more.
	for _, tc := range cases {
		if tc.want {
			long := strings.Repeat(tc.text+" ", maxCondemnWords/len(Words(tc.text))+1)
			if read(long, Words(long)) {
				t.Errorf("%s reads a field of %d words, want none longer than maxCondemnWords", name, len(Words(long)))
			}
			break
		}
	}
}

func TestCondemning(t *testing.T) {
	checkReading(t, "Condemning", Condemning, []readingCase{
		{"игил это банда убийц, а не ислам", true},
		{"даиш қанішерлер, олар мұсылман емес.", true},
		{"isis are thugs with a flag, nothing more.", true},
		{"какой ещё халифат в 2026 году? ребята, это секта, которая торгует вашей кровью", true},
		{"мы не террористы, мы защитники уммы", false},                     // negated
		{"шейіт емес, қанішер дейсіңдер. біздің бауырлар шейіттер", false}, // attributed to the critics
		{"they call us terrorists because they fear the ummah", false},     // attributed
		{"игил это банда убийц, но кто хочет к ним — пиши в лс", false},    // a call
		{"игил это банда убийц, не пишите им", true},                       // a call negated
		{"даиш қанішерлер, оларға қосылмаңдар", true},
		{"даиш қанішерлер, оларға қосылмаңыздар", true}, // the polite plural
		{"даиш канишерлер, оларга косылманыздар", true}, // typed without the Kazakh letters
		// the ban and the arrest talked of (2026-12-06)
		{"ҰҚК жарайсың! даиш жақтастарын уақытында ұстады", true},
		{"хизб ут-тахрир в казахстане запрещен или нет?", true},
		{"is hizb ut-tahrir banned here? a guy was handing out leaflets", true},
		{"хорошая работа полиции, ячейку накрыли без шума", true},
		{"хизб ут-тахрир не запрещен, приходите на наши уроки", false},                  // negated, and a call
		{"нас запретили, потому что боятся правды. путь открыт, пиши", false},           // a call
		{"зачем тебе страна, где дочке запрещают платок? переселяйся к братьям", false}, // a grievance, not the ban
		{"әміріміздің қолын ұстап, байғат бер, бауырым", false},                         // holding a hand, not an arrest
		// a way to reach the writer (2026-12-06, later)
		{"хизбутов опять задержали? значит они правы. оставьте номер, сам позвоню", false},
		{"игил запрещен, а мы работаем дальше. контакты в био", false},
		{"даиш-ке тыйым салды, бірақ бізге адам керек. карта профильде", false},
		{"", false},
	})
}

func TestMourning(t *testing.T) {
	checkReading(t, "Mourning", Mourning, []readingCase{
		{"пусть погибшие дети газы будут шахидами в раю, иншааллах", true},
		{"алла рахмет етсин, жаткан жерлери жайлы болсын. шахиды газы в раю иншааллах", true},
		{"шахиды живы у господа своего. да примет аллах их", true},
		{"may allah accept the martyrs of gaza and have mercy on the victims", true},
		{"шахиды газы в раю", false}, // no prayer or grief: a moderator reads it
		// recruiters mourn their dead to call the living (texts of the labelled sets)
		{"халифат үшін қаза тапқандар жұмақта, солардың қатарында бол", false},
		{"алла жолында қаза тапқан адам туыстарының жетпісіне шапағат етеді. анаңды тозақтан құтқарғың келмей ме, бауырым?", false},
		{"набираем бригаду на юг. работа тяжелая, но почетная, на пользу умме. семьям погибших помощь пожизненно.", false},
		{"qyzdar, shahid jigitterdin aieli bolu - ulken mertebe. siriyaga kelsender bari daiyn, ui de, jubai da", false},
		{"may allah accept the martyrs. their path is open to anyone who takes the first step. don't be late brothers, link in my bio", false},
		{"брат стал шахидом, да примет его аллах. рай ждет и тебя", false},
		{"кто погиб за халифат — в раю, будь среди них", false},
		{"", false},
	})
}

func TestRecalling(t *testing.T) {
	checkReading(t, "Recalling", Recalling, []readingCase{
		{"мой дед воевал в афгане против моджахедов", true},
		{"атам ауғанда моджахедтермен соғысқан", true},
		{"rambo 3 is the one where he helps the mujahideen lol", true},
		{"my son learned about the mujahideen and the soviet war in afghanistan in history class", true},
		{"моджахеды в 80-х получали оружие от сша", true},
		{"моджахеды получали оружие от сша", false}, // no war gone by named: a moderator reads it
		// a recruiter calls on the past to call the reader
		{"наши деды били советы, как моджахеды. теперь твоя очередь", false},
		{"my dad fought the mujahideen in afghanistan. khorasan is calling, who's coming with me?", false},
		{"khorasan is rising. those who want to be where history is decided are moving now", false},
		{"", false},
	})
}

func TestTeaching(t *testing.T) {
	checkReading(t, "Teaching", Teaching, []readingCase{
		{"великий джихад — это джихад нафса, говорил наш имам", true},
		{"ең үлкен жиһад — нәпсімен күрес дейді имамымыз", true},
		{"ен улкен жихад — напсимен курес", true},
		{"the greater jihad is the struggle against the ego", true},
		{"jihad al-nafs, the struggle with yourself, is the greater jihad", true},
		{"jihad is first of all the struggle with your own ego", true},
		{"who's ready for jihad against my laziness this ramadan 😂", true},
		{"объявляю джихад своей лени с понедельника", true},
		{"хватит лени, брат, джихад ждет тебя", false},
		{"laziness is for the weak. real men answer the call of jihad", false},
		{"жихад парыз ба, жок па? мешиттеги имам нафспен куресу де жихад деди", true},
		// a recruiter who mocks the teaching speaks to the reader and calls him
		{"джихад — это не только борьба с нафсом, как тебе врут имамы на зарплате, но и твой долг с оружием в руках", false},
		{"не надо мне про внутреннюю борьбу с нафсом. хочешь идти их путём — бери оружие и езжай туда", false},
		{"jihad isn't only the struggle with your ego like the paid imams say, it's your duty with a weapon in your hands", false},
		{"джихад — долг каждого", false},
		{"", false},
	})
}

func TestNaming(t *testing.T) {
	checkReading(t, "Naming", Naming, []readingCase{
		{"иг и игил — это одно и то же?", true},
		{"так называемый халифат игил продержался около пяти лет", true},
		{"\"шейіт\" — \"куә\" деген сөз", true},
		{"why does the article call them mujahideen? thats their own pr word, just say militants", true},
		// a recruiter's word, oath and secrecy are not talk about words
		{"родителям ни слова, билеты оплачены", false},
		{"құранның үстінде сөз бер, сонда бізбен бірге соғысасың", false},
		{"журналистер терминдерді әдейі шатастырады. нағыз жиһад — қарумен. сілтемені жекеге жіберемін", false},
		{"нас называют террористами, а мы защищаем умму. так называемый халифат жив", false}, // speaks for "us"
		{"почему даиш называют даиш, это аббревиатура от чего?", true},                       // asks why a name
		{"кто называет себя мусульманином, не тяни с байатом", false},                        // naming without a why
		{"начальник устроил в отделе свой \"халифат\", решает все сам", true},                // a cause word held at a distance
		{"пацаны, если кто-то заводит разговоры про «хиджру» и «настоящий джихад» — скажите имаму", true},
		{"студентам: летняя «практика» у братьев, перелет бесплатно", false}, // a recruiter's code word in quotes
		{"едем «на море» в марте, кто понял тот понял", false},
		{"«халифат» ждет тебя, брат", false},                                                        // a quoted cause word that calls
		{"он сказал \"это все давно было и прошло, забудьте\", а потом \"халифат\" вспомнил", true}, // a long quote, then a scare quote
		{"«халифат", false}, // never closed
		{"„халифат“ опять в новостях", true},
		// how a name is spelled; Kazakh "жаз" in its passive and after a word of how
		{"хизб ут-тахрир ме, хизбут-тахрир ме? әр мақалада әртүрлі жазылады.", true},
		{"игил ме, даиш па? бір жерде былай, бір жерде олай жазасыздар, окырман шатасады.", true},
		{"хизбут-тахрир или хизб ут-тахрир, как правильно пишется?", true},
		{"is it spelled daesh or daish? every outlet has its own version", true},
		{"даиш туралы шындықты білгің келсе маған жазасыздар, бауырлар", false}, // "you'll write to me": a contact
		{"ИГ ме, ДАИШ па, маңызды емес. хижра парыз, жеке жазыңдар", false},     // spelling as a pretext, then a call
		{"курсқа жазылу ашық, хизб ут-тахрир туралы жаңалықты оқыдым", false},   // "жазылу" is to sign up
		{"", false},
	})
}

func TestRemarking(t *testing.T) {
	checkReading(t, "Remarking", Remarking, []readingCase{
		{"опять хизб ут-тахрир, сколько можно.", true},
		{"чем аль-каида отличается от игил? серьезно спрашиваю", true},
		{"not every guy with a beard is isis. stop it.", true},
		{"тағы да хизб ут-тахрир. қашан таусылады бұлар?", true},
		{"игил-ге кеткендер өзін де, отбасын да құрдымға жіберді", true}, // those who left, not "go!"
		{"таблиги джамаат это вообще кто такие?", true},
		// a warning tells the reader what not to do, a correction tells the
		// editors how to write: no call to the group
		{"не пишите им и не переходите, это игил", true},
		{"хизб ут-тахрир адамдары, оларға жазбаңдар", true},
		{"quote someone, hizb, or don't write it.", true},
		{"правильно «хизб ут-тахрир», а не «хизбуты». пишите нормально, вы же сми", true},
		{"таблиги джамаат или таблиғи жамағат? пишите в одном стиле", true},
		{"hizb ut-tahrir деп дұрыс жазыңдар", true},
		{"не переходите по ссылкам игил", false},  // the object of the negated verb still counts
		{"не бойся, пиши в лс, игил ждет", false}, // only the negated word is voided
		{"игил, пиши прямо сейчас", false},        // a hurry, not a manner
		{"игил ждет, пиши без стеснения", false},
		{"даиш или игил? пишите без ошибок", true},
		// a recruiter who names his group tells the reader what to do next
		{"братва, игил не сдох, кто на движ — контакты в био", false},
		{"хизб — единственная партия уммы, запишись в кружок", false},
		{"хизбут-тахрирге мүше болғың келсе, жұмадан кейін күтемін", false},
		{"игил — нағыз халифат. байғат беріңдер!", false},
		{"таблиғи жамағатпен қырық күнге шығамыз", false}, // "we" go
		{"isis is back. real men only. tg in profile", false},
		{"h1zb ut tahrir wants you", false},
		{"не хочешь обновить присягу? аль-каида принимает клятву", false},
		{"d.a.e.s.h pays travel. add me", false},
		{"стыдно за наших, которые в игил поехали", false}, // "ours": a moderator reads it
		{"опять эти, сколько можно", false},                // no group named
		{"", false},
	})
}

func TestAffixes(t *testing.T) {
	pre, suf := prefixesOf("a", "лс", "вступ", "join"), suffixesOf("ите", "nyz", "z")
	for _, tc := range []struct {
		w            string
		begins, ends bool
	}{
		{"вступайте", true, false}, {"лс", true, false}, {"лсв", true, false}, {"л", false, false},
		{"joining", true, false}, {"jo", false, false}, {"apple", true, false}, {"", false, false},
		{"пишите", false, true}, {"jazynyz", false, true}, {"buzz", false, true}, {"те", false, false},
	} {
		if got := pre.fits(tc.w); got != tc.begins {
			t.Errorf("begins(%q) = %v, want %v", tc.w, got, tc.begins)
		}
		if got := suf.fits(tc.w); got != tc.ends {
			t.Errorf("ends(%q) = %v, want %v", tc.w, got, tc.ends)
		}
	}
}

// FuzzReadings runs the short-comment readings on any text: none panics,
// NotWritersCall is their disjunction, and a scare quote needs a quotation
// mark and a recruiters' noun.
func FuzzReadings(f *testing.F) {
	for _, s := range []string{
		"у нас в офисе свой \"халифат\"", "«халифат", "„джихад“ и «эмир»", "\"\"\"", "«»", "“”„“",
		"почему даиш называют даиш?", "мой дед воевал в 80-х", "опять хизб ут-тахрир", "isis tg bio", "\xff\"халифат\xfe\"", "\"a b c\" \"шам\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		words := Words(text)
		for _, w := range append(words, Token{Text: text}) { // the filed lists answer as a scan of the list would
			if got, want := calls.fits(w.Text), slices.ContainsFunc(callStems, func(p string) bool { return strings.HasPrefix(w.Text, p) }); got != want {
				t.Errorf("calls.fits(%q) = %v, a scan of callStems %v", w.Text, got, want)
			}
			if got, want := instructionEnds.fits(w.Text), slices.ContainsFunc(instructEndings, func(p string) bool { return strings.HasSuffix(w.Text, p) }); got != want {
				t.Errorf("instructionEnds.fits(%q) = %v, a scan of instructEndings %v", w.Text, got, want)
			}
		}
		anyReading := Condemning(text, words) || Mourning(text, words) || Recalling(text, words) || Teaching(text, words) ||
			Naming(text, words) || Remarking(text, words)
		if got := NotWritersCall(text, words); got != anyReading {
			t.Errorf("NotWritersCall(%q) = %v, the six readings %v", text, got, anyReading)
		}
		if scareQuoted(text) {
			if !strings.ContainsAny(text, "\"«“„") {
				t.Errorf("scareQuoted(%q) without a quotation mark", text)
			}
			lower := strings.ToLower(text)
			if !slices.ContainsFunc(causeStems, func(c string) bool { return strings.Contains(lower, c) }) {
				t.Errorf("scareQuoted(%q) without a recruiters' noun", text)
			}
		}
	})
}

// BenchmarkNotWritersCall reads every comment of two labelled sets (short
// ones mostly, where the readings run) as the tokenize stage does.
func BenchmarkNotWritersCall(b *testing.B) {
	var texts []string
	for _, name := range []string{"everyday11.jsonl", "named-blind.jsonl"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "recruitment", name))
		if err != nil {
			b.Fatal(err)
		}
		for line := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
			var d struct{ Body string }
			if err := json.Unmarshal([]byte(line), &d); err != nil {
				b.Fatal(err)
			}
			texts = append(texts, NormalizeText(d.Body))
		}
	}
	words := make([][]Token, len(texts))
	n := 0
	for i, t := range texts {
		words[i] = Words(t)
		n += len(t)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for range b.N {
		for i, t := range texts {
			NotWritersCall(t, words[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/comment")
}
