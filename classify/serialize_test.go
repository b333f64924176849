package classify

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// tinyModel is a small valid model (2^6 buckets) for the reader's tests.
func tinyModel(tb testing.TB, idf bool) []byte {
	tb.Helper()
	fc := DefaultFeatures()
	fc.BucketBits, fc.Subwords, fc.IDF = 6, false, idf
	words := func(s ...string) []pipeline.Field {
		var ts []pipeline.Token
		for _, w := range s {
			ts = append(ts, pipeline.Token{Text: w})
		}
		return []pipeline.Field{{Words: ts}}
	}
	m, err := Train(context.Background(), []Label{{Name: "a", Kind: KindTag}, {Name: "b", Kind: KindFlag}},
		[]Example{{Fields: words("мяч", "гол"), Labels: []int{0}}, {Fields: words("нефть", "цена"), Labels: []int{1}}},
		nil, TrainOptions{Features: fc, Epochs: 2, Threads: 1})
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestReadModelCorrupt(t *testing.T) {
	good := tinyModel(t, true)
	if _, err := ReadModel(bytes.NewReader(good), nil); err != nil {
		t.Fatalf("good model: %v", err)
	}
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	hlen := int(binary.LittleEndian.Uint32(good[12:16]))
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "header"},
		{"bad magic", mod(func(b []byte) []byte { b[0] = 'X'; return b }), "bad magic"},
		{"future version", mod(func(b []byte) []byte { b[8] = 9; return b }), "format version 9"},
		{"huge header", mod(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 1<<30); return b }), "header of"},
		{"header not JSON", mod(func(b []byte) []byte { b[16] = '!'; return b }), "header"},
		{"truncated", good[:len(good)-10], "unexpected EOF"},
		{"flipped weight", mod(func(b []byte) []byte { b[len(b)-6] ^= 0x55; return b }), "checksum"},
		{"trailing data", append(bytes.Clone(good), 0), "trailing data"},
		{"bad labels", mod(func(b []byte) []byte {
			h := b[16 : 16+hlen]
			copy(h[bytes.Index(h, []byte(`"kind":"tag"`)):], `"kind":"xyz"`)
			return b
		}), "neither tag nor flag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadModel(bytes.NewReader(tc.data), nil)
			if err == nil || m != nil {
				t.Fatalf("read a corrupt model without error")
			}
			if vigil.ErrorCode(err) != vigil.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want EINVALID containing %q", err, tc.want)
			}
		})
	}
}

// FuzzReadModel: any input is either a model that scores documents or an
// EINVALID error; never a panic or a huge allocation.
func FuzzReadModel(f *testing.F) {
	for _, idf := range []bool{true, false} {
		good := tinyModel(f, idf)
		f.Add(good)
		f.Add(good[:len(good)/2])
		f.Add(good[:20])
	}
	f.Add([]byte("VIGILCLS"))
	doc := []pipeline.Field{{Words: []pipeline.Token{{Text: "гол"}, {Text: "нефть"}, {Text: "x"}}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadModel(bytes.NewReader(data), nil)
		if err != nil {
			if vigil.ErrorCode(err) != vigil.EINVALID {
				t.Fatalf("error code %s: %v", vigil.ErrorCode(err), err)
			}
			return
		}
		scores := m.Scores(nil, doc)
		if len(scores) != len(m.Labels) {
			t.Fatalf("%d scores for %d labels", len(scores), len(m.Labels))
		}
		m.Explain(doc, 0, 3)
		m.Predict(doc)
	})
}

// FuzzReadModelHeader fuzzes the JSON header of a valid model and fixes the
// checksum, so the reader's checks past the checksum (lengths, ranges,
// rows, the model built from them) are reached, not just the CRC test.
func FuzzReadModelHeader(f *testing.F) {
	good := tinyModel(f, true)
	hlen := int(binary.LittleEndian.Uint32(good[12:16]))
	header, rest := good[16:16+hlen], good[16+hlen:len(good)-4]
	f.Add(header)
	f.Add([]byte(strings.Replace(string(header), `"bucket_bits":6`, `"bucket_bits":7`, 1)))
	f.Add([]byte(strings.Replace(string(header), `"rows":`, `"rows":1`, 1)))
	f.Add([]byte(strings.Replace(string(header), `"idf":true`, `"idf":false`, 1)))
	doc := []pipeline.Field{{Words: []pipeline.Token{{Text: "гол"}, {Text: "нефть"}}}}
	f.Fuzz(func(t *testing.T, h []byte) {
		if len(h) > maxHeader {
			return
		}
		var b bytes.Buffer
		b.WriteString(fileMagic)
		binary.Write(&b, binary.LittleEndian, uint32(fileVersion))
		binary.Write(&b, binary.LittleEndian, uint32(len(h)))
		b.Write(h)
		b.Write(rest)
		binary.Write(&b, binary.LittleEndian, crc32.ChecksumIEEE(b.Bytes()))
		m, err := ReadModel(&b, nil)
		if err != nil {
			if vigil.ErrorCode(err) != vigil.EINVALID {
				t.Fatalf("error code %s: %v", vigil.ErrorCode(err), err)
			}
			return
		}
		if s := m.Scores(nil, doc); len(s) != len(m.Labels) {
			t.Fatalf("%d scores for %d labels", len(s), len(m.Labels))
		}
		m.Explain(doc, 0, 2)
	})
}
