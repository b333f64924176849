package training

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jdkato/prose/v2"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/rules"
)

// EntityOptions say what SuggestEntities reads.
type EntityOptions struct {
	// Data are JSONL files; their English documents are read.
	Data []string
	// RulesDir is an extra rule pack directory, whose entities count as
	// known beside the embedded packs'.
	RulesDir string
	// MinDocs is how many documents a name must be in to be listed
	// (default 2); Top how many names are listed at most (default 50).
	MinDocs, Top int
	// Workers run prose side by side (default GOMAXPROCS): each has its
	// own copy of prose's model.
	Workers int
}

// EntityCandidate is a name prose found that no entity pack covers.
type EntityCandidate struct {
	Name  string // as written most often
	Label string // prose's label: PERSON or GPE
	Docs  int    // documents it is in
	// Example is the id of the first document it was found in.
	Example string
}

// EntityReport is what SuggestEntities found.
type EntityReport struct {
	// Docs are the English documents read, of Read in all.
	Docs, Read int
	// Mentions are the names prose found (one per name and document),
	// Known those a pack's entity covers in the same field.
	Mentions, Known int
	// PackPlaces are the places pack's mentions (once per text and
	// field), PackFound those prose also named: how much of what the packs
	// know prose recognizes.
	PackPlaces, PackFound int
	// Took is the time prose took, summed over workers.
	Took       time.Duration
	Candidates []EntityCandidate
}

// SuggestEntities runs prose's English named-entity recognizer
// (github.com/jdkato/prose/v2, where it is strong: English people and
// places) over the English documents of opts.Data and lists the names no
// entity pack covers, most frequent first: candidates for the
// entities-places pack and the politics pack's leaders. The documents go
// through normalize, tokenize and the rule packs first, as the engine runs
// them, so "known" means what a verdict would carry as an entity.
//
// prose rebuilds its tagger and recognizer on every NewDocument unless it
// is handed one (0.38 s a BBC article, measured on news-en dev); each
// worker keeps its own, which makes an article 44 ms: too slow for the
// per-document path, fine for an archive read on demand.
func SuggestEntities(ctx context.Context, opts EntityOptions) (*EntityReport, error) {
	if opts.MinDocs <= 0 {
		opts.MinDocs = 2
	}
	if opts.Top <= 0 {
		opts.Top = 50
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	docs, _, err := models.ReadData(opts.Data...)
	if err != nil {
		return nil, &InputError{err}
	}
	var ropts rules.Options
	if opts.RulesDir != "" {
		ropts.Dirs = []string{opts.RulesDir}
	}
	eng, err := rules.New(ropts)
	if err != nil {
		return nil, err
	}
	items := pipeline.Prepare(ctx, docs, opts.Workers, &pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, eng)
	var english []*pipeline.Item
	for _, it := range items {
		if it != nil && it.Lang == vigil.LangEnglish {
			english = append(english, it)
		}
	}
	rep := &EntityReport{Docs: len(english), Read: len(docs)}
	found := make([][]docEntity, len(english))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range opts.Workers {
		wg.Go(func() {
			var model *prose.Model
			var took time.Duration
			for i := w; i < len(english) && ctx.Err() == nil; i += opts.Workers {
				start := time.Now()
				found[i], model = proseEntities(english[i], model)
				took += time.Since(start)
			}
			mu.Lock()
			rep.Took += took
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.tally(english, found, opts)
	return rep, nil
}

// docEntity is one name prose found in one field of a document.
type docEntity struct {
	field, text, label string
}

// proseEntities returns the PERSON and GPE names prose finds in the
// item's title and body, each once per field, and the model it used (made
// on the first call, then reused).
func proseEntities(it *pipeline.Item, model *prose.Model) ([]docEntity, *prose.Model) {
	var out []docEntity
	for _, f := range []struct{ name, text string }{{vigil.FieldTitle, it.Doc.Title}, {vigil.FieldBody, it.Doc.Body}} {
		if strings.TrimSpace(f.text) == "" {
			continue
		}
		opts := []prose.DocOpt{prose.WithSegmentation(false)}
		if model != nil {
			opts = append(opts, prose.UsingModel(model))
		}
		doc, err := prose.NewDocument(f.text, opts...)
		if err != nil {
			continue
		}
		model = doc.Model
		for _, e := range doc.Entities() {
			if e.Label != "PERSON" && e.Label != "GPE" {
				continue
			}
			d := docEntity{f.name, strings.Join(strings.Fields(e.Text), " "), e.Label}
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out, model
}

// tally counts prose's names against the packs' entities and keeps the
// unknown ones seen in at least MinDocs documents.
func (r *EntityReport) tally(items []*pipeline.Item, found [][]docEntity, opts EntityOptions) {
	type agg struct {
		c     EntityCandidate
		forms map[string]int
		docs  map[int]bool
	}
	byKey := map[string]*agg{}
	for i, it := range items {
		packs := packPlaces(it)
		for _, pe := range packs {
			if slices.ContainsFunc(found[i], func(d docEntity) bool { return d.field == pe.field && overlaps(d.text, pe.text) }) {
				r.PackFound++
			}
		}
		r.PackPlaces += len(packs)
		for _, d := range found[i] {
			r.Mentions++
			if slices.ContainsFunc(it.Verdict.Entities, func(e vigil.Entity) bool { return e.Field == d.field && overlaps(d.text, e.Text) }) {
				r.Known++
				continue
			}
			key := d.label + "\x00" + strings.ToLower(d.text)
			a := byKey[key]
			if a == nil {
				a = &agg{c: EntityCandidate{Label: d.label, Example: it.Doc.ID}, forms: map[string]int{}, docs: map[int]bool{}}
				byKey[key] = a
			}
			a.forms[d.text]++
			a.docs[i] = true
		}
	}
	for _, a := range byKey {
		if len(a.docs) < opts.MinDocs {
			continue
		}
		a.c.Docs = len(a.docs)
		for form, n := range a.forms {
			if best := a.forms[a.c.Name]; n > best || n == best && form < a.c.Name {
				a.c.Name = form
			}
		}
		r.Candidates = append(r.Candidates, a.c)
	}
	slices.SortFunc(r.Candidates, func(a, b EntityCandidate) int {
		return cmp.Or(cmp.Compare(b.Docs, a.Docs), cmp.Compare(a.Label, b.Label), cmp.Compare(a.Name, b.Name))
	})
	if len(r.Candidates) > opts.Top {
		r.Candidates = r.Candidates[:opts.Top]
	}
}

// packPlaces are the item's place entities, once per text and field.
func packPlaces(it *pipeline.Item) []docEntity {
	var out []docEntity
	for _, e := range it.Verdict.Entities {
		if e.Type != "place" {
			continue
		}
		d := docEntity{field: e.Field, text: e.Text}
		if !slices.ContainsFunc(out, func(o docEntity) bool { return o.field == d.field && strings.EqualFold(o.text, d.text) }) {
			out = append(out, d)
		}
	}
	return out
}

// overlaps reports whether one name contains the other, ignoring case:
// prose's "President Tokayev" covers the pack's "Tokayev", the pack's
// "Supreme Court of Kazakhstan" covers prose's "Kazakhstan".
func overlaps(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	return a != "" && b != "" && (strings.Contains(a, b) || strings.Contains(b, a))
}

// WriteText writes the report for a pack maintainer: the candidates, one
// a line, then what prose found against the packs.
func (r *EntityReport) WriteText(w io.Writer) {
	for _, c := range r.Candidates {
		fmt.Fprintf(w, "%4d  %-6s  %s  (%s)\n", c.Docs, c.Label, c.Name, c.Example)
	}
	per := time.Duration(0)
	if r.Docs > 0 {
		per = r.Took / time.Duration(r.Docs)
	}
	fmt.Fprintf(w, "\n%d English documents of %d read; prose named %d people and places (%s a document), %d of them known to the packs; "+
		"of the places pack's %d mentions prose named %d\n",
		r.Docs, r.Read, r.Mentions, per.Round(time.Millisecond), r.Known, r.PackPlaces, r.PackFound)
}
