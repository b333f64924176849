// Package engine wires the pipeline every command that checks documents
// runs: normalize, tokenize, the rule packs, one stage per model head (the
// topic model, each flag head), decide. It loads the models (models) and
// rules (rules) and builds the stages (pipeline, classify) in one place,
// New; those packages do not know each other.
//
// An Engine checks documents one at a time, in batches or as a stream, and
// JSONL files into verdicts in input order (ClassifyFiles);
// Live swaps in a new Engine when the models or rules on disk change;
// Engine.Evaluate scores an engine against labeled documents.
//
//	e, err := engine.New(ctx, engine.Options{RulesDir: "rules/local"})
//	if err != nil {
//		return err // names the model or rule file at fault
//	}
//	v := e.Check(ctx, &vigil.Document{ID: "1", Body: "…"})
package engine
