package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"

	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/internal/buildinfo"
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
		fmt.Fprintln(e.stderr, "usage: vigil version [--models DIR]\n\nPrints the module version and commit the binary was built from, the Go version,\n"+
			"the versions of the model bundle, recruitment head and rule packs embedded in it, and\n"+
			"a line per model head: what it scores, its version and where it comes from (embedded,\nor DIR for the heads --models DIR replaces).\n\nflags:")
		fs.PrintDefaults()
	}
	modelsDir := fs.String("models", "", modelsFlagUsage)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	bi := buildinfo.Read()
	mod, commit, goVersion := cmp.Or(bi.Version, "(devel)"), cmp.Or(bi.Revision, "unknown"), cmp.Or(bi.GoVersion, "unknown")
	if bi.Modified {
		commit += " (modified)"
	}
	fmt.Fprintf(e.stdout, "vigil %s\ncommit %s\n%s\n", mod, commit, goVersion)
	if err := engine.WriteVersions(e.stdout, *modelsDir); err != nil {
		fmt.Fprintf(e.stderr, "vigil version: %v\n", err)
		return exitFail
	}
	return exitOK
}
