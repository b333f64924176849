package classify_test

import (
	"bytes"
	"fmt"

	"github.com/kz-newsroom/vigil/classify"
)

// Train a tiny tokenizer from word counts, load it back through sugarme,
// and split words into subwords. Unseen words are built from learned
// pieces; characters never seen become [UNK].
func ExampleSubwords() {
	counts := map[string]int{"приказ": 9, "приказы": 4, "указ": 6, "указы": 3, "рассказ": 2}
	var tokenizerJSON bytes.Buffer
	if err := classify.TrainBPE(counts, classify.BPEOptions{VocabSize: 30}, &tokenizerJSON); err != nil {
		fmt.Println(err)
		return
	}
	sw, err := classify.LoadSubwords(&tokenizerJSON)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sw.VocabSize()) // under 30: no pair left occurring twice
	fmt.Println(sw.Pieces("приказы"))
	fmt.Println(sw.Pieces("указами"))
	fmt.Println(sw.Pieces("приказ№"), sw.WordIDs("приказ№"))
	// Output:
	// 27
	// [▁приказы]
	// [▁указ а [UNK] и]
	// [▁приказ [UNK]] [17 1]
}
