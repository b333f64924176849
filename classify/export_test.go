package classify

import "github.com/kz-newsroom/vigil/pipeline"

// MemoIDs returns m's feature ids for fields the way Model.Scores makes
// them (read with Readings and without skip's words first, as a flag head
// reads them, when readings is set) and the way the document memo makes
// them, after other models (others) have used the same memo.
func MemoIDs(m *Model, fields []pipeline.Field, skip *WordSet, readings bool, others ...*Model) (direct, memo []uint32, ok bool) {
	rd := fields
	if readings {
		rd = Readings(fields)
	}
	direct = m.ids(nil, skip.Without(rd), &scratch{})
	it := &pipeline.Item{Fields: fields}
	d := wordsOf(it)
	defer d.Release()
	for _, o := range others {
		o.memoIDs(nil, d, fields, nil)
	}
	memo, ok = m.memoIDs(nil, d, rd, skip)
	return direct, memo, ok
}

// ScoreAll returns a function that scores every document of docs with m
// from feature ids made beforehand, and the number of ids: scoring alone,
// for benchmarks.
func ScoreAll(m *Model, docs [][]pipeline.Field) (func(), int) {
	var all [][]uint32
	n := 0
	s := &scratch{}
	for _, f := range docs {
		ids := m.ids(nil, f, s)
		n += len(ids)
		all = append(all, ids)
	}
	var buf [maxLabels]float64
	return func() {
		for _, ids := range all {
			m.scoreIDs(buf[:0], ids, s)
		}
	}, n
}

// FlagScores returns h's probability for fields as training scores a text
// (flagProb on the fields read with Readings, without the neutral words)
// and as the stage scores a document (through the document memo); ruled
// says one of the flag's rules fired on it.
func FlagScores(h *FlagHead, fields []pipeline.Field, ruled bool) (training, serving float64) {
	training = h.score(h.Neutral.Without(h.reading(fields)), ruled)
	it := &pipeline.Item{Fields: fields}
	if ruled {
		it.Signals = []pipeline.Signal{{Flag: h.Flag, Weight: 0.9}}
	}
	serving = h.scoreItem(it)
	it.ReleaseMemo()
	return training, serving
}
