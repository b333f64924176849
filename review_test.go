package vigil

import (
	"testing"
	"time"
)

func TestContentHash(t *testing.T) {
	base := Document{ID: "c-1", Kind: KindComment, Lang: "ru", Title: "t", Body: "вступай", Author: "a", Section: "s"}
	h := ContentHash(&base)
	if len(h) != 64 {
		t.Fatalf("hash %q is not hex SHA-256", h)
	}
	same := base
	same.ID, same.URL, same.PublishedAt, same.Tags = "other-id", "https://x", "2026-11-28", []string{"security"}
	if ContentHash(&same) != h {
		t.Error("id, URL, date or gold tags changed the content hash")
	}
	for name, edit := range map[string]func(d *Document){
		"body":    func(d *Document) { d.Body += "!" },
		"title":   func(d *Document) { d.Title = "T" },
		"author":  func(d *Document) { d.Author = "b" },
		"section": func(d *Document) { d.Section = "x" },
		"kind":    func(d *Document) { d.Kind = KindArticle },
		"lang":    func(d *Document) { d.Lang = "kk" },
		// Moving bytes between fields must not collide.
		"boundary": func(d *Document) { d.Title, d.Body = "tв", "ступай" },
	} {
		d := base
		edit(&d)
		if ContentHash(&d) == h {
			t.Errorf("changing %s kept the hash", name)
		}
	}
}

func TestReviewSeverity(t *testing.T) {
	rule := []Evidence{{Rule: "recruit.call", Group: EvidenceRule, Text: "вступай"}}
	call := []Evidence{{Rule: "call", Group: EvidenceCall, Text: "вступай"}}
	cause := []Evidence{{Rule: "cause", Group: EvidenceCause, Text: "джихад"}}
	model := []Evidence{{Feature: "шам", Group: EvidenceModel, Weight: 0.3}}
	cases := []struct {
		name  string
		flags []Flag
		want  float64
		level string
	}{
		{"none", nil, 0, SeverityLow},
		{"toxic, model only", []Flag{{Name: FlagToxic, Score: 0.7}}, 0.35, SeverityLow},
		{"toxic, sure", []Flag{{Name: FlagToxic, Score: 0.9}}, 1.45, SeverityMedium},
		{"toxic, sure, with a rule", []Flag{{Name: FlagToxic, Score: 0.96, Evidence: rule}}, 2.48, SeverityHigh},
		{"recruitment, model alone, low score", []Flag{{Name: FlagExtremistRecruitment, Score: 0.3, Evidence: model}}, 0.65, SeverityLow},
		{"recruitment, a call alone", []Flag{{Name: FlagExtremistRecruitment, Score: 0.3, Evidence: call}}, 1.65, SeverityMedium},
		{"recruitment, sure, model alone", []Flag{{Name: FlagExtremistRecruitment, Score: 0.9, Evidence: model}}, 1.95, SeverityMedium},
		{"recruitment, sure, call and cause", []Flag{{Name: FlagExtremistRecruitment, Score: 0.9, Evidence: append(call, cause...)}}, 2.95, SeverityHigh},
		{"recruitment, sure, a rule (no group: older verdicts)", []Flag{{Name: FlagExtremistRecruitment, Score: 0.8, Evidence: []Evidence{{Rule: "r"}}}}, 2.9, SeverityHigh},
		{"recruitment outranks toxic in a level", []Flag{{Name: FlagToxic, Score: 0.99}, {Name: FlagExtremistRecruitment, Score: 0.2, Evidence: call}}, 1.6, SeverityMedium},
		{"a higher level wins", []Flag{{Name: FlagToxic, Score: 0.99}, {Name: FlagExtremistRecruitment, Score: 0.2, Evidence: model}}, 1.495, SeverityMedium},
		{"clamped", []Flag{{Name: FlagExtremistRecruitment, Score: 7, Evidence: rule}, {Name: FlagToxic, Score: -1}}, 2.9999995, SeverityHigh},
	}
	for _, tc := range cases {
		got := ReviewSeverity(&Verdict{Flags: tc.flags})
		if d := got - tc.want; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if l := SeverityLevel(got); l != tc.level {
			t.Errorf("%s: level %s, want %s", tc.name, l, tc.level)
		}
	}
}

func TestReviewItemOpenState(t *testing.T) {
	until := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	it := ReviewItem{Status: ReviewPending, ClaimedBy: "a", LeaseUntil: &until, CorrectedTags: []string{"x"}}
	for status, open := range map[string]bool{ReviewPending: true, ReviewEscalated: true, ReviewApproved: false, ReviewRejected: false, ReviewSuperseded: false} {
		it.Status = status
		if it.Open() != open {
			t.Errorf("%s: Open() = %v", status, !open)
		}
	}
	st := it.State()
	if st.ClaimedBy != "a" || st.LeaseUntil != &until || st.CorrectedTags[0] != "x" {
		t.Errorf("State() = %+v", st)
	}
}
