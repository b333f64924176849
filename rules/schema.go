package rules

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	vigil "github.com/kz-newsroom/vigil"
)

// File is one pack file: rules and/or entity dictionary entries.
type File struct {
	Path        string // as shown in messages, e.g. "packs/government.yaml"
	Pack        string
	Description string
	Rules       []*Rule
	Entities    []*EntityDef
	// Lists are named term lists, used in terms as $name by every pack.
	Lists []*List
	sum   [sha256.Size]byte // of the file's bytes
}

// Modes.
const (
	ModeLive   = "live"
	ModeShadow = "shadow"
)

// Severities.
var severities = []string{"low", "medium", "high", "critical"}

// Entity types.
const (
	EntityOrg       = "org"
	EntityStateBody = "state_body"
	EntityOfficial  = "official"
	EntityPlace     = "place"
)

var entityTypes = []string{EntityOrg, EntityStateBody, EntityOfficial, EntityPlace}

// CueKinds are the kinds of cue a flag rule may mark instead of adding a
// weight: evidence a flag's evidence condition asks for (see
// pipeline.FlagCombiner.Require), never a vote on its own.
var CueKinds = []string{vigil.EvidenceCall, vigil.EvidenceCause}

// ParseCueKinds splits a comma-separated list of cue kinds; empty is none.
// A kind not among CueKinds is an error.
func ParseCueKinds(list string) ([]string, error) {
	if list == "" {
		return nil, nil
	}
	kinds := strings.Split(list, ",")
	for _, k := range kinds {
		if !slices.Contains(CueKinds, k) {
			return nil, fmt.Errorf("want cue kinds among %s", strings.Join(CueKinds, ", "))
		}
	}
	return kinds, nil
}

// List is a named list of terms (words, phrases, @classes) that any rule
// can use as $name, alone or on one side of NEAR.
type List struct {
	Name  string
	Terms []Item
	Line  int
	file  *File
}

// Rule is one rule as written in a pack.
type Rule struct {
	ID string
	// Description says in plain words what the rule finds, for moderators
	// (the page shows it instead of the id), by language: ru, kk, en. A
	// pack may write one string, taken as English.
	Description Description
	// DescriptionLine is the line of the description ("" key: none).
	DescriptionLine int
	Languages       []string // empty: every language
	Kinds           []string // empty: every kind
	Mode            string   // ModeLive (default) or ModeShadow
	Severity        string
	Action          Action
	// MinHits is how many evidence spans the rule needs to fire (default 1),
	// for topic rules that should not fire on one passing mention.
	MinHits int
	// Cond holds the rule's top-level any/all/none groups as one all-group.
	Cond    *Group
	Match   []Example
	NoMatch []Example
	Line    int
	file    *File
}

// Path is the pack file the rule is written in, as messages name it.
func (r *Rule) Path() string {
	if r.file == nil {
		return ""
	}
	return r.file.Path
}

// DescriptionLangs are the languages a rule's description is written in
// (the moderators' page's languages).
var DescriptionLangs = []string{vigil.LangRussian, vigil.LangKazakh, vigil.LangEnglish}

// Description is a rule's plain-language description by language.
type Description map[string]string

// Missing returns the languages of DescriptionLangs the description lacks.
func (d Description) Missing() []string {
	var out []string
	for _, l := range DescriptionLangs {
		if d[l] == "" {
			out = append(out, l)
		}
	}
	return out
}

// Action is what a firing rule does: exactly one of Tag, Flag or Entity.
type Action struct {
	Tag   string  // add this tag ...
	Score float64 // ... with this score
	// BodyScore, when set, is the tag's score when every hit of the rule
	// lies in a long body (over longField words, none in the title or a
	// short field): there the rule's words are mostly passing mentions,
	// and a tag's score is its measured precision. Hits only in the lead
	// under a headline keep Score, but the tag then stands only where the
	// topic model gives it pipeline.BodyRuleFloor, or the tag's own floor
	// where that is higher (Item.BodyTags): with BodyRuleFloor alone, on
	// every labelled set that took 124 wrong tags away and 12 right ones
	// ("apply on eGov" beside a benefit is no technology; 2026-12-07).
	BodyScore float64
	// ModelFloor, when set (above 0), is the least probability the topic
	// model must give the tag for this rule's tag to stand, where the
	// taxonomy's rule_floor asks more: a rule that reads an act ("В
	// Казахстане запретили вейпы") rather than a name (an akim, a
	// ministry), whose tag the model may rank under its field's
	// (pipeline.Item.RuleFloors).
	ModelFloor float64
	Flag       string  // add a signal towards this flag ...
	Weight     float64 // ... with this weight, or
	Cue        string  // ... as this kind of cue (CueKinds), with no weight
	Entity     *EntityDef
	Line       int
}

// Group is a boolean group of terms: all must match, any one must match,
// or none may match.
type Group struct {
	Op    string // "all", "any", "none"
	Items []Item
	Line  int
}

// Item is a term or a nested group.
type Item struct {
	Term  string // the term in the term syntax, or the regex for Regex
	Regex bool
	Group *Group
	Line  int
}

// Example is one of a rule's own examples.
type Example struct {
	Text string
	Lang string
	Kind string
	Line int
}

// EntityDef is one dictionary entry.
type EntityDef struct {
	Canonical     string
	Type          string
	Aliases       []Alias // every written form: aliases, kk, en, abbreviations
	Banned        bool
	BannedDate    string
	BannedNote    string
	Line          int
	hasCasedAbbrs bool
}

// Alias is one written form of an entity.
type Alias struct {
	Term string // term syntax, normalized
	// Cased requires the matched original text to be upper case, for short
	// abbreviations that collide with words ("ИГ" and the word "иг").
	Cased bool
	// Proper requires the matched original text to start with a capital
	// letter, for names that are also common words ("Семей" and "семей").
	Proper bool
	Line   int
}

// ParseError is a problem in a pack, at a file and line.
type ParseError struct {
	Path string
	Line int
	Rule string // rule id or entity canonical name, when known
	Msg  string
}

func (e *ParseError) Error() string {
	loc := e.Path
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Rule != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Rule, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// ParseErrors is every problem found in a set of packs.
type ParseErrors []*ParseError

func (es ParseErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Parse reads one pack file. It returns the file and every schema error
// found (not only the first), each with its line.
func Parse(path string, data []byte) (*File, ParseErrors) {
	p := &parser{f: &File{Path: path, sum: sha256.Sum256(data)}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := 0
		if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
			line = lineFromYAMLMsg(te.Errors[0])
		} else {
			line = lineFromYAMLMsg(err.Error())
		}
		p.errf(line, "", "invalid YAML: %v", err)
		return nil, p.errs
	}
	if len(root.Content) == 0 {
		p.errf(1, "", "empty pack")
		return nil, p.errs
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		p.errf(doc.Line, "", "a pack is a mapping with keys pack, description, rules, entities")
		return nil, p.errs
	}
	p.mapping(doc, "", map[string]func(k, v *yaml.Node){
		"pack":        func(_, v *yaml.Node) { p.f.Pack = p.str(v, "") },
		"description": func(_, v *yaml.Node) { p.f.Description = p.str(v, "") },
		"version":     func(_, v *yaml.Node) { p.str(v, "") },
		"lists": func(_, v *yaml.Node) {
			if v.Kind != yaml.MappingNode {
				p.errf(v.Line, "", "lists is a mapping of name to a list of terms")
				return
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, val := v.Content[i], v.Content[i+1]
				if !validListName(k.Value) {
					p.errf(k.Line, "", "bad list name %q (letters, digits and _)", k.Value)
					continue
				}
				l := &List{Name: k.Value, Line: k.Line, file: p.f}
				for _, c := range p.seq(val, "$"+k.Value) {
					if c.Kind != yaml.ScalarNode || strings.TrimSpace(c.Value) == "" {
						p.errf(c.Line, "$"+k.Value, "a list holds words, phrases and @classes")
						continue
					}
					l.Terms = append(l.Terms, Item{Term: c.Value, Line: c.Line})
				}
				p.f.Lists = append(p.f.Lists, l)
			}
		},
		"rules": func(_, v *yaml.Node) {
			for _, n := range p.seq(v, "") {
				if r := p.rule(n); r != nil {
					p.f.Rules = append(p.f.Rules, r)
				}
			}
		},
		"entities": func(_, v *yaml.Node) {
			for _, n := range p.seq(v, "") {
				if e := p.entity(n); e != nil {
					p.f.Entities = append(p.f.Entities, e)
				}
			}
		},
	})
	if len(p.errs) > 0 {
		return p.f, p.errs
	}
	return p.f, nil
}

// lineFromYAMLMsg pulls "line N" out of a yaml.v3 error message.
func lineFromYAMLMsg(msg string) int {
	i := strings.Index(msg, "line ")
	if i < 0 {
		return 0
	}
	j := i + 5
	for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
		j++
	}
	n, _ := strconv.Atoi(msg[i+5 : j])
	return n
}

type parser struct {
	f    *File
	errs ParseErrors
}

func (p *parser) errf(line int, who, format string, args ...any) {
	p.errs = append(p.errs, &ParseError{Path: p.f.Path, Line: line, Rule: who, Msg: fmt.Sprintf(format, args...)})
}

// mapping calls the handler of each key of n; unknown keys are errors.
func (p *parser) mapping(n *yaml.Node, who string, handlers map[string]func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errf(n.Line, who, "expected a mapping")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		h, ok := handlers[k.Value]
		if !ok {
			keys := make([]string, 0, len(handlers))
			for key := range handlers {
				keys = append(keys, key)
			}
			slices.Sort(keys)
			p.errf(k.Line, who, "unknown key %q (want one of %s)", k.Value, strings.Join(keys, ", "))
			continue
		}
		if seen[k.Value] {
			p.errf(k.Line, who, "key %q given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		h(k, v)
	}
}

func (p *parser) str(n *yaml.Node, who string) string {
	if n.Kind != yaml.ScalarNode {
		p.errf(n.Line, who, "expected a string")
		return ""
	}
	return n.Value
}

// description reads a rule's description: one string (English) or a
// mapping of language (ru, kk, en) to text.
func (p *parser) description(n *yaml.Node, who string) Description {
	d := Description{}
	switch n.Kind {
	case yaml.ScalarNode:
		if s := strings.TrimSpace(n.Value); s != "" {
			d[vigil.LangEnglish] = s
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !slices.Contains(DescriptionLangs, k.Value) {
				p.errf(k.Line, who, "description: unknown language %q (want ru, kk or en)", k.Value)
				continue
			}
			if s := strings.TrimSpace(p.str(v, who)); s != "" {
				d[k.Value] = s
			}
		}
	default:
		p.errf(n.Line, who, "description is a string or a mapping of ru, kk, en to text")
	}
	return d
}

func (p *parser) seq(n *yaml.Node, who string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.errf(n.Line, who, "expected a list")
		return nil
	}
	return n.Content
}

// strs accepts a list of strings or a single string.
func (p *parser) strs(n *yaml.Node, who string) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range p.seq(n, who) {
		out = append(out, p.str(c, who))
	}
	return out
}

func (p *parser) float(n *yaml.Node, who, what string) float64 {
	v, err := strconv.ParseFloat(p.str(n, who), 64)
	if err != nil || v <= 0 || v > 1 {
		p.errf(n.Line, who, "%s must be a number in (0, 1], got %q", what, n.Value)
		return 0
	}
	return v
}

func (p *parser) rule(n *yaml.Node) *Rule {
	r := &Rule{Line: n.Line, Mode: ModeLive, file: p.f, Cond: &Group{Op: "all", Line: n.Line}}
	// find the id first so every later message can name it
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "id" && n.Content[i+1].Kind == yaml.ScalarNode {
				r.ID = n.Content[i+1].Value
			}
		}
	}
	who := r.ID
	actionSeen := false
	p.mapping(n, who, map[string]func(k, v *yaml.Node){
		"id":          func(_, v *yaml.Node) { p.str(v, who) },
		"description": func(_, v *yaml.Node) { r.Description, r.DescriptionLine = p.description(v, who), v.Line },
		"languages": func(_, v *yaml.Node) {
			for _, l := range p.strs(v, who) {
				if l != vigil.LangRussian && l != vigil.LangKazakh && l != vigil.LangEnglish {
					p.errf(v.Line, who, "unknown language %q (want ru, kk or en)", l)
				}
				r.Languages = append(r.Languages, l)
			}
		},
		"kinds": func(_, v *yaml.Node) {
			for _, k := range p.strs(v, who) {
				if k != vigil.KindArticle && k != vigil.KindComment {
					p.errf(v.Line, who, "unknown kind %q (want article or comment)", k)
				}
				r.Kinds = append(r.Kinds, k)
			}
		},
		"mode": func(_, v *yaml.Node) {
			r.Mode = p.str(v, who)
			if r.Mode != ModeLive && r.Mode != ModeShadow {
				p.errf(v.Line, who, "unknown mode %q (want live or shadow)", r.Mode)
			}
		},
		"severity": func(_, v *yaml.Node) {
			r.Severity = p.str(v, who)
			if !slices.Contains(severities, r.Severity) {
				p.errf(v.Line, who, "unknown severity %q (want %s)", r.Severity, strings.Join(severities, ", "))
			}
		},
		"action": func(_, v *yaml.Node) { actionSeen = true; r.Action = p.action(v, who) },
		"min_hits": func(_, v *yaml.Node) {
			n, err := strconv.Atoi(p.str(v, who))
			if err != nil || n < 1 || n > MaxEvidence {
				p.errf(v.Line, who, "min_hits must be a whole number from 1 to %d", MaxEvidence)
			}
			r.MinHits = n
		},
		"any": func(k, v *yaml.Node) {
			r.Cond.Items = append(r.Cond.Items, Item{Group: p.group("any", v, who), Line: k.Line})
		},
		"all": func(k, v *yaml.Node) {
			r.Cond.Items = append(r.Cond.Items, Item{Group: p.group("all", v, who), Line: k.Line})
		},
		"none": func(k, v *yaml.Node) {
			r.Cond.Items = append(r.Cond.Items, Item{Group: p.group("none", v, who), Line: k.Line})
		},
		"match":    func(_, v *yaml.Node) { r.Match = p.examples(v, who) },
		"no_match": func(_, v *yaml.Node) { r.NoMatch = p.examples(v, who) },
	})
	if r.ID == "" {
		p.errf(n.Line, "", "rule without an id")
	} else if strings.ContainsAny(r.ID, " \t\n") {
		p.errf(n.Line, who, "rule id must not contain spaces")
	}
	if !actionSeen {
		p.errf(n.Line, who, "rule without an action (tag, flag or entity)")
	}
	if !positive(r.Cond) {
		p.errf(n.Line, who, "rule needs at least one term under any or all (none alone never fires)")
	}
	if len(r.Match) == 0 {
		p.errf(n.Line, who, "rule needs at least one match example")
	}
	if len(r.NoMatch) == 0 {
		p.errf(n.Line, who, "rule needs at least one no_match example")
	}
	return r
}

// positive reports whether g can fire on its own: it has a term or a
// positive subgroup outside a none group.
func positive(g *Group) bool {
	if g == nil || g.Op == "none" {
		return false
	}
	for _, it := range g.Items {
		if it.Group == nil || positive(it.Group) {
			return true
		}
	}
	return false
}

func (p *parser) action(n *yaml.Node, who string) Action {
	a := Action{Line: n.Line}
	p.mapping(n, who, map[string]func(k, v *yaml.Node){
		"tag":         func(_, v *yaml.Node) { a.Tag = p.str(v, who) },
		"score":       func(_, v *yaml.Node) { a.Score = p.float(v, who, "score") },
		"body_score":  func(_, v *yaml.Node) { a.BodyScore = p.float(v, who, "body_score") },
		"model_floor": func(_, v *yaml.Node) { a.ModelFloor = p.float(v, who, "model_floor") },
		"flag":        func(_, v *yaml.Node) { a.Flag = p.str(v, who) },
		"weight":      func(_, v *yaml.Node) { a.Weight = p.float(v, who, "weight") },
		"cue":         func(_, v *yaml.Node) { a.Cue = p.str(v, who) },
		"entity": func(_, v *yaml.Node) {
			e := &EntityDef{Line: v.Line}
			p.mapping(v, who, map[string]func(k, v *yaml.Node){
				"type":      func(_, v *yaml.Node) { e.Type = p.str(v, who) },
				"canonical": func(_, v *yaml.Node) { e.Canonical = p.str(v, who) },
				"banned":    func(_, v *yaml.Node) { e.Banned = p.bool(v, who) },
			})
			if !slices.Contains(entityTypes, e.Type) {
				p.errf(v.Line, who, "entity type %q is not one of %s", e.Type, strings.Join(entityTypes, ", "))
			}
			if e.Canonical == "" {
				p.errf(v.Line, who, "entity action needs a canonical name")
			}
			a.Entity = e
		},
	})
	kinds := 0
	if a.Tag != "" {
		kinds++
		if a.Score == 0 {
			a.Score = 1
		}
	}
	if a.Flag != "" {
		kinds++
		switch {
		case a.Cue != "" && a.Weight != 0:
			p.errf(n.Line, who, "a cue carries no weight: give a flag action either weight or cue")
		case a.Cue != "" && !slices.Contains(CueKinds, a.Cue):
			p.errf(n.Line, who, "cue %q is not one of %s", a.Cue, strings.Join(CueKinds, ", "))
		case a.Cue == "" && a.Weight == 0:
			p.errf(n.Line, who, "a flag action needs a weight in (0, 1] or a cue")
		}
	}
	if a.Flag == "" && a.Cue != "" {
		p.errf(n.Line, who, "cue goes with flag")
	}
	if a.Entity != nil {
		kinds++
	}
	if kinds != 1 {
		p.errf(n.Line, who, "an action has exactly one of tag, flag or entity")
	}
	if a.Tag == "" && a.Score != 0 {
		p.errf(n.Line, who, "score goes with tag")
	}
	if a.Tag == "" && a.BodyScore != 0 {
		p.errf(n.Line, who, "body_score goes with tag")
	}
	if a.Tag == "" && a.ModelFloor != 0 {
		p.errf(n.Line, who, "model_floor goes with tag")
	}
	if a.Tag != "" && a.BodyScore > a.Score {
		p.errf(n.Line, who, "body_score %.2f is above score %.2f: passing mentions in a long body are no surer than the rule", a.BodyScore, a.Score)
	}
	if a.Flag == "" && a.Weight != 0 {
		p.errf(n.Line, who, "weight goes with flag")
	}
	return a
}

func (p *parser) bool(n *yaml.Node, who string) bool {
	v, err := strconv.ParseBool(p.str(n, who))
	if err != nil {
		p.errf(n.Line, who, "expected true or false, got %q", n.Value)
	}
	return v
}

func (p *parser) group(op string, n *yaml.Node, who string) *Group {
	g := &Group{Op: op, Line: n.Line}
	items := p.seq(n, who)
	if len(items) == 0 && n.Kind == yaml.SequenceNode {
		p.errf(n.Line, who, "empty %s group", op)
	}
	for _, c := range items {
		switch c.Kind {
		case yaml.ScalarNode:
			if strings.TrimSpace(c.Value) == "" {
				p.errf(c.Line, who, "empty term")
				continue
			}
			g.Items = append(g.Items, Item{Term: c.Value, Line: c.Line})
		case yaml.MappingNode:
			if len(c.Content) != 2 {
				p.errf(c.Line, who, "a nested item has exactly one key: re, any, all or none")
				continue
			}
			k, v := c.Content[0], c.Content[1]
			switch k.Value {
			case "re":
				g.Items = append(g.Items, Item{Term: p.str(v, who), Regex: true, Line: k.Line})
			case "any", "all", "none":
				g.Items = append(g.Items, Item{Group: p.group(k.Value, v, who), Line: k.Line})
			default:
				p.errf(k.Line, who, "unknown key %q in a term list (want re, any, all or none)", k.Value)
			}
		default:
			p.errf(c.Line, who, "a term is a string, {re: ...} or a nested {any|all|none: [...]}")
		}
	}
	return g
}

func (p *parser) examples(n *yaml.Node, who string) []Example {
	var out []Example
	for _, c := range p.seq(n, who) {
		switch c.Kind {
		case yaml.ScalarNode:
			out = append(out, Example{Text: c.Value, Line: c.Line})
		case yaml.MappingNode:
			ex := Example{Line: c.Line}
			p.mapping(c, who, map[string]func(k, v *yaml.Node){
				"text": func(_, v *yaml.Node) { ex.Text = p.str(v, who) },
				"lang": func(_, v *yaml.Node) { ex.Lang = p.str(v, who) },
				"kind": func(_, v *yaml.Node) { ex.Kind = p.str(v, who) },
			})
			if ex.Text == "" {
				p.errf(c.Line, who, "example without text")
			}
			out = append(out, ex)
		default:
			p.errf(c.Line, who, "an example is a string or {text, lang, kind}")
		}
	}
	return out
}

func (p *parser) entity(n *yaml.Node) *EntityDef {
	e := &EntityDef{Line: n.Line}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "canonical" {
				e.Canonical = n.Content[i+1].Value
			}
		}
	}
	who := e.Canonical
	seen := map[string]bool{}
	forms := func(abbr bool) func(_, v *yaml.Node) {
		return func(_, v *yaml.Node) {
			list := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				list = v.Content
			}
			for _, c := range list {
				s := p.str(c, who)
				if s == "" {
					continue
				}
				cased := abbr
				// Dictionaries are written in natural case; matching is on
				// normalized text. Short abbreviations keep a case guard.
				a := Alias{Term: foldTerm(s), Line: c.Line}
				if !cased && isUpperAbbr(s) && !strings.ContainsAny(strings.TrimSpace(s), " \t") {
					cased = true // "МВД" written in capitals is an abbreviation
				}
				if seen[a.Term] {
					continue // the same form in two lists (ru and kk "Парламент")
				}
				seen[a.Term] = true
				if cased {
					// abbreviations are exact forms; short upper-case ones
					// must be upper case in the original too
					a.Term = exactTerm(a.Term)
					a.Cased = isUpperAbbr(s) && utf8.RuneCountInString(s) <= 2
				}
				e.Aliases = append(e.Aliases, a)
			}
		}
	}
	p.mapping(n, who, map[string]func(k, v *yaml.Node){
		"canonical":     func(_, v *yaml.Node) { p.str(v, who) },
		"type":          func(_, v *yaml.Node) { e.Type = p.str(v, who) },
		"aliases":       forms(false),
		"kk":            forms(false),
		"en":            forms(false),
		"abbreviations": forms(true),
		"cased": func(_, v *yaml.Node) {
			for _, s := range p.strs(v, who) {
				e.Aliases = append(e.Aliases, Alias{Term: exactTerm(foldTerm(s)), Cased: true, Line: v.Line})
			}
		},
		"proper": func(_, v *yaml.Node) {
			for _, s := range p.strs(v, who) {
				e.Aliases = append(e.Aliases, Alias{Term: foldTerm(s), Proper: true, Line: v.Line})
			}
		},
		"banned":      func(_, v *yaml.Node) { e.Banned = p.bool(v, who) },
		"banned_date": func(_, v *yaml.Node) { e.BannedDate = p.str(v, who) },
		"note":        func(_, v *yaml.Node) { e.BannedNote = p.str(v, who) },
	})
	if e.Canonical == "" {
		p.errf(n.Line, "", "entity without a canonical name")
	}
	if !slices.Contains(entityTypes, e.Type) {
		p.errf(n.Line, who, "entity type %q is not one of %s", e.Type, strings.Join(entityTypes, ", "))
	}
	if len(e.Aliases) == 0 {
		p.errf(n.Line, who, "entity without any written form (aliases, kk, en, abbreviations)")
	}
	return e
}

// foldTerm lower-cases a dictionary form and folds ё to е, as the
// normalizer does to text.
func foldTerm(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.ReplaceAll(s, "ё", "е")
}

// exactTerm marks every word of a term as an exact form.
func exactTerm(s string) string {
	f := strings.Fields(s)
	for i, w := range f {
		if !strings.HasPrefix(w, "=") && !strings.HasSuffix(w, "*") {
			f[i] = "=" + w
		}
	}
	return strings.Join(f, " ")
}

func isUpperAbbr(s string) bool {
	letters := 0
	for _, r := range s {
		if isWordRune(r) && !isUpper(r) {
			return false
		}
		letters++
	}
	return letters > 0
}
