package service

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/review"
)

// TestPageDescribesDeploymentRules: with --rules DIR the moderators' page
// explains the directory's rules too, in the page's language only, and
// still the embedded packs' rules.
func TestPageDescribesDeploymentRules(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("..", "rules", "testdata", "deploy")
	live := engine.NewLive(engine.Options{RulesDir: dir}, nil)
	describe := live.Describe // what Run gives the page
	if got := describe("local.recruit_money_shadow", "ru"); got != "" {
		t.Errorf("before any engine, a deployment rule is described %q; want nothing", got)
	}
	if err := live.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ rule, lang, want string }{
		{"local.recruit_money_shadow", "ru", "Деньги или билеты"},
		{"local.recruit_money_shadow", "kk", "ақша"},
		{"local.flood_region", "ru", ""}, // English only: not shown on a Russian page
		{"local.flood_region", "en", "floods"},
	} {
		got := describe(c.rule, c.lang)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("describe(%s, %s) = %q; want it to hold %q", c.rule, c.lang, got, c.want)
		}
	}
	for _, lang := range []string{"ru", "kk", "en"} {
		if describe("rec.ru.join", lang) == "" && review.EmbeddedDescriptions("rec.ru.join", lang) != "" {
			t.Errorf("an embedded rule lost its %s description under --rules DIR", lang)
		}
	}
}
