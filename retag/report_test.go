package retag

import (
	"io"
	"log/slog"
	"testing"
)

func TestBadItemWhere(t *testing.T) {
	for _, tc := range []struct {
		b    BadItem
		want string
	}{
		{BadItem{Input: "a.jsonl", Line: 3}, "a.jsonl:3"},
		{BadItem{Input: "-", Line: 4, ID: "x"}, "stdin:4 (id x)"},
		{BadItem{Input: "postgres://db/news", Line: 5}, "row 5"},
	} {
		if got := tc.b.Where(); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.b, got, tc.want)
		}
	}
}

func TestNewProgress(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		mode     string
		terminal bool
		want     string
	}{
		{"auto", true, "*retag.Bar"}, {"auto", false, "*retag.LogProgress"}, {"bar", false, "*retag.Bar"},
		{"log", true, "*retag.LogProgress"}, {"none", true, "<nil>"}, {"loud", true, "bad"},
	} {
		p, ok := NewProgress(tc.mode, io.Discard, tc.terminal, log)
		got := "bad"
		if ok {
			got = typeName(p)
		}
		if got != tc.want {
			t.Errorf("%s (terminal %v): got %s, want %s", tc.mode, tc.terminal, got, tc.want)
		}
	}
}

func typeName(p Progress) string {
	switch p.(type) {
	case *Bar:
		return "*retag.Bar"
	case *LogProgress:
		return "*retag.LogProgress"
	case nil:
		return "<nil>"
	}
	return "other"
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@db/news": "postgres://u:xxxxx@db/news",
		"postgres://u@db/news":        "postgres://u@db/news",
		"archive.jsonl":               "archive.jsonl",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
