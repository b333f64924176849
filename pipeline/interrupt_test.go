package pipeline

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// endsAfter is a context that ends after its Err has said "go on" n times:
// a check timeout that strikes in the middle of a stage.
type endsAfter struct {
	context.Context
	n atomic.Int32
}

func (c *endsAfter) Err() error {
	if c.n.Add(-1) < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

// TestStagesObserveContext: a timeout that strikes while normalize or
// tokenize works on a document stops the stage at the next field, and the
// verdict says so, instead of the stage running to its end (issue 14:
// 1 MB documents answered after ~17 s against a 10 s timeout).
func TestStagesObserveContext(t *testing.T) {
	for _, tc := range []struct {
		name   string
		checks int32 // Err calls that still say "go on"
		stage  string
	}{
		{"normalize, between title and body", 2, "normalize: interrupted"},
		{"tokenize, at the title", 4, "tokenize: interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := &endsAfter{Context: context.Background()}
			ctx.n.Store(tc.checks)
			p := New(Options{}, &NormalizeStage{}, &TokenizeStage{}, &Decide{})
			v := p.Check(ctx, &vigil.Document{ID: "a", Title: "заголовок", Body: "текст статьи"})
			if v.Error == nil || v.Error.Code != vigil.EUNAVAILABLE || !strings.HasPrefix(v.Error.Message, tc.stage) {
				t.Fatalf("verdict error %+v; want EUNAVAILABLE %q", v.Error, tc.stage)
			}
		})
	}
}
