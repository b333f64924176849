package training

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSuggestEntities: prose's people and places in English documents
// that no pack covers are listed with the documents naming them; a place
// the places pack knows counts as known, Russian documents are not read,
// and a name in fewer than MinDocs documents is left out.
func TestSuggestEntities(t *testing.T) {
	data := filepath.Join(t.TempDir(), "docs.jsonl")
	lines := []string{
		`{"id":"en-1","lang":"en","title":"Tokayev meets Emmanuel Macron in Astana","body":"Emmanuel Macron arrived in Astana on Monday for talks."}`,
		`{"id":"en-2","lang":"en","title":"Emmanuel Macron visits Almaty","body":"The French president Emmanuel Macron toured Almaty with officials."}`,
		`{"id":"en-3","lang":"en","title":"Storm hits Lisbon","body":"Heavy rain flooded streets in Lisbon, officials said."}`,
		`{"id":"ru-1","lang":"ru","title":"Макрон прибыл в Астану","body":"Эммануэль Макрон прибыл в Астану."}`,
	}
	if err := os.WriteFile(data, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := SuggestEntities(context.Background(), EntityOptions{Data: []string{data}, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Docs != 3 || rep.Read != 4 {
		t.Errorf("read %d English documents of %d, want 3 of 4", rep.Docs, rep.Read)
	}
	var macron bool
	for _, c := range rep.Candidates {
		switch {
		case c.Name == "Emmanuel Macron":
			macron = c.Label == "PERSON" && c.Docs == 2 && c.Example == "en-1"
		case strings.Contains(c.Name, "Astana"), strings.Contains(c.Name, "Almaty"):
			t.Errorf("%s is in the places pack, listed as %+v", c.Name, c)
		case c.Name == "Lisbon":
			t.Errorf("Lisbon is in one document, listed as %+v", c)
		}
	}
	if !macron {
		t.Errorf("candidates %+v: want Emmanuel Macron, PERSON, 2 documents, first in en-1", rep.Candidates)
	}
	if rep.Known == 0 || rep.PackPlaces == 0 {
		t.Errorf("known %d, pack places %d: Astana and Almaty are in the places pack", rep.Known, rep.PackPlaces)
	}
	var out strings.Builder
	rep.WriteText(&out)
	if !strings.Contains(out.String(), "Emmanuel Macron") || !strings.Contains(out.String(), "3 English documents of 4 read") {
		t.Errorf("report:\n%s", out.String())
	}
}

func TestSuggestEntitiesBadData(t *testing.T) {
	_, err := SuggestEntities(context.Background(), EntityOptions{Data: []string{filepath.Join(t.TempDir(), "missing.jsonl")}})
	if err == nil || !IsInputError(err) || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("err = %v, want an input error naming the file", err)
	}
}
