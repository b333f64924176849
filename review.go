package vigil

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Review statuses. An item starts pending; approve and reject are final;
// escalate hands the item to an admin; an edited resubmission of the same
// document supersedes the items of it that are still open. Claimed is not
// stored: it names an open item held by a moderator's live lease (ClaimedBy,
// LeaseUntil), as counted in metrics and used in filters.
const (
	ReviewPending    = "pending"
	ReviewClaimed    = "claimed"
	ReviewEscalated  = "escalated"
	ReviewApproved   = "approved"
	ReviewRejected   = "rejected"
	ReviewSuperseded = "superseded"
)

// ReviewStatuses lists every review status, open ones first.
var ReviewStatuses = []string{ReviewPending, ReviewClaimed, ReviewEscalated, ReviewApproved, ReviewRejected, ReviewSuperseded}

// Moderators' decisions. Approve publishes the document (the flags were
// wrong); reject keeps it off the site (the flags were right); escalate sends
// it to an admin, who makes the final call.
const (
	DecisionApprove  = "approve"
	DecisionReject   = "reject"
	DecisionEscalate = "escalate"
)

// Audit actions besides the decisions themselves.
const (
	AuditEnqueue     = "enqueue"
	AuditSupersede   = "supersede"
	AuditClaim       = "claim"
	AuditRelease     = "release"
	AuditLeaseExpiry = "lease_expired"
)

// SystemActor is the audit actor for changes no person made (enqueue from the
// pipeline, lease expiry).
const SystemActor = "system"

// ReviewItem is one document waiting for, or having had, a moderator's
// decision. It holds the document as submitted and the verdict that sent it
// to review, with the evidence of every flag.
type ReviewItem struct {
	ID int64 `json:"id"`
	// DocID and ContentHash identify the submission: the same document with
	// the same content is queued once; new content supersedes open items.
	DocID       string `json:"doc_id"`
	ContentHash string `json:"content_hash"`
	Status      string `json:"status"`
	// Severity orders the queue, highest first; see ReviewSeverity.
	Severity float64  `json:"severity"`
	Document Document `json:"document"`
	Verdict  Verdict  `json:"verdict"`

	// ClaimedBy and LeaseUntil are set while a moderator holds the item.
	ClaimedBy  string     `json:"claimed_by,omitempty"`
	LeaseUntil *time.Time `json:"lease_until,omitempty"`

	// The latest decision, if any (an escalated item has one and is still open).
	Decision      string     `json:"decision,omitempty"`
	Note          string     `json:"note,omitempty"`
	CorrectedTags []string   `json:"corrected_tags,omitempty"`
	DecidedBy     string     `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`

	// SupersededBy is the item that replaced this one.
	SupersededBy int64     `json:"superseded_by,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Open reports whether the item still needs a decision.
func (it *ReviewItem) Open() bool {
	switch it.Status {
	case ReviewPending, ReviewClaimed, ReviewEscalated:
		return true
	}
	return false
}

// ReviewAudit is one entry of the review audit log: who did what to which
// item when, with the item's state before and after.
type ReviewAudit struct {
	ID     int64        `json:"id"`
	ItemID int64        `json:"item_id"`
	DocID  string       `json:"doc_id"`
	Actor  string       `json:"actor"`
	Action string       `json:"action"`
	Note   string       `json:"note,omitempty"`
	At     time.Time    `json:"at"`
	Before *ReviewState `json:"before,omitempty"`
	After  *ReviewState `json:"after,omitempty"`
}

// ReviewState is the part of a ReviewItem an action can change.
type ReviewState struct {
	Status        string     `json:"status"`
	ClaimedBy     string     `json:"claimed_by,omitempty"`
	LeaseUntil    *time.Time `json:"lease_until,omitempty"`
	Decision      string     `json:"decision,omitempty"`
	Note          string     `json:"note,omitempty"`
	CorrectedTags []string   `json:"corrected_tags,omitempty"`
	SupersededBy  int64      `json:"superseded_by,omitempty"`
}

// State returns the changeable part of it.
func (it *ReviewItem) State() ReviewState {
	return ReviewState{
		Status: it.Status, ClaimedBy: it.ClaimedBy, LeaseUntil: it.LeaseUntil,
		Decision: it.Decision, Note: it.Note, CorrectedTags: it.CorrectedTags,
		SupersededBy: it.SupersededBy,
	}
}

// ContentHash returns the hex SHA-256 of what a moderator judges in d: kind,
// language, section, author, title and body. Two submissions of one document
// id with equal hashes are the same review item.
func ContentHash(d *Document) string {
	h := sha256.New()
	for _, s := range []string{d.Kind, d.Lang, d.Section, d.Author, d.Title, d.Body} {
		// Length-prefix every part so that field boundaries cannot shift.
		var n [8]byte
		l := uint64(len(s))
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ReviewSeverity orders the moderators' queue: an extremist-recruitment flag
// outranks every other flag, then the highest flag score decides. The result
// is in [0, 2): 1 + score with a recruitment flag, the best score without.
func ReviewSeverity(v *Verdict) float64 {
	var best float64
	recruit := false
	for _, f := range v.Flags {
		s := min(max(f.Score, 0), 0.999999)
		if f.Name == FlagExtremistRecruitment {
			if !recruit || s > best {
				best = s
			}
			recruit = true
		} else if !recruit && s > best {
			best = s
		}
	}
	if recruit {
		return 1 + best
	}
	return best
}
