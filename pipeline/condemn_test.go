package pipeline

import "testing"

func TestCondemningSentences(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool // the whole field is returned
	}{
		{"игил это банда убийц, а не ислам", true},
		{"даиш қанішерлер, олар мұсылман емес.", true},
		{"isis are thugs with a flag, nothing more.", true},
		{"какой ещё халифат в 2026 году? ребята, это секта, которая торгует вашей кровью", true},
		{"мы не террористы, мы защитники уммы", false},                     // negated
		{"шейіт емес, қанішер дейсіңдер. біздің бауырлар шейіттер", false}, // attributed to the critics
		{"they call us terrorists because they fear the ummah", false},     // attributed
		{"игил это банда убийц, но кто хочет к ним — пиши в лс", false},    // a call
		{"ҰҚК жарайсың! даиш жақтастарын уақытында ұстады", false},         // names, condemns nothing
		{"", false},
	} {
		words := Words(tc.text)
		got := CondemningSentences(tc.text, words, Sentences(tc.text))
		if (got != nil) != tc.want {
			t.Errorf("%q: got %v, want whole field %v", tc.text, got, tc.want)
		}
		if got != nil && (got[0].Start != 0 || got[0].End != len(tc.text)) {
			t.Errorf("%q: got %v, want the whole field", tc.text, got)
		}
	}
	long := ""
	for range 40 {
		long += "бандиты "
	}
	if got := CondemningSentences(long, Words(long), Sentences(long)); got != nil {
		t.Errorf("a field of %d words: got %v, want nil (longer than maxCondemnWords)", len(Words(long)), got)
	}
}
