package vigil

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// DefaultMaxDocumentBytes is the default size limit of one document: 1 MiB.
const DefaultMaxDocumentBytes = 1 << 20

// Size returns the number of bytes of text d carries: the sum of its
// string fields and labels. It is what the size limit is checked against.
func (d *Document) Size() int {
	n := len(d.ID) + len(d.Kind) + len(d.Lang) + len(d.Title) + len(d.Body) +
		len(d.Author) + len(d.Section) + len(d.URL) + len(d.PublishedAt) + len(d.Source)
	for _, t := range d.Tags {
		n += len(t)
	}
	for _, f := range d.Flags {
		n += len(f)
	}
	return n
}

// Validate checks d against the contract and fills the default kind
// (article) when none is given. maxBytes limits Size; 0 or less means no
// limit. The error is an *Error: ETOOLARGE for a document over the limit,
// EINVALID for anything else, with a message that names the field.
func (d *Document) Validate(maxBytes int) error {
	if err := CheckID(d.ID); err != nil {
		return err
	}
	for _, f := range []struct{ name, value string }{{"author", d.Author}, {"section", d.Section}} {
		if i := strings.IndexByte(f.value, 0); i >= 0 {
			return Errorf(EINVALID, "document %q: %s: NUL character (\\u0000) at byte %d", d.ID, f.name, i)
		}
	}
	if maxBytes > 0 {
		if n := d.Size(); n > maxBytes {
			return Errorf(ETOOLARGE, "document %q is %d bytes, over the limit of %d", d.ID, n, maxBytes)
		}
	}
	for _, f := range []struct{ name, value string }{
		{"kind", d.Kind}, {"lang", d.Lang}, {"title", d.Title}, {"body", d.Body},
		{"author", d.Author}, {"section", d.Section}, {"url", d.URL},
		{"published_at", d.PublishedAt}, {"source", d.Source},
	} {
		if !utf8.ValidString(f.value) {
			return Errorf(EINVALID, "document %q: %s: invalid UTF-8 at byte %d", d.ID, f.name, invalidAt(f.value))
		}
	}
	for _, l := range [][]string{d.Tags, d.Flags} {
		for _, s := range l {
			if !utf8.ValidString(s) {
				return Errorf(EINVALID, "document %q: label %q: invalid UTF-8", d.ID, s)
			}
		}
	}
	if strings.TrimSpace(d.Title) == "" && strings.TrimSpace(d.Body) == "" {
		return Errorf(EINVALID, "document %q: body or title is required (white space alone is no text)", d.ID)
	}
	switch d.Kind {
	case "":
		d.Kind = KindArticle
	case KindArticle, KindComment:
	default:
		return Errorf(EINVALID, "document %q: kind %q is not %q or %q", d.ID, d.Kind, KindArticle, KindComment)
	}
	switch d.Lang {
	case "", LangRussian, LangKazakh, LangEnglish:
	default:
		return Errorf(EINVALID, "document %q: lang %q is not %q, %q or %q (or absent, to detect it)",
			d.ID, d.Lang, LangRussian, LangKazakh, LangEnglish)
	}
	return nil
}

// invalidAt returns the offset of the first invalid UTF-8 byte of s.
// CheckID checks a document id against the contract: present, valid
// UTF-8, at most MaxIDBytes, no NUL. The error is an EINVALID *Error
// naming the field.
func CheckID(id string) error {
	if id == "" {
		return Errorf(EINVALID, "id is required")
	}
	if !utf8.ValidString(id) {
		return Errorf(EINVALID, "id: invalid UTF-8 at byte %d", invalidAt(id))
	}
	if len(id) > MaxIDBytes {
		return Errorf(EINVALID, "id is %d bytes long, over the limit of %d", len(id), MaxIDBytes)
	}
	// Identifiers are stored and queried as database text, which cannot
	// hold NUL (PostgreSQL refuses it): refused here, naming the field,
	// rather than failing later as a storage error the caller would retry.
	if i := strings.IndexByte(id, 0); i >= 0 {
		return Errorf(EINVALID, "id: NUL character (\\u0000) at byte %d", i)
	}
	return nil
}

func invalidAt(s string) int {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			return i
		}
		i += w
	}
	return len(s)
}

// DocumentReader reads documents from JSONL: one JSON object a line, blank
// lines skipped. A bad line is an error for that line only; the next call
// reads on. It is not safe for concurrent use.
type DocumentReader struct {
	r        *bufio.Reader
	maxBytes int
	line     int
	buf      []byte
}

// NewDocumentReader returns a reader of the JSONL documents in r. A line
// longer than maxBytes (0 or less: DefaultMaxDocumentBytes) is rejected
// with ETOOLARGE without being held in memory.
func NewDocumentReader(r io.Reader, maxBytes int) *DocumentReader {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxDocumentBytes
	}
	return &DocumentReader{r: bufio.NewReaderSize(r, 64<<10), maxBytes: maxBytes}
}

// Next returns the next document, validated (see Document.Validate), and
// its 1-based line number. At the end of input it returns io.EOF. An error
// that is an *Error (EINVALID, ETOOLARGE) concerns that line only and
// reading may go on; any other error is the underlying reader's and ends
// the input.
func (dr *DocumentReader) Next() (Document, int, error) {
	for {
		line, size, tooLong, err := dr.readLine()
		if err != nil && !(errors.Is(err, io.EOF) && (len(line) > 0 || tooLong)) {
			return Document{}, dr.line, err
		}
		if tooLong {
			return Document{}, dr.line, Errorf(ETOOLARGE, "line of %d bytes is over the document size limit of %d", size, dr.maxBytes)
		}
		if dr.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff")) // a byte order mark from an editor
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			if err != nil {
				return Document{}, dr.line, err
			}
			continue
		}
		doc, derr := decodeDocument(line, dr.maxBytes)
		return doc, dr.line, derr
	}
}

// readLine reads one line of size bytes (without its newline). When the line is
// longer than the limit, it is read to its end and dropped, and tooLong is
// set.
func (dr *DocumentReader) readLine() (line []byte, size int, tooLong bool, err error) {
	dr.line++
	dr.buf = dr.buf[:0]
	for {
		chunk, err := dr.r.ReadSlice('\n')
		size += len(chunk)
		if !tooLong {
			if len(dr.buf)+len(chunk) > dr.maxBytes+2 { // +2: the "\r\n"
				tooLong = true
				dr.buf = dr.buf[:0]
			} else {
				dr.buf = append(dr.buf, chunk...)
			}
		}
		switch {
		case err == nil:
			return dr.buf, size - 1, tooLong, nil // without the newline
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return dr.buf, size, tooLong, err
		}
	}
}

func decodeDocument(line []byte, maxBytes int) (Document, error) {
	var doc Document
	if !utf8.Valid(line) {
		return doc, Errorf(EINVALID, "invalid UTF-8 at byte %d", invalidAt(string(line)))
	}
	if len(line) > maxBytes {
		return doc, Errorf(ETOOLARGE, "line of %d bytes is over the document size limit of %d", len(line), maxBytes)
	}
	if line[0] != '{' {
		return doc, Errorf(EINVALID, "not a JSON object")
	}
	if err := json.Unmarshal(line, &doc); err != nil {
		return Document{}, Errorf(EINVALID, "not a valid document: %s", JSONError(err))
	}
	if err := doc.Validate(maxBytes); err != nil {
		return doc, err
	}
	return doc, nil
}

// JSONError words a JSON decoding error for the person who wrote the JSON:
// a JSONL line, a request body. Every reader of JSON in Vigil words its
// errors with it.
func JSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "empty; want a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "JSON syntax error: truncated, it ends before the value does"
	case errors.As(err, &se):
		return fmt.Sprintf("JSON syntax error at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		if te.Field == "" {
			return fmt.Sprintf("the value must be a JSON %s, not %s", jsonType(te.Type.Kind().String()), te.Value)
		}
		return fmt.Sprintf("field %q must be a JSON %s, not %s", te.Field, jsonType(te.Type.Kind().String()), te.Value)
	}
	return err.Error()
}

func jsonType(kind string) string {
	switch kind {
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return kind
}
