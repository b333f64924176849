package rules

import (
	"cmp"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// MaxEvidence caps the evidence spans one rule reports per field.
const MaxEvidence = 8

// MaxEntities caps the entities reported per field, so a long text full of
// place names keeps a small verdict.
const MaxEntities = 256

// hit is a match in normalized text: a byte span and the ordinals of its
// first and last word.
type hit struct {
	start, end int
	w0, w1     int32
}

type atomHit struct {
	atom int32
	hit
}

// Fired is one rule that fired on one field, with its evidence spans in
// the field's normalized text.
type Fired struct {
	Rule  *Rule
	Spans []pipeline.Span
}

// EntityHit is one dictionary entity found in a field, as a normalized span.
type EntityHit struct {
	Entity *EntityDef
	Span   pipeline.Span
}

// FieldResult is everything a set found in one field.
type FieldResult struct {
	Fired    []Fired
	Entities []EntityHit
}

// matchState is the scratch of one field's match.
type matchState struct {
	s    *Set
	f    *pipeline.Field
	text string
	kk   bool
	flat []atomHit // atom hits in text order
	hits []hit     // the same, grouped by atom
	// atom → its hits in m.hits, by start: a dense table for long texts,
	// a map otherwise (see atomHits)
	dense    [][]hit
	sparse   map[int32][]hit
	hitAtoms []int32 // atoms with hits
	phr      map[int32][]hit
	class    map[string][]hit
	// stems of the word at memoAt, per stemmer
	memoAt int
	memo   [numStemmers]string
	memoOK [numStemmers]bool
}

// Match runs the set over one normalized field of a document in language
// lang ("" when unknown) and of the given kind. Rules whose languages or
// kinds exclude the document are skipped. It is safe for concurrent use.
func (s *Set) Match(f *pipeline.Field, lang, kind string) FieldResult {
	var res FieldResult
	if kind == "" {
		kind = vigil.KindArticle
	}
	m := &matchState{s: s, f: f, text: f.Text, kk: lang == vigil.LangKazakh, memoAt: -1}
	m.findAtoms()
	m.findPhrases()
	m.findEntities(&res)

	cand := slices.Clone(s.regexRules)
	for p := range m.phr {
		cand = append(cand, s.phraseRules[p]...)
	}
	for c := range m.class {
		cand = append(cand, s.classRules[c]...)
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	for _, ri := range cand {
		r := s.rules[ri]
		if !applies(r.Rule, lang, kind) {
			continue
		}
		ok, ev := m.eval(r.cond, nil)
		if !ok {
			continue
		}
		slices.SortFunc(ev, func(a, b hit) int {
			if c := cmp.Compare(a.start, b.start); c != 0 {
				return c
			}
			return cmp.Compare(a.end, b.end)
		})
		ev = mergeOverlaps(ev)
		if len(ev) < max(1, r.MinHits) {
			continue
		}
		fr := Fired{Rule: r.Rule, Spans: make([]pipeline.Span, 0, len(ev))}
		for _, h := range ev {
			fr.Spans = append(fr.Spans, pipeline.Span{Start: h.start, End: h.end})
		}
		res.Fired = append(res.Fired, fr)
	}
	return res
}

func applies(r *Rule, lang, kind string) bool {
	if lang != "" && len(r.Languages) > 0 && !slices.Contains(r.Languages, lang) {
		return false
	}
	return len(r.Kinds) == 0 || slices.Contains(r.Kinds, kind)
}

// findAtoms runs the automaton over the text and keeps the candidates that
// pass the word-boundary and morphology checks.
func (m *matchState) findAtoms() {
	s := m.s
	if s.ac == nil || m.text == "" {
		return
	}
	// Every literal is a run of word runes and must start a word, so the
	// automaton reads each word separately, transcoded to one byte per rune
	// and preceded by wordMark: matches can only start at the mark, and
	// once a word leaves every literal's path the walk sits in the start
	// state. Measured with 10,000 terms over 10 MB of Russian
	// (BenchmarkMatch, CPU time, loaded 2-core machine): the library's
	// plain overlapping pass over the raw text alone ran at 35–55 MB/s
	// (a 65,000-state table of 128-byte-wide rows, a cache miss a byte);
	// this whole matcher, exact terms, at 50–65 MB/s. A prefilter on the
	// first three letters skips the automaton for a quarter of the words.
	text := m.text
	if len(text) > 1<<16 {
		m.flat = make([]atomHit, 0, len(text)/16) // long texts: grow once, not by copies
	}
	buf := make([]byte, 0, 64)   // the word, one byte per rune, after wordMark
	offs := make([]int32, 0, 65) // byte offset in text of each rune of the word
	word := int32(-1)
	for i := 0; i < len(text); {
		// Collect one word: its codes after the mark, and where each rune
		// starts in the text.
		buf, offs = append(buf[:0], wordMark), offs[:0]
		j := i
		for j < len(text) {
			r, size := rune(text[j]), 1
			if r >= utf8.RuneSelf {
				if c := text[j]; c >= 0xd0 && c <= 0xd3 && j+1 < len(text) && text[j+1]&0xc0 == 0x80 {
					r, size = rune(c&0x1f)<<6|rune(text[j+1]&0x3f), 2 // Cyrillic, the usual case
				} else {
					r, size = utf8.DecodeRuneInString(text[j:])
				}
				if !isWordRune(r) {
					break
				}
			} else if !asciiWord[r] {
				break
			}
			buf = append(buf, codeOf(r))
			offs = append(offs, int32(j))
			j += size
		}
		if j == i { // not a word rune
			i += runeLen(text, i)
			continue
		}
		word++ // ordinal of this word; every atom hit is one word
		if !s.pre.may(buf[1:]) {
			i = j
			continue
		}
		memo := s.memo[b2i(m.kk)]
		if memo != nil {
			if hs, ok := memo.get(text[i:j]); ok {
				for _, h := range hs {
					m.flat = append(m.flat, atomHit{atom: h.atom, hit: hit{start: i, end: i + int(h.end), w0: word, w1: word}})
				}
				i = j
				continue
			}
		}
		before := len(m.flat)
		offs = append(offs, int32(j))
		for _, mt := range s.ac.FindAllOverlapping(buf) {
			litEnd := int(offs[mt.End-1]) // buf[0] is the mark
			if s.patCheck[mt.PatternID] && text[i:litEnd] != s.atoms[s.patAtoms[mt.PatternID][0]].lit {
				continue
			}
			for _, ai := range s.patAtoms[mt.PatternID] {
				if we, ok := m.accept(&s.atoms[ai], i, litEnd, j); ok {
					m.flat = append(m.flat, atomHit{atom: ai, hit: hit{start: i, end: we, w0: word, w1: word}})
				}
			}
		}
		if memo != nil {
			var hs []wordHit
			for _, h := range m.flat[before:] {
				hs = append(hs, wordHit{atom: h.atom, end: int32(h.end - i)})
			}
			memo.put(text[i:j], hs)
		}
		i = j
	}
	if len(m.flat) == 0 {
		return
	}
	// Hits arrive in text order; group them by atom keeping that order.
	m.hits = make([]hit, len(m.flat))
	if len(m.flat) >= len(s.atoms)/4 {
		// counting sort straight into m.hits: linear, for long texts with
		// many hits; atoms index a dense table
		start := make([]int32, len(s.atoms)+1)
		for _, h := range m.flat {
			start[h.atom+1]++
		}
		for i := 1; i < len(start); i++ {
			start[i] += start[i-1]
		}
		next := slices.Clone(start)
		for _, h := range m.flat {
			m.hits[next[h.atom]] = h.hit
			next[h.atom]++
		}
		m.dense = make([][]hit, len(s.atoms))
		for a := range m.dense {
			if lo, hi := start[a], start[a+1]; hi > lo {
				m.dense[a] = m.hits[lo:hi:hi]
				m.hitAtoms = append(m.hitAtoms, int32(a))
			}
		}
	} else {
		slices.SortFunc(m.flat, func(a, b atomHit) int {
			if c := cmp.Compare(a.atom, b.atom); c != 0 {
				return c
			}
			return cmp.Compare(a.start, b.start)
		})
		m.sparse = map[int32][]hit{}
		for i := 0; i < len(m.flat); {
			j := i
			for ; j < len(m.flat) && m.flat[j].atom == m.flat[i].atom; j++ {
				m.hits[j] = m.flat[j].hit
			}
			m.sparse[m.flat[i].atom] = m.hits[i:j:j]
			m.hitAtoms = append(m.hitAtoms, m.flat[i].atom)
			i = j
		}
	}
	m.flat = nil
}

// atomHits returns the hits of atom a, by start.
func (m *matchState) atomHits(a int32) []hit {
	if m.dense != nil {
		return m.dense[a]
	}
	return m.sparse[a]
}

// accept checks a literal found at [start, litEnd) against an atom (the
// left word boundary is already checked) and returns the end of the
// matched word.
func (m *matchState) accept(a *atom, start, litEnd, end int) (int, bool) {
	switch a.kind {
	case atomExact:
		return litEnd, litEnd == end
	case atomPrefix:
		return end, true
	}
	w := m.text[start:end]
	if w == a.word {
		return end, true
	}
	if end-litEnd > a.maxTail {
		return 0, false
	}
	if a.scr == scriptLatin {
		return end, m.stemMatch(a, stemEN, w, start)
	}
	if m.stemMatch(a, stemRU, w, start) || m.kk && strings.HasPrefix(w, a.need[stemKK]) && kkMatch(w, a.word) {
		return end, true
	}
	return 0, false
}

// stemMatch reports whether the text word w (starting at start) has the
// atom's stem under stemmer st. The word's stem is computed once per word
// (several atoms often share a word) through the set's cache.
func (m *matchState) stemMatch(a *atom, st stemmer, w string, start int) bool {
	stem := a.stems[st]
	if stem == "" || !strings.HasPrefix(w, a.need[st]) {
		return false
	}
	if m.memoAt != start {
		m.memoAt, m.memoOK = start, [numStemmers]bool{}
	}
	if !m.memoOK[st] {
		m.memo[st], m.memoOK[st] = m.s.caches[st].get(w, st.fn()), true
	}
	// The word's stem is the term's, or lies between the term's stem and
	// the term (Snowball cuts some names further than their inflected
	// forms: "астана" → "аста", "астане" → "астан").
	got := m.memo[st]
	return got == stem || len(got) >= len(stem) && strings.HasPrefix(a.word, got)
}

// findPhrases turns atom hits into phrase hits.
func (m *matchState) findPhrases() {
	if len(m.hitAtoms) == 0 {
		return
	}
	m.phr = map[int32][]hit{}
	s := m.s
	for _, ai := range m.hitAtoms {
		for _, pi := range s.firstOf[ai] {
			m.phrase(pi)
		}
	}
}

// phrase finds the hits of phrase pi, whose first atom has hits.
func (m *matchState) phrase(pi int32) {
	s := m.s
	p := &s.phrases[pi]
	for _, a := range p.atoms { // cheap test first: every atom hit somewhere
		if len(m.atomHits(a)) == 0 {
			return
		}
	}
	first := m.atomHits(p.atoms[0])
	if len(p.atoms) == 1 {
		m.phr[pi] = first // the atom's hits, shared
		return
	}
	var out []hit
	for _, h0 := range first {
		cur, ok := h0, true
		for _, a := range p.atoms[1:] {
			next := m.atomHits(a)
			j, found := slices.BinarySearchFunc(next, cur.w1+1, func(h hit, w int32) int { return cmp.Compare(h.w0, w) })
			if !found {
				ok = false
				break
			}
			cur = hit{start: h0.start, end: next[j].end, w0: h0.w0, w1: next[j].w1}
		}
		if ok {
			out = append(out, cur)
		}
	}
	if len(out) > 0 {
		m.phr[pi] = out
	}
}

// findEntities resolves dictionary aliases: it keeps every alias hit for
// the entity classes (@banned, @org…) and reports the longest
// non-overlapping ones as entities.
func (m *matchState) findEntities(res *FieldResult) {
	type cand struct {
		e *EntityDef
		h hit
	}
	var cands []cand
	for pi, hits := range m.phr {
		for _, ai := range m.s.phraseAliases[pi] {
			al := m.s.aliases[ai]
			e := m.s.entities[al.entity]
			for _, h := range hits {
				if al.cased && !m.upperInOriginal(h.start, h.end) || al.proper && !m.capitalInOriginal(h.start, h.end) {
					continue
				}
				cands = append(cands, cand{e, h})
			}
		}
	}
	if len(cands) == 0 {
		return
	}
	m.class = map[string][]hit{}
	for _, c := range cands {
		m.class[c.e.Type] = append(m.class[c.e.Type], c.h)
		if c.e.Banned {
			m.class["banned"] = append(m.class["banned"], c.h)
		}
	}
	for k, hs := range m.class {
		slices.SortFunc(hs, func(a, b hit) int { return cmp.Compare(a.start, b.start) })
		m.class[k] = slices.CompactFunc(hs, func(a, b hit) bool { return a.start == b.start && a.end == b.end })
	}
	// Leftmost-longest per type, in one sweep: at each start the longest
	// form wins (then the earlier dictionary entry), and a later mention
	// must start after the last one taken. Entities of different types may
	// nest ("председатель КНБ", an official, holds "КНБ", a state body).
	slices.SortStableFunc(cands, func(a, b cand) int {
		if c := cmp.Compare(a.h.start, b.h.start); c != 0 {
			return c
		}
		if c := cmp.Compare(b.h.end, a.h.end); c != 0 {
			return c
		}
		return cmp.Compare(a.e.Line, b.e.Line)
	})
	lastEnd := map[string]int{}
	for _, c := range cands {
		if end, ok := lastEnd[c.e.Type]; ok && c.h.start < end {
			continue
		}
		lastEnd[c.e.Type] = c.h.end
		if len(res.Entities) >= MaxEntities {
			break
		}
		res.Entities = append(res.Entities, EntityHit{Entity: c.e, Span: pipeline.Span{Start: c.h.start, End: c.h.end}})
	}
	slices.SortFunc(res.Entities, func(a, b EntityHit) int { return cmp.Compare(a.Span.Start, b.Span.Start) })
}

// upperInOriginal reports whether every letter the normalized span came
// from is upper case in the original text.
func (m *matchState) upperInOriginal(start, end int) bool {
	if m.f.Original == "" {
		return false
	}
	s, e := m.f.Span(start, end)
	letters := 0
	for _, r := range m.f.Original[s:e] {
		if isWordRune(r) && !isUpper(r) && !('0' <= r && r <= '9') {
			return false
		}
		letters++
	}
	return letters > 0
}

// capitalInOriginal reports whether the original text of the normalized
// span starts with an upper-case letter.
func (m *matchState) capitalInOriginal(start, end int) bool {
	if m.f.Original == "" {
		return false
	}
	s, e := m.f.Span(start, end)
	for _, r := range m.f.Original[s:e] {
		if isWordRune(r) {
			return isUpper(r)
		}
	}
	return false
}

// eval evaluates a node; ev collects positive evidence (capped).
func (m *matchState) eval(n *cnode, ev []hit) (bool, []hit) {
	switch n.op {
	case opTerm:
		hs := m.term(n.t)
		if len(hs) == 0 {
			return false, ev
		}
		room := MaxEvidence - len(ev)
		return true, append(ev, hs[:min(room, len(hs))]...)
	case opNone:
		for _, k := range n.kids {
			if ok, _ := m.eval(k, nil); ok {
				return false, ev
			}
		}
		return true, ev
	case opAny:
		fired := false
		for _, k := range n.kids {
			var ok bool
			if ok, ev = m.eval(k, ev); ok {
				fired = true
			}
		}
		return fired, ev
	default: // opAll
		mark := len(ev)
		for _, k := range n.kids {
			var ok bool
			if ok, ev = m.eval(k, ev); !ok {
				return false, ev[:mark]
			}
		}
		return true, ev
	}
}

// operand returns the hits of an operand, sorted by start.
func (m *matchState) operand(o operand) []hit {
	if len(o.phrases)+len(o.classes) == 1 {
		if len(o.phrases) == 1 {
			return m.phr[o.phrases[0]]
		}
		return m.class[o.classes[0]]
	}
	var out []hit
	for _, p := range o.phrases {
		out = append(out, m.phr[p]...)
	}
	for _, c := range o.classes {
		out = append(out, m.class[c]...)
	}
	if len(out) > 1 {
		slices.SortFunc(out, func(a, b hit) int {
			if c := cmp.Compare(a.start, b.start); c != 0 {
				return c
			}
			return cmp.Compare(a.end, b.end)
		})
		out = slices.CompactFunc(out, func(a, b hit) bool { return a.start == b.start && a.end == b.end })
	}
	return out
}

func (m *matchState) term(t *cterm) []hit {
	switch t.kind {
	case termOperand:
		return m.operand(t.a)
	case termRegex:
		var out []hit
		for _, loc := range t.re.FindAllStringIndex(m.text, MaxEvidence) {
			out = append(out, hit{start: loc[0], end: loc[1]})
		}
		return out
	}
	// NEAR: a and b with at most dist words between them, either order.
	as, bs := m.operand(t.a), m.operand(t.b)
	if len(as) == 0 || len(bs) == 0 {
		return nil
	}
	var out []hit
	for _, a := range as {
		lo := a.w0 - int32(t.dist) - 64 // a phrase spans far fewer than 64 words
		i, _ := slices.BinarySearchFunc(bs, lo, func(h hit, w int32) int { return cmp.Compare(h.w0, w) })
		for ; i < len(bs) && bs[i].w0 <= a.w1+int32(t.dist)+1; i++ {
			b := bs[i]
			var gap int32
			switch {
			case b.w0 > a.w1:
				gap = b.w0 - a.w1 - 1
			case a.w0 > b.w1:
				gap = a.w0 - b.w1 - 1
			default:
				continue // overlapping: the same words cannot be both sides
			}
			if gap <= int32(t.dist) {
				out = append(out, hit{start: min(a.start, b.start), end: max(a.end, b.end), w0: min(a.w0, b.w0), w1: max(a.w1, b.w1)})
				if len(out) >= MaxEvidence {
					return out
				}
			}
		}
	}
	return out
}

// runeLen returns the byte length of the rune at i of s.
func runeLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

// prefilter rejects most words that cannot start with any literal, from
// the codes of their first three runes, before the automaton runs: a
// bitset of every literal's first one, two or three codes (folded to six
// bits each, so collisions only let a word through).
type prefilter struct {
	p1 uint64
	p2 [64]uint64   // 4096 bits
	p3 [4096]uint64 // 262144 bits
}

func fold6(c byte) uint32 { return uint32(c) & 63 }

func (p *prefilter) add(coded string) {
	switch len(coded) {
	case 0:
	case 1:
		p.p1 |= 1 << fold6(coded[0])
	case 2:
		k := fold6(coded[0])<<6 | fold6(coded[1])
		p.p2[k>>6] |= 1 << (k & 63)
	default:
		k := fold6(coded[0])<<12 | fold6(coded[1])<<6 | fold6(coded[2])
		p.p3[k>>6] |= 1 << (k & 63)
	}
}

// may reports whether a word with these codes could start with some
// literal.
func (p *prefilter) may(w []byte) bool {
	if p.p1&(1<<fold6(w[0])) != 0 {
		return true
	}
	if len(w) >= 2 {
		k := fold6(w[0])<<6 | fold6(w[1])
		if p.p2[k>>6]&(1<<(k&63)) != 0 {
			return true
		}
	}
	if len(w) >= 3 {
		k := fold6(w[0])<<12 | fold6(w[1])<<6 | fold6(w[2])
		return p.p3[k>>6]&(1<<(k&63)) != 0
	}
	return false
}

// mergeOverlaps merges overlapping spans of hits sorted by start, so one
// mention found by several terms ("заместитель председателя КНБ",
// "председателя КНБ", "КНБ") counts and shows once.
func mergeOverlaps(hs []hit) []hit {
	out := hs[:0]
	for _, h := range hs {
		if n := len(out); n > 0 && h.start < out[n-1].end {
			out[n-1].end = max(out[n-1].end, h.end)
			out[n-1].w1 = max(out[n-1].w1, h.w1)
			continue
		}
		out = append(out, h)
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// wordHit is an atom accepted on a word, with the end of its match
// relative to the word's start.
type wordHit struct {
	atom int32
	end  int32
}

// wordMemo remembers, per word, the atoms it matched: which atoms accept a
// word depends on the word alone (and on whether the document is Kazakh,
// hence one memo per case). It is used only when the automaton is too big
// for the CPU cache (memoStates), where a walk costs several cache misses
// and a word is usually one the text has used before. Bounded: a full
// shard is cleared. Safe for concurrent use.
type wordMemo struct {
	seed   maphash.Seed
	shards [64]memoShard
}

type memoShard struct {
	mu sync.RWMutex
	m  map[string][]wordHit
}

const memoShardMax = 2048

// memoStates is the automaton size from which words are memoized: past
// about 4,000 states (256-byte rows) the table outgrows the L2 cache.
// Measured on BenchmarkMatch (10,000 terms; CPU time, loaded machine):
// walking each word cost about 290 ns, a memo lookup about 50; exact terms
// went from 50–65 to 100–125 MB/s, stemmed ones from 25–30 to 55–60;
// BenchmarkStage (the shipped packs, 6,500 states) from 54–57 to 66–71.
const memoStates = 4096

func newWordMemo() *wordMemo { return &wordMemo{seed: maphash.MakeSeed()} }

func (c *wordMemo) get(w string) ([]wordHit, bool) {
	sh := &c.shards[maphash.String(c.seed, w)&63]
	sh.mu.RLock()
	hs, ok := sh.m[w]
	sh.mu.RUnlock()
	return hs, ok
}

func (c *wordMemo) put(w string, hs []wordHit) {
	sh := &c.shards[maphash.String(c.seed, w)&63]
	sh.mu.Lock()
	if sh.m == nil || len(sh.m) >= memoShardMax {
		sh.m = make(map[string][]wordHit, 256)
	}
	sh.m[strings.Clone(w)] = hs
	sh.mu.Unlock()
}
