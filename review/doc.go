// Package review is the moderators' queue: where documents the pipeline
// sent to review wait for a human, and where moderators work them.
//
// It owns the storage (SQLite through modernc.org/sqlite in the data
// directory by default, PostgreSQL through pgx when a database URL is given,
// so several servers share one queue), claims with leases, decisions
// (approve, reject, escalate, with a note and corrected tags), the audit
// log, per-author history, the JSON API under /v1/review and the web page
// under /review/. It never classifies anything.
//
// Items are idempotent per document id and content hash: the CMS may
// resubmit freely; an edited document supersedes its open items. Claims are
// leases: an expired lease never blocks anyone, and ExpireLeases (run on a
// schedule) tidies them and logs each in the audit log. On PostgreSQL,
// ClaimNext uses FOR UPDATE SKIP LOCKED so concurrent moderators on different
// servers never get the same item; SQLite serializes writers on one
// connection with IMMEDIATE transactions.
//
// Durability: Enqueue returns after the transaction commits (SQLite in WAL
// mode with synchronous=FULL), so a verdict answered to the CMS is never lost
// when the process dies. On SQLite, enqueues that arrive while a commit runs
// share the next transaction (group commit), so concurrent verdicts cost one
// disk sync between them; EnqueueMany does the same for a batch check.
//
// Decisions go back to the CMS: each decision writes, in its own
// transaction, an event (read in decision order by Decisions, the feed
// behind GET /v1/review/decisions) and one outbox delivery per configured
// webhook URL. A sender (package webhook) takes due deliveries with
// ClaimDeliveries (SKIP LOCKED on PostgreSQL, a lease on both), records
// each attempt with RecordDelivery, and dead-letters what failed for 24 h;
// admins list those with DeadDeliveries and put them back with Redeliver.
// On PostgreSQL deciding transactions take one advisory lock first, so
// event ids follow commit order and a feed reader never skips one.
//
// Typical wiring:
//
//	store, err := review.Open(ctx, review.Config{DataDir: dir, DatabaseURL: url, Logger: log})
//	...
//	h := review.NewHandler(store, review.HandlerOptions{Authenticate: auth.Authenticate, Known: auth.Known})
//	mux.Handle("/v1/review/", requireModerator(h)) // bearer middleware puts the vigil.Principal in ctx
//	mux.Handle(review.FeedRoute, requireCMS(h))     // the decisions feed is the CMS's
//	mux.Handle("/review/", h)                       // the page logs moderators in itself
package review
