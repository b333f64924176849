// Package pipeline runs Vigil's stages over a document and owns the stages
// every document goes through first and last:
//
//   - normalize (NormalizeStage, Normalize): HTML to text (scripts and
//     styles dropped, entities decoded, block elements as line breaks),
//     Unicode NFKC, lower case, ё→е, and evasion undone: zero-width
//     characters and soft hyphens removed, s p a c e d letters joined, Latin
//     look-alikes and digits used as letters turned back into the Cyrillic
//     letters they imitate (and Cyrillic look-alikes in English words into
//     Latin ones). Every byte of the normalized text maps back to
//     the bytes of the original it came from (Field.Span), so evidence can
//     point into the HTML the CMS sent;
//   - language detection (DetectLang): ru, kk or en from script, Kazakh
//     letters and frequent words;
//   - tokenize (TokenizeStage, Words, Sentences): word tokens and sentence
//     spans of the normalized text;
//   - decide (Decide): tags merged, signals combined into flags, the action.
//
// Rules and models (packages rules and classify) are stages too; they read
// Item.Fields and add tags, entities and signals. The runner (Pipeline)
// calls the stages in order, checks ctx between them, turns a stage's error
// or panic into that document's verdict error, and keeps batch and stream
// output in input order on a pool of workers.
//
// The package knows nothing of HTTP, SQL or files, and imports no other
// Vigil package but the root.
//
//	p := pipeline.New(pipeline.Options{}, &pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, &pipeline.Decide{})
//	v := p.Check(ctx, &vigil.Document{ID: "c1", Kind: "comment", Body: "вcтyпaй в ДЖ1ХАД"})
package pipeline
