package classify

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	vigil "github.com/kz-newsroom/vigil"
)

// The model file, little-endian:
//
//	magic    "VIGILCLS"
//	version  uint32 (1)
//	hlen     uint32, then hlen bytes of JSON header (fileHeader)
//	idf      Buckets bytes, when features.idf: code c means idf = c*idf_step
//	rows     header.Rows uvarints: bucket of each stored row, as the gap
//	         from the previous stored bucket (the first from -1)
//	weights  header.Rows × len(Labels) int8, row by row
//	crc      uint32 CRC-32 (IEEE) of everything before it
//
// Rows whose weights are all zero are not stored. A file is read whole or
// refused: ReadModel checks every length, range and the checksum.
const (
	fileMagic   = "VIGILCLS"
	fileVersion = 1
	// maxHeader bounds the JSON header (labels, biases, scales).
	maxHeader = 1 << 20
	// maxReadCells bounds Buckets × (1 + Labels), the bytes of the weight
	// table of a model being read, so a small corrupt file cannot make the
	// reader allocate more than 64 MiB (the default topic model takes 5).
	maxReadCells = 1 << 26
)

type fileHeader struct {
	Labels   []Label       `json:"labels"`
	Features FeatureConfig `json:"features"`
	Bias     []float32     `json:"bias"`
	Scale    []float32     `json:"scale"`
	IDFStep  float32       `json:"idf_step,omitempty"`
	Rows     int           `json:"rows"`
}

// WriteTo writes the model in its binary format. It implements io.WriterTo.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	var rows []uint32
	for b := 0; b < m.Features.Buckets(); b++ {
		for _, q := range m.rows[b*m.stride+1 : (b+1)*m.stride] {
			if q != 0 {
				rows = append(rows, uint32(b))
				break
			}
		}
	}
	h := fileHeader{Labels: m.Labels, Features: m.Features, Bias: m.bias, Scale: m.scale,
		IDFStep: m.idfStep, Rows: len(rows)}
	hj, err := json.Marshal(h)
	if err != nil {
		return 0, fmt.Errorf("write model: %w", err)
	}
	crc := crc32.NewIEEE()
	cw := &countWriter{w: io.MultiWriter(w, crc)}
	bw := bufio.NewWriterSize(cw, 1<<16)
	bw.WriteString(fileMagic)
	var u [binary.MaxVarintLen64]byte
	binary.LittleEndian.PutUint32(u[:4], fileVersion)
	bw.Write(u[:4])
	binary.LittleEndian.PutUint32(u[:4], uint32(len(hj)))
	bw.Write(u[:4])
	bw.Write(hj)
	if m.Features.IDF {
		for b := 0; b < m.Features.Buckets(); b++ {
			bw.WriteByte(m.rows[b*m.stride])
		}
	}
	prev := -1
	for _, b := range rows {
		n := binary.PutUvarint(u[:], uint64(int(b)-prev))
		bw.Write(u[:n])
		prev = int(b)
	}
	for _, b := range rows {
		bw.Write(m.rows[int(b)*m.stride+1 : int(b+1)*m.stride])
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("write model: %w", err)
	}
	binary.LittleEndian.PutUint32(u[:4], crc.Sum32())
	n, err := w.Write(u[:4])
	if err != nil {
		return cw.n + int64(n), fmt.Errorf("write model: %w", err)
	}
	return cw.n + int64(n), nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ReadModel reads a model written by WriteTo. sub gives the subword
// features (nil when the model has none or no tokenizer is at hand). Any
// defect of the input (truncation, bad lengths or ranges, a checksum
// mismatch) is an error with code EINVALID; ReadModel never panics on bad
// input.
func ReadModel(r io.Reader, sub SubwordEncoder) (*Model, error) {
	m, err := readModel(r, sub)
	if err != nil {
		if vigil.ErrorCode(err) == vigil.EINVALID {
			return nil, err
		}
		return nil, vigil.Errorf(vigil.EINVALID, "read model: %v", err)
	}
	return m, nil
}

func readModel(r io.Reader, sub SubwordEncoder) (*Model, error) {
	crc := crc32.NewIEEE()
	br := bufio.NewReaderSize(r, 1<<16)
	tr := io.TeeReader(br, crc)
	bad := func(format string, args ...any) error {
		return vigil.Errorf(vigil.EINVALID, "read model: "+format, args...)
	}
	var fixed [16]byte
	if _, err := io.ReadFull(tr, fixed[:]); err != nil {
		return nil, bad("header: %v", eofIsUnexpected(err))
	}
	if string(fixed[:8]) != fileMagic {
		return nil, bad("not a Vigil classifier (bad magic)")
	}
	if v := binary.LittleEndian.Uint32(fixed[8:12]); v != fileVersion {
		return nil, bad("format version %d, this build reads %d", v, fileVersion)
	}
	hlen := binary.LittleEndian.Uint32(fixed[12:16])
	if hlen > maxHeader {
		return nil, bad("header of %d bytes, at most %d", hlen, maxHeader)
	}
	hj := make([]byte, hlen)
	if _, err := io.ReadFull(tr, hj); err != nil {
		return nil, bad("header: %v", eofIsUnexpected(err))
	}
	var h fileHeader
	if err := json.Unmarshal(hj, &h); err != nil {
		return nil, bad("header: %v", err)
	}
	if err := checkLabels(h.Labels); err != nil {
		return nil, bad("%s", vigil.ErrorMessage(err))
	}
	if err := h.Features.Validate(); err != nil {
		return nil, bad("%s", vigil.ErrorMessage(err))
	}
	L, B := len(h.Labels), h.Features.Buckets()
	switch {
	case len(h.Bias) != L || len(h.Scale) != L:
		return nil, bad("%d labels but %d biases and %d scales", L, len(h.Bias), len(h.Scale))
	case B*(L+1) > maxReadCells:
		return nil, bad("%d buckets × %d labels is too large", B, L)
	case h.Rows < 0 || h.Rows > B:
		return nil, bad("%d rows for %d buckets", h.Rows, B)
	case h.Features.IDF && !(h.IDFStep > 0 && h.IDFStep < 1):
		return nil, bad("idf step %v out of (0, 1)", h.IDFStep)
	}
	for l := range L {
		if !finite(h.Bias[l]) || !finite(h.Scale[l]) || h.Scale[l] <= 0 {
			return nil, bad("label %q: bias %v or scale %v invalid", h.Labels[l].Name, h.Bias[l], h.Scale[l])
		}
	}
	var codes []byte
	if h.Features.IDF {
		codes = make([]byte, B)
		if _, err := io.ReadFull(tr, codes); err != nil {
			return nil, bad("idf table: %v", eofIsUnexpected(err))
		}
	}
	// Rows are read into a list first: the dense table is allocated only
	// once the input has shown it really holds that many rows.
	vr := &byteReader{r: tr}
	rows := make([]uint32, 0, min(h.Rows, 1<<16))
	prev := -1
	for i := range h.Rows {
		gap, err := binary.ReadUvarint(vr)
		if err != nil {
			return nil, bad("row %d: %v", i, eofIsUnexpected(err))
		}
		if gap == 0 || gap > uint64(B) || prev+int(gap) >= B {
			return nil, bad("row %d: bucket out of range", i)
		}
		prev += int(gap)
		rows = append(rows, uint32(prev))
	}
	m := &Model{Labels: h.Labels, Features: h.Features, bias: h.Bias, scale: h.Scale, stride: L + 1}
	m.rows = make([]byte, B*m.stride)
	for b := range B {
		m.rows[b*m.stride] = 1
		if codes != nil {
			m.rows[b*m.stride] = codes[b]
		}
	}
	for _, b := range rows {
		if _, err := io.ReadFull(tr, m.rows[int(b)*m.stride+1:int(b+1)*m.stride]); err != nil {
			return nil, bad("weights: %v", eofIsUnexpected(err))
		}
	}
	want := crc.Sum32()
	var sum [4]byte
	if _, err := io.ReadFull(br, sum[:]); err != nil {
		return nil, bad("checksum: %v", eofIsUnexpected(err))
	}
	if got := binary.LittleEndian.Uint32(sum[:]); got != want {
		return nil, bad("checksum mismatch (file corrupt)")
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, bad("trailing data after checksum")
	}
	m.init(h.IDFStep, sub)
	return m, nil
}

type byteReader struct{ r io.Reader }

func (b *byteReader) ReadByte() (byte, error) {
	var c [1]byte
	_, err := io.ReadFull(b.r, c[:])
	return c[0], err
}

func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func finite(f float32) bool {
	return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0)
}
