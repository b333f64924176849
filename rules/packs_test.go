package rules

import (
	"testing"
)

// TestShippedPacks loads the embedded packs, lints them and runs every
// rule's own examples: what CI's `vigil rules lint` and `vigil rules test`
// check, kept in `go test` so a broken pack fails the build too.
func TestShippedPacks(t *testing.T) {
	set, err := Load(EmbeddedSource())
	if err != nil {
		t.Fatalf("embedded packs refused:\n%v", err)
	}
	findings, err := Lint(EmbeddedSource())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if f.Level == LevelError {
			t.Errorf("lint: %s", f)
		} else {
			t.Logf("lint: %s", f)
		}
	}
	misses, ran := set.TestExamples()
	for _, m := range misses {
		t.Errorf("%s", m)
	}
	if ran == 0 {
		t.Fatal("no examples ran")
	}
	t.Logf("%s: %d rules, %d examples, %d entities", set.Version(), len(set.Rules()), ran, len(set.Entities()))
}
