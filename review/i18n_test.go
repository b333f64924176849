package review

import (
	"io/fs"
	"net/http/httptest"
	"os"
	"regexp"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/models"
)

// TestCatalogsComplete: every string the templates, the page's Go code and
// its data (statuses, kinds, flags, actions, roles) show has a Russian and
// a Kazakh translation.
func TestCatalogsComplete(t *testing.T) {
	keys := map[string]bool{}
	lit := regexp.MustCompile(`\bT "((?:[^"\\]|\\.)*)"|\.T\("((?:[^"\\]|\\.)*)"`)
	add := func(b []byte) {
		for _, m := range lit.FindAllSubmatch(b, -1) {
			keys[string(m[1])+string(m[2])] = true
		}
	}
	if err := fs.WalkDir(assets, "assets", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, path)
		add(b)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"web.go", "i18n.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		add(b)
	}
	for _, k := range []string{
		// shown from data
		vigil.SeverityLow, vigil.SeverityMedium, vigil.SeverityHigh,
		"call to act", "cause, destination or organization", "rule that fired", "the model's words (not a rule)",
		"open", vigil.ReviewPending, vigil.ReviewClaimed, vigil.ReviewEscalated, vigil.ReviewApproved, vigil.ReviewRejected, vigil.ReviewSuperseded,
		"any flag", vigil.FlagExtremistRecruitment, vigil.FlagToxic, "any kind", "comments", "articles", vigil.KindComment, vigil.KindArticle,
		"any age", "older than 1 h", "older than 6 h", "older than 1 day", vigil.FieldTitle, vigil.FieldBody,
		"approve", "reject", "escalate", "undo", "enqueue", "supersede", "claim", "release", "expire", string(vigil.RoleModerator), string(vigil.RoleAdmin),
		"Review queue", "Log in", "Audit log", "Webhooks", "Unknown token.", "No such page.", "No such file.", "Cross-site login refused.",
		"Login is not configured on this server (no moderator tokens).", "This token's role may not work the review queue.",
		"Bad Request", "Unauthorized", "Forbidden", "Not Found", "Internal Server Error", "Service Unavailable",
	} {
		keys[k] = true
	}
	// Every tag of the shipped taxonomy is shown by its name in the page's
	// language.
	raw, err := models.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	tax, err := models.ParseTaxonomy(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range tax.Tags {
		if tag.ShownAs == "" { // a second model output never reaches a verdict under its name
			keys[tag.Name] = true
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d strings: is the pattern still right?", len(keys))
	}
	for _, lang := range []string{"ru", "kk"} {
		for k := range keys {
			if _, ok := catalogs[lang][k]; !ok {
				t.Errorf("%s catalog lacks %q", lang, k)
			}
		}
	}
}

func TestPageLang(t *testing.T) {
	for _, tc := range []struct{ name, cookie, accept, want string }{
		{"nothing", "", "", "en"},
		{"russian browser", "", "ru-RU,ru;q=0.9,en;q=0.8", "ru"},
		{"kazakh browser", "", "kk-KZ,kk;q=0.9,ru;q=0.8", "kk"},
		{"russian in Kazakhstan", "", "ru-KZ", "ru"},
		{"unsupported falls back", "", "de-DE,de;q=0.9", "en"},
		{"english first", "", "en-US,ru;q=0.5", "en"},
		{"cookie wins", "kk", "ru-RU", "kk"},
		{"bad cookie ignored", "xx", "ru", "ru"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/review/", nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Language", tc.accept)
			}
			if tc.cookie != "" {
				r.Header.Set("Cookie", LangCookie+"="+tc.cookie)
			}
			if got := pageLang(r); got != tc.want {
				t.Errorf("pageLang = %q, want %q", got, tc.want)
			}
		})
	}
}
