package review

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

func TestEnqueueIdempotentAndSupersede(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		d, v := flagged("c-1", "вступай в джихад, пиши в личку", vigil.FlagExtremistRecruitment, 0.9)
		id1, created, err := s.Put(ctx, d, v)
		if err != nil || !created {
			t.Fatalf("first put: id=%d created=%v err=%v", id1, created, err)
		}
		c.Add(time.Second)
		id, created, err := s.Put(ctx, d, v)
		if err != nil || created || id != id1 {
			t.Fatalf("same content again: id=%d created=%v err=%v, want id %d not created", id, created, err, id1)
		}
		if err := s.Enqueue(ctx, d, v); err != nil {
			t.Fatal(err)
		}
		// The edited comment supersedes the open item.
		d2 := d
		d2.Body = "вступай в наш джихад, пиши"
		c.Add(time.Second)
		id2 := mustPut(t, s, d2, v)
		if id2 == id1 {
			t.Fatal("edited content got the old item")
		}
		old, err := s.Get(ctx, id1)
		if err != nil {
			t.Fatal(err)
		}
		if old.Status != vigil.ReviewSuperseded || old.SupersededBy != id2 {
			t.Fatalf("old item: status %s superseded_by %d, want superseded by %d", old.Status, old.SupersededBy, id2)
		}
		items, _, err := s.List(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].ID != id2 || items[0].Document.Body != d2.Body {
			t.Fatalf("open items = %v, want only %d", ids(items), id2)
		}
		got := items[0]
		if got.Verdict.Flags[0].Evidence[0].Text != "джихад" || got.Document.Author != d.Author || got.ContentHash != vigil.ContentHash(&d2) {
			t.Fatalf("item does not hold the document and its evidence: %+v", got)
		}
		audit, _, err := s.Audit(ctx, AuditFilter{DocID: "c-1"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range audit {
			actions = append(actions, fmt.Sprintf("%d:%s", a.ItemID, a.Action))
		}
		want := []string{fmt.Sprintf("%d:supersede", id1), fmt.Sprintf("%d:enqueue", id2), fmt.Sprintf("%d:enqueue", id1)}
		if !slices.Equal(actions, want) {
			t.Fatalf("audit = %v, want %v", actions, want)
		}
		// A decided item is history: new content opens a new item, the old
		// decision stays.
		if _, err := s.Decide(ctx, mod1, id2, Decision{Decision: vigil.DecisionReject}); err != nil {
			t.Fatal(err)
		}
		d3 := d2
		d3.Body += "!"
		id3 := mustPut(t, s, d3, v)
		if it, _ := s.Get(ctx, id2); it.Status != vigil.ReviewRejected {
			t.Fatalf("decided item changed to %s by a resubmission", it.Status)
		}
		if it, _ := s.Get(ctx, id3); it.Status != vigil.ReviewPending {
			t.Fatalf("new item status %s", it.Status)
		}
	})
}

func TestEnqueueInvalid(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		d, v := flagged("x", "текст", vigil.FlagToxic, 0.6)
		d.ID = ""
		wantCode(t, s.Enqueue(ctx, d, v), vigil.EINVALID)
		d.ID = string(make([]byte, vigil.MaxIDBytes+1))
		wantCode(t, s.Enqueue(ctx, d, v), vigil.EINVALID)
		// Hostile but valid content is stored byte for byte.
		d.ID = "'; DROP TABLE review_items; --"
		d.Body = "<script>alert(1)</script>\x00 ' \" \\ %_"
		id := mustPut(t, s, d, v)
		it, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if it.DocID != d.ID || it.Document.Body != d.Body {
			t.Fatalf("stored %q %q", it.DocID, it.Document.Body)
		}
	})
}

// TestNULIsInvalidNotUnavailable: NUL in a stored field or a query value
// is bad input (EINVALID, naming the field) on both databases, never a
// storage failure the caller would retry forever (issue 14, row 5:
// PostgreSQL refuses NUL in text and the server answered 503 "retry").
func TestNULIsInvalidNotUnavailable(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		for _, field := range []string{"id", "author", "section"} {
			d, v := flagged("n-1", "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
			switch field {
			case "id":
				d.ID = "n\x001"
			case "author":
				d.Author = "a\x00"
			case "section":
				d.Section = "\x00"
			}
			err := s.Enqueue(ctx, d, v)
			wantCode(t, err, vigil.EINVALID)
			if !strings.Contains(vigil.ErrorMessage(err), field+": NUL") {
				t.Errorf("%s: error %q does not name the field", field, vigil.ErrorMessage(err))
			}
			wantCode(t, s.EnqueueMany(ctx, []vigil.Document{d}, []vigil.Verdict{v}), vigil.EINVALID)
		}
		d, v := flagged("n-2", "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
		id := mustPut(t, s, d, v)
		_, err := s.Decide(ctx, mod1, id, Decision{Decision: vigil.DecisionReject, Note: "x\x00"})
		wantCode(t, err, vigil.EINVALID)
		_, err = s.Decide(ctx, mod1, id, Decision{Decision: vigil.DecisionReject, Tags: []string{"a\x00"}})
		wantCode(t, err, vigil.EINVALID)
		_, _, err = s.List(ctx, Filter{Author: "\x00"})
		wantCode(t, err, vigil.EINVALID)
		_, _, err = s.Audit(ctx, AuditFilter{DocID: "\x00"})
		wantCode(t, err, vigil.EINVALID)
		_, err = s.History(ctx, "a\x00", 0)
		wantCode(t, err, vigil.EINVALID)
	})
}

func ids(items []*vigil.ReviewItem) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func TestListOrderFiltersPaging(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		type row struct {
			id      string
			flag    string
			score   float64
			kind    string
			section string
		}
		rows := []row{
			{"t-low", vigil.FlagToxic, 0.55, vigil.KindComment, "society"},
			{"r-mid", vigil.FlagExtremistRecruitment, 0.6, vigil.KindComment, "world"},
			{"t-high", vigil.FlagToxic, 0.99, vigil.KindComment, "society"},
			{"r-high", vigil.FlagExtremistRecruitment, 0.95, vigil.KindArticle, "security"},
			{"r-mid2", vigil.FlagExtremistRecruitment, 0.6, vigil.KindComment, "society"},
		}
		byDoc := map[string]int64{}
		for _, r := range rows {
			d, v := flagged(r.id, "текст "+r.id, r.flag, r.score)
			d.Kind, d.Section = r.kind, r.section
			byDoc[r.id] = mustPut(t, s, d, v)
			c.Add(time.Minute)
		}
		// Levels first (a sure toxic comment with a rule that fired is
		// high, like sure recruitment); recruitment first within a level;
		// equal severity goes oldest first.
		want := []int64{byDoc["r-high"], byDoc["t-high"], byDoc["r-mid"], byDoc["r-mid2"], byDoc["t-low"]}
		items, next, err := s.List(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(items), want) || next != "" {
			t.Fatalf("queue order = %v next %q, want %v", ids(items), next, want)
		}
		// Paging two at a time walks the same order exactly once.
		var paged []int64
		f := Filter{Limit: 2}
		for range 10 {
			page, next, err := s.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, ids(page)...)
			if next == "" {
				break
			}
			f.Cursor = next
		}
		if !slices.Equal(paged, want) {
			t.Fatalf("paged = %v, want %v", paged, want)
		}
		if _, err := s.Claim(ctx, mod1, byDoc["t-low"], 0); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			f    Filter
			want []int64
		}{
			{"flag", Filter{Flag: vigil.FlagToxic}, []int64{byDoc["t-high"], byDoc["t-low"]}},
			{"kind", Filter{Kind: vigil.KindArticle}, []int64{byDoc["r-high"]}},
			{"section", Filter{Section: "society"}, []int64{byDoc["t-high"], byDoc["r-mid2"], byDoc["t-low"]}},
			{"author", Filter{Author: "user-r-mid"}, []int64{byDoc["r-mid"]}},
			{"claimed", Filter{Status: vigil.ReviewClaimed}, []int64{byDoc["t-low"]}},
			{"min age", Filter{MinAge: 3 * time.Minute}, []int64{byDoc["t-high"], byDoc["r-mid"], byDoc["t-low"]}},
			{"max age", Filter{MaxAge: 2 * time.Minute}, []int64{byDoc["r-high"], byDoc["r-mid2"]}},
			{"flag is not a pattern", Filter{Flag: "%"}, nil},
			{"approved", Filter{Status: vigil.ReviewApproved}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, _, err := s.List(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(got), tc.want) {
					t.Fatalf("got %v, want %v", ids(got), tc.want)
				}
			})
		}
		for _, bad := range []Filter{{Status: "done"}, {Limit: MaxLimit + 1}, {Cursor: "!!"}, {MinAge: time.Hour, MaxAge: time.Minute}, {Flag: "a,b"}} {
			if _, _, err := s.List(ctx, bad); vigil.ErrorCode(err) != vigil.EINVALID {
				t.Errorf("List(%+v) error = %v, want EINVALID", bad, err)
			}
		}
	})
}

func TestClaimsAndLeases(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		d, v := flagged("c-claim", "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
		id := mustPut(t, s, d, v)
		it, err := s.Claim(ctx, mod1, id, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if it.ClaimedBy != mod1.Name || !it.LeaseUntil.Equal(c.Now().Add(5*time.Minute)) {
			t.Fatalf("claim: by %q until %v", it.ClaimedBy, it.LeaseUntil)
		}
		_, err = s.Claim(ctx, mod2, id, 0)
		wantCode(t, err, vigil.ECONFLICT)
		_, err = s.Decide(ctx, mod2, id, Decision{Decision: vigil.DecisionApprove})
		wantCode(t, err, vigil.ECONFLICT)
		_, err = s.Release(ctx, mod2, id)
		wantCode(t, err, vigil.EFORBIDDEN)
		if got, _ := s.ClaimNext(ctx, mod2, 5, 0); len(got) != 0 {
			t.Fatalf("ClaimNext gave a held item: %v", ids(got))
		}
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Items[vigil.ReviewClaimed] != 1 || st.Items[vigil.ReviewPending] != 0 {
			t.Fatalf("stats while claimed: %v", st.Items)
		}
		// The lease runs out: anyone may work the item, and expiry frees it.
		c.Add(5*time.Minute + time.Second)
		if n, err := s.ExpireLeases(ctx); err != nil || n != 1 {
			t.Fatalf("ExpireLeases = %d, %v; want 1", n, err)
		}
		if n, _ := s.ExpireLeases(ctx); n != 0 {
			t.Fatalf("second ExpireLeases = %d, want 0", n)
		}
		got, err := s.ClaimNext(ctx, mod2, 5, time.Minute)
		if err != nil || len(got) != 1 || got[0].ID != id || got[0].ClaimedBy != mod2.Name {
			t.Fatalf("ClaimNext after expiry = %v, %v", got, err)
		}
		if _, err := s.Release(ctx, mod2, id); err != nil {
			t.Fatal(err)
		}
		_, err = s.Release(ctx, mod2, id)
		wantCode(t, err, vigil.ECONFLICT)
		_, err = s.Claim(ctx, cms, id, 0)
		wantCode(t, err, vigil.EFORBIDDEN)
		_, err = s.Claim(ctx, mod1, 99999, 0)
		wantCode(t, err, vigil.ENOTFOUND)
		audit, _, err := s.Audit(ctx, AuditFilter{ItemID: id})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range audit {
			actions = append(actions, a.Actor+":"+a.Action)
		}
		want := []string{"daniyar:release", "daniyar:claim", "system:lease_expired", "aigerim:claim", "system:enqueue"}
		if !slices.Equal(actions, want) {
			t.Fatalf("audit = %v, want %v", actions, want)
		}
		if a := audit[3]; a.Before == nil || a.Before.ClaimedBy != "" || a.After == nil || a.After.ClaimedBy != mod1.Name {
			t.Fatalf("claim audit before/after = %+v / %+v", a.Before, a.After)
		}
	})
}

// TestClaimNextConcurrent: moderators claiming at once never share an item.
func TestClaimNextConcurrent(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		const items, workers = 40, 8
		for i := range items {
			d, v := flagged(fmt.Sprintf("cc-%d", i), "вступай в джихад", vigil.FlagExtremistRecruitment, float64(i%7)/10)
			mustPut(t, s, d, v)
		}
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		var errs []error
		for w := range workers {
			wg.Go(func() {
				p := vigil.Principal{Name: fmt.Sprintf("mod-%d", w), Role: vigil.RoleModerator}
				for {
					got, err := s.ClaimNext(ctx, p, 2, 0)
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, it := range got {
						if prev, dup := seen[it.ID]; dup {
							errs = append(errs, fmt.Errorf("item %d claimed by %s and %s", it.ID, prev, p.Name))
						}
						seen[it.ID] = p.Name
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			t.Error(err)
		}
		if len(seen) != items {
			t.Fatalf("%d items claimed, want %d", len(seen), items)
		}
	})
}

func TestDecide(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		var decisions []string
		var mu sync.Mutex
		s.onDecid = func(d string) { mu.Lock(); decisions = append(decisions, d); mu.Unlock() }
		put := func(id string) int64 {
			d, v := flagged(id, "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
			return mustPut(t, s, d, v)
		}
		a, r, e := put("a"), put("r"), put("e")

		it, err := s.Decide(ctx, mod1, a, Decision{Decision: vigil.DecisionApprove, Note: "  news quote ", Tags: []string{" Security", "security", "religion"}})
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != vigil.ReviewApproved || it.DecidedBy != mod1.Name || !slices.Equal(it.CorrectedTags, []string{"security", "religion"}) || it.DecidedAt == nil {
			t.Fatalf("approved item = %+v", it)
		}
		stored, _ := s.Get(ctx, a)
		if stored.Status != vigil.ReviewApproved || !slices.Equal(stored.CorrectedTags, it.CorrectedTags) || stored.Note != "  news quote " {
			t.Fatalf("stored = %+v", stored)
		}
		_, err = s.Decide(ctx, mod2, a, Decision{Decision: vigil.DecisionReject})
		wantCode(t, err, vigil.ECONFLICT)

		// Deciding an item one holds releases the claim.
		if _, err := s.Claim(ctx, mod1, r, 0); err != nil {
			t.Fatal(err)
		}
		if it, err := s.Decide(ctx, mod1, r, Decision{Decision: vigil.DecisionReject}); err != nil || it.ClaimedBy != "" || it.LeaseUntil != nil {
			t.Fatalf("reject: %+v %v", it, err)
		}

		// Escalated items go to an admin.
		if _, err := s.Decide(ctx, mod1, e, Decision{Decision: vigil.DecisionEscalate, Note: "not sure"}); err != nil {
			t.Fatal(err)
		}
		_, err = s.Decide(ctx, mod2, e, Decision{Decision: vigil.DecisionApprove})
		wantCode(t, err, vigil.EFORBIDDEN)
		_, err = s.Decide(ctx, admin, e, Decision{Decision: vigil.DecisionEscalate})
		wantCode(t, err, vigil.ECONFLICT)
		if got, _ := s.ClaimNext(ctx, mod2, 5, 0); len(got) != 0 {
			t.Fatalf("moderator was offered an escalated item")
		}
		if got, _ := s.ClaimNext(ctx, admin, 5, 0); len(got) != 1 || got[0].ID != e {
			t.Fatalf("admin was not offered the escalated item: %v", got)
		}
		if it, err := s.Decide(ctx, admin, e, Decision{Decision: vigil.DecisionReject}); err != nil || it.Status != vigil.ReviewRejected {
			t.Fatalf("admin reject: %+v %v", it, err)
		}
		mu.Lock()
		if want := []string{"approve", "reject", "escalate", "reject"}; !slices.Equal(decisions, want) {
			t.Errorf("OnDecision saw %v, want %v", decisions, want)
		}
		mu.Unlock()

		bad := []Decision{
			{},
			{Decision: "delete"},
			{Decision: vigil.DecisionApprove, Note: string(make([]byte, MaxNoteBytes+1))},
			{Decision: vigil.DecisionApprove, Note: "\xff"},
			{Decision: vigil.DecisionApprove, Tags: []string{"two words"}},
			{Decision: vigil.DecisionApprove, Tags: []string{""}},
		}
		for _, d := range bad {
			_, err := s.Decide(ctx, mod1, put("bad"), d)
			wantCode(t, err, vigil.EINVALID)
		}
		_, err = s.Decide(ctx, vigil.Principal{}, a, Decision{Decision: vigil.DecisionApprove})
		wantCode(t, err, vigil.EUNAUTHORIZED)

		audit, _, _ := s.Audit(ctx, AuditFilter{ItemID: e})
		if len(audit) != 4 || audit[0].Action != vigil.DecisionReject || audit[0].Actor != admin.Name ||
			audit[0].Before.Status != vigil.ReviewEscalated || audit[0].After.Status != vigil.ReviewRejected ||
			audit[2].Action != vigil.DecisionEscalate || audit[2].Note != "not sure" {
			t.Fatalf("audit of escalated item: %+v", audit)
		}
	})
}

func TestDecideMany(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		var all []int64
		for i := range 4 {
			d, v := flagged(fmt.Sprintf("b-%d", i), "злой текст", vigil.FlagToxic, 0.8)
			all = append(all, mustPut(t, s, d, v))
		}
		if _, err := s.Claim(ctx, mod2, all[1], 0); err != nil {
			t.Fatal(err)
		}
		res, err := s.DecideMany(ctx, mod1, []int64{all[0], all[1], all[2], 4242, all[0]}, Decision{Decision: vigil.DecisionReject, Note: "spam wave"})
		if err != nil {
			t.Fatal(err)
		}
		codes := make([]string, len(res))
		for i, r := range res {
			if r.Error != nil {
				codes[i] = r.Error.Code
			} else {
				codes[i] = r.Item.Status
			}
		}
		want := []string{"rejected", vigil.ECONFLICT, "rejected", vigil.ENOTFOUND, vigil.EINVALID}
		if !slices.Equal(codes, want) {
			t.Fatalf("bulk results = %v, want %v", codes, want)
		}
		st, _ := s.Stats(ctx)
		if st.Items[vigil.ReviewRejected] != 2 || st.Items[vigil.ReviewPending] != 1 || st.Items[vigil.ReviewClaimed] != 1 {
			t.Fatalf("stats = %v", st.Items)
		}
		_, err = s.DecideMany(ctx, mod1, nil, Decision{Decision: vigil.DecisionReject})
		wantCode(t, err, vigil.EINVALID)
	})
}

func TestHistoryStatsDecided(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		var items []int64
		for i := range 3 {
			d, v := flagged(fmt.Sprintf("h-%d", i), "текст", vigil.FlagToxic, 0.7)
			d.Author = "troll"
			items = append(items, mustPut(t, s, d, v))
			c.Add(time.Hour)
		}
		// The page's author panel: each author's latest items, newest first.
		latest, err := s.AuthorItems(ctx, []string{"troll", "", "troll", "nobody"}, 2)
		if err != nil || !slices.Equal(ids(latest["troll"]), []int64{items[2], items[1]}) || len(latest) != 1 {
			t.Fatalf("AuthorItems = %v (%d authors), %v; want %v", ids(latest["troll"]), len(latest), err, []int64{items[2], items[1]})
		}
		d, v := flagged("other", "текст", vigil.FlagToxic, 0.7)
		mustPut(t, s, d, v)
		start := c.Now()
		if _, err := s.Decide(ctx, mod1, items[0], Decision{Decision: vigil.DecisionReject}); err != nil {
			t.Fatal(err)
		}
		c.Add(time.Minute)
		if _, err := s.Decide(ctx, mod1, items[1], Decision{Decision: vigil.DecisionApprove, Tags: []string{"culture"}}); err != nil {
			t.Fatal(err)
		}
		h, err := s.History(ctx, "troll", 2)
		if err != nil {
			t.Fatal(err)
		}
		if h.Counts[vigil.ReviewRejected] != 1 || h.Counts[vigil.ReviewApproved] != 1 || h.Counts[vigil.ReviewPending] != 1 || len(h.Items) != 2 || h.Items[0].ID != items[2] {
			t.Fatalf("history = %+v items %v", h.Counts, ids(h.Items))
		}
		_, err = s.History(ctx, "", 0)
		wantCode(t, err, vigil.EINVALID)
		counts, err := s.AuthorCounts(ctx, []string{"troll", "", "troll", "user-other", "nobody"})
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != 3 || counts["troll"][vigil.ReviewRejected] != 1 || counts["troll"][vigil.ReviewPending] != 1 ||
			counts["user-other"][vigil.ReviewPending] != 1 || len(counts["nobody"]) != 0 {
			t.Fatalf("author counts = %v", counts)
		}

		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Open: h-2 (queued at +2h) and "other" (+3h); the clock is at +3h1m.
		if st.OldestOpenAge != time.Hour+time.Minute || st.Items[vigil.ReviewPending] != 2 {
			t.Fatalf("stats = %+v", st)
		}
		var got []string
		err = s.Decided(ctx, start, func(it *vigil.ReviewItem) error {
			got = append(got, it.DocID+":"+it.Decision)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"h-0:reject", "h-1:approve"}) {
			t.Fatalf("decided = %v", got)
		}
		got = nil
		s.Decided(ctx, start.Add(time.Second), func(it *vigil.ReviewItem) error { got = append(got, it.DocID); return nil })
		if !slices.Equal(got, []string{"h-1"}) {
			t.Fatalf("decided since = %v", got)
		}
	})
}

func TestSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		tok, sess, err := s.CreateSession(ctx, mod1, "", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, tok)
		if err != nil || got.Principal != mod1 || !got.ValidCSRF(sess.CSRF) || got.ValidCSRF("") || got.ValidCSRF(sess.CSRF+"x") {
			t.Fatalf("session = %+v, %v", got, err)
		}
		_, err = s.Session(ctx, tok+"x")
		wantCode(t, err, vigil.EUNAUTHORIZED)
		_, _, err = s.CreateSession(ctx, cms, "", time.Hour)
		wantCode(t, err, vigil.EFORBIDDEN)
		c.Add(time.Hour)
		_, err = s.Session(ctx, tok)
		wantCode(t, err, vigil.EUNAUTHORIZED)
		tok2, _, _ := s.CreateSession(ctx, mod2, "", time.Hour)
		if err := s.DeleteSession(ctx, tok2); err != nil {
			t.Fatal(err)
		}
		_, err = s.Session(ctx, tok2)
		wantCode(t, err, vigil.EUNAUTHORIZED)
	})
}

// TestReopen: the queue survives a restart and migrations run once.
func TestReopen(t *testing.T) {
	for _, b := range []string{"sqlite", "postgres"} {
		t.Run(b, func(t *testing.T) {
			ctx := context.Background()
			cfg := Config{}
			if b == "sqlite" {
				cfg.DataDir = t.TempDir()
			} else {
				cfg.DatabaseURL = createPostgresDB(t)
			}
			s, err := Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			d, v := flagged("keep", "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
			id := mustPut(t, s, d, v)
			// As before migration 7: the old severity (1 + score); the
			// reopen rescores it into levels.
			for _, q := range []string{`UPDATE review_items SET severity = 1.9`, `DELETE FROM review_schema_migrations WHERE version = 7`} {
				if _, err := s.db.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			s, err = Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations)-1 {
				t.Fatalf("schema version %d, %v", v, err)
			}
			if it, err := s.Get(ctx, id); err != nil || it.DocID != "keep" || it.Severity != vigil.ReviewSeverity(&v) {
				t.Fatalf("after reopen: %+v %v (severity want %v)", it, err, vigil.ReviewSeverity(&v))
			}
		})
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := Open(context.Background(), Config{DatabaseURL: "mysql://root:secret@db/x"})
	wantCode(t, err, vigil.EINVALID)
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

// TestTwoServersShareQueue: two stores on one PostgreSQL database (two
// vigil serve) see one queue, and their moderators never claim the same item.
func TestTwoServersShareQueue(t *testing.T) {
	ctx := context.Background()
	url := createPostgresDB(t)
	a, err := Open(ctx, Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, Config{DatabaseURL: url}) // migrations already applied: a no-op
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const n = 30
	for i := range n {
		d, v := flagged(fmt.Sprintf("shared-%d", i), "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
		if err := []*Store{a, b}[i%2].Enqueue(ctx, d, v); err != nil {
			t.Fatal(err)
		}
		// The other server resubmits the same document: still one item.
		if err := []*Store{b, a}[i%2].Enqueue(ctx, d, v); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for w, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			p := vigil.Principal{Name: fmt.Sprintf("mod-%d", w), Role: vigil.RoleModerator}
			for {
				got, err := s.ClaimNext(ctx, p, 1, 0)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				if seen[got[0].ID] {
					t.Errorf("item %d claimed twice", got[0].ID)
				}
				seen[got[0].ID] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d items claimed across both servers, want %d", len(seen), n)
	}
}

func TestEnqueueMany(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		d0, v0 := flagged("m-0", "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
		old := mustPut(t, s, d0, v0)
		var docs []vigil.Document
		var verdicts []vigil.Verdict
		for i := 1; i <= 3; i++ {
			d, v := flagged(fmt.Sprintf("m-%d", i), "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
			docs, verdicts = append(docs, d), append(verdicts, v)
		}
		edited := d0
		edited.Body += " сегодня"
		docs, verdicts = append(docs, edited, docs[0]), append(verdicts, v0, verdicts[0]) // an edit and a repeat
		if err := s.EnqueueMany(ctx, docs, verdicts); err != nil {
			t.Fatal(err)
		}
		items, _, err := s.List(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 4 {
			t.Fatalf("%d open items, want 4 (m-0 edited, m-1..3)", len(items))
		}
		if it, _ := s.Get(ctx, old); it.Status != vigil.ReviewSuperseded {
			t.Fatalf("edited m-0's old item is %s", it.Status)
		}
		// All or nothing: an invalid document stores none of the batch.
		d5, v5 := flagged("m-5", "текст", vigil.FlagToxic, 0.6)
		bad := vigil.Document{Body: "no id"}
		wantCode(t, s.EnqueueMany(ctx, []vigil.Document{d5, bad}, []vigil.Verdict{v5, v5}), vigil.EINVALID)
		if items, _, _ := s.List(ctx, Filter{DocID: "m-5"}); len(items) != 0 {
			t.Fatal("a failed batch stored a document")
		}
		wantCode(t, s.EnqueueMany(ctx, []vigil.Document{d5}, nil), vigil.EINVALID)
	})
}

// TestConcurrentEnqueue: many servers' retries of the same documents at
// once (SQLite's group commit puts them in shared transactions) still give
// one item per document, created exactly once.
func TestConcurrentEnqueue(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		const docs, workers = 20, 8
		var created atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range docs {
					d, v := flagged(fmt.Sprintf("conc-%d", (i+w)%docs), "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
					_, made, err := s.Put(ctx, d, v)
					if err != nil {
						t.Error(err)
						return
					}
					if made {
						created.Add(1)
					}
				}
			})
		}
		wg.Wait()
		items, _, err := s.List(ctx, Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != docs || created.Load() != docs {
			t.Fatalf("%d items, %d created, want %d of each", len(items), created.Load(), docs)
		}
		// A cancelled caller gets its context's error, not a hang.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		d, v := flagged("cancelled", "текст", vigil.FlagToxic, 0.6)
		if err := s.Enqueue(cctx, d, v); err == nil {
			t.Fatal("enqueue with a cancelled context succeeded")
		}
	})
}

// TestCheckWritable: a store that still answers but can no longer write
// (here: the writer made read-only; in production a full disk) fails the
// write check that readiness uses, while Ping still passes.
func TestCheckWritable(t *testing.T) {
	s := openSQLiteTest(t, Config{})
	ctx := context.Background()
	if err := s.CheckWritable(ctx); err != nil {
		t.Fatalf("fresh store: %v", err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if err := s.CheckWritable(ctx); vigil.ErrorCode(err) != vigil.EUNAVAILABLE {
		t.Errorf("read-only store: %v; want EUNAVAILABLE", err)
	}
}

// TestSQLiteFilesPrivate: review.db and its WAL are created readable by
// this user only, even in a directory open to everyone.
func TestSQLiteFilesPrivate(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, v := flagged("p-1", "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
	mustPut(t, s, d, v)
	for _, name := range []string{DBFile, DBFile + "-wal"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v; want no access for group or others", name, perm)
		}
	}
}

// TestHoldIsQuiet: the page's holds keep the lease but write nothing to the
// audit log (neither the hold, its release nor its expiry); a claim made
// through the API stays audited even when the page renews it.
func TestHoldIsQuiet(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		d, v := flagged("hold-1", "вступай", vigil.FlagExtremistRecruitment, 0.9)
		id := mustPut(t, s, d, v)
		actions := func() []string {
			t.Helper()
			audit, _, err := s.Audit(ctx, AuditFilter{ItemID: id})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for i := len(audit) - 1; i >= 0; i-- {
				out = append(out, audit[i].Actor+":"+audit[i].Action)
			}
			return out
		}
		for range 3 { // moving back and forth over the item
			if it, err := s.Hold(ctx, mod1, id, PageLease); err != nil || it.ClaimedBy != mod1.Name {
				t.Fatalf("hold: %v %v", it, err)
			}
			_, err := s.Claim(ctx, mod2, id, 0)
			wantCode(t, err, vigil.ECONFLICT)
			if _, err := s.Unhold(ctx, mod1, id); err != nil {
				t.Fatal(err)
			}
		}
		_, err := s.Unhold(ctx, mod1, id)
		wantCode(t, err, vigil.ECONFLICT)
		if _, err := s.Hold(ctx, mod1, id, PageLease); err != nil {
			t.Fatal(err)
		}
		c.Add(PageLease + time.Second)
		if n, err := s.ExpireLeases(ctx); err != nil || n != 1 {
			t.Fatalf("ExpireLeases = %d, %v; want 1", n, err)
		}
		if got := actions(); !slices.Equal(got, []string{vigil.SystemActor + ":" + vigil.AuditEnqueue}) {
			t.Fatalf("audit after holds %v, want the enqueue alone", got)
		}
		// A claim through the API, renewed by the page, is released loudly.
		if _, err := s.Claim(ctx, mod1, id, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Hold(ctx, mod1, id, PageLease); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Unhold(ctx, mod1, id); err != nil {
			t.Fatal(err)
		}
		want := []string{vigil.SystemActor + ":" + vigil.AuditEnqueue, "aigerim:" + vigil.AuditClaim, "aigerim:" + vigil.AuditRelease}
		if got := actions(); !slices.Equal(got, want) {
			t.Fatalf("audit %v, want %v", got, want)
		}
	})
}

// TestWaiting: per section, the open items (pending, escalated, held or
// not) and when the oldest was queued, longest-waiting first; decided and
// superseded items do not wait.
func TestWaiting(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		if w, err := s.Waiting(ctx); err != nil || len(w) != 0 {
			t.Fatalf("empty queue: %v, %v", w, err)
		}
		start := c.Now()
		put := func(id, section string) int64 {
			t.Helper()
			d, v := flagged(id, "вступай в джихад "+id, vigil.FlagExtremistRecruitment, 0.9)
			d.Section = section
			n := mustPut(t, s, d, v)
			c.Add(time.Hour)
			return n
		}
		decided := put("w-decided", "culture") // the only culture item: decided below
		put("w-sec-1", "security")
		held := put("w-sec-2", "security")
		escalated := put("w-none", "")
		put("w-soc", "society")
		put("w-sec-3", "security")
		edited := put("w-edit", "sport")
		if _, err := s.Decide(ctx, mod1, decided, Decision{Decision: vigil.DecisionApprove}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, mod2, held, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(ctx, mod1, escalated, Decision{Decision: vigil.DecisionEscalate}); err != nil {
			t.Fatal(err)
		}
		// An edited document supersedes its open item; the new one waits.
		it, _ := s.Get(ctx, edited)
		d := it.Document
		d.Body += " (правка)"
		mustPut(t, s, d, it.Verdict)
		got, err := s.Waiting(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hour := func(n int) time.Time { return start.Add(time.Duration(n) * time.Hour) }
		want := []SectionWait{{"security", 3, hour(1)}, {"", 1, hour(3)}, {"society", 1, hour(4)}, {"sport", 1, hour(7)}}
		if len(got) != len(want) {
			t.Fatalf("Waiting = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].Section != want[i].Section || got[i].Items != want[i].Items || !got[i].Oldest.Equal(want[i].Oldest) {
				t.Errorf("section %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}
