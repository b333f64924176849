package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"

	vigil "github.com/kz-newsroom/vigil"
)

// Live is the engine a long-running service checks with: Reload swaps in
// a new Engine built from the same options without stopping the service.
// Checks already running finish on the engine they started with. Its
// methods are safe for concurrent use; Check, CheckBatch and Stream need a
// first successful Reload.
type Live struct {
	opts   Options
	log    *slog.Logger
	onLoad func(vigil.Versions)

	cur atomic.Pointer[Engine]
	mu  sync.Mutex // serializes reloads
	sum string     // fingerprint of the files the current engine was built from
}

// NewLive returns a Live engine that builds its engines from opts and
// logs its reloads to opts.Logger. onLoad, when set, is called with the
// versions of each engine swapped in (metrics). Nothing is loaded until
// Reload.
func NewLive(opts Options, onLoad func(vigil.Versions)) *Live {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Live{opts: opts, log: log, onLoad: onLoad}
}

// Current is the engine in use, nil before the first Reload.
func (l *Live) Current() *Engine { return l.cur.Load() }

// Reload builds a new engine when the files under the models or rules
// directory changed since the last build (or always, with force) and swaps
// it in. On failure the current engine stays and the error says what could
// not be loaded.
func (l *Live) Reload(ctx context.Context, force bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	sum, err := fingerprint(l.opts.ModelsDir, l.opts.RulesDir)
	if err != nil {
		return err
	}
	if !force && sum == l.sum && l.cur.Load() != nil {
		return nil
	}
	e, err := New(ctx, l.opts)
	if err != nil {
		return fmt.Errorf("load models and rules: %w", err)
	}
	old := l.cur.Swap(e)
	l.sum = sum
	if l.onLoad != nil {
		l.onLoad(e.versions)
	}
	if old != nil {
		l.log.Info("models and rules reloaded", "model", e.versions.Model, "rules", e.versions.Rules, "heads", HeadsLine(e.heads),
			"previous_model", old.versions.Model, "previous_rules", old.versions.Rules, "previous_heads", HeadsLine(old.heads))
	} else {
		l.log.Info("engine loaded", "model", e.versions.Model, "rules", e.versions.Rules, "flag", e.versions.Flag,
			"heads", HeadsLine(e.heads), "stages", e.pipe.Stages())
	}
	return nil
}

// Ready returns an EUNAVAILABLE error until an engine is loaded.
func (l *Live) Ready(context.Context) error {
	if l.cur.Load() == nil {
		return vigil.Errorf(vigil.EUNAVAILABLE, "models and rules not loaded")
	}
	return nil
}

// Describe is Engine.Describe on the current engine, "" before the first
// Reload.
func (l *Live) Describe(rule, lang string) string {
	if e := l.cur.Load(); e != nil {
		return e.Describe(rule, lang)
	}
	return ""
}

// Check is Engine.Check on the current engine.
func (l *Live) Check(ctx context.Context, doc *vigil.Document) vigil.Verdict {
	return l.cur.Load().Check(ctx, doc)
}

// CheckBatch is Engine.CheckBatch on the current engine.
func (l *Live) CheckBatch(ctx context.Context, docs []vigil.Document) []vigil.Verdict {
	return l.cur.Load().CheckBatch(ctx, docs)
}

// Stream is Engine.Stream on the current engine.
func (l *Live) Stream(ctx context.Context, in <-chan *vigil.Document) <-chan vigil.Verdict {
	return l.cur.Load().Stream(ctx, in)
}

// fingerprint sums the names, sizes and modification times of the files
// under dirs (empty dirs are the embedded defaults and add nothing).
func fingerprint(dirs ...string) (string, error) {
	h := sha256.New()
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00%d\n", path, info.Size(), info.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("reload: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
