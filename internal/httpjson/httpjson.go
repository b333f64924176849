// Package httpjson is what Vigil's two HTTP APIs (the CMS's checks in
// server, the moderators' review API in review) share about JSON over
// HTTP: one error shape and status mapping, one way to write a response,
// one decoder with one wording of what is wrong with a body. Neither API
// package imports the other.
package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	vigil "github.com/kz-newsroom/vigil"
)

// EMETHOD is the code of a request whose method the route does not accept.
// It extends the root's codes for HTTP alone.
const EMETHOD = "EMETHOD"

// errorBody is the JSON shape of every error response:
// {"error":{"code":"EINVALID","message":"..."}}.
type errorBody struct {
	Error *vigil.Error `json:"error"`
}

// statuses maps each error code to its HTTP status; it is the only place
// that does. A code not here is internal: 500.
var statuses = map[string]int{
	vigil.EINVALID:        http.StatusBadRequest,
	vigil.EUNAUTHORIZED:   http.StatusUnauthorized,
	vigil.EFORBIDDEN:      http.StatusForbidden,
	vigil.ENOTFOUND:       http.StatusNotFound,
	EMETHOD:               http.StatusMethodNotAllowed,
	vigil.ECONFLICT:       http.StatusConflict,
	vigil.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	vigil.ETOOMANYREQUEST: http.StatusTooManyRequests,
	vigil.EUNAVAILABLE:    http.StatusServiceUnavailable,
}

// StatusOf maps an error code to its HTTP status.
func StatusOf(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error writes err as a JSON error response with the status of its code.
// Errors without a vigil code are internal: they are logged in full and the
// caller sees only "internal error". Responses that tell the caller to come
// back (429, 503) carry Retry-After.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := vigil.ErrorCode(err)
	status := StatusOf(code)
	if status >= 500 && log != nil {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path,
			"status", status, "error", err)
	}
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
	}
	Write(w, status, errorBody{Error: &vigil.Error{Code: code, Message: vigil.ErrorMessage(err)}})
}

// Write writes v as the JSON response body with the given status. Answers
// are about one request and one moment: never cached.
func Write(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing to do
}

// Unknown says what Decode does with an object field v has no place for.
type Unknown int

const (
	// IgnoreUnknown drops such fields: documents from a CMS carry fields of
	// their own, and the check contract may grow.
	IgnoreUnknown Unknown = iota
	// RejectUnknown refuses them: in a moderator's decision a mistyped
	// field must not pass silently.
	RejectUnknown
)

// Decode decodes exactly one JSON value from b into v. An empty body,
// broken JSON, a value of the wrong type and data after the value are
// EINVALID, worded for the developer who sent it ("request body: ...").
func Decode(b []byte, v any, unknown Unknown) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if unknown == RejectUnknown {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return vigil.Errorf(vigil.EINVALID, "request body: %s", vigil.JSONError(err))
	}
	if rest := bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return vigil.Errorf(vigil.EINVALID, "request body: data after the JSON value at byte %d", len(b)-len(rest))
	}
	return nil
}

// ReadBody reads a request body of at most limit bytes: past it ETOOLARGE,
// a failed read EINVALID.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if IsTooLarge(err) {
			return nil, vigil.Errorf(vigil.ETOOLARGE, "request body is over the limit of %d bytes", limit)
		}
		return nil, vigil.Errorf(vigil.EINVALID, "reading request body: %v", err)
	}
	return b, nil
}

// IsTooLarge reports whether err comes from an http.MaxBytesReader limit.
func IsTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
