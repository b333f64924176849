package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

// Limits on what a moderator may write.
const (
	MaxNoteBytes = 4000
	MaxTags      = 32
	MaxTagBytes  = 64
	MaxBulk      = 500
)

// openStatuses selects the items still needing a decision. It is written
// out literally, as in the partial index of open items, so that both
// databases' planners use that index.
const openStatuses = "status IN ('pending', 'escalated')"

// itemColumns is the column list scanItem reads, in order.
const itemColumns = `id, doc_id, content_hash, status, severity, document, verdict, claimed_by, lease_until,
	decision, note, corrected_tags, decided_by, decided_at, superseded_by, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanItem(row scanner) (*vigil.ReviewItem, error) {
	var (
		it                    vigil.ReviewItem
		doc, verdict, tags    string
		lease, decided, super sql.NullInt64
		created, updated      int64
	)
	err := row.Scan(&it.ID, &it.DocID, &it.ContentHash, &it.Status, &it.Severity, &doc, &verdict,
		&it.ClaimedBy, &lease, &it.Decision, &it.Note, &tags, &it.DecidedBy, &decided, &super, &created, &updated)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), &it.Document); err != nil {
		return nil, fmt.Errorf("review: item %d: document: %w", it.ID, err)
	}
	if err := json.Unmarshal([]byte(verdict), &it.Verdict); err != nil {
		return nil, fmt.Errorf("review: item %d: verdict: %w", it.ID, err)
	}
	if tags != "" {
		if err := json.Unmarshal([]byte(tags), &it.CorrectedTags); err != nil {
			return nil, fmt.Errorf("review: item %d: corrected tags: %w", it.ID, err)
		}
	}
	it.LeaseUntil = nullTime(lease)
	it.DecidedAt = nullTime(decided)
	it.SupersededBy = super.Int64
	it.CreatedAt, it.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &it, nil
}

// claimedAt reports whether it is held by a live lease at now.
func claimedAt(it *vigil.ReviewItem, now time.Time) bool {
	return it.ClaimedBy != "" && it.LeaseUntil != nil && it.LeaseUntil.After(now)
}

// Enqueue puts a document that the pipeline sent to review into the queue.
// It is idempotent: the same document id with the same content (see
// vigil.ContentHash) is queued once, however often it is submitted. New
// content under a known id supersedes the id's items that are still open.
// When Enqueue returns nil the item is committed to durable storage.
func (s *Store) Enqueue(ctx context.Context, doc vigil.Document, v vigil.Verdict) error {
	_, _, err := s.Put(ctx, doc, v)
	return err
}

// storable checks that v can be stored and queried as database text: valid
// UTF-8 without NUL (PostgreSQL refuses NUL in text). A value that is not
// is bad input (EINVALID, naming field), never a storage failure that a
// caller would retry forever.
func storable(field, v string) error {
	if !utf8.ValidString(v) {
		return vigil.Errorf(vigil.EINVALID, "%s: invalid UTF-8", field)
	}
	if i := strings.IndexByte(v, 0); i >= 0 {
		return vigil.Errorf(vigil.EINVALID, "%s: NUL character (\\u0000) at byte %d", field, i)
	}
	return nil
}

// submission is a review verdict ready to store.
type submission struct {
	doc                  vigil.Document
	v                    *vigil.Verdict
	hash, flags          string
	docJSON, verdictJSON string
}

func prepare(doc vigil.Document, v *vigil.Verdict) (*submission, error) {
	if doc.ID == "" {
		return nil, vigil.Errorf(vigil.EINVALID, "review: document has no id")
	}
	if len(doc.ID) > vigil.MaxIDBytes {
		return nil, vigil.Errorf(vigil.EINVALID, "review: document id is %d bytes, more than %d", len(doc.ID), vigil.MaxIDBytes)
	}
	for _, f := range []struct{ name, v string }{{"id", doc.ID}, {"kind", doc.Kind}, {"section", doc.Section}, {"author", doc.Author}, {"lang", doc.Lang}} {
		if err := storable(f.name, f.v); err != nil {
			return nil, vigil.Errorf(vigil.EINVALID, "review: document %q: %s", doc.ID, vigil.ErrorMessage(err))
		}
	}
	if doc.Kind == "" {
		doc.Kind = vigil.KindArticle
	}
	if doc.Lang == "" {
		doc.Lang = v.Lang
	}
	sub := &submission{doc: doc, v: v, hash: vigil.ContentHash(&doc)}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("review: encode document %q: %w", doc.ID, err)
	}
	sub.docJSON = string(b)
	if b, err = json.Marshal(v); err != nil {
		return nil, fmt.Errorf("review: encode verdict %q: %w", doc.ID, err)
	}
	sub.verdictJSON = string(b)
	flags := make([]string, 0, len(v.Flags))
	for _, f := range v.Flags {
		flags = append(flags, f.Name)
	}
	sub.flags = "," + strings.Join(flags, ",") + ","
	return sub, nil
}

// Put is Enqueue returning the item's id and whether it was created now
// (false: it was already queued).
func (s *Store) Put(ctx context.Context, doc vigil.Document, v vigil.Verdict) (id int64, created bool, err error) {
	sub, err := prepare(doc, &v)
	if err != nil {
		return 0, false, err
	}
	id, created, err = s.submit(ctx, sub)
	if err != nil {
		return 0, false, fmt.Errorf("review: enqueue %q: %w", doc.ID, err)
	}
	return id, created, nil
}

// EnqueueMany is Enqueue for several verdicts at once (a batch check): all
// are committed in one transaction, so with one disk sync, or none is. The
// two slices are parallel.
func (s *Store) EnqueueMany(ctx context.Context, docs []vigil.Document, verdicts []vigil.Verdict) error {
	if len(docs) != len(verdicts) {
		return vigil.Errorf(vigil.EINVALID, "review: %d documents but %d verdicts", len(docs), len(verdicts))
	}
	subs := make([]*submission, len(docs))
	for i := range docs {
		var err error
		if subs[i], err = prepare(docs[i], &verdicts[i]); err != nil {
			return err
		}
	}
	// One order for every transaction, so that concurrent batches take
	// PostgreSQL's per-document locks without deadlocking.
	slices.SortStableFunc(subs, func(a, b *submission) int { return strings.Compare(a.doc.ID, b.doc.ID) })
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := micros(s.now())
		for _, sub := range subs {
			if _, _, err := s.put(ctx, tx, sub, now); err != nil {
				return fmt.Errorf("%q: %w", sub.doc.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("review: enqueue %d documents: %w", len(docs), err)
	}
	return nil
}

// put stores one submission inside tx: a new pending item that supersedes
// the document's older open items, or nothing when the same content is
// already queued.
func (s *Store) put(ctx context.Context, tx *sql.Tx, sub *submission, now int64) (id int64, created bool, err error) {
	doc := &sub.doc
	if s.pg {
		// Serialize submissions of one document across servers, so that
		// exactly one of two concurrent edits stays open.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7157002, hashtext($1))`, doc.ID); err != nil {
			return 0, false, err
		}
	}
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO review_items
		(doc_id, content_hash, status, severity, kind, section, author, lang, flags, document, verdict, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (doc_id, content_hash) DO NOTHING RETURNING id`),
		doc.ID, sub.hash, vigil.ReviewPending, vigil.ReviewSeverity(sub.v), doc.Kind, doc.Section, doc.Author, doc.Lang,
		sub.flags, sub.docJSON, sub.verdictJSON, now, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, s.q(`SELECT id FROM review_items WHERE doc_id = ? AND content_hash = ?`), doc.ID, sub.hash).Scan(&id)
		return id, false, err
	}
	if err != nil {
		return 0, false, err
	}
	after := vigil.ReviewState{Status: vigil.ReviewPending}
	if err := s.audit(ctx, tx, id, doc.ID, vigil.SystemActor, vigil.AuditEnqueue, "", now, nil, &after); err != nil {
		return 0, false, err
	}
	if doc.Kind == vigil.KindComment {
		if err := s.saveSketch(ctx, tx, id, campaignText(doc)); err != nil {
			return 0, false, err
		}
	}
	// Supersede the document's older open items.
	rows, err := tx.QueryContext(ctx, s.q(`SELECT `+itemColumns+` FROM review_items
		WHERE doc_id = ? AND id <> ? AND `+openStatuses+` FOR UPDATE`), doc.ID, id)
	if err != nil {
		return 0, false, err
	}
	var old []*vigil.ReviewItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return 0, false, err
		}
		old = append(old, it)
	}
	if err := rows.Close(); err != nil {
		return 0, false, err
	}
	for _, it := range old {
		before := it.State()
		it.Status, it.SupersededBy, it.ClaimedBy, it.LeaseUntil = vigil.ReviewSuperseded, id, "", nil
		after := it.State()
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE review_items SET status = ?, superseded_by = ?, claimed_by = '', lease_until = NULL, updated_at = ? WHERE id = ?`),
			vigil.ReviewSuperseded, id, now, it.ID); err != nil {
			return 0, false, err
		}
		if err := s.audit(ctx, tx, it.ID, it.DocID, vigil.SystemActor, vigil.AuditSupersede, fmt.Sprintf("new content in item %d", id), now, &before, &after); err != nil {
			return 0, false, err
		}
		if err := s.dropSketch(ctx, tx, it.ID); err != nil {
			return 0, false, err
		}
	}
	return id, true, nil
}

func (s *Store) audit(ctx context.Context, tx *sql.Tx, itemID int64, docID, actor, action, note string, at int64, before, after *vigil.ReviewState) error {
	enc := func(st *vigil.ReviewState) (string, error) {
		if st == nil {
			return "", nil
		}
		b, err := json.Marshal(st)
		return string(b), err
	}
	b, err := enc(before)
	if err != nil {
		return err
	}
	a, err := enc(after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO review_audit (item_id, doc_id, actor, action, note, at, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		itemID, docID, actor, action, note, at, b, a)
	return err
}

// Get returns one item.
func (s *Store) Get(ctx context.Context, id int64) (*vigil.ReviewItem, error) {
	it, err := scanItem(s.rdb.QueryRowContext(ctx, s.q(`SELECT `+itemColumns+` FROM review_items WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigil.Errorf(vigil.ENOTFOUND, "review item %d not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("review: get %d: %w", id, err)
	}
	return it, nil
}

// lockItem reads an item for update inside tx.
func (s *Store) lockItem(ctx context.Context, tx *sql.Tx, id int64) (*vigil.ReviewItem, error) {
	it, err := scanItem(tx.QueryRowContext(ctx, s.q(`SELECT `+itemColumns+` FROM review_items WHERE id = ? FOR UPDATE`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vigil.Errorf(vigil.ENOTFOUND, "review item %d not found", id)
	}
	return it, err
}

func canWork(p vigil.Principal) error {
	if p.Name == "" {
		return vigil.Errorf(vigil.EUNAUTHORIZED, "review: no authenticated moderator")
	}
	if p.Role != vigil.RoleModerator && p.Role != vigil.RoleAdmin {
		return vigil.Errorf(vigil.EFORBIDDEN, "review: role %q may not work the review queue", p.Role)
	}
	return nil
}

// checkOpen says why p may not act on it now, or nil.
func checkOpen(it *vigil.ReviewItem, p vigil.Principal, now time.Time) error {
	if !it.Open() {
		return vigil.Errorf(vigil.ECONFLICT, "review item %d is %s", it.ID, it.Status)
	}
	if it.Status == vigil.ReviewEscalated && p.Role != vigil.RoleAdmin {
		return vigil.Errorf(vigil.EFORBIDDEN, "review item %d is escalated: an admin decides it", it.ID)
	}
	if claimedAt(it, now) && it.ClaimedBy != p.Name {
		return vigil.Errorf(vigil.ECONFLICT, "review item %d is claimed by %s until %s", it.ID, it.ClaimedBy, it.LeaseUntil.Format(time.RFC3339))
	}
	return nil
}

func clampLease(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultLease
	}
	return min(d, MaxLease)
}

// Claim gives p the item for lease (DefaultLease when 0, at most MaxLease):
// nobody else can decide it until the lease ends or p releases it. Claiming
// an item one already holds renews the lease.
func (s *Store) Claim(ctx context.Context, p vigil.Principal, id int64, lease time.Duration) (*vigil.ReviewItem, error) {
	return s.claimOne(ctx, p, id, lease, false)
}

// Hold is Claim for the moderators' page, which holds the item on screen
// while a moderator reads it: the same lease, but quiet. Neither the hold
// nor its Unhold or expiry is written to the audit log (they are logged at
// debug level), so moving through the queue leaves the log to decisions.
// A hold on an item p already claimed with Claim renews it and stays in
// the log's account.
func (s *Store) Hold(ctx context.Context, p vigil.Principal, id int64, lease time.Duration) (*vigil.ReviewItem, error) {
	return s.claimOne(ctx, p, id, lease, true)
}

func (s *Store) claimOne(ctx context.Context, p vigil.Principal, id int64, lease time.Duration, quiet bool) (*vigil.ReviewItem, error) {
	if err := canWork(p); err != nil {
		return nil, err
	}
	var out *vigil.ReviewItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		it, err := s.lockItem(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		if err := checkOpen(it, p, now); err != nil {
			return err
		}
		mark := quiet
		if quiet && claimedAt(it, now) {
			// Renewing: a claim made loudly stays loud (its release is
			// audited); the renewal itself is not.
			if mark, err = s.quietClaim(ctx, tx, id); err != nil {
				return err
			}
		}
		out, err = s.claim(ctx, tx, it, p, now, clampLease(lease), mark, !quiet)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("review: claim %d: %w", id, err)
	}
	return out, nil
}

// quietClaim reports whether the item's claim is a page's hold.
func (s *Store) quietClaim(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	var q int
	err := tx.QueryRowContext(ctx, s.q(`SELECT claim_quiet FROM review_items WHERE id = ?`), id).Scan(&q)
	return q == 1, err
}

// claim sets p's lease on it; quiet marks it a page's hold, audit writes
// the claim to the audit log.
func (s *Store) claim(ctx context.Context, tx *sql.Tx, it *vigil.ReviewItem, p vigil.Principal, now time.Time, lease time.Duration, quiet, audit bool) (*vigil.ReviewItem, error) {
	before := it.State()
	until := now.Add(lease).UTC().Truncate(time.Microsecond)
	it.ClaimedBy, it.LeaseUntil, it.UpdatedAt = p.Name, &until, now.UTC().Truncate(time.Microsecond)
	after := it.State()
	q := 0
	if quiet {
		q = 1
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE review_items SET claimed_by = ?, lease_until = ?, updated_at = ?, claim_quiet = ? WHERE id = ?`),
		p.Name, micros(until), micros(now), q, it.ID); err != nil {
		return nil, err
	}
	if !audit {
		s.log.DebugContext(ctx, "review hold", "item", it.ID, "moderator", p.Name, "until", until)
		return it, nil
	}
	return it, s.audit(ctx, tx, it.ID, it.DocID, p.Name, vigil.AuditClaim, "", micros(now), &before, &after)
}

// ClaimNext claims up to n items for p, most severe first, skipping items
// under a live claim (p's own included: Claim renews those). Escalated items are offered to admins only. On
// PostgreSQL concurrent callers never get the same item (SKIP LOCKED).
func (s *Store) ClaimNext(ctx context.Context, p vigil.Principal, n int, lease time.Duration) ([]*vigil.ReviewItem, error) {
	if err := canWork(p); err != nil {
		return nil, err
	}
	if n <= 0 || n > MaxBulk {
		return nil, vigil.Errorf(vigil.EINVALID, "review: claim count %d: want 1..%d", n, MaxBulk)
	}
	lease = clampLease(lease)
	// The open-items index (migration 2) serves this walk in queue order;
	// its predicate is repeated literally so SQLite's planner can use it.
	only := "status = 'pending'"
	if p.Role == vigil.RoleAdmin {
		only = "1 = 1"
	}
	var out []*vigil.ReviewItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+itemColumns+` FROM review_items
			WHERE `+openStatuses+` AND `+only+` AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY severity DESC, created_at, id LIMIT ? FOR UPDATE SKIP LOCKED`), micros(now), n)
		if err != nil {
			return err
		}
		var items []*vigil.ReviewItem
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				rows.Close()
				return err
			}
			items = append(items, it)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, it := range items {
			it, err := s.claim(ctx, tx, it, p, now, lease, false, true)
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("review: claim next: %w", err)
	}
	return out, nil
}

// Release gives back p's claim on the item. An admin may release anyone's.
func (s *Store) Release(ctx context.Context, p vigil.Principal, id int64) (*vigil.ReviewItem, error) {
	return s.release(ctx, p, id, false)
}

// Unhold gives back a hold the page made (Hold). Like Release, but the
// release of a hold is not audited; a claim made with Claim still is.
func (s *Store) Unhold(ctx context.Context, p vigil.Principal, id int64) (*vigil.ReviewItem, error) {
	return s.release(ctx, p, id, true)
}

func (s *Store) release(ctx context.Context, p vigil.Principal, id int64, quiet bool) (*vigil.ReviewItem, error) {
	if err := canWork(p); err != nil {
		return nil, err
	}
	var out *vigil.ReviewItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		it, err := s.lockItem(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		if !claimedAt(it, now) {
			return vigil.Errorf(vigil.ECONFLICT, "review item %d is not claimed", id)
		}
		if it.ClaimedBy != p.Name && p.Role != vigil.RoleAdmin {
			return vigil.Errorf(vigil.EFORBIDDEN, "review item %d is claimed by %s, not you", id, it.ClaimedBy)
		}
		if quiet {
			if quiet, err = s.quietClaim(ctx, tx, id); err != nil {
				return err
			}
		}
		before := it.State()
		it.ClaimedBy, it.LeaseUntil, it.UpdatedAt = "", nil, now.UTC().Truncate(time.Microsecond)
		after := it.State()
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE review_items SET claimed_by = '', lease_until = NULL, updated_at = ? WHERE id = ?`), micros(now), id); err != nil {
			return err
		}
		out = it
		if quiet {
			s.log.DebugContext(ctx, "review unhold", "item", id, "moderator", p.Name)
			return nil
		}
		return s.audit(ctx, tx, id, it.DocID, p.Name, vigil.AuditRelease, "", micros(now), &before, &after)
	})
	if err != nil {
		return nil, fmt.Errorf("review: release %d: %w", id, err)
	}
	return out, nil
}

// Decision is a moderator's call on an item.
type Decision struct {
	Decision string `json:"decision"`
	Note     string `json:"note,omitempty"`
	// Tags, when set, are the document's correct topic tags, replacing the
	// verdict's for training.
	Tags []string `json:"tags,omitempty"`
}

// Validate checks and normalizes d (tags trimmed, lower-cased, deduplicated).
func (d *Decision) Validate() error {
	switch d.Decision {
	case vigil.DecisionApprove, vigil.DecisionReject, vigil.DecisionEscalate:
	case "":
		return vigil.Errorf(vigil.EINVALID, "decision: missing (want approve, reject or escalate)")
	default:
		return vigil.Errorf(vigil.EINVALID, "decision: %q is not approve, reject or escalate", d.Decision)
	}
	if len(d.Note) > MaxNoteBytes {
		return vigil.Errorf(vigil.EINVALID, "note: %d bytes, more than %d", len(d.Note), MaxNoteBytes)
	}
	if err := storable("note", d.Note); err != nil {
		return err
	}
	if len(d.Tags) > MaxTags {
		return vigil.Errorf(vigil.EINVALID, "tags: %d, more than %d", len(d.Tags), MaxTags)
	}
	tags := make([]string, 0, len(d.Tags))
	for i, t := range d.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || len(t) > MaxTagBytes || !utf8.ValidString(t) || strings.ContainsAny(t, ", \t\r\n\x00") {
			return vigil.Errorf(vigil.EINVALID, "tags[%d]: %q is not a tag name (1..%d bytes, no spaces or commas)", i, d.Tags[i], MaxTagBytes)
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(d.Tags) > 0 {
		d.Tags = tags
	}
	return nil
}

func statusOf(decision string) string {
	switch decision {
	case vigil.DecisionApprove:
		return vigil.ReviewApproved
	case vigil.DecisionReject:
		return vigil.ReviewRejected
	}
	return vigil.ReviewEscalated
}

// Decide records p's decision on the item. The item must be open, not held
// by another moderator's live claim, and, once escalated, decided by an
// admin. Deciding releases p's claim.
func (s *Store) Decide(ctx context.Context, p vigil.Principal, id int64, d Decision) (*vigil.ReviewItem, error) {
	if err := canWork(p); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *vigil.ReviewItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.eventsLock(ctx, tx); err != nil {
			return err
		}
		var err error
		out, err = s.decide(ctx, tx, p, id, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("review: decide %d: %w", id, err)
	}
	if s.onDecid != nil {
		s.onDecid(d.Decision)
	}
	return out, nil
}

func (s *Store) decide(ctx context.Context, tx *sql.Tx, p vigil.Principal, id int64, d Decision) (*vigil.ReviewItem, error) {
	it, err := s.lockItem(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := checkOpen(it, p, now); err != nil {
		return nil, err
	}
	if d.Decision == vigil.DecisionEscalate && it.Status == vigil.ReviewEscalated {
		return nil, vigil.Errorf(vigil.ECONFLICT, "review item %d is already escalated", id)
	}
	before := it.State()
	nowT := now.UTC().Truncate(time.Microsecond)
	it.Status, it.Decision, it.Note, it.CorrectedTags = statusOf(d.Decision), d.Decision, d.Note, d.Tags
	it.DecidedBy, it.DecidedAt, it.ClaimedBy, it.LeaseUntil, it.UpdatedAt = p.Name, &nowT, "", nil, nowT
	after := it.State()
	tags := ""
	if len(d.Tags) > 0 {
		b, _ := json.Marshal(d.Tags)
		tags = string(b)
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE review_items SET status = ?, decision = ?, note = ?, corrected_tags = ?,
		decided_by = ?, decided_at = ?, claimed_by = '', lease_until = NULL, updated_at = ? WHERE id = ?`),
		it.Status, d.Decision, d.Note, tags, p.Name, micros(now), micros(now), id); err != nil {
		return nil, err
	}
	if err := s.recordDecision(ctx, tx, it, micros(now)); err != nil {
		return nil, err
	}
	if !it.Open() {
		if err := s.dropSketch(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	return it, s.audit(ctx, tx, id, it.DocID, p.Name, d.Decision, d.Note, micros(now), &before, &after)
}

// UndoWindow is how long the moderator who decided an item may undo the
// decision. Admins may undo any decision at any time.
const UndoWindow = 10 * time.Minute

// Undo withdraws the decision on item id: the item is open again with the
// status it had before (pending, or escalated when an admin decided an
// escalated item), its decision, note and tags cleared. Only the moderator
// who decided may undo, within UndoWindow; admins may undo any decision.
// The undo is audited and written to the outbox as a decision "undo", so
// the CMS holds the document back again. Errors: ECONFLICT when the item is
// not decided, EFORBIDDEN when p may not undo it.
func (s *Store) Undo(ctx context.Context, p vigil.Principal, id int64, note string) (*vigil.ReviewItem, error) {
	if err := canWork(p); err != nil {
		return nil, err
	}
	if err := (&Decision{Decision: vigil.DecisionApprove, Note: note}).Validate(); err != nil {
		return nil, err
	}
	var out *vigil.ReviewItem
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.eventsLock(ctx, tx); err != nil {
			return err
		}
		it, err := s.lockItem(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		if it.Decision == "" || it.DecidedAt == nil || it.Status == vigil.ReviewSuperseded {
			return vigil.Errorf(vigil.ECONFLICT, "review item %d has no decision to undo", id)
		}
		if err := canUndo(it, p, now); err != nil {
			return err
		}
		// The status before the decision, from its audit entry.
		status := vigil.ReviewPending
		var raw string
		err = tx.QueryRowContext(ctx, s.q(`SELECT before FROM review_audit WHERE item_id = ? AND action = ? ORDER BY id DESC LIMIT 1`), id, it.Decision).Scan(&raw)
		var prev vigil.ReviewState
		switch {
		case err == nil && json.Unmarshal([]byte(raw), &prev) == nil && prev.Status == vigil.ReviewEscalated:
			status = vigil.ReviewEscalated
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		before := it.State()
		nowT := now.UTC().Truncate(time.Microsecond)
		undone := *it
		it.Status, it.Decision, it.Note, it.CorrectedTags, it.DecidedBy, it.DecidedAt, it.UpdatedAt = status, "", "", nil, "", nil, nowT
		after := it.State()
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE review_items SET status = ?, decision = '', note = '', corrected_tags = '',
			decided_by = '', decided_at = NULL, updated_at = ? WHERE id = ?`), status, micros(now), id); err != nil {
			return err
		}
		undone.Decision, undone.DecidedBy, undone.Note, undone.CorrectedTags = vigil.DecisionUndo, p.Name, note, nil
		if err := s.recordDecision(ctx, tx, &undone, micros(now)); err != nil {
			return err
		}
		if sketchable(it) {
			if err := s.saveSketch(ctx, tx, id, campaignText(&it.Document)); err != nil {
				return err
			}
		}
		out = it
		return s.audit(ctx, tx, id, it.DocID, p.Name, vigil.DecisionUndo, note, micros(now), &before, &after)
	})
	if err != nil {
		return nil, fmt.Errorf("review: undo %d: %w", id, err)
	}
	if s.onDecid != nil {
		s.onDecid(vigil.DecisionUndo)
	}
	return out, nil
}

// canUndo says whether p may undo the decision on it at now.
func canUndo(it *vigil.ReviewItem, p vigil.Principal, now time.Time) error {
	if p.Role == vigil.RoleAdmin {
		return nil
	}
	if it.DecidedBy != p.Name {
		return vigil.Errorf(vigil.EFORBIDDEN, "review item %d was decided by %s: only they or an admin may undo it", it.ID, it.DecidedBy)
	}
	if it.DecidedAt == nil || now.Sub(*it.DecidedAt) > UndoWindow {
		return vigil.Errorf(vigil.EFORBIDDEN, "review item %d was decided more than %v ago: only an admin may undo it now", it.ID, UndoWindow)
	}
	return nil
}

// BulkResult is the outcome of one item of a bulk decision.
type BulkResult struct {
	ID    int64             `json:"id"`
	Item  *vigil.ReviewItem `json:"item,omitempty"`
	Error *vigil.Error      `json:"error,omitempty"`
}

// DecideMany applies one decision to many items. Each item succeeds or
// fails on its own (an item another moderator holds is reported, the rest
// go through); the error return is for invalid input or storage failure.
func (s *Store) DecideMany(ctx context.Context, p vigil.Principal, ids []int64, d Decision) ([]BulkResult, error) {
	if err := canWork(p); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > MaxBulk {
		return nil, vigil.Errorf(vigil.EINVALID, "ids: %d given, want 1..%d", len(ids), MaxBulk)
	}
	out := make([]BulkResult, len(ids))
	decided := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		decided = 0
		if err := s.eventsLock(ctx, tx); err != nil {
			return err
		}
		for i, id := range ids {
			out[i] = BulkResult{ID: id}
			if slices.Contains(ids[:i], id) {
				out[i].Error = vigil.Errorf(vigil.EINVALID, "review item %d listed twice", id)
				continue
			}
			it, err := s.decide(ctx, tx, p, id, d)
			var ve *vigil.Error
			switch {
			case err == nil:
				out[i].Item = it
				decided++
			case errors.As(err, &ve):
				out[i].Error = ve
			default:
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("review: bulk decide: %w", err)
	}
	if s.onDecid != nil {
		for range decided {
			s.onDecid(d.Decision)
		}
	}
	return out, nil
}

// ExpireLeases frees every claim whose lease has ended and logs each in the
// audit log. It returns how many it freed. Expired leases never block other
// moderators anyway; this keeps the stored state and the counts honest.
func (s *Store) ExpireLeases(ctx context.Context) (int, error) {
	n := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		n = 0
		now := s.now()
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+itemColumns+` FROM review_items WHERE lease_until IS NOT NULL AND lease_until <= ? FOR UPDATE SKIP LOCKED`), micros(now))
		if err != nil {
			return err
		}
		var items []*vigil.ReviewItem
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				rows.Close()
				return err
			}
			items = append(items, it)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, it := range items {
			quiet, err := s.quietClaim(ctx, tx, it.ID)
			if err != nil {
				return err
			}
			before := it.State()
			it.ClaimedBy, it.LeaseUntil = "", nil
			after := it.State()
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE review_items SET claimed_by = '', lease_until = NULL, updated_at = ? WHERE id = ?`), micros(now), it.ID); err != nil {
				return err
			}
			n++
			if quiet {
				s.log.Debug("review hold expired", "item", it.ID, "moderator", before.ClaimedBy)
				continue
			}
			if err := s.audit(ctx, tx, it.ID, it.DocID, vigil.SystemActor, vigil.AuditLeaseExpiry, "", micros(now), &before, &after); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM review_sessions WHERE expires_at <= ?`), micros(now))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("review: expire leases: %w", err)
	}
	if n > 0 {
		s.log.Info("review leases expired", "items", n)
	}
	return n, nil
}
