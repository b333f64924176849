package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The term syntax (see doc.go for the editor's view):
//
//	term    = side [ " NEAR/" N " " side ]
//	side    = "@" class | word { " " word }      (several words: a phrase)
//	word    = "=" literal                        exact form only
//	        | literal "*"                        any word starting with literal
//	        | literal                            the word and its inflections
//
// A plain word shorter than minStemRunes letters, or one that is not a
// single word (it holds a hyphen, apostrophe, digit…), is matched exactly.

// atomKind says how one word of a term matches a word of text.
type atomKind uint8

const (
	atomExact atomKind = iota
	atomPrefix
	atomStem
)

func (k atomKind) String() string {
	return [...]string{"exact", "prefix", "stem"}[k]
}

// minStemRunes: words shorter than this are matched exactly, never stemmed.
const minStemRunes = 3

// Entity classes a term can name with "@".
var entityClasses = map[string]bool{
	"banned": true, EntityOrg: true, EntityStateBody: true, EntityOfficial: true, EntityPlace: true,
}

// wordSpec is one word of a parsed term.
type wordSpec struct {
	kind atomKind
	text string // without the "=" or "*" marker
}

// side is one operand: an entity class, a named list or a phrase of words.
type side struct {
	class string
	list  string
	words []wordSpec
}

func (s side) String() string {
	if s.class != "" {
		return "@" + s.class
	}
	if s.list != "" {
		return "$" + s.list
	}
	parts := make([]string, len(s.words))
	for i, w := range s.words {
		switch w.kind {
		case atomExact:
			parts[i] = "=" + w.text
		case atomPrefix:
			parts[i] = w.text + "*"
		default:
			parts[i] = w.text
		}
	}
	return strings.Join(parts, " ")
}

// parsedTerm is a term: one side, or two sides within dist words.
type parsedTerm struct {
	a, b side
	near bool
	dist int
}

// maxNear bounds NEAR/N.
const maxNear = 50

// parseTerm parses the term syntax. Errors say what is wrong in the
// editor's words.
func parseTerm(s string) (parsedTerm, error) {
	var t parsedTerm
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return t, fmt.Errorf("empty term")
	}
	nearAt := -1
	for i, f := range fields {
		if strings.HasPrefix(strings.ToUpper(f), "NEAR/") || strings.EqualFold(f, "NEAR") {
			if nearAt >= 0 {
				return t, fmt.Errorf("term %q: only one NEAR per term (nest terms under all: instead)", s)
			}
			if !strings.HasPrefix(f, "NEAR/") {
				return t, fmt.Errorf("term %q: write the operator as NEAR/N in capitals, e.g. NEAR/5", s)
			}
			n, err := strconv.Atoi(f[len("NEAR/"):])
			if err != nil || n < 0 || n > maxNear {
				return t, fmt.Errorf("term %q: NEAR/N needs N between 0 and %d", s, maxNear)
			}
			nearAt, t.near, t.dist = i, true, n
		}
	}
	var err error
	if !t.near {
		t.a, err = parseSide(fields, s)
		return t, err
	}
	if nearAt == 0 || nearAt == len(fields)-1 {
		return t, fmt.Errorf("term %q: NEAR/%d needs a phrase on both sides", s, t.dist)
	}
	if t.a, err = parseSide(fields[:nearAt], s); err != nil {
		return t, err
	}
	t.b, err = parseSide(fields[nearAt+1:], s)
	return t, err
}

func parseSide(fields []string, term string) (side, error) {
	var sd side
	if strings.HasPrefix(fields[0], "$") {
		if len(fields) > 1 {
			return sd, fmt.Errorf("term %q: a list (%s) stands alone on its side of NEAR", term, fields[0])
		}
		if !validListName(fields[0][1:]) {
			return sd, fmt.Errorf("term %q: bad list name %q (letters, digits and _)", term, fields[0])
		}
		sd.list = fields[0][1:]
		return sd, nil
	}
	if strings.HasPrefix(fields[0], "@") {
		if len(fields) > 1 {
			return sd, fmt.Errorf("term %q: an entity class (%s) stands alone on its side of NEAR", term, fields[0])
		}
		c := fields[0][1:]
		if !entityClasses[c] {
			return sd, fmt.Errorf("term %q: unknown entity class %q (want @banned, @org, @state_body, @official or @place)", term, fields[0])
		}
		sd.class = c
		return sd, nil
	}
	for _, f := range fields {
		kind, text := atomStem, f
		switch {
		case strings.HasPrefix(f, "="):
			kind, text = atomExact, f[1:]
		case strings.HasSuffix(f, "*"):
			kind, text = atomPrefix, f[:len(f)-1]
		}
		if text == "" || strings.ContainsAny(text, "*=") {
			return sd, fmt.Errorf("term %q: bad word %q (use =word, word* or word)", term, f)
		}
		if strings.HasPrefix(text, "@") || strings.HasPrefix(text, "$") {
			return sd, fmt.Errorf("term %q: an entity class or list cannot be part of a phrase", term)
		}
		if !wordRuneAt(text, 0) || !wordRuneAt(text, len(text)-1) {
			return sd, fmt.Errorf("term %q: word %q must start and end with a letter or digit", term, f)
		}
		// A token with inner punctuation ("аль-каида", "bay'ah") is a
		// phrase of its parts, so it matches however the parts are joined
		// ("аль каиды", "аль-каиды"). "*" applies to the last part.
		parts := splitWords(text)
		for i, p := range parts {
			k := kind
			if kind == atomPrefix && i < len(parts)-1 {
				k = atomStem
			}
			if k == atomStem && (utf8.RuneCountInString(p) < minStemRunes || hasDigit(p)) {
				k = atomExact
			}
			sd.words = append(sd.words, wordSpec{kind: k, text: p})
		}
	}
	return sd, nil
}

// wordRuneAt reports whether the rune starting (i == 0) or ending (i > 0)
// at byte i of s is a word rune.
func wordRuneAt(s string, i int) bool {
	if i == 0 {
		return wordAt(s, 0)
	}
	return wordBefore(s, len(s))
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func isUpper(r rune) bool { return unicode.IsUpper(r) }

func validListName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
