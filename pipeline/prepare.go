package pipeline

import (
	"context"
	"runtime"
	"sync"

	vigil "github.com/kz-newsroom/vigil"
)

// Prepare runs stages over each of docs on workers goroutines (every core
// when workers <= 0) and returns their items in the order of docs. It is
// the worker loop of training and evaluation, which read what the stages
// left in the items (fields, signals) rather than verdicts. A stage's
// error, or a panic (as in Check), ends that document's stages there; once ctx ends, documents not
// yet started run no stage. The documents must not change until it
// returns.
func Prepare(ctx context.Context, docs []vigil.Document, workers int, stages ...Stage) []*Item {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]*Item, len(docs))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(docs); i += workers {
				it := &Item{Doc: &docs[i], Lang: docs[i].Lang}
				for _, s := range stages {
					if ctx.Err() != nil || process(ctx, s, it) != nil {
						break
					}
				}
				it.ReleaseMemo()
				out[i] = it
			}
		})
	}
	wg.Wait()
	return out
}

// PrepareFields runs normalize and tokenize over docs with Prepare, exactly
// as the engine does before its rule and model stages, and returns each
// document's fields.
func PrepareFields(ctx context.Context, docs []vigil.Document, workers int) [][]Field {
	items := Prepare(ctx, docs, workers, &NormalizeStage{}, &TokenizeStage{})
	out := make([][]Field, len(items))
	for i, it := range items {
		out[i] = it.Fields
	}
	return out
}
