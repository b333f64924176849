package review

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/httpjson"
)

// FeedRoute is the decisions feed's pattern. The server mounts it for the
// cms role (and admin); the rest of /v1/review/ is for moderators.
const FeedRoute = "GET /v1/review/decisions"

// MaxRequestBytes bounds a review API request body.
const MaxRequestBytes = 1 << 20

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	Logger *slog.Logger
	// Authenticate checks the token a moderator types into the web page's
	// login form (the server's bearer tokens). Without it nobody can log in
	// to the page; the API does not use it.
	Authenticate func(token string) (vigil.Principal, bool)
	// Known reports whether a logged-in moderator still holds a configured
	// token. A session whose moderator lost theirs (the token was removed
	// and the server restarted) ends at its next request. Nil: sessions
	// last until they expire or the moderator logs out.
	Known func(vigil.Principal) bool
	// Holds reports whether the token a session was made with (named by
	// its binding, see Binding) is still configured for the
	// session's moderator. A session whose token was rotated (same name,
	// new token) or removed ends at its next request. Nil: Known decides.
	Holds func(p vigil.Principal, binding string) bool
	// Binding names the token a page session was made with, without
	// holding it (the server's Auth gives a hash); Holds is asked about
	// it, so it is required with Holds. Nil without Holds: a SHA-256 of the
	// token, hex.
	Binding func(token string) string
	// NoteCaller tells the server's request log who made a page request
	// (a session cookie, not a bearer token, named them). Nil: nothing.
	NoteCaller func(ctx context.Context, name string)
	// SessionTTL is how long a page login lasts (default 12 h).
	SessionTTL time.Duration
	// SecureCookies marks the session cookie Secure even when the request
	// did not arrive over TLS here (TLS ends at a proxy in front).
	SecureCookies bool
	// Lease is the claim lease when a request names none (default DefaultLease).
	Lease time.Duration
	// OnRedeliver, when set, is called after an admin puts a dead webhook
	// delivery back in the outbox (to wake the delivery worker).
	OnRedeliver func()
	// Describe returns a rule's plain-language description in lang (ru,
	// kk, en), or "" when it has none: the page explains evidence with it
	// and never shows rule ids. Nil: the descriptions of the embedded rule
	// packs (EmbeddedDescriptions).
	Describe func(rule, lang string) string
}

// Handler serves the review API under /v1/review/ and the moderators' page
// under /review/.
type Handler struct {
	store *Store
	opts  HandlerOptions
	log   *slog.Logger
	mux   *http.ServeMux
	pages *pages
}

// NewHandler returns the handler for both the JSON API (/v1/review/...,
// which expects the server's bearer middleware to have put a moderator or
// admin vigil.Principal into the request context) and the web page
// (/review/..., which logs moderators in itself into a session cookie).
func NewHandler(store *Store, opts HandlerOptions) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Describe == nil {
		opts.Describe = EmbeddedDescriptions
	}
	if opts.Holds != nil && opts.Binding == nil {
		// Holds compares bindings the server made: the page must make them
		// the same way, or every session would end at once.
		panic("review.NewHandler: HandlerOptions.Holds needs Binding")
	}
	if opts.Binding == nil {
		opts.Binding = tokenHash
	}
	if opts.NoteCaller == nil {
		opts.NoteCaller = func(context.Context, string) {}
	}
	h := &Handler{store: store, opts: opts, log: opts.Logger.With("component", "review"), mux: http.NewServeMux()}
	h.pages = newPages()
	h.apiRoutes()
	h.pageRoutes()
	return h
}

// unavailable turns a failure of the review database (an error without a
// vigil code: the database is down, restarting, or its disk is full) into
// EUNAVAILABLE, answered 503 with Retry-After: the client should come back,
// not report a bug. The failure itself is logged.
func (h *Handler) unavailable(r *http.Request, err error) error {
	var ve *vigil.Error
	if err == nil || errors.As(err, &ve) {
		return err
	}
	h.log.ErrorContext(r.Context(), "review storage failed", "method", r.Method, "path", r.URL.Path, "error", err)
	return vigil.Errorf(vigil.EUNAVAILABLE, "review storage unavailable; retry later")
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) apiRoutes() {
	api := func(pattern string, fn func(w http.ResponseWriter, r *http.Request, p vigil.Principal) error) {
		h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			p, ok := vigil.PrincipalFrom(r.Context())
			var err error
			if !ok {
				err = vigil.Errorf(vigil.EUNAUTHORIZED, "missing bearer token (Authorization: Bearer <token>)")
			} else if err = canWork(p); err == nil {
				err = fn(w, r, p)
			}
			if err != nil {
				httpjson.Error(w, r, h.log, h.unavailable(r, err))
			}
		})
	}
	// The decisions feed is for the CMS: a cms (or admin) token, mounted
	// by the server on FeedRoute ahead of the moderators' API.
	h.mux.HandleFunc(FeedRoute, func(w http.ResponseWriter, r *http.Request) {
		p, ok := vigil.PrincipalFrom(r.Context())
		var err error = vigil.Errorf(vigil.EUNAUTHORIZED, "missing bearer token (Authorization: Bearer <token>)")
		if ok {
			err = h.apiFeed(w, r, p)
		}
		if err != nil {
			httpjson.Error(w, r, h.log, h.unavailable(r, err))
		}
	})
	api("GET /v1/review/items", h.apiList)
	api("GET /v1/review/items/{id}", h.apiGet)
	api("POST /v1/review/items/{id}/claim", h.apiClaim)
	api("POST /v1/review/items/{id}/release", h.apiRelease)
	api("POST /v1/review/items/{id}/decision", h.apiDecide)
	api("POST /v1/review/items/{id}/undo", h.apiUndo)
	api("POST /v1/review/claim", h.apiClaimNext)
	api("POST /v1/review/decisions", h.apiDecideMany)
	api("GET /v1/review/audit", h.apiAudit)
	api("GET /v1/review/authors/{author}", h.apiHistory)
	api("GET /v1/review/stats", h.apiStats)
	api("GET /v1/review/webhooks/dead", h.apiDeadDeliveries)
	api("POST /v1/review/webhooks/dead/{id}/redeliver", h.apiRedeliver)
	// Known paths with another method answer 405 in the contract's JSON.
	for path, allow := range map[string]string{
		"/v1/review/items": "GET", "/v1/review/items/{id}": "GET", "/v1/review/items/{id}/claim": "POST",
		"/v1/review/items/{id}/release": "POST", "/v1/review/items/{id}/decision": "POST", "/v1/review/claim": "POST", "/v1/review/items/{id}/undo": "POST",
		"/v1/review/decisions": "GET, POST", "/v1/review/audit": "GET", "/v1/review/authors/{author}": "GET", "/v1/review/stats": "GET",
		"/v1/review/webhooks/dead": "GET", "/v1/review/webhooks/dead/{id}/redeliver": "POST",
	} {
		h.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			httpjson.Error(w, r, h.log, vigil.Errorf(httpjson.EMETHOD, "%s %s: use %s", r.Method, r.URL.Path, allow))
		})
	}
	h.mux.HandleFunc("/v1/review/", func(w http.ResponseWriter, r *http.Request) {
		httpjson.Error(w, r, h.log, vigil.Errorf(vigil.ENOTFOUND, "no review API route %s %s", r.Method, r.URL.Path))
	})
}

// decodeJSON reads one JSON object from the body into v, strictly: a
// mistyped field of a moderator's request is refused (EINVALID naming it),
// not dropped, as are trailing data and bodies over MaxRequestBytes
// (ETOOLARGE). An empty body leaves v as is when allowEmpty.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) error {
	body, err := httpjson.ReadBody(w, r, MaxRequestBytes)
	if err != nil {
		return err
	}
	return decodeBody(body, v, allowEmpty)
}

func decodeBody(body []byte, v any, allowEmpty bool) error {
	if allowEmpty && len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return httpjson.Decode(body, v, httpjson.RejectUnknown)
}

func pathID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, vigil.Errorf(vigil.EINVALID, "item id %q: want a positive integer", s)
	}
	return id, nil
}

// parseAge reads a duration query parameter: a Go duration ("90m", "2h")
// or a number of seconds.
func parseAge(name, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 && n < 1<<33 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, vigil.Errorf(vigil.EINVALID, "%s: %q is not a duration (like 90m, 2h or seconds)", name, s)
	}
	return d, nil
}

func parseLimit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > MaxLimit {
		return 0, vigil.Errorf(vigil.EINVALID, "limit: %q, want 1..%d", s, MaxLimit)
	}
	return n, nil
}

// filterFrom reads a Filter from query parameters.
func filterFrom(q map[string][]string) (Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := Filter{Status: get("status"), Flag: get("flag"), Kind: get("kind"), Section: get("section"), Author: get("author"), DocID: get("doc_id"), Cursor: get("cursor")}
	var err error
	if f.MinAge, err = parseAge("min_age", get("min_age")); err != nil {
		return f, err
	}
	if f.MaxAge, err = parseAge("max_age", get("max_age")); err != nil {
		return f, err
	}
	if f.Limit, err = parseLimit(get("limit")); err != nil {
		return f, err
	}
	return f, f.Validate()
}

// listResponse is a page of items.
type listResponse struct {
	Items      []*vigil.ReviewItem `json:"items"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

func (h *Handler) apiList(w http.ResponseWriter, r *http.Request, _ vigil.Principal) error {
	f, err := filterFrom(r.URL.Query())
	if err != nil {
		return err
	}
	items, next, err := h.store.List(r.Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*vigil.ReviewItem{}
	}
	httpjson.Write(w, http.StatusOK, listResponse{Items: items, NextCursor: next})
	return nil
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request, _ vigil.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	it, err := h.store.Get(r.Context(), id)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, it)
	return nil
}

// claimRequest is the body of a claim: how long to hold the item(s).
type claimRequest struct {
	Count        int     `json:"count,omitempty"`
	LeaseSeconds float64 `json:"lease_seconds,omitempty"`
}

func (c claimRequest) lease(def time.Duration) (time.Duration, error) {
	if c.LeaseSeconds < 0 || c.LeaseSeconds > MaxLease.Seconds() {
		return 0, vigil.Errorf(vigil.EINVALID, "lease_seconds: %g, want 0..%g", c.LeaseSeconds, MaxLease.Seconds())
	}
	if c.LeaseSeconds == 0 {
		return def, nil
	}
	return time.Duration(c.LeaseSeconds * float64(time.Second)), nil
}

func (h *Handler) apiClaim(w http.ResponseWriter, r *http.Request, p vigil.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req claimRequest
	if err := decodeJSON(w, r, &req, true); err != nil {
		return err
	}
	lease, err := req.lease(h.opts.Lease)
	if err != nil {
		return err
	}
	it, err := h.store.Claim(r.Context(), p, id, lease)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, it)
	return nil
}

func (h *Handler) apiClaimNext(w http.ResponseWriter, r *http.Request, p vigil.Principal) error {
	var req claimRequest
	if err := decodeJSON(w, r, &req, true); err != nil {
		return err
	}
	if req.Count == 0 {
		req.Count = 1
	}
	lease, err := req.lease(h.opts.Lease)
	if err != nil {
		return err
	}
	items, err := h.store.ClaimNext(r.Context(), p, req.Count, lease)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*vigil.ReviewItem{}
	}
	httpjson.Write(w, http.StatusOK, listResponse{Items: items})
	return nil
}

func (h *Handler) apiRelease(w http.ResponseWriter, r *http.Request, p vigil.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	it, err := h.store.Release(r.Context(), p, id)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, it)
	return nil
}

func (h *Handler) apiDecide(w http.ResponseWriter, r *http.Request, p vigil.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var d Decision
	if err := decodeJSON(w, r, &d, false); err != nil {
		return err
	}
	it, err := h.store.Decide(r.Context(), p, id, d)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, it)
	return nil
}

// undoRequest is the body of an undo: an optional note.
type undoRequest struct {
	Note string `json:"note"`
}

// apiUndo withdraws an item's decision (Store.Undo).
func (h *Handler) apiUndo(w http.ResponseWriter, r *http.Request, p vigil.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req undoRequest
	if err := decodeJSON(w, r, &req, true); err != nil {
		return err
	}
	it, err := h.store.Undo(r.Context(), p, id, req.Note)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, it)
	return nil
}

// bulkRequest applies one decision to several items.
type bulkRequest struct {
	IDs []int64 `json:"ids"`
	Decision
}

// bulkResponse reports each item's outcome, in request order.
type bulkResponse struct {
	Results []BulkResult `json:"results"`
}

func (h *Handler) apiDecideMany(w http.ResponseWriter, r *http.Request, p vigil.Principal) error {
	var req bulkRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	res, err := h.store.DecideMany(r.Context(), p, req.IDs, req.Decision)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, bulkResponse{Results: res})
	return nil
}

// auditResponse is a page of the audit log, newest first.
type auditResponse struct {
	Entries []vigil.ReviewAudit `json:"entries"`
	// NextBefore continues the listing: pass it as before=.
	NextBefore int64 `json:"next_before,omitempty"`
}

func auditFilterFrom(q map[string][]string) (AuditFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := AuditFilter{Actor: get("actor"), DocID: get("doc_id")}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"item", &f.ItemID}, {"before", &f.Before}} {
		if s := get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return f, vigil.Errorf(vigil.EINVALID, "%s: %q, want a positive integer", p.name, s)
			}
			*p.dst = n
		}
	}
	var err error
	f.Limit, err = parseLimit(get("limit"))
	return f, err
}

func (h *Handler) apiAudit(w http.ResponseWriter, r *http.Request, _ vigil.Principal) error {
	f, err := auditFilterFrom(r.URL.Query())
	if err != nil {
		return err
	}
	entries, next, err := h.store.Audit(r.Context(), f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []vigil.ReviewAudit{}
	}
	httpjson.Write(w, http.StatusOK, auditResponse{Entries: entries, NextBefore: next})
	return nil
}

func (h *Handler) apiHistory(w http.ResponseWriter, r *http.Request, _ vigil.Principal) error {
	limit, err := parseLimit(r.URL.Query().Get("limit"))
	if err != nil {
		return err
	}
	hist, err := h.store.History(r.Context(), r.PathValue("author"), limit)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, hist)
	return nil
}

// statsResponse is the queue's state.
type statsResponse struct {
	Items                map[string]int `json:"items"`
	OldestOpenAgeSeconds float64        `json:"oldest_open_age_seconds"`
}

func (h *Handler) apiStats(w http.ResponseWriter, r *http.Request, _ vigil.Principal) error {
	st, err := h.store.Stats(r.Context())
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, statsResponse{Items: st.Items, OldestOpenAgeSeconds: st.OldestOpenAge.Seconds()})
	return nil
}

// deadResponse is a page of dead-lettered webhook deliveries.
type deadResponse struct {
	Deliveries []Delivery `json:"deliveries"`
	// NextAfter continues the listing: pass it as after=.
	NextAfter int64 `json:"next_after,omitempty"`
}

func needAdmin(p vigil.Principal) error {
	if p.Role != vigil.RoleAdmin {
		return vigil.Errorf(vigil.EFORBIDDEN, "webhook deliveries are for admins")
	}
	return nil
}

func (h *Handler) apiDeadDeliveries(w http.ResponseWriter, r *http.Request, p vigil.Principal) error {
	if err := needAdmin(p); err != nil {
		return err
	}
	q := r.URL.Query()
	limit, err := parseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	var after int64
	if s := q.Get("after"); s != "" {
		if after, err = strconv.ParseInt(s, 10, 64); err != nil || after < 0 {
			return vigil.Errorf(vigil.EINVALID, "after: %q, want a delivery id", s)
		}
	}
	ds, err := h.store.DeadDeliveries(r.Context(), after, limit)
	if err != nil {
		return err
	}
	resp := deadResponse{Deliveries: ds}
	if limit == 0 {
		limit = MaxLimit
	}
	if len(ds) == limit {
		resp.NextAfter = ds[len(ds)-1].ID
	}
	httpjson.Write(w, http.StatusOK, resp)
	return nil
}

func (h *Handler) apiRedeliver(w http.ResponseWriter, r *http.Request, p vigil.Principal) error {
	if err := needAdmin(p); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.store.Redeliver(r.Context(), p, id); err != nil {
		return err
	}
	if h.opts.OnRedeliver != nil {
		h.opts.OnRedeliver()
	}
	httpjson.Write(w, http.StatusAccepted, map[string]any{"id": id, "status": DeliveryPending})
	return nil
}

// feedResponse is a page of the decisions feed.
type feedResponse struct {
	Decisions []Event `json:"decisions"`
	// NextCursor is the after= of the next page; the same cursor when
	// nothing new was decided yet.
	NextCursor string `json:"next_cursor"`
}

func (h *Handler) apiFeed(w http.ResponseWriter, r *http.Request, p vigil.Principal) error {
	if p.Role != vigil.RoleCMS && p.Role != vigil.RoleAdmin {
		return vigil.Errorf(vigil.EFORBIDDEN, "the decisions feed is for CMS tokens")
	}
	q := r.URL.Query()
	limit := 0
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > MaxFeed {
			return vigil.Errorf(vigil.EINVALID, "limit: %q, want 1..%d", s, MaxFeed)
		}
		limit = n
	}
	evs, next, err := h.store.Decisions(r.Context(), strings.TrimSpace(q.Get("after")), limit)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, feedResponse{Decisions: evs, NextCursor: next})
	return nil
}
