package pipeline

import (
	"bytes"
	"context"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"

	vigil "github.com/kz-newsroom/vigil"
)

// The normalizer turns a field as received (plain text or HTML) into the
// text rules and models read, and remembers for every byte of that text the
// byte range of the original that produced it. It works in five passes
// over a buffer of runes, each carrying its original range:
//
//  1. read: markup dropped (HTML only), entities decoded, NFKC, zero-width
//     and control characters dropped, lower case, ё→е, every run of white
//     space collapsed to one space or, if it held a line break, one "\n";
//  2. join: four or more single letters separated by single spaces, dots or
//     dashes ("в с т у п а й", "в.с.т.у.п.а.й") lose their separators; a
//     word cut by hyphens or underscores is made whole when the lexicon
//     knows it so ("джи-хад"), and a phrase glued with hyphens gets its
//     spaces back ("вступайте-в-ИГИЛ"; unglue); so does a word cut by an
//     emoji ("джи🔥хад"), and a letter stretched to three or more
//     ("джиииихад", "класссно") keeps the count the lexicon knows
//     (unstretch);
//  3. unmask: in a word that is otherwise Cyrillic, Latin look-alike
//     letters and digits or symbols used as letters become the Cyrillic
//     letters they imitate ("вcтyпaй в ДЖ1ХАД" → "вступай в джихад");
//  4. detranslit: a field of Russian written in Latin letters is read in
//     Cyrillic ("vstupaite v IGIL" → "вступайте в игил"; translit.go);
//  5. rekazakh: Kazakh typed on a Russian keyboard gets its nine letters
//     back ("жихадка косылындар" → "жиһадқа қосылыңдар"; kazakh_keyboard.go).
//
// The passes keep the order of the runes, so the map is monotone: a span of
// the normalized text always maps to an in-order span of the original.

// unit is one rune of the text being normalized with the byte range
// [s, e) of the original that produced it. r < 0 marks a deleted rune.
type unit struct {
	r    rune
	s, e int32
}

const deleted rune = -1

type normalizer struct {
	units []unit
	segs  []seg // scratch for encode
	// mixed is the index of the first unit where a Latin letter, digit or
	// symbol that may stand for a Cyrillic letter touches a Cyrillic
	// letter, -1 when there is none: unmask has nothing to do before it.
	mixed int
	// scanAll makes unmask ignore mixed (tests check the hint with it).
	scanAll bool
	// latin and other count the plain Latin letters (a–z) and the other
	// letters (Cyrillic, Latin beyond a–z) read: detranslit's first test.
	latin, other int
	// stretched is the index of the first of three equal Cyrillic letters
	// in a row, -1 when there are none: unstretch starts there.
	stretched int
	// glueAt holds the index of every possible separator (isGlue, a
	// symbol) read right after a Cyrillic or a–z letter: unglue looks only
	// there.
	glueAt []int
	// glue, pieces and seps are unglue's scratch: a chain's letters as
	// UTF-8, each piece's [start, end) in glue, each separator's units.
	glue         []byte
	pieces, seps [][2]int
}

var normalizers = sync.Pool{New: func() any { return new(normalizer) }}

// maxPooledUnits bounds the buffer a pooled normalizer keeps: a document
// of the default size limit (12 bytes a byte, 13 MB for 1 MiB). Keeping it
// lets the next large document reuse it: a megabyte comment otherwise
// allocated 11 of the 14 MB its check allocates here, and a stream of them
// (the hostile replay of docs/operations.md) ran the garbage collector
// beside the ordinary checks. The server lets only a few large documents
// in at once, so only a few such buffers exist.
const maxPooledUnits = vigil.DefaultMaxDocumentBytes + 64<<10

func release(n *normalizer) {
	if cap(n.units) > maxPooledUnits {
		n.units = nil
	}
	normalizers.Put(n)
}

// Normalize returns the normalized field name of a document whose text as
// received is original. HTML is recognised by its look (a tag, a comment or
// an entity) and reduced to its text: scripts and styles dropped, entities
// decoded, block elements turned into line breaks. The returned Field maps
// every byte of its Text back to original (see Field.Span).
//
// Normalize is safe for concurrent use and never fails: invalid UTF-8 reads
// as U+FFFD mapped to the offending byte.
func Normalize(name, original string) Field {
	return normalize(name, original, false)
}

// NormalizeArticleBody is Normalize for the body of an article: it also
// leaves out the lines that send the reader to other articles ("Читайте
// также: …", "Сондай-ақ оқыңыз: …", "Read also: …", and the headlines
// listed under such a line), whose words are other stories' (see
// relatedMarkers). A comment's text is read whole: a reader's line is the
// reader's, whatever it starts with.
func NormalizeArticleBody(original string) Field {
	return normalize(vigil.FieldBody, original, true)
}

func normalize(name, original string, article bool) Field {
	n := normalizers.Get().(*normalizer)
	defer release(n)
	n.run(original, article)
	text, segs, identity := n.encode(len(original), true)
	if identity && text == original {
		// Nothing changed: Span needs no map.
		return Field{Name: name, Original: original, Text: original}
	}
	if segs == nil { // empty text
		segs = []seg{}
	}
	return Field{Name: name, Original: original, Text: text, segs: segs}
}

// NormalizeText returns the normalized form of s, the same text as
// Normalize's Field.Text, without the map back to s. Training uses it.
func NormalizeText(s string) string {
	n := normalizers.Get().(*normalizer)
	defer release(n)
	n.run(s, false)
	text, _, _ := n.encode(len(s), false)
	return text
}

// run reads original into n.units and undoes the disguises; with
// articleBody it also leaves out the lines that link to other stories
// (dropRelated).
func (n *normalizer) run(original string, articleBody bool) {
	if len(original) > 1<<31-1 {
		// Offsets are int32; the document limit keeps inputs far below.
		original = original[:1<<31-1]
	}
	if cap(n.units) < len(original) {
		// At most a unit per byte: one allocation instead of a chain of
		// growing ones (five times the final size for a 1 MB document).
		n.units = make([]unit, 0, len(original))
	}
	n.units = n.units[:0]
	n.mixed = -1
	n.stretched = -1
	n.glueAt = n.glueAt[:0]
	n.latin, n.other = 0, 0
	if looksLikeHTML(original) {
		n.readHTML(original)
	} else {
		n.read(original, 0, -1)
	}
	if articleBody {
		n.dropRelated()
	}
	n.trimSpace()
	n.unbracket(original)
	n.join(original)
	n.unstretch()
	n.unglue(original)
	if n.scanAll {
		n.mixed = 0
	}
	n.unbang(original)
	n.unell(original)
	n.unmask()
	n.detranslit(original)
	n.rekazakh()
}

// looksLikeHTML reports whether s holds a tag ("<p", "</p", "<!--") or an
// entity ("&amp;", "&#1046;"). Plain text such as "a < b" is not HTML.
func looksLikeHTML(s string) bool {
	// Jump from one '<' or '&' to the next with the vectorized byte search:
	// most text has neither.
	lastGT := -2 // not looked for yet
	for _, c := range [2]byte{'<', '&'} {
		for i := 0; i < len(s); {
			k := strings.IndexByte(s[i:], c)
			if k < 0 {
				break
			}
			i += k
			if c == '&' {
				if entityEnd(s, i) > 0 {
					return true
				}
			} else if i+2 < len(s) {
				d := s[i+1]
				if d == '/' || d == '!' {
					d = s[i+2]
				}
				if ('a' <= d && d <= 'z') || ('A' <= d && d <= 'Z') || d == '-' {
					if lastGT == -2 {
						lastGT = strings.LastIndexByte(s, '>')
					}
					if lastGT > i {
						return true
					}
				}
			}
			i++
		}
	}
	return false
}

// entityEnd returns the end of the character reference that starts at s[i]
// ('&'), including its ';', or -1 when there is none there.
func entityEnd(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '#' {
		j++
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			j++
		}
	}
	k := j
	for k < len(s) && k-j < 32 && isASCIIAlnum(s[k]) {
		k++
	}
	if k == j || k >= len(s) || s[k] != ';' {
		return -1
	}
	return k + 1
}

func isASCIIAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// skipText lists the elements whose content is not text a reader sees.
// All but template are raw text to the tokenizer, so their content ends at
// their end tag; a browser hides an unclosed template's content too.
var skipText = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Noembed: true, atom.Noframes: true,
}

// blockElems lists the elements that start a new line of text.
var blockElems = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Br: true, atom.Dd: true, atom.Details: true, atom.Dialog: true, atom.Div: true,
	atom.Dl: true, atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true,
	atom.Figure: true, atom.Footer: true, atom.Form: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true,
	atom.Hr: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true,
	atom.P: true, atom.Pre: true, atom.Section: true, atom.Summary: true,
	atom.Table: true, atom.Tbody: true, atom.Td: true, atom.Tfoot: true, atom.Th: true,
	atom.Thead: true, atom.Tr: true, atom.Ul: true, atom.Caption: true, atom.Title: true,
	atom.Body: true, atom.Html: true, atom.Option: true, atom.Textarea: true,
}

// readHTML reads the text of an HTML document or fragment. Offsets come
// from the tokenizer's raw bytes, which are contiguous: the position of a
// token in s is the sum of the raw lengths before it.
func (n *normalizer) readHTML(s string) {
	z := html.NewTokenizer(strings.NewReader(s))
	pos := 0
	skip := 0 // depth inside elements whose text is dropped
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := len(z.Raw())
		start, end := pos, min(pos+raw, len(s))
		pos = end
		switch tt {
		case html.TextToken:
			if skip == 0 {
				n.readText(s[start:end], int32(start))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipText[a] {
				switch tt {
				case html.StartTagToken:
					skip++
				case html.EndTagToken:
					skip = max(skip-1, 0)
				}
			}
			if blockElems[a] {
				n.space('\n', int32(start), int32(end))
			}
		}
	}
	if pos < len(s) { // the tokenizer stops on a truncated tag; keep the rest as text
		n.read(s[pos:], int32(pos), -1)
	}
}

// readText reads the raw bytes of an HTML text token starting at s[0] =
// original[base], decoding character references; each decoded rune maps to
// the whole reference.
func (n *normalizer) readText(s string, base int32) {
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			continue
		}
		j := entityEnd(s, i)
		if j < 0 {
			continue
		}
		dec := html.UnescapeString(s[i:j])
		if dec == s[i:j] {
			continue
		}
		n.read(s[last:i], base+int32(last), -1)
		n.read(dec, base+int32(i), base+int32(j))
		last = j
		i = j - 1
	}
	n.read(s[last:], base+int32(last), -1)
}

// read appends the runes of s. With fixedEnd < 0, s[i] is original byte
// base+i; otherwise every rune of s maps to [base, fixedEnd) (s is the
// decoded form of that range).
//
// NFKC: runes in the fast set (ASCII, Cyrillic, Latin-1 letters, common
// quotes and dashes) are their own NFKC form and start a segment; any other
// rune goes through golang.org/x/text/unicode/norm together with the rune
// before it (a combining mark may fold into it: и + U+0306 → й), and every
// rune of the result maps to the whole segment. Calling norm's QuickSpan on
// all text instead made the normalizer 40% slower.
func (n *normalizer) read(s string, base, fixedEnd int32) {
	span := func(i, j int) (int32, int32) {
		if fixedEnd >= 0 {
			return base, fixedEnd
		}
		return base + int32(i), base + int32(j)
	}
	prev := -1 // start of the rune before i when it is one fast-path unit
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			s0, e0 := span(i, i+1)
			prev = -1
			if c > ' ' && c < 0x7f {
				prev = i
			}
			n.ascii(c, s0, e0)
			i++
			continue
		}
		var r rune
		var w int
		if c >= 0xc2 && c < 0xe0 && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
			// two bytes (Cyrillic): decoded here, utf8's slow path costs 14%
			r, w = rune(c&0x1f)<<6|rune(s[i+1]&0x3f), 2
		} else {
			r, w = utf8.DecodeRuneInString(s[i:])
		}
		if isFastNFKC(r) {
			s0, e0 := span(i, i+w)
			n.rune(r, s0, e0)
			prev = i
			i += w
			continue
		}
		start := i
		if prev >= 0 { // take back the rune before: it may compose with this one
			n.units = n.units[:len(n.units)-1]
			start = prev
		}
		k := start + norm.NFKC.NextBoundaryInString(s[start:], true)
		if k <= start {
			_, w := utf8.DecodeRuneInString(s[start:])
			k = start + w
		}
		s0, e0 := span(start, k)
		for _, r := range norm.NFKC.String(s[start:k]) {
			if r < utf8.RuneSelf {
				// ǲ → dz, ｖ → v: ASCII as ascii counts it (Latin letters,
				// the unmask hint), or "нǲ" was read one way with the
				// hint and another scanning all (FuzzNormalize)
				n.ascii(byte(r), s0, e0)
				continue
			}
			n.rune(r, s0, e0)
		}
		prev = -1
		i = k
	}
}

// isFastNFKC reports whether r is a starter that NFKC leaves alone and
// that appends exactly one unit (TestFastNFKC checks this against norm).
func isFastNFKC(r rune) bool {
	switch {
	case r >= 0x400 && r <= 0x4ff:
		return r < 0x483 || r > 0x489 // not the Cyrillic combining marks
	case r >= 0xc0 && r <= 0xff:
		return true
	}
	switch r {
	case '«', '»', '–', '—', '‘', '’', '‚', '“', '”', '„', '№':
		return r != '№' // № is "No" in NFKC
	}
	return false
}

// ascii appends one ASCII byte.
func (n *normalizer) ascii(c byte, s, e int32) {
	switch {
	case c > ' ' && c < 0x7f:
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'a' <= c && c <= 'z' {
			n.latin++
		}
		if k := len(n.units) - 1; k >= 0 && isGlue(rune(c)) && isPieceLetter(n.units[k].r) {
			n.glueAt = append(n.glueAt, k+1)
		}
		if k := len(n.units) - 1; n.mixed < 0 && k >= 0 && asciiWord[c] {
			// a Latin letter, digit or symbol beside a Cyrillic letter, or
			// a leet digit after a Latin letter: unmask starts here
			if last := n.units[k].r; isCyrillic(last) || (latinLeet[c] != 0 && 'a' <= last && last <= 'z') ||
				('a' <= c && c <= 'z' && greekLook(last) != 0) {
				n.mixed = k
			}
		}
		n.units = append(n.units, unit{rune(c), s, e})
	case c == '\n' || c == '\r' || c == '\v' || c == '\f':
		n.space('\n', s, e)
	case c == ' ' || c == '\t':
		n.space(' ', s, e)
	}
	// other control characters are dropped
}

// rune appends one non-ASCII rune in NFKC.
func (n *normalizer) rune(r rune, s, e int32) {
	switch {
	case r >= 0x410 && r <= 0x42f: // А-Я
		r += 0x20
		n.other++
	case r == 0x401 || r == 0x451: // Ё ё
		r = 'е'
		n.other++
	case r >= 0x430 && r <= 0x44f: // а-я
		n.other++
	case r == 0x2028 || r == 0x2029 || r == 0x85:
		n.space('\n', s, e)
		return
	case unicode.IsSpace(r):
		n.space(' ', s, e)
		return
	case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Cc, r):
		// zero-width characters, soft hyphens, direction marks, controls
		return
	case r == 0xfe0f || r == 0xfe0e:
		// variation selectors (❤️): a combining mark to Unicode, they
		// glued an emoji's tail to the next word ("❤️алматы")
		return
	case (r == 0x301 || r == 0x300) && len(n.units) > 0 && isCyrillic(n.units[len(n.units)-1].r):
		// a stress mark on a Cyrillic vowel (вступа́й): Russian writes it
		// only to show the stress, and it hides the word from a filter
		return
	default:
		r = unicode.ToLower(r)
		if r < utf8.RuneSelf {
			// İ lower-cases to i: ASCII as ascii counts it, or "брİ" was
			// read one way with the unmask hint and another scanning all
			// (FuzzNormalize)
			n.ascii(byte(r), s, e)
			return
		}
		switch {
		case isKazakhLatin(r):
			n.latin++ // á, ğ, ş…: Kazakh in Latin letters (translit_kk.go)
		case r >= 0x400 && r <= 0x52f || r >= 0xc0 && r <= 0x24f && r != 0xd7 && r != 0xf7:
			n.other++ // Kazakh letters, other Latin letters beyond a–z
		}
	}
	if k := len(n.units) - 1; k >= 0 {
		last := n.units[k].r
		if r == last {
			if n.stretched < 0 && k > 0 && n.units[k-1].r == r && isCyrillicLetter(r) {
				n.stretched = k - 1
			}
		} else if (r > 0x4ff || r < 0x80) && isPieceLetter(last) && (isGlue(r) || r > 0x4ff && isSymbol(r)) {
			n.glueAt = append(n.glueAt, k+1)
		}
	}
	if k := len(n.units) - 1; n.mixed < 0 && k >= 0 {
		last := n.units[k].r
		if (isCyrillic(r) && ((last >= 0 && last < 128 && asciiWord[last]) || greekLook(last) != 0)) ||
			(greekLook(r) != 0 && (isCyrillic(last) || 'a' <= last && last <= 'z')) {
			n.mixed = k
		}
	}
	if n.mixed < 0 && (foreignLook(r) || greekLook(r) != 0) {
		// a look-alike whose word unmask may read in another script,
		// whatever stands next to it ("Χ0AA": a digit between, FuzzNormalize)
		n.mixed = len(n.units)
	}
	n.units = append(n.units, unit{r, s, e})
}

// space appends white space of kind ' ' or '\n', merging it into the white
// space before it. Leading white space is dropped.
func (n *normalizer) space(kind rune, s, e int32) {
	if len(n.units) == 0 {
		return
	}
	last := &n.units[len(n.units)-1]
	if last.r == ' ' || last.r == '\n' {
		if kind == '\n' {
			last.r = '\n'
		}
		last.e = e
		return
	}
	n.units = append(n.units, unit{kind, s, e})
}

// trimSpace drops trailing white space.
func (n *normalizer) trimSpace() {
	for len(n.units) > 0 {
		r := n.units[len(n.units)-1].r
		if r != ' ' && r != '\n' {
			return
		}
		n.units = n.units[:len(n.units)-1]
	}
}

// asciiWord marks the ASCII bytes that belong to a word for the evasion
// passes.
var asciiWord = func() (t [128]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['@'], t['$'] = true, true
	return t
}()

// isWordRune reports whether r belongs to a word for the evasion passes:
// letters, digits, combining marks, and the symbols used as letters.
func isWordRune(r rune) bool {
	if uint32(r) < utf8.RuneSelf {
		return asciiWord[r]
	}
	if r >= 0x430 && r <= 0x4ff {
		return true
	}
	return r > 0 && isWordRuneSlow(r)
}

func isWordRuneSlow(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// isJoinSep reports whether r may separate spaced-out letters.
func isJoinSep(r rune) bool {
	switch r {
	case ' ', '.', '-', '_', '*', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014':
		return true
	}
	return false
}

// disguisedNames are banned groups' names that the lexicon, counted from
// news and comments, lacks, and that disguises hide ("D@esh", "ISlL"). The
// readings of a symbol or a digit as a letter (unbang, unell, and unmask's
// through knownWord) take them for words as well as the lexicon's; the
// segmenter and the transliteration read the lexicon alone, so no other
// text reads differently. Not the rule packs' entity names: editing a pack
// never changes the normalizer.
var disguisedNames = setOf("daesh", "daish", "isil", "tablighi", "shabaab")

// knownAs reports whether w is a word the lexicon (costs) knows or one of
// disguisedNames.
func knownAs(costs map[string]float32, w string) bool {
	_, ok := costs[w]
	return ok || has(disguisedNames, w)
}

// unbang reads '!' and '|' standing for и or i inside a word ("шах!д",
// "j!h@d", "ИГ|Л") when the word so read, its '@' and '$' read as
// letters too, is one the lexicon knows; "привет!как" and "yahoo!news"
// stay as written. '@' or '$' between Latin letters, or ending a Latin
// word of three letters or more, is read the same way ("sh@heed",
// "D@esh", "Nusr@"); "ivan@mail" stays. In a Cyrillic word unmask then
// reads the other symbols and digits; in a Latin one they are read here,
// since unmask leaves '@' in Latin text (addresses).
func (n *normalizer) unbang(original string) {
	if !strings.ContainsAny(original, "!|@$") {
		return
	}
	u := n.units
	costs := wordCosts()
	isBang := func(r rune) bool { return r == '!' || r == '|' }
	// '@' or '$' between two a–z letters starts a read too ("sh@heed",
	// "i$lam"), or after three at a word's end ("nusr@"); an address
	// ("ivan@mail") reads as no word and stays.
	isSign := func(i int) bool {
		if u[i].r != '@' && u[i].r != '$' || !isLatinLetter(u[i-1].r) {
			return false
		}
		if i+1 < len(u) && isLatinLetter(u[i+1].r) {
			return true
		}
		end := i+1 == len(u) || !isWordRune(u[i+1].r)
		return end && i >= 3 && isLatinLetter(u[i-2].r) && isLatinLetter(u[i-3].r)
	}
	inRun := func(r rune) bool { return r == deleted || isWordRune(r) || isBang(r) }
	// bangRead is how r reads in a word of the script cyrillic: ! and |
	// as и or i, '@' and '$' in a Latin word as a and s (rewrite), and
	// digits and symbols as unmask will read them (only to ask the
	// lexicon: unmask rewrites those).
	bangRead := func(r rune, cyrillic bool) (read rune, rewrite bool) {
		switch {
		case isBang(r) && cyrillic:
			return 'и', true
		case isBang(r):
			return 'i', true
		case r < 0 || r >= utf8.RuneSelf: // deleted, or not ASCII
		case cyrillic && digitLetter[r] != 0:
			return digitLetter[r], false
		case r == '@':
			return 'a', !cyrillic
		case r == '$':
			return 's', !cyrillic
		case latinLeet[r] != 0:
			return latinLeet[r], false
		}
		return r, false
	}
	var b strings.Builder
	for i := 1; i < len(u); i++ {
		if !(i+1 < len(u) && isBang(u[i].r) && isWordRune(u[i-1].r) && isWordRune(u[i+1].r)) && !isSign(i) {
			continue
		}
		lo, hi := i, i
		for lo > 0 && inRun(u[lo-1].r) {
			lo--
		}
		for hi+1 < len(u) && inRun(u[hi+1].r) {
			hi++
		}
		cyr, lat := 0, 0
		for _, x := range u[lo : hi+1] {
			switch {
			case isCyrillic(x.r):
				cyr++
			case 'a' <= x.r && x.r <= 'z':
				lat++
			}
		}
		cyrillic := cyr > lat
		b.Reset()
		for _, x := range u[lo : hi+1] {
			if x.r != deleted {
				r, _ := bangRead(x.r, cyrillic)
				b.WriteRune(r)
			}
		}
		if knownAs(costs, b.String()) {
			for k := lo; k <= hi; k++ {
				if r, rewrite := bangRead(u[k].r, cyrillic); rewrite {
					u[k].r = r
				}
			}
			if n.mixed < 0 || n.mixed > lo {
				n.mixed = lo
			}
		}
		i = hi
	}
}

// unell reads a lower-case l, or a 1 at a word's edge, standing for I in
// a word otherwise written in Latin capitals ("ISlS", "lSlS", "1SIS")
// when the word so read is one the lexicon knows and the word as
// written is not: the l of "ISlS" looks like the I it hides in most
// fonts. Words written so in ordinary text keep their letters: "SQLite"
// and "McLaren" hold lower-case letters besides l, and "HELLO" none.
func (n *normalizer) unell(original string) {
	if !ellAmongCapitals(original) {
		return
	}
	u := n.units
	costs := wordCosts()
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		if !isWordRune(u[i].r) || i > 0 && isWordRune(u[i-1].r) {
			continue
		}
		j := i
		caps, ells := 0, 0
		plain := true // every unit one ASCII byte of the original: a capital, an l, or a 1 at an edge
		for ; j < len(u) && isWordRune(u[j].r); j++ {
			x := u[j]
			if x.e-x.s != 1 {
				plain = false
				continue
			}
			switch c := original[x.s]; {
			case 'A' <= c && c <= 'Z':
				caps++
			case c == 'l':
				ells++
			case c == '1' && (j == i || j+1 == len(u) || !isWordRune(u[j+1].r)):
				ells++
			default:
				plain = false
			}
		}
		if !plain || ells == 0 || caps < 2 || j-i < 3 {
			i = j
			continue
		}
		// spell writes the word as normalized so far, or with its l and 1 as i.
		spell := func(asI bool) string {
			b.Reset()
			for _, x := range u[i:j] {
				if c := original[x.s]; asI && (c == 'l' || c == '1') {
					b.WriteByte('i')
				} else {
					b.WriteRune(x.r)
				}
			}
			return b.String()
		}
		if !knownAs(costs, spell(false)) {
			if knownAs(costs, spell(true)) {
				for k := i; k < j; k++ {
					if c := original[u[k].s]; c == 'l' || c == '1' {
						u[k].r = 'i'
					}
				}
			}
		}
		i = j
	}
}

// ellAmongCapitals reports whether original holds an l or a 1 with Latin
// capitals on both sides, or two on one side ("SlS", "lSI", "IS1"): the
// byte scan that spares unell's walk over the units of nearly every text
// (BenchmarkNormalize: 43.5 MB/s without unell, 39.5 with the walk on
// every text holding an l, 43 with this scan in front).
func ellAmongCapitals(original string) bool {
	upper := func(i int) bool { return i >= 0 && i < len(original) && 'A' <= original[i] && original[i] <= 'Z' }
	for i := 0; i < len(original); i++ {
		if c := original[i]; (c == 'l' || c == '1') &&
			(upper(i-1) && upper(i+1) || upper(i+1) && upper(i+2) || upper(i-1) && upper(i-2)) {
			return true
		}
	}
	return false
}

// unbracket removes the brackets around three or more single letters in a
// row, each in brackets of its own, with at most a space between them:
// "(И)(Г)(И)(Л)", "[j] [o] [i] [n]" become "игил", "join". Lists number
// their items so ("(a) … (b) …") but never without words between them.
func (n *normalizer) unbracket(original string) {
	if !strings.Contains(original, ")(") && !strings.Contains(original, ") (") &&
		!strings.Contains(original, "][") && !strings.Contains(original, "] [") {
		return
	}
	u := n.units
	closing := func(r rune) rune {
		switch r {
		case '(':
			return ')'
		case '[':
			return ']'
		}
		return 0
	}
	group := func(k int, open rune) bool { // u[k:k+3] is open, a letter, its closing bracket
		return k+2 < len(u) && u[k].r == open && unicode.IsLetter(u[k+1].r) && u[k+2].r == closing(open)
	}
	for i := 0; i < len(u); i++ {
		open := u[i].r
		if closing(open) == 0 || !group(i, open) {
			continue
		}
		groups, end := 0, i // the groups in a row, and where the last ends
		for group(end, open) {
			groups, end = groups+1, end+3
			if end+1 < len(u) && u[end].r == ' ' && group(end+1, open) {
				end++
			}
		}
		if groups < 3 {
			i = end - 1
			continue
		}
		for k := i; k < end; k++ {
			if !unicode.IsLetter(u[k].r) {
				u[k].r = deleted
			}
		}
		if n.mixed < 0 || n.mixed > i {
			n.mixed = i
		}
		i = end - 1
	}
}

// joinTranslitRuns is how many runs of Latin letters in a field join
// breaks where Russian or Kazakh typed in Latin letters has word ends
// (segment); the rest break where English has them.
const joinTranslitRuns = 2

// join removes the separators of four or more single letters in a row,
// each separated by one space, dot or dash: "в с т у п а й" → "вступай".
// All separators of a run must be the same character, written as one
// character in the original, so "в.с.т.у.п.а.й и в-с-т-у-п-а-й" gives two
// words, and so does "в с т у п а й  в  д ж и х а д" (two spaces between
// words). At least half of the run must be letters: "1 2 3 4" stays.
// With '_' or '*' three letters are enough ("ш_а_м"): unlike spaces, dots
// ("С.Ш.А.") and dashes, they never stand between single letters in
// ordinary text.
func (n *normalizer) join(original string) {
	u := n.units
	isSingle := func(i int) bool {
		return isWordRune(u[i].r) && (i == 0 || !isWordRune(u[i-1].r)) &&
			(i+1 == len(u) || !isWordRune(u[i+1].r))
	}
	isSep := func(i int, sep rune) bool {
		x := u[i]
		if (sep != 0 && x.r != sep) || !isJoinSep(x.r) {
			return false
		}
		return oneChar(original, x)
	}
	translitRuns := 0
	for i := 0; i+1 < len(u); i++ {
		if !isJoinSep(u[i+1].r) || !isSingle(i) {
			continue
		}
		k, count, letters := i, 1, 0
		if unicode.IsLetter(u[i].r) {
			letters++
		}
		var sep rune
		for k+2 < len(u) && isSep(k+1, sep) && isSingle(k+2) {
			sep = u[k+1].r
			k += 2
			count++
			if unicode.IsLetter(u[k].r) {
				letters++
			}
		}
		// A dotted or dashed run may end in a translit digraph, one letter
		// of the word it spells: D.A.I.SH is Д.А.И.Ш typed in Latin.
		digraph := false
		if sep != 0 && sep != ' ' && k+3 < len(u) && isSep(k+1, sep) && latinDigraph(u[k+2].r, u[k+3].r) &&
			(k+4 == len(u) || !isWordRune(u[k+4].r)) {
			k += 3
			count++
			letters++
			digraph = true
		}
		need := 4
		if sep == '_' || sep == '*' {
			need = 3 // never between single letters in ordinary text: ш_а_м
		}
		if count >= need && 2*letters >= count {
			// Break the run where the lexicon sees word ends ("я в ш о к
			// е" → "я в шоке"); the separators kept there become spaces.
			var breaks []bool
			if letters == count && !digraph {
				run := make([]rune, 0, count)
				for j := i; j <= k; j += 2 {
					run = append(run, u[j].r)
				}
				breaks = segment(run, translitRuns < joinTranslitRuns)
				if plainLatin(run) {
					translitRuns++
				}
			}
			for j := i + 1; j < k; j += 2 {
				if breaks != nil && breaks[(j-i)/2] {
					u[j].r = ' '
				} else {
					u[j].r = deleted
				}
			}
			if n.mixed < 0 || n.mixed > i {
				n.mixed = i
			}
			i = k
		}
	}
}

// latinDigraph reports whether a and b spell one Cyrillic consonant in
// transliteration (translitParts: sh ш, ch ч, zh ж, kh х, ts ц).
func latinDigraph(a, b rune) bool {
	for _, p := range translitParts {
		if len(p.latin) == 2 && rune(p.latin[0]) == a && rune(p.latin[1]) == b {
			r, size := utf8.DecodeRuneInString(p.readings[0])
			return size == len(p.readings[0]) && isCyrConsonant(r)
		}
	}
	return false
}

// unstretch shortens letters repeated three times or more in a Cyrillic
// word ("джиииихад", "вступаааайте", "класссно"), which hardly any Russian
// or Kazakh word has: each such run keeps one letter or two, whichever
// spelling the lexicon knows best ("джихад", "классно"), one when it knows
// none ("дааааа" → "да"). A word the lexicon knows as written ("ссср")
// stays. Up to four runs a word are weighed together; more keep one
// letter each.
func (n *normalizer) unstretch() {
	u := n.units
	if n.stretched < 0 {
		return
	}
	costs := wordCosts()
	for i := n.stretched; i+2 < len(u); i++ {
		r := u[i].r
		if !isCyrillicLetter(r) || u[i+1].r != r || u[i+2].r != r {
			continue
		}
		// The word around the run, and its runs of three or more.
		start, end := i, i
		for start > 0 && isCyrillicLetter(u[start-1].r) {
			start--
		}
		for end < len(u) && isCyrillicLetter(u[end].r) {
			end++
		}
		n.pieces = n.pieces[:0] // [start, end) of each run
		for k := i; k < end; {
			m := k + 1
			for m < end && u[m].r == u[k].r {
				m++
			}
			if m-k >= 3 {
				n.pieces = append(n.pieces, [2]int{k, m})
			}
			k = m
		}
		n.glue = n.glue[:0]
		for _, x := range u[start:end] {
			n.glue = utf8.AppendRune(n.glue, x.r)
		}
		if _, ok := costs[string(n.glue)]; ok {
			i = end // a word as written ("ссср")
			continue
		}
		best := 0 // bit b set: run b keeps two letters
		if runs := len(n.pieces); runs <= 4 {
			bestCost := float32(math.Inf(1))
			for mask := 0; mask < 1<<runs; mask++ {
				n.glue = n.glue[:0]
				k, b := start, 0
				for k < end {
					if b < runs && k == n.pieces[b][0] {
						n.glue = utf8.AppendRune(n.glue, u[k].r)
						if mask&(1<<b) != 0 {
							n.glue = utf8.AppendRune(n.glue, u[k].r)
						}
						k = n.pieces[b][1]
						b++
						continue
					}
					n.glue = utf8.AppendRune(n.glue, u[k].r)
					k++
				}
				if c, ok := costs[string(n.glue)]; ok && c < bestCost {
					best, bestCost = mask, c
				}
			}
		}
		for b, p := range n.pieces {
			keep := 1
			if best&(1<<b) != 0 {
				keep = 2
			}
			for k := p[0] + keep; k < p[1]; k++ {
				u[k].r = deleted
			}
		}
		i = end
	}
}

// unglue undoes two evasions that use the separators a word may hold:
//
//   - a word cut into pieces by hyphens, underscores, asterisks or dots,
//     "джи-хад", "вер_бов_ка", "ш-а-м", "муд*жа*хи*ды": the pieces join
//     when the lexicon knows the whole as a word and finds it likelier
//     than the pieces read as words of their own; after a hyphen, also only
//     when a piece is no word the lexicon knows or there are three or more
//     single letters, so "из-за", "кто-то", "Нур-Султан" and "ас-саляму"
//     (an Arabic article) stay; after an asterisk or a dot, only pieces of
//     two letters or more, since one letter there is a letter masked
//     ("с*ка") or an initial, and three pieces or more after a dot; an
//     emoji or symbol inside a word ("джи🔥хад", "Ш☪️ам") cuts it the same
//     way, and there the lexicon alone decides ("Я❤️Алматы" stays apart);
//     the whole may also be a lexicon word with an ending (inflectedCost);
//   - a phrase glued with hyphens, "вступайте-в-ИГИЛ", "пишите-в-личку":
//     three or more pieces, one of them a preposition, conjunction or
//     particle (в, на, к, и, не…), or four or more pieces, become words
//     again. Hyphenated words have two pieces, and the few with three
//     ("точь-в-точь", "Ростов-на-Дону") read the same to the rules, which
//     match across hyphens anyway.
//
// Pieces are all Cyrillic or all Latin (a–z) letters; a piece with a digit
// or a letter of the other script is not one. Underscores glue a phrase as
// hyphens do ("пиши_в_лс", "dm_me_for_details"), but a Latin phrase glued
// with hyphens stays: English writes its own so ("state-of-the-art",
// "two-and-a-half-hours"), and the rules read across hyphens anyway. An
// underscore after '@' is a handle's ("@abu_sham_kz"), and one before '@'
// an address's ("ivan_petrov@mail.kz"): neither is cut (unglueChain says
// how Latin words join).
func (n *normalizer) unglue(original string) {
	u := n.units
	// Separators are rare: the reading pass noted where one follows a
	// letter (glueAt); read the chain around each.
	done := 0
	for _, i := range n.glueAt {
		if i < done || i+1 >= len(u) || !isPieceLetter(u[i-1].r) {
			continue
		}
		latin := isLatinLetter(u[i-1].r)
		inPiece := inCyrillicPiece
		if latin {
			inPiece = inLatinPiece
		}
		if e, _ := sepAt(original, u, i); e < 0 || e >= len(u) || !inPiece(u[e].r) || u[e].r == deleted {
			continue
		}
		start := i - 1
		for start > 0 && inPiece(u[start-1].r) {
			start--
		}
		if start > 0 && isWordRune(u[start-1].r) || start > 1 && isGlue(u[start-1].r) && isWordRune(u[start-2].r) {
			// a piece with a digit, a letter of the other script or a
			// handle's '@' (before it, or before a piece with a digit
			// before it): not ours, nor is the rest of the token
			for done = i; done < len(u) && (isWordRune(u[done].r) || isGlue(u[done].r) || u[done].r == deleted); done++ {
			}
			continue
		}
		n.glue, n.pieces, n.seps = n.glue[:0], n.pieces[:0], n.seps[:0]
		var sep rune
		j := start
		for {
			a := len(n.glue)
			k := j
			for ; k < len(u) && inPiece(u[k].r); k++ {
				if u[k].r != deleted {
					n.glue = utf8.AppendRune(n.glue, u[k].r)
				}
			}
			n.pieces = append(n.pieces, [2]int{a, len(n.glue)})
			if e, kind := sepAt(original, u, k); e >= 0 && e < len(u) && (sep == 0 || kind == sep) && inPiece(u[e].r) && u[e].r != deleted {
				sep = kind
				n.seps = append(n.seps, [2]int{k, e})
				j = e
				continue
			}
			if k < len(u) && isWordRune(u[k].r) {
				n.pieces = n.pieces[:0] // a piece with a digit or a letter of the other script: not ours either
			}
			j = k
			break
		}
		if len(n.pieces) >= 2 {
			n.unglueChain(u, sep, latin)
		}
		done = j
	}
}

// inflectedCost is the lexicon's cost of the word w, or, when the
// lexicon lacks w itself, of w without its last one to three letters (an
// ending, four letters or more left, longer than the first last bytes)
// plus stemCost: "ха.ли.фа.те" and "Хорас🏴анда" join as халифат and
// хорасан with an ending, which Russian and Kazakh add freely and the
// lexicon has seen only some of. unglue passes the start of the last
// piece as last, so the stem must reach into it: "бабу-ягу" is not бабу
// with an ending, nor "НАТО-ға" НАТО.
func inflectedCost(w []byte, last int) (float32, bool) {
	costs := wordCosts()
	if c, ok := costs[string(w)]; ok {
		return c, true
	}
	end := len(w)
	for range 3 {
		_, size := utf8.DecodeLastRune(w[:end])
		end -= size
		if end <= last || utf8.RuneCount(w[:end]) < 4 {
			break
		}
		if c, ok := costs[string(w[:end])]; ok {
			return c + stemCost, true
		}
	}
	return 0, false
}

// englishCost is the lexicon's cost of the Latin word w, or of w without
// a plural's s. English inflects little: inflectedCost's endings would
// join a handle's pieces ("simon_sat" read as simons with an ending).
func englishCost(w []byte, _ int) (float32, bool) {
	costs := wordCosts()
	if c, ok := costs[string(w)]; ok {
		return c, true
	}
	if len(w) > 4 && w[len(w)-1] == 's' {
		if c, ok := costs[string(w[:len(w)-1])]; ok {
			return c + stemCost, true
		}
	}
	return 0, false
}

// stemCost is what reading a word as an inflection of a lexicon word adds
// to that word's cost.
const stemCost = 2

// inCyrillicPiece and inLatinPiece report whether r may be part of a
// piece unglue reads: a Cyrillic letter (an a–z letter), or one unstretch
// or join deleted.
func inCyrillicPiece(r rune) bool { return r == deleted || isCyrillicLetter(r) }
func inLatinPiece(r rune) bool    { return r == deleted || isLatinLetter(r) }

// isPieceLetter reports whether a separator after r may cut a word or glue
// a phrase (unglue): r is a Cyrillic or an a–z letter.
func isPieceLetter(r rune) bool { return isCyrillicLetter(r) || isLatinLetter(r) }

// isLatinLetter reports whether r is a lower-case letter a–z (the
// normalizer has lower-cased the text).
func isLatinLetter(r rune) bool { return 'a' <= r && r <= 'z' }

// symbolSep is the kind sepAt gives a run of emoji and symbols.
const symbolSep rune = -2

// sepAt returns the end of the separator that starts at u[k] and its
// kind, or -1: one glue character of the original ('-', '_', '*', '.'),
// or a run of emoji and symbols (kind symbolSep: "джи🔥хад", "ш☪️ам").
func sepAt(original string, u []unit, k int) (end int, kind rune) {
	if k >= len(u) {
		return -1, 0
	}
	if r := u[k].r; isGlue(r) {
		if !oneChar(original, u[k]) {
			return -1, 0
		}
		return k + 1, r
	}
	e := k
	for e < len(u) && isSymbol(u[e].r) {
		e++
	}
	if e == k {
		return -1, 0
	}
	return e, symbolSep
}

// isSymbol reports whether r is part of an emoji or a pictograph: a symbol
// beyond ASCII, a variation selector or a skin tone.
func isSymbol(r rune) bool {
	return r >= 0x80 && (unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || r == 0xfe0f || r == 0xfe0e)
}

// unglueChain joins or splits the chain of pieces n.pieces (of n.glue)
// cut by the separators n.seps (unit ranges of u; see unglue).
func (n *normalizer) unglueChain(u []unit, sep rune, latin bool) {
	costs := wordCosts()
	piece := func(p [2]int) []byte { return n.glue[p[0]:p[1]] }
	var sum float32
	unknown, function := false, false
	shortest, longest := math.MaxInt, 0 // piece lengths in runes
	for _, p := range n.pieces {
		runes := utf8.RuneCount(piece(p))
		if c, ok := costs[string(piece(p))]; ok {
			sum += c + splitCost
		} else {
			sum += splitCost + unknownCost + unknownRuneCost*float32(runes)
			unknown = true
		}
		if latin {
			function = function || latinGlueWords[string(piece(p))]
		} else {
			function = function || glueWords[string(piece(p))]
		}
		shortest, longest = min(shortest, runes), max(longest, runes)
	}
	letters := longest == 1 && len(n.pieces) >= 3 // "ш-а-м"; "д-р" is an abbreviation
	// seps rewrites the separators: deleted, or one space each.
	seps := func(r rune) {
		for _, s := range n.seps {
			for k := s[0]; k < s[1]; k++ {
				u[k].r = deleted
			}
			u[s[0]].r = r
		}
	}
	// A hyphen stands inside words too ("из-за", "Нур-Султан"), so a join
	// across it needs a piece the lexicon does not know, or single letters;
	// elsewhere (an underscore, an asterisk, a dot, an emoji) the lexicon
	// alone decides. English spells with a hyphen words it also spells
	// whole ("co-ordinated", "re-elect"), so a Latin word cut by hyphens
	// needs three pieces ("mu-ja-hid"), and then the lexicon alone decides:
	// three pieces of one English word are never its spelling.
	hyphen := isHyphen(sep)
	strict := hyphen && !(latin && len(n.pieces) >= 3)
	// An asterisk or a dot cuts a word only between pieces of two letters
	// or more: one letter is a letter masked ("с*ка") or an initial. A dot
	// needs three pieces: "авто.ру" is a site, "гос.услуги" an abbreviation.
	short := (sep == '*' || sep == '.') && shortest < 2 || sep == '.' && len(n.pieces) < 3 ||
		latin && hyphen && len(n.pieces) < 3
	whole := inflectedCost
	if latin {
		whole = englishCost
	}
	if c, ok := whole(n.glue, n.pieces[len(n.pieces)-1][0]); ok && c < sum && !short && (!strict || unknown || letters) && !arabicArticles[string(piece(n.pieces[0]))] {
		seps(deleted)
		return
	}
	// Hyphens and underscores glue a phrase, but single letters are join's,
	// and English glues its own compounds with hyphens ("state-of-the-art",
	// "two-and-a-half-hours"): a Latin phrase is read only after underscores.
	if phrase := sep == '_' || hyphen && !latin; letters || !phrase {
		return
	}
	if len(n.pieces) >= 4 || len(n.pieces) == 3 && function {
		first := piece(n.pieces[0])
		for _, p := range n.pieces[1:] {
			if !bytes.Equal(piece(p), first) { // "бла-бла-бла" stays one word
				seps(' ')
				return
			}
		}
	}
}

// arabicArticles start Arabic names and phrases written with a hyphen
// ("ас-саляму", "аль-Каида"), which stay as written.
var arabicArticles = map[string]bool{"аль": true, "ал": true, "ас": true, "ад": true, "ар": true, "ан": true,
	"аш": true, "ат": true, "аз": true, "уль": true, "ул": true, "эль": true, "эд": true, "ибн": true,
	"al": true, "el": true, "as": true, "ad": true, "ar": true, "an": true, "ash": true, "at": true,
	"az": true, "ul": true, "ibn": true, "bin": true, "abu": true, "umm": true}

// glueWords are the short words a phrase glued with hyphens holds: Russian
// prepositions, conjunctions and particles.
var glueWords = map[string]bool{
	"в": true, "во": true, "к": true, "ко": true, "с": true, "со": true, "у": true, "о": true, "об": true,
	"и": true, "а": true, "на": true, "за": true, "по": true, "до": true, "из": true, "от": true,
	"не": true, "ни": true, "же": true, "ли": true, "бы": true, "для": true, "без": true, "при": true,
}

// latinGlueWords are the short words a phrase glued in Latin letters
// holds: English ones, and the Russian and Kazakh ones typed in Latin
// letters ("pishi_v_lichku").
var latinGlueWords = map[string]bool{
	"the": true, "a": true, "an": true, "to": true, "in": true, "on": true, "of": true, "for": true,
	"and": true, "or": true, "with": true, "at": true, "by": true, "from": true, "is": true, "me": true,
	"us": true, "you": true, "u": true, "not": true, "v": true, "na": true, "k": true, "i": true,
	"ne": true, "za": true, "po": true, "do": true, "s": true, "iz": true, "ot": true, "dlya": true,
	"men": true, "sen": true, "bul": true, "jane": true, "zhane": true,
}

// isGlue reports whether r may cut a word into pieces (unglue).
func isGlue(r rune) bool {
	return isHyphen(r) || r == '_' || r == '*' || r == '.'
}

// isCyrillicLetter reports whether r is a lower-case letter of the
// Cyrillic block (the normalizer has lower-cased the text).
func isCyrillicLetter(r rune) bool {
	return r >= 0x430 && r <= 0x4ff && r != 0x482 && (r < 0x483 || r > 0x489)
}

// oneChar reports whether x came from one character of the original: a
// byte, a rune or an entity (&nbsp;).
func oneChar(original string, x unit) bool {
	c := original[x.s]
	return int(x.e-x.s) == 1 || (c >= utf8.RuneSelf && utf8.RuneCountInString(original[x.s:x.e]) == 1) ||
		(c == '&' && entityEnd(original, int(x.s)) == int(x.e))
}

// lookalike maps Latin letters that look like Cyrillic ones (in either
// case, after lower-casing) to those letters. 'i' is settled per word.
var lookalike = [128]rune{
	'a': 'а', 'b': 'в', 'c': 'с', 'e': 'е', 'h': 'н', 'k': 'к', 'm': 'м',
	'o': 'о', 'p': 'р', 't': 'т', 'x': 'х', 'y': 'у', 'i': 'и',
}

// translit maps Latin letters that look like no Cyrillic letter but stand
// for one in transliteration; they are undone only in words that are
// mostly Cyrillic (теlеgрам). n, r and u are left out: they look like п, г
// and и as much as they spell н, р and у.
var translit = [128]rune{
	'd': 'д', 'f': 'ф', 'g': 'г', 'l': 'л', 's': 'с', 'v': 'в', 'z': 'з',
}

// spelledLetter maps Latin letters to the Cyrillic ones they spell in
// transliteration (dawla, jihad), where lookalike reads them by their look
// (p as р, h as н). unmask reads a word so only when it is begun in
// Cyrillic and holds a Latin letter that looks like no Cyrillic one. u is
// и, as the labelled sets' disguises write it (джuхaд, лuчку), not the у
// it spells.
var spelledLetter = [128]rune{
	'a': 'а', 'b': 'б', 'c': 'с', 'd': 'д', 'e': 'е', 'f': 'ф', 'g': 'г',
	'h': 'х', 'i': 'и', 'j': 'ж', 'k': 'к', 'l': 'л', 'm': 'м', 'n': 'н',
	'o': 'о', 'p': 'п', 'q': 'к', 'r': 'р', 's': 'с', 't': 'т', 'u': 'и',
	'v': 'в', 'w': 'в', 'x': 'х', 'y': 'й', 'z': 'з',
}

// digitLetter maps digits and symbols used as Cyrillic letters. '1' is
// settled per word (і in Kazakh words, и otherwise) and '4' by its
// neighbours (ч, or а between consonants: ш4м, х4лифа).
var digitLetter = [128]rune{
	'0': 'о', '3': 'з', '4': 'ч', '6': 'б', '@': 'а', '$': 'с', '1': 'и',
}

// latinLeet maps digits used as Latin letters (h1jr4h). '@' and '$' stay:
// in Latin text they are e-mail addresses and prices.
var latinLeet = [128]rune{
	'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't',
}

// latinLook maps Cyrillic letters that look like Latin ones to those
// letters, for English words typed with Cyrillic inside (jоin the jіhаd).
func latinLook(r rune) rune {
	switch r {
	case 'а':
		return 'a'
	case 'в':
		return 'b'
	case 'е':
		return 'e'
	case 'к':
		return 'k'
	case 'м':
		return 'm'
	case 'н', 'һ':
		return 'h'
	case 'о':
		return 'o'
	case 'р':
		return 'p'
	case 'с':
		return 'c'
	case 'т':
		return 't'
	case 'у':
		return 'y'
	case 'х':
		return 'x'
	case 'і':
		return 'i'
	case 'ј':
		return 'j'
	case 'ѕ':
		return 's'
	case 'ԁ':
		return 'd'
	case 'ӏ':
		return 'l'
	case 'ԛ':
		return 'q'
	case 'ԝ':
		return 'w'
	}
	return 0
}

// greekLook maps Greek letters that look like Cyrillic ones (lower case)
// to those letters: another way to write "вступай" that a keyword list
// misses.
func greekLook(r rune) rune {
	if r < 0x3b1 || r > 0x3c9 {
		return 0
	}
	switch r {
	case 'α':
		return 'а'
	case 'β':
		return 'в'
	case 'ε':
		return 'е'
	case 'κ':
		return 'к'
	case 'ο':
		return 'о'
	case 'ρ':
		return 'р'
	case 'τ':
		return 'т'
	case 'υ':
		return 'у'
	case 'χ':
		return 'х'
	case 'ι':
		return 'і'
	case 'π':
		return 'п'
	case 'μ':
		return 'м'
	}
	return 0
}

// greekLatin maps the Greek letters greekLook knows to the Latin letters
// they look like, for English words typed with Greek inside (bαyαh).
func greekLatin(r rune) rune {
	switch r {
	case 'α':
		return 'a'
	case 'β':
		return 'b'
	case 'ε':
		return 'e'
	case 'κ':
		return 'k'
	case 'ο':
		return 'o'
	case 'ρ':
		return 'p'
	case 'τ':
		return 't'
	case 'υ', 'μ':
		return 'u'
	case 'χ':
		return 'x'
	case 'ι':
		return 'i'
	case 'π':
		return 'n'
	}
	return 0
}

func isCyrillic(r rune) bool { return r >= 0x400 && r <= 0x4ff }

// foreignLook reports whether r (lower case) is a Cyrillic letter that
// neither Russian nor Kazakh has and that looks like a Latin one: ѕ, ј, ԁ,
// ԛ, ԝ (Macedonian, Serbian and Komi letters). On a Kazakh news site such a
// letter is a disguise of its Latin twin (Jоіn IЅIЅ, Ѕуrіа), never a letter
// of the comment's language, so a word holding one is not read as Cyrillic.
func foreignLook(r rune) bool {
	switch r {
	case 'ѕ', 'ј', 'ԁ', 'ԛ', 'ԝ':
		return true
	}
	return false
}

// isKazakhLetter reports whether r is one of the letters Kazakh adds to
// the Russian alphabet (lower case).
func isKazakhLetter(r rune) bool {
	switch r {
	case 'ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'і':
		return true
	}
	return false
}

// isCyrConsonant reports whether r is a Cyrillic consonant (й included,
// the signs ь and ъ not).
func isCyrConsonant(r rune) bool {
	if !isCyrillic(r) {
		return false
	}
	switch r {
	case 'а', 'е', 'ё', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я', 'і', 'ә', 'ө', 'ұ', 'ү', 'ь', 'ъ':
		return false
	}
	return true
}

// unmask rewrites look-alikes inside words that are otherwise written in
// one script. It reads a word as Cyrillic when it has at least two
// Cyrillic letters and every other rune has a Cyrillic reading (Latin
// look-alikes, digits and symbols used as letters): "вcтyпaй", "ДЖ1ХАД".
// Failing that, it reads a word as English when it has at least two Latin
// letters, no fewer than Cyrillic ones, and every other rune has a Latin
// reading: "jоin", "jіhаd", "h1jr4h". Digits count as letters inside a
// word; at its edges mostly not, so numbers glued to words stay as written
// (see unmaskCyrillic).
func (n *normalizer) unmask() {
	u := n.units
	if n.mixed < 0 || len(u) == 0 {
		return
	}
	// Start at the beginning of the word holding the first mixed unit.
	i := min(n.mixed, len(u)-1)
	for i > 0 && (u[i-1].r == deleted || isWordRune(u[i-1].r)) {
		i--
	}
	for i < len(u) {
		if u[i].r == deleted || !isWordRune(u[i].r) {
			i++
			continue
		}
		// The word is u[i:j], deleted separators included.
		j := i
		var cyr, cyrLook, lat, latLook, latTranslit, latU, latOnly, foreign, greek, digits, cyrDigits, latDigits, other int
		kk := false
		cyrThenLat := false // a Cyrillic letter stands before a Latin one
		first := rune(0)    // the word's first letter or digit
		for ; j < len(u) && (u[j].r == deleted || isWordRune(u[j].r)); j++ {
			r := u[j].r
			if first == 0 && r != deleted {
				first = r
			}
			switch {
			case r == deleted:
			case foreignLook(r):
				// a Latin letter in Cyrillic's code points: counts as Latin
				lat++
				latOnly++
				foreign++
				cyrThenLat = cyrThenLat || cyr > 0
			case isCyrillic(r):
				cyr++
				if latinLook(r) != 0 {
					cyrLook++
				}
				kk = kk || isKazakhLetter(r)
			case 'a' <= r && r <= 'z':
				lat++
				cyrThenLat = cyrThenLat || cyr > 0
				if lookalike[r] != 0 {
					latLook++
				} else if translit[r] != 0 {
					latTranslit++
				} else {
					latOnly++ // j n q r u w: no Cyrillic reading at all
					if r == 'u' {
						latU++
					}
				}
			case greekLook(r) != 0:
				greek++
			case r < 128 && (digitLetter[r] != 0 || latinLeet[r] != 0):
				digits++
				if digitLetter[r] != 0 {
					cyrDigits++
				}
				if latinLeet[r] != 0 {
					latDigits++
				}
			default:
				other++
			}
		}
		switch {
		case other > 0:
		case cyr >= 2 && lat == latLook && cyrDigits == digits && lat+greek+digits > 0,
			// a Cyrillic word with a few Latin letters that look like
			// nothing Cyrillic but stand for one letter: теlеgрам
			cyr >= 4 && cyr > 2*lat && lat == latLook+latTranslit && cyrDigits == digits:
			unmaskCyrillic(u[i:j], cyr+lat+greek+digits, kk, false)
		case cyr >= 2 && latU > 0 && lat == latLook+latU && cyrDigits == digits && greek == 0 && isCyrillic(first) &&
			(cyr > cyrLook || cyrillicNeighbour(u, i, j)):
			// a Cyrillic word with u for и, the rest look-alikes: хuзб,
			// тахрuр, лuчку (italic и is written u; begun in Cyrillic, so
			// no Latin name with a Russian ending: Uberа). A word of
			// look-alikes only is read so beside a Cyrillic word ("Т а х р
			// u р ждет"); among Latin ones it is English: "wait fоr уоu".
			unmaskCyrillic(u[i:j], cyr+lat+digits, kk, false)
		case isCyrillic(first) && latinLook(first) == 0 && lat >= 2 && foreign == 0 && greek == 0 && cyrDigits == digits:
			// a word begun in a Cyrillic letter Latin has no twin of and
			// finished in Latin letters: Шam, Дawla, Жihad. No English
			// word begins so (a Russian ending on a Latin name comes after
			// it: iPhoneа). With a Latin letter that looks like no Cyrillic
			// one the rest is transliteration, and every Latin letter is
			// read as the letter it spells (Дawla: давла, not дawла);
			// otherwise as the letter it looks like (Шam: шам).
			unmaskCyrillic(u[i:j], cyr+lat+digits, kk, lat > latLook)
		case greek > 0 && cyr == 0 && lat >= 2 && latDigits == digits:
			// an English word with Greek look-alikes inside: bαyαh
			unmaskLatin(u[i:j], lat)
		case greek > 0:
			// otherwise Greek look-alikes are undone in Cyrillic words only
		case lat >= 2 && (lat >= cyr || latOnly > 0) && cyr == cyrLook && latDigits == digits && (cyrThenLat || (cyr == 0 && digits > 0) || foreign > 0):
			// Cyrillic only at the end is a Russian case ending on a
			// Latin name (iPhoneа, e-mailу), not a disguise.
			unmaskLatin(u[i:j], lat)
		case lat > 0 && cyr > 0 && cyr == cyrLook && latDigits == digits && latinNeighbours(u, i, j):
			// among Latin words it is a disguise, whatever its share or
			// place: it is freе, іn syria, уоu. A word wholly in
			// look-alikes (тһе) stays: the mixed hint never reaches it.
			unmaskLatin(u[i:j], lat)
		}
		i = j
	}
}

// latinNeighbours says whether the word u[i:j] stands among Latin words:
// of the four words before it and the four after it, none is mostly
// Cyrillic and one at least is Latin only. A Cyrillic look-alike at the end
// of a Latin word is then a disguise (join thе jihad, it is freе), where
// among Russian words it is a case ending (купил iPhoneа, в Microsoft
// Officе).
func latinNeighbours(u []unit, i, j int) bool {
	latin := false
	for _, dir := range [2]int{-1, 1} {
		k := j
		if dir < 0 {
			k = i - 1
		}
		for range 4 {
			var script int
			script, k = wordScript(u, k, dir)
			if script < 0 {
				return false
			}
			latin = latin || script > 0
		}
	}
	return latin
}

// cyrillicNeighbour says whether the word just before u[i:j] or just
// after it has more Cyrillic letters than Latin ones.
func cyrillicNeighbour(u []unit, i, j int) bool {
	before, _ := wordScript(u, i-1, -1)
	after, _ := wordScript(u, j, 1)
	return before < 0 || after < 0
}

// wordScript reads the nearest word from u[k] on in direction dir and
// returns 1 when it is Latin letters only, at least two (not the e of
// e-mailу), or look-alikes with one Russian lacks (тһе); 0 when it mixes
// Latin letters and look-alikes (уоu, iPhoneа), is a number or there is
// none; -1 when it has more Cyrillic letters than Latin; and the index
// past the word.
func wordScript(u []unit, k, dir int) (int, int) {
	for k >= 0 && k < len(u) && u[k].r != deleted && !isWordRune(u[k].r) {
		k += dir
	}
	lat, cyr, look, odd := 0, 0, 0, 0
	for ; k >= 0 && k < len(u) && (u[k].r == deleted || isWordRune(u[k].r)); k += dir {
		switch r := u[k].r; {
		case 'a' <= r && r <= 'z' || foreignLook(r):
			lat++
		case isCyrillic(r):
			cyr++
			if latinLook(r) != 0 {
				look++
			}
			if oddLook(r) {
				odd++
			}
		}
	}
	switch {
	case cyr == 0 && lat >= 2, odd > 0 && look == cyr && lat == 0:
		return 1, k // Latin, or Latin in look-alikes: тһе
	case look == cyr && lat > 0:
		return 0, k // Latin and look-alikes, a disguise or a name with an ending: уоu, iPhoneа
	case cyr > lat:
		return -1, k
	}
	return 0, k // a number, no word
}

// oddLook reports a Cyrillic look-alike of a Latin letter that Russian
// does not have (і, һ, ӏ): a word of look-alikes holding one is English
// typed in disguise (тһе) or Kazakh, never Russian.
func oddLook(r rune) bool { return r == 'і' || r == 'һ' || r == 'ӏ' }

// digitRun returns the bounds [lo, hi] of the run of digits and symbols
// (and deleted units) around w[k].
func digitRun(w []unit, k int, table *[128]rune) (lo, hi int) {
	in := func(r rune) bool {
		return r == deleted || (r >= 0 && r < 128 && table[r] != 0 && !('a' <= r && r <= 'z'))
	}
	lo, hi = k, k
	for lo > 0 && in(w[lo-1].r) {
		lo--
	}
	for hi+1 < len(w) && in(w[hi+1].r) {
		hi++
	}
	return lo, hi
}

// liveAround returns the nearest live runes before and after w[k] (0 at the
// word's edges).
func liveAround(w []unit, k int) (prev, next rune) {
	for p := k - 1; p >= 0; p-- {
		if w[p].r != deleted {
			prev = w[p].r
			break
		}
	}
	for q := k + 1; q < len(w); q++ {
		if w[q].r != deleted {
			next = w[q].r
			break
		}
	}
	return prev, next
}

// unmaskCyrillic rewrites a word of size runes read as Cyrillic. Digits
// and symbols become letters inside the word. At its start a digit does so
// only alone, not '1', before five or more runes (3ащита, but not 1млн,
// 3года); at its end only 0, 1 or 4 alone after a consonant and three or
// more runes (хиджр4, п1ш1, but not ведьмака3, россии1, гта4). '@' and '$'
// only inside (not @handle, $100).
func unmaskCyrillic(w []unit, size int, kk, spelled bool) {
	var edges []edgeDigit
	var alts []altLetter // letters read one way that may be another
	for k := range w {
		r := w[k].r
		if r >= 128 {
			if l := greekLook(r); l != 0 {
				w[k].r = l
			}
			continue
		}
		if r == deleted {
			continue
		}
		letters := &lookalike
		if spelled {
			letters = &spelledLetter
		}
		if l := letters[r]; l != 0 {
			if r == 'i' && kk {
				l = 'і'
			} else if r == 'h' && kk && !spelled {
				alts = append(alts, altLetter{k, 'һ'})
			}
			w[k].r = l
			continue
		}
		if l := translit[r]; l != 0 {
			w[k].r = l
			continue
		}
		if r == 'u' {
			w[k].r = 'и' // as spelledLetter reads it: джuхaд
			continue
		}
		l := digitLetter[r]
		if l == 0 {
			continue
		}
		lo, hi := digitRun(w, k, &digitLetter)
		before, after := lo > 0, hi+1 < len(w)
		alone := lo == hi
		prev, next := liveAround(w, k)
		if r == '1' && kk {
			l = 'і'
		}
		if r == '4' {
			// ч mostly stands after a vowel (пе4ать, л14ку); between
			// consonants, or before one at the word's start or after one
			// at its end, 4 is the Latin-leet a: ш4м, х4лифа, 4лмате, хиджр4.
			nextC := next == 0 || isCyrConsonant(next) || (next < 128 && isCyrConsonant(digitLetter[next]))
			prevC := prev == 0 || isCyrConsonant(prev)
			if prevC && nextC && (prev != 0 || next != 0) {
				l = 'а'
			}
		}
		switch {
		case before && after:
			// inside the word: ДЖ1ХАД, к00рдинатор, с6ер6анк
		case r == '@' || r == '$':
			continue
		case !after:
			if !alone || (r != '0' && r != '1' && r != '4') || !isCyrConsonant(prev) || size-1 < 3 {
				if k == lo && hi-lo < 3 {
					edges = append(edges, edgeDigit{lo, hi})
				}
				continue
			}
		default:
			if !alone || r == '1' || size-1 < 5 {
				if k == lo && hi-lo < 3 {
					edges = append(edges, edgeDigit{lo, hi})
				}
				continue
			}
		}
		w[k].r = l
		if r == '3' {
			alts = append(alts, altLetter{k, 'е'})
		}
	}
	if len(alts) > 0 {
		readAlternatives(w, alts)
	}
	for _, d := range edges {
		readEdgeDigits(w, d, kk)
	}
}

// altLetter is a letter of a word, w[k], read one way that stands for alt
// where the lexicon says so.
type altLetter struct {
	k   int
	alt rune
}

// readAlternatives gives the letters at of a word their second reading
// where the lexicon knows the word only so: a 3 inside a word, first read
// as з (ра3ве), is the mirrored Е of к3р3к (керек) and к3лің1здер
// (келіңіздер); an h in a Kazakh word, first read as the н an upper-case H
// looks like (мемлекетіHің), is the һ a lower-case one looks like (жиhад).
// Up to three letters are tried, every combination; it reports whether
// the lexicon knows the word as it is left (else with the first readings).
func readAlternatives(w []unit, at []altLetter) bool {
	if knownWord(w) {
		return true
	}
	if len(at) > 3 {
		return false
	}
	first := make([]rune, len(at))
	for b, a := range at {
		first[b] = w[a.k].r
	}
	for combo := 1; combo < 1<<len(at); combo++ {
		for b, a := range at {
			w[a.k].r = first[b]
			if combo&(1<<b) != 0 {
				w[a.k].r = a.alt
			}
		}
		if knownWord(w) {
			return true
		}
	}
	for b, a := range at {
		w[a.k].r = first[b]
	}
	return false
}

// knownWord reports whether the word w spells is known (knownAs).
func knownWord(w []unit) bool {
	var b [64]byte
	word := b[:0]
	for _, x := range w {
		if x.r != deleted {
			word = utf8.AppendRune(word, x.r)
		}
	}
	return knownAs(wordCosts(), string(word))
}

// readEdgeDigits reads the digits w[d.lo:d.hi+1] left at a word's edge as
// their letters when the lexicon knows the word so and the rest is no
// numeral's ending: 1ГИЛ, 0тряд, 3десь, 64йат (1человек, 3года, 4ого
// курса, 6ро детей stay). 4 is tried as ч, then as а.
func readEdgeDigits(w []unit, d edgeDigit, kk bool) {
	var rest []byte
	for j, x := range w {
		if (j < d.lo || j > d.hi) && x.r != deleted {
			rest = utf8.AppendRune(rest, x.r)
		}
	}
	if utf8.RuneCount(rest) < 3 || numeralEndings[string(rest)] {
		return
	}
	digits := make([]rune, d.hi-d.lo+1)
	var alts []altLetter
	for j := d.lo; j <= d.hi; j++ {
		r := w[j].r
		digits[j-d.lo] = r
		switch {
		case r == deleted:
		case r == '4':
			w[j].r = 'ч'
			alts = append(alts, altLetter{j, 'а'})
		case r == '1' && kk:
			w[j].r = 'і'
		default:
			w[j].r = digitLetter[r]
		}
	}
	if !readAlternatives(w, alts) {
		for j := d.lo; j <= d.hi; j++ {
			w[j].r = digits[j-d.lo]
		}
	}
}

// numeralEndings are what Russian glues to a number written in digits
// ("4ого курса", "в 90ых").
var numeralEndings = map[string]bool{"ого": true, "ому": true, "ыми": true, "ами": true, "ями": true, "ему": true, "его": true, "тью": true}

// edgeDigit is a run of digits at a word's edge, w[lo:hi+1].
type edgeDigit struct{ lo, hi int }

// unmaskLatin rewrites a word with lat Latin letters read as English:
// Cyrillic look-alikes become Latin letters, and in a word of four or more
// letters a digit alone inside it becomes the letter it stands for in leet
// (h1jr4h → hijrah). Digits at its edges, runs of digits and digits in short
// words stay: mp3, win10, lx450d, h5n1.
func unmaskLatin(w []unit, lat int) {
	for k := range w {
		r := w[k].r
		switch {
		case r == deleted:
		case r >= 128:
			if l := latinLook(r); l != 0 {
				w[k].r = l
			} else if l := greekLatin(r); l != 0 {
				w[k].r = l
			}
		case 'a' <= r && r <= 'z':
		default:
			if lo, hi := digitRun(w, k, &latinLeet); lo > 0 && hi+1 < len(w) && lo == hi && lat >= 4 {
				w[k].r = latinLeet[r]
			}
		}
	}
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

// seg is one piece of the map from a normalized text back to its
// original: the normalized bytes from t up to the next seg's t came from
// the original bytes [s, e). In a linear seg (same length on both sides:
// copied text, case folding of same-size letters) byte t+k came from byte
// s+k; otherwise every byte came from the whole [s, e) (decoded entities,
// NFKC expansions, collapsed white space). Segs are in order of t and of s,
// so the map is monotone. Plain text needs a handful of segs, where a
// per-byte map would take eight bytes for every byte of text.
type seg struct {
	t, s, e int32
	linear  bool
}

// byteRange returns the original range that produced byte i of f.Text
// (0 <= i < len(f.Text), f.segs not nil).
func (f *Field) byteRange(i int) (int, int) {
	// the last seg with t <= i
	lo, hi := 0, len(f.segs)
	for hi-lo > 1 {
		m := int(uint(lo+hi) >> 1)
		if int(f.segs[m].t) <= i {
			lo = m
		} else {
			hi = m
		}
	}
	g := f.segs[lo]
	if g.linear {
		s := int(g.s) + i - int(g.t)
		return s, s + 1
	}
	return int(g.s), int(g.e)
}

// encode writes the live units as UTF-8 and, when withMap is set, the
// map. identity reports that the text is a copy of an original of origLen
// bytes, byte for byte at the same offsets.
func (n *normalizer) encode(origLen int, withMap bool) (text string, segs []seg, identity bool) {
	if len(n.units) == 0 {
		return "", nil, origLen == 0
	}
	// The text is rarely longer than the original (NFKC expansions such as
	// "ﬁ"→"fi"); append grows buf when it is.
	buf := make([]byte, 0, origLen+8)
	if withMap {
		segs = n.segs[:0]
	}
	prevE := int32(0)
	for i, u := range n.units {
		r := u.r
		p := len(buf)
		switch {
		case r < 0:
			continue
		case r < utf8.RuneSelf:
			buf = append(buf, byte(r))
		case r < 0x800:
			buf = append(buf, 0xc0|byte(r>>6), 0x80|byte(r&0x3f))
		default:
			buf = utf8.AppendRune(buf, r)
		}
		if withMap {
			w := len(buf) - p
			// Linear only when the unit has its range to itself: the runes
			// of an NFKC expansion or a decoded entity share theirs.
			lin := u.e-u.s == int32(w) && prevE <= u.s && (i+1 == len(n.units) || n.units[i+1].s >= u.e)
			prevE = u.e
			if k := len(segs) - 1; k < 0 {
				segs = append(segs, seg{int32(p), u.s, u.e, lin})
			} else if g := &segs[k]; lin && g.linear && g.e == u.s && g.e-g.s == int32(p)-g.t {
				g.e = u.e // the linear seg goes on
			} else if !lin && !g.linear && g.s == u.s && g.e == u.e {
				// more bytes from the same original range
			} else {
				segs = append(segs, seg{int32(p), u.s, u.e, lin})
			}
		}
	}
	if len(buf) == 0 {
		return "", nil, origLen == 0
	}
	if withMap {
		n.segs = segs
		segs = append([]seg(nil), segs...) // n.segs is reused
		identity = len(segs) == 1 && segs[0].linear && segs[0].s == 0 && int(segs[0].e) == origLen && len(buf) == origLen
	}
	// buf is never written again: share it with the string.
	return unsafe.String(unsafe.SliceData(buf), len(buf)), segs, identity
}

// NormalizeStage is the first stage: it normalizes the document's title
// and body into Item.Fields and detects the language when the document has
// none.
type NormalizeStage struct{}

var _ Stage = (*NormalizeStage)(nil)

// Name implements Stage.
func (*NormalizeStage) Name() string { return "normalize" }

// Process implements Stage. It fails only when ctx ends (checked between
// fields): EUNAVAILABLE.
func (*NormalizeStage) Process(ctx context.Context, it *Item) error {
	it.Fields = it.Fields[:0]
	for _, f := range []struct{ name, text string }{{vigil.FieldTitle, it.Doc.Title}, {vigil.FieldBody, it.Doc.Body}} {
		if f.text == "" {
			continue
		}
		if err := Interrupted(ctx); err != nil {
			return err
		}
		if f.name == vigil.FieldBody && it.Doc.Kind != vigil.KindComment {
			it.Fields = append(it.Fields, NormalizeArticleBody(f.text))
		} else {
			it.Fields = append(it.Fields, Normalize(f.name, f.text))
		}
	}
	texts := make([]string, len(it.Fields))
	for i := range it.Fields {
		texts[i] = it.Fields[i].Text
	}
	if it.Lang == "" {
		it.Lang = detectLang(texts...)
	} else if d := detectLangIn(checkLangBytes, texts...); d != it.Lang {
		it.Detected = d
	}
	return nil
}
