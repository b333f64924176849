package rules

import (
	"cmp"
	"errors"
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Lint levels.
const (
	LevelError   = "error"
	LevelWarning = "warning"
)

// Finding is one lint result at a file and line.
type Finding struct {
	Path  string
	Line  int
	Rule  string // rule id or entity canonical name
	Level string
	Msg   string
}

func (f Finding) String() string {
	who := ""
	if f.Rule != "" {
		who = f.Rule + ": "
	}
	return fmt.Sprintf("%s:%d: %s: %s%s", f.Path, f.Line, f.Level, who, f.Msg)
}

// CountFindings returns how many findings are errors and how many
// warnings.
func CountFindings(findings []Finding) (errs, warns int) {
	for _, f := range findings {
		if f.Level == LevelError {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

// kkStopwords are frequent Kazakh function words; Russian and English ones
// come from the Snowball packages.
var kkStopwords = map[string]bool{
	"және": true, "мен": true, "бен": true, "пен": true, "бұл": true, "сол": true, "осы": true,
	"да": true, "де": true, "та": true, "те": true, "ол": true, "біз": true, "сен": true,
	"үшін": true, "туралы": true, "бар": true, "жоқ": true, "емес": true, "еді": true, "деп": true,
}

func isStopword(w string) bool {
	switch scriptOf(w) {
	case scriptLatin:
		return english.IsStopWord(w)
	case scriptCyrillic:
		return russian.IsStopWord(w) || kkStopwords[w]
	}
	return false
}

// Lint reads the packs of the sources and checks them beyond what loading
// refuses: schema and compile errors (level error), then terms that are
// over-broad (short prefixes, lone stopwords), unreachable (normalization
// never produces them), dangerous or ASCII-only regex, none groups that
// cannot work, duplicate dictionary forms. Findings come sorted by file
// and line. The error is only for unreadable sources.
func Lint(srcs ...Source) ([]Finding, error) {
	raw, err := read(srcs)
	if err != nil {
		return nil, err
	}
	var out []Finding
	add := func(pe *ParseError, level string) {
		out = append(out, Finding{Path: pe.Path, Line: pe.Line, Rule: pe.Rule, Level: level, Msg: pe.Msg})
	}
	files, err := parseAll(raw)
	var pes ParseErrors
	if errors.As(err, &pes) {
		for _, pe := range pes {
			add(pe, LevelError)
		}
	}
	if err == nil {
		if _, err := Compile(files); err != nil {
			if errors.As(err, &pes) {
				for _, pe := range pes {
					add(pe, LevelError)
				}
			} else {
				out = append(out, Finding{Level: LevelError, Msg: err.Error()})
			}
		}
	}
	used := map[string]bool{}
	for _, f := range files {
		l := &linter{f: f, used: used}
		for _, r := range f.Rules {
			l.rule(r)
		}
		l.entities()
		out = append(out, l.out...)
	}
	// A list a used list names is used too ("$conf_strong" naming
	// "$conf_strong_kk"), to any depth.
	names := map[string][]string{}
	for _, f := range files {
		l := &linter{f: f}
		for _, li := range f.Lists {
			for _, it := range li.Terms {
				names[li.Name] = append(names[li.Name], l.term("$"+li.Name, it.Term, it.Line)...)
			}
		}
		out = append(out, l.out...)
	}
	for changed := true; changed; {
		changed = false
		for outer, inner := range names {
			for _, n := range inner {
				if used[outer] && !used[n] {
					used[n], changed = true, true
				}
			}
		}
	}
	for _, f := range files {
		for _, li := range f.Lists {
			if !used[li.Name] {
				out = append(out, Finding{Path: f.Path, Line: li.Line, Rule: "$" + li.Name, Level: LevelWarning, Msg: "list is not used by any rule"})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := cmp.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return cmp.Compare(a.Line, b.Line)
	})
	return slices.CompactFunc(out, func(a, b Finding) bool { return a == b }), nil
}

type linter struct {
	f    *File
	out  []Finding
	used map[string]bool // lists used by some rule, across files
}

func (l *linter) add(line int, who, level, format string, args ...any) {
	l.out = append(l.out, Finding{Path: l.f.Path, Line: line, Rule: who, Level: level, Msg: fmt.Sprintf(format, args...)})
}

func (l *linter) rule(r *Rule) {
	var walkG func(g *Group, inAny bool)
	walkG = func(g *Group, inAny bool) {
		for _, it := range g.Items {
			switch {
			case it.Group != nil:
				if it.Group.Op == "none" && inAny {
					l.add(it.Line, r.ID, LevelError, "a none group inside any fires whenever its terms are absent; put it at the rule's top level or under all")
				}
				walkG(it.Group, it.Group.Op == "any")
			case it.Regex:
				l.regex(r, it)
			default:
				l.term(r.ID, it.Term, it.Line)
			}
		}
	}
	walkG(r.Cond, false)
	// the same term twice in a group, or both required and forbidden
	var pos, neg []Item
	var collect func(g *Group, negated bool)
	collect = func(g *Group, negated bool) {
		seen := map[string]bool{}
		for _, it := range g.Items {
			if it.Group != nil {
				collect(it.Group, negated || it.Group.Op == "none")
				continue
			}
			if seen[it.Term] {
				l.add(it.Line, r.ID, LevelWarning, "term %q listed twice in one group", it.Term)
			}
			seen[it.Term] = true
			if negated {
				neg = append(neg, it)
			} else {
				pos = append(pos, it)
			}
		}
	}
	collect(r.Cond, false)
	for _, n := range neg {
		for _, p := range pos {
			if n.Term == p.Term && n.Regex == p.Regex {
				l.add(n.Line, r.ID, LevelError, "term %q is both required and forbidden, so the rule never fires on it", n.Term)
			}
		}
	}
	l.description(r)
	if r.Action.Flag != "" && r.Action.Weight > 0.9 && r.Mode != ModeShadow {
		l.add(r.Action.Line, r.ID, LevelWarning, "weight %.2f alone sends a document to review; keep a single rule's weight at or below 0.9", r.Action.Weight)
	}
}

// description checks that a rule moderators see has its plain-language
// description in every language of the moderators' page. Moderators see
// every rule that can raise a flag: its evidence is what the page explains
// a flag with, so a live flag rule without all three is an error, a
// shadow one (it changes nothing yet) a warning. For tag and entity rules
// a description is optional (one string is English, for editors), but
// one begun in Russian or Kazakh must be finished.
func (l *linter) description(r *Rule) {
	line := r.DescriptionLine
	if line == 0 {
		line = r.Line
	}
	missing := r.Description.Missing()
	if len(missing) == 0 {
		return
	}
	switch {
	case r.Action.Flag != "":
		level := LevelError
		if r.Mode == ModeShadow {
			level = LevelWarning
		}
		l.add(line, r.ID, level, "a flag rule is shown to moderators: its description needs %s (description: {ru: ..., kk: ..., en: ...})", strings.Join(missing, ", "))
	case len(missing) < len(DescriptionLangs) && !(len(r.Description) == 1 && r.Description[vigil.LangEnglish] != ""):
		l.add(line, r.ID, LevelWarning, "description lacks %s: the moderators' page shows none in those languages", strings.Join(missing, ", "))
	}
}

// term checks one term for reachability and breadth.
// term checks one term and returns the lists it names ($name), which it
// marks used when the linter counts uses.
func (l *linter) term(who, term string, line int) (lists []string) {
	pt, err := parseTerm(term)
	if err != nil {
		return nil // reported by Compile
	}
	sides := []side{pt.a}
	if pt.near {
		sides = append(sides, pt.b)
	}
	for _, sd := range sides {
		if sd.list != "" {
			lists = append(lists, sd.list)
			if l.used != nil {
				l.used[sd.list] = true
			}
		}
	}
	for _, sd := range sides {
		for _, w := range sd.words {
			if norm := pipeline.NormalizeText(w.text); norm != w.text {
				l.add(line, who, LevelError, "term %q: normalization turns %q into %q, so it can never match; write %q", term, w.text, norm, norm)
			}
			n := utf8.RuneCountInString(w.text)
			switch w.kind {
			case atomPrefix:
				if n < 3 {
					l.add(line, who, LevelError, "term %q: prefix %q* of %d letter(s) matches a large part of all words", term, w.text, n)
				} else if n == 3 && len(sd.words) == 1 && !pt.near {
					l.add(line, who, LevelWarning, "term %q: a lone 3-letter prefix is broad; add letters or put it in a phrase", term)
				}
			case atomStem:
				a := atom{kind: atomStem, word: w.text, scr: scriptOf(w.text)}
				if lit := stemAtom(&a); a.kind == atomStem && utf8.RuneCountInString(lit) < 4 && len(sd.words) == 1 && !pt.near {
					l.add(line, who, LevelWarning, "term %q: its stem %q is short and catches unrelated words; consider =%s or a phrase", term, lit, w.text)
				}
			}
		}
		if len(sd.words) == 1 && !pt.near && sd.words[0].kind != atomPrefix && isStopword(sd.words[0].text) {
			l.add(line, who, LevelError, "term %q is a stopword on its own: it fires on nearly every text", term)
		}
		if len(sd.words) > 1 {
			stop := 0
			for _, w := range sd.words {
				if isStopword(w.text) {
					stop++
				}
			}
			if stop == len(sd.words) {
				l.add(line, who, LevelError, "phrase %q is made only of stopwords", term)
			}
		}
	}
	return lists
}

// reachable checks only that normalization can produce the term's words.
func (l *linter) reachable(who, term string, line int) {
	pt, err := parseTerm(term)
	if err != nil {
		return
	}
	for _, w := range append(pt.a.words, pt.b.words...) {
		if norm := pipeline.NormalizeText(w.text); norm != w.text {
			l.add(line, who, LevelError, "term %q: normalization turns %q into %q, so it can never match; write %q", term, w.text, norm, norm)
		}
	}
}

// regex checks an RE2 regex for size, ASCII-only classes and literals that
// normalized text never contains.
func (l *linter) regex(r *Rule, it Item) {
	if _, err := checkRegex(it.Term); err != nil {
		return // reported by Compile
	}
	re, err := syntax.Parse(it.Term, syntax.Perl)
	if err != nil {
		return
	}
	if strings.Contains(it.Term, `\b`) || strings.Contains(it.Term, `\w`) || strings.Contains(it.Term, `\W`) || strings.Contains(it.Term, `\B`) {
		l.add(it.Line, r.ID, LevelError, "regex %q: \\b and \\w are ASCII-only in Go and never see Cyrillic letters; use \\p{L} and (?:^|[^\\p{L}\\p{N}])", it.Term)
	}
	if strings.HasPrefix(it.Term, ".*") || strings.HasSuffix(it.Term, ".*") {
		l.add(it.Line, r.ID, LevelWarning, "regex %q: a leading or trailing .* only makes the evidence span the whole line", it.Term)
	}
	var walk func(*syntax.Regexp)
	walk = func(x *syntax.Regexp) {
		if x.Op == syntax.OpLiteral && x.Flags&syntax.FoldCase == 0 {
			lit := string(x.Rune)
			if msg := unreachable(lit); msg != "" {
				l.add(it.Line, r.ID, LevelError, "regex %q: literal %q can never match: %s", it.Term, lit, msg)
			}
		}
		if (x.Op == syntax.OpRepeat && x.Max > 100) || (x.Op == syntax.OpRepeat && x.Max == -1 && x.Min > 100) {
			l.add(it.Line, r.ID, LevelWarning, "regex %q: a repeat count above 100 makes a large program", it.Term)
		}
		for _, s := range x.Sub {
			walk(s)
		}
	}
	walk(re)
}

// entities checks the dictionary entries of the file.
func (l *linter) entities() {
	seen := map[string]*EntityDef{}
	for _, e := range l.f.Entities {
		for _, a := range e.Aliases { // (the parser drops a form repeated within an entry)
			if prev, ok := seen[a.Term]; ok && prev != e {
				l.add(a.Line, e.Canonical, LevelWarning, "form %q also names %q (line %d): the longer or first entry wins", a.Term, prev.Canonical, prev.Line)
			}
			seen[a.Term] = e
			if a.Cased || a.Proper {
				// the case guard keeps these from matching the common word
				l.reachable(e.Canonical, a.Term, a.Line)
				continue
			}
			l.term(e.Canonical, a.Term, a.Line)
		}
	}
}
