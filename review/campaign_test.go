package review

import (
	"testing"

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
