package review_test

import (
	"context"
	"fmt"
	"os"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/review"
)

// A flagged comment goes into the queue; a moderator claims the next item
// and rejects it; the audit log has the story.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "vigil-review-example")
	defer os.RemoveAll(dir)
	store, err := review.Open(ctx, review.Config{DataDir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	doc := vigil.Document{ID: "c-42", Kind: vigil.KindComment, Body: "Брат, вступай в джихад, пиши в личку"}
	verdict := vigil.Verdict{ID: "c-42", Action: vigil.ActionReview, Flags: []vigil.Flag{{
		Name: vigil.FlagExtremistRecruitment, Score: 0.93,
		Evidence: []vigil.Evidence{{Rule: "rec.ru.join", Field: vigil.FieldBody, Start: 10, End: 40, Text: "вступай в джихад"}},
	}}}
	store.Enqueue(ctx, doc, verdict)
	store.Enqueue(ctx, doc, verdict) // the CMS retried: still one item

	mod := vigil.Principal{Name: "aigerim", Role: vigil.RoleModerator}
	items, _ := store.ClaimNext(ctx, mod, 1, 0)
	it, _ := store.Decide(ctx, mod, items[0].ID, review.Decision{Decision: vigil.DecisionReject, Note: "recruiting"})
	fmt.Printf("%s %s %s\n", it.DocID, it.Status, vigil.SeverityLevel(it.Severity))

	log, _, _ := store.Audit(ctx, review.AuditFilter{ItemID: it.ID})
	for i := len(log) - 1; i >= 0; i-- {
		fmt.Println(log[i].Actor, log[i].Action)
	}
	// Output:
	// c-42 rejected high
	// system enqueue
	// aigerim claim
	// aigerim reject
}
