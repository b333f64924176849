package vigil_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	vigil "github.com/kz-newsroom/vigil"
)

func TestDocumentValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  vigil.Document
		max  int
		code string
		msg  string
	}{
		{"ok", vigil.Document{ID: "a", Body: "текст"}, 0, "", ""},
		{"title only", vigil.Document{ID: "a", Title: "заголовок", Kind: "comment", Lang: "kk"}, 0, "", ""},
		{"no id", vigil.Document{Body: "x"}, 0, vigil.EINVALID, "id is required"},
		{"long id", vigil.Document{ID: strings.Repeat("x", 257), Body: "x"}, 0, vigil.EINVALID, "over the limit of 256"},
		{"id of 256 bytes", vigil.Document{ID: strings.Repeat("ж", 128), Body: "x"}, 0, "", ""},
		{"no text", vigil.Document{ID: "a", Author: "b"}, 0, vigil.EINVALID, "body or title is required"},
		{"blank text", vigil.Document{ID: "a", Title: " \n", Body: "\t  \u00a0"}, 0, vigil.EINVALID, "body or title is required"},
		{"bad kind", vigil.Document{ID: "a", Kind: "tweet", Body: "x"}, 0, vigil.EINVALID, `kind "tweet"`},
		{"bad lang", vigil.Document{ID: "a", Lang: "de", Body: "x"}, 0, vigil.EINVALID, `lang "de"`},
		{"bad utf8 body", vigil.Document{ID: "a", Body: "ok\xffno"}, 0, vigil.EINVALID, "body: invalid UTF-8 at byte 2"},
		{"bad utf8 id", vigil.Document{ID: "a\xff", Body: "x"}, 0, vigil.EINVALID, "id: invalid UTF-8 at byte 1"},
		{"bad utf8 tag", vigil.Document{ID: "a", Body: "x", Tags: []string{"\xff"}}, 0, vigil.EINVALID, "invalid UTF-8"},
		{"too large", vigil.Document{ID: "a", Body: strings.Repeat("x", 100)}, 50, vigil.ETOOLARGE, "over the limit of 50"},
		{"at the limit", vigil.Document{ID: "a", Body: strings.Repeat("x", 49)}, 50, "", ""},
		// Issue 14, row 5: NUL in a stored identifier is refused, naming
		// the field (PostgreSQL cannot store it); in the text it is fine.
		{"NUL in id", vigil.Document{ID: "a\x00b", Body: "x"}, 0, vigil.EINVALID, "id: NUL character"},
		{"NUL in author", vigil.Document{ID: "a", Author: "\x00", Body: "x"}, 0, vigil.EINVALID, "author: NUL character"},
		{"NUL in section", vigil.Document{ID: "a", Section: "news\x00", Body: "x"}, 0, vigil.EINVALID, "section: NUL character (\\u0000) at byte 4"},
		{"NUL in body", vigil.Document{ID: "a", Body: "x\x00y"}, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.doc
			err := d.Validate(tc.max)
			if got := vigil.ErrorCode(err); got != tc.code {
				t.Fatalf("Validate() = %v, want code %q", err, tc.code)
			}
			if err != nil && !strings.Contains(vigil.ErrorMessage(err), tc.msg) {
				t.Errorf("message %q lacks %q", vigil.ErrorMessage(err), tc.msg)
			}
			if err == nil && tc.doc.Kind == "" && d.Kind != vigil.KindArticle {
				t.Errorf("kind %q, want the default %q", d.Kind, vigil.KindArticle)
			}
		})
	}
}

type result struct {
	id   string
	line int
	code string
}

func readAll(t *testing.T, r io.Reader, max int) []result {
	t.Helper()
	dr := vigil.NewDocumentReader(r, max)
	var out []result
	for range 10000 {
		d, line, err := dr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		var verr *vigil.Error
		if err != nil && !errors.As(err, &verr) {
			t.Fatalf("line %d: reader error %v", line, err)
		}
		out = append(out, result{d.ID, line, vigil.ErrorCode(err)})
	}
	t.Fatal("reader did not reach EOF")
	return nil
}

func TestDocumentReader(t *testing.T) {
	huge := `{"id":"huge","body":"` + strings.Repeat("я", 200_000) + `"}`
	input := strings.Join([]string{
		`{"id":"a","body":"первый"}`,
		``,
		`   `,
		`not json`,
		`{"id":"b","body":"второй"`,
		"{\"id\":\"c\",\"body\":\"\xff\"}",
		huge,
		`{"body":"no id"}`,
		`{"id":"d","title":"ok","tags":["security"]}` + "\r",
		`{"id":"e","body":1}`,
		`[1,2]`,
		`{"id":"f","body":"последний"}`,
	}, "\n") // no final newline
	got := readAll(t, iotest.OneByteReader(strings.NewReader(input)), 100_000)
	want := []result{
		{"a", 1, ""},
		{"", 4, vigil.EINVALID},
		{"", 5, vigil.EINVALID},
		{"", 6, vigil.EINVALID},
		{"", 7, vigil.ETOOLARGE},
		{"", 8, vigil.EINVALID},
		{"d", 9, ""},
		{"", 10, vigil.EINVALID},
		{"", 11, vigil.EINVALID},
		{"f", 12, ""},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func TestDocumentReaderBOM(t *testing.T) {
	got := readAll(t, strings.NewReader("\ufeff{\"id\":\"a\",\"body\":\"x\"}\n\ufeff{\"id\":\"b\",\"body\":\"x\"}\n"), 0)
	want := []result{{"a", 1, ""}, {"", 2, vigil.EINVALID}} // a BOM only starts a file
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDocumentReaderMessages(t *testing.T) {
	for _, tc := range []struct{ line, msg string }{
		{`{"id":"b","body":"x"`, "JSON syntax error"},
		{`{"id":"e","body":1}`, `field "body" must be a JSON string, not number`},
		{`{"id":"e","tags":"security","body":"x"}`, `field "tags" must be a JSON array, not string`},
		{"{\"id\":\"c\",\"body\":\"ab\xff\"}", "invalid UTF-8 at byte 20"},
		{`["x"]`, "not a JSON object"},
		{`{"id":"x","body":"` + strings.Repeat("x", 200) + `"}`, "line of 220 bytes is over the document size limit of 100"},
	} {
		_, _, err := vigil.NewDocumentReader(strings.NewReader(tc.line), 100).Next()
		if err == nil || !strings.Contains(vigil.ErrorMessage(err), tc.msg) {
			t.Errorf("%.40q: error %v, want %q", tc.line, err, tc.msg)
		}
	}
}

// TestDocumentReaderLongLine checks that a line far over the limit is
// dropped as it is read, and the next line is read normally.
func TestDocumentReaderLongLine(t *testing.T) {
	const size = 64 << 20
	r := io.MultiReader(
		strings.NewReader(`{"id":"big","body":"`),
		io.LimitReader(repeatReader('x'), size),
		strings.NewReader("\"}\n{\"id\":\"next\",\"body\":\"ok\"}\n"),
	)
	got := readAll(t, r, 1<<20)
	want := []result{{"", 1, vigil.ETOOLARGE}, {"next", 2, ""}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

type repeatReader byte

func (c repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

func TestDocumentReaderIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	dr := vigil.NewDocumentReader(io.MultiReader(strings.NewReader(`{"id":"a","body":"x"}`+"\n"), iotest.ErrReader(boom)), 0)
	if _, _, err := dr.Next(); err != nil {
		t.Fatalf("first line: %v", err)
	}
	if _, _, err := dr.Next(); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the reader's error", err)
	}
}

func FuzzDocumentReader(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","body":"x"}` + "\n" + `{"id":"b"}`,
		"not json\n\n{}", "{\"id\":\"\xff\"}", `{"id":"a","kind":"comment","lang":"kk","title":"т"}`,
		`{"id":"a","tags":[1]}`, "\r\n\r\n", `{"id":"a","body":"` + strings.Repeat("x", 80) + `"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dr := vigil.NewDocumentReader(strings.NewReader(s), 64)
		prev := 0
		for range len(s) + 2 {
			d, line, err := dr.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if line <= prev {
				t.Fatalf("line %d after %d", line, prev)
			}
			prev = line
			if err == nil {
				if d.ID == "" || (d.Title == "" && d.Body == "") || d.Size() > 64 {
					t.Fatalf("invalid document accepted: %+v", d)
				}
				continue
			}
			if c := vigil.ErrorCode(err); c != vigil.EINVALID && c != vigil.ETOOLARGE {
				t.Fatalf("line %d: error %v with code %s", line, err, c)
			}
		}
		t.Fatalf("no EOF after %d calls", len(s)+2)
	})
}

// A reader goes on after a bad line; the error names what is wrong and Next
// gives its line number.
func ExampleNewDocumentReader() {
	input := `{"id":"a1","title":"Заседание Совета РАТС ШОС"}
{"id":"c7","kind":"tweet","body":"..."}
{"id":"c8","kind":"comment","body":"Отличная статья"}
`
	dr := vigil.NewDocumentReader(strings.NewReader(input), vigil.DefaultMaxDocumentBytes)
	for {
		doc, line, err := dr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Printf("line %d: %s\n", line, vigil.ErrorMessage(err))
			continue
		}
		fmt.Printf("line %d: %s (%s)\n", line, doc.ID, doc.Kind)
	}
	// Output:
	// line 1: a1 (article)
	// line 2: document "c7": kind "tweet" is not "article" or "comment"
	// line 3: c8 (comment)
}
