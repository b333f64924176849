package retag

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestHelperRetagChild is not a test: TestSIGKILLMidRunResumes runs the
// test binary again with this test selected, as the process it kills.
func TestHelperRetagChild(t *testing.T) {
	in, out := os.Getenv("RETAG_CHILD_IN"), os.Getenv("RETAG_CHILD_OUT")
	if in == "" {
		t.Skip("helper process for TestSIGKILLMidRunResumes")
	}
	c, _ := testChecker(100 * time.Microsecond)
	sum, err := Run(context.Background(), c, Job{In: in, Out: out, CommitEvery: 20 * time.Millisecond}, nil)
	if err != nil || !sum.Complete {
		t.Fatalf("child run: %v %+v", err, sum)
	}
}

// TestSIGKILLMidRunResumes kills a re-tagging process with SIGKILL several
// times at random points and reruns the same command each time: the final
// output must hold every document exactly once, in input order.
func TestSIGKILLMidRunResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	const n = 12000
	in := writeArchive(t, dir, n)
	out := filepath.Join(dir, "out.jsonl")
	ckpt := out + ".checkpoint"
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRetagChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "RETAG_CHILD_IN="+in, "RETAG_CHILD_OUT="+out)
		return cmd
	}
	var lastLine int64
	kills := 0
	for round := 0; round < 3; round++ {
		cmd := child()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the child has checkpointed past where the last one
		// was killed, then kill it without warning.
		deadline := time.Now().Add(20 * time.Second)
		killed := false
		for time.Now().Before(deadline) {
			cp, err := loadCheckpointFile(ckpt)
			if err == nil && cp != nil && cp.Input.Line > lastLine+1000 {
				time.Sleep(7 * time.Millisecond) // land between checkpoints
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					break // already finished
				}
				lastLine = cp.Input.Line
				killed = true
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		cmd.Wait()
		if !killed {
			break
		}
		kills++
	}
	if kills == 0 {
		t.Fatal("the child finished before it could be killed; make the archive bigger")
	}
	// Evidence that the kill left work behind: a checkpoint short of the end.
	if cp, err := loadCheckpointFile(ckpt); err != nil || cp == nil || cp.Input.Line >= n {
		t.Fatalf("after %d kills: checkpoint %+v, %v", kills, cp, err)
	}
	if out, err := child().CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	checkSequence(t, readVerdicts(t, out), n)
	if _, err := os.Stat(ckpt); !os.IsNotExist(err) {
		t.Errorf("checkpoint left after the final run: %v", err)
	}
	t.Logf("killed %d times, resumed each time", kills)
}
