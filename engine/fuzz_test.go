package engine

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

// fuzzEngine is the embedded engine, loaded once for every fuzz input
// (loaded per input, with the fuzzer's instrumentation, it runs a handful
// of inputs a second).
var fuzzEngine = sync.OnceValues(func() (*Engine, error) {
	return New(context.Background(), Options{Workers: 1})
})

// FuzzCheck runs the whole pipeline, every head and rule pack, on
// arbitrary titles and bodies, and checks what a CMS relies on: the
// verdict is for the document it was given, its action agrees with its
// flags, every score is a probability, and every evidence span lies inside
// its field, on a character boundary, with its text and its UTF-16 offsets
// read from that field's original bytes.
func FuzzCheck(f *testing.F) {
	for _, s := range [][2]string{
		{"", "вcтyпaй в ДЖ1ХАД, пиши в личку"},
		{"<p>Заседание &laquo;РАТС ШОС&raquo;</p>", "Аким Алматы провел встречу"},
		{"ҰҚК террористік актінің алдын алды", "Теңге бағамы нығайды"},
		{"Man jailed for recruiting for ISIS online", "j o i n  u s, b r o t h e r"},
		{"\xff\xfe", "a\u200bb\u0301c 𝔸𝔹 ﬁ"},
		{"", "bratya, vstupaite v IGIL, pishite v lichku t.me/x 4to"},
		{"Qazaqstan", "bauyrlar, jihadqa qosylyńdar, Shamǵa barý kerek, jeke habarlamaǵa jazyńdar"},
		{"", ""},
	} {
		f.Add(s[0], s[1], false, uint8(0))
		f.Add(s[0], s[1], true, uint8(0))
		f.Add(s[0], s[1], true, uint8(1)) // declared ru, whatever the text is
	}
	// lang picks the declared language (none, ru, kk, en): a wrong one has
	// the rules read the text in two languages (pipeline.Item.Detected).
	langs := []string{"", vigil.LangRussian, vigil.LangKazakh, vigil.LangEnglish}
	f.Fuzz(func(t *testing.T, title, body string, comment bool, lang uint8) {
		e, err := fuzzEngine()
		if err != nil {
			t.Fatal(err)
		}
		doc := vigil.Document{ID: "fuzz", Title: title, Body: body, Kind: vigil.KindArticle, Lang: langs[int(lang)%len(langs)]}
		if comment {
			doc.Kind = vigil.KindComment
		}
		v := e.Check(context.Background(), &doc)
		if v.ID != doc.ID {
			t.Fatalf("verdict for %q, want %q", v.ID, doc.ID)
		}
		switch v.Action {
		case vigil.ActionAllow:
			if len(v.Flags) > 0 {
				t.Fatalf("allowed with flags %+v", v.Flags)
			}
		case vigil.ActionReview, vigil.ActionReject:
			if len(v.Flags) == 0 && v.Error == nil {
				t.Fatalf("%s without a flag", v.Action)
			}
		default:
			t.Fatalf("action %q", v.Action)
		}
		fields := map[string]string{vigil.FieldTitle: title, vigil.FieldBody: body}
		check := func(what, name string, score float64, ev []vigil.Evidence) {
			if math.IsNaN(score) || score < 0 || score > 1 {
				t.Fatalf("%s %s: score %v", what, name, score)
			}
			for _, x := range ev {
				if x.Field == "" {
					continue
				}
				orig, ok := fields[x.Field]
				if !ok {
					t.Fatalf("%s %s: evidence in field %q", what, name, x.Field)
				}
				if x.Start < 0 || x.Start > x.End || x.End > len(orig) {
					t.Fatalf("%s %s: span [%d, %d) outside a field of %d bytes", what, name, x.Start, x.End, len(orig))
				}
				if x.Text != "" && x.Text != orig[x.Start:x.End] {
					t.Fatalf("%s %s: text %q, the field has %q there", what, name, x.Text, orig[x.Start:x.End])
				}
				if utf8.ValidString(orig) {
					if !boundary(orig, x.Start) || !boundary(orig, x.End) {
						t.Fatalf("%s %s: span [%d, %d) cuts a character", what, name, x.Start, x.End)
					}
					if u := units(orig[:x.Start]); x.StartUTF16 != u {
						t.Fatalf("%s %s: start_utf16 %d, want %d", what, name, x.StartUTF16, u)
					}
					if u := units(orig[:x.End]); x.EndUTF16 != u {
						t.Fatalf("%s %s: end_utf16 %d, want %d", what, name, x.EndUTF16, u)
					}
				}
			}
		}
		for _, tg := range v.Tags {
			check("tag", tg.Name, tg.Score, tg.Evidence)
		}
		for _, fl := range slices.Concat(v.Flags, v.Scores) {
			check("flag", fl.Name, fl.Score, fl.Evidence)
		}
	})
}

func boundary(s string, i int) bool { return i == len(s) || utf8.RuneStart(s[i]) }

func units(s string) int { return len(utf16.Encode([]rune(s))) }

// TestFuzzCheckSeesEvidence: FuzzCheck's span checks have something to
// check on ordinary input (a rule's span in the body, the flag's spans in
// a disguised call).
func TestFuzzCheckSeesEvidence(t *testing.T) {
	e, err := fuzzEngine()
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"Аким Алматы провел встречу с жителями", "Братья, вcтyпaйте в ДЖ1ХАД, пишите в личку"} {
		v := e.Check(context.Background(), &vigil.Document{ID: "x", Kind: vigil.KindComment, Body: body})
		n := 0
		for _, tg := range v.Tags {
			n += len(tg.Evidence)
		}
		for _, fl := range v.Flags {
			n += len(fl.Evidence)
		}
		if n == 0 {
			t.Errorf("%q: no evidence in %+v", body, v)
		}
	}
}
