package pipeline

import "testing"

func TestKazakhStem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"соғыстағы", "соғыс"}, {"мешіттегі", "мешіт"},
		{"әкімдері", "әкім"},
		{"кітабы", "кітап"},
		{"мешітте", "мешіт"},
		{"қызылшаға", "қызылша"},
		{"соғыс", "соғыс"},
		{"война", "война"}, // no Kazakh letter: left alone
		{"әке", "әке"},     // too short to strip
	} {
		if got := KazakhStem(tc.in); got != tc.want {
			t.Errorf("KazakhStem(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
