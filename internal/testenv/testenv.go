// Package testenv is what tests share about their surroundings: which
// external dependencies must be present (VIGIL_TEST_REQUIRE), finding a
// tool on PATH or skipping without it, and waiting for a condition that
// becomes true eventually. It is for tests only.
package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Required reports whether VIGIL_TEST_REQUIRE (a comma-separated list such
// as "postgres,chromium,prometheus,review-e2e") names the dependency, in
// which case a test must fail rather than skip without it.
func Required(name string) bool {
	for _, n := range strings.Split(os.Getenv("VIGIL_TEST_REQUIRE"), ",") {
		if strings.TrimSpace(n) == name {
			return true
		}
	}
	return false
}

// Missing ends the test for a dependency that is not there: it fails when
// the dependency is required, and skips otherwise. why says what is
// missing and how to get it.
func Missing(tb testing.TB, name, why string) {
	tb.Helper()
	if Required(name) {
		tb.Fatalf("%s (VIGIL_TEST_REQUIRE lists %s)", why, name)
	}
	tb.Skipf("%s; set VIGIL_TEST_REQUIRE=%s to fail instead", why, name)
}

// Tool returns the path of the first of names found on PATH; without any,
// it calls Missing for the dependency dep (a Debian package of that name
// provides it).
func Tool(tb testing.TB, dep string, names ...string) string {
	tb.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Missing(tb, dep, strings.Join(names, " or ")+" not found (apt-get install "+dep+")")
	return ""
}

// Eventually polls cond every few milliseconds until it holds, and fails
// the test naming what it waited for when it still does not after
// timeout.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
