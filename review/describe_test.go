package review

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// TestPageDescribesRules: the page explains what each rule found with the
// rule's description in the moderator's language, in the evidence list
// and in the marks' hover titles, and shows no rule id anywhere; a rule
// it has no description for is named by its group only.
func TestPageDescribesRules(t *testing.T) {
	s := openSQLiteTest(t, Config{})
	ts := newTestServer(t, s)
	body := "Брат, вступай в ряды моджахедов, пиши в личку"
	at := func(sub string) (int, int) {
		i := strings.Index(body, sub)
		return i, i + len(sub)
	}
	ev := func(rule, group, text string) vigil.Evidence {
		a, b := at(text)
		return vigil.Evidence{Rule: rule, Group: group, Field: vigil.FieldBody, Start: a, End: b, Text: text, Weight: 0.6}
	}
	d := vigil.Document{ID: "desc-1", Kind: vigil.KindComment, Lang: "ru", Body: body, Author: "a1"}
	v := vigil.Verdict{ID: d.ID, Action: vigil.ActionReview, Lang: "ru", Flags: []vigil.Flag{{Name: vigil.FlagExtremistRecruitment, Score: 0.97,
		Evidence: []vigil.Evidence{
			ev("recruit_x.ru.call_join", vigil.EvidenceRule, "вступай в ряды моджахедов"),
			ev("cue.ru.call", vigil.EvidenceCall, "вступай"),
			ev("recruit_x.ru.contact", vigil.EvidenceRule, "моджахедов, пиши в личку"),
			ev("local.undescribed", vigil.EvidenceRule, "Брат"),
		}}}}
	mustPut(t, s, d, v)

	b := newBrowser(t, ts)
	if r := b.do("POST", "/review/login", "application/x-www-form-urlencoded", "token=tok-mod1", map[string]string{"Origin": ts.URL}); r.status != http.StatusSeeOther {
		t.Fatalf("login = %d", r.status)
	}
	titles := regexp.MustCompile(`<mark class="[^"]*" title="([^"]*)">([^<]*)</mark>`)
	for _, tc := range []struct {
		lang, join, contact, call, ruleGroup string
	}{
		{"ru", "Призыв к читателю вступить", "Предложение написать в личку", "Призыв к действию", "сработало правило"},
		{"kk", "Оқырманды қосылуға шақыру", "Жеке жазуға шақыру", "Әрекетке шақыру", "іске қосылған ереже"},
		{"en", "A call to the reader to join", "An invitation to write privately", "A call to act", "rule that fired"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			r := b.do("GET", "/review/", "", "", map[string]string{"Accept-Language": tc.lang})
			if r.status != http.StatusOK {
				t.Fatalf("queue page = %d", r.status)
			}
			page := string(r.body)
			for _, id := range []string{"recruit_x", "cue.ru", "local.undescribed"} {
				if strings.Contains(page, id) {
					t.Errorf("the page shows the rule id %q", id)
				}
			}
			why := regexp.MustCompile(`(?s)<ul class="ev-why">(.*?)</ul>`).FindAllStringSubmatch(page, -1)
			var listed string
			for _, m := range why {
				listed += html.UnescapeString(m[1])
			}
			for _, want := range []string{tc.join, tc.contact, tc.call} {
				if !strings.Contains(listed, want) {
					t.Errorf("evidence list lacks %q:\n%s", want, listed)
				}
			}
			hints := map[string]string{}
			for _, m := range titles.FindAllStringSubmatch(page, -1) {
				hints[html.UnescapeString(m[2])] = html.UnescapeString(m[1])
			}
			// "вступай" is covered by the call cue and the join rule.
			if h := hints["вступай"]; !strings.Contains(h, tc.call) || !strings.Contains(h, tc.join) {
				t.Errorf("hover title of the call %q lacks both descriptions", h)
			}
			if h := hints[", пиши в личку"]; !strings.Contains(h, tc.contact) || strings.Contains(h, tc.join) {
				t.Errorf("hover title %q: want only the contact rule's description", h)
			}
			if h := hints["Брат"]; h != tc.ruleGroup {
				t.Errorf("a rule without a description: hover title %q, want the group %q alone", h, tc.ruleGroup)
			}
		})
	}
}

// TestDescribeOption: a deployment's own descriptions (HandlerOptions.
// Describe) replace the embedded ones.
func TestDescribeOption(t *testing.T) {
	segs := HighlightGroups("пиши мне", vigil.FieldBody, []vigil.Evidence{{Rule: "local.r", Field: vigil.FieldBody, Start: 0, End: len("пиши мне")}})
	got := segmentViews(segs, trs["kk"], func(rule, lang string) string { return rule + "/" + lang })
	if len(got) != 1 || got[0].Hint != "іске қосылған ереже: local.r/kk" {
		t.Fatalf("segments %+v", got)
	}
	if d := EmbeddedDescriptions("rec.ru.join", "kk"); d == "" || d == EmbeddedDescriptions("rec.ru.join", "ru") {
		t.Fatalf("embedded Kazakh description %q", d)
	}
	if d := EmbeddedDescriptions("no.such.rule", "ru"); d != "" {
		t.Fatalf("an unknown rule is described as %q", d)
	}
	// A rule described in English only (a topic rule's note for editors)
	// is not described on a Russian page: no mixed languages.
	for id, d := range embeddedDescriptions() {
		if d["en"] != "" && d["ru"] == "" {
			if got := EmbeddedDescriptions(id, "ru"); got != "" {
				t.Errorf("%s in Russian: %q, want none", id, got)
			}
		}
	}
}
