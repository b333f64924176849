package review

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/httpjson"
)

//go:embed assets
var assets embed.FS

// loginFailureDelay is how long a wrong token waits for its answer.
const loginFailureDelay = 300 * time.Millisecond

// SessionCookie is the name of the moderators' page session cookie.
const SessionCookie = "vigil_review"

// contentSecurityPolicy lets the page run only its own script and style
// files: no inline script, no inline event handler, no inline style, no
// plugin, no framing. Even markup that slipped past escaping could not run.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pages holds the page templates of each language ("en", "ru", "kk"), by
// file name without ".html".
type pages struct {
	byLang map[string]map[string]*template.Template
	static fs.FS
}

func newPages() *pages {
	ps := &pages{byLang: map[string]map[string]*template.Template{}}
	for _, l := range langNames {
		t := trs[l.Code]
		set := map[string]*template.Template{}
		for _, name := range []string{"queue", "login", "audit", "error", "webhooks"} {
			set[name] = template.Must(template.New("layout.html").Funcs(template.FuncMap{
				"T":     t.T,
				"date":  t.Date,
				"iso":   func(at time.Time) string { return at.UTC().Format(time.RFC3339) },
				"lang":  func() string { return t.lang },
				"langs": func() any { return langNames },
				"group": func(g string) string { return t.T(groupLabels[g]) },
			}).ParseFS(assets, "assets/layout.html", "assets/"+name+".html"))
		}
		ps.byLang[l.Code] = set
	}
	static, err := fs.Sub(assets, "assets/static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	ps.static = static
	return ps
}

func (h *Handler) pageRoutes() {
	h.mux.HandleFunc("GET /review/{$}", h.page(h.queuePage))
	h.mux.HandleFunc("GET /review/audit", h.page(h.auditPage))
	h.mux.HandleFunc("GET /review/webhooks", h.page(h.webhooksPage))
	h.mux.HandleFunc("POST /review/webhooks/redeliver", h.action(h.redeliverAction))
	h.mux.HandleFunc("GET /review/login", h.loginForm)
	h.mux.HandleFunc("POST /review/login", h.login)
	h.mux.HandleFunc("POST /review/logout", h.action(h.logout))
	h.mux.HandleFunc("POST /review/decide", h.action(h.decideAction))
	h.mux.HandleFunc("POST /review/undo", h.action(h.undoAction))
	h.mux.HandleFunc("POST /review/claim", h.action(h.claimAction))
	h.mux.HandleFunc("POST /review/release", h.action(h.releaseAction))
	h.mux.HandleFunc("GET /review/static/{file}", h.staticFile)
	h.mux.HandleFunc("GET /review/lang/{code}", h.setLang)
	h.mux.HandleFunc("GET /review", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/review/", http.StatusMovedPermanently)
	})
	h.mux.HandleFunc("/review/", func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusNotFound, "No such page.")
	})
}

func securityHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// render executes the page name in the request's language (pageLang).
func (h *Handler) render(w http.ResponseWriter, r *http.Request, name string, status int, data any) {
	t := h.pages.byLang[pageLang(r)][name]
	w.Header().Add("Vary", "Accept-Language, Cookie")
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		h.log.ErrorContext(r.Context(), "render review page", "path", r.URL.Path, "error", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString("internal error\n")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	securityHeaders(w)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorData struct {
	Title   string
	User    *vigil.Principal
	CSRF    string
	Message string
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, "error", status, errorData{Title: http.StatusText(status), Message: msg})
}

func (h *Handler) sessionOf(r *http.Request) (*Session, string, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, "", vigil.Errorf(vigil.EUNAUTHORIZED, "not logged in")
	}
	s, err := h.store.Session(r.Context(), c.Value)
	if err == nil {
		h.opts.NoteCaller(r.Context(), s.Principal.Name)
	}
	if err == nil && (h.opts.Known != nil && !h.opts.Known(s.Principal) || h.opts.Holds != nil && !h.opts.Holds(s.Principal, s.Binding)) {
		if err := h.store.DeleteSession(r.Context(), c.Value); err != nil {
			return nil, "", err
		}
		h.log.InfoContext(r.Context(), "review session ended: its token is no longer configured (removed or rotated)", "moderator", s.Principal.Name)
		return nil, "", vigil.Errorf(vigil.EUNAUTHORIZED, "the token you logged in with is no longer configured: log in again")
	}
	return s, c.Value, err
}

// page wraps a GET page: it needs a live session, and sends the browser to
// the login form otherwise.
func (h *Handler) page(fn func(w http.ResponseWriter, r *http.Request, s *Session) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, _, err := h.sessionOf(r)
		if vigil.ErrorCode(err) == vigil.EUNAUTHORIZED {
			securityHeaders(w)
			http.Redirect(w, r, "/review/login", http.StatusSeeOther)
			return
		}
		if err == nil {
			err = fn(w, r, s)
		}
		if err != nil {
			h.pageError(w, r, err)
		}
	}
}

func (h *Handler) pageError(w http.ResponseWriter, r *http.Request, err error) {
	err = h.unavailable(r, err)
	status := http.StatusInternalServerError
	switch vigil.ErrorCode(err) {
	case vigil.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	case vigil.EINVALID:
		status = http.StatusBadRequest
	case vigil.ENOTFOUND:
		status = http.StatusNotFound
	case vigil.EFORBIDDEN:
		status = http.StatusForbidden
	}
	if status == http.StatusInternalServerError {
		h.log.ErrorContext(r.Context(), "review page failed", "path", r.URL.Path, "error", err)
	}
	h.renderError(w, r, status, vigil.ErrorMessage(err))
}

// sameOrigin rejects cross-site requests by the browser's own account of
// them (Sec-Fetch-Site, Origin), a second line behind SameSite=Strict
// cookies and CSRF tokens.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	switch o := r.Header.Get("Origin"); o {
	case "":
		return true // not a browser, or an old one: the CSRF token decides
	case "null":
		return false
	default:
		u, err := url.Parse(o)
		return err == nil && u.Host == r.Host
	}
}

// action wraps a state-changing request of the page: a live session, a
// same-origin request and the session's CSRF token (X-CSRF-Token header or
// csrf form field) are all required. Answers are JSON.
func (h *Handler) action(fn func(w http.ResponseWriter, r *http.Request, s *Session, token string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w)
		s, token, err := h.sessionOf(r)
		if err == nil && !sameOrigin(r) {
			err = vigil.Errorf(vigil.EFORBIDDEN, "cross-site request refused")
		}
		if err == nil {
			csrf := r.Header.Get("X-CSRF-Token")
			if csrf == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
				r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
				csrf = r.PostFormValue("csrf")
			}
			if !s.ValidCSRF(csrf) {
				err = vigil.Errorf(vigil.EFORBIDDEN, "missing or wrong CSRF token: reload the page")
			}
		}
		if err == nil {
			err = fn(w, r, s, token)
		}
		if err != nil {
			httpjson.Error(w, r, h.log, h.unavailable(r, err))
		}
	}
}

func (h *Handler) staticFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	ctype := ""
	for ext, t := range types {
		if strings.HasSuffix(name, ext) {
			ctype = t
		}
	}
	b, err := fs.ReadFile(h.pages.static, name)
	if err != nil || ctype == "" || strings.Contains(name, "/") {
		h.renderError(w, r, http.StatusNotFound, "No such file.")
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

type loginData struct {
	Title   string
	User    *vigil.Principal
	CSRF    string
	Message string
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, _, err := h.sessionOf(r); err == nil {
		securityHeaders(w)
		http.Redirect(w, r, "/review/", http.StatusSeeOther)
		return
	}
	h.render(w, r, "login", http.StatusOK, loginData{Title: "Log in"})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		h.renderError(w, r, http.StatusForbidden, "Cross-site login refused.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	token := strings.TrimSpace(r.PostFormValue("token"))
	fail := func(status int, msg string) {
		h.render(w, r, "login", status, loginData{Title: "Log in", Message: msg})
	}
	if h.opts.Authenticate == nil {
		fail(http.StatusServiceUnavailable, "Login is not configured on this server (no moderator tokens).")
		return
	}
	p, ok := h.opts.Authenticate(token)
	if !ok {
		h.log.WarnContext(r.Context(), "review login refused", "remote", r.RemoteAddr)
		// Slow down guessing; tokens are long, this only makes it slower.
		select {
		case <-time.After(loginFailureDelay):
		case <-r.Context().Done():
		}
		fail(http.StatusUnauthorized, "Unknown token.")
		return
	}
	h.opts.NoteCaller(r.Context(), p.Name)
	if canWork(p) != nil {
		fail(http.StatusForbidden, "This token's role may not work the review queue.")
		return
	}
	secret, sess, err := h.store.CreateSession(r.Context(), p, h.opts.Binding(token), h.opts.SessionTTL)
	if err != nil {
		h.pageError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: secret, Path: "/review/", Expires: sess.Expires,
		MaxAge: int(h.opts.SessionTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: h.opts.SecureCookies || r.TLS != nil,
	})
	h.log.InfoContext(r.Context(), "review login", "moderator", p.Name)
	securityHeaders(w)
	http.Redirect(w, r, "/review/", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, s *Session, token string) error {
	if err := h.store.DeleteSession(r.Context(), token); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/review/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: h.opts.SecureCookies || r.TLS != nil})
	http.Redirect(w, r, "/review/login", http.StatusSeeOther)
	return nil
}

// decideAction is the page's one state change: a decision on one or more
// items ({"ids":[...],"decision":...,"note":...,"tags":[...]}).
func (h *Handler) decideAction(w http.ResponseWriter, r *http.Request, s *Session, _ string) error {
	var req bulkRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	res, err := h.store.DecideMany(r.Context(), s.Principal, req.IDs, req.Decision)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, bulkResponse{Results: res})
	return nil
}

// undoAction withdraws the decision on one item ({"id":...}), for its
// decider within UndoWindow or an admin (Store.Undo).
func (h *Handler) undoAction(w http.ResponseWriter, r *http.Request, s *Session, _ string) error {
	var req idRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	it, err := h.store.Undo(r.Context(), s.Principal, req.ID, "")
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, it)
	return nil
}

// PageLease is how long the page holds the item a moderator is looking at.
// The page gives it back when the moderator moves on.
const PageLease = 3 * time.Minute

// idRequest names one item.
type idRequest struct {
	ID int64 `json:"id"`
}

// claimAction holds the item the moderator selected, so that another
// moderator's page does not work it at the same time. The hold is quiet
// (Store.Hold): moving through the queue is not written to the audit log.
func (h *Handler) claimAction(w http.ResponseWriter, r *http.Request, s *Session, _ string) error {
	var req idRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	it, err := h.store.Hold(r.Context(), s.Principal, req.ID, PageLease)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, it)
	return nil
}

// releaseAction gives back the item the moderator moved away from.
func (h *Handler) releaseAction(w http.ResponseWriter, r *http.Request, s *Session, _ string) error {
	var req idRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	it, err := h.store.Unhold(r.Context(), s.Principal, req.ID)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, it)
	return nil
}

// itemView is what the queue page shows of an item.
type itemView struct {
	ID                                     int64
	DocID, Kind, Lang, Section, Author     string
	URL, Status, ClaimedBy, Summary        string
	Severity, Age, Created                 string
	CreatedAt, DecidedAt                   time.Time
	SevClass, Level                        string
	Flags, Tags                            []scoreView
	Title, Body                            []segmentView
	Evidence                               []evidenceView
	Decision, Note, DecidedBy, DecidedWhen string
	CorrectedTags                          string
	AuthorHistory                          string
	AuthorItems                            []authorItemView
	Open, HeldByOther, CanUndo             bool
	// Campaign numbers the campaign of near-duplicates the item is in
	// (0: none); CampaignSize is how many items it has in all, and
	// CampaignMore how many of them are not on this page (their ids in
	// CampaignMoreIDs, for the page's bulk decision).
	Campaign, CampaignSize, CampaignMore int
	CampaignMoreIDs                      string
	Versions                             string
}

type scoreView struct{ Name, Score string }

// segmentView is a run of a field's text with, when evidence covers it,
// its CSS classes and its hover text: what the groups are and what the
// rules found, in the page's language (never a rule id).
type segmentView struct {
	Text, Class, Hint string
	Marked            bool
}

// evidenceView is one evidence group as listed: its spans and, for rules,
// what they look for in the moderator's language.
type evidenceView struct {
	Name    string
	Items   []evidenceItemView
	More    int
	Reasons []string
}

type evidenceItemView struct {
	Text, Share, Hint string
}

// segmentViews turns highlighted runs into what the page shows.
func segmentViews(segs []GroupSegment, t *tr, describe func(rule, lang string) string) []segmentView {
	out := make([]segmentView, 0, len(segs))
	for _, g := range segs {
		v := segmentView{Text: g.Text, Marked: len(g.Groups) > 0}
		if v.Marked {
			v.Class = g.Class()
			names := make([]string, len(g.Groups))
			for i, name := range g.Groups {
				names[i] = t.T(groupLabels[name])
			}
			v.Hint = strings.Join(names, " · ")
			if why := describeAll(describe, g.Rules, t.lang); len(why) > 0 {
				v.Hint += ": " + strings.Join(why, "; ")
			}
		}
		out = append(out, v)
	}
	return out
}

// evidenceViews lists a verdict's flag evidence by group with the rules'
// descriptions.
func evidenceViews(v *vigil.Verdict, t *tr, describe func(rule, lang string) string) []evidenceView {
	var out []evidenceView
	for _, g := range groupEvidence(v) {
		ev := evidenceView{Name: g.Name, More: g.More, Reasons: describeAll(describe, g.Rules, t.lang)}
		for _, it := range g.Items {
			ev.Items = append(ev.Items, evidenceItemView{Text: it.Text, Share: it.Share, Hint: describe(it.Rule, t.lang)})
		}
		out = append(out, ev)
	}
	return out
}

// authorItemView is one of the author's other items in the side panel.
type authorItemView struct {
	ID                    int64
	Status, When, Summary string
	At                    time.Time
	Level                 string
}

// authorPanelItems is how many of the author's other items the panel shows.
const authorPanelItems = 5

func newItemView(it *vigil.ReviewItem, now time.Time, t *tr, describe func(rule, lang string) string) itemView {
	v := itemView{
		ID: it.ID, DocID: it.DocID, Kind: it.Document.Kind, Lang: it.Document.Lang, Section: it.Document.Section,
		Author: it.Document.Author, URL: it.Document.URL, Status: it.Status, Open: it.Open(),
		Severity: strconv.FormatFloat(it.Severity, 'f', 2, 64), Age: t.age(now.Sub(it.CreatedAt)),
		Created: t.Date(it.CreatedAt), CreatedAt: it.CreatedAt, Decision: it.Decision, Note: it.Note, DecidedBy: it.DecidedBy,
		CorrectedTags: strings.Join(it.CorrectedTags, ", "),
		Versions:      strings.Trim(it.Verdict.Versions.Model+" · "+it.Verdict.Versions.Rules, " ·"),
	}
	if claimedAt(it, now) {
		v.ClaimedBy = it.ClaimedBy
	}
	if it.DecidedAt != nil {
		v.DecidedWhen, v.DecidedAt = t.Date(*it.DecidedAt), *it.DecidedAt
	}
	v.Level = vigil.SeverityLevel(it.Severity)
	v.SevClass = "sev-" + v.Level
	for _, f := range it.Verdict.Flags {
		v.Flags = append(v.Flags, scoreView{f.Name, strconv.FormatFloat(f.Score, 'f', 2, 64)})
	}
	for _, t := range it.Verdict.Tags {
		v.Tags = append(v.Tags, scoreView{t.Name, strconv.FormatFloat(t.Score, 'f', 2, 64)})
	}
	ev := evidenceOf(&it.Verdict)
	v.Evidence = evidenceViews(&it.Verdict, t, describe)
	v.Title = segmentViews(HighlightGroups(it.Document.Title, vigil.FieldTitle, ev), t, describe)
	v.Body = segmentViews(HighlightGroups(it.Document.Body, vigil.FieldBody, ev), t, describe)
	v.Summary = summary(it.Document.Title + " " + it.Document.Body)
	return v
}

// historyText says what moderators decided on an author's items so far.
func historyText(c map[string]int, t *tr) string {
	var parts []string
	for _, st := range []string{vigil.ReviewRejected, vigil.ReviewApproved, vigil.ReviewEscalated, vigil.ReviewPending} {
		if n := c[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, t.T(st)))
		}
	}
	return strings.Join(parts, ", ")
}

// summary is the first words of s, whitespace collapsed, for the list.
func summary(s string) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if utf8.RuneCountInString(s) <= 90 {
		return s
	}
	r := []rune(s)
	return string(r[:90]) + "…"
}

func (t *tr) age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return t.T("just now")
	case d < time.Hour:
		return t.T("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return t.T("%d h", int(d.Hours()))
	}
	return t.T("%d d", int(d.Hours()/24))
}

type option struct {
	Value, Label string
	Selected     bool
}

func options(current string, values ...string) []option {
	out := make([]option, 0, len(values))
	for i := 0; i+1 < len(values); i += 2 {
		out = append(out, option{values[i], values[i+1], values[i] == current})
	}
	return out
}

type queueData struct {
	Title    string
	User     *vigil.Principal
	CSRF     string
	Items    []itemView
	Statuses []option
	Flags    []option
	Kinds    []option
	Ages     []option
	Section  string
	Author   string
	Status   string
	Next     string
	Count    int
	One      bool
	// Waiting is what waits per section, longest-waiting first.
	Waiting []waitView
}

// waitView is one section in the queue page's count of what waits.
type waitView struct {
	Name, Text, Link string
	Oldest           time.Time
	Current          bool
}

// waitViews says, per section, how many items wait and for how long.
func waitViews(ws []SectionWait, now time.Time, current string, t *tr) []waitView {
	out := make([]waitView, 0, len(ws))
	for _, w := range ws {
		v := waitView{Name: w.Section, Oldest: w.Oldest, Current: w.Section != "" && w.Section == current,
			Text: t.T("%d waiting, oldest %s", w.Items, t.age(now.Sub(w.Oldest)))}
		if v.Name == "" {
			v.Name = t.T("no section")
			v.Link = "/review/?status=open"
		} else {
			v.Link = "/review/?" + url.Values{"status": {"open"}, "section": {w.Section}}.Encode()
		}
		out = append(out, v)
	}
	return out
}

func (h *Handler) queuePage(w http.ResponseWriter, r *http.Request, s *Session) error {
	q := r.URL.Query()
	now := h.store.now()
	t := trOf(r)
	data := queueData{Title: "Review queue", User: &s.Principal, CSRF: s.CSRF}
	var items []*vigil.ReviewItem
	if idStr := q.Get("item"); idStr != "" {
		id, err := strconv.ParseInt(idStr, 10, 64)
		if err != nil || id <= 0 {
			return vigil.Errorf(vigil.EINVALID, "item %q: want a positive integer", idStr)
		}
		it, err := h.store.Get(r.Context(), id)
		if err != nil {
			return err
		}
		items = []*vigil.ReviewItem{it}
		data.One = true
	} else {
		f, err := filterFrom(q)
		if err != nil {
			return err
		}
		var next string
		items, next, err = h.store.List(r.Context(), f)
		if err != nil {
			return err
		}
		if next != "" {
			nq := url.Values{}
			for k, v := range q {
				nq[k] = v
			}
			nq.Set("cursor", next)
			data.Next = "/review/?" + nq.Encode()
		}
		data.Status, data.Section, data.Author = f.Status, f.Section, f.Author
	}
	data.Statuses = options(data.Status, "open", "open", "pending", "pending", "claimed", "claimed", "escalated", "escalated",
		"approved", "approved", "rejected", "rejected", "superseded", "superseded")
	data.Flags = options(q.Get("flag"), "", "any flag", vigil.FlagExtremistRecruitment, "extremist recruitment", vigil.FlagToxic, "toxic")
	data.Kinds = options(q.Get("kind"), "", "any kind", vigil.KindComment, "comments", vigil.KindArticle, "articles")
	data.Ages = options(q.Get("min_age"), "", "any age", "1h", "older than 1 h", "6h", "older than 6 h", "24h", "older than 1 day")
	// Campaigns: near-duplicate open comments follow the first of them;
	// the store adds their members beyond this page.
	camp := campaigns(items)
	more, err := h.campaignsBeyond(r.Context(), items, camp)
	if err != nil {
		return err
	}
	size := map[int]int{}
	for _, c := range camp {
		size[c]++
	}
	if len(camp) > 0 {
		grouped := make([]*vigil.ReviewItem, 0, len(items))
		placed := map[int64]bool{}
		for _, it := range items {
			if placed[it.ID] {
				continue
			}
			grouped = append(grouped, it)
			if c, ok := camp[it.ID]; ok {
				for _, o := range items {
					if oc, ok := camp[o.ID]; ok && oc == c && o.ID != it.ID && !placed[o.ID] {
						grouped = append(grouped, o)
						placed[o.ID] = true
					}
				}
			}
			placed[it.ID] = true
		}
		items = grouped
	}
	authors := make([]string, 0, len(items))
	for _, it := range items {
		authors = append(authors, it.Document.Author)
	}
	counts, err := h.store.AuthorCounts(r.Context(), authors)
	if err != nil {
		return err
	}
	byAuthor, err := h.store.AuthorItems(r.Context(), authors, authorPanelItems+1)
	if err != nil {
		return err
	}
	for _, it := range items {
		v := newItemView(it, now, t, h.opts.Describe)
		v.AuthorHistory = historyText(counts[it.Document.Author], t)
		for _, o := range byAuthor[it.Document.Author] {
			if o.ID != it.ID && len(v.AuthorItems) < authorPanelItems {
				v.AuthorItems = append(v.AuthorItems, authorItemView{ID: o.ID, Status: o.Status, When: t.Date(o.CreatedAt), At: o.CreatedAt,
					Summary: summary(o.Document.Title + " " + o.Document.Body), Level: vigil.SeverityLevel(o.Severity)})
			}
		}
		v.HeldByOther = v.ClaimedBy != "" && v.ClaimedBy != s.Principal.Name
		if c, ok := camp[it.ID]; ok {
			v.Campaign, v.CampaignSize, v.CampaignMore = c+1, size[c]+len(more[c]), len(more[c])
			v.CampaignMoreIDs = joinIDs(more[c])
		}
		v.CanUndo = it.Decision != "" && it.Status != vigil.ReviewSuperseded && canUndo(it, s.Principal, now) == nil
		data.Items = append(data.Items, v)
	}
	data.Count = len(data.Items)
	waiting, err := h.store.Waiting(r.Context())
	if err != nil {
		return err
	}
	data.Waiting = waitViews(waiting, now, data.Section, t)
	h.render(w, r, "queue", http.StatusOK, data)
	return nil
}

// campaignsBeyond asks the store for the open comments beyond the page
// that are near-duplicates of the page's (Store.Duplicates) and returns
// them by campaign, each once, as many as one bulk decision can take
// with the page's members (MaxBulk). A comment alone on the page with
// duplicates elsewhere starts a campaign of its own: camp gains it.
func (h *Handler) campaignsBeyond(ctx context.Context, items []*vigil.ReviewItem, camp map[int64]int) (map[int][]int64, error) {
	dups, err := h.store.Duplicates(ctx, items)
	if err != nil || len(dups) == 0 {
		return nil, err
	}
	more := map[int][]int64{}
	seen := map[int64]bool{}
	onPage := map[int]int{}
	for _, c := range camp {
		onPage[c]++
	}
	for i, it := range items {
		ids := dups[it.ID]
		if len(ids) == 0 {
			continue
		}
		c, ok := camp[it.ID]
		if !ok {
			c = i // the index of its first (only) item, like campaigns'
			camp[it.ID] = c
			onPage[c] = 1
		}
		for _, id := range ids {
			// One bulk decision takes the whole campaign.
			if !seen[id] && onPage[c]+len(more[c]) < MaxBulk {
				seen[id] = true
				more[c] = append(more[c], id)
			}
		}
	}
	return more, nil
}

// joinIDs writes ids as "1,2,3".
func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

type auditData struct {
	Title   string
	User    *vigil.Principal
	CSRF    string
	Entries []auditView
	Actor   string
	Item    string
	Next    string
}

type auditView struct {
	ID, ItemID              int64
	At, Actor, Action, Note string
	DocID, Before, After    string
	AtTime                  time.Time
}

func stateText(st *vigil.ReviewState, t *tr) string {
	if st == nil {
		return ""
	}
	s := t.T(st.Status)
	if st.ClaimedBy != "" {
		s += " · " + t.T("claimed by") + " " + st.ClaimedBy
	}
	if len(st.CorrectedTags) > 0 {
		s += " · " + t.T("tags") + " " + strings.Join(st.CorrectedTags, ", ")
	}
	return s
}

func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request, s *Session) error {
	f, err := auditFilterFrom(r.URL.Query())
	if err != nil {
		return err
	}
	entries, next, err := h.store.Audit(r.Context(), f)
	if err != nil {
		return err
	}
	data := auditData{Title: "Audit log", User: &s.Principal, CSRF: s.CSRF, Actor: f.Actor}
	if f.ItemID > 0 {
		data.Item = strconv.FormatInt(f.ItemID, 10)
	}
	t := trOf(r)
	for _, e := range entries {
		data.Entries = append(data.Entries, auditView{ID: e.ID, ItemID: e.ItemID, At: t.Date(e.At), AtTime: e.At,
			Actor: e.Actor, Action: e.Action, Note: e.Note, DocID: e.DocID, Before: stateText(e.Before, t), After: stateText(e.After, t)})
	}
	if next > 0 {
		nq := r.URL.Query()
		nq.Set("before", strconv.FormatInt(next, 10))
		data.Next = "/review/audit?" + nq.Encode()
	}
	h.render(w, r, "audit", http.StatusOK, data)
	return nil
}

// deadView is what the webhooks page shows of a dead delivery.
type deadView struct {
	ID, ItemID                              int64
	DeliveryID, DocID, Decision, URL, Since string
	LastError                               string
	SinceTime                               time.Time
	Attempts                                int
}

type webhooksData struct {
	Title string
	User  *vigil.Principal
	CSRF  string
	Rows  []deadView
}

// webhooksPage lists dead webhook deliveries to admins, each with a
// redeliver button.
func (h *Handler) webhooksPage(w http.ResponseWriter, r *http.Request, s *Session) error {
	if err := needAdmin(s.Principal); err != nil {
		return err
	}
	ds, err := h.store.DeadDeliveries(r.Context(), 0, MaxLimit)
	if err != nil {
		return err
	}
	data := webhooksData{Title: "Webhooks", User: &s.Principal, CSRF: s.CSRF}
	t := trOf(r)
	for _, d := range ds {
		data.Rows = append(data.Rows, deadView{ID: d.ID, ItemID: d.Event.ItemID, DeliveryID: d.DeliveryID, DocID: d.Event.DocID,
			Decision: d.Event.Decision, URL: d.URL, Since: t.Date(d.CreatedAt), SinceTime: d.CreatedAt, LastError: d.LastError, Attempts: d.Attempts})
	}
	h.render(w, r, "webhooks", http.StatusOK, data)
	return nil
}

// redeliverAction is the webhooks page's redeliver button (a form post).
func (h *Handler) redeliverAction(w http.ResponseWriter, r *http.Request, s *Session, _ string) error {
	id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return vigil.Errorf(vigil.EINVALID, "id: want a delivery id")
	}
	if err := h.store.Redeliver(r.Context(), s.Principal, id); err != nil {
		return err
	}
	if h.opts.OnRedeliver != nil {
		h.opts.OnRedeliver()
	}
	http.Redirect(w, r, "/review/webhooks", http.StatusSeeOther)
	return nil
}
