package pipeline

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"

	vigil "github.com/kz-newsroom/vigil"
)

func wordTexts(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
	}
	return out
}

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"guillemets", "«активная диджитализация», - сообщил", []string{"активная", "диджитализация", "сообщил"}},
		{"dashes", "москва—астана 2023–2024 – сказал он", []string{"москва", "астана", "2023", "2024", "сказал", "он"}},
		{"hyphenated words", "интернет-пропаганда из-за кое-что", []string{"интернет-пропаганда", "из-за", "кое-что"}},
		{"kazakh letters", "қазақстан әкімі ұлттық ғылым өңір үшін һәм білім", []string{"қазақстан", "әкімі", "ұлттық", "ғылым", "өңір", "үшін", "һәм", "білім"}},
		{"numbers", "3.14 и 1,5 млн, 80 тысяч.", []string{"3.14", "и", "1,5", "млн", "80", "тысяч"}},
		{"apostrophes", "don't д'артаньян", []string{"don't", "д'артаньян"}},
		{"punctuation", "(шос), [кнб]; «игил»! ...", []string{"шос", "кнб", "игил"}},
		{"trailing hyphen", "пре- и пост-", []string{"пре", "и", "пост"}},
		{"domain", "ulysmedia.kz", []string{"ulysmedia", "kz"}},
		{"empty", "", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toks := Words(tc.in)
			if got := wordTexts(toks); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Words(%q) = %q, want %q", tc.in, got, tc.want)
			}
			for _, tok := range toks {
				if tc.in[tok.Start:tok.End] != tok.Text {
					t.Errorf("token %q has span [%d,%d) = %q", tok.Text, tok.Start, tok.End, tc.in[tok.Start:tok.End])
				}
			}
		})
	}
}

func TestSentences(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"simple", "первое предложение. второе! третье? четвертое",
			[]string{"первое предложение.", "второе!", "третье?", "четвертое"}},
		{"initials", "в. в. путин приехал в астану. встреча прошла",
			[]string{"в. в. путин приехал в астану.", "встреча прошла"}},
		{"abbreviations", "в 2023 г. выявлено 80 тыс. человек, т.е. много. и т.д. дальше",
			[]string{"в 2023 г. выявлено 80 тыс. человек, т.е. много.", "и т.д.", "дальше"}},
		{"quotes", "«это угроза», - сказал он. «мы готовы.» далее",
			[]string{"«это угроза», - сказал он.", "«мы готовы.»", "далее"}},
		{"line breaks", "заголовок\nпервый абзац\n\nвторой абзац",
			[]string{"заголовок", "первый абзац", "второй абзац"}},
		{"numbers and domains", "ставка 3.14 процента на ulysmedia.kz сегодня.",
			[]string{"ставка 3.14 процента на ulysmedia.kz сегодня."}},
		{"ellipsis", "ну... посмотрим?! да", []string{"ну...", "посмотрим?!", "да"}},
		{"kazakh", "2023 ж. қазақстанда өтті. келесі жылы", []string{"2023 ж. қазақстанда өтті.", "келесі жылы"}},
		{"space only", "  \n ", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, s := range Sentences(tc.in) {
				got = append(got, tc.in[s.Start:s.End])
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func checkTokens(t *testing.T, text string) {
	t.Helper()
	end := 0
	for _, w := range Words(text) {
		if w.Start < end || w.End <= w.Start || w.End > len(text) || text[w.Start:w.End] != w.Text {
			t.Fatalf("word %q at [%d,%d) after %d in %q", w.Text, w.Start, w.End, end, text)
		}
		if !utf8.ValidString(w.Text) && utf8.ValidString(text) {
			t.Fatalf("word %q splits a rune", w.Text)
		}
		end = w.End
	}
	end = 0
	for _, s := range Sentences(text) {
		if s.Start < end || s.End <= s.Start || s.End > len(text) {
			t.Fatalf("sentence [%d,%d) after %d in %q", s.Start, s.End, end, text)
		}
		end = s.End
	}
	end = 0
	for _, q := range ReportedSpeech(text, Words(text)) {
		if q.Start < end || q.End <= q.Start || q.End > len(text) || !utf8.RuneStart(text[q.Start]) ||
			q.End < len(text) && !utf8.RuneStart(text[q.End]) {
			t.Fatalf("reported speech [%d,%d) after %d in %q", q.Start, q.End, end, text)
		}
		end = q.End
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		"«активная диджитализация», - сообщил зампред кнб. в. в. путин",
		"интернет-пропаганда 3.14 1,5 т.е. и т.д. ж.", "...", "-a-", "'", "a.b.c.",
		"\xff.\xfe", "қазақстан әкімі", "!?…»", "\n\n.",
		`они пишут "брат, приезжай в шам" — не верьте`, `"a b c" — x y`, "«'»", `'x' деп '`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkTokens(t, s)
		checkTokens(t, NormalizeText(s))
	})
}

func TestTokenizeStage(t *testing.T) {
	doc := &vigil.Document{ID: "x", Title: "Заголовок", Body: "<p>Первое предложение.</p><p>Второе «предложение»</p>"}
	it := &Item{Doc: doc}
	ctx := context.Background()
	if err := (&NormalizeStage{}).Process(ctx, it); err != nil {
		t.Fatal(err)
	}
	if err := (&TokenizeStage{}).Process(ctx, it); err != nil {
		t.Fatal(err)
	}
	if len(it.Fields) != 2 || it.Fields[0].Name != vigil.FieldTitle || it.Fields[1].Name != vigil.FieldBody {
		t.Fatalf("fields %+v", it.Fields)
	}
	body := it.Fields[1]
	if got := strings.Join(wordTexts(body.Words), " "); got != "первое предложение второе предложение" {
		t.Errorf("body words %q", got)
	}
	if len(body.Sentences) != 2 {
		t.Errorf("body sentences %v", body.Sentences)
	}
	if it.Lang != vigil.LangRussian {
		t.Errorf("lang %q", it.Lang)
	}
	// The last word maps back into the HTML.
	w := body.Words[len(body.Words)-1]
	if ev := body.Evidence("r", w.Start, w.End); ev.Text != "предложение" || doc.Body[ev.Start-len("«"):ev.Start] != "«" {
		t.Errorf("evidence %+v", ev)
	}
}

func TestNormalizeStageKeepsLang(t *testing.T) {
	it := &Item{Doc: &vigil.Document{ID: "x", Body: "Қазақстан Республикасы"}, Lang: vigil.LangRussian}
	(&NormalizeStage{}).Process(context.Background(), it)
	if it.Lang != vigil.LangRussian || it.Detected != vigil.LangKazakh {
		t.Errorf("lang %q, detected %q: a given language must be kept, the text's noted beside it", it.Lang, it.Detected)
	}
	it = &Item{Doc: &vigil.Document{ID: "x", Body: "Қазақстан Республикасы"}}
	(&NormalizeStage{}).Process(context.Background(), it)
	if it.Lang != vigil.LangKazakh || it.Detected != "" {
		t.Errorf("lang %q, detected %q, want kk and none", it.Lang, it.Detected)
	}
	it = &Item{Doc: &vigil.Document{ID: "x", Body: "Казахстан и Россия"}, Lang: vigil.LangRussian}
	(&NormalizeStage{}).Process(context.Background(), it)
	if it.Detected != "" {
		t.Errorf("detected %q: a text that reads as the given language notes none", it.Detected)
	}
}

func normalizedCorpus(b *testing.B) ([]string, int64) {
	texts, size := corpusTexts(b)
	for i, s := range texts {
		texts[i] = NormalizeText(s)
	}
	return texts, size
}

func BenchmarkWords(b *testing.B) {
	texts, size := normalizedCorpus(b)
	cpu := startCPU(b, size)
	for b.Loop() {
		for _, s := range texts {
			Words(s)
		}
	}
	cpu.stop()
}

// BenchmarkWordsProse is prose's word tokenizer on the same text, for the
// comparison in tokenize.go.
func BenchmarkWordsProse(b *testing.B) {
	texts, size := normalizedCorpus(b)
	cpu := startCPU(b, size)
	for b.Loop() {
		for _, s := range texts {
			doc, err := prose.NewDocument(s, prose.WithTagging(false), prose.WithSegmentation(false), prose.WithExtraction(false))
			if err != nil {
				b.Fatal(err)
			}
			_ = doc.Tokens()
		}
	}
	cpu.stop()
}

// TestProseTokenizer records why prose's tokenizer is not used: it keeps
// guillemets on Russian words and gives no offsets.
func TestProseTokenizer(t *testing.T) {
	doc, err := prose.NewDocument("«Активная диджитализация» — сообщил", prose.WithTagging(false), prose.WithSegmentation(false), prose.WithExtraction(false))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tok := range doc.Tokens() {
		got = append(got, tok.Text)
	}
	if want := []string{"«Активная", "диджитализация»", "—", "сообщил"}; !reflect.DeepEqual(got, want) {
		t.Errorf("prose now tokenizes as %q, not %q: if it handles guillemets and gives offsets, reconsider using it (tokenize.go)", got, want)
	}
}

func BenchmarkSentences(b *testing.B) {
	texts, size := normalizedCorpus(b)
	cpu := startCPU(b, size)
	for b.Loop() {
		for _, s := range texts {
			Sentences(s)
		}
	}
	cpu.stop()
}
