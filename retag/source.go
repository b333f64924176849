package retag

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

// DefaultMaxBytes is the largest input record accepted when Job.MaxBytes is
// zero, per the contract (1 MiB).
const DefaultMaxBytes = 1 << 20

// Record is one input record: a document to check, or the reason it was
// rejected.
type Record struct {
	// Doc is the document; nil when Err is set.
	Doc *vigil.Document
	// Line is the record's line in the input (database input: its row
	// number), counting from 1.
	Line int64
	// End is the input position just after this record: a run that has
	// written this record's verdict resumes there.
	End Position
	// Err says why the record was rejected; it is reported and skipped.
	Err error
}

// Source yields input records in order. It is used by one goroutine.
type Source interface {
	// Next returns the next record, or io.EOF after the last. Any other
	// error means the input itself failed (I/O, database) and ends the run.
	Next(ctx context.Context) (Record, error)
	// Remaining returns the number of records left from where the source
	// was opened, or -1 when unknown. It may be slow on huge inputs and is
	// called only when progress is shown.
	Remaining(ctx context.Context) (int64, error)
	Close() error
}

// jsonlSource reads one JSON document a line, tracking the byte offset and
// line number of every record.
type jsonlSource struct {
	name     string
	r        *bufio.Reader
	closer   io.Closer
	file     *os.File // nil for streams
	pos      Position
	maxBytes int
	buf      []byte
	// limit, when above zero, ends the input at the first line starting
	// at or after this offset (a claimed range).
	limit int64
}

// openJSONL opens path ("-": stdin) positioned at start.
// openInputFile opens a file input; a missing file, or a directory, is
// EINVALID.
func openInputFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "open input: %v", err)
	}
	if fi, err := f.Stat(); err != nil || fi.IsDir() {
		f.Close()
		return nil, vigil.Errorf(vigil.EINVALID, "open input: %s is not a readable file", path)
	}
	return f, nil
}

func openJSONL(name string, stdin io.Reader, start Position, maxBytes int) (*jsonlSource, error) {
	s := &jsonlSource{name: name, pos: start, maxBytes: maxBytes}
	var r io.Reader
	if name == "-" {
		s.name = "stdin"
		r = stdin
		// A stream cannot seek: skip what the checkpoint covers.
		if start.Offset > 0 {
			if err := checkPrefix("stdin", stdin, start); err != nil {
				return nil, err
			}
		}
	} else {
		f, err := openInputFile(name)
		if err != nil {
			return nil, err
		}
		if start.Offset > 0 && !start.unchecked {
			// checkPrefix leaves f at start.Offset.
			if err := checkPrefix(name, bufio.NewReaderSize(f, 1<<20), start); err != nil {
				f.Close()
				return nil, err
			}
		}
		if start.Offset > 0 {
			if _, err := f.Seek(start.Offset, io.SeekStart); err != nil {
				f.Close()
				return nil, fmt.Errorf("seek %s: %w", name, err)
			}
		}
		s.file, s.closer, r = f, f, f
	}
	s.r = bufio.NewReaderSize(r, 256<<10)
	return s, nil
}

func (s *jsonlSource) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

func (s *jsonlSource) Remaining(context.Context) (int64, error) {
	if s.file == nil {
		return -1, nil
	}
	f, err := os.Open(s.file.Name())
	if err != nil {
		return -1, err
	}
	defer f.Close()
	if _, err := f.Seek(s.pos.Offset, io.SeekStart); err != nil {
		return -1, err
	}
	return countLines(f)
}

// countLines counts the non-empty lines of r.
func countLines(r io.Reader) (int64, error) {
	buf := make([]byte, 1<<20)
	var n int64
	last := byte('\n')
	for {
		k, err := r.Read(buf)
		if k > 0 {
			n += int64(bytes.Count(buf[:k], []byte{'\n'}))
			last = buf[k-1]
		}
		if err == io.EOF {
			if last != '\n' {
				n++
			}
			return n, nil
		} else if err != nil {
			return n, err
		}
	}
}

func (s *jsonlSource) Next(context.Context) (Record, error) {
	for {
		if s.limit > 0 && s.pos.Offset >= s.limit {
			return Record{}, io.EOF
		}
		line, n, tooLong, err := s.readLine()
		if n == 0 && err == io.EOF {
			return Record{}, io.EOF
		}
		if err != nil && err != io.EOF {
			return Record{}, fmt.Errorf("read %s: %w", s.name, err)
		}
		s.pos.Offset += n
		s.pos.Line++
		rec := Record{Line: s.pos.Line, End: s.pos}
		if tooLong {
			rec.Err = vigil.Errorf(vigil.ETOOLARGE, "document over the %d-byte limit", s.maxBytes)
			return rec, nil
		}
		if s.pos.Line == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		rec.Doc, rec.Err = decodeDocument(line)
		return rec, nil
	}
}

// readLine reads one line, newline included in n but not in line. A line
// longer than maxBytes is consumed whole and reported as tooLong, without
// being held in memory.
func (s *jsonlSource) readLine() (line []byte, n int64, tooLong bool, err error) {
	s.buf = s.buf[:0]
	for {
		chunk, err := s.r.ReadSlice('\n')
		n += int64(len(chunk))
		s.pos.CRC = crc32.Update(s.pos.CRC, crcTable, chunk)
		if !tooLong {
			if len(s.buf)+len(chunk) > s.maxBytes+1 {
				tooLong, s.buf = true, s.buf[:0]
			} else {
				s.buf = append(s.buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return s.buf, n, tooLong, err
	}
}

// decodeDocument parses and validates one JSON document.
func decodeDocument(line []byte) (*vigil.Document, error) {
	if !utf8.Valid(line) {
		return nil, vigil.Errorf(vigil.EINVALID, "invalid UTF-8 at byte %d", invalidUTF8At(line))
	}
	doc := new(vigil.Document)
	if err := json.Unmarshal(line, doc); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, vigil.Errorf(vigil.EINVALID, "not a JSON document: %v (byte %d)", se, se.Offset)
		case errors.As(err, &te):
			return nil, vigil.Errorf(vigil.EINVALID, "field %q: want %s, got JSON %s", te.Field, te.Type, te.Value)
		}
		return nil, vigil.Errorf(vigil.EINVALID, "not a JSON document: %v", err)
	}
	// The line's length was checked against the limit as it was read.
	if err := doc.Validate(0); err != nil {
		return nil, err
	}
	return doc, nil
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
