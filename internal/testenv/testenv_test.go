package testenv

import (
	"testing"
	"time"
)

func TestRequired(t *testing.T) {
	t.Setenv("VIGIL_TEST_REQUIRE", "postgres, chromium ,review-e2e")
	for name, want := range map[string]bool{"postgres": true, "chromium": true, "review-e2e": true, "prometheus": false, "": false, "chrom": false} {
		if got := Required(name); got != want {
			t.Errorf("Required(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestEventually(t *testing.T) {
	n := 0
	Eventually(t, time.Second, "three polls", func() bool { n++; return n == 3 })
	if n != 3 {
		t.Errorf("polled %d times, want 3", n)
	}
}
