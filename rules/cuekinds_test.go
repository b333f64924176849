package rules

import (
	"reflect"
	"testing"
)

func TestParseCueKinds(t *testing.T) {
	tests := []struct {
		name, list string
		want       []string
		err        bool
	}{
		{"empty is none", "", nil, false},
		{"one", "call", []string{"call"}, false},
		{"all", "call,cause", []string{"call", "cause"}, false},
		{"unknown", "call,vote", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCueKinds(tc.list)
			if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseCueKinds(%q) = %v, %v; want %v, error %v", tc.list, got, err, tc.want, tc.err)
			}
		})
	}
}
