// Package classify owns Vigil's text models: the features they read, their
// training, scoring, per-label thresholds, evaluation and their binary
// format, plus the BPE subword tokenizer the features use. It reads and
// writes through io.Reader and io.Writer only; package models finds the
// files. The pipeline stages it provides are Stage ("classify", topic tags)
// and FlagHead (one flag's model signal).
//
// # Features
//
// A document is the normalized word tokens of its fields (title, body).
// Each word w gives
//
//   - the word itself;
//   - the bigram (previous word, w), inside one field;
//   - the character n-grams of "<w>", MinN..MaxN runes long (fastText's
//     subword trick: unseen inflections of a Russian or Kazakh stem share
//     n-grams with seen ones);
//   - the ids of w's BPE subwords from the bundle's tokenizer.json.
//
// Every feature is hashed (FNV-1a, then a murmur finalizer, with a seed per
// group) into one of B = 2^BucketBits rows. Collisions are allowed: with
// B = 2^20 and some 10^5..10^6 distinct features they cost well under a
// point of F1 (measured: 2^22 buckets changed accuracy by < 0.1 point).
//
// # Model
//
// The document vector x has, for each feature occurrence f in bucket b(f),
//
//	x[b(f)] += g(f) · idf(b(f))
//
// where g is the group weight (word and bigram 1, char n-gram and subword
// 0.5) and idf(b) = ln((1+N)/(1+df(b))) + 1 over the N training documents
// (0 for a bucket no training document has, so features never seen in
// training neither vote nor dilute). x is scaled to unit length. For label
// l the model is a logistic regression:
//
//	P(l | x) = σ(b_l + Σ_b x[b] · W[b][l]),   σ(z) = 1/(1+e^-z)
//
// one-vs-rest, so a document can carry several labels (security and
// government at once) and a label's score does not depend on which other
// labels exist. fastText factors W through a dense layer (W = E·U, rank
// 50); with tens of labels a full-rank W is both cheaper to apply (L
// multiply-adds per feature instead of 50) and better on these corpora.
//
// # Training
//
// SGD on the summed log-loss  −Σ_l [y_l ln p_l + (1−y_l) ln(1−p_l)]:  for an
// example, with r_l = p_l − y_l,
//
//	W[b][l] −= η_t · r_l · x[b],    b_l −= η_t · r_l
//
// with η_t decaying linearly from LR to 0 over all steps, and biases
// starting at the labels' log-odds. The final weights are the mean of the
// weights after each epoch of the second half (cheap Polyak averaging).
// Training uses every core deterministically: each round, each of T
// goroutines runs Batch examples against the shared weights plus its own
// private delta (lock-free reads, Hogwild-style), then the deltas are added
// to the weights in goroutine order. Same data, options and seed give the
// same model bit for bit.
//
// # Quantization and format
//
// Weights are stored as int8 with one scale per label (the label's largest
// |W| / 127); rows that quantize to all zeros are not stored; idf is stored
// as one byte per bucket. Scores are computed from the quantized weights,
// and thresholds are chosen on them, so what was measured is what ships.
//
// # Thresholds
//
// For each label, the dev documents are sorted by score and the cut that
// maximizes F1 (or, when a target precision is set, the lowest cut reaching
// it) is taken, halfway between the two scores around the cut.
//
// Example:
//
//	m, _ := classify.Train(ctx, labels, train, sub, classify.TrainOptions{})
//	m.SelectThresholds(dev, nil)
//	m.WriteTo(f)
//	stage := classify.NewStage(m, "topics-2026-11-28-3f2a9c")
package classify
