package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime/debug"

	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/rules"
)

func init() {
	register("version", command{
		summary: "the binary's version and commit, and the versions of the embedded models and rules",
		run:     runVersion,
	})
}

func runVersion(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil version\n\nPrints the module version and commit the binary was built from, the Go version,\nand the versions of the model bundle, recruitment head and rule packs embedded in it.")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	mod, commit, goVersion := "(devel)", "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if bi.Main.Version != "" {
			mod = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					commit += " (modified)"
				}
			}
		}
	}
	fmt.Fprintf(e.stdout, "vigil %s\ncommit %s\n%s\n", mod, commit, goVersion)
	b, err := models.Default()
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil version: %v\n", err)
		return exitFail
	}
	h, err := models.DefaultRecruitment()
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil version: %v\n", err)
		return exitFail
	}
	set, err := rules.Load(rules.EmbeddedSource())
	if err != nil {
		fmt.Fprintf(e.stderr, "vigil version: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "models %s\nflag %s\nrules %s\n", b.Meta.Version, h.Config.Version, set.Version())
	return exitOK
}
