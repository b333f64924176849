package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"
	"github.com/kz-newsroom/vigil/internal/wordcache"
)

// Set is a compiled, immutable rule set: every pack and dictionary loaded
// together, all literal terms in one Aho-Corasick automaton. It is safe for
// concurrent use.
type Set struct {
	version string
	files   []*File
	rules   []*crule
	byID    map[string]*crule

	ac       *ahocorasick.Automaton // nil when there are no literals
	patAtoms [][]int32              // automaton pattern → atoms with that literal
	patCheck []bool                 // pattern holds a rune without its own code: compare with the text
	pre      *prefilter
	memo     [2]*wordcache.Cache[[]int32] // word → atoms accepting it, [kazakh document]; nil for small automata
	atoms    []atom
	phrases  []phrase

	// indexes from what matched to what to evaluate
	phraseRules   [][]int32 // phrase → rules using it positively
	phraseAliases [][]int32 // phrase → entity aliases
	classRules    map[string][]int32
	regexRules    []int32
	firstOf       [][]int32 // atom → phrases that start with it

	entities []*EntityDef
	aliases  []calias

	caches [numStemmers]*wordcache.Cache[string] // text word → stem, per stemmer
	// atomSlots holds zeroed atom → slot tables (*[]int32) for
	// matchState.slot, one per match in progress
	atomSlots sync.Pool
}

type atom struct {
	kind  atomKind
	word  string // the term's word, normalized
	lit   string // Aho-Corasick literal: a prefix of every word the atom accepts
	scr   script
	stems [numStemmers]string // effective stem per stemmer, "" when not applicable
	need  [numStemmers]string // prefix a text word needs for that stemmer to accept it
	// maxTail is the most bytes a text word may have past lit and still
	// stem to the atom (the longest ending a stemmer removes).
	maxTail int
}

type phrase struct {
	atoms []int32
	src   string
}

type calias struct {
	phrase int32
	entity int32
	cased  bool
	proper bool
}

type crule struct {
	*Rule
	idx  int32
	cond *cnode
	// vetoes are the top-level none groups: looked for in every field of
	// a document, so that a report's title vetoes a quote in its body
	vetoes []*cnode
}

type nodeOp uint8

const (
	opAll nodeOp = iota
	opAny
	opNone
	opTerm
)

type cnode struct {
	op   nodeOp
	kids []*cnode
	t    *cterm
}

type termKind uint8

const (
	termOperand termKind = iota // a phrase, an @class or a $list
	termNear
	termRegex
)

// operand is what one side of a term matches: the union of some phrases
// and entity classes (one of them, unless it is a $list).
type operand struct {
	phrases []int32
	classes []string
}

type cterm struct {
	kind termKind
	a, b operand
	dist int
	re   *regexp.Regexp
	src  string
}

// Regex limits. Go's RE2 engine never backtracks, so the danger is size:
// a huge program is slow to compile and to run.
const (
	maxRegexBytes = 1000
	maxRegexInsts = 3000
)

// compiler builds a Set.
type compiler struct {
	s        *Set
	errs     ParseErrors
	atomIdx  map[string]int32 // kind|word → atom
	phrIdx   map[string]int32 // phrase key → phrase
	patIdx   map[string]int32 // literal → pattern
	patterns []string
	lists    map[string]*List
}

// Compile builds a Set from parsed files. It refuses the whole set on any
// error (schema, term syntax, regex, duplicate id), returning every error
// with its file and line: a set is never half loaded.
func Compile(files []*File) (*Set, error) {
	c := &compiler{
		s: &Set{
			files: files, byID: map[string]*crule{}, classRules: map[string][]int32{}, pre: &prefilter{},
		},
		atomIdx: map[string]int32{}, phrIdx: map[string]int32{}, patIdx: map[string]int32{},
	}
	for i := range c.s.caches {
		c.s.caches[i] = wordcache.NewWords(stemCacheMax, wordcache.StringBytes)
	}
	c.lists = map[string]*List{}
	for _, f := range files {
		for _, l := range f.Lists {
			if prev, dup := c.lists[l.Name]; dup {
				c.errs = append(c.errs, &ParseError{Path: f.Path, Line: l.Line, Rule: "$" + l.Name,
					Msg: fmt.Sprintf("duplicate list name (first at %s:%d)", prev.file.Path, prev.Line)})
				continue
			}
			c.lists[l.Name] = l
		}
	}
	seenFirst := map[string]*Rule{}
	for _, f := range files {
		for _, r := range f.Rules {
			if prev, dup := seenFirst[r.ID]; dup {
				c.errf(r, r.Line, "duplicate rule id (first at %s:%d)", prev.file.Path, prev.Line)
				continue
			}
			seenFirst[r.ID] = r
			c.rule(r)
		}
		for _, e := range f.Entities {
			c.entity(f, e)
		}
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	s := c.s
	s.patAtoms = make([][]int32, len(c.patterns))
	for i, a := range s.atoms {
		p := c.patIdx[a.lit]
		s.patAtoms[p] = append(s.patAtoms[p], int32(i))
	}
	if len(c.patterns) > 0 {
		coded := make([]string, len(c.patterns))
		s.patCheck = make([]bool, len(c.patterns))
		for i, p := range c.patterns {
			var exact bool
			coded[i], exact = transcode(p)
			s.pre.add(coded[i])
			coded[i] = string([]byte{wordMark}) + coded[i]
			s.patCheck[i] = !exact
		}
		ac, err := ahocorasick.NewBuilder().AddStrings(coded).Build()
		if err != nil {
			return nil, fmt.Errorf("rules: build automaton: %w", err)
		}
		s.ac = ac
		if ac.StateCount() >= memoStates {
			s.memo = [2]*wordcache.Cache[[]int32]{wordcache.NewWords(memoMax, wordcache.Int32sBytes), wordcache.NewWords(memoMax, wordcache.Int32sBytes)}
		}
	}
	s.firstOf = make([][]int32, len(s.atoms))
	for i, p := range s.phrases {
		s.firstOf[p.atoms[0]] = append(s.firstOf[p.atoms[0]], int32(i))
	}
	s.version = versionOf(files)
	return s, nil
}

func (c *compiler) errf(r *Rule, line int, format string, args ...any) {
	path := ""
	if r != nil && r.file != nil {
		path = r.file.Path
	}
	id := ""
	if r != nil {
		id = r.ID
	}
	c.errs = append(c.errs, &ParseError{Path: path, Line: line, Rule: id, Msg: fmt.Sprintf(format, args...)})
}

func (c *compiler) rule(r *Rule) {
	cr := &crule{Rule: r, idx: int32(len(c.s.rules))}
	cr.cond = c.group(cr, r.Cond, false)
	for _, k := range cr.cond.kids {
		if k.op == opNone {
			cr.vetoes = append(cr.vetoes, k)
		}
	}
	c.s.rules = append(c.s.rules, cr)
	c.s.byID[r.ID] = cr
}

func (c *compiler) group(cr *crule, g *Group, negated bool) *cnode {
	n := &cnode{op: map[string]nodeOp{"all": opAll, "any": opAny, "none": opNone}[g.Op]}
	neg := negated || g.Op == "none"
	for _, it := range g.Items {
		switch {
		case it.Group != nil:
			n.kids = append(n.kids, c.group(cr, it.Group, neg))
		case it.Regex:
			if t := c.regex(cr, it); t != nil {
				n.kids = append(n.kids, &cnode{op: opTerm, t: t})
				if !neg {
					c.s.regexRules = appendOnce(c.s.regexRules, cr.idx)
				}
			}
		default:
			pt, err := parseTerm(it.Term)
			if err != nil {
				c.errf(cr.Rule, it.Line, "%v", err)
				continue
			}
			if msg := unreachableTerm(pt); msg != "" {
				c.errf(cr.Rule, it.Line, "term %q can never match normalized text: %s", it.Term, msg)
				continue
			}
			if l, ok := c.lists[pt.a.list]; ok && !pt.near {
				n.kids = append(n.kids, c.listKids(cr, l, n.op, neg)...)
				continue
			}
			t := &cterm{src: it.Term}
			var ok bool
			if t.a, ok = c.operand(cr, pt.a, neg, it.Line); !ok {
				continue
			}
			if pt.near {
				t.kind, t.dist = termNear, pt.dist
				if t.b, ok = c.operand(cr, pt.b, neg, it.Line); !ok {
					continue
				}
			}
			n.kids = append(n.kids, &cnode{op: opTerm, t: t})
		}
	}
	return n
}

func appendOnce(s []int32, v int32) []int32 {
	if len(s) > 0 && s[len(s)-1] == v {
		return s
	}
	return append(s, v)
}

// operand compiles one side and indexes the rule under what it matches,
// so the rule is evaluated only on fields where it could fire.
func (c *compiler) operand(cr *crule, sd side, negated bool, line int) (operand, bool) {
	var o operand
	add := c.adder(cr, &o, negated)
	if sd.list == "" {
		add(sd)
		return o, true
	}
	l, ok := c.lists[sd.list]
	if !ok {
		c.errf(cr.Rule, line, "unknown list $%s", sd.list)
		return o, false
	}
	c.expand(l, []string{l.Name}, add)
	return o, len(o.phrases)+len(o.classes) > 0
}

// adder returns the function that adds one side (a phrase or an @class) to
// o and, unless the term is negated, indexes rule cr under it.
func (c *compiler) adder(cr *crule, o *operand, negated bool) func(side) {
	return func(sd side) {
		if sd.class != "" {
			o.classes = append(o.classes, sd.class)
			if !negated {
				c.s.classRules[sd.class] = appendOnce(c.s.classRules[sd.class], cr.idx)
			}
			return
		}
		p := c.phrase(sd)
		o.phrases = append(o.phrases, p)
		if !negated {
			c.s.phraseRules[p] = appendOnce(c.s.phraseRules[p], cr.idx)
		}
	}
}

// listKids compiles a list named alone as an item of a group whose
// operator is op ("none: [$sec_figures]"): its words, phrases and @classes
// as one term, and each NEAR term it holds (or a list it names holds) as a
// term of its own. Under any and none they join the group's own items;
// under all, where there are several, they are wrapped in an any, since
// the list asks one of them.
func (c *compiler) listKids(cr *crule, l *List, op nodeOp, negated bool) []*cnode {
	var kids []*cnode
	plain := &cterm{src: "$" + l.Name}
	near := func(in *List, it Item, pt parsedTerm) {
		for _, sd := range []side{pt.a, pt.b} {
			if _, ok := c.lists[sd.list]; sd.list != "" && !ok {
				c.errs = append(c.errs, &ParseError{Path: in.file.Path, Line: it.Line, Rule: "$" + in.Name,
					Msg: fmt.Sprintf("list item %q: unknown list $%s", it.Term, sd.list)})
				return
			}
		}
		t := &cterm{src: it.Term, kind: termNear, dist: pt.dist}
		var okA, okB bool
		t.a, okA = c.operand(cr, pt.a, negated, it.Line)
		t.b, okB = c.operand(cr, pt.b, negated, it.Line)
		if okA && okB {
			kids = append(kids, &cnode{op: opTerm, t: t})
		}
	}
	c.expandNear(l, []string{l.Name}, c.adder(cr, &plain.a, negated), near)
	if len(plain.a.phrases)+len(plain.a.classes) > 0 {
		kids = append([]*cnode{{op: opTerm, t: plain}}, kids...)
	}
	if op == opAll && len(kids) > 1 {
		return []*cnode{{op: opAny, kids: kids}}
	}
	return kids
}

// expand hands add every word, phrase and @class of list l, and of the lists
// it names ("$conf_strong_kk" as an item: the three languages' lists made
// one). path is the chain of lists being expanded, to refuse a list that
// names itself through others. An error is reported at the item's line.
// A NEAR term is an error here: expand serves a list on a side of NEAR
// (a list named alone is listKids'), where a pair of words cannot stand.
func (c *compiler) expand(l *List, path []string, add func(side)) {
	c.expandNear(l, path, add, nil)
}

// expandNear is expand that hands near each NEAR term (with the list that
// holds it) instead of refusing it, when near is not nil.
func (c *compiler) expandNear(l *List, path []string, add func(side), near func(*List, Item, parsedTerm)) {
	for _, it := range l.Terms {
		pt, err := parseTerm(it.Term)
		if err == nil && pt.near {
			if near == nil {
				err = fmt.Errorf("list item %q: a list on a side of NEAR holds words, phrases, @classes and $lists, not NEAR", it.Term)
			} else if msg := unreachableTerm(pt); msg != "" {
				err = fmt.Errorf("term %q can never match normalized text: %s", it.Term, msg)
			} else {
				near(l, it, pt)
				continue
			}
		}
		if err == nil && pt.a.list != "" {
			inner, ok := c.lists[pt.a.list]
			switch {
			case !ok:
				err = fmt.Errorf("list item %q: unknown list $%s", it.Term, pt.a.list)
			case slices.Contains(path, inner.Name):
				err = fmt.Errorf("list item %q: $%s names itself (%s)", it.Term, inner.Name, "$"+strings.Join(append(path, inner.Name), " > $"))
			default:
				c.expandNear(inner, append(path, inner.Name), add, near)
				continue
			}
		}
		if err == nil {
			if msg := unreachableTerm(pt); msg != "" {
				err = fmt.Errorf("term %q can never match normalized text: %s", it.Term, msg)
			}
		}
		if err != nil {
			c.errs = append(c.errs, &ParseError{Path: l.file.Path, Line: it.Line, Rule: "$" + l.Name, Msg: err.Error()})
			continue
		}
		add(pt.a)
	}
}

func (c *compiler) phrase(sd side) int32 {
	key := sd.String()
	if p, ok := c.phrIdx[key]; ok {
		return p
	}
	ph := phrase{src: key}
	for _, w := range sd.words {
		ph.atoms = append(ph.atoms, c.atom(w))
	}
	p := int32(len(c.s.phrases))
	c.s.phrases = append(c.s.phrases, ph)
	c.s.phraseRules = append(c.s.phraseRules, nil)
	c.s.phraseAliases = append(c.s.phraseAliases, nil)
	c.phrIdx[key] = p
	return p
}

func (c *compiler) atom(w wordSpec) int32 {
	key := w.kind.String() + "|" + w.text
	if a, ok := c.atomIdx[key]; ok {
		return a
	}
	a := atom{kind: w.kind, word: w.text, lit: w.text, scr: scriptOf(w.text)}
	if w.kind == atomStem {
		a.lit = stemAtom(&a)
		for st, stem := range a.stems {
			if stem != "" {
				a.need[st] = commonPrefix(stem, a.word)
			}
		}
		a.need[stemKK] = kkLiteral(a.word)
		// 4 bytes a rune covers any script
		a.maxTail = 4 * (maxEndingRunes + utf8.RuneCountInString(a.word) - utf8.RuneCountInString(a.lit))
	}
	id := int32(len(c.s.atoms))
	c.s.atoms = append(c.s.atoms, a)
	c.atomIdx[key] = id
	if _, ok := c.patIdx[a.lit]; !ok {
		c.patIdx[a.lit] = int32(len(c.patterns))
		c.patterns = append(c.patterns, a.lit)
	}
	return id
}

// stemAtom fills a.stems and returns the automaton literal: the longest
// prefix shared by the word and every stem that can accept a text word.
func stemAtom(a *atom) string {
	var use []stemmer
	switch a.scr {
	case scriptLatin:
		use = []stemmer{stemEN}
	case scriptCyrillic:
		use = []stemmer{stemRU, stemKK}
	default:
		a.kind = atomExact
		return a.word
	}
	lit := a.word
	for _, st := range use {
		if st == stemKK {
			// Kazakh forms are matched by stripping the text word only
			// (kkMatch); the term itself is the reference form.
			a.stems[st] = a.word
			lit = commonPrefix(lit, kkLiteral(a.word))
			continue
		}
		s := st.fn()(a.word)
		if utf8.RuneCountInString(s) < minStemRunes {
			s = a.word // over-cut stem ("аким" → "ак"): accept only forms stemming to the word itself
		}
		a.stems[st] = s
		lit = commonPrefix(lit, s)
	}
	if utf8.RuneCountInString(lit) < minStemRunes {
		// e.g. an English stem that rewrites the word's end; never search
		// on fewer letters than a word we would stem
		a.kind = atomExact
		return a.word
	}
	return lit
}

// commonPrefix returns the longest common prefix of a and b on rune
// boundaries.
func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	for n > 0 && n < len(a) && !utf8.RuneStart(a[n]) {
		n--
	}
	return a[:n]
}

func (c *compiler) regex(cr *crule, it Item) *cterm {
	re, err := checkRegex(it.Term)
	if err != nil {
		c.errf(cr.Rule, it.Line, "%v", err)
		return nil
	}
	return &cterm{kind: termRegex, re: re, src: "re:" + it.Term}
}

// checkRegex compiles an RE2 regex under the pack limits.
func checkRegex(expr string) (*regexp.Regexp, error) {
	if len(expr) > maxRegexBytes {
		return nil, fmt.Errorf("regex longer than %d bytes", maxRegexBytes)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %v", expr, err)
	}
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %v", expr, err)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, fmt.Errorf("regex %q: %v", expr, err)
	}
	if len(prog.Inst) > maxRegexInsts {
		return nil, fmt.Errorf("regex %q compiles to %d instructions (limit %d): split it or use terms", expr, len(prog.Inst), maxRegexInsts)
	}
	if re.MatchString("") {
		return nil, fmt.Errorf("regex %q matches the empty string, so it would fire on every text", expr)
	}
	return re, nil
}

func (c *compiler) entity(f *File, e *EntityDef) {
	ei := int32(len(c.s.entities))
	c.s.entities = append(c.s.entities, e)
	r := &Rule{ID: e.Canonical, file: f}
	for _, al := range e.Aliases {
		pt, err := parseTerm(al.Term)
		if err == nil && (pt.near || pt.a.class != "" || pt.a.list != "") {
			err = fmt.Errorf("an entity form is a word or phrase, not %q", al.Term)
		}
		if err != nil {
			c.errf(r, al.Line, "%v", err)
			continue
		}
		p := c.phrase(pt.a)
		ai := int32(len(c.s.aliases))
		c.s.aliases = append(c.s.aliases, calias{phrase: p, entity: ei, cased: al.Cased, proper: al.Proper})
		c.s.phraseAliases[p] = append(c.s.phraseAliases[p], ai)
	}
}

// unreachable returns why a rule term can never match normalized text, or
// "" when it can: normalized text is lower case with ё folded to е.
func unreachable(term string) string {
	for _, r := range term {
		switch {
		case r == 'ё':
			return "ё is folded to е in normalized text"
		case isUpper(r):
			return "normalized text is lower case"
		}
	}
	return ""
}

// unreachableTerm is unreachable for the words of a parsed term.
func unreachableTerm(pt parsedTerm) string {
	for _, w := range append(slices.Clip(pt.a.words), pt.b.words...) {
		if msg := unreachable(w.text); msg != "" {
			return msg
		}
	}
	return ""
}

// versionOf hashes the packs' paths and bytes into a short id. Files
// built in code (no bytes) are hashed by their parsed content.
func versionOf(files []*File) string {
	h := sha256.New()
	var zero [sha256.Size]byte
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00", f.Path)
		if f.sum != zero {
			h.Write(f.sum[:])
			continue
		}
		for _, r := range f.Rules {
			fmt.Fprintf(h, "%s\x00", ruleDigest(r))
		}
		for _, e := range f.Entities {
			fmt.Fprintf(h, "%v\x00", *e)
		}
	}
	return "rules-" + hex.EncodeToString(h.Sum(nil))[:6]
}

func ruleDigest(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%v|%v|%s|%s|%v|", r.ID, r.Languages, r.Kinds, r.Mode, r.Severity, r.Action.Tag+r.Action.Flag)
	fmt.Fprintf(&b, "%g|%g|%s|%g|%g|", r.Action.Score, r.Action.Weight, r.Action.Cue, r.Action.BodyScore, r.Action.ModelFloor)
	if r.Action.Entity != nil {
		fmt.Fprintf(&b, "%s|%s|%v|", r.Action.Entity.Type, r.Action.Entity.Canonical, r.Action.Entity.Banned)
	}
	var g func(*Group)
	g = func(gr *Group) {
		b.WriteString(gr.Op + "(")
		for _, it := range gr.Items {
			if it.Group != nil {
				g(it.Group)
			} else {
				fmt.Fprintf(&b, "%v:%q,", it.Regex, it.Term)
			}
		}
		b.WriteString(")")
	}
	g(r.Cond)
	return b.String()
}

// Version is the set's content hash, e.g. "rules-7d41e0"; it changes when
// any rule or dictionary entry changes.
func (s *Set) Version() string { return s.version }

// Files returns the parsed pack files the set was built from.
func (s *Set) Files() []*File { return s.files }

// Rules returns every rule, in file order.
func (s *Set) Rules() []*Rule {
	out := make([]*Rule, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.Rule
	}
	return out
}

// Rule returns the rule with the given id, or nil.
func (s *Set) Rule(id string) *Rule {
	if r, ok := s.byID[id]; ok {
		return r.Rule
	}
	return nil
}

// Entities returns every dictionary entry.
func (s *Set) Entities() []*EntityDef { return slices.Clone(s.entities) }

// Words returns the distinct words of every term and dictionary alias,
// normalized, sorted: the vocabulary the set looks for.
func (s *Set) Words() []string {
	out := make([]string, 0, len(s.atoms))
	for _, a := range s.atoms {
		if a.word != "" {
			out = append(out, a.word)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Patterns returns the number of distinct literals in the automaton.
func (s *Set) Patterns() int { return len(s.patAtoms) }
