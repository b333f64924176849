package engine

import (
	"context"
	"slices"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

func recruits(v vigil.Verdict) bool {
	return slices.ContainsFunc(v.Flags, func(f vigil.Flag) bool { return f.Name == vigil.FlagExtremistRecruitment })
}

// flagCase is a comment and whether it must be sent to review as
// recruitment.
type flagCase struct {
	body string
	want bool
}

// checkRecruits runs each comment through the shipped engine and checks
// its recruitment flag.
func checkRecruits(t *testing.T, cases []flagCase) {
	t.Helper()
	ctx := context.Background()
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		v := e.Check(ctx, &vigil.Document{ID: "c", Kind: vigil.KindComment, Body: tc.body})
		if got := recruits(v); got != tc.want {
			t.Errorf("flagged %v, want %v: %q (flags %v)", got, tc.want, tc.body, v.Flags)
		}
	}
}

// TestReportedSpeechNotFlagged: a reader quoting a recruiter to warn others
// is not sent to review; a recruiter who quotes scripture and then calls
// is. The shipped head reads no reported speech (skip_reported).
func TestReportedSpeechNotFlagged(t *testing.T) {
	checkRecruits(t, []flagCase{
		{"они пишут 'брат, приезжай в Шам, всё оплачено, дом, жена, зарплата' — не верьте! там только смерть и яма", false},
		{"олар 'бауырым, Шамға кел, бәрі тегін' деп жазады. сенбеңдер! онда тек өлім", false},
		{"мне в инсте написали: \"брат, приезжай в Шам, всё оплачено, жильё, жена, зарплата\". скрин сделал и отнёс в КНБ", false},
		{"брат, приезжай в Шам, всё оплачено, дом, жена, зарплата. пиши в лс", true},
		{"«Кто умер, не дав присяги, тот умер смертью джахилии». Брат, подумай над этим хадисом. Пока не поздно, дай байат. Напиши мне в лс, объясню как", true},
	})
}

// TestCondemningNotFlagged: a short comment that calls a group gangsters
// or not Islam, and calls no one, is not sent to review for naming it; a
// recruiter who denies the name or answers the critics, and calls, is.
func TestCondemningNotFlagged(t *testing.T) {
	checkRecruits(t, []flagCase{
		{"ИГИЛ это банда убийц, а не ислам", false},
		{"ИГИЛ, ДАИШ, қалай атасаң да, бәрі бір террористік ұйым. жастарымыз абай болсын", false},
		{"ISIS, Daesh, whatever the name, it's a terrorist group. protect our kids", false},
		{"Мы не террористы, мы защитники уммы. Хочешь защищать — становись в наш строй.", true},
		{"вы называете их бандитами, а они единственные, кто живёт по шариату. ищите братьев, канал в профиле", true},
		{"ИГ_ИЛ не террористы, а настоящие мусульмане. кто хочет к ним — помогу связаться", true},
	})
}

// A comment that mourns the dead of a war in the words of its faith is not
// a call (pipeline.Mourning); martyrdom held out to the reader still is.
func TestMourningNotFlagged(t *testing.T) {
	checkRecruits(t, []flagCase{
		{"Пусть погибшие дети Газы будут шахидами в раю, иншаАллах", false},
		{"Алла рахмет етсин, жаткан жерлери жайлы болсын. шахиды Газы в раю иншаАллах", false},
		{"Халифат үшін қаза тапқандар жұмақта, солардың қатарында бол", true},
		{"may Allah accept the martyrs. their path is open to anyone who takes the first step. don't be late brothers, link in my bio", true},
	})
}
