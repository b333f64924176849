package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/service"
)

func init() {
	register("serve", command{
		summary: "HTTP API for the CMS, moderators' page, /metrics and scheduled jobs",
		run:     runServe,
	})
}

const serveUsage = `usage: vigil serve [--config FILE] [flags]

Serves the HTTP API (POST /v1/check, POST /v1/check/batch, /healthz, /readyz,
/metrics), the Perspective-compatible API (POST /v1alpha1/comments:analyze and
comments:suggestscore), the review API (/v1/review/) and the moderators' page (/review/),
and runs the scheduled jobs (model and rule reload, review lease expiry, an
optional nightly retag). Runs with no configuration at all on the embedded
models and rules, SQLite under ./vigil-data, on 127.0.0.1:8080.

Settings come from the YAML file, overridden by the environment (VIGIL_ADDR,
VIGIL_DATA_DIR, VIGIL_DATABASE_URL, VIGIL_MODELS, VIGIL_RULES,
VIGIL_CMS_TOKENS, VIGIL_MODERATOR_TOKENS, VIGIL_ADMIN_TOKENS,
VIGIL_LOG_LEVEL, VIGIL_LOG_FORMAT, VIGIL_WEBHOOK_URLS, VIGIL_WEBHOOK_SECRET),
overridden by flags. Each moderator's decision is POSTed, signed, to every
webhook URL. With no token
configured at all, every request is served as admin and only a loopback
address is allowed. SIGTERM or Ctrl-C shuts down gracefully: requests in
flight finish. SIGHUP reloads models and rules now.

flags:
`

func runServe(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, serveUsage); fs.PrintDefaults() }
	configPath := fs.String("config", "", "YAML config `FILE`")
	var fl service.Config
	fs.StringVar(&fl.Addr, "addr", "", "listen `host:port` (default 127.0.0.1:8080)")
	fs.StringVar(&fl.DataDir, "data-dir", "", "data `DIR` of the SQLite review queue (default ./vigil-data)")
	fs.StringVar(&fl.Models, "models", "", modelsFlagUsage)
	fs.StringVar(&fl.Rules, "rules", "", rulesFlagUsage)
	fs.StringVar(&fl.Log.Level, "log-level", "", "log `level`: debug, info, warn, error")
	fs.StringVar(&fl.Log.Format, "log-format", "", "log `format`: json or text")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "vigil serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	cfg, err := service.LoadConfig(*configPath, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil serve: %v\n", err)
		return exitUsage
	}
	fs.Visit(func(f *flag.Flag) { // flags given on the command line win
		switch f.Name {
		case "addr":
			cfg.Addr = fl.Addr
		case "data-dir":
			cfg.DataDir = fl.DataDir
		case "models":
			cfg.Models = fl.Models
		case "rules":
			cfg.Rules = fl.Rules
		case "log-level":
			cfg.Log.Level = fl.Log.Level
		case "log-format":
			cfg.Log.Format = fl.Log.Format
		}
	})
	log, err := cfg.Logger(e.stderr)
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil serve: %v\n", err)
		return exitUsage
	}
	hup := make(chan os.Signal, 1) // SIGHUP reloads models and rules now
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	if err := service.Run(ctx, cfg, log, hup); err != nil {
		log.Error("vigil serve failed", "error", err)
		if vigil.ErrorCode(err) == vigil.EINVALID {
			return exitUsage
		}
		return exitFail
	}
	return exitOK
}
