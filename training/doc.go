// Package training builds what Vigil ships from labeled documents: a topic
// model bundle (TrainBundle: the BPE tokenizer, the optional word
// dictionary, the classifier with calibrated scores and per-label
// thresholds, the taxonomy and metadata.json) and a flag head (TrainFlag:
// the text model, the rule+model combiner and per-kind thresholds), and the
// normalizer's word-frequency lexicon (BuildLexicon). It
// reads the data files (models.ReadData), prepares them as the engine does
// (pipeline), trains with classify and writes with models; those packages
// do not know each other.
//
// The same data and options give the same files, byte for byte, on the same
// architecture: nothing depends on the number of threads or on time,
// except the recorded creation time and training duration.
//
//	res, err := training.TrainBundle(ctx, training.BundleOptions{
//		Data: []string{"train.jsonl"}, Dev: []string{"dev.jsonl"}, Out: "bundle",
//		Params: training.DefaultParams(),
//	})
package training
