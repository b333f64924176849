package retag

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	vigil "github.com/kz-newsroom/vigil"
)

// outputPerm is the mode of a new output or checkpoint file: verdicts
// quote the archive's text, so they are not for every user of the machine.
const outputPerm = 0o640

// errOutputLocked reports an output file locked by another run.
var errOutputLocked = errors.New("output locked by another process")

// Result is one thing to write: a verdict, or in diff mode a change.
type Result struct {
	Doc     *vigil.Document
	Verdict vigil.Verdict
	// Change is set in diff mode; it is written instead of the verdict.
	Change *Change
}

// Sink receives results in input order and makes them durable together
// with a checkpoint. It is used by one goroutine.
type Sink interface {
	// Resume returns the checkpoint of an unfinished run of job, or nil to
	// start afresh, and drops any output written after that checkpoint.
	// With restart set, an existing checkpoint is discarded.
	Resume(ctx context.Context, job string, restart bool) (*Checkpoint, error)
	// Write adds one result.
	Write(ctx context.Context, r Result) error
	// Commit makes every result written so far durable and records cp
	// atomically with them.
	Commit(ctx context.Context, cp *Checkpoint) error
	// Finish marks the run complete: the output is durable and the
	// checkpoint is gone.
	Finish(ctx context.Context) error
	Close() error
}

// fileSink writes JSON lines to a file, with its checkpoint in a file
// beside it, or to a stream (no checkpoint: a stream cannot be cut back).
type fileSink struct {
	path, ckpt string
	f          *os.File // nil for a stream
	noCkpt     bool     // a claimed range's part file: redone whole, never resumed
	w          *bufio.Writer
	n          int64 // bytes written, flushed or not
}

func openFileSink(path, ckpt string, stdout io.Writer) (*fileSink, error) {
	if path == "-" {
		return &fileSink{path: "stdout", w: bufio.NewWriterSize(stdout, 64<<10)}, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, outputPerm)
	if err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "open output: %v", err)
	}
	// One writer per output: a second run on the same file would interleave
	// lines and cut back each other's checkpoints.
	if err := lockOutput(f); err != nil {
		f.Close()
		if errors.Is(err, errOutputLocked) {
			return nil, vigil.Errorf(vigil.ECONFLICT, "output %s is in use by another vigil retag (it holds the file's lock); wait for it to finish, or choose another --out", path)
		}
		return nil, fmt.Errorf("lock output %s: %w", path, err)
	}
	if ckpt == "" {
		ckpt = path + ".checkpoint"
	}
	return &fileSink{path: path, ckpt: ckpt, f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

func (s *fileSink) Resume(_ context.Context, job string, restart bool) (*Checkpoint, error) {
	if s.f == nil {
		return nil, nil
	}
	var cp *Checkpoint
	if !restart && !s.noCkpt {
		var err error
		if cp, err = loadCheckpointFile(s.ckpt); err != nil {
			return nil, err
		}
	}
	var size int64
	if cp != nil {
		if err := cp.check(s.ckpt, job); err != nil {
			return nil, err
		}
		fi, err := s.f.Stat()
		if err != nil {
			return nil, err
		}
		if fi.Size() < cp.OutBytes {
			return nil, vigil.Errorf(vigil.ECONFLICT, "output %s has %d bytes but its checkpoint covers %d: it was changed outside vigil; run with --restart", s.path, fi.Size(), cp.OutBytes)
		}
		size = cp.OutBytes
	}
	// Cut off whatever was written after the checkpoint: those verdicts
	// are produced again from the checkpoint's input position.
	if err := s.f.Truncate(size); err != nil {
		return nil, fmt.Errorf("truncate %s: %w", s.path, err)
	}
	if _, err := s.f.Seek(size, io.SeekStart); err != nil {
		return nil, fmt.Errorf("seek %s: %w", s.path, err)
	}
	s.n = size
	return cp, nil
}

func (s *fileSink) Write(_ context.Context, r Result) error {
	var b []byte
	var err error
	if r.Change != nil {
		b, err = json.Marshal(r.Change)
	} else {
		b, err = json.Marshal(r.Verdict)
	}
	if err != nil {
		return fmt.Errorf("encode verdict %s: %w", r.Verdict.ID, err)
	}
	b = append(b, '\n')
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	s.n += int64(len(b))
	return nil
}

func (s *fileSink) flush() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	if s.f != nil {
		if err := s.f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", s.path, err)
		}
	}
	return nil
}

func (s *fileSink) Commit(_ context.Context, cp *Checkpoint) error {
	if err := s.flush(); err != nil {
		return err
	}
	if s.f == nil || s.noCkpt {
		return nil
	}
	cp.OutBytes = s.n
	return saveCheckpointFile(s.ckpt, cp)
}

func (s *fileSink) Finish(context.Context) error {
	if err := s.flush(); err != nil {
		return err
	}
	if s.f == nil || s.noCkpt {
		return nil
	}
	return removeCheckpointFile(s.ckpt)
}

func (s *fileSink) Close() error {
	if s.f == nil {
		return s.w.Flush()
	}
	return s.f.Close()
}
