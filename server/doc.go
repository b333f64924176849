// Package server is Vigil's HTTP service: what the CMS calls before
// publishing (POST /v1/check, POST /v1/check/batch), what orchestrators probe
// (/healthz, /readyz) and what Prometheus scrapes (/metrics), with bearer
// token authentication per role, request size limits, a bound on work in
// flight and graceful shutdown. It also runs the service's scheduled jobs
// (Scheduler, on gocron).
//
// It also answers as Google's Perspective API (POST
// /v1alpha1/comments:analyze and comments:suggestscore, perspective.go) for
// comment platforms written for it: a comment's toxic score, asked of the
// Checker with vigil.WithEveryScore, in Perspective's shapes and errors,
// the key accepted in the query string there only.
//
// It knows nothing of how documents are checked or queued: it is given a
// Checker (the pipeline), an Enqueuer (the review queue) and a Suggester
// (where suggested scores are kept), and other packages' handlers (the
// review API and page) are mounted on it.
//
//	s, err := server.New(server.Config{Addr: "127.0.0.1:8080", Tokens: tokens},
//		server.Deps{Checker: pipe, Review: store, Metrics: m, Gatherer: reg, Log: log})
//	s.Mount("/v1/review/", "review_api", reviewAPI, vigil.RoleModerator)
//	if err := s.Open(); err != nil { ... }
//	defer s.Close()
//
// Guarantees the CMS relies on:
//   - a verdict whose action is review is in the review queue before the
//     answer is sent; if it cannot be queued the answer is 503 and the CMS
//     retries (queueing is idempotent);
//   - errors are JSON {"error":{"code","message"}}, the HTTP status mapped
//     from the code in one function (httpjson.StatusOf, shared with the
//     review API); the Perspective API's are Google's
//     {"error":{"code","message","status","details"}} (asPerspective);
//   - under overload a request waits at most Config.QueueWait, then gets 503
//     with Retry-After, so accepted work keeps its latency.
package server
