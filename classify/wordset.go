package classify

import (
	"bufio"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// WordSet is a set of words and word beginnings ("брат*"), as the
// normalizer writes words: lower case, ё as е. A flag head uses one for
// the words its model does not read (FlagHead.Neutral). It is read-only
// after ParseWordSet and safe for concurrent use.
type WordSet struct {
	exact    map[string]bool
	prefixes map[string]bool
	lens     []int // distinct prefix lengths in bytes, shortest first
	n        int
	// gate has a bit for the first gateLen bytes of every entry at least
	// that long: a word whose first gateLen bytes have no bit is in the set
	// only if it is a shorter exact word. Most words of a text are thus
	// ruled out without a map lookup per prefix length.
	gate    *[gateWords]uint64
	gateLen int
}

const (
	gateBits  = 1 << 16
	gateWords = gateBits / 64
)

// ParseWordSet reads one word or word beginning a line; "#" starts a
// comment, blank lines are skipped. A line with a space, or a "*" anywhere
// but at the end, is an EINVALID error naming the line.
func ParseWordSet(r io.Reader) (*WordSet, error) {
	s := &WordSet{exact: map[string]bool{}, prefixes: map[string]bool{}}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		w, _, _ := strings.Cut(sc.Text(), "#")
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		w = strings.ReplaceAll(strings.ToLower(w), "ё", "е")
		prefix := strings.HasSuffix(w, "*")
		w = strings.TrimSuffix(w, "*")
		if w == "" || strings.ContainsAny(w, " \t*") || !utf8.ValidString(w) {
			return nil, vigil.Errorf(vigil.EINVALID, "word set line %d: %q is not one word or word beginning", line, sc.Text())
		}
		if prefix {
			s.prefixes[w] = true
			if !slices.Contains(s.lens, len(w)) {
				s.lens = append(s.lens, len(w))
			}
		} else {
			s.exact[w] = true
		}
		s.n++
	}
	if err := sc.Err(); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "word set: %v", err)
	}
	slices.Sort(s.lens)
	s.gateLen = 4 // two Cyrillic letters
	if len(s.lens) > 0 {
		s.gateLen = min(s.gateLen, s.lens[0])
	}
	s.gate = new([gateWords]uint64)
	for _, m := range []map[string]bool{s.exact, s.prefixes} {
		for w := range m {
			if len(w) >= s.gateLen {
				b := gateBit(w[:s.gateLen])
				s.gate[b/64] |= 1 << (b % 64)
			}
		}
	}
	return s, nil
}

func gateBit(p string) uint32 { return uint32(hashString(0, p)) % gateBits }

// Len is the number of entries.
func (s *WordSet) Len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// Has reports whether w is in the set or starts with one of its beginnings.
// A nil set has nothing.
func (s *WordSet) Has(w string) bool {
	if s == nil {
		return false
	}
	if s.gate != nil && len(w) >= s.gateLen {
		if b := gateBit(w[:s.gateLen]); s.gate[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	if s.exact[w] {
		return true
	}
	for _, n := range s.lens {
		if n > len(w) {
			break
		}
		if s.prefixes[w[:n]] {
			return true
		}
	}
	return false
}

// Without returns fields whose Words leave out every word in s; fields
// with none of them are returned as they are.
func (s *WordSet) Without(fields []pipeline.Field) []pipeline.Field {
	if s.Len() == 0 {
		return fields
	}
	var out []pipeline.Field
	for fi := range fields {
		words := fields[fi].Words
		if !slices.ContainsFunc(words, func(t pipeline.Token) bool { return s.Has(t.Text) }) {
			continue
		}
		if out == nil {
			out = slices.Clone(fields)
		}
		kept := make([]pipeline.Token, 0, len(words))
		for _, t := range words {
			if !s.Has(t.Text) {
				kept = append(kept, t)
			}
		}
		out[fi].Words = kept
	}
	if out == nil {
		return fields
	}
	return out
}
