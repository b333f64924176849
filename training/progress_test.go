package training

import (
	"strings"
	"testing"
)

func TestParseMinPrecision(t *testing.T) {
	got, err := ParseMinPrecision("toxic=0.9,security=0.85")
	if err != nil || len(got) != 2 || got["toxic"] != 0.9 || got["security"] != 0.85 {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"toxic", "=0.9", "toxic=1.5", "toxic=0", "toxic=x"} {
		if _, err := ParseMinPrecision(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if got, err := ParseMinPrecision(""); got != nil || err != nil {
		t.Errorf("empty: %v, %v", got, err)
	}
}

func TestLineProgress(t *testing.T) {
	var b strings.Builder
	p := NewProgress(&b, false, "vigil train: ")
	p.Start("classifier", 2)
	p.Epoch("classifier", 1, 2, 0.5)
	p.Finish("classifier")
	if want := "vigil train: classifier: epoch 1 of 2, loss 0.5000\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
