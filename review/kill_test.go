package review

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// enqueueRequest is what the helper server takes: what vigil serve hands
// the store for a review verdict.
type enqueueRequest struct {
	Document vigil.Document `json:"document"`
	Verdict  vigil.Verdict  `json:"verdict"`
}

// TestHelperEnqueueServer is not a test: TestKilledAfterAnswerLosesNothing
// runs the test binary again with VIGIL_REVIEW_HELPER set, and this serves
// Enqueue over HTTP the way vigil serve does before answering the CMS.
func TestHelperEnqueueServer(t *testing.T) {
	if os.Getenv("VIGIL_REVIEW_HELPER") != "1" {
		t.Skip("helper process for TestKilledAfterAnswerLosesNothing")
	}
	s, err := Open(context.Background(), Config{DataDir: os.Getenv("VIGIL_DATA_DIR"), DatabaseURL: os.Getenv("VIGIL_DATABASE_URL")})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("LISTEN", ln.Addr())
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req enqueueRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		if err := s.Enqueue(r.Context(), req.Document, req.Verdict); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write([]byte(`{"action":"review"}`))
	}))
}

// TestKilledAfterAnswerLosesNothing kills the serving process with SIGKILL
// while it answers enqueues from several clients, right after an answer,
// and checks that every answered item is in the queue.
func TestKilledAfterAnswerLosesNothing(t *testing.T) {
	if os.Getenv("VIGIL_REVIEW_HELPER") != "" {
		t.Skip("inside the helper")
	}
	for _, b := range []string{"sqlite", "postgres"} {
		t.Run(b, func(t *testing.T) {
			env := []string{"VIGIL_REVIEW_HELPER=1"}
			dir := t.TempDir()
			cfg := Config{DataDir: dir}
			if b == "postgres" {
				cfg = Config{DatabaseURL: createPostgresDB(t)}
				env = append(env, "VIGIL_DATABASE_URL="+cfg.DatabaseURL)
			} else {
				env = append(env, "VIGIL_DATA_DIR="+dir)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEnqueueServer$", "-test.v")
			cmd.Env = append(os.Environ(), env...)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			addr := ""
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if a, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
					addr = a
					break
				}
				if strings.HasPrefix(sc.Text(), "ERROR") {
					t.Fatal(sc.Text())
				}
			}
			if addr == "" {
				t.Fatal("helper did not start")
			}
			go func() {
				for sc.Scan() {
				}
			}()

			const workers, killAfter = 8, 150
			var (
				mu     sync.Mutex
				acked  []string
				killed bool
			)
			client := &http.Client{Timeout: 10 * time.Second}
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := 0; ; i++ {
						d, v := flagged(fmt.Sprintf("kill-%d-%d", w, i), "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
						body, _ := json.Marshal(enqueueRequest{d, v})
						resp, err := client.Post("http://"+addr+"/", "application/json", strings.NewReader(string(body)))
						if err != nil {
							return // the server is gone
						}
						resp.Body.Close()
						if resp.StatusCode != 200 {
							t.Errorf("enqueue %s: %s", d.ID, resp.Status)
							return
						}
						mu.Lock()
						if killed {
							mu.Unlock()
							return
						}
						acked = append(acked, d.ID)
						if len(acked) == killAfter {
							// Right after this answer, with others in flight.
							cmd.Process.Kill() // SIGKILL
							killed = true
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			cmd.Wait()
			if len(acked) < killAfter {
				t.Fatalf("only %d answers before the server died", len(acked))
			}

			s, err := Open(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			missing := 0
			for _, id := range acked {
				items, _, err := s.List(context.Background(), Filter{DocID: id, Status: vigil.ReviewPending})
				if err != nil {
					t.Fatal(err)
				}
				if len(items) != 1 {
					missing++
					t.Errorf("answered %s is not in the queue after SIGKILL", id)
				}
			}
			st, _ := s.Stats(context.Background())
			t.Logf("%s: %d answered before SIGKILL, %d missing, %d in the queue", b, len(acked), missing, st.Items[vigil.ReviewPending])
		})
	}
}
