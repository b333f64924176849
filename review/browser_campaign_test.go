package review

import (
	"context"
	"fmt"
	"slices"
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
	for _, id := range camp {
		it, err := s.Get(context.Background(), id)
		if err != nil || it.Status != vigil.ReviewRejected || it.DecidedBy != "aigerim" {
			t.Fatalf("campaign item %d: %+v %v", id, it, err)
		}
		audit, _, err := s.Audit(context.Background(), AuditFilter{ItemID: id})
		if err != nil || len(audit) == 0 || audit[0].Action != vigil.DecisionReject {
			t.Fatalf("campaign item %d: audit %+v %v", id, audit, err)
		}
	}
	if it, _ := s.Get(context.Background(), other); it.Status != vigil.ReviewPending {
		t.Fatalf("the other comment is %s", it.Status)
	}
	events, _, err := s.Decisions(context.Background(), "", 100)
	if err != nil || len(events) != len(camp) {
		t.Fatalf("%d decision events for the CMS, want %d (%v)", len(events), len(camp), err)
	}
	assertInert(t, ctx, w, "campaign")
}
