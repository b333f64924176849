package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/review"
)

func TestExportFeedback(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := review.Open(ctx, review.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mod := vigil.Principal{Name: "aigerim", Role: vigil.RoleModerator}
	put := func(id, body string) int64 {
		d := vigil.Document{ID: id, Kind: vigil.KindComment, Lang: "ru", Body: body}
		v := vigil.Verdict{ID: id, Action: vigil.ActionReview, Tags: []vigil.Tag{{Name: "security", Score: 0.8, Source: "model"}},
			Flags: []vigil.Flag{{Name: vigil.FlagExtremistRecruitment, Score: 0.9}}}
		n, _, err := s.Put(ctx, d, v)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	rej, appr, esc := put("rej", "вступай в джихад"), put("appr", "КНБ задержал вербовщика"), put("esc", "непонятно")
	put("pending", "ждёт")
	for _, c := range []struct {
		id int64
		d  review.Decision
	}{
		{rej, review.Decision{Decision: vigil.DecisionReject}},
		{appr, review.Decision{Decision: vigil.DecisionApprove, Tags: []string{"security", "incidents"}}},
		{esc, review.Decision{Decision: vigil.DecisionEscalate}},
	} {
		if _, err := s.Decide(ctx, mod, c.id, c.d); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	cases := []struct {
		name string
		args []string
		code int
		want []string // id:tags:flags per line
	}{
		{"all", []string{"--data-dir", dir}, exitOK, []string{"rej:security:extremist_recruitment", "appr:security,incidents:"}},
		{"rejects only", []string{"--data-dir", dir, "--decision", "reject"}, exitOK, []string{"rej:security:extremist_recruitment"}},
		{"since future", []string{"--data-dir", dir, "--since", "2999-01-01"}, exitOK, nil},
		{"bad decision", []string{"--data-dir", dir, "--decision", "escalate"}, exitUsage, nil},
		{"bad since", []string{"--data-dir", dir, "--since", "yesterday"}, exitUsage, nil},
		{"no queue", []string{"--data-dir", filepath.Join(dir, "nope")}, exitUsage, nil},
		{"bad url", []string{"--database-url", "mysql://x"}, exitUsage, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(ctx, &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }},
				append([]string{"export-feedback"}, tc.args...))
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			if tc.code != exitOK {
				if !strings.Contains(stderr.String(), "vigil export-feedback:") {
					t.Fatalf("no message on stderr: %q", stderr.String())
				}
				return
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				if line == "" {
					continue
				}
				var d vigil.Document
				if err := json.Unmarshal([]byte(line), &d); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if d.Body == "" || !strings.HasPrefix(d.Source, "review:") {
					t.Fatalf("document lacks body or source: %+v", d)
				}
				got = append(got, d.ID+":"+strings.Join(d.Tags, ",")+":"+strings.Join(d.Flags, ","))
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("exported %v, want %v", got, tc.want)
			}
		})
	}
	// --out writes the file.
	out := filepath.Join(dir, "feedback.jsonl")
	var stderr bytes.Buffer
	if code := run(ctx, &env{stdout: &bytes.Buffer{}, stderr: &stderr, getenv: func(string) string { return "" }},
		[]string{"export-feedback", "--data-dir", dir, "--out", out}); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil || strings.Count(string(b), "\n") != 2 {
		t.Fatalf("feedback file %q, %v", b, err)
	}
}

// TestExportFeedbackSuggestions: scores suggested through the Perspective
// API come out after the moderators' decisions, as comments labeled toxic
// or not, filtered by --decision (toxic counts as reject); an attribute
// that gives no label is left out.
func TestExportFeedbackSuggestions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := review.Open(ctx, review.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, sg := range []vigil.Suggestion{
		{Attribute: vigil.AttributeToxicity, Score: 0.9, Text: "ты дурак", Lang: "ru", ClientToken: "comment:1"},
		{Attribute: vigil.AttributeToxicity, Score: 0.1, Text: "спасибо за статью"},
		{Attribute: vigil.AttributeDeleted, Score: 1, Text: "удалённый", ClientToken: "comment:3"},
		{Attribute: vigil.AttributeApproved, Score: 1, Text: "одобренный", ClientToken: "comment:4"},
		{Attribute: "SEVERE_TOXICITY", Score: 1, Text: "no label"},
	} {
		sg.SuggestedBy = "coral"
		if err := s.Suggest(ctx, &sg); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	for _, tc := range []struct {
		decision string
		want     []string // id:flags:source
	}{
		{"all", []string{"comment:1:toxic:perspective:TOXICITY", "suggestion-2::perspective:TOXICITY",
			"comment:3:toxic:perspective:DELETED", "comment:4::perspective:APPROVED"}},
		{"reject", []string{"comment:1:toxic:perspective:TOXICITY", "comment:3:toxic:perspective:DELETED"}},
		{"approve", []string{"suggestion-2::perspective:TOXICITY", "comment:4::perspective:APPROVED"}},
	} {
		t.Run(tc.decision, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(ctx, &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }},
				[]string{"export-feedback", "--data-dir", dir, "--decision", tc.decision}); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				var d vigil.Document
				if err := json.Unmarshal([]byte(line), &d); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if d.Kind != vigil.KindComment || d.Body == "" {
					t.Errorf("not a labeled comment: %s", line)
				}
				got = append(got, d.ID+":"+strings.Join(d.Flags, ",")+":"+d.Source)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("exported %v, want %v", got, tc.want)
			}
			if !strings.Contains(stderr.String(), "suggested scores") {
				t.Errorf("stderr lacks the suggestions' count: %s", stderr.String())
			}
		})
	}
}
