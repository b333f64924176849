package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// TestEverydayReligiousSpeechIsNeverFlagged is the fairness test: no text of
// testdata/recruitment/ordinary-religious.jsonl (greetings, prayers,
// condolences, holiday wishes, mosque and church life, pious Quran and
// hadith quotes in ru, kk and en, written blind for this purpose) may raise
// the recruitment flag on the shipped models and rules. Ordinary Muslim
// speech in a review queue is bias, not caution.
func TestEverydayReligiousSpeechIsNeverFlagged(t *testing.T) {
	set := filepath.Join("..", "..", "testdata", "recruitment", "ordinary-religious.jsonl")
	code, stdout, stderr := runCmd(t, "", "classify", set)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	vs := verdicts(t, stdout)
	if len(vs) < 300 {
		t.Fatalf("%d verdicts, want the whole set (at least 300)", len(vs))
	}
	for _, v := range vs {
		for _, f := range v.Flags {
			if f.Name == vigil.FlagExtremistRecruitment {
				t.Errorf("%s flagged, score %.3f, evidence %s", v.ID, f.Score, evidenceText(f.Evidence))
			}
		}
	}
}

// TestClosenessAloneNeverRaisesTheFlag checks the words the recruitment
// model does not read (models/recruitment/neutral.txt) alone and together:
// an address, a call to write, a religious word or a greeting, however
// many of them, is no evidence of recruitment.
func TestClosenessAloneNeverRaisesTheFlag(t *testing.T) {
	texts := []string{
		"брат", "братья", "Брат, ты прав", "brother, you are right", "Бауырым, дұрыс айтасың",
		"Жұма намазына барайық, бауырлар.", "Держитесь, братья", "Аллах акбар", "пиши", "пиши мне",
		"Брат, пиши мне в личку", "Ассаляму алейкум, братья и сестры, Аллах акбар!", "Иншалла, брат",
		"Сестра, напиши мне", "bro dm me", "Brother, inshallah, pray for us", "Бауырлар, жазыңдар маған",
		"Ты, ты, ты, брат, брат, пиши, пиши", "Алла сақтасын, бауырым", "Салам алейкум, братишка, пиши",
	}
	wantAction(t, texts, vigil.ActionAllow)
}

// TestWarningsAndCorrectionsAreNotFlagged: readers who name a group to
// warn others off it ("не ведитесь", "алданбаңдар", "don't write it") or
// to tell the editors how to write its name ("Пишите нормально") give no
// call to the group, and no such comment may go to review. Each of these
// was sent to review before calls negated and words on how to write were
// read as such (pipeline.voided).
func TestWarningsAndCorrectionsAreNotFlagged(t *testing.T) {
	texts := []string{
		"Жастар, әдемі видеоларға алданбаңдар. ИГИЛ-дің артында тек өлім мен түрме бар.",
		"Жастар, «Сирияда жұмыс бар» дегенге сенбеңдер, бұл ИГИЛ-дің торы.",
		"Правильно «Хизб ут-Тахрир», а не «Хизбут-Тахрир» и не «хизбуты». Пишите нормально, вы же СМИ",
		"Дұрыс жазыңыздар: ДАИШ па, ИГИЛ ме, әлде Исламдық мемлекет пе? Бір мақалада үшеуі.",
		// how to write, a word between; what a reader asks the editors
		"Даиш, Игил — пишите уже одинаково",
		"Кто такие Хизб ут-Тахрир? Объясните нормально",
	}
	wantAction(t, texts, vigil.ActionAllow)
}

// wantAction classifies texts as comments and checks that each verdict's
// action is want.
func wantAction(t *testing.T, texts []string, want string) {
	t.Helper()
	for i, v := range classifyComments(t, texts) {
		if v.Action != want {
			t.Errorf("%q: action %s, want %s, flags %+v", texts[i], v.Action, want, v.Flags)
		}
	}
}

// classifyComments runs `vigil classify` on texts as comments and returns
// their verdicts, in order.
func classifyComments(t *testing.T, texts []string) []vigil.Verdict {
	t.Helper()
	return classifyCommentsIn(t, "", texts)
}

// classifyCommentsIn is classifyComments with the documents' lang set to
// lang ("": none given).
func classifyCommentsIn(t *testing.T, lang string, texts []string) []vigil.Verdict {
	t.Helper()
	var in strings.Builder
	for i, s := range texts {
		if lang == "" {
			fmt.Fprintf(&in, `{"id":"t%d","kind":"comment","body":%q}`+"\n", i, s)
		} else {
			fmt.Fprintf(&in, `{"id":"t%d","kind":"comment","lang":%q,"body":%q}`+"\n", i, lang, s)
		}
	}
	code, stdout, stderr := runCmd(t, in.String(), "classify")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	return verdicts(t, stdout)
}

func evidenceText(ev []vigil.Evidence) string {
	var parts []string
	for _, e := range ev {
		parts = append(parts, e.Group+":"+e.Text)
	}
	return strings.Join(parts, " | ")
}

// TestDeclaredLanguageDoesNotHideACall: a CMS may send every comment with
// its site's language. A Kazakh or English call sent as Russian (or a
// Russian one as English) must still reach review: the rules and the flag
// heads read the language the text is written in as well as the one given.
// Before, "Жиһадқа қосылыңдар…" sent as ru scored 0.06 and "ISIS needs you,
// DM me" 0.17: no Kazakh or English rule applied.
func TestDeclaredLanguageDoesNotHideACall(t *testing.T) {
	for lang, texts := range map[string][]string{
		"ru": {"Жиһадқа қосылыңдар, бауырлар, личкаға жазыңдар", "ИГИЛге қосылыңдар", "ISIS needs you, DM me"},
		"en": {"вступайте в ИГИЛ"},
		"kk": {"ISIS needs you, DM me"},
	} {
		for i, v := range classifyCommentsIn(t, lang, texts) {
			if v.Action != vigil.ActionReview || v.Lang != lang {
				t.Errorf("%q sent as %s: action %s, lang %s", texts[i], lang, v.Action, v.Lang)
			}
		}
	}
}

// TestShortCallsAreFlagged is the other side of the length rule: a short
// comment is little evidence for the text model, but one a recruitment rule
// fires on (a call to join next to jihad or a banned organization) goes to
// review however short it is. Before the head counted the model in full on
// such texts (flag.yaml ruled_in_full), "вступайте в ИГИЛ" scored 0.40
// against a threshold of 0.38 and the Kazakh call below 0.31.
func TestShortCallsAreFlagged(t *testing.T) {
	texts := []string{
		"Братья, вступайте в джихад, пишите в личку", "Братья, вступайте в джихад", "вступайте в ИГИЛ",
		"Join the jihad brothers, DM me", "Жиһадқа қосылыңдар, бауырлар, личкаға жазыңдар",
	}
	wantAction(t, texts, vigil.ActionReview)
}

// TestRemarksOnAGroupStayPublished: readers under news of an arrest or a
// trial name the group ("Опять Хизб ут-Тахрир, сколько можно" scored 0.97
// before pipeline.Remarking); a recruiter who names it tells the reader
// where to reach him, and that keeps the comment his.
func TestRemarksOnAGroupStayPublished(t *testing.T) {
	remarks := []string{
		"Опять Хизб ут-Тахрир, сколько можно.",
		"Чем Аль-Каида отличается от ИГИЛ? Серьёзно спрашиваю, всегда путал.",
		"Not every guy with a beard is ISIS. Stop it.",
		"Тағы да Хизб ут-Тахрир. Қашан таусылады бұлар?",
	}
	calls := []string{
		"братва, ИГИЛ не сдох, кто на движ — контакты в био",
		"Хизбут-Тахрирге мүше болғың келсе, жұмадан кейін мешіттің алдында күтемін.",
	}
	vs := classifyComments(t, append(slices.Clone(remarks), calls...))
	for i, v := range vs {
		if want := i >= len(remarks); (v.Action == vigil.ActionReview) != want {
			t.Errorf("%q: action %s, want review %v", append(remarks, calls...)[i], v.Action, want)
		}
	}
}
