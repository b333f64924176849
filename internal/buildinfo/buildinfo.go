// Package buildinfo reads what the Go toolchain recorded in the binary: its
// module version, the VCS revision it was built from, the Go version. The
// version command prints it in full; the service names itself by Short.
package buildinfo

import "runtime/debug"

// Info is the binary's build information. Its zero value is a binary that
// recorded none.
type Info struct {
	Version   string // module version, e.g. "v1.2.0" or "(devel)"; "" when unknown
	Revision  string // VCS revision; "" when unknown
	Modified  bool   // the working tree had uncommitted changes
	GoVersion string // "" when unknown
}

// Read returns the running binary's build information.
func Read() Info { return From(debug.ReadBuildInfo()) }

// From returns the build information bi holds; ok false (none recorded)
// gives the zero Info.
func From(bi *debug.BuildInfo, ok bool) Info {
	if !ok || bi == nil {
		return Info{}
	}
	i := Info{Version: bi.Main.Version, GoVersion: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	return i
}

// Short names the binary in one word: its module version, or the first 12
// characters of the revision it was built from (with "-dirty" when the tree
// was modified), or "devel".
func (i Info) Short() string {
	if i.Version != "" && i.Version != "(devel)" {
		return i.Version
	}
	rev := i.Revision
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if i.Modified {
		rev += "-dirty"
	}
	return rev
}
