package server_test

import (
	"context"
	"strings"
	"sync"
	"syscall"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/server"
)

// niceProbe is a stage that records the nice value of the thread it runs
// on, per document.
type niceProbe struct {
	mu   sync.Mutex
	nice map[string]int
}

func (*niceProbe) Name() string { return "nice" }

func (p *niceProbe) Process(_ context.Context, it *pipeline.Item) error {
	// The raw syscall answers 20 - nice.
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.nice[it.Doc.ID] = 20 - raw
	p.mu.Unlock()
	return nil
}

// TestLargeRequestsRunAtLowerPriority: a large request is read and checked
// on a thread at nice 10, so busy cores run ordinary checks first; an
// ordinary one, before and after it, at the process's own priority; and
// lane_same_priority turns it off.
func TestLargeRequestsRunAtLowerPriority(t *testing.T) {
	for _, same := range []bool{false, true} {
		p := &niceProbe{nice: map[string]int{}}
		ts := startServer(t, []pipeline.Stage{p}, withTokens, func(c *server.Config, _ *server.Deps) {
			c.LargeDocumentBytes = 1000
			c.LaneSamePriority = same
		})
		big := strings.Repeat("слово ", 400)
		for _, d := range []vigil.Document{{ID: "small-1", Body: "привет"}, {ID: "big", Body: big}, {ID: "small-2", Body: "привет"}} {
			if r := ts.post(t, "/v1/check", cmsToken, d); r.status != 200 {
				t.Fatalf("%s: %d %s", d.ID, r.status, r.body)
			}
		}
		wantBig := 10
		if same {
			wantBig = 0
		}
		for id, want := range map[string]int{"small-1": 0, "big": wantBig, "small-2": 0} {
			if got := p.nice[id]; got != want {
				t.Errorf("lane_same_priority %v: %s checked at nice %d, want %d", same, id, got, want)
			}
		}
	}
}
