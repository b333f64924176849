package pipeline

import (
	"strings"
	"testing"
)

// TestReportedSpeech: a reader quoting what someone else wrote or said is
// reported speech; a quote the writer speaks in (scripture, a sheikh, a
// citation after a dash), a word in scare quotes and an apostrophe are not.
func TestReportedSpeech(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // the quoted texts found, in order
	}{
		{"a verb of saying before", `они пишут "брат, приезжай в Шам, всё оплачено" — не верьте!`, []string{`"брат, приезжай в шам, все оплачено"`}},
		{"a verb of saying after", `'шейіт болсаң жетпіс туысыңды жұмаққа апарасың' дейді екен. сонда неге өздері бармайды?`, []string{`'шейіт болсаң жетпіс туысыңды жұмаққа апарасың'`}},
		{"guillemets, sent", `мне в ватсап прислали «Халифату нужны врачи, приезжай с семьей». отнесла в КНБ`, []string{`«халифату нужны врачи, приезжай с семьей»`}},
		{"english", `they literally write 'brother, come to Sham, everything paid' — don't believe it`, []string{`'brother, come to sham, everything paid'`}},
		{"a retort to a quote opening the comment", `"брат, приезжай в Шам" — брат, я до Шымкента доехать не могу`, []string{`"брат, приезжай в шам"`}},
		{"a laugh after a quote opening the comment", `«Дай байат и всё простится» 😂 звучит как реклама кредита`, []string{`«дай байат и все простится»`}},
		{"lol after a quote opening the comment", `"give bayah and all your sins are forgiven" lol sounds like a payday loan ad`, []string{`"give bayah and all your sins are forgiven"`}},
		{"a laugh in the middle is no report", `Брат, «дай байат и всё простится» 😂 пиши в лс`, nil},
		{"the one quoted named before a colon", `вербовщик: «джихад — обязанность каждого». ислам: почитай мать`, []string{`«джихад — обязанность каждого»`}},
		{"a message called spam", `Спам в директ: «Брат, ИГИЛ ждёт тебя». Брат, меня даже тёща не ждёт 😅`, []string{`«брат, игил ждет тебя»`}},
		{"scripture is the writer's voice", `Пророк сказал: «Кто умер, не дав присяги, умер смертью джахилии». Брат, дай байат, пиши`, nil},
		{"a sheikh is the writer's voice", `Как говорил шейх: "кто не с джамаатом — тот с шайтаном". Выбирай, брат`, nil},
		{"a citation after the dash", `"Whoever dies without a bay'ah dies a death of jahiliyyah" — Muslim. brother, pledge now`, nil},
		{"a quote with no one reporting it", `«Лучшая смерть — смерть шахида». Братья, не бойтесь, пишите в лс`, nil},
		{"scare quotes", `вступай в "джамаат", брат, пишут все`, nil},
		{"apostrophes inside words", `brat'ya, pishut mne den'gi, ob'yasnyu v lichke`, nil},
		{"an unclosed quote", `они пишут "брат, приезжай`, nil},
	} {
		f := Normalize("body", tc.in)
		f.Words = Words(f.Text)
		var got []string
		for _, s := range ReportedSpeech(f.Text, f.Words) {
			got = append(got, f.Text[s.Start:s.End])
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: %q\n got %q\nwant %q", tc.name, f.Text, got, tc.want)
		}
	}
}

// TestWithoutReported: the words inside reported speech are left out, the
// others kept in order, and the fields given are not modified.
func TestWithoutReported(t *testing.T) {
	f := Normalize("body", `мне написали "брат, приезжай в Шам" — заблокировал`)
	f.Words = Words(f.Text)
	f.Reported = ReportedSpeech(f.Text, f.Words)
	fields := []Field{f}
	out := WithoutReported(fields)
	var kept []string
	for _, w := range out[0].Words {
		kept = append(kept, w.Text)
	}
	if got, want := strings.Join(kept, " "), "мне написали заблокировал"; got != want {
		t.Errorf("kept %q, want %q", got, want)
	}
	if len(fields[0].Words) != 7 {
		t.Errorf("the field given has %d words, want 7", len(fields[0].Words))
	}
}

// BenchmarkReportedSpeechUnclosed: a long field of quote marks that never
// close costs each mark at most maxQuoteBytes, not the rest of the field.
func BenchmarkReportedSpeechUnclosed(b *testing.B) {
	text := strings.Repeat("«a ", 200_000)
	words := Words(text)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		ReportedSpeech(text, words)
	}
}
