package models

import (
	"bytes"
	"fmt"
	"io"
	"os"

	vigil "github.com/kz-newsroom/vigil"
)

// ReadData reads labeled JSONL documents from the files at paths, in
// order, and describes each file as a bundle's metadata records it. A bad
// line is an error naming the file and line.
func ReadData(paths ...string) ([]vigil.Document, []DataFile, error) {
	var docs []vigil.Document
	var files []DataFile
	for _, name := range paths {
		raw, err := os.ReadFile(name)
		if err != nil {
			return nil, nil, err
		}
		dr := vigil.NewDocumentReader(bytes.NewReader(raw), 0)
		n := 0
		for {
			d, line, err := dr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, fmt.Errorf("%s:%d: %s", name, line, vigil.ErrorMessage(err))
			}
			docs = append(docs, d)
			n++
		}
		files = append(files, DataFile{Path: name, SHA256: SHA256(raw), Docs: n})
	}
	return docs, files, nil
}
