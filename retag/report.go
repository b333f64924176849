package retag

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"time"
)

// Where names a bad document for a message: FILE:LINE, stdin:LINE or
// "row N" of a database, then "(id ID)" when it has one.
func (b BadItem) Where() string {
	where := fmt.Sprintf("%s:%d", b.Input, b.Line)
	if b.Input == "-" {
		where = fmt.Sprintf("stdin:%d", b.Line)
	} else if isPostgres(b.Input) {
		where = fmt.Sprintf("row %d", b.Line)
	}
	if b.ID != "" {
		where += " (id " + b.ID + ")"
	}
	return where
}

// NewProgress is the progress display a mode names: "bar" draws a bar on
// w, "log" logs a line every 5s, "auto" is bar when w is a terminal and log
// otherwise, "none" is nil (no display). ok is false for another mode.
func NewProgress(mode string, w io.Writer, terminal bool, log *slog.Logger) (p Progress, ok bool) {
	if mode == "auto" {
		mode = "log"
		if terminal {
			mode = "bar"
		}
	}
	switch mode {
	case "bar":
		return NewBar(w), true
	case "log":
		return NewLogProgress(log, 5*time.Second), true
	case "none":
		return nil, true
	}
	return nil, false
}

// WriteFile writes the summary as indented JSON to path.
func (s Summary) WriteFile(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o640)
}

// RedactURL hides a password in a database URL before it is logged; any
// other input or location comes back as it is.
func RedactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return s
}
