package training

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
)

// ParseMinPrecision parses target precisions per label, "a=0.9,b=0.8"
// (BundleOptions.Params.MinPrecision); empty is none.
func ParseMinPrecision(s string) (map[string]float64, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]float64{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || k == "" || err != nil || !(f > 0 && f <= 1) {
			return nil, fmt.Errorf("%q: want LABEL=PRECISION with a precision in (0, 1]", kv)
		}
		out[k] = f
	}
	return out, nil
}

// NewProgress shows training passes on w: a progress bar when w is a
// terminal, otherwise one plain line an epoch, starting with prefix (a log
// file gets no bar's carriage returns).
func NewProgress(w io.Writer, terminal bool, prefix string) Progress {
	if terminal {
		return &barProgress{w: w}
	}
	return lineProgress{w: w, prefix: prefix}
}

// barProgress draws a bar per training pass.
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (b *barProgress) Start(what string, epochs int) {
	b.bar = progressbar.NewOptions(epochs, progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(what), progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish())
}

func (b *barProgress) Epoch(what string, epoch, _ int, loss float64) {
	b.bar.Describe(fmt.Sprintf("%s (loss %.4f)", what, loss))
	b.bar.Set(epoch)
}

func (b *barProgress) Finish(string) { b.bar.Finish() }

// lineProgress writes a line per epoch.
type lineProgress struct {
	w      io.Writer
	prefix string
}

func (lineProgress) Start(string, int) {}

func (l lineProgress) Epoch(what string, epoch, epochs int, loss float64) {
	fmt.Fprintf(l.w, "%s%s: epoch %d of %d, loss %.4f\n", l.prefix, what, epoch, epochs, loss)
}

func (lineProgress) Finish(string) {}
