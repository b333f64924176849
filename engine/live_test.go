package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/metrics"
)

// TestLiveReload: the reload job swaps in a new engine only when the
// rules directory changed, and keeps the old one when the new pack is
// broken.
func TestLiveReload(t *testing.T) {
	dir := t.TempDir()
	pack := filepath.Join(dir, "local.yaml")
	writePack := func(body string, age time.Duration) {
		t.Helper()
		if err := os.WriteFile(pack, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Now().Add(-age)
		os.Chtimes(pack, mt, mt)
	}
	const rule = "pack: local\nrules:\n  - id: local.weather\n    action: {tag: %s, score: 0.9}\n    any: [погода]\n" +
		"    match: [\"Погода испортилась.\"]\n    no_match: [\"Курс тенге вырос.\"]\n"
	v1, v2 := fmt.Sprintf(rule, "weather"), fmt.Sprintf(rule, "climate")
	writePack(v1, time.Hour)

	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	l := NewLive(Options{RulesDir: dir, Observe: m.ObserveStage, OnShadow: m.ShadowRuleHit},
		func(v vigil.Versions) { m.SetBuildInfo("test", v) })
	ctx := context.Background()
	if err := l.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	doc := vigil.Document{ID: "w", Body: "Погода в Астане: снег и ветер."}
	hasTag := func(name string) bool {
		d := doc
		for _, tg := range l.Check(ctx, &d).Tags {
			if tg.Name == name {
				return true
			}
		}
		return false
	}
	first := l.Current()
	if !hasTag("weather") {
		t.Fatal("the deployment pack's rule did not fire")
	}
	if err := l.Reload(ctx, false); err != nil || l.Current() != first {
		t.Fatalf("reload with nothing changed: %v, engine swapped %v; want no swap", err, l.Current() != first)
	}

	writePack(v2, 0)
	if err := l.Reload(ctx, false); err != nil {
		t.Fatal(err)
	}
	if l.Current() == first || !hasTag("climate") || hasTag("weather") {
		t.Fatal("the changed pack was not swapped in")
	}
	if l.Current().Versions().Rules == first.Versions().Rules {
		t.Error("rules version did not change with the pack")
	}
	if n := testutil.CollectAndCount(m.BuildInfo); n != 1 {
		t.Errorf("%d build_info series after reload, want 1", n)
	}

	second := l.Current()
	writePack("pack: local\nrules:\n  - id: [broken\n", -time.Hour)
	if err := l.Reload(ctx, false); err == nil {
		t.Error("a broken pack reloaded without error")
	}
	if l.Current() != second || !hasTag("climate") {
		t.Error("a broken pack replaced the working engine")
	}
}
