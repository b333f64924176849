package vigil

import "context"

type everyScoreKey struct{}

// everyScore is what WithEveryScore asks of a check.
type everyScore struct{ evidence bool }

// WithEveryScore returns a copy of ctx asking the check it is passed to
// for the score of every flag a head scored on the document, however low,
// in Verdict.Scores (a flag that sends the document to review stays in
// Flags): the Perspective-compatible API answers a score for every
// comment, not only for the ones past a threshold. With evidence, each of
// those scores carries its evidence (the words that carried it), which
// costs more than the score. A flag whose head does not read the document
// (another language or kind) is still absent.
func WithEveryScore(ctx context.Context, evidence bool) context.Context {
	return context.WithValue(ctx, everyScoreKey{}, everyScore{evidence: evidence})
}

// EveryScore reports whether ctx asks for every flag's score (see
// WithEveryScore), and whether with evidence.
func EveryScore(ctx context.Context) (every, evidence bool) {
	e, ok := ctx.Value(everyScoreKey{}).(everyScore)
	return ok, e.evidence
}
