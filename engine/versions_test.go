package engine

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteVersions: the embedded heads and packs give the models, flag and
// rules lines and a line a head; a models directory that is not there is an
// error with nothing written.
func TestWriteVersions(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteVersions(&buf, ""); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("output:\n%s\nwant models, flag, rules and head lines", buf.String())
	}
	for i, prefix := range []string{"models ", "flag ", "rules ", "head "} {
		if !strings.HasPrefix(lines[i], prefix) || lines[i] == prefix {
			t.Errorf("line %d %q; want %q and a version", i+1, lines[i], prefix)
		}
	}
	buf.Reset()
	if err := WriteVersions(&buf, filepath.Join(t.TempDir(), "missing")); err == nil || buf.Len() > 0 {
		t.Errorf("missing models dir: error %v, wrote %q; want an error and nothing", err, buf.String())
	}
}
