// Command vigil is Vigil's one binary: classify, eval, train, serve, retag
// and rules, each a subcommand. main only wires: flags, config, signals.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"golang.org/x/term"

	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/training"
)

// Exit codes, per the contract.
const (
	exitOK          = 0
	exitFail        = 1
	exitUsage       = 2
	exitInterrupted = 130 // a signal stopped a command before it finished
)

// env is what a subcommand may touch of the outside world, so tests can run
// commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// newEngine builds the engine of a command that checks documents;
	// nil means engine.New. A fuzz test hands one that builds it once, so
	// that its inputs exercise the command and not the loading.
	newEngine func(context.Context, engine.Options) (*engine.Engine, error)
}

// engine builds the engine for opts with e.newEngine, or engine.New.
func (e *env) engine(ctx context.Context, opts engine.Options) (*engine.Engine, error) {
	if e.newEngine != nil {
		return e.newEngine(ctx, opts)
	}
	return engine.New(ctx, opts)
}

// command is one subcommand. run returns the process exit code.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands is filled by each subcommand's file in an init function, so that
// adding a command never touches this file.
var commands = map[string]command{}

func register(name string, c command) {
	if _, dup := commands[name]; dup {
		panic("vigil: command registered twice: " + name)
	}
	commands[name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	if ctx.Err() != nil && code != exitOK {
		code = exitInterrupted // serve's graceful stop on SIGTERM still exits 0
	}
	stop()
	os.Exit(code)
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	if isHelp(args[0]) || args[0] == "help" {
		usage(e.stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "vigil: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return exitUsage
	}
	if wantsHelp(args[1:]) {
		// Help is output, not an error: the command's usage goes to stdout
		// and the exit code is 0, for every command.
		he := *e
		he.stderr = e.stdout
		c.run(ctx, &he, []string{"-h"})
		return exitOK
	}
	return c.run(ctx, e, args[1:])
}

// parseFlags parses a command's flags. When ok is false the command returns
// code at once: exitOK after -h (the usage was printed), exitUsage after a
// bad flag (the flag package said why).
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return exitOK, true
}

func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// wantsHelp reports whether a command's arguments ask for its help (before
// any "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelp(a) {
			return true
		}
	}
	return false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: vigil <command> [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nrun 'vigil <command> -h' for a command's flags")
}

// isTerminal says whether w is a terminal (progress bars are drawn only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// failIf is exitFail when failed, else exitOK.
func failIf(failed bool) int {
	if failed {
		return exitFail
	}
	return exitOK
}

// trainingFailed reports a training package error of command name and
// returns its exit code: exitUsage for bad input (a file, a line, an
// option), exitFail otherwise.
func trainingFailed(e *env, name string, err error) int {
	fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
	if training.IsInputError(err) {
		return exitUsage
	}
	return exitFail
}
