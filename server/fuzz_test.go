package server_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/server"
)

// FuzzDecodeDocument: no input panics the decoder; whatever it accepts is a
// valid document within the limit.
func FuzzDecodeDocument(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","body":"<p>Вербовщики</p>"}`,
		`{"id":"a","kind":"comment","lang":"kk","title":"x","tags":["security"]}`,
		`{"id":"","body":"x"}`, `{"id":"a"}`, `[]`, `null`, `{"id":"a","body":"x"} {}`,
		`{"id":"a","body":"\ud800"}`, "{\"id\":\"a\",\"body\":\"\xff\"}", `{"id":1e999}`,
		`{"id":"a\u0000","body":"x"}`, `{"id":"a","author":"\u0000","body":"x\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := server.DecodeDocument(b, 4096)
		if err != nil {
			if c := vigil.ErrorCode(err); c != vigil.EINVALID && c != vigil.ETOOLARGE {
				t.Fatalf("error code %s (%v); want EINVALID or ETOOLARGE", c, err)
			}
			return
		}
		if doc.ID == "" || len(doc.ID) > vigil.MaxIDBytes || (doc.Body == "" && doc.Title == "") ||
			doc.Size() > 4096 || !utf8.ValidString(doc.Body) || (doc.Kind != vigil.KindArticle && doc.Kind != vigil.KindComment) ||
			strings.ContainsRune(doc.ID+doc.Author+doc.Section, 0) {
			t.Fatalf("accepted an invalid document: %+v", doc)
		}
	})
}

// FuzzDecodeBatch: no input panics; an accepted batch has an error slot per
// document and is within the count limit; the body read a byte at a time
// (characters cut between reads) decodes exactly as read whole.
func FuzzDecodeBatch(f *testing.F) {
	for _, s := range []string{
		`{"documents":[{"id":"a","body":"x"},{"id":"b","kind":"tweet","body":"x"}]}`,
		`{"documents":[]}`, `{"documents":null}`, `{}`, `{"documents":[1,2]}`, `{"documents":[{},{},{},{}]}`,
		`{"x":{"documents":[]},"documents":[{"id":"я","body":"ж"}],"documents":[]}`, `{"documents":[{"id":"a\u0000","body":"x"}]}`,
		"{\"documents\":[{\"id\":\"a\",\"body\":\"\xd0\"}]}", `{"documents":[{"id":"a","body":"x"}]} []`, `{"documents":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		docs, errs, err := server.DecodeBatch(b, 3, 4096)
		sdocs, serrs, serr := server.DecodeBatchFrom(&oneByteReader{r: bytes.NewReader(b)}, 3, 4096)
		if vigil.ErrorCode(err) != vigil.ErrorCode(serr) || len(sdocs) != len(docs) || len(serrs) != len(errs) {
			t.Fatalf("whole: %d docs, %v; a byte at a time: %d docs, %v", len(docs), err, len(sdocs), serr)
		}
		if err != nil {
			if c := vigil.ErrorCode(err); c != vigil.EINVALID && c != vigil.ETOOLARGE {
				t.Fatalf("error code %s (%v); want EINVALID or ETOOLARGE", c, err)
			}
			return
		}
		if !utf8.Valid(b) {
			t.Fatalf("accepted a body of invalid UTF-8: %q", b)
		}
		if len(docs) > 3 || len(errs) != len(docs) {
			t.Fatalf("%d docs, %d errors; want at most 3 and one slot each", len(docs), len(errs))
		}
		for i, e := range errs {
			if e == nil && docs[i].ID == "" {
				t.Fatalf("document %d accepted without id", i)
			}
		}
	})
}

// FuzzDecodePerspective: no input panics the Perspective decoders; every
// refusal is a 400 in Google's shape; what comments:analyze accepts has a
// non-empty comment within Perspective's limit and only attributes Vigil
// scores, and what comments:suggestscore accepts has a probability for
// every attribute.
func FuzzDecodePerspective(f *testing.F) {
	for _, s := range []string{
		`{"comment":{"text":"Автор, ты идиот 🤡"},"doNotStore":true,"requestedAttributes":{"TOXICITY":{}},"languages":["en"]}`,
		`{"comment":{"text":"x","type":"HTML"},"requestedAttributes":{"TOXICITY":{"scoreType":"PROBABILITY","scoreThreshold":0.5}},"spanAnnotations":true}`,
		`{"comment":{"text":"x"},"requestedAttributes":{"SEVERE_TOXICITY":{}}}`, `{"comment":{"text":""}}`, `{}`, `null`, `[]`,
		`{"comment":{"text":"x"},"context":{"entries":[{"text":"a"}],"articleAndParentComment":{}},"requestedAttributes":{"TOXICITY":{}}}`,
		`{"comment":{"text":"x"},"attributeScores":{"DELETED":{"summaryScore":{"value":1}}},"clientToken":"comment:1"}`,
		`{"comment":{"text":"x"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":-0}}}}`, `{"comment":{"text":"x\u0000"}}`,
	} {
		f.Add([]byte(s))
	}
	refused := func(t *testing.T, err error) {
		pe, ok := err.(*server.PerspectiveError)
		if !ok || pe.Code != 400 || pe.Status != "INVALID_ARGUMENT" || pe.Message == "" || len(pe.Details) == 0 {
			t.Fatalf("refusal %#v, want a 400 INVALID_ARGUMENT with details", err)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if req, err := server.DecodeAnalyze(b); err != nil {
			refused(t, err)
		} else {
			if strings.TrimSpace(req.Comment.Text) == "" || len(req.Comment.Text) > server.PerspectiveMaxTextBytes ||
				strings.ContainsRune(req.Comment.Text, 0) || len(req.RequestedAttributes) == 0 {
				t.Fatalf("accepted %+v", req)
			}
			for name := range req.RequestedAttributes {
				if _, ok := server.PerspectiveAttributes[name]; !ok {
					t.Fatalf("accepted attribute %q", name)
				}
			}
		}
		if req, err := server.DecodeSuggest(b); err != nil {
			refused(t, err)
		} else {
			for name, a := range req.AttributeScores {
				if a.SummaryScore == nil || !(a.SummaryScore.Value >= 0 && a.SummaryScore.Value <= 1) {
					t.Fatalf("accepted %s: %+v", name, a)
				}
			}
		}
	})
}
