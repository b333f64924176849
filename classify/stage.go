package classify

import (
	"context"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Stage is the pipeline's "classify" stage: it scores the words of the
// item's fields with a topic model and appends a vigil.Tag with Source
// "model" for every tag label at or above its threshold. Flag labels of the
// same model are left to a FlagHead. It names the model in
// Verdict.Versions.Model. A Stage is safe for concurrent use.
type Stage struct {
	model   *Model
	version string
}

var _ pipeline.Stage = (*Stage)(nil)

// NewStage returns the classify stage for m, whose verdicts name version
// (the model bundle's id). m must not change after this call.
func NewStage(m *Model, version string) *Stage {
	return &Stage{model: m, version: version}
}

// Model returns the stage's model.
func (s *Stage) Model() *Model { return s.model }

// Name implements pipeline.Stage.
func (*Stage) Name() string { return "classify" }

// Process implements pipeline.Stage. It reads it.Fields[].Words (filled by
// the tokenize stage) and never fails. A document with no words gets no
// tags: its scores would only be the labels' priors.
func (s *Stage) Process(_ context.Context, it *pipeline.Item) error {
	it.Verdict.Versions.Model = s.version
	words := 0
	for i := range it.Fields {
		words += len(it.Fields[i].Words)
	}
	if words == 0 { // no evidence: the scores would be the labels' priors
		return nil
	}
	var buf [maxLabels]float64
	scores := s.model.Scores(buf[:0], it.Fields)
	for l, p := range scores {
		lab := &s.model.Labels[l]
		if lab.Kind == KindTag && p >= lab.Threshold {
			it.Verdict.Tags = append(it.Verdict.Tags, vigil.Tag{Name: lab.Name, Score: round4(p), Source: vigil.SourceModel})
		}
	}
	it.Verdict.Versions.Model = s.version
	return nil
}
