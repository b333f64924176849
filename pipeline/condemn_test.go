package pipeline

import "testing"

func TestCondemning(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
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
		if got := Condemning(tc.text, Words(tc.text)); got != tc.want {
			t.Errorf("%q: got %v, want %v", tc.text, got, tc.want)
		}
	}
	long := ""
	for range 40 {
		long += "бандиты "
	}
	if Condemning(long, Words(long)) {
		t.Errorf("a field of %d words condemns, want none longer than maxCondemnWords", len(Words(long)))
	}
}
