package retag

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestTaskRunsEachTimeAndResumesAnInterruptedRun(t *testing.T) {
	dir := t.TempDir()
	const n = 2000
	in := writeArchive(t, dir, n)
	out := filepath.Join(dir, "out.jsonl")
	c, _ := testChecker(50 * time.Microsecond)
	var counted int64
	var successes []Summary
	ctx, cancel := context.WithCancel(context.Background())
	task := Task(c, Job{In: in, Out: out, CommitEvery: time.Millisecond}, func(k int64) {
		if counted += k; counted == n/2 {
			cancel() // the service stops in the middle of the first run
		}
	}, func(s Summary) { successes = append(successes, s) })

	if err := task(ctx); err == nil {
		t.Fatal("interrupted run reported success")
	}
	if len(successes) != 0 {
		t.Fatal("success recorded for an interrupted run")
	}
	if err := task(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(successes) != 1 || !successes[0].Resumed || successes[0].Documents != n {
		t.Fatalf("second run should finish the first: %+v", successes)
	}
	if err := task(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(successes) != 2 || successes[1].Resumed || successes[1].Processed != n {
		t.Fatalf("third run should re-tag everything afresh: %+v", successes[1])
	}
	if counted < 2*n {
		t.Errorf("counted %d documents over the runs, want at least %d", counted, 2*n)
	}
	checkSequence(t, readVerdicts(t, out), n)
}
