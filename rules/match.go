package rules

import (
	"cmp"
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

// An atom always matches a whole word, so its hits are references to
// the words it accepted: an atomRef while scanning, then per atom a list
// of indexes into matchState.words. Hits as hit values are made only for
// what evaluation reads (see refHits).
type atomRef struct {
	atom, word int32 // word indexes matchState.words
}

// wordSpan is a word some atom accepted: its bytes in the normalized text
// and its ordinal among the text's words.
type wordSpan struct {
	start, end, ord int32
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
	s     *Set
	f     *pipeline.Field
	text  string
	kk    bool
	words chunks[wordSpan] // words that some atom accepted, in text order
	flat  chunks[atomRef]  // atom hits in text order
	// atom → the words it accepted, in text order: a dense table for long
	// texts; otherwise slot[atom] is 1 + the index in sparse of the atom's
	// words, 0 for an atom without hits (see atomRefs)
	dense    [][]int32
	sparse   [][]int32
	slot     []int32
	slotBox  *[]int32        // slot, as kept in the set's pool
	hitAtoms []int32         // atoms with hits
	phrCand  []int32         // phrases whose first atom has hits
	phr      map[int32][]hit // phrase hits made so far, all of them
	atomAll  map[int32][]hit // atom hits made so far, all of them
	class    map[string][]hit
	// stems of the word at memoAt, per stemmer
	memoAt int
	memo   [numStemmers]string
	memoOK [numStemmers]bool
}

// Match runs the set over one normalized field of a document in language
// lang ("" when unknown) and of the given kind. Rules whose languages or
// kinds exclude the document are skipped. A rule's top-level none group
// counts in this field only; Apply also looks for it in the document's
// other fields. It is safe for concurrent use.
func (s *Set) Match(f *pipeline.Field, lang, kind string) FieldResult {
	if kind == "" {
		kind = vigil.KindArticle
	}
	m := s.newState(f, lang)
	defer m.release()
	return m.match(kind, lang)
}

// newState finds the atoms and phrases of field f, read in langs (Kazakh
// morphology when one of them is Kazakh); release it when done.
func (s *Set) newState(f *pipeline.Field, langs ...string) *matchState {
	m := &matchState{s: s, f: f, text: f.Text, kk: slices.Contains(langs, vigil.LangKazakh), memoAt: -1,
		flat: chunks[atomRef]{pool: refChunks}, words: chunks[wordSpan]{pool: wordChunks}}
	m.findAtoms()
	m.findPhrases()
	return m
}

// match finds the field's entities and the rules for kind and any of
// langs ("": not known, which every rule applies to) that fire in it; a
// rule's own none group counts in its field, the vetoes from other fields
// are left to the caller (vetoedBy).
func (m *matchState) match(kind string, langs ...string) FieldResult {
	var res FieldResult
	s := m.s
	m.findEntities(&res)
	cand := slices.Clone(s.regexRules)
	for _, p := range m.phrCand {
		cand = append(cand, s.phraseRules[p]...)
	}
	for c := range m.class {
		cand = append(cand, s.classRules[c]...)
	}
	slices.Sort(cand)
	cand = slices.Compact(cand)
	for _, ri := range cand {
		r := s.rules[ri]
		if !slices.ContainsFunc(langs, func(l string) bool { return applies(r.Rule, l, kind) }) {
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

// vetoedBy reports whether one of rule r's top-level none groups matches
// the field.
func (m *matchState) vetoedBy(r *crule) bool {
	for _, v := range r.vetoes {
		if ok, _ := m.eval(v, nil); !ok { // a none group fails when one of its terms matches
			return true
		}
	}
	return false
}

func applies(r *Rule, lang, kind string) bool {
	if lang != "" && len(r.Languages) > 0 && !slices.Contains(r.Languages, lang) {
		return false
	}
	return len(r.Kinds) == 0 || slices.Contains(r.Kinds, kind)
}

// findAtoms runs the automaton over the text and keeps the candidates that
// pass the word-boundary and morphology checks.
// Hot path (every document, every rule): kept in one piece on purpose.
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
	// this whole matcher, exact terms, at 50–65 MB/s (before the word
	// memo). A prefilter on the first three letters skips the automaton
	// for a quarter of the words.
	text := m.text
	buf := make([]byte, 0, 64)   // the word, one byte per rune, after wordMark
	offs := make([]int32, 0, 65) // byte offset in text of each rune of the word
	var pre [3]byte              // codes of the word's first three runes
	word := int32(-1)
	memo := s.memo[b2i(m.kk)]
	for i := 0; i < len(text); {
		// Find the end of one word, and its first codes for the prefilter.
		j, np := i, 0
	scan:
		for j < len(text) {
			c, r, size := text[j], rune(0), 1
			switch {
			case c < utf8.RuneSelf:
				if !asciiWord[c] {
					break scan
				}
				r = rune(c)
			case c >= 0xd0 && c <= 0xd3 && j+1 < len(text) && text[j+1]&0xc0 == 0x80:
				// Cyrillic, the usual case: all word runes but ҂
				if r, size = rune(c&0x1f)<<6|rune(text[j+1]&0x3f), 2; r == 0x482 {
					break scan
				}
			default:
				if r, size = utf8.DecodeRuneInString(text[j:]); !isWordRune(r) {
					break scan
				}
			}
			if np < len(pre) {
				pre[np] = codeOf(r)
				np++
			}
			j += size
		}
		if j == i { // not a word rune
			i += runeLen(text, i)
			continue
		}
		word++ // ordinal of this word; every atom hit is one word
		if !s.pre.may(pre[:np]) {
			i = j
			continue
		}
		if memo != nil {
			if hs, ok := memo.Get(text[i:j]); ok {
				if len(hs) > 0 {
					w := m.addWord(i, j, word)
					for _, a := range hs {
						m.flat.add(atomRef{atom: a, word: w})
					}
				}
				i = j
				continue
			}
		}
		// Not seen before: the word's codes after the mark, and where each
		// rune starts in the text, for the automaton.
		buf, offs = append(buf[:0], wordMark), offs[:0]
		for k, r := range text[i:j] {
			buf = append(buf, codeOf(r))
			offs = append(offs, int32(i+k))
		}
		before := m.flat.n
		w := int32(m.words.n) // this word's index, if an atom accepts it
		offs = append(offs, int32(j))
		for _, mt := range s.ac.FindAllOverlapping(buf) {
			litEnd := int(offs[mt.End-1]) // buf[0] is the mark
			if s.patCheck[mt.PatternID] && text[i:litEnd] != s.atoms[s.patAtoms[mt.PatternID][0]].lit {
				continue
			}
			for _, ai := range s.patAtoms[mt.PatternID] {
				if m.accept(&s.atoms[ai], i, litEnd, j) {
					m.flat.add(atomRef{atom: ai, word: w})
				}
			}
		}
		if m.flat.n > before {
			m.addWord(i, j, word)
		}
		if memo != nil {
			var hs []int32
			for k := before; k < m.flat.n; k++ {
				hs = append(hs, m.flat.at(k).atom)
			}
			memo.Put(text[i:j], hs)
		}
		i = j
	}
	n := m.flat.n
	if n == 0 {
		return
	}
	// Hits arrive in text order; group them by atom keeping that order.
	refs := make([]int32, n)
	if n >= len(s.atoms)/4 {
		// counting sort: linear, for long texts with many hits; atoms
		// index a dense table
		start := make([]int32, len(s.atoms)+1)
		for _, c := range m.flat.c {
			for _, h := range c {
				start[h.atom+1]++
			}
		}
		for i := 1; i < len(start); i++ {
			start[i] += start[i-1]
		}
		next := slices.Clone(start)
		for _, c := range m.flat.c {
			for _, h := range c {
				refs[next[h.atom]] = h.word
				next[h.atom]++
			}
		}
		m.dense = make([][]int32, len(s.atoms))
		for a := range m.dense {
			if lo, hi := start[a], start[a+1]; hi > lo {
				m.dense[a] = refs[lo:hi:hi]
				m.hitAtoms = append(m.hitAtoms, int32(a))
			}
		}
	} else {
		flat := slices.Concat(m.flat.c...)
		slices.SortFunc(flat, func(a, b atomRef) int {
			if c := cmp.Compare(a.atom, b.atom); c != 0 {
				return c
			}
			return cmp.Compare(a.word, b.word)
		})
		// An atom's words are found by indexing a table of every atom (kept
		// zeroed in a pool), not by a map lookup: rules look atoms up
		// hundreds of times per article.
		m.slotBox, _ = s.atomSlots.Get().(*[]int32)
		if m.slotBox == nil {
			m.slotBox = &[]int32{}
			*m.slotBox = make([]int32, len(s.atoms))
		}
		m.slot = *m.slotBox
		for i := 0; i < len(flat); {
			j := i
			for ; j < len(flat) && flat[j].atom == flat[i].atom; j++ {
				refs[j] = flat[j].word
			}
			m.sparse = append(m.sparse, refs[i:j:j])
			m.slot[flat[i].atom] = int32(len(m.sparse))
			m.hitAtoms = append(m.hitAtoms, flat[i].atom)
			i = j
		}
	}
	m.flat.release()
}

// addWord records the word [start, end) with ordinal ord as accepted and
// returns its index in m.words.
func (m *matchState) addWord(start, end int, ord int32) int32 {
	m.words.add(wordSpan{start: int32(start), end: int32(end), ord: ord})
	return int32(m.words.n - 1)
}

// release returns the match's scratch to its pools; nothing a FieldResult
// holds points into it.
func (m *matchState) release() {
	m.flat.release()
	m.words.release()
	if m.slot != nil {
		for _, a := range m.hitAtoms {
			m.slot[a] = 0
		}
		m.s.atomSlots.Put(m.slotBox)
	}
}

// chunks is an append-only list kept in fixed-size pieces from a pool, so
// a long text's hits are never copied to grow and a short one reuses
// memory. A 10 MB text has 1.6 million stemmed hits: growing one slice
// for them spent 27 ms of a 143 ms BenchmarkMatch pass in growslice.
type chunks[T any] struct {
	pool *sync.Pool // of *[]T with capacity chunkLen
	c    [][]T
	n    int
}

const chunkLen = 1 << 12

func chunkPool[T any]() *sync.Pool {
	return &sync.Pool{New: func() any {
		c := make([]T, 0, chunkLen)
		return &c
	}}
}

var (
	refChunks  = chunkPool[atomRef]()
	wordChunks = chunkPool[wordSpan]()
)

func (l *chunks[T]) add(v T) {
	k := len(l.c) - 1
	if k < 0 || len(l.c[k]) == chunkLen {
		l.c = append(l.c, (*l.pool.Get().(*[]T))[:0])
		k++
	}
	l.c[k] = append(l.c[k], v)
	l.n++
}

// at returns element i.
func (l *chunks[T]) at(i int) *T { return &l.c[i/chunkLen][i%chunkLen] }

func (l *chunks[T]) release() {
	for k := range l.c {
		l.pool.Put(&l.c[k])
	}
	l.c, l.n = nil, 0
}

// atomRefs returns the words atom a accepted, in text order.
func (m *matchState) atomRefs(a int32) []int32 {
	if m.dense != nil {
		return m.dense[a]
	}
	if m.slot == nil {
		return nil
	}
	if k := m.slot[a]; k > 0 {
		return m.sparse[k-1]
	}
	return nil
}

// refHits makes hits of the first limit (all when limit < 0) of refs.
func (m *matchState) refHits(refs []int32, limit int) []hit {
	if limit >= 0 && len(refs) > limit {
		refs = refs[:limit]
	}
	out := make([]hit, len(refs))
	for i, r := range refs {
		w := m.words.at(int(r))
		out[i] = hit{start: int(w.start), end: int(w.end), w0: w.ord, w1: w.ord}
	}
	return out
}

// atomHits returns every hit of atom a, by start.
func (m *matchState) atomHits(a int32) []hit {
	if hs, ok := m.atomAll[a]; ok {
		return hs
	}
	if m.atomAll == nil {
		m.atomAll = map[int32][]hit{}
	}
	hs := m.refHits(m.atomRefs(a), -1)
	m.atomAll[a] = hs
	return hs
}

// accept checks a literal found at [start, litEnd) against an atom (the
// left word boundary is already checked); end is the end of the word.
func (m *matchState) accept(a *atom, start, litEnd, end int) bool {
	switch a.kind {
	case atomExact:
		return litEnd == end
	case atomPrefix:
		return true
	}
	w := m.text[start:end]
	if w == a.word {
		return true
	}
	if end-litEnd > a.maxTail {
		return false
	}
	if a.scr == scriptLatin {
		return m.stemMatch(a, stemEN, w, start)
	}
	return m.stemMatch(a, stemRU, w, start) || m.kk && strings.HasPrefix(w, a.need[stemKK]) && kkMatch(w, a.word)
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
		m.memo[st], m.memoOK[st] = m.stem(st, w), true
	}
	// The word's stem is the term's, or lies between the term's stem and
	// the term (Snowball cuts some names further than their inflected
	// forms: "астана" → "аста", "астане" → "астан").
	got := m.memo[st]
	return got == stem || len(got) >= len(stem) && strings.HasPrefix(a.word, got)
}

// stem returns the stem of text word w under st, through the set's cache.
func (m *matchState) stem(st stemmer, w string) string {
	c := m.s.caches[st]
	if s, ok := c.Get(w); ok {
		return s
	}
	s := st.fn()(w)
	c.Put(w, s)
	return s
}

// findPhrases lists the phrases that may have hits: those whose first
// atom has. Their hits are made when evaluation asks (phrHits).
func (m *matchState) findPhrases() {
	for _, ai := range m.hitAtoms {
		m.phrCand = append(m.phrCand, m.s.firstOf[ai]...)
	}
}

// phrHits returns the first limit hits of phrase pi (all when limit < 0),
// by start. A one-word phrase's hits are its atom's, made only as far as
// asked: a rule that fires on a word seen 10,000 times reads 8 of them.
func (m *matchState) phrHits(pi int32, limit int) []hit {
	p := &m.s.phrases[pi]
	first := m.atomRefs(p.atoms[0])
	if len(first) == 0 {
		return nil
	}
	if len(p.atoms) == 1 {
		if limit >= 0 {
			if hs, ok := m.atomAll[p.atoms[0]]; ok {
				return hs[:min(limit, len(hs))]
			}
			return m.refHits(first, limit)
		}
		return m.atomHits(p.atoms[0])
	}
	if hs, ok := m.phr[pi]; ok {
		return hs
	}
	if m.phr == nil {
		m.phr = map[int32][]hit{}
	}
	hs := m.phrase(p)
	m.phr[pi] = hs
	return hs
}

// phrase finds every hit of a phrase of several words.
func (m *matchState) phrase(p *phrase) []hit {
	for _, a := range p.atoms { // cheap test first: every atom hit somewhere
		if len(m.atomRefs(a)) == 0 {
			return nil
		}
	}
	nexts := make([][]hit, len(p.atoms))
	for k, a := range p.atoms {
		nexts[k] = m.atomHits(a)
	}
	var out []hit
	for _, h0 := range nexts[0] {
		cur, ok := h0, true
		for _, next := range nexts[1:] {
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
	return out
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
	for _, pi := range m.phrCand {
		if len(m.s.phraseAliases[pi]) == 0 {
			continue
		}
		hits := m.phrHits(pi, -1)
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
		room := MaxEvidence - len(ev)
		hs := m.term(n.t, max(room, 1))
		if len(hs) == 0 {
			return false, ev
		}
		return true, append(ev, hs[:min(room, len(hs))]...)
	case opNone:
		for _, k := range n.kids {
			var ok bool
			if k.op == opTerm {
				ok = m.occurs(k.t)
			} else {
				ok, _ = m.eval(k, nil)
			}
			if ok {
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

// occurs reports whether term t has a hit. A none group needs no
// evidence, only whether one of its terms occurs, so a list of hundreds of
// words ($conf_strong_ru in several packs' none) stops at the first word
// found, and a word's hits are never made: none groups were a quarter of
// the rules stage when they collected every list's hits (BenchmarkStage).
func (m *matchState) occurs(t *cterm) bool {
	if t.kind != termOperand {
		return len(m.term(t, 1)) > 0
	}
	for _, pi := range t.a.phrases {
		p := &m.s.phrases[pi]
		if len(m.atomRefs(p.atoms[0])) > 0 && (len(p.atoms) == 1 || len(m.phrHits(pi, -1)) > 0) {
			return true
		}
	}
	for _, c := range t.a.classes {
		if len(m.class[c]) > 0 {
			return true
		}
	}
	return false
}

// operand returns the first limit hits of an operand (all when limit <
// 0), sorted by start.
func (m *matchState) operand(o operand, limit int) []hit {
	if len(o.phrases)+len(o.classes) == 1 {
		if len(o.phrases) == 1 {
			return m.phrHits(o.phrases[0], limit)
		}
		return m.class[o.classes[0]]
	}
	// The first limit hits of the union are among the first limit of
	// each part.
	var out []hit
	for _, p := range o.phrases {
		out = append(out, m.phrHits(p, limit)...)
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
	if limit >= 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// term returns the hits of a term: at least the first limit of them, by
// start, when it is an operand; every one for NEAR.
func (m *matchState) term(t *cterm, limit int) []hit {
	switch t.kind {
	case termOperand:
		return m.operand(t.a, limit)
	case termRegex:
		var out []hit
		for _, loc := range t.re.FindAllStringIndex(m.text, MaxEvidence) {
			out = append(out, hit{start: loc[0], end: loc[1]})
		}
		return out
	}
	// NEAR: a and b with at most dist words between them, either order.
	as, bs := m.operand(t.a, -1), m.operand(t.b, -1)
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

// memoStates is the automaton size from which words are memoized (the
// atoms each accepts, Set.memo): past about 4,000 states (256-byte rows)
// the table outgrows the L2 cache, a walk costs several cache misses, and
// a word is usually one the text has used before. Measured on
// BenchmarkMatch (10,000 terms; CPU time, loaded machine): walking each
// word cost about 290 ns, a memo lookup about 50; exact terms went from
// 50–65 to 100–125 MB/s, stemmed ones from 25–30 to 55–60; BenchmarkStage
// (the shipped packs, 6,500 states) from 54–57 to 66–71.
const memoStates = 4096

// memoMax and stemCacheMax bound the word caches: news vocabulary past
// them is rare words, recomputed when met again.
const (
	memoMax      = 1 << 17
	stemCacheMax = 1 << 17
)
