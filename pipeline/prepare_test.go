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
