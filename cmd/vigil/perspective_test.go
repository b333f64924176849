package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testenv"
	"github.com/kz-newsroom/vigil/server"
)

// readFixture returns a Perspective request fixture (server/testdata/perspective).
func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "server", "testdata", "perspective", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPerspectiveCoral runs the real `vigil serve` (embedded heads) and
// sends it Coral Talk's requests as Coral sends them, the key in the query
// string: a toxic Russian comment scores high and a polite one low (Coral
// says "en" for a Russian site: Vigil scores the language it detects);
// span offsets are UTF-16 code units, an emoji counting two; a Kazakh or an
// English comment gets Perspective's unsupported-language error; the
// moderator's label Coral sends back comes out of vigil export-feedback.
func TestPerspectiveCoral(t *testing.T) {
	if os.Getenv("VIGIL_SERVE_HELPER") != "" {
		t.Skip("inside the helper")
	}
	dir := t.TempDir()
	_, base := startServeHelper(t, "VIGIL_DATA_DIR="+dir, "VIGIL_DATABASE_URL=", "VIGIL_CMS_TOKENS=coral:coral-key",
		"VIGIL_MODERATOR_TOKENS=", "VIGIL_ADMIN_TOKENS=")
	post := func(op, body string) (int, []byte) {
		t.Helper()
		resp, err := http.Post(base+"/v1alpha1/comments:"+op+"?key=coral-key", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	score := func(body string) (float64, server.AttributeScores) {
		t.Helper()
		code, b := post("analyze", body)
		var r server.AnalyzeResponse
		if err := json.Unmarshal(b, &r); err != nil || code != 200 {
			t.Fatalf("%d %s", code, b)
		}
		a := r.AttributeScores["TOXICITY"]
		if a.SummaryScore == nil || strings.Join(r.Languages, ",") != "ru" {
			t.Fatalf("%s", b)
		}
		return a.SummaryScore.Value, a
	}
	toxic := readFixture(t, "coral-analyze.json")
	if v, a := score(toxic); v < 0.8 || len(a.SpanScores) != 1 || a.SpanScores[0].End != 46 {
		t.Errorf("Coral's toxic comment: %v %+v; want over 0.8 and one span of 46 UTF-16 units", v, a.SpanScores)
	}
	if v, _ := score(readFixture(t, "coral-analyze-clean.json")); v > 0.2 {
		t.Errorf("Coral's polite comment scored %v", v)
	}
	// The words that carried the score, after the emoji: in UTF-16 units.
	text := "Автор, ты идиот 🤡 и пишешь полную чушь, дебил"
	_, a := score(`{"comment":{"text":"` + text + `"},"requestedAttributes":{"TOXICITY":{}},"spanAnnotations":true}`)
	u := utf16.Encode([]rune(text))
	var words []string
	for _, sp := range a.SpanScores {
		if sp.Begin < 0 || sp.End > len(u) || sp.Begin >= sp.End {
			t.Fatalf("span %+v outside the comment", sp)
		}
		words = append(words, string(utf16.Decode(u[sp.Begin:sp.End])))
	}
	if !strings.Contains(strings.Join(words, ","), "дебил") {
		t.Errorf("spans read %q; want дебил among them (counted after the emoji)", words)
	}
	// The shipped toxic head reads Russian, Kazakh and English: a polite
	// Kazakh or English comment scores low, an insult high.
	for _, c := range []struct {
		lang, text string
		toxic      bool
	}{
		{"kk", "Бұл мақала өте жақсы жазылған, рахмет сізге", false},
		{"en", "Thank you for the article, the new tariffs are well explained", false},
		{"kk", "Сен ақымақсың, аузыңды жап, малғұн", true},
		{"en", "You are a pathetic idiot, shut up and get lost", true},
	} {
		code, b := post("analyze", `{"comment":{"text":"`+c.text+`"},"requestedAttributes":{"TOXICITY":{}},"languages":["`+c.lang+`"]}`)
		var r struct {
			AttributeScores map[string]struct {
				SummaryScore struct{ Value float64 } `json:"summaryScore"`
			} `json:"attributeScores"`
			DetectedLanguages []string `json:"detectedLanguages"`
		}
		json.Unmarshal(b, &r)
		v := r.AttributeScores["TOXICITY"].SummaryScore.Value
		if code != 200 || (v >= 0.5) != c.toxic || len(r.DetectedLanguages) != 1 || r.DetectedLanguages[0] != c.lang {
			t.Errorf("%s %q: %d %s; want 200, toxic %v", c.lang, c.text, code, b, c.toxic)
		}
	}

	if code, b := post("suggestscore", readFixture(t, "coral-suggestscore.json")); code != 200 {
		t.Fatalf("suggestscore: %d %s", code, b)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }},
		[]string{"export-feedback", "--data-dir", dir}); code != exitOK {
		t.Fatalf("export-feedback: %d %s", code, stderr.String())
	}
	var d vigil.Document
	if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if d.ID != "comment:5c1b6a0e-8f0f-4c55-9a3e-2f1d2b7c9e10" || strings.Join(d.Flags, ",") != vigil.FlagToxic ||
		d.Source != "perspective:DELETED" || d.Body != text {
		t.Errorf("exported %+v", d)
	}

	// A second client: Node, building the URL as Coral does (the endpoint
	// setting, path.join with the operation, the key as a search
	// parameter) and reading summaryScore.value. Skipped without node,
	// unless VIGIL_TEST_REQUIRE lists nodejs.
	node := testenv.Tool(t, "nodejs", "node")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "perspective-client.mjs"), base+"/v1alpha1", "coral-key")
	cmd.Stdin = strings.NewReader(toxic)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node client: %v\n%s", err, out)
	}
	var got struct {
		Status int
		Score  float64
		Error  struct{ Status, ErrorType string }
	}
	if err := json.Unmarshal(out, &got); err != nil || got.Status != 200 || got.Score < 0.8 ||
		got.Error.Status != "INVALID_ARGUMENT" || got.Error.ErrorType != server.ErrInvalidRequest {
		t.Fatalf("node client: %s", out)
	}
}
