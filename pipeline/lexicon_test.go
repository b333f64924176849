package pipeline

import (
	"bytes"
	"compress/gzip"
	"slices"
	"strings"
	"testing"
)

func TestEmbeddedLexicon(t *testing.T) {
	words, err := ReadLexicon(bytes.NewReader(lexiconGz))
	if err != nil {
		t.Fatal(err)
	}
	if len(words) < 10000 {
		t.Fatalf("embedded lexicon has %d words", len(words))
	}
	for i := 1; i < len(words); i++ {
		if words[i].Count > words[i-1].Count {
			t.Fatalf("line %d: %q (%d) after %q (%d): not by count", i+2, words[i].Word, words[i].Count, words[i-1].Word, words[i-1].Count)
		}
	}
	costs := wordCosts()
	// the everyday words of all three languages and the rules' vocabulary
	for _, w := range []string{"в", "и", "the", "және", "джихад", "игил", "хиджра"} {
		if _, ok := costs[w]; !ok {
			t.Errorf("%q is not in the lexicon", w)
		}
	}
	if costs["в"] >= costs["джихад"] {
		t.Errorf("cost(в) = %.1f, not below cost(джихад) = %.1f", costs["в"], costs["джихад"])
	}
}

func TestBuildLexicon(t *testing.T) {
	texts := func(yield func(string) bool) {
		for _, s := range []string{"Ёлка и ёж, и ЁЖ.", "ёж и кот", "кот"} {
			if !yield(s) {
				return
			}
		}
	}
	got := BuildLexicon(texts, []string{"Игил", "кот"}, 2, 10, 0)
	want := []LexiconWord{{"еж", 3}, {"и", 3}, {"игил", 3}, {"кот", 3}} // "ёлка" once: dropped; "кот" boosted
	if !slices.Equal(got, want) {
		t.Errorf("BuildLexicon = %v, want %v", got, want)
	}
	var buf bytes.Buffer
	if err := WriteLexicon(&buf, got); err != nil {
		t.Fatal(err)
	}
	back, err := ReadLexicon(&buf)
	if err != nil || !slices.Equal(back, got) {
		t.Errorf("ReadLexicon(WriteLexicon(x)) = %v, %v; want %v", back, err, got)
	}
}

func TestReadLexiconErrors(t *testing.T) {
	gz := func(s string) *bytes.Buffer {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return &b
	}
	for name, in := range map[string]*bytes.Buffer{
		"not gzip":   bytes.NewBufferString("# vigil lexicon v1\n"),
		"no header":  gz("в\t10\n"),
		"no count":   gz(lexiconHeader + "\nв\n"),
		"bad count":  gz(lexiconHeader + "\nв\tмного\n"),
		"empty word": gz(lexiconHeader + "\n\t3\n"),
	} {
		if _, err := ReadLexicon(in); err == nil {
			t.Errorf("%s: no error", name)
		} else if name != "not gzip" && name != "no header" && !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%s: error %q does not name line 2", name, err)
		}
	}
}

func TestSegment(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		translit bool
	}{
		{"вступайкнам", "вступай к нам", true},
		{"джихад", "джихад", true},
		{"хиджравшам", "хиджра в шам", true},
		{"joinus", "join us", true},
		{"ж", "ж", true},
		{"qzxw", "qzxw", true}, // nothing known: one word
		{"vstupaitevdzhamaat", "vstupaite v dzhamaat", true},
		{"vstupaitevdzhamaat", "vstupaitevdzhama at", false}, // English alone
		{"igil", "igil", true},
		{"omg", "omg", true},
		{"daesh", "daesh", true},       // not "da esh": too short to read as translit
		{"shahadah", "shahadah", true}, // not "shahada h": h is no word
	} {
		r := []rune(tc.in)
		var b strings.Builder
		breaks := segment(r, tc.translit)
		for k, c := range r {
			b.WriteRune(c)
			if breaks != nil && breaks[k] && k+1 < len(r) {
				b.WriteByte(' ')
			}
		}
		if b.String() != tc.want {
			t.Errorf("segment(%q) = %q, want %q", tc.in, b.String(), tc.want)
		}
	}
}
