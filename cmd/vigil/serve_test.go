package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// TestServeMissingConfig: a --config file that is not there is a usage error naming it.
func TestServeMissingConfig(t *testing.T) {
	code, _, stderr := runCmd(t, "", "serve", "--config", filepath.Join(t.TempDir(), "missing.yaml"))
	if code != exitUsage || !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("missing config: exit %d, stderr %q; want 2 naming the file", code, stderr)
	}
}

// lineWriter hands the server's log to the test through a pipe.
type lineWriter struct{ w *io.PipeWriter }

func (l lineWriter) Write(b []byte) (int, error) { return l.w.Write(b) }

// TestServeEndToEnd runs `vigil serve` in-process on a free port, checks
// the seed article through HTTP, then cancels its context (what SIGTERM
// does) and expects a clean exit.
func TestServeEndToEnd(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	envs := map[string]string{"VIGIL_CMS_TOKENS": "cms-token", "VIGIL_MODERATOR_TOKENS": "mod-token"}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: lineWriter{pw},
		getenv: func(k string) string { return envs[k] }}
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, e, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-level", "info"})
		pw.Close()
	}()

	// The log says where it listens.
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
		close(addr)
	}()
	var base string
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("serve exited before listening (exit %d)", <-exited)
		}
		base = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start listening in 30s")
	}

	doc, err := os.ReadFile(filepath.Join("..", "..", "server", "testdata", "article-ru.json"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", base+"/v1/check", bytes.NewReader(doc))
	req.Header.Set("Authorization", "Bearer cms-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var v vigil.Verdict
	json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if resp.StatusCode != 200 || v.ID != "zakon-2023-09-08-80k" || v.Action != vigil.ActionAllow {
		t.Errorf("check: %d %+v; want 200, allow", resp.StatusCode, v)
	}
	// The decisions feed is the CMS's; bulk decisions on the same path the moderators'.
	for _, tc := range []struct {
		method, token string
		status        int
	}{{"GET", "cms-token", 200}, {"GET", "mod-token", 403}, {"POST", "cms-token", 403}, {"POST", "mod-token", 400}} {
		req, _ := http.NewRequest(tc.method, base+"/v1/review/decisions", strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer "+tc.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s /v1/review/decisions as %s: %d, want %d", tc.method, tc.token, resp.StatusCode, tc.status)
		}
	}
	for path, want := range map[string]int{"/readyz": 200, "/healthz": 200, "/metrics": 200, "/v1/review/items": 401} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}

	cancel()
	select {
	case code := <-exited:
		if code != exitOK {
			t.Errorf("exit %d after the signal, want 0", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit within 30s of the signal")
	}
}

// TestServeRefuses: settings that cannot work stop serve with exit 2 and
// a message saying why, before it serves anything.
func TestServeRefuses(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"no tokens on a public address", "addr: 0.0.0.0:0\n", "no bearer tokens"},
		{"retag without input", "addr: 127.0.0.1:0\njobs:\n  retag:\n    schedule: \"0 3 * * *\"\n", "in and out are required"},
		{"bad cron", "addr: 127.0.0.1:0\njobs:\n  retag:\n    schedule: \"at night\"\n    in: a.jsonl\n    out: b.jsonl\n", "retag"},
		{"bad log level", "log:\n  level: loud\n", "log level"},
		{"token twice", "tokens:\n  cms: [x]\n  admin: [x]\n", "configured twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "vigil.yaml")
			os.WriteFile(path, []byte(tc.yaml+"data_dir: "+filepath.Join(dir, "data")+"\n"), 0o644)
			code, _, stderr := runCmd(t, "", "serve", "--config", path)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}
