package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/httpjson"
	"github.com/kz-newsroom/vigil/metrics"
)

// enqueueTimeout bounds putting review verdicts into the queue; it runs on
// a context detached from the client's, so a caller that hangs up after
// the check still gets its document queued.
const enqueueTimeout = 10 * time.Second

// BatchRequest is the body of POST /v1/check/batch.
type BatchRequest struct {
	Documents []vigil.Document `json:"documents"`
}

// BatchResponse is its answer: one verdict per document, in order.
type BatchResponse struct {
	Verdicts []vigil.Verdict `json:"verdicts"`
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads a request body of at most limit bytes that must be valid
// UTF-8 JSON. The buffer goes back to bufPool after use.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (*bytes.Buffer, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		bufPool.Put(buf)
		if httpjson.IsTooLarge(err) {
			return nil, vigil.Errorf(vigil.ETOOLARGE, "request body is over the limit of %d bytes", limit)
		}
		return nil, vigil.Errorf(vigil.EINVALID, "reading request body: %v", err)
	}
	if b := buf.Bytes(); !utf8.Valid(b) {
		at := 0
		for at < len(b) {
			r, n := utf8.DecodeRune(b[at:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			at += n
		}
		bufPool.Put(buf)
		return nil, vigil.Errorf(vigil.EINVALID, "request body: invalid UTF-8 at byte %d", at)
	}
	return buf, nil
}

// DecodeDocument parses the body of POST /v1/check into a validated
// document (see vigil.Document.Validate).
func DecodeDocument(b []byte, maxBytes int) (vigil.Document, error) {
	var doc vigil.Document
	if err := httpjson.Decode(b, &doc, httpjson.IgnoreUnknown); err != nil {
		return doc, err
	}
	return doc, doc.Validate(maxBytes)
}

// DecodeBatch parses the body of POST /v1/check/batch. An error is about
// the request as a whole (not JSON, too many documents); each document's
// own validation error is in errs, at its index, nil for a valid one.
func DecodeBatch(b []byte, maxDocs, maxBytes int) (docs []vigil.Document, errs []error, err error) {
	return DecodeBatchFrom(bytes.NewReader(b), maxDocs, maxBytes)
}

// DecodeBatchFrom is DecodeBatch reading the body as it streams. It counts
// the documents as they are decoded and stops at the first one past
// maxDocs, so a batch over the limit is refused (ETOOLARGE) after reading
// at most maxDocs+1 documents, however long its array: memory and time
// are bounded by the limit, not by the body. Invalid UTF-8 anywhere is an
// error naming its byte; a document of the wrong JSON type gets its own
// error in errs.
func DecodeBatchFrom(r io.Reader, maxDocs, maxBytes int) (docs []vigil.Document, errs []error, err error) {
	ur := &utf8Reader{r: r}
	dec := json.NewDecoder(ur)
	fail := func(err error) ([]vigil.Document, []error, error) {
		var ve *vigil.Error
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &ve):
			return nil, nil, ve
		case errors.As(err, &mbe):
			return nil, nil, vigil.Errorf(vigil.ETOOLARGE, "request body is over the limit of %d bytes", mbe.Limit)
		}
		return nil, nil, vigil.Errorf(vigil.EINVALID, "request body: %s", vigil.JSONError(err))
	}
	want := func(d json.Delim, what string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if tok != d {
			return vigil.Errorf(vigil.EINVALID, `request body: %s at byte %d; want {"documents":[...]}`, what, dec.InputOffset())
		}
		return nil
	}
	if err := want('{', "not a JSON object"); err != nil {
		return fail(err)
	}
	found := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		if key != "documents" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		if tok == nil { // "documents": null
			found = false
			continue
		}
		if tok != json.Delim('[') {
			return nil, nil, vigil.Errorf(vigil.EINVALID, `request body: "documents" must be an array: {"documents":[...]}`)
		}
		found, docs, errs = true, docs[:0], errs[:0]
		for dec.More() {
			if len(docs) == maxDocs {
				return nil, nil, vigil.Errorf(vigil.ETOOLARGE, "batch of %d documents or more is over the limit of %d", maxDocs+1, maxDocs)
			}
			var doc vigil.Document
			var derr error
			if err := dec.Decode(&doc); err != nil {
				var te *json.UnmarshalTypeError
				if !errors.As(err, &te) {
					return fail(err)
				}
				derr = vigil.Errorf(vigil.EINVALID, "%s", vigil.JSONError(err))
				if te.Field == "" {
					derr = vigil.Errorf(vigil.EINVALID, "a JSON %s, not a document object", te.Value)
				}
			} else {
				derr = doc.Validate(maxBytes)
			}
			if derr != nil {
				derr = vigil.Errorf(vigil.ErrorCode(derr), "documents[%d]: %s", len(docs), vigil.ErrorMessage(derr))
			}
			docs, errs = append(docs, doc), append(errs, derr)
		}
		if err := want(']', "unterminated documents array"); err != nil {
			return fail(err)
		}
	}
	if err := want('}', "unterminated object"); err != nil {
		return fail(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return fail(err)
		}
		return nil, nil, vigil.Errorf(vigil.EINVALID, "request body: data after the JSON value at byte %d", dec.InputOffset())
	}
	if !found {
		return nil, nil, vigil.Errorf(vigil.EINVALID, `request body: "documents" is required: {"documents":[...]}`)
	}
	return docs, errs, nil
}

// heavy reports whether a request's body is large (over the large-document
// size, or of unknown length), so that it is read in the large lane.
func (s *Server) heavy(r *http.Request) bool {
	return r.ContentLength < 0 || r.ContentLength > int64(s.cfg.LargeDocumentBytes)
}

// enterLane takes a place in the large lane for a heavy request, before its
// body is read. A refused request's body (up to limit) is read and
// dropped so the client hears the 503 instead of a reset connection.
// release is nil when the request is not heavy.
func (s *Server) enterLane(w http.ResponseWriter, r *http.Request, limit int64) (release func(), ok bool) {
	return s.enterLaneFunc(w, r, limit, s.refuse)
}

// enterLaneFunc is enterLane answering a refusal with refuse (an API with
// its own error shape).
func (s *Server) enterLaneFunc(w http.ResponseWriter, r *http.Request, limit int64,
	refuse func(http.ResponseWriter, *http.Request, error)) (release func(), ok bool) {
	if !s.heavy(r) {
		return nil, true
	}
	leave, err := s.limit.lane(r.Context())
	if err != nil {
		io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, limit))
		refuse(w, r, err)
		return nil, false
	}
	if !s.cfg.LaneSamePriority {
		restore := lowerPriority()
		return func() { restore(); leave() }, true
	}
	return leave, true
}

func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) {
	// The body may be a little over the document limit: JSON quoting.
	limit := int64(s.cfg.MaxDocumentBytes) + 64<<10
	lane, ok := s.enterLane(w, r, limit)
	if !ok {
		return
	}
	if lane != nil {
		defer lane()
	}
	buf, err := readBody(w, r, limit)
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	doc, err := DecodeDocument(buf.Bytes(), s.cfg.MaxDocumentBytes)
	bufPool.Put(buf)
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	v, err := s.checkOne(r.Context(), &doc)
	if err == nil {
		err = s.queueOne(r.Context(), doc, v)
	}
	if err != nil {
		httpjson.Error(w, r, s.log, err)
		return
	}
	httpjson.Write(w, http.StatusOK, v)
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	lane, ok := s.enterLane(w, r, s.cfg.MaxBatchBytes)
	if !ok {
		return
	}
	if lane != nil {
		defer lane()
	}
	// Decoded as it streams: a batch over the document limit is refused at
	// its first document too many, without decoding the rest.
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBatchBytes)
	docs, errs, err := DecodeBatchFrom(body, s.cfg.MaxBatchDocuments, s.cfg.MaxDocumentBytes)
	if err != nil {
		// The rest of the body (within the limit) is read and dropped, in
		// 32 KiB steps: a client still sending would otherwise have its
		// connection reset and lose the answer.
		io.Copy(io.Discard, body)
		s.refuse(w, r, err)
		return
	}
	// Only valid documents go through the pipeline; invalid ones answer
	// with their error in place and cost nothing.
	valid := make([]vigil.Document, 0, len(docs))
	at := make([]int, 0, len(docs))
	for i := range docs {
		if errs[i] == nil {
			valid = append(valid, docs[i])
			at = append(at, i)
		}
	}
	out := make([]vigil.Verdict, len(docs))
	for i, e := range errs {
		if e != nil {
			var ve *vigil.Error
			errors.As(e, &ve)
			out[i] = vigil.Verdict{ID: docs[i].ID, Action: "", Tags: []vigil.Tag{}, Flags: []vigil.Flag{}, Error: ve}
		}
	}
	if len(valid) > 0 {
		release, err := s.limit.acquire(r.Context(), len(valid))
		if err != nil {
			s.refuse(w, r, err)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.BatchTimeout)
		verdicts := s.deps.Checker.CheckBatch(ctx, valid)
		cancel()
		release()
		for j, v := range verdicts {
			s.m.ObserveVerdict(valid[j].Kind, v)
		}
		if err := s.enqueue(r.Context(), valid, verdicts); err != nil {
			httpjson.Error(w, r, s.log, err)
			return
		}
		for j, v := range verdicts {
			out[at[j]] = v
		}
	}
	httpjson.Write(w, http.StatusOK, BatchResponse{Verdicts: out})
}

// enqueue puts every document whose verdict is review into the review
// queue, before the caller hears the verdict: if the process dies after
// answering, nothing is lost. A document the queue refuses as invalid
// (EINVALID: retrying would not help) gets that error in its verdict, which
// no longer says review, and the others go on. Any other failure fails the
// request (503) so the CMS retries; items already queued are not
// duplicated, the queue being idempotent on document content.
func (s *Server) enqueue(ctx context.Context, docs []vigil.Document, verdicts []vigil.Verdict) error {
	var ectx context.Context
	for i, v := range verdicts {
		if v.Action != vigil.ActionReview || v.Error != nil {
			continue
		}
		if ectx == nil {
			var cancel context.CancelFunc
			ectx, cancel = context.WithTimeout(context.WithoutCancel(ctx), enqueueTimeout)
			defer cancel()
		}
		if err := s.deps.Review.Enqueue(ectx, docs[i], v); err != nil {
			if vigil.ErrorCode(err) == vigil.EINVALID {
				s.log.WarnContext(ctx, "review queue refused document", "doc", docs[i].ID, "error", err)
				verdicts[i] = vigil.Verdict{ID: v.ID, Tags: []vigil.Tag{}, Flags: []vigil.Flag{},
					Error: &vigil.Error{Code: vigil.EINVALID, Message: vigil.ErrorMessage(err)}}
				continue
			}
			s.log.ErrorContext(ctx, "review enqueue failed", "doc", docs[i].ID, "error", err)
			return vigil.Errorf(vigil.EUNAVAILABLE, "review queue unavailable, document %q not queued; retry", docs[i].ID)
		}
	}
	return nil
}

// checkOne checks one document under the in-flight limit and the check
// timeout, and records its verdict. Its error is an overload refusal
// (counted) or the failed check's error; each API answers it in its own
// shape.
func (s *Server) checkOne(ctx context.Context, doc *vigil.Document) (vigil.Verdict, error) {
	release, err := s.limit.acquire(ctx, 1)
	if err != nil {
		if vigil.ErrorCode(err) == vigil.EUNAVAILABLE {
			s.m.Rejected(metrics.RejectOverload)
		}
		return vigil.Verdict{}, err
	}
	defer release()
	cctx, cancel := context.WithTimeout(ctx, s.cfg.CheckTimeout)
	v := s.deps.Checker.Check(cctx, doc)
	cancel()
	s.m.ObserveVerdict(doc.Kind, v)
	if v.Error != nil {
		s.log.WarnContext(ctx, "check failed", "doc", doc.ID, "code", v.Error.Code, "error", v.Error.Message)
		return v, v.Error
	}
	return v, nil
}

// queueOne sends a checked document to review when its verdict asks; the
// queue refusing the document as invalid is an error too.
func (s *Server) queueOne(ctx context.Context, doc vigil.Document, v vigil.Verdict) error {
	vs := []vigil.Verdict{v}
	if err := s.enqueue(ctx, []vigil.Document{doc}, vs); err != nil {
		return err
	}
	if vs[0].Error != nil {
		return vs[0].Error
	}
	return nil
}

// refuse answers a request rejected before any check, counting the
// rejections operators watch (too large, overload).
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	switch vigil.ErrorCode(err) {
	case vigil.ETOOLARGE:
		s.m.Rejected(metrics.RejectTooLarge)
	case vigil.EUNAVAILABLE:
		s.m.Rejected(metrics.RejectOverload)
	}
	httpjson.Error(w, r, s.log, err)
}

// utf8Reader passes a request body through, failing with EINVALID at the
// first byte that is not valid UTF-8 (naming its offset), so a streamed
// body is checked as strictly as a buffered one: encoding/json would
// otherwise turn bad bytes into U+FFFD without a word. A character cut by
// a read is held back until its remaining bytes arrive.
type utf8Reader struct {
	r     io.Reader
	off   int64  // bytes passed on so far
	carry []byte // the start of a character cut by the last read
	err   error
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	if len(p) < utf8.UTFMax {
		return 0, io.ErrShortBuffer
	}
	for {
		c := copy(p, u.carry)
		n, err := u.r.Read(p[c:])
		n += c
		i := 0
		for i < n {
			if p[i] < utf8.RuneSelf {
				i++
				continue
			}
			if err == nil && !utf8.FullRune(p[i:n]) {
				break // the rest comes with the next read
			}
			if r, size := utf8.DecodeRune(p[i:n]); r != utf8.RuneError || size > 1 {
				i += size
				continue
			}
			u.err = vigil.Errorf(vigil.EINVALID, "request body: invalid UTF-8 at byte %d", u.off+int64(i))
			u.off += int64(i)
			if i == 0 {
				return 0, u.err
			}
			return i, nil
		}
		u.carry = append(u.carry[:0], p[i:n]...)
		u.off += int64(i)
		if err != nil {
			u.err = err
		}
		if i > 0 || err != nil {
			return i, err
		}
	}
}
