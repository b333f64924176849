package training

import (
	"hash/fnv"
	"slices"
	"sort"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/pipeline"
)

// collectLabels returns the labels the documents carry: taxonomy tags
// first in taxonomy order, then other tags and the flags by name.
func collectLabels(docs []vigil.Document, from string, tax *models.Taxonomy) []classify.Label {
	tags, flags := map[string]bool{}, map[string]bool{}
	for _, d := range docs {
		if from != "flags" {
			for _, t := range d.Tags {
				tags[t] = true
			}
		}
		if from != "tags" {
			for _, f := range d.Flags {
				flags[f] = true
			}
		}
	}
	var out []classify.Label
	for _, t := range tax.Tags {
		if tags[t.Name] {
			out = append(out, classify.Label{Name: t.Name, Kind: classify.KindTag})
			delete(tags, t.Name)
		}
	}
	for _, set := range []struct {
		names map[string]bool
		kind  string
	}{{tags, classify.KindTag}, {flags, classify.KindFlag}} {
		names := make([]string, 0, len(set.names))
		for n := range set.names {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, classify.Label{Name: n, Kind: set.kind})
		}
	}
	return out
}

func examples(docs []vigil.Document, fields [][]pipeline.Field, labels []classify.Label, from string) []classify.Example {
	idx := map[string]int{}
	for i, l := range labels {
		idx[l.Kind+":"+l.Name] = i
	}
	out := make([]classify.Example, len(docs))
	for i, d := range docs {
		ex := classify.Example{Fields: fields[i]}
		for _, t := range d.Tags {
			if l, ok := idx[classify.KindTag+":"+t]; ok {
				ex.Labels = append(ex.Labels, l)
			}
		}
		for _, f := range d.Flags {
			if l, ok := idx[classify.KindFlag+":"+f]; ok {
				ex.Labels = append(ex.Labels, l)
			}
		}
		out[i] = ex
	}
	return out
}

// translations pairs each document with its translation into pivot: the
// document whose id differs only in the language part (sib-kk-17 and
// sib-ru-17), in the order of docs.
func translations(docs []vigil.Document, fields [][]pipeline.Field, pivot string) []classify.Translation {
	byID := make(map[string]int, len(docs))
	for i, d := range docs {
		byID[d.ID] = i
	}
	var out []classify.Translation
	for i, d := range docs {
		if d.Lang == "" || d.Lang == pivot {
			continue
		}
		parts := strings.Split(d.ID, "-")
		for k, part := range parts {
			if part != d.Lang {
				continue
			}
			tr := slices.Clone(parts)
			tr[k] = pivot
			if j, ok := byID[strings.Join(tr, "-")]; ok && docs[j].Lang == pivot {
				out = append(out, classify.Translation{Source: fields[i], Target: fields[j]})
				break
			}
		}
	}
	return out
}

// langTexts returns the fields of the documents in language lang.
func langTexts(docs []vigil.Document, fields [][]pipeline.Field, lang string) [][]pipeline.Field {
	var out [][]pipeline.Field
	for i, d := range docs {
		if d.Lang == lang {
			out = append(out, fields[i])
		}
	}
	return out
}

// heldOut says whether a document goes to the threshold split: a stable
// hash of its id, so the split does not depend on file order.
func heldOut(id string, fraction float64) bool {
	h := fnv.New64a()
	h.Write([]byte(id))
	return float64(h.Sum64()%10000) < fraction*10000
}

func holdOut(docs []vigil.Document, ex []classify.Example, times []int, fraction float64) (fit, held []classify.Example) {
	for i, d := range docs {
		if heldOut(d.ID, fraction) {
			held = append(held, ex[i])
		}
	}
	fit = repeated(ex, times, func(i int) bool { return !heldOut(docs[i].ID, fraction) })
	return fit, held
}

// repeated returns the examples keep says yes to (all when keep is nil),
// each times[i] times in a row.
func repeated(ex []classify.Example, times []int, keep func(i int) bool) []classify.Example {
	var out []classify.Example
	for i := range ex {
		if keep != nil && !keep(i) {
			continue
		}
		for range times[i] {
			out = append(out, ex[i])
		}
	}
	return out
}

// parallelDocs returns the indices of the documents that have a
// translation among docs: ids that differ only in the language part.
func parallelDocs(docs []vigil.Document) []int {
	group := map[string][]int{}
	for i, d := range docs {
		if d.Lang == "" {
			continue
		}
		parts := strings.Split(d.ID, "-")
		if k := slices.Index(parts, d.Lang); k >= 0 {
			parts[k] = "*"
			key := strings.Join(parts, "-")
			group[key] = append(group[key], i)
		}
	}
	var out []int
	for _, g := range group {
		if len(g) > 1 {
			out = append(out, g...)
		}
	}
	slices.Sort(out)
	return out
}

func threshDocs(heldOutSplit bool, train, dev []vigil.Document, fraction float64) []vigil.Document {
	if !heldOutSplit {
		return dev
	}
	var out []vigil.Document
	for _, d := range train {
		if heldOut(d.ID, fraction) {
			out = append(out, d)
		}
	}
	return out
}

// evaluateModel scores examples with m alone (no rules) into a report.
func evaluateModel(m *classify.Model, ex []classify.Example, docs []vigil.Document, from string) *classify.Report {
	var tagNames []string
	for _, l := range m.Labels {
		if l.Kind == classify.KindTag {
			tagNames = append(tagNames, l.Name)
		}
	}
	ev := classify.NewEvaluator(tagNames...)
	var buf []float64
	for i, x := range ex {
		buf = m.Scores(buf[:0], x.Fields)
		var predT, predF []string
		top1, best := "", -1.0
		for l, p := range buf {
			lab := m.Labels[l]
			if lab.Kind == classify.KindTag && p > best && x.Knows(l) {
				top1, best = lab.Name, p
			}
			if p >= lab.Threshold {
				if lab.Kind == classify.KindTag {
					predT = append(predT, lab.Name)
				} else {
					predF = append(predF, lab.Name)
				}
			}
		}
		d := docs[i]
		goldT, goldF := d.Tags, d.Flags
		if from == "flags" {
			goldT = nil
		}
		if from == "tags" {
			goldF = nil
		}
		if x.Only != nil { // a weak document: only the labels it speaks for count
			known := func(name string) bool {
				return slices.ContainsFunc(x.Only, func(l int) bool { return m.Labels[l].Name == name })
			}
			predT = slices.DeleteFunc(predT, func(n string) bool { return !known(n) })
		}
		ev.Add(slices.Clip(goldT), predT, top1, goldF, predF)
	}
	return ev.Report()
}
