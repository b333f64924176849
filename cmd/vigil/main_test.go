package main

import (
	"os"
	"sort"
	"strings"
	"testing"
	"time"
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

func TestLogDurationsAsText(t *testing.T) {
	var b strings.Builder
	c := &serveConfig{}
	c.Log.Format = "json"
	c.Log.Level = "info"
	log, err := c.logger(&b)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("x", "took", 1500*time.Millisecond)
	if !strings.Contains(b.String(), `"took":"1.5s"`) {
		t.Errorf("log line %s: want the duration as text", b.String())
	}
}

func TestConfigErrorsInOperatorTerms(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/vigil.yaml"
	if err := os.WriteFile(path, []byte("addr: 127.0.0.1:0\nfoo: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := loadServeConfig(path, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), `line 2: unknown key "foo"`) || strings.Contains(err.Error(), "main.") {
		t.Errorf("config error %v: want the line and the unknown key, no Go type", err)
	}
}
