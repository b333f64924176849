// Package models owns Vigil's shipped model artifacts and their loading.
//
// A bundle is a directory of four files:
//
//	tokenizer.json  the BPE subword tokenizer (Hugging Face format)
//	topics.bin      the topic classifier: weights, idf, thresholds (package classify's format)
//	taxonomy.yaml   the tags with their IPTC Media Topics codes
//	metadata.json   version id, training data hashes, parameters, dev scores, file checksums
//
// `vigil train` writes one (Write); `--models DIR` reads one (LoadDir); the
// default bundle, trained on the topics corpus, is embedded in the binary
// with go:embed (Default). Load verifies every file against the SHA-256 in
// metadata.json, so a half-copied or edited bundle is refused with the name
// of the file at fault.
//
// The version id, topics-YYYY-MM-DD-hhhhhh, is the build date and a hash of
// the files' checksums: verdicts name it, so every tag can be traced to the
// exact model that gave it.
//
//	b, err := models.LoadDir("models/default")
//	stage := classify.NewStage(b.Topics, b.Meta.Version)
package models
