package training

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBuildLexicon: the words seen often enough are written; a missing
// data file is an input error.
func TestBuildLexicon(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "docs.jsonl")
	if err := os.WriteFile(data, []byte(`{"id":"1","title":"мир","body":"мир труд май"}`+"\n"+`{"id":"2","body":"труд мир"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "lexicon.txt.gz")
	res, err := BuildLexicon(LexiconOptions{Data: []string{data}, MinCount: 2, Max: 10, BoostRank: 1, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Docs != 2 || res.Words != 2 {
		t.Errorf("result %+v; want 2 documents, 2 words (мир, труд)", res)
	}
	if st, err := os.Stat(out); err != nil || st.Size() != int64(res.Bytes) {
		t.Errorf("wrote %v (%v); want %d bytes", st, err, res.Bytes)
	}
	if _, err := BuildLexicon(LexiconOptions{Data: []string{filepath.Join(dir, "missing.jsonl")}, Out: out}); !IsInputError(err) {
		t.Errorf("missing data: %v; want an input error", err)
	}
}
