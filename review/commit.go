package review

import (
	"context"
	"database/sql"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// maxGroup bounds how many enqueues share one SQLite transaction.
const maxGroup = 128

// groupTimeout bounds one group transaction; callers whose own context
// ends first stop waiting (the CMS retries, and enqueue is idempotent).
const groupTimeout = 30 * time.Second

// putReq is one Enqueue waiting for the SQLite committer.
type putReq struct {
	ctx context.Context
	sub *submission
	res chan putResult
}

type putResult struct {
	id      int64
	created bool
	err     error
}

// submit stores sub: through the group committer on SQLite, in its own
// transaction on PostgreSQL (which commits concurrent transactions side by
// side anyway).
func (s *Store) submit(ctx context.Context, sub *submission) (int64, bool, error) {
	if s.puts == nil {
		var r putResult
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var err error
			r.id, r.created, err = s.put(ctx, tx, sub, micros(s.now()))
			return err
		})
		return r.id, r.created, err
	}
	req := &putReq{ctx: ctx, sub: sub, res: make(chan putResult, 1)}
	select {
	case s.puts <- req:
	case <-ctx.Done():
		return 0, false, ctx.Err()
	case <-s.stop:
		return 0, false, vigil.Errorf(vigil.EUNAVAILABLE, "review store closed")
	}
	select {
	case r := <-req.res:
		return r.id, r.created, r.err
	case <-ctx.Done():
		return 0, false, ctx.Err()
	}
}

// commitLoop is SQLite's group committer. SQLite has one writer and every
// commit waits for the disk (synchronous=FULL); enqueues that arrive while
// one commit runs share the next one, so under concurrent load many
// enqueues cost one disk sync.
func (s *Store) commitLoop() {
	for {
		var batch []*putReq
		select {
		case r := <-s.puts:
			batch = append(batch, r)
		case <-s.stop:
			return
		}
	more:
		for len(batch) < maxGroup {
			select {
			case r := <-s.puts:
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.commitGroup(batch)
	}
}

// commitGroup commits batch in one transaction. If that fails, each request
// is tried alone, so one bad submission cannot fail the others.
func (s *Store) commitGroup(batch []*putReq) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.res <- putResult{err: err}
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	if len(live) > 1 {
		results := make([]putResult, len(live))
		err := s.tx(ctx, func(tx *sql.Tx) error {
			now := micros(s.now())
			for i, r := range live {
				var err error
				results[i].id, results[i].created, err = s.put(ctx, tx, r.sub, now)
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			for i, r := range live {
				r.res <- results[i]
			}
			return
		}
	}
	for _, r := range live {
		var res putResult
		res.err = s.tx(ctx, func(tx *sql.Tx) error {
			var err error
			res.id, res.created, err = s.put(ctx, tx, r.sub, micros(s.now()))
			return err
		})
		r.res <- res
	}
}
