package vigil

import (
	"context"
	"strings"
	"testing"
)

// TestSuggestionFlags: what a suggested score says of its comment.
func TestSuggestionFlags(t *testing.T) {
	for _, tc := range []struct {
		attribute string
		score     float64
		flags     string
		ok        bool
	}{
		{AttributeToxicity, 0.9, FlagToxic, true},
		{AttributeToxicity, 0.5, FlagToxic, true},
		{AttributeToxicity, 0.49, "", true},
		{AttributeDeleted, 1, FlagToxic, true},
		{AttributeDeleted, 0, "", true},
		{AttributeApproved, 1, "", true},
		{AttributeApproved, 0, FlagToxic, true},
		{"SEVERE_TOXICITY", 1, "", false},
	} {
		flags, ok := Suggestion{Attribute: tc.attribute, Score: tc.score}.Flags()
		if strings.Join(flags, ",") != tc.flags || ok != tc.ok || (ok && flags == nil) {
			t.Errorf("%s %v: %q %v; want %q %v", tc.attribute, tc.score, flags, ok, tc.flags, tc.ok)
		}
	}
}

// TestEveryScore: a context asks for every score only when made so.
func TestEveryScore(t *testing.T) {
	if every, _ := EveryScore(context.Background()); every {
		t.Error("a plain context asks for every score")
	}
	for _, evidence := range []bool{false, true} {
		if every, ev := EveryScore(WithEveryScore(context.Background(), evidence)); !every || ev != evidence {
			t.Errorf("WithEveryScore(%v): %v %v", evidence, every, ev)
		}
	}
}
