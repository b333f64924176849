package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/httpjson"
	"github.com/kz-newsroom/vigil/metrics"
)

// Checker checks documents: *pipeline.Pipeline implements it, and so does
// whatever wraps it to stamp versions or swap models on reload. Check must
// never fail outright: a failure is the verdict's Error. Both methods must be
// safe for concurrent use; CheckBatch returns verdicts in input order.
type Checker interface {
	Check(ctx context.Context, doc *vigil.Document) vigil.Verdict
	CheckBatch(ctx context.Context, docs []vigil.Document) []vigil.Verdict
}

// Enqueuer puts a document that needs a human into the review queue. It
// must be durable when it returns nil, and idempotent: the same document
// with the same content queued twice is one item (the server retries are
// the CMS's retries). *review.Store implements it.
type Enqueuer interface {
	Enqueue(ctx context.Context, doc vigil.Document, v vigil.Verdict) error
}

// ReadyCheck is one thing /readyz waits for (models, rules, storage). Check
// returns nil when that thing is usable.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Config is the HTTP service's settings. The zero value of any field means
// its default (see Default).
type Config struct {
	// Addr is the listen address, host:port (default 127.0.0.1:8080;
	// port 0 picks a free one, see Server.Addr).
	Addr string `yaml:"addr"`
	// Tokens are the bearer tokens per role. With none at all, the server
	// runs open (every caller is admin) and only on a loopback address.
	Tokens Tokens `yaml:"tokens"`

	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"` // default 5s
	ReadTimeout       time.Duration `yaml:"read_timeout"`        // whole request, default 30s
	WriteTimeout      time.Duration `yaml:"write_timeout"`       // default 90s (a full batch)
	IdleTimeout       time.Duration `yaml:"idle_timeout"`        // keep-alive, default 120s
	ShutdownTimeout   time.Duration `yaml:"shutdown_timeout"`    // in-flight requests finish within it, default 30s
	// CheckTimeout bounds one /v1/check; BatchTimeout one /v1/check/batch.
	// A check cut short answers 503 (single) or marks the verdicts not
	// reached (batch).
	CheckTimeout time.Duration `yaml:"check_timeout"` // default 10s
	BatchTimeout time.Duration `yaml:"batch_timeout"` // default 60s

	// MaxDocumentBytes limits one document (default 1 MiB, as the CLI).
	MaxDocumentBytes int `yaml:"max_document_bytes"`
	// MaxBatchDocuments limits the documents of one batch (default 256).
	MaxBatchDocuments int `yaml:"max_batch_documents"`
	// MaxBatchBytes limits a batch request's body (default 16 MiB).
	MaxBatchBytes int64 `yaml:"max_batch_bytes"`
	// MaxInFlight bounds the documents being checked at once (default
	// 8 per core); QueueWait is how long a request may wait for room before
	// it is answered 503 with Retry-After (default 100ms).
	MaxInFlight int           `yaml:"max_in_flight"`
	QueueWait   time.Duration `yaml:"queue_wait"`
	// A request whose body is over LargeDocumentBytes (default 64 KiB:
	// twenty times a news article), or of unknown length, also needs one
	// of MaxLargeInFlight places (default one per two cores, at least one)
	// before its body is read, waiting at most LargeQueueWait (default 1s)
	// before its 503: reading, decoding and checking large and hostile
	// bodies cannot take every core or every place.
	LargeDocumentBytes int           `yaml:"large_document_bytes"`
	MaxLargeInFlight   int           `yaml:"max_large_in_flight"`
	LargeQueueWait     time.Duration `yaml:"large_queue_wait"`
	// LaneSamePriority keeps large requests at the process's priority. By
	// default (Linux) the thread reading and checking one runs at nice 10
	// while it does, so that on busy cores the kernel runs ordinary
	// checks first; a process that may not raise a thread's priority back
	// (no CAP_SYS_NICE: unprivileged, or Docker's default capabilities)
	// keeps them at its own priority and says so in the log at start.
	LaneSamePriority bool `yaml:"lane_same_priority"`
}

// Default returns c with every zero field set to its default.
func (c Config) Default() Config {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	set(&c.ReadHeaderTimeout, 5*time.Second)
	set(&c.ReadTimeout, 30*time.Second)
	set(&c.WriteTimeout, 90*time.Second)
	set(&c.IdleTimeout, 120*time.Second)
	set(&c.ShutdownTimeout, 30*time.Second)
	set(&c.CheckTimeout, 10*time.Second)
	set(&c.BatchTimeout, 60*time.Second)
	set(&c.QueueWait, 100*time.Millisecond)
	if c.MaxDocumentBytes <= 0 {
		c.MaxDocumentBytes = vigil.DefaultMaxDocumentBytes
	}
	if c.MaxBatchDocuments <= 0 {
		c.MaxBatchDocuments = 256
	}
	if c.MaxBatchBytes <= 0 {
		c.MaxBatchBytes = 16 << 20
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 8 * runtime.GOMAXPROCS(0)
	}
	if c.LargeDocumentBytes <= 0 {
		c.LargeDocumentBytes = 64 << 10
	}
	if c.MaxLargeInFlight <= 0 {
		c.MaxLargeInFlight = max(1, runtime.GOMAXPROCS(0)/2)
	}
	set(&c.LargeQueueWait, time.Second)
	return c
}

// Deps are what the server serves: the checker, the review queue, metrics
// and readiness checks.
type Deps struct {
	Checker Checker  // required
	Review  Enqueuer // required: review verdicts are queued before the answer
	Metrics *metrics.Metrics
	// Gatherer serves /metrics: the registry Metrics was built on.
	Gatherer prometheus.Gatherer
	Ready    []ReadyCheck
	Log      *slog.Logger
	// Suggestions stores the Perspective API's suggested scores
	// (comments:suggestscore); nil answers that operation 501.
	Suggestions Suggester
}

// Server is Vigil's HTTP service. Create it with New, mount other handlers
// with Mount, then Open; Close shuts it down gracefully.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	auth    *Auth
	limit   *limiter
	m       *metrics.Metrics
	mux     *http.ServeMux
	srv     *http.Server
	ln      net.Listener
	done    chan error
	closing atomic.Bool
	once    sync.Once
}

// New builds a server from cfg (defaults filled in) and deps. It fails on
// a missing dependency or bad tokens.
func New(cfg Config, deps Deps) (*Server, error) {
	if deps.Checker == nil || deps.Review == nil {
		return nil, vigil.Errorf(vigil.EINVALID, "server: a Checker and a review Enqueuer are required")
	}
	cfg = cfg.Default()
	auth, err := NewAuth(cfg.Tokens)
	if err != nil {
		return nil, fmt.Errorf("server: tokens: %w", err)
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Metrics == nil {
		reg := prometheus.NewRegistry()
		deps.Metrics, deps.Gatherer = metrics.New(reg), reg
	}
	s := &Server{
		cfg:   cfg,
		deps:  deps,
		log:   deps.Log.With("component", "server"),
		auth:  auth,
		limit: newLimiter(cfg.MaxInFlight, cfg.QueueWait, cfg.MaxLargeInFlight, cfg.LargeQueueWait),
		m:     deps.Metrics,
		mux:   http.NewServeMux(),
	}
	if !cfg.LaneSamePriority && !priorityRestorable() {
		s.log.Info("large requests run at the process's priority: lowering a thread's priority for them needs the right to restore it (CAP_SYS_NICE on Linux)")
	}
	s.routes()
	return s, nil
}

// Auth returns the server's token checker, for handlers that log callers
// in themselves (the moderators' page).
func (s *Server) Auth() *Auth { return s.auth }

// Handler returns the server's whole HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.withRequestLog(s.mux) }

// Mount serves h under the path prefix (ending in "/"), timed under the
// handler name. With roles, only bearer tokens of those roles (or admin)
// get through, and the caller is in the request context; with none, h does
// its own authentication (see Auth). Call it before Open.
func (s *Server) Mount(prefix, name string, h http.Handler, roles ...string) {
	if len(roles) > 0 {
		h = s.auth.Require(s.rejected, roles...)(h)
	}
	s.mux.Handle(prefix, s.m.InstrumentHandler(name, h))
}

func (s *Server) routes() {
	cms := s.auth.Require(s.rejected, vigil.RoleCMS)
	s.mux.Handle("POST /v1/check", s.m.InstrumentHandler("check", cms(http.HandlerFunc(s.handleCheck))))
	s.mux.Handle("POST /v1/check/batch", s.m.InstrumentHandler("check_batch", cms(http.HandlerFunc(s.handleBatch))))
	s.mux.Handle("GET /healthz", s.m.InstrumentHandler("healthz", http.HandlerFunc(s.handleHealth)))
	s.mux.Handle("GET /readyz", s.m.InstrumentHandler("readyz", http.HandlerFunc(s.handleReady)))
	s.mux.Handle("GET /openapi.json", s.m.InstrumentHandler("other", http.HandlerFunc(serveOpenAPI)))
	// The Perspective-compatible API authenticates by its own key and
	// answers in Google's error shape (perspective.go).
	s.mux.Handle("POST "+PerspectiveAnalyzeRoute, s.m.InstrumentHandler("perspective", http.HandlerFunc(s.handleAnalyze)))
	s.mux.Handle("POST "+PerspectiveSuggestRoute, s.m.InstrumentHandler("perspective", http.HandlerFunc(s.handleSuggest)))
	// Profiles for operators, admin tokens only: go tool pprof
	// -http=: 'http://host/debug/pprof/profile?seconds=30' with the token
	// in an Authorization header (or on loopback with no tokens).
	pp := http.NewServeMux()
	pp.HandleFunc("/debug/pprof/", pprof.Index)
	pp.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	pp.HandleFunc("/debug/pprof/profile", pprof.Profile)
	pp.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	pp.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s.mux.Handle("/debug/pprof/", s.auth.Require(s.rejected, vigil.RoleAdmin)(pp))
	known := []string{"/v1/check", "/v1/check/batch", "/healthz", "/readyz", "/openapi.json",
		PerspectiveAnalyzeRoute, PerspectiveSuggestRoute}
	if s.deps.Gatherer != nil {
		s.mux.Handle("GET /metrics", metrics.Handler(s.deps.Gatherer, s.log))
		known = append(known, "/metrics")
	}
	// Other methods on known routes, and unknown routes, answer JSON too.
	for _, p := range known {
		s.mux.Handle(p, s.m.InstrumentHandler("other", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpjson.Error(w, r, s.log, vigil.Errorf(EMETHOD, "%s does not accept %s", r.URL.Path, r.Method))
		})))
	}
	s.mux.Handle("/", s.m.InstrumentHandler("other", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpjson.Error(w, r, s.log, vigil.Errorf(vigil.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})))
}

// rejected counts a request refused by authentication, by its error code.
func (s *Server) rejected(code string) {
	switch code {
	case vigil.EUNAUTHORIZED:
		s.m.Rejected(metrics.RejectUnauthorized)
	case vigil.EFORBIDDEN:
		s.m.Rejected(metrics.RejectForbidden)
	}
}

// Open listens on the configured address and serves in the background. With
// no tokens configured it refuses any address but a loopback one.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: listen %s: %w", s.cfg.Addr, err)
	}
	if s.auth.Open() {
		if ap, ok := ln.Addr().(*net.TCPAddr); !ok || !ap.IP.IsLoopback() {
			ln.Close()
			return vigil.Errorf(vigil.EINVALID, "server: no bearer tokens configured: refusing to serve on non-loopback %s "+
				"(set VIGIL_CMS_TOKENS, VIGIL_MODERATOR_TOKENS, VIGIL_ADMIN_TOKENS or tokens: in the config)", ln.Addr())
		}
		s.log.Warn("NO BEARER TOKENS CONFIGURED: every request is served as admin; listening on loopback only",
			"addr", ln.Addr().String())
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.done = make(chan error, 1)
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	s.log.Info("listening", "addr", ln.Addr().String(), "max_in_flight", s.cfg.MaxInFlight)
	return nil
}

// Addr returns the address the server listens on (after Open).
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops accepting connections, fails /readyz, lets in-flight requests
// finish (up to ShutdownTimeout) and returns. Calling it again does nothing.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		s.closing.Store(true)
		if s.srv == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout)
		if err = s.srv.Shutdown(ctx); err != nil {
			err = fmt.Errorf("server: shutdown: %w", err)
			s.srv.Close()
		}
		if serr := <-s.done; serr != nil && err == nil {
			err = fmt.Errorf("server: %w", serr)
		}
	})
	return err
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	httpjson.Write(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyTimeout bounds each readiness check.
const readyTimeout = 2 * time.Second

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.closing.Load() {
		httpjson.Error(w, r, nil, vigil.Errorf(vigil.EUNAVAILABLE, "shutting down"))
		return
	}
	checks := make(map[string]string, len(s.deps.Ready))
	for _, c := range s.deps.Ready {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		err := c.Check(ctx)
		cancel()
		if err != nil {
			s.log.Warn("not ready", "check", c.Name, "error", err)
			httpjson.Error(w, r, nil, vigil.Errorf(vigil.EUNAVAILABLE, "%s: %s", c.Name, vigil.ErrorMessage(err)))
			return
		}
		checks[c.Name] = "ok"
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"status": "ready", "checks": checks})
}
