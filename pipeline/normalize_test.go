package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	vigil "github.com/kz-newsroom/vigil"
)

func TestNormalizeText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"lower and yo", "Ёлка ЁЖ Вербовщики", "елка еж вербовщики"},
		{"kazakh letters", "ҚАЗАҚСТАН Әкімі ҰЛТТЫҚ", "қазақстан әкімі ұлттық"},
		{"nfkc", "ﬁnance №５ ½", "finance no5 1⁄2"},
		{"combining", "e\u0301 и\u0306", "é й"},
		{"zero width and soft hyphen", "вер\u200bбов\u00adщик\u200d\ufeff", "вербовщик"},
		{"white space", "  a \t b\u00a0c\r\n\n d  ", "a b c\nd"},
		{"latin look-alikes", "вcтyпaй в ВСТУПАЙ пpoпaгaндa", "вступай в вступай пропаганда"},
		{"digits as letters", "ДЖ1ХАД к00рдинатор 3ащита в3рыв с6ер6анк", "джихад координатор защита взрыв сбербанк"},
		{"4 as ч or а", "пе4ать л14ку ш4м х4лифа хиджр4 4лмате", "печать личку шам халифа хиджра алмате"},
		{"trailing digits", "п1ш1 хиджр4 гта4 россии1 ведьмака3 ил76", "пиши хиджра гта4 россии1 ведьмака3 ил76"},
		{"english look-alikes", "jоin the jіhаd, h1jr4h rеsident теlеgрам теlеgrам макsим соловьевlive", "join the jihad, hijrah resident телеграм telegram максим соловьевlive"},
		{"latin names with russian endings", "iPhoneа e-mailу Samsungом", "iphoneа e-mailу samsungом"},
		{"latin after a cyrillic letter latin lacks", "Дawla Дawlah ждёт, Шam, джuхaд, Жeкe жaз", "давла давлах ждет, шам, джихад, жеке жаз"},
		{"latin after a cyrillic look-alike stays latin", "Сola Хalifat", "cola xalifat"},
		{"look-alikes among english words", "it is freе, brothers іn syria wait for уоu", "it is free, brothers in syria wait for you"},
		{"latin names with russian endings among russian words", "купил iPhoneа, пиши на e-mailу, Скрепыш в Microsoft Officе", "купил iphoneа, пиши на e-mailу, скрепыш в microsoft officе"},
		{"english numbers stay", "mp3 win10 b2b x86 4k covid19 h5n1 lx450d l33t user@mail.com $5", "mp3 win10 b2b x86 4k covid19 h5n1 lx450d l33t user@mail.com $5"},
		{"symbols as letters", "вербовщ@к в$тупай джихад@", "вербовщак вступай джихад@"},
		{"greek look-alikes", "вступαй ΒСТΥΠΑЙ κнб αθήνα", "вступай вступай кнб αθήνα"},
		{"greek look-alikes in english", "give bαyαh, jοin us; Ελλάδα and Athens", "give bayah, join us; ελλάδα and athens"},
		{"bracketed letters", "вступай в (И)(Г)(И)(Л), the [j] [o] [i] [n] page", "вступай в игил, the join page"},
		{"brackets of lists and math stay", "варианты (а) и (б), f(x)(y), (1)(2)(3)", "варианты (а) и (б), f(x)(y), (1)(2)(3)"},
		{"! and | for i", "шах!д, ИГ|Л, j!h@d, s3ll!ng", "шахид, игил, jihad, selling"},
		{"! between words stays", "привет!как дела, yahoo!news, wow!!!", "привет!как дела, yahoo!news, wow!!!"},
		{"l and 1 for I among capitals", "ISlS, lSlS и 1SIS ждут", "isis, isis и isis ждут"},
		{"a group's name the lexicon lacks", "ISlL is back", "isil is back"},
		{"l among capitals and lower-case words stay", "SQLite, McLaren, HELLO, PlS, ALL, F1", "sqlite, mclaren, hello, pls, all, f1"},
		{"u for и in a cyrillic word", "Хuзб ут-Тахрuр, пиши в лuчку", "хизб ут-тахрир, пиши в личку"},
		{"kazakh 1 is і", "б1лім қ1зы", "білім қізы"},
		{"3 as е where the lexicon says so", "к3р3к, к3лің1здер, вс3 оплач3но, ра3ве пра3дник", "керек, келіңіздер, вс3 оплачено, разве праздник"},
		{"h in kazakh words: һ or н by the lexicon", "жиh4дқ4 кел, мемлекетіHің сағаH", "жиһадқа кел, мемлекетінің саған"},
		{"cyrillic letters foreign to ru and kk are latin", "Jоіn IЅIЅ in Ѕуrіа, ԁm me", "join isis in syria, dm me"},
		{"numbers stay", "10млн 3кг 2023г 40-летие 80 тысяч ведьмака3 Россия1 1человек 3года", "10млн 3кг 2023г 40-летие 80 тысяч ведьмака3 россия1 1человек 3года"},
		{"latin words stay", "iPhone Ulysmedia.kz @handle $100 email@mail.ru", "iphone ulysmedia.kz @handle $100 email@mail.ru"},
		{"mixed word with other latin stays", "iPhoneами", "iphoneами"},
		{"spaced letters", "в с т у п а й  в  д ж и х а д", "вступай в джихад"},
		{"spaced letters, one space between words", "в с т у п а й в д ж и х а д", "вступай в джихад"},
		{"spaced run ending in a preposition", "в с т у п а й к нам, брат", "вступай к нам, брат"},
		{"spaced phrase", "х и д ж р а в ш а м открыта", "хиджра в шам открыта"},
		{"spaced phrase, underscores", "х_и_д_ж_р_а в ш_а_м", "хиджра в шам"},
		{"spaced everyday phrase", "я в ш о к е", "я в шоке"},
		{"spaced word kept whole", "п р и с я г а", "присяга"},
		{"spaced name kept whole", "i s i s is recruiting", "isis is recruiting"},
		{"spaced English phrase", "j o i n u s", "join us"},
		{"dotted and dashed letters", "в.с.т.у.п.а.й и в-с-т-у-п-а-й", "вступай и вступай"},
		{"spaced with look-alikes", "в с т y п a й", "вступай"},
		{"three letters stay", "а и в дом С.Ш.А. а-б-в", "а и в дом с.ш.а. а-б-в"},
		{"three underscored letters", "х_и_д_ж_р_а в ш_а_м, в*с*е", "хиджра в шам, все"},
		{"initials stay", "В. В. Путин, т.е. С.Ш.А.", "в. в. путин, т.е. с.ш.а."},
		{"word cut by hyphens or underscores", "джи-хад, вер_бов_ка, хиджра в Ш-А-М", "джихад, вербовка, хиджра в шам"},
		{"hyphenated words stay", "из-за того кто-то поехал в Нур-Султан, ас-саляму алейкум, д-р Ли, бла-бла-бла, интернет-пропаганда",
			"из-за того кто-то поехал в нур-султан, ас-саляму алейкум, д-р ли, бла-бла-бла, интернет-пропаганда"},
		{"phrase glued with hyphens", "Братья,вступайте-в-ИГИЛ,пишите-в-личку, все-еще-жду-ответа", "братья,вступайте в игил,пишите в личку, все еще жду ответа"},
		{"edge digits the lexicon reads", "вступай в 1ГИЛ, 0тряд 3десь, дай 64йат, 61лет; 1человек 3года 4ого курса 6ро детей", "вступай в игил, отряд здесь, дай байат, билет; 1человек 3года 4ого курса 6ро детей"},
		{"cut word with an ending", "братья в ха.ли.фа.те, Хорас🏴анда күресіп жүр", "братья в халифате, хорасанда күресіп жүр"},
		{"hyphenated words with an ending stay", "бабу-ягу НАТО-ға Алма-Ате", "бабу-ягу нато-ға алма-ате"},
		{"stretched letters", "вступаааайте в джиииихад, класссно, дааааа, СССР", "вступайте в джихад, классно, да, ссср"},
		{"emoji inside a word", "вст🔥упайте в джи🙏хад, в Ш☪️ам, Я❤️Алматы", "вступайте в джихад, в шам, я❤алматы"},
		{"stress marks", "вступа́йте в джиха́д", "вступайте в джихад"},
		{"word cut by asterisks or dots", "муд*жа*хи*ды в ха.ли.фат", "муджахиды в халифат"},
		{"asterisk for a letter, sites and abbreviations stay", "с*ка х*р бл*дь авто.ру гос.услуги т.е.", "с*ка х*р бл*дь авто.ру гос.услуги т.е."},
		{"latin compounds stay", "face-to-face peer-to-peer 25-year-old 1-2-3 мимо-живу-5-лет", "face-to-face peer-to-peer 25-year-old 1-2-3 мимо-живу-5-лет"},
		{"english hyphenation stays", "co-ordinated re-elect two-and-a-half-hours join-the-brothers-in-sham al-qaeda",
			"co-ordinated re-elect two-and-a-half-hours join-the-brothers-in-sham al-qaeda"},
		{"phrase glued with underscores", "пиши_в_лс_брат, #join_the_caravan, pishi_v_lichku, dm_me_for_details",
			"пиши в лс брат, #join the caravan, pishi v lichku, dm me for details"},
		{"underscores of handles, addresses and code stay", "@abu_sham_of_the_north ivan_petrov_and_co@mail.kz abc1_the_best_of max_connections simon_sat",
			"@abu_sham_of_the_north ivan_petrov_and_co@mail.kz abc1_the_best_of max_connections simon_sat"},
		{"latin word cut", "the mu_ja_hi_deen, mu-ja-hi-deen, mu.ja.hi.deen, ji🔥had", "the mujahideen, mujahideen, mujahideen, jihad"},
		{"@ and $ inside a latin word", "sh@heed, i$lam, the c@ravan; ivan@mail.kz, 5$ and $5, user@host", "shaheed, islam, the caravan; ivan@mail.kz, 5$ and $5, user@host"},
		{"@ and $ in a group's name, inside or at its end", "the D@esh brothers, dae$h, Nusr@ needs you; mail me@ or info@", "the daesh brothers, daesh, nusra needs you; mail me@ or info@"},
		{"digits not joined", "1 2 3 4 5", "1 2 3 4 5"},
		{"html", "<p>Вербовщики &laquo;ИГИЛ&raquo;</p><script>var x = 1;</script><style>p{}</style><div>Ёлка&nbsp;&#1046;</div>", "вербовщики «игил»\nелка ж"},
		{"html br and comments", "Первая<br>вторая<!-- скрыто --> строка", "первая\nвторая строка"},
		{"html inline tags and unclosed svg", "<b>Вер</b>бовщик <svg>видно", "вербовщик видно"},
		{"html entity only", "Tom &amp; Jerry", "tom & jerry"},
		{"html evasions", "<p>в&nbsp;с&nbsp;т&nbsp;у&nbsp;п&nbsp;а&nbsp;й вс&shy;ту&#8203;пай в<b>с</b>тупай</p>", "вступай вступай вступай"},
		{"not html", "a < b > c && d", "a < b > c && d"},
		{"invalid utf8", "ab\xffcd", "ab\ufffdcd"},
		{"empty", "", ""},
		{"only space", " \n\t ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NormalizeText(tc.in); got != tc.want {
				t.Errorf("NormalizeText(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if f := Normalize("body", tc.in); f.Text != tc.want {
				t.Errorf("Normalize(%q).Text = %q, want %q", tc.in, f.Text, tc.want)
			}
		})
	}
}

// TestNormalizeSpan checks that words of the normalized text map back to
// exactly the original bytes that produced them, in plain text and HTML.
func TestNormalizeSpan(t *testing.T) {
	for _, tc := range []struct {
		name, in, word, want string
	}{
		{"plain", "Сообщил зампред КНБ Казахстана", "кнб", "КНБ"},
		{"look-alikes", "Давай, вcтyпaй к нам", "вступай", "вcтyпaй"},
		{"digits", "все в ДЖ1ХАД!", "джихад", "ДЖ1ХАД"},
		{"spaced", "ну в с т у п а й уже", "вступай", "в с т у п а й"},
		{"glued phrase", "вступайте-в-ИГИЛ", "в игил", "в-ИГИЛ"},
		{"cut word", "хиджра в Ш-А-М", "шам", "Ш-А-М"},
		{"stretched word", "все в джиииихад", "джихад", "джиииихад"},
		{"word cut by an emoji", "все в джи🔥хад", "джихад", "джи🔥хад"},
		{"stress mark", "все в джиха́д", "джихад", "джиха́д"},
		{"zero width inside", "вер\u200bбовщик", "вербовщик", "вер\u200bбовщик"},
		{"html", `<p class="lead">Заседание <b>РАТС&nbsp;ШОС</b></p>`, "ратс шос", "РАТС&nbsp;ШОС"},
		{"entity word", "<p>&laquo;Игил&raquo;</p>", "«игил»", "&laquo;Игил&raquo;"},
		{"nfkc ligature", "ﬁnal", "final", "ﬁnal"},
		{"yo", "Ёжик", "еж", "Ёж"},
		// Russian typed in Latin letters (translit.go)
		{"translit", "bratya, vstupaite v IGIL, pishite v lichku", "вступайте", "vstupaite"},
		{"translit capitals", "bratya, vstupaite v IGIL, pishite v lichku", "игил", "IGIL"},
		{"translit digraph at the end", "ne sidi doma, idi k nam, pishi v lichku", "пиши", "pishi"},
		{"translit shch", "vse ishchut pravdu, a ty chto ishchesh, brat", "ищут", "ishchut"},
		{"translit j as дж", "obsudim djihad i hijru v lichke", "хиджру", "hijru"},
		{"translit phrase", "bratya, vstupaite v IGIL, pishite v lichku", "пишите в личку", "pishite v lichku"},
		{"translit spaced", "ne sidi doma, v s t u p a i, brat, v dzhamaat", "вступай", "v s t u p a i"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Normalize("body", tc.in)
			i := strings.Index(f.Text, tc.word)
			if i < 0 {
				t.Fatalf("%q not in normalized %q", tc.word, f.Text)
			}
			s, e := f.Span(i, i+len(tc.word))
			if got := tc.in[s:e]; got != tc.want {
				t.Errorf("Span of %q = [%d,%d) %q, want %q", tc.word, s, e, got, tc.want)
			}
			ev := f.Evidence("r", i, i+len(tc.word))
			if ev.Text != tc.want || ev.Field != "body" {
				t.Errorf("Evidence = %+v", ev)
			}
		})
	}
}

func TestNormalizeUnchanged(t *testing.T) {
	in := "already normalized text, no changes."
	f := Normalize("title", in)
	if f.Text != in || f.segs != nil {
		t.Errorf("Text %q, map %v: want the original and no map", f.Text, f.segs != nil)
	}
	if s, e := f.Span(8, 18); in[s:e] != "normalized" {
		t.Errorf("Span = %q", in[s:e])
	}
}

// checkMap fails unless every byte of f.Text maps to a non-empty range of
// f.Original, in order (starts and ends never go back), and Span of every
// word lies inside the original.
func checkMap(t *testing.T, f Field) {
	t.Helper()
	if !utf8.ValidString(f.Text) {
		t.Fatalf("normalized text is not valid UTF-8: %q", f.Text)
	}
	if f.segs == nil && f.Text != f.Original {
		t.Fatalf("no map but text %q differs from original %q", f.Text, f.Original)
	}
	prevS, prevE := 0, 0
	for i := range len(f.Text) {
		s, e := f.Span(i, i+1)
		if s < prevS || e < prevE || s >= e || e > len(f.Original) {
			t.Fatalf("byte %d of %q maps to [%d,%d) after [%d,%d) (original %q)", i, f.Text, s, e, prevS, prevE, f.Original)
		}
		prevS, prevE = s, e
	}
	for _, w := range Words(f.Text) {
		s, e := f.Span(w.Start, w.End)
		if s < 0 || e > len(f.Original) || s >= e {
			t.Fatalf("word %q maps to [%d,%d)", w.Text, s, e)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"Вербовщики ВСТУПАЙ в ДЖ1ХАД, вcтyпaй! в с т у п а й",
		"<p>Вербовщики &laquo;ИГИЛ&raquo;</p><script>x</script><div>Ёлка&nbsp;</div>",
		"ﬁne e\u0301 soft\u00adhy\u200bphen", "a < b", "<", "&#x;", "<p", "<!--", "<a href='x'>y",
		"\xff\xfe", "в.с.т.у.п.а.й", "<![CDATA[x]]>", "\r\n\r\n", "б1лім",
		"х и д ж р а в ш а м", "я&nbsp;в ш о к е", "j o i n u s", "ш_а_м_и_л_ь",
		"bratya, vstupaite v IGIL, pishite v lichku", "ne sidi doma, v s t u p a i, brat, v dzhamaat",
		"<b>kto</b> hochet k bratyam? pishi @bratya_tut t.me/x", "horowo, piwi mne, obsudim djihad i hijru",
		"Братья,вступайте-в-ИГИЛ,пишите-в-личку", "муд*жа*хи*ды в ха.ли.фат, джи&#45;хад", "из-за-а-а Ш-А-М-1",
		"вст🔥уппппайте в джиии-хааад, Я❤️Алматы, бра́тья, ааааааааа", "👍🏽ш☪️а",
		"A'pkeler, shahi'dtin' u'lken Shamg'a jazyn'yz'' ''", "brat'ya den’gi ob'yasnyu 'dzhihad' ''a'", "ʼʼa'b'c'",
		"бауырлар, жихадка косылындар, жол акысы бизден", "калайсын? мен жаксымын", "шах!д j!h@d привет!как",
		"@abu_sham_kz #join_the_caravan mu_ja_hi_deen sh@heed_is_the_way a@b_c_d", "x_в_y_z-в-q",
		"(И)(Г)(И)(Л) (а) и (б) f(x)(y)", "bαyαh ωαr", "Ж|ХАД бр@тья", "(Д)(А)(И)(Ш) туралы",
		"Jоіn IЅIЅ in Ѕуrіа", "6ауырлар, жиh4дқ4 к3лің1здер", "мемлекетіHің ѕ ј ԁ ԛ ԝ", "Дawla Шam джuхaд Сola",
		"<p>x</p><p>Читайте также:</p><ul><li>a</li><li>b.</li></ul>", "Read also:\nRelated:\n\nсм. также",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fd := Normalize("body", s)
		checkMap(t, fd)
		if got := NormalizeText(s); got != fd.Text {
			t.Fatalf("NormalizeText %q != Normalize %q", got, fd.Text)
		}
		// unmask's shortcut (start at the first mixed word) changes nothing.
		ref := normalizer{scanAll: true}
		ref.run(s, false)
		if want, _, _ := ref.encode(len(s), false); want != fd.Text {
			t.Fatalf("with the mixed-word hint %q, scanning all %q", fd.Text, want)
		}
		// An article's body leaves lines out, and maps the rest the same way.
		art := NormalizeArticleBody(s)
		checkMap(t, art)
		if len(art.Text) > len(fd.Text) {
			t.Fatalf("an article's body %q is longer than the text %q", art.Text, fd.Text)
		}
		// Any span of the normalized text maps in order into the original.
		n := len(fd.Text)
		for _, sp := range [][2]int{{0, n}, {n / 3, n / 2}, {n / 2, n}, {0, 0}, {n, n}, {-1, n + 5}} {
			s0, e0 := fd.Span(sp[0], sp[1])
			if s0 < 0 || e0 < s0 || e0 > len(s) {
				t.Fatalf("Span(%d,%d) = [%d,%d) for original of %d bytes", sp[0], sp[1], s0, e0, len(s))
			}
		}
	})
}

// corpus returns the benchmark corpus documents (testdata/corpus).
func corpus(tb testing.TB) []vigil.Document {
	tb.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "corpus", "corpus.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var docs []vigil.Document
	dr := vigil.NewDocumentReader(f, 0)
	for {
		d, line, err := dr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("corpus line %d: %v", line, err)
		}
		docs = append(docs, d)
	}
	return docs
}

func corpusTexts(tb testing.TB) ([]string, int64) {
	var texts []string
	var size int64
	for _, d := range corpus(tb) {
		for _, s := range []string{d.Title, d.Body} {
			if s != "" {
				texts = append(texts, s)
				size += int64(len(s))
			}
		}
	}
	return texts, size
}

// TestNormalizeCorpus checks the map on every text of the benchmark corpus.
func TestNormalizeCorpus(t *testing.T) {
	texts, _ := corpusTexts(t)
	for _, s := range texts {
		checkMap(t, Normalize("body", s))
	}
}

func BenchmarkNormalize(b *testing.B) {
	texts, size := corpusTexts(b)
	benchTexts(b, texts, size, func(s string) { Normalize("body", s) })
}

// benchTexts runs f over texts (size bytes in all) in b's loop, with the
// CPU-time rates startCPU reports.
func benchTexts(b *testing.B, texts []string, size int64, f func(string)) {
	cpu := startCPU(b, size)
	for b.Loop() {
		for _, s := range texts {
			f(s)
		}
	}
	cpu.stop()
}

// BenchmarkNormalizeHTML is BenchmarkNormalize on the corpus's HTML
// bodies only (50 articles).
func BenchmarkNormalizeHTML(b *testing.B) {
	texts, size := corpusHTML(b)
	benchTexts(b, texts, size, func(s string) { Normalize("body", s) })
}

// corpusHTML returns the corpus's HTML bodies and their size in bytes.
func corpusHTML(b *testing.B) ([]string, int64) {
	all, _ := corpusTexts(b)
	var texts []string
	var size int64
	for _, s := range all {
		if looksLikeHTML(s) {
			texts = append(texts, s)
			size += int64(len(s))
		}
	}
	return texts, size
}

// BenchmarkNormalizeArticleBody is BenchmarkNormalizeHTML read as
// articles' bodies: the same work and the look for links to other stories
// at each line's start (dropRelated).
func BenchmarkNormalizeArticleBody(b *testing.B) {
	texts, size := corpusHTML(b)
	benchTexts(b, texts, size, func(s string) { NormalizeArticleBody(s) })
}

func BenchmarkNormalizeText(b *testing.B) {
	texts, size := corpusTexts(b)
	benchTexts(b, texts, size, func(s string) { NormalizeText(s) })
}

// BenchmarkPipelineCore runs the stages this package owns (normalize,
// tokenize, decide) over the corpus on the worker pool. The whole
// pipeline, with rules and models, is BenchmarkPipeline in cmd/vigil.
func BenchmarkPipelineCore(b *testing.B) {
	docs := corpus(b)
	var size int64
	for _, d := range docs {
		size += int64(len(d.Title) + len(d.Body))
	}
	p := New(Options{}, &NormalizeStage{}, &TokenizeStage{}, &Decide{})
	cpu := startCPU(b, size)
	for b.Loop() {
		p.CheckBatch(context.Background(), docs)
	}
	cpu.stop()
}

// TestFastNFKC checks the normalizer's fast path against norm: every rune
// it takes as is must be an NFKC starter that NFKC leaves alone, and one
// unit once read.
func TestFastNFKC(t *testing.T) {
	for r := rune(0x80); r <= 0xffff; r++ {
		if !isFastNFKC(r) {
			continue
		}
		s := string(r)
		if got := norm.NFKC.String(s); got != s {
			t.Errorf("fast rune %U: NFKC gives %q", r, got)
		}
		p := norm.NFKC.PropertiesString(s)
		if p.CCC() != 0 || !p.BoundaryBefore() {
			t.Errorf("fast rune %U is not a starter", r)
		}
		var n normalizer
		n.rune(r, 0, 1)
		if len(n.units) != 1 {
			t.Errorf("fast rune %U reads as %d units", r, len(n.units))
		}
	}
}

// cpuMeter reports a benchmark's throughput per CPU-second of the process
// (cpu-MB/s) next to the wall-clock MB/s: on a machine shared with other
// jobs the wall clock mostly measures the neighbours.
type cpuMeter struct {
	b     *testing.B
	size  int64
	start float64
}

func startCPU(b *testing.B, size int64) cpuMeter {
	b.SetBytes(size)
	b.ReportAllocs()
	return cpuMeter{b, size, cpuSeconds()}
}

func (m cpuMeter) stop() {
	if d := cpuSeconds() - m.start; d > 0 && m.start > 0 {
		m.b.ReportMetric(float64(m.size)*float64(m.b.N)/d/1e6, "cpu-MB/s")
	}
}

// TestUnmaskCorpus measures what undoing evasion rewrites in real text: the
// topics and comments corpora (../shared/data, skipped without them). Real
// mixed-script typing (вoзpacте) should be nearly all of it; if the rules
// start rewriting ordinary words or numbers, the share jumps.
func TestUnmaskCorpus(t *testing.T) {
	rewrites := map[string]int{}
	distinct := map[string]bool{}
	for _, name := range []string{"topics/train.jsonl", "toxicity/train.jsonl"} {
		path := filepath.Join("..", "..", "shared", "data", name)
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			t.Skipf("%s is absent: the corpora are not checked out beside the repository", path)
		}
		if err != nil {
			t.Fatal(err)
		}
		dr := vigil.NewDocumentReader(f, 0)
		for {
			d, _, err := dr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				continue
			}
			for _, s := range []string{d.Title, d.Body} {
				// the text before and after unmask
				var n normalizer
				n.mixed = -1
				n.read(s, 0, -1)
				n.trimSpace()
				n.join(s)
				before, _, _ := n.encode(len(s), false)
				n.mixed = 0
				n.unmask()
				after, _, _ := n.encode(len(s), false)
				bw, aw := Words(before), Words(after)
				for i := range bw {
					distinct[bw[i].Text] = true
					if i < len(aw) && bw[i].Text != aw[i].Text {
						rewrites[bw[i].Text+" → "+aw[i].Text]++
					}
				}
			}
		}
		f.Close()
	}
	share := float64(len(rewrites)) / float64(len(distinct))
	t.Logf("%d of %d distinct words rewritten (%.3f%%)", len(rewrites), len(distinct), 100*share)
	if testing.Verbose() {
		for k, c := range rewrites {
			t.Logf("%4d %s", c, k)
		}
	}
	if share > 0.005 {
		t.Errorf("unmask rewrites %.3f%% of distinct words, more than 0.5%%: look at the rewrites (-v)", 100*share)
	}
}

// TestNormalizeHTMLEscaped checks that a plain text and the same text as
// escaped HTML normalize alike, and that every word of the HTML version
// maps back to bytes of the HTML that spell the same word.
func TestNormalizeHTMLEscaped(t *testing.T) {
	texts, _ := corpusTexts(t)
	for _, s := range texts {
		if looksLikeHTML(s) {
			continue
		}
		h := "<div class=\"c\"><p>" + html.EscapeString(s) + "</p><script>var x = '<p>';</script></div>"
		plain, f := NormalizeText(s), Normalize("body", h)
		if plain != f.Text {
			t.Fatalf("plain and HTML differ:\n%q\n%q", plain, f.Text)
		}
		for _, w := range Words(f.Text) {
			s0, e0 := f.Span(w.Start, w.End)
			if got := NormalizeText(html.UnescapeString(h[s0:e0])); got != w.Text {
				t.Fatalf("word %q maps to %q in the HTML, which normalizes to %q", w.Text, h[s0:e0], got)
			}
		}
	}
}

// residualDisguise returns the first word of normalized text that still
// looks disguised: Cyrillic mixed with Latin letters or digits, or a run of
// three or more single letters.
func residualDisguise(text string) string {
	words := Words(text)
	single := 0
	for _, w := range words {
		cyr, other := 0, 0
		for _, r := range w.Text {
			switch {
			case isCyrillic(r):
				cyr++
			case r < 128 || greekLook(r) != 0:
				other++
			}
		}
		if cyr > 0 && other > 0 && !strings.ContainsRune(w.Text, '-') {
			return w.Text
		}
		if utf8.RuneCountInString(w.Text) == 1 {
			if single++; single >= 3 {
				return w.Text + " (spaced letters)"
			}
		} else {
			single = 0
		}
	}
	return ""
}

// TestDisguises measures how many of the disguised recruitment texts of
// the dev set (testdata/recruitment, written for Vigil) come out of the
// normalizer with no disguise left.
func TestDisguises(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "recruitment", "dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	n, clean := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var d struct {
			ID, Title, Body string
			Disguise        []string
		}
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Disguise) == 0 {
			continue
		}
		n++
		text := NormalizeText(d.Title + "\n" + d.Body)
		if w := residualDisguise(text); w != "" {
			t.Logf("%s %v: %q left in %q", d.ID, d.Disguise, w, text)
			continue
		}
		clean++
	}
	t.Logf("%d of %d disguised texts normalized clean", clean, n)
	if n == 0 || float64(clean) < 0.85*float64(n) {
		t.Errorf("%d of %d disguised texts normalized clean, want at least 85%%", clean, n)
	}
}

// TestNormalizeLargeReusesBuffer: normalizing one large document after
// another reuses the normalizer's buffer instead of allocating 12 bytes a
// byte each time (a stream of megabyte comments ran the garbage collector
// beside the ordinary checks; issue 14's hostile replay).
func TestNormalizeLargeReusesBuffer(t *testing.T) {
	var b strings.Builder
	for b.Len() < 900_000 {
		b.WriteString("жиһадқа шақырады вступай ")
	}
	doc := b.String()
	Normalize("body", doc) // warm the pool
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 3 {
		Normalize("body", doc)
	}
	runtime.ReadMemStats(&after)
	// The text and its map: a few bytes a byte; the buffer was 12 a byte.
	if got := after.TotalAlloc - before.TotalAlloc; got > uint64(3*6*len(doc)) {
		t.Errorf("3 normalizations of %d bytes allocated %d bytes; want the buffer reused", len(doc), got)
	}
}
