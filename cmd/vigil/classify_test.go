package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/engine"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runCmd runs the vigil command line in-process with stdin and returns its
// exit code, stdout and stderr.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// verdicts decodes JSONL verdicts, failing the test on anything else.
func verdicts(t *testing.T, jsonl string) []vigil.Verdict {
	t.Helper()
	var vs []vigil.Verdict
	dec := json.NewDecoder(strings.NewReader(jsonl))
	for dec.More() {
		var v vigil.Verdict
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("stdout is not verdict JSONL: %v\n%s", err, jsonl)
		}
		vs = append(vs, v)
	}
	return vs
}

// TestClassifyGolden runs the seed article through the default engine and
// compares the verdict with testdata/golden/seed.verdict.json (took_ms
// zeroed). Refresh with: go test ./cmd/vigil -run Golden -update
func TestClassifyGolden(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "classify", filepath.Join("..", "..", "testdata", "seed.jsonl"))
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	vs := verdicts(t, stdout)
	if len(vs) != 1 {
		t.Fatalf("got %d verdicts, want 1", len(vs))
	}
	vs[0].TookMS = 0
	got, err := json.MarshalIndent(vs[0], "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join("..", "..", "testdata", "golden", "seed.verdict.json"), append(got, '\n'))
	if vs[0].ID != "zakon-2023-09-08-80k" || vs[0].Lang != vigil.LangRussian {
		t.Errorf("verdict id %q lang %q", vs[0].ID, vs[0].Lang)
	}
}

func TestClassifyBadLines(t *testing.T) {
	long := `{"id":"big","body":"` + strings.Repeat("а", 600) + `"}`
	input := strings.Join([]string{
		`{"id":"ok-1","kind":"comment","body":"Привет, как дела?"}`,
		`not json`,
		`{"body":"no id"}`,
		"{\"id\":\"bad-utf8\",\"body\":\"\xff\xfe\"}",
		long,
		``,
		`{"id":"ok-2","title":"Hello world","lang":"en"}`,
		`{"id":"bad-kind","kind":"tweet","body":"x"}`,
		`{"id":"ok-3","body":"Қазақстан Республикасының үкіметі және парламенті"}`,
	}, "\n") + "\n"
	code, stdout, stderr := runCmd(t, input, "classify", "--max-bytes", "512")
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	vs := verdicts(t, stdout)
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID+":"+v.Lang)
	}
	if got, want := strings.Join(ids, " "), "ok-1:ru ok-2:en ok-3:kk"; got != want {
		t.Errorf("verdicts %s, want %s", got, want)
	}
	for _, want := range []string{
		"stdin:2: not a JSON object",
		"stdin:3: id is required",
		"stdin:4: invalid UTF-8 at byte",
		"stdin:5: line of 1222 bytes is over the document size limit of 512",
		`stdin:8: document "bad-kind": kind "tweet"`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stderr, "\n"); n != 5 {
		t.Errorf("stderr has %d lines, want 5:\n%s", n, stderr)
	}
}

func TestClassifyOrderAndFiles(t *testing.T) {
	dir := t.TempDir()
	var a, b strings.Builder
	for i := range 200 {
		doc := vigil.Document{ID: "a" + string(rune('0'+i%10)) + "-" + itoa(i), Body: strings.Repeat("Слово ", i%50+1)}
		line, _ := json.Marshal(doc)
		a.Write(line)
		a.WriteByte('\n')
	}
	b.WriteString(`{"id":"b-1","title":"Last"}` + "\n")
	fa, fb := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	os.WriteFile(fa, []byte(a.String()), 0o644)
	os.WriteFile(fb, []byte(b.String()), 0o644)

	code, stdout, stderr := runCmd(t, "", "classify", "--workers", "4", fa, fb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	vs := verdicts(t, stdout)
	if len(vs) != 201 {
		t.Fatalf("got %d verdicts, want 201", len(vs))
	}
	for i := range 200 {
		if want := "a" + string(rune('0'+i%10)) + "-" + itoa(i); vs[i].ID != want {
			t.Fatalf("verdict %d is %q, want %q", i, vs[i].ID, want)
		}
	}
	if vs[200].ID != "b-1" {
		t.Errorf("last verdict %q", vs[200].ID)
	}
}

// TestClassifyScores: --scores shows every flag head's score, also under
// its threshold, and changes no action; without it an unflagged comment
// carries no recruitment score.
func TestClassifyScores(t *testing.T) {
	in := `{"id":"c1","kind":"comment","body":"Братья, не забудьте завтра на жума намаз"}` + "\n" +
		`{"id":"c2","kind":"comment","body":"Братья, вступайте в джихад, пишите в личку"}` + "\n"
	recruitment := func(v vigil.Verdict) (float64, bool) {
		for _, f := range append(v.Flags, v.Scores...) {
			if f.Name == vigil.FlagExtremistRecruitment {
				return f.Score, true
			}
		}
		return 0, false
	}
	code, stdout, stderr := runCmd(t, in, "classify", "--scores")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	every := verdicts(t, stdout)
	code, stdout, stderr = runCmd(t, in, "classify")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	plain := verdicts(t, stdout)
	if len(every) != 2 || len(plain) != 2 {
		t.Fatalf("got %d and %d verdicts, want 2 each", len(every), len(plain))
	}
	for i := range every {
		if every[i].Action != plain[i].Action {
			t.Errorf("%s: action %s with --scores, %s without", every[i].ID, every[i].Action, plain[i].Action)
		}
	}
	if p, ok := recruitment(every[0]); !ok || p <= 0 || p >= 0.5 {
		t.Errorf("prayer invitation with --scores: recruitment score %v (present %v), want one under 0.5", p, ok)
	}
	if _, ok := recruitment(plain[0]); ok {
		t.Errorf("prayer invitation without --scores carries a recruitment score: %+v", plain[0].Scores)
	}
	if every[1].Action != vigil.ActionReview {
		t.Errorf("call to jihad: action %s, want review", every[1].Action)
	}
}

func TestClassifyUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing file", []string{"classify", "no/such/file.jsonl"}, exitUsage, "no/such/file.jsonl"},
		{"bad flag", []string{"classify", "--nope"}, exitUsage, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tc.msg) {
				t.Errorf("stderr lacks %q:\n%s", tc.msg, stderr)
			}
		})
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// FuzzClassify feeds arbitrary input to vigil classify: it must never
// panic, write one valid verdict per good line in order, and exit 0 or 2.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","body":"вcтyпaй в ДЖ1ХАД"}` + "\n" + `not json` + "\n",
		`{"id":"b","title":"<p>Заседание &laquo;РАТС ШОС&raquo;</p>","kind":"comment"}`,
		"{\"id\":\"c\",\"body\":\"\xff\"}\n\n{}", `{"id":"d","lang":"kk","body":"Қазақстан"}`,
	} {
		f.Add(s)
	}
	// The engine is built once: built per input, with the fuzzer's
	// instrumentation, it ran 7 inputs in 30 s.
	eng := sync.OnceValues(func() (*engine.Engine, error) {
		return engine.New(context.Background(), engine.Options{Workers: 2, MaxBytes: 4096})
	})
	f.Fuzz(func(t *testing.T, input string) {
		var out, errb bytes.Buffer
		e := &env{stdin: strings.NewReader(input), stdout: &out, stderr: &errb, getenv: func(string) string { return "" },
			newEngine: func(_ context.Context, o engine.Options) (*engine.Engine, error) {
				if o.Workers != 2 || o.MaxBytes != 4096 || o.ModelsDir != "" || o.RulesDir != "" {
					t.Fatalf("options %+v, not the fuzz engine's", o)
				}
				return eng()
			}}
		code := run(context.Background(), e, []string{"classify", "--workers", "2", "--max-bytes", "4096"})
		stdout, stderr := out.String(), errb.String()
		if code != exitOK && code != exitUsage {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if (code == exitUsage) != (stderr != "") {
			t.Fatalf("exit %d with stderr %q", code, stderr)
		}
		// Every line that reads as a document has its verdict, in order.
		var want []string
		dr := vigil.NewDocumentReader(strings.NewReader(input), 4096)
		for {
			d, _, err := dr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				continue
			}
			want = append(want, d.ID)
		}
		vs := verdicts(t, stdout)
		if len(vs) != len(want) {
			t.Fatalf("%d verdicts for %d documents", len(vs), len(want))
		}
		for i, v := range vs {
			if v.ID != want[i] || v.Error != nil {
				t.Fatalf("verdict %d: %+v, want id %q", i, v, want[i])
			}
		}
	})
}
