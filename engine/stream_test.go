package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// TestClassifyFiles: verdicts come out one a line in input order, across
// files and stdin; a bad line and a missing file are reported by name and
// line and skipped.
func TestClassifyFiles(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "a.jsonl")
	if err := os.WriteFile(file, []byte(`{"id":"a1","body":"Қазақстан Республикасы"}`+"\n"+`{"id":"a2","body":"Привет, мир"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.jsonl")
	stdin := strings.NewReader(`{"id":"s1","body":"hello"}` + "\nnot json\n" + `{"id":"s2","body":"world"}` + "\n")
	var out, log bytes.Buffer
	res, err := e.ClassifyFiles(ctx, []string{file, missing, "-"}, &out, FilesOptions{Stdin: stdin, Log: &log, Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (FilesResult{BadInput: true}); res != want {
		t.Errorf("result %+v; want %+v", res, want)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var v vigil.Verdict
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		ids = append(ids, v.ID)
	}
	if got, want := strings.Join(ids, ","), "a1,a2,s1,s2"; got != want {
		t.Errorf("verdicts for %s; want %s", got, want)
	}
	for _, want := range []string{"test: open " + missing, "stdin:2: "} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log %q does not hold %q", log.String(), want)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestClassifyFilesWriteError: a failing output is the error, and reading
// stops instead of hanging.
func TestClassifyFilesWriteError(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stdin := strings.NewReader(strings.Repeat(`{"id":"x","body":"hello"}`+"\n", 100))
	var log bytes.Buffer
	if _, err := e.ClassifyFiles(ctx, []string{"-"}, failWriter{}, FilesOptions{Stdin: stdin, Log: &log}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error %v; want the writer's", err)
	}
}
