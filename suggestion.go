package vigil

import "time"

// Suggestion is a score a client suggests for a comment, as training
// feedback: Perspective's SuggestCommentScore (a moderator's label sent by
// a comment platform). Attribute is Perspective's name for what is scored
// (TOXICITY, or a moderation outcome such as Coral's APPROVED and
// DELETED); Score is in [0, 1].
type Suggestion struct {
	ID          int64     `json:"id"`
	Attribute   string    `json:"attribute"`
	Score       float64   `json:"score"`
	Text        string    `json:"text"`
	Lang        string    `json:"lang,omitempty"`
	ClientToken string    `json:"client_token,omitempty"`
	CommunityID string    `json:"community_id,omitempty"`
	SuggestedBy string    `json:"suggested_by"` // the caller's name, never its token
	CreatedAt   time.Time `json:"created_at"`
}

// Suggested attributes Vigil turns into flags (see Suggestion.Flags).
const (
	AttributeToxicity = "TOXICITY"
	// AttributeApproved and AttributeDeleted are Coral Talk's moderation
	// outcomes, which it sends as attribute names with the score 1.
	AttributeApproved = "APPROVED"
	AttributeDeleted  = "DELETED"
)

// Flags returns the gold flags the suggestion gives its comment, and
// whether it gives any label at all: toxic for TOXICITY at or above 0.5
// or a DELETED comment, none for TOXICITY below 0.5 or an APPROVED
// comment (a score under 0.5 reverses an outcome). Another attribute
// gives no label.
func (s Suggestion) Flags() (flags []string, ok bool) {
	toxic := s.Score >= 0.5
	switch s.Attribute {
	case AttributeToxicity, AttributeDeleted:
	case AttributeApproved:
		toxic = !toxic
	default:
		return nil, false
	}
	if toxic {
		return []string{FlagToxic}, true
	}
	return []string{}, true
}
