package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/prometheus/client_golang/prometheus/testutil"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/server"
)

// toxicStage is a small toxic head for tests: it scores Russian comments
// only (as the shipped head), 0.93 when they hold "идиот" (with that word
// as evidence), 0.04 otherwise.
type toxicStage struct{}

func (toxicStage) Name() string { return "flag:toxic" }

func (toxicStage) Process(_ context.Context, it *pipeline.Item) error {
	if it.Lang != vigil.LangRussian || it.Doc.Kind != vigil.KindComment {
		return nil
	}
	sig := pipeline.Signal{Flag: vigil.FlagToxic, Source: vigil.SourceModel, Weight: 0.04}
	for i := range it.Fields {
		f := &it.Fields[i]
		if j := strings.Index(f.Text, "идиот"); j >= 0 {
			e := f.Evidence("", j, j+len("идиот"))
			e.Feature, e.Weight = "word:идиот", 2
			sig.Weight, sig.Evidence = 0.93, []vigil.Evidence{e}
		}
	}
	it.Signals = append(it.Signals, sig)
	return nil
}

// perspectiveError is Google's error shape, decoded.
type perspectiveError struct {
	Error struct {
		Code    int
		Message string
		Status  string
		Details []map[string]any
	}
}

func (e perspectiveError) errorType() string {
	for _, d := range e.Error.Details {
		if t, ok := d["errorType"].(string); ok {
			return t
		}
	}
	return ""
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/perspective/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeAnalyze: the request decoder accepts what Perspective accepts
// and refuses the rest with Perspective's status, error type and wording.
func TestDecodeAnalyze(t *testing.T) {
	long := `{"comment":{"text":"` + strings.Repeat("я", server.PerspectiveMaxTextBytes/2+1) + `"},"requestedAttributes":{"TOXICITY":{}}}`
	for _, tc := range []struct {
		name, body string
		errorType  string // "" for a valid request
		message    string
	}{
		{"coral", string(fixture(t, "coral-analyze.json")), "", ""},
		{"every field", `{"comment":{"text":"ты","type":"PLAIN_TEXT"},"context":{"entries":[{"text":"статья"}]},` +
			`"requestedAttributes":{"TOXICITY":{"scoreType":"PROBABILITY","scoreThreshold":0.5}},"languages":["ru-RU"],` +
			`"doNotStore":true,"clientToken":"t","sessionId":"s","communityId":"c","spanAnnotations":true}`, "", ""},
		{"unknown fields ignored", `{"comment":{"text":"ты"},"requestedAttributes":{"TOXICITY":{}},"withCredentials":true}`, "", ""},
		{"html", `{"comment":{"text":"<p>ты</p>","type":"HTML"},"requestedAttributes":{"TOXICITY":{}}}`, "", ""},
		{"not JSON", `{"comment":`, server.ErrInvalidRequest, "Invalid JSON payload received. JSON syntax error: truncated, it ends before the value does"},
		{"wrong type", `{"comment":"ты","requestedAttributes":{"TOXICITY":{}}}`, server.ErrInvalidRequest, `Invalid JSON payload received. field "comment" must be a JSON object, not string`},
		{"no comment", `{"requestedAttributes":{"TOXICITY":{}}}`, server.ErrCommentEmpty, "Comment must be non-empty."},
		{"blank comment", `{"comment":{"text":"  "},"requestedAttributes":{"TOXICITY":{}}}`, server.ErrCommentEmpty, "Comment must be non-empty."},
		{"too long", long, server.ErrCommentTooLong, "Comment text too long."},
		{"unknown text type", `{"comment":{"text":"ты","type":"MARKDOWN"},"requestedAttributes":{"TOXICITY":{}}}`, server.ErrInvalidRequest, "Unknown text type"},
		{"no attributes", `{"comment":{"text":"ты"}}`, server.ErrNoRequestedAttributes, "Missing requested_attributes"},
		{"empty attributes", `{"comment":{"text":"ты"},"requestedAttributes":{}}`, server.ErrNoRequestedAttributes, "Missing requested_attributes"},
		{"severe toxicity", `{"comment":{"text":"ты"},"requestedAttributes":{"TOXICITY":{},"SEVERE_TOXICITY":{}}}`, server.ErrInvalidRequest, "Unknown requested attribute: SEVERE_TOXICITY"},
		{"recruitment is no Perspective attribute", `{"comment":{"text":"ты"},"requestedAttributes":{"EXTREMIST_RECRUITMENT":{}}}`, server.ErrInvalidRequest, "Unknown requested attribute: EXTREMIST_RECRUITMENT"},
		{"lower case", `{"comment":{"text":"ты"},"requestedAttributes":{"toxicity":{}}}`, server.ErrInvalidRequest, "Unknown requested attribute: toxicity"},
		{"score type", `{"comment":{"text":"ты"},"requestedAttributes":{"TOXICITY":{"scoreType":"STD_DEV_SCORE"}}}`, server.ErrInvalidRequest, "Requested score type STD_DEV_SCORE is not supported by attribute TOXICITY"},
		{"both contexts", `{"comment":{"text":"ты"},"context":{"entries":[{"text":"a"}],"articleAndParentComment":{"article":{"text":"b"}}},"requestedAttributes":{"TOXICITY":{}}}`,
			server.ErrInvalidRequest, "Context can have either entries or article_and_parent_comment, but both fields were populated."},
		{"trailing data", `{"comment":{"text":"ты"},"requestedAttributes":{"TOXICITY":{}}} {}`, server.ErrInvalidRequest, "Invalid JSON payload received. data after the JSON value at byte 66"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := server.DecodeAnalyze([]byte(tc.body))
			if tc.errorType == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			pe, ok := err.(*server.PerspectiveError)
			if !ok {
				t.Fatalf("error %v (%T), want a *PerspectiveError", err, err)
			}
			if pe.Code != 400 || pe.Status != "INVALID_ARGUMENT" || pe.Message != tc.message ||
				len(pe.Details) != 1 || pe.Details[0]["errorType"] != tc.errorType {
				t.Errorf("got %d %s %q %v; want 400 INVALID_ARGUMENT %q %s", pe.Code, pe.Status, pe.Message, pe.Details, tc.message, tc.errorType)
			}
		})
	}
}

// TestDecodeSuggest: a suggestion needs a comment and, per attribute
// (TOXICITY, or Coral's APPROVED and DELETED), a summary probability.
func TestDecodeSuggest(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		message    string // "" for a valid request
	}{
		{"coral", string(fixture(t, "coral-suggestscore.json")), ""},
		{"toxicity", `{"comment":{"text":"ты"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":0,"type":"PROBABILITY"}}}}`, ""},
		{"no comment", `{"attributeScores":{"TOXICITY":{"summaryScore":{"value":1}}}}`, "Comment must be non-empty."},
		{"no scores", `{"comment":{"text":"ты"}}`, "attribute_scores must not be empty"},
		{"unknown attribute", `{"comment":{"text":"ты"},"attributeScores":{"INSULT":{"summaryScore":{"value":1}}}}`, "Unknown requested attribute: INSULT"},
		{"spans only", `{"comment":{"text":"ты"},"attributeScores":{"TOXICITY":{"spanScores":[{"begin":0,"end":2,"score":{"value":1}}]}}}`, "attribute_scores[TOXICITY]: summaryScore is required"},
		{"out of range", `{"comment":{"text":"ты"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":2}}}}`, "attribute_scores[TOXICITY]: score 2 is not a probability in [0, 1]"},
		{"score type", `{"comment":{"text":"ты"},"attributeScores":{"TOXICITY":{"summaryScore":{"value":1,"type":"RAW"}}}}`, "attribute_scores[TOXICITY]: score type RAW is not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := server.DecodeSuggest([]byte(tc.body))
			if tc.message == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			pe, ok := err.(*server.PerspectiveError)
			if !ok || pe.Code != 400 || pe.Status != "INVALID_ARGUMENT" || pe.Message != tc.message {
				t.Errorf("got %#v, want 400 INVALID_ARGUMENT %q", err, tc.message)
			}
		})
	}
}

// utf16Slice returns s[begin:end] counted in UTF-16 code units.
func utf16Slice(s string, begin, end int) string {
	u := utf16.Encode([]rune(s))
	if begin < 0 || end > len(u) || begin > end {
		return "<out of range>"
	}
	return string(utf16.Decode(u[begin:end]))
}

// TestPerspectiveAnalyze: comments:analyze over HTTP, with the key in the
// query string as Perspective's clients send it: Coral's request gets a
// score and one span over the whole comment in UTF-16 units (an emoji is
// two); spanAnnotations gets the words that carried it; a language the
// head does not score, an unknown attribute, a missing or wrong key get
// Perspective's errors; every answer matches the OpenAPI document.
func TestPerspectiveAnalyze(t *testing.T) {
	ts := startServer(t, []pipeline.Stage{toxicStage{}}, withTokens)
	analyze := func(key string, body []byte) response {
		t.Helper()
		path := server.PerspectiveAnalyzeRoute
		if key != "" {
			path += "?key=" + key
		}
		return ts.do(t, "POST", path, "", bytes.NewReader(body))
	}
	coral := fixture(t, "coral-analyze.json")
	var in server.AnalyzeRequest
	json.Unmarshal(coral, &in)
	text := in.Comment.Text

	r := analyze(cmsToken, coral)
	if r.status != 200 {
		t.Fatalf("coral: %d %s", r.status, r.body)
	}
	got := decode[server.AnalyzeResponse](t, r)
	tox, ok := got.AttributeScores["TOXICITY"]
	if !ok || tox.SummaryScore == nil || tox.SummaryScore.Value != 0.93 || tox.SummaryScore.Type != "PROBABILITY" {
		t.Fatalf("coral: %s", r.body)
	}
	units := len(utf16.Encode([]rune(text)))
	if units != len([]rune(text))+1 {
		t.Fatalf("the fixture should hold one character outside the BMP: %d units, %d runes", units, len([]rune(text)))
	}
	if len(tox.SpanScores) != 1 || tox.SpanScores[0].Begin != 0 || tox.SpanScores[0].End != units || tox.SpanScores[0].Score.Value != 0.93 {
		t.Errorf("span scores %+v, want one over [0, %d)", tox.SpanScores, units)
	}
	if strings.Join(got.Languages, ",") != "ru" || strings.Join(got.DetectedLanguages, ",") != "ru" {
		t.Errorf("languages %v detected %v, want ru (Coral's en is its default, not the comment's language)", got.Languages, got.DetectedLanguages)
	}
	if n, _ := ts.store.Stats(context.Background()); len(n.Items) != 0 && n.Items[vigil.ReviewPending] != 0 {
		t.Errorf("doNotStore: the queue holds %v", n.Items)
	}

	// Span annotations: the word, counted after the emoji.
	spanned := []byte(`{"comment":{"text":"🤡🤡 ну ты и идиот 😀"},"requestedAttributes":{"TOXICITY":{}},"spanAnnotations":true,"clientToken":"c-1"}`)
	r = analyze(cmsToken, spanned)
	got = decode[server.AnalyzeResponse](t, r)
	tox = got.AttributeScores["TOXICITY"]
	if r.status != 200 || len(tox.SpanScores) != 1 || got.ClientToken != "c-1" {
		t.Fatalf("span annotations: %d %s", r.status, r.body)
	}
	if sp := tox.SpanScores[0]; sp.Begin != 13 || sp.End != 18 || utf16Slice("🤡🤡 ну ты и идиот 😀", sp.Begin, sp.End) != "идиот" {
		t.Errorf("span %+v, want [13, 18) \"идиот\" in UTF-16 units", sp)
	}

	// A clean comment still gets its (low) score; a threshold above it
	// leaves the attribute out.
	r = analyze(cmsToken, fixture(t, "coral-analyze-clean.json"))
	if got = decode[server.AnalyzeResponse](t, r); r.status != 200 || got.AttributeScores["TOXICITY"].SummaryScore.Value != 0.04 {
		t.Errorf("clean: %d %s", r.status, r.body)
	}
	r = analyze(cmsToken, []byte(`{"comment":{"text":"Спасибо за статью, всё понятно"},"requestedAttributes":{"TOXICITY":{"scoreThreshold":0.5}}}`))
	if got = decode[server.AnalyzeResponse](t, r); r.status != 200 || len(got.AttributeScores) != 0 {
		t.Errorf("under scoreThreshold: %d %s", r.status, r.body)
	}

	for _, tc := range []struct {
		name, key, body string
		code            int
		status          string
		errorType       string
		message         string
	}{
		{"kazakh", cmsToken, `{"comment":{"text":"Бұл мақала өте жақсы жазылған, рахмет сізге"},"requestedAttributes":{"TOXICITY":{}},"languages":["kk"]}`,
			400, "INVALID_ARGUMENT", server.ErrLanguageNotSupported, "Attribute TOXICITY does not support request languages: kk"},
		{"english", cmsToken, `{"comment":{"text":"Thank you for this article, it explains the new tariffs very well"},"requestedAttributes":{"TOXICITY":{}},"languages":["en"]}`,
			400, "INVALID_ARGUMENT", server.ErrLanguageNotSupported, "Attribute TOXICITY does not support request languages: en"},
		{"unknown attribute", cmsToken, `{"comment":{"text":"ты"},"requestedAttributes":{"SEVERE_TOXICITY":{}}}`,
			400, "INVALID_ARGUMENT", server.ErrInvalidRequest, "Unknown requested attribute: SEVERE_TOXICITY"},
		{"no key", "", string(coral), 403, "PERMISSION_DENIED", "", "The request is missing a valid API key."},
		{"wrong key", "not-a-token", string(coral), 400, "INVALID_ARGUMENT", "", "API key not valid. Please pass a valid API key."},
		{"moderator key", modBare, string(coral), 403, "PERMISSION_DENIED", "", "Permission denied: a moderator key may not use the Perspective API."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(tc.key, []byte(tc.body))
			e := decode[perspectiveError](t, r)
			if r.status != tc.code || e.Error.Code != tc.code || e.Error.Status != tc.status || e.Error.Message != tc.message || e.errorType() != tc.errorType {
				t.Fatalf("%d %s; want %d %s %s %q", r.status, r.body, tc.code, tc.status, tc.errorType, tc.message)
			}
			if tc.errorType == server.ErrLanguageNotSupported {
				d, _ := e.Error.Details[0]["languageNotSupportedByAttributeError"].(map[string]any)
				if d["attribute"] != "TOXICITY" || len(d["detectedLanguages"].([]any)) != 1 {
					t.Errorf("detail %v", e.Error.Details)
				}
			}
		})
	}

	// A bearer token works too; the requests were timed under their own
	// handler.
	r = ts.do(t, "POST", server.PerspectiveAnalyzeRoute, cmsToken, bytes.NewReader(coral))
	if r.status != 200 {
		t.Errorf("bearer: %d %s", r.status, r.body)
	}
	if n := testutil.CollectAndCount(ts.m.HTTPDuration, "vigil_http_request_duration_seconds"); n == 0 {
		t.Fatal("no request timed")
	}
	var metrics bytes.Buffer
	metrics.Write(ts.do(t, "GET", "/metrics", "", nil).body)
	if !strings.Contains(metrics.String(), `vigil_http_request_duration_seconds_count{code="200",handler="perspective"} 5`) {
		t.Errorf("perspective requests not timed under handler=\"perspective\":\n%s", grepLines(metrics.String(), "handler=\"perspective\""))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && strings.Contains(l, "_count") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestPerspectiveAnalyzeQueues: with doNotStore false, a comment whose
// verdict is review (here: a recruiting one) goes to the moderators'
// queue as from /v1/check; with doNotStore true nothing is kept.
func TestPerspectiveAnalyzeQueues(t *testing.T) {
	ts := startServer(t, []pipeline.Stage{keywordStage{}, toxicStage{}}, withTokens)
	for _, store := range []bool{false, true} {
		body, _ := json.Marshal(server.AnalyzeRequest{Comment: server.TextEntry{Text: "Брат, вступай к нам, не будь идиотом"},
			RequestedAttributes: map[string]server.AttributeParameters{"TOXICITY": {}}, DoNotStore: !store, ClientToken: "comment:42"})
		if r := ts.do(t, "POST", server.PerspectiveAnalyzeRoute+"?key="+cmsToken, "", bytes.NewReader(body)); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		st, err := ts.store.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[store]; st.Items[vigil.ReviewPending] != want {
			t.Errorf("doNotStore %v: %d pending, want %d", !store, st.Items[vigil.ReviewPending], want)
		}
	}
}

// memSuggestions is a Suggester in memory.
type memSuggestions struct{ got []vigil.Suggestion }

func (m *memSuggestions) Suggest(_ context.Context, s *vigil.Suggestion) error {
	m.got = append(m.got, *s)
	return nil
}

// TestPerspectiveSuggest: Coral's suggestscore is stored with the caller's
// name and answered with its client token; without a store it is 501.
func TestPerspectiveSuggest(t *testing.T) {
	mem := &memSuggestions{}
	ts := startServer(t, nil, withTokens, func(_ *server.Config, d *server.Deps) { d.Suggestions = mem })
	r := ts.do(t, "POST", server.PerspectiveSuggestRoute+"?key="+cmsToken, "", bytes.NewReader(fixture(t, "coral-suggestscore.json")))
	got := decode[server.SuggestResponse](t, r)
	if r.status != 200 || got.ClientToken != "comment:5c1b6a0e-8f0f-4c55-9a3e-2f1d2b7c9e10" || strings.Join(got.RequestedLanguages, ",") != "en" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if len(mem.got) != 1 {
		t.Fatalf("stored %+v", mem.got)
	}
	s := mem.got[0]
	if s.Attribute != "DELETED" || s.Score != 1 || !strings.HasPrefix(s.Text, "Автор") || !strings.HasPrefix(s.SuggestedBy, "cms-") || strings.Contains(s.SuggestedBy, cmsToken) ||
		s.ClientToken != got.ClientToken || s.CommunityID != "Coral:https://talk.news.example.kz" || s.Lang != "en" {
		t.Errorf("stored %+v", s)
	}
	if flags, ok := s.Flags(); !ok || strings.Join(flags, ",") != "toxic" {
		t.Errorf("a deleted comment's flags: %v %v", flags, ok)
	}
	r = ts.do(t, "POST", server.PerspectiveSuggestRoute+"?key="+cmsToken, "", strings.NewReader(`{"comment":{"text":"ты"},"attributeScores":{}}`))
	if e := decode[perspectiveError](t, r); r.status != 400 || e.Error.Message != "attribute_scores must not be empty" {
		t.Errorf("empty: %d %s", r.status, r.body)
	}

	bare := startServer(t, nil, withTokens)
	r = bare.do(t, "POST", server.PerspectiveSuggestRoute+"?key="+cmsToken, "", bytes.NewReader(fixture(t, "coral-suggestscore.json")))
	if e := decode[perspectiveError](t, r); r.status != 501 || e.Error.Status != "UNIMPLEMENTED" {
		t.Errorf("no store: %d %s", r.status, r.body)
	}
}

// TestPerspectiveKeyNotLogged: the key in the query string appears in no
// log line, at debug level, whether it is right, wrong or of another role,
// and whatever the answer.
func TestPerspectiveKeyNotLogged(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := startServer(t, []pipeline.Stage{toxicStage{}}, withTokens, func(_ *server.Config, d *server.Deps) { d.Log = log })
	wrong := "wrong-key-0123456789"
	for _, key := range []string{cmsToken, wrong, modBare, admToken} {
		for _, body := range []string{string(fixture(t, "coral-analyze.json")), `{"comment":`, `{"comment":{"text":"hello there, friend"},"requestedAttributes":{"TOXICITY":{}}}`} {
			for _, route := range []string{server.PerspectiveAnalyzeRoute, server.PerspectiveSuggestRoute} {
				ts.do(t, "POST", route+"?key="+key+"&alt=json", "", strings.NewReader(body))
			}
		}
	}
	if logs.Len() == 0 || !strings.Contains(logs.String(), server.PerspectiveAnalyzeRoute) {
		t.Fatalf("no request logged: %q", logs.String())
	}
	for _, secret := range []string{cmsToken, wrong, modBare, admToken, "key="} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs.String())
		}
	}
}

// invalidQueue refuses every document as invalid, as a store refuses what
// it cannot hold.
type invalidQueue struct{ flakyQueue }

func (*invalidQueue) Enqueue(context.Context, vigil.Document, vigil.Verdict) error {
	return vigil.Errorf(vigil.EINVALID, "review: document: cannot be stored")
}

// TestAnalyzeQueueRefusal: a comment the review queue refuses as invalid
// is a 400 in Perspective's shape, as /v1/check answers it, not a 200
// with the comment silently left out of the queue.
func TestAnalyzeQueueRefusal(t *testing.T) {
	ts := startServer(t, []pipeline.Stage{keywordStage{}, toxicStage{}}, withTokens,
		func(_ *server.Config, d *server.Deps) { d.Review = &invalidQueue{} })
	body := `{"comment":{"text":"вступай к нам"},"requestedAttributes":{"TOXICITY":{}},"languages":["ru"]}`
	r := ts.do(t, "POST", server.PerspectiveAnalyzeRoute+"?key="+cmsToken, "", strings.NewReader(body))
	if r.status != 400 || !strings.Contains(string(r.body), "INVALID_ARGUMENT") {
		t.Errorf("comment the queue refuses: %d %s; want 400 INVALID_ARGUMENT", r.status, r.body)
	}
	// doNotStore: never queued, so never refused.
	body = `{"comment":{"text":"вступай к нам"},"requestedAttributes":{"TOXICITY":{}},"languages":["ru"],"doNotStore":true}`
	if r := ts.do(t, "POST", server.PerspectiveAnalyzeRoute+"?key="+cmsToken, "", strings.NewReader(body)); r.status != 200 {
		t.Errorf("doNotStore: %d %s; want 200", r.status, r.body)
	}
}
