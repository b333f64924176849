package pipeline

import (
	"cmp"
	"slices"
	"unicode/utf8"

	vigil "github.com/kz-newsroom/vigil"
)

// fillUTF16 sets the UTF-16 offsets (StartUTF16, EndUTF16) of every
// evidence span and entity in v from their byte offsets into the original
// text of fields. Each field's text is walked once, in offset order, so a
// long document with many spans costs one pass. An offset outside its field,
// or inside a character, counts the character it falls in.
func fillUTF16(v *vigil.Verdict, fields []Field) {
	type ref struct {
		field  string
		byteAt int
		out    *int
	}
	var refs []ref
	add := func(field string, start, end int, s16, e16 *int) {
		refs = append(refs, ref{field, start, s16}, ref{field, end, e16})
	}
	for i := range v.Tags {
		for j := range v.Tags[i].Evidence {
			e := &v.Tags[i].Evidence[j]
			add(e.Field, e.Start, e.End, &e.StartUTF16, &e.EndUTF16)
		}
	}
	for _, flags := range [][]vigil.Flag{v.Flags, v.Scores} {
		for i := range flags {
			for j := range flags[i].Evidence {
				e := &flags[i].Evidence[j]
				add(e.Field, e.Start, e.End, &e.StartUTF16, &e.EndUTF16)
			}
		}
	}
	for i := range v.Entities {
		e := &v.Entities[i]
		add(e.Field, e.Start, e.End, &e.StartUTF16, &e.EndUTF16)
	}
	if len(refs) == 0 {
		return
	}
	slices.SortStableFunc(refs, func(a, b ref) int {
		if c := cmp.Compare(a.field, b.field); c != 0 {
			return c
		}
		return cmp.Compare(a.byteAt, b.byteAt)
	})
	for start := 0; start < len(refs); {
		end := start
		for end < len(refs) && refs[end].field == refs[start].field {
			end++
		}
		text := ""
		for _, f := range fields {
			if f.Name == refs[start].field {
				text = f.Original
			}
		}
		pos, units := 0, 0
		for _, r := range refs[start:end] {
			for pos < r.byteAt && pos < len(text) {
				c, n := utf8.DecodeRuneInString(text[pos:])
				pos += n
				units++
				if c >= 0x10000 {
					units++ // a surrogate pair
				}
			}
			*r.out = units
		}
		start = end
	}
}
