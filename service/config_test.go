package service

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

func TestServeConfigPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	yml := `addr: 127.0.0.1:9000
data_dir: /var/lib/vigil
max_in_flight: 32
check_timeout: 2s
secure_cookies: true
webhook_urls: ["https://cms.example/hooks/vigil"]
webhook_secret: from-file
tokens:
  cms: [from-file]
  moderator: ["alice:m1"]
log:
  level: debug
jobs:
  reload: 5m
  retag:
    schedule: "0 3 * * *"
    in: archive.jsonl
    out: verdicts.jsonl
thresholds:
  extremist_recruitment:
    by_section: {religion: 0.9}
`
	if err := os.WriteFile(path, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	envs := map[string]string{
		"VIGIL_ADDR":         "127.0.0.1:9001",
		"VIGIL_CMS_TOKENS":   "a, b,,",
		"VIGIL_LOG_LEVEL":    "warn",
		"VIGIL_WEBHOOK_URLS": "http://a.example/h, http://b.example/h",
	}
	getenv := func(k string) string { return envs[k] }

	c, err := LoadConfig(path, getenv)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"addr: env over file", c.Addr, "127.0.0.1:9001"},
		{"data dir: file over default", c.DataDir, "/var/lib/vigil"},
		{"cms tokens: env over file", strings.Join(c.Tokens.CMS, "|"), "a|b"},
		{"moderator tokens: file", strings.Join(c.Tokens.Moderator, "|"), "alice:m1"},
		{"log level: env over file", c.Log.Level, "warn"},
		{"log format: default", c.Log.Format, "json"},
		{"max in flight", c.MaxInFlight, 32},
		{"check timeout", c.CheckTimeout, 2 * time.Second},
		{"secure cookies: file", c.SecureCookies, true},
		{"reload", c.Jobs.Reload, 5 * time.Minute},
		{"lease expiry default", c.Jobs.LeaseExpiry, time.Minute},
		{"retag schedule", c.Jobs.Retag.Schedule, "0 3 * * *"},
		{"retag in", c.Jobs.Retag.In, "archive.jsonl"},
		{"threshold by section", c.Thresholds["extremist_recruitment"].BySection["religion"], 0.9},
		{"webhook URLs: env over file", strings.Join(c.WebhookURLs, "|"), "http://a.example/h|http://b.example/h"},
		{"webhook secret: file", c.WebhookSecret, "from-file"},
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}

	d, err := LoadConfig("", func(string) string { return "" })
	if err != nil || d.Addr != "127.0.0.1:8080" || d.DataDir != "./vigil-data" || !d.Tokens.Empty() || d.SecureCookies {
		t.Errorf("defaults: %+v, %v", d, err)
	}
	if e, err := LoadConfig("", func(k string) string { return map[string]string{"VIGIL_SECURE_COOKIES": "1"}[k] }); err != nil || !e.SecureCookies {
		t.Errorf("VIGIL_SECURE_COOKIES=1: secure cookies %v, %v", e.SecureCookies, err)
	}
}

func TestServeConfigWebhooks(t *testing.T) {
	tests := []struct{ name, urls, secret, want string }{
		{"no secret", "http://cms.example/h", "", "webhook_secret"},
		{"not http", "ftp://cms.example/h", "s", "ftp://"},
		{"no host", "http:///h", "s", "with a host"},
		{"fine", "https://cms.example/h,http://127.0.0.1:9/x", "s", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"VIGIL_WEBHOOK_URLS": tc.urls, "VIGIL_WEBHOOK_SECRET": tc.secret}
			_, err := LoadConfig("", func(k string) string { return env[k] })
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("got %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

// TestServeConfigREADME loads the example config of docs/operations.md
// (the operators guide), so the documentation cannot drift from the config's keys.
func TestServeConfigREADME(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), "```yaml\n# vigil.yaml")
	if i < 0 {
		t.Fatal("docs/operations.md has no ```yaml block starting with # vigil.yaml")
	}
	rest := string(b)[i+len("```yaml\n"):]
	block, _, _ := strings.Cut(rest, "```")
	path := filepath.Join(t.TempDir(), "vigil.yaml")
	os.WriteFile(path, []byte(block), 0o644)
	c, err := LoadConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatalf("docs/operations.md's example config: %v", err)
	}
	if c.Addr != "0.0.0.0:8080" || len(c.Tokens.Moderator) != 2 || c.Jobs.Retag.Schedule == "" || !c.Jobs.Retag.Restart ||
		c.Thresholds[vigil.FlagToxic].ByKind[vigil.KindComment] != 0.9 {
		t.Errorf("README config loaded as %+v", c)
	}
	if _, err := c.Logger(io.Discard); err != nil {
		t.Error(err)
	}
}

func TestServeConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown key", "addr: x\nlisten: y\n", "line 2"},
		{"bad duration", "check_timeout: soon\n", "line 1"},
		{"wrong type", "tokens: secret\n", "line 1"},
		{"threshold out of range", "thresholds:\n  extremist_recruitment:\n    by_kind: {comment: 1.5}\n", "extremist_recruitment by_kind.comment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.yaml")
			os.WriteFile(path, []byte(tc.yaml), 0o644)
			_, err := LoadConfig(path, func(string) string { return "" })
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("got %v; want an error naming %s and %q", err, path, tc.want)
			}
		})
	}
}

func TestLogDurationsAsText(t *testing.T) {
	var b strings.Builder
	c := &Config{}
	c.Log.Format = "json"
	c.Log.Level = "info"
	log, err := c.Logger(&b)
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
	_, err := LoadConfig(path, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), `line 2: unknown key "foo"`) || strings.Contains(err.Error(), "service.") {
		t.Errorf("config error %v: want the line and the unknown key, no Go type", err)
	}
}
