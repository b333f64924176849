package retag_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/retag"
)

// sportStage tags documents that mention a match; a stand-in for the real
// rule and model stages.
type sportStage struct{}

func (sportStage) Name() string { return "sport" }

func (sportStage) Process(_ context.Context, it *pipeline.Item) error {
	if strings.Contains(it.Doc.Body, "матч") {
		it.Verdict.Tags = append(it.Verdict.Tags, vigil.Tag{Name: "sport", Score: 1, Source: vigil.SourceRule})
	}
	return nil
}

// Previewing a change with Diff: only documents whose tags change are
// written, and the summary counts what was added and removed.
func ExampleRun_diff() {
	archive := `{"id":"1","body":"финальный матч","tags":["sport"]}
{"id":"2","body":"вчерашний матч","tags":["culture"]}
{"id":"3","body":"погода","tags":["travel"]}
`
	p := pipeline.New(pipeline.Options{}, sportStage{}, &pipeline.Decide{})
	var out strings.Builder
	sum, err := retag.Run(context.Background(), p, retag.Job{
		In: "-", Out: "-", Diff: true, Stdin: strings.NewReader(archive), Stdout: &out,
	}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(strings.Count(out.String(), "\n"), "changes")
	fmt.Println("added:", sum.Diff.TagsAdded)
	fmt.Println("removed:", sum.Diff.TagsRemoved)
	// Output:
	// 2 changes
	// added: map[sport:1]
	// removed: map[culture:1 travel:1]
}
