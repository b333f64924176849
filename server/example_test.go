package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
	"github.com/kz-newsroom/vigil/review"
	"github.com/kz-newsroom/vigil/server"
)

// A server checking with a pipeline and queueing review verdicts in a
// SQLite review store, called as the CMS calls it.
func Example() {
	dir, _ := os.MkdirTemp("", "vigil-example")
	defer os.RemoveAll(dir)
	store, err := review.Open(context.Background(), review.Config{DataDir: dir})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	pipe := pipeline.New(pipeline.Options{}, &pipeline.NormalizeStage{}, &pipeline.TokenizeStage{}, &pipeline.Decide{})

	s, err := server.New(server.Config{Addr: "127.0.0.1:0", Tokens: server.Tokens{CMS: []string{"cms-site:s3cret"}}},
		server.Deps{Checker: pipe, Review: store})
	if err != nil {
		panic(err)
	}
	if err := s.Open(); err != nil {
		panic(err)
	}
	defer s.Close()

	req, _ := http.NewRequest("POST", "http://"+s.Addr()+"/v1/check",
		strings.NewReader(`{"id":"news-1","title":"Курс тенге","body":"<p>Нацбанк сохранил базовую ставку.</p>"}`))
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var v vigil.Verdict
	json.NewDecoder(resp.Body).Decode(&v)
	fmt.Println(resp.StatusCode, v.ID, v.Action, v.Lang)
	// Output: 200 news-1 allow ru
}
