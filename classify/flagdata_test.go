package classify

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// labeledDoc is one line of testdata/recruitment: the project's document
// schema plus the authoring fields of the labeled set.
type labeledDoc struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Lang     string   `json:"lang"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Tags     []string `json:"tags"`
	Flags    []string `json:"flags"`
	Source   string   `json:"source"`
	Group    string   `json:"group"`
	Disguise []string `json:"disguise"`
	Note     string   `json:"note"`
	Style    string   `json:"style"`  // a blind set's positives: plain, disguised or euphemism; negatives: everyday or hard
	Script   string   `json:"script"` // Kazakh sets: cyrillic, latin (with diacritics) or ascii
	Trick    string   `json:"trick"`  // latin-tricks.jsonl: spaced, apostrophe, digits, mixed or plain
}

// recruitmentSets are the files of testdata/recruitment in the project's
// schema (golden.jsonl, the golden verdicts' input, is checked for copies
// only).
var recruitmentSets = []string{"train.jsonl", "dev.jsonl", "test.jsonl", "probe.jsonl", "extra.jsonl", "extra2.jsonl", "extra3.jsonl", "unseen.jsonl", "unseen2.jsonl", "unseen3.jsonl", "unseen4.jsonl", "unseen5.jsonl", "everyday.jsonl", "everyday2.jsonl", "everyday3.jsonl", "unseen6.jsonl", "unseen7.jsonl", "unseen8.jsonl", "extra4.jsonl", "everyday4.jsonl", "everyday5.jsonl", "everyday6.jsonl", "everyday7.jsonl", "ordinary2.jsonl", "ordinary3.jsonl", "ordinary-reactions.jsonl", "ordinary-religious.jsonl", "ordinary-invitations.jsonl", "translit.jsonl", "translit2.jsonl", "kazakh-latin.jsonl", "kazakh-latin2.jsonl", "glued.jsonl", "stretched.jsonl", "kazakh-blind.jsonl", "kazakh-ascii.jsonl", "kazakh-blind2.jsonl", "extra5.jsonl", "everyday8.jsonl", "latin-tricks.jsonl", "war-comments.jsonl", "articles-blind2.jsonl", "unseen9.jsonl", "everyday9.jsonl", "unseen10.jsonl", "latin-glue.jsonl", "history-blind.jsonl", "words-blind.jsonl", "nouns-train.jsonl", "hospitality-blind.jsonl", "ban-train.jsonl", "ban-blind.jsonl", "everyday10.jsonl", "unseen11.jsonl", "recblind12.jsonl", "everyday11.jsonl", "kk-train.jsonl", "kk-blind.jsonl", "named-blind.jsonl", "named-train.jsonl", "hosting-blind2.jsonl", "everyday12.jsonl", "latin-blind3.jsonl", "named-blind2.jsonl", "everyday13.jsonl", "named-blind3.jsonl", "humour-blind.jsonl", "everyday-train14.jsonl", "everyday14.jsonl", "recblind4.jsonl", "named-blind4.jsonl", "named-blind5.jsonl", "short-train15.jsonl", "under-news.jsonl", "fund-blind.jsonl", "money-everyday.jsonl", "family-blind.jsonl", "naming-blind.jsonl", "naming-blind2.jsonl"}

func (d labeledDoc) positive() bool {
	return len(d.Flags) == 1 && d.Flags[0] == "extremist_recruitment"
}

func readLabeled(tb testing.TB, name string) []labeledDoc {
	tb.Helper()
	return readLabeledIn(tb, "recruitment", name)
}

// readLabeledIn reads testdata/DIR/NAME, refusing unknown fields.
func readLabeledIn(tb testing.TB, dir, name string) []labeledDoc {
	tb.Helper()
	path := filepath.Join("..", "testdata", dir, name)
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var docs []labeledDoc
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		var d labeledDoc
		if err := dec.Decode(&d); err != nil {
			tb.Fatalf("%s:%d: %v", path, line, err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return docs
}

// TestRecruitmentSetSchema checks every record of the labeled set against
// the project's document schema.
func TestRecruitmentSetSchema(t *testing.T) {
	seen := map[string]string{}
	for _, split := range recruitmentSets {
		for _, d := range readLabeled(t, split) {
			where := split + " " + d.ID
			if d.ID == "" || seen[d.ID] != "" {
				t.Errorf("%s: empty or duplicate id (also in %s)", where, seen[d.ID])
			}
			seen[d.ID] = split
			if d.Kind != "comment" && d.Kind != "article" {
				t.Errorf("%s: kind %q", where, d.Kind)
			}
			if d.Lang != "ru" && d.Lang != "kk" && d.Lang != "en" {
				t.Errorf("%s: lang %q", where, d.Lang)
			}
			if strings.TrimSpace(d.Body) == "" {
				t.Errorf("%s: empty body", where)
			}
			if d.Flags == nil || len(d.Flags) > 1 || (len(d.Flags) == 1 && !d.positive()) {
				t.Errorf("%s: flags %q: want [] or [extremist_recruitment]", where, d.Flags)
			}
			if d.Tags == nil || d.Source == "" || d.Group == "" {
				t.Errorf("%s: tags, source and group are required", where)
			}
		}
	}
}

// TestRecruitmentSetBalance checks the counts the flag is measured on: at
// least 150 positives and 150 hard negatives, split about evenly between
// dev and test, stratified by language and category.
func TestRecruitmentSetBalance(t *testing.T) {
	type key struct {
		pos         bool
		lang, group string
	}
	count := map[string]map[key]int{}
	total := map[bool]int{}
	for _, split := range []string{"dev.jsonl", "test.jsonl"} {
		count[split] = map[key]int{}
		for _, d := range readLabeled(t, split) {
			p := d.positive()
			total[p]++
			count[split][key{pos: p, lang: d.Lang}]++
			count[split][key{pos: p, group: d.Group}]++
			count[split][key{pos: p}]++
		}
	}
	if total[true] < 150 || total[false] < 150 {
		t.Errorf("positives %d, negatives %d: want at least 150 of each", total[true], total[false])
	}
	keys := map[key]bool{}
	for _, m := range count {
		for k := range m {
			keys[k] = true
		}
	}
	for k := range keys {
		dev, test := count["dev.jsonl"][k], count["test.jsonl"][k]
		// Each stratum is split in half; an odd stratum leaves one over,
		// and the language and label totals add up a few such remainders.
		slack := 1
		if k.group == "" {
			slack = max(3, int(math.Ceil(0.1*float64(dev+test))))
		}
		if d := dev - test; d > slack || -d > slack {
			t.Errorf("%+v: dev %d, test %d: not stratified", k, dev, test)
		}
	}
	for _, lang := range []string{"ru", "kk", "en"} {
		for _, p := range []bool{true, false} {
			for _, split := range []string{"dev.jsonl", "test.jsonl"} {
				if n := count[split][key{pos: p, lang: lang}]; n < 10 {
					t.Errorf("%s: %d docs with lang %s, positive %v: want at least 10", split, n, lang, p)
				}
			}
		}
	}
}

// TestRecruitmentSetNoNearDuplicates checks that no two texts of the set
// (across all splits) are near-identical, after undoing the disguises the
// set itself uses, so that a disguised copy of another item is caught too.
// Texts of one or two words ("брат", "пиши мне") are exempt: everyday
// reactions that short recur in any sample of real comments.
func TestRecruitmentSetNoNearDuplicates(t *testing.T) {
	var docs []labeledDoc
	for _, split := range append(slices.Clone(recruitmentSets), "golden.jsonl") {
		docs = append(docs, readLabeled(t, split)...)
	}
	sh := make([]map[string]bool, len(docs))
	for i, d := range docs {
		sh[i] = shingles(foldForDedup(d.Title+" "+d.Body), 2)
	}
	worst := 0.0
	for i := range docs {
		if len(strings.Fields(foldForDedup(docs[i].Title+" "+docs[i].Body))) <= 2 {
			continue
		}
		for j := i + 1; j < len(docs); j++ {
			s := jaccard(sh[i], sh[j])
			worst = max(worst, s)
			if s >= 0.6 {
				t.Errorf("%s and %s are near-identical: word-shingle Jaccard %.2f", docs[i].ID, docs[j].ID, s)
			}
		}
	}
	t.Logf("highest pairwise Jaccard: %.2f", worst)
}

func TestFoldForDedup(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"вcтyпaй в ДЖ1ХАД", "вступай в джихад"},
		{"брат в с т у п а й сейчас", "брат вступай сейчас"},
		{"и.г.и.л ждёт, кое-как", "игил ждет кое как"},
		{"х_и_д_ж_р_а в ш-а-м", "хиджра в шам"},
		{"дж\u200bи\u200cх\u200dад", "джихад"},
		{"h1jr4h to 5h4m", "hijrah to sham"},
		{"jоin the jіhаd", "join the jihad"},
	} {
		if got := foldForDedup(tc.in); got != tc.want {
			t.Errorf("foldForDedup(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A disguised copy of a text must count as its near-duplicate.
	plain := "Братья, совершайте хиджру в Шам, дорогу покажем, пишите в личку"
	copied := "Б р а т ь я, совершайте x​иджpу в Ш4М, дорогу покажем, пишите в л.и.ч.к.у"
	if s := jaccard(shingles(foldForDedup(plain), 2), shingles(foldForDedup(copied), 2)); s < 0.6 {
		t.Errorf("disguised copy: Jaccard %.2f, want >= 0.6", s)
	}
}

var (
	// spacedRuns match single letters joined by one kind of separator,
	// each run between non-letters: "в с т у п а й", "и.г.и.л", "ш-а-м".
	spacedRuns = []*regexp.Regexp{
		regexp.MustCompile(`(?:^|[^\pL._\-])(\pL(?:_\pL)+|\pL(?:\.\pL)+|\pL(?:-\pL)+)(?:$|[^\pL._\-])`),
		regexp.MustCompile(`(?:^|[\s,;:!?"«»()])(\pL(?: \pL){2,})(?:$|[\s,;:!?"«»()])`),
	}
	wordRE          = regexp.MustCompile(`[\pL\pN]+`)
	dedupToCyrillic = strings.NewReplacer("a", "а", "e", "е", "o", "о", "p", "р", "c", "с", "y", "у", "x", "х", "k", "к",
		"m", "м", "t", "т", "b", "в", "h", "н", "i", "і", "4", "а", "0", "о", "3", "з", "1", "и", "6", "б")
	dedupToLatin = strings.NewReplacer("а", "a", "е", "e", "о", "o", "р", "p", "с", "c", "у", "y", "х", "x", "к", "k",
		"м", "m", "т", "t", "і", "i", "4", "a", "0", "o", "3", "e", "1", "i", "5", "s")
)

// foldForDedup is a crude reading of the disguises in the labeled set:
// lower case, ё→е, zero-width characters dropped, spaced or dotted letters
// joined, Latin look-alikes and digits read in the script of their word.
// It serves only the near-duplicate check; the pipeline has its own
// normalizer.
func foldForDedup(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		if r == 'ё' || r == 'Ё' {
			return 'е'
		}
		return unicode.ToLower(r)
	}, s)
	for _, re := range spacedRuns {
		var b strings.Builder
		last := 0
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			b.WriteString(s[last:m[2]])
			b.WriteString(strings.Map(func(r rune) rune {
				if unicode.IsLetter(r) {
					return r
				}
				return -1
			}, s[m[2]:m[3]]))
			last = m[3]
		}
		s = b.String() + s[last:]
	}
	words := wordRE.FindAllString(s, -1)
	for i, w := range words {
		cyr, lat := 0, 0
		for _, r := range w {
			switch {
			case unicode.Is(unicode.Cyrillic, r):
				cyr++
			case r < unicode.MaxASCII && unicode.IsLetter(r):
				lat++
			}
		}
		if cyr >= lat && cyr > 0 {
			words[i] = strings.ReplaceAll(dedupToCyrillic.Replace(w), "і", "и")
		} else if lat > 0 {
			words[i] = dedupToLatin.Replace(w)
		}
	}
	return strings.Join(words, " ")
}

func shingles(s string, n int) map[string]bool {
	w := strings.Fields(s)
	out := map[string]bool{}
	if len(w) < n {
		out[strings.Join(w, " ")] = true
		return out
	}
	for i := 0; i+n <= len(w); i++ {
		out[strings.Join(w[i:i+n], " ")] = true
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
