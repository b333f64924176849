package review

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// campaignTexts are eight near-identical recruitment comments (a name, an
// emoji, punctuation and a link changed) and others that only share words.
var campaignTexts = []string{
	"Брат, вступай к нам, пиши в личку @halal_way, дорога оплачена!",
	"Брат вступай к нам пиши в личку @halal_way дорога оплачена",
	"Брат, вступай к нам!!! пиши в личку @halal_way2, дорога оплачена 🙏",
	"Сестра, вступай к нам, пиши в личку @halal_way, дорога оплачена!",
	"БРАТ, ВСТУПАЙ К НАМ, ПИШИ В ЛИЧКУ @HALAL_WAY, ДОРОГА ОПЛАЧЕНА!",
	"Брат, вступай к нам, пиши в личку @halal_way_kz, дорога оплачена!",
	"Брат, вступай к нам — пиши в личку @halal_way, вся дорога оплачена!",
	"брат вступай к нам, пиши в лс @halal_way, дорога оплачена!",
}

func TestCampaigns(t *testing.T) {
	var items []*vigil.ReviewItem
	add := func(kind, body, status string) int64 {
		id := int64(len(items) + 1)
		items = append(items, &vigil.ReviewItem{ID: id, Status: status, Document: vigil.Document{Kind: kind, Body: body}})
		return id
	}
	other := []int64{
		add(vigil.KindComment, "Отличная статья, спасибо автору, пишите ещё!", vigil.ReviewPending),
		add(vigil.KindComment, "Брат, не верь вербовщикам в личке, дорога туда в один конец.", vigil.ReviewPending),
	}
	var camp []int64
	for _, text := range campaignTexts {
		camp = append(camp, add(vigil.KindComment, text, vigil.ReviewPending))
	}
	// Decided items and articles are never in a campaign.
	decided := add(vigil.KindComment, campaignTexts[0], vigil.ReviewRejected)
	article := add(vigil.KindArticle, campaignTexts[0], vigil.ReviewPending)
	other = append(other, add(vigil.KindComment, "Жамағатқа қосыл, телеграмға жаз, жол ақысы төленеді", vigil.ReviewPending))

	got := campaigns(items)
	first, ok := got[camp[0]]
	if !ok {
		t.Fatalf("no campaign: %v", got)
	}
	for i, id := range camp {
		if c, ok := got[id]; !ok || c != first {
			t.Errorf("variant %d (%q) in campaign %d, %v; want %d", i, campaignTexts[i], c, ok, first)
		}
	}
	for _, id := range append(other, decided, article) {
		if c, ok := got[id]; ok {
			t.Errorf("item %d (%q) in campaign %d", id, items[id-1].Document.Body, c)
		}
	}
	if len(got) != len(camp) {
		t.Errorf("%d items in campaigns, want %d", len(got), len(camp))
	}
}

// TestDuplicates: the store finds a campaign's members beyond the page —
// open comments near-identical to the page's, wherever they are in the
// queue — and nothing else: not the page's own items, not other texts,
// not decided items or articles. Comments queued before sketches existed
// are found once the migration has sketched them.
func TestDuplicates(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		var camp []int64
		for i, text := range campaignTexts {
			d, v := flagged(fmt.Sprintf("dup-%d", i), text, vigil.FlagExtremistRecruitment, 0.5+float64(i)*0.05)
			camp = append(camp, mustPut(t, s, d, v))
			c.Add(time.Minute)
		}
		other, ov := flagged("dup-other", "Отличная статья, спасибо автору, пишите ещё!", vigil.FlagToxic, 0.9)
		otherID := mustPut(t, s, other, ov)
		article, av := flagged("dup-article", campaignTexts[0], vigil.FlagExtremistRecruitment, 0.9)
		article.Kind = vigil.KindArticle
		articleID := mustPut(t, s, article, av)
		if _, err := s.Decide(ctx, mod1, camp[7], Decision{Decision: vigil.DecisionReject}); err != nil {
			t.Fatal(err)
		}
		page := func(ids ...int64) []*vigil.ReviewItem {
			var out []*vigil.ReviewItem
			for _, id := range ids {
				it, err := s.Get(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, it)
			}
			return out
		}
		check := func(where string) {
			t.Helper()
			got, err := s.Duplicates(ctx, page(camp[0], camp[1], otherID, articleID))
			if err != nil {
				t.Fatal(err)
			}
			// Queue order: the higher score first.
			want := []int64{camp[6], camp[5], camp[4], camp[3], camp[2]}
			for _, id := range []int64{camp[0], camp[1]} {
				if !slices.Equal(got[id], want) {
					t.Errorf("%s: duplicates of %d = %v, want %v", where, id, got[id], want)
				}
			}
			if len(got[otherID]) != 0 || len(got[articleID]) != 0 || len(got) != 2 {
				t.Errorf("%s: duplicates %v: only the campaign's two comments have any", where, got)
			}
		}
		check("enqueued")
		// As before the sketches: none stored; the migration's step makes them.
		if _, err := s.db.ExecContext(ctx, `DELETE FROM review_sketches`); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Duplicates(ctx, page(camp[0])); len(got) != 0 {
			t.Fatalf("without sketches: %v", got)
		}
		if err := s.tx(ctx, func(tx *sql.Tx) error { return sketchOpenComments(ctx, s, tx) }); err != nil {
			t.Fatal(err)
		}
		check("migrated")
		if got, err := s.Duplicates(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no page: %v, %v", got, err)
		}
	})
}
