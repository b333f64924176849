package retag

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
)

// documentFields are the document fields a CSV column or database column
// can fill, by their JSON names.
var documentFields = []string{"id", "kind", "lang", "title", "body", "author", "section", "url", "published_at", "tags", "flags", "source"}

// ParseColumnMap parses a column mapping such as
// "id=article_id,title=headline,body=text": document field = column name.
// Fields not named keep their own name as the column.
func ParseColumnMap(s string) (map[string]string, error) {
	m := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, pair := range strings.Split(s, ",") {
		field, col, ok := strings.Cut(pair, "=")
		field, col = strings.TrimSpace(field), strings.TrimSpace(col)
		if !ok || field == "" || col == "" {
			return nil, vigil.Errorf(vigil.EINVALID, "column map %q: want field=column pairs separated by commas", pair)
		}
		if !slices.Contains(documentFields, field) {
			return nil, vigil.Errorf(vigil.EINVALID, "column map: unknown document field %q (want one of %s)", field, strings.Join(documentFields, ", "))
		}
		m[field] = col
	}
	return m, nil
}

// setField sets the document field named by its JSON name.
func setField(d *vigil.Document, field, v string) {
	switch field {
	case "id":
		d.ID = v
	case "kind":
		d.Kind = v
	case "lang":
		d.Lang = v
	case "title":
		d.Title = v
	case "body":
		d.Body = v
	case "author":
		d.Author = v
	case "section":
		d.Section = v
	case "url":
		d.URL = v
	case "published_at":
		d.PublishedAt = v
	case "tags":
		d.Tags = splitList(v)
	case "flags":
		d.Flags = splitList(v)
	case "source":
		d.Source = v
	}
}

// splitList splits a tag list written as "a;b", "a,b" or "a|b".
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// csvSource reads documents from a CSV file with a header row.
type csvSource struct {
	name     string
	f        *os.File
	cr       *csv.Reader
	base     int64 // file offset where cr started reading
	lineBase int64 // lines before base
	cols     []int // cols[i] is the column of documentFields[i], or -1
	pos      Position
	maxBytes int
	crcBuf   []byte
}

// openCSV opens the CSV file path, reads its header and maps columns, then
// positions it at start (or just after the header).
func openCSV(path string, colmap map[string]string, start Position, maxBytes int) (*csvSource, error) {
	if path == "-" {
		return nil, vigil.Errorf(vigil.EINVALID, "CSV input must be a file, not stdin")
	}
	f, err := openInputFile(path)
	if err != nil {
		return nil, err
	}
	s := &csvSource{name: path, f: f, maxBytes: maxBytes, crcBuf: make([]byte, 64<<10)}
	cr := newCSVReader(f)
	header, err := cr.Read()
	if err != nil {
		f.Close()
		return nil, vigil.Errorf(vigil.EINVALID, "%s: reading the CSV header: %v", path, err)
	}
	header = slices.Clone(header)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	index := map[string]int{}
	for i, h := range header {
		index[strings.TrimSpace(h)] = i
	}
	s.cols = make([]int, len(documentFields))
	for i, field := range documentFields {
		col, mapped := colmap[field]
		if !mapped {
			col = field
		}
		j, ok := index[col]
		if !ok && mapped {
			f.Close()
			return nil, vigil.Errorf(vigil.EINVALID, "%s: column map names column %q for %s, but the header has %s", path, col, field, strings.Join(header, ","))
		}
		if !ok {
			j = -1
		}
		s.cols[i] = j
	}
	if s.cols[0] < 0 {
		f.Close()
		return nil, vigil.Errorf(vigil.EINVALID, "%s: no id column (header: %s); map one with id=COLUMN", path, strings.Join(header, ","))
	}
	headerEnd := cr.InputOffset()
	headerLines, _ := cr.FieldPos(0)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("seek %s: %w", path, err)
	}
	if start.Offset < headerEnd {
		start = Position{Offset: headerEnd, Line: int64(headerLines)}
		h := crc32.New(crcTable)
		if _, err := io.CopyN(h, f, headerEnd); err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		start.CRC = h.Sum32()
	} else if err := checkPrefix(path, bufio.NewReaderSize(f, 1<<20), start); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(start.Offset, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("seek %s: %w", path, err)
	}
	s.cr, s.base, s.lineBase, s.pos = newCSVReader(f), start.Offset, start.Line, start
	return s, nil
}

func newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}

func (s *csvSource) Close() error { return s.f.Close() }

// advance moves the position to off, folding the bytes passed over into
// its CRC. csv.Reader reads ahead, so they are read again from the file
// (from the page cache) rather than taken from its buffer.
func (s *csvSource) advance(off int64) error {
	for s.pos.Offset < off {
		n := min(off-s.pos.Offset, int64(len(s.crcBuf)))
		if _, err := s.f.ReadAt(s.crcBuf[:n], s.pos.Offset); err != nil {
			return fmt.Errorf("read %s: %w", s.name, err)
		}
		s.pos.CRC = crc32.Update(s.pos.CRC, crcTable, s.crcBuf[:n])
		s.pos.Offset += n
	}
	return nil
}

// Remaining counts the records left with a pass of a CSV reader over the
// rest of the file (records may span lines, so lines would not do).
func (s *csvSource) Remaining(ctx context.Context) (int64, error) {
	f, err := os.Open(s.name)
	if err != nil {
		return -1, err
	}
	defer f.Close()
	if _, err := f.Seek(s.pos.Offset, io.SeekStart); err != nil {
		return -1, err
	}
	cr := newCSVReader(bufio.NewReaderSize(f, 1<<20))
	var n int64
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return -1, err
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return -1, ctx.Err()
		}
	}
}

func (s *csvSource) Next(context.Context) (Record, error) {
	row, err := s.cr.Read()
	if err == io.EOF {
		return Record{}, io.EOF
	}
	startLine := s.pos.Line + 1
	if err == nil {
		l, _ := s.cr.FieldPos(0)
		startLine = s.lineBase + int64(l)
	}
	var pe *csv.ParseError
	if err != nil && !errors.As(err, &pe) {
		return Record{}, fmt.Errorf("read %s: %w", s.name, err)
	}
	if err := s.advance(s.base + s.cr.InputOffset()); err != nil {
		return Record{}, err
	}
	s.pos.Line = startLine
	for _, v := range row {
		s.pos.Line += int64(strings.Count(v, "\n"))
	}
	rec := Record{Line: startLine, End: s.pos}
	if pe != nil {
		rec.Line = s.lineBase + int64(pe.StartLine)
		s.pos.Line = s.lineBase + int64(pe.Line)
		rec.End = s.pos
		rec.Err = vigil.Errorf(vigil.EINVALID, "CSV: %v", pe.Err)
		return rec, nil
	}
	doc := new(vigil.Document)
	for i, field := range documentFields {
		j := s.cols[i]
		if j < 0 || j >= len(row) {
			continue
		}
		setField(doc, field, row[j])
	}
	rec.Err = doc.Validate(s.maxBytes)
	if rec.Err == nil {
		rec.Doc = doc
	}
	return rec, nil
}
