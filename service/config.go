package service

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/retag"
	"github.com/kz-newsroom/vigil/server"
)

// Config is every setting of `vigil serve`. It comes from a YAML file
// (--config), then the environment, then flags, each overriding the one
// before; what none of them sets keeps its default. Rule packs and models
// are separate files, named here by directory.
type Config struct {
	// The HTTP service: addr, tokens, timeouts and limits (server.Config's
	// keys at the top level of the file).
	server.Config `yaml:",inline"`

	// DataDir holds the SQLite review queue (default ./vigil-data).
	DataDir string `yaml:"data_dir"`
	// DatabaseURL, a postgres:// URL, moves the review queue to PostgreSQL.
	DatabaseURL string `yaml:"database_url"`
	// Models and Rules are a model bundle and a rule pack directory; empty
	// means the ones embedded in the binary.
	Models string `yaml:"models"`
	Rules  string `yaml:"rules"`
	// SecureCookies marks the moderators' page session cookie Secure even
	// when requests arrive over plain HTTP, as they do behind a proxy that
	// ends TLS (default false: Secure only on a TLS connection here).
	SecureCookies bool `yaml:"secure_cookies"`
	// Workers is how many documents a batch checks at once (default: cores).
	Workers int `yaml:"workers"`
	// Thresholds override the review thresholds the model bundle ships,
	// per flag: default, by_kind and by_section entries replace the
	// shipped ones of the same name; the rest stay.
	Thresholds pipeline.FlagThresholds `yaml:"thresholds"`

	// WebhookURLs each get a signed POST of every moderator's decision,
	// from the outbox; WebhookSecret keys the signature (required with URLs).
	WebhookURLs   []string `yaml:"webhook_urls"`
	WebhookSecret string   `yaml:"webhook_secret"`
	// WebhookTimeout bounds one delivery attempt (default 10s).
	WebhookTimeout time.Duration `yaml:"webhook_timeout"`

	Log struct {
		Level  string `yaml:"level"`  // debug, info (default), warn, error
		Format string `yaml:"format"` // json (default) or text
	} `yaml:"log"`

	Jobs JobsConfig `yaml:"jobs"`
}

// JobsConfig schedules the service's background jobs. A zero interval or
// empty schedule turns a job off.
type JobsConfig struct {
	// Reload checks the models and rules directories at this interval and
	// swaps in a new engine when their files changed (default 1m; SIGHUP
	// reloads at once). Embedded models and rules never change.
	Reload time.Duration `yaml:"reload"`
	// LeaseExpiry frees review items whose moderator's lease ran out
	// (default 1m).
	LeaseExpiry time.Duration `yaml:"lease_expiry"`
	// Retag re-tags an archive on a schedule; off unless schedule is set.
	Retag struct {
		// Schedule is a crontab line in local time, e.g. "0 3 * * *".
		Schedule  string `yaml:"schedule"`
		retag.Job `yaml:",inline"`
	} `yaml:"retag"`
}

// DefaultConfig is the configuration with nothing set: the embedded models
// and rules, SQLite under ./vigil-data, 127.0.0.1:8080, JSON logs at info.
func DefaultConfig() Config {
	c := Config{DataDir: "./vigil-data"}
	c.Addr = "127.0.0.1:8080"
	c.Log.Level, c.Log.Format = "info", "json"
	c.Jobs.Reload = time.Minute
	c.Jobs.LeaseExpiry = time.Minute
	return c
}

// LoadConfig reads the YAML file at path (none when empty) over the
// defaults, then applies the environment. An unknown key or a value of the
// wrong type is an error naming the file and line.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return c, fmt.Errorf("config %s: %s", path, yamlMessage(err))
		}
		if err := c.Thresholds.Validate(); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
	}
	for _, e := range []struct {
		name string
		dst  *string
	}{
		{"VIGIL_ADDR", &c.Addr},
		{"VIGIL_DATA_DIR", &c.DataDir},
		{"VIGIL_DATABASE_URL", &c.DatabaseURL},
		{"VIGIL_MODELS", &c.Models},
		{"VIGIL_RULES", &c.Rules},
		{"VIGIL_LOG_LEVEL", &c.Log.Level},
		{"VIGIL_LOG_FORMAT", &c.Log.Format},
		{"VIGIL_WEBHOOK_SECRET", &c.WebhookSecret},
	} {
		if v := getenv(e.name); v != "" {
			*e.dst = v
		}
	}
	for _, e := range []struct {
		name string
		dst  *[]string
	}{
		{"VIGIL_CMS_TOKENS", &c.Tokens.CMS},
		{"VIGIL_MODERATOR_TOKENS", &c.Tokens.Moderator},
		{"VIGIL_ADMIN_TOKENS", &c.Tokens.Admin},
		{"VIGIL_WEBHOOK_URLS", &c.WebhookURLs},
	} {
		if v := getenv(e.name); v != "" {
			*e.dst = splitTokens(v)
		}
	}
	if v := getenv("VIGIL_SECURE_COOKIES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("config: VIGIL_SECURE_COOKIES=%q: want true or false", v)
		}
		c.SecureCookies = b
	}
	return c, c.checkWebhooks()
}

// checkWebhooks refuses webhook URLs that are not absolute http(s) URLs,
// and URLs without a secret to sign with.
func (c *Config) checkWebhooks() error {
	for _, s := range c.WebhookURLs {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("config: webhook URL %q: want http:// or https:// with a host", s)
		}
	}
	if len(c.WebhookURLs) > 0 && c.WebhookSecret == "" {
		return errors.New("config: webhook_urls need webhook_secret (VIGIL_WEBHOOK_SECRET) to sign deliveries")
	}
	return nil
}

// splitTokens splits a comma-separated token list, dropping blanks.
func splitTokens(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// yamlFieldRE matches yaml.v3's message for an unknown key, which names a
// Go type an operator has never heard of.
var yamlFieldRE = regexp.MustCompile(`field (\S+) not found in type \S+`)

// yamlMessage rewrites a config decoding error in the operator's terms:
// `line 2: unknown key "foo"`, not `field foo not found in type
// service.Config`, one problem a line.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	lines := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		lines[i] = yamlFieldRE.ReplaceAllString(m, `unknown key "$1"`)
	}
	return strings.Join(lines, "; ")
}

// durationsAsText writes durations as "1.5s", not as nanoseconds: a JSON
// log read by a human or a log search should not need arithmetic.
func durationsAsText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}

// Logger builds the service's logger on w from the log settings.
func (c *Config) Logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Log.Level)); err != nil {
		return nil, fmt.Errorf("config: log level %q: want debug, info, warn or error", c.Log.Level)
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: durationsAsText}
	switch c.Log.Format {
	case "json", "":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("config: log format %q: want json or text", c.Log.Format)
}
