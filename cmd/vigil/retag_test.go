package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kz-newsroom/vigil/engine"
	"github.com/kz-newsroom/vigil/retag"
)

func TestRetagFileReportsBadLinesAndExits2(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "archive.jsonl")
	os.WriteFile(in, []byte(`{"id":"a","body":"Курс тенге укрепился"}`+"\n"+
		`{"id":"b","title":"Матч"}`+"\n"+
		`{"id":"c"`+"\n"+
		`{"id":"d","body":"Вербовщики задержаны КНБ"}`+"\n"), 0o644)
	out := filepath.Join(dir, "verdicts.jsonl")
	sum := filepath.Join(dir, "summary.json")
	code, stdout, stderr := runCmd(t, "", "retag", "--in", in, "--out", out, "--progress", "none", "--summary", sum)
	if code != exitUsage {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout not empty with --out FILE: %q", stdout)
	}
	if !strings.Contains(stderr, in+":3: ") || !strings.Contains(stderr, "1 bad documents") {
		t.Errorf("stderr does not name the bad line:\n%s", stderr)
	}
	b, _ := os.ReadFile(out)
	vs := verdicts(t, string(b))
	if len(vs) != 3 || vs[0].ID != "a" || vs[1].ID != "b" || vs[2].ID != "d" {
		t.Errorf("verdicts %+v", vs)
	}
	var s struct {
		Documents, Bad int64
		Complete       bool
	}
	sb, _ := os.ReadFile(sum)
	if err := json.Unmarshal(sb, &s); err != nil || s.Documents != 3 || s.Bad != 1 || !s.Complete {
		t.Errorf("summary %s (%v)", sb, err)
	}
	if _, err := os.Stat(out + ".checkpoint"); !os.IsNotExist(err) {
		t.Errorf("checkpoint left after a complete run")
	}
}

func TestRetagDiffStdinToStdout(t *testing.T) {
	in := `{"id":"x","body":"Погода на выходные","tags":["weather"]}` + "\n" +
		`{"id":"y","body":"Дождь","tags":["weather"],"flags":["toxic"]}` + "\n"
	code, stdout, stderr := runCmd(t, in, "retag", "--in", "-", "--out", "-", "--diff", "--progress", "none")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var changes []struct {
		ID           string   `json:"id"`
		TagsRemoved  []string `json:"tags_removed"`
		FlagsRemoved []string `json:"flags_removed"`
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var c struct {
			ID           string   `json:"id"`
			TagsRemoved  []string `json:"tags_removed"`
			FlagsRemoved []string `json:"flags_removed"`
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("not a change: %q", line)
		}
		changes = append(changes, c)
	}
	if len(changes) != 2 || changes[0].TagsRemoved[0] != "weather" || changes[1].FlagsRemoved[0] != "toxic" {
		t.Errorf("changes %+v", changes)
	}
	if !strings.Contains(stderr, "tags removed: weather 2") || !strings.Contains(stderr, "flags removed: toxic 1") {
		t.Errorf("no diff summary on stderr:\n%s", stderr)
	}
}

func TestRetagCSVWithColumnMap(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "export.csv")
	os.WriteFile(in, []byte("article_id,headline,text\n17,Курс тенге,\"Нацбанк\nсообщил\"\n18,Матч,Игра\n"), 0o644)
	out := filepath.Join(dir, "verdicts.jsonl")
	code, _, stderr := runCmd(t, "", "retag", "--in", in, "--out", out, "--progress", "none",
		"--csv-map", "id=article_id,title=headline,body=text")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	b, _ := os.ReadFile(out)
	if vs := verdicts(t, string(b)); len(vs) != 2 || vs[0].ID != "17" || vs[1].ID != "18" || vs[0].Lang != "ru" {
		t.Errorf("verdicts %+v", vs)
	}
}

func TestRetagUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no input", []string{"--out", filepath.Join(dir, "o")}, "no input"},
		{"bad map", []string{"--in", "-", "--out", "-", "--csv-map", "colour=x"}, "colour"},
		{"bad progress", []string{"--in", "-", "--out", "-", "--progress", "sometimes"}, "--progress"},
		{"missing file", []string{"--in", filepath.Join(dir, "none.jsonl"), "--out", filepath.Join(dir, "o")}, "none.jsonl"},
		{"extra argument", []string{"--in", "-", "--out", "-", "stray"}, "stray"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", append([]string{"retag", "--progress", "none"}, tc.args...)...)
			if tc.name == "bad progress" {
				code, _, stderr = runCmd(t, "", append([]string{"retag"}, tc.args...)...)
			}
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 mentioning %q", code, stderr, tc.want)
			}
		})
	}
}

// BenchmarkRetag re-tags testdata/corpus (articles with HTML) from file to
// file through the whole default engine, as `vigil retag` does: reading,
// checking on every core, writing in order, checkpointing. Run with
// -cpu 1,2 for one and two cores. The 100,000-document archive numbers in
// the README come from scripts/bench-retag.sh.
func BenchmarkRetag(b *testing.B) {
	in := filepath.Join("..", "..", "testdata", "corpus", "corpus.jsonl")
	fi, err := os.Stat(in)
	if err != nil {
		b.Fatal(err)
	}
	e, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "verdicts.jsonl")
	var docs int64
	b.SetBytes(fi.Size())
	for b.Loop() {
		sum, err := retag.Run(context.Background(), retag.CheckerFunc(e.Stream), retag.Job{In: in, Out: out, Restart: true}, nil)
		if err != nil {
			b.Fatal(err)
		}
		docs += sum.Documents
	}
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
}
