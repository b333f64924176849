package review

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// Suggest stores a score a client suggested for a comment (the
// Perspective API's comments:suggestscore), with its ID and CreatedAt set
// by the store. It is durable when it returns nil. The same suggestion
// sent twice is stored twice: a platform that resends a label is not told
// apart from one that relabels.
func (s *Store) Suggest(ctx context.Context, sg *vigil.Suggestion) error {
	if sg.Attribute == "" || sg.Text == "" || sg.SuggestedBy == "" {
		return vigil.Errorf(vigil.EINVALID, "review: suggestion: attribute, text and suggested_by are required")
	}
	// What the store cannot hold (NUL, invalid UTF-8) is the client's
	// error, not an outage to retry.
	if err := storableAll(map[string]string{"attribute": sg.Attribute, "text": sg.Text, "lang": sg.Lang,
		"client_token": sg.ClientToken, "community_id": sg.CommunityID, "suggested_by": sg.SuggestedBy}); err != nil {
		return fmt.Errorf("review: suggestion: %w", err)
	}
	sg.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO review_suggestions
			(attribute, score, text, lang, client_token, community_id, suggested_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			sg.Attribute, sg.Score, sg.Text, sg.Lang, sg.ClientToken, sg.CommunityID, sg.SuggestedBy, micros(sg.CreatedAt)).Scan(&sg.ID)
		if err != nil {
			return fmt.Errorf("review: suggest: %w", err)
		}
		return nil
	})
}

// Suggestions calls fn for every suggestion stored at or after since, in
// the order they came. It is how they are exported for training.
func (s *Store) Suggestions(ctx context.Context, since time.Time, fn func(*vigil.Suggestion) error) error {
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT id, attribute, score, text, lang, client_token, community_id, suggested_by, created_at
		FROM review_suggestions WHERE created_at >= ? ORDER BY created_at, id`), micros(since))
	if err != nil {
		return fmt.Errorf("review: suggestions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sg vigil.Suggestion
		var at int64
		if err := rows.Scan(&sg.ID, &sg.Attribute, &sg.Score, &sg.Text, &sg.Lang, &sg.ClientToken, &sg.CommunityID, &sg.SuggestedBy, &at); err != nil {
			return fmt.Errorf("review: suggestions: %w", err)
		}
		sg.CreatedAt = fromMicros(at)
		if err := fn(&sg); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("review: suggestions: %w", err)
	}
	return nil
}
