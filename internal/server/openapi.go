package server

import (
	_ "embed"
	"encoding/json"
	"net/http"
)

// openAPIDocument describes every route of the table; TestOpenAPI fails
// when the two disagree.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPI answers GET /api/v1/openapi.json.
func (s *Server) openAPI(r *http.Request, c *call) (*response, error) {
	return &response{body: json.RawMessage(openAPIDocument)}, nil
}
