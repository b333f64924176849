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
//   - the ids of w's BPE subwords from the bundle's tokenizer.json;
//   - optionally (FeatureConfig.Dictionary), the pivot stems the bundle's
//     dictionary.tsv links w to;
//   - optionally (FeatureConfig.Clusters), w's group at each level of the
//     bundle's clusters.tsv.
//
// The dictionary (Dictionary, BuildDictionary) is learned from the parallel
// training sentences (the SIB-200 ones, the same sentence in Russian,
// Kazakh and English): a Kazakh or English key s (the word's stem) is
// linked to the Russian stem t (Snowball) that maximizes Dice's coefficient
//
//	dice(s, t) = 2·c(s,t) / (c(s) + c(t))
//
// over the sentence pairs, c counting the pairs a stem occurs in, when s
// and t share at least two pairs and dice ≥ 0.3. The key and every Russian
// word of the stem t then give one shared feature, so a Kazakh sentence
// also uses what the Russian and English sentences and headlines taught.
// Keys that a Russian word of the training data gives are left out, so a
// Russian document gains only the features of its own words' stems.
//
// The word clusters (Clusters, BuildClusters) are learned from unlabelled
// text: skip-gram word vectors with negative sampling (word2vec's), then
// spherical k-means, level by level, each level splitting the groups of
// the one before (128, 512, 2048 groups by default). A word the labelled
// data never showed the model ("дроны-камикадзе", a minister's name) still
// carries its groups, whose weights the words that were shown trained.
//
// In the pipeline the topic model and the flag heads read the same words, so
// the first of them to score a document hashes each distinct word once (its
// word hash, char n-gram hashes and subword ids, before any model's bucket
// mask) and keeps that in pipeline.Item.Memo for the others (docwords.go);
// the ids each model gets are exactly those of featurizing the words
// itself, in the same order, so its scores are too.
//
// Every feature is hashed (FNV-1a, then a murmur finalizer, with a seed per
// group) into one of B = 2^BucketBits rows (default 2^19). Collisions are
// allowed: on the topics and AG News sets, 2^18 to 2^22 buckets changed
// accuracy by less than 0.2 point, while a table that fits in cache scores
// faster.
//
// # Model
//
// The document vector x has, for each feature occurrence f in bucket b(f),
//
//	x[b(f)] += g(f) · idf(b(f))
//
// where g is the group weight (word and bigram 1, char n-gram, subword and
// cluster 0.5) and idf(b) = ln((1+N)/(1+df(b))) + 1 over the N training documents
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
// The weights are trained as W[b][l] = s[b][l] · V[b][l], where s is a
// fixed NB scale (Wang and Manning's NBSVM idea, one-vs-rest):
//
//	s[b][l] = 1 + |ln( (p[b][l]/‖p[·][l]‖₁) / (q[b][l]/‖q[·][l]‖₁) )|
//
// with p and q the occurrences of bucket b in training documents with and
// without label l, plus one. SGD on V then takes steps s² larger for
// features that separate a label than for ones spread evenly, a prior that
// is worth 0.4 to 1.5 points of macro F1 here. After training V is folded
// back into W, so scoring does not know s exists.
//
// SGD on the summed log-loss  −Σ_l [y_l ln p_l + (1−y_l) ln(1−p_l)]:  for an
// example, with r_l = p_l − y_l,
//
//	V[b][l] −= η_t · r_l · s[b][l] · x[b],    b_l −= η_t · r_l
//
// with η_t decaying linearly from LR to 0 over all steps, and biases
// starting at the labels' log-odds. The final weights are the mean of the
// weights after each epoch of the second half (cheap Polyak averaging).
// Training uses the cores deterministically: each round, each of Shards
// logical workers (default 2, run on up to Threads goroutines) runs Batch
// examples against the shared weights plus its own sparse private delta
// (lock-free reads, Hogwild-style), then the deltas are added to the
// weights in shard order. Same data, options and seed give the same model
// bit for bit for any thread count on one CPU architecture (the compiler
// may fuse multiply-adds on another, changing the last bits). Summing the
// updates of more shards overshoots on frequent features at this learning
// rate (8 shards lost 1-2 points), hence the default of 2.
//
// # Quantization and format
//
// Weights are stored as int8 with one scale per label (the label's largest
// |W| / 127); rows that quantize to all zeros are not stored; idf is stored
// as one byte per bucket. In memory each bucket is one row of 1+L bytes
// (idf code, then the weights), so a feature costs one cache miss, and the
// scoring loop touches the row of the feature 8 ahead so the misses
// overlap. It keeps the first 8 labels' sums in registers (a one-label
// head's in one), doing the same float32 operations in the same order as a
// plain loop. Scores are computed from the quantized weights, and thresholds
// are chosen on them, so what was measured is what ships (int8 cost < 0.3
// point against float weights).
//
// # Calibration and thresholds
//
// One-vs-rest outputs trained on unbalanced labels are not probabilities on
// one scale (a rare label passes at 0.04). Calibrate fits each label's Platt
// scaling on held-out data, p = σ(a·z + b) for the linear score z (Newton's
// method on the log-loss with Platt's smoothed targets), and stores a and b
// with the label, so Scores returns calibrated probabilities and the
// thresholds are chosen on them: a tag shown at 0.8 is right about 8 times
// in 10 on data like the held-out set.
//
// For each label, the dev documents are sorted by score and the cut that
// maximizes F1 (or, when a target precision is set, the lowest cut reaching
// it) is taken, halfway between the two scores around the cut.
//
// # Flag heads
//
// A flag such as extremist_recruitment has few labelled examples and a rule
// pack beside it, so it gets its own head (FlagHead, TrainFlag in flag.go).
// The labelled set is cut into K folds; K one-label models are each trained
// on K-1 folds plus background negatives, and score the fold they did not
// see. On those out-of-fold probabilities p and the rules' noisy-OR r a
// combiner σ(b + w_r·r + w_m·clip(logit p)) is fitted by Newton's method
// on the L2-penalized log-loss with w_r, w_m ≥ 0, and review thresholds are
// chosen per kind as the most recall within a false-positive budget. The
// head ships the K fold models and scores with their mean logit, which is
// distributed like the out-of-fold scores the combiner was fitted to.
//
// Example:
//
//	m, _ := classify.Train(ctx, labels, train, sub, classify.TrainOptions{})
//	m.Calibrate(dev)
//	m.SelectThresholds(dev, nil)
//	m.WriteTo(f)
//	stage := classify.NewStage(m, "topics-2026-11-28-3f2a9c")
package classify
