package retag

import (
	"slices"
	"sort"

	vigil "github.com/kz-newsroom/vigil"
)

// Change is what --diff writes for a document whose new verdict differs
// from the tags and flags it already carries.
type Change struct {
	ID   string `json:"id"`
	Line int64  `json:"line,omitempty"`
	// Added and removed names, each sorted.
	TagsAdded    []string `json:"tags_added,omitempty"`
	TagsRemoved  []string `json:"tags_removed,omitempty"`
	FlagsAdded   []string `json:"flags_added,omitempty"`
	FlagsRemoved []string `json:"flags_removed,omitempty"`
	// Before is what the document carried; After what the new verdict says.
	Before Labels `json:"before"`
	After  Labels `json:"after"`
	// Verdict is the full new verdict, with scores and evidence.
	Verdict vigil.Verdict `json:"verdict"`
}

// Labels are a document's tag and flag names.
type Labels struct {
	Tags  []string `json:"tags"`
	Flags []string `json:"flags"`
}

// diff compares a document's labels with its new verdict; it returns nil
// when they agree.
func diff(doc *vigil.Document, line int64, v vigil.Verdict) *Change {
	after := Labels{Tags: make([]string, 0, len(v.Tags)), Flags: make([]string, 0, len(v.Flags))}
	for _, t := range v.Tags {
		after.Tags = append(after.Tags, t.Name)
	}
	for _, f := range v.Flags {
		after.Flags = append(after.Flags, f.Name)
	}
	before := Labels{Tags: nonNil(doc.Tags), Flags: nonNil(doc.Flags)}
	c := &Change{ID: doc.ID, Line: line, Before: before, After: after, Verdict: v}
	c.TagsAdded, c.TagsRemoved = setDiff(before.Tags, after.Tags)
	c.FlagsAdded, c.FlagsRemoved = setDiff(before.Flags, after.Flags)
	if len(c.TagsAdded)+len(c.TagsRemoved)+len(c.FlagsAdded)+len(c.FlagsRemoved) == 0 {
		return nil
	}
	return c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// setDiff returns the names in b and not in a (added) and in a and not in b
// (removed), each sorted and without repeats.
func setDiff(a, b []string) (added, removed []string) {
	for _, x := range b {
		if !slices.Contains(a, x) && !slices.Contains(added, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) && !slices.Contains(removed, x) {
			removed = append(removed, x)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}

// DiffStats counts, over a diff run, how often each tag and flag was added
// or removed.
type DiffStats struct {
	Changed      int64            `json:"changed"`
	Unchanged    int64            `json:"unchanged"`
	TagsAdded    map[string]int64 `json:"tags_added"`
	TagsRemoved  map[string]int64 `json:"tags_removed"`
	FlagsAdded   map[string]int64 `json:"flags_added"`
	FlagsRemoved map[string]int64 `json:"flags_removed"`
}

func newDiffStats() *DiffStats {
	return &DiffStats{TagsAdded: map[string]int64{}, TagsRemoved: map[string]int64{},
		FlagsAdded: map[string]int64{}, FlagsRemoved: map[string]int64{}}
}

func (d *DiffStats) add(c *Change) {
	if c == nil {
		d.Unchanged++
		return
	}
	d.Changed++
	for _, t := range c.TagsAdded {
		d.TagsAdded[t]++
	}
	for _, t := range c.TagsRemoved {
		d.TagsRemoved[t]++
	}
	for _, f := range c.FlagsAdded {
		d.FlagsAdded[f]++
	}
	for _, f := range c.FlagsRemoved {
		d.FlagsRemoved[f]++
	}
}
