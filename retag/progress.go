package retag

import (
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Bar is a Progress drawn as a terminal progress bar: documents done, of
// how many, docs/s and ETA.
type Bar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

// NewBar returns a progress bar writing to w, which should be a terminal.
func NewBar(w io.Writer) *Bar { return &Bar{w: w} }

// Start implements Progress. A resumed run shows what is left.
func (b *Bar) Start(total, done int64) {
	desc := "retag"
	if done > 0 {
		desc = "retag (resumed)"
	}
	b.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("docs"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { io.WriteString(b.w, "\n") }),
	)
}

// Add implements Progress.
func (b *Bar) Add(n int64) { b.bar.Add64(n) }

// Finish implements Progress.
func (b *Bar) Finish(s Summary, err error) {
	if err == nil && s.Complete {
		b.bar.Finish()
		return
	}
	b.bar.Exit()
	io.WriteString(b.w, "\n")
}

// LogProgress is a Progress that logs one line every Every: documents done,
// rate and ETA. It is what a batch run prints when stderr is not a terminal.
type LogProgress struct {
	Log   *slog.Logger
	Every time.Duration

	done, total, base int64
	start             time.Time
	stop              chan struct{}
	wg                sync.WaitGroup
}

// NewLogProgress returns a LogProgress logging to log every interval.
func NewLogProgress(log *slog.Logger, every time.Duration) *LogProgress {
	if every <= 0 {
		every = 5 * time.Second
	}
	return &LogProgress{Log: log, Every: every}
}

// Start implements Progress.
func (p *LogProgress) Start(total, done int64) {
	p.total, p.base, p.start = total, done, time.Now()
	p.stop = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(p.Every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.report()
			}
		}
	}()
}

func (p *LogProgress) report() {
	n := atomic.LoadInt64(&p.done)
	el := time.Since(p.start).Seconds()
	rate := float64(n) / max(el, 1e-9)
	args := []any{"documents", p.base + n, "docs_per_s", int64(rate)}
	if p.total >= 0 {
		args = append(args, "total", p.base+p.total)
		if rate > 0 {
			args = append(args, "eta", (time.Duration(float64(p.total-n)/rate) * time.Second).Round(time.Second).String())
		}
	}
	p.Log.Info("retag progress", args...)
}

// Add implements Progress.
func (p *LogProgress) Add(n int64) { atomic.AddInt64(&p.done, n) }

// Finish implements Progress.
func (p *LogProgress) Finish(Summary, error) {
	close(p.stop)
	p.wg.Wait()
}

// CountProgress adapts a counter (a metric) to Progress: add is called with
// every increment.
type CountProgress func(n int64)

// Start implements Progress.
func (CountProgress) Start(int64, int64) {}

// Add implements Progress.
func (c CountProgress) Add(n int64) { c(n) }

// Finish implements Progress.
func (CountProgress) Finish(Summary, error) {}

// Multi reports to several Progress at once.
type Multi []Progress

// Start implements Progress.
func (m Multi) Start(total, done int64) {
	for _, p := range m {
		p.Start(total, done)
	}
}

// Add implements Progress.
func (m Multi) Add(n int64) {
	for _, p := range m {
		p.Add(n)
	}
}

// Finish implements Progress.
func (m Multi) Finish(s Summary, err error) {
	for _, p := range m {
		p.Finish(s, err)
	}
}
