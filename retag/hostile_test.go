package retag

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testenv"
)

// TestMistypedInputKeepsOutput: re-running with an --in that does not
// exist fails before the output is touched; the previous output stays
// whole (issue 14, row 6: it was truncated to 0 bytes).
func TestMistypedInputKeepsOutput(t *testing.T) {
	dir := t.TempDir()
	in := writeArchive(t, dir, 50)
	out := filepath.Join(dir, "verdicts.jsonl")
	c, _ := testChecker(0)
	if _, err := Run(context.Background(), c, Job{In: in, Out: out}, nil); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(out)
	if err != nil || len(before) == 0 {
		t.Fatalf("first run wrote %d bytes (%v)", len(before), err)
	}
	for _, typo := range []string{filepath.Join(dir, "archve.jsonl"), filepath.Join(dir, "archive.csv"), dir} {
		_, err = Run(context.Background(), c, Job{In: typo, Out: out}, nil)
		if vigil.ErrorCode(err) != vigil.EINVALID {
			t.Errorf("--in %s: error %v; want EINVALID", typo, err)
		}
		if after, _ := os.ReadFile(out); !bytes.Equal(after, before) {
			t.Fatalf("--in %s: the output went from %d to %d bytes; want it untouched", typo, len(before), len(after))
		}
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm()&0o007 != 0 {
		t.Errorf("output mode %v (%v); want no access for others", fi.Mode(), err)
	}
}

// TestSecondRunOnSameOutputRefused: while one run writes an output, a
// second run on the same --out (without --claims) is refused at once with
// a message saying why, and the first finishes intact (issue 14, row 7:
// both ran and tore lines).
func TestSecondRunOnSameOutputRefused(t *testing.T) {
	dir := t.TempDir()
	in := writeArchive(t, dir, 200)
	out := filepath.Join(dir, "verdicts.jsonl")
	slow, ks := testChecker(5 * time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), slow, Job{In: in, Out: out}, nil)
		done <- err
	}()
	// Wait until the first run has started checking.
	testenv.Eventually(t, 10*time.Second, "the first run to start checking", func() bool {
		ks.mu.Lock()
		defer ks.mu.Unlock()
		return len(ks.seen) > 0
	})
	fast, _ := testChecker(0)
	_, err := Run(context.Background(), fast, Job{In: in, Out: out}, nil)
	if vigil.ErrorCode(err) != vigil.ECONFLICT || !strings.Contains(vigil.ErrorMessage(err), "in use by another vigil retag") {
		t.Errorf("second run: %v; want ECONFLICT saying the output is in use", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("first run: %v", err)
	}
	checkSequence(t, readVerdicts(t, out), 200)
	// Once the first run is over, the output is free again.
	if _, err := Run(context.Background(), fast, Job{In: in, Out: out}, nil); err != nil {
		t.Errorf("run after the first ended: %v", err)
	}
}
