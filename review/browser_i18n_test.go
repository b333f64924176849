package review

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	vigil "github.com/kz-newsroom/vigil"
)

// TestBrowserRussianInterface: a browser that asks for Russian gets the
// page in Russian, from the login form to a decision; the switch to Kazakh
// sticks across pages, and English comes back with it.
func TestBrowserRussianInterface(t *testing.T) {
	ctx, w, s, ts := startPageTest(t)
	d, v := flagged("ru-1", "Брат, вступай в джихад, пиши в личку.", vigil.FlagExtremistRecruitment, 0.95)
	id := mustPut(t, s, d, v)

	text := func(sel string) string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {textContent: ""}).textContent`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(got)
	}
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
				Headers: network.Headers{"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}})
			return err
		}),
		chromedp.Navigate(ts.URL+"/review/"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text("#login"); got != "Войти" {
		t.Fatalf("login button %q, want Войти", got)
	}
	logIn(t, ctx, ts.URL, "tok-mod1")
	if title, _ := chromedp.Run(ctx, chromedp.Title()); title != "Очередь модерации · Vigil" {
		t.Fatalf("title %q", title)
	}
	for sel, want := range map[string]string{
		`html`:                        "", // checked below by its lang
		`.top nav a[href="/review/"]`: "Очередь",
		`[data-decide="approve"]`:     "Одобрить a",
		`[data-decide="reject"]`:      "Отклонить r",
		`#row-%d .row-status`:         "ожидает",
		`#row-%d .flag`:               "вербовка в экстремизм",
		`#help h2`:                    "Горячие клавиши",
	} {
		if want == "" {
			continue
		}
		if strings.Contains(sel, "%d") {
			sel = fmt.Sprintf(sel, id)
		}
		if got := text(sel); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	// The count of selected items shows once there is one.
	if got := text("#bulk-count"); got != "" {
		t.Errorf("bulk count with nothing selected: %q, want none", got)
	}
	for _, want := range []string{"Выбрано: 1", ""} {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("x")); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, fmt.Sprintf(`document.getElementById("bulk-count").textContent === %q`, want))
	}
	if lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "ru" {
		t.Errorf("html lang %q", lang)
	}
	// The date is in Russian form (day.month.year), not the English one.
	if when := text(fmt.Sprintf("#item-%d time", id)); !strings.Contains(when, ".") || strings.Contains(when, "Nov") {
		t.Errorf("queued at %q: want a Russian date", when)
	}
	shot(t, ctx, "ru")

	// Decide in Russian: the status line speaks Russian too.
	key := func(k string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatal(err)
		}
	}
	key("r")
	waitJS(t, ctx, fmt.Sprintf(`document.getElementById("row-%d").classList.contains("done")`, id))
	if got := text("#status"); !strings.HasPrefix(got, "отклонено: #") {
		t.Errorf("status line %q", got)
	}

	// The audit log in Russian.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/review/audit"), chromedp.WaitVisible(chromedp.CSS("#audit-table"))); err != nil {
		t.Fatal(err)
	}
	if got := text("#audit-table th"); got != "Когда" {
		t.Errorf("audit header %q", got)
	}
	if got := text(fmt.Sprintf(`.audit-row[data-item="%d"][data-action="reject"] .action`, id)); got != "отклонено" {
		t.Errorf("audit action %q", got)
	}

	// Switch to Kazakh: it sticks over Accept-Language on the next pages.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.langs a[hreflang="kk"]`)), chromedp.WaitVisible(chromedp.CSS("#audit-table"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `document.documentElement.lang === "kk"`)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/review/"), chromedp.WaitVisible(chromedp.CSS("#queue"))); err != nil {
		t.Fatal(err)
	}
	if got := text(`[data-decide="approve"]`); got != "Мақұлдау a" {
		t.Errorf("Kazakh approve button %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.langs a[hreflang="en"]`)), chromedp.WaitVisible(chromedp.CSS("#queue"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `document.documentElement.lang === "en"`)
	if got := text(`[data-decide="approve"]`); got != "Approve a" {
		t.Errorf("English approve button %q", got)
	}
	assertInert(t, ctx, w, "language switch")
}
