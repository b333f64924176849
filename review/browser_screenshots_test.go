package review

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testclock"
)

// screenshotsEnv names the directory TestBrowserScreenshots writes the
// README's pictures to; a relative one is taken from the repository root.
const screenshotsEnv = "VIGIL_SCREENSHOTS"

// screenshotSize is the window of the pictures, in CSS pixels.
var screenshotSize = [2]int64{1200, 760}

// spans builds a flag's evidence from (rule, group, text) triples found in
// body; a model word has no rule.
func spans(t *testing.T, body string, triples ...[3]string) []vigil.Evidence {
	t.Helper()
	var out []vigil.Evidence
	for i, tr := range triples {
		at := strings.Index(body, tr[2])
		if at < 0 {
			t.Fatalf("%q not in %q", tr[2], body)
		}
		e := vigil.Evidence{Rule: tr[0], Group: tr[1], Field: vigil.FieldBody, Start: at, End: at + len(tr[2]), Text: tr[2], Weight: 1 - float64(i)*0.1}
		if tr[0] == "" {
			e.Feature = "word:" + strings.ToLower(tr[2])
		}
		out = append(out, e)
	}
	return out
}

// TestBrowserScreenshots takes the pictures of the moderators' page in the
// README and docs/moderators.md: the queue (in Russian), one item (in
// English) and the audit log (in Kazakh), from a queue a newsroom could
// have on a morning. It runs only when VIGIL_SCREENSHOTS names a directory:
//
//	VIGIL_SCREENSHOTS=docs/img go test ./review -run BrowserScreenshots
func TestBrowserScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		t.Skip(screenshotsEnv + " not set: no pictures to take")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir) // go test runs in review/
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, w := newChrome(t)
	// The clock runs up to the real time, so the session cookie it sets is
	// live in the browser and the ages on the page look like a morning's.
	c := testclock.New(time.Now().Add(-7 * time.Hour).Truncate(time.Minute))
	s := openSQLiteTest(t, Config{Now: c.Now})
	ts := newTestServer(t, s)

	put := func(g goalItem, author, section string, ev []vigil.Evidence, after time.Duration) int64 {
		t.Helper()
		d, v := flagged(g.id, g.text, g.flag, g.score)
		d.Lang, d.Kind, v.Lang, d.Author, d.Section = g.lang, g.kind, g.lang, author, section
		if ev != nil {
			v.Flags[0].Evidence = ev
		}
		id := mustPut(t, s, d, v)
		c.Add(after)
		return id
	}
	g := map[string]goalItem{}
	for _, it := range goalItems {
		g[it.id] = it
	}
	news := put(g["g-ru-4"], "Редакция", "security", nil, 40*time.Minute)
	insult := put(g["g-ru-3"], "Serik_77", "society", nil, 25*time.Minute)
	star := put(g["g-ru-1"], "bratan_kz", "world", spans(t, g["g-ru-1"].text,
		[3]string{"recruit_x.ru.jihad_call", vigil.EvidenceRule, "джихад — твой долг, собирайся"},
		[3]string{"cue.ru.call", vigil.EvidenceCall, "собирайся"},
		[3]string{"cue.ru.cause", vigil.EvidenceCause, "к братьям в Шам"},
		[3]string{"recruit_x.ru.money", vigil.EvidenceRule, "билеты оплатим"},
		[3]string{"", vigil.EvidenceModel, "джихад"}, [3]string{"", vigil.EvidenceModel, "Шам"}), 35*time.Minute)
	put(g["g-kk-1"], "aibek.t", "world", spans(t, g["g-kk-1"].text,
		[3]string{"recruit_x.kk.call", vigil.EvidenceRule, "парызың, бауырым, кешікпе"},
		[3]string{"cue.kk.cause", vigil.EvidenceCause, "Сирияға"},
		[3]string{"", vigil.EvidenceModel, "Жиһад"}), 50*time.Minute)
	unclear := put(g["g-ru-5"], "truth_seeker", "religion", nil, 30*time.Minute)
	put(g["g-kk-3"], "Нұрлан", "society", nil, 20*time.Minute)
	for i, text := range kkCampaign {
		d, v := flagged(fmt.Sprintf("camp-%d", i), text, vigil.FlagExtremistRecruitment, 0.88-float64(i)*0.01)
		d.Lang, v.Lang, d.Section, d.Author = "kk", "kk", "world", fmt.Sprintf("jol_%d", i+1)
		v.Flags[0].Evidence = spans(t, text, [3]string{"recruit_x.kk.call", vigil.EvidenceRule, strings.Fields(text)[1]})
		mustPut(t, s, d, v)
		c.Add(3 * time.Minute)
	}
	thanks := put(g["g-kk-2"], "Гүлнар", "society", nil, 45*time.Minute)
	put(g["g-ru-6"], "Аружан", "religion", nil, 15*time.Minute)
	c.Add(-time.Until(c.Now()) - 12*time.Minute) // the decisions below end at about now
	// A morning's decisions for the audit log: by two moderators and the
	// admin, with notes, and one undone.
	for _, d := range []struct {
		who  vigil.Principal
		id   int64
		what Decision
	}{
		{mod2, insult, Decision{Decision: vigil.DecisionReject, Note: "оскорбление автора"}},
		{mod1, news, Decision{Decision: vigil.DecisionApprove, Note: "новость о приговоре, не призыв"}},
		{mod1, unclear, Decision{Decision: vigil.DecisionEscalate, Note: "похоже на вербовку, но прямого призыва нет"}},
		{admin, unclear, Decision{Decision: vigil.DecisionReject, Note: "зовёт в личку «узнать правду о халифате»"}},
		{mod1, thanks, Decision{Decision: vigil.DecisionApprove}},
	} {
		c.Add(2 * time.Minute)
		if _, err := s.Decide(context.Background(), d.who, d.id, d.what); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Undo(context.Background(), mod1, thanks, "не дочитала"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(context.Background(), mod1, thanks, Decision{Decision: vigil.DecisionApprove, Note: "благодарность, не флаг"}); err != nil {
		t.Fatal(err)
	}

	logIn(t, ctx, ts.URL, "tok-mod1")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(screenshotSize[0], screenshotSize[1])); err != nil {
		t.Fatal(err)
	}
	take := func(name, lang, path, ready string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/review/lang/"+lang), chromedp.Navigate(ts.URL+path)); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, `document.readyState === "complete"`)
		waitJS(t, ctx, ready)
		time.Sleep(300 * time.Millisecond) // the hold's answer repaints the row
		b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sz := img.Bounds().Size(); int64(sz.X) != screenshotSize[0] || int64(sz.Y) != screenshotSize[1] {
			t.Fatalf("%s: %v, want %v", name, sz, screenshotSize)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	take("review-queue", "ru", "/review/", `document.body.dataset.ready === "1" && document.querySelectorAll("#waiting .wait").length > 0`)
	take("review-item", "en", fmt.Sprintf("/review/?item=%d", star), `document.body.dataset.ready === "1" && document.querySelector(".ev-why") !== null`)
	take("review-audit", "kk", "/review/audit", `document.querySelectorAll(".audit-row").length > 0`)
	assertInert(t, ctx, w, "screenshots")
}
