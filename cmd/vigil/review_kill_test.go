package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testenv"
	"github.com/kz-newsroom/vigil/review"
)

// TestServeHelperProcess is not a test: TestServeKilledAfterReviewAnswer
// runs the test binary again with VIGIL_SERVE_HELPER set, and this runs
// `vigil serve` in that process, exactly as the binary's main does.
func TestServeHelperProcess(t *testing.T) {
	if os.Getenv("VIGIL_SERVE_HELPER") != "1" {
		t.Skip("helper process for TestServeKilledAfterReviewAnswer")
	}
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--log-level", "info"}
	if c := os.Getenv("VIGIL_SERVE_HELPER_CONFIG"); c != "" {
		args = append(args, "--config", c)
	}
	os.Exit(run(context.Background(), e, args))
}

// TestServeKilledAfterReviewAnswer runs the real `vigil serve` in its own
// process, sends it recruiting comments from several clients, kills it with
// SIGKILL right after it answers a `review` verdict, and checks that every
// document answered `review` is in the moderators' queue.
func TestServeKilledAfterReviewAnswer(t *testing.T) {
	if os.Getenv("VIGIL_SERVE_HELPER") != "" {
		t.Skip("inside the helper")
	}
	var docs []vigil.Document
	f, err := os.Open(filepath.Join("..", "..", "testdata", "recruitment", "dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d vigil.Document
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(d.Flags, vigil.FlagExtremistRecruitment) {
			d.Flags, d.Tags = nil, nil
			docs = append(docs, d)
		}
	}
	f.Close()

	dir := t.TempDir()
	cmd, base := startServeHelper(t, "VIGIL_DATA_DIR="+dir, "VIGIL_DATABASE_URL=",
		"VIGIL_CMS_TOKENS=cms:cms-token", "VIGIL_MODERATOR_TOKENS=mod:mod-token")

	const workers, killAfter = 4, 40
	var (
		mu       sync.Mutex
		reviewed []string
		answered int
		killed   bool
	)
	client := &http.Client{Timeout: 20 * time.Second}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for round := 0; round < 5; round++ {
				for i := w; i < len(docs); i += workers {
					d := docs[i]
					d.ID = fmt.Sprintf("%s-r%d", d.ID, round)
					body, _ := json.Marshal(d)
					req, _ := http.NewRequest("POST", base+"/v1/check", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer cms-token")
					resp, err := client.Do(req)
					if err != nil {
						return // the server is gone
					}
					var v vigil.Verdict
					err = json.NewDecoder(resp.Body).Decode(&v)
					resp.Body.Close()
					if err != nil || resp.StatusCode != 200 {
						mu.Lock()
						gone := killed
						mu.Unlock()
						if !gone {
							t.Errorf("check %s: %d %v", d.ID, resp.StatusCode, err)
						}
						return
					}
					mu.Lock()
					if killed {
						mu.Unlock()
						return
					}
					answered++
					if v.Action == vigil.ActionReview {
						reviewed = append(reviewed, d.ID)
						if len(reviewed) == killAfter {
							cmd.Process.Kill() // SIGKILL, right after this answer
							killed = true
						}
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	cmd.Process.Kill()
	cmd.Wait()
	if len(reviewed) == 0 {
		if testenv.Required("review-e2e") {
			t.Fatalf("vigil serve answered %d recruiting comments and sent none to review", answered)
		}
		t.Skipf("vigil serve answered %d recruiting comments from testdata/recruitment and sent none to review: "+
			"the engine has no flag stage yet, so there is no review answer to kill after", answered)
	}
	if !killed {
		t.Logf("only %d review answers in %d checks; killing after the last", len(reviewed), answered)
	}

	store, err := review.Open(context.Background(), review.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, id := range reviewed {
		items, _, err := store.List(context.Background(), review.Filter{DocID: id, Status: review.StatusOpen})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 {
			t.Errorf("%s was answered review but is not in the queue after SIGKILL", id)
		}
	}
	t.Logf("%d checks answered, %d of them review, all %d in the queue after SIGKILL", answered, len(reviewed), len(reviewed))
}

// startServeHelper runs `vigil serve` in a child process with env added to
// this one's, waits until it listens and returns it and its base URL. The
// process is killed when t ends, if it still runs.
func startServeHelper(t *testing.T, env ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$")
	cmd.Env = append(append(os.Environ(), "VIGIL_SERVE_HELPER=1"), env...)
	logs, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatal("vigil serve exited before listening")
		}
		return cmd, "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatal("vigil serve did not listen within 60 s")
	}
	return nil, ""
}
