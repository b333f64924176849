package server

import (
	"encoding/json"
	"errors"
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

// statusOf maps an error code to its HTTP status. It is the only place
// that does.
func statusOf(code string) int {
	switch code {
	case vigil.EINVALID:
		return http.StatusBadRequest
	case vigil.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case vigil.EFORBIDDEN:
		return http.StatusForbidden
	case vigil.ENOTFOUND:
		return http.StatusNotFound
	case EMETHOD:
		return http.StatusMethodNotAllowed
	case vigil.ECONFLICT:
		return http.StatusConflict
	case vigil.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case vigil.ETOOMANYREQUEST:
		return http.StatusTooManyRequests
	case vigil.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// Error writes err as a JSON error response with the status of its code.
// Errors without a vigil code are internal: they are logged in full and the
// caller sees only "internal error". Responses that tell the caller to come
// back (429, 503) carry Retry-After. Other packages' handlers mounted on the
// server (the review API) use it so every error looks the same.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := vigil.ErrorCode(err)
	status := statusOf(code)
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
	writeJSON(w, status, errorBody{Error: &vigil.Error{Code: code, Message: vigil.ErrorMessage(err)}})
}

// writeJSON writes v as the JSON response body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing to do
}

// isTooLarge reports whether err comes from an http.MaxBytesReader limit.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

var internalError = &vigil.Error{Code: vigil.EINTERNAL, Message: "internal error"}
