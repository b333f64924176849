package httpjson_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/httpjson"
)

func TestDecode(t *testing.T) {
	type req struct {
		Decision string `json:"decision"`
		Note     string `json:"note"`
	}
	for _, tc := range []struct {
		name, body string
		unknown    httpjson.Unknown
		want       string // "" = no error
	}{
		{"ok", `{"decision":"approve"}`, httpjson.RejectUnknown, ""},
		{"unknown ignored", `{"decision":"approve","verdict":1}`, httpjson.IgnoreUnknown, ""},
		{"unknown refused", `{"decision":"approve","verdict":1}`, httpjson.RejectUnknown, `unknown field "verdict"`},
		{"empty", ``, httpjson.IgnoreUnknown, "empty; want a JSON object"},
		{"truncated", `{"decision":"appr`, httpjson.IgnoreUnknown, "truncated"},
		{"syntax", `{"decision" "x"}`, httpjson.IgnoreUnknown, "JSON syntax error at byte 13"},
		{"wrong type", `{"note":5}`, httpjson.IgnoreUnknown, `field "note" must be a JSON string, not number`},
		{"not an object", `[1]`, httpjson.IgnoreUnknown, "the value must be a JSON object, not array"},
		{"trailing", `{} {}`, httpjson.IgnoreUnknown, "data after the JSON value at byte 3"},
	} {
		var v req
		err := httpjson.Decode([]byte(tc.body), &v, tc.unknown)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if vigil.ErrorCode(err) != vigil.EINVALID || !strings.HasPrefix(vigil.ErrorMessage(err), "request body: ") || !strings.Contains(vigil.ErrorMessage(err), tc.want) {
			t.Errorf("%s: error %v; want EINVALID \"request body: ...%s...\"", tc.name, err, tc.want)
		}
	}
}

func TestError(t *testing.T) {
	for _, tc := range []struct {
		err        error
		status     int
		code, body string
		header     string
	}{
		{vigil.Errorf(vigil.EINVALID, "bad"), 400, vigil.EINVALID, "bad", ""},
		{vigil.Errorf(httpjson.EMETHOD, "use GET"), 405, httpjson.EMETHOD, "use GET", ""},
		{vigil.Errorf(vigil.EUNAVAILABLE, "busy"), 503, vigil.EUNAVAILABLE, "busy", "Retry-After"},
		{vigil.Errorf(vigil.EUNAUTHORIZED, "who"), 401, vigil.EUNAUTHORIZED, "who", "WWW-Authenticate"},
		{http.ErrBodyNotAllowed, 500, vigil.EINTERNAL, "internal error", ""},
	} {
		w := httptest.NewRecorder()
		httpjson.Error(w, httptest.NewRequest("GET", "/x", nil), nil, tc.err)
		b := w.Body.String()
		if w.Code != tc.status || !strings.Contains(b, `"code":"`+tc.code+`"`) || !strings.Contains(b, tc.body) ||
			w.Header().Get("Content-Type") != "application/json; charset=utf-8" || (tc.header != "" && w.Header().Get(tc.header) == "") {
			t.Errorf("%v: %d %s %v; want %d %s with %q", tc.err, w.Code, b, w.Header(), tc.status, tc.code, tc.body)
		}
		if strings.Contains(b, "ErrBodyNotAllowed") || strings.Contains(b, "not allowed") {
			t.Errorf("an internal error's text reached the client: %s", b)
		}
	}
}
