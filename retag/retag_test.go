package retag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

func TestRunJSONLReportsBadLinesAndKeepsOrder(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	lines := []string{
		`{"id":"a","body":"Вербовщики задержаны"}`,
		`not json`,
		``,
		`{"id":"b","title":"Курс тенге"}`,
		`{"body":"no id"}`,
		"{\"id\":\"c\",\"body\":\"bad \xff utf8\"}",
		`{"id":"d","body":"` + strings.Repeat("x", 300) + `"}`,
		`{"id":"e","kind":"tweet","body":"x"}`,
		`{"id":"f","body":"Матч","tags":"sport"}`,
		`{"id":"g","body":"Вступай к нам"}`,
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.jsonl")
	var bad []BadItem
	c, _ := testChecker(0)
	sum, err := Run(context.Background(), c, Job{In: in, Out: out, MaxBytes: 200, OnBad: func(b BadItem) { bad = append(bad, b) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	vs := readVerdicts(t, out)
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	if want := []string{"a", "b", "g"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("verdict ids %v, want %v", ids, want)
	}
	if vs[0].Tags[0].Name != "security" || vs[2].Action != vigil.ActionReview {
		t.Errorf("verdicts not from the pipeline: %+v", vs)
	}
	wantLines := []int64{2, 5, 6, 7, 8, 9}
	var gotLines []int64
	for _, b := range bad {
		gotLines = append(gotLines, b.Line)
	}
	if !reflect.DeepEqual(gotLines, wantLines) {
		t.Errorf("bad lines %v, want %v (%v)", gotLines, wantLines, bad)
	}
	if code := vigil.ErrorCode(bad[3].Err); code != vigil.ETOOLARGE {
		t.Errorf("line 7: code %s, want ETOOLARGE", code)
	}
	if sum.Documents != 3 || sum.Bad != 6 || !sum.Complete || sum.Failed != 0 {
		t.Errorf("summary %+v", sum)
	}
	if _, err := os.Stat(out + ".checkpoint"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoint left behind after a complete run: %v", err)
	}
}

func TestRunStageFailureIsReportedNotFatal(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(`{"id":"a","body":"fine"}`+"\n"+`{"id":"b","body":"panic here"}`+"\n"+`{"id":"c","body":"fine"}`+"\n"), 0o644)
	out := filepath.Join(dir, "out.jsonl")
	var bad []BadItem
	c, _ := testChecker(0)
	sum, err := Run(context.Background(), c, Job{In: in, Out: out, OnBad: func(b BadItem) { bad = append(bad, b) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	vs := readVerdicts(t, out)
	if len(vs) != 3 || vs[1].Error == nil || vs[2].Error != nil {
		t.Fatalf("verdicts %+v", vs)
	}
	if sum.Failed != 1 || len(bad) != 1 || bad[0].Line != 2 || bad[0].ID != "b" {
		t.Errorf("failed %d, bad %+v", sum.Failed, bad)
	}
}

func TestRunStdinToStdout(t *testing.T) {
	var stdout strings.Builder
	c, _ := testChecker(0)
	in := strings.NewReader(`{"id":"x","body":"Курс тенге"}` + "\n" + `{"id":"y","body":"Матч"}`)
	sum, err := Run(context.Background(), c, Job{In: "-", Out: "-", Stdin: in, Stdout: &stdout}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(got) != 2 || !strings.Contains(got[0], `"economy"`) || !strings.Contains(got[1], `"sport"`) || sum.Documents != 2 {
		t.Errorf("stdout %q, summary %+v", stdout.String(), sum)
	}
}

func TestRunDiff(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	docs := []string{
		`{"id":"same","body":"Курс тенге","tags":["economy"]}`,
		`{"id":"added","body":"Вербовка и тенге","tags":["economy"]}`,
		`{"id":"removed","body":"Погода","tags":["travel","culture"]}`,
		`{"id":"flag","body":"Вступай","tags":[],"flags":[]}`,
		`{"id":"swap","body":"Матч","tags":["culture"],"flags":["toxic"]}`,
	}
	os.WriteFile(in, []byte(strings.Join(docs, "\n")+"\n"), 0o644)
	out := filepath.Join(dir, "diff.jsonl")
	c, _ := testChecker(0)
	sum, err := Run(context.Background(), c, Job{In: in, Out: out, Diff: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	var changes []Change
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var ch Change
		if err := json.Unmarshal([]byte(line), &ch); err != nil {
			t.Fatal(err)
		}
		changes = append(changes, ch)
	}
	type row struct {
		id                 string
		tagsAdd, tagsRem   []string
		flagsAdd, flagsRem []string
	}
	want := []row{
		{"added", []string{"security"}, nil, nil, nil},
		{"removed", nil, []string{"culture", "travel"}, nil, nil},
		{"flag", nil, nil, []string{"extremist_recruitment"}, nil},
		{"swap", []string{"sport"}, []string{"culture"}, nil, []string{"toxic"}},
	}
	if len(changes) != len(want) {
		t.Fatalf("got %d changes, want %d: %s", len(changes), len(want), b)
	}
	for i, w := range want {
		c := changes[i]
		got := row{c.ID, c.TagsAdded, c.TagsRemoved, c.FlagsAdded, c.FlagsRemoved}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("change %d: got %+v, want %+v", i, got, w)
		}
	}
	d := sum.Diff
	if d == nil || d.Changed != 4 || d.Unchanged != 1 || d.TagsRemoved["culture"] != 2 || d.TagsAdded["security"] != 1 ||
		d.FlagsAdded[vigil.FlagExtremistRecruitment] != 1 || d.FlagsRemoved["toxic"] != 1 {
		t.Errorf("diff stats %+v", d)
	}
	if s := sum.String(); !strings.Contains(s, "tags removed: culture 2 travel 1") {
		t.Errorf("summary text:\n%s", s)
	}
}

func TestRunCSVWithColumnMap(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	csvText := "article_id,headline,text,rubric\n" +
		"1,Курс тенге,\"Первая строка\nвторая строка\",economy\n" +
		"2,\"Матч \"\"века\"\"\",Игра,sport;culture\n" +
		",без id,text,\n" +
		"3,bad \"quote,x,y\n" +
		"4,Вербовщики,задержаны,security\n"
	os.WriteFile(in, []byte(csvText), 0o644)
	out := filepath.Join(dir, "out.jsonl")
	cols, err := ParseColumnMap("id=article_id,title=headline,body=text,tags=rubric")
	if err != nil {
		t.Fatal(err)
	}
	var bad []BadItem
	c, _ := testChecker(0)
	sum, err := Run(context.Background(), c, Job{In: in, Out: out, Columns: cols, Diff: true, OnBad: func(b BadItem) { bad = append(bad, b) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Documents != 3 || sum.Bad != 2 {
		t.Errorf("summary %+v, bad %+v", sum.Stats, bad)
	}
	if len(bad) != 2 || bad[0].Line != 5 || bad[1].Line != 6 {
		t.Errorf("bad records %+v, want lines 5 and 6", bad)
	}
	if d := sum.Diff; d.TagsRemoved["culture"] != 1 || d.Unchanged != 2 {
		t.Errorf("diff %+v", d)
	}
	if _, err := ParseColumnMap("id=a,colour=b"); err == nil {
		t.Error("unknown field in column map accepted")
	}
	_, err = Run(context.Background(), c, Job{In: in, Out: out, Columns: map[string]string{"id": "nope"}}, nil)
	if vigil.ErrorCode(err) != vigil.EINVALID || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing mapped column: %v", err)
	}
}

// TestResumeAfterInterrupt stops a run with its context (Ctrl-C) and runs
// the same job again: the output must equal one uninterrupted run.
func TestResumeAfterInterrupt(t *testing.T) {
	dir := t.TempDir()
	const n = 3000
	in := writeArchive(t, dir, n)
	out := filepath.Join(dir, "out.jsonl")
	c, _ := testChecker(100 * time.Microsecond)
	ctx, cancel := context.WithCancel(context.Background())
	job := Job{In: in, Out: out, CommitEvery: time.Millisecond}
	stop := CountProgress(func(int64) {})
	count := 0
	sum, err := Run(ctx, c, job, CountProgress(func(k int64) {
		count++
		if count == n/3 {
			cancel()
		}
		stop(k)
	}))
	if vigil.ErrorCode(err) != vigil.EUNAVAILABLE || sum.Complete {
		t.Fatalf("interrupted run: err %v, summary %+v", err, sum)
	}
	if sum.Documents < n/3 || sum.Documents >= n {
		t.Fatalf("interrupted after %d documents", sum.Documents)
	}
	if _, err := os.Stat(out + ".checkpoint"); err != nil {
		t.Fatalf("no checkpoint after interrupt: %v", err)
	}
	sum2, err := Run(context.Background(), c, job, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sum2.Resumed || sum2.From.Line != sum.To.Line || sum2.Documents != n || sum2.Processed != n-sum.Documents {
		t.Errorf("resumed summary %+v after %+v", sum2, sum)
	}
	checkSequence(t, readVerdicts(t, out), n)
}

func TestCheckpointOfAnotherJobIsRefused(t *testing.T) {
	dir := t.TempDir()
	in := writeArchive(t, dir, 10)
	out := filepath.Join(dir, "out.jsonl")
	cp := &Checkpoint{Version: checkpointVersion, Job: "someone-else", Input: Position{Offset: 5, Line: 1}}
	if err := saveCheckpointFile(out+".checkpoint", cp); err != nil {
		t.Fatal(err)
	}
	c, _ := testChecker(0)
	_, err := Run(context.Background(), c, Job{In: in, Out: out}, nil)
	if vigil.ErrorCode(err) != vigil.ECONFLICT {
		t.Fatalf("err %v, want ECONFLICT", err)
	}
	if _, err := Run(context.Background(), c, Job{In: in, Out: out, Restart: true}, nil); err != nil {
		t.Fatal(err)
	}
	checkSequence(t, readVerdicts(t, out), 10)
}

func TestJobValidation(t *testing.T) {
	c, _ := testChecker(0)
	for _, tc := range []struct {
		name string
		job  Job
		want string
	}{
		{"no input", Job{Out: "x"}, "no input"},
		{"no output", Job{In: "x"}, "no output"},
		{"bad format", Job{In: "x", Out: "y", Format: "xml"}, "format"},
		{"db without query", Job{In: "postgres://localhost/x", Out: "y"}, "--query"},
		{"query without db", Job{In: "x.jsonl", Out: "y", Query: "select 1"}, "postgres"},
		{"missing file", Job{In: filepath.Join(t.TempDir(), "none.jsonl"), Out: filepath.Join(t.TempDir(), "o")}, "open input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), c, tc.job, nil)
			if vigil.ErrorCode(err) != vigil.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want EINVALID mentioning %q", err, tc.want)
			}
		})
	}
}

func TestLogProgressReportsETA(t *testing.T) {
	var buf strings.Builder
	log := newTextLogger(&buf)
	p := NewLogProgress(log, time.Hour) // the ticker never fires: report by hand
	p.Start(100, 0)
	p.Add(40)
	p.report()
	p.Finish(Summary{}, nil)
	s := buf.String()
	if !strings.Contains(s, "documents=40") || !strings.Contains(s, "total=100") || !strings.Contains(s, "eta=") {
		t.Errorf("log progress: %q", s)
	}
	_ = fmt.Sprint()
}

// interruptAt runs job and cancels it after k documents.
func interruptAt(t *testing.T, c Checker, job Job, k int) Summary {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	count := 0
	sum, err := Run(ctx, c, job, CountProgress(func(int64) {
		if count++; count == k {
			cancel()
		}
	}))
	if vigil.ErrorCode(err) != vigil.EUNAVAILABLE {
		t.Fatalf("interrupted run: %v", err)
	}
	return sum
}

func TestResumeRefusesAChangedInput(t *testing.T) {
	dir := t.TempDir()
	in := writeArchive(t, dir, 2000)
	out := filepath.Join(dir, "out.jsonl")
	c, _ := testChecker(50 * time.Microsecond)
	job := Job{In: in, Out: out, CommitEvery: time.Millisecond}
	interruptAt(t, c, job, 1000)
	// Replace the archive with one of the same size whose bytes differ.
	b, _ := os.ReadFile(in)
	os.WriteFile(in, []byte(strings.ReplaceAll(string(b), "Новость", "Событие")), 0o644)
	_, err := Run(context.Background(), c, job, nil)
	if vigil.ErrorCode(err) != vigil.ECONFLICT || !strings.Contains(err.Error(), "changed since the checkpoint") {
		t.Fatalf("resume on a changed input: %v", err)
	}
	// Appending to the archive is fine: the checkpointed part is intact.
	os.WriteFile(in, b, 0o644)
	f, _ := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"id":"doc-002000","body":"appended"}` + "\n")
	f.Close()
	sum, err := Run(context.Background(), c, job, nil)
	if err != nil || !sum.Resumed {
		t.Fatalf("resume after an append: %v %+v", err, sum)
	}
	checkSequence(t, readVerdicts(t, out), 2001)
}

func TestResumeFromStdin(t *testing.T) {
	dir := t.TempDir()
	in := writeArchive(t, dir, 2000)
	data, _ := os.ReadFile(in)
	out := filepath.Join(dir, "out.jsonl")
	c, _ := testChecker(50 * time.Microsecond)
	job := Job{In: "-", Out: out, CommitEvery: time.Millisecond, Stdin: strings.NewReader(string(data))}
	interruptAt(t, c, job, 700)
	other := strings.Replace(string(data), "doc-000001", "doc-99999x", 1)
	job.Stdin = strings.NewReader(other)
	if _, err := Run(context.Background(), c, job, nil); vigil.ErrorCode(err) != vigil.ECONFLICT {
		t.Fatalf("resume on a different stream: %v", err)
	}
	job.Stdin = strings.NewReader(string(data))
	if sum, err := Run(context.Background(), c, job, nil); err != nil || !sum.Resumed {
		t.Fatalf("resume on the same stream: %v %+v", err, sum)
	}
	checkSequence(t, readVerdicts(t, out), 2000)
}

func TestOutputMustNotBeTheInput(t *testing.T) {
	dir := t.TempDir()
	in := writeArchive(t, dir, 3)
	c, _ := testChecker(0)
	_, err := Run(context.Background(), c, Job{In: in, Out: filepath.Join(dir, ".", "archive.jsonl")}, nil)
	if vigil.ErrorCode(err) != vigil.EINVALID {
		t.Fatalf("err %v, want EINVALID", err)
	}
	if b, _ := os.ReadFile(in); strings.Count(string(b), "\n") != 3 {
		t.Fatal("the input was damaged")
	}
}

func TestResumeCSV(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	var b strings.Builder
	b.WriteString("article_id,headline,text\n")
	const n = 2000
	for i := range n {
		fmt.Fprintf(&b, "doc-%06d,\"Новость, %d\",\"%s\nвторая строка\"\n", i, i, bodies[i%len(bodies)])
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "out.jsonl")
	c, _ := testChecker(50 * time.Microsecond)
	job := Job{In: in, Out: out, CommitEvery: time.Millisecond, Columns: map[string]string{"id": "article_id", "title": "headline", "body": "text"}}
	first := interruptAt(t, c, job, 700)
	if first.To.Line < 700*2 {
		t.Errorf("stopped at line %d after %d two-line rows", first.To.Line, first.Documents)
	}
	// A changed row before the checkpoint is caught.
	os.WriteFile(in, []byte(strings.Replace(b.String(), "Новость, 3", "Новость; 3", 1)), 0o644)
	if _, err := Run(context.Background(), c, job, nil); vigil.ErrorCode(err) != vigil.ECONFLICT {
		t.Fatalf("resume on a changed CSV: %v", err)
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	sum, err := Run(context.Background(), c, job, nil)
	if err != nil || !sum.Resumed || sum.Documents != n {
		t.Fatalf("resume: %v %+v", err, sum)
	}
	checkSequence(t, readVerdicts(t, out), n)
}

func TestRemainingCountsRecordsNotLines(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,body\n1,\"a\nb\"\n2,c\n3,\"d\n\ne\"\n"), 0o644)
	s, err := openCSV(in, nil, Position{}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.Remaining(context.Background()); n != 3 || err != nil {
		t.Errorf("CSV remaining %d, %v; want 3", n, err)
	}
	s.Next(context.Background())
	if n, _ := s.Remaining(context.Background()); n != 2 {
		t.Errorf("CSV remaining after one record: %d, want 2", n)
	}
	j, err := openJSONL(writeArchive(t, dir, 7), nil, Position{}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.Next(context.Background())
	if n, _ := j.Remaining(context.Background()); n != 6 {
		t.Errorf("JSONL remaining after one record: %d, want 6", n)
	}
}

func TestSplitArchiveCutsAtLineBoundaries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.jsonl")
	var b strings.Builder
	lines := 0
	for i := range 300 {
		n := 10 + i*7%90
		if i == 150 {
			n = 3 << 20 // longer than the reader's buffer
		}
		b.WriteString(strings.Repeat("x", n) + "\n")
		lines++
	}
	b.WriteString("last line without newline")
	lines++
	os.WriteFile(path, []byte(b.String()), 0o644)
	data := b.String()
	spans, err := splitArchive(path, 4096)
	if err != nil {
		t.Fatal(err)
	}
	var off, line int64
	for i, s := range spans {
		if s.ID != i || s.Start != off || s.StartLine != line || s.End <= s.Start {
			t.Fatalf("span %d = %+v, want start %d line %d", i, s, off, line)
		}
		if s.End < int64(len(data)) && data[s.End-1] != '\n' {
			t.Fatalf("span %d ends mid-line at %d", i, s.End)
		}
		if got := int64(strings.Count(data[s.Start:s.End], "\n")); got != s.Lines && !(s.End == int64(len(data)) && got == s.Lines-1) {
			t.Fatalf("span %d has %d lines, says %d", i, got, s.Lines)
		}
		off, line = s.End, line+s.Lines
	}
	if off != int64(len(data)) || line != int64(lines) {
		t.Errorf("spans cover %d bytes and %d lines, want %d and %d", off, line, len(data), lines)
	}
}

func TestBarShowsCountRateAndETA(t *testing.T) {
	var buf strings.Builder
	b := NewBar(&buf)
	b.Start(1000, 0)
	for range 400 {
		b.Add(1)
	}
	time.Sleep(150 * time.Millisecond) // past the bar's redraw throttle
	b.Add(100)
	mid := buf.String()
	b.Add(500)
	b.Finish(Summary{Complete: true}, nil)
	if !strings.Contains(mid, "500/1000") || !strings.Contains(mid, "docs/s") || !strings.Contains(mid, "s:") {
		t.Errorf("bar while running: %q", mid)
	}
	if !strings.Contains(buf.String(), "1000/1000") {
		t.Errorf("bar at the end: %q", buf.String())
	}
}
