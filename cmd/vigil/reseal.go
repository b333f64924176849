package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/kz-newsroom/vigil/models"
)

func init() {
	register("reseal", command{
		summary: "after a topic bundle's file was edited by hand (a taxonomy floor): new checksums and version id",
		run:     runReseal,
	})
}

func runReseal(_ context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("reseal", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: vigil reseal DIR...\n\n"+
			"A topic bundle (models/default, models/comments or one vigil train wrote) refuses to load\n"+
			"once a file of it differs from the checksum metadata.json records. After editing one by\n"+
			"hand (taxonomy.yaml's floors, say), reseal writes every file's checksum again and the\n"+
			"version id they give (same prefix and day), which verdicts then carry, so the archive's\n"+
			"retag sees the change. Prints each bundle's new version.")
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	for _, dir := range fs.Args() {
		meta, err := models.Reseal(dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "vigil reseal: %v\n", err)
			return exitFail
		}
		if _, err := models.LoadDir(dir); err != nil {
			fmt.Fprintf(e.stderr, "vigil reseal: %v\n", err)
			return exitFail
		}
		fmt.Fprintf(e.stdout, "%s %s\n", dir, meta.Version)
	}
	return exitOK
}
