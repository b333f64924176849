package main

import (
	"sort"
	"strings"
	"testing"
)

// TestHelpGoesToStdout: help is output, not an error, for vigil itself and
// for every command, however it is asked for (the contract).
func TestHelpGoesToStdout(t *testing.T) {
	names := []string{""}
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, h := range []string{"-h", "--help"} {
			args := []string{h}
			if n != "" {
				args = []string{n, h}
			}
			code, stdout, stderr := runCmd(t, "", args...)
			if code != exitOK || !strings.Contains(stdout, "usage: vigil") || stderr != "" {
				t.Errorf("vigil %s: exit %d, stdout %d bytes, stderr %q; want 0, the usage on stdout, nothing on stderr",
					strings.Join(args, " "), code, len(stdout), stderr)
			}
		}
	}
	if code, _, stderr := runCmd(t, ""); code != exitUsage || !strings.Contains(stderr, "usage: vigil") {
		t.Errorf("vigil with no command: exit %d, want %d and the usage on stderr", code, exitUsage)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "version")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"vigil ", "commit ", "models topics-", "flag flag-", "rules rules-"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, stdout)
		}
	}
}
