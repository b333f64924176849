package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kz-newsroom/vigil/metrics"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/server"
)

// BenchmarkCheckHandler measures the HTTP layer around the pipeline for the
// 3.7 KB seed article: auth, body read, UTF-8 check, JSON decode and
// validation, admission, metrics, JSON encode (no network). The pipeline
// here is normalize and tokenize only, so the number is mostly the
// server's own cost.
func BenchmarkCheckHandler(b *testing.B) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	pipe := pipeline.New(pipeline.Options{Observe: m.ObserveStage}, &pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, &pipeline.Decide{})
	s, err := server.New(server.Config{Tokens: server.Tokens{CMS: []string{cmsToken}}},
		server.Deps{Checker: pipe, Review: &flakyQueue{}, Metrics: m, Gatherer: reg})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	body, err := json.Marshal(seedArticle(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "/v1/check", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+cmsToken)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkDecodeDocument measures decoding and validating the seed article.
func BenchmarkDecodeDocument(b *testing.B) {
	body, _ := json.Marshal(seedArticle(b))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := server.DecodeDocument(body, 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeHandler measures the Perspective API's layer around the
// pipeline for Coral's request on a 301-character Russian comment: key
// from the query string, body, decode, admission, every score asked for,
// the answer built and encoded (normalize, tokenize and a stand-in toxic
// stage only).
func BenchmarkAnalyzeHandler(b *testing.B) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	pipe := pipeline.New(pipeline.Options{Observe: m.ObserveStage}, &pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, toxicStage{}, &pipeline.Decide{})
	s, err := server.New(server.Config{Tokens: server.Tokens{CMS: []string{cmsToken}}},
		server.Deps{Checker: pipe, Review: &flakyQueue{}, Metrics: m, Gatherer: reg})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	body := fixture(b, "comment-300.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", server.PerspectiveAnalyzeRoute+"?key="+cmsToken, bytes.NewReader(body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
