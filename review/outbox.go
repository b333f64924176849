package review

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// EventDecided names the event of a decision, in webhooks and the feed.
const EventDecided = "review.decided"

// Delivery statuses in the outbox.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"
)

// Event is one decision as the CMS sees it: the body of a webhook and an
// entry of the decisions feed. Seq orders decisions (commit order, also
// across servers sharing PostgreSQL) and is the feed's cursor.
type Event struct {
	Seq            int64          `json:"seq"`
	Event          string         `json:"event"`
	ItemID         int64          `json:"item_id"`
	DocID          string         `json:"doc_id"`
	ContentHash    string         `json:"content_hash"`
	Decision       string         `json:"decision"`
	By             string         `json:"by"`
	Note           string         `json:"note"`
	Tags           []string       `json:"tags"`
	DecidedAt      time.Time      `json:"decided_at"`
	VerdictVersion vigil.Versions `json:"verdict_version"`
}

// Delivery is one event due to one webhook URL.
type Delivery struct {
	ID int64 `json:"id"`
	// DeliveryID is unique per delivery and stays the same across its
	// retries and redeliveries: the receiver's idempotency key.
	DeliveryID string    `json:"delivery_id"`
	URL        string    `json:"url"`
	Status     string    `json:"status"`
	Attempts   int       `json:"attempts"`
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	Event      Event     `json:"event"`
}

// eventsLock serializes, on PostgreSQL, the transactions that write
// decision events, so that event ids are assigned in commit order and a
// feed reader that has seen id n never later finds an id below n. It is
// taken first in a deciding transaction, before any item lock, so that two
// of them cannot deadlock. SQLite has one writer anyway.
func (s *Store) eventsLock(ctx context.Context, tx *sql.Tx) error {
	if !s.pg {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7157003)`)
	return err
}

// recordDecision writes it's decision as an event, and one outbox delivery
// per configured webhook URL, inside the deciding transaction tx.
func (s *Store) recordDecision(ctx context.Context, tx *sql.Tx, it *vigil.ReviewItem, now int64) error {
	tags := it.CorrectedTags
	if len(tags) == 0 {
		tags = make([]string, 0, len(it.Verdict.Tags))
		for _, t := range it.Verdict.Tags {
			tags = append(tags, t.Name)
		}
	}
	tb, err := json.Marshal(tags)
	if err != nil {
		return err
	}
	vb, err := json.Marshal(it.Verdict.Versions)
	if err != nil {
		return err
	}
	var eventID int64
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO review_events
		(item_id, doc_id, content_hash, decision, decided_by, note, tags, versions, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		it.ID, it.DocID, it.ContentHash, it.Decision, it.DecidedBy, it.Note, string(tb), string(vb), now).Scan(&eventID)
	if err != nil {
		return fmt.Errorf("record decision event: %w", err)
	}
	for _, u := range s.hooks {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO review_deliveries (event_id, url, delivery_id, status, next_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`), eventID, u, newDeliveryID(), DeliveryPending, now, now); err != nil {
			return fmt.Errorf("record delivery: %w", err)
		}
	}
	return nil
}

// newDeliveryID returns a random 128-bit id in the form of a UUID v4.
func newDeliveryID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

const eventColumns = `id, item_id, doc_id, content_hash, decision, decided_by, note, tags, versions, decided_at`

func scanEvent(row scanner) (Event, error) {
	var (
		e          Event
		tags, vers string
		at         int64
	)
	if err := row.Scan(&e.Seq, &e.ItemID, &e.DocID, &e.ContentHash, &e.Decision, &e.By, &e.Note, &tags, &vers, &at); err != nil {
		return e, err
	}
	e.Event, e.DecidedAt = EventDecided, fromMicros(at)
	if err := json.Unmarshal([]byte(tags), &e.Tags); err != nil {
		return e, fmt.Errorf("review: event %d: tags: %w", e.Seq, err)
	}
	if err := json.Unmarshal([]byte(vers), &e.VerdictVersion); err != nil {
		return e, fmt.Errorf("review: event %d: versions: %w", e.Seq, err)
	}
	return e, nil
}

const deliveryColumns = `id, event_id, url, delivery_id, status, attempts, last_status, last_error, created_at`

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanDeliveries reads rows of deliveryColumns, closes them, and attaches
// each delivery's event read through q.
func (s *Store) scanDeliveries(ctx context.Context, q queryer, rows *sql.Rows) ([]Delivery, error) {
	out := []Delivery{}
	var eventIDs []int64
	for rows.Next() {
		var d Delivery
		var eventID, created int64
		if err := rows.Scan(&d.ID, &eventID, &d.URL, &d.DeliveryID, &d.Status, &d.Attempts, &d.LastStatus, &d.LastError, &created); err != nil {
			rows.Close()
			return nil, err
		}
		d.CreatedAt = fromMicros(created)
		eventIDs = append(eventIDs, eventID)
		out = append(out, d)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, id := range eventIDs {
		if i > 0 && eventIDs[i-1] == id {
			out[i].Event = out[i-1].Event
			continue
		}
		e, err := scanEvent(q.QueryRowContext(ctx, s.q(`SELECT `+eventColumns+` FROM review_events WHERE id = ?`), id))
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", id, err)
		}
		out[i].Event = e
	}
	return out, nil
}

// MaxFeed bounds one page of the decisions feed.
const MaxFeed = 1000

// Decisions returns up to limit decisions after the cursor (a Seq; "" for
// the beginning), in decision order, and the cursor to pass next (the last
// one returned, or after itself when there is nothing new). Decisions are
// never removed, so a reader resumes exactly where it stopped.
func (s *Store) Decisions(ctx context.Context, after string, limit int) ([]Event, string, error) {
	var from int64
	if after != "" {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil || n < 0 {
			return nil, "", vigil.Errorf(vigil.EINVALID, "after: %q is not a cursor from this feed", after)
		}
		from = n
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, MaxFeed)
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT `+eventColumns+` FROM review_events WHERE id > ? ORDER BY id LIMIT ?`), from, limit)
	if err != nil {
		return nil, "", fmt.Errorf("review: decisions: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("review: decisions: %w", err)
	}
	if len(out) > 0 {
		from = out[len(out)-1].Seq
	}
	return out, strconv.FormatInt(from, 10), nil
}

// ClaimDeliveries takes up to n outbox deliveries that are due and hides
// them from other claimers for lease (the sender records the outcome
// before it ends; if the sender dies, they are due again after it). On
// PostgreSQL concurrent claimers, also on other servers, never get the
// same delivery (SKIP LOCKED).
func (s *Store) ClaimDeliveries(ctx context.Context, n int, lease time.Duration) ([]Delivery, error) {
	var out []Delivery
	err := s.tx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		now := s.now()
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+deliveryColumns+`
			FROM review_deliveries WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ? FOR UPDATE SKIP LOCKED`), micros(now), n)
		if err != nil {
			return err
		}
		if out, err = s.scanDeliveries(ctx, tx, rows); err != nil {
			return err
		}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE review_deliveries SET next_at = ? WHERE id = ?`), micros(now.Add(lease)), d.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("review: claim deliveries: %w", err)
	}
	return out, nil
}

// DeliveryOutcome is the result of one attempt to deliver.
type DeliveryOutcome struct {
	// Delivered: the receiver answered 2xx.
	Delivered bool
	// HTTPStatus is the receiver's status code (0: no answer).
	HTTPStatus int
	Error      string
	// RetryAt is when to try again after a failure; zero with Dead.
	RetryAt time.Time
	// Dead gives up on the delivery: it is dead-lettered until an admin
	// redelivers it.
	Dead bool
}

// RecordDelivery stores the outcome of an attempt on the claimed delivery
// id. It returns ECONFLICT when the delivery is no longer pending (another
// sender finished it after this one's lease ran out).
func (s *Store) RecordDelivery(ctx context.Context, id int64, o DeliveryOutcome) error {
	now := micros(s.now())
	var res sql.Result
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		msg := truncate(o.Error, 500)
		switch {
		case o.Delivered:
			res, err = tx.ExecContext(ctx, s.q(`UPDATE review_deliveries SET status = ?, attempts = attempts + 1, last_status = ?, last_error = '', delivered_at = ?
				WHERE id = ? AND status = 'pending'`), DeliveryDelivered, o.HTTPStatus, now, id)
		case o.Dead:
			res, err = tx.ExecContext(ctx, s.q(`UPDATE review_deliveries SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?
				WHERE id = ? AND status = 'pending'`), DeliveryDead, o.HTTPStatus, msg, id)
		default:
			res, err = tx.ExecContext(ctx, s.q(`UPDATE review_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?, next_at = ?
				WHERE id = ? AND status = 'pending'`), o.HTTPStatus, msg, micros(o.RetryAt), id)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("review: record delivery %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return vigil.Errorf(vigil.ECONFLICT, "delivery %d is no longer pending", id)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// DeadDeliveries lists up to limit dead-lettered deliveries, oldest
// first, after the delivery id after (0 for the start).
func (s *Store) DeadDeliveries(ctx context.Context, after int64, limit int) ([]Delivery, error) {
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT `+deliveryColumns+` FROM review_deliveries
		WHERE status = 'dead' AND id > ? ORDER BY id LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("review: dead deliveries: %w", err)
	}
	out, err := s.scanDeliveries(ctx, s.rdb, rows)
	if err != nil {
		return nil, fmt.Errorf("review: dead deliveries: %w", err)
	}
	return out, nil
}

// Redeliver puts a dead-lettered delivery back in the outbox, due now,
// with its retry window restarted and the same idempotency key. Admins
// only; ENOTFOUND when no such delivery, ECONFLICT when it is not dead.
func (s *Store) Redeliver(ctx context.Context, p vigil.Principal, id int64) error {
	if p.Role != vigil.RoleAdmin {
		return vigil.Errorf(vigil.EFORBIDDEN, "review: only an admin may redeliver a webhook")
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM review_deliveries WHERE id = ? FOR UPDATE`), id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return vigil.Errorf(vigil.ENOTFOUND, "webhook delivery %d not found", id)
		} else if err != nil {
			return err
		}
		if status != DeliveryDead {
			return vigil.Errorf(vigil.ECONFLICT, "webhook delivery %d is %s, not dead", id, status)
		}
		now := micros(s.now())
		_, err = tx.ExecContext(ctx, s.q(`UPDATE review_deliveries SET status = 'pending', attempts = 0, next_at = ?, created_at = ? WHERE id = ?`), now, now, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("review: redeliver %d: %w", id, err)
	}
	s.log.Info("webhook delivery redelivered", "delivery", id, "by", p.Name)
	return nil
}

// OutboxStats is the outbox's state at one moment.
type OutboxStats struct {
	Pending, Dead int
	// OldestPendingAge is the age of the oldest delivery still to be made.
	OldestPendingAge time.Duration
}

// Outbox reads the outbox's state (for metrics).
func (s *Store) Outbox(ctx context.Context) (OutboxStats, error) {
	var st OutboxStats
	var oldest sql.NullInt64
	err := s.rdb.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM review_deliveries WHERE status = 'pending'),
		(SELECT COUNT(*) FROM review_deliveries WHERE status = 'dead'),
		(SELECT MIN(created_at) FROM review_deliveries WHERE status = 'pending')`).Scan(&st.Pending, &st.Dead, &oldest)
	if err != nil {
		return st, fmt.Errorf("review: outbox: %w", err)
	}
	if oldest.Valid {
		st.OldestPendingAge = max(0, s.now().Sub(fromMicros(oldest.Int64)))
	}
	return st, nil
}
