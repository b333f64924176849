package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/httpjson"
)

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestID returns the caller's X-Request-Id when it is short and
// printable, else a fresh random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 {
		ok := true
		for i := 0; i < len(id); i++ {
			if id[i] < 0x21 || id[i] > 0x7e {
				ok = false
				break
			}
		}
		if ok {
			return id
		}
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// withRequestLog logs every request (5xx at error level, the rest at debug
// so a busy server's log stays readable), echoes X-Request-Id, and turns a
// handler panic into a 500 rather than a dropped connection.
func (s *Server) withRequestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("handler panic", "request_id", id, "path", r.URL.Path, "panic", p)
				if sw.status == 0 {
					httpjson.Error(sw, r, nil, vigil.Errorf(vigil.EINTERNAL, "internal error"))
				}
			}
			level := slog.LevelDebug
			if sw.status >= 500 {
				level = slog.LevelError
			}
			if s.log.Enabled(r.Context(), level) {
				s.log.Log(r.Context(), level, "request", "request_id", id, "method", r.Method, "path", r.URL.Path,
					"status", sw.status, "duration_ms", float64(time.Since(start).Microseconds())/1000,
					"caller", info.caller, "remote", r.RemoteAddr)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// requestInfo is filled by inner handlers for the request log line.
type requestInfo struct {
	caller string
}

type requestInfoKey struct{}

// NoteCaller records the authenticated caller's name for the request log
// line of the request whose context ctx is. Handlers that authenticate on
// their own (the moderators' page, by its session cookie) call it; the
// bearer middleware does for the rest. Outside a logged request it does
// nothing.
func NoteCaller(ctx context.Context, name string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.caller = name
	}
}
