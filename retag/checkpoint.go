package retag

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// checkpointVersion is bumped when the checkpoint format changes; an older
// checkpoint is then refused rather than misread.
const checkpointVersion = 2

// Position is how far a run has read its input: everything before it has a
// verdict in the output (or was reported as bad).
type Position struct {
	// Offset is the number of input bytes consumed (files and streams).
	Offset int64 `json:"offset"`
	// Line is the number of input lines (or database rows) consumed; the
	// next record is on line Line+1.
	Line int64 `json:"line"`
	// Key is the key of the last row read (database input), as JSON.
	Key json.RawMessage `json:"key,omitempty"`
	// CRC is the CRC-32C of the input bytes before Offset. A resumed run
	// checks it, so a checkpoint is never applied to an input that was
	// replaced or edited since (appending is fine).
	CRC uint32 `json:"crc32c,omitempty"`
	// unchecked positions (a claimed range's start) carry no CRC.
	unchecked bool
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errInputChanged reports a checkpoint whose input bytes no longer match.
func errInputChanged(name string, pos Position) error {
	return vigil.Errorf(vigil.ECONFLICT, "input %s changed since the checkpoint (its first %d bytes differ); run with --restart", name, pos.Offset)
}

// checkPrefix reads the pos.Offset bytes of r and checks their CRC; the
// bytes are read at disk speed and hashed in hardware, so resuming a
// multi-gigabyte archive costs seconds.
func checkPrefix(name string, r io.Reader, pos Position) error {
	h := crc32.New(crcTable)
	if _, err := io.CopyN(h, r, pos.Offset); err != nil {
		return vigil.Errorf(vigil.ECONFLICT, "input %s is shorter than its checkpoint (%d bytes): %v; run with --restart", name, pos.Offset, err)
	}
	if h.Sum32() != pos.CRC {
		return errInputChanged(name, pos)
	}
	return nil
}

// Checkpoint is the durable state of an unfinished run.
type Checkpoint struct {
	Version int `json:"version"`
	// Job fingerprints the settings that produced the output (input, format,
	// mapping, query, diff mode); a checkpoint of another job is refused.
	Job   string   `json:"job"`
	Input Position `json:"input"`
	// OutBytes is the length of the output file the checkpoint covers.
	OutBytes int64 `json:"out_bytes"`
	// Stats are the counters so far, so the final Summary covers the whole
	// run across restarts.
	Stats     Stats     `json:"stats"`
	UpdatedAt time.Time `json:"updated_at"`
}

// check returns an error when cp cannot be used to resume job.
func (cp *Checkpoint) check(where, job string) error {
	if cp.Version != checkpointVersion {
		return vigil.Errorf(vigil.EINVALID, "checkpoint %s: format version %d, want %d; remove it or run with --restart", where, cp.Version, checkpointVersion)
	}
	if cp.Job != job {
		return vigil.Errorf(vigil.ECONFLICT, "checkpoint %s belongs to a different job (input, format, query or diff mode changed); remove it or run with --restart", where)
	}
	return nil
}

// loadCheckpointFile reads the checkpoint at path; it returns nil, nil when
// there is none.
func loadCheckpointFile(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	var cp Checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "checkpoint %s: %v; remove it or run with --restart", path, err)
	}
	return &cp, nil
}

// saveCheckpointFile replaces the checkpoint at path atomically and durably:
// it writes a temporary file, syncs it, renames it over path and syncs the
// directory, so a crash leaves either the old or the new checkpoint.
func saveCheckpointFile(path string, cp *Checkpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, outputPerm)
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync checkpoint: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// removeCheckpointFile deletes the checkpoint at path, durably.
func removeCheckpointFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove checkpoint: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
