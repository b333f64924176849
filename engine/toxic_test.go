package engine

import (
	"context"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
)

// TestToxicUnknownWords: a comment of words the toxic head never saw in
// training (random letters, keyboard mashing, floods, numbers, links) is no
// evidence of abuse and stays under the head's threshold; real insults in
// every language the head reads still pass it.
func TestToxicUnknownWords(t *testing.T) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, body string
		toxic      bool
	}{
		{"latin pair", "xqzv wpty", false},
		{"latin words", "kdjfhq wprtzn vbqxo mzlkrt qwpz", false},
		{"latin flood words", strings.Repeat(strings.Repeat("qzkvwjx", 500)+" ", 16), false},
		{"cyrillic words", "щзйцх ъпфыв жэюбщ кйцъщ", false},
		{"cyrillic flood words", strings.Repeat(strings.Repeat("щзйцхъ", 300)+" ", 16), false},
		{"keyboard mashing", "asdfgh jkl", false},
		{"keyboard mashing ru", "фывапр олдж йцукен", false},
		{"flood letter", strings.Repeat("a", 5000), false},
		{"flood cyrillic", strings.Repeat("а", 50), false},
		{"flood laughter", strings.Repeat("ха", 3000), false},
		{"flood punctuation", strings.Repeat("!", 40), false},
		{"url", "https://example.com/news/2024/05/article?id=123", false},
		{"url bare", "www.tengrinews.kz/kazakhstan_news/abc-123", false},
		{"short links", "http://bit.ly/3xYz9Q https://t.me/joinchat/AbCdEf", false},
		{"short links 2", "https://t.me/joinchat/QwErTy12 http://vk.cc/abXY9", false},
		{"numbers", "123 456 7890", false},
		{"decimals", "3.14159 2.71828 1.41421", false},
		{"phone", "+7 701 123 45 67", false},
		{"insult ru", "Ты тупой идиот, заткнись уже", true},
		{"insult ru 2", "автор дебил и мразь", true},
		{"insult kk", "сен ақымақсың, аузыңды жап", true},
		{"insult kk 2", "оңбаған ит, жоғал", true},
		{"insult en", "you are a stupid idiot, shut up", true},
		{"insult en 2", "what a moron, go to hell you piece of shit", true},
	} {
		v := e.Check(context.Background(), &vigil.Document{ID: c.name, Kind: vigil.KindComment, Body: c.body})
		got := false
		for _, s := range v.Scores {
			if s.Name == vigil.FlagToxic {
				got = true
			}
		}
		if got != c.toxic {
			t.Errorf("%s (%s): toxic %v, want %v (scores %+v)", c.name, v.Lang, got, c.toxic, v.Scores)
		}
	}
}
