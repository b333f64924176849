package review

import (
	"context"
	"slices"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// TestUndo: the decider may undo within UndoWindow, an admin at any time;
// the item is open again as before the decision; every undo is audited and
// goes out through the outbox like a decision.
func TestUndo(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		s.hooks = []string{"https://cms.example/hook"}
		put := func(id string) int64 {
			d, v := flagged(id, "вступай в джихад", vigil.FlagExtremistRecruitment, 0.9)
			return mustPut(t, s, d, v)
		}
		decide := func(p vigil.Principal, id int64, d string) {
			t.Helper()
			if _, err := s.Decide(ctx, p, id, Decision{Decision: d, Note: "n", Tags: []string{"religion"}}); err != nil {
				t.Fatal(err)
			}
		}
		a, b, e := put("undo-a"), put("undo-b"), put("undo-e")

		// The decider, in time.
		decide(mod1, a, vigil.DecisionReject)
		c.Add(9 * time.Minute)
		_, err := s.Undo(ctx, mod2, a, "")
		wantCode(t, err, vigil.EFORBIDDEN)
		it, err := s.Undo(ctx, mod1, a, "wrong item")
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != vigil.ReviewPending || it.Decision != "" || it.DecidedBy != "" || it.DecidedAt != nil || it.Note != "" || len(it.CorrectedTags) != 0 {
			t.Fatalf("after undo: %+v", it)
		}
		if got, _ := s.Get(ctx, a); got.Status != vigil.ReviewPending || got.Decision != "" {
			t.Fatalf("stored after undo: %s %q", got.Status, got.Decision)
		}
		_, err = s.Undo(ctx, mod1, a, "")
		wantCode(t, err, vigil.ECONFLICT)
		decide(mod2, a, vigil.DecisionApprove) // open again: decidable

		// Too late for the decider; an admin may.
		decide(mod1, b, vigil.DecisionApprove)
		c.Add(UndoWindow + time.Second)
		_, err = s.Undo(ctx, mod1, b, "")
		wantCode(t, err, vigil.EFORBIDDEN)
		if _, err := s.Undo(ctx, admin, b, "checked again"); err != nil {
			t.Fatal(err)
		}

		// An admin's decision on an escalated item: undone, escalated again.
		decide(mod1, e, vigil.DecisionEscalate)
		decide(admin, e, vigil.DecisionReject)
		if it, err := s.Undo(ctx, admin, e, ""); err != nil || it.Status != vigil.ReviewEscalated {
			t.Fatalf("undo of an escalated item's decision: %+v, %v", it, err)
		}
		_, err = s.Undo(ctx, mod1, 99999, "")
		wantCode(t, err, vigil.ENOTFOUND)
		_, err = s.Undo(ctx, cms, a, "")
		wantCode(t, err, vigil.EFORBIDDEN)

		// Audited with who and the state before and after.
		audit, _, err := s.Audit(ctx, AuditFilter{ItemID: a})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for i := len(audit) - 1; i >= 0; i-- {
			actions = append(actions, audit[i].Actor+":"+audit[i].Action)
		}
		if want := []string{"system:enqueue", "aigerim:reject", "aigerim:undo", "daniyar:approve"}; !slices.Equal(actions, want) {
			t.Fatalf("audit %v, want %v", actions, want)
		}
		undo := audit[1]
		if undo.Note != "wrong item" || undo.Before.Status != vigil.ReviewRejected || undo.After.Status != vigil.ReviewPending {
			t.Fatalf("undo entry %+v before %+v after %+v", undo, undo.Before, undo.After)
		}

		// The CMS hears of each undo, in order, through the feed and the
		// outbox, like of any decision.
		events, _, err := s.Decisions(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var feed []string
		for _, ev := range events {
			feed = append(feed, ev.DocID+":"+ev.Decision+":"+ev.By)
		}
		want := []string{"undo-a:reject:aigerim", "undo-a:undo:aigerim", "undo-a:approve:daniyar", "undo-b:approve:aigerim", "undo-b:undo:chief",
			"undo-e:escalate:aigerim", "undo-e:reject:chief", "undo-e:undo:chief"}
		if !slices.Equal(feed, want) {
			t.Fatalf("feed %v, want %v", feed, want)
		}
		if ev := events[1]; ev.Event != EventDecided || ev.Note != "wrong item" || ev.ContentHash == "" {
			t.Fatalf("undo event %+v", ev)
		}
		ds, err := s.ClaimDeliveries(ctx, 100, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		undos := 0
		for _, d := range ds {
			if d.Event.Decision == vigil.DecisionUndo {
				undos++
			}
		}
		if len(ds) != len(want) || undos != 3 {
			t.Fatalf("%d deliveries, %d of undos; want %d and 3", len(ds), undos, len(want))
		}
	})
}
