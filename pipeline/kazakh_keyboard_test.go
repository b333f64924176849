package pipeline

import (
	"strings"
	"testing"
)

// TestRekazakh: Kazakh typed on a Russian keyboard gets its letters back;
// Russian, Russian naming Kazakh people and places, and Kazakh typed with
// its letters stay as written.
func TestRekazakh(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"everyday", "бауырым, сен сиякты жигиттер бизге керек. жумыс, уй, бари дайын",
			"бауырым, сен сияқты жігіттер бізге керек. жұмыс, үй, бәрі дайын"},
		{"recruiting", "кафир мемлекетке кызмет еткенше халифатта олген артык. бизге косыл, жеке жаз",
			"кафир мемлекетке қызмет еткенше халифатта өлген артық. бізге қосыл, жеке жаз"},
		{"an inflection the lexicon lacks follows its stem", "неге мектепте форманы жыл сайын озгертеди? акша басып шыгармайды гой",
			"неге мектепте форманы жыл сайын өзгертеді? ақша басып шыгармайды ғой"},
		{"a russian phrase inside stays", "бауыр, мусылманга бул кафир жерде жить нельзя, ол жакка кошу керек",
			"бауыр, мұсылманға бұл кафир жерде жить нельзя, ол жаққа көшу керек"},
		{"russian naming kazakh places stays", "аким костанайской области провел выездной прием граждан в аулиекольском районе",
			"аким костанайской области провел выездной прием граждан в аулиекольском районе"},
		{"russian with kazakh words stays", "клуб казак курес приглашает юношей, тренер мастер спорта",
			"клуб казак курес приглашает юношей, тренер мастер спорта"},
		{"a korean name stays", "ким чен ким.. ын это имя. а фамилия ким.", "ким чен ким.. ын это имя. а фамилия ким."},
		{"russian stays", "40-летняя канадка стала самой возрастной чемпионкой мира по фигурному катанию",
			"40-летняя канадка стала самой возрастной чемпионкой мира по фигурному катанию"},
		{"kazakh with its letters stays", "есірткі сататын телеграм-каналдарды жабу керек", "есірткі сататын телеграм-каналдарды жабу керек"},
		{"a loanword under a rare stem stays", "олимпиадада алтын алса екен, күрестен үміт бар", "олимпиадада алтын алса екен, күрестен үміт бар"},
		{"one bare word is not enough", "рахмет", "рахмет"},
		{"a comment's own words: then, says", "ИП-ларга салык кобейеди дейди, сосын бизнес кайдан оседи", "ип-ларга салық көбейеді дейді, сосын бизнес кайдан өседі"},
		{"no function word, half the words kazakh", "салем бауырлар, кайырлы кеш барине", "сәлем бауырлар, қайырлы кеш бәріне"},
		{"no function word, a russian headline with kazakh names stays", "аманжол кудайбергенов назначен акимом кызылординской области",
			"аманжол кудайбергенов назначен акимом кызылординской области"},
	} {
		if got := NormalizeText(tc.in); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestRekazakhSpan: a letter given back maps to the letter typed.
func TestRekazakhSpan(t *testing.T) {
	in := "Бауырлар, ЖИХАДКА косылындар, бизге жазындар"
	f := Normalize("body", in)
	i := strings.Index(f.Text, "жиһадқа")
	if i < 0 {
		t.Fatalf("text %q: no жиһадқа", f.Text)
	}
	if s, e := f.Span(i, i+len("жиһадқа")); in[s:e] != "ЖИХАДКА" {
		t.Errorf("span of жиһадқа = %q, want ЖИХАДКА", in[s:e])
	}
}
