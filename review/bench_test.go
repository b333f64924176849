package review

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// benchDoc is a typical flagged reader comment (about 600 bytes) with its
// verdict and evidence.
func benchDoc(i int) (vigil.Document, vigil.Verdict) {
	body := strings.Repeat("Братья, время пришло, вступай в джихад, пиши в личку, дорогу оплатим. ", 8)
	return flagged(fmt.Sprintf("bench-%d", i), body, vigil.FlagExtremistRecruitment, 0.5+float64(i%50)/100)
}

func eachBackendB(b *testing.B, fn func(b *testing.B, s *Store)) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			fn(b, be.open(b, Config{}))
		})
	}
}

func fill(b *testing.B, s *Store, n int) []int64 {
	b.Helper()
	ids := make([]int64, n)
	for i := range n {
		d, v := benchDoc(i)
		ids[i] = mustPut(b, s, d, v)
	}
	return ids
}

// BenchmarkEnqueue: one durable enqueue after another (what one CMS
// request waits for).
func BenchmarkEnqueue(b *testing.B) {
	eachBackendB(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			d, v := benchDoc(i)
			i++
			if err := s.Enqueue(ctx, d, v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEnqueueParallel: concurrent enqueues, as from a busy server.
func BenchmarkEnqueueParallel(b *testing.B) {
	eachBackendB(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		var n atomic.Int64
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				d, v := benchDoc(int(n.Add(1)))
				if err := s.Enqueue(ctx, d, v); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkEnqueueMany100: a batch check sending 100 documents to review
// at once, in one transaction. Compare 100 × BenchmarkEnqueue.
func BenchmarkEnqueueMany100(b *testing.B) {
	eachBackendB(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		docs := make([]vigil.Document, 100)
		verdicts := make([]vigil.Verdict, 100)
		n := 0
		for b.Loop() {
			for i := range docs {
				docs[i], verdicts[i] = benchDoc(n)
				n++
			}
			if err := s.EnqueueMany(ctx, docs, verdicts); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEnqueueDuplicate: the CMS resubmitting an unchanged document.
func BenchmarkEnqueueDuplicate(b *testing.B) {
	eachBackendB(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		d, v := benchDoc(0)
		mustPut(b, s, d, v)
		for b.Loop() {
			if err := s.Enqueue(ctx, d, v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkClaimNext: a moderator taking the next item off a queue of
// b.N items (timed), then deciding it (not timed), as moderators work.
func BenchmarkClaimNext(b *testing.B) {
	eachBackendB(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		fill(b, s, b.N)
		b.ResetTimer()
		for range b.N {
			got, err := s.ClaimNext(ctx, mod1, 1, 0)
			if err != nil || len(got) != 1 {
				b.Fatalf("claim: %v %v", got, err)
			}
			b.StopTimer()
			if _, err := s.Decide(ctx, mod1, got[0].ID, Decision{Decision: vigil.DecisionApprove}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}

// BenchmarkDecide: a moderator's decision on one item.
func BenchmarkDecide(b *testing.B) {
	eachBackendB(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		ids := fill(b, s, b.N)
		b.ResetTimer()
		for i := range b.N {
			if _, err := s.Decide(ctx, mod1, ids[i], Decision{Decision: vigil.DecisionReject, Note: "recruiting"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkList: the first page of a 2,000-item queue.
func BenchmarkList(b *testing.B) {
	eachBackendB(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		fill(b, s, 2000)
		b.ResetTimer()
		for range b.N {
			items, _, err := s.List(ctx, Filter{Flag: vigil.FlagExtremistRecruitment})
			if err != nil || len(items) != DefaultLimit {
				b.Fatalf("list: %d %v", len(items), err)
			}
		}
	})
}

// BenchmarkDuplicates: the campaign lookup of one queue page of 50 when a
// campaign of 1,000 near-identical comments fills the queue (every page
// item and every candidate alike: the most exact tests a page can cost).
func BenchmarkDuplicates(b *testing.B) {
	eachBackendB(b, func(b *testing.B, s *Store) {
		ctx := context.Background()
		ids := fill(b, s, 1000)
		page := make([]*vigil.ReviewItem, 50)
		for i := range page {
			it, err := s.Get(ctx, ids[i])
			if err != nil {
				b.Fatal(err)
			}
			page[i] = it
		}
		b.ReportAllocs()
		for b.Loop() {
			got, err := s.Duplicates(ctx, page)
			if err != nil || len(got[ids[0]]) != 950 {
				b.Fatalf("duplicates of the first item: %d, %v", len(got[ids[0]]), err)
			}
		}
	})
}
