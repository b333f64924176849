package main

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDocsCommands runs the vigil commands of the README's and docs'
// shell blocks from the repository root, as a newcomer would paste them,
// and checks each exits 0. Every --out goes to a temporary directory, and
// a later command reading what an earlier one wrote reads it there. Left
// out: serve and export-feedback (they need a running service's data),
// commands that rebuild a shipped file (their reproducibility has its own
// tests), and commands whose inputs are not here (a corpus beside the
// repository, a placeholder such as DIR) or are over 20 MB.
func TestDocsCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the documented commands; skipped with -short")
	}
	tmp := t.TempDir()
	t.Chdir(filepath.Join("..", ".."))
	docs, _ := filepath.Glob(filepath.Join("docs", "*.md"))
	ran := 0
	outs := map[string]string{} // a documented --out → where it went
	for _, doc := range append([]string{"README.md"}, docs...) {
		for _, line := range shellCommands(t, doc) {
			rest, ok := strings.CutPrefix(line, "go run ./cmd/vigil ")
			if !ok {
				continue
			}
			if i := strings.Index(rest, " #"); i >= 0 {
				rest = rest[:i]
			}
			args := strings.Fields(rest)
			for i := range args {
				if to, ok := outs[args[i]]; ok {
					args[i] = to
				}
			}
			if why := skipDocCommand(args); why != "" {
				t.Logf("%s: skipped (%s): %s", doc, why, line)
				continue
			}
			for i := range args {
				if args[i] == "--out" && i+1 < len(args) {
					to := filepath.Join(tmp, filepath.Base(args[i+1]))
					outs[args[i+1]], args[i+1] = to, to
				}
			}
			ran++
			t.Run(doc+"/"+strings.Join(args, " "), func(t *testing.T) {
				if code, _, stderr := runCmd(t, "", args...); code != exitOK {
					t.Errorf("%s: exit %d\n%s", line, code, stderr)
				}
			})
		}
	}
	if ran < 8 {
		t.Errorf("ran %d documented commands; is the extraction still right?", ran)
	}
}

// shellCommands returns the lines of the ```sh blocks of a Markdown file.
func shellCommands(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "```"):
			in = !in && (line == "```sh" || line == "```bash")
		case in && line != "":
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// skipDocCommand says why a documented command is not run here, or "".
func skipDocCommand(args []string) string {
	if len(args) == 0 {
		return "empty"
	}
	if slices.Contains([]string{"serve", "export-feedback"}, args[0]) {
		return args[0] + " needs a service's data"
	}
	if slices.Contains(args, "--write-rule-scores") || args[0] == "reseal" {
		return "it rewrites a shipped bundle"
	}
	if i := slices.Index(args, "--out"); i >= 0 && i+1 < len(args) {
		if out := filepath.ToSlash(args[i+1]); strings.HasPrefix(out, "models/") || strings.HasPrefix(out, "pipeline/") {
			return "it rebuilds a shipped file"
		}
	}
	var size int64
	for i, a := range args {
		if strings.ContainsAny(a, "|<>$&") || a == "DIR" || strings.HasSuffix(a, "DIR") {
			return "shell syntax or a placeholder"
		}
		if strings.HasPrefix(a, "-") || (i > 0 && args[i-1] == "--out") || i == 0 {
			continue
		}
		for _, p := range strings.Split(a, ",") {
			if !strings.Contains(p, "/") && !strings.HasSuffix(p, ".jsonl") {
				continue // a subcommand word or a flag's value
			}
			st, err := os.Stat(p)
			if err != nil {
				return "input " + p + " not here"
			}
			size += st.Size()
		}
	}
	if size > 20<<20 {
		return "inputs over 20 MB"
	}
	return ""
}
