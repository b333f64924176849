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
	// DecisionUndo withdraws the item's decision: it is open again, as
	// before it. It is audited and sent to the CMS like a decision.
	DecisionUndo = "undo"
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

// Severity levels of a review item, as the moderators' page shows them.
const (
	SeverityLow    = "low"
	SeverityMedium = "medium"
	SeverityHigh   = "high"
)

// ReviewSeverity orders the moderators' queue. Its integer part is the
// level (SeverityLevel: 0 low, 1 medium, 2 high), decided from the flags'
// calibrated scores and what their evidence shows in the text:
//
//   - high: an extremist-recruitment flag scored at least 0.8 whose text
//     evidence has a rule that fired, or both a call to act and a cause;
//     or any flag scored at least 0.95 with a rule that fired;
//   - medium: a recruitment flag scored at least 0.5 or with any text
//     evidence (rule, call or cause); any other flag at least 0.8;
//   - low: the rest, such as the model's word alone on a low score.
//
// Within a level a recruitment flag comes first, then the best score:
// the fraction is 0.5 + score/2 with a recruitment flag, score/2 without.
// The result is in [0, 3).
func ReviewSeverity(v *Verdict) float64 {
	level, best, recruit := 0, 0.0, false
	for _, f := range v.Flags {
		s := min(max(f.Score, 0), 0.999999)
		var rule, call, cause bool
		for _, e := range f.Evidence {
			switch {
			case e.Group == EvidenceCall:
				call = true
			case e.Group == EvidenceCause:
				cause = true
			case e.Group == EvidenceRule, e.Group == "" && e.Rule != "":
				rule = true
			}
		}
		l := 0
		if f.Name == FlagExtremistRecruitment {
			switch {
			case s >= 0.8 && (rule || call && cause):
				l = 2
			case s >= 0.5 || rule || call || cause:
				l = 1
			}
		} else {
			switch {
			case s >= 0.95 && rule:
				l = 2
			case s >= 0.8:
				l = 1
			}
		}
		isRecruit := f.Name == FlagExtremistRecruitment
		switch {
		case l > level:
			level, best, recruit = l, s, isRecruit
		case l == level && (isRecruit && !recruit || isRecruit == recruit && s > best):
			best, recruit = s, isRecruit
		}
	}
	frac := best / 2
	if recruit {
		frac += 0.5
	}
	return float64(level) + frac
}

// SeverityLevel is the level of a ReviewSeverity: SeverityLow,
// SeverityMedium or SeverityHigh.
func SeverityLevel(severity float64) string {
	switch {
	case severity >= 2:
		return SeverityHigh
	case severity >= 1:
		return SeverityMedium
	}
	return SeverityLow
}
