package review

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// Paging limits.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Filter selects items for List. Zero fields match everything.
type Filter struct {
	// Status is a stored status, "claimed" (open and held by a live lease),
	// "open" (pending or escalated, claimed or not), or "" for open. The
	// status "pending" includes claimed pending items.
	Status  string
	Flag    string
	Kind    string
	Section string
	Author  string
	DocID   string
	// MinAge and MaxAge bound the time since the item was queued.
	MinAge, MaxAge time.Duration
	Limit          int
	// Cursor continues a previous List from its next cursor.
	Cursor string
}

// StatusOpen is the Filter status for every item still needing a decision.
const StatusOpen = "open"

// Validate checks f and fills defaults.
func (f *Filter) Validate() error {
	switch f.Status {
	case "":
		f.Status = StatusOpen
	case StatusOpen, vigil.ReviewClaimed:
	default:
		if !slices.Contains(vigil.ReviewStatuses, f.Status) {
			return vigil.Errorf(vigil.EINVALID, "status: %q is not one of open, %s", f.Status, strings.Join(vigil.ReviewStatuses, ", "))
		}
	}
	if f.MinAge < 0 || f.MaxAge < 0 || (f.MaxAge > 0 && f.MaxAge < f.MinAge) {
		return vigil.Errorf(vigil.EINVALID, "age: want 0 <= min_age <= max_age")
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		return vigil.Errorf(vigil.EINVALID, "limit: %d, want 1..%d", f.Limit, MaxLimit)
	}
	if strings.ContainsAny(f.Flag, ",") {
		return vigil.Errorf(vigil.EINVALID, "flag: %q is not a flag name", f.Flag)
	}
	return storableAll(map[string]string{"flag": f.Flag, "kind": f.Kind, "section": f.Section, "author": f.Author, "doc_id": f.DocID})
}

// storableAll is storable over named query values, in name order.
func storableAll(values map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if err := storable(name, values[name]); err != nil {
			return err
		}
	}
	return nil
}

// cursor is the queue position after the last item of a page.
type cursor struct {
	Severity float64
	Created  int64
	ID       int64
}

func (c cursor) String() string {
	s := strconv.FormatFloat(c.Severity, 'g', -1, 64) + "|" + strconv.FormatInt(c.Created, 10) + "|" + strconv.FormatInt(c.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	bad := vigil.Errorf(vigil.EINVALID, "cursor: %q is not a cursor this server gave", s)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, bad
	}
	parts := strings.Split(string(b), "|")
	if len(parts) != 3 {
		return c, bad
	}
	if c.Severity, err = strconv.ParseFloat(parts[0], 64); err != nil {
		return c, bad
	}
	if c.Created, err = strconv.ParseInt(parts[1], 10, 64); err != nil {
		return c, bad
	}
	if c.ID, err = strconv.ParseInt(parts[2], 10, 64); err != nil {
		return c, bad
	}
	return c, nil
}

// List returns one page of items matching f in queue order (severity, then
// oldest first) and the cursor of the next page ("" on the last).
func (s *Store) List(ctx context.Context, f Filter) ([]*vigil.ReviewItem, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	now := s.now()
	var where []string
	var args []any
	switch f.Status {
	case StatusOpen:
		where = append(where, openStatuses)
	case vigil.ReviewClaimed:
		where = append(where, openStatuses+" AND claimed_by <> '' AND lease_until > ?")
		args = append(args, micros(now))
	default:
		where = append(where, "status = ?")
		args = append(args, f.Status)
	}
	if f.Flag != "" {
		where = append(where, "flags LIKE ?")
		args = append(args, "%,"+likeEscape(f.Flag)+",%")
	}
	for _, c := range []struct{ col, v string }{{"kind", f.Kind}, {"section", f.Section}, {"author", f.Author}, {"doc_id", f.DocID}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if f.MinAge > 0 {
		where = append(where, "created_at <= ?")
		args = append(args, micros(now.Add(-f.MinAge)))
	}
	if f.MaxAge > 0 {
		where = append(where, "created_at >= ?")
		args = append(args, micros(now.Add(-f.MaxAge)))
	}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(severity < ? OR (severity = ? AND (created_at > ? OR (created_at = ? AND id > ?))))")
		args = append(args, c.Severity, c.Severity, c.Created, c.Created, c.ID)
	}
	args = append(args, f.Limit+1)
	query := `SELECT ` + itemColumns + ` FROM review_items WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY severity DESC, created_at, id LIMIT ?`
	if f.Flag != "" {
		query = strings.Replace(query, "flags LIKE ?", `flags LIKE ? ESCAPE '\'`, 1)
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, "", fmt.Errorf("review: list: %w", err)
	}
	defer rows.Close()
	var items []*vigil.ReviewItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, "", fmt.Errorf("review: list: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("review: list: %w", err)
	}
	next := ""
	if len(items) > f.Limit {
		items = items[:f.Limit]
		last := items[len(items)-1]
		next = cursor{last.Severity, micros(last.CreatedAt), last.ID}.String()
	}
	return items, next, nil
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// AuditFilter selects audit entries. Zero fields match everything.
type AuditFilter struct {
	ItemID int64
	Actor  string
	DocID  string
	Limit  int
	// Before continues a previous page: entries with a smaller id.
	Before int64
}

// Audit returns audit entries, newest first, and the Before value of the
// next page (0 on the last).
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]vigil.ReviewAudit, int64, error) {
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		return nil, 0, vigil.Errorf(vigil.EINVALID, "limit: %d, want 1..%d", f.Limit, MaxLimit)
	}
	if err := storableAll(map[string]string{"actor": f.Actor, "doc_id": f.DocID}); err != nil {
		return nil, 0, err
	}
	where := []string{"1 = 1"}
	var args []any
	if f.ItemID != 0 {
		where = append(where, "item_id = ?")
		args = append(args, f.ItemID)
	}
	if f.Actor != "" {
		where = append(where, "actor = ?")
		args = append(args, f.Actor)
	}
	if f.DocID != "" {
		where = append(where, "doc_id = ?")
		args = append(args, f.DocID)
	}
	if f.Before > 0 {
		where = append(where, "id < ?")
		args = append(args, f.Before)
	}
	args = append(args, f.Limit+1)
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT id, item_id, doc_id, actor, action, note, at, before, after
		FROM review_audit WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("review: audit: %w", err)
	}
	defer rows.Close()
	var out []vigil.ReviewAudit
	for rows.Next() {
		var (
			a             vigil.ReviewAudit
			at            int64
			before, after string
		)
		if err := rows.Scan(&a.ID, &a.ItemID, &a.DocID, &a.Actor, &a.Action, &a.Note, &at, &before, &after); err != nil {
			return nil, 0, fmt.Errorf("review: audit: %w", err)
		}
		a.At = fromMicros(at)
		for _, p := range []struct {
			raw string
			dst **vigil.ReviewState
		}{{before, &a.Before}, {after, &a.After}} {
			if p.raw == "" {
				continue
			}
			var st vigil.ReviewState
			if err := json.Unmarshal([]byte(p.raw), &st); err != nil {
				return nil, 0, fmt.Errorf("review: audit %d: %w", a.ID, err)
			}
			*p.dst = &st
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("review: audit: %w", err)
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// AuthorHistory is what moderators have seen from one author.
type AuthorHistory struct {
	Author string `json:"author"`
	// Counts holds the number of the author's items per status.
	Counts map[string]int `json:"counts"`
	// Items are the author's most recent items, newest first.
	Items []*vigil.ReviewItem `json:"items"`
}

// History returns the author's review history: counts per status and the
// latest limit items.
func (s *Store) History(ctx context.Context, author string, limit int) (*AuthorHistory, error) {
	if author == "" {
		return nil, vigil.Errorf(vigil.EINVALID, "author: empty")
	}
	if err := storable("author", author); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 0 || limit > MaxLimit {
		return nil, vigil.Errorf(vigil.EINVALID, "limit: %d, want 1..%d", limit, MaxLimit)
	}
	h := &AuthorHistory{Author: author, Counts: map[string]int{}, Items: []*vigil.ReviewItem{}}
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT status, COUNT(*) FROM review_items WHERE author = ? GROUP BY status`), author)
	if err != nil {
		return nil, fmt.Errorf("review: history: %w", err)
	}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("review: history: %w", err)
		}
		h.Counts[st] = n
	}
	rows.Close()
	rows, err = s.rdb.QueryContext(ctx, s.q(`SELECT `+itemColumns+` FROM review_items WHERE author = ? ORDER BY created_at DESC, id DESC LIMIT ?`), author, limit)
	if err != nil {
		return nil, fmt.Errorf("review: history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("review: history: %w", err)
		}
		h.Items = append(h.Items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review: history: %w", err)
	}
	return h, nil
}

// AuthorCounts returns, for each of authors, the number of their items per
// status (what moderators have seen from them before). Empty names are
// skipped.
func (s *Store) AuthorCounts(ctx context.Context, authors []string) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	args := distinctAuthors(authors)
	for _, a := range args {
		out[a.(string)] = map[string]int{}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT author, status, COUNT(*) FROM review_items
		WHERE author IN (?`+strings.Repeat(", ?", len(args)-1)+`) GROUP BY author, status`), args...)
	if err != nil {
		return nil, fmt.Errorf("review: author counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, st string
		var n int
		if err := rows.Scan(&a, &st, &n); err != nil {
			return nil, fmt.Errorf("review: author counts: %w", err)
		}
		out[a][st] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review: author counts: %w", err)
	}
	return out, nil
}

// distinctAuthors returns the non-empty names of authors once each, as
// query arguments.
func distinctAuthors(authors []string) []any {
	var args []any
	seen := map[string]bool{}
	for _, a := range authors {
		if a != "" && !seen[a] {
			seen[a] = true
			args = append(args, a)
		}
	}
	return args
}

// AuthorItems returns, for each of authors, their latest per items (newest
// first), in one query: what the page's author panel shows beside an item.
// Empty names are skipped.
func (s *Store) AuthorItems(ctx context.Context, authors []string, per int) (map[string][]*vigil.ReviewItem, error) {
	out := map[string][]*vigil.ReviewItem{}
	args := distinctAuthors(authors)
	if len(args) == 0 || per <= 0 {
		return out, nil
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT `+itemColumns+` FROM (
		SELECT `+itemColumns+`, ROW_NUMBER() OVER (PARTITION BY author ORDER BY created_at DESC, id DESC) AS rn
		FROM review_items WHERE author IN (?`+strings.Repeat(", ?", len(args)-1)+`)) latest
		WHERE rn <= ? ORDER BY created_at DESC, id DESC`), append(args, per)...)
	if err != nil {
		return nil, fmt.Errorf("review: author items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("review: author items: %w", err)
		}
		out[it.Document.Author] = append(out[it.Document.Author], it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review: author items: %w", err)
	}
	return out, nil
}

// Stats is the queue's state for metrics.
type Stats struct {
	// Items counts items per status; "pending" and "escalated" count items
	// nobody holds, "claimed" the open items under a live lease.
	Items map[string]int
	// OldestOpenAge is the age of the oldest item still needing a decision
	// (0 when there is none).
	OldestOpenAge time.Duration
}

// Stats counts the queue's items by status and finds the oldest open one.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	now := s.now()
	st := Stats{Items: make(map[string]int, len(vigil.ReviewStatuses))}
	for _, name := range vigil.ReviewStatuses {
		st.Items[name] = 0
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT status,
		CASE WHEN claimed_by <> '' AND lease_until > ? THEN 1 ELSE 0 END, COUNT(*)
		FROM review_items GROUP BY 1, 2`), micros(now))
	if err != nil {
		return st, fmt.Errorf("review: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var claimed, n int
		if err := rows.Scan(&status, &claimed, &n); err != nil {
			return st, fmt.Errorf("review: stats: %w", err)
		}
		if claimed == 1 && (status == vigil.ReviewPending || status == vigil.ReviewEscalated) {
			status = vigil.ReviewClaimed
		}
		st.Items[status] += n
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("review: stats: %w", err)
	}
	var oldest sql.NullInt64
	if err := s.rdb.QueryRowContext(ctx, s.q(`SELECT MIN(created_at) FROM review_items WHERE `+openStatuses)).Scan(&oldest); err != nil {
		return st, fmt.Errorf("review: stats: %w", err)
	}
	if oldest.Valid {
		st.OldestOpenAge = max(0, now.Sub(fromMicros(oldest.Int64)))
	}
	return st, nil
}

// SectionWait is what waits for a decision in one section of the site.
type SectionWait struct {
	Section string `json:"section"` // "" for items without a section
	// Items counts the open items (pending or escalated, held or not).
	Items int `json:"items"`
	// Oldest is when the oldest of them was queued.
	Oldest time.Time `json:"oldest"`
}

// Waiting counts the open items of each section and finds the oldest,
// longest-waiting section first (then by name). It is one grouped query on
// the open items' partial index.
func (s *Store) Waiting(ctx context.Context) ([]SectionWait, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT section, COUNT(*), MIN(created_at) FROM review_items
		WHERE `+openStatuses+` GROUP BY section`)
	if err != nil {
		return nil, fmt.Errorf("review: waiting: %w", err)
	}
	defer rows.Close()
	var out []SectionWait
	for rows.Next() {
		var w SectionWait
		var oldest int64
		if err := rows.Scan(&w.Section, &w.Items, &oldest); err != nil {
			return nil, fmt.Errorf("review: waiting: %w", err)
		}
		w.Oldest = fromMicros(oldest)
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review: waiting: %w", err)
	}
	// Sorted here, not in SQL: the backends collate names differently.
	slices.SortFunc(out, func(a, b SectionWait) int {
		return cmp.Or(a.Oldest.Compare(b.Oldest), strings.Compare(a.Section, b.Section))
	})
	return out, nil
}

// saveSketch stores the MinHash sketch of an item's text (a comment's).
func (s *Store) saveSketch(ctx context.Context, tx *sql.Tx, id int64, text string) error {
	sk := sketch(shingles(text))
	if len(sk) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(sk))
	for _, v := range sk {
		args = append(args, v, id)
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO review_sketches (value, item_id) VALUES (?, ?)`+
		strings.Repeat(", (?, ?)", len(sk)-1)+` ON CONFLICT DO NOTHING`), args...)
	return err
}

// dropSketch removes an item's sketch once it is no longer open: only open
// comments are campaign candidates, so a decided one's rows would only
// grow the table and the candidate lookup.
func (s *Store) dropSketch(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, s.q(`DELETE FROM review_sketches WHERE item_id = ?`), id)
	return err
}

// maxCandidates bounds the comments Duplicates compares exactly.
const maxCandidates = 2000

// Duplicates finds, for each open comment among items, the open comments
// of the queue not among items that are near-duplicates of it (the
// campaign test of the page, Jaccard similarity of character 4-grams at
// least 0.5): a campaign's members beyond the page. Candidates are the
// comments sharing a MinHash value with one of items (at most
// maxCandidates of them, most severe first); each is then tested exactly.
// Items with none are absent from the result; ids are in queue order.
func (s *Store) Duplicates(ctx context.Context, items []*vigil.ReviewItem) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	on := map[int64]bool{}
	shs := map[int64]shingleSet{}
	var values []any
	seen := map[int64]bool{}
	for _, it := range items {
		on[it.ID] = true
		if !sketchable(it) {
			continue
		}
		sh := shingles(campaignText(&it.Document))
		shs[it.ID] = sh
		for _, v := range sketch(sh) {
			if !seen[v] {
				seen[v] = true
				values = append(values, v)
			}
		}
	}
	if len(values) == 0 {
		return out, nil
	}
	// Only the document is read: the test needs its text, not the verdict.
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT id, document FROM review_items WHERE id IN (
		SELECT item_id FROM review_sketches WHERE value IN (?`+strings.Repeat(", ?", len(values)-1)+`))
		AND kind = 'comment' AND `+openStatuses+` ORDER BY severity DESC, created_at, id LIMIT ?`), append(values, maxCandidates+len(on))...)
	if err != nil {
		return nil, fmt.Errorf("review: duplicates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("review: duplicates: %w", err)
		}
		if on[id] {
			continue
		}
		var doc vigil.Document
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			return nil, fmt.Errorf("review: duplicates: item %d: document: %w", id, err)
		}
		csh := shingles(campaignText(&doc))
		for _, it := range items {
			if sh := shs[it.ID]; sh != nil && jaccard(sh, csh) >= campaignSimilarity {
				out[it.ID] = append(out[it.ID], id)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review: duplicates: %w", err)
	}
	return out, nil
}

// Decided calls fn for every item approved or rejected at or after since,
// in order of decision. It is how feedback is exported for training.
func (s *Store) Decided(ctx context.Context, since time.Time, fn func(*vigil.ReviewItem) error) error {
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT `+itemColumns+` FROM review_items
		WHERE status IN (?, ?) AND decided_at >= ? ORDER BY decided_at, id`),
		vigil.ReviewApproved, vigil.ReviewRejected, micros(since))
	if err != nil {
		return fmt.Errorf("review: decided: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return fmt.Errorf("review: decided: %w", err)
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("review: decided: %w", err)
	}
	return nil
}
