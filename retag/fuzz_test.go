package retag

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzJSONLSource feeds arbitrary bytes to the JSONL reader: it must never
// panic, every record's end position must move forward, and the input must
// be consumed exactly (so a checkpoint offset is always a line boundary).
func FuzzJSONLSource(f *testing.F) {
	f.Add([]byte(`{"id":"a","body":"x"}` + "\n" + `{"id":"b","title":"y","tags":["s"]}`))
	f.Add([]byte("\xef\xbb\xbf{\"id\":\"a\",\"body\":\"\xff\"}\n\n\nnot json\n{}"))
	f.Add([]byte(`{"id":"` + string(bytes.Repeat([]byte("x"), 300)) + `","body":"b"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := openJSONL("-", bytes.NewReader(data), Position{}, 64)
		if err != nil {
			t.Fatal(err)
		}
		var last Position
		for {
			rec, err := s.Next(context.Background())
			if err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			if rec.End.Offset <= last.Offset || rec.End.Line <= last.Line || rec.Line != rec.End.Line {
				t.Fatalf("position went from %+v to %+v", last, rec.End)
			}
			if (rec.Doc == nil) == (rec.Err == nil) {
				t.Fatalf("record has doc %v and err %v", rec.Doc, rec.Err)
			}
			if rec.End.Offset < int64(len(data)) && data[rec.End.Offset-1] != '\n' {
				t.Fatalf("record ends at %d, not after a newline", rec.End.Offset)
			}
			last = rec.End
		}
		if s.pos.Offset != int64(len(data)) {
			t.Fatalf("consumed %d of %d bytes", s.pos.Offset, len(data))
		}
	})
}

// FuzzCSVSource feeds arbitrary CSV files to the CSV reader: no panics, and
// positions only move forward.
func FuzzCSVSource(f *testing.F) {
	f.Add([]byte("id,title,body\n1,a,b\n2,\"x\ny\",z\n"))
	f.Add([]byte("id,body\n1,\"unterminated\n2,b\n"))
	f.Add([]byte("\ufeffid;body\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := openCSV(path, nil, Position{}, 1<<10)
		if err != nil {
			return // no header or no id column: refused up front
		}
		defer s.Close()
		var last Position
		for range 10000 {
			rec, err := s.Next(context.Background())
			if err == io.EOF {
				return
			} else if err != nil {
				t.Fatal(err)
			}
			if rec.End.Offset < last.Offset || rec.End.Line < last.Line {
				t.Fatalf("position went from %+v to %+v", last, rec.End)
			}
			last = rec.End
		}
		t.Fatal("CSV reader does not advance")
	})
}
