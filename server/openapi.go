package server

import (
	_ "embed"
	"net/http"
)

// OpenAPI is the OpenAPI 3.1 document of every public endpoint (the CMS's,
// the review API, the decision webhook and the operators' probes), served
// at GET /openapi.json without authentication. Tests validate the running
// handlers' answers against it, so it follows the code.
//
//go:embed openapi.json
var OpenAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(OpenAPI)
}
