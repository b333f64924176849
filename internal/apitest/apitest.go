// Package apitest checks HTTP answers against Vigil's OpenAPI document in
// tests, with kin-openapi's validator: the status must be documented for
// the operation, and headers and body must match its schema.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Validator checks answers of a server at one base URL.
type Validator struct {
	Doc    *openapi3.T
	router routers.Router
}

// New parses and validates the OpenAPI 3.1 document doc, for requests
// made to base (http://host:port).
func New(tb testing.TB, doc []byte, base string) *Validator {
	tb.Helper()
	loader := openapi3.NewLoader()
	d, err := loader.LoadFromData(doc)
	if err != nil {
		tb.Fatalf("OpenAPI document: %v", err)
	}
	if err := d.Validate(loader.Context); err != nil {
		tb.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	if !d.IsOpenAPI31OrLater() {
		tb.Fatalf("openapi %s, want 3.1", d.OpenAPI)
	}
	d.Servers = openapi3.Servers{{URL: base}}
	r, err := gorillamux.NewRouter(d)
	if err != nil {
		tb.Fatal(err)
	}
	return &Validator{Doc: d, router: r}
}

// Check validates one answer to req. It returns the operation's "METHOD
// /path" and an error when the answer does not match the document;
// documented is false when the document has no operation for req (an
// undocumented route, such as the moderators' page, or a wrong method).
func (v *Validator) Check(req *http.Request, status int, header http.Header, body []byte) (op string, documented bool, err error) {
	route, params, ferr := v.router.FindRoute(req)
	if ferr != nil {
		return "", false, nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	return route.Method + " " + route.Path, true, openapi3filter.ValidateResponse(context.Background(), in)
}

// CheckSchema validates a JSON body against the named schema of the
// document's components (for bodies Vigil sends, such as webhooks).
func (v *Validator) CheckSchema(name string, body []byte) error {
	ref, ok := v.Doc.Components.Schemas[name]
	if !ok {
		return fmt.Errorf("no schema %q in the document", name)
	}
	var data any
	if err := json.Unmarshal(body, &data); err != nil {
		return err
	}
	return ref.Value.VisitJSON(data, openapi3.EnableJSONSchema2020())
}
