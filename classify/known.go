package classify

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"slices"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// KnownWords is the set of words a flag head's text models saw in
// training, kept as sorted 32-bit hashes (a word not in it is taken for
// one of them about once in 70,000 tries, for 60,000 words). The models'
// hashed features cannot tell: a word never seen still lands on rows that
// other words' features trained (on the toxic head most rows are), so a
// text of unknown words gets an opinion made of other text's weights.
// With KnownWords a head counts only known words towards MinWords
// (FlagHead.Known).
type KnownWords struct {
	h []uint32
}

// seedKnown keeps the known-word hashes apart from the feature hashes.
const seedKnown uint64 = 0x4cf5ad432745937f

// knownMagic starts a known-words file: then the count and the hashes,
// little-endian uint32.
const knownMagic = "VGKNOWN1"

// NewKnownWords returns the words of fields as KnownWords.
func NewKnownWords(fields ...[]pipeline.Field) *KnownWords {
	var h []uint32
	for _, fs := range fields {
		for _, f := range fs {
			for _, w := range f.Words {
				h = append(h, uint32(hashString(seedKnown, w.Text)))
			}
		}
	}
	slices.Sort(h)
	return &KnownWords{h: slices.Compact(h)}
}

// Has reports whether w is a known word. A nil set knows every word.
func (k *KnownWords) Has(w string) bool {
	if k == nil {
		return true
	}
	_, ok := slices.BinarySearch(k.h, uint32(hashString(seedKnown, w)))
	return ok
}

// Len is the number of distinct word hashes in k.
func (k *KnownWords) Len() int { return len(k.h) }

// MarshalBinary returns k in the known-words file format.
func (k *KnownWords) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, len(knownMagic)+4+4*len(k.h))
	b = append(b, knownMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(k.h)))
	for _, h := range k.h {
		b = binary.LittleEndian.AppendUint32(b, h)
	}
	return b, nil
}

// ReadKnownWords reads a known-words file (KnownWords.MarshalBinary).
func ReadKnownWords(r io.Reader) (*KnownWords, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte(knownMagic)) || len(b) < len(knownMagic)+4 {
		return nil, vigil.Errorf(vigil.EINVALID, "known words: not a known-words file")
	}
	b = b[len(knownMagic):]
	n := int(binary.LittleEndian.Uint32(b))
	if b = b[4:]; len(b) != 4*n {
		return nil, vigil.Errorf(vigil.EINVALID, "known words: %d bytes for %d words", len(b), n)
	}
	h := make([]uint32, n)
	for i := range h {
		h[i] = binary.LittleEndian.Uint32(b[4*i:])
		if i > 0 && h[i] <= h[i-1] {
			return nil, vigil.Errorf(vigil.EINVALID, "known words: hashes not sorted")
		}
	}
	return &KnownWords{h: h}, nil
}

// cleanLogit is the models' median logit for label on the negatives of ex
// that pick selects: what the head gives ordinary clean text, which a text
// of unknown words is moved towards (FlagHead.Prior).
func cleanLogit(ms []*Model, label string, ex []FlagExample, pick func(i int) bool) float64 {
	var z []float64
	for i, e := range ex {
		if !e.Gold && pick(i) {
			z = append(z, meanLogit(ms, label, e.Fields))
		}
	}
	if len(z) == 0 {
		return meanLogit(ms, label, nil)
	}
	slices.Sort(z)
	if n := len(z); n%2 == 0 {
		return (z[n/2-1] + z[n/2]) / 2
	}
	return z[len(z)/2]
}

// meanOf is the mean of v.
func meanOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / math.Max(1, float64(len(v)))
}

// fieldsOf returns the fields of every example of each list.
func fieldsOf(lists ...[]FlagExample) [][]pipeline.Field {
	var fs [][]pipeline.Field
	for _, ex := range lists {
		for _, e := range ex {
			fs = append(fs, e.Fields)
		}
	}
	return fs
}
