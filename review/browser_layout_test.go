package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	vigil "github.com/kz-newsroom/vigil"
)

// TestBrowserLayout: the decision buttons stay in view beside a long item,
// and at 360 px every page fits the screen (no sideways scroll), long words,
// links and the audit table included.
func TestBrowserLayout(t *testing.T) {
	ctx, w, s, ts := startPageTest(t)
	long := strings.Repeat("Брат, вступай в джихад, пиши в личку. Награда ждёт тех, кто сделает хиджру. ", 60)
	d, v := flagged("layout-long-"+strings.Repeat("x", 80), long, vigil.FlagExtremistRecruitment, 0.97)
	d.URL = "https://example.kz/" + strings.Repeat("очень-длинная-ссылка-", 12)
	d.Author = strings.Repeat("автор", 20)
	long1 := mustPut(t, s, d, v)
	d2, v2 := flagged("layout-2", "Ты "+strings.Repeat("ы", 300)+" и джихад", vigil.FlagToxic, 0.9)
	mustPut(t, s, d2, v2)
	d3, v3 := flagged("layout-3", "ещё один комментарий того же автора", vigil.FlagToxic, 0.6)
	d3.Author = d.Author
	earlier := mustPut(t, s, d3, v3)
	if _, err := s.Decide(t.Context(), mod1, long1, Decision{Decision: vigil.DecisionReject, Note: strings.Repeat("заметка", 40)}); err != nil {
		t.Fatal(err)
	}
	logIn(t, ctx, ts.URL, "tok-mod1")

	// Desktop: the buttons of the long item are on screen.
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/review/?status=rejected", ts.URL)), chromedp.WaitVisible(chromedp.CSS("#queue"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `document.body.dataset.ready === "1"`)
	inView := `(() => { const r = document.querySelector('[data-decide="reject"]').getBoundingClientRect();
		return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; })()`
	waitJS(t, ctx, inView)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight / 2)`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, inView)

	fits := func(where string) {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		if err != nil {
			t.Fatal(err)
		}
		if got[0] > got[1] {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 || e.scrollWidth > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + "." + e.className + ":" + Math.round(e.getBoundingClientRect().right) + "/" + e.scrollWidth)`))
			t.Errorf("%s at 360 px: scrollWidth %d > clientWidth %d (too wide: %v)", where, got[0], got[1], wide)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	for _, page := range []struct{ name, path, wait string }{
		{"queue", "/review/", "#queue"},
		{"decided items", "/review/?status=rejected", "#queue"},
		{"one item", fmt.Sprintf("/review/?item=%d", long1), "#queue"},
		{"audit log", "/review/audit", "#audit-table"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+page.path), chromedp.WaitVisible(chromedp.CSS(page.wait))); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, `document.readyState === "complete"`)
		fits(page.name)
		if page.name == "one item" {
			// The author's other item is in the side panel.
			waitJS(t, ctx, fmt.Sprintf(`document.querySelector('#item-%d .author-panel li[data-item="%d"]') !== null`, long1, earlier))
			waitJS(t, ctx, inView)
			shot(t, ctx, "narrow")
		}
	}
	// The help and the Russian interface (longer words) fit too.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/review/lang/ru"), chromedp.WaitVisible(chromedp.CSS("#queue"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `document.body.dataset.ready === "1"`)
	fits("queue in Russian")
	if err := chromedp.Do(ctx, chromedp.KeyEvent("?")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `!document.getElementById("help").hidden`)
	fits("help")
	assertInert(t, ctx, w, "narrow pages")
}
