package pipeline

import (
	"context"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// TestNormalizeArticleBodyRelated: the lines of an article's body that send
// the reader to other articles are left out, in HTML and in plain text, in
// the three languages, with the headlines listed under a marker standing
// alone; a sentence that only starts like a marker stays, and what stays
// still maps back to the original.
func TestNormalizeArticleBodyRelated(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // the normalized text
		dropped  bool   // whether lines were left out (Normalize reads more)
	}{
		{"html inline", `<p>Аким провел прием граждан.</p><p><strong>Читайте также:</strong> <a href="/a">В Алматы задержали наркокурьера</a></p><p>Вопросы касались отопления.</p>`,
			"аким провел прием граждан.\nвопросы касались отопления.", true},
		{"plain line", "Аким провел прием граждан.\nЧитайте также: В Алматы задержали наркокурьера\nВопросы касались отопления.",
			"аким провел прием граждан.\nвопросы касались отопления.", true},
		{"bullet and quotes", "Первый абзац.\n► «Читайте также» — Сборная проиграла Грузии\nВторой абзац.",
			"первый абзац.\nвторой абзац.", true},
		{"marker alone, a list", "<p>Первый абзац.</p><p>Читайте по теме:</p><ul><li><a>Сборная проиграла Грузии</a></li><li><a>Курс тенге укрепился</a></li></ul><p>Второй абзац о главном.</p>",
			"первый абзац.\nвторой абзац о главном.", true},
		{"kazakh", "<p>Әкім тұрғындармен кездесті.</p><p>Сондай-ақ оқыңыз: Алматыда есірткі тасымалдаушы ұсталды</p><p>Жылу мәселесі көтерілді.</p>",
			"әкім тұрғындармен кездесті.\nжылу мәселесі көтерілді.", true},
		{"english", "<p>The akim met residents.</p><p>Read also: Drug courier detained in Almaty</p><p>Heating was discussed.</p>",
			"the akim met residents.\nheating was discussed.", true},
		{"a sentence, not a marker", "По теме санкций высказался министр.\nRelated to this, prices rose.",
			"по теме санкций высказался министр.\nrelated to this, prices rose.", false},
		{"a link, then a subheading", "<p>Первый абзац.</p><p>Читайте также: <a>Курс тенге укрепился</a></p><h2>Что дальше</h2><p>Второй абзац.</p>",
			"первый абзац.\nчто дальше\nвторой абзац.", true},
		{"a word that starts like one", "Читайтеся также странно.", "читайтеся также странно.", false},
		{"marker alone, then a paragraph", "Читайте также:\nВ регионе прошли учения спасателей. Они длились два дня.",
			"в регионе прошли учения спасателей. они длились два дня.", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NormalizeArticleBody(tc.in)
			if strings.TrimSpace(f.Text) != tc.want {
				t.Fatalf("got %q, want %q", f.Text, tc.want)
			}
			checkMap(t, f)
			last := strings.LastIndex(f.Text, " ")
			s, e := f.Span(last+1, len(f.Text))
			if got := strings.ToLower(tc.in[s:e]); !strings.Contains(got, f.Text[last+1:len(f.Text)-1]) {
				t.Fatalf("the last word maps to %q", tc.in[s:e])
			}
			if plain := Normalize(vigil.FieldBody, tc.in); (plain.Text != f.Text) != tc.dropped {
				t.Fatalf("Normalize reads %q, an article's body %q: want lines left out %v", plain.Text, f.Text, tc.dropped)
			}
		})
	}
}

// TestNormalizeStageRelated: the stage drops the links of an article's body
// only: a comment, or a title, is read whole.
func TestNormalizeStageRelated(t *testing.T) {
	body := "Аким провел прием граждан.\nЧитайте также: В Алматы задержали наркокурьера"
	for _, tc := range []struct {
		kind string
		drop bool
	}{{vigil.KindArticle, true}, {"", true}, {vigil.KindComment, false}} {
		it := &Item{Doc: &vigil.Document{ID: "x", Kind: tc.kind, Title: "Читайте также: заголовок", Body: body}}
		if err := (&NormalizeStage{}).Process(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(it.Fields[1].Text, "наркокурьера"); got == tc.drop {
			t.Errorf("kind %q: body %q, want the link dropped %v", tc.kind, it.Fields[1].Text, tc.drop)
		}
		if !strings.Contains(it.Fields[0].Text, "заголовок") {
			t.Errorf("kind %q: the title lost its words: %q", tc.kind, it.Fields[0].Text)
		}
	}
}
