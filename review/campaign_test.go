package review

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

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

// TestSketchesFollowOpenComments: the sketch table holds open comments
// only. A decision drops an item's rows (an escalation keeps them: the item
// is still open), an undo writes them again so the campaign finds the
// item, new content of a document drops its old item's, and migration 10
// drops what decided items left before.
func TestSketchesFollowOpenComments(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		var camp []int64
		for i, text := range campaignTexts[:4] {
			d, v := flagged(fmt.Sprintf("sk-%d", i), text, vigil.FlagExtremistRecruitment, 0.5+float64(i)*0.05)
			camp = append(camp, mustPut(t, s, d, v))
			c.Add(time.Minute)
		}
		rows := func(id int64) int {
			t.Helper()
			var n int
			if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM review_sketches WHERE item_id = ?`), id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		members := func() []int64 {
			t.Helper()
			it, err := s.Get(ctx, camp[0])
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Duplicates(ctx, []*vigil.ReviewItem{it})
			if err != nil {
				t.Fatal(err)
			}
			return got[camp[0]]
		}
		if rows(camp[1]) == 0 {
			t.Fatal("an open comment has no sketch")
		}
		if _, err := s.Decide(ctx, mod1, camp[1], Decision{Decision: vigil.DecisionReject}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(ctx, mod1, camp[2], Decision{Decision: vigil.DecisionEscalate}); err != nil {
			t.Fatal(err)
		}
		if n := rows(camp[1]); n != 0 {
			t.Errorf("rejected comment: %d sketch rows, want 0", n)
		}
		if rows(camp[2]) == 0 {
			t.Error("escalated comment lost its sketch")
		}
		if got := members(); slices.Contains(got, camp[1]) || !slices.Contains(got, camp[2]) {
			t.Errorf("after the decisions the campaign is %v: want %d, not %d", got, camp[2], camp[1])
		}
		if _, err := s.Undo(ctx, mod1, camp[1], ""); err != nil {
			t.Fatal(err)
		}
		if rows(camp[1]) == 0 || !slices.Contains(members(), camp[1]) {
			t.Errorf("undone comment: %d sketch rows, campaign %v", rows(camp[1]), members())
		}
		// New content for the document: its old item is superseded.
		d, v := flagged("sk-3", "Совсем другой текст комментария про погоду в Астане", vigil.FlagToxic, 0.9)
		mustPut(t, s, d, v)
		if n := rows(camp[3]); n != 0 {
			t.Errorf("superseded comment: %d sketch rows, want 0", n)
		}
		// Rows a decided item kept before migration 10 are dropped by it.
		if _, err := s.Decide(ctx, mod1, camp[1], Decision{Decision: vigil.DecisionApprove}); err != nil {
			t.Fatal(err)
		}
		if err := s.tx(ctx, func(tx *sql.Tx) error { return s.saveSketch(ctx, tx, camp[1], campaignTexts[1]) }); err != nil {
			t.Fatal(err)
		}
		m := migrations[10]
		if _, err := s.db.ExecContext(ctx, map[bool]string{true: m.postgres, false: m.sqlite}[s.Backend() == "postgres"]); err != nil {
			t.Fatal(err)
		}
		if n := rows(camp[1]); n != 0 {
			t.Errorf("after migration 10 a decided comment has %d sketch rows", n)
		}
		if rows(camp[0]) == 0 || rows(camp[2]) == 0 {
			t.Error("migration 10 dropped an open comment's sketch")
		}
	})
}

// referenceShingles is the shingling the stored sketches were made with:
// hash/fnv over a string per 4-gram, into a map.
func referenceShingles(text string) []uint64 {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	rs := []rune(strings.TrimSpace(b.String()))
	set := map[uint64]bool{}
	add := func(s string) {
		h := fnv.New64a()
		h.Write([]byte(s))
		set[h.Sum64()] = true
	}
	for i := 0; i+4 <= len(rs); i++ {
		add(string(rs[i : i+4]))
	}
	if len(rs) > 0 && len(rs) < 4 {
		add(string(rs))
	}
	out := slices.Collect(maps.Keys(set))
	slices.Sort(out)
	return out
}

// TestShinglesStable: the shingle hashes are FNV-1a of each 4-gram's UTF-8
// bytes, as when the stored sketches were made; a change would leave every
// stored sketch unable to meet a new one.
func TestShinglesStable(t *testing.T) {
	texts := append(slices.Clone(campaignTexts), "", "ок", "Ақмола облысы, 😂 ЖАЗ маған!!!", "a\xffb invalid UTF-8 и кириллица", "word word word word")
	for _, text := range texts {
		if got, want := shingles(text), referenceShingles(text); !slices.Equal([]uint64(got), want) {
			t.Errorf("shingles(%q) = %v, want %v", text, got, want)
		}
	}
}

// FuzzShingles holds shingles to the reference on any text, and jaccard to
// a set computation.
func FuzzShingles(f *testing.F) {
	for _, text := range campaignTexts {
		f.Add(text, campaignTexts[0])
	}
	f.Add("a\xffb", "ǅ ß İ")
	f.Fuzz(func(t *testing.T, a, b string) {
		sa, sb := shingles(a), shingles(b)
		ra, rb := referenceShingles(a), referenceShingles(b)
		if !slices.Equal([]uint64(sa), ra) || !slices.Equal([]uint64(sb), rb) {
			t.Fatalf("shingles differ from the reference for %q or %q", a, b)
		}
		both := 0
		for _, h := range ra {
			if _, ok := slices.BinarySearch(rb, h); ok {
				both++
			}
		}
		want := 0.0
		if len(ra) > 0 && len(rb) > 0 {
			want = float64(both) / float64(len(ra)+len(rb)-both)
		}
		if got := jaccard(sa, sb); got != want {
			t.Fatalf("jaccard = %v, want %v", got, want)
		}
	})
}
