package pipeline

import (
	"strings"
	"testing"
)

func TestFlagThresholdsOverride(t *testing.T) {
	shipped := FlagThresholds{"f": {Default: 0.8, ByKind: map[string]float64{"comment": 0.5, "article": 0.9}}}
	got := shipped.Override(FlagThresholds{
		"f":   {ByKind: map[string]float64{"comment": 0.6}, BySection: map[string]float64{"religion": 0.95}},
		"new": {BySection: map[string]float64{"sport": 0.7}},
	})
	for _, tc := range []struct {
		flag, kind, section string
		want                float64
	}{
		{"f", "comment", "", 0.6},          // overridden
		{"f", "article", "", 0.9},          // kept
		{"f", "comment", "religion", 0.95}, // section wins
		{"f", "", "", 0.8},                 // default kept
		{"new", "comment", "sport", 0.7},
		{"new", "comment", "", DefaultFlagThreshold},
		{"other", "comment", "", DefaultFlagThreshold},
	} {
		if v := got.For(tc.flag, tc.kind, tc.section); v != tc.want {
			t.Errorf("For(%s, %s, %s) = %v, want %v", tc.flag, tc.kind, tc.section, v, tc.want)
		}
	}
	if shipped["f"].ByKind["comment"] != 0.5 || len(shipped) != 1 {
		t.Errorf("Override modified its receiver: %+v", shipped)
	}
}

func TestFlagThresholdsValidate(t *testing.T) {
	if err := (FlagThresholds{"f": {Default: 0.5, ByKind: map[string]float64{"comment": 1}}}).Validate(); err != nil {
		t.Errorf("valid thresholds: %v", err)
	}
	for _, bad := range []FlagThresholds{
		{"f": {Default: 1.2}},
		{"f": {ByKind: map[string]float64{"comment": -0.1}}},
		{"f": {BySection: map[string]float64{"news": 0}}},
	} {
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "threshold f") {
			t.Errorf("%+v: error %v, want one naming the flag", bad, err)
		}
	}
}
