package review

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	vigil "github.com/kz-newsroom/vigil"
)

// FeedbackCounts is what ExportFeedback wrote: decided items by decision,
// and suggested scores by the decision they count as (toxic: reject).
type FeedbackCounts struct {
	Approved, Rejected                int
	SuggestedApprove, SuggestedReject int
}

// ExportFeedback writes the moderators' feedback since since to w as
// labeled JSONL documents in the input schema of training: every approved
// or rejected item (FeedbackDocument), then every suggested score that gives
// a label (SuggestionDocument). which is "all", vigil.DecisionApprove or
// vigil.DecisionReject; a suggestion counts as reject when it flags the
// document, as approve otherwise. An error is the store's or w's; what was
// written before it stays written.
func (s *Store) ExportFeedback(ctx context.Context, w io.Writer, since time.Time, which string) (FeedbackCounts, error) {
	var n FeedbackCounts
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	err := s.Decided(ctx, since, func(it *vigil.ReviewItem) error {
		if which != "all" && it.Decision != which {
			return nil
		}
		switch it.Decision {
		case vigil.DecisionApprove:
			n.Approved++
		case vigil.DecisionReject:
			n.Rejected++
		}
		return enc.Encode(FeedbackDocument(it))
	})
	if err == nil {
		err = s.Suggestions(ctx, since, func(sg *vigil.Suggestion) error {
			d, ok := SuggestionDocument(sg)
			if !ok {
				return nil
			}
			decision := vigil.DecisionApprove
			if len(d.Flags) > 0 {
				decision = vigil.DecisionReject
			}
			if which != "all" && decision != which {
				return nil
			}
			if decision == vigil.DecisionReject {
				n.SuggestedReject++
			} else {
				n.SuggestedApprove++
			}
			return enc.Encode(d)
		})
	}
	if err == nil {
		err = bw.Flush()
	}
	return n, err
}

// FeedbackDocument turns a decided item into a labeled training document:
// the moderator's corrected tags, or else the verdict's; the verdict's
// flags when the item was rejected, none when it was approved (a hard
// negative).
func FeedbackDocument(it *vigil.ReviewItem) vigil.Document {
	d := it.Document
	d.Tags = it.CorrectedTags
	if len(d.Tags) == 0 {
		d.Tags = make([]string, 0, len(it.Verdict.Tags))
		for _, t := range it.Verdict.Tags {
			d.Tags = append(d.Tags, t.Name)
		}
	}
	d.Flags = []string{}
	if it.Decision == vigil.DecisionReject {
		for _, f := range it.Verdict.Flags {
			d.Flags = append(d.Flags, f.Name)
		}
	}
	d.Source = "review:" + it.Decision
	return d
}

// SuggestionDocument turns a suggested score into a labeled comment; ok is
// false for an attribute that gives no label (see vigil.Suggestion.Flags).
// Its id is the platform's client token (Coral's "comment:ID") or the
// suggestion's own.
func SuggestionDocument(sg *vigil.Suggestion) (vigil.Document, bool) {
	flags, ok := sg.Flags()
	if !ok {
		return vigil.Document{}, false
	}
	id := sg.ClientToken
	if id == "" {
		id = fmt.Sprintf("suggestion-%d", sg.ID)
	}
	return vigil.Document{ID: id, Kind: vigil.KindComment, Lang: sg.Lang, Body: sg.Text, Flags: flags,
		Source: "perspective:" + sg.Attribute}, true
}
