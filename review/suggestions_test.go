package review

import (
	"context"
	"testing"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// TestSuggestions: suggestions are stored with an id and a time and come
// back in order, from a given time on; one without text is refused.
func TestSuggestions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		first := &vigil.Suggestion{Attribute: vigil.AttributeToxicity, Score: 1, Text: "ты дурак 😀", Lang: "ru",
			ClientToken: "comment:1", CommunityID: "Coral:https://talk.example.kz", SuggestedBy: "coral"}
		if err := s.Suggest(ctx, first); err != nil {
			t.Fatal(err)
		}
		c.Add(time.Hour)
		second := &vigil.Suggestion{Attribute: vigil.AttributeApproved, Score: 1, Text: "спасибо", SuggestedBy: "coral"}
		if err := s.Suggest(ctx, second); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.Suggest(ctx, &vigil.Suggestion{Attribute: vigil.AttributeToxicity, SuggestedBy: "coral"}), vigil.EINVALID)
		// What PostgreSQL cannot store is the client's error, on both
		// backends, and nothing is stored.
		for _, bad := range []*vigil.Suggestion{
			{Attribute: vigil.AttributeToxicity, Score: 1, Text: "ты\x00дурак", SuggestedBy: "coral"},
			{Attribute: vigil.AttributeToxicity, Score: 1, Text: "ok", ClientToken: "c\x00", SuggestedBy: "coral"},
			{Attribute: vigil.AttributeToxicity, Score: 1, Text: "ok", CommunityID: "\xff", SuggestedBy: "coral"},
		} {
			wantCode(t, s.Suggest(ctx, bad), vigil.EINVALID)
		}
		var got []vigil.Suggestion
		collect := func(since time.Time) {
			got = got[:0]
			if err := s.Suggestions(ctx, since, func(sg *vigil.Suggestion) error { got = append(got, *sg); return nil }); err != nil {
				t.Fatal(err)
			}
		}
		collect(time.Time{})
		if len(got) != 2 || got[0] != *first || got[1] != *second || first.ID == 0 || first.ID == second.ID {
			t.Fatalf("got %+v, want %+v then %+v", got, *first, *second)
		}
		collect(second.CreatedAt)
		if len(got) != 1 || got[0].ID != second.ID {
			t.Errorf("since the second: %+v", got)
		}
	})
}
