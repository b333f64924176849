package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestShort(t *testing.T) {
	rev := "0123456789abcdef0123"
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want Info
		sh   string
	}{
		{"none recorded", nil, false, Info{}, "devel"},
		{"module version", &debug.BuildInfo{GoVersion: "go1.25", Main: debug.Module{Version: "v1.2.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}}},
			true, Info{Version: "v1.2.0", Revision: rev, GoVersion: "go1.25"}, "v1.2.0"},
		{"devel build of a clean tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}},
			true, Info{Version: "(devel)", Revision: rev}, "0123456789ab"},
		{"modified tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			true, Info{Version: "(devel)", Revision: "abc", Modified: true}, "abc-dirty"},
		{"no revision", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, Info{Version: "(devel)"}, "devel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := From(tc.bi, tc.ok)
			if got != tc.want {
				t.Errorf("From = %+v; want %+v", got, tc.want)
			}
			if s := got.Short(); s != tc.sh {
				t.Errorf("Short = %q; want %q", s, tc.sh)
			}
		})
	}
}
