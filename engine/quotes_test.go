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

// TestReportedSpeechNotFlagged: a reader quoting a recruiter to warn others
// is not sent to review; a recruiter who quotes scripture and then calls
// is. The shipped head reads no reported speech (skip_reported).
func TestReportedSpeechNotFlagged(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body string
		want bool
	}{
		{"они пишут 'брат, приезжай в Шам, всё оплачено, дом, жена, зарплата' — не верьте! там только смерть и яма", false},
		{"олар 'бауырым, Шамға кел, бәрі тегін' деп жазады. сенбеңдер! онда тек өлім", false},
		{"мне в инсте написали: \"брат, приезжай в Шам, всё оплачено, жильё, жена, зарплата\". скрин сделал и отнёс в КНБ", false},
		{"брат, приезжай в Шам, всё оплачено, дом, жена, зарплата. пиши в лс", true},
		{"«Кто умер, не дав присяги, тот умер смертью джахилии». Брат, подумай над этим хадисом. Пока не поздно, дай байат. Напиши мне в лс, объясню как", true},
	} {
		v := e.Check(ctx, &vigil.Document{ID: "q", Kind: vigil.KindComment, Body: tc.body})
		if got := recruits(v); got != tc.want {
			t.Errorf("flagged %v, want %v: %q (flags %v)", got, tc.want, tc.body, v.Flags)
		}
	}
}
