package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/server"
)

// allocated returns the bytes fn allocates on the heap.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBatchOfEmptyDocumentsRefusedWhileStreaming: a batch body holding a
// huge array of {} is refused with 413 once the array passes the document
// limit, having allocated a bounded amount, not one document per element (issue 14, row 1: 5.6 million {}
// in 16 MiB took 3.4 GB). Scaled down: 300,000 elements, 900 kB.
func TestBatchOfEmptyDocumentsRefusedWhileStreaming(t *testing.T) {
	ts := startServer(t, nil, withTokens)
	const n = 300_000
	body := []byte(`{"documents":[{}` + strings.Repeat(`,{}`, n-1) + `]}`)
	var rec *httptest.ResponseRecorder
	alloc := allocated(func() {
		req := httptest.NewRequest("POST", "/v1/check/batch", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+cmsToken)
		rec = httptest.NewRecorder()
		ts.Handler().ServeHTTP(rec, req)
	})
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), vigil.ETOOLARGE) {
		t.Fatalf("got %d %s; want 413 ETOOLARGE", rec.Code, rec.Body)
	}
	if alloc > 4<<20 {
		t.Errorf("allocated %d bytes to refuse the batch; want under 4 MiB", alloc)
	}
}

// TestDecodeBatchStopsAtLimit: the decoder reads no further than the
// first document over the limit.
func TestDecodeBatchStopsAtLimit(t *testing.T) {
	body := []byte(`{"documents":[{}` + strings.Repeat(`,{}`, 299_999) + `]}`)
	r := bytes.NewReader(body)
	if _, _, err := server.DecodeBatchFrom(r, 256, 1000); vigil.ErrorCode(err) != vigil.ETOOLARGE {
		t.Fatalf("error %v; want ETOOLARGE", err)
	}
	if read := len(body) - r.Len(); read > 64<<10 {
		t.Errorf("read %d of %d bytes; want a stop at document 257", read, len(body))
	}
}

// TestDecodeBatchStreaming pins the streamed decoder's answers.
func TestDecodeBatchStreaming(t *testing.T) {
	tests := []struct {
		name, body string
		code, msg  string // request error; "" when accepted
		docErrs    []string
	}{
		{"two documents", `{"documents":[{"id":"a","body":"x"},{"id":"b","kind":"tweet","body":"x"}]}`, "", "", []string{"", "documents[1]: document \"b\": kind"}},
		{"other keys around", `{"x":[1,{"y":2}],"documents":[{"id":"a","body":"x"}],"z":null}`, "", "", []string{""}},
		{"not an object element", `{"documents":[1,{"id":"a","body":"x"}]}`, "", "", []string{"documents[0]: a JSON number", ""}},
		{"wrong field type", `{"documents":[{"id":5,"body":"x"}]}`, "", "", []string{`documents[0]: field "id" must be a JSON string, not number`}},
		{"null documents", `{"documents":null}`, vigil.EINVALID, `"documents" is required`, nil},
		{"documents not an array", `{"documents":{}}`, vigil.EINVALID, "must be an array", nil},
		{"array body", `[]`, vigil.EINVALID, "not a JSON object", nil},
		{"trailing data", `{"documents":[]} {}`, vigil.EINVALID, "after the JSON value", nil},
		{"truncated", `{"documents":[{"id":"a"`, vigil.EINVALID, "truncated", nil},
		{"over the count", `{"documents":[{},{},{},{}]}`, vigil.ETOOLARGE, "4 documents", nil},
		{"invalid UTF-8", "{\"documents\":[{\"id\":\"a\",\"body\":\"ab\xffc\"}]}", vigil.EINVALID, "invalid UTF-8 at byte 34", nil},
		{"cut UTF-8 at the end", "{\"documents\":[]}\xd0", vigil.EINVALID, "invalid UTF-8 at byte 16", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// One byte a read, so that characters are cut between reads.
			docs, errs, err := server.DecodeBatchFrom(&oneByteReader{r: strings.NewReader(tc.body)}, 3, 1000)
			if tc.code != "" {
				if vigil.ErrorCode(err) != tc.code || !strings.Contains(vigil.ErrorMessage(err), tc.msg) {
					t.Fatalf("error %v; want %s containing %q", err, tc.code, tc.msg)
				}
				return
			}
			if err != nil || len(docs) != len(tc.docErrs) || len(errs) != len(docs) {
				t.Fatalf("%d docs, %d errs, %v; want %d", len(docs), len(errs), err, len(tc.docErrs))
			}
			for i, want := range tc.docErrs {
				if got := errs[i]; (want == "") != (got == nil) || got != nil && !strings.Contains(vigil.ErrorMessage(got), want) {
					t.Errorf("document %d: error %v; want %q", i, got, want)
				}
			}
		})
	}
}

// oneByteReader reads at most one byte at a time (buffers must still hold
// a whole character for the UTF-8 check, which holds cut ones back).
type oneByteReader struct{ r io.Reader }

func (o *oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:min(len(p), 1)]) }

// refusingQueue refuses, as PostgreSQL does, documents holding NUL, with
// EINVALID; it takes every other one.
type refusingQueue struct{ flakyQueue }

func (q *refusingQueue) Enqueue(ctx context.Context, doc vigil.Document, v vigil.Verdict) error {
	if strings.Contains(doc.ID+doc.Body, "\x00") {
		return vigil.Errorf(vigil.EINVALID, "review: document %q: body: NUL", doc.ID)
	}
	return q.flakyQueue.Enqueue(ctx, doc, v)
}

// TestNULAnswered400NotRetry: NUL in id, author or section is a 400 naming
// the field, and in a batch that document's own error while the others
// are checked; a document the queue refuses as invalid is the same, never
// a 503 the CMS would retry forever (issue 14, row 5).
func TestNULAnswered400NotRetry(t *testing.T) {
	q := &refusingQueue{}
	ts := startServer(t, []pipeline.Stage{keywordStage{}}, withTokens, func(_ *server.Config, d *server.Deps) { d.Review = q })
	for _, field := range []string{"id", "author", "section"} {
		doc := map[string]string{"id": "c-1", "kind": "comment", "body": "вступай", field: "x\x00y"}
		r := ts.post(t, "/v1/check", cmsToken, doc)
		if r.status != 400 || r.errorCode() != vigil.EINVALID || !strings.Contains(string(r.body), field+`: NUL`) {
			t.Errorf("NUL in %s: %d %s; want 400 EINVALID naming the field", field, r.status, r.body)
		}
	}
	// Refused by the queue, not by validation: NUL in the body.
	if r := ts.post(t, "/v1/check", cmsToken, vigil.Document{ID: "c-2", Kind: "comment", Body: "вступай \x00"}); r.status != 400 || r.errorCode() != vigil.EINVALID {
		t.Errorf("document the queue refuses: %d %s; want 400 EINVALID", r.status, r.body)
	}
	batch := server.BatchRequest{Documents: []vigil.Document{
		{ID: "ok-1", Kind: "comment", Body: "вступай"},
		{ID: "bad", Kind: "comment", Body: "вступай", Author: "\x00"},
		{ID: "refused", Kind: "comment", Body: "вступай \x00"},
		{ID: "ok-2", Kind: "comment", Body: "привет"},
	}}
	r := ts.post(t, "/v1/check/batch", cmsToken, batch)
	if r.status != 200 {
		t.Fatalf("batch with NUL documents: %d %s; want 200", r.status, r.body)
	}
	vs := decode[server.BatchResponse](t, r).Verdicts
	if len(vs) != 4 || vs[0].Action != vigil.ActionReview || vs[3].Action != vigil.ActionAllow ||
		vs[1].Error == nil || !strings.Contains(vs[1].Error.Message, "author: NUL") || vs[2].Error == nil || vs[2].Action != "" {
		t.Errorf("batch verdicts %+v; want review, author error, queue error, allow", vs)
	}
}

// TestLargeDocumentsHaveTheirOwnLane: while large documents hold every
// place of the large lane, another large one is refused (503, Retry-After)
// after its short wait, and ordinary documents still get in: a flood of
// large or hostile documents cannot take every place (issue 14, rows 2
// and 3: 16 clients sending one long word made 95% of normal checks 503).
func TestLargeDocumentsHaveTheirOwnLane(t *testing.T) {
	g := newGate()
	ts := startServer(t, []pipeline.Stage{g}, withTokens, func(c *server.Config, _ *server.Deps) {
		c.MaxInFlight = 4
		c.LargeDocumentBytes = 1000
		c.MaxLargeInFlight = 1
		c.LargeQueueWait = 20 * time.Millisecond
	})
	big := vigil.Document{ID: "big", Kind: "comment", Body: strings.Repeat("ж", 1000)}
	done := make(chan response, 2)
	go func() { done <- ts.post(t, "/v1/check", cmsToken, big) }()
	<-g.entered
	big.ID = "big-2"
	if r := ts.post(t, "/v1/check", cmsToken, big); r.status != 503 || r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), "large requests") {
		t.Errorf("second large document: %d %s; want 503 with Retry-After, large lane full", r.status, r.body)
	}
	// A large body waiting for the lane is not read nor decoded before it
	// gets in: malformed JSON is answered 503 like any other, not 400, so
	// decoding hostile bodies is bounded by the lane too.
	for _, path := range []string{"/v1/check", "/v1/check/batch"} {
		if r := ts.do(t, "POST", path, cmsToken, strings.NewReader(`{"documents":[`+strings.Repeat(`{},`, 500))); r.status != 503 {
			t.Errorf("malformed large body to %s while the lane is full: %d %s; want 503", path, r.status, r.body)
		}
	}
	go func() { done <- ts.post(t, "/v1/check", cmsToken, vigil.Document{ID: "small", Body: "привет"}) }()
	<-g.entered // the small document got in beside the large one
	close(g.release)
	for range 2 {
		if r := <-done; r.status != 200 {
			t.Errorf("admitted request: %d %s", r.status, r.body)
		}
	}
}
