package review

import (
	"net/url"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// FuzzHighlightGroups: any text and spans give runs that join back into
// the text, none empty, two neighbours never with the same groups, and no
// panic.
func FuzzHighlightGroups(f *testing.F) {
	f.Add("Вступай в джихад!", 18, 30, 0, 3)
	f.Add("\xff\xfe", 1, 2, -1, 100)
	f.Add("", 0, 0, 0, 0)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		ev := []vigil.Evidence{{Field: "body", Start: s1, End: e1, Group: vigil.EvidenceCall},
			{Field: "body", Start: s2, End: e2, Rule: "y"}}
		segs := HighlightGroups(text, vigil.FieldBody, ev)
		var b strings.Builder
		for i, s := range segs {
			if s.Text == "" {
				t.Fatalf("empty segment %d", i)
			}
			if i > 0 && s.Class() == segs[i-1].Class() {
				t.Fatalf("two segments with the same groups in a row at %d", i)
			}
			b.WriteString(s.Text)
		}
		if b.String() != text {
			t.Fatalf("segments join to %q, want %q", b.String(), text)
		}
	})
}

// FuzzDecodeDecision: the API's decision decoder answers every body with a
// decision or an EINVALID error, never a panic or another code.
func FuzzDecodeDecision(f *testing.F) {
	f.Add([]byte(`{"ids":[1,2],"decision":"reject","note":"x","tags":["a"]}`))
	f.Add([]byte(`{"decision":"approve","tags":[" A ","a"]}`))
	f.Add([]byte(`{"ids":[1e400]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req bulkRequest
		err := decodeBody(body, &req, false)
		if err == nil {
			err = req.Decision.Validate()
		}
		if err != nil && vigil.ErrorCode(err) != vigil.EINVALID {
			t.Fatalf("error code %s: %v", vigil.ErrorCode(err), err)
		}
		if err == nil {
			switch req.Decision.Decision {
			case vigil.DecisionApprove, vigil.DecisionReject, vigil.DecisionEscalate:
			default:
				t.Fatalf("accepted decision %q", req.Decision.Decision)
			}
			for _, tag := range req.Tags {
				if tag == "" || strings.ContainsAny(tag, ", ") {
					t.Fatalf("accepted tag %q", tag)
				}
			}
		}
	})
}

// FuzzFilterQuery: any query string gives a valid filter or EINVALID.
func FuzzFilterQuery(f *testing.F) {
	f.Add("status=open&flag=toxic&min_age=2h&limit=10")
	f.Add("min_age=-1&max_age=9999999999999999999")
	f.Add("cursor=MS4yfDE3fDQ&status=claimed")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, err := filterFrom(q)
		if err != nil {
			if vigil.ErrorCode(err) != vigil.EINVALID {
				t.Fatalf("error code %s: %v", vigil.ErrorCode(err), err)
			}
			return
		}
		if fl.Limit < 1 || fl.Limit > MaxLimit || fl.MinAge < 0 || fl.MaxAge < 0 {
			t.Fatalf("accepted filter %+v", fl)
		}
		if fl.Cursor != "" {
			if _, err := parseCursor(fl.Cursor); err != nil {
				return // List reports it
			}
		}
	})
}
