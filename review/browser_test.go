package review

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/testenv"
)

// chromiumPath finds Debian's Chromium (or another Chrome); tests that need
// it skip without it unless VIGIL_TEST_REQUIRE lists chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	return testenv.Tool(t, "chromium", "chromium", "chromium-browser", "google-chrome")
}

// pageWatch records what must never happen on the page: script dialogs and
// uncaught exceptions.
type pageWatch struct {
	mu         sync.Mutex
	dialogs    []string
	exceptions []string
}

func (w *pageWatch) problems() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append(append([]string(nil), w.dialogs...), w.exceptions...)
}

// newChrome starts headless Chromium with a fresh profile and returns a tab.
func newChrome(t *testing.T) (context.Context, *pageWatch) {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("window-size", "1400,900"),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	w := &pageWatch{}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			w.mu.Lock()
			w.dialogs = append(w.dialogs, "dialog: "+e.Message)
			w.mu.Unlock()
			go chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
				return err
			}))
		case *runtime.EventExceptionThrown:
			w.mu.Lock()
			w.exceptions = append(w.exceptions, fmt.Sprintf("exception: %+v", e.ExceptionDetails))
			w.mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx, w
}

// hostileDocs are comments trying to run script in the moderator's page.
// Each payload would set window.__pwned or the page title if it ran.
func hostileDocs() []struct {
	doc vigil.Document
	v   vigil.Verdict
} {
	payloads := []vigil.Document{
		{ID: "xss-script", Body: `<script>window.__pwned=1;document.title='pwned'</script> вступай`,
			Author: `</span><script>window.__pwned=11</script>`},
		{ID: "xss-img", Body: `<img src=x onerror="window.__pwned=2;document.title='pwned'"> вступай`,
			Author: `<img src=x onerror=window.__pwned=3>`, Section: `"><img src=x onerror=window.__pwned=12>`},
		{ID: "xss-js-url", Body: `<a href="javascript:window.__pwned=4;document.title='pwned'">жми</a> вступай`,
			Title: `"><svg onload="window.__pwned=6">`, URL: `javascript:window.__pwned=5;document.title='pwned'`},
	}
	var out []struct {
		doc vigil.Document
		v   vigil.Verdict
	}
	for _, d := range payloads {
		d.Kind, d.Lang = vigil.KindComment, "ru"
		// Evidence covers the payload, so it also passes through <mark>.
		v := vigil.Verdict{ID: d.ID, Action: vigil.ActionReview, Lang: "ru", Flags: []vigil.Flag{{Name: vigil.FlagToxic, Score: 0.7,
			Evidence: []vigil.Evidence{{Rule: `<script>window.__pwned=7</script>`, Field: vigil.FieldBody, Start: 0, End: len(d.Body) / 2, Text: d.Body[:len(d.Body)/2]}}}}}
		out = append(out, struct {
			doc vigil.Document
			v   vigil.Verdict
		}{d, v})
	}
	return out
}

const pageTitle = "Review queue · Vigil"

func assertInert(t *testing.T, ctx context.Context, w *pageWatch, where string) {
	t.Helper()
	pwned, err := chromedp.Run(ctx, chromedp.Evaluate[string](`String(window.__pwned)`))
	if err != nil {
		t.Fatalf("%s: read window.__pwned: %v", where, err)
	}
	if pwned != "undefined" {
		t.Fatalf("%s: a payload ran: window.__pwned = %s", where, pwned)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(title, "pwned") {
		t.Fatalf("%s: a payload ran: title %q", where, title)
	}
	if p := w.problems(); len(p) > 0 {
		t.Fatalf("%s: %v", where, p)
	}
}

// startPageTest starts Chromium, a SQLite store and a test server.
func startPageTest(t *testing.T) (context.Context, *pageWatch, *Store, *httptest.Server) {
	t.Helper()
	ctx, w := newChrome(t)
	s := openSQLiteTest(t, Config{})
	return ctx, w, s, newTestServer(t, s)
}

// logIn logs in to the page at base with token and waits for the queue.
func logIn(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/review/"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#queue")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `document.body.dataset.ready === "1"`)
}

// waitJS polls a boolean expression until it holds.
func waitJS(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (last error %v)", expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBrowserModeratorWorksQueueWithKeyboard(t *testing.T) {
	ctx, w := newChrome(t)
	s := openSQLiteTest(t, Config{})
	ts := newTestServer(t, s)
	var work []int64
	for i, id := range []string{"kb-1", "kb-2", "kb-3"} {
		d, v := flagged(id, "Брат, вступай в джихад, пиши в личку. Награда ждёт тех, кто сделает хиджру.", vigil.FlagExtremistRecruitment, 0.95-float64(i)*0.05)
		d.Title = "Комментарий к статье о вербовке"
		work = append(work, mustPut(t, s, d, v))
	}
	var hostile []int64
	for _, h := range hostileDocs() {
		hostile = append(hostile, mustPut(t, s, h.doc, h.v))
	}

	// Another moderator holds the last hostile comment.
	if _, err := s.Claim(context.Background(), mod2, hostile[2], time.Hour); err != nil {
		t.Fatal(err)
	}

	logIn(t, ctx, ts.URL, "tok-mod1")
	assertInert(t, ctx, w, "queue page")
	if title, _ := chromedp.Run(ctx, chromedp.Title()); title != pageTitle {
		t.Fatalf("title %q", title)
	}
	shot(t, ctx, "start")
	waitJS(t, ctx, fmt.Sprintf(`document.getElementById("row-%d").classList.contains("held")`, hostile[2]))
	order, err := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`Array.from(document.querySelectorAll("#queue .item-row")).map(r => Number(r.dataset.id))`))
	if err != nil {
		t.Fatal(err)
	}
	if want := append(append([]int64{}, work...), hostile...); !slices.Equal(order, want) {
		t.Fatalf("queue order %v, want %v (severity, then age)", order, want)
	}
	current := func() int64 {
		t.Helper()
		id, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`Number(document.querySelector("#queue .item-row.current").dataset.id)`))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	key := func(k string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatal(err)
		}
	}
	// j/k move; the selected item's text shows with the evidence marked,
	// and the page holds it (a claim) while it is on screen.
	if current() != work[0] {
		t.Fatalf("first selected %d, want %d", current(), work[0])
	}
	holder := func(id int64) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			it, err := s.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if it.ClaimedBy != "" || time.Now().After(deadline) {
				return it.ClaimedBy
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if h := holder(work[0]); h != "aigerim" {
		t.Fatalf("the selected item is held by %q, want aigerim", h)
	}
	key("j")
	key("j")
	key("k")
	if current() != work[1] {
		t.Fatalf("after j j k: %d, want %d", current(), work[1])
	}
	if h := holder(work[1]); h != "aigerim" {
		t.Fatalf("item %d held by %q after moving to it", work[1], h)
	}
	key("k")
	marked, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector("#item-%d .doc-body mark").textContent`, work[0])))
	if err != nil || marked != "джихад" {
		t.Fatalf("highlighted evidence %q, %v", marked, err)
	}
	key("?")
	waitJS(t, ctx, `!document.getElementById("help").hidden`)
	shot(t, ctx, "help")
	key("\x1b") // Escape: kb maps it
	waitJS(t, ctx, `document.getElementById("help").hidden`)

	// Work three items: approve, a note then reject, escalate.
	done := func(id int64) string {
		return fmt.Sprintf(`document.getElementById("row-%d").classList.contains("done")`, id)
	}
	key("a")
	waitJS(t, ctx, done(work[0]))
	if current() != work[1] {
		t.Fatalf("after a decision the next item should be selected, got %d", current())
	}
	// A real browser types nothing when keydown's default is prevented;
	// CDP sends the char event separately, so leave it out here.
	shortcut := func(k rune) {
		t.Helper()
		err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for _, ev := range kb.Encode(k) {
				if ev.Type == kb.KeyChar {
					continue
				}
				if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, *ev); err != nil {
					return err
				}
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
	}
	shortcut('n')
	waitJS(t, ctx, `document.activeElement.id === "note"`)
	key("призыв к хиджре <img src=x onerror=window.__pwned=8>")
	key("\x1b")
	waitJS(t, ctx, `document.activeElement.id !== "note"`)
	key("r")
	waitJS(t, ctx, done(work[1]))
	key("e")
	waitJS(t, ctx, done(work[2]))
	assertInert(t, ctx, w, "after decisions")

	// Bulk: select two items with x, reject both with R.
	if current() != hostile[0] {
		t.Fatalf("after the three decisions %d is selected, want %d", current(), hostile[0])
	}
	shortcut('x')
	key("j")
	shortcut('x')
	waitJS(t, ctx, `document.getElementById("bulk-count").textContent === "2 selected"`)
	shortcut('R')
	waitJS(t, ctx, done(hostile[0])+" && "+done(hostile[1]))
	for _, id := range hostile[:2] {
		if it, _ := s.Get(context.Background(), id); it.Status != vigil.ReviewRejected {
			t.Fatalf("bulk-rejected item %d is %s", id, it.Status)
		}
	}
	// A decided item is read-only: its buttons are disabled and the keys
	// leave it as it is.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf("#row-%d .row-text", work[0])))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector("#queue .item-row.current").dataset.id === "%d"`, work[0]))
	waitJS(t, ctx, `Array.from(document.querySelectorAll("[data-decide]")).every(b => b.disabled)`)
	key("r")
	waitJS(t, ctx, `document.getElementById("status").textContent === "This item is decided."`)
	if it, _ := s.Get(context.Background(), work[0]); it.Status != vigil.ReviewApproved {
		t.Fatalf("a key on a decided item changed it to %s", it.Status)
	}
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector("#row-%d .pick").disabled`, work[0]))); !ok {
		t.Error("a decided item can still be selected for a bulk decision")
	}
	// Undo (u): the decider may, within 10 minutes; the item is open
	// again, then decided anew.
	waitJS(t, ctx, `!document.getElementById("undo").disabled`)
	key("u")
	waitJS(t, ctx, "!"+done(work[0]))
	waitJS(t, ctx, `!document.querySelector('[data-decide="approve"]').disabled && document.getElementById("undo").disabled`)
	if it, _ := s.Get(context.Background(), work[0]); it.Status != vigil.ReviewPending {
		t.Fatalf("after undo item %d is %s", work[0], it.Status)
	}
	key("a")
	waitJS(t, ctx, done(work[0]))
	shot(t, ctx, "queue")

	for i, want := range []string{vigil.ReviewApproved, vigil.ReviewRejected, vigil.ReviewEscalated} {
		it, err := s.Get(context.Background(), work[i])
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != want || it.DecidedBy != "aigerim" {
			t.Fatalf("item %d: %s by %s, want %s by aigerim", work[i], it.Status, it.DecidedBy, want)
		}
	}
	if it, _ := s.Get(context.Background(), work[1]); !strings.HasPrefix(it.Note, "призыв к хиджре <img") {
		t.Fatalf("note %q", it.Note)
	}

	// The audit log shows the three decisions, the hostile note as text.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/review/audit"), chromedp.WaitVisible(chromedp.CSS("#audit-table"))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".audit-row")).map(r => r.dataset.item + ":" + r.dataset.action + ":" + r.cells[1].textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rows, fmt.Sprintf("%d:undo:aigerim", work[0])) {
		t.Errorf("audit log lacks the undo: %v", rows)
	}
	for i, action := range []string{"approve", "reject", "escalate"} {
		want := fmt.Sprintf("%d:%s:aigerim", work[i], action)
		if !slices.Contains(rows, want) {
			t.Errorf("audit log lacks %s: %v", want, rows)
		}
	}
	for _, r := range rows { // moving through the queue is not logged
		if strings.Contains(r, ":claim:aigerim") || strings.Contains(r, ":release:aigerim") {
			t.Errorf("navigation wrote %s to the audit log", r)
		}
	}
	note, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('.audit-row[data-item="%d"][data-action="reject"] .note').textContent`, work[1])))
	if !strings.Contains(note, "<img src=x onerror") {
		t.Errorf("hostile note not shown as text: %q", note)
	}
	assertInert(t, ctx, w, "audit page")
	shot(t, ctx, "audit")

	// Every hostile comment on its own page, and its javascript: link clicked.
	for _, id := range hostile {
		if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/review/?item=%d", ts.URL, id)), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#item-%d", id)))); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, `document.body.dataset.ready === "1"`)
		body, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector("#item-%d .doc-body").textContent`, id)))
		if err != nil || !strings.Contains(body, "window.__pwned=") {
			t.Fatalf("item %d: payload not shown as text: %q %v", id, body, err)
		}
		links, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("a[href]")).map(a => a.getAttribute("href"))`))
		for _, l := range links {
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(l)), "javascript:") {
				t.Fatalf("item %d: live javascript: link %q", id, l)
			}
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".detail a[target]").forEach(a => a.click())`)); err != nil {
			t.Fatal(err)
		}
		assertInert(t, ctx, w, fmt.Sprintf("hostile item %d", id))
	}
	shot(t, ctx, "hostile")
}

// shot saves a screenshot of the page for a person to look at, under
// VIGIL_SCREENSHOT_DIR when set (else the test's temp dir).
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("VIGIL_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, "review-"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
