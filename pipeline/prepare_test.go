package pipeline

import (
	"context"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// TestPrepare: every document comes back in order with the fields the
// stages left, whatever the number of workers.
func TestPrepare(t *testing.T) {
	docs := []vigil.Document{{ID: "a", Body: "Первый текст."}, {ID: "b", Title: "Второй"}, {ID: "c", Body: "Үшінші мәтін"}}
	for _, workers := range []int{0, 1, 2, 5} {
		fields := PrepareFields(context.Background(), docs, workers)
		if len(fields) != len(docs) {
			t.Fatalf("workers %d: %d results for %d documents", workers, len(fields), len(docs))
		}
		for i, fs := range fields {
			if len(fs) != 1 || len(fs[0].Words) == 0 {
				t.Errorf("workers %d: document %s: fields %+v", workers, docs[i].ID, fs)
			}
		}
	}
}

// panicStage panics on the document called "bad" and leaves a memo on the
// others.
type panicStage struct{ released *int }

func (panicStage) Name() string { return "panic" }

func (p panicStage) Process(_ context.Context, it *Item) error {
	if it.Doc.ID == "bad" {
		panic("boom")
	}
	it.Memo = releaser{p.released}
	return nil
}

type releaser struct{ n *int }

func (r releaser) Release() { *r.n++ }

// TestPrepareRecoversAndReleases: as in Check, a stage that panics on one
// document ends that document's stages, not the run, and every memo is
// released when its document's stages are done.
func TestPrepareRecoversAndReleases(t *testing.T) {
	released := 0
	docs := []vigil.Document{{ID: "a", Body: "один"}, {ID: "bad", Body: "два"}, {ID: "c", Body: "три"}}
	items := Prepare(context.Background(), docs, 1, &NormalizeStage{}, panicStage{&released}, &TokenizeStage{})
	if len(items) != 3 || len(items[0].Fields[0].Words) == 0 || len(items[1].Fields[0].Words) != 0 || items[0].Memo != nil {
		t.Errorf("items %+v: want words for a and c, none for the document whose stage panicked, memos released", items)
	}
	if released != 2 {
		t.Errorf("%d memos released, want 2", released)
	}
}
