// Package models owns Vigil's shipped model artifacts and their loading.
//
// The models are a set of heads (Set), one per thing scored, each with its
// own version id:
//
//	topics                 a bundle: topic tags (models/default)
//	comment_topics         a bundle for reader comments' topic tags (models/comments)
//	extremist_recruitment  a flag head (models/recruitment)
//	toxic                  a flag head, report-only (models/toxic)
//
// All four are embedded in the binary with go:embed (DefaultSet). A models
// directory (LoadSet, ScanDir; --models DIR) replaces only the heads it
// holds and keeps the others (but a new topics head takes the comments
// with it unless a comment_topics head comes beside it): a bundle or a flag
// head at its top or in a directory directly under it. A directory with no
// head in it is an error naming it.
//
// A bundle is a directory of four files:
//
//	tokenizer.json  the BPE subword tokenizer (Hugging Face format)
//	topics.bin      the topic classifier: weights, idf, thresholds (package classify's format)
//	taxonomy.yaml   the tags with their IPTC Media Topics codes
//	metadata.json   version id, training data hashes, parameters, dev scores, file checksums
//
// `vigil train` writes one (Write); LoadDir reads one; the default bundle,
// trained on the topics corpus, is Default. Load verifies every file
// against the SHA-256 in metadata.json, so a half-copied or edited bundle
// is refused with the name of the file at fault. A flag head (flag.yaml,
// flag.bin; see LoadFlag) is checked the same way against flag.yaml.
//
// The version id, topics-YYYY-MM-DD-hhhhhh (flag-… for a flag head), is
// the build date and a hash of the files' checksums: verdicts name it, so
// every tag and flag can be traced to the exact model that gave it.
//
//	set, err := models.LoadSet("/srv/vigil/models") // "" for the embedded heads
//	stage := classify.NewStage(set.Topics().Topics, set.Topics().Meta.Version)
package models
