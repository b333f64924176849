package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"unicode/utf16"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/httpjson"
	"github.com/kz-newsroom/vigil/metrics"
)

// The Perspective-compatible API: Google's Comment Analyzer v1alpha1
// (comments:analyze, comments:suggestscore) in its request, response and
// error shapes, so that a comment platform written for Perspective (Coral
// Talk) only changes its endpoint and key. See docs/perspective.md.

// Perspective routes, under the endpoint a client configures
// (http://vigil:8080/v1alpha1).
const (
	PerspectiveAnalyzeRoute = "/v1alpha1/comments:analyze"
	PerspectiveSuggestRoute = "/v1alpha1/comments:suggestscore"
)

// PerspectiveMaxTextBytes is Perspective's limit on a comment's text (20 KB).
const PerspectiveMaxTextBytes = 20480

// perspectiveMaxBody bounds a request body: the text, JSON escaping (six
// bytes a character at worst), and context entries.
const perspectiveMaxBody = 256 << 10

// PerspectiveAttributes maps each attribute comments:analyze scores to the
// flag whose score it is. Any other name is Perspective's unknown
// attribute; a flag whose head does not read the comment's language is
// its unsupported language (LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE).
var PerspectiveAttributes = map[string]string{
	vigil.AttributeToxicity: vigil.FlagToxic,
}

// Score types.
const (
	ScoreProbability = "PROBABILITY"
	scoreUnspecified = "SCORE_TYPE_UNSPECIFIED"
)

// Perspective's error types (the errorType of an error's detail).
const (
	ErrCommentEmpty            = "COMMENT_EMPTY"
	ErrCommentTooLong          = "COMMENT_TOO_LONG"
	ErrNoRequestedAttributes   = "NO_REQUESTED_ATTRIBUTES"
	ErrLanguageNotSupported    = "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
	ErrLanguageDetectionFailed = "LANGUAGE_DETECTION_FAILED"
	ErrInvalidRequest          = "INVALID_REQUEST"
)

// perspectiveDetailType is the @type of Perspective's error details.
const perspectiveDetailType = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"

// TextEntry is a text: the comment, or a context entry.
type TextEntry struct {
	Text string `json:"text"`
	// Type is PLAIN_TEXT (or unset) or HTML. Perspective refuses HTML;
	// Vigil reads it (its normalizer strips markup, spans stay in the
	// original).
	Type string `json:"type,omitempty"`
}

// PerspectiveContext is what a comment replies to. Vigil does not read it.
type PerspectiveContext struct {
	Entries                 []TextEntry     `json:"entries,omitempty"`
	ArticleAndParentComment json.RawMessage `json:"articleAndParentComment,omitempty"`
}

// AttributeParameters configure one requested attribute.
type AttributeParameters struct {
	// ScoreType must be PROBABILITY or unset.
	ScoreType string `json:"scoreType,omitempty"`
	// ScoreThreshold leaves the attribute out of the answer when its score
	// is below it.
	ScoreThreshold *float64 `json:"scoreThreshold,omitempty"`
}

// AnalyzeRequest is the body of POST /v1alpha1/comments:analyze.
type AnalyzeRequest struct {
	Comment             TextEntry                      `json:"comment"`
	Context             *PerspectiveContext            `json:"context,omitempty"`
	RequestedAttributes map[string]AttributeParameters `json:"requestedAttributes"`
	Languages           []string                       `json:"languages,omitempty"`
	// DoNotStore: Vigil stores nothing of an analyzed comment unless it is
	// false and the verdict sends the comment to review (a recruiting
	// comment), which puts it in the moderators' queue as /v1/check does.
	DoNotStore  bool   `json:"doNotStore,omitempty"`
	ClientToken string `json:"clientToken,omitempty"`
	SessionID   string `json:"sessionId,omitempty"`
	CommunityID string `json:"communityId,omitempty"`
	// SpanAnnotations asks for the words that carried each score as
	// spanScores; without it, one span covers the whole comment.
	SpanAnnotations bool `json:"spanAnnotations,omitempty"`
}

// Score is a score value and its type (always PROBABILITY from Vigil).
type Score struct {
	Value float64 `json:"value"`
	Type  string  `json:"type,omitempty"`
}

// SpanScore is the score of the span [Begin, End) of the comment, in
// UTF-16 code units, as Perspective counts.
type SpanScore struct {
	Begin int   `json:"begin"`
	End   int   `json:"end"`
	Score Score `json:"score"`
}

// AttributeScores are one attribute's scores.
type AttributeScores struct {
	SummaryScore *Score      `json:"summaryScore,omitempty"`
	SpanScores   []SpanScore `json:"spanScores,omitempty"`
}

// AnalyzeResponse answers comments:analyze.
type AnalyzeResponse struct {
	AttributeScores map[string]AttributeScores `json:"attributeScores"`
	// Languages is the language Vigil scored; DetectedLanguages the same,
	// the language Vigil took the comment to be in.
	Languages         []string `json:"languages"`
	DetectedLanguages []string `json:"detectedLanguages,omitempty"`
	ClientToken       string   `json:"clientToken,omitempty"`
}

// SuggestRequest is the body of POST /v1alpha1/comments:suggestscore.
type SuggestRequest struct {
	Comment         TextEntry                  `json:"comment"`
	Context         *PerspectiveContext        `json:"context,omitempty"`
	AttributeScores map[string]AttributeScores `json:"attributeScores"`
	Languages       []string                   `json:"languages,omitempty"`
	CommunityID     string                     `json:"communityId,omitempty"`
	ClientToken     string                     `json:"clientToken,omitempty"`
	SessionID       string                     `json:"sessionId,omitempty"`
}

// SuggestResponse answers comments:suggestscore.
type SuggestResponse struct {
	ClientToken        string   `json:"clientToken,omitempty"`
	RequestedLanguages []string `json:"requestedLanguages,omitempty"`
}

// Suggester stores the scores clients suggest through comments:suggestscore
// as training feedback. Suggest must be durable when it returns nil and
// safe for concurrent use. *review.Store implements it.
type Suggester interface {
	Suggest(ctx context.Context, s *vigil.Suggestion) error
}

// PerspectiveError is an error in the shape of Google's APIs:
// {"error":{"code":400,"message":"…","status":"INVALID_ARGUMENT","details":[…]}}.
type PerspectiveError struct {
	Code    int              `json:"code"`
	Message string           `json:"message"`
	Status  string           `json:"status"`
	Details []map[string]any `json:"details,omitempty"`
}

func (e *PerspectiveError) Error() string { return e.Message }

// perspectiveInvalid is a 400 INVALID_ARGUMENT with Perspective's error type.
func perspectiveInvalid(errorType, format string, a ...any) *PerspectiveError {
	return &PerspectiveError{Code: http.StatusBadRequest, Status: "INVALID_ARGUMENT", Message: fmt.Sprintf(format, a...),
		Details: []map[string]any{{"@type": perspectiveDetailType, "errorType": errorType}}}
}

// asPerspective turns any error into Perspective's shape, by Google's
// mapping of its canonical codes to HTTP statuses: this API's own table,
// beside statusOf, which keeps Vigil's.
func asPerspective(err error) *PerspectiveError {
	if pe, ok := err.(*PerspectiveError); ok {
		return pe
	}
	msg := vigil.ErrorMessage(err)
	switch vigil.ErrorCode(err) {
	case vigil.EINVALID:
		return perspectiveInvalid(ErrInvalidRequest, "%s", msg)
	case vigil.ETOOLARGE:
		return perspectiveInvalid(ErrCommentTooLong, "Comment text too long.")
	case vigil.EUNAVAILABLE:
		return &PerspectiveError{Code: http.StatusServiceUnavailable, Status: "UNAVAILABLE", Message: msg}
	case vigil.ETOOMANYREQUEST:
		return &PerspectiveError{Code: http.StatusTooManyRequests, Status: "RESOURCE_EXHAUSTED", Message: msg}
	case vigil.EFORBIDDEN:
		return &PerspectiveError{Code: http.StatusForbidden, Status: "PERMISSION_DENIED", Message: msg}
	case vigil.ENOTFOUND:
		return &PerspectiveError{Code: http.StatusNotFound, Status: "NOT_FOUND", Message: msg}
	}
	return &PerspectiveError{Code: http.StatusInternalServerError, Status: "INTERNAL", Message: "Internal error encountered."}
}

// writePerspectiveError answers err in Perspective's shape; a server-side
// failure is logged in full (never with the request's query string).
func writePerspectiveError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	pe := asPerspective(err)
	if pe.Code >= 500 && log != nil {
		log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "status", pe.Code, "error", err)
	}
	if pe.Code == http.StatusServiceUnavailable || pe.Code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	httpjson.Write(w, pe.Code, struct {
		Error *PerspectiveError `json:"error"`
	}{pe})
}

// decodePerspective decodes one JSON value from b into v, with Google's
// wording for a body that is not JSON. Unknown fields are ignored (Google
// refuses them; Vigil is lenient).
func decodePerspective(b []byte, v any) error {
	if err := httpjson.Decode(b, v, httpjson.IgnoreUnknown); err != nil {
		return perspectiveInvalid(ErrInvalidRequest, "Invalid JSON payload received. %s", strings.TrimPrefix(vigil.ErrorMessage(err), "request body: "))
	}
	return nil
}

// checkComment validates the comment and context of a request.
func checkComment(c TextEntry, ctx *PerspectiveContext) error {
	switch c.Type {
	case "", "PLAIN_TEXT", "HTML", "TEXT_TYPE_UNSPECIFIED":
	default:
		return perspectiveInvalid(ErrInvalidRequest, "Unknown text type")
	}
	if strings.TrimSpace(c.Text) == "" {
		return perspectiveInvalid(ErrCommentEmpty, "Comment must be non-empty.")
	}
	if len(c.Text) > PerspectiveMaxTextBytes {
		return perspectiveInvalid(ErrCommentTooLong, "Comment text too long.")
	}
	if i := strings.IndexByte(c.Text, 0); i >= 0 {
		return perspectiveInvalid(ErrInvalidRequest, "comment.text: NUL character (\\u0000) at byte %d", i)
	}
	if ctx != nil && len(ctx.Entries) > 0 && len(ctx.ArticleAndParentComment) > 0 && string(ctx.ArticleAndParentComment) != "null" {
		return perspectiveInvalid(ErrInvalidRequest,
			"Context can have either entries or article_and_parent_comment, but both fields were populated.")
	}
	return nil
}

// DecodeAnalyze parses and validates the body of comments:analyze. Its
// errors are *PerspectiveError, worded as Perspective words them.
func DecodeAnalyze(b []byte) (AnalyzeRequest, error) {
	var req AnalyzeRequest
	if err := decodePerspective(b, &req); err != nil {
		return req, err
	}
	if err := checkComment(req.Comment, req.Context); err != nil {
		return req, err
	}
	if len(req.RequestedAttributes) == 0 {
		return req, perspectiveInvalid(ErrNoRequestedAttributes, "Missing requested_attributes")
	}
	for _, name := range slices.Sorted(maps.Keys(req.RequestedAttributes)) {
		p := req.RequestedAttributes[name]
		if _, ok := PerspectiveAttributes[name]; !ok {
			return req, perspectiveInvalid(ErrInvalidRequest, "Unknown requested attribute: %s", name)
		}
		if p.ScoreType != "" && p.ScoreType != ScoreProbability && p.ScoreType != scoreUnspecified {
			return req, perspectiveInvalid(ErrInvalidRequest, "Requested score type %s is not supported by attribute %s", p.ScoreType, name)
		}
	}
	return req, nil
}

// DecodeSuggest parses and validates the body of comments:suggestscore:
// a comment and, for each attribute, a summaryScore in [0, 1] (Vigil
// keeps comment-level labels; span scores are not read). Attributes are
// TOXICITY and Coral's moderation outcomes APPROVED and DELETED.
func DecodeSuggest(b []byte) (SuggestRequest, error) {
	var req SuggestRequest
	if err := decodePerspective(b, &req); err != nil {
		return req, err
	}
	if err := checkComment(req.Comment, req.Context); err != nil {
		return req, err
	}
	if len(req.AttributeScores) == 0 {
		return req, perspectiveInvalid(ErrInvalidRequest, "attribute_scores must not be empty")
	}
	for _, name := range slices.Sorted(maps.Keys(req.AttributeScores)) {
		a := req.AttributeScores[name]
		if _, ok := (vigil.Suggestion{Attribute: name}).Flags(); !ok {
			return req, perspectiveInvalid(ErrInvalidRequest, "Unknown requested attribute: %s", name)
		}
		if a.SummaryScore == nil {
			return req, perspectiveInvalid(ErrInvalidRequest, "attribute_scores[%s]: summaryScore is required", name)
		}
		if t := a.SummaryScore.Type; t != "" && t != ScoreProbability && t != scoreUnspecified {
			return req, perspectiveInvalid(ErrInvalidRequest, "attribute_scores[%s]: score type %s is not supported", name, t)
		}
		if v := a.SummaryScore.Value; !(v >= 0 && v <= 1) {
			return req, perspectiveInvalid(ErrInvalidRequest, "attribute_scores[%s]: score %v is not a probability in [0, 1]", name, v)
		}
	}
	return req, nil
}

// baseLang returns the primary subtag of a BCP-47 or ISO code, lower case:
// "ru-RU" → "ru".
func baseLang(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(strings.TrimSpace(tag))
}

// analyzeLang is the language a comment is checked as: the one the
// request names when it is Russian or Kazakh, else Vigil's detection.
// Coral sends its tenant's locale mapped onto Perspective's languages,
// "en" for every locale it has no mapping for (a Russian site's too), so
// "en" and the other languages Vigil does not score carry no information.
func analyzeLang(langs []string) string {
	return requestLang(langs, vigil.LangRussian, vigil.LangKazakh)
}

// requestLang is the one language langs names (its base tag) when it is one
// of allowed, else "".
func requestLang(langs []string, allowed ...string) string {
	if len(langs) == 1 {
		if l := baseLang(langs[0]); slices.Contains(allowed, l) {
			return l
		}
	}
	return ""
}

// perspectiveCaller authenticates a Perspective request by its key: the
// key query parameter (this API only: Perspective's clients send their key
// there), or a bearer token. The key is then removed from the request's
// URL, so that nothing downstream can log it. A CMS or admin token may
// call; errors are Google's: a missing key 403, an unknown one 400.
func (s *Server) perspectiveCaller(r *http.Request) (vigil.Principal, error) {
	q := r.URL.Query()
	key := q.Get("key")
	if q.Has("key") {
		q.Del("key")
		r.URL.RawQuery = q.Encode()
	}
	if s.auth.Open() {
		return AnonymousPrincipal, nil
	}
	if key == "" {
		key, _ = bearer(r)
	}
	p, err := s.auth.check(key, "the Perspective API", []string{vigil.RoleCMS})
	if p.Name != "" {
		NoteCaller(r.Context(), p.Name)
	}
	if err != nil {
		s.rejected(vigil.ErrorCode(err))
	}
	switch {
	case err == nil:
		return p, nil
	case key == "":
		return p, &PerspectiveError{Code: http.StatusForbidden, Status: "PERMISSION_DENIED",
			Message: "The request is missing a valid API key."}
	case vigil.ErrorCode(err) == vigil.EUNAUTHORIZED:
		return p, &PerspectiveError{Code: http.StatusBadRequest, Status: "INVALID_ARGUMENT",
			Message: "API key not valid. Please pass a valid API key.",
			Details: []map[string]any{{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
				"domain": "googleapis.com", "metadata": map[string]string{"service": "commentanalyzer.googleapis.com"}}}}
	default:
		return p, &PerspectiveError{Code: http.StatusForbidden, Status: "PERMISSION_DENIED",
			Message: fmt.Sprintf("Permission denied: a %s key may not use the Perspective API.", p.Role)}
	}
}

// perspectiveBody authenticates a Perspective request and reads its body.
// On failure it has answered and returns ok false.
func (s *Server) perspectiveBody(w http.ResponseWriter, r *http.Request) (p vigil.Principal, body []byte, release func(), ok bool) {
	p, err := s.perspectiveCaller(r)
	if err != nil {
		writePerspectiveError(w, r, s.log, err)
		return p, nil, nil, false
	}
	lane, ok := s.enterLaneFunc(w, r, perspectiveMaxBody, func(w http.ResponseWriter, r *http.Request, err error) {
		s.m.Rejected(metrics.RejectOverload)
		writePerspectiveError(w, r, s.log, err)
	})
	if !ok {
		return p, nil, nil, false
	}
	buf, err := readBody(w, r, perspectiveMaxBody)
	if err != nil {
		if lane != nil {
			lane()
		}
		if vigil.ErrorCode(err) == vigil.ETOOLARGE {
			s.m.Rejected(metrics.RejectTooLarge)
		}
		writePerspectiveError(w, r, s.log, err)
		return p, nil, nil, false
	}
	body = buf.Bytes()
	return p, body, func() {
		bufPool.Put(buf)
		if lane != nil {
			lane()
		}
	}, true
}

func (s *Server) handleAnalyze(w http.ResponseWriter, r *http.Request) {
	_, body, done, ok := s.perspectiveBody(w, r)
	if !ok {
		return
	}
	req, err := DecodeAnalyze(body)
	done()
	if err != nil {
		writePerspectiveError(w, r, s.log, err)
		return
	}
	doc := vigil.Document{ID: perspectiveDocID(req.ClientToken, req.Comment.Text), Kind: vigil.KindComment,
		Lang: analyzeLang(req.Languages), Body: req.Comment.Text, Source: "perspective"}
	v, err := s.checkOne(vigil.WithEveryScore(r.Context(), req.SpanAnnotations), &doc)
	if err != nil {
		writePerspectiveError(w, r, s.log, err)
		return
	}
	resp, err := perspectiveScores(&req, &v)
	if err == nil && !req.DoNotStore {
		err = s.queueOne(r.Context(), doc, v)
	}
	if err != nil {
		writePerspectiveError(w, r, s.log, err)
		return
	}
	httpjson.Write(w, http.StatusOK, resp)
}

// perspectiveDocID names an analyzed comment in the review queue: its
// client token when it has one, else a digest of its text.
func perspectiveDocID(clientToken, text string) string {
	if vigil.CheckID(clientToken) == nil {
		return clientToken
	}
	d := sha256.Sum256([]byte(text))
	return "perspective:" + hex.EncodeToString(d[:8])
}

// perspectiveScores builds the answer to req from the verdict v of its
// comment, checked with every score asked for.
func perspectiveScores(req *AnalyzeRequest, v *vigil.Verdict) (*AnalyzeResponse, error) {
	resp := &AnalyzeResponse{AttributeScores: make(map[string]AttributeScores, len(req.RequestedAttributes)),
		Languages: []string{v.Lang}, DetectedLanguages: []string{v.Lang}, ClientToken: req.ClientToken}
	if v.Lang == "" {
		return nil, perspectiveInvalid(ErrLanguageDetectionFailed, "Unable to detect language")
	}
	whole := utf16Len(req.Comment.Text)
	for _, name := range slices.Sorted(maps.Keys(req.RequestedAttributes)) {
		flag := PerspectiveAttributes[name]
		f, ok := findFlag(v, flag)
		if !ok {
			e := perspectiveInvalid(ErrLanguageNotSupported, "Attribute %s does not support request languages: %s", name, v.Lang)
			detail := map[string]any{"attribute": name, "detectedLanguages": []string{v.Lang}}
			if len(req.Languages) > 0 {
				detail["requestedLanguages"] = req.Languages
			}
			e.Details[0]["languageNotSupportedByAttributeError"] = detail
			return nil, e
		}
		score := Score{Value: round6(f.Score), Type: ScoreProbability}
		if t := req.RequestedAttributes[name].ScoreThreshold; t != nil && score.Value < *t {
			continue
		}
		var spans []SpanScore
		if req.SpanAnnotations {
			for _, e := range f.Evidence {
				if e.Field != vigil.FieldBody || e.EndUTF16 <= e.StartUTF16 {
					continue
				}
				sp := SpanScore{Begin: e.StartUTF16, End: e.EndUTF16, Score: score}
				if !slices.Contains(spans, sp) {
					spans = append(spans, sp)
				}
			}
			slices.SortFunc(spans, func(a, b SpanScore) int { return cmp.Or(cmp.Compare(a.Begin, b.Begin), cmp.Compare(a.End, b.End)) })
		}
		if len(spans) == 0 {
			spans = []SpanScore{{Begin: 0, End: whole, Score: score}}
		}
		resp.AttributeScores[name] = AttributeScores{SummaryScore: &score, SpanScores: spans}
	}
	return resp, nil
}

// findFlag returns the flag named name in the verdict's flags or scores.
func findFlag(v *vigil.Verdict, name string) (vigil.Flag, bool) {
	for _, fs := range [][]vigil.Flag{v.Flags, v.Scores} {
		for _, f := range fs {
			if f.Name == name {
				return f, true
			}
		}
	}
	return vigil.Flag{}, false
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func (s *Server) handleSuggest(w http.ResponseWriter, r *http.Request) {
	p, body, done, ok := s.perspectiveBody(w, r)
	if !ok {
		return
	}
	req, err := DecodeSuggest(body)
	done()
	if err != nil {
		writePerspectiveError(w, r, s.log, err)
		return
	}
	if s.deps.Suggestions == nil {
		writePerspectiveError(w, r, s.log, &PerspectiveError{Code: http.StatusNotImplemented, Status: "UNIMPLEMENTED",
			Message: "comments:suggestscore: this server stores no feedback"})
		return
	}
	lang := requestLang(req.Languages, vigil.LangRussian, vigil.LangKazakh, vigil.LangEnglish)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), enqueueTimeout)
	defer cancel()
	for _, name := range slices.Sorted(maps.Keys(req.AttributeScores)) {
		sg := &vigil.Suggestion{Attribute: name, Score: req.AttributeScores[name].SummaryScore.Value, Text: req.Comment.Text,
			Lang: lang, ClientToken: req.ClientToken, CommunityID: req.CommunityID, SuggestedBy: p.Name}
		err := s.deps.Suggestions.Suggest(ctx, sg)
		if vigil.ErrorCode(err) == vigil.EINVALID {
			writePerspectiveError(w, r, s.log, err)
			return
		}
		if err != nil {
			s.log.ErrorContext(r.Context(), "storing a suggested score failed", "attribute", name, "error", err)
			writePerspectiveError(w, r, s.log, vigil.Errorf(vigil.EUNAVAILABLE, "feedback store unavailable; retry"))
			return
		}
	}
	httpjson.Write(w, http.StatusOK, SuggestResponse{ClientToken: req.ClientToken, RequestedLanguages: req.Languages})
}
