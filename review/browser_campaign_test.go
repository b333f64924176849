package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	vigil "github.com/kz-newsroom/vigil"
)

// TestBrowserCampaign: eight near-identical comments are grouped in the
// queue as one campaign; c selects them all, R rejects them at once, and
// each is decided, audited and sent to the CMS on its own.
func TestBrowserCampaign(t *testing.T) {
	ctx, w, s, ts := startPageTest(t)
	var camp []int64
	for i, text := range campaignTexts {
		d, v := flagged(fmt.Sprintf("camp-%d", i), text, vigil.FlagExtremistRecruitment, 0.9-float64(i)*0.01)
		camp = append(camp, mustPut(t, s, d, v))
	}
	d, v := flagged("not-camp", "Отличная статья, спасибо автору, пишите ещё!", vigil.FlagToxic, 0.95)
	other := mustPut(t, s, d, v)
	logIn(t, ctx, ts.URL, "tok-mod1")

	members, err := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`Array.from(document.querySelectorAll("#queue .item-row[data-campaign]")).map(r => Number(r.dataset.id))`))
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(members)
	slices.Sort(sorted)
	if !slices.Equal(sorted, camp) {
		t.Fatalf("campaign rows %v, want %v", members, camp)
	}
	// Grouped: the campaign's rows are one run in the list.
	order, _ := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`Array.from(document.querySelectorAll("#queue .item-row")).map(r => Number(r.dataset.id))`))
	start := slices.Index(order, members[0])
	if start < 0 || !slices.Equal(order[start:start+len(members)], members) {
		t.Fatalf("campaign rows %v not together in %v", members, order)
	}
	// Move to the campaign's first row (j), select it all (c), reject (R).
	for i := 0; i < start; i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("j")); err != nil {
			t.Fatal(err)
		}
	}
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector("#queue .item-row.current").dataset.id === "%d"`, members[0]))
	if err := chromedp.Do(ctx, chromedp.KeyEvent("c")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `document.getElementById("bulk-count").textContent === "8 selected"`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent("R")); err != nil {
		t.Fatal(err)
	}
	for _, id := range camp {
		waitJS(t, ctx, fmt.Sprintf(`document.getElementById("row-%d").classList.contains("done")`, id))
	}
	shot(t, ctx, "campaign")
	assertRejected(t, s, camp)
	if it, _ := s.Get(context.Background(), other); it.Status != vigil.ReviewPending {
		t.Fatalf("the other comment is %s", it.Status)
	}
	events, _, err := s.Decisions(context.Background(), "", 100)
	if err != nil || len(events) != len(camp) {
		t.Fatalf("%d decision events for the CMS, want %d (%v)", len(events), len(camp), err)
	}
	assertInert(t, ctx, w, "campaign")
}

// TestBrowserCampaignAcrossPages: a campaign whose comments lie mostly
// beyond the page is still one campaign: the store finds its other
// members, the page says how many there are beyond it, and c then R
// rejects all eight though only two are on the page.
func TestBrowserCampaignAcrossPages(t *testing.T) {
	ctx, w, s, ts := startPageTest(t)
	var first []int64
	for i, text := range []string{ // higher in the queue than the campaign
		"Дороги в Караганде опять не почистили, автобусы стоят.",
		"Цены на хлеб выросли третий раз за год, куда смотрит акимат?",
		"Автор, вы путаете даты: стадион открыли в 2019 году.",
		"Қар жауып, жолдар жабылды, балалар мектепке бара алмады.",
		"Great piece on the Caspian ports, more of this please.",
		"Зачем публиковать фото пострадавших? Это неэтично.",
	} {
		d, v := flagged(fmt.Sprintf("first-%d", i), text, vigil.FlagToxic, 0.99-float64(i)*0.001)
		first = append(first, mustPut(t, s, d, v))
	}
	var camp []int64
	for i, text := range campaignTexts {
		d, v := flagged(fmt.Sprintf("camp-%d", i), text, vigil.FlagExtremistRecruitment, 0.3-float64(i)*0.01)
		camp = append(camp, mustPut(t, s, d, v))
	}
	logIn(t, ctx, ts.URL, "tok-mod1")
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/review/?limit=8"), chromedp.WaitVisible(chromedp.CSS("#queue"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `document.body.dataset.ready === "1"`)
	onPage, err := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`Array.from(document.querySelectorAll("#queue .item-row[data-campaign]")).map(r => Number(r.dataset.id))`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(onPage, camp[:2]) {
		t.Fatalf("campaign rows on the page %v, want %v", onPage, camp[:2])
	}
	badge, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector("#row-%d .campaign").textContent`, camp[0])))
	if badge != "campaign · 8" {
		t.Errorf("campaign badge %q, want the whole campaign's size", badge)
	}
	note, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector("#item-%d .campaign-note").textContent`, camp[0])))
	if !strings.Contains(note, "8 near-identical comments, 6 of them beyond this page") {
		t.Errorf("campaign note %q", note)
	}
	for range 6 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("j")); err != nil {
			t.Fatal(err)
		}
	}
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector("#queue .item-row.current").dataset.id === "%d"`, camp[0]))
	if err := chromedp.Do(ctx, chromedp.KeyEvent("c")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `document.getElementById("bulk-count").textContent === "8 selected"`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent("R")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, fmt.Sprintf(`document.getElementById("row-%d").classList.contains("done") && document.getElementById("row-%d").classList.contains("done")`, camp[0], camp[1]))
	assertRejected(t, s, camp)
	for _, id := range first {
		if it, _ := s.Get(context.Background(), id); it.Status != vigil.ReviewPending {
			t.Fatalf("item %d outside the campaign is %s", id, it.Status)
		}
	}
	assertInert(t, ctx, w, "campaign across pages")
}

// assertRejected checks that each item is rejected by aigerim, the
// rejection last in its audit log.
func assertRejected(t *testing.T, s *Store, ids []int64) {
	t.Helper()
	for _, id := range ids {
		it, err := s.Get(context.Background(), id)
		if err != nil || it.Status != vigil.ReviewRejected || it.DecidedBy != "aigerim" {
			t.Fatalf("campaign item %d: %+v %v", id, it, err)
		}
		audit, _, err := s.Audit(context.Background(), AuditFilter{ItemID: id})
		if err != nil || len(audit) == 0 || audit[0].Action != vigil.DecisionReject {
			t.Fatalf("campaign item %d: audit %+v %v", id, audit, err)
		}
	}
}
